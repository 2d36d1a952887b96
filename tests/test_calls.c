/* Unit tests of the call detector (trace-parse/calls.c): each shape of docs/calls.md built with
 * tracegen, with the figures worked out by hand. Client d2, mediator d1, idle 0x7fff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze_fixture.h"
#include "join.h"

enum { RUN = 0, RNBL = 1, BLK = 2 };
#define IDLE  0x7fff
#define CLI   2
#define MED   1
#define OTHER 3 /* a noise domain */

/* The mediator has run and blocked on cpu0; the client runs on cpu0 from 310. With two pCPUs
 * cpu1 runs its idle vCPU. */
static struct tg *prelude(unsigned ncpus)
{
    struct tg *g = tg_mem_new(ncpus, 4096);
    tg_switch(g, 0, 100, IDLE, 0, MED, 0);
    tg_runstate(g, 0, 110, MED, 0, RNBL, RUN);
    tg_switch(g, 0, 200, MED, 0, IDLE, 0);
    tg_runstate(g, 0, 210, MED, 0, RUN, BLK);
    tg_switch(g, 0, 300, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 310, CLI, 0, RNBL, RUN);
    if (ncpus > 1) {
        tg_switch(g, 1, 150, MED, 0, IDLE, 1);
        tg_runstate(g, 1, 160, IDLE, 1, RNBL, RUN);
    }
    return g;
}

/* One pCPU: notify, block, mediator runs and answers, client runs. t: the notify. */
static void textbook(struct tg *g, uint64_t t)
{
    tg_wake(g, 0, t, MED, 0);
    tg_runstate(g, 0, t + 10, MED, 0, BLK, RNBL);
    tg_block(g, 0, t + 50, CLI, 0);
    tg_switch(g, 0, t + 100, CLI, 0, MED, 0);
    tg_runstate(g, 0, t + 110, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, t + 120, MED, 0, RNBL, RUN);
    tg_wake(g, 0, t + 500, CLI, 0);
    tg_runstate(g, 0, t + 510, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, t + 600, MED, 0, CLI, 0);
    tg_runstate(g, 0, t + 610, MED, 0, RUN, BLK);
    tg_runstate(g, 0, t + 620, CLI, 0, RNBL, RUN);
}

static void test_textbook(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    textbook(g, 1000);
    textbook(g, 3000);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    assert_int_equal(st->complete, 2);
    assert_int_equal(st->by_shape[SM_SHAPE_TEXTBOOK], 2);
    assert_int_equal(f->ngot, 2);
    const struct sm_call *c = &f->got[1];
    assert_int_equal(c->index, 1);
    assert_int_equal(c->shape, SM_SHAPE_TEXTBOOK);
    assert_int_equal(c->reason, SM_COMPLETE);
    assert_int_equal(c->t_notify, 3000);
    assert_int_equal(c->t_client_block, 3110);
    assert_int_equal(c->t_med_wake, 3010);
    assert_int_equal(c->t_med_run, 3120);
    assert_int_equal(c->t_answer, 3500);
    assert_int_equal(c->t_med_block, 3610);
    assert_int_equal(c->t_client_wake, 3510);
    assert_int_equal(c->t_client_run, 3620);
    assert_int_equal(c->sw_client, 1);
    assert_int_equal(c->sw_mediator, 1);
    assert_int_equal(c->sw_idle + c->sw_other, 0);
    assert_int_equal(sm_hist_max(st->e2e), 510);
    assert_int_equal(sm_hist_count(st->e2e), 2);
    assert_int_equal(sm_hist_max(st->mediator_wake), 110);
    assert_int_equal(sm_hist_max(st->mediator_run), 490);
    assert_int_equal(sm_hist_max(st->client_wake), 110);
    assert_int_equal(sm_hist_max(st->switches), 2);
    fx_free(f);
}

/* Two pCPUs: the client's own timer wakes it on cpu0 before the mediator answers on cpu1; it
 * blocks again; the call ends at its first run after the answer. */
static void test_client_woken_early(void **state)
{
    (void)state;
    struct tg *g = prelude(2);
    tg_wake(g, 0, 1000, MED, 0);
    tg_runstate(g, 0, 1010, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 1100, CLI, 0, IDLE, 0);
    tg_runstate(g, 0, 1110, CLI, 0, RUN, BLK);
    tg_switch(g, 1, 1200, IDLE, 1, MED, 0);
    tg_runstate(g, 1, 1210, MED, 0, RNBL, RUN);
    tg_wake(g, 0, 1300, CLI, 0); /* its timer, on cpu0 running idle */
    tg_runstate(g, 0, 1310, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 1350, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 1360, CLI, 0, RNBL, RUN);
    tg_switch(g, 0, 1400, CLI, 0, IDLE, 0);
    tg_runstate(g, 0, 1410, CLI, 0, RUN, BLK);
    tg_wake(g, 1, 1500, CLI, 0); /* the answer, on cpu1 running the mediator */
    tg_runstate(g, 1, 1510, CLI, 0, BLK, RNBL);
    tg_switch(g, 1, 1600, MED, 0, IDLE, 1);
    tg_runstate(g, 1, 1610, MED, 0, RUN, BLK);
    tg_switch(g, 0, 1650, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 1660, CLI, 0, RNBL, RUN);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    assert_int_equal(st->complete, 1);
    const struct sm_call *c = &f->got[0];
    assert_int_equal(c->shape, SM_SHAPE_CLIENT_WOKEN_EARLY);
    assert_true(c->client_woken_early);
    assert_int_equal(c->t_client_run, 1660);
    assert_int_equal(sm_hist_max(st->e2e), 550);
    assert_int_equal(sm_hist_max(st->client_wake), 150);
    assert_int_equal(sm_hist_max(st->mediator_wake), 200);
    assert_int_equal(sm_hist_max(st->mediator_run), 400);
    assert_int_equal(c->sw_client, 2);
    assert_int_equal(c->sw_mediator, 1);
    assert_int_equal(c->sw_idle, 3);
    fx_free(f);
}

/* Two pCPUs: the mediator answers before the client blocked: no e2e, but a mediator wake. */
static void test_answered_before_block(void **state)
{
    (void)state;
    struct tg *g = prelude(2);
    tg_wake(g, 0, 1000, MED, 0);
    tg_runstate(g, 0, 1010, MED, 0, BLK, RNBL);
    tg_switch(g, 1, 1100, IDLE, 1, MED, 0);
    tg_runstate(g, 1, 1110, MED, 0, RNBL, RUN);
    tg_switch(g, 1, 1300, MED, 0, IDLE, 1);
    tg_runstate(g, 1, 1310, MED, 0, RUN, BLK);
    tg_switch(g, 0, 5000, CLI, 0, IDLE, 0); /* its sleep until the next period */
    tg_runstate(g, 0, 5010, CLI, 0, RUN, BLK);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    assert_int_equal(st->complete, 0);
    assert_int_equal(st->by_reason[SM_INC_CLIENT_NEVER_BLOCKED], 1);
    assert_int_equal(f->got[0].shape, SM_SHAPE_ANSWERED_BEFORE_BLOCK);
    assert_int_equal(sm_hist_count(st->e2e), 0);
    assert_int_equal(sm_hist_count(st->mediator_wake), 1);
    assert_int_equal(sm_hist_max(st->mediator_wake), 100);
    assert_int_equal(sm_hist_max(st->mediator_run), 200);
    fx_free(f);
}

/* The mediator is awake (its own timer) when the client notifies: no notify record; the client
 * blocks and the mediator wakes it. */
static void test_mediator_already_awake(void **state)
{
    (void)state;
    struct tg *g = prelude(2);
    tg_wake(g, 1, 900, MED, 0); /* its timer, on cpu1 running idle */
    tg_runstate(g, 1, 910, MED, 0, BLK, RNBL);
    tg_switch(g, 1, 950, IDLE, 1, MED, 0);
    tg_runstate(g, 1, 960, MED, 0, RNBL, RUN);
    tg_switch(g, 0, 1100, CLI, 0, IDLE, 0);
    tg_runstate(g, 0, 1110, CLI, 0, RUN, BLK);
    tg_wake(g, 1, 1200, CLI, 0);
    tg_runstate(g, 1, 1210, CLI, 0, BLK, RNBL);
    tg_switch(g, 1, 1300, MED, 0, IDLE, 1);
    tg_runstate(g, 1, 1310, MED, 0, RUN, BLK);
    tg_switch(g, 0, 1400, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 1410, CLI, 0, RNBL, RUN);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    assert_int_equal(st->by_reason[SM_INC_MEDIATOR_ALREADY_AWAKE], 1);
    const struct sm_call *c = &f->got[0];
    assert_int_equal(c->shape, SM_SHAPE_MEDIATOR_ALREADY_AWAKE);
    assert_int_equal(c->t_notify, SM_T_NONE);
    assert_int_equal(c->t_client_block, 1110);
    assert_int_equal(sm_hist_max(st->e2e), 300);
    assert_int_equal(sm_hist_max(st->client_wake), 200);
    assert_int_equal(sm_hist_count(st->mediator_wake), 0);
    assert_int_equal(c->sw_client + c->sw_mediator + c->sw_idle, 2); /* from the block on */
    fx_free(f);
}

/* Right after a call the mediator's own timer fires on the pCPU the client now runs on: it
 * looks like a notify, but the client has not blocked since its call and no answer follows. */
static void test_mediator_timer_wake_is_no_call(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    textbook(g, 1000);
    tg_wake(g, 0, 1700, MED, 0);
    tg_runstate(g, 0, 1710, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 1800, CLI, 0, MED, 0);
    tg_runstate(g, 0, 1810, CLI, 0, RUN, RNBL);
    tg_runstate(g, 0, 1820, MED, 0, RNBL, RUN);
    tg_switch(g, 0, 1900, MED, 0, CLI, 0);
    tg_runstate(g, 0, 1910, MED, 0, RUN, BLK);
    tg_runstate(g, 0, 1920, CLI, 0, RNBL, RUN);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    assert_int_equal(st->complete, 1);
    assert_int_equal(st->mediator_wakes_not_calls, 1);
    fx_free(f);
}

/* Lost records during a call: incomplete (lost_records), out of every figure. */
static void test_lost_records_make_call_incomplete(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    textbook(g, 1000);
    tg_lost(g, 0, 3500, 7, CLI, 0, 3400);
    textbook(g, 3000 + 1000);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    assert_int_equal(st->complete, 2);
    fx_free(f);

    g = prelude(1);
    tg_wake(g, 0, 1000, MED, 0);
    tg_runstate(g, 0, 1010, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 1100, CLI, 0, MED, 0);
    tg_runstate(g, 0, 1110, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, 1120, MED, 0, RNBL, RUN);
    tg_lost(g, 0, 1300, 3, MED, 0, 1200);
    tg_wake(g, 0, 1500, CLI, 0);
    tg_runstate(g, 0, 1510, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 1600, MED, 0, CLI, 0);
    tg_runstate(g, 0, 1610, MED, 0, RUN, BLK);
    tg_runstate(g, 0, 1620, CLI, 0, RNBL, RUN);
    f = fx_run(g, CLI, MED);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    assert_int_equal(st->by_reason[SM_INC_LOST_RECORDS], 1);
    assert_int_equal(sm_hist_count(st->e2e), 0);
    assert_int_equal(sm_hist_count(st->mediator_wake), 0);
    fx_free(f);
}

/* The trace ends during a call: incomplete (trace_edge), keeps the figures it has. */
static void test_trace_edge(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    textbook(g, 1000);
    tg_wake(g, 0, 3000, MED, 0);
    tg_runstate(g, 0, 3010, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 3100, CLI, 0, MED, 0);
    tg_runstate(g, 0, 3110, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, 3150, MED, 0, RNBL, RUN);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    assert_int_equal(st->complete, 1);
    assert_int_equal(st->by_reason[SM_INC_TRACE_EDGE], 1);
    assert_int_equal(f->got[1].reason, SM_INC_TRACE_EDGE);
    assert_int_equal(sm_hist_count(st->mediator_wake), 2);
    assert_int_equal(sm_hist_count(st->e2e), 1);
    fx_free(f);
}

/* Interference: the domains that ran on the pCPU the mediator then ran on, while it waited;
 * a domain busy on another pCPU does not count. */
static void test_interference_on_the_mediators_pcpu(void **state)
{
    (void)state;
    struct tg *g = prelude(2);
    tg_switch(g, 1, 500, IDLE, 1, 3, 0); /* noise d3 on cpu1 */
    tg_runstate(g, 1, 510, 3, 0, RNBL, RUN);
    tg_wake(g, 0, 1000, MED, 0);
    tg_runstate(g, 0, 1010, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 1100, CLI, 0, 4, 0); /* d4 takes cpu0 after the client blocks */
    tg_runstate(g, 0, 1110, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, 1120, 4, 0, RNBL, RUN);
    tg_switch(g, 1, 1200, 3, 0, MED, 0); /* d3 preempted: the mediator runs on cpu1 */
    tg_runstate(g, 1, 1205, 3, 0, RUN, RNBL);
    tg_runstate(g, 1, 1210, MED, 0, RNBL, RUN);
    tg_wake(g, 1, 1500, CLI, 0);
    tg_runstate(g, 1, 1510, CLI, 0, BLK, RNBL);
    tg_switch(g, 1, 1600, MED, 0, CLI, 0);
    tg_runstate(g, 1, 1610, MED, 0, RUN, BLK);
    tg_runstate(g, 1, 1620, CLI, 0, RNBL, RUN);
    struct fx *f = fx_run(g, CLI, MED);
    assert_int_equal(sm_calls_stats(f->calls)->complete, 1);
    const struct sm_call *c = &f->got[0];
    assert_int_equal(c->other_run_ticks, 1200 - 1010);
    assert_int_equal(c->other_domids[0], 3);
    assert_int_equal(c->other_domids[1], XT_DOMID_INVALID);
    assert_int_equal(c->sw_other, 1); /* d4 switched in on cpu0 during the call */
    unsigned n;
    const struct sm_interferer *in = sm_calls_interferers(f->calls, &n);
    assert_int_equal(n, 1);
    assert_int_equal(in[0].domid, 3);
    assert_int_equal(in[0].calls, 1);
    assert_int_equal(in[0].run_ticks, 190);
    fx_free(f);
}

