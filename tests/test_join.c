/* Unit tests of the join (trace-parse/join.c): synthetic call lists and logs with a known clock
 * offset, calls missing and extra on either side, calls cut by the trace's edges, and logs that
 * must not join. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "join.h"

#define HZ     62500000.0
#define PERIOD 625000u    /* 10 ms at 62.5 MHz: 100 calls/s */
#define OFF    1091831250 /* trace ticks = guest ticks + OFF (as in the lab's traces) */

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (rng >> 33) % n;
}

struct truth {
    uint64_t before, after; /* guest time outside the window, ticks */
};

struct synth {
    struct sm_call *calls;
    size_t nc;
    struct sm_log_call *log;
    size_t nl;
    struct truth *truth;  /* [nl] */
    size_t *trace_of_log; /* [nl]: expected trace index, or SM_JOIN_NONE */
};

/* A textbook call in the trace over [a, z]. */
static void set_call(struct sm_call *c, uint32_t index, uint64_t a, uint64_t z)
{
    memset(c, 0, sizeof *c);
    c->index = index;
    c->t_notify = a;
    c->t_med_wake = a;
    c->t_client_block = a + 60;
    c->t_med_run = a + 150;
    c->t_answer = a + 300;
    c->t_med_block = a + 320;
    c->t_client_wake = a + 300;
    c->t_client_run = z;
    c->t_start = a;
    c->t_end = z;
    c->sw_client = 2;
    c->sw_mediator = 2;
    c->sw_idle = index % 3;
    c->sw_other = 1;
    /* Dom3 ran while the mediator waited in every call, Dom0 too in one call in 4. */
    c->other_run_ticks = 100;
    for (size_t k = 0; k < sizeof c->other_domids / sizeof c->other_domids[0]; k++)
        c->other_domids[k] = XT_DOMID_INVALID;
    c->other_domids[0] = 3;
    if (index % 4 == 1)
        c->other_domids[1] = 0;
}

/* n calls paced at 100/s with jitter, round trips of 0.1-1 ms, 3-24 us of guest time on each
 * side of the trace window, and one call in 20 preempted for 1.6 ms before the guest reads its
 * clock at the end. The trace sees every call; each log call i is trace call i. */
static void make(struct synth *s, size_t n, uint64_t seed)
{
    rng = seed;
    s->nc = s->nl = n;
    s->calls = calloc(n + 64, sizeof *s->calls);
    s->log = calloc(n, sizeof *s->log);
    s->truth = calloc(n, sizeof *s->truth);
    s->trace_of_log = calloc(n, sizeof *s->trace_of_log);
    assert_non_null(s->calls);
    assert_non_null(s->log);
    uint64_t base = 3472131977ull;
    static const enum sm_log_op ops[4] = {SM_LOG_OP_REGISTER, SM_LOG_OP_PROCESS, SM_LOG_OP_PROCESS,
                                          SM_LOG_OP_UNREGISTER};
    for (size_t i = 0; i < n; i++) {
        uint64_t st = base + i * PERIOD + rnd(PERIOD / 5);
        uint64_t rtt = 6250 + rnd(56250);
        uint64_t before = 200 + rnd(1300), after = 200 + rnd(1300);
        if (i % 20 == 7)
            after += 100000;
        rtt += after;
        s->log[i] = (struct sm_log_call){.seq = i,
                                         .start_cntvct = st,
                                         .end_cntvct = st + rtt,
                                         .start_ns = SM_LOG_NONE,
                                         .end_ns = SM_LOG_NONE,
                                         .line = (uint32_t)i + 2,
                                         .op = ops[i % 4],
                                         .status_ok = 1};
        s->truth[i] = (struct truth){before, after};
        set_call(&s->calls[i], (uint32_t)i, st + OFF + before, st + rtt + OFF - after);
        s->trace_of_log[i] = i;
    }
}

static void synth_free(struct synth *s)
{
    free(s->calls);
    free(s->log);
    free(s->truth);
    free(s->trace_of_log);
}

