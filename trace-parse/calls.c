/* Call detector: follows the client's and the mediator's vCPUs through the scheduler events (the
 * shapes and the rules are in docs/calls.md). Each client vCPU has at most one call open (it
 * waits for each answer); every finished call goes to the histograms and to the on_call
 * callback, nothing is stored. */
#include "calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_UNIT UINT32_MAX
#define HISTORY 8 /* switch-ins remembered per pCPU, for the interference of a mediator wait */

enum unit_class { U_CLIENT, U_MEDIATOR, U_IDLE, U_OTHER };

struct open_call {
    int active;
    struct sm_call c;
    uint8_t expect_med_wake;  /* the mediator was blocked at the notify: its wake comes next */
    uint8_t med_awake;        /* the mediator was running or runnable when notified */
    uint8_t med_ran;          /* the mediator has run for this call */
    uint8_t med_blocked;      /* ... and blocked afterwards */
    uint8_t answered;         /* the mediator's WAKE of the client was seen */
    uint8_t client_blocked;   /* the client blocked after the notify */
    uint8_t end_at_next_run;  /* the answer is there: the client's next run ends the call */
    uint8_t ended;            /* t_client_run known */
    uint8_t lost;             /* a lost-records gap during the call */
    uint8_t after_block;      /* the client had blocked since its previous call when notifying */
    uint64_t client_last_run; /* the client's last ->running during the call */
};

/* One client vCPU: its open call, and what is known between calls. */
struct client_vcpu {
    uint16_t vcpu;
    uint8_t used;
    uint8_t blocked_since_call; /* it blocked since its last call ended */
    /* It blocked with no call open: a call whose notify left no record (the mediator was
     * awake) starts here if the mediator answers. */
    uint8_t pend;
    /* Between its BLOCK record and its switch out: a WAKE of the mediator on its pCPU then is
     * not its notify (it is in Xen's block path: the mediator's own timer fired there). */
    uint8_t in_block;
    uint8_t block_med_awake; /* a mediator vCPU was awake at its BLOCK record */
    uint64_t pend_block;
    uint32_t pend_sw[4];
    struct open_call oc;
};

struct pcpu_unit {
    uint32_t cur; /* domid << 16 | vcpu the last SWITCH put here, NO_UNIT when unknown */
    uint64_t since;
    /* The last HISTORY switch-ins here (a ring; hist_n of them valid). */
    uint16_t hist_dom[HISTORY];
    uint64_t hist_since[HISTORY];
    uint8_t hist_head, hist_n;
};

struct sm_calls {
    struct sm_calls_config cfg;
    struct sm_calls_stats st;
    struct client_vcpu cv[SM_CALLS_MAX_VCPUS];
    uint32_t next_index;
    struct pcpu_unit *pcpus;
    unsigned npcpus; /* entries in pcpus */
    struct sm_interferer inter[SM_CALLS_MAX_INTERFERERS];
    unsigned ninter;
    /* Which mediator vCPUs (0-63) a runstate record has shown, and which of those are awake
     * (running or runnable): a client that blocks while every mediator vCPU sleeps cannot be
     * in a call whose notify left no WAKE record (a notify to a sleeping vCPU wakes it). */
    uint64_t med_known, med_awake;
};

static const char *shape_names[SM_SHAPE__COUNT] = {
    "textbook", "client_woken_early", "answered_before_block", "mediator_already_awake"};
static const char *reason_names[SM_INC__COUNT] = {
    "complete",     "client_never_blocked", "mediator_already_awake",
    "lost_records", "trace_edge",           "no_answer"};

const char *sm_call_shape_name(enum sm_call_shape s)
{
    return (unsigned)s < SM_SHAPE__COUNT ? shape_names[s] : "?";
}

const char *sm_incomplete_name(enum sm_incomplete r)
{
    return (unsigned)r < SM_INC__COUNT ? reason_names[r] : "?";
}

