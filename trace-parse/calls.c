/* Call detector: follows the client and the mediator through the scheduler events (the shapes
 * and the rules are in docs/calls.md). One call is open at a time (the client waits for each
 * answer); every finished call goes to the histograms and to the on_call callback. */
#include "calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_UNIT UINT32_MAX

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
    uint8_t after_block;      /* the client had blocked since the previous call when notifying */
    uint64_t wait_start;      /* the mediator's wait for a pCPU began (SM_T_NONE: not waiting) */
    uint64_t client_last_run; /* the client's last ->running during the call */
};

#define WAIT_DOMS 4

struct pcpu_unit {
    uint32_t cur; /* domid << 16 | vcpu, NO_UNIT when unknown */
    uint64_t since;
    /* Other domains that ran here during the mediator's current wait (valid when wait_gen is
     * the detector's): the first WAIT_DOMS of them, with their run time. */
    uint32_t wait_gen;
    uint8_t nwait;
    uint16_t wait_dom[WAIT_DOMS];
    uint64_t wait_ticks[WAIT_DOMS];
};

struct sm_calls {
    struct sm_calls_config cfg;
    struct sm_calls_stats st;
    struct open_call oc;
    /* The client blocked with no call open: a call whose notify left no record (the mediator
     * was awake) starts here if the mediator answers. */
    int pend;
    uint16_t pend_vcpu;
    uint64_t pend_block;
    uint32_t pend_sw[4];
    uint32_t next_index;
    int client_blocked_since_call; /* the client blocked since the last call ended */
    struct pcpu_unit *pcpus;
    unsigned npcpus;   /* entries in pcpus */
    unsigned nseen;    /* highest pCPU seen in a SWITCH or LOST_RECORDS + 1 */
    uint32_t wait_gen; /* numbers the mediator's waits */
    struct sm_interferer inter[SM_CALLS_MAX_INTERFERERS];
    unsigned ninter;
};

static const char *shape_names[SM_SHAPE__COUNT] = {
    "textbook", "client_woken_early", "answered_before_block", "mediator_already_awake"};
static const char *reason_names[SM_INC__COUNT] = {
    "complete", "client_never_blocked", "mediator_already_awake", "lost_records", "trace_edge"};

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
    c->client_blocked_since_call = 1;
    struct sm_hist **h[] = {&c->st.e2e,         &c->st.mediator_wake, &c->st.mediator_run,
                            &c->st.client_wake, &c->st.switches,      &c->st.sw_client,
                            &c->st.sw_mediator, &c->st.sw_idle,       &c->st.sw_other};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        if (!(*h[i] = sm_hist_new())) {
            sm_calls_free(c);
            return -1;
        }
    c->npcpus = XT_MAX_CPUS;
    c->pcpus = malloc(c->npcpus * sizeof *c->pcpus);
    if (!c->pcpus) {
        sm_calls_free(c);
        return -1;
    }
    memset(c->pcpus, 0, c->npcpus * sizeof *c->pcpus);
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

static int current_domain(const struct sm_model *m, unsigned cpu, uint16_t *domid, uint16_t *vcpu)
{
    return sm_model_pcpu_current(m, cpu, domid, vcpu);
}

static uint8_t vcpu_state(const struct sm_model *m, uint16_t domid, uint16_t vcpu)
{
    const struct sm_vcpu *v = sm_model_vcpu(m, domid, vcpu);
    return v ? v->seen_state : SM_STATE_UNKNOWN;
}

