#include "regress.h"

#include "changepoint.h"
#include "compare.h"
#include "identical.h"
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
    o->cp_alpha = 0.01;
    o->permutations = 199;
    o->exact_tol = -1;
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
        if (runs[i]->mode)
            json_object_set_new(c, "mode", json_string(runs[i]->mode));
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

/* The per-call samples of a history line are needed only where it can be a baseline: the newest
 * run of each configuration and series that is not marked regressed (sm_regress_check). Older
 * samples are dropped while loading, so a long history costs memory for its figures only (a
 * 50-run history of 36 configurations: 306 MB with every sample, docs/reports.md). keep maps
 * configuration -> series -> the samples object holding the current baseline's. */
static void drop_older_samples(json_t *keep, json_t *e)
{
    const char *name;
    json_t *cfg;
    json_object_foreach(json_object_get(e, "configs"), name, cfg)
    {
        json_t *smp = json_object_get(cfg, "samples");
        if (!json_is_object(smp))
            continue;
        int regressed = json_is_true(json_object_get(cfg, "regressed"));
        json_t *k = json_object_get(keep, name);
        if (!k) {
            k = json_object();
            json_object_set_new(keep, name, k);
        }
        const char *series;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(smp, tmp, series, v)
        {
            if (regressed || json_array_size(v) == 0) {
                json_object_del(smp, series); /* never a baseline */
                continue;
            }
            json_t *prev = json_object_get(k, series);
            if (prev)
                json_object_del(prev, series);
            json_object_set(k, series, smp);
        }
    }
}

json_t *sm_regress_load(const char *path, char *err, size_t errlen)
{
    json_t *arr = json_array(), *keep = json_object();
    FILE *f = fopen(path, "r");
    if (!f) {
        json_decref(keep);
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
            json_decref(keep);
            free(line);
            fclose(f);
            return NULL;
        }
        json_t *ver = json_object_get(e, "smclat_regress");
        if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
            char found[64] = "none";
            if (json_is_integer(ver))
                snprintf(found, sizeof found, "%lld", (long long)json_integer_value(ver));
            else if (ver)
                snprintf(found, sizeof found, "something else");
            snprintf(err, errlen,
                     "%s:%ld: smclat_regress: expected schema 1, found %s (a line from another "
                     "smclat version; keep each version's history in its own file)",
                     path, lineno, found);
            json_decref(e);
            json_decref(arr);
            json_decref(keep);
            free(line);
            fclose(f);
            return NULL;
        }
        json_object_set_new(e, "_line", json_integer(lineno));
        drop_older_samples(keep, e);
        json_array_append_new(arr, e);
    }
    json_decref(keep);
    free(line);
    fclose(f);
    return arr;
}