int sm_calls_new(struct sm_calls **out, const struct sm_calls_config *cfg)
{
    struct sm_calls *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->cfg = *cfg;
    struct sm_hist **h[] = {&c->st.e2e,         &c->st.mediator_wake, &c->st.mediator_run,
                            &c->st.client_wake, &c->st.switches,      &c->st.sw_client,
                            &c->st.sw_mediator, &c->st.sw_idle,       &c->st.sw_other};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        if (!(*h[i] = sm_hist_new())) {
            sm_calls_free(c);
            return -1;
        }
    c->npcpus = XT_MAX_CPUS;
    c->pcpus = calloc(c->npcpus, sizeof *c->pcpus);
    if (!c->pcpus) {
        sm_calls_free(c);
        return -1;
    }
    for (unsigned i = 0; i < c->npcpus; i++)
        c->pcpus[i].cur = NO_UNIT;
    *out = c;
    return 0;
}

void sm_calls_free(struct sm_calls *c)
{
    if (!c)
        return;
    struct sm_hist *h[] = {c->st.e2e,         c->st.mediator_wake, c->st.mediator_run,
                           c->st.client_wake, c->st.switches,      c->st.sw_client,
                           c->st.sw_mediator, c->st.sw_idle,       c->st.sw_other};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        sm_hist_free(h[i]);
    free(c->pcpus);
    free(c);
}

const struct sm_calls_stats *sm_calls_stats(const struct sm_calls *c)
{
    return &c->st;
}

const struct sm_interferer *sm_calls_interferers(const struct sm_calls *c, unsigned *n)
{
    *n = c->ninter;
    return c->inter;
}

static enum unit_class classify(const struct sm_calls *c, uint16_t domid)
{
    if (domid == c->cfg.client)
        return U_CLIENT;
    if (domid == c->cfg.mediator)
        return U_MEDIATOR;
    if (domid == XT_DOMID_IDLE)
        return U_IDLE;
    return U_OTHER;
}

static uint8_t vcpu_state(const struct sm_model *m, uint16_t domid, uint16_t vcpu)
{
    const struct sm_vcpu *v = sm_model_vcpu(m, domid, vcpu);
    return v ? v->seen_state : SM_STATE_UNKNOWN;
}

/* The client vCPU's slot (created on first sight); NULL past SM_CALLS_MAX_VCPUS. */
static struct client_vcpu *client_slot(struct sm_calls *c, uint16_t vcpu)
{
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS; i++) {
        struct client_vcpu *s = &c->cv[i];
        if (s->used && s->vcpu == vcpu)
            return s;
        if (!s->used) {
            s->used = 1;
            s->vcpu = vcpu;
            s->blocked_since_call = 1;
            return s;
        }
    }
    return NULL;
}

/* ---- interference: what ran on the mediator's pCPU while it waited ---- */

static void add_interference(struct sm_calls *c, struct sm_call *k, uint16_t domid, uint64_t ticks)
{
    for (int i = 0; i < 4; i++)
        if (k->other_domids[i] == XT_DOMID_INVALID) {
            k->other_domids[i] = domid;
            break;
        }
    k->other_run_ticks += ticks;
    for (unsigned i = 0; i < c->ninter; i++)
        if (c->inter[i].domid == domid) {
            c->inter[i].calls++;
            c->inter[i].run_ticks += ticks;
            return;
        }
    if (c->ninter < SM_CALLS_MAX_INTERFERERS) {
        c->inter[c->ninter].domid = domid;
        c->inter[c->ninter].calls = 1;
        c->inter[c->ninter].run_ticks = ticks;
        c->ninter++;
    }
}

/* The mediator waited from `from` and runs on cpu at `to`: charges the other domains that ran
 * on cpu meanwhile (from the last HISTORY switch-ins there). */