/* Two client vCPUs call two mediator vCPUs at once, on two pCPUs: both calls are found, each
 * with its own figures. */
static void test_concurrent_calls_of_two_client_vcpus(void **state)
{
    (void)state;
    struct tg *g = prelude(2);
    /* d2v1 runs on cpu1; d1v1 is blocked */
    tg_switch(g, 1, 400, IDLE, 1, CLI, 1);
    tg_runstate(g, 1, 410, CLI, 1, RNBL, RUN);
    tg_runstate(g, 1, 420, MED, 1, RUN, BLK);
    tg_wake(g, 0, 1000, MED, 0); /* d2v0 calls d1v0 */
    tg_runstate(g, 0, 1010, MED, 0, BLK, RNBL);
    tg_wake(g, 1, 1020, MED, 1); /* d2v1 calls d1v1 */
    tg_runstate(g, 1, 1030, MED, 1, BLK, RNBL);
    tg_switch(g, 0, 1100, CLI, 0, MED, 0);
    tg_runstate(g, 0, 1110, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, 1120, MED, 0, RNBL, RUN);
    tg_switch(g, 1, 1200, CLI, 1, MED, 1);
    tg_runstate(g, 1, 1210, CLI, 1, RUN, BLK);
    tg_runstate(g, 1, 1220, MED, 1, RNBL, RUN);
    tg_wake(g, 0, 1500, CLI, 0);
    tg_runstate(g, 0, 1510, CLI, 0, BLK, RNBL);
    tg_wake(g, 1, 1550, CLI, 1);
    tg_runstate(g, 1, 1560, CLI, 1, BLK, RNBL);
    tg_switch(g, 0, 1600, MED, 0, CLI, 0);
    tg_runstate(g, 0, 1610, MED, 0, RUN, BLK);
    tg_runstate(g, 0, 1620, CLI, 0, RNBL, RUN);
    tg_switch(g, 1, 1700, MED, 1, CLI, 1);
    tg_runstate(g, 1, 1710, MED, 1, RUN, BLK);
    tg_runstate(g, 1, 1720, CLI, 1, RNBL, RUN);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    assert_int_equal(st->complete, 2);
    assert_int_equal(f->got[0].client_vcpu, 0);
    assert_int_equal(f->got[0].mediator_vcpu, 0);
    assert_int_equal(f->got[0].t_client_run - f->got[0].t_client_block, 510);
    assert_int_equal(f->got[1].client_vcpu, 1);
    assert_int_equal(f->got[1].mediator_vcpu, 1);
    assert_int_equal(f->got[1].t_client_run - f->got[1].t_client_block, 510);
    assert_int_equal(f->got[1].t_med_run - f->got[1].t_med_wake, 190);
    fx_free(f);
}

/* The client gives up (its timer) and calls again before any answer: the first call is
 * incomplete (no_answer), the second one complete. */
static void test_no_answer_before_next_call(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    tg_wake(g, 0, 1000, MED, 0);
    tg_runstate(g, 0, 1010, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 1100, CLI, 0, IDLE, 0);
    tg_runstate(g, 0, 1110, CLI, 0, RUN, BLK);
    tg_wake(g, 0, 2000, CLI, 0); /* its timer */
    tg_runstate(g, 0, 2010, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 2100, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 2110, CLI, 0, RNBL, RUN);
    textbook(g, 3000); /* the mediator, still runnable, is "already awake" for this one */
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    assert_int_equal(f->got[0].reason, SM_INC_NO_ANSWER);
    assert_int_equal(st->by_reason[SM_INC_NO_ANSWER], 1);
    fx_free(f);
}

/* Two pCPUs, the mediator's timer on cpu1 (it last ran there), the client on cpu0 with a noise
 * domain d3 beside it. */
static struct tg *prelude_apart(void)
{
    struct tg *g = tg_mem_new(2, 4096);
    tg_switch(g, 1, 100, IDLE, 1, MED, 0);
    tg_runstate(g, 1, 110, MED, 0, RNBL, RUN);
    tg_switch(g, 1, 200, MED, 0, IDLE, 1);
    tg_runstate(g, 1, 210, MED, 0, RUN, BLK);
    tg_switch(g, 0, 300, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 310, CLI, 0, RNBL, RUN);
    return g;
}

/* dom (running on cpu) blocks at t: BLOCK, the switch to cpu's idle vCPU, running->blocked. */
static void sleeps(struct tg *g, unsigned cpu, uint64_t t, unsigned dom)
{
    tg_block(g, cpu, t, dom, 0);
    tg_switch(g, cpu, t + 10, dom, 0, IDLE, cpu);
    tg_runstate(g, cpu, t + 20, dom, 0, RUN, BLK);
}

/* The client on cpu0 notifies the mediator at t; the mediator runs on cpu1 from t + 30. */
static void notify_apart(struct tg *g, uint64_t t)
{
    tg_wake(g, 0, t, MED, 0);
    tg_runstate(g, 0, t + 5, MED, 0, BLK, RNBL);
    tg_switch(g, 1, t + 20, IDLE, 1, MED, 0);
    tg_runstate(g, 1, t + 30, MED, 0, RNBL, RUN);
}

/* The notify is recorded on cpu0, not where the mediator's timer is: only the client explains
 * it. The client is then preempted by the noise instead of blocking, the mediator serves and
 * blocks on cpu1, the client resumes: one certain call, though the client never blocked. */
static void test_preempted_after_certain_notify(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    tg_wake(g, 0, 1000, MED, 0);
    tg_runstate(g, 0, 1010, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 1050, CLI, 0, 3, 0);
    tg_runstate(g, 0, 1060, CLI, 0, RUN, RNBL);
    tg_switch(g, 1, 1100, IDLE, 1, MED, 0);
    tg_runstate(g, 1, 1110, MED, 0, RNBL, RUN);
    sleeps(g, 1, 1500, MED);
    tg_switch(g, 0, 1600, 3, 0, CLI, 0);
    tg_runstate(g, 0, 1610, CLI, 0, RNBL, RUN);
    tg_switch(g, 0, 5000, CLI, 0, IDLE, 0); /* its sleep until the next period */
    tg_runstate(g, 0, 5010, CLI, 0, RUN, BLK);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    assert_int_equal(st->notifies_certain, 1);
    assert_int_equal(st->notifies_ambiguous, 0);
    assert_int_equal(st->mediator_wakes_not_calls, 0);
    const struct sm_call *k = &f->got[0];
    assert_int_equal(k->shape, SM_SHAPE_CLIENT_PREEMPTED);
    assert_int_equal(k->certainty, SM_CERT_CERTAIN);
    assert_int_equal(k->reason, SM_INC_CLIENT_NEVER_BLOCKED);
    assert_int_equal(k->t_notify, 1000);
    assert_int_equal(k->t_med_run, 1110);
    assert_int_equal(k->t_med_block, 1520);
    assert_int_equal(k->t_client_run, 1610); /* it resumed after the answer */
    assert_int_equal(k->t_client_block, SM_T_NONE);
    assert_int_equal(sm_hist_count(st->e2e), 0);
    assert_int_equal(sm_hist_max(st->mediator_wake), 100);
    fx_free(f);
}

/* The trace g holds one call answered in the client's block path: check its instants. */
static void expect_block_path_call(struct tg *g, uint64_t block, uint64_t answer, uint64_t run)
{
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    const struct sm_call *k = &f->got[0];
    assert_int_equal(k->shape, SM_SHAPE_ANSWERED_IN_BLOCK_PATH);
    assert_int_equal(k->certainty, SM_CERT_CERTAIN);
    assert_int_equal(k->reason, SM_COMPLETE);
    assert_int_equal(k->t_client_block, block);
    assert_int_equal(k->t_answer, answer);
    assert_int_equal(k->t_client_run, run);
    assert_int_equal(k->t_med_block, 1220);
    assert_int_equal(sm_hist_max(st->e2e), run - block);
    fx_free(f);
}

/* The answer lands in the client's block path: BLOCK, then the mediator's WAKE of the client
 * (recorded on cpu1, where the mediator runs), then CONTINUE_RUNNING: the client is never
 * switched out, and the call ends at the CONTINUE, not at some later run. */
static void test_answer_in_block_path(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    tg_block(g, 0, 1050, CLI, 0);
    tg_wake(g, 1, 1060, CLI, 0);
    tg_continue(g, 0, 1070, CLI, 0);
    sleeps(g, 1, 1200, MED);
    sleeps(g, 0, 9000, CLI); /* its sleep until the next period */
    expect_block_path_call(g, 1050, 1060, 1070);
}

/* The answer's WAKE, recorded on the mediator's pCPU, comes before the client's BLOCK record:
 * Xen wakes only a vCPU that has set its blocked flag, and vcpu_block writes its record after
 * setting it. The client is in its block path: the call is answered there and ends at the
 * CONTINUE, not at its run after its next sleep (smclat-stub's answers came 14-470 ticks before
 * that record on the detection matrix). */
static void test_answer_before_block_record(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    tg_wake(g, 1, 1048, CLI, 0);
    tg_block(g, 0, 1050, CLI, 0);
    tg_continue(g, 0, 1070, CLI, 0);
    sleeps(g, 1, 1200, MED);
    sleeps(g, 0, 3000, CLI); /* its sleep until the next period */
    tg_wake(g, 0, 9000, CLI, 0);
    tg_runstate(g, 0, 9001, CLI, 0, BLK, RNBL);
    tg_runstate(g, 0, 9010, CLI, 0, RNBL, RUN);
    expect_block_path_call(g, 1048, 1048, 1070);
}

/* BLOCK, then CONTINUE_RUNNING with no WAKE, then the answer's WAKE from the mediator's pCPU:
 * that pCPU cleared the client's blocked flag before the client's pCPU ran its scheduler,
 * and wrote its record after. The call ends at the CONTINUE, not at a later one (the scheduler's)
 * nor after the client's next sleep. */
static void test_answer_recorded_after_continue(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    tg_block(g, 0, 1050, CLI, 0);
    tg_continue(g, 0, 1070, CLI, 0);
    tg_wake(g, 1, 1079, CLI, 0);
    sleeps(g, 1, 1200, MED);
    tg_continue(g, 0, 1500, CLI, 0); /* the scheduler's, no block before it */
    sleeps(g, 0, 3000, CLI);
    expect_block_path_call(g, 1050, 1079, 1070);
}

/* BLOCK, the switch to another vCPU, then the answer's WAKE before the client's runstate
 * record: the answer came as it was switched out, and that record says running->runnable. Its
 * runstate still says running at the WAKE, but it is no longer current: it waits for its
 * pCPU, and the call ends at its next run. */
static void test_answer_as_switched_out(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    tg_block(g, 0, 1050, CLI, 0);
    tg_switch(g, 0, 1060, CLI, 0, IDLE, 0);
    tg_wake(g, 1, 1065, CLI, 0);
    tg_runstate(g, 0, 1070, CLI, 0, RUN, RNBL);
    sleeps(g, 1, 1200, MED);
    tg_switch(g, 0, 4000, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 4010, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 5000, CLI);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    const struct sm_call *k = &f->got[0];
    assert_int_equal(k->t_answer, 1065);
    assert_int_equal(k->t_client_run, 4010);
    fx_free(f);
}

/* The same WAKE, but vcpu_block then finds the event pending and writes no BLOCK record (no
 * CONTINUE either): the client ran on from that WAKE, and the call ends there, not at its run
 * after a later preemption. */
static void test_answer_in_vcpu_block_without_record(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    tg_wake(g, 1, 1048, CLI, 0);
    sleeps(g, 1, 1200, MED);
    tg_runstate(g, 0, 2000, CLI, 0, RUN, RNBL); /* preempted later, the answer long read */
    tg_runstate(g, 0, 2500, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 3000, CLI);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 1);
    const struct sm_call *k = &f->got[0];
    assert_int_equal(k->shape, SM_SHAPE_ANSWERED_IN_BLOCK_PATH);
    assert_int_equal(k->t_answer, 1048);
    assert_int_equal(k->t_client_run, 1048);
    fx_free(f);
}

/* The mediator answers the first call and stays awake; the client calls again at once (no
 * WAKE: the mediator runs), blocks and is answered; only then does the mediator block. Two
 * calls, the second not swallowed by the first. */