static struct sm_join *join_ok(const struct synth *s, const struct sm_join_opts *opts)
{
    struct sm_join *j = NULL;
    struct sm_join_error err;
    int rc = sm_join_run(s->calls, s->nc, s->log, s->nl, opts, &j, &err);
    if (rc != 0)
        fail_msg("join refused: %s", err.msg);
    assert_non_null(j);
    return j;
}

/* Every pair is the expected one, and the figures agree with the ground truth within the
 * offset's uncertainty. */
static void check_pairs(const struct synth *s, const struct sm_join *j)
{
    assert_true(j->offset_lo <= OFF && OFF <= j->offset_hi);
    assert_true(j->offset_lo <= j->offset_ticks && j->offset_ticks <= j->offset_hi);
    assert_true(j->anchor_votes <= j->anchors);
    int64_t err = j->offset_ticks - OFF;
    for (size_t i = 0; i < s->nl; i++) {
        assert_int_equal(j->log_to_trace[i], s->trace_of_log[i]);
        if (s->trace_of_log[i] == SM_JOIN_NONE) {
            assert_int_not_equal(j->log_state[i], SM_JOIN_MATCHED);
            continue;
        }
        assert_int_equal(j->log_state[i], SM_JOIN_MATCHED);
        assert_int_equal(j->trace_to_log[s->trace_of_log[i]], i);
        struct sm_join_fig f;
        sm_join_figures(j, &s->calls[j->log_to_trace[i]], &s->log[i], &f);
        const struct sm_call *c = &s->calls[s->trace_of_log[i]];
        assert_int_equal(f.guest_rtt, s->log[i].end_cntvct - s->log[i].start_cntvct);
        uint64_t a, z;
        assert_int_equal(sm_join_window(c, &a, &z), 0);
        assert_int_equal(f.window, z - (f.early_notify ? c->t_client_block : a));
        if (c->t_notify != SM_T_NONE && c->t_client_run != SM_T_NONE && !f.early_notify)
            assert_int_equal(f.window, c->t_client_run - c->t_notify);
        assert_true(f.window <= f.guest_rtt);
        assert_int_equal(f.outside, f.guest_rtt - f.window);
        if (c->t_notify != SM_T_NONE && !f.early_notify) {
            assert_int_equal((int64_t)f.before, (int64_t)s->truth[i].before - err);
            assert_int_equal(f.residual, f.before);
        }
        if (c->t_client_run != SM_T_NONE)
            assert_int_equal((int64_t)f.after, (int64_t)s->truth[i].after + err);
    }
}

static void test_exact(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 500, 1);
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, 500);
    assert_int_equal(j->log_only, 0);
    assert_int_equal(j->trace_only, 0);
    assert_int_equal(j->inconsistent, 0);
    /* The smallest guest time on each side bounds the offset's error. */
    assert_true(j->offset_hi - j->offset_lo <= 2 * 1500);
    check_pairs(&s, j);
    assert_non_null(strstr(j->how, "500 matched calls"));
    sm_join_free(j);
    synth_free(&s);
}

/* Calls the trace missed (log only) and trace calls no log line has (a timer wake mistaken for
 * a call, a call of another client thread): each is reported, none moves the offset. */
static void test_missing_and_extra(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 400, 2);
    size_t dropped = 0, extra = 0;
    size_t k = 0;
    struct sm_call *kept = calloc(s.nc + 64, sizeof *kept);
    for (size_t i = 0; i < s.nl; i++) {
        if (i % 9 == 4) { /* the trace missed it */
            s.trace_of_log[i] = SM_JOIN_NONE;
            dropped++;
            continue;
        }
        kept[k] = s.calls[i];
        s.trace_of_log[i] = k++;
        if (i % 13 == 5 && extra < 40) { /* a short spurious call between two calls */
            uint64_t a = s.log[i].end_cntvct + OFF + PERIOD / 3;
            set_call(&kept[k++], 0, a, a + 900);
            extra++;
        }
    }
    /* Log-only calls: a few lines without a trace call at all. */
    free(s.calls);
    s.calls = kept;
    s.nc = k;
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, s.nl - dropped);
    assert_int_equal(j->log_only, dropped);
    assert_int_equal(j->log_only_in_trace, dropped);
    assert_int_equal(j->trace_only, extra);
    assert_int_equal(j->trace_only_in_log, extra);
    assert_int_equal(j->trace_only_in_matched, 0);
    assert_int_equal(j->inconsistent, 0);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

