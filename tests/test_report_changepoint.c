/* Change points on synthetic series with known answers: a step, a slow drift, a single outlier
 * (no change), flat noise (the false-positive rate over many seeds), exact series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "changepoint.h"

/* n runs of noise around level 100 (sd in percent), normal or log-normal (heavy right tail). */
static void noise(double *x, size_t n, unsigned long seed, double sd_pct, int lognormal)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = lognormal ? 100 * gsl_ran_lognormal(r, 0, sd_pct / 100)
                         : 100 + gsl_ran_gaussian(r, sd_pct);
    gsl_rng_free(r);
}

static int find(const double *x, size_t n, struct sm_cp **cps)
{
    struct sm_cp_opts o;
    sm_cp_default_opts(&o);
    return sm_changepoints(x, n, NULL, &o, cps);
}

static void test_energy(void **state)
{
    (void)state;
    /* {0,0,1,1} at 2: cross 4 pairs of distance 1, no distance within: E = 2*4/4 = 2,
     * Q = (2*2/4) * 2 = 2; at 1: cross 2, right pairs 2 of 3: E = 2*2/3 - 2/3 = 2/3, Q = 3/4 E */
    const double x[] = {0, 0, 1, 1};
    assert_true(fabs(sm_cp_energy(x, 4, 2) - 2) < 1e-12);
    assert_true(fabs(sm_cp_energy(x, 4, 1) - 0.5) < 1e-12);
    const double flat[] = {3, 3, 3, 3, 3};
    assert_true(sm_cp_energy(flat, 5, 2) == 0);
}

static void test_step(void **state)
{
    (void)state;
    /* 30 runs at 100, then 20 at 115 (+15%), noise 2%: one change at run 30, over 20 seeds */
    for (unsigned long seed = 1; seed <= 20; seed++) {
        double x[50];
        noise(x, 50, seed, 2, 0);
        for (size_t i = 30; i < 50; i++)
            x[i] += 15;
        struct sm_cp *cps;
        int k = find(x, 50, &cps);
        assert_int_equal(k, 1);
        assert_int_equal(cps[0].index, 30);
        assert_true(cps[0].p <= 0.01);
        assert_true(fabs(cps[0].before - 100) < 2 && fabs(cps[0].after - 115) < 2);
        assert_int_equal(cps[0].n_before, 30);
        assert_int_equal(cps[0].n_after, 20);
        free(cps);
    }
    /* the newest two runs only: a step with few runs after it */
    double x[22];
    noise(x, 22, 99, 1, 0);
    x[20] += 20;
    x[21] += 20;
    struct sm_cp *cps;
    assert_int_equal(find(x, 22, &cps), 1);
    assert_int_equal(cps[0].index, 20);
    assert_int_equal(cps[0].n_after, 2);
    free(cps);
}

static void test_drift(void **state)
{
    (void)state;
    /* 15 flat runs, then 10 commits each +2% (under a 10% threshold), then 15 flat runs at
     * +20%; noise 1%. At least one change inside the drift, and from the first segment to the
     * last the level rose by more than 10%. */
    for (unsigned long seed = 1; seed <= 20; seed++) {
        double x[40];
        noise(x, 40, 100 + seed, 1, 0);
        for (size_t i = 15; i < 40; i++)
            x[i] += 2.0 * (double)(i < 25 ? i - 14 : 10);
        struct sm_cp *cps;
        int k = find(x, 40, &cps);
        assert_true(k >= 1);
        for (int i = 0; i < k; i++)
            assert_true(cps[i].index >= 14 && cps[i].index <= 26);
        assert_true(cps[k - 1].after / cps[0].before - 1 > 0.10);
        free(cps);
    }
}

static void test_outlier(void **state)
{
    (void)state;
    /* one run three times as slow, in the middle, second or newest, over 50 seeds: the change
     * points are those of the same series without it (flat noise has its own false positives,
     * test_flat_noise), never one beside the outlier */
    const size_t where[] = {20, 1, 39};
    int differ = 0, beside = 0, total = 0;
    for (unsigned long seed = 1; seed <= 50; seed++)
        for (size_t w = 0; w < 3; w++) {
            double x[40];
            noise(x, 40, 200 + seed, 2, 0);
            struct sm_cp *c0, *c1;
            int k0 = find(x, 40, &c0);
            x[where[w]] = 300;
            int k1 = find(x, 40, &c1);
            total++;
            int same = k0 == k1;
            for (int i = 0; same && i < k0; i++)
                same = c0[i].index == c1[i].index;
            differ += !same;
            for (int i = 0; i < k1; i++)
                beside += c1[i].index == where[w] || c1[i].index == where[w] + 1;
            free(c0);
            free(c1);
        }
    printf("outlier: change points differ from the series without it in %d of %d, beside it "
           "%d\n",
           differ, total, beside);
    assert_int_equal(beside, 0);
    assert_true(differ <= total / 50);
}

