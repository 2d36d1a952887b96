#include "results.h"
#include "calls_csv.h"
#include "calls_trace_cols.h"
#include "csv.h"
#include "metadata.h"
#include "ticks.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int exists(const char *dir, const char *name)
{
    char *p = join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

int sm_is_results_dir(const char *dir)
{
    return exists(dir, "analysis.json") || exists(dir, "calls-trace.csv") ||
           exists(dir, "calls.csv");
}

void sm_run_free(struct sm_run *r)
{
    if (!r)
        return;
    free(r->dir);
    free(r->name);
    free(r->mode);
    json_decref(r->analysis);
    for (int i = 0; i < S_NSERIES; i++)
        free(r->series[i]);
    free(r);
}

static int parse_field(const char *t, double *v)
{
    if (!*t || !strcmp(t, "null") || !strcmp(t, "nan") || !strcmp(t, "NA")) {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(t, &end);
    /* "inf" and the like are no measurement (gnuplot stumbles on them later) */
    return (end == t || *end || errno || !isfinite(*v)) ? -1 : 0;
}

/* Where the columns of a per-call file are (-1: absent). */
struct cols {
    int series[S_NSERIES];
    int start, end, status, warmup, ticks, join, log_sample;
    int sw[4];
};

#define sw_cols (&sm_ct_names[SM_CT_SW_CLIENT]) /* sw_client, sw_mediator, sw_idle, sw_other */

static void find_cols(struct cols *c, char *const *h, int n, int generator_log)
{
    /* Column names the per-call CSV files use for each series, first match wins. The
     * analyzer's calls-trace.csv (common/calls_trace_cols.h) has e2e_ns and mediator_wake_ns;
     * its window start is in trace ticks and its switches are split in sw_client, sw_mediator,
     * sw_idle, sw_other: the fallbacks below. */
    const char *const trace_cols[S_NSERIES][4] = {
        [S_E2E_NS] = {sm_ct_names[SM_CT_E2E_NS], "latency_ns", NULL},
        [S_START_NS] = {"start_ns", "client_block_ns", "t_ns", NULL},
        [S_SWITCHES] = {"switches", NULL},
        [S_MEDIATOR_WAKE_NS] = {sm_ct_names[SM_CT_MEDIATOR_WAKE_NS], NULL},
    };
    for (int s = 0; s < S_NSERIES; s++) {
        c->series[s] = -1;
        for (int k = 0; trace_cols[s][k] && c->series[s] < 0; k++)
            c->series[s] = sm_csv_column(h, n, trace_cols[s][k]);
    }
    /* the window start in ticks: the first of t_client_block and t_start */
    int tb = sm_csv_column(h, n, sm_ct_names[SM_CT_T_CLIENT_BLOCK]);
    int ts = sm_csv_column(h, n, sm_ct_names[SM_CT_T_START]);
    c->ticks = tb < 0 ? ts : ts < 0 || tb < ts ? tb : ts;
    for (int k = 0; k < 4; k++)
        c->sw[k] = sm_csv_column(h, n, sw_cols[k]);
    c->start = sm_csv_column(h, n, SM_CALLS_COL_START_NS);
    c->end = sm_csv_column(h, n, SM_CALLS_COL_END_NS);
    c->status = sm_csv_column(h, n, SM_CALLS_COL_STATUS);
    c->warmup = sm_csv_column(h, n, SM_CALLS_COL_WARMUP);
    c->join = generator_log ? -1 : sm_csv_column(h, n, sm_ct_names[SM_CT_JOIN]);
    c->log_sample = generator_log ? -1 : sm_csv_column(h, n, sm_ct_names[SM_CT_LOG_SAMPLE]);
}

/* One line of calls-trace.csv: the series, the window start from ticks, the switches summed. */
static int trace_row(const struct cols *c, char **f, char **hnames, double cpu_hz, double *v,
                     const char *path, long lineno, char *err, size_t errlen)
{
    for (int s = 0; s < S_NSERIES; s++) {
        v[s] = NAN;
        if (c->series[s] >= 0 && parse_field(f[c->series[s]], &v[s]) != 0) {
            snprintf(err, errlen, "%s:%ld: %s: expected a number, found '%.40s'", path, lineno,
                     hnames[c->series[s]], f[c->series[s]]);
            return -1;
        }
    }
    if (c->series[S_START_NS] < 0 && c->ticks >= 0 && cpu_hz > 0) {
        double ticks;
        if (parse_field(f[c->ticks], &ticks) != 0) {
            snprintf(err, errlen, "%s:%ld: %s: expected a number, found '%.40s'", path, lineno,
                     hnames[c->ticks], f[c->ticks]);
            return -1;
        }
        v[S_START_NS] = sm_ticks_to_ns(ticks, cpu_hz);
    }
    if (c->series[S_SWITCHES] < 0 && c->sw[0] >= 0 && c->sw[1] >= 0 && c->sw[2] >= 0 &&
        c->sw[3] >= 0) {
        double sum = 0, x;
        for (int k = 0; k < 4; k++) {
            if (parse_field(f[c->sw[k]], &x) != 0) {
                snprintf(err, errlen, "%s:%ld: %s: expected a number, found '%.40s'", path, lineno,
                         sw_cols[k], f[c->sw[k]]);
                return -1;
            }
            sum += x; /* NaN when one is empty */
        }
        v[S_SWITCHES] = sum;
    }
    return 0;
}

/* One line of the generator's calls.csv: e2e = end_ns - start_ns. */
static int generator_row(const struct cols *c, char **f, double *v, const char *path, long lineno,
                         char *err, size_t errlen)
{
    double a, b;
    for (int s = 0; s < S_NSERIES; s++)
        v[s] = NAN;
    if (parse_field(f[c->start], &a) || parse_field(f[c->end], &b)) {
        snprintf(err, errlen,
                 "%s:%ld: start_ns/end_ns: expected numbers, found '%.40s', "
                 "'%.40s'",
                 path, lineno, f[c->start], f[c->end]);
        return -1;
    }
    v[S_E2E_NS] = b - a;
    v[S_START_NS] = a;
    return 0;
}

static int add_call(struct sm_run *r, size_t *cap, const double *v)
{
    if (r->ncalls == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        for (int s = 0; s < S_NSERIES; s++) {
            double *n = realloc(r->series[s], *cap * sizeof *n);
            if (!n)
                return -1;
            r->series[s] = n;
        }
    }
    for (int s = 0; s < S_NSERIES; s++)
        r->series[s][r->ncalls] = v[s];
    r->ncalls++;
    return 0;
}

/* calls-trace.csv: named columns; calls.csv: end_ns - start_ns of the calls that are samples
 * (status ok, not warm-up: sm_calls_is_sample(), as the join counts them). */
static int load_csv(struct sm_run *r, const char *file, int generator_log, char *err, size_t errlen)
{
    char *path = join(r->dir, file);
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path ? path : file, strerror(errno));
        free(path);
        return -1;
    }
    struct sm_csv csv;
    sm_csv_init(&csv, f);
    char *header = NULL, *hcopy = NULL, **hnames = NULL;
    int rc = -1;
    struct cols c;
    double cpu_hz = sm_run_json_num(r, "cpu_hz", NULL, NULL);
    if (sm_csv_next(&csv) != 1) {
        snprintf(err, errlen, "%s:1: expected a header line, found an empty file", path);
        goto out;
    }
    /* the header's names, kept for messages (the line buffer is reused) */
    int nh = 1;
    header = strdup(csv.text);
    hcopy = strdup(csv.text);
    for (const char *p = csv.text; *p; p++)
        nh += *p == ',';
    hnames = header && hcopy ? malloc(sizeof *hnames * (size_t)nh) : NULL;
    if (!hnames) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    for (int i = 0, k = 0; i < nh; i++) {
        hnames[i] = hcopy + k;
        k += (int)strcspn(hcopy + k, ",");
        hcopy[k++] = '\0';
    }
    find_cols(&c, hnames, nh, generator_log);
    r->joined = c.join >= 0;
    if (generator_log ? (c.start < 0 || c.end < 0) : c.series[S_E2E_NS] < 0) {
        snprintf(err, errlen, "%s:1: expected a header with %s, found '%.200s'", path,
                 generator_log ? "start_ns and end_ns" : "e2e_ns", header);
        goto out;
    }
    size_t cap_calls = 0;
    int more;
    while ((more = sm_csv_next(&csv)) == 1) {
        long lineno = (long)csv.line;
        int nf = sm_csv_split(&csv);
        char **fl = csv.field;
        if (nf < nh) {
            snprintf(err, errlen, "%s:%ld: expected %d fields, found %d", path, lineno, nh, nf);
            goto out;
        }
        if (generator_log && !sm_calls_is_sample(c.status >= 0 ? fl[c.status] : NULL,
                                                 c.warmup >= 0 ? fl[c.warmup] : NULL))
            continue;
        /* a matched call the join does not count (failed, warm-up): no sample here either */
        if (c.log_sample >= 0 && !strcmp(fl[c.log_sample], "0"))
            continue;
        if (c.join >= 0 && !strcmp(fl[c.join], SM_CT_JOIN_TRACE_ONLY)) {
            r->not_logged++; /* a call of the trace the generator did not make */
            continue;
        }
        double v[S_NSERIES];
        if (generator_log ? generator_row(&c, fl, v, path, lineno, err, errlen)
                          : trace_row(&c, fl, hnames, cpu_hz, v, path, lineno, err, errlen))
            goto out;
        if (v[S_E2E_NS] < 0) {
            snprintf(err, errlen, "%s:%ld: e2e_ns: expected a duration >= 0, found %.0f", path,
                     lineno, v[S_E2E_NS]);
            goto out;
        }
        if (add_call(r, &cap_calls, v)) {
            snprintf(err, errlen, "%s: out of memory", path);
            goto out;
        }
    }
    if (more < 0) {
        snprintf(err, errlen, "%s:%u: %s", path, csv.line,
                 errno == EILSEQ ? "expected text, found a NUL byte" : strerror(errno));
        goto out;
    }
    r->calls_source = generator_log ? "calls.csv" : "calls-trace.csv";
    rc = 0;
out:
    sm_csv_free(&csv);
    free(hnames);
    free(hcopy);
    free(header);
    fclose(f);
    free(path);
    return rc;
}

