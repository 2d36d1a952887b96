/* Calls between a client domain and a mediator (stub) domain, found in the scheduler events
 * with the help of the model (model.h). docs/calls.md tells which shapes exist and which figure
 * counts which calls. The join (trace-parse/join.c) uses the fields of struct sm_call, which
 * stay. Times are trace ticks (CNTPCT on arm64); SM_T_NONE where the trace does not show that
 * instant.
 *
 * Streaming: each finished call is handed to the on_call callback (if any) and added to
 * fixed-size histograms, in the order found; up to 4096 finished calls are held back first
 * (whether some ambiguous ones were calls depends on how the client calls, learned over the
 * trace: docs/calls.md), so memory does not grow with the trace. */
#ifndef SMCLAT_CALLS_H
#define SMCLAT_CALLS_H

#include "hist.h"
#include "model.h"
#include "xt_event.h"

#include <stddef.h>
#include <stdint.h>

#define SM_T_NONE UINT64_MAX

/* How the call looked in the trace (xentrace-format.md, "Calls in real traces"). */
enum sm_call_shape {
    SM_SHAPE_TEXTBOOK = 0,           /* notify, client blocks, mediator wakes/runs/blocks, answer */
    SM_SHAPE_CLIENT_WOKEN_EARLY,     /* the client was woken by something else before the answer */
    SM_SHAPE_ANSWERED_BEFORE_BLOCK,  /* the mediator answered before the client blocked */
    SM_SHAPE_MEDIATOR_ALREADY_AWAKE, /* no wake: the mediator was running or runnable */
    SM_SHAPE_CLIENT_PREEMPTED,       /* notify, then the client was preempted, not blocked */
    SM_SHAPE_ANSWERED_IN_BLOCK_PATH, /* BLOCK, the answer, CONTINUE_RUNNING: never switched out */
    SM_SHAPE_NO_WAKES,               /* inferred: no notify and no answer record (docs/calls.md) */
    SM_SHAPE__COUNT
};

/* Why a call's figures are not all known (SM_COMPLETE when they are). */
enum sm_incomplete {
    SM_COMPLETE = 0,
    SM_INC_CLIENT_NEVER_BLOCKED,
    SM_INC_MEDIATOR_ALREADY_AWAKE,
    SM_INC_LOST_RECORDS,
    SM_INC_TRACE_EDGE,
    SM_INC_NO_ANSWER,             /* the client went on (a new call) before an answer was seen */
    SM_INC_MEDIATOR_STAYED_AWAKE, /* the mediator served the next call before blocking */
    SM_INC__COUNT
};

/* How sure the detector is that a call happened (docs/calls.md, "Certainty"). */
enum sm_call_certainty {
    SM_CERT_CERTAIN = 0, /* a notify or an answer that only a call explains */
    SM_CERT_LIKELY,      /* a notify that a timer could also explain, kept by the evidence */
    SM_CERT_INFERRED,    /* no notify and no answer record: inferred from the runstates */
    SM_CERT__COUNT
};

struct sm_call {
    uint32_t index; /* order of the call in the trace, from 0 */
    enum sm_call_shape shape;
    enum sm_incomplete reason;
    uint16_t client_pcpu;    /* pCPU the client ran on when it notified */
    uint64_t t_notify;       /* the client's WAKE of the mediator (on the client's pCPU) */
    uint64_t t_client_block; /* client running->blocked */
    uint64_t t_med_wake;     /* mediator blocked->runnable caused by this call */
    uint64_t t_med_run;      /* mediator runnable->running serving this call */
    uint64_t t_med_block;    /* mediator running->blocked after serving */
    uint64_t t_answer;       /* the mediator's WAKE of the client */
    uint64_t t_client_wake;  /* client blocked->runnable by the answer */
    uint64_t t_client_run;   /* client running again after the answer: the call's end */
    uint64_t t_start;        /* the call's window in the trace: first instant known */
    uint64_t t_end;          /* last instant known */
    uint32_t sw_client, sw_mediator, sw_idle, sw_other; /* SWITCH events in the window */
    /* Added by the model branch (the fields above stay): */
    uint16_t client_vcpu;
    uint16_t mediator_vcpu;
    uint8_t mediator_timer_wake; /* the mediator was also woken by something else meanwhile */
    uint8_t client_woken_early;  /* the client was woken by something else before the answer */
    uint64_t other_run_ticks;    /* time other domains ran on the pCPU the mediator then ran
                                  * on, while it waited (t_med_wake to t_med_run) */
    uint16_t other_domids[4];    /* the first few such domains (XT_DOMID_INVALID: none) */
    /* Added by the detection branch (issue 13): */
    enum sm_call_certainty certainty;
    /* The notify was recorded on the pCPU the mediator's timer was on: that timer could
     * explain it too (then the real notify came later, unrecorded). 0: only the client
     * explains it. */
    uint8_t notify_ambiguous;
    uint8_t answer_ambiguous; /* the same for the answer and the client's timer */
    /* When the answer reached the client while it ran (no record), t_client_run is the latest
     * it can have been (the mediator's BLOCK record) and this the earliest (the last instant
     * known before it); SM_T_NONE when t_client_run is exact. */
    uint64_t t_end_lo;
    uint8_t recovered; /* built by the join from the trace inside a logged call's window */
};