/* The fraction of flat series of n runs in which a change is found. */
static double false_positive_rate(size_t n, int seeds, double sd, int lognormal)
{
    int hits = 0;
    for (int s = 0; s < seeds; s++) {
        double *x = malloc(n * sizeof *x);
        noise(x, n, 1000 + (unsigned long)s, sd, lognormal);
        struct sm_cp *cps;
        hits += find(x, n, &cps) > 0;
        free(cps);
        free(x);
    }
    return (double)hits / seeds;
}

static void test_flat_noise(void **state)
{
    (void)state;
    /* 500 seeds each: normal noise of 5% over 30 runs, log-normal (sigma 0.3, a heavy right
     * tail) over 30 and 100 runs. alpha is 0.01 per test; binary segmentation tests the
     * strongest split first and stops at the first that fails, so the rate of series with any
     * change should be near alpha. Bound: 2%. docs/reports.md states the measured rates. */
    double r1 = false_positive_rate(30, 500, 5, 0);
    double r2 = false_positive_rate(30, 500, 30, 1);
    double r3 = false_positive_rate(100, 500, 30, 1);
    printf("false-positive rate: normal 30 runs %.3f, log-normal 30 runs %.3f, 100 runs %.3f\n", r1,
           r2, r3);
    assert_true(r1 <= 0.02);
    assert_true(r2 <= 0.02);
    assert_true(r3 <= 0.02);
}

static void test_power(void **state)
{
    (void)state;
    /* a step of 3 standard deviations after 20 of 30 runs: found in at least 95% of 200 seeds */
    int found = 0;
    for (unsigned long s = 0; s < 200; s++) {
        double x[30];
        noise(x, 30, 5000 + s, 2, 0);
        for (size_t i = 20; i < 30; i++)
            x[i] += 6;
        struct sm_cp *cps;
        int k = find(x, 30, &cps);
        found += k >= 1 && cps[k - 1].index >= 19 && cps[k - 1].index <= 21;
        free(cps);
    }
    printf("3-sigma step found at its run in %d of 200 series\n", found);
    assert_true(found >= 190);
}

static void test_exact(void **state)
{
    (void)state;
    const double x[] = {5, 5, 5, 7, 7, 7, 5, 5};
    struct sm_cp *cps;
    assert_int_equal(sm_changepoints_exact(x, 8, NULL, 1e-9, &cps), 2);
    assert_int_equal(cps[0].index, 3);
    assert_true(cps[0].before == 5 && cps[0].after == 7);
    assert_int_equal(cps[0].n_before, 3);
    assert_int_equal(cps[0].n_after, 3);
    assert_int_equal(cps[1].index, 6);
    assert_int_equal(cps[1].n_after, 2);
    assert_true(cps[1].p == 0);
    free(cps);
    /* a flat exact series: none, even a single run */
    const double f[] = {4, 4, 4 * (1 + 1e-12)};
    assert_int_equal(sm_changepoints_exact(f, 3, NULL, 1e-9, &cps), 0);
    assert_null(cps);
    assert_int_equal(sm_changepoints_exact(f, 1, NULL, 1e-9, &cps), 0);
}

static void test_split_ok(void **state)
{
    (void)state;
    /* runs 2 and 3 are one commit run twice: no change between them, even a step; the
     * statistical search obeys the same mask */
    const double x[] = {1, 1, 1, 2, 2};
    const unsigned char ok[] = {1, 1, 1, 0, 1};
    struct sm_cp *cps;
    assert_int_equal(sm_changepoints_exact(x, 5, ok, 1e-9, &cps), 0);
    double y[40];
    noise(y, 40, 7, 1, 0);
    for (size_t i = 20; i < 40; i++)
        y[i] += 20;
    unsigned char mask[40];
    for (size_t i = 0; i < 40; i++)
        mask[i] = i != 20;
    struct sm_cp_opts o;
    sm_cp_default_opts(&o);
    int k = sm_changepoints(y, 40, mask, &o, &cps);
    assert_true(k >= 1);
    for (int i = 0; i < k; i++)
        assert_true(cps[i].index != 20);
    free(cps);
    /* too few runs: none */
    assert_int_equal(sm_changepoints(y, 3, NULL, &o, &cps), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_energy),     cmocka_unit_test(test_step),
        cmocka_unit_test(test_drift),      cmocka_unit_test(test_outlier),
        cmocka_unit_test(test_flat_noise), cmocka_unit_test(test_power),
        cmocka_unit_test(test_exact),      cmocka_unit_test(test_split_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