/* The scenario's name from scenario.ini's "name = " line, if any. */
static char *scenario_name(const char *dir)
{
    char *p = join(dir, "scenario.ini");
    FILE *f = p ? fopen(p, "r") : NULL;
    free(p);
    if (!f)
        return NULL;
    char *line = NULL, *name = NULL;
    size_t cap = 0;
    while (!name && getline(&line, &cap, f) >= 0) {
        char v[256];
        if (sscanf(line, " name = %255[^\r\n;]", v) == 1) {
            size_t l = strlen(v);
            while (l && v[l - 1] == ' ')
                v[--l] = '\0';
            name = strdup(v);
        }
    }
    free(line);
    fclose(f);
    return name;
}

char *sm_read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t k;
    int bad = !m || ferror(f);
    while (m && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, k, m);
    bad = bad || ferror(f);
    fclose(f);
    if (m && fclose(m) != 0)
        bad = 1;
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

struct sm_run **sm_runs_load(char *const *dirs, int n, int *rc, char *err, size_t errlen)
{
    struct sm_run **runs = calloc(n > 0 ? (size_t)n : 1, sizeof *runs);
    if (!runs) {
        snprintf(err, errlen, "out of memory");
        *rc = 1;
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (!(runs[i] = sm_run_load(dirs[i], err, errlen))) {
            for (int k = 0; k < i; k++)
                sm_run_free(runs[k]);
            free(runs);
            *rc = 2;
            return NULL;
        }
    }
    *rc = 0;
    return runs;
}

