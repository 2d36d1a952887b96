/* smclat report: plots, tables and summaries of results folders (docs/reports.md).
 * Split from builtin-report.c so tests can call it without the smclat binary. */
#ifndef SMCLAT_REPORT_H
#define SMCLAT_REPORT_H

#include "results.h"

struct sm_report_opts {
    const char *out; /* output folder */
    const char *title;
    const char *command; /* shown in the HTML */
    int no_plots;        /* data, JSON, CSV and HTML only */
    int quiet;
    json_t *failed; /* [{"name", "reason"}]: scenarios of a suite without results, or NULL */
};

/* The failed scenarios recorded in DIR/suite.json (smclat suite run), appended to arr. */
void sm_report_collect_failed(const char *dir, json_t *arr);

/* Writes the report of runs[0..n) into opts->out. Returns 0, 1 when something could not be
 * written (err says what; warnings go to stderr), never exits. */
int sm_report_write(struct sm_run **runs, int n, const struct sm_report_opts *opts, char *err,
                    size_t errlen);

/* A name safe for file names and gnuplot words: [A-Za-z0-9._-], others become '_'. */
void sm_safe_name(const char *in, char *out, size_t outlen);

/* A CDF data file: value_us, fraction at most, fraction above (1/n for the largest, so a log
 * axis can show it). Every distinct value up to 5000 values, else about 5000 ranks and the last. */
int sm_write_cdf(const char *path, const char *label, const double *sorted, size_t n);

/* Writes the data files one run's plots read (DIR/data/ID.*.dat). Exposed for tests. */
int sm_report_write_run_data(const struct sm_run *r, const char *datadir, const char *id,
                             double *worst_us);

/* Copies an HTML template with each @KEY@ replaced by its value (kv: KEY, value, ..., NULL).
 * Returns 0 or -1 on a write error. */
int sm_fill_template(FILE *out, const char *tmpl, const char *const *kv);

/* Summary JSON of the runs (caller decrefs). */
json_t *sm_report_summary_json(struct sm_run **runs, int n);

#endif
