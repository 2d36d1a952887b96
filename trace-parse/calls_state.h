/* The call detector's state, private to trace-parse/calls.c (which follows the scheduler events
 * and keeps this state) and trace-parse/calls_rules.c (the run times calibrated per trace and the
 * rules that judge, from them, what the events alone leave ambiguous: a call or the guests'
 * timers). The shapes, the rules and why they hold: docs/calls.md. */
#ifndef SMCLAT_CALLS_STATE_H
#define SMCLAT_CALLS_STATE_H

#include "calls.h"
#include "tickgrid.h"

#include <stdint.h>

#define NO_UNIT UINT32_MAX
#define NO_PCPU UINT16_MAX
#define NO_RUN  UINT64_MAX
#define HISTORY 8  /* switch-ins remembered per pCPU, for the interference of a mediator wait */
#define MED_MAX 64 /* mediator vCPUs followed (their wake causes and run times) */
#define CAL_N   64 /* run times kept per kind, for the medians */
#define CAL_MIN 8  /* samples of each kind before the run time decides anything */

enum unit_class { U_CLIENT, U_MEDIATOR, U_IDLE, U_OTHER };

/* Why the mediator's current episode (wake to block) began. */
enum ep_cause { EP_NONE = 0, EP_CALL, EP_TIMER, EP_AMBIGUOUS };

struct open_call {
    int active;
    struct sm_call c;
    uint8_t certain;            /* the notify (or the answer) only a call explains */
    uint8_t expect_med_wake;    /* the mediator was blocked at the notify: its wake comes next */
    uint8_t med_awake;          /* the mediator was running or runnable when notified */
    uint8_t med_ran;            /* the mediator has run for this call */
    uint8_t med_blocked;        /* ... and blocked afterwards */
    uint8_t answered;           /* the mediator's WAKE of the client was seen */
    uint8_t answer_in_block;    /* ... in the client's block path (BLOCK, WAKE, CONTINUE) */
    uint8_t wake_before_block;  /* ... recorded before that BLOCK record (no BLOCK seen yet) */
    uint8_t client_blocked;     /* the client blocked after the notify */
    uint8_t preempted;          /* the client went running->runnable before blocking */
    uint64_t run_after_preempt; /* ... and its first ->running after that (0: none yet) */
    uint8_t end_at_next_run;    /* the answer is there: the client's next run ends the call */
    uint8_t ended;              /* t_client_run known */
    uint8_t lost;               /* a lost-records gap during the call */
    uint8_t after_block;        /* the client had blocked since its previous call when notifying */
    uint8_t notify_at_tick;     /* the ambiguous notify fell on the mediator's timer tick */
    uint8_t answer_at_tick;     /* the ambiguous answer fell on the client's timer tick */
    uint8_t event_may_follow;   /* the client read the answer before the mediator's event came */
    uint8_t late_event_certain; /* ... and that event came from a pCPU not the client's own */
    uint8_t back_to_back;       /* no notify record: served_back_to_back when answered */
    uint64_t client_last_run;   /* the client's last ->running during the call */
    uint64_t client_run_at_notify;  /* the client's running time (run_all) at the notify */
    uint64_t notify_block_run;      /* ... from the notify to its block (NO_RUN: not known) */
    uint64_t med_run_at_answer;     /* the mediator's run time in its episode when it answered */
    uint64_t med_run_at_client_run; /* ... when the client ran after it (NO_RUN: not known) */
    /* At the mediator's first BLOCK record after it ran for this call, unanswered (its
     * service was over: a wake in its block path may keep it running, for the next call): */
    uint64_t med_block_rec;           /* 0: none yet */
    uint64_t client_run_at_med_block; /* client_last_run then */
    uint8_t client_state_at_med_block, client_blocked_at_med_block;
    uint64_t run_after_med_block; /* the client's first ->running after that record (0: none) */
};