/* dir's metadata.json through its one reader (common/metadata.h); 0 when it is there and JSON */
static int run_metadata(const char *dir, struct sm_metadata *m)
{
    char path[4200], msg[512];
    snprintf(path, sizeof path, "%s/metadata.json", dir);
    return sm_metadata_read(path, m, msg, sizeof msg) == 0 || m->loaded ? 0 : -1;
}

/* The Xen a results folder ran on, from its metadata.json: "source 4.17.5" ("debian",
 * "source"; "?" when the build was not recorded), or NULL when there is no metadata. */
char *sm_xen_of(const char *dir, json_t **xen)
{
    struct sm_metadata m;
    *xen = NULL;
    if (run_metadata(dir, &m) != 0)
        return NULL;
    const char *build = m.has_xen_build ? m.xen_build : NULL;
    const char *version = m.has_xen_version ? m.xen_version : NULL;
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s %s", build ? build : "?", version ? version : "?") < 0)
        buf[0] = '\0'; /* cut at 255 bytes, as ever */
    *xen = json_pack("{s:o, s:o}", "build", build ? json_string(build) : json_null(), "version",
                     version ? json_string(version) : json_null());
    return strdup(buf);
}

double sm_run_loaded_host(const struct sm_run *r, int warn)
{
    double share = r->host_other_share;
    if (!r->mode || strcmp(r->mode, "smp") != 0 || share <= SM_HOST_BUSY_SHARE)
        return -1;
    if (warn)
        fprintf(stderr,
                "warning: %s: other work took %.0f%% of the host's CPUs during its smp-mode "
                "boot: its figures are not the guests' own (run.json host, docs/lab.md)\n",
                r->name, 100 * share);
    return share;
}