static void charge_wait(struct sm_calls *c, struct sm_call *k, unsigned cpu, uint64_t from,
                        uint64_t to)
{
    if (cpu >= c->npcpus || to <= from)
        return;
    const struct pcpu_unit *p = &c->pcpus[cpu];
    uint16_t dom[HISTORY];
    uint64_t ticks[HISTORY];
    unsigned nd = 0;
    uint64_t end = to;
    for (unsigned j = 0; j < p->hist_n && end > from; j++) {
        unsigned idx = (p->hist_head + HISTORY - 1 - j) % HISTORY;
        uint64_t start = p->hist_since[idx];
        uint16_t d = p->hist_dom[idx];
        uint64_t lo = start > from ? start : from;
        if (end > lo && classify(c, d) == U_OTHER) {
            unsigned i = 0;
            while (i < nd && dom[i] != d)
                i++;
            if (i == nd) {
                dom[nd] = d;
                ticks[nd++] = 0;
            }
            ticks[i] += end - lo;
        }
        end = start < end ? start : end;
    }
    for (unsigned i = 0; i < nd; i++)
        add_interference(c, k, dom[i], ticks[i]);
}

/* ---- opening and closing calls ---- */

static void open_call(struct client_vcpu *s, uint64_t t_notify, uint16_t cpu, uint16_t mvcpu)
{
    struct open_call *o = &s->oc;
    memset(o, 0, sizeof *o);
    o->active = 1;
    struct sm_call *k = &o->c;
    k->t_notify = k->t_client_block = k->t_med_wake = k->t_med_run = k->t_med_block = k->t_answer =
        k->t_client_wake = k->t_client_run = k->t_start = k->t_end = SM_T_NONE;
    k->t_notify = t_notify;
    k->t_start = t_notify;
    k->client_pcpu = cpu;
    k->client_vcpu = s->vcpu;
    k->mediator_vcpu = mvcpu;
    for (int i = 0; i < 4; i++)
        k->other_domids[i] = XT_DOMID_INVALID;
}

static void hist_span(struct sm_hist *h, uint64_t from, uint64_t to)
{
    if (from != SM_T_NONE && to != SM_T_NONE && to >= from)
        sm_hist_add(h, to - from);
}

/* Hands the slot's open call out. edge: the trace ended with it open. */
static void finalize(struct sm_calls *c, struct client_vcpu *s, int edge)
{
    struct open_call *o = &s->oc;
    struct sm_call *k = &o->c;
    if (!o->active)
        return;
    o->active = 0;
    if (k->t_notify == SM_T_NONE || o->med_awake)
        k->shape = SM_SHAPE_MEDIATOR_ALREADY_AWAKE;
    else if (!o->client_blocked)
        k->shape = SM_SHAPE_ANSWERED_BEFORE_BLOCK;
    else if (k->client_woken_early)
        k->shape = SM_SHAPE_CLIENT_WOKEN_EARLY;
    else
        k->shape = SM_SHAPE_TEXTBOOK;
    if (o->lost)
        k->reason = SM_INC_LOST_RECORDS;
    else if (k->shape == SM_SHAPE_MEDIATOR_ALREADY_AWAKE)
        k->reason = SM_INC_MEDIATOR_ALREADY_AWAKE;
    else if (!o->client_blocked)
        k->reason = SM_INC_CLIENT_NEVER_BLOCKED;
    else if (edge && (!o->ended || !o->med_blocked))
        k->reason = SM_INC_TRACE_EDGE;
    else if (!o->ended)
        k->reason = SM_INC_NO_ANSWER;
    else if (!o->med_blocked)
        k->reason = SM_INC_TRACE_EDGE;
    else
        k->reason = SM_COMPLETE;
    if (k->t_end == SM_T_NONE || (k->t_client_run != SM_T_NONE && k->t_client_run > k->t_end))
        k->t_end = k->t_client_run;
    if (k->t_end == SM_T_NONE || (k->t_med_block != SM_T_NONE && k->t_med_block > k->t_end))
        k->t_end = k->t_med_block;
    if (k->t_start == SM_T_NONE)
        k->t_start = k->t_client_block;
    s->blocked_since_call = 0;
    k->index = c->next_index++;
    c->st.calls++;
    c->st.by_shape[k->shape]++;
    c->st.by_reason[k->reason]++;
    if (k->reason == SM_COMPLETE)
        c->st.complete++;
    if (k->mediator_timer_wake)
        c->st.with_mediator_timer_wake++;
    if (!o->lost) {
        /* Each figure counts the calls that show both of its instants (docs/calls.md). */
        if (o->client_blocked && o->ended)
            hist_span(c->st.e2e, k->t_client_block, k->t_client_run);
        hist_span(c->st.mediator_wake, k->t_med_wake, k->t_med_run);
        hist_span(c->st.mediator_run, k->t_med_run, k->t_med_block);
        if (o->answered)
            hist_span(c->st.client_wake, k->t_client_wake, k->t_client_run);
        if (!edge) {
            sm_hist_add(c->st.switches,
                        (uint64_t)k->sw_client + k->sw_mediator + k->sw_idle + k->sw_other);
            sm_hist_add(c->st.sw_client, k->sw_client);
            sm_hist_add(c->st.sw_mediator, k->sw_mediator);
            sm_hist_add(c->st.sw_idle, k->sw_idle);
            sm_hist_add(c->st.sw_other, k->sw_other);
        }
    }
    if (c->cfg.on_call)
        c->cfg.on_call(k, c->cfg.ctx);
}

