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

static json_t *jnum(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static double pct(double diff, double base)
{
    return base > 0 ? 100 * diff / base : NAN;
}

/* the per-call agreement of two deterministic runs */
static json_t *identical_json(const struct sm_identical *s)
{
    return json_pack("{s:f,s:f,s:f,s:I,s:I,s:b}", "e2e", s->same_e2e, "mediator_wake", s->same_wake,
                     "switches", s->same_switches, "calls_baseline", (json_int_t)s->na, "calls",
                     (json_int_t)s->nb, "p50_p99_max_equal", s->quantiles_same);
}

int cmd_compare(int argc, char **argv)
{
    const char *out = NULL, *metric = "e2e";
    double alpha = 0.05, min_effect_pct = 1;
    long iters = 2000;
    int json = 0;
    const struct sm_opt opts[] = {
        {"metric", 'm', SM_OPT_STRING, &metric, "NAME",
         "per-call series: e2e (default) or mediator_wake"},
        {"alpha", 0, SM_OPT_DOUBLE, &alpha, "P", "family-wise significance level (0.05)"},
        {"min-effect", 0, SM_OPT_DOUBLE, &min_effect_pct, "PCT",
         "smallest change called a difference, in % (1)"},
        {"iters", 0, SM_OPT_INT, &iters, "N", "bootstrap resamples (2000)"},
        {"json", 0, SM_OPT_FLAG, &json, NULL, "JSON on stdout instead of the table"},
        {"out", 'o', SM_OPT_STRING, &out, "DIR",
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
        return 0;
    if (first < 0)
        return 2;
    enum sm_series series;
    if (!strcmp(metric, "e2e"))
        series = S_E2E_NS;
    else if (!strcmp(metric, "mediator_wake"))
        series = S_MEDIATOR_WAKE_NS;
    else {
        fprintf(stderr, "smclat compare: --metric: expected e2e or mediator_wake, found '%s'\n",
                metric);
        return 2;
    }
    if (!(alpha > 0 && alpha < 1) || min_effect_pct < 0 || iters < 100 || iters > 1000000) {
        fprintf(stderr, "smclat compare: expected 0 < --alpha < 1, --min-effect >= 0, "
                        "100 <= --iters <= 1000000\n");
        return 2;
    }
    char err[1024];
    char **dirs =
        first < argc ? sm_expand_results(argv + first, argc - first, err, sizeof err) : NULL;
    if (first >= argc)
        snprintf(err, sizeof err, "compare: expected two results folders or more (see --help)");
    int n = 0;
    while (dirs && dirs[n])
        n++;
    if (dirs && n < 2)
        snprintf(err, sizeof err, "compare: expected two results folders or more, found %d", n);
    if (!dirs || n < 2) {
        fprintf(stderr, "smclat: %s\n", err);
        for (int i = 0; i < n; i++)
            free(dirs[i]);
        free(dirs);
        return 2;
    }
    int rc;
    struct sm_run **runs = sm_runs_load(dirs, n, &rc, err, sizeof err);
    if (!runs)
        fprintf(stderr, "smclat: %s\n", err);
    double **val = calloc((size_t)n, sizeof *val);
    size_t *nv = calloc((size_t)n, sizeof *nv);
    struct sm_cmp *cmp = calloc((size_t)n, sizeof *cmp);
    double *p = calloc((size_t)n, sizeof *p);
    if (!runs || !val || !nv || !cmp || !p) {
        rc = rc ? rc : 1;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        val[i] = sm_run_values(runs[i], series, &nv[i]);
        if (nv[i] == 0) {
            fprintf(stderr, "smclat: %s: no per-call %s values (calls-trace.csv or calls.csv)\n",
                    dirs[i], metric);
            rc = 2;
            goto done;
        }
        if (runs[i]->partial)
            fprintf(stderr, "warning: %s: partial results\n", dirs[i]);
    }
    struct sm_cmp_opts o;
    sm_cmp_default_opts(&o);
    o.alpha = alpha;
    o.min_effect = min_effect_pct / 100;
    o.iters = (int)iters;
    o.m = n - 1;
    for (int i = 1; i < n; i++) {
        sm_cmp_samples(val[0], nv[0], val[i], nv[i], &o, &cmp[i]);
        p[i - 1] = cmp[i].mwu.p;
    }
    sm_holm_adjust(p, (size_t)(n - 1));
    for (int i = 1; i < n; i++) {
        cmp[i].p_adj = p[i - 1];
        sm_cmp_decide(&cmp[i], &o);
    }
    /* two deterministic runs that agree call for call: identical, no test to run */
    struct sm_identical *same = calloc((size_t)n, sizeof *same);
    if (!same) {
        rc = 1;
        goto done;
    }
    for (int i = 1; i < n; i++)
        sm_runs_identical(runs[0], runs[i], SM_IDENTICAL_MIN_SAME, &same[i]);
    /* the baseline's own figures */
    sm_cmp_samples(val[0], nv[0], val[0], nv[0], &o, &cmp[0]);
    /* which Xen each ran on: a comparison across builds is said, never silent */
    char **xen = calloc((size_t)n, sizeof *xen);
    json_t **xenj = calloc((size_t)n, sizeof *xenj);
    int mixed = 0;
    for (int i = 0; xen && xenj && i < n; i++) {
        xen[i] = sm_xen_of(runs[i]->dir, &xenj[i]);
        if (i > 0 && xen[0] && xen[i] && strcmp(xen[0], xen[i]) != 0) {
            mixed = 1;
            fprintf(stderr,
                    "warning: %s ran on Xen %s, the baseline %s on Xen %s: the comparison "
                    "mixes Xen builds\n",
                    runs[i]->name, xen[i], runs[0]->name, xen[0]);
        }
    }
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "smclat_compare", json_integer(1));
    json_object_set_new(root, "metric", json_string(metric));
    json_object_set_new(root, "alpha", json_real(alpha));
    json_object_set_new(root, "min_effect", json_real(o.min_effect));
    json_object_set_new(root, "bootstrap_iters", json_integer(iters));
    json_object_set_new(root, "baseline", json_string(runs[0]->name));
    json_object_set_new(root, "mixed_xen_builds", json_boolean(mixed));
    json_object_set_new(root, "configurations", arr);
    for (int i = 0; i < n; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(runs[i]->name));
        json_object_set_new(c, "dir", json_string(runs[i]->dir));
        json_object_set_new(c, "partial", json_boolean(runs[i]->partial));
        json_object_set_new(c, "xen", xenj && xenj[i] ? json_incref(xenj[i]) : json_null());
        const char *kind = sm_mediator_kind_of(runs[i]->dir);
        json_object_set_new(c, "mediator_kind", kind ? json_string(kind) : json_null());
        json_object_set_new(c, "n", json_integer((json_int_t)nv[i]));
        json_object_set_new(c, "p50_ns", jnum(cmp[i].p50_a));
        json_object_set_new(c, "p99_ns", jnum(cmp[i].p99_a));
        if (i > 0) {
            json_object_set_new(c, "p50_ns", jnum(cmp[i].p50_b));
            json_object_set_new(c, "p99_ns", jnum(cmp[i].p99_b));
            if (same[i].deterministic)
                json_object_set_new(c, "same_calls", identical_json(&same[i]));
            if (same[i].identical) {
                json_object_set_new(c, "identical", json_true());
                json_object_set_new(c, "median", json_string("identical"));
                json_object_set_new(c, "p99", json_string("identical"));
                json_array_append_new(arr, c);
                continue;
            }
            json_object_set_new(c, "identical", json_false());
            json_object_set_new(c, "p50_diff_ns",
                                json_pack("{s:o,s:o,s:o}", "estimate", jnum(cmp[i].d50.diff), "lo",
                                          jnum(cmp[i].d50.lo), "hi", jnum(cmp[i].d50.hi)));
            json_object_set_new(c, "p99_diff_ns",
                                json_pack("{s:o,s:o,s:o}", "estimate", jnum(cmp[i].d99.diff), "lo",
                                          jnum(cmp[i].d99.lo), "hi", jnum(cmp[i].d99.hi)));
            json_object_set_new(c, "mann_whitney",
                                json_pack("{s:o,s:o,s:o,s:o,s:b}", "u", jnum(cmp[i].mwu.u), "p",
                                          jnum(cmp[i].mwu.p), "p_holm", jnum(cmp[i].p_adj), "auc",
                                          jnum(cmp[i].mwu.auc), "exact", cmp[i].mwu.exact));
            json_object_set_new(c, "median", json_string(sm_verdict_name(cmp[i].median_verdict)));
            json_object_set_new(c, "p99",
                                json_string(cmp[i].tail_testable
                                                ? sm_verdict_name(cmp[i].tail_verdict)
                                                : "too few calls"));
        }
        json_array_append_new(arr, c);
    }
    if (json) {
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
        putchar('\n');
    } else {
        printf("%s per call, against %s (\"=\": no significant difference at alpha %g, Holm; "
               "smallest effect called %g%%)\n\n",
               metric, runs[0]->name, alpha, min_effect_pct);
        if (mixed)
            printf("warning: these configurations ran on different Xen builds (see each "
                   "metadata.json's xen.build and xen.version)\n\n");
        print_mediator_kinds(runs, n);
        printf("| configuration | calls | p50 us | p99 us | p50 change (CI) | p99 change (CI) | "
               "MWU p (Holm) | median | p99 |\n|---|---|---|---|---|---|---|---|---|\n");
        printf("| %s | %zu | %.1f | %.1f | baseline | | | | |\n", runs[0]->name, nv[0],
               cmp[0].p50_a / 1e3, cmp[0].p99_a / 1e3);
        for (int i = 1; i < n; i++) {
            const struct sm_cmp *c = &cmp[i];
            if (same[i].identical) {
                printf("| %s | %zu | %.1f | %.1f | identical | identical | | identical | "
                       "identical |\n",
                       runs[i]->name, nv[i], c->p50_b / 1e3, c->p99_b / 1e3);
                continue;
            }
            printf("| %s | %zu | %.1f | %.1f | %+.1f%% (%+.1f..%+.1f) | %+.1f%% (%+.1f..%+.1f) | "
                   "%.2g | %s | %s |\n",
                   runs[i]->name, nv[i], c->p50_b / 1e3, c->p99_b / 1e3, pct(c->d50.diff, c->p50_a),
                   pct(c->d50.lo, c->p50_a), pct(c->d50.hi, c->p50_a), pct(c->d99.diff, c->p99_a),
                   pct(c->d99.lo, c->p99_a), pct(c->d99.hi, c->p99_a), c->p_adj,
                   c->median_verdict ? sm_verdict_name(c->median_verdict) : "=",
                   !c->tail_testable ? "too few calls"
                   : c->tail_verdict ? sm_verdict_name(c->tail_verdict)
                                     : "=");
        }
    }
    for (int i = 1; !json && i < n; i++)
        if (same[i].deterministic)
            printf("\n%s: %s to %s (deterministic runs; same per call: e2e %.1f%%, mediator "
                   "wake %.1f%%, switches %.1f%%; calls %zu / %zu; p50/p99/max %s)",
                   runs[i]->name, same[i].identical ? "identical" : "not identical", runs[0]->name,
                   100 * same[i].same_e2e, 100 * same[i].same_wake, 100 * same[i].same_switches,
                   same[i].na, same[i].nb, same[i].quantiles_same ? "equal" : "differ");
    if (!json && n > 1 && same[1].deterministic)
        putchar('\n');
    if (out) {
        char path[4096];
        if (mkdir(out, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "smclat: %s: %s\n", out, strerror(errno));
            rc = 1;
        } else {
            snprintf(path, sizeof path, "%s/compare.json", out);
            if (json_dump_file(root, path, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) != 0)
                rc = 1;
            snprintf(path, sizeof path, "%s/compare.csv", out);
            FILE *f = fopen(path, "w");
            if (f) {
                fprintf(f, "name,n,p50_ns,p99_ns,p50_diff_ns,p50_lo_ns,p50_hi_ns,p99_diff_ns,"
                           "p99_lo_ns,p99_hi_ns,mwu_p,mwu_p_holm,median,p99\n");
                for (int i = 0; i < n; i++) {
                    const struct sm_cmp *c = &cmp[i];
                    if (i == 0)
                        fprintf(f, "%s,%zu,%.0f,%.0f,,,,,,,,,baseline,baseline\n", runs[0]->name,
                                nv[0], c->p50_a, c->p99_a);
                    else if (same[i].identical)
                        fprintf(f, "%s,%zu,%.0f,%.0f,0,0,0,0,0,0,,,identical,identical\n",
                                runs[i]->name, nv[i], c->p50_b, c->p99_b);
                    else
                        fprintf(
                            f, "%s,%zu,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3g,%.3g,%s,%s\n",
                            runs[i]->name, nv[i], c->p50_b, c->p99_b, c->d50.diff, c->d50.lo,
                            c->d50.hi, c->d99.diff, c->d99.lo, c->d99.hi, c->mwu.p, c->p_adj,
                            sm_verdict_name(c->median_verdict), sm_verdict_name(c->tail_verdict));
                }
                if (fclose(f) != 0)
                    rc = 1;
            } else {
                rc = 1;
            }
            /* the CDF side by side, drawn by the report's data writer and cdf.gp */
            char datadir[4200], files[16384] = "", titles[8192] = "";
            snprintf(datadir, sizeof datadir, "%s/data", out);
            mkdir(datadir, 0777);
            for (int i = 0; i < n; i++) {
                char id[128], cdf[4400];
                sm_safe_name(runs[i]->name, id, sizeof id);
                snprintf(id + strlen(id), sizeof id - strlen(id), "-%d", i + 1);
                snprintf(cdf, sizeof cdf, "%s/%s.cdf.dat", datadir, id);
                double *sv = sm_sorted_copy(val[i], nv[i]);
                if (sv && sm_write_cdf(cdf, runs[i]->name, sv, nv[i]) == 0) {
                    snprintf(files + strlen(files), sizeof files - strlen(files), "%s%s",
                             i ? " " : "", cdf);
                    snprintf(titles + strlen(titles), sizeof titles - strlen(titles), "%s%s",
                             i ? " " : "", id);
                } else {
                    rc = 1;
                }
                free(sv);
            }
            if (*files && sm_have_gnuplot()) {
                char params[32768], base[4200];
                snprintf(params, sizeof params, "files='%s'; titles='%s'; what='%s latency'",
                         sm_gp_quote(files), sm_gp_quote(titles), metric);
                snprintf(base, sizeof base, "%s/cdf", out);
                if (sm_gnuplot("cdf.gp", params, base, err, sizeof err) != 0) {
                    fprintf(stderr, "warning: %s\n", err);
                    rc = 1;
                }
            } else if (*files) {
                fprintf(stderr, "warning: gnuplot not found: no plot\n");
            }
            if (rc != 0)
                fprintf(stderr, "smclat: %s: could not write everything\n", out);
        }
    }
    json_decref(root);
    for (int i = 0; i < n; i++) {
        if (xen)
            free(xen[i]);
        if (xenj)
            json_decref(xenj[i]);
    }
    free(xen);
    free(xenj);
    free(same);
done:
    for (int i = 0; i < n; i++) {
        if (runs)
            sm_run_free(runs[i]);
        if (val)
            free(val[i]);
        free(dirs[i]);
    }
    free(runs);
    free(val);
    free(nv);
    free(cmp);
    free(p);
    free(dirs);
    return rc;
}