const char *sm_mediator_kind_of(const char *dir)
{
    struct sm_metadata m;
    if (run_metadata(dir, &m) != 0)
        return NULL;
    return m.mediator_stub ? "stub" : "linux";
}

/* The lab's mode of a run: run.json's "mode", else MODE= in the parameter file; NULL when
 * unknown or not a plain word. *host_share: run.json's host.other_share (the share of the
 * host's CPUs other work took during the lab's boot, docs/lab.md), -1 when not recorded. */
static char *run_mode(const char *dir, double *host_share)
{
    char *p = join(dir, "run.json");
    json_t *j = p ? json_load_file(p, 0, NULL) : NULL;
    free(p);
    const char *m = json_string_value(json_object_get(j, "mode"));
    char *mode = m && *m && strlen(m) < 32 ? strdup(m) : NULL;
    json_t *share = json_object_get(json_object_get(j, "host"), "other_share");
    *host_share = json_is_number(share) ? json_number_value(share) : -1;
    json_decref(j);
    static const char *const files[] = {"params.env", "lab-params.env"};
    for (size_t i = 0; !mode && i < sizeof files / sizeof *files; i++) {
        p = join(dir, files[i]);
        FILE *f = p ? fopen(p, "r") : NULL;
        free(p);
        char line[256], v[32];
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, " MODE = %31[A-Za-z0-9_]", v) == 1 ||
                sscanf(line, " MODE=\"%31[A-Za-z0-9_]\"", v) == 1) {
                free(mode);
                mode = strdup(v);
            }
        if (f)
            fclose(f);
    }
    return mode;
}

struct sm_run *sm_run_load(const char *dir, char *err, size_t errlen)
{
    struct sm_run *r = calloc(1, sizeof *r);
    if (!r || !(r->dir = strdup(dir))) {
        snprintf(err, errlen, "out of memory");
        sm_run_free(r);
        return NULL;
    }
    size_t l = strlen(r->dir);
    while (l > 1 && r->dir[l - 1] == '/')
        r->dir[--l] = '\0';
    r->name = scenario_name(dir);
    r->mode = run_mode(dir, &r->host_other_share);
    if (!r->name) {
        const char *b = strrchr(r->dir, '/');
        r->name = strdup(b ? b + 1 : r->dir);
    }
    if (!sm_is_results_dir(dir)) {
        snprintf(err, errlen,
                 "%s: expected a results folder (analysis.json, calls-trace.csv or "
                 "calls.csv), found none",
                 dir);
        sm_run_free(r);
        return NULL;
    }
    if (exists(dir, "analysis.json")) {
        char *p = join(dir, "analysis.json");
        json_error_t je;
        r->analysis = p ? json_load_file(p, 0, &je) : NULL;
        if (!r->analysis) {
            snprintf(err, errlen, "%s: line %d column %d: %s", p, je.line, je.column, je.text);
            free(p);
            sm_run_free(r);
            return NULL;
        }
        if (!json_is_object(r->analysis) || !json_object_get(r->analysis, "smclat_analyze")) {
            snprintf(err, errlen,
                     "%s: expected the analyzer's object with \"smclat_analyze\", "
                     "found something else",
                     p);
            free(p);
            sm_run_free(r);
            return NULL;
        }
        free(p);
        if (json_is_true(json_object_get(r->analysis, "partial")))
            r->partial = 1;
    }
    int rc = 0;
    if (exists(dir, "calls-trace.csv"))
        rc = load_csv(r, "calls-trace.csv", 0, err, errlen);
    else if (exists(dir, "calls.csv"))
        rc = load_csv(r, "calls.csv", 1, err, errlen);
    else
        r->partial = 1;
    if (rc != 0) {
        sm_run_free(r);
        return NULL;
    }
    return r;
}

