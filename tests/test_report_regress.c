/* regress decisions on constructed histories with known answers, and the history file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "regress.h"
#include "report_testutil.h"

/* A history entry for config "cfg" with n log-normal samples around 100 us times factor. */
static json_t *entry(const char *commit, size_t n, unsigned long seed, double factor)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    json_t *s = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(s, json_real(factor * gsl_ran_lognormal(r, log(100e3), 0.3)));
    gsl_rng_free(r);
    return json_pack("{s:i,s:s,s:s,s:{s:{s:{},s:{s:o},s:b}}}", "smclat_regress", 1, "commit",
                     commit, "date", "2026-11-26T00:00:00Z", "configs", "cfg", "metrics", "samples",
                     "e2e_ns", s, "regressed", 0);
}

static int check(json_t *history, json_t *e, double threshold, json_t **report)
{
    struct sm_regress_opts o;
    sm_regress_default_opts(&o);
    o.threshold = threshold;
    o.iters = 1000;
    return sm_regress_check(history, e, &o, report);
}

static const char *verdict(json_t *report, const char *metric)
{
    size_t i;
    json_t *r;
    json_array_foreach(
        report, i, r) if (!strcmp(json_string_value(json_object_get(r, "metric")),
                                  metric)) return json_string_value(json_object_get(r, "verdict"));
    return NULL;
}

static void test_decisions(void **state)
{
    (void)state;
    json_t *h = json_array(), *rep;
    json_array_append_new(h, entry("c1", 500, 1, 1.0));
    /* same distribution, another draw: no regression */
    json_t *e = entry("c2", 500, 2, 1.0);
    assert_int_equal(check(h, e, 0.10, &rep), 0);
    assert_string_equal(verdict(rep, "e2e_p50_ns"), "same");
    assert_string_equal(verdict(rep, "e2e_p99_ns"), "same");
    assert_false(json_is_true(
        json_object_get(json_object_get(json_object_get(e, "configs"), "cfg"), "regressed")));
    json_decref(rep);
    json_decref(e);
    /* 50% slower: a regression in p50 and p99, and the config is marked */
    e = entry("c3", 500, 3, 1.5);
    assert_int_equal(check(h, e, 0.10, &rep), 2);
    assert_string_equal(verdict(rep, "e2e_p50_ns"), "regression");
    assert_string_equal(verdict(rep, "e2e_p99_ns"), "regression");
    assert_true(json_is_true(
        json_object_get(json_object_get(json_object_get(e, "configs"), "cfg"), "regressed")));
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(rep, 0), "baseline_commit")), "c1");
    json_decref(rep);
    /* the regressed run is not a baseline: the next normal run compares with c1 */
    json_array_append_new(h, e);
    e = entry("c4", 500, 4, 1.0);
    assert_int_equal(check(h, e, 0.10, &rep), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(rep, 0), "baseline_commit")), "c1");
    json_decref(rep);
    json_decref(e);
    /* 50% slower but the threshold is 60%: not beyond the threshold */
    e = entry("c5", 500, 5, 1.5);
    assert_int_equal(check(h, e, 0.60, &rep), 0);
    json_decref(rep);
    json_decref(e);
    /* faster: an improvement, not a regression */
    e = entry("c6", 500, 6, 0.5);
    assert_int_equal(check(h, e, 0.10, &rep), 0);
    assert_string_equal(verdict(rep, "e2e_p50_ns"), "improvement");
    json_decref(rep);
    json_decref(e);
    json_decref(h);
    /* small n: 4 calls each, twice as slow: not significant */
    h = json_array();
    json_array_append_new(h, entry("s1", 4, 7, 1.0));
    e = entry("s2", 4, 8, 2.0);
    assert_int_equal(check(h, e, 0.10, &rep), 0);
    assert_string_equal(verdict(rep, "e2e_p50_ns"), "same");
    assert_string_equal(verdict(rep, "e2e_p99_ns"), "too few calls");
    json_decref(rep);
    json_decref(e);
    /* empty history: nothing to compare */
    json_decref(h);
    h = json_array();
    e = entry("f1", 100, 9, 1.0);
    assert_int_equal(check(h, e, 0.10, &rep), 0);
    assert_int_equal(json_array_size(rep), 0);
    json_decref(rep);
    json_decref(e);
    json_decref(h);
}