static void test_mediator_stays_awake_across_two_calls(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    sleeps(g, 0, 1050, CLI);
    tg_wake(g, 1, 1300, CLI, 0); /* answer 1 */
    tg_runstate(g, 1, 1305, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 1400, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 1410, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 1500, CLI);     /* call 2: its notify found the mediator running */
    tg_wake(g, 1, 1800, CLI, 0); /* answer 2 */
    tg_runstate(g, 1, 1805, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 1900, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 1910, CLI, 0, RNBL, RUN);
    sleeps(g, 1, 2000, MED);
    sleeps(g, 0, 9000, CLI);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    const struct sm_call *a = &f->got[0], *b = &f->got[1];
    assert_int_equal(a->t_notify, 1000);
    assert_int_equal(a->t_client_run, 1410);
    assert_int_equal(a->reason, SM_INC_MEDIATOR_STAYED_AWAKE);
    assert_int_equal(a->t_med_block, SM_T_NONE);
    assert_int_equal(b->shape, SM_SHAPE_MEDIATOR_ALREADY_AWAKE);
    assert_int_equal(b->t_client_block, 1520);
    assert_int_equal(b->t_answer, 1800);
    assert_int_equal(b->t_client_run, 1910);
    assert_int_equal(b->t_med_block, 2020);
    assert_int_equal(sm_hist_count(st->e2e), 2);
    fx_free(f);
}

/* The client's pacing timer wakes it on cpu0 (idle there) at t: it runs from t + 15. */
static void pacing_wake(struct tg *g, uint64_t t)
{
    tg_wake(g, 0, t, CLI, 0);
    tg_runstate(g, 0, t + 5, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, t + 10, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, t + 15, CLI, 0, RNBL, RUN);
}

/* The mediator on cpu1 answers at t; the client, switched in on cpu0, runs at run. */
static void answer_apart(struct tg *g, uint64_t t, uint64_t run)
{
    tg_wake(g, 1, t, CLI, 0);
    tg_runstate(g, 1, t + 5, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, run - 10, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, run, CLI, 0, RNBL, RUN);
}

/* A certain notify, then the client is preempted by the noise; it resumes, then blocks (to sleep
 * until its next call); the mediator blocks without waking it: the answer came while the client
 * was preempted or running, before that block. One client_preempted call ending at its resume,
 * not a call left open for an answer (which would swallow the client's next call). */
static void test_preempted_then_sleeps_is_answered(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    tg_switch(g, 0, 1050, CLI, 0, 3, 0);
    tg_runstate(g, 0, 1060, CLI, 0, RUN, RNBL);
    tg_switch(g, 0, 1400, 3, 0, CLI, 0);
    tg_runstate(g, 0, 1410, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 1500, CLI);
    sleeps(g, 1, 1600, MED);
    pacing_wake(g, 2900); /* its next call, 3000: the notify finds the mediator asleep */
    notify_apart(g, 3000);
    sleeps(g, 0, 3050, CLI);
    answer_apart(g, 3300, 3410);
    sleeps(g, 1, 3500, MED);
    sleeps(g, 0, 9000, CLI);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    const struct sm_call *a = &f->got[0], *b = &f->got[1];
    assert_int_equal(a->shape, SM_SHAPE_CLIENT_PREEMPTED);
    assert_int_equal(a->t_notify, 1000);
    assert_int_equal(a->t_client_block, SM_T_NONE);
    assert_int_equal(a->t_client_run, 1410);
    assert_int_equal(a->t_med_block, 1620);
    assert_int_equal(b->shape, SM_SHAPE_TEXTBOOK);
    assert_int_equal(b->t_notify, 3000);
    assert_int_equal(b->t_client_run, 3410);
    assert_int_equal(sm_hist_count(st->e2e), 1);
    fx_free(f);
}

/* The client's own timer wakes it on cpu0 (idle there) at t and it runs run ticks before
 * blocking again; no call. */
static void timer_wake_run(struct tg *g, uint64_t t, uint64_t run)
{
    tg_wake(g, 0, t, CLI, 0);
    tg_runstate(g, 0, t + 5, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, t + 10, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, t + 15, CLI, 0, RNBL, RUN);
    sleeps(g, 0, t + 15 + run, CLI);
}

/* 10 wakes by the client's own timer (10000..19000) that teach the detector it runs 120 ticks
 * after one, then its pacing wake: it runs on cpu0 from 20000. */
static void teach_timer_run(struct tg *g)
{
    for (unsigned i = 0; i < 10; i++)
        timer_wake_run(g, 10000 + 1000 * (uint64_t)i, 100);
    pacing_wake(g, 19985);
}

/* A textbook call with the mediator on cpu1 and the client on cpu0 (running at t): the
 * mediator runs 200 ticks to its answer; the client then sleeps until the next call (t + 1000). */
static void apart_call(struct tg *g, uint64_t t)
{
    notify_apart(g, t);
    sleeps(g, 0, t + 50, CLI);
    answer_apart(g, t + 230, t + 310);
    sleeps(g, 1, t + 400, MED);
    sleeps(g, 0, t + 500, CLI);
    pacing_wake(g, t + 985);
}

/* Two pCPUs, then 8 textbook calls of apart_call (1000..8000) that calibrate the detector; the
 * client runs on cpu0 from 8985 + 15. */
static struct tg *calibrated_apart(void)
{
    struct tg *g = prelude_apart();
    sleeps(g, 0, 500, CLI);
    pacing_wake(g, 985);
    for (unsigned i = 0; i < 8; i++)
        apart_call(g, 1000 + 1000 * (uint64_t)i);
    return g;
}

/* After 8 textbook calls (the mediator answers 200 ticks into its run), a call whose client runs
 * on after its notify while the mediator runs 500 ticks: the answer reached the client while it
 * ran (it read it in shared memory), and its block is its sleep. An answered_before_block call;
 * the mediator's event that comes late, now that the client sleeps, is that call's, not another
 * call's answer. */
static void test_answer_read_before_block(void **state)
{
    (void)state;
    struct tg *g = calibrated_apart();
    notify_apart(g, 9000);       /* the mediator runs on cpu1 from 9030 */
    sleeps(g, 0, 9530, CLI);     /* the mediator has run 500 */
    answer_apart(g, 9700, 9760); /* its event, late */
    sleeps(g, 1, 9800, MED);
    sleeps(g, 0, 9900, CLI);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 9);
    assert_int_equal(st->by_shape[SM_SHAPE_TEXTBOOK], 8);
    assert_int_equal(st->answers_found_running, 1);
    const struct sm_call *c = &f->got[8];
    assert_int_equal(c->shape, SM_SHAPE_ANSWERED_BEFORE_BLOCK);
    assert_int_equal(c->t_notify, 9000);
    assert_int_equal(c->t_client_block, SM_T_NONE);
    assert_int_equal(c->t_client_run, SM_T_NONE);
    assert_int_equal(c->t_med_block, 9820);
    assert_int_equal(sm_hist_count(st->e2e), 8);
    fx_free(f);

    /* The same call with the client blocking after 100 ticks of the mediator's run: it waits,
     * and the mediator's event is the answer. */
    g = calibrated_apart();
    notify_apart(g, 9000);
    sleeps(g, 0, 9130, CLI);
    answer_apart(g, 9700, 9760);
    sleeps(g, 1, 9800, MED);
    sleeps(g, 0, 9900, CLI);
    f = fx_run(g, CLI, MED);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 9);
    assert_int_equal(st->answers_found_running, 0);
    assert_int_equal(f->got[8].shape, SM_SHAPE_TEXTBOOK);
    assert_int_equal(f->got[8].t_client_run, 9760);
    fx_free(f);
}

/* The mediator answers, its BLOCK record follows, then its own timer's WAKE in its block path
 * keeps it running (CONTINUE_RUNNING): its service was over at that record, so the call's
 * mediator block is there. The client then calls while it runs on (no notify record), blocks,
 * is woken by its timer, and the mediator, having served, blocks: a no_wakes call, found because
 * the first call no longer waits for the mediator's final block. */
static void test_block_record_then_continue_ends_service(void **state)
{
    (void)state;
    struct tg *g = calibrated_apart();
    notify_apart(g, 9000);
    sleeps(g, 0, 9050, CLI);
    tg_wake(g, 1, 9230, CLI, 0); /* the answer */
    tg_runstate(g, 1, 9235, CLI, 0, BLK, RNBL);
    tg_block(g, 1, 9300, MED, 0);
    tg_wake(g, 1, 9305, MED, 0); /* its timer, in its block path */
    tg_continue(g, 1, 9310, MED, 0);
    tg_switch(g, 0, 9400, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 9410, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 9450, CLI); /* its next call: the mediator awake, no notify record */
    pacing_wake(g, 9700);    /* its own timer */
    sleeps(g, 1, 10000, MED);
    sleeps(g, 0, 10500, CLI);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 10);
    assert_int_equal(f->got[8].t_notify, 9000);
    assert_int_equal(f->got[8].t_med_block, 9300);
    assert_int_equal(f->got[8].t_client_run, 9410);
    assert_int_equal(f->got[9].shape, SM_SHAPE_NO_WAKES);
    assert_int_equal(f->got[9].t_client_block, 9470);
    fx_free(f);
}

/* The mediator's own timer wakes it at t on cpu1 (no client there) and it runs run ticks. */
static void mediator_timer_episode(struct tg *g, uint64_t t, uint64_t run)
{
    tg_wake(g, 1, t, MED, 0);
    tg_runstate(g, 1, t + 5, MED, 0, BLK, RNBL);
    tg_switch(g, 1, t + 10, IDLE, 1, MED, 0);
    tg_runstate(g, 1, t + 15, MED, 0, RNBL, RUN);
    sleeps(g, 1, t + 15 + run - 20, MED);
}

/* After 8 calls (the mediator runs 390 ticks for one) and 8 episodes of its own timer (120
 * ticks each), its timer wakes it again (run ticks). Meanwhile the client blocks (no notify
 * record: the mediator is awake) and its own timer wakes it; then the mediator blocks. That
 * episode did its timer's work: a call of the client's is inferred only when it also ran half a
 * call's service on top of it (120 + 195 ticks), not on half a call since the client's block. */
static struct fx *timer_episode_then_block(uint64_t run)
{
    struct tg *g = calibrated_apart();
    for (uint64_t i = 0; i < 8; i++)
        mediator_timer_episode(g, 9100 + 210 * i + 37 * (i % 3), 120);
    mediator_timer_episode(g, 11000, run);
    sleeps(g, 0, 11050, CLI);
    pacing_wake(g, 11200);
    sleeps(g, 0, 12000, CLI);
    return fx_run(g, CLI, MED);
}

static void test_no_wakes_needs_more_than_a_timer_episode(void **state)
{
    (void)state;
    struct fx *f = timer_episode_then_block(280); /* 210 since the client's block */
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->med_run_timer_ticks, 120);
    assert_int_equal(st->calls, 8);
    assert_int_equal(st->by_shape[SM_SHAPE_NO_WAKES], 0);
    fx_free(f);

    f = timer_episode_then_block(400);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 9);
    assert_int_equal(f->got[8].shape, SM_SHAPE_NO_WAKES);
    assert_int_equal(f->got[8].certainty, SM_CERT_INFERRED);
    assert_int_equal(f->got[8].t_client_block, 11070);
    fx_free(f);
}

/* After the 8 calls of calibrated_apart (the mediator runs 390 ticks for one; the client runs 70
 * from its notify to its block) and 8 episodes of the mediator's own timer (120 ticks each), the
 * client sleeps; its pacing timer wakes it (running from 11000) and the mediator's own timer at
 * 11005 (running from 11020, med_run ticks, on cpu1). The client, having run run_before ticks,
 * is preempted by the noise (d3) and runs again at resume (0: 100 ticks after the mediator's
 * block), then sleeps: no WAKE and no block between its pacing wake and its sleep. */
static struct fx *preempted_in_timer_episode(uint64_t med_run, uint64_t run_before, uint64_t resume)
{
    struct tg *g = calibrated_apart();
    for (uint64_t i = 0; i < 8; i++)
        mediator_timer_episode(g, 9100 + 210 * i + 37 * (i % 3), 120);
    sleeps(g, 0, 10800, CLI);
    pacing_wake(g, 10985);
    mediator_timer_episode(g, 11005, med_run);
    if (!resume)
        resume = 11020 + med_run + 100;
    tg_switch(g, 0, 11000 + run_before - 10, CLI, 0, OTHER, 0);
    tg_runstate(g, 0, 11000 + run_before, CLI, 0, RUN, RNBL);
    tg_switch(g, 0, resume - 10, OTHER, 0, CLI, 0);
    tg_runstate(g, 0, resume, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 11700, CLI);
    return fx_run(g, CLI, MED);
}

/* A call that leaves no record at all: made while the mediator was awake (its own timer's
 * episode), the client preempted before it could wait and the answer finding it runnable. The
 * mediator's episode tells it: it ran a timer's 120 ticks and at least half a call's 390 on top
 * (and no more than the timer's and 1.5 calls': not a long run of other work), and the client
 * had run since its pacing wake no longer than 4 times its run from a wake to a notify and on to
 * its block (0 + 70). One no_wakes call, inferred, from the preemption to the client's next run
 * (or its run under way when the mediator blocks); none when any of these fails. */