double *sm_run_values(const struct sm_run *r, enum sm_series s, size_t *n)
{
    *n = 0;
    if (!r->series[s] || r->ncalls == 0)
        return NULL;
    double *v = malloc(r->ncalls * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < r->ncalls; i++)
        if (!isnan(r->series[s][i]))
            v[(*n)++] = r->series[s][i];
    return v;
}

double sm_run_json_num(const struct sm_run *r, const char *k1, const char *k2, const char *k3)
{
    json_t *j = r->analysis;
    const char *k[3] = {k1, k2, k3};
    for (int i = 0; i < 3 && k[i] && j; i++)
        j = json_object_get(j, k[i]);
    return json_is_number(j) ? json_number_value(j) : NAN;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A suite's output (suite.json) lists its scenarios in suite order: use it, the others after. */
static void suite_order(const char *dir, char **found, size_t n)
{
    char *p = join(dir, "suite.json");
    json_t *j = p ? json_load_file(p, 0, NULL) : NULL;
    free(p);
    json_t *list = json_object_get(j, "scenarios");
    size_t k = 0;
    for (size_t i = 0; i < json_array_size(list) && k < n; i++) {
        const char *name = json_string_value(json_object_get(json_array_get(list, i), "name"));
        for (size_t f = k; name && f < n; f++)
            if (!strcmp(strrchr(found[f], '/') + 1,
                        name)) { /* move it to position k, keeping the rest's order */
                char *t = found[f];
                memmove(found + k + 1, found + k, (f - k) * sizeof *found);
                found[k++] = t;
                break;
            }
    }
    json_decref(j);
}

char **sm_expand_results(char **operands, int n, char *err, size_t errlen)
{
    char **out = NULL;
    size_t nout = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(operands[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: expected a results folder, found %s", operands[i],
                     errno == ENOENT ? "nothing" : "something else");
            goto fail;
        }
        char **found = NULL;
        size_t nfound = 0;
        if (sm_is_results_dir(operands[i])) {
            found = malloc(sizeof *found);
            if (found && (found[0] = strdup(operands[i])))
                nfound = 1;
        } else {
            DIR *d = opendir(operands[i]);
            struct dirent *e;
            while (d && (e = readdir(d))) {
                /* hidden entries, and earlier attempts the suite runner moved aside */
                if (e->d_name[0] == '.' || strstr(e->d_name, ".incomplete-"))
                    continue;
                char *p = join(operands[i], e->d_name);
                struct stat st2;
                if (p && stat(p, &st2) == 0 && S_ISDIR(st2.st_mode) && sm_is_results_dir(p)) {
                    char **nf = realloc(found, (nfound + 1) * sizeof *nf);
                    if (nf) {
                        found = nf;
                        found[nfound++] = p;
                        p = NULL;
                    }
                }
                free(p);
            }
            if (d)
                closedir(d);
            if (nfound > 1) {
                qsort(found, nfound, sizeof *found, cmp_str);
                suite_order(operands[i], found, nfound);
            }
        }
        if (nfound == 0) {
            free(found);
            snprintf(err, errlen,
                     "%s: expected a results folder (analysis.json, calls-trace.csv "
                     "or calls.csv) or a folder of them, found none",
                     operands[i]);
            goto fail;
        }
        char **no = realloc(out, (nout + nfound + 1) * sizeof *no);
        if (!no) {
            for (size_t k = 0; k < nfound; k++)
                free(found[k]);
            free(found);
            goto fail;
        }
        out = no;
        memcpy(out + nout, found, nfound * sizeof *found);
        nout += nfound;
        out[nout] = NULL;
        free(found);
    }
    return out;
fail:
    for (size_t k = 0; k < nout; k++)
        free(out[k]);
    free(out);
    return NULL;
}

#include "stats.h"