/* One client vCPU: its open call, its tail, and what is known between calls. */
struct client_vcpu {
    uint16_t vcpu;
    uint8_t used;
    uint8_t blocked_since_call; /* it blocked since its last call ended */
    uint8_t pend_after_block;   /* ... when it made the block of pend_block */
    uint64_t last_blocked;      /* its last running->blocked */
    /* It blocked with no call open: a call whose notify left no record (the mediator was
     * awake) starts here if the mediator answers. */
    uint8_t pend;
    /* Between its BLOCK record and its switch out: a WAKE of the mediator on its pCPU then is
     * not its notify (it is in Xen's block path: the mediator's own timer fired there). */
    uint8_t in_block;
    uint8_t block_med_awake; /* a mediator vCPU was awake at its BLOCK record */
    uint16_t last_pcpu;      /* where it last switched in: its timer's pCPU */
    uint64_t block_tsc;      /* its last BLOCK record */
    uint8_t block_woken;     /* a WAKE of it came after that record */
    /* A CONTINUE_RUNNING after its BLOCK record that no WAKE explained (0: none since its last
     * runstate change): a WAKE from another pCPU cleared its blocked flag, and that WAKE's
     * record (written after) is still to come. */
    uint64_t continue_unwoken;
    uint64_t pend_block;
    uint16_t pend_pcpu;     /* where it blocked then */
    uint8_t pend_woken;     /* ... and was woken since by something other than the mediator */
    uint64_t pend_last_run; /* its last ->running since */
    uint64_t pend_med_run;  /* the mediator's run in its episode at that block */
    uint64_t pend_wake_run; /* its run since its last wake, at that block (NO_RUN: not known) */
    uint32_t pend_sw[4];
    /* It was preempted (running->runnable, for another domain than the mediator) with no call
     * open while the mediator was awake: a call whose notify found the mediator awake and whose
     * answer found the client runnable leaves no record at all (no WAKE, no block) until the
     * client runs again; the mediator's run in that episode tells (preempted_served). 0: none
     * since its last block or call. */
    uint64_t ppend_tsc;
    uint64_t ppend_last_run; /* its last ->running since (0: none yet) */
    uint16_t ppend_pcpu;     /* where it was preempted */
    uint64_t ppend_wake_run; /* its run since its last wake, then (NO_RUN: not known) */
    /* Its last timer-looking wake (0: none): a sample of its tick once it blocks again without
     * calling (a wake followed by a call is the pacing timer of the program that calls). */
    uint64_t tick_sample;
    /* Its running time since its last wake (blocked->runnable), and that wake: how long it
     * runs after a wake that is not an answer tells an answer that found it running. */
    uint64_t wrun_acc, wrun_start, wrun_wake;
    uint64_t run_all; /* its running time over the trace, up to wrun_start when running */
    struct open_call oc;
    struct open_call tail; /* client side over, waiting for the mediator's block */
};

/* One mediator vCPU: where its timer is, and its current episode. */
struct med_vcpu {
    uint16_t last_pcpu; /* NO_PCPU until seen switching in */
    uint8_t in_block;   /* BLOCK record seen, not switched out yet */
    uint64_t block_tsc; /* its last BLOCK record */
    uint8_t next_cause; /* enum ep_cause of a WAKE whose blocked->runnable comes next */
    uint8_t cause;      /* of the current episode */
    uint8_t awake;      /* in an episode (woken, not blocked since) */
    uint64_t run_start; /* SM_T_NONE when not running */
    uint64_t run_acc;   /* ticks run in the current episode */
    uint8_t answers;    /* calls it answered in the current episode (saturates) */
    uint64_t wake_tsc;  /* the current episode's blocked->runnable */
};

struct cal {
    uint64_t v[CAL_N];
    unsigned n, head;
    uint64_t median; /* of the n kept, updated by cal_add */
};

struct pcpu_unit {
    uint32_t cur; /* domid << 16 | vcpu the last SWITCH put here, NO_UNIT when unknown */
    uint64_t since;
    /* The last HISTORY switch-ins here (a ring; hist_n of them valid). */
    uint16_t hist_dom[HISTORY];
    uint64_t hist_since[HISTORY];
    uint8_t hist_head, hist_n;
};

/* A finished call waiting to be handed out, with what its figures need of its open call. */
struct deferred {
    struct sm_call k;
    uint8_t lost, e2e_known, answered, edge;
    /* likely or inferred; the client blocked in it, not since its previous call */
    uint8_t unblocked_guess;
    uint8_t back_to_back;      /* open_call's */
    uint64_t notify_block_run; /* the client's run from the notify to its block (NO_RUN) */
};

/* Calls held back at most; a longer trace decides each batch with what is known by then. */
#define DEFER_MAX 4096