/* The open call turned out to be no call (a mediator wake by its own timer while the client
 * ran, followed by no answer). */
static void drop(struct sm_calls *c, struct client_vcpu *s)
{
    s->oc.active = 0;
    c->st.mediator_wakes_not_calls++;
}

/* ---- events ---- */

static void on_switch(struct sm_calls *c, const struct xt_event *ev)
{
    enum unit_class next = classify(c, ev->next_domid);
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
        struct client_vcpu *s = &c->cv[i];
        if (s->oc.active) {
            uint32_t *cnt[4] = {&s->oc.c.sw_client, &s->oc.c.sw_mediator, &s->oc.c.sw_idle,
                                &s->oc.c.sw_other};
            (*cnt[next])++;
        } else if (s->pend) {
            s->pend_sw[next]++;
        }
    }
    if (ev->cpu < c->npcpus) {
        struct pcpu_unit *p = &c->pcpus[ev->cpu];
        p->cur = (uint32_t)ev->next_domid << 16 | ev->next_vcpu;
        p->since = ev->tsc;
        p->hist_dom[p->hist_head] = ev->next_domid;
        p->hist_since[p->hist_head] = ev->tsc;
        p->hist_head = (uint8_t)((p->hist_head + 1) % HISTORY);
        if (p->hist_n < HISTORY)
            p->hist_n++;
    }
}

static void on_wake(struct sm_calls *c, const struct sm_model *m, const struct xt_event *ev)
{
    uint16_t d, v;
    int known = sm_model_pcpu_current(m, ev->cpu, &d, &v);
    if (ev->domid == c->cfg.mediator) {
        if (known && d == c->cfg.client) {
            /* The notify: the client, running here, wakes the mediator. */
            struct client_vcpu *s = client_slot(c, v);
            if (!s) {
                c->st.client_vcpus_untracked++;
                return;
            }
            if (s->in_block)
                goto not_a_notify;
            if (s->oc.active)
                finalize(c, s, 0);
            s->pend = 0;
            open_call(s, ev->tsc, ev->cpu, ev->vcpu);
            struct open_call *o = &s->oc;
            o->after_block = s->blocked_since_call;
            uint8_t ms = vcpu_state(m, ev->domid, ev->vcpu);
            if (ms == XT_RUNNING || ms == XT_RUNNABLE) {
                o->med_awake = 1;
                if (ms == XT_RUNNING)
                    o->med_ran = 1;
            } else {
                o->expect_med_wake = 1;
            }
            return;
        }
    not_a_notify:
        /* A wake of the mediator by something else (its timer) during open calls. */
        for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++)
            if (c->cv[i].oc.active)
                c->cv[i].oc.c.mediator_timer_wake = 1;
        return;
    }
    if (ev->domid != c->cfg.client)
        return;
    struct client_vcpu *s = client_slot(c, ev->vcpu);
    if (!s)
        return;
    s->in_block = 0; /* woken before it was switched out: it does not block */
    if (!known || d != c->cfg.mediator)
        return;
    /* The answer: the mediator, running here, wakes the client. */
    struct open_call *o = &s->oc;
    if (o->active) {
        if (!o->answered) {
            o->answered = 1;
            o->c.t_answer = ev->tsc;
            o->med_ran = 1; /* its run may have gone unseen (the trace's start) */
        }
        return;
    }
    if (s->pend) {
        /* The mediator was awake when notified: no notify record, but the client blocked and
         * the mediator answers. */
        open_call(s, SM_T_NONE, ev->cpu, v);
        o->c.t_start = s->pend_block;
        o->c.t_client_block = s->pend_block;
        o->c.sw_client = s->pend_sw[U_CLIENT];
        o->c.sw_mediator = s->pend_sw[U_MEDIATOR];
        o->c.sw_idle = s->pend_sw[U_IDLE];
        o->c.sw_other = s->pend_sw[U_OTHER];
        o->client_blocked = 1;
        o->med_awake = 1;
        o->med_ran = 1;
        o->answered = 1;
        o->c.t_answer = ev->tsc;
        s->pend = 0;
    }
}

