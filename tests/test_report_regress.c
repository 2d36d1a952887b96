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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_history_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
