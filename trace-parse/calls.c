/* Call detector: follows the client's and the mediator's vCPUs through the scheduler events (the
 * shapes, the rules and why they hold are in docs/calls.md). Each client vCPU has at most one
 * call open (it waits for each answer); a call whose client side is over waits apart for the
 * mediator's block (the tail), so that the client's next call is not swallowed while the
 * mediator stays awake. Every finished call goes to the histograms and to the on_call callback,
 * after a bounded hold (flush_calls); nothing else is stored.
 *
 * Cause of a WAKE: on Xen on Arm a vCPU's virtual timer follows the vCPU to the pCPU it last
 * ran on (virt_timer_restore), so its own timer WAKE is recorded there. A WAKE of the mediator
 * recorded on another pCPU while the client is current there is the client's notify (certain);
 * on the mediator's own last pCPU it may be either (ambiguous), and the rest of the call
 * decides. The same holds for the answer, with the roles swapped. */
#include "calls_state.h"

#include <stdlib.h>
#include <string.h>

static const char *shape_names[SM_SHAPE__COUNT] = {"textbook",
                                                   "client_woken_early",
                                                   "answered_before_block",
                                                   "mediator_already_awake",
                                                   "client_preempted",
                                                   "answered_in_block_path",
                                                   "no_wakes"};
static const char *reason_names[SM_INC__COUNT] = {
    "complete",  "client_never_blocked", "mediator_already_awake", "lost_records", "trace_edge",
    "no_answer", "mediator_stayed_awake"};
static const char *certainty_names[SM_CERT__COUNT] = {"certain", "likely", "inferred"};

const char *sm_call_shape_name(enum sm_call_shape s)
{
    return (unsigned)s < SM_SHAPE__COUNT ? shape_names[s] : "?";
}

const char *sm_incomplete_name(enum sm_incomplete r)
{
    return (unsigned)r < SM_INC__COUNT ? reason_names[r] : "?";
}

const char *sm_call_certainty_name(enum sm_call_certainty c)
{
    return (unsigned)c < SM_CERT__COUNT ? certainty_names[c] : "?";
}