static void on_client_runstate(struct sm_calls *c, const struct xt_event *ev)
{
    struct client_vcpu *s = client_slot(c, ev->vcpu);
    if (!s)
        return;
    struct open_call *o = &s->oc;
    unsigned new = ev->new_state;
    int med_awake = s->in_block ? s->block_med_awake : c->med_awake != 0 || c->med_known == 0;
    if (new != XT_RUNNABLE)
        s->in_block = 0;
    if (new == XT_BLOCKED)
        s->blocked_since_call = 1;
    if (!o->active) {
        if (new == XT_BLOCKED) {
            s->pend = med_awake;
            s->pend_block = ev->tsc;
            memset(s->pend_sw, 0, sizeof s->pend_sw);
        } else {
            s->pend = 0; /* woken by something else: no call is waiting */
        }
        return;
    }
    if (o->ended)
        return;
    struct sm_call *k = &o->c;
    switch (new) {
    case XT_BLOCKED:
        if (!o->client_blocked) {
            o->client_blocked = 1;
            k->t_client_block = ev->tsc;
        }
        break;
    case XT_RUNNABLE:
        if (ev->old_state != XT_BLOCKED)
            break;
        if (o->answered && k->t_client_wake == SM_T_NONE)
            k->t_client_wake = ev->tsc;
        else if (o->client_blocked && !o->answered)
            k->client_woken_early = 1;
        break;
    case XT_RUNNING:
        o->client_last_run = ev->tsc;
        if (o->client_blocked && (o->answered || o->end_at_next_run)) {
            k->t_client_run = ev->tsc;
            o->ended = 1;
            if (o->med_blocked)
                finalize(c, s, 0);
        }
        break;
    default:
        break;
    }
}

/* The mediator blocked after serving the slot's call, which saw no answer recorded. */
static void mediator_done_unanswered(struct sm_calls *c, const struct sm_model *m,
                                     struct client_vcpu *s, uint64_t tsc)
{
    struct open_call *o = &s->oc;
    struct sm_call *k = &o->c;
    uint8_t cs = vcpu_state(m, c->cfg.client, k->client_vcpu);
    if (!o->client_blocked && !o->after_block) {
        /* The client has not blocked since its previous call: the mediator's own timer, which
         * fires soon after it blocks, on the pCPU the client now runs on (docs/calls.md). */
        drop(c, s);
    } else if (!o->client_blocked) {
        finalize(c, s, 0); /* answered before the client blocked */
    } else if (cs == XT_RUNNING) {
        k->t_client_run = tsc; /* the answer found it running (woken early) */
        o->ended = 1;
        finalize(c, s, 0);
    } else if (cs == XT_RUNNABLE) {
        o->end_at_next_run = 1;
    } else if (k->client_woken_early && o->client_last_run != 0 &&
               o->client_last_run > k->t_client_block) {
        /* It ran meanwhile, took the answer and blocked again. */
        k->t_client_run = k->t_med_run != SM_T_NONE && k->t_med_run > o->client_last_run
                              ? k->t_med_run
                              : o->client_last_run;
        o->ended = 1;
        finalize(c, s, 0);
    } else {
        drop(c, s); /* the client sleeps on, unanswered: that wake was no call */
    }
}