/* The trace starts after the log's first calls and stops before its last: the calls it cuts are
 * partial in the trace (t_start or t_end is the trace's edge) and still join; the calls outside
 * are log-only but not "in the trace". The trace array is also out of order. */
/* A call detected twice: the second, shorter detection inside the same guest window stays
 * trace-only and is counted as such. */
static void test_detected_twice(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 100, 13);
    size_t n = s.nc;
    for (size_t i = 3; i < 100; i += 10) {
        const struct sm_call *c = &s.calls[i];
        set_call(&s.calls[s.nc++], 0, c->t_client_run - 400, c->t_client_run - 10);
    }
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, n);
    assert_int_equal(j->trace_only, 10);
    assert_int_equal(j->trace_only_in_matched, 10);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

static void test_cut_by_trace_edges(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 300, 3);
    const size_t first = 40, last = 259;             /* calls the trace sees, some of them cut */
    uint64_t t_first = s.calls[first].t_start + 500; /* inside call 40's window */
    uint64_t t_last = s.calls[last].t_end - 500;     /* inside call 259's window */
    struct sm_call *in = calloc(s.nc, sizeof *in);
    size_t k = 0;
    for (size_t i = 0; i < s.nl; i++) {
        if (i < first || i > last) {
            s.trace_of_log[i] = SM_JOIN_NONE;
            continue;
        }
        in[k] = s.calls[i];
        if (i == first) {
            in[k].t_notify = in[k].t_med_wake = in[k].t_client_block = SM_T_NONE;
            in[k].t_start = in[k].t_med_run;
            in[k].reason = SM_INC_TRACE_EDGE;
        }
        if (i == last) {
            in[k].t_client_run = in[k].t_client_wake = SM_T_NONE;
            in[k].t_end = in[k].t_med_block;
            in[k].reason = SM_INC_TRACE_EDGE;
        }
        k++;
    }
    /* Reverse the array: the join must not rely on its order. */
    for (size_t a = 0, b = k - 1; a < b; a++, b--) {
        struct sm_call t = in[a];
        in[a] = in[b];
        in[b] = t;
    }
    for (size_t i = first; i <= last; i++)
        s.trace_of_log[i] = k - 1 - (i - first);
    free(s.calls);
    s.calls = in;
    s.nc = k;
    struct sm_join_opts opts = {.trace_first = t_first, .trace_last = t_last};
    struct sm_join *j = join_ok(&s, &opts);
    assert_int_equal(j->matched, last - first + 1);
    assert_int_equal(j->log_only, s.nl - (last - first + 1));
    assert_int_equal(j->log_only_in_trace, 0);
    assert_int_equal(j->trace_only, 0);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

/* A detector that ends a call too late (after the guest's end) gives a window the guest window
 * cannot hold: reported as inconsistent, kept out of the figures, the offset unmoved. */
static void test_inconsistent_windows(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 200, 4);
    size_t bad = 0;
    for (size_t i = 10; i < s.nc; i += 25) {
        s.calls[i].t_end += 200000;
        s.calls[i].t_client_run = s.calls[i].t_end;
        s.trace_of_log[i] = SM_JOIN_NONE;
        bad++;
    }
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->inconsistent, bad);
    for (size_t i = 10; i < s.nc; i += 25) {
        assert_int_equal(j->trace_state[i], SM_JOIN_INCONSISTENT);
        assert_int_equal(j->log_state[i], SM_JOIN_INCONSISTENT);
    }
    assert_int_equal(j->trace_state[11], SM_JOIN_MATCHED);
    assert_int_equal(j->matched, s.nl - bad);
    assert_int_equal(j->log_only, 0);
    assert_int_equal(j->trace_only, 0);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

/* The mediator often runs on after answering and blocks after the guest has seen the answer
 * (as in the lab's traces): the call's t_end is then after the guest's end, which is fine. */
static void test_mediator_blocks_after_guest_end(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 200, 11);
    for (size_t i = 0; i < s.nc; i += 3) {
        s.calls[i].t_med_block = s.log[i].end_cntvct + OFF + 60000;
        s.calls[i].t_end = s.calls[i].t_med_block;
    }
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, 200);
    assert_int_equal(j->inconsistent, 0);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

