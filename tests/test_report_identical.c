/* Two deterministic runs identical call for call (reports/identical.c): the per-call share of
 * equal figures, p50/p99/max, and the verdict on results folders made in both modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "identical.h"
#include "regress.h"
#include "report_testutil.h"

static void test_same_fraction(void **state)
{
    (void)state;
    const double a[] = {1, 2, 3, NAN}, b[] = {1, 2, 4, NAN}, c[] = {1, 2};
    assert_true(sm_same_fraction(a, 4, a, 4) == 1);
    assert_true(sm_same_fraction(a, 4, b, 4) == 0.75); /* two NaNs agree */
    assert_true(sm_same_fraction(a, 4, c, 2) == 0.5);  /* over the longer one */
    assert_true(sm_same_fraction(NULL, 0, NULL, 0) == 1);
}

static void test_quantiles(void **state)
{
    (void)state;
    double a[200], b[200];
    for (int i = 0; i < 200; i++)
        a[i] = b[i] = 1000 + i;
    assert_true(sm_quantiles_same(a, 200, b, 200));
    /* the same values in another order: same distribution */
    b[0] = 1199;
    b[199] = 1000;
    assert_true(sm_quantiles_same(a, 200, b, 200));
    b[199] = 1000 + 250; /* the max moves */
    b[0] = 1000;
    assert_false(sm_quantiles_same(a, 200, b, 200));
    assert_false(sm_quantiles_same(a, 200, b, 199));
}

/* a results folder: calls-trace.csv (n calls, e2e 100000 + 16 i ns, call k's e2e + d) and
 * run.json with MODE */
static char *folder(const char *mode, int n, int k, double d)
{
    char *dir = tu_tmpdir();
    size_t cap = 64 + (size_t)n * 64;
    char *csv = malloc(cap), *p = csv;
    p += sprintf(p, "call,e2e_ns,mediator_wake_ns,switches\n");
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%d,%.0f,%d,%d\n", i, 100000 + 16.0 * i + (i == k ? d : 0), 4000 + i % 7,
                     2 + i % 2);
    free(tu_write(dir, "calls-trace.csv", csv));
    free(csv);
    char js[128];
    snprintf(js, sizeof js, "{\"smclat_run\": 1, \"status\": \"ok\", \"mode\": \"%s\"}\n", mode);
    free(tu_write(dir, "run.json", js));
    return dir;
}

static void verdict(const char *ma, const char *mb, int n, int k, double d, struct sm_identical *s)
{
    char *da = folder(ma, n, -1, 0), *db = folder(mb, n, k, d), err[SM_RUN_ERR_MAX];
    struct sm_run *a = sm_run_load(da, err, sizeof err), *b = sm_run_load(db, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    sm_runs_identical(a, b, SM_IDENTICAL_MIN_SAME, s);
    sm_run_free(a);
    sm_run_free(b);
    tu_rm_tree(da);
    tu_rm_tree(db);
    free(da);
    free(db);
}

static void test_runs(void **state)
{
    (void)state;
    struct sm_identical s;
    verdict("deterministic", "deterministic", 200, -1, 0, &s);
    assert_true(s.deterministic && s.identical && s.quantiles_same);
    assert_int_equal(s.na, 200);
    assert_true(s.same_e2e == 1 && s.same_wake == 1 && s.same_switches == 1);
    /* one call of 200 differs in the middle (99.5% same, p50/p99/max unchanged): identical */
    verdict("deterministic", "deterministic", 200, 50, 16, &s);
    assert_true(s.identical);
    assert_true(s.same_e2e == 0.995);
    /* one call of 50 (98%): not */
    verdict("deterministic", "deterministic", 50, 10, 16, &s);
    assert_false(s.identical);
    /* the slowest call slower: the max moves, not identical though 99.5% agree */
    verdict("deterministic", "deterministic", 200, 199, 16, &s);
    assert_false(s.identical);
    assert_false(s.quantiles_same);
    /* smp runs are never called identical, even equal ones */
    verdict("smp", "deterministic", 200, -1, 0, &s);
    assert_false(s.deterministic);
    assert_false(s.identical);
}

/* a regress history line: one configuration, its mode and 600 e2e samples (1 ms + 1 us i,
 * times scale) */
static json_t *entry(const char *commit, const char *mode, double scale)
{
    json_t *smp = json_array();
    for (int i = 0; i < 600; i++)
        json_array_append_new(smp, json_real((1e6 + 1e3 * i) * scale));
    return json_pack("{s:i,s:s,s:s,s:{s:{s:s,s:b,s:{s:o},s:b}}}", "smclat_regress", 1, "commit",
                     commit, "date", "2026-12-05", "configs", "c", "mode", mode, "partial", 0,
                     "samples", "e2e_ns", smp, "regressed", 0);
}

static const char *check(const char *mode, double scale, int *regressions)
{
    static char v[64];
    json_t *h = json_pack("[o]", entry("a", mode, 1)), *e = entry("b", mode, scale), *rep;
    struct sm_regress_opts o;
    sm_regress_default_opts(&o);
    o.iters = 200;
    *regressions = sm_regress_check(h, e, &o, &rep);
    snprintf(v, sizeof v, "%s",
             json_string_value(json_object_get(json_array_get(rep, 0), "verdict")));
    json_decref(h);
    json_decref(e);
    json_decref(rep);
    return v;
}

static void test_regress(void **state)
{
    (void)state;
    int r;
    assert_string_equal(check("deterministic", 1, &r), "identical");
    assert_int_equal(r, 0);
    assert_string_equal(check("smp", 1, &r), "same"); /* tested, not identical */
    assert_string_equal(check("deterministic", 1.2, &r), "regression");
    assert_true(r > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_fraction),
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_regress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