static void on_mediator_runstate(struct sm_calls *c, const struct sm_model *m,
                                 const struct xt_event *ev)
{
    unsigned old = ev->old_state, new = ev->new_state;
    if (ev->vcpu < 64) {
        uint64_t bit = (uint64_t)1 << ev->vcpu;
        c->med_known |= bit;
        if (new == XT_BLOCKED || new == XT_OFFLINE)
            c->med_awake &= ~bit;
        else
            c->med_awake |= bit;
    }
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
        struct client_vcpu *s = &c->cv[i];
        struct open_call *o = &s->oc;
        if (c->med_awake == 0)
            s->pend = 0; /* the mediator went to sleep: its next answer-like wake of this
                          * client (after its own timer, say) answers no unrecorded notify */
        if (!o->active)
            continue;
        struct sm_call *k = &o->c;
        if (new == XT_RUNNABLE && old == XT_BLOCKED) {
            if (o->expect_med_wake && k->t_med_wake == SM_T_NONE && ev->vcpu == k->mediator_vcpu) {
                k->t_med_wake = ev->tsc;
                o->expect_med_wake = 0;
            } else {
                k->mediator_timer_wake = 1;
            }
            continue;
        }
        if (ev->vcpu != k->mediator_vcpu)
            continue;
        if (new == XT_RUNNING) {
            if (!o->med_ran && (k->t_med_wake != SM_T_NONE || o->med_awake)) {
                k->t_med_run = ev->tsc;
                o->med_ran = 1;
                if (k->t_med_wake != SM_T_NONE)
                    charge_wait(c, k, ev->cpu, k->t_med_wake, ev->tsc);
            }
            continue;
        }
        if (new != XT_BLOCKED || !o->med_ran || o->med_blocked)
            continue;
        k->t_med_block = ev->tsc;
        o->med_blocked = 1;
        if (o->answered) {
            if (o->ended)
                finalize(c, s, 0);
        } else {
            mediator_done_unanswered(c, m, s, ev->tsc);
        }
    }
}

void sm_calls_feed(struct sm_calls *c, const struct sm_model *m, const struct xt_event *ev)
{
    switch (ev->kind) {
    case XT_K_SWITCH:
        on_switch(c, ev);
        break;
    case XT_K_WAKE:
        on_wake(c, m, ev);
        break;
    case XT_K_BLOCK:
        if (ev->domid == c->cfg.client) {
            struct client_vcpu *s = client_slot(c, ev->vcpu);
            if (s) {
                s->in_block = 1;
                s->block_med_awake = c->med_awake != 0 || c->med_known == 0;
            }
        }
        break;
    case XT_K_RUNSTATE:
        if (ev->domid == c->cfg.client)
            on_client_runstate(c, ev);
        else if (ev->domid == c->cfg.mediator)
            on_mediator_runstate(c, m, ev);
        break;
    case XT_K_LOST:
        for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
            if (c->cv[i].oc.active)
                c->cv[i].oc.lost = 1;
            c->cv[i].pend = 0;
        }
        if (ev->cpu < c->npcpus) {
            struct pcpu_unit *p = &c->pcpus[ev->cpu];
            p->cur = ev->domid == XT_DOMID_INVALID ? NO_UNIT : (uint32_t)ev->domid << 16 | ev->vcpu;
            p->since = ev->tsc;
            p->hist_n = 0; /* what ran here during the gap is unknown */
        }
        break;
    default:
        break;
    }
}

void sm_calls_finish(struct sm_calls *c)
{
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++)
        finalize(c, &c->cv[i], 1);
}
/* ---- --roles auto ---- */