/* The mediator was woken by its timer just before the guest's call and the detector took that
 * wake for the notify: the call still joins (on the client's block), flagged, without a mediator
 * wake latency or a residual, and the offset does not move. */
static void test_early_notify(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 300, 12);
    size_t early = 0;
    for (size_t i = 5; i < s.nc; i += 17) {
        s.calls[i].t_notify = s.calls[i].t_med_wake = s.log[i].start_cntvct + OFF - 30000;
        s.calls[i].t_start = s.calls[i].t_notify;
        early++;
    }
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, 300);
    assert_int_equal(j->early_notify, early);
    check_pairs(&s, j);
    struct sm_join_fig f;
    sm_join_figures(j, &s.calls[5], &s.log[5], &f);
    assert_true(f.early_notify);
    assert_int_equal(f.med_wake, SM_T_NONE);
    assert_int_equal(f.residual, SM_T_NONE);
    assert_int_equal(f.window, s.calls[5].t_client_run - s.calls[5].t_client_block);
    sm_join_figures(j, &s.calls[6], &s.log[6], &f);
    assert_false(f.early_notify);
    assert_int_equal(f.med_wake, 150);
    struct sm_join_summary *sum;
    assert_int_equal(sm_join_summarize(j, s.calls, s.log, HZ, &sum), 0);
    assert_int_equal(sm_hist_count(sum->all.h[SM_JM_MED_WAKE]), 300 - early);
    assert_int_equal(sm_hist_count(sum->all.h[SM_JM_RESIDUAL]), 300 - early);
    sm_join_summary_free(sum);
    sm_join_free(j);
    synth_free(&s);
}

/* Every notify comes right after the guest's start (20 ticks) but the client blocks long after
 * it (6000 ticks later), and every notify is ambiguous (one pCPU), so the offset may be bounded
 * by the block alone: offsets that pair the calls on their later instants reach far beyond those
 * that keep the notifies in the guest's windows. The join takes the offsets that fit both (a
 * smclat-stub run in deterministic mode looks like this). */
static void test_notify_right_after_start(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 120, 21);
    for (size_t i = 0; i < s.nc; i++) {
        struct sm_call *c = &s.calls[i];
        c->t_notify = c->t_med_wake = c->t_start = s.log[i].start_cntvct + OFF + 20;
        c->t_med_run = c->t_notify + 150;
        c->t_client_block = c->t_notify + 6000;
        c->t_answer = c->t_client_wake = c->t_client_block + 100;
        c->t_med_block = c->t_answer + 20;
        c->notify_ambiguous = 1; /* one pCPU: the mediator's timer could have fired there */
        s.truth[i].before = 20;
    }
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, 120);
    assert_int_equal(j->early_notify, 0);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

/* Windows from the client's instants alone: the notify (else the first instant shown) to the
 * client's run (else the last instant shown before it). */
static void test_window(void **state)
{
    (void)state;
    struct sm_call c;
    uint64_t a, z;
    set_call(&c, 0, 1000, 5000);
    c.t_med_block = 9000;
    c.t_end = 9000;
    assert_int_equal(sm_join_window(&c, &a, &z), 0);
    assert_int_equal(a, 1000);
    assert_int_equal(z, 5000);
    c.t_notify = c.t_med_wake = SM_T_NONE; /* the mediator was already awake */
    assert_int_equal(sm_join_window(&c, &a, &z), 0);
    assert_int_equal(a, 1060);
    c.t_client_run = c.t_client_wake = SM_T_NONE; /* cut by the trace's end */
    assert_int_equal(sm_join_window(&c, &a, &z), 0);
    assert_int_equal(z, 1300);
    c.t_client_block = c.t_med_run = c.t_answer = SM_T_NONE;
    assert_int_equal(sm_join_window(&c, &a, &z), -1);
}