static void test_preempted_in_timer_episode_is_inferred_call(void **state)
{
    (void)state;
    struct fx *f = preempted_in_timer_episode(400, 60, 0);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->med_run_timer_ticks, 120);
    assert_int_equal(st->med_run_call_ticks, 390);
    assert_int_equal(st->calls, 9);
    assert_int_equal(st->preempted_calls_inferred, 1);
    const struct sm_call *k = &f->got[8];
    assert_int_equal(k->shape, SM_SHAPE_NO_WAKES);
    assert_int_equal(k->certainty, SM_CERT_INFERRED);
    assert_int_equal(k->t_start, 11060);
    assert_int_equal(k->t_notify, SM_T_NONE);
    assert_int_equal(k->t_client_block, SM_T_NONE);
    assert_int_equal(k->t_med_block, 11420);
    assert_int_equal(k->t_client_run, 11520);
    fx_free(f);

    f = preempted_in_timer_episode(400, 60, 11300); /* running again when the mediator blocks */
    assert_int_equal(sm_calls_stats(f->calls)->calls, 9);
    assert_int_equal(f->got[8].t_client_run, 11300);
    fx_free(f);

    const uint64_t no_call[][2] = {
        {280, 60},  /* less than a timer's run and half a call's (315) */
        {800, 60},  /* more than a timer's and 1.5 calls' (705): other work */
        {400, 380}, /* the client ran 380 since its wake, more than 4 x 70: other work */
    };
    for (size_t i = 0; i < sizeof no_call / sizeof no_call[0]; i++) {
        f = preempted_in_timer_episode(no_call[i][0], no_call[i][1], 0);
        st = sm_calls_stats(f->calls);
        assert_int_equal(st->calls, 8);
        assert_int_equal(st->preempted_calls_inferred, 0);
        fx_free(f);
    }
}

/* After the 8 calls of calibrated_apart (390 ticks each) and 8 episodes of the mediator's own
 * timer (120 each), 10 more of its timer's episodes (600 ticks each) in which it also answers a
 * call the client made while it was awake (no notify record; the answer from cpu1, certain).
 * Those ran for a timer and a call: they calibrate neither, and a timer's run stays 120 (the
 * median of all 18 would be 600). */
static void test_timer_episode_that_answers_calibrates_nothing(void **state)
{
    (void)state;
    struct tg *g = calibrated_apart();
    for (uint64_t i = 0; i < 8; i++)
        mediator_timer_episode(g, 9100 + 210 * i + 37 * (i % 3), 120);
    for (uint64_t i = 0; i < 10; i++) {
        uint64_t t = 11000 + 1000 * i;
        tg_wake(g, 1, t, MED, 0); /* its timer, on cpu1 running idle */
        tg_runstate(g, 1, t + 5, MED, 0, BLK, RNBL);
        tg_switch(g, 1, t + 10, IDLE, 1, MED, 0);
        tg_runstate(g, 1, t + 15, MED, 0, RNBL, RUN);
        sleeps(g, 0, t + 50, CLI);
        answer_apart(g, t + 400, t + 480);
        sleeps(g, 1, t + 595, MED);
        sleeps(g, 0, t + 700, CLI);
        pacing_wake(g, t + 985);
    }
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 18);
    assert_int_equal(st->by_shape[SM_SHAPE_MEDIATOR_ALREADY_AWAKE], 10);
    assert_int_equal(st->med_run_timer_ticks, 120);
    assert_int_equal(st->med_run_call_ticks, 390);
    fx_free(f);
}

/* After the 8 calls of calibrated_apart (390 ticks each), 10 episodes that a notify began and in
 * which the mediator stays awake across two calls (740 ticks): an episode of two calls is no
 * call's run, and a call's stays 390 (the median of all 18 would be 740). */
static void test_episode_of_two_calls_calibrates_nothing(void **state)
{
    (void)state;
    struct tg *g = calibrated_apart();
    for (uint64_t i = 0; i < 10; i++) {
        uint64_t t = 9100 + 1000 * i;
        notify_apart(g, t);
        sleeps(g, 0, t + 50, CLI);
        answer_apart(g, t + 230, t + 310);
        sleeps(g, 0, t + 400, CLI); /* its next call: the mediator awake, no notify record */
        answer_apart(g, t + 600, t + 680);
        sleeps(g, 1, t + 750, MED);
        sleeps(g, 0, t + 850, CLI);
        pacing_wake(g, t + 985);
    }
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 28);
    assert_int_equal(st->by_shape[SM_SHAPE_MEDIATOR_ALREADY_AWAKE], 10);
    assert_int_equal(st->med_run_call_ticks, 390);
    fx_free(f);
}

/* An ambiguous "answer" early in the mediator's run (its WAKE of the client on the client's own
 * pCPU, 75 ticks into a 390-tick service) is taken for the client's timer when the client blocks
 * again soon after (the call goes on, woken early, to the real answer). After a run of run ticks
 * the client blocks; 10 timer wakes taught that it runs 120 ticks after one. */
static void early_answer_trace(struct tg *g, uint64_t run)
{
    teach_timer_run(g);
    tg_wake(g, 0, 20000, MED, 0); /* the notify: certain (the mediator last ran on cpu1) */
    tg_runstate(g, 0, 20005, MED, 0, BLK, RNBL);
    tg_block(g, 0, 20050, CLI, 0);
    tg_switch(g, 0, 20060, CLI, 0, MED, 0);
    tg_runstate(g, 0, 20070, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, 20075, MED, 0, RNBL, RUN);
    tg_wake(g, 0, 20150, CLI, 0); /* ambiguous: the client's timer, or the answer */
    tg_runstate(g, 0, 20155, CLI, 0, BLK, RNBL);
    tg_switch(g, 1, 20160, IDLE, 1, CLI, 0);
    tg_runstate(g, 1, 20165, CLI, 0, RNBL, RUN);
    sleeps(g, 1, 20165 + run, CLI);
    tg_wake(g, 0, 21000, CLI, 0); /* certain: the mediator on cpu0, the client's timer on cpu1 */
    tg_runstate(g, 0, 21005, CLI, 0, BLK, RNBL);
    tg_switch(g, 1, 21100, IDLE, 1, CLI, 0);
    tg_runstate(g, 1, 21110, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 21200, MED);
    sleeps(g, 1, 22000, CLI);
}

/* After a short run (100, less than twice the 120 a timer wake takes) the ambiguous wake was the
 * timer: one call, woken early, to 21110. After a longer one (300 and 700: more than twice that)
 * it was the answer: that call ended at 20165, and the certain wake at 21000 answers a second
 * call whose notify found the mediator awake. */
static void test_long_run_after_ambiguous_answer(void **state)
{
    (void)state;
    struct tg *g = calibrated_apart();
    early_answer_trace(g, 100);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 9);
    assert_int_equal(f->got[8].shape, SM_SHAPE_CLIENT_WOKEN_EARLY);
    assert_int_equal(f->got[8].t_notify, 20000);
    assert_int_equal(f->got[8].t_client_run, 21110);
    fx_free(f);

    static const uint64_t longer[] = {300, 700};
    for (size_t i = 0; i < sizeof longer / sizeof longer[0]; i++) {
        g = calibrated_apart();
        early_answer_trace(g, longer[i]);
        f = fx_run(g, CLI, MED);
        st = sm_calls_stats(f->calls);
        assert_int_equal(st->calls, 10);
        assert_int_equal(f->got[8].t_notify, 20000);
        assert_int_equal(f->got[8].t_client_run, 20165);
        assert_int_equal(f->got[9].shape, SM_SHAPE_MEDIATOR_ALREADY_AWAKE);
        assert_int_equal(f->got[9].t_client_block, 20165 + longer[i] + 20);
        assert_int_equal(f->got[9].t_client_run, 21110);
        fx_free(f);
    }
}

/* After 8 textbook calls and 10 wakes by the client's timer that taught it runs 120 ticks after
 * one, a call whose client blocks, is woken by its timer (cpu0 idle) and runs run ticks, then is
 * preempted by another domain; the mediator, awake since the notify, blocks with no answer
 * recorded. After a run over twice 120 the answer reached the client in that run: the call ends
 * where it began (20115). After a shorter one (a client that looked for its answer and would
 * have waited again) the answer waits for its next run (21005). */
static struct fx *woken_early_then_preempted(uint64_t run)
{
    struct tg *g = calibrated_apart();
    sleeps(g, 0, 9100, CLI);
    teach_timer_run(g);
    notify_apart(g, 20000); /* the mediator runs on cpu1 from 20030 */
    sleeps(g, 0, 20050, CLI);
    tg_wake(g, 0, 20100, CLI, 0); /* its own timer */
    tg_runstate(g, 0, 20105, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 20110, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 20115, CLI, 0, RNBL, RUN);
    tg_switch(g, 0, 20115 + run, CLI, 0, 3, 0);
    tg_runstate(g, 0, 20120 + run, CLI, 0, RUN, RNBL);
    sleeps(g, 1, 20500, MED);
    tg_switch(g, 0, 21000, 3, 0, CLI, 0);
    tg_runstate(g, 0, 21005, CLI, 0, RNBL, RUN);
    sleeps(g, 0, 21100, CLI);
    return fx_run(g, CLI, MED);
}

static void test_woken_early_run_long_then_preempted(void **state)
{
    (void)state;
    struct fx *f = woken_early_then_preempted(300);
    assert_int_equal(sm_calls_stats(f->calls)->calls, 9);
    const struct sm_call *c = &f->got[8];
    assert_int_equal(c->shape, SM_SHAPE_CLIENT_WOKEN_EARLY);
    assert_int_equal(c->t_notify, 20000);
    assert_int_equal(c->t_client_run, 20115);
    assert_int_equal(c->t_med_block, 20520);
    fx_free(f);

    f = woken_early_then_preempted(100);
    assert_int_equal(sm_calls_stats(f->calls)->calls, 9);
    c = &f->got[8];
    assert_int_equal(c->shape, SM_SHAPE_CLIENT_WOKEN_EARLY);
    assert_int_equal(c->t_client_run, 21005);
    fx_free(f);
}

/* The mediator's BLOCK record, then its own timer's WAKE in its block path and CONTINUE: it
 * runs on (milliseconds, seen on the lab) and blocks for good much later. The answer came before
 * the first BLOCK record: the call, whose answer found the client awake (woken early by its
 * timer), ends there, not at the client's runs after it. */
static void test_answer_before_first_block_record(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    notify_apart(g, 1000);
    sleeps(g, 0, 1050, CLI);
    tg_wake(g, 0, 1200, CLI, 0); /* its timer, on its own pCPU */
    tg_runstate(g, 0, 1205, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 1210, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 1220, CLI, 0, RNBL, RUN);
    tg_block(g, 1, 1300, MED, 0);
    tg_wake(g, 1, 1310, MED, 0); /* its timer, in its block path */
    tg_continue(g, 1, 1320, MED, 0);
    sleeps(g, 0, 1400, CLI); /* the client sleeps to its next frame */
    tg_wake(g, 0, 1800, CLI, 0);
    tg_runstate(g, 0, 1805, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 1810, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 1815, CLI, 0, RNBL, RUN);
    sleeps(g, 1, 2000, MED);
    sleeps(g, 0, 9000, CLI);
    struct fx *f = fx_run(g, CLI, MED);
    assert_int_equal(sm_calls_stats(f->calls)->calls, 1);
    const struct sm_call *k = &f->got[0];
    assert_int_equal(k->shape, SM_SHAPE_CLIENT_WOKEN_EARLY);
    assert_int_equal(k->t_client_run, 1300);
    assert_int_equal(k->t_end_lo, 1220);
    assert_int_equal(k->t_med_block, 2020);
    uint64_t a, z;
    assert_int_equal(sm_join_window(k, &a, &z), 0);
    assert_int_equal(a, 1000);
    assert_int_equal(z, 1220);
    fx_free(f);
}

/* Shape no_wakes, the hardest: the mediator is awake (its own timer on cpu1) when the client
 * notifies, so no notify WAKE; the client blocks, its own timer wakes it, and the answer finds
 * it runnable, so no answer WAKE either. The detector cannot tell this from a client sleeping
 * through a timer wake of the mediator; the generator's log can: rebuilt inside the logged
 * call's window, every instant the trace shows is there. */
static void test_recover_no_wakes(void **state)
{
    (void)state;
    struct tg *g = prelude_apart();
    tg_wake(g, 1, 900, MED, 0); /* its timer, on its own pCPU */
    tg_runstate(g, 1, 905, MED, 0, BLK, RNBL);
    tg_switch(g, 1, 950, IDLE, 1, MED, 0);
    tg_runstate(g, 1, 960, MED, 0, RNBL, RUN);
    /* the guest's call starts at 1000; its notify finds the mediator running */
    tg_block(g, 0, 1100, CLI, 0);
    tg_switch(g, 0, 1110, CLI, 0, 3, 0);
    tg_runstate(g, 0, 1120, CLI, 0, RUN, BLK);
    tg_wake(g, 0, 1300, CLI, 0); /* its own timer, on its own pCPU, d3 current */
    tg_runstate(g, 0, 1305, CLI, 0, BLK, RNBL);
    sleeps(g, 1, 1500, MED); /* answered (the client runnable: no WAKE), then blocks */
    tg_switch(g, 0, 1600, 3, 0, CLI, 0);
    tg_runstate(g, 0, 1610, CLI, 0, RNBL, RUN);
    /* the guest's call ends at 1700 */
    sleeps(g, 0, 5000, CLI);
    struct sm_recover_window w = {1000, 1700};
    struct fx *f = fx_run_windows(g, CLI, MED, &w, 1);
    const struct sm_call *k = sm_recover_call(f->recover, 0);
    assert_int_equal(k->recovered, 1);
    assert_int_equal(k->certainty, SM_CERT_INFERRED);
    assert_int_equal(k->shape, SM_SHAPE_NO_WAKES);
    assert_int_equal(k->t_notify, SM_T_NONE);
    assert_int_equal(k->t_answer, SM_T_NONE);
    assert_int_equal(k->t_client_block, 1120);
    assert_int_equal(k->t_client_run, 1610);
    assert_int_equal(k->t_med_block, SM_T_NONE); /* its run began before the window */
    assert_int_equal(k->sw_client, 1);
    assert_int_equal(k->sw_other, 1);
    assert_int_equal(k->sw_idle, 1);
    uint64_t a, z;
    assert_int_equal(sm_join_window(k, &a, &z), 0);
    assert_true(a >= 1000 && z <= 1700);
    fx_free(f);
}