int sm_regress_append(const char *path, const json_t *entry)
{
    json_t *copy = json_copy((json_t *)entry);
    json_object_del(copy, "_line");
    char *s = json_dumps(copy, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(copy);
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

/* a history configuration made in the lab's deterministic mode */
static int deterministic(const json_t *cfg)
{
    const char *m = json_string_value(json_object_get(cfg, "mode"));
    return m && !strcmp(m, "deterministic");
}

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
            /* two deterministic runs with the same calls: identical, nothing to test */
            int same = deterministic(base) && deterministic(cfg) && na == nb &&
                       sm_same_fraction(a, na, b, nb) >= SM_IDENTICAL_MIN_SAME &&
                       sm_quantiles_same(a, na, b, nb);
            if (same) {
                double *sa = sm_sorted_copy(a, na);
                before = after = sa ? sm_quantile_sorted(sa, na, gated[g].q) : NAN;
                lo = hi = 0;
                free(sa);
            } else if (sm_cmp_samples(a, na, b, nb, &co, &c) == 0) {
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
            const char *v = same          ? "identical"
                            : verdict > 0 ? "regression"
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

/* Change points over the whole history (docs/reports.md, "Change points"). */

const char *const sm_cp_metrics[] = {"e2e_p50_ns",    "e2e_p99_ns", "mediator_wake_p99_ns",
                                     "switches_mean", "incomplete", NULL};

/* Deterministic lab runs nearly repeat their medians, not their tails: repeat runs of the same
 * 50 calls gave e2e p50 231664 and 231560 ns (credit), 272224 and 272096 ns (credit2), at most
 * 8 timer ticks apart; but e2e p99 326.5 and 303.7 us, mediator wake p99 86.9 and 102.2 us,
 * switches per call 2.02 and 2.00 (a timer tick landing in one call; docs/reports.md). So only
 * the median is compared run to run (beyond exact_tol, 1%: twenty times the repeat
 * difference); the others go through the statistics like any run. */
static int exact_metric(const char *metric)
{
    return !strcmp(metric, "e2e_p50_ns");
}

static const char *commit_of(const json_t *e)
{
    const char *c = json_string_value(json_object_get(e, "commit"));
    return c ? c : "?";
}

static long line_of(const json_t *e, size_t i)
{
    const json_t *l = json_object_get(e, "_line");
    return json_is_integer(l) ? (long)json_integer_value(l) : (long)i + 1;
}

/* Runs whose commit nobody knew (no --commit, $SMCLAT_COMMIT or git): each its own. */
static int same_commit(const char *a, const char *b)
{
    return strcmp(a, "unknown") && !strcmp(a, b);
}

int sm_regress_validate(const json_t *history, const json_t *entry, json_t *warnings, char *err,
                        size_t errlen)
{
    size_t n = json_array_size(history);
    if (!strcmp(commit_of(entry), "unknown"))
        json_array_append_new(warnings,
                              json_string("this run's commit is unknown (--commit ID, "
                                          "$SMCLAT_COMMIT or a git checkout): its change points "
                                          "are named \"unknown\", found by their run number"));
    for (size_t i = 0; i <= n; i++) {
        const json_t *e = i < n ? json_array_get(history, i) : entry;
        const char *c = commit_of(e);
        if (i > 0 && same_commit(c, commit_of(json_array_get(history, i - 1)))) {
            char w[512];
            snprintf(w, sizeof w,
                     i < n ? "commit %s: run again at line %ld: its runs are kept together (no "
                             "change point between them)"
                           : "commit %s: this run repeats the history's newest commit: its runs "
                             "are kept together (no change point between them)",
                     c, line_of(e, i));
            json_array_append_new(warnings, json_string(w));
            continue;
        }
        for (size_t k = 0; k + 1 < i; k++)
            if (same_commit(c, commit_of(json_array_get(history, k)))) {
                const json_t *ek = json_array_get(history, k);
                if (i < n)
                    snprintf(err, errlen,
                             "line %ld: commit %s already at line %ld with other commits between: "
                             "expected the runs in commit order (remove one of them)",
                             line_of(e, i), c, line_of(ek, k));
                else
                    snprintf(err, errlen,
                             "commit %s: already at line %ld with other commits after it: "
                             "expected a new commit (--commit ID)",
                             c, line_of(ek, k));
                return -1;
            }
    }
    return 0;
}

static double median_range(const double *x, size_t lo, size_t hi)
{
    double *s = sm_sorted_copy(x + lo, hi - lo);
    double m = s ? sm_quantile_sorted(s, hi - lo, 0.5) : NAN;
    free(s);
    return m;
}

/* Higher is worse for every change point figure: a worsening beyond the threshold. A count
 * going up from 0 is one whatever the threshold. */
static int worse(double before, double after, double threshold)
{
    return after > before && after > before * (1 + threshold);
}

/* One change point of a series, as listed in the decisions. */
static json_t *cp_json(const json_t *all, const size_t *at, const struct sm_cp *cp,
                       const char *name, const char *metric, int exact)
{
    const json_t *e = json_array_get(all, at[cp->index]);
    json_t *c = json_object();
    json_object_set_new(c, "configuration", json_string(name));
    json_object_set_new(c, "metric", json_string(metric));
    json_object_set_new(c, "commit", json_string(commit_of(e)));
    json_object_set_new(c, "previous_commit",
                        json_string(commit_of(json_array_get(all, at[cp->index - 1]))));
    json_object_set_new(c, "date", json_copy(json_object_get(e, "date")));
    json_object_set_new(c, "run", json_integer((json_int_t)at[cp->index] + 1));
    json_object_set_new(c, "before", jnull(cp->before));
    json_object_set_new(c, "after", jnull(cp->after));
    json_object_set_new(c, "change", jnull(cp->before != 0 ? cp->after / cp->before - 1 : NAN));
    json_object_set_new(c, "p_value", exact ? json_null() : jnull(cp->p));
    json_object_set_new(c, "confidence", json_real(exact ? 1 : 1 - cp->p));
    json_object_set_new(c, "method", json_string(exact ? "deterministic" : "e-divisive"));
    json_object_set_new(c, "runs_before", json_integer((json_int_t)cp->n_before));
    json_object_set_new(c, "runs_after", json_integer((json_int_t)cp->n_after));
    return c;
}

/* The segments between all change points (run numbers of all, 1-based), for the trends. */
static json_t *segments_json(const double *x, const size_t *at, size_t n, const struct sm_cp *cps,
                             int k)
{
    json_t *segs = json_array();
    for (int i = 0; i <= k && n > 0; i++) {
        size_t lo = i ? cps[i - 1].index : 0, hi = i < k ? cps[i].index : n;
        json_array_append_new(segs, json_pack("{s:I,s:I,s:o}", "first_run", (json_int_t)at[lo] + 1,
                                              "last_run", (json_int_t)at[hi - 1] + 1, "median",
                                              jnull(median_range(x, lo, hi))));
    }
    return segs;
}

/* The gate's reference segment [*lo, *hi) among the series' runs (k >= 1 change points). */
static void reference_segment(const struct sm_cp *cps, int k, size_t n, const char *since,
                              long since_run, size_t *lo, size_t *hi)
{
    if (since && since_run >= 0) {
        /* the segment holding since_run */
        *lo = 0;
        *hi = n;
        for (int i = 0; i < k; i++) {
            if (cps[i].index <= (size_t)since_run)
                *lo = cps[i].index;
            else if (*hi == n)
                *hi = cps[i].index;
        }
    } else if (since) {
        /* the configuration is newer than --since: against its first segment */
        *lo = 0;
        *hi = cps[0].index;
    } else {
        /* the newest change point and the ones just before it that shifted the same way (a
         * drift comes as several steps, each maybe under the threshold): the reference is the
         * segment before the first of them */
        int first = k - 1, up = cps[k - 1].after > cps[k - 1].before;
        while (first > 0 && (cps[first - 1].after > cps[first - 1].before) == up &&
               cps[first - 1].after != cps[first - 1].before)
            first--;
        *lo = first >= 1 ? cps[first - 1].index : 0;
        *hi = cps[first].index;
    }
}

static json_t *series_changes(const json_t *all, const char *name, const char *metric,
                              const struct sm_regress_opts *o, const char *since)
{
    size_t nall = json_array_size(all), n = 0;
    double *x = malloc((nall ? nall : 1) * sizeof *x);
    size_t *at = malloc((nall ? nall : 1) * sizeof *at); /* index in all of each run */
    unsigned char *ok = malloc(nall ? nall : 1);
    json_t *r = json_object();
    int exact = 1, partial = 0;
    const json_t *newest = json_array_get(all, nall - 1);
    const json_t *newest_cfg = json_object_get(json_object_get(newest, "configs"), name);
    json_object_set_new(r, "configuration", json_string(name));
    json_object_set_new(r, "metric", json_string(metric));
    json_object_set_new(r, "in_newest", json_boolean(newest_cfg != NULL));
    if (!x || !at || !ok) {
        free(x);
        free(at);
        free(ok);
        return r;
    }
    for (size_t i = 0; i < nall; i++) {
        const json_t *c = json_object_get(json_object_get(json_array_get(all, i), "configs"), name);
        const json_t *v = json_object_get(json_object_get(c, "metrics"), metric);
        if (!c || !json_is_number(v))
            continue;
        if (json_is_true(json_object_get(c, "partial"))) {
            partial++;
            continue;
        }
        const char *mode = json_string_value(json_object_get(c, "mode"));
        exact &= mode && !strcmp(mode, "deterministic") && exact_metric(metric);
        x[n] = json_number_value(v);
        at[n] = i;
        ok[n] = n == 0 || !same_commit(commit_of(json_array_get(all, i)),
                                       commit_of(json_array_get(all, at[n - 1])));
        n++;
    }
    exact &= n > 0;
    json_object_set_new(r, "method", json_string(exact ? "deterministic" : "e-divisive"));
    json_object_set_new(r, "runs", json_integer((json_int_t)n));
    struct sm_cp *cps = NULL;
    int k;
    if (exact) {
        k = sm_changepoints_exact(x, n, ok, o->exact_tol >= 0 ? o->exact_tol : 0.01, &cps);
    } else {
        struct sm_cp_opts co;
        sm_cp_default_opts(&co);
        co.alpha = o->cp_alpha;
        co.permutations = o->permutations;
        k = sm_changepoints(x, n, ok, &co, &cps);
    }
    /* the run of --since in this series (its last), or -1: every change point counts */
    long since_run = -1;
    int since_seen = 0;
    for (size_t i = 0; since && i < nall; i++)
        if (!strcmp(commit_of(json_array_get(all, i)), since)) {
            since_seen = 1;
            for (size_t j = 0; j < n; j++)
                if (at[j] <= i)
                    since_run = (long)j;
        }
    json_t *list = json_array();
    int listed = 0;
    for (int i = 0; i < k; i++) {
        if (since && (long)cps[i].index <= since_run)
            continue;
        json_array_append_new(list, cp_json(all, at, &cps[i], name, metric, exact));
        listed++;
    }
    json_object_set_new(r, "change_points", list);
    /* the segments between all change points (run numbers of all, 1-based) for the trends */
    json_object_set_new(r, "segments", segments_json(x, at, n, cps, k));
    /* the gate: the newest segment against the one before the newest change point, or against
     * the segment holding --since's run */
    const char *verdict, *note = NULL;
    double before = NAN, after = NAN;
    const char *ref = NULL;
    size_t need = exact ? 2 : 4;
    if (!newest_cfg) {
        verdict = "not in this run";
        note = "the configuration is in the history but not in the newest run";
    } else if (n < need) {
        verdict = "too few runs";
        note = exact ? "one run: nothing to compare"
                     : "change points need at least 4 runs (2 on each side)";
    } else if (listed == 0) {
        verdict = "no change";
    } else {
        size_t last = cps[k - 1].index, ref_lo, ref_hi;
        reference_segment(cps, k, n, since, since_run, &ref_lo, &ref_hi);
        before = exact ? x[ref_hi - 1] : median_range(x, ref_lo, ref_hi);
        after = exact ? x[n - 1] : median_range(x, last, n);
        ref = commit_of(json_array_get(all, at[ref_hi - 1]));
        double thr = o->threshold;
        verdict = worse(before, after, thr)   ? "regression"
                  : worse(after, before, thr) ? "improvement"
                                              : "same";
    }
    if (since && !since_seen)
        note = "--since commit not in the history";
    else if (since && since_run < 0 && newest_cfg && n)
        note = "the configuration is newer than --since: every change point counts";
    if (partial && !note) {
        static char buf[96];
        snprintf(buf, sizeof buf, "%d partial run%s left out", partial, partial == 1 ? "" : "s");
        note = buf;
    }
    json_object_set_new(r, "verdict", json_string(verdict));
    json_object_set_new(r, "reference_commit", ref ? json_string(ref) : json_null());
    json_object_set_new(r, "before", jnull(before));
    json_object_set_new(r, "after", jnull(after));
    json_object_set_new(r, "change", jnull(before != 0 ? after / before - 1 : NAN));
    if (note)
        json_object_set_new(r, "note", json_string(note));
    free(cps);
    free(x);
    free(at);
    free(ok);
    return r;
}

json_t *sm_regress_changes(const json_t *all, const struct sm_regress_opts *o, const char *since)
{
    json_t *out = json_array(), *names = json_array();
    /* the newest run's configurations first (its order), then those only in the history */
    for (size_t i = json_array_size(all); i-- > 0;) {
        const char *name;
        json_t *cfg;
        json_object_foreach(json_object_get(json_array_get(all, i), "configs"), name, cfg)
        {
            (void)cfg;
            int seen = 0;
            for (size_t k = 0; k < json_array_size(names) && !seen; k++)
                seen = !strcmp(json_string_value(json_array_get(names, k)), name);
            if (!seen)
                json_array_append_new(names, json_string(name));
        }
    }
    for (size_t k = 0; k < json_array_size(names); k++)
        for (int m = 0; sm_cp_metrics[m]; m++)
            json_array_append_new(out,
                                  series_changes(all, json_string_value(json_array_get(names, k)),
                                                 sm_cp_metrics[m], o, since));
    json_decref(names);
    return out;
}