static void test_summary_by_op(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 101, 5);
    s.log[100].status_ok = 0; /* a timeout: joined, not in the figures */
    s.log[96].warmup = 1;     /* a register call: the same */
    s.log[99].status_ok = 1;
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, 101);
    struct sm_join_summary *sum;
    assert_int_equal(sm_join_summarize(j, s.calls, s.log, HZ, &sum), 0);
    assert_int_equal(sum->all.calls, 99);
    assert_int_equal(sum->by_op[SM_LOG_OP_REGISTER].calls, 24);
    assert_int_equal(sum->by_op[SM_LOG_OP_PROCESS].calls, 50);
    assert_int_equal(sum->by_op[SM_LOG_OP_UNREGISTER].calls, 25);
    assert_int_equal(sum->by_op[SM_LOG_OP_NONE].calls, 0);
    assert_null(sum->by_op[SM_LOG_OP_OTHER].h[SM_JM_GUEST_RTT]);
    uint64_t max_rtt = 0, min_rtt = UINT64_MAX;
    for (size_t i = 0; i < 96; i += 4) { /* the register calls but the warm-up one */
        uint64_t r = s.log[i].end_cntvct - s.log[i].start_cntvct;
        max_rtt = r > max_rtt ? r : max_rtt;
        min_rtt = r < min_rtt ? r : min_rtt;
    }
    const struct sm_hist *h = sum->by_op[SM_LOG_OP_REGISTER].h[SM_JM_GUEST_RTT];
    assert_int_equal(sm_hist_count(h), 24);
    assert_int_equal(sm_hist_max(h), max_rtt * 16); /* 16 ns per tick at 62.5 MHz */
    assert_int_equal(sm_hist_min(h), min_rtt * 16);
    assert_int_equal(sm_hist_max(sum->all.h[SM_JM_MED_RUN]), 170 * 16);
    assert_int_equal(sm_hist_max(sum->all.h[SM_JM_SW_IDLE]), 2);
    assert_int_equal(sm_hist_count(sum->all.h[SM_JM_E2E]), 99);
    assert_string_equal(sm_join_metric_name(SM_JM_OUTSIDE), "outside_window_ns");
    assert_int_equal(sm_hist_max(sum->all.h[SM_JM_OTHER_RUN]), 100 * 16);
    assert_int_equal(sum->n_interferers, 2);
    assert_int_equal(sum->interferers[0].domid, 3);
    assert_int_equal(sum->interferers[0].calls, 99);
    assert_int_equal(sum->interferers[1].domid, 0);
    assert_int_equal(sum->interferers[1].calls, 25);
    sm_join_summary_free(sum);
    sm_join_free(j);
    synth_free(&s);
}

static void expect_refusal(const struct synth *s, const char *part)
{
    struct sm_join *j = (void *)1;
    struct sm_join_error err;
    assert_int_equal(sm_join_run(s->calls, s->nc, s->log, s->nl, NULL, &j, &err), -1);
    assert_null(j);
    print_message("refused: %s\n", err.msg);
    if (!strstr(err.msg, part))
        fail_msg("expected '%s' in: %s", part, err.msg);
}

/* The log of another run (same pacing, other round trips) fits no single offset. */
static void test_log_of_another_run(void **state)
{
    (void)state;
    struct synth a, b;
    make(&a, 300, 6);
    make(&b, 300, 7);
    struct synth mixed = a;
    mixed.log = b.log;
    expect_refusal(&mixed, "no consistent clock offset");
    synth_free(&a);
    synth_free(&b);
}

/* A log whose counter runs at 24 MHz against a 62.5 MHz trace. */
static void test_rate_mismatch(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 300, 8);
    for (size_t i = 0; i < s.nl; i++) {
        s.log[i].start_cntvct = s.log[i].start_cntvct * 24 / 62;
        s.log[i].end_cntvct = s.log[i].end_cntvct * 24 / 62;
    }
    expect_refusal(&s, "clock rate does not fit");
    /* A smaller mismatch passes the pacing check but no offset holds the windows. */
    synth_free(&s);
    make(&s, 300, 8);
    for (size_t i = 0; i < s.nl; i++) {
        s.log[i].start_cntvct = s.log[i].start_cntvct / 50 * 40;
        s.log[i].end_cntvct = s.log[i].end_cntvct / 50 * 40;
    }
    expect_refusal(&s, "no consistent clock offset");
    synth_free(&s);
}

