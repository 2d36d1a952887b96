/* Unit tests of the scheduler model (trace-parse/model.c) on traces built by tracegen, with
 * totals worked out by hand from xenalyze's rules (docs/analyze.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analyze_fixture.h"

enum { RUN = 0, RNBL = 1, BLK = 2 };
#define IDLE 0x7fff

static const struct sm_vcpu *vcpu(struct fx *f, unsigned d, unsigned v)
{
    const struct sm_vcpu *x = sm_model_vcpu(f->model, (uint16_t)d, (uint16_t)v);
    assert_non_null(x);
    return x;
}

/* running, blocked, woken, running, preempted, running to the pCPU's last record. */
static void test_totals_wake_and_preempt(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 4096);
    tg_switch(g, 0, 990, IDLE, 0, 1, 0);
    tg_runstate(g, 0, 1000, 1, 0, RNBL, RUN);
    tg_runstate(g, 0, 3000, 1, 0, RUN, BLK);
    tg_wake(g, 0, 4990, 1, 0);
    tg_runstate(g, 0, 5000, 1, 0, BLK, RNBL);
    tg_runstate(g, 0, 5500, 1, 0, RNBL, RUN);
    tg_runstate(g, 0, 7000, 1, 0, RUN, RNBL);
    tg_runstate(g, 0, 7400, 1, 0, RNBL, RUN);
    tg_wake(g, 0, 9000, 3, 0); /* the pCPU's last record */
    struct fx *f = fx_run(g, -1, -1);
    const struct sm_vcpu *v = vcpu(f, 1, 0);
    assert_int_equal(v->ticks[RUN], 2000 + 1500 + 1600);
    assert_int_equal(v->count[RUN], 3);
    assert_int_equal(v->ticks[BLK], 2000);
    assert_int_equal(v->ticks[RNBL], 500 + 400);
    assert_int_equal(v->count[RNBL], 2);
    assert_int_equal(sm_hist_count(v->wake), 1);
    assert_int_equal(sm_hist_max(v->wake), 500);
    assert_int_equal(sm_hist_count(v->preempt), 1);
    assert_int_equal(sm_hist_max(v->preempt), 400);
    assert_int_equal(v->wakes, 1);
    assert_int_equal(sm_model_stats(f->model)->first_state_mismatches, 0);
    assert_int_equal(sm_model_stats(f->model)->inconsistencies, 0);
    fx_free(f);
}

/* A vCPU already running at the start shows up as a CONTINUE: counted from the pCPU's first
 * record, and each CONTINUE closes and reopens a running interval. */
static void test_continue_counts_from_pcpu_start(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 4096);
    tg_wake(g, 0, 100, 5, 0);
    tg_continue(g, 0, 1000, 2, 0);
    tg_continue(g, 0, 1500, 2, 0);
    tg_runstate(g, 0, 2000, 2, 0, RUN, BLK);
    tg_wake(g, 0, 2600, 2, 0);
    struct fx *f = fx_run(g, -1, -1);
    const struct sm_vcpu *v = vcpu(f, 2, 0);
    assert_int_equal(v->ticks[RUN], 1900);
    assert_int_equal(v->count[RUN], 2);
    assert_int_equal(v->ticks[BLK], 0); /* blocked tail dropped */
    assert_int_equal(v->count[BLK], 0);
    fx_free(f);
}

/* First seen mid-state: not counted until it runs; blocked/runnable before that are unknown. */
static void test_first_seen_mid_state(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 4096);
    tg_runstate(g, 0, 1000, 4, 0, BLK, RNBL);
    tg_runstate(g, 0, 3000, 4, 0, RNBL, RUN);
    tg_runstate(g, 0, 4000, 4, 0, RUN, BLK);
    tg_wake(g, 0, 6000, 9, 0);
    struct fx *f = fx_run(g, -1, -1);
    const struct sm_vcpu *v = vcpu(f, 4, 0);
    assert_true(v->counted);
    assert_int_equal(v->ticks[RNBL], 0);
    assert_int_equal(v->ticks[RUN], 1000);
    assert_int_equal(sm_hist_count(v->wake), 0);
    fx_free(f);
}

/* pCPU streams that disagree: the record's old state is not the model's. Counted, believed. */
static void test_mismatch_counted_and_believed(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(2, 4096);
    tg_runstate(g, 0, 1000, 1, 0, RNBL, RUN);
    tg_runstate(g, 0, 2000, 1, 0, RUN, BLK);
    tg_runstate(g, 1, 2500, 1, 0, RNBL, RUN); /* says runnable, the model has it blocked */
    tg_runstate(g, 1, 3000, 1, 0, RUN, BLK);
    tg_wake(g, 0, 3500, 7, 0);
    struct fx *f = fx_run(g, -1, -1);
    const struct sm_vcpu *v = vcpu(f, 1, 0);
    assert_int_equal(sm_model_stats(f->model)->first_state_mismatches, 1);
    assert_int_equal(v->ticks[RUN], 1000 + 500);
    assert_int_equal(v->ticks[BLK], 500);
    fx_free(f);
}

/* Two pCPUs, records interleaved in small chunks; a vCPU moves between them; each pCPU's
 * running vCPU is closed at that pCPU's own last record. */
