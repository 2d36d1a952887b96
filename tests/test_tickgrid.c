/* Unit tests of the guest timer tick learner (trace-parse/tickgrid.c): the HZ and phase found
 * from jittered tick wakes mixed with wakes at random times, the harmonic choice, and that it
 * stays off when nothing clusters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tickgrid.h"

#define RATE 62500000.0 /* QEMU's virt timer: 62.5 MHz */

/* A deterministic generator (tests must not depend on libc's rand). */
static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* n wakes of a HZ tick at phase off (ticks), one every third tick, each late by 0..jitter
 * ticks, then nrand wakes at random times over 1000 ticks. */
static void feed(struct sm_tickgrid *g, unsigned hz, uint64_t off, unsigned jitter, unsigned n,
                 unsigned nrand, uint64_t seed)
{
    uint64_t period = (uint64_t)(RATE / hz), s = seed, t0 = 1000000007ULL * period;
    for (unsigned i = 0; i < n; i++)
        sm_tickgrid_add(g, t0 + i * 3 * period + off + next(&s) % (jitter + 1));
    for (unsigned i = 0; i < nrand; i++)
        sm_tickgrid_add(g, t0 + next(&s) % (1000 * period));
}

static void test_finds_hz_and_phase(void **state)
{
    (void)state;
    struct sm_tickgrid g;
    sm_tickgrid_init(&g, RATE);
    feed(&g, 250, 71234, 3000, 200, 60, 1);
    double share;
    assert_int_equal(sm_tickgrid_hz(&g, &share), 250);
    /* the tick's 200 and the few random ones that fall in its window */
    assert_true(share > 0.7 && share < 215.0 / 260);
    uint64_t base = 5000000ULL * 250000; /* a multiple of the period, far from the samples */
    assert_true(sm_tickgrid_match(&g, base + 71234 + 1500));
    assert_true(sm_tickgrid_match(&g, base + 71234 + 2 * 250000 + 10));
    assert_false(sm_tickgrid_match(&g, base + 71234 + 125000)); /* half a period away */
    assert_false(sm_tickgrid_match(&g, base + 71234 - 20000));
}

static void test_prefers_the_tick_over_its_harmonic(void **state)
{
    (void)state;
    /* every 4 ms tick is also on a 1 ms grid: the tick is the longest period that clusters */
    struct sm_tickgrid g;
    sm_tickgrid_init(&g, RATE);
    feed(&g, 250, 10000, 2000, 100, 0, 2);
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 250);
    /* a 1000 Hz tick does not cluster on a 4 ms grid: it stays 1000 */
    sm_tickgrid_init(&g, RATE);
    feed(&g, 1000, 10000, 1000, 100, 0, 3);
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 1000);
    /* 100 Hz: the 10 ms tick, not its 1 ms harmonic */
    sm_tickgrid_init(&g, RATE);
    feed(&g, 100, 500000, 2000, 60, 0, 4);
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 100);
}

static void test_tick_among_many_random_wakes(void **state)
{
    (void)state;
    /* A busy shared pCPU: a third of the samples on the 4 ms tick, 9% on the other 1 ms
     * multiples (other timers), the rest at random times. A window is a quarter as large a
     * part of 4 ms as of 1 ms, so the random ones favour 1 ms when shares are compared raw
     * (0.50 against 0.36): compared above what an even spread puts in each window, the tick
     * is 250 Hz, and so is its window. */
    struct sm_tickgrid g;
    sm_tickgrid_init(&g, RATE);
    uint64_t s = 12, period = 250000, t0 = 1000000007ULL * period;
    for (unsigned i = 0; i < 1000; i++) {
        uint64_t t = t0 + i * 3 * period + 40000, r = next(&s) % 100;
        if (r < 35)
            sm_tickgrid_add(&g, t + next(&s) % 3000);
        else if (r < 44)
            sm_tickgrid_add(&g, t + (1 + next(&s) % 3) * (period / 4) + next(&s) % 3000);
        else
            sm_tickgrid_add(&g, t + next(&s) % period);
    }
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 250);
    uint64_t base = 5000000ULL * period;
    assert_true(sm_tickgrid_match(&g, base + 40000 + 1000));
    assert_false(sm_tickgrid_match(&g, base + 40000 + period / 4 + 1000));
}

