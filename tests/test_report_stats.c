/* Statistics and the compare/regress decisions on constructed data with known answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "compare.h"
#include "stats.h"

/* n log-normal latencies around 100 us (sigma 0.3), times factor, from a seeded generator. */
static double *lognormal(size_t n, unsigned long seed, double factor)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = factor * gsl_ran_lognormal(r, log(100e3), 0.3);
    gsl_rng_free(r);
    return v;
}

static void test_quantiles(void **state)
{
    (void)state;
    double v[] = {5, 1, 4, 2, 3};
    double *s = sm_sorted_copy(v, 5);
    assert_true(sm_quantile_sorted(s, 5, 0.0) == 1);
    assert_true(sm_quantile_sorted(s, 5, 0.5) == 3);
    assert_true(sm_quantile_sorted(s, 5, 1.0) == 5);
    assert_true(fabs(sm_quantile_sorted(s, 5, 0.25) - 2) < 1e-12);
    assert_true(isnan(sm_quantile_sorted(s, 0, 0.5)));
    free(s);
}

static void test_mwu_exact(void **state)
{
    (void)state;
    /* 3 vs 3, complete separation: U = 0, P(U = 0) = 1/20, two-sided 0.1 */
    double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    struct sm_mwu m;
    assert_int_equal(sm_mwu_test(a, 3, b, 3, &m), 0);
    assert_true(m.exact);
    assert_true(m.u == 0);
    assert_true(fabs(m.p - 0.1) < 1e-12);
    assert_true(m.auc == 0);
    /* interleaved: U = 4.5 can't happen without ties; a = {1,4,5}, b = {2,3,6}: U = 4 */
    double c[] = {1, 4, 5}, d[] = {2, 3, 6};
    assert_int_equal(sm_mwu_test(c, 3, d, 3, &m), 0);
    assert_true(m.u == 4);
    /* P(U <= 4) for 3,3 = (1+1+2+3+3)/20 = 0.5: two-sided p = 1 */
    assert_true(fabs(m.p - 1.0) < 1e-12);
    /* empty sample */
    assert_int_equal(sm_mwu_test(a, 0, b, 3, &m), -1);
    assert_true(m.p == 1);
}

static void test_mwu_normal(void **state)
{
    (void)state;
    double a[40], b[40];
    for (int i = 0; i < 40; i++) {
        a[i] = i + 1;
        b[i] = i + 41;
    }
    struct sm_mwu m;
    assert_int_equal(sm_mwu_test(a, 40, b, 40, &m), 0);
    assert_false(m.exact);
    /* z = (0 - 800 + 0.5) / sqrt(40*40*81/12) = -7.693 */
    assert_true(fabs(m.z + 7.693) < 0.001);
    assert_true(m.p < 1e-12);
    /* all equal: no difference at all */
    double e[40];
    for (int i = 0; i < 40; i++)
        e[i] = 7;
    assert_int_equal(sm_mwu_test(e, 40, e, 40, &m), 0);
    assert_true(m.p == 1);
}

static void test_bootstrap(void **state)
{
    (void)state;
    double a[50], b[60];
    for (int i = 0; i < 50; i++)
        a[i] = 100;
    for (int i = 0; i < 60; i++)
        b[i] = 110;
    struct sm_boot bo;
    assert_int_equal(sm_bootstrap_quantile_diff(a, 50, b, 60, 0.99, 200, 1, 0.95, &bo), 0);
    assert_true(bo.diff == 10 && bo.lo == 10 && bo.hi == 10);
    /* the same seed gives the same interval */
    double *x = lognormal(300, 3, 1), *y = lognormal(300, 4, 1);
    struct sm_boot b1, b2;
    sm_bootstrap_quantile_diff(x, 300, y, 300, 0.5, 500, 9, 0.95, &b1);
    sm_bootstrap_quantile_diff(x, 300, y, 300, 0.5, 500, 9, 0.95, &b2);
    assert_true(b1.lo == b2.lo && b1.hi == b2.hi);
    assert_true(b1.lo <= b1.diff && b1.diff <= b1.hi);
    free(x);
    free(y);
}

static void test_holm(void **state)
{
    (void)state;
    double p[] = {0.01, 0.04, 0.03};
    sm_holm_adjust(p, 3);
    assert_true(fabs(p[0] - 0.03) < 1e-12);
    assert_true(fabs(p[1] - 0.06) < 1e-12);
    assert_true(fabs(p[2] - 0.06) < 1e-12);
}

static struct sm_cmp decide(const double *a, size_t na, const double *b, size_t nb,
                            double min_effect)
{
    struct sm_cmp_opts o;
    sm_cmp_default_opts(&o);
    o.min_effect = min_effect;
    o.iters = 1000;
    struct sm_cmp c;
    assert_int_equal(sm_cmp_samples(a, na, b, nb, &o, &c), 0);
    sm_cmp_decide(&c, &o);
    return c;
}

static void test_decisions(void **state)
{
    (void)state;
    /* equal distributions (two draws) -> no difference */
    double *a = lognormal(500, 11, 1), *a2 = lognormal(500, 12, 1);
    struct sm_cmp c = decide(a, 500, a2, 500, 0.01);
    assert_int_equal(c.median_verdict, 0);
    assert_int_equal(c.tail_verdict, 0);
    /* the very same sample -> no difference, p = 1 */
    c = decide(a, 500, a, 500, 0.0);
    assert_true(c.mwu.p > 0.99);
    assert_int_equal(c.median_verdict, 0);
    /* clearly shifted (x1.5) -> slower in the median and the tail; and the other way round */
    double *b = lognormal(500, 13, 1.5);
    c = decide(a, 500, b, 500, 0.01);
    assert_int_equal(c.median_verdict, +1);
    assert_int_equal(c.tail_verdict, +1);
    assert_true(c.mwu.p < 1e-10);
    assert_true(c.d50.lo > 0);
    c = decide(b, 500, a, 500, 0.01);
    assert_int_equal(c.median_verdict, -1);
    assert_int_equal(c.tail_verdict, -1);
    /* shifted, but below the smallest effect worth calling -> no difference */
    double *b2 = lognormal(500, 13, 1.5);
    c = decide(a, 500, b2, 500, 0.8);
    assert_int_equal(c.median_verdict, 0);
    /* 100 calls, twice as slow: the median says so, p99 has too few calls beyond it to judge */
    double *m1 = lognormal(100, 21, 1), *m2 = lognormal(100, 22, 2);
    c = decide(m1, 100, m2, 100, 0.01);
    assert_int_equal(c.median_verdict, +1);
    assert_false(c.tail_testable);
    assert_int_equal(c.tail_verdict, 0);
    free(m1);
    free(m2);
    /* small n: 3 against 3 twice as slow, complete separation: p = 0.1 -> not significant */
    double s1[] = {100, 101, 102}, s2[] = {200, 201, 202};
    c = decide(s1, 3, s2, 3, 0.01);
    assert_true(fabs(c.mwu.p - 0.1) < 1e-12);
    assert_int_equal(c.median_verdict, 0);
    free(a);
    free(a2);
    free(b);
    free(b2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles),  cmocka_unit_test(test_mwu_exact),
        cmocka_unit_test(test_mwu_normal), cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_holm),       cmocka_unit_test(test_decisions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
