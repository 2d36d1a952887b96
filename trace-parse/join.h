/* The join of the generator's per-call log with the calls found in the trace (docs/join.md).
 *
 * The guest logs each call's start and end in its virtual counter, CNTVCT = CNTPCT - CNTVOFF;
 * the trace is in CNTPCT. So trace ticks = guest ticks + offset, one unknown constant per
 * domain. Physics bounds it for every call that is paired right: the guest reads its clock
 * before the call enters the hypervisor and after it is back, so the call's client window in
 * the trace [w_start, w_end] (sm_join_window) lies inside its guest window
 * [start + offset, end + offset]:
 *     w_end - end_cntvct  <=  offset  <=  w_start - start_cntvct.
 * The join finds the offset covered by the most such intervals (a consensus that outliers,
 * missing calls and extra calls on either side do not move), pairs each log call with the trace
 * call whose window lies in its own, and reports what did not pair.
 *
 * Pure logic: no files, no printing, no exit. Ownership: sm_join_run() allocates a struct
 * sm_join that the caller frees with sm_join_free(); it keeps no pointer to its inputs. */
#ifndef SMCLAT_JOIN_H
#define SMCLAT_JOIN_H

#include "calls.h"
#include "calls_log.h"
#include "hist.h"

#include <stddef.h>
#include <stdint.h>

#define SM_JOIN_NONE SIZE_MAX /* no partner */

struct sm_join_opts {
    /* The trace's span in ticks (first and last record); 0 and 0: taken from the calls. Used
     * to tell log calls that lie in the trace from those the trace does not cover. */
    uint64_t trace_first, trace_last;
    /* A prior on the offset (has_offset_hint): only offsets within offset_tolerance of
     * offset_hint are candidates. The lab knows one: Xen sets a domain's CNTVOFF to the
     * counter at its creation, so the client's DOM_ADD time (metadata created_ticks) is the
     * offset within a fraction of a millisecond; it tells apart the offsets that a strictly
     * periodic load (one call per frame) fits equally well, a period apart. */
    int has_offset_hint;
    int64_t offset_hint, offset_tolerance;
};

/* What became of a call. */
enum sm_join_state {
    SM_JOIN_ALONE = 0,    /* log only, or trace only */
    SM_JOIN_MATCHED,      /* paired, the trace window inside the guest window */
    SM_JOIN_INCONSISTENT, /* paired by its start, but the trace window ends after the guest's */
};

struct sm_join {
    int64_t offset_ticks;         /* trace ticks = guest CNTVCT + offset_ticks */
    int64_t offset_lo, offset_hi; /* every offset in [lo, hi] fits all matched calls */
    char how[320];                /* how the offset was found, one sentence */
    size_t n_log, n_trace;
    size_t matched;           /* pairs whose trace window lies in the guest window */
    size_t log_only;          /* log calls without a trace call */
    size_t log_only_in_trace; /* ... among them, those whose window lies in the trace's span */
    size_t trace_only;        /* trace calls without a log call */
    size_t trace_only_in_log; /* ... among them, those inside the log's span */
    size_t trace_only_in_log_by_shape[SM_SHAPE__COUNT];
    size_t trace_only_in_matched; /* ... inside the guest window of a matched call: the same
                                   * call detected twice */
    size_t inconsistent;          /* a trace call starts in the guest window but ends after it */
    /* Matched calls rebuilt from the trace inside their guest window (sm_call.recovered: the
     * detector missed them; recover.h), by shape. They take no part in fitting the offset. */
    size_t recovered;
    size_t recovered_by_shape[SM_SHAPE__COUNT];
    /* ... among them, those whose window holds none of the records a call can leave in a
     * scheduler-only trace (no notify, no block of the client, no answer): the mediator awake
     * and the client never blocking, no detector can find them from the trace alone. */
    size_t recovered_unrecorded;
    size_t early_notify; /* matched calls whose notify (and mediator wake) came before the guest's
                          * start: the wake was not this call's (docs/join.md) */
    size_t anchors,
        anchor_votes;           /* log calls sampled for the first estimate, and how many agreed */
    size_t *log_to_trace;       /* [n_log]: the matched trace call, or SM_JOIN_NONE */
    size_t *trace_to_log;       /* [n_trace]: the matched log call, or SM_JOIN_NONE */
    unsigned char *log_state;   /* [n_log]: enum sm_join_state */
    unsigned char *trace_state; /* [n_trace]: enum sm_join_state */
};

struct sm_join_error {
    char msg[1024]; /* one line, without the file's name (the caller adds it) */
};