const char *const sm_summary_keys[] = {"calls",
                                       "e2e_min_ns",
                                       "e2e_mean_ns",
                                       "e2e_p50_ns",
                                       "e2e_p90_ns",
                                       "e2e_p99_ns",
                                       "e2e_p999_ns",
                                       "e2e_max_ns",
                                       "incomplete",
                                       "mediator_wake_p50_ns",
                                       "mediator_wake_p99_ns",
                                       "mediator_wake_max_ns",
                                       "switches_mean",
                                       "switches_max",
                                       NULL};

double sm_summary_get(const struct sm_summary *s, int i)
{
    const double v[] = {s->n,        s->min,      s->mean,          s->p50,         s->p90,
                        s->p99,      s->p999,     s->max,           s->incomplete,  s->wake_p50,
                        s->wake_p99, s->wake_max, s->switches_mean, s->switches_max};
    return i >= 0 && i < (int)(sizeof v / sizeof *v) ? v[i] : NAN;
}

void sm_run_summarize(const struct sm_run *r, struct sm_summary *s)
{
    s->e2e_source = "none";
    s->n = s->min = s->mean = s->p50 = s->p90 = s->p99 = s->p999 = s->max = NAN;
    s->wake_p50 = s->wake_p99 = s->wake_max = s->switches_mean = s->switches_max = NAN;
    s->incomplete = sm_run_json_num(r, "calls", "incomplete", NULL);
    size_t n;
    double *v = sm_run_values(r, S_E2E_NS, &n);
    double *sv = v ? sm_sorted_copy(v, n) : NULL;
    if (sv) {
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += sv[i];
        s->e2e_source = r->calls_source;
        s->n = (double)n;
        s->min = sv[0];
        s->max = sv[n - 1];
        s->mean = sum / (double)n;
        s->p50 = sm_quantile_sorted(sv, n, 0.5);
        s->p90 = sm_quantile_sorted(sv, n, 0.9);
        s->p99 = sm_quantile_sorted(sv, n, 0.99);
        s->p999 = sm_quantile_sorted(sv, n, 0.999);
    } else if (r->analysis &&
               json_is_object(json_object_get(json_object_get(r->analysis, "calls"), "e2e_ns"))) {
        s->e2e_source = "analysis.json";
        s->n = sm_run_json_num(r, "calls", "e2e_ns", "n");
        s->min = sm_run_json_num(r, "calls", "e2e_ns", "min");
        s->mean = sm_run_json_num(r, "calls", "e2e_ns", "mean");
        s->p50 = sm_run_json_num(r, "calls", "e2e_ns", "p50");
        s->p90 = sm_run_json_num(r, "calls", "e2e_ns", "p90");
        s->p99 = sm_run_json_num(r, "calls", "e2e_ns", "p99");
        s->p999 = sm_run_json_num(r, "calls", "e2e_ns", "p999");
        s->max = sm_run_json_num(r, "calls", "e2e_ns", "max");
    }
    free(v);
    free(sv);
    /* analysis.json's figures count every call of the trace; joined per-call data only the
     * generator's, and then wins */
    const int per_call = r->joined && r->ncalls > 0;
    if (!per_call) {
        s->wake_p50 = sm_run_json_num(r, "calls", "mediator_wake_ns", "p50");
        s->wake_p99 = sm_run_json_num(r, "calls", "mediator_wake_ns", "p99");
        s->wake_max = sm_run_json_num(r, "calls", "mediator_wake_ns", "max");
    }
    if (isnan(s->wake_p50)) {
        v = sm_run_values(r, S_MEDIATOR_WAKE_NS, &n);
        sv = v ? sm_sorted_copy(v, n) : NULL;
        if (sv) {
            s->wake_p50 = sm_quantile_sorted(sv, n, 0.5);
            s->wake_p99 = sm_quantile_sorted(sv, n, 0.99);
            s->wake_max = sv[n - 1];
        }
        free(v);
        free(sv);
    }
    if (!per_call) {
        s->switches_mean = sm_run_json_num(r, "calls", "switches", "mean");
        s->switches_max = sm_run_json_num(r, "calls", "switches", "max");
    }
    if (isnan(s->switches_mean)) {
        v = sm_run_values(r, S_SWITCHES, &n);
        if (v && n) {
            double sum = 0, mx = v[0];
            for (size_t i = 0; i < n; i++) {
                sum += v[i];
                mx = v[i] > mx ? v[i] : mx;
            }
            s->switches_mean = sum / (double)n;
            s->switches_max = mx;
        }
        free(v);
    }
}