#define MAX_PAIRS 256

struct pair {
    uint32_t key;      /* lo << 16 | hi */
    uint64_t wakes[2]; /* [0]: lo woke hi, [1]: hi woke lo */
    int last_dir;      /* -1 none */
    uint64_t last_t;
    uint64_t alternations;
    long double resp_sum[2]; /* [0]: lo answering (lo wakes hi after hi woke lo), [1]: hi */
    uint64_t resp_n[2];
};

struct sm_roles {
    struct pair pairs[MAX_PAIRS];
    unsigned n;
};

int sm_roles_new(struct sm_roles **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -1;
}

void sm_roles_free(struct sm_roles *r)
{
    free(r);
}

void sm_roles_feed(struct sm_roles *r, const struct sm_model *m, const struct xt_event *ev)
{
    if (ev->kind != XT_K_WAKE)
        return;
    uint16_t waker, v;
    if (!sm_model_pcpu_current(m, ev->cpu, &waker, &v))
        return;
    uint16_t woken = ev->domid;
    if (waker == woken || waker == XT_DOMID_IDLE || woken == XT_DOMID_IDLE ||
        waker >= XT_DOMID_INVALID || woken >= XT_DOMID_INVALID)
        return;
    uint16_t lo = waker < woken ? waker : woken, hi = waker < woken ? woken : waker;
    uint32_t key = (uint32_t)lo << 16 | hi;
    struct pair *p = NULL;
    for (unsigned i = 0; i < r->n; i++)
        if (r->pairs[i].key == key)
            p = &r->pairs[i];
    if (!p) {
        if (r->n == MAX_PAIRS)
            return;
        p = &r->pairs[r->n++];
        p->key = key;
        p->last_dir = -1;
    }
    int dir = waker == lo ? 0 : 1;
    p->wakes[dir]++;
    if (p->last_dir == !dir && ev->tsc >= p->last_t) {
        p->alternations++;
        p->resp_sum[dir] += (long double)(ev->tsc - p->last_t);
        p->resp_n[dir]++;
    }
    p->last_dir = dir;
    p->last_t = ev->tsc;
}

int sm_roles_choose(const struct sm_roles *r, uint16_t *client, uint16_t *mediator, char *why,
                    size_t why_len)
{
    const struct pair *best = NULL, *second = NULL;
    for (unsigned i = 0; i < r->n; i++) {
        const struct pair *p = &r->pairs[i];
        if (!best || p->alternations > best->alternations) {
            second = best;
            best = p;
        } else if (!second || p->alternations > second->alternations) {
            second = p;
        }
    }
    if (!best || best->alternations < 2 || !best->resp_n[0] || !best->resp_n[1]) {
        snprintf(why, why_len, "no pair of domains wakes each other in turn");
        return 0;
    }
    uint16_t lo = (uint16_t)(best->key >> 16), hi = (uint16_t)(best->key & 0xffff);
    double mean_lo = (double)(best->resp_sum[0] / best->resp_n[0]);
    double mean_hi = (double)(best->resp_sum[1] / best->resp_n[1]);
    /* The mediator answers fast; the client's "answer" is its next call, a period later. */
    int lo_is_med = mean_lo <= mean_hi;
    *mediator = lo_is_med ? lo : hi;
    *client = lo_is_med ? hi : lo;
    char next[64] = "none";
    if (second)
        snprintf(next, sizeof next, "d%u/d%u with %llu", (unsigned)(second->key >> 16),
                 (unsigned)(second->key & 0xffff), (unsigned long long)second->alternations);
    snprintf(why, why_len,
             "%llu alternating wakes between d%u and d%u (next pair: %s); d%u answers %.1fx "
             "sooner on average than d%u",
             (unsigned long long)best->alternations, lo, hi, next, *mediator,
             (lo_is_med ? mean_hi : mean_lo) /
                 (lo_is_med ? (mean_lo > 0 ? mean_lo : 1) : (mean_hi > 0 ? mean_hi : 1)),
             *client);
    return 1;
}