/* Joins log[0..n_log) with calls[0..n_calls) (any order). Returns 0, or -1 with *err filled
 * when no consistent offset exists (fewer than 3 calls fit one offset, or fewer than half of the
 * log calls that lie in the trace, several offsets fit as well, or the two clocks do not run at
 * the same rate). */
int sm_join_run(const struct sm_call *calls, size_t n_calls, const struct sm_log_call *log,
                size_t n_log, const struct sm_join_opts *opts, struct sm_join **out,
                struct sm_join_error *err);
void sm_join_free(struct sm_join *j);

/* The part of a trace call the guest waits for: from its first instant (the client's notify;
 * else the first of client block, mediator wake, mediator run, answer, client wake, client run)
 * to the client running again after the answer (else the last of those known). The mediator's
 * block is left out: the mediator may run on after answering, while the guest goes on. Returns
 * 0, or -1 when the call shows none of those instants. */
int sm_join_window(const struct sm_call *c, uint64_t *w_start, uint64_t *w_end);

/* The figures of one matched pair, in ticks; SM_T_NONE where the trace does not show them. */
struct sm_join_fig {
    uint64_t guest_rtt;   /* end_cntvct - start_cntvct */
    uint64_t window;      /* the client window in the trace, w_end - w_start */
    uint64_t before;      /* guest time before the window: w_start - (start + offset) */
    uint64_t after;       /* guest time after it: (end + offset) - w_end */
    uint64_t outside;     /* before + after = guest_rtt - window */
    int early_notify;     /* the trace's notify came before the guest's start: the window starts
                           * at the client's block, and med_wake and residual are unknown */
    uint64_t residual;    /* the trace's notify (else w_start) - (start + offset) */
    uint64_t e2e;         /* client blocked to running again (t_client_run - t_client_block) */
    uint64_t med_wake;    /* t_med_run - t_med_wake */
    uint64_t med_run;     /* t_med_block - t_med_run */
    uint64_t client_wake; /* t_client_run - t_client_wake */
};

/* Figures of the pair log[li] / calls[trace_to_log^-1]: li must be matched. */
void sm_join_figures(const struct sm_join *j, const struct sm_call *tc,
                     const struct sm_log_call *lc, struct sm_join_fig *fig);

/* Distributions over the matched calls of one op (or all), in ns. */
enum sm_join_metric {
    SM_JM_GUEST_RTT,
    SM_JM_WINDOW,
    SM_JM_BEFORE,
    SM_JM_AFTER,
    SM_JM_OUTSIDE,
    SM_JM_RESIDUAL,
    SM_JM_E2E,
    SM_JM_MED_WAKE,
    SM_JM_MED_RUN,
    SM_JM_CLIENT_WAKE,
    SM_JM_OTHER_RUN, /* other domains' run time while the mediator waited (calls.h) */
    SM_JM_SW_CLIENT, /* counts per call, not ns */
    SM_JM_SW_MEDIATOR,
    SM_JM_SW_IDLE,
    SM_JM_SW_OTHER,
    SM_JM__COUNT
};

struct sm_join_group {
    size_t calls;
    struct sm_hist *h[SM_JM__COUNT];
};

/* A domain that ran while the mediator of a matched call waited to run. */
struct sm_join_interferer {
    uint16_t domid;
    uint64_t calls; /* matched calls during whose mediator wait it ran */
};
#define SM_JOIN_MAX_INTERFERERS 32

struct sm_join_summary {
    struct sm_join_group all;
    struct sm_join_interferer interferers[SM_JOIN_MAX_INTERFERERS]; /* most calls first */
    size_t n_interferers;
    /* by_op[SM_LOG_OP_NONE] stays empty; an op the log does not have has calls = 0 and NULL
     * histograms. */
    struct sm_join_group by_op[SM_LOG_OP__COUNT];
};

/* Fills a summary (allocated here; free with sm_join_summary_free) from the matched pairs whose
 * log status is ok and that are no warm-up calls (neither is a latency sample);
 * cpu_hz converts ticks to ns. Returns 0, or -1 when out of memory. */
int sm_join_summarize(const struct sm_join *j, const struct sm_call *calls,
                      const struct sm_log_call *log, double cpu_hz, struct sm_join_summary **out);
void sm_join_summary_free(struct sm_join_summary *s);
/* JSON-friendly name of a metric: "guest_rtt_ns", ..., "switches_client". */
const char *sm_join_metric_name(enum sm_join_metric m);

#endif