/* One domain ran ticks on the pCPU the mediator then ran on, while it waited. */
static void add_interference(struct sm_calls *c, uint16_t domid, uint64_t ticks)
{
    struct open_call *o = &c->oc;
    for (int k = 0; k < 4; k++)
        if (o->c.other_domids[k] == XT_DOMID_INVALID) {
            o->c.other_domids[k] = domid;
            break;
        }
    o->c.other_run_ticks += ticks;
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

/* Another domain ran on p from its switch-in (or the wait's start) to tsc. */
static void note_wait_run(struct sm_calls *c, struct pcpu_unit *p, uint64_t tsc)
{
    const struct open_call *o = &c->oc;
    if (p->cur == NO_UNIT || classify(c, (uint16_t)(p->cur >> 16)) != U_OTHER)
        return;
    uint64_t from = p->since > o->wait_start ? p->since : o->wait_start;
    if (tsc <= from)
        return;
    if (p->wait_gen != c->wait_gen) {
        p->wait_gen = c->wait_gen;
        p->nwait = 0;
    }
    uint16_t domid = (uint16_t)(p->cur >> 16);
    for (unsigned i = 0; i < p->nwait; i++)
        if (p->wait_dom[i] == domid) {
            p->wait_ticks[i] += tsc - from;
            return;
        }
    if (p->nwait < WAIT_DOMS) {
        p->wait_dom[p->nwait] = domid;
        p->wait_ticks[p->nwait++] = tsc - from;
    }
}

/* The mediator starts waiting for a pCPU. */
static void start_wait(struct sm_calls *c, uint64_t tsc)
{
    c->oc.wait_start = tsc;
    c->wait_gen++;
}

/* The mediator's wait ended at tsc: it runs on cpu (cpu < 0: it never ran, nothing charged).
 * The other domains that ran on that pCPU meanwhile are its interference. */
static void end_wait(struct sm_calls *c, uint64_t tsc, int cpu)
{
    struct open_call *o = &c->oc;
    if (o->wait_start == SM_T_NONE)
        return;
    if (cpu >= 0 && (unsigned)cpu < c->npcpus) {
        struct pcpu_unit *p = &c->pcpus[cpu];
        note_wait_run(c, p, tsc);
        if (p->wait_gen == c->wait_gen)
            for (unsigned i = 0; i < p->nwait; i++)
                add_interference(c, p->wait_dom[i], p->wait_ticks[i]);
    }
    o->wait_start = SM_T_NONE;
}

static void open_call(struct sm_calls *c, uint64_t t_notify, uint16_t cpu, uint16_t cvcpu,
                      uint16_t mvcpu)
{
    struct open_call *o = &c->oc;
    memset(o, 0, sizeof *o);
    o->active = 1;
    o->wait_start = SM_T_NONE;
    struct sm_call *k = &o->c;
    k->t_notify = k->t_client_block = k->t_med_wake = k->t_med_run = k->t_med_block = k->t_answer =
        k->t_client_wake = k->t_client_run = k->t_start = k->t_end = SM_T_NONE;
    k->t_notify = t_notify;
    k->t_start = t_notify;
    k->client_pcpu = cpu;
    k->client_vcpu = cvcpu;
    k->mediator_vcpu = mvcpu;
    for (int i = 0; i < 4; i++)
        k->other_domids[i] = XT_DOMID_INVALID;
}

static void hist_span(struct sm_hist *h, uint64_t from, uint64_t to)
{
    if (from != SM_T_NONE && to != SM_T_NONE && to >= from)
        sm_hist_add(h, to - from);
}

/* Hands the open call out. edge: the trace ended with it open. */
static void finalize(struct sm_calls *c, int edge)
{
    struct open_call *o = &c->oc;
    struct sm_call *k = &o->c;
    if (!o->active)
        return;
    o->active = 0;
    end_wait(c, 0, -1);
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
    else if (edge || !o->ended || !o->med_blocked)
        k->reason = SM_INC_TRACE_EDGE;
    else
        k->reason = SM_COMPLETE;
    if (k->t_end == SM_T_NONE || (k->t_client_run != SM_T_NONE && k->t_client_run > k->t_end))
        k->t_end = k->t_client_run;
    if (k->t_end == SM_T_NONE || (k->t_med_block != SM_T_NONE && k->t_med_block > k->t_end))
        k->t_end = k->t_med_block;
    c->client_blocked_since_call = 0;
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
static void drop(struct sm_calls *c)
{
    c->oc.active = 0;
    c->st.mediator_wakes_not_calls++;
}

static void on_switch(struct sm_calls *c, const struct xt_event *ev)
{
    enum unit_class next = classify(c, ev->next_domid);
    struct open_call *o = &c->oc;
    if (o->active) {
        uint32_t *cnt[4] = {&o->c.sw_client, &o->c.sw_mediator, &o->c.sw_idle, &o->c.sw_other};
        (*cnt[next])++;
        if (o->wait_start != SM_T_NONE && ev->cpu < c->npcpus)
            note_wait_run(c, &c->pcpus[ev->cpu], ev->tsc);
    } else if (c->pend) {
        c->pend_sw[next]++;
    }
    if (ev->cpu < c->npcpus) {
        if (ev->cpu >= c->nseen)
            c->nseen = ev->cpu + 1u;
        c->pcpus[ev->cpu].cur = (uint32_t)ev->next_domid << 16 | ev->next_vcpu;
        c->pcpus[ev->cpu].since = ev->tsc;
    }
}

static void on_wake(struct sm_calls *c, const struct sm_model *m, const struct xt_event *ev)
{
    struct open_call *o = &c->oc;
    uint16_t d, v;
    int known = current_domain(m, ev->cpu, &d, &v);
    if (ev->domid == c->cfg.mediator) {
        if (known && d == c->cfg.client) {
            /* The notify: the client, running here, wakes the mediator. */
            if (o->active)
                finalize(c, 0);
            c->pend = 0;
            open_call(c, ev->tsc, ev->cpu, v, ev->vcpu);
            o->after_block = (uint8_t)c->client_blocked_since_call;
            uint8_t ms = vcpu_state(m, ev->domid, ev->vcpu);
            if (ms == XT_RUNNING || ms == XT_RUNNABLE) {
                o->med_awake = 1;
                if (ms == XT_RUNNING)
                    o->med_ran = 1;
            } else {
                o->expect_med_wake = 1;
            }
        } else if (o->active) {
            o->c.mediator_timer_wake = 1;
        }
        return;
    }
    if (ev->domid != c->cfg.client || !known || d != c->cfg.mediator)
        return;
    /* The answer: the mediator, running here, wakes the client. */
    if (o->active) {
        if (!o->answered && ev->vcpu == o->c.client_vcpu) {
            o->answered = 1;
            o->c.t_answer = ev->tsc;
            if (!o->med_ran) {
                o->med_ran = 1; /* its run went unseen (e.g. the trace's start) */
            }
        }
        return;
    }
    if (c->pend && ev->vcpu == c->pend_vcpu) {
        /* The mediator was awake when notified: no notify record, but the client blocked and
         * the mediator answers. */
        open_call(c, SM_T_NONE, ev->cpu, c->pend_vcpu, v);
        o->c.t_start = c->pend_block;
        o->c.t_client_block = c->pend_block;
        o->c.sw_client = c->pend_sw[U_CLIENT];
        o->c.sw_mediator = c->pend_sw[U_MEDIATOR];
        o->c.sw_idle = c->pend_sw[U_IDLE];
        o->c.sw_other = c->pend_sw[U_OTHER];
        o->client_blocked = 1;
        o->med_awake = 1;
        o->med_ran = 1;
        o->answered = 1;
        o->c.t_answer = ev->tsc;
        c->pend = 0;
    }
}

static void on_client_runstate(struct sm_calls *c, const struct sm_model *m,
                               const struct xt_event *ev)
{
    struct open_call *o = &c->oc;
    unsigned new = ev->new_state;
    (void)m;
    if (new == XT_BLOCKED)
        c->client_blocked_since_call = 1;
    if (!o->active) {
        if (new == XT_BLOCKED) {
            c->pend = 1;
            c->pend_vcpu = ev->vcpu;
            c->pend_block = ev->tsc;
            memset(c->pend_sw, 0, sizeof c->pend_sw);
        } else if (c->pend && ev->vcpu == c->pend_vcpu) {
            c->pend = 0; /* woken by something else: no call is waiting */
        }
        return;
    }
    if (ev->vcpu != o->c.client_vcpu || o->ended)
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
                finalize(c, 0);
        }
        break;
    default:
        break;
    }
}