/* Calls exactly alike at an exact period: every multiple of the period fits as well. */
static void test_ambiguous(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 50, 9);
    for (size_t i = 0; i < s.nl; i++) {
        uint64_t st = 1000000000ull + i * PERIOD;
        s.log[i].start_cntvct = st;
        s.log[i].end_cntvct = st + 20000;
        set_call(&s.calls[i], (uint32_t)i, st + OFF + 1000, st + OFF + 19000);
    }
    expect_refusal(&s, "no unique clock offset");
    /* A prior (the client's creation time) near the true offset picks it; one near an alias
     * a period away picks that one: the prior decides, the data only within it. */
    struct sm_join_opts opts = {0, 0, 1, (int64_t)OFF + 3000, 62500};
    struct sm_join *j = join_ok(&s, &opts);
    assert_true(j->offset_lo <= (int64_t)OFF && j->offset_hi >= (int64_t)OFF);
    assert_int_equal(j->matched, s.nl);
    assert_non_null(strstr(j->how, "of the prior"));
    sm_join_free(j);
    opts.offset_hint = (int64_t)(OFF + PERIOD) - 2000;
    j = join_ok(&s, &opts);
    assert_true(j->offset_lo <= (int64_t)(OFF + PERIOD) && j->offset_hi >= (int64_t)(OFF + PERIOD));
    sm_join_free(j);
    /* A prior that nothing fits: refused, as without it. */
    opts.offset_hint = (int64_t)OFF + (int64_t)PERIOD / 2;
    opts.offset_tolerance = 1000;
    struct sm_join_error err;
    j = (void *)1;
    assert_int_equal(sm_join_run(s.calls, s.nc, s.log, s.nl, &opts, &j, &err), -1);
    assert_null(j);
    synth_free(&s);
}

/* A long run: 150,000 calls (25 minutes at 100 calls/s), the trace covering the middle 60% of
 * the log, with one trace call in 50 missed. */
static void test_many_calls(void **state)
{
    (void)state;
    struct synth s;
    const size_t n = 150000, from = n / 5, to = n - n / 5;
    make(&s, n, 14);
    size_t k = 0, missed = 0;
    for (size_t i = 0; i < n; i++) {
        if (i < from || i >= to || i % 50 == 0) {
            missed += i >= from && i < to;
            s.trace_of_log[i] = SM_JOIN_NONE;
            continue;
        }
        s.calls[k] = s.calls[i];
        s.trace_of_log[i] = k++;
    }
    s.nc = k;
    struct sm_join_opts opts = {.trace_first = s.log[from].start_cntvct + OFF - 10,
                                .trace_last = s.log[to - 1].end_cntvct + OFF + 10};
    struct sm_join *j = join_ok(&s, &opts);
    assert_int_equal(j->matched, k);
    assert_int_equal(j->log_only, n - k);
    assert_int_equal(j->log_only_in_trace, missed);
    assert_int_equal(j->trace_only, 0);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

/* A trace of a small part of a long run: 100 calls in the trace, 4000 in the log. */
static void test_trace_of_a_small_part(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 4000, 15);
    const size_t from = 2950, to = 3050;
    for (size_t i = 0; i < s.nl; i++)
        s.trace_of_log[i] = i >= from && i < to ? i - from : SM_JOIN_NONE;
    memmove(s.calls, s.calls + from, (to - from) * sizeof *s.calls);
    s.nc = to - from;
    struct sm_join *j = join_ok(&s, NULL);
    assert_int_equal(j->matched, to - from);
    assert_int_equal(j->log_only, s.nl - (to - from));
    assert_int_equal(j->log_only_in_trace, 0);
    check_pairs(&s, j);
    sm_join_free(j);
    synth_free(&s);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 10, 10);
    struct synth e = s;
    e.nl = 0;
    expect_refusal(&e, "the log has no calls");
    e = s;
    e.nc = 0;
    expect_refusal(&e, "the trace shows no call to join the log's 10 with");
    e = s;
    e.nl = 2;
    expect_refusal(&e, "no consistent clock offset");
    synth_free(&s);
}

