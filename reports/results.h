/* One results folder as the reports see it (docs/results-folder.md): the analyzer's
 * analysis.json and the per-call samples from calls-trace.csv (or the generator's calls.csv).
 * sm_run_load() creates, sm_run_free() frees. */
#ifndef SMCLAT_RESULTS_H
#define SMCLAT_RESULTS_H

#include <jansson.h>
#include <stddef.h>

/* Per-call series; NaN where a call lacks the value. */
enum sm_series {
    S_E2E_NS,           /* end-to-end latency of the call */
    S_START_NS,         /* when the call started (timeline x) */
    S_SWITCHES,         /* context switches during the call */
    S_MEDIATOR_WAKE_NS, /* the mediator's wake latency in this call */
    S_NSERIES
};

struct sm_run {
    char *dir;
    char *name;               /* the scenario name (scenario.ini), else the folder's name */
    json_t *analysis;         /* analysis.json, NULL when missing */
    const char *calls_source; /* "calls-trace.csv", "calls.csv" or NULL (no per-call data) */
    double *series[S_NSERIES];
    size_t ncalls;
    int partial; /* analysis.json says partial, or per-call data missing */
    /* calls-trace.csv joined with the generator's log (a `join` column): only the calls the
     * generator made are kept; not_logged counts the others (timer coincidences, docs/calls.md) */
    int joined;
    size_t not_logged;
    /* how the run was made: run.json's "mode" (the lab: "deterministic" or "smp"), else MODE= in
     * params.env / lab-params.env; NULL when unknown (a board, a trace by hand) */
    char *mode;
    /* run.json's host.other_share: the share of the host's CPUs other work took during the
     * lab's boot (docs/lab.md); -1 when not recorded */
    double host_other_share;
};

#define SM_RUN_ERR_MAX 768

/* Reads DIR. Needs analysis.json or one of the CSV files; returns NULL with err
 * ("FILE:LINE: ..." / "FILE: line L column C: ...") on bad input. */
struct sm_run *sm_run_load(const char *dir, char *err, size_t errlen);
void sm_run_free(struct sm_run *r);
/* The whole content of a text file, NUL-terminated (caller frees), or NULL. */
char *sm_read_text(const char *path);
/* Loads n folders (report, compare and regress take several). Returns an array of n runs
 * (caller frees each with sm_run_free() and the array), or NULL with *rc = 2 and err naming
 * the first folder that does not load, or *rc = 1 when out of memory. */
struct sm_run **sm_runs_load(char *const *dirs, int n, int *rc, char *err, size_t errlen);

/* The Xen a results folder ran on, from its metadata.json: "source 4.17.5..." (build and
 * version; "?" for what was not recorded) and, in *xen, {"build", "version"} (new reference);
 * NULL (and *xen NULL) when there is no metadata.json. Caller frees the string. */
char *sm_xen_of(const char *dir, json_t **xen);
/* Above this share an smp-mode run's figures are not the guests' own (the lab warns too). */
#define SM_HOST_BUSY_SHARE 0.2
/* The share when r is an smp-mode run whose boot shared the host with more other work than
 * that, else -1; with warn, says so on stderr (naming r). */
double sm_run_loaded_host(const struct sm_run *r, int warn);
/* The mediator kind of a results folder (metadata.json's mediator_kind: "linux" or "stub";
 * "linux" for metadata written before the key existed), NULL when there is no metadata.json. */
const char *sm_mediator_kind_of(const char *dir);

/* The non-NaN values of one series (caller frees); *n gets their count. */
double *sm_run_values(const struct sm_run *r, enum sm_series s, size_t *n);

/* A number at a path of keys in analysis.json ("calls", "e2e_ns", "p99"); NaN if absent/null. */
double sm_run_json_num(const struct sm_run *r, const char *k1, const char *k2, const char *k3);

/* Is DIR a results folder (has analysis.json, calls-trace.csv or calls.csv)? */
int sm_is_results_dir(const char *dir);

/* Expands operands: a results folder stays; a folder holding results folders (a suite's
 * output) gives them in name order. Returns a NULL-terminated list (caller frees each and
 * the list) or NULL with err. */
char **sm_expand_results(char **operands, int n, char *err, size_t errlen);

/* Figures of one run, for summaries, compare and regress (ns; NaN when unknown). */
struct sm_summary {
    const char *e2e_source; /* "calls-trace.csv", "calls.csv", "analysis.json" or "none" */
    double n, min, mean, p50, p90, p99, p999, max;
    double wake_p50, wake_p99, wake_max; /* mediator wake (analysis.json, else per call) */
    double switches_mean, switches_max;
    double incomplete; /* calls the analyzer could not complete */
};
void sm_run_summarize(const struct sm_run *r, struct sm_summary *s);

/* Figure names in the order summaries list them, and a figure by name. */
extern const char *const sm_summary_keys[];
double sm_summary_get(const struct sm_summary *s, int i);

#endif