/* A window with the textbook call in it gives the textbook instants; a window that ends just
 * after the next call's notify does not take that notify for its own; a window in which
 * neither domain did anything gives a no_wakes call placed at the middle of the window. */
static void test_recover_textbook_and_empty(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    textbook(g, 1000);
    textbook(g, 1700);
    /* the third window starts after the first call's notify and ends just after the second's:
     * that notify, after the run and the answer seen, is not this call's */
    struct sm_recover_window w[3] = {{990, 700 + 1000}, {1115, 1705}, {3000, 3500}};
    struct fx *f = fx_run_windows(g, CLI, MED, w, 3);
    const struct sm_call *k = sm_recover_call(f->recover, 0);
    assert_int_equal(k->shape, SM_SHAPE_TEXTBOOK);
    assert_int_equal(k->reason, SM_COMPLETE);
    assert_int_equal(k->t_notify, 1000);
    assert_int_equal(k->t_med_wake, 1010);
    assert_int_equal(k->t_client_block, 1110);
    assert_int_equal(k->t_med_run, 1120);
    assert_int_equal(k->t_answer, 1500);
    assert_int_equal(k->t_client_wake, 1510);
    assert_int_equal(k->t_med_block, 1610);
    assert_int_equal(k->t_client_run, 1620);
    const struct sm_call *e = sm_recover_call(f->recover, 2);
    assert_int_equal(sm_recover_call(f->recover, 1)->t_notify, SM_T_NONE);
    assert_int_equal(sm_recover_call(f->recover, 1)->t_med_run, 1120);
    assert_int_equal(sm_recover_call(f->recover, 1)->t_med_block, 1610);
    assert_int_equal(e->shape, SM_SHAPE_NO_WAKES);
    uint64_t a, z;
    assert_int_equal(sm_join_window(e, &a, &z), 0);
    assert_int_equal(a, 3250); /* the middle of the guest's window */
    assert_int_equal(z, 3250);
    fx_free(f);
}

/* --roles auto: the pair whose wakes alternate; the mediator is the one that answers fast. */
static void test_roles_auto(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    for (int i = 0; i < 5; i++)
        textbook(g, 1000 + 3000 * (uint64_t)i);
    tg_wake(g, 0, 20000, 5, 0); /* another domain woken once by the client: no pair */
    struct fx *f = fx_run(g, -1, -1);
    uint16_t c, m;
    char why[200];
    assert_int_equal(sm_roles_choose(f->roles, &c, &m, why, sizeof why), 1);
    assert_int_equal(c, CLI);
    assert_int_equal(m, MED);
    assert_non_null(strstr(why, "alternating"));
    fx_free(f);

    g = prelude(1);
    f = fx_run(g, -1, -1);
    assert_int_equal(sm_roles_choose(f->roles, &c, &m, why, sizeof why), 0);
    fx_free(f);
}

/* One pCPU, as in the lab's deterministic runs: the client sleeps until its next frame (the
 * mediator asleep too); the mediator's own timer wakes it, and while it runs the client's
 * frame timer fires there, so a WAKE of the client is recorded with the mediator current.
 * That is no answer: no call. Then the client blocks again and the mediator's timer fires on
 * its pCPU inside the block path (after the client's BLOCK record, before the switch): that
 * WAKE of the mediator is no notify either. One real call follows and is found. */
static void test_timer_coincidences_are_no_calls(void **state)
{
    (void)state;
    struct tg *g = prelude(1);
    textbook(g, 1000);
    tg_block(g, 0, 2000, CLI, 0); /* the client sleeps: the mediator is blocked */
    tg_switch(g, 0, 2050, CLI, 0, IDLE, 0);
    tg_runstate(g, 0, 2060, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, 2070, IDLE, 0, RNBL, RUN);
    tg_wake(g, 0, 3000, MED, 0); /* the mediator's timer, cpu0 idle */
    tg_runstate(g, 0, 3010, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 3050, IDLE, 0, MED, 0);
    tg_runstate(g, 0, 3060, IDLE, 0, RUN, RNBL);
    tg_runstate(g, 0, 3070, MED, 0, RNBL, RUN);
    tg_wake(g, 0, 3100, CLI, 0); /* the client's frame timer, the mediator current */
    tg_runstate(g, 0, 3110, CLI, 0, BLK, RNBL);
    tg_block(g, 0, 3200, MED, 0);
    tg_switch(g, 0, 3250, MED, 0, CLI, 0);
    tg_runstate(g, 0, 3260, MED, 0, RUN, BLK);
    tg_runstate(g, 0, 3270, CLI, 0, RNBL, RUN);
    tg_block(g, 0, 4000, CLI, 0); /* sleeps again... */
    tg_wake(g, 0, 4010, MED, 0);  /* ...and the mediator's timer fires in the block path */
    tg_runstate(g, 0, 4020, MED, 0, BLK, RNBL);
    tg_switch(g, 0, 4050, CLI, 0, MED, 0);
    tg_runstate(g, 0, 4060, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, 4070, MED, 0, RNBL, RUN);
    tg_block(g, 0, 4100, MED, 0);
    tg_switch(g, 0, 4150, MED, 0, IDLE, 0);
    tg_runstate(g, 0, 4160, MED, 0, RUN, BLK);
    tg_runstate(g, 0, 4170, IDLE, 0, RNBL, RUN);
    tg_wake(g, 0, 5000, CLI, 0); /* its next frame */
    tg_runstate(g, 0, 5010, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, 5050, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, 5060, IDLE, 0, RUN, RNBL);
    tg_runstate(g, 0, 5070, CLI, 0, RNBL, RUN);
    textbook(g, 6000);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 2);
    assert_int_equal(st->complete, 2);
    assert_int_equal(f->got[0].t_notify, 1000);
    assert_int_equal(f->got[1].t_notify, 6000);
    fx_free(f);
}

/* Two pCPUs, a time stamp rate of 1 MHz (a 250 Hz tick is 4000 ticks): the mediator's timer
 * fires at phase 1000 of its tick, the client's at 1060. Twenty rounds teach the detector both
 * ticks (timer wakes on each one's own pCPU with nobody to explain them otherwise) and the
 * mediator's run per call (400, certain notifies from the client on cpu1) and per timer wake
 * (50). Then the client moves to cpu0, the mediator's pCPU, where nothing is certain:
 *  - a mediator WAKE on its tick while the client runs there, the client blocks, and 30 ticks
 *    into the mediator's run a WAKE of the client on its own tick: two timers, no call;
 *  - the same with the notify off the tick: a call;
 *  - both on their ticks but the mediator runs a call's service before the answer: a call. */
#define TK_PERIOD 4000
/* dom, asleep, is woken on cpu at t (its idle vCPU current there) and runs from t + 5. */
static void wake_from_idle(struct tg *g, unsigned cpu, uint64_t t, unsigned dom)
{
    tg_wake(g, cpu, t, dom, 0);
    tg_runstate(g, cpu, t + 2, dom, 0, BLK, RNBL);
    tg_switch(g, cpu, t + 5, IDLE, cpu, dom, 0);
    tg_runstate(g, cpu, t + 6, IDLE, cpu, RUN, RNBL);
    tg_runstate(g, cpu, t + 7, dom, 0, RNBL, RUN);
}

/* dom, running on cpu, blocks at t; its idle vCPU runs from t + 4. */
static void block_to_idle(struct tg *g, unsigned cpu, uint64_t t, unsigned dom)
{
    tg_block(g, cpu, t, dom, 0);
    tg_switch(g, cpu, t + 2, dom, 0, IDLE, cpu);
    tg_runstate(g, cpu, t + 3, dom, 0, RUN, BLK);
    tg_runstate(g, cpu, t + 4, IDLE, cpu, RNBL, RUN);
}

/* After 8 textbook calls, the mediator's timer episode on cpu0 (the client asleep), so that the
 * client's notify on cpu0 is ambiguous (the mediator's timer pCPU); the mediator serves on cpu1
 * for 500 ticks while the client runs on, and the client sleeps: an answered_before_block call,
 * its answer read in shared memory. The mediator's event comes late: from cpu1 (not the client's
 * pCPU: only that call explains it) when late_on_cpu1, else from cpu0 after the mediator moved
 * there (the client's own pCPU: as likely the client's timer). */
static struct fx *ambiguous_call_late_event(int late_on_cpu1)
{
    struct tg *g = calibrated_apart();
    sleeps(g, 0, 9010, CLI);
    wake_from_idle(g, 0, 9100, MED);
    block_to_idle(g, 0, 9200, MED);
    pacing_wake(g, 9985);
    tg_wake(g, 0, 10050, MED, 0); /* the notify, on the mediator's last pCPU */
    tg_runstate(g, 0, 10055, MED, 0, BLK, RNBL);
    tg_switch(g, 1, 10070, IDLE, 1, MED, 0);
    tg_runstate(g, 1, 10080, MED, 0, RNBL, RUN);
    sleeps(g, 0, 10600, CLI); /* the mediator has run 520 */
    if (late_on_cpu1) {
        answer_apart(g, 10700, 10760);
        sleeps(g, 1, 10800, MED);
    } else {
        tg_switch(g, 1, 10650, MED, 0, IDLE, 1);
        tg_runstate(g, 1, 10652, MED, 0, RUN, RNBL);
        tg_switch(g, 0, 10660, IDLE, 0, MED, 0);
        tg_runstate(g, 0, 10662, MED, 0, RNBL, RUN);
        tg_wake(g, 0, 10700, CLI, 0);
        tg_runstate(g, 0, 10705, CLI, 0, BLK, RNBL);
        tg_block(g, 0, 10750, MED, 0);
        tg_switch(g, 0, 10760, MED, 0, CLI, 0);
        tg_runstate(g, 0, 10770, MED, 0, RUN, BLK);
        tg_runstate(g, 0, 10775, CLI, 0, RNBL, RUN);
    }
    sleeps(g, 0, 10900, CLI);
    return fx_run(g, CLI, MED);
}

/* A call is certain when only a call explains its notify or its answer: not when the only other
 * sign is a late event on the client's own pCPU. */
static void test_late_event_on_own_pcpu_leaves_call_likely(void **state)
{
    (void)state;
    for (int late_on_cpu1 = 0; late_on_cpu1 < 2; late_on_cpu1++) {
        struct fx *f = ambiguous_call_late_event(late_on_cpu1);
        const struct sm_calls_stats *st = sm_calls_stats(f->calls);
        assert_int_equal(st->calls, 9);
        assert_int_equal(st->answers_found_running, 1);
        const struct sm_call *c = &f->got[8];
        assert_int_equal(c->shape, SM_SHAPE_ANSWERED_BEFORE_BLOCK);
        assert_int_equal(c->t_notify, 10050);
        assert_true(c->notify_ambiguous);
        assert_int_equal(c->t_answer, SM_T_NONE);
        assert_int_equal(c->certainty, late_on_cpu1 ? SM_CERT_CERTAIN : SM_CERT_LIKELY);
        fx_free(f);
    }
}

/* The client, running on cpu0, blocks at t; the mediator, runnable there, runs from run. */
static void client_yields_to_mediator(struct tg *g, uint64_t t, uint64_t run)
{
    tg_block(g, 0, t, CLI, 0);
    tg_switch(g, 0, t + 2, CLI, 0, MED, 0);
    tg_runstate(g, 0, t + 3, CLI, 0, RUN, BLK);
    tg_runstate(g, 0, run, MED, 0, RNBL, RUN);
}

/* The mediator, running on cpu0, wakes the client there at t (an answer, or the client's own
 * timer), blocks at t + dt, and the client runs from t + dt + 4. */
static void wake_client_then_block(struct tg *g, uint64_t t, uint64_t dt)
{
    tg_wake(g, 0, t, CLI, 0);
    tg_runstate(g, 0, t + 2, CLI, 0, BLK, RNBL);
    tg_block(g, 0, t + dt, MED, 0);
    tg_switch(g, 0, t + dt + 2, MED, 0, CLI, 0);
    tg_runstate(g, 0, t + dt + 3, MED, 0, RUN, BLK);
    tg_runstate(g, 0, t + dt + 4, CLI, 0, RNBL, RUN);
}

/* The client's frame timer on cpu1 at t + 6000, then a call: notify on cpu1 (certain), the
 * mediator serves on cpu0 for 400 and answers there (certain); the client runs on cpu1 after. */