static void test_history_file(void **state)
{
    (void)state;
    char *dir = tu_tmpdir(), err[512];
    char path[600];
    snprintf(path, sizeof path, "%s/h.jsonl", dir);
    json_t *h = sm_regress_load(path, err, sizeof err); /* missing: empty */
    assert_non_null(h);
    assert_int_equal(json_array_size(h), 0);
    json_decref(h);
    json_t *e = entry("c1", 10, 1, 1.0);
    assert_int_equal(sm_regress_append(path, e), 0);
    assert_int_equal(sm_regress_append(path, e), 0);
    json_decref(e);
    h = sm_regress_load(path, err, sizeof err);
    assert_int_equal(json_array_size(h), 2);
    assert_int_equal(
        json_array_size(json_object_get(
            json_object_get(
                json_object_get(json_object_get(json_array_get(h, 1), "configs"), "cfg"),
                "samples"),
            "e2e_ns")),
        10);
    /* the older line's samples are dropped (the newer one is the baseline): memory for the
     * figures only */
    assert_null(json_object_get(
        json_object_get(json_object_get(json_object_get(json_array_get(h, 0), "configs"), "cfg"),
                        "samples"),
        "e2e_ns"));
    json_decref(h);
    /* a damaged line names its line */
    FILE *f = fopen(path, "a");
    fputs("{\"commit\": \"x\"}\n", f);
    fclose(f);
    assert_null(sm_regress_load(path, err, sizeof err));
    char want[700];
    snprintf(want, sizeof want,
             "%s:3: expected a run {\"commit\", \"configs\", ...}, found something else", path);
    assert_string_equal(err, want);
    f = fopen(path, "w");
    fputs("{\"commit\": \n", f);
    fclose(f);
    assert_null(sm_regress_load(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:1: column", path);
    assert_true(!strncmp(err, want, strlen(want)));
    tu_rm_tree(dir);
    free(dir);
}

/* A history entry with only figures: config "cfg" with e2e p50 = p50 (the other change point
 * figures constant), the lab's mode when not NULL. */
static json_t *fig_entry(const char *commit, double p50, const char *mode, int partial)
{
    json_t *c = json_pack("{s:b,s:{s:f,s:f,s:f,s:f,s:f}}", "partial", partial, "metrics",
                          "e2e_p50_ns", p50, "e2e_p99_ns", 500e3, "mediator_wake_p99_ns", 100e3,
                          "switches_mean", 2.0, "incomplete", 0.0);
    if (mode)
        json_object_set_new(c, "mode", json_string(mode));
    return json_pack("{s:i,s:s,s:s,s:{s:o}}", "smclat_regress", 1, "commit", commit, "date",
                     "2026-12-01T00:00:00Z", "configs", "cfg", c);
}

static const json_t *series_for(const json_t *series, const char *metric)
{
    size_t i;
    const json_t *s;
    json_array_foreach(series, i, s) if (!strcmp(json_string_value(json_object_get(s, "metric")),
                                                 metric)) return s;
    return NULL;
}

static const char *sget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* n runs: p50 = 300 us * level(i) with 1% noise */
static json_t *history_of(size_t n, double (*level)(size_t), unsigned long seed, const char *mode)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    json_t *all = json_array();
    for (size_t i = 0; i < n; i++) {
        char c[16];
        snprintf(c, sizeof c, "c%zu", i + 1);
        double noise = mode ? 0 : gsl_ran_gaussian(r, 0.01);
        json_array_append_new(all, fig_entry(c, 300e3 * (level(i) + noise), mode, 0));
    }
    gsl_rng_free(r);
    return all;
}

static double step_at_8(size_t i)
{
    return i < 8 ? 1.0 : 1.2;
}
static double drift(size_t i) /* 10 flat, 10 commits +2% each, 10 flat at +20% */
{
    return i < 10 ? 1.0 : i < 20 ? 1.0 + 0.02 * (double)(i - 9) : 1.2;
}
static double flat(size_t i)
{
    (void)i;
    return 1.0;
}

static json_t *changes(const json_t *all, const char *since)
{
    struct sm_regress_opts o;
    sm_regress_default_opts(&o);
    return sm_regress_changes(all, &o, since);
}

static void test_changes(void **state)
{
    (void)state;
    /* a step: the change point at c9, a regression against c8 */
    json_t *all = history_of(12, step_at_8, 1, NULL), *ser = changes(all, NULL);
    assert_int_equal(json_array_size(ser), 5);
    const json_t *s = series_for(ser, "e2e_p50_ns");
    const json_t *cps = json_object_get(s, "change_points");
    assert_int_equal(json_array_size(cps), 1);
    assert_string_equal(sget(json_array_get(cps, 0), "commit"), "c9");
    assert_string_equal(sget(json_array_get(cps, 0), "method"), "e-divisive");
    assert_true(json_real_value(json_object_get(json_array_get(cps, 0), "p_value")) <= 0.01);
    assert_string_equal(sget(s, "verdict"), "regression");
    assert_string_equal(sget(s, "reference_commit"), "c8");
    assert_string_equal(sget(series_for(ser, "switches_mean"), "verdict"), "no change");
    json_decref(ser);
    /* --since c10: the step is older, no change since; --since c3: worse than c3's segment */
    ser = changes(all, "c10");
    assert_int_equal(
        json_array_size(json_object_get(series_for(ser, "e2e_p50_ns"), "change_points")), 0);
    assert_string_equal(sget(series_for(ser, "e2e_p50_ns"), "verdict"), "no change");
    json_decref(ser);
    ser = changes(all, "c3");
    assert_string_equal(sget(series_for(ser, "e2e_p50_ns"), "verdict"), "regression");
    json_decref(ser);
    json_decref(all);
    /* a slow drift of ten commits each under the 10% threshold: the gate sees the whole */
    all = history_of(30, drift, 2, NULL);
    ser = changes(all, NULL);
    s = series_for(ser, "e2e_p50_ns");
    assert_true(json_array_size(json_object_get(s, "change_points")) >= 1);
    printf("drift: %zu change points, %s %+.1f%% against %s\n",
           json_array_size(json_object_get(s, "change_points")), sget(s, "verdict"),
           100 * json_number_value(json_object_get(s, "change")), sget(s, "reference_commit"));
    assert_string_equal(sget(s, "verdict"), "regression");
    assert_true(json_number_value(json_object_get(s, "change")) > 0.15);
    json_decref(ser);
    ser = changes(all, "c5");
    assert_string_equal(sget(series_for(ser, "e2e_p50_ns"), "verdict"), "regression");
    assert_true(json_number_value(json_object_get(series_for(ser, "e2e_p50_ns"), "change")) > 0.15);
    json_decref(ser);
    json_decref(all);
    /* flat noise with one run three times as slow: no change point */
    all = history_of(20, flat, 3, NULL);
    json_array_set_new(all, 10, fig_entry("c11", 900e3, NULL, 0));
    ser = changes(all, NULL);
    assert_string_equal(sget(series_for(ser, "e2e_p50_ns"), "verdict"), "no change");
    json_decref(ser);
    /* a partial run is left out (and said so) */
    json_array_append_new(all, fig_entry("c21", 900e3, NULL, 1));
    ser = changes(all, NULL);
    s = series_for(ser, "e2e_p50_ns");
    assert_int_equal(json_integer_value(json_object_get(s, "runs")), 20);
    assert_string_equal(sget(s, "note"), "1 partial run left out");
    json_decref(ser);
    json_decref(all);
    /* deterministic runs: the median's every change beyond 1%, no statistics, even in 3 runs */
    all = json_array();
    json_array_append_new(all, fig_entry("d1", 300e3, "deterministic", 0));
    json_array_append_new(all, fig_entry("d2", 300.1e3, "deterministic", 0));
    json_array_append_new(all, fig_entry("d3", 345e3, "deterministic", 0));
    ser = changes(all, NULL);
    s = series_for(ser, "e2e_p50_ns");
    assert_string_equal(sget(s, "method"), "deterministic");
    cps = json_object_get(s, "change_points");
    assert_int_equal(json_array_size(cps), 1);
    assert_string_equal(sget(json_array_get(cps, 0), "commit"), "d3");
    assert_true(json_is_null(json_object_get(json_array_get(cps, 0), "p_value")));
    assert_string_equal(sget(s, "verdict"), "regression");
    /* the tails of deterministic runs do not repeat: statistics there */
    assert_string_equal(sget(series_for(ser, "e2e_p99_ns"), "method"), "e-divisive");
    assert_string_equal(sget(series_for(ser, "e2e_p99_ns"), "verdict"), "too few runs");
    json_decref(ser);
    /* one run that is not deterministic: statistics for the whole series */
    json_array_append_new(all, fig_entry("d4", 345e3, "smp", 0));
    ser = changes(all, NULL);
    assert_string_equal(sget(series_for(ser, "e2e_p50_ns"), "method"), "e-divisive");
    json_decref(ser);
    json_decref(all);
    /* one run: too few; a configuration gone from the newest run */
    all = json_array();
    json_array_append_new(all, fig_entry("o1", 300e3, NULL, 0));
    ser = changes(all, NULL);
    assert_string_equal(sget(series_for(ser, "e2e_p50_ns"), "verdict"), "too few runs");
    json_decref(ser);
    json_array_append_new(all, json_pack("{s:i,s:s,s:s,s:{}}", "smclat_regress", 1, "commit", "o2",
                                         "date", "x", "configs"));
    ser = changes(all, NULL);
    assert_string_equal(sget(series_for(ser, "e2e_p50_ns"), "verdict"), "not in this run");
    json_decref(ser);
    json_decref(all);
}

static void test_validate(void **state)
{
    (void)state;
    char err[512];
    json_t *h = json_array(), *w = json_array();
    json_array_append_new(h, fig_entry("a", 1, NULL, 0));
    json_array_append_new(h, fig_entry("b", 1, NULL, 0));
    json_array_append_new(h, fig_entry("b", 1, NULL, 0)); /* run again: a warning */
    json_t *e = fig_entry("c", 1, NULL, 0);
    assert_int_equal(sm_regress_validate(h, e, w, err, sizeof err), 0);
    assert_int_equal(json_array_size(w), 1);
    assert_string_equal(json_string_value(json_array_get(w, 0)),
                        "commit b: run again at line 3: its runs are kept together (no change "
                        "point between them)");
    json_decref(e);
    /* the newest run of an old commit: an error */
    e = fig_entry("a", 1, NULL, 0);
    assert_int_equal(sm_regress_validate(h, e, w, err, sizeof err), -1);
    assert_string_equal(err, "commit a: already at line 1 with other commits after it: expected "
                             "a new commit (--commit ID)");
    json_decref(e);
    /* an old commit again inside the history */
    json_array_append_new(h, fig_entry("a", 1, NULL, 0));
    e = fig_entry("z", 1, NULL, 0);
    assert_int_equal(sm_regress_validate(h, e, w, err, sizeof err), -1);
    assert_string_equal(err, "line 4: commit a already at line 1 with other commits between: "
                             "expected the runs in commit order (remove one of them)");
    json_decref(e);
    json_decref(h);
    json_decref(w);
    /* commits nobody knew: each run its own (change points between them), one warning */
    h = json_array();
    w = json_array();
    json_array_append_new(h, fig_entry("unknown", 1, NULL, 0));
    json_array_append_new(h, fig_entry("x", 1, NULL, 0));
    json_array_append_new(h, fig_entry("unknown", 1, NULL, 0));
    e = fig_entry("unknown", 1, NULL, 0);
    assert_int_equal(sm_regress_validate(h, e, w, err, sizeof err), 0);
    assert_int_equal(json_array_size(w), 1);
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "commit is unknown"));
    json_decref(e);
    json_decref(h);
    json_decref(w);
    json_t *all = json_array();
    json_array_append_new(all, fig_entry("unknown", 300e3, "deterministic", 0));
    json_array_append_new(all, fig_entry("unknown", 400e3, "deterministic", 0));
    json_t *ser = changes(all, NULL);
    assert_int_equal(
        json_array_size(json_object_get(series_for(ser, "e2e_p50_ns"), "change_points")), 1);
    json_decref(ser);
    json_decref(all);
}

