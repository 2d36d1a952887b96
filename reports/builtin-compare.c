/* smclat compare A B...: configurations side by side, each against the first, with
 * Mann-Whitney U (location) and bootstrap intervals (p50, p99); docs/reports.md. */
#include "commands.h"
#include "compare.h"
#include "identical.h"
#include "options.h"
#include "plot.h"
#include "report.h"
#include "results.h"
#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* When the configurations' mediators differ (topology.mediator): which is which. */
static void print_mediator_kinds(struct sm_run **runs, int n)
{
    const char *k0 = sm_mediator_kind_of(runs[0]->dir);
    int differ = 0;
    for (int i = 1; i < n; i++) {
        const char *k = sm_mediator_kind_of(runs[i]->dir);
        differ |= k0 && k && strcmp(k0, k) != 0;
    }
    if (!differ)
        return;
    printf("mediator:");
    for (int i = 0; i < n; i++) {
        const char *k = sm_mediator_kind_of(runs[i]->dir);
        printf("%s %s %s", i ? "," : "", runs[i]->name, k ? k : "?");
    }
    printf(" (linux: smclat-mediator in a Linux DomU; stub: smclat-stub, docs/stub.md)\n\n");
}

/* the per-call agreement of two deterministic runs */
static json_t *identical_json(const struct sm_identical *s)
{
    return json_pack("{s:f,s:f,s:f,s:I,s:I,s:b}", "e2e", s->same_e2e, "mediator_wake", s->same_wake,
                     "switches", s->same_switches, "calls_baseline", (json_int_t)s->na, "calls",
                     (json_int_t)s->nb, "p50_p99_max_equal", s->quantiles_same);
}