static void certain_call(struct tg *g, uint64_t t)
{
    wake_from_idle(g, 1, t + 6000, CLI);
    tg_wake(g, 1, t + 6100, MED, 0);
    tg_runstate(g, 1, t + 6102, MED, 0, BLK, RNBL);
    tg_switch(g, 0, t + 6104, IDLE, 0, MED, 0);
    tg_runstate(g, 0, t + 6105, IDLE, 0, RUN, RNBL);
    tg_runstate(g, 0, t + 6106, MED, 0, RNBL, RUN);
    block_to_idle(g, 1, t + 6120, CLI);
    tg_wake(g, 0, t + 6400, CLI, 0);
    tg_runstate(g, 0, t + 6402, CLI, 0, BLK, RNBL);
    tg_switch(g, 1, t + 6410, IDLE, 1, CLI, 0);
    tg_runstate(g, 1, t + 6411, IDLE, 1, RUN, RNBL);
    tg_runstate(g, 1, t + 6412, CLI, 0, RNBL, RUN);
    block_to_idle(g, 0, t + 6500, MED);
}

/* 0: tick_round leaves the mediator's timer out (a mediator without one, as smclat-stub). */
static int round_med_timer = 1;

static void tick_round(struct tg *g, uint64_t t)
{
    /* the client's timer on cpu1 (idle there): it runs and sleeps again, no call */
    wake_from_idle(g, 1, t + 1060, CLI);
    block_to_idle(g, 1, t + 1090, CLI);
    /* the mediator's timer on cpu0 (idle there): it runs 50 and sleeps */
    if (round_med_timer) {
        wake_from_idle(g, 0, t + 5000, MED);
        block_to_idle(g, 0, t + 5057, MED);
    }
    certain_call(g, t);
    block_to_idle(g, 1, t + 6600, CLI);
}

/* The client, woken by its frame timer on cpu1 at t - 120, runs on cpu0 from t - 98 and wakes
 * the mediator at t (cpu0, the mediator's pCPU: ambiguous). */
static void notify_on_cpu0(struct tg *g, uint64_t t)
{
    tg_wake(g, 1, t - 120, CLI, 0);
    tg_runstate(g, 1, t - 118, CLI, 0, BLK, RNBL);
    tg_switch(g, 0, t - 100, IDLE, 0, CLI, 0);
    tg_runstate(g, 0, t - 99, IDLE, 0, RUN, RNBL);
    tg_runstate(g, 0, t - 98, CLI, 0, RNBL, RUN);
    tg_wake(g, 0, t, MED, 0);
    tg_runstate(g, 0, t + 2, MED, 0, BLK, RNBL);
}

/* The client, running on cpu0 from t - 100, wakes the mediator at t (cpu0, ambiguous) and
 * blocks; the mediator runs from t + 30 and wakes the client at t + 30 + run (cpu0, ambiguous),
 * blocks 10 later; the client runs and sleeps. cpu0 idle before and after. */
static void ambiguous_pair(struct tg *g, uint64_t t, uint64_t run)
{
    notify_on_cpu0(g, t);
    client_yields_to_mediator(g, t + 20, t + 30);
    wake_client_then_block(g, t + 30 + run, 10);
    block_to_idle(g, 0, t + 300 + run, CLI);
}

/* The start, then n rounds that teach both ticks and both run times; *t: where the rounds
 * end. */
static struct tg *tick_trace_n(uint64_t *t, int n)
{
    struct tg *g = tg_mem_new(2, 1 << 16);
    tg_switch(g, 0, 100, IDLE, 0, MED, 0);
    tg_runstate(g, 0, 110, MED, 0, RNBL, RUN);
    tg_block(g, 0, 190, MED, 0);
    tg_switch(g, 0, 200, MED, 0, IDLE, 0);
    tg_runstate(g, 0, 210, MED, 0, RUN, BLK);
    tg_switch(g, 1, 300, IDLE, 1, CLI, 0);
    tg_runstate(g, 1, 310, CLI, 0, RNBL, RUN);
    block_to_idle(g, 1, 400, CLI);
    *t = 8 * TK_PERIOD;
    for (int i = 0; i < n; i++, *t += 2 * TK_PERIOD)
        tick_round(g, *t);
    return g;
}

/* ... with twenty rounds. */
static struct tg *tick_trace(uint64_t *t)
{
    return tick_trace_n(t, 20);
}

/* The detector on g with a time stamp rate of 1 MHz (the ticks are learned). */
static struct fx *run_at_1mhz(struct tg *g)
{
    fx_ticks_per_s = 1e6;
    struct fx *f = fx_run(g, CLI, MED);
    fx_ticks_per_s = 0;
    return f;
}

static void test_two_timer_ticks_are_no_call(void **state)
{
    (void)state;
    uint64_t t;
    struct tg *g = tick_trace(&t);
    ambiguous_pair(g, t + 1000, 30); /* both on their ticks: no call */
    t += 2 * TK_PERIOD;
    ambiguous_pair(g, t + 3000, 2060); /* notify off the tick (answer on it): a call */
    t += 3 * TK_PERIOD;
    ambiguous_pair(g, t + 1000, 30 + TK_PERIOD); /* a call's service: a call */
    struct fx *f = run_at_1mhz(g);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->mediator_tick_hz, 250);
    assert_int_equal(st->client_tick_hz, 250);
    assert_int_equal(st->tick_coincidences, 1);
    assert_int_equal(st->calls, 22);
    assert_int_equal(st->by_certainty[SM_CERT_CERTAIN], 20);
    assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 2);
    fx_free(f);

    /* Without the rate the ticks are not learned: the first pair is taken for a call. */
    g = tick_trace(&t);
    ambiguous_pair(g, t + 1000, 30);
    f = fx_run(g, CLI, MED);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->mediator_tick_hz, 0);
    assert_int_equal(st->tick_coincidences, 0);
    assert_int_equal(st->calls, 21);
    fx_free(f);
}

/* After tick_trace: the client, running on cpu0 (the mediator's pCPU) from t - 100, wakes the
 * mediator at t (cpu0, ambiguous), which runs on cpu1 from t + 7 for run; the client blocks at
 * t + 20 and its own timer wakes it on cpu0 at t + 40 (idle there: no answer); the mediator
 * blocks with no answer recorded, the client sleeps later. */
static void woken_by_own_timer(struct tg *g, uint64_t t, uint64_t run)
{
    notify_on_cpu0(g, t);
    tg_switch(g, 1, t + 5, IDLE, 1, MED, 0);
    tg_runstate(g, 1, t + 6, IDLE, 1, RUN, RNBL);
    tg_runstate(g, 1, t + 7, MED, 0, RNBL, RUN);
    block_to_idle(g, 0, t + 20, CLI);
    wake_from_idle(g, 0, t + 40, CLI);
    block_to_idle(g, 1, t + 7 + run, MED);
    block_to_idle(g, 0, t + 107 + run, CLI);
}

/* An ambiguous notify on the mediator's tick, the client blocked and woken by its own timer,
 * no answer recorded: with the mediator's run a timer's (60, under the threshold of 141 between
 * its 50 per timer and 400 per call) two timers, no call; with a call's run (450), a call whose
 * answer found the client awake. */
static void test_woken_by_own_timer_after_a_tick_is_no_call(void **state)
{
    (void)state;
    uint64_t t;
    struct tg *g = tick_trace(&t);
    woken_by_own_timer(g, t + 1000, 60);
    t += 2 * TK_PERIOD;
    tick_round(g, t); /* the mediator back on cpu0, where the next notify is ambiguous */
    t += 2 * TK_PERIOD;
    woken_by_own_timer(g, t + 1000, 450);
    struct fx *f = run_at_1mhz(g);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->mediator_tick_hz, 250);
    assert_int_equal(st->calls, 22);
    assert_int_equal(st->by_certainty[SM_CERT_CERTAIN], 21);
    assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
    assert_int_equal(st->by_shape[SM_SHAPE_CLIENT_WOKEN_EARLY], 1);
    fx_free(f);
}

/* tick_trace_n with n rounds, then one more certain call at *t (tick_round's call, without the
 * client's sleep after it: it runs on cpu1 from *t + 6412). */
static struct tg *rounds_then_certain_call(int n, uint64_t *t)
{
    struct tg *g = tick_trace_n(t, n);
    certain_call(g, *t);
    return g;
}

/* The client, running on cpu1, is preempted there at t (not blocked) and runs on cpu0 from
 * t + 12, where from (its idle vCPU, or the mediator) ran. */
static void client_moves_to_cpu0(struct tg *g, uint64_t t, unsigned from)
{
    tg_switch(g, 1, t, CLI, 0, IDLE, 1);
    tg_runstate(g, 1, t + 1, CLI, 0, RUN, RNBL);
    tg_runstate(g, 1, t + 2, IDLE, 1, RNBL, RUN);
    tg_switch(g, 0, t + 10, from, 0, CLI, 0);
    tg_runstate(g, 0, t + 11, from, 0, RUN, RNBL);
    tg_runstate(g, 0, t + 12, CLI, 0, RNBL, RUN);
}

/* tick_trace with n rounds (each a certain call made after the client slept, blocking 23 after
 * its notify); then the client, answered on cpu1 in one more such call, does not sleep:
 * preempted there, it runs on cpu0 (the mediator's pCPU) and blocks run after u; the mediator
 * runs there (from 10 after that block) and wakes the client (ambiguous). Before that block the
 * mediator was either woken there at u while the client ran (ambiguous: a notify; the wake of
 * the client at u + 430) or, with awake, had been woken by its timer on cpu0 before the client
 * came (then it is runnable at the block: no notify record; the wake of the client 130 after
 * the mediator runs, 0.44 of its 294 from a call's wake to its answer: no call's service, though
 * its episode, 163 with its run before the client came, is over half of it).
 * One more round ends the trace. */
static struct tg *pair_without_block(int n, int awake, uint64_t run)
{
    uint64_t t;
    struct tg *g = rounds_then_certain_call(n, &t);
    if (awake)
        wake_from_idle(g, 0, t + 6520, MED);
    client_moves_to_cpu0(g, t + 6550, awake ? MED : IDLE);
    uint64_t u = t + 7000;
    if (!awake) {
        tg_wake(g, 0, u, MED, 0);
        tg_runstate(g, 0, u + 2, MED, 0, BLK, RNBL);
    }
    client_yields_to_mediator(g, u + run, u + run + 10);
    wake_client_then_block(g, awake ? u + run + 140 : u + 430, 10);
    block_to_idle(g, 0, u + 700, CLI);
    tick_round(g, t + 2 * TK_PERIOD);
    return g;
}

/* The detector on g (40 certain calls after a sleep, one more without, the round after) drops
 * the one ambiguous call as timers. */
static void expect_dropped(struct tg *g)
{
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->certain_notify_calls, 42);
    assert_int_equal(st->certain_calls_without_block, 0);
    assert_int_equal(st->unblocked_calls_dropped, 1);
    assert_int_equal(st->calls, 42);
    assert_int_equal(st->by_certainty[SM_CERT_CERTAIN], 42);
    fx_free(f);
}

/* A client whose certain calls all came after it slept (40: at most 3% of them without a sleep,
 * estimated (0 + 1) / (40 + 2)) makes no call before it has slept since its previous one: the
 * ambiguous pair then is two timers, dropped, whether the mediator was woken while the client
 * ran on for 100 before blocking (a timer-looking notify: over 1.5 times the 23 it runs after a
 * certain one) or was awake already (a mediator_already_awake pair). With 20 certain calls
 * (1 / 22, over 3%) the same pair is kept, as it is after 40 when the client had slept before,
 * or when it blocked 23 after the notify, as a caller does (a call that started late). */
static void test_pair_before_any_sleep_is_no_call_of_a_sleeping_client(void **state)
{
    (void)state;
    for (int awake = 0; awake <= 1; awake++) {
        expect_dropped(pair_without_block(40, awake, 100));
        struct fx *f = fx_run(pair_without_block(20, awake, 100), CLI, MED);
        const struct sm_calls_stats *st = sm_calls_stats(f->calls);
        assert_int_equal(st->unblocked_calls_dropped, 0);
        assert_int_equal(st->calls, 23);
        assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
        assert_int_equal(st->by_shape[awake ? SM_SHAPE_MEDIATOR_ALREADY_AWAKE : SM_SHAPE_TEXTBOOK],
                         23 - 22 * awake);
        fx_free(f);
    }

    uint64_t t;
    struct tg *g = tick_trace_n(&t, 40);
    ambiguous_pair(g, t + 1000, 400);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->unblocked_calls_dropped, 0);
    assert_int_equal(st->calls, 41);
    assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
    fx_free(f);

    f = fx_run(pair_without_block(40, 0, 20), CLI, MED);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->certain_calls_without_block, 0);
    assert_int_equal(st->unblocked_calls_dropped, 0);
    assert_int_equal(st->calls, 43);
    assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
    assert_int_equal(st->by_shape[SM_SHAPE_TEXTBOOK], 43);
    fx_free(f);
}

/* tick_trace with 40 rounds (a client that sleeps between calls: 41 certain calls, each after a
 * sleep, the mediator's run from a call's wake to its answer 294, the client's from a notify to
 * its block 20), then one call made back to back (it started late), with no notify record: the
 * client, answered on cpu1 at t + 6400, runs there 8 and is preempted by another domain (d3);
 * the mediator, woken by its timer on cpu0 at t + 6520, runs there for pre; the client runs on
 * cpu0 from then and blocks run later (its run since its wake: 8 + run); the mediator, runnable,
 * runs from 10 after that block and wakes the client there (ambiguous) served later, blocks 10
 * later; the client sleeps later. One more round ends the trace. */