/* Calls the detector missed, rebuilt inside their guest windows at the fitted offset
 * (recovered): matched to their own log calls, counted in join.recovered by shape, and no part
 * of the offset's fit: the offset and its range are those of the join without them, even when
 * the rebuilt windows are set to pull it (they span their guest windows shifted by 900 ticks
 * with respect to the true offset, which would narrow the range onto a wrong offset). */
static void test_recovered_calls(void **state)
{
    (void)state;
    struct synth s;
    make(&s, 300, 5);
    struct sm_call *kept = calloc(s.nc + 64, sizeof *kept);
    size_t k = 0, dropped = 0;
    for (size_t i = 0; i < s.nl; i++) {
        if (i % 10 == 3) {
            dropped++;
            continue;
        }
        kept[k++] = s.calls[i];
    }
    struct sm_join_error err;
    struct sm_join *j0 = NULL;
    assert_int_equal(sm_join_run(kept, k, s.log, s.nl, NULL, &j0, &err), 0);
    assert_int_equal(j0->log_only, dropped);
    assert_int_equal(j0->recovered, 0);
    size_t nk = k, shown = 0;
    for (size_t i = 0; i < s.nl; i++) {
        if (i % 10 != 3)
            continue;
        struct sm_call *c = &kept[nk++];
        memset(c, 0, sizeof *c);
        c->t_notify = c->t_client_block = c->t_med_wake = c->t_med_run = c->t_med_block =
            c->t_answer = c->t_client_wake = c->t_client_run = c->t_end_lo = SM_T_NONE;
        c->t_start = s.log[i].start_cntvct + OFF + 900;
        c->t_end = s.log[i].end_cntvct + OFF - 1;
        /* one in four shows the client's block; the others only its last run (the mediator
         * awake, the client never blocking: nothing a detector could have found) */
        if (i % 40 == 3) {
            c->t_client_block = c->t_start;
            shown++;
        }
        c->t_client_run = c->t_end;
        c->shape = i % 20 == 3 ? SM_SHAPE_NO_WAKES : SM_SHAPE_CLIENT_PREEMPTED;
        c->certainty = SM_CERT_INFERRED;
        c->recovered = 1;
        c->other_domids[0] = XT_DOMID_INVALID;
    }
    struct sm_join *j = NULL;
    assert_int_equal(sm_join_run(kept, nk, s.log, s.nl, NULL, &j, &err), 0);
    assert_int_equal(j->matched, s.nl);
    assert_int_equal(j->log_only, 0);
    assert_int_equal(j->recovered, dropped);
    assert_true(shown > 0);
    assert_int_equal(j->recovered_unrecorded, dropped - shown);
    assert_int_equal(j->recovered_by_shape[SM_SHAPE_NO_WAKES] +
                         j->recovered_by_shape[SM_SHAPE_CLIENT_PREEMPTED],
                     dropped);
    assert_true(j->recovered_by_shape[SM_SHAPE_NO_WAKES] > 0);
    assert_int_equal(j->offset_ticks, j0->offset_ticks);
    assert_int_equal(j->offset_lo, j0->offset_lo);
    assert_int_equal(j->offset_hi, j0->offset_hi);
    for (size_t i = 0; i < s.nl; i++)
        if (i % 10 == 3)
            assert_true(kept[j->log_to_trace[i]].recovered);
    sm_join_free(j0);
    sm_join_free(j);
    free(kept);
    synth_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_recovered_calls),
        cmocka_unit_test(test_missing_and_extra),
        cmocka_unit_test(test_detected_twice),
        cmocka_unit_test(test_cut_by_trace_edges),
        cmocka_unit_test(test_inconsistent_windows),
        cmocka_unit_test(test_mediator_blocks_after_guest_end),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_early_notify),
        cmocka_unit_test(test_notify_right_after_start),
        cmocka_unit_test(test_summary_by_op),
        cmocka_unit_test(test_log_of_another_run),
        cmocka_unit_test(test_rate_mismatch),
        cmocka_unit_test(test_ambiguous),
        cmocka_unit_test(test_many_calls),
        cmocka_unit_test(test_trace_of_a_small_part),
        cmocka_unit_test(test_empty_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
