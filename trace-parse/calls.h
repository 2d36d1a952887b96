/* Calls between a client domain and a mediator (stub) domain, found in the scheduler model's
 * transitions. DRAFT of the interface: owned by the model (branch `model`); the join
 * (trace-parse/join.c) uses the fields below, which stay. Times are trace ticks (CNTPCT on
 * arm64); SM_T_NONE where the trace does not show that instant. */
#ifndef SMCLAT_CALLS_H
#define SMCLAT_CALLS_H

#include <stdint.h>

#define SM_T_NONE UINT64_MAX

/* How the call looked in the trace (xentrace-format.md, "Calls in real traces"). */
enum sm_call_shape {
    SM_SHAPE_TEXTBOOK = 0,          /* notify, client blocks, mediator wakes/runs/blocks, answer */
    SM_SHAPE_CLIENT_WOKEN_EARLY,    /* the client was woken by something else before the answer */
    SM_SHAPE_ANSWERED_BEFORE_BLOCK, /* the mediator answered before the client blocked */
    SM_SHAPE_MEDIATOR_ALREADY_AWAKE, /* no wake: the mediator was running or runnable */
    SM_SHAPE__COUNT
};

/* Why a call's figures are not all known (SM_COMPLETE when they are). */
enum sm_incomplete {
    SM_COMPLETE = 0,
    SM_INC_CLIENT_NEVER_BLOCKED,
    SM_INC_MEDIATOR_ALREADY_AWAKE,
    SM_INC_LOST_RECORDS,
    SM_INC_TRACE_EDGE,
    SM_INC__COUNT
};

struct sm_call {
    uint32_t index;           /* order of the call in the trace, from 0 */
    enum sm_call_shape shape;
    enum sm_incomplete reason;
    uint16_t client_pcpu;     /* pCPU the client ran on when it notified */
    uint64_t t_notify;        /* the client's WAKE of the mediator (on the client's pCPU) */
    uint64_t t_client_block;  /* client running->blocked */
    uint64_t t_med_wake;      /* mediator blocked->runnable caused by this call */
    uint64_t t_med_run;       /* mediator runnable->running serving this call */
    uint64_t t_med_block;     /* mediator running->blocked after serving */
    uint64_t t_answer;        /* the mediator's WAKE of the client */
    uint64_t t_client_wake;   /* client blocked->runnable by the answer */
    uint64_t t_client_run;    /* client running again after the answer: the call's end */
    uint64_t t_start;         /* the call's window in the trace: first instant known */
    uint64_t t_end;           /* last instant known */
    uint32_t sw_client, sw_mediator, sw_idle, sw_other; /* SWITCH events in the window */
};

#endif