static struct tg *back_to_back(uint64_t pre, uint64_t run, uint64_t served)
{
    uint64_t t;
    struct tg *g = rounds_then_certain_call(40, &t);
    tg_switch(g, 1, t + 6420, CLI, 0, OTHER, 0);
    tg_runstate(g, 1, t + 6421, CLI, 0, RUN, RNBL);
    tg_runstate(g, 1, t + 6422, OTHER, 0, RNBL, RUN);
    wake_from_idle(g, 0, t + 6520, MED);
    uint64_t x = t + 6527 + pre;
    tg_switch(g, 0, x, MED, 0, CLI, 0);
    tg_runstate(g, 0, x + 1, MED, 0, RUN, RNBL);
    tg_runstate(g, 0, x + 2, CLI, 0, RNBL, RUN);
    block_to_idle(g, 1, x + 5, OTHER);
    uint64_t b = x + 2 + run;
    client_yields_to_mediator(g, b, b + 10);
    wake_client_then_block(g, b + 10 + served, 10);
    block_to_idle(g, 0, b + 10 + served + 300, CLI);
    tick_round(g, t + 2 * TK_PERIOD);
    return g;
}

/* Of a client that sleeps between calls, a mediator_already_awake call made before it slept since
 * its previous call is kept when it is a back-to-back call: the mediator ran a call's service from
 * the client's block to the answer (300: at least half its 294), its episode was all service
 * (340 from its wake, at most 1.5 times 294 for the one call it answered) and the client ran
 * since its wake more than twice its 20 from a notify to its block (108). Any one sign missing
 * makes it a pair of timers, dropped: a wake of the client 100 after the mediator runs (its
 * episode 170), or 500 after, a mediator that ran 200 before the client came (its episode 510), a
 * client that ran 28 since its wake. */
static void test_back_to_back_call_without_notify_is_kept(void **state)
{
    (void)state;
    struct fx *f = fx_run(back_to_back(30, 100, 300), CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->certain_calls_without_block, 0);
    assert_int_equal(st->unblocked_calls_dropped, 0);
    assert_int_equal(st->calls, 43);
    assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
    assert_int_equal(st->by_shape[SM_SHAPE_MEDIATOR_ALREADY_AWAKE], 1);
    const struct sm_call *c = &f->got[41];
    assert_int_equal(c->shape, SM_SHAPE_MEDIATOR_ALREADY_AWAKE);
    assert_int_equal(c->t_answer - c->t_client_block, 10 + 300 - 3); /* block: 3 after BLOCK */
    fx_free(f);

    expect_dropped(back_to_back(60, 100, 100));
    expect_dropped(back_to_back(30, 100, 500));
    expect_dropped(back_to_back(200, 100, 300));
    expect_dropped(back_to_back(30, 20, 300));
}

/* The same, the mediator's whole episode less than half its 294 from a call's wake to its
 * answer when it wakes the client (10 before the client came, 100 after its block): it served no
 * call, that wake was the client's timer (answers_without_service), whatever the client's habit;
 * with 300 after the block, a call. */
static void test_answer_without_service_is_no_call(void **state)
{
    (void)state;
    struct fx *f = fx_run(back_to_back(0, 100, 100), CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->answers_without_service, 1);
    assert_int_equal(st->unblocked_calls_dropped, 0);
    assert_int_equal(st->calls, 42);
    assert_int_equal(st->by_certainty[SM_CERT_CERTAIN], 42);
    fx_free(f);

    f = fx_run(back_to_back(0, 100, 300), CLI, MED);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->answers_without_service, 0);
    assert_int_equal(st->calls, 43);
    assert_int_equal(st->by_shape[SM_SHAPE_MEDIATOR_ALREADY_AWAKE], 1);
    fx_free(f);
}

/* tick_trace with n rounds, then one more certain call after which the client does not sleep: it
 * moves to cpu0, the mediator's last pCPU, and the mediator is woken there while it runs
 * (ambiguous), runs 300 on cpu1 (more than the 140 between a timer's run and a call's) and
 * blocks without waking the client, which runs on (with preempt: is preempted on cpu0 from 50
 * after that wake to 400) and sleeps later. One more round ends the trace. */
static struct tg *unanswered_without_block(int n, int preempt)
{
    uint64_t t;
    struct tg *g = rounds_then_certain_call(n, &t);
    client_moves_to_cpu0(g, t + 6550, IDLE);
    uint64_t u = t + 7000;
    tg_wake(g, 0, u, MED, 0);
    tg_runstate(g, 0, u + 2, MED, 0, BLK, RNBL);
    tg_switch(g, 1, u + 5, IDLE, 1, MED, 0);
    tg_runstate(g, 1, u + 6, IDLE, 1, RUN, RNBL);
    tg_runstate(g, 1, u + 7, MED, 0, RNBL, RUN);
    if (preempt) {
        tg_switch(g, 0, u + 50, CLI, 0, IDLE, 0);
        tg_runstate(g, 0, u + 51, CLI, 0, RUN, RNBL);
        tg_runstate(g, 0, u + 52, IDLE, 0, RNBL, RUN);
        tg_switch(g, 0, u + 400, IDLE, 0, CLI, 0);
        tg_runstate(g, 0, u + 401, IDLE, 0, RUN, RNBL);
        tg_runstate(g, 0, u + 402, CLI, 0, RNBL, RUN);
    }
    block_to_idle(g, 1, u + 307, MED);
    block_to_idle(g, 0, u + 700, CLI);
    tick_round(g, t + 2 * TK_PERIOD);
    return g;
}

/* The detector on g keeps the one call of that certainty and shape, calls in all. */
static void expect_kept(struct tg *g, uint64_t calls, enum sm_call_certainty certainty,
                        enum sm_call_shape shape)
{
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->unblocked_calls_dropped, 0);
    assert_int_equal(st->calls, calls);
    assert_int_equal(st->by_certainty[certainty], 1);
    assert_int_equal(st->by_shape[shape], 1);
    fx_free(f);
}

/* The same for a notify-looking wake that no answer follows, the client neither blocking nor
 * preempted until the mediator blocks (an answered_before_block "call"): of a client whose 40
 * certain calls all came after it slept, made before it slept again, it is the mediator's timer
 * right after that call, dropped; with 20 it is kept. Preempted instead, the client may have
 * made a call the mediator answered meanwhile (a client_preempted call): kept. */
static void test_unanswered_before_any_sleep_is_no_call_of_a_sleeping_client(void **state)
{
    (void)state;
    expect_dropped(unanswered_without_block(40, 0));
    expect_kept(unanswered_without_block(20, 0), 23, SM_CERT_LIKELY,
                SM_SHAPE_ANSWERED_BEFORE_BLOCK);
    expect_kept(unanswered_without_block(40, 1), 43, SM_CERT_LIKELY, SM_SHAPE_CLIENT_PREEMPTED);
}

/* tick_trace_n with 20 rounds (too few certain calls to show the client sleeps between calls),
 * then one more certain call after which the client does not sleep: it moves to cpu0, the
 * mediator's pCPU, and at u (phase notify of the mediator's tick) wakes the mediator there
 * (ambiguous), runs on for run, and yields to it; the mediator runs 2500 (over the 141 between
 * a timer's run and a call's) and wakes the client at phase 1060 of the next period, the
 * client's tick (ambiguous), blocks 10 later; the client sleeps. One more round ends it. */
static struct tg *late_block_pair(uint64_t notify, uint64_t run)
{
    uint64_t t;
    struct tg *g = rounds_then_certain_call(20, &t);
    client_moves_to_cpu0(g, t + 6550, IDLE);
    uint64_t u = t + 2 * TK_PERIOD + notify;
    tg_wake(g, 0, u, MED, 0);
    tg_runstate(g, 0, u + 2, MED, 0, BLK, RNBL);
    client_yields_to_mediator(g, u + run, u + run + 10);
    uint64_t answer = t + 3 * TK_PERIOD + 1060;
    wake_client_then_block(g, answer, 10);
    block_to_idle(g, 0, answer + 300, CLI);
    tick_round(g, t + 4 * TK_PERIOD);
    return g;
}

/* A client that ran 1500 after an ambiguous "notify" on the mediator's tick before it blocked,
 * where its certain notifies block 20 after (over twice that), and was woken on its own tick
 * (the mediator having run longer than a timer's work, so the run time keeps the pair): two
 * timers, dropped as a tick coincidence. Blocking 20 after, or with the notify off the tick
 * (phase 1500), the pair is a call. */
static void test_client_running_on_after_a_tick_wake_is_no_call(void **state)
{
    (void)state;
    struct fx *f = run_at_1mhz(late_block_pair(1000, 1500));
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->mediator_tick_hz, 250);
    assert_int_equal(st->client_tick_hz, 250);
    assert_int_equal(st->certain_notify_calls, 22);
    assert_int_equal(st->unblocked_calls_dropped, 0);
    assert_int_equal(st->tick_coincidences, 1);
    assert_int_equal(st->calls, 22);
    assert_int_equal(st->by_certainty[SM_CERT_CERTAIN], 22);
    fx_free(f);
    uint64_t kept[2][2] = {{1000, 20}, {1500, 1500}};
    for (int i = 0; i < 2; i++) {
        f = run_at_1mhz(late_block_pair(kept[i][0], kept[i][1]));
        st = sm_calls_stats(f->calls);
        assert_int_equal(st->tick_coincidences, 0);
        assert_int_equal(st->calls, 23);
        assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
        assert_int_equal(st->by_shape[SM_SHAPE_TEXTBOOK], 23);
        fx_free(f);
    }
}

/* tick_trace_n with n rounds, then one more certain call after which the client runs on cpu1;
 * the mediator's timer wakes it on cpu0 (idle there) and it runs 400 (a call's service on top
 * of a timer's 50) while the client blocks on cpu1, its own timer wakes it there 50 later, and
 * the mediator blocks with the client running: a no_wakes call, inferred. With slept, the
 * client had slept (and been woken by its timer) since that certain call. */
static struct tg *inferred_pair(int n, int slept)
{
    uint64_t t;
    struct tg *g = rounds_then_certain_call(n, &t);
    if (slept) {
        block_to_idle(g, 1, t + 6450, CLI);
        wake_from_idle(g, 1, t + 6550, CLI);
    }
    wake_from_idle(g, 0, t + 6600, MED);
    block_to_idle(g, 1, t + 6650, CLI);
    wake_from_idle(g, 1, t + 6700, CLI);
    block_to_idle(g, 0, t + 7005, MED);
    block_to_idle(g, 1, t + 7100, CLI);
    tick_round(g, t + 2 * TK_PERIOD);
    return g;
}

/* The inferred call is one of a client that sleeps between calls (40 certain calls, all after
 * a sleep) when the block it starts with was the client's first since its previous call: that
 * block was its sleep, and the pair two timers, dropped. With 20 certain calls, or after a
 * sleep, it is kept. */
static void test_inferred_before_any_sleep_is_no_call_of_a_sleeping_client(void **state)
{
    (void)state;
    expect_dropped(inferred_pair(40, 0));
    expect_kept(inferred_pair(20, 0), 23, SM_CERT_INFERRED, SM_SHAPE_NO_WAKES);
    expect_kept(inferred_pair(40, 1), 43, SM_CERT_INFERRED, SM_SHAPE_NO_WAKES);
}

/* Past the calls held back at most (4096), each batch is handed out in order with what is known
 * by then: every call once, indexed in order, and the pair at the end still dropped. */
static void test_held_back_calls_go_out_in_order(void **state)
{
    (void)state;
    struct fx *f = fx_run(pair_without_block(4200, 0, 100), CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->unblocked_calls_dropped, 1);
    assert_int_equal(st->calls, 4202);
    assert_int_equal(f->ngot, 4202);
    for (unsigned i = 0; i < FX_MAX_CALLS; i++) {
        assert_int_equal(f->got[i].index, i);
        if (i)
            assert_true(f->got[i].t_notify > f->got[i - 1].t_notify);
    }
    fx_free(f);
}

/* After 8 textbook calls (the mediator answers 200 ticks into its run), a call whose client
 * blocks, is woken by its own timer and runs, then blocks again once the mediator has run 390
 * ticks (over 1.5 times 200): the answer reached it while it ran (no record), and that block is
 * its sleep. The call ends where that run began; the mediator's event that comes late is that
 * call's. With the client blocking again after 140 ticks of the mediator's run, the call goes
 * on and that event is its answer. */
static void woken_early_then_sleeps(struct tg *g, uint64_t again)
{
    notify_apart(g, 9000); /* the mediator runs on cpu1 from 9030 */
    sleeps(g, 0, 9050, CLI);
    pacing_wake(g, 9100); /* its own timer, cpu0 idle: it runs from 9115 */
    sleeps(g, 0, again, CLI);
    answer_apart(g, 9500, 9560);
    sleeps(g, 1, 9600, MED);
    sleeps(g, 0, 9700, CLI);
}