struct sm_calls {
    struct sm_calls_config cfg;
    struct sm_calls_stats st;
    struct client_vcpu cv[SM_CALLS_MAX_VCPUS];
    struct med_vcpu med[MED_MAX];
    struct cal cal_call, cal_timer; /* mediator run time per episode, by cause */
    struct cal cal_client_wake;     /* the client's run from a wake by its own timer to its block */
    struct cal cal_answer; /* the mediator's run from its wake by a call to its certain answer */
    struct cal cal_notify_block; /* the client's run from a certain notify to its block */
    struct cal cal_wake_notify;  /* the client's run from its last wake to a certain notify */
    /* Each guest's timer tick, from its sure timer wakes: an ambiguous wake on the tick and
     * an ambiguous answer on the client's tick are two timers, not a call. */
    struct sm_tickgrid tick_med, tick_client;
    uint32_t next_index;
    struct pcpu_unit *pcpus;
    unsigned npcpus; /* entries in pcpus */
    struct sm_interferer inter[SM_CALLS_MAX_INTERFERERS];
    unsigned ninter;
    /* Which mediator vCPUs (0-63) a runstate record has shown, and which of those are awake
     * (running or runnable): a client that blocks while every mediator vCPU sleeps cannot be
     * in a call whose notify left no WAKE record (a notify to a sleeping vCPU wakes it). */
    uint64_t med_known, med_awake;
    /* Calls finished but not yet handed out (oldest first): whether an ambiguous call the
     * client made without blocking since its previous one is a call depends on how the
     * client calls, learned from its certain calls over the trace (or DEFER_MAX calls). */
    struct deferred *defer;
    unsigned ndefer;
    uint64_t now; /* the time stamp of the record being fed */
};

/* The client ran, after a wake that may have been an answer, ANSWER_RUN_FACTOR times as long as
 * it runs after a wake by its own timer: longer than a client that only looked for its answer
 * and waited again would run (on_client_wake's and on_client_runstate's rules). */
#define ANSWER_RUN_FACTOR 2

/* ---- trace-parse/calls_rules.c: each one's rule is described where it is defined ---- */

/* Run times: calibrated per trace (medians), and so far in an episode or a run */
void cal_add(struct cal *k, uint64_t v);
uint64_t cal_median(const struct cal *k);
uint64_t run_threshold(const struct sm_calls *c);
uint64_t episode_run(const struct med_vcpu *mv, uint64_t tsc);
uint64_t med_run_total(const struct sm_calls *c, uint64_t tsc);
uint64_t client_run_all(const struct client_vcpu *s, uint64_t tsc);
uint64_t client_wake_run(const struct client_vcpu *s, uint64_t tsc);

/* A finished call: its shape and certainty; whether it was two timers (emit_call) */
enum sm_call_shape shape_of(const struct open_call *o);
int answer_certain(const struct open_call *o);
int client_sleeps_between_calls(const struct sm_calls *c);
int timers_on_both_ticks(struct sm_calls *c, const struct deferred *d);
int mediator_has_timer(const struct sm_calls *c);
int timers_without_service(const struct sm_calls *c, const struct deferred *d);
int blocked_right_after_notify(const struct sm_calls *c, const struct deferred *d);

/* A wake or a block while a call is open, or pending (no notify recorded): what it was */
int client_ran_longer(const struct sm_calls *c, const struct client_vcpu *s, uint64_t tsc,
                      unsigned factor);
int episode_without_service(const struct sm_calls *c, const struct med_vcpu *mv, uint64_t tsc);
int served_back_to_back(const struct sm_calls *c, const struct client_vcpu *s,
                        const struct med_vcpu *mv, uint64_t tsc);
int client_ran_past_wait(const struct sm_calls *c, const struct client_vcpu *s, uint64_t tsc);
int tail_answer_was_timer(const struct sm_calls *c, const struct client_vcpu *s, uint64_t tsc);
int served_before_block(const struct sm_calls *c, const struct open_call *o, uint64_t tsc);
int pend_served(const struct sm_calls *c, uint8_t cause, const struct client_vcpu *s, uint64_t run);
int preempted_served(const struct sm_calls *c, uint8_t cause, const struct med_vcpu *mv,
                     const struct client_vcpu *s, uint64_t run);

#endif
