#include "regress.h"

#include "compare.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sm_regress_default_opts(struct sm_regress_opts *o)
{
    o->threshold = 0.10;
    o->alpha = 0.05;
    o->iters = 1000;
    o->max_samples = 2000;
}

/* At most max values: evenly spaced order statistics of the sorted sample (keeps its shape,
 * min and max). */
static json_t *samples_json(const double *v, size_t n, int max)
{
    json_t *a = json_array();
    double *s = sm_sorted_copy(v, n);
    if (!s)
        return a;
    size_t k = n <= (size_t)max ? n : (size_t)max;
    for (size_t i = 0; i < k; i++) {
        size_t idx = k == n ? i : (size_t)llround((double)i * (double)(n - 1) / (double)(k - 1));
        json_array_append_new(a, json_real(s[idx]));
    }
    free(s);
    return a;
}

json_t *sm_regress_entry(struct sm_run **runs, int n, const char *commit, const char *date,
                         const struct sm_regress_opts *o)
{
    json_t *e = json_object(), *configs = json_object();
    json_object_set_new(e, "smclat_regress", json_integer(1));
    json_object_set_new(e, "commit", json_string(commit));
    json_object_set_new(e, "date", json_string(date));
    json_object_set_new(e, "configs", configs);
    for (int i = 0; i < n; i++) {
        struct sm_summary s;
        sm_run_summarize(runs[i], &s);
        json_t *c = json_object(), *m = json_object(), *smp = json_object();
        json_object_set_new(c, "dir", json_string(runs[i]->dir));
        json_object_set_new(c, "partial", json_boolean(runs[i]->partial));
        for (int k = 0; sm_summary_keys[k]; k++) {
            double v = sm_summary_get(&s, k);
            json_object_set_new(m, sm_summary_keys[k], isnan(v) ? json_null() : json_real(v));
        }
        static const struct {
            enum sm_series s;
            const char *name;
        } ser[] = {{S_E2E_NS, "e2e_ns"}, {S_MEDIATOR_WAKE_NS, "mediator_wake_ns"}};
        for (size_t k = 0; k < sizeof ser / sizeof *ser; k++) {
            size_t nv;
            double *v = sm_run_values(runs[i], ser[k].s, &nv);
            if (nv)
                json_object_set_new(smp, ser[k].name, samples_json(v, nv, o->max_samples));
            free(v);
        }
        json_object_set_new(c, "metrics", m);
        json_object_set_new(c, "samples", smp);
        json_object_set_new(c, "regressed", json_false());
        json_object_set_new(configs, runs[i]->name, c);
    }
    return e;
}

json_t *sm_regress_load(const char *path, char *err, size_t errlen)
{
    json_t *arr = json_array();
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return arr;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        json_decref(arr);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        json_error_t je;
        json_t *e = json_loads(line, 0, &je);
        if (!e || !json_is_object(e) || !json_is_object(json_object_get(e, "configs")) ||
            !json_is_string(json_object_get(e, "commit"))) {
            if (e)
                snprintf(err, errlen,
                         "%s:%ld: expected a run {\"commit\", \"configs\", ...}, "
                         "found something else",
                         path, lineno);
            else
                snprintf(err, errlen, "%s:%ld: column %d: %s", path, lineno, je.column, je.text);
            json_decref(e);
            json_decref(arr);
            free(line);
            fclose(f);
            return NULL;
        }
        json_array_append_new(arr, e);
    }
    free(line);
    fclose(f);
    return arr;
}