static void on_mediator_runstate(struct sm_calls *c, const struct sm_model *m,
                                 const struct xt_event *ev)
{
    struct open_call *o = &c->oc;
    if (!o->active)
        return;
    struct sm_call *k = &o->c;
    unsigned old = ev->old_state, new = ev->new_state;
    if (new == XT_RUNNABLE && old == XT_BLOCKED) {
        if (o->expect_med_wake && k->t_med_wake == SM_T_NONE && ev->vcpu == k->mediator_vcpu) {
            k->t_med_wake = ev->tsc;
            start_wait(c, ev->tsc);
            o->expect_med_wake = 0;
        } else {
            k->mediator_timer_wake = 1;
        }
        return;
    }
    if (new == XT_RUNNING) {
        if (!o->med_ran && (k->t_med_wake != SM_T_NONE || o->med_awake) &&
            ev->vcpu == k->mediator_vcpu) {
            k->t_med_run = ev->tsc;
            o->med_ran = 1;
            end_wait(c, ev->tsc, ev->cpu);
        }
        return;
    }
    if (new != XT_BLOCKED || !o->med_ran || o->med_blocked || ev->vcpu != k->mediator_vcpu)
        return;
    k->t_med_block = ev->tsc;
    o->med_blocked = 1;
    if (o->answered) {
        if (o->ended)
            finalize(c, 0);
        return;
    }
    /* The mediator is done and woke no blocked client: the answer found the client awake. */
    uint8_t cs = vcpu_state(m, c->cfg.client, k->client_vcpu);
    if (!o->client_blocked && !o->after_block) {
        /* The client has not blocked since its previous call: the mediator's own timer, which
         * fires soon after it blocks, on the pCPU the client now runs on (docs/calls.md). */
        drop(c);
    } else if (!o->client_blocked) {
        k->t_answer = SM_T_NONE;
        finalize(c, 0);
    } else if (cs == XT_RUNNING) {
        k->t_client_run = ev->tsc;
        o->ended = 1;
        finalize(c, 0);
    } else if (cs == XT_RUNNABLE) {
        o->end_at_next_run = 1;
    } else if (k->client_woken_early && o->client_last_run != 0 &&
               o->client_last_run > k->t_client_block) {
        /* It ran meanwhile, took the answer and blocked again. */
        k->t_client_run = k->t_med_run != SM_T_NONE && k->t_med_run > o->client_last_run
                              ? k->t_med_run
                              : o->client_last_run;
        o->ended = 1;
        finalize(c, 0);
    } else {
        drop(c);
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
    case XT_K_RUNSTATE:
        if (ev->domid == c->cfg.client)
            on_client_runstate(c, m, ev);
        else if (ev->domid == c->cfg.mediator)
            on_mediator_runstate(c, m, ev);
        break;
    case XT_K_LOST:
        if (c->oc.active)
            c->oc.lost = 1;
        c->pend = 0;
        if (ev->cpu < c->npcpus) {
            c->pcpus[ev->cpu].cur =
                ev->domid == XT_DOMID_INVALID ? NO_UNIT : (uint32_t)ev->domid << 16 | ev->vcpu;
            c->pcpus[ev->cpu].since = ev->tsc;
        }
        break;
    default:
        break;
    }
}

void sm_calls_finish(struct sm_calls *c)
{
    finalize(c, 1);
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
