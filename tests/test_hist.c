/* Unit tests of the log-linear histogram against exact percentiles of sorted samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hist.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t exact_pct(const uint64_t *s, size_t n, double p)
{
    size_t rank = (size_t)((p / 100.0) * (double)n);
    if ((double)rank < p / 100.0 * (double)n)
        rank++;
    if (rank == 0)
        rank = 1;
    return s[rank - 1];
}

static void test_small_values_exact(void **state)
{
    (void)state;
    struct sm_hist *h = sm_hist_new();
    for (uint64_t v = 1; v <= 100; v++)
        sm_hist_add(h, v);
    assert_int_equal(sm_hist_count(h), 100);
    assert_int_equal(sm_hist_min(h), 1);
    assert_int_equal(sm_hist_max(h), 100);
    assert_int_equal(sm_hist_percentile(h, 50), 50);
    assert_int_equal(sm_hist_percentile(h, 90), 90);
    assert_int_equal(sm_hist_percentile(h, 99.9), 100);
    assert_true(sm_hist_mean(h) > 50.49 && sm_hist_mean(h) < 50.51);
    sm_hist_free(h);
}

static void test_random_within_error_bound(void **state)
{
    (void)state;
    enum { N = 100000 };
    uint64_t *s = malloc(N * sizeof *s);
    struct sm_hist *h = sm_hist_new();
    srand(42);
    for (size_t i = 0; i < N; i++) {
        /* log-uniform over 1 ns .. ~4 s */
        double e = (double)rand() / RAND_MAX * 32.0;
        s[i] = (uint64_t)(__builtin_exp2(e)) + (uint64_t)(rand() % 7);
        sm_hist_add(h, s[i]);
    }
    qsort(s, N, sizeof *s, cmp_u64);
    const double ps[] = {1, 5, 50, 90, 99, 99.9, 99.99};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        uint64_t want = exact_pct(s, N, ps[i]), got = sm_hist_percentile(h, ps[i]);
        double rel = want ? ((double)got - (double)want) / (double)want : 0;
        if (rel < -1.0 / 256 || rel > 1.0 / 256) /* docs/histogram.md: at most 1/256 */
            fail_msg("p%g: got %llu, exact %llu (rel %g)", ps[i], (unsigned long long)got,
                     (unsigned long long)want, rel);
    }
    assert_int_equal(sm_hist_percentile(h, 100), s[N - 1]);
    assert_int_equal(sm_hist_percentile(h, 0), s[0]);
    free(s);
    sm_hist_free(h);
}

static void test_bucket_bounds_cover_everything(void **state)
{
    (void)state;
    for (unsigned i = 0; i + 1 < SM_HIST_BUCKETS; i++) {
        assert_true(sm_hist_bucket_lo(i) <= sm_hist_bucket_hi(i));
        assert_int_equal(sm_hist_bucket_hi(i) + 1, sm_hist_bucket_lo(i + 1));
        assert_int_equal(sm_hist_index(sm_hist_bucket_lo(i)), i);
        assert_int_equal(sm_hist_index(sm_hist_bucket_hi(i)), i);
    }
    assert_int_equal(sm_hist_index(UINT64_MAX), SM_HIST_BUCKETS - 1);
}

static void test_merge_and_empty(void **state)
{
    (void)state;
    struct sm_hist *a = sm_hist_new(), *b = sm_hist_new();
    assert_int_equal(sm_hist_percentile(a, 50), 0);
    assert_int_equal(sm_hist_max(a), 0);
    sm_hist_add_n(a, 1000, 3);
    sm_hist_add(b, 5);
    sm_hist_add(b, 1000000);
    sm_hist_merge(a, b);
    assert_int_equal(sm_hist_count(a), 5);
    assert_int_equal(sm_hist_min(a), 5);
    assert_int_equal(sm_hist_max(a), 1000000);
    uint64_t p50 = sm_hist_percentile(a, 50);
    assert_true(p50 >= 1000 - 8 && p50 <= 1000 + 8);
    sm_hist_free(a);
    sm_hist_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_random_within_error_bound),
        cmocka_unit_test(test_bucket_bounds_cover_everything),
        cmocka_unit_test(test_merge_and_empty),
    };
    return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