int sm_regress_append(const char *path, const json_t *entry)
{
    char *s = json_dumps(entry, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (!s)
        return -1;
    FILE *f = fopen(path, "a");
    if (!f) {
        free(s);
        return -1;
    }
    fprintf(f, "%s\n", s);
    free(s);
    return fclose(f) == 0 ? 0 : -1;
}

static double *array_values(const json_t *a, size_t *n)
{
    *n = json_array_size(a);
    if (*n == 0)
        return NULL;
    double *v = malloc(*n * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; v && i < *n; i++)
        if (json_is_number(json_array_get(a, i)))
            v[k++] = json_number_value(json_array_get(a, i));
    *n = k;
    return v;
}

static json_t *jnull(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static const struct gated {
    const char *metric, *series;
    double q;
} gated[] = {
    {"e2e_p50_ns", "e2e_ns", 0.5},
    {"e2e_p99_ns", "e2e_ns", 0.99},
    {"mediator_wake_p99_ns", "mediator_wake_ns", 0.99},
};

int sm_regress_check(const json_t *history, json_t *entry, const struct sm_regress_opts *o,
                     json_t **report)
{
    *report = json_array();
    json_t *configs = json_object_get(entry, "configs");
    const char *name;
    json_t *cfg;
    /* count the tests first: the Bonferroni family */
    int m = 0;
    json_object_foreach(configs, name, cfg)
    {
        for (size_t g = 0; g < sizeof gated / sizeof *gated; g++)
            if (json_array_size(json_object_get(json_object_get(cfg, "samples"), gated[g].series)) >
                0)
                m++;
    }
    int regressions = 0;
    json_object_foreach(configs, name, cfg)
    {
        int cfg_regressed = 0;
        for (size_t g = 0; g < sizeof gated / sizeof *gated; g++) {
            const json_t *now_s = json_object_get(json_object_get(cfg, "samples"), gated[g].series);
            if (json_array_size(now_s) == 0)
                continue;
            /* the newest older run of this config, not regressed, with these samples */
            const json_t *base = NULL, *base_entry = NULL;
            for (size_t i = json_array_size(history); i-- > 0;) {
                const json_t *he = json_array_get(history, i);
                const json_t *hc = json_object_get(json_object_get(he, "configs"), name);
                if (hc && !json_is_true(json_object_get(hc, "regressed")) &&
                    json_array_size(
                        json_object_get(json_object_get(hc, "samples"), gated[g].series)) > 0) {
                    base = hc;
                    base_entry = he;
                    break;
                }
            }
            if (!base)
                continue;
            size_t na, nb;
            double *a = array_values(
                json_object_get(json_object_get(base, "samples"), gated[g].series), &na);
            double *b = array_values(now_s, &nb);
            struct sm_cmp_opts co;
            sm_cmp_default_opts(&co);
            co.alpha = o->alpha;
            co.min_effect = o->threshold;
            co.iters = o->iters;
            co.m = m;
            co.skip_p50 = gated[g].q != 0.5; /* one interval per gated metric */
            co.skip_p99 = gated[g].q == 0.5;
            struct sm_cmp c;
            int verdict = 0, testable = 1;
            double before = NAN, after = NAN, lo = NAN, hi = NAN;
            if (sm_cmp_samples(a, na, b, nb, &co, &c) == 0) {
                /* Bonferroni on the U test too */
                c.p_adj = fmin(1, c.mwu.p * m);
                sm_cmp_decide(&c, &co);
                int is50 = gated[g].q == 0.5;
                verdict = is50 ? c.median_verdict : c.tail_verdict;
                testable = is50 || c.tail_testable;
                before = is50 ? c.p50_a : c.p99_a;
                after = is50 ? c.p50_b : c.p99_b;
                lo = is50 ? c.d50.lo : c.d99.lo;
                hi = is50 ? c.d50.hi : c.d99.hi;
            }
            free(a);
            free(b);
            const char *v = verdict > 0   ? "regression"
                            : verdict < 0 ? "improvement"
                            : testable    ? "same"
                                          : "too few calls";
            if (verdict > 0) {
                regressions++;
                cfg_regressed = 1;
            }
            json_t *r = json_object();
            json_object_set_new(r, "config", json_string(name));
            json_object_set_new(r, "metric", json_string(gated[g].metric));
            json_object_set_new(r, "baseline_commit",
                                json_copy(json_object_get(base_entry, "commit")));
            json_object_set_new(r, "before", jnull(before));
            json_object_set_new(r, "after", jnull(after));
            json_object_set_new(r, "change", jnull(before > 0 ? after / before - 1 : NAN));
            json_object_set_new(r, "diff_lo", jnull(lo));
            json_object_set_new(r, "diff_hi", jnull(hi));
            json_object_set_new(r, "verdict", json_string(v));
            json_array_append_new(*report, r);
        }
        json_object_set_new(cfg, "regressed", json_boolean(cfg_regressed));
    }
    return regressions;
}