/* Figures of the calls found (histograms in ticks; switch histograms in counts). */
struct sm_calls_stats {
    uint64_t calls;
    uint64_t complete;
    uint64_t by_reason[SM_INC__COUNT];
    uint64_t by_shape[SM_SHAPE__COUNT];
    uint64_t with_mediator_timer_wake;
    uint64_t mediator_wakes_not_calls; /* notify-looking mediator wakes that were no call */
    uint64_t by_certainty[SM_CERT__COUNT];
    uint64_t notifies_certain;   /* mediator wakes that only the client's notify explains */
    uint64_t notifies_ambiguous; /* ... that the mediator's own timer could also explain */
    /* The mediator's run time per wake (ticks, medians of the last few), which tells a call
     * from a timer wake where the pCPU cannot: 0 when not known yet. */
    uint64_t med_run_call_ticks, med_run_timer_ticks;
    /* Each guest's timer tick learned from its sure timer wakes (HZ; 0: none found), and the
     * call-looking pairs of wakes that both fell on a tick, dropped as timers (docs/calls.md). */
    unsigned mediator_tick_hz, client_tick_hz;
    uint64_t tick_coincidences;
    /* Calls whose answer the client read before it first blocked, the mediator having served
     * it meanwhile (no WAKE record; docs/calls.md). */
    uint64_t answers_found_running;
    /* Calls inferred from a preemption of the client, no call open, during a mediator episode
     * its timer began and that ran a timer's and half a call's work (shape no_wakes: no WAKE,
     * no block; docs/calls.md). */
    uint64_t preempted_calls_inferred;
    uint64_t client_vcpus_untracked; /* calls of client vCPUs past SM_CALLS_MAX_VCPUS */
    /* How the client calls, from its calls with a certain notify: how many, and how many it made
     * without blocking since its previous call. Where it shows it sleeps between calls, the
     * ambiguous ones made without a block were dropped as timers (docs/calls.md). */
    uint64_t certain_notify_calls, certain_calls_without_block;
    uint64_t unblocked_calls_dropped;
    /* Call-looking pairs of the two guests' timers, both ends ambiguous, in which the client did
     * not block right after the "notify" and the mediator ran less than a call's service:
     * dropped (docs/calls.md). */
    uint64_t timer_pairs_without_service;
    /* Answer-looking wakes of a client that blocked with the mediator awake (no notify record),
     * on its own pCPU, the mediator having run less than half a call's service in its episode:
     * the client's timer, no call (docs/calls.md). */
    uint64_t answers_without_service;
    struct sm_hist *e2e, *mediator_wake, *mediator_run, *client_wake;
    struct sm_hist *switches, *sw_client, *sw_mediator, *sw_idle, *sw_other;
};

/* Domains that ran on the mediator's pCPU while it waited, over all calls. */
#define SM_CALLS_MAX_INTERFERERS 64
struct sm_interferer {
    uint16_t domid;
    uint64_t calls;     /* calls during whose mediator wait it ran */
    uint64_t run_ticks; /* its run time inside those waits */
};

/* Client vCPUs followed at once (one open call each). */
#define SM_CALLS_MAX_VCPUS 16

struct sm_calls_config {
    uint16_t client;                                        /* client domid */
    uint16_t mediator;                                      /* mediator domid */
    void (*on_call)(const struct sm_call *call, void *ctx); /* may be NULL */
    void *ctx;
    double ticks_per_s; /* the time stamps' rate (0: unknown; the guests' ticks are not used) */
};

struct sm_calls;

/* Returns 0, or -1 when out of memory. */
int sm_calls_new(struct sm_calls **out, const struct sm_calls_config *cfg);
void sm_calls_free(struct sm_calls *c);
/* Feeds one event, AFTER sm_model_feed() has seen it (the detector asks the model which unit
 * runs on a pCPU and which state a vCPU is in). */
void sm_calls_feed(struct sm_calls *c, const struct sm_model *m, const struct xt_event *ev);
/* Ends the trace: a call still open is handed out as incomplete (trace_edge). */
void sm_calls_finish(struct sm_calls *c);
const struct sm_calls_stats *sm_calls_stats(const struct sm_calls *c);
/* Domains that ran while the mediator waited; *n set to how many. */
const struct sm_interferer *sm_calls_interferers(const struct sm_calls *c, unsigned *n);

const char *sm_call_shape_name(enum sm_call_shape s);
const char *sm_incomplete_name(enum sm_incomplete r);
const char *sm_call_certainty_name(enum sm_call_certainty c);

#endif