static json_t *jnum(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static double pct(double diff, double base)
{
    return base > 0 ? 100 * diff / base : NAN;
}

struct compare_opts {
    const char *out, *metric;
    double alpha, min_effect_pct;
    long iters;
    int json;
    enum sm_series series;
};

/* Returns the first operand's index, or -(exit code + 1) (0 after --help). */
static int parse_options(int argc, char **argv, struct compare_opts *c)
{
    *c = (struct compare_opts){.metric = "e2e", .alpha = 0.05, .min_effect_pct = 1, .iters = 2000};
    const struct sm_opt opts[] = {
        {"metric", 'm', SM_OPT_STRING, &c->metric, "NAME",
         "per-call series: e2e (default) or mediator_wake"},
        {"alpha", 0, SM_OPT_DOUBLE, &c->alpha, "P", "family-wise significance level (0.05)"},
        {"min-effect", 0, SM_OPT_DOUBLE, &c->min_effect_pct, "PCT",
         "smallest change called a difference, in % (1)"},
        {"iters", 0, SM_OPT_INT, &c->iters, "N", "bootstrap resamples (2000)"},
        {"json", 0, SM_OPT_FLAG, &c->json, NULL, "JSON on stdout instead of the table"},
        {"out", 'o', SM_OPT_STRING, &c->out, "DIR",
         "also write compare.json, compare.csv, cdf.png/svg"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts(
        "compare", "[OPTIONS] BASELINE OTHER...",
        "Compares each configuration (results folder) with the first: p50 and p99 with bootstrap\n"
        "confidence intervals, Mann-Whitney U on the whole distribution (Holm-corrected over the\n"
        "comparisons). A difference is called only when it is significant and at least\n"
        "--min-effect; otherwise \"no significant difference\".",
        opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return -1;
    if (first < 0)
        return -3;
    if (!strcmp(c->metric, "e2e"))
        c->series = S_E2E_NS;
    else if (!strcmp(c->metric, "mediator_wake"))
        c->series = S_MEDIATOR_WAKE_NS;
    else {
        fprintf(stderr, "smclat compare: --metric: expected e2e or mediator_wake, found '%s'\n",
                c->metric);
        return -3;
    }
    if (!(c->alpha > 0 && c->alpha < 1) || c->min_effect_pct < 0 || c->iters < 100 ||
        c->iters > 1000000) {
        fprintf(stderr, "smclat compare: expected 0 < --alpha < 1, --min-effect >= 0, "
                        "100 <= --iters <= 1000000\n");
        return -3;
    }
    return first;
}

/* Everything one comparison holds. */
struct comparison {
    int n;
    char **dirs;
    struct sm_run **runs;
    double **val;
    size_t *nv;
    struct sm_cmp *cmp;
    double *p;
    struct sm_cmp_opts o;
    char **xen;
    json_t **xenj;
    int mixed;
    int loaded;                /* an smp-mode run shared its host with other work (run.json host) */
    struct sm_identical *same; /* [i]: run i against the baseline (deterministic runs) */
};

/* The results folders named (two or more). 0, or 2 after printing the error. */
static int expand_dirs(struct comparison *k, char **operands, int count)
{
    char err[1024];
    k->dirs = count > 0 ? sm_expand_results(operands, count, err, sizeof err) : NULL;
    if (count <= 0)
        snprintf(err, sizeof err, "compare: expected two results folders or more (see --help)");
    k->n = 0;
    while (k->dirs && k->dirs[k->n])
        k->n++;
    if (k->dirs && k->n < 2)
        snprintf(err, sizeof err, "compare: expected two results folders or more, found %d", k->n);
    if (!k->dirs || k->n < 2) {
        fprintf(stderr, "smclat: %s\n", err);
        return 2;
    }
    return 0;
}

/* Each run and its per-call values of the metric. 0, or the exit code after the error. */
static int load_values(struct comparison *k, const struct compare_opts *c)
{
    char err[1024];
    int n = k->n, rc;
    k->runs = sm_runs_load(k->dirs, n, &rc, err, sizeof err);
    if (!k->runs)
        fprintf(stderr, "smclat: %s\n", err);
    k->val = calloc((size_t)n, sizeof *k->val);
    k->nv = calloc((size_t)n, sizeof *k->nv);
    k->cmp = calloc((size_t)n, sizeof *k->cmp);
    k->p = calloc((size_t)n, sizeof *k->p);
    k->same = calloc((size_t)n, sizeof *k->same);
    if (!k->runs || !k->val || !k->nv || !k->cmp || !k->p || !k->same)
        return rc ? rc : 1;
    for (int i = 0; i < n; i++) {
        k->val[i] = sm_run_values(k->runs[i], c->series, &k->nv[i]);
        if (k->nv[i] == 0) {
            fprintf(stderr, "smclat: %s: no per-call %s values (calls-trace.csv or calls.csv)\n",
                    k->dirs[i], c->metric);
            return 2;
        }
        if (k->runs[i]->partial)
            fprintf(stderr, "warning: %s: partial results\n", k->dirs[i]);
    }
    return rc;
}

/* The statistics: each against the first (Holm over the comparisons), the baseline's own. */
static void compute(struct comparison *k, const struct compare_opts *c)
{
    int n = k->n;
    sm_cmp_default_opts(&k->o);
    k->o.alpha = c->alpha;
    k->o.min_effect = c->min_effect_pct / 100;
    k->o.iters = (int)c->iters;
    k->o.m = n - 1;
    for (int i = 1; i < n; i++) {
        sm_cmp_samples(k->val[0], k->nv[0], k->val[i], k->nv[i], &k->o, &k->cmp[i]);
        k->p[i - 1] = k->cmp[i].mwu.p;
    }
    sm_holm_adjust(k->p, (size_t)(n - 1));
    for (int i = 1; i < n; i++) {
        k->cmp[i].p_adj = k->p[i - 1];
        sm_cmp_decide(&k->cmp[i], &k->o);
    }
    /* two deterministic runs that agree call for call: identical, no test to run */
    for (int i = 1; i < n; i++)
        sm_runs_identical(k->runs[0], k->runs[i], SM_IDENTICAL_MIN_SAME, &k->same[i]);
    /* the baseline's own figures */
    sm_cmp_samples(k->val[0], k->nv[0], k->val[0], k->nv[0], &k->o, &k->cmp[0]);
}

/* Which Xen each ran on: a comparison across builds is said, never silent. */
static void xen_builds(struct comparison *k)
{
    k->xen = calloc((size_t)k->n, sizeof *k->xen);
    k->xenj = calloc((size_t)k->n, sizeof *k->xenj);
    for (int i = 0; k->xen && k->xenj && i < k->n; i++) {
        k->xen[i] = sm_xen_of(k->runs[i]->dir, &k->xenj[i]);
        if (i > 0 && k->xen[0] && k->xen[i] && strcmp(k->xen[0], k->xen[i]) != 0) {
            k->mixed = 1;
            fprintf(stderr,
                    "warning: %s ran on Xen %s, the baseline %s on Xen %s: the comparison "
                    "mixes Xen builds\n",
                    k->runs[i]->name, k->xen[i], k->runs[0]->name, k->xen[0]);
        }
    }
}

/* Which smp-mode runs shared the host with other work: their emulated pCPUs stalled, and a
 * difference may be the host's, not the configuration's; said, never silent. */
static void loaded_hosts(struct comparison *k)
{
    for (int i = 0; i < k->n; i++)
        if (sm_run_loaded_host(k->runs[i], 1) >= 0)
            k->loaded = 1;
}

static json_t *config_json(const struct comparison *k, int i)
{
    const struct sm_cmp *m = &k->cmp[i];
    json_t *c = json_object();
    json_object_set_new(c, "name", json_string(k->runs[i]->name));
    json_object_set_new(c, "dir", json_string(k->runs[i]->dir));
    json_object_set_new(c, "partial", json_boolean(k->runs[i]->partial));
    json_object_set_new(c, "xen", k->xenj && k->xenj[i] ? json_incref(k->xenj[i]) : json_null());
    const char *kind = sm_mediator_kind_of(k->runs[i]->dir);
    json_object_set_new(c, "mediator_kind", kind ? json_string(kind) : json_null());
    double share = k->runs[i]->host_other_share;
    json_object_set_new(c, "host_other_share", share >= 0 ? json_real(share) : json_null());
    json_object_set_new(c, "n", json_integer((json_int_t)k->nv[i]));
    json_object_set_new(c, "p50_ns", jnum(m->p50_a));
    json_object_set_new(c, "p99_ns", jnum(m->p99_a));
    if (i == 0)
        return c;
    json_object_set_new(c, "p50_ns", jnum(m->p50_b));
    json_object_set_new(c, "p99_ns", jnum(m->p99_b));
    const struct sm_identical *same = &k->same[i];
    if (same->deterministic)
        json_object_set_new(c, "same_calls", identical_json(same));
    json_object_set_new(c, "identical", json_boolean(same->identical));
    if (same->identical) {
        json_object_set_new(c, "median", json_string("identical"));
        json_object_set_new(c, "p99", json_string("identical"));
        return c;
    }
    json_object_set_new(c, "p50_diff_ns",
                        json_pack("{s:o,s:o,s:o}", "estimate", jnum(m->d50.diff), "lo",
                                  jnum(m->d50.lo), "hi", jnum(m->d50.hi)));
    json_object_set_new(c, "p99_diff_ns",
                        json_pack("{s:o,s:o,s:o}", "estimate", jnum(m->d99.diff), "lo",
                                  jnum(m->d99.lo), "hi", jnum(m->d99.hi)));
    json_object_set_new(c, "mann_whitney",
                        json_pack("{s:o,s:o,s:o,s:o,s:b}", "u", jnum(m->mwu.u), "p", jnum(m->mwu.p),
                                  "p_holm", jnum(m->p_adj), "auc", jnum(m->mwu.auc), "exact",
                                  m->mwu.exact));
    json_object_set_new(c, "median", json_string(sm_verdict_name(m->median_verdict)));
    json_object_set_new(
        c, "p99",
        json_string(m->tail_testable ? sm_verdict_name(m->tail_verdict) : "too few calls"));
    return c;
}

static json_t *compare_json(const struct comparison *k, const struct compare_opts *c)
{
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "smclat_compare", json_integer(1));
    json_object_set_new(root, "metric", json_string(c->metric));
    json_object_set_new(root, "alpha", json_real(c->alpha));
    json_object_set_new(root, "min_effect", json_real(k->o.min_effect));
    json_object_set_new(root, "bootstrap_iters", json_integer(c->iters));
    json_object_set_new(root, "baseline", json_string(k->runs[0]->name));
    json_object_set_new(root, "mixed_xen_builds", json_boolean(k->mixed));
    json_object_set_new(root, "loaded_host", json_boolean(k->loaded));
    json_object_set_new(root, "configurations", arr);
    for (int i = 0; i < k->n; i++)
        json_array_append_new(arr, config_json(k, i));
    return root;
}

static void print_table(const struct comparison *k, const struct compare_opts *o)
{
    printf("%s per call, against %s (\"=\": no significant difference at alpha %g, Holm; "
           "smallest effect called %g%%)\n\n",
           o->metric, k->runs[0]->name, o->alpha, o->min_effect_pct);
    if (k->mixed)
        printf("warning: these configurations ran on different Xen builds (see each "
               "metadata.json's xen.build and xen.version)\n\n");
    if (k->loaded)
        printf("warning: some smp-mode runs shared their host with other work (see stderr): "
               "their differences may be the host's\n\n");
    print_mediator_kinds(k->runs, k->n);
    printf("| configuration | calls | p50 us | p99 us | p50 change (CI) | p99 change (CI) | "
           "MWU p (Holm) | median | p99 |\n|---|---|---|---|---|---|---|---|---|\n");
    printf("| %s | %zu | %.1f | %.1f | baseline | | | | |\n", k->runs[0]->name, k->nv[0],
           k->cmp[0].p50_a / 1e3, k->cmp[0].p99_a / 1e3);
    for (int i = 1; i < k->n; i++) {
        const struct sm_cmp *c = &k->cmp[i];
        if (k->same[i].identical) {
            printf("| %s | %zu | %.1f | %.1f | identical | identical | | identical | identical |\n",
                   k->runs[i]->name, k->nv[i], c->p50_b / 1e3, c->p99_b / 1e3);
            continue;
        }
        printf("| %s | %zu | %.1f | %.1f | %+.1f%% (%+.1f..%+.1f) | %+.1f%% (%+.1f..%+.1f) | "
               "%.2g | %s | %s |\n",
               k->runs[i]->name, k->nv[i], c->p50_b / 1e3, c->p99_b / 1e3,
               pct(c->d50.diff, c->p50_a), pct(c->d50.lo, c->p50_a), pct(c->d50.hi, c->p50_a),
               pct(c->d99.diff, c->p99_a), pct(c->d99.lo, c->p99_a), pct(c->d99.hi, c->p99_a),
               c->p_adj, c->median_verdict ? sm_verdict_name(c->median_verdict) : "=",
               !c->tail_testable ? "too few calls"
               : c->tail_verdict ? sm_verdict_name(c->tail_verdict)
                                 : "=");
    }
    for (int i = 1; i < k->n; i++) {
        const struct sm_identical *s = &k->same[i];
        if (s->deterministic)
            printf("\n%s: %s to %s (deterministic runs; same per call: e2e %.1f%%, mediator "
                   "wake %.1f%%, switches %.1f%%; calls %zu / %zu; p50/p99/max %s)",
                   k->runs[i]->name, s->identical ? "identical" : "not identical", k->runs[0]->name,
                   100 * s->same_e2e, 100 * s->same_wake, 100 * s->same_switches, s->na, s->nb,
                   s->quantiles_same ? "equal" : "differ");
    }
    if (k->n > 1 && k->same[1].deterministic)
        putchar('\n');
}

/* OUT/compare.csv. 0 or 1. */
static int write_csv(const struct comparison *k, const char *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/compare.csv", out);
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f, "name,n,p50_ns,p99_ns,p50_diff_ns,p50_lo_ns,p50_hi_ns,p99_diff_ns,"
               "p99_lo_ns,p99_hi_ns,mwu_p,mwu_p_holm,median,p99\n");
    for (int i = 0; i < k->n; i++) {
        const struct sm_cmp *c = &k->cmp[i];
        if (i == 0)
            fprintf(f, "%s,%zu,%.0f,%.0f,,,,,,,,,baseline,baseline\n", k->runs[0]->name, k->nv[0],
                    c->p50_a, c->p99_a);
        else if (k->same[i].identical)
            fprintf(f, "%s,%zu,%.0f,%.0f,0,0,0,0,0,0,,,identical,identical\n", k->runs[i]->name,
                    k->nv[i], c->p50_b, c->p99_b);
        else
            fprintf(f, "%s,%zu,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3g,%.3g,%s,%s\n",
                    k->runs[i]->name, k->nv[i], c->p50_b, c->p99_b, c->d50.diff, c->d50.lo,
                    c->d50.hi, c->d99.diff, c->d99.lo, c->d99.hi, c->mwu.p, c->p_adj,
                    sm_verdict_name(c->median_verdict), sm_verdict_name(c->tail_verdict));
    }
    return fclose(f) != 0 ? 1 : 0;
}

/* The CDF side by side, drawn by the report's data writer and cdf.gp. 0 or 1. */
static int write_cdf(const struct comparison *k, const char *out, const char *metric)
{
    int rc = 0;
    char datadir[4200], files[16384] = "", titles[8192] = "";
    snprintf(datadir, sizeof datadir, "%s/data", out);
    mkdir(datadir, 0777);
    for (int i = 0; i < k->n; i++) {
        char id[128], cdf[4400];
        sm_safe_name(k->runs[i]->name, id, sizeof id);
        snprintf(id + strlen(id), sizeof id - strlen(id), "-%d", i + 1);
        snprintf(cdf, sizeof cdf, "%s/%s.cdf.dat", datadir, id);
        double *sv = sm_sorted_copy(k->val[i], k->nv[i]);
        if (sv && sm_write_cdf(cdf, k->runs[i]->name, sv, k->nv[i]) == 0) {
            snprintf(files + strlen(files), sizeof files - strlen(files), "%s%s", i ? " " : "",
                     cdf);
            snprintf(titles + strlen(titles), sizeof titles - strlen(titles), "%s%s", i ? " " : "",
                     id);
        } else {
            rc = 1;
        }
        free(sv);
    }
    if (*files && sm_have_gnuplot()) {
        char params[32768], base[4200], what[64], err[1024];
        snprintf(what, sizeof what, "%s latency", metric);
        sm_cdf_params(params, sizeof params, files, titles, what);
        snprintf(base, sizeof base, "%s/cdf", out);
        if (sm_gnuplot("cdf.gp", params, base, err, sizeof err) != 0) {
            fprintf(stderr, "warning: %s\n", err);
            rc = 1;
        }
    } else if (*files) {
        fprintf(stderr, "warning: gnuplot not found: no plot\n");
    }
    return rc;
}

/* -o OUT: compare.json, compare.csv, the CDF plot. 0 or 1. */
static int write_out(const struct comparison *k, const struct compare_opts *c, json_t *root)
{
    if (mkdir(c->out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "smclat: %s: %s\n", c->out, strerror(errno));
        return 1;
    }
    int rc = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/compare.json", c->out);
    if (json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) != 0)
        rc = 1;
    if (write_csv(k, c->out) != 0)
        rc = 1;
    if (write_cdf(k, c->out, c->metric) != 0)
        rc = 1;
    if (rc != 0)
        fprintf(stderr, "smclat: %s: could not write everything\n", c->out);
    return rc;
}

static void free_comparison(struct comparison *k)
{
    for (int i = 0; i < k->n; i++) {
        if (k->xen)
            free(k->xen[i]);
        if (k->xenj)
            json_decref(k->xenj[i]);
        if (k->runs)
            sm_run_free(k->runs[i]);
        if (k->val)
            free(k->val[i]);
        if (k->dirs)
            free(k->dirs[i]);
    }
    free(k->xen);
    free(k->xenj);
    free(k->runs);
    free(k->val);
    free(k->nv);
    free(k->cmp);
    free(k->p);
    free(k->same);
    free(k->dirs);
}

int cmd_compare(int argc, char **argv)
{
    struct compare_opts c;
    int first = parse_options(argc, argv, &c);
    if (first < 0)
        return -first - 1;
    struct comparison k = {0};
    int rc = expand_dirs(&k, argv + first, argc - first);
    if (rc == 0)
        rc = load_values(&k, &c);
    if (rc == 0) {
        compute(&k, &c);
        xen_builds(&k);
        loaded_hosts(&k);
        json_t *root = compare_json(&k, &c);
        if (c.json) {
            json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
            putchar('\n');
        } else {
            print_table(&k, &c);
        }
        if (c.out && write_out(&k, &c, root) != 0)
            rc = 1;
        json_decref(root);
    }
    free_comparison(&k);
    return rc;
}
