/* Calls rebuilt from the trace inside logged calls' windows (recover.h). */
#include "recover.h"

#include <stdlib.h>
#include <string.h>

struct rwin {
    struct sm_recover_window w;
    struct sm_call c;
    uint8_t client_preempted; /* running->runnable before any block */
    uint8_t in_block;         /* the client's BLOCK record, not yet switched out */
    uint8_t med_seen_run;
};

struct sm_recover {
    uint16_t client, mediator;
    struct rwin *w;
    size_t n;
    size_t first; /* windows before it ended before the current event */
};

int sm_recover_new(struct sm_recover **out, uint16_t client, uint16_t mediator,
                   const struct sm_recover_window *win, size_t n)
{
    struct sm_recover *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    r->w = calloc(n ? n : 1, sizeof *r->w);
    if (!r->w) {
        free(r);
        return -1;
    }
    r->client = client;
    r->mediator = mediator;
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        struct sm_call *k = &r->w[i].c;
        r->w[i].w = win[i];
        k->index = (uint32_t)i;
        k->t_notify = k->t_client_block = k->t_med_wake = k->t_med_run = k->t_med_block =
            k->t_answer = k->t_client_wake = k->t_client_run = k->t_end_lo = SM_T_NONE;
        k->t_start = win[i].start;
        k->t_end = win[i].end;
        k->certainty = SM_CERT_INFERRED;
        k->recovered = 1;
        k->reason = SM_INC_NO_ANSWER;
        for (int d = 0; d < 4; d++)
            k->other_domids[d] = XT_DOMID_INVALID;
    }
    *out = r;
    return 0;
}

void sm_recover_free(struct sm_recover *r)
{
    if (!r)
        return;
    free(r->w);
    free(r);
}

static void set_first(uint64_t *t, uint64_t v)
{
    if (*t == SM_T_NONE)
        *t = v;
}

/* The shape and completeness of a rebuilt call, from the instants it shows. */
static void settle(struct rwin *x)
{
    struct sm_call *k = &x->c;
    int answered = k->t_answer != SM_T_NONE;
    if (k->t_notify == SM_T_NONE && !answered)
        k->shape = SM_SHAPE_NO_WAKES;
    else if (k->t_notify == SM_T_NONE)
        k->shape = SM_SHAPE_MEDIATOR_ALREADY_AWAKE;
    else if (k->t_client_block == SM_T_NONE)
        k->shape = x->client_preempted ? SM_SHAPE_CLIENT_PREEMPTED : SM_SHAPE_ANSWERED_BEFORE_BLOCK;
    else if (k->client_woken_early)
        k->shape = SM_SHAPE_CLIENT_WOKEN_EARLY;
    else
        k->shape = SM_SHAPE_TEXTBOOK;
    if (k->shape == SM_SHAPE_NO_WAKES || k->shape == SM_SHAPE_MEDIATOR_ALREADY_AWAKE)
        k->reason = SM_INC_MEDIATOR_ALREADY_AWAKE;
    else if (k->t_client_block == SM_T_NONE)
        k->reason = SM_INC_CLIENT_NEVER_BLOCKED;
    else if (k->t_client_run == SM_T_NONE)
        k->reason = SM_INC_NO_ANSWER;
    else if (k->t_med_block == SM_T_NONE)
        k->reason = SM_INC_MEDIATOR_STAYED_AWAKE;
    else
        k->reason = SM_COMPLETE;
}

static void feed_one(struct sm_recover *r, const struct sm_model *m, struct rwin *x,
                     const struct xt_event *ev)
{
    struct sm_call *k = &x->c;
    uint16_t d, v;
    int known;
    switch (ev->kind) {
    case XT_K_SWITCH: {
        uint16_t n = ev->next_domid;
        uint32_t *cnt = n == r->client       ? &k->sw_client
                        : n == r->mediator   ? &k->sw_mediator
                        : n == XT_DOMID_IDLE ? &k->sw_idle
                                             : &k->sw_other;
        (*cnt)++;
        if (ev->domid == r->client)
            x->in_block = 0;
        break;
    }
    case XT_K_BLOCK:
        if (ev->domid == r->client)
            x->in_block = 1;
        break;
    case XT_K_WAKE:
        known = sm_model_pcpu_current(m, ev->cpu, &d, &v);
        if (!known)
            break;
        if (ev->domid == r->mediator && d == r->client && !x->in_block &&
            k->t_client_block == SM_T_NONE && k->t_notify == SM_T_NONE &&
            k->t_med_run == SM_T_NONE && k->t_client_run == SM_T_NONE) {
            k->t_notify = ev->tsc;
            k->client_pcpu = ev->cpu;
            k->mediator_vcpu = ev->vcpu;
        } else if (ev->domid == r->client && d == r->mediator && k->t_answer == SM_T_NONE &&
                   (k->t_notify != SM_T_NONE || k->t_client_block != SM_T_NONE)) {
            k->t_answer = ev->tsc;
            if (x->in_block) {
                set_first(&k->t_client_block, ev->tsc);
                k->t_client_wake = ev->tsc;
            }
        }
        break;
    case XT_K_CONTINUE:
        if (ev->domid == r->client) {
            x->in_block = 0;
            if (k->t_answer != SM_T_NONE)
                k->t_client_run = ev->tsc;
        }
        break;
    case XT_K_RUNSTATE:
        if (ev->domid == r->client) {
            k->client_vcpu = ev->vcpu;
            if (ev->new_state == XT_BLOCKED) {
                set_first(&k->t_client_block, ev->tsc);
            } else if (ev->new_state == XT_RUNNABLE && ev->old_state == XT_RUNNING &&
                       k->t_client_block == SM_T_NONE) {
                x->client_preempted = 1;
            } else if (ev->new_state == XT_RUNNABLE && ev->old_state == XT_BLOCKED) {
                if (k->t_answer != SM_T_NONE)
                    set_first(&k->t_client_wake, ev->tsc);
                else
                    k->client_woken_early = 1;
            } else if (ev->new_state == XT_RUNNING &&
                       (k->t_client_block != SM_T_NONE || x->client_preempted)) {
                k->t_client_run = ev->tsc; /* the last run in the window: the guest's end */
            }
        } else if (ev->domid == r->mediator) {
            if (ev->old_state == XT_BLOCKED && ev->new_state == XT_RUNNABLE &&
                k->t_med_run == SM_T_NONE)
                set_first(&k->t_med_wake, ev->tsc);
            else if (ev->new_state == XT_RUNNING && k->t_med_run == SM_T_NONE) {
                k->t_med_run = ev->tsc;
                k->mediator_vcpu = ev->vcpu;
            } else if (ev->new_state == XT_BLOCKED && k->t_med_run != SM_T_NONE)
                set_first(&k->t_med_block, ev->tsc);
        }
        break;
    default:
        break;
    }
}

void sm_recover_feed(struct sm_recover *r, const struct sm_model *m, const struct xt_event *ev)
{
    while (r->first < r->n && r->w[r->first].w.end < ev->tsc) {
        settle(&r->w[r->first]);
        r->first++;
    }
    for (size_t i = r->first; i < r->n && r->w[i].w.start <= ev->tsc; i++)
        if (ev->tsc <= r->w[i].w.end)
            feed_one(r, m, &r->w[i], ev);
}

const struct sm_call *sm_recover_call(const struct sm_recover *r, size_t i)
{
    struct rwin *x = &r->w[i];
    settle(x);
    return &x->c;
}