static void test_interleaved_pcpus_close_at_own_last_record(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(2, 64);
    tg_switch(g, 0, 100, IDLE, 0, 1, 0);
    tg_runstate(g, 0, 110, 1, 0, RNBL, RUN);
    tg_switch(g, 1, 120, IDLE, 1, 2, 0);
    tg_runstate(g, 1, 130, 2, 0, RNBL, RUN);
    tg_runstate(g, 0, 1000, 1, 0, RUN, RNBL);
    tg_switch(g, 1, 1100, 2, 0, 1, 0);
    tg_runstate(g, 1, 1110, 2, 0, RUN, BLK);
    tg_runstate(g, 1, 1120, 1, 0, RNBL, RUN); /* d1v0 moved to pCPU1 */
    for (int i = 0; i < 20; i++)
        tg_wake(g, 0, 1200 + 10 * (uint64_t)i, 9, 0); /* pCPU0 goes on to 1390 */
    tg_wake(g, 1, 5000, 9, 0);                        /* pCPU1's last record */
    struct fx *f = fx_run(g, -1, -1);
    const struct sm_vcpu *v1 = vcpu(f, 1, 0), *v2 = vcpu(f, 2, 0);
    assert_int_equal(v1->ticks[RUN], (1000 - 110) + (5000 - 1120));
    assert_int_equal(v1->ticks[RNBL], 120);
    assert_int_equal(sm_hist_count(v1->preempt), 1);
    assert_int_equal(v2->ticks[RUN], 1110 - 130);
    assert_int_equal(sm_model_npcpus(f->model), 2);
    assert_int_equal(sm_model_stats(f->model)->inconsistencies, 0);
    uint16_t d, vv;
    assert_int_equal(sm_model_pcpu_current(f->model, 1, &d, &vv), 1);
    assert_int_equal(d, 1);
    fx_free(f);
}

/* A SWITCH whose prev is not the unit the last SWITCH put there, and a ->running of a vCPU
 * the SWITCH did not name, are inconsistencies. */
static void test_switch_runstate_inconsistency(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 4096);
    tg_switch(g, 0, 100, IDLE, 0, 1, 0);
    tg_runstate(g, 0, 110, 1, 0, RNBL, RUN);
    tg_switch(g, 0, 200, 3, 0, 2, 0); /* prev should be d1v0 */
    tg_runstate(g, 0, 210, 1, 0, RUN, BLK);
    tg_runstate(g, 0, 220, 4, 0, RNBL, RUN); /* SWITCH said d2v0 */
    struct fx *f = fx_run(g, -1, -1);
    assert_int_equal(sm_model_stats(f->model)->inconsistencies, 2);
    assert_int_equal(sm_model_stats(f->model)->switches, 2);
    fx_free(f);
}

/* Lost records: the running vCPU is closed at the first lost record and forgotten until a
 * record shows it running again. */
static void test_lost_records_close_running(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 4096);
    tg_runstate(g, 0, 1000, 1, 0, RNBL, RUN);
    tg_lost(g, 0, 5000, 42, 1, 0, 3000);
    tg_runstate(g, 0, 6000, 1, 0, RUN, BLK); /* its state across the gap is unknown */
    tg_runstate(g, 0, 7000, 1, 0, RNBL, RUN);
    tg_wake(g, 0, 8000, 9, 0);
    struct fx *f = fx_run(g, -1, -1);
    const struct sm_model_stats *st = sm_model_stats(f->model);
    assert_int_equal(st->lost_records, 42);
    assert_int_equal(st->lost_events, 1);
    const struct sm_vcpu *v = vcpu(f, 1, 0);
    assert_int_equal(v->ticks[RUN], 2000 + 1000);
    assert_int_equal(v->ticks[BLK], 0);
    fx_free(f);
}

/* Offline is a state like the others: counted, and a vCPU coming back runs again. A CONTINUE
 * on another pCPU than the one the vCPU runs on (xenalyze: FATAL) is a mismatch, and the vCPU
 * is closed at its new pCPU's last record, once. */
static void test_offline_and_continue_elsewhere(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(2, 4096);
    tg_runstate(g, 0, 1000, 1, 0, RNBL, RUN);
    tg_runstate(g, 0, 2000, 1, 0, RUN, 3);  /* running -> offline */
    tg_runstate(g, 0, 5000, 1, 0, 3, RNBL); /* offline -> runnable */
    tg_runstate(g, 0, 5100, 1, 0, RNBL, RUN);
    tg_continue(g, 1, 6000, 1, 0); /* on pCPU1, while pCPU0 has it running */
    tg_wake(g, 0, 6500, 9, 0);     /* pCPU0's last record */
    tg_wake(g, 1, 7000, 9, 0);     /* pCPU1's last record */
    struct fx *f = fx_run(g, -1, -1);
    const struct sm_vcpu *v = vcpu(f, 1, 0);
    assert_int_equal(v->ticks[3], 3000);
    assert_int_equal(v->count[3], 1);
    assert_int_equal(v->ticks[RNBL], 100);
    assert_int_equal(sm_hist_count(v->wake) + sm_hist_count(v->preempt), 0); /* from offline */
    assert_int_equal(v->ticks[RUN], 1000 + 900 + 1000);
    assert_int_equal(sm_model_stats(f->model)->first_state_mismatches, 1);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totals_wake_and_preempt),
        cmocka_unit_test(test_continue_counts_from_pcpu_start),
        cmocka_unit_test(test_first_seen_mid_state),
        cmocka_unit_test(test_mismatch_counted_and_believed),
        cmocka_unit_test(test_interleaved_pcpus_close_at_own_last_record),
        cmocka_unit_test(test_switch_runstate_inconsistency),
        cmocka_unit_test(test_lost_records_close_running),
        cmocka_unit_test(test_offline_and_continue_elsewhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