static void test_second_cluster_is_on_a_timer(void **state)
{
    (void)state;
    /* 300 wakes on the 4 ms tick, 40 at a second phase of the guest's own 3 ms after it, 100 at
     * random times: a wake at the second phase is a timer's too; one at a phase where only
     * the random ones fall is not, nor is one beside a lone sample. */
    struct sm_tickgrid g;
    sm_tickgrid_init(&g, RATE);
    feed(&g, 250, 20000, 2000, 300, 100, 13);
    feed(&g, 250, 20000 + 187500, 1199, 40, 0, 14);
    uint64_t period = 250000;
    sm_tickgrid_add(&g, 1000000007ULL * period + 20000 + 100000);
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 250);
    uint64_t base = 5000000ULL * period;
    assert_true(sm_tickgrid_match(&g, base + 20000 + 1000));
    assert_true(sm_tickgrid_match(&g, base + 20000 + 187500 + 600));
    assert_false(sm_tickgrid_match(&g, base + 20000 + 187500 + 5000));
    assert_false(sm_tickgrid_match(&g, base + 20000 + 100000));
    assert_false(sm_tickgrid_match(&g, base + 20000 + 60000));
}

static void test_off_without_a_cluster(void **state)
{
    (void)state;
    struct sm_tickgrid g;
    sm_tickgrid_init(&g, RATE);
    feed(&g, 250, 0, 0, 0, 400, 5); /* random wakes only */
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 0);
    assert_false(sm_tickgrid_match(&g, 123456789));
    /* too few samples to decide anything */
    sm_tickgrid_init(&g, RATE);
    feed(&g, 250, 0, 100, 10, 0, 6);
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 0);
    /* an unknown rate: never on */
    sm_tickgrid_init(&g, 0);
    feed(&g, 250, 0, 100, 100, 0, 7);
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 0);
    assert_false(sm_tickgrid_match(&g, 0));
}

static void test_window_is_narrow(void **state)
{
    (void)state;
    /* Wakes spread over 6000 ticks (96 us): a random time falls in the window about 2.5% of
     * the time, not more than 4%. */
    struct sm_tickgrid g;
    sm_tickgrid_init(&g, RATE);
    feed(&g, 250, 200000, 6000, 300, 0, 8);
    uint64_t s = 9;
    unsigned in = 0, n = 20000;
    for (unsigned i = 0; i < n; i++)
        in += (unsigned)sm_tickgrid_match(&g, 77777777777ULL + next(&s) % 1000000000ULL);
    assert_true(in > n / 100 && in < n * 4 / 100);
}

static void test_window_follows_late_wakes(void **state)
{
    (void)state;
    /* A loaded host delays two thirds of the tick's wakes by 50 to 320 us (3000..20000 ticks),
     * always late; 60 wakes at random times besides. The window grows over the late ones, not
     * before the tick nor to half a period. */
    struct sm_tickgrid g;
    sm_tickgrid_init(&g, RATE);
    feed(&g, 250, 100000, 3000, 300, 0, 10);
    feed(&g, 250, 100000 + 3000, 16999, 600, 60, 11);
    uint64_t period = 250000;
    assert_int_equal(sm_tickgrid_hz(&g, NULL), 250);
    uint64_t base = 5000000ULL * period;
    assert_true(sm_tickgrid_match(&g, base + 100000 + 1000));
    assert_true(sm_tickgrid_match(&g, base + 100000 + 15000)); /* 240 us late */
    assert_false(sm_tickgrid_match(&g, base + 100000 + 30000));
    assert_false(sm_tickgrid_match(&g, base + 100000 - 5000));
    assert_false(sm_tickgrid_match(&g, base + 100000 + period / 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_hz_and_phase),
        cmocka_unit_test(test_prefers_the_tick_over_its_harmonic),
        cmocka_unit_test(test_tick_among_many_random_wakes),
        cmocka_unit_test(test_second_cluster_is_on_a_timer),
        cmocka_unit_test(test_off_without_a_cluster),
        cmocka_unit_test(test_window_is_narrow),
        cmocka_unit_test(test_window_follows_late_wakes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