int sm_calls_new(struct sm_calls **out, const struct sm_calls_config *cfg)
{
    struct sm_calls *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->cfg = *cfg;
    sm_tickgrid_init(&c->tick_med, cfg->ticks_per_s);
    sm_tickgrid_init(&c->tick_client, cfg->ticks_per_s);
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
    c->defer = malloc(DEFER_MAX * sizeof *c->defer);
    if (!c->pcpus || !c->defer) {
        sm_calls_free(c);
        return -1;
    }
    for (unsigned i = 0; i < c->npcpus; i++)
        c->pcpus[i].cur = NO_UNIT;
    for (unsigned i = 0; i < MED_MAX; i++) {
        c->med[i].last_pcpu = NO_PCPU;
        c->med[i].run_start = SM_T_NONE;
    }
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
    free(c->defer);
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

static struct med_vcpu *med_slot(struct sm_calls *c, uint16_t vcpu)
{
    return vcpu < MED_MAX ? &c->med[vcpu] : NULL;
}

/* The mediator vCPU answered a call in its current episode. */
static void count_answer(struct med_vcpu *mv)
{
    if (mv && mv->answers < UINT8_MAX)
        mv->answers++;
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
            s->last_pcpu = NO_PCPU;
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
    s->ppend_tsc = 0;
    o->after_block = 1; /* not known: taken as after a block (nothing is dropped for it) */
    o->med_run_at_client_run = NO_RUN;
    o->notify_block_run = NO_RUN;
    struct sm_call *k = &o->c;
    k->t_notify = k->t_client_block = k->t_med_wake = k->t_med_run = k->t_med_block = k->t_answer =
        k->t_client_wake = k->t_client_run = k->t_start = k->t_end = k->t_end_lo = SM_T_NONE;
    k->t_notify = t_notify;
    k->t_start = t_notify;
    k->client_pcpu = cpu;
    k->client_vcpu = s->vcpu;
    k->mediator_vcpu = mvcpu;
    for (int i = 0; i < 4; i++)
        k->other_domids[i] = XT_DOMID_INVALID;
}

/* Opens the call that the client's pending block (pend: it blocked while the mediator was
 * awake, no notify recorded) turns out to be, with what is known since that block. */
static void open_pend_call(struct client_vcpu *s, uint16_t mvcpu)
{
    open_call(s, SM_T_NONE, s->pend_pcpu, mvcpu);
    struct open_call *o = &s->oc;
    struct sm_call *k = &o->c;
    o->after_block = s->pend_after_block;
    k->t_start = k->t_client_block = s->pend_block;
    k->sw_client = s->pend_sw[U_CLIENT];
    k->sw_mediator = s->pend_sw[U_MEDIATOR];
    k->sw_idle = s->pend_sw[U_IDLE];
    k->sw_other = s->pend_sw[U_OTHER];
    o->client_blocked = 1;
    o->med_awake = o->med_ran = 1;
}

static void hist_span(struct sm_hist *h, uint64_t from, uint64_t to)
{
    if (from != SM_T_NONE && to != SM_T_NONE && to >= from)
        sm_hist_add(h, to - from);
}

/* Hands out one finished call: its figures, the histograms and the on_call callback. */
static void emit_call(struct sm_calls *c, struct deferred *d)
{
    struct sm_call *k = &d->k;
    if (d->unblocked_guess && mediator_has_timer(c) && client_sleeps_between_calls(c) &&
        !blocked_right_after_notify(c, d) && !d->back_to_back) {
        c->st.mediator_wakes_not_calls++;
        c->st.unblocked_calls_dropped++;
        return;
    }
    if (timers_without_service(c, d)) {
        c->st.mediator_wakes_not_calls++;
        c->st.timer_pairs_without_service++;
        return;
    }
    if (d->unblocked_guess && timers_on_both_ticks(c, d)) {
        c->st.mediator_wakes_not_calls++;
        c->st.tick_coincidences++;
        return;
    }
    k->index = c->next_index++;
    c->st.calls++;
    c->st.by_shape[k->shape]++;
    c->st.by_reason[k->reason]++;
    c->st.by_certainty[k->certainty]++;
    if (k->reason == SM_COMPLETE)
        c->st.complete++;
    if (k->mediator_timer_wake)
        c->st.with_mediator_timer_wake++;
    if (!d->lost) {
        /* Each figure counts the calls that show both of its instants (docs/calls.md). */
        if (d->e2e_known)
            hist_span(c->st.e2e, k->t_client_block, k->t_client_run);
        hist_span(c->st.mediator_wake, k->t_med_wake, k->t_med_run);
        hist_span(c->st.mediator_run, k->t_med_run, k->t_med_block);
        if (d->answered)
            hist_span(c->st.client_wake, k->t_client_wake, k->t_client_run);
        if (!d->edge) {
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

/* Hands out the calls held back, oldest first. */
static void flush_calls(struct sm_calls *c)
{
    for (unsigned i = 0; i < c->ndefer; i++)
        emit_call(c, &c->defer[i]);
    c->ndefer = 0;
}

/* Settles a finished call and holds it back (flush_calls hands it out). edge: the trace ended
 * with it open. */
static void finalize_call(struct sm_calls *c, struct open_call *o, int edge)
{
    struct sm_call *k = &o->c;
    if (!o->active)
        return;
    o->active = 0;
    k->shape = shape_of(o);
    if (k->shape == SM_SHAPE_NO_WAKES)
        k->certainty = SM_CERT_INFERRED;
    else
        k->certainty = o->certain || answer_certain(o) ? SM_CERT_CERTAIN : SM_CERT_LIKELY;
    if (o->lost)
        k->reason = SM_INC_LOST_RECORDS;
    else if (k->shape == SM_SHAPE_MEDIATOR_ALREADY_AWAKE || k->shape == SM_SHAPE_NO_WAKES)
        k->reason = SM_INC_MEDIATOR_ALREADY_AWAKE;
    else if (!o->client_blocked)
        k->reason = SM_INC_CLIENT_NEVER_BLOCKED;
    else if (edge && (!o->ended || !o->med_blocked))
        k->reason = SM_INC_TRACE_EDGE;
    else if (!o->ended)
        k->reason = SM_INC_NO_ANSWER;
    else if (!o->med_blocked)
        k->reason = SM_INC_MEDIATOR_STAYED_AWAKE;
    else
        k->reason = SM_COMPLETE;
    if (k->t_end == SM_T_NONE || (k->t_client_run != SM_T_NONE && k->t_client_run > k->t_end))
        k->t_end = k->t_client_run;
    if (k->t_end == SM_T_NONE || (k->t_med_block != SM_T_NONE && k->t_med_block > k->t_end))
        k->t_end = k->t_med_block;
    if (k->t_start == SM_T_NONE)
        k->t_start = k->t_client_block;
    if (k->t_notify != SM_T_NONE && o->certain) {
        c->st.certain_notify_calls++;
        if (!o->after_block)
            c->st.certain_calls_without_block++;
    }
    if (c->ndefer == DEFER_MAX)
        flush_calls(c);
    struct deferred *d = &c->defer[c->ndefer++];
    d->k = *k;
    d->lost = o->lost;
    d->e2e_known = o->client_blocked && o->ended;
    d->answered = o->answered;
    d->edge = (uint8_t)edge;
    /* made before the client slept since its previous call: the timers of emit_call's rule,
     * unless the client was preempted in it (a loaded client's back-to-back call) */
    d->unblocked_guess =
        !o->after_block && k->certainty != SM_CERT_CERTAIN && (o->client_blocked || !o->preempted);
    d->notify_block_run = o->notify_block_run;
    d->back_to_back = o->back_to_back;
}

/* The open call turned out to be no call (a mediator wake by its own timer while the client
 * ran, followed by no answer). */
static void drop(struct sm_calls *c, struct client_vcpu *s)
{
    s->oc.active = 0;
    c->st.mediator_wakes_not_calls++;
}

/* The client side of the open call is over (it ran after the answer): the call is handed out
 * once the mediator has blocked; until then it waits as the tail, and the client may call
 * again. A tail still waiting then is handed out first (the mediator stayed awake). */
static void client_done(struct sm_calls *c, struct client_vcpu *s, uint64_t t_run, uint64_t t_lo)
{
    struct open_call *o = &s->oc;
    o->c.t_client_run = t_run;
    o->c.t_end_lo = t_lo;
    o->ended = 1;
    /* known only where the client runs now (an end settled later lies in the past) */
    struct med_vcpu *mv = med_slot(c, o->c.mediator_vcpu);
    o->med_run_at_client_run = mv && t_run == c->now ? episode_run(mv, t_run) : NO_RUN;
    /* the call's end may be settled after the client blocked again (to sleep) */
    s->blocked_since_call = s->last_blocked > t_run;
    if (o->med_blocked || !o->med_ran) {
        finalize_call(c, o, 0);
        return;
    }
    finalize_call(c, &s->tail, 0);
    s->tail = *o;
    o->active = 0;
}

/* A new notify while a call is still open: the open one ends here. */
static void supersede(struct sm_calls *c, struct client_vcpu *s)
{
    struct open_call *o = &s->oc;
    if (!o->answered && !o->certain && !o->med_blocked && !o->client_blocked) {
        drop(c, s); /* a timer-looking wake that nothing confirmed */
        return;
    }
    if (o->answered && !o->ended && o->client_last_run > o->c.t_answer) {
        client_done(c, s, o->client_last_run, SM_T_NONE);
        return;
    }
    finalize_call(c, o, 0);
}

/* ---- events ---- */

static void on_switch(struct sm_calls *c, const struct xt_event *ev)
{
    enum unit_class next = classify(c, ev->next_domid);
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
        struct client_vcpu *s = &c->cv[i];
        /* the open call's window only: a tail's client side is over */
        if (s->oc.active) {
            uint32_t *cnt[4] = {&s->oc.c.sw_client, &s->oc.c.sw_mediator, &s->oc.c.sw_idle,
                                &s->oc.c.sw_other};
            (*cnt[next])++;
        }
        if (!s->oc.active && s->pend)
            s->pend_sw[next]++;
    }
    if (ev->domid == c->cfg.mediator) {
        struct med_vcpu *mv = med_slot(c, ev->vcpu);
        if (mv)
            mv->in_block = 0;
    } else if (ev->domid == c->cfg.client) {
        struct client_vcpu *s = client_slot(c, ev->vcpu);
        if (s)
            s->in_block = 0;
    }
    if (ev->next_domid == c->cfg.mediator) {
        struct med_vcpu *mv = med_slot(c, ev->next_vcpu);
        if (mv)
            mv->last_pcpu = ev->cpu;
    } else if (ev->next_domid == c->cfg.client) {
        struct client_vcpu *s = client_slot(c, ev->next_vcpu);
        if (s)
            s->last_pcpu = ev->cpu;
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

static void mark_timer_wake(struct sm_calls *c)
{
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++)
        if (c->cv[i].oc.active)
            c->cv[i].oc.c.mediator_timer_wake = 1;
}

static void on_mediator_wake(struct sm_calls *c, const struct sm_model *m,
                             const struct xt_event *ev)
{
    uint16_t d, v;
    int known = sm_model_pcpu_current(m, ev->cpu, &d, &v);
    struct med_vcpu *mv = med_slot(c, ev->vcpu);
    int on_own_pcpu = !mv || mv->last_pcpu == NO_PCPU || mv->last_pcpu == ev->cpu;
    struct client_vcpu *s = known && d == c->cfg.client ? client_slot(c, v) : NULL;
    if (known && d == c->cfg.client && !s) {
        c->st.client_vcpus_untracked++;
        return;
    }
    if (!s || s->in_block) {
        /* Not the client's notify: its timer (on its own pCPU), or another domain's event. */
        if (mv && on_own_pcpu) {
            mv->next_cause = EP_TIMER;
            sm_tickgrid_add(&c->tick_med, ev->tsc);
        }
        mark_timer_wake(c);
        return;
    }
    /* The notify: the client, running here, wakes the mediator. */
    s->tick_sample = 0;
    if (s->oc.active)
        supersede(c, s);
    s->pend = 0;
    open_call(s, ev->tsc, ev->cpu, ev->vcpu);
    struct open_call *o = &s->oc;
    o->after_block = s->blocked_since_call;
    o->client_run_at_notify = client_run_all(s, ev->tsc);
    o->certain = !on_own_pcpu;
    o->c.notify_ambiguous = !o->certain;
    o->notify_at_tick = !o->certain && sm_tickgrid_match(&c->tick_med, ev->tsc);
    uint64_t wake_run = client_wake_run(s, ev->tsc);
    if (o->certain && wake_run != NO_RUN)
        cal_add(&c->cal_wake_notify, wake_run);
    if (o->certain)
        c->st.notifies_certain++;
    else
        c->st.notifies_ambiguous++;
    if (mv)
        /* off the mediator's tick (once known) an ambiguous wake is no timer of its own: it
         * calibrates a call's run as a certain one does */
        mv->next_cause = o->certain || (!o->notify_at_tick && sm_tickgrid_hz(&c->tick_med, NULL))
                             ? EP_CALL
                             : EP_AMBIGUOUS;
    uint8_t ms = vcpu_state(m, ev->domid, ev->vcpu);
    if (ms == XT_RUNNING || ms == XT_RUNNABLE) {
        o->med_awake = 1;
        if (ms == XT_RUNNING)
            o->med_ran = 1;
    } else {
        o->expect_med_wake = 1;
    }
}

/* A WAKE of the client by the mediator while no call is open and its last call (the tail)
 * waits for the mediator's block, its answer ambiguous: when the mediator cannot have served
 * another call since (it ran less since the tail's "answer" than half a call, or less since the
 * client ran after it than it runs from a call's wake to its answer: a new call's notify comes
 * after that run), this WAKE may be the tail's answer, its first the client's timer. Returns 1
 * when it was taken so (rules in docs/calls.md). */
static int tail_answered_again(struct sm_calls *c, struct client_vcpu *s, struct med_vcpu *mv,
                               uint16_t v, const struct xt_event *ev, int certain, int in_block)
{
    struct open_call *o = &s->oc, *t = &s->tail;
    if (!s->pend || !t->active || !t->c.answer_ambiguous || t->med_blocked ||
        t->c.mediator_vcpu != v)
        return 0;
    uint64_t med_run_now = mv ? episode_run(mv, ev->tsc) : 0;
    int no_new_call = (c->cal_call.n >= CAL_MIN &&
                       med_run_now - t->med_run_at_answer < cal_median(&c->cal_call) / 2) ||
                      (c->cal_answer.n >= CAL_MIN && t->c.t_notify != SM_T_NONE &&
                       t->med_run_at_client_run != NO_RUN &&
                       med_run_now - t->med_run_at_client_run < cal_median(&c->cal_answer));
    if (!no_new_call)
        return 0;
    if (client_ran_longer(c, s, ev->tsc, ANSWER_RUN_FACTOR) || client_ran_past_wait(c, s, ev->tsc))
        return 0; /* it ran on after the tail's answer (it had it): the rules below decide */
    /* The client ran after the tail's "answer" (on its own pCPU) no longer than twice what it
     * runs after a wake by its timer, nor than twice its run from a notify to its block (it
     * looked for the answer and waited again, rather than going on after the call): that was
     * its timer, and this is the tail's answer. The call goes on. */
    *o = *t;
    t->active = 0;
    o->ended = o->answer_in_block = o->wake_before_block = 0;
    o->c.client_woken_early = 1;
    o->c.answer_ambiguous = !certain;
    o->c.t_answer = ev->tsc;
    o->c.t_client_wake = o->c.t_client_run = o->c.t_end_lo = SM_T_NONE;
    o->med_run_at_answer = med_run_now;
    if (in_block) {
        o->answer_in_block = 1;
        o->c.t_client_wake = ev->tsc;
    }
    s->pend = 0;
    return 1;
}

/* The client vCPU runs: its last runstate record says running and its pCPU's last SWITCH put
 * it there (a switch out is recorded before its runstate change). */
static int client_current(const struct sm_calls *c, const struct sm_model *m,
                          const struct client_vcpu *s, uint16_t vcpu)
{
    uint16_t d, v;
    return vcpu_state(m, c->cfg.client, vcpu) == XT_RUNNING && s->last_pcpu != NO_PCPU &&
           sm_model_pcpu_current(m, s->last_pcpu, &d, &v) && d == c->cfg.client && v == vcpu;
}

static void on_client_wake(struct sm_calls *c, const struct sm_model *m, const struct xt_event *ev)
{
    uint16_t d, v;
    int known = sm_model_pcpu_current(m, ev->cpu, &d, &v);
    struct client_vcpu *s = client_slot(c, ev->vcpu);
    if (!s)
        return;
    int in_block = s->in_block;
    s->block_woken |= (uint8_t)in_block;
    int on_own_pcpu = s->last_pcpu == NO_PCPU || s->last_pcpu == ev->cpu;
    struct med_vcpu *mv = known && d == c->cfg.mediator ? med_slot(c, v) : NULL;
    if (!known || d != c->cfg.mediator || (mv && mv->in_block)) {
        /* Not the mediator's answer: the client's timer (the mediator, if current here, is in
         * Xen's block path), or another domain's event. */
        if (on_own_pcpu)
            s->tick_sample = ev->tsc;
        return;
    }
    /* The answer: the mediator, running here, wakes the client. */
    struct open_call *o = &s->oc;
    int certain = !on_own_pcpu;
    /* On the client's own pCPU and at its timer's tick: as likely its timer as an answer. */
    int at_tick = !certain && sm_tickgrid_match(&c->tick_client, ev->tsc);
    if (o->active) {
        if (!o->answered) {
            o->answered = 1;
            count_answer(mv);
            o->answer_at_tick = (uint8_t)at_tick;
            o->c.answer_ambiguous = !certain;
            o->c.t_answer = ev->tsc;
            if (mv)
                o->med_run_at_answer = episode_run(mv, ev->tsc);
            if (mv && certain && o->c.t_med_wake != SM_T_NONE)
                cal_add(&c->cal_answer, o->med_run_at_answer);
            o->med_ran = 1; /* its run may have gone unseen (the trace's start) */
            /* Xen wakes only a vCPU that has set its blocked flag, and writes the WAKE
             * record after clearing it: a running client woken is in vcpu_block, whose BLOCK
             * record comes next, or it has already gone on (BLOCK, then CONTINUE_RUNNING with
             * no WAKE: the flag was cleared, this record came late). */
            int running = !in_block && client_current(c, m, s, ev->vcpu);
            uint64_t went_on = running ? s->continue_unwoken : 0;
            if (in_block || running) {
                /* BLOCK, then the answer before the switch: it goes on running
                 * (CONTINUE_RUNNING); its block is the BLOCK record, or the answer's WAKE
                 * when that came first. */
                o->answer_in_block = 1;
                o->wake_before_block = (uint8_t)(running && !went_on);
                if (!o->client_blocked) {
                    o->client_blocked = 1;
                    o->c.t_client_block = in_block || went_on ? s->block_tsc : ev->tsc;
                }
                o->c.t_client_wake = went_on ? went_on : ev->tsc;
            }
            if (went_on) {
                s->continue_unwoken = 0;
                client_done(c, s, went_on, SM_T_NONE);
            }
        }
        return;
    }
    if (tail_answered_again(c, s, mv, v, ev, certain, in_block))
        return;
    struct open_call *t = &s->tail;
    if (t->active && t->event_may_follow && !t->answered && !t->med_blocked &&
        t->c.mediator_vcpu == v) {
        /* The call whose answer reached the client while it ran (it read the answer in shared
         * memory before the mediator's event came): this WAKE is that event, late, now that
         * the client sleeps. No new call. */
        t->answered = 1;
        t->late_event_certain = (uint8_t)certain;
        count_answer(mv);
        s->pend = 0;
        return;
    }
    if (s->pend && at_tick) {
        c->st.tick_coincidences++;
        return; /* the client's timer, while the mediator happened to run here */
    }
    if (s->pend && !certain && mv && episode_without_service(c, mv, ev->tsc)) {
        c->st.answers_without_service++;
        return; /* the client's timer, while the mediator ran a timer's work here */
    }
    if (s->pend) {
        /* The mediator was awake when notified: no notify record, but the client blocked and
         * the mediator answers. */
        uint8_t back_to_back = (uint8_t)(mv && served_back_to_back(c, s, mv, ev->tsc));
        open_pend_call(s, v);
        o->back_to_back = back_to_back;
        o->answered = 1;
        count_answer(mv);
        o->certain = (uint8_t)certain;
        o->c.answer_ambiguous = !certain;
        o->c.t_answer = ev->tsc;
        if (in_block) {
            o->answer_in_block = 1;
            o->c.t_client_wake = ev->tsc;
        }
        s->pend = 0;
    }
}

/* The client's running time since its last wake (wrun_*), kept at each of its runstate changes. */
static void wake_run_track(struct client_vcpu *s, const struct xt_event *ev)
{
    if (ev->old_state == XT_RUNNING && s->wrun_start) {
        if (ev->tsc > s->wrun_start) {
            s->wrun_acc += ev->tsc - s->wrun_start;
            s->run_all += ev->tsc - s->wrun_start;
        }
        s->wrun_start = 0;
    }
    if (ev->new_state == XT_RUNNING)
        s->wrun_start = ev->tsc;
    if (ev->old_state == XT_BLOCKED && ev->new_state == XT_RUNNABLE) {
        s->wrun_acc = 0;
        s->wrun_wake = ev->tsc;
    }
}

/* The client's preemptions with no call open while the mediator is awake (ppend_tsc), for
 * preempted_served: by another domain than the mediator (the mediator taking the client's pCPU
 * on its own wake leaves the client no time to call in between), the latest one, and its runs
 * since. Its block ends them: its calls from then on leave records. */
static void preempt_track(struct sm_calls *c, struct client_vcpu *s, const struct xt_event *ev)
{
    unsigned new = ev->new_state;
    if (new == XT_BLOCKED || new == XT_OFFLINE) {
        s->ppend_tsc = 0;
    } else if (new == XT_RUNNABLE && ev->old_state == XT_RUNNING && !s->oc.active && c->med_awake &&
               ev->cpu < c->npcpus && c->pcpus[ev->cpu].cur >> 16 != c->cfg.mediator) {
        s->ppend_tsc = ev->tsc;
        s->ppend_pcpu = ev->cpu;
        s->ppend_last_run = 0;
        s->ppend_wake_run = client_wake_run(s, ev->tsc);
    } else if (new == XT_RUNNING && s->ppend_tsc) {
        s->ppend_last_run = ev->tsc;
    }
}

static void on_client_runstate(struct sm_calls *c, const struct xt_event *ev)
{
    struct client_vcpu *s = client_slot(c, ev->vcpu);
    if (!s)
        return;
    struct open_call *o = &s->oc;
    unsigned new = ev->new_state;
    s->continue_unwoken = 0;
    if (o->active && !o->ended && o->wake_before_block && !s->in_block)
        /* The answer came in vcpu_block, which then found it pending and wrote no BLOCK
         * record: the client ran on from that WAKE. */
        client_done(c, s, o->c.t_client_wake, SM_T_NONE);
    int med_awake = s->in_block ? s->block_med_awake : c->med_awake != 0 || c->med_known == 0;
    if (new != XT_RUNNABLE)
        s->in_block = 0;
    wake_run_track(s, ev);
    int blocked_before = s->blocked_since_call;
    preempt_track(c, s, ev);
    if (new == XT_BLOCKED) {
        s->blocked_since_call = 1;
        s->last_blocked = ev->tsc;
        if (s->tick_sample && s->wrun_wake)
            cal_add(&c->cal_client_wake, s->wrun_acc);
        if (s->tick_sample)
            sm_tickgrid_add(&c->tick_client, s->tick_sample);
        s->tick_sample = 0;
    }
    if (!o->active && new == XT_BLOCKED && tail_answer_was_timer(c, s, ev->tsc)) {
        /* It blocks again soon, the mediator that "answered" still awake: that wake was its
         * timer; the call goes on (woken early). */
        *o = s->tail;
        s->tail.active = 0;
        struct med_vcpu *mv = med_slot(c, o->c.mediator_vcpu);
        if (mv && mv->answers) /* that was no answer: the real one is still to come */
            mv->answers--;
        o->answered = o->ended = o->answer_in_block = o->wake_before_block = 0;
        o->c.answer_ambiguous = 0;
        o->c.t_answer = o->c.t_client_wake = o->c.t_client_run = o->c.t_end_lo = SM_T_NONE;
        o->c.client_woken_early = 1;
    }
    if (o->active && new == XT_BLOCKED && !o->client_blocked && !o->answered &&
        served_before_block(c, o, ev->tsc)) {
        /* The mediator, woken by this call, has run 1.5 times as long as it takes to answer:
         * the answer reached the client while it ran (no record), and this block is its sleep.
         * When it ran after the answer is not known: an answered_before_block call. */
        c->st.answers_found_running++;
        o->event_may_follow = 1;
        client_done(c, s, SM_T_NONE, SM_T_NONE);
    }
    if (o->active && new == XT_BLOCKED && o->client_blocked && o->c.client_woken_early &&
        !o->answered &&
        o->client_last_run > o->c.t_client_block &&served_before_block(c, o, ev->tsc)) {
        /* Woken early (its timer), it ran and blocks again, the mediator having run 1.5 times
         * as long as it takes to answer: the answer reached it while it ran (no record), and
         * this block is its sleep. The call ends where that run began (as after an answer's
         * wake: the client returns as soon as it runs); a WAKE from the mediator may still
         * follow (the event, late). */
        c->st.answers_found_running++;
        o->event_may_follow = 1;
        client_done(c, s, o->client_last_run, SM_T_NONE);
    }
    if (!o->active) {
        if (new == XT_BLOCKED) {
            s->pend = med_awake;
            s->pend_block = ev->tsc;
            s->pend_after_block = (uint8_t)blocked_before;
            s->pend_pcpu = ev->cpu;
            s->pend_med_run = med_run_total(c, ev->tsc);
            s->pend_wake_run = client_wake_run(s, ev->tsc);
            s->pend_woken = 0;
            s->pend_last_run = 0;
            memset(s->pend_sw, 0, sizeof s->pend_sw);
        } else if (new == XT_RUNNABLE && ev->old_state == XT_BLOCKED) {
            s->pend_woken = 1; /* by its own timer: an answer may still find it awake */
        } else if (new == XT_RUNNING && s->pend_woken) {
            s->pend_last_run = ev->tsc;
        } else {
            s->pend = 0; /* it runs on: no call is waiting */
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
            if (k->t_notify != SM_T_NONE && s->run_all >= o->client_run_at_notify) {
                o->notify_block_run = s->run_all - o->client_run_at_notify;
                if (o->certain)
                    cal_add(&c->cal_notify_block, o->notify_block_run);
            }
        }
        break;
    case XT_RUNNABLE:
        if (ev->old_state != XT_BLOCKED) {
            if (!o->client_blocked)
                o->preempted = 1;
            break;
        }
        if (o->answered && k->t_client_wake == SM_T_NONE)
            k->t_client_wake = ev->tsc;
        else if (o->client_blocked && !o->answered)
            k->client_woken_early = 1;
        break;
    case XT_RUNNING:
        o->client_last_run = ev->tsc;
        if (o->preempted && !o->client_blocked && !o->run_after_preempt)
            o->run_after_preempt = ev->tsc;
        if (o->med_block_rec && !o->run_after_med_block)
            o->run_after_med_block = ev->tsc;
        if ((o->client_blocked || o->preempted) && (o->answered || o->end_at_next_run))
            client_done(c, s, ev->tsc, SM_T_NONE);
        break;
    default:
        break;
    }
}

static void on_client_continue(struct sm_calls *c, const struct xt_event *ev)
{
    struct client_vcpu *s = client_slot(c, ev->vcpu);
    if (!s)
        return;
    s->continue_unwoken = s->in_block && !s->block_woken ? ev->tsc : 0;
    s->in_block = 0;
    struct open_call *o = &s->oc;
    if (o->active && !o->ended && o->answer_in_block)
        client_done(c, s, ev->tsc, SM_T_NONE);
}

/* Both wakes of an answered call fell on their guest's timer tick, on pCPUs that do not tell
 * a call from a timer, and the mediator ran (run: its episode) for less than a call's
 * service: the mediator's timer and the client's, not a call. The run time decides because
 * the ticks alone cannot: when the two guests' ticks lie a service time apart, a real call
 * whose notify falls on the mediator's tick is answered on the client's. */
static int tick_coincidence(struct sm_calls *c, const struct open_call *o, uint64_t run)
{
    uint64_t thr = run_threshold(c);
    if (!o->notify_at_tick || !o->answer_at_tick || !thr || run >= thr)
        return 0;
    c->st.tick_coincidences++;
    return 1;
}

/* Where the answer reached a client woken early (by its timer) that ran since at last_run: that
 * run's start, or the mediator's first run for the call if later. */
static uint64_t early_run_end(const struct sm_call *k, uint64_t last_run)
{
    return k->t_med_run != SM_T_NONE && k->t_med_run > last_run ? k->t_med_run : last_run;
}

/* The mediator blocked after serving the slot's call, which saw no answer recorded. */
static void mediator_done_unanswered(struct sm_calls *c, const struct sm_model *m,
                                     struct client_vcpu *s, uint64_t tsc, uint64_t t_block,
                                     uint64_t run)
{
    struct open_call *o = &s->oc;
    struct sm_call *k = &o->c;
    uint8_t cs = vcpu_state(m, c->cfg.client, k->client_vcpu);
    uint64_t last_run = o->client_last_run;
    int blocked = o->client_blocked;
    if (o->med_block_rec) {
        /* Its first BLOCK record came earlier (then a wake in its block path kept it running):
         * the answer was before that record; judge by the client's state then. */
        cs = o->client_state_at_med_block;
        last_run = o->client_run_at_med_block;
        blocked = o->client_blocked_at_med_block;
        t_block = o->med_block_rec;
    }
    uint64_t thr = run_threshold(c);
    /* Only an ambiguous notify can be the mediator's timer: the run time says which, once
     * both kinds have been seen; before that, whether it fell on the mediator's tick, once
     * that is known; before that, whether the client had blocked since its previous call (a
     * timer fires right after the mediator blocks, while the client still runs on after the
     * answer). */
    int timer_like = !o->certain && (thr                                  ? run < thr
                                     : sm_tickgrid_hz(&c->tick_med, NULL) ? o->notify_at_tick
                                                                          : !o->after_block);
    /* Blocked after an ambiguous notify on the mediator's tick, then woken by its own timer
     * (no answer recorded), while the mediator ran for less than a call: the two guests' timers
     * on a shared pCPU, not a call. (A call answered after such an early wake looks the same
     * but for the mediator's run: a call's service.) */
    int woken_by_timers = blocked && k->client_woken_early && !o->certain && o->notify_at_tick &&
                          thr && run < thr && (cs == XT_RUNNING || cs == XT_RUNNABLE);
    if (woken_by_timers) {
        drop(c, s);
    } else if (!blocked) {
        if (timer_like) {
            drop(c, s);
        } else if (cs == XT_RUNNABLE && o->med_block_rec && o->run_after_med_block) {
            client_done(c, s, o->run_after_med_block, SM_T_NONE); /* it has run since */
        } else if (cs == XT_RUNNABLE) {
            o->end_at_next_run = 1; /* preempted: the answer waits for its next run */
        } else {
            finalize_call(c, o, 0); /* answered before it blocked */
        }
    } else if (cs == XT_RUNNING) {
        /* The answer found it running (woken early): it came before the mediator's BLOCK
         * record, after the last instant known. */
        uint64_t lo = last_run > k->t_client_block ? last_run : k->t_client_block;
        if (k->t_med_run != SM_T_NONE && k->t_med_run > lo)
            lo = k->t_med_run;
        client_done(c, s, t_block < tsc ? t_block : tsc, lo);
    } else if (cs == XT_RUNNABLE && o->med_block_rec && o->run_after_med_block) {
        client_done(c, s, o->run_after_med_block, SM_T_NONE);
    } else if (cs == XT_RUNNABLE && k->client_woken_early && last_run > k->t_client_block &&
               client_ran_longer(c, s, tsc, ANSWER_RUN_FACTOR)) {
        /* Woken early (its timer), it ran longer than a client that looks for its answer and
         * waits again, then was preempted: the answer reached it in that run (no record). */
        client_done(c, s, early_run_end(k, last_run), SM_T_NONE);
    } else if (cs == XT_RUNNABLE) {
        o->end_at_next_run = 1;
    } else if (o->certain && o->preempted && o->run_after_preempt &&
               o->run_after_preempt < k->t_client_block) {
        /* Preempted after its certain notify, it ran again and then blocked; the mediator blocks
         * without waking it: its answer came while the client was preempted or running, before
         * that block (a shape client_preempted call; the block was its sleep to the next call). */
        o->client_blocked = 0;
        k->t_client_block = SM_T_NONE;
        client_done(c, s, o->run_after_preempt, SM_T_NONE);
    } else if (k->client_woken_early && last_run != 0 && last_run > k->t_client_block) {
        /* It ran meanwhile, took the answer and blocked again. */
        client_done(c, s, early_run_end(k, last_run), SM_T_NONE);
    } else if (!o->certain) {
        drop(c, s); /* the client sleeps on, unanswered: that wake was no call */
    }
    /* else: a certain notify the mediator blocked on without answering: the call stays open
     * for an answer to come (or the client's next call ends it). */
}

/* Returns 1 when this change ended the episode (its BLOCK): med_episode_end then follows. */
static int med_episode(struct med_vcpu *mv, const struct xt_event *ev)
{
    unsigned old = ev->old_state, new = ev->new_state;
    if (old == XT_RUNNING && mv->run_start != SM_T_NONE) {
        if (ev->tsc > mv->run_start)
            mv->run_acc += ev->tsc - mv->run_start;
        mv->run_start = SM_T_NONE;
    }
    if (new == XT_RUNNING)
        mv->run_start = ev->tsc;
    if (old == XT_BLOCKED && new == XT_RUNNABLE) {
        mv->awake = 1;
        mv->cause = mv->next_cause;
        mv->next_cause = EP_NONE;
        mv->run_acc = 0;
        mv->answers = 0;
        mv->wake_tsc = ev->tsc;
    }
    if (new == XT_BLOCKED && mv->awake) {
        mv->awake = 0;
        return 1;
    }
    return 0;
}

/* The episode that has just ended calibrates the run of one call's service or of one timer's,
 * once the calls of this BLOCK are settled: a timer episode in which the mediator also answered
 * a call ran for both, and a call episode that answered several calls (the mediator stayed
 * awake across them) for all of them, so neither calibrates anything. */
static void med_episode_end(struct sm_calls *c, struct med_vcpu *mv)
{
    if (mv->cause == EP_CALL && mv->answers <= 1)
        cal_add(&c->cal_call, mv->run_acc);
    else if (mv->cause == EP_TIMER && mv->answers == 0)
        cal_add(&c->cal_timer, mv->run_acc);
    c->st.med_run_call_ticks = cal_median(&c->cal_call);
    c->st.med_run_timer_ticks = cal_median(&c->cal_timer);
    mv->cause = EP_NONE;
}

/* Shape no_wakes: the client blocked while the mediator was awake (its notify left no WAKE),
 * its own timer woke it, and now the mediator, having run, blocks: its answer found the client
 * awake (no WAKE either). Inferred, not seen: counted in its own certainty class. A block that
 * was the client's first since its previous call makes it a call of emit_call's rule (of a
 * client that sleeps between calls, that block was its sleep: two timers, dropped). */
static void infer_call(struct sm_calls *c, const struct sm_model *m, struct client_vcpu *s,
                       const struct xt_event *ev, uint64_t t_block)
{
    uint8_t cs = vcpu_state(m, c->cfg.client, s->vcpu);
    if (cs != XT_RUNNABLE && cs != XT_RUNNING)
        return;
    open_pend_call(s, ev->vcpu);
    struct open_call *o = &s->oc;
    struct sm_call *k = &o->c;
    k->client_woken_early = 1;
    k->t_med_block = ev->tsc;
    count_answer(med_slot(c, ev->vcpu));
    o->med_blocked = 1;
    s->pend = 0;
    if (cs == XT_RUNNABLE) {
        o->end_at_next_run = 1;
        return;
    }
    uint64_t lo = s->pend_last_run > s->pend_block ? s->pend_last_run : s->pend_block;
    client_done(c, s, t_block < ev->tsc ? t_block : ev->tsc, lo);
}

/* Shape no_wakes, preempted: the client, preempted with no call open while the mediator (mv)
 * was awake, has not blocked since, and the mediator, now blocking, ran in that episode as long
 * as a timer's work and half a call's (preempted_served): the client's call found the mediator
 * awake and its answer found the client runnable, neither leaving a WAKE. Inferred, not seen;
 * from the preemption (after its notify) to the client's run after it (after the answer). */
static void infer_preempted_call(struct sm_calls *c, const struct sm_model *m,
                                 struct client_vcpu *s, const struct xt_event *ev)
{
    uint8_t cs = vcpu_state(m, c->cfg.client, s->vcpu);
    uint64_t t_preempt = s->ppend_tsc, last_run = s->ppend_last_run;
    if (cs != XT_RUNNABLE && cs != XT_RUNNING)
        return;
    open_call(s, SM_T_NONE, s->ppend_pcpu, ev->vcpu);
    struct open_call *o = &s->oc;
    o->c.t_start = t_preempt;
    o->preempted = 1;
    o->med_awake = o->med_ran = o->med_blocked = 1;
    o->c.t_med_block = ev->tsc;
    count_answer(med_slot(c, ev->vcpu));
    c->st.preempted_calls_inferred++;
    if (cs == XT_RUNNABLE || !last_run)
        o->end_at_next_run = 1;
    else
        client_done(c, s, last_run, SM_T_NONE);
}

/* The mediator vCPU mvcpu blocked at tsc (run: its episode's run time then): the slot's tail,
 * whose client side is over, has its mediator block and is handed out (or dropped as two
 * timers). */
static void tail_mediator_blocked(struct sm_calls *c, struct client_vcpu *s, uint16_t mvcpu,
                                  uint64_t tsc, uint64_t run)
{
    struct open_call *t = &s->tail;
    if (!t->active || t->c.mediator_vcpu != mvcpu)
        return;
    t->c.t_med_block = tsc;
    t->med_blocked = 1;
    if (tick_coincidence(c, t, run)) {
        t->active = 0;
        c->st.mediator_wakes_not_calls++;
    } else {
        finalize_call(c, t, 0);
    }
}

/* The mediator's BLOCK record, then a WAKE in its block path and CONTINUE_RUNNING: it had gone
 * idle (its service was over), so the calls it has answered (tails waiting for its block, and
 * an open call whose client has not run yet) have their mediator block at that record; the
 * client's next call is then followed apart from them. */
static void on_mediator_continue(struct sm_calls *c, const struct xt_event *ev)
{
    struct med_vcpu *mv = med_slot(c, ev->vcpu);
    if (!mv)
        return;
    if (mv->in_block) {
        uint64_t run = episode_run(mv, mv->block_tsc);
        for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
            struct client_vcpu *s = &c->cv[i];
            tail_mediator_blocked(c, s, ev->vcpu, mv->block_tsc, run);
            struct open_call *o = &s->oc;
            if (!o->active || !o->answered || o->med_blocked || o->c.mediator_vcpu != ev->vcpu)
                continue;
            /* answered, the client not yet run: the call ends at its next run */
            o->c.t_med_block = mv->block_tsc;
            o->med_blocked = 1;
            if (tick_coincidence(c, o, run))
                drop(c, s);
        }
    }
    mv->in_block = 0;
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
    struct med_vcpu *mv = med_slot(c, ev->vcpu);
    uint64_t run = 0;
    uint8_t cause = EP_NONE; /* of the episode this change may end */
    int ended = 0;
    if (mv) {
        if (new != XT_RUNNING)
            mv->in_block = 0;
        run = old == XT_RUNNING ? episode_run(mv, ev->tsc) : mv->run_acc;
        cause = mv->cause;
        ended = med_episode(mv, ev);
    }
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
        struct client_vcpu *s = &c->cv[i];
        if (new == XT_BLOCKED && !s->oc.active && !s->tail.active && s->pend &&
            s->pend_woken &&pend_served(c, cause, s, run))
            infer_call(c, m, s, ev, mv ? mv->block_tsc : ev->tsc);
        else if (new == XT_BLOCKED && ended && !s->oc.active &&
                 !s->tail.active &&preempted_served(c, cause, mv, s, run))
            infer_preempted_call(c, m, s, ev);
        if (c->med_awake == 0)
            s->pend = 0; /* the mediator went to sleep: its next answer-like wake of this
                          * client (after its own timer, say) answers no unrecorded notify */
        if (new == XT_BLOCKED)
            tail_mediator_blocked(c, s, ev->vcpu, ev->tsc, run);
        struct open_call *o = &s->oc;
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
        if (o->answered && tick_coincidence(c, o, run))
            drop(c, s);
        else if (!o->answered)
            mediator_done_unanswered(c, m, s, ev->tsc, mv ? mv->block_tsc : ev->tsc, run);
    }
    if (ended)
        med_episode_end(c, mv);
}

static void on_block(struct sm_calls *c, const struct sm_model *m, const struct xt_event *ev)
{
    if (ev->domid == c->cfg.client) {
        struct client_vcpu *s = client_slot(c, ev->vcpu);
        if (s) {
            s->in_block = 1;
            s->block_tsc = ev->tsc;
            s->block_woken = 0;
            s->continue_unwoken = 0;
            s->oc.wake_before_block = 0; /* the BLOCK record after the answer's WAKE */
            s->block_med_awake = c->med_awake != 0 || c->med_known == 0;
        }
    } else if (ev->domid == c->cfg.mediator) {
        struct med_vcpu *mv = med_slot(c, ev->vcpu);
        if (mv) {
            mv->in_block = 1;
            mv->block_tsc = ev->tsc;
        }
        for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
            struct open_call *o = &c->cv[i].oc;
            if (!o->active || !o->med_ran || o->answered || o->med_block_rec ||
                o->c.mediator_vcpu != ev->vcpu)
                continue;
            o->med_block_rec = ev->tsc;
            o->client_run_at_med_block = o->client_last_run;
            o->client_state_at_med_block = vcpu_state(m, c->cfg.client, o->c.client_vcpu);
            o->client_blocked_at_med_block = o->client_blocked;
        }
    }
}

void sm_calls_feed(struct sm_calls *c, const struct sm_model *m, const struct xt_event *ev)
{
    c->now = ev->tsc;
    switch (ev->kind) {
    case XT_K_SWITCH:
        on_switch(c, ev);
        break;
    case XT_K_WAKE:
        if (ev->domid == c->cfg.mediator)
            on_mediator_wake(c, m, ev);
        else if (ev->domid == c->cfg.client)
            on_client_wake(c, m, ev);
        break;
    case XT_K_BLOCK:
        on_block(c, m, ev);
        break;
    case XT_K_CONTINUE:
        if (ev->domid == c->cfg.client)
            on_client_continue(c, ev);
        else if (ev->domid == c->cfg.mediator)
            on_mediator_continue(c, ev);
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
            if (c->cv[i].tail.active)
                c->cv[i].tail.lost = 1;
            c->cv[i].pend = 0;
            c->cv[i].ppend_tsc = 0;
        }
        for (unsigned i = 0; i < MED_MAX; i++) {
            c->med[i].awake = 0; /* the episode's run time is unknown across the gap */
            c->med[i].run_start = SM_T_NONE;
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
    for (unsigned i = 0; i < SM_CALLS_MAX_VCPUS && c->cv[i].used; i++) {
        struct client_vcpu *s = &c->cv[i];
        finalize_call(c, &s->tail, 1);
        if (s->oc.active && !s->oc.answered && !s->oc.certain && !s->oc.client_blocked)
            drop(c, s); /* a timer-looking wake at the very end: nothing confirms it */
        else
            finalize_call(c, &s->oc, 1);
    }
    flush_calls(c);
    c->st.mediator_tick_hz = sm_tickgrid_hz(&c->tick_med, NULL);
    c->st.client_tick_hz = sm_tickgrid_hz(&c->tick_client, NULL);
}