static void test_ci_outputs(void **state)
{
    (void)state;
    json_t *all = history_of(12, step_at_8, 1, NULL), *ser = changes(all, NULL);
    json_t *checks = json_array(), *warn = json_pack("[s]", "a warning | with a bar");
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(sm_regress_junit(f, "c12", "2026-12-01", checks, ser), 1);
    fclose(f);
    assert_non_null(strstr(buf, "<testsuites name=\"smclat regress\" tests=\"5\" failures=\"1\" "
                                "skipped=\"0\">"));
    assert_non_null(strstr(buf, "<testcase classname=\"cfg\" name=\"e2e_p50_ns\" time=\"0\">\n"
                                "    <failure type=\"change point\" message=\"e2e_p50_ns: "));
    assert_non_null(strstr(buf, "change point at commit c9 (after c8; p = "));
    free(buf);
    struct sm_regress_opts o;
    sm_regress_default_opts(&o);
    f = open_memstream(&buf, &len);
    assert_int_equal(sm_regress_summary_md(f, "c12", checks, ser, warn, 12, &o), 0);
    fclose(f);
    assert_non_null(strstr(buf, "## smclat regress: c12 — **FAIL**"));
    assert_non_null(strstr(buf, "| cfg | e2e_p50_ns | c9 | "));
    assert_non_null(strstr(buf, "- a warning \\| with a bar\n"));
    free(buf);
    json_decref(checks);
    json_decref(warn);
    json_decref(ser);
    json_decref(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions),  cmocka_unit_test(test_history_file),
        cmocka_unit_test(test_changes),    cmocka_unit_test(test_validate),
        cmocka_unit_test(test_ci_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