static void test_woken_early_answer_read_before_sleep(void **state)
{
    (void)state;
    struct tg *g = calibrated_apart();
    woken_early_then_sleeps(g, 9400);
    struct fx *f = fx_run(g, CLI, MED);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 9);
    assert_int_equal(st->answers_found_running, 1);
    const struct sm_call *c = &f->got[8];
    assert_int_equal(c->shape, SM_SHAPE_CLIENT_WOKEN_EARLY);
    assert_int_equal(c->t_client_block, 9070);
    assert_int_equal(c->t_client_run, 9115);
    assert_int_equal(c->t_end_lo, SM_T_NONE);
    assert_int_equal(c->t_answer, SM_T_NONE);
    fx_free(f);

    g = calibrated_apart();
    woken_early_then_sleeps(g, 9150);
    f = fx_run(g, CLI, MED);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 9);
    assert_int_equal(st->answers_found_running, 0);
    c = &f->got[8];
    assert_int_equal(c->shape, SM_SHAPE_CLIENT_WOKEN_EARLY);
    assert_int_equal(c->t_answer, 9500);
    assert_int_equal(c->t_client_run, 9560);
    assert_int_equal(c->t_end_lo, SM_T_NONE);
    fx_free(f);
}

/* After tick_trace, a call at t (t0 past its end): the client notifies on cpu0 (ambiguous) and
 * blocks, the mediator runs there from t + 30 and wakes the client there at t + 330
 * (ambiguous: its timer or the answer). */
static struct tg *served_on_cpu0(uint64_t t0, uint64_t *t)
{
    struct tg *g = tick_trace(t);
    *t += t0;
    notify_on_cpu0(g, *t);
    client_yields_to_mediator(g, *t + 20, *t + 30);
    tg_wake(g, 0, *t + 330, CLI, 0);
    tg_runstate(g, 0, *t + 332, CLI, 0, BLK, RNBL);
    return g;
}

/* After tick_trace (the client's timer wakes run 26 ticks before it blocks again, on its tick at
 * phase 1060 of 4000; the mediator serves a call in 400): the client, on cpu0, wakes the mediator
 * there (ambiguous, off the mediator's tick) and blocks; the mediator runs 300 and wakes it there
 * (ambiguous), and is preempted by it; the client runs crun and blocks while the mediator is
 * still awake, which runs 50 more, wakes the client there again, and blocks. */
static struct fx *answer_then_timer(uint64_t t0, uint64_t crun)
{
    uint64_t t;
    struct tg *g = served_on_cpu0(t0, &t);
    tg_switch(g, 0, t + 340, MED, 0, CLI, 0);
    tg_runstate(g, 0, t + 341, MED, 0, RUN, RNBL);
    tg_runstate(g, 0, t + 342, CLI, 0, RNBL, RUN);
    uint64_t b = t + 342 + crun;
    client_yields_to_mediator(g, b, b + 4);
    wake_client_then_block(g, b + 54, 6);
    block_to_idle(g, 0, b + 100, CLI);
    return run_at_1mhz(g);
}

/* The second WAKE comes while the mediator, awake since the first, has run too little to have
 * served another call: one of the two was the client's timer. When the client ran after the
 * first one as briefly as after a timer wake (20 ticks), it looked for the answer and waited
 * again: the first was its timer, and the call ends after the second. When it ran far longer
 * (200), it went on after the call: the first was the answer, the call ends at that run, and
 * the second (on the client's tick) is its timer. */
static void test_client_run_tells_answer_from_timer(void **state)
{
    (void)state;
    struct fx *f = answer_then_timer(1000, 20);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 21);
    assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
    const struct sm_call *c = &f->got[20];
    assert_true(c->client_woken_early);
    assert_int_equal(c->t_client_run, c->t_client_block + 403);
    fx_free(f);

    f = answer_then_timer(464, 200);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 21);
    assert_int_equal(st->by_certainty[SM_CERT_LIKELY], 1);
    assert_int_equal(st->tick_coincidences, 1);
    c = &f->got[20];
    assert_false(c->client_woken_early);
    assert_int_equal(c->t_client_run, c->t_client_block + 319);
    fx_free(f);
}

/* As test_client_run_tells_answer_from_timer, with the client running 45 ticks after the first
 * WAKE: under twice its run after a timer wake (26), but over twice its run from a certain
 * notify to its block (20): more than a client that found no answer and waited again. The first
 * WAKE was the answer; the client went on and made its next call while the mediator was still
 * awake (no notify record), and the second WAKE answers that one. */
static void test_client_run_past_wait_ends_call_at_first_answer(void **state)
{
    (void)state;
    struct fx *f = answer_then_timer(1000, 45);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 22);
    const struct sm_call *a = &f->got[20], *b = &f->got[21];
    assert_int_equal(a->shape, SM_SHAPE_TEXTBOOK);
    assert_false(a->client_woken_early);
    assert_int_equal(a->t_answer, a->t_notify + 330);
    assert_int_equal(a->t_client_run, a->t_notify + 342);
    assert_int_equal(b->shape, SM_SHAPE_MEDIATOR_ALREADY_AWAKE);
    assert_int_equal(b->t_notify, SM_T_NONE);
    assert_int_equal(b->t_client_block, a->t_notify + 342 + 45 + 3);
    assert_int_equal(b->t_answer, b->t_client_block + 51);
    fx_free(f);
}

/* After tick_trace (the client blocks 20 after a certain notify; the mediator answers 294 into
 * its run), off both ticks: the mediator's WAKE on cpu0 while the client runs there (ambiguous),
 * the client runs on 100 and blocks, the mediator runs from then, the client's WAKE there
 * (ambiguous) after answer ticks of its run, the mediator blocks 10 later. */
static struct fx *pair_on_cpu0(uint64_t answer)
{
    uint64_t t;
    struct tg *g = tick_trace(&t);
    t += 1000;
    notify_on_cpu0(g, t);
    client_yields_to_mediator(g, t + 100, t + 110);
    wake_client_then_block(g, t + 110 + answer, 10);
    block_to_idle(g, 0, t + 400 + answer, CLI);
    return run_at_1mhz(g);
}

/* The client did not wait after that "notify" (5 times its usual run to its block) and the
 * mediator "answered" 50 into its run and blocked 60 into it (a call's answer comes 294 in): the
 * two guests' timers, no call. The same with the mediator running 300 before the WAKE: it served
 * a call, kept. */
static void test_timers_without_service_are_no_call(void **state)
{
    (void)state;
    struct fx *f = pair_on_cpu0(50);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 20);
    assert_int_equal(st->timer_pairs_without_service, 1);
    assert_int_equal(st->tick_coincidences, 0);
    fx_free(f);

    f = pair_on_cpu0(300);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 21);
    assert_int_equal(st->timer_pairs_without_service, 0);
    const struct sm_call *c = &f->got[20];
    assert_int_equal(c->certainty, SM_CERT_LIKELY);
    assert_int_equal(c->t_answer, c->t_notify + 410);
    fx_free(f);
}

/* The same short "service" of a mediator that has shown no timer of its own (no wake begun
 * by anything but a call in the whole trace, as smclat-stub blocked on its one channel): no
 * timer pair can explain it, and the call is kept. */
static void test_short_service_of_timerless_mediator_is_call(void **state)
{
    (void)state;
    round_med_timer = 0;
    struct fx *f = pair_on_cpu0(50);
    round_med_timer = 1;
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->timer_pairs_without_service, 0);
    assert_int_equal(st->calls, 21);
    const struct sm_call *c = &f->got[20];
    assert_int_equal(c->certainty, SM_CERT_LIKELY);
    assert_int_equal(c->t_answer, c->t_notify + 160);
    fx_free(f);
}

/* The client, runnable, replaces the idle vCPU of cpu at t and runs from t + 2. */
static void idle_to_client(struct tg *g, unsigned cpu, uint64_t t)
{
    tg_switch(g, cpu, t, IDLE, cpu, CLI, 0);
    tg_runstate(g, cpu, t + 1, IDLE, cpu, RUN, RNBL);
    tg_runstate(g, cpu, t + 2, CLI, 0, RNBL, RUN);
}

/* As answer_then_timer, but the client runs on cpu1 after the first WAKE (ambiguous: the
 * mediator on the client's own pCPU, cpu0) and blocks there, while the mediator runs on, on cpu0
 * and wakes the client again at first + gap (certain now: the client's pCPU is cpu1). */
static struct fx *answer_then_answer(uint64_t gap)
{
    uint64_t t;
    struct tg *g = served_on_cpu0(1000, &t);
    idle_to_client(g, 1, t + 335);
    block_to_idle(g, 1, t + 357, CLI);
    tg_wake(g, 0, t + 330 + gap, CLI, 0);
    tg_runstate(g, 0, t + 332 + gap, CLI, 0, BLK, RNBL);
    idle_to_client(g, 1, t + 334 + gap);
    block_to_idle(g, 0, t + 340 + gap, MED);
    block_to_idle(g, 1, t + 400 + gap, CLI);
    return run_at_1mhz(g);
}

/* The mediator served on after an ambiguous "answer" (300 into its run: a call's service) and
 * woke the client again 250 later: more than half a call since that answer, but less since
 * the client ran after it than the mediator runs from a call's wake to its answer (294 here),
 * so no new call can have been served: the first WAKE was the client's timer, the second the
 * answer, one call. 350 later it could have been a new call's answer (mediator_already_awake:
 * two calls). */
static void test_no_new_call_served_since_client_ran(void **state)
{
    (void)state;
    struct fx *f = answer_then_answer(250);
    const struct sm_calls_stats *st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 21);
    assert_int_equal(st->by_shape[SM_SHAPE_MEDIATOR_ALREADY_AWAKE], 0);
    const struct sm_call *c = &f->got[20];
    assert_true(c->client_woken_early);
    assert_int_equal(c->t_client_run, c->t_answer + 6);
    assert_int_equal(c->t_answer, c->t_client_block + 557);
    fx_free(f);

    f = answer_then_answer(350);
    st = sm_calls_stats(f->calls);
    assert_int_equal(st->calls, 22);
    assert_int_equal(st->by_shape[SM_SHAPE_MEDIATOR_ALREADY_AWAKE], 1);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textbook),
        cmocka_unit_test(test_client_woken_early),
        cmocka_unit_test(test_answered_before_block),
        cmocka_unit_test(test_mediator_already_awake),
        cmocka_unit_test(test_mediator_timer_wake_is_no_call),
        cmocka_unit_test(test_lost_records_make_call_incomplete),
        cmocka_unit_test(test_trace_edge),
        cmocka_unit_test(test_interference_on_the_mediators_pcpu),
        cmocka_unit_test(test_concurrent_calls_of_two_client_vcpus),
        cmocka_unit_test(test_no_answer_before_next_call),
        cmocka_unit_test(test_roles_auto),
        cmocka_unit_test(test_timer_coincidences_are_no_calls),
        cmocka_unit_test(test_preempted_after_certain_notify),
        cmocka_unit_test(test_answer_in_block_path),
        cmocka_unit_test(test_answer_before_block_record),
        cmocka_unit_test(test_answer_in_vcpu_block_without_record),
        cmocka_unit_test(test_answer_recorded_after_continue),
        cmocka_unit_test(test_answer_as_switched_out),
        cmocka_unit_test(test_mediator_stays_awake_across_two_calls),
        cmocka_unit_test(test_answer_before_first_block_record),
        cmocka_unit_test(test_answer_read_before_block),
        cmocka_unit_test(test_late_event_on_own_pcpu_leaves_call_likely),
        cmocka_unit_test(test_block_record_then_continue_ends_service),
        cmocka_unit_test(test_no_wakes_needs_more_than_a_timer_episode),
        cmocka_unit_test(test_preempted_in_timer_episode_is_inferred_call),
        cmocka_unit_test(test_timer_episode_that_answers_calibrates_nothing),
        cmocka_unit_test(test_episode_of_two_calls_calibrates_nothing),
        cmocka_unit_test(test_long_run_after_ambiguous_answer),
        cmocka_unit_test(test_preempted_then_sleeps_is_answered),
        cmocka_unit_test(test_recover_no_wakes),
        cmocka_unit_test(test_recover_textbook_and_empty),
        cmocka_unit_test(test_two_timer_ticks_are_no_call),
        cmocka_unit_test(test_woken_by_own_timer_after_a_tick_is_no_call),
        cmocka_unit_test(test_pair_before_any_sleep_is_no_call_of_a_sleeping_client),
        cmocka_unit_test(test_unanswered_before_any_sleep_is_no_call_of_a_sleeping_client),
        cmocka_unit_test(test_client_running_on_after_a_tick_wake_is_no_call),
        cmocka_unit_test(test_inferred_before_any_sleep_is_no_call_of_a_sleeping_client),
        cmocka_unit_test(test_held_back_calls_go_out_in_order),
        cmocka_unit_test(test_woken_early_answer_read_before_sleep),
        cmocka_unit_test(test_woken_early_run_long_then_preempted),
        cmocka_unit_test(test_client_run_tells_answer_from_timer),
        cmocka_unit_test(test_client_run_past_wait_ends_call_at_first_answer),
        cmocka_unit_test(test_timers_without_service_are_no_call),
        cmocka_unit_test(test_short_service_of_timerless_mediator_is_call),
        cmocka_unit_test(test_back_to_back_call_without_notify_is_kept),
        cmocka_unit_test(test_answer_without_service_is_no_call),
        cmocka_unit_test(test_no_new_call_served_since_client_ran),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
