/* The call detector's judgments (docs/calls.md): the mediator's and the client's run times,
 * calibrated per trace from the wakes whose cause is certain, and the rules that decide from them
 * what the events alone leave ambiguous: whether a wake on a vCPU's own pCPU was a call or the
 * guest's timer, whether a call's answer found the client running, whether a call the trace
 * shows only in part happened. Pure functions of the detector's state (calls_state.h); the
 * events are followed in trace-parse/calls.c. */
#include "calls_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Adds a sample (once per mediator episode) and updates the median the rules read often. */
void cal_add(struct cal *k, uint64_t v)
{
    k->v[k->head] = v;
    k->head = (k->head + 1) % CAL_N;
    if (k->n < CAL_N)
        k->n++;
    uint64_t sorted[CAL_N];
    memcpy(sorted, k->v, k->n * sizeof sorted[0]);
    qsort(sorted, k->n, sizeof sorted[0], cmp_u64);
    k->median = sorted[k->n / 2];
}

uint64_t cal_median(const struct cal *k)
{
    return k->median; /* 0 while empty */
}

/* run is over factor times the median of k (0 until that median is known: CAL_MIN samples). */
static int over_median(uint64_t run, const struct cal *k, unsigned factor)
{
    return k->n >= CAL_MIN && run > factor * cal_median(k);
}

/* The run time above which an episode is more like a call's than a timer's: the geometric
 * middle of the two medians; 0 while either kind has too few samples or the two do not
 * differ enough to tell them apart (then the run time decides nothing). */
uint64_t run_threshold(const struct sm_calls *c)
{
    if (c->cal_call.n < CAL_MIN || c->cal_timer.n < CAL_MIN)
        return 0;
    double call = (double)cal_median(&c->cal_call), timer = (double)cal_median(&c->cal_timer);
    if (call < 1.5 * timer)
        return 0;
    return (uint64_t)sqrt(call * timer);
}

/* The mediator vCPU's run time so far in its current episode (since its wake), at tsc. */
uint64_t episode_run(const struct med_vcpu *mv, uint64_t tsc)
{
    uint64_t run = mv->run_acc;
    if (mv->run_start != SM_T_NONE && tsc > mv->run_start)
        run += tsc - mv->run_start;
    return run;
}

/* The client's run, by tsc, in the running spell it is in (0 when not running). */
static uint64_t client_run_now(const struct client_vcpu *s, uint64_t tsc)
{
    return s->wrun_start && tsc > s->wrun_start ? tsc - s->wrun_start : 0;
}

/* The client's run since its last wake, by tsc (NO_RUN: that wake is not known). */
uint64_t client_wake_run(const struct client_vcpu *s, uint64_t tsc)
{
    return s->wrun_wake ? s->wrun_acc + client_run_now(s, tsc) : NO_RUN;
}

/* The client's running time over the trace, by tsc. */
uint64_t client_run_all(const struct client_vcpu *s, uint64_t tsc)
{
    return s->run_all + client_run_now(s, tsc);
}

enum sm_call_shape shape_of(const struct open_call *o)
{
    const struct sm_call *k = &o->c;
    if (k->t_notify == SM_T_NONE && !o->answered)
        return SM_SHAPE_NO_WAKES;
    if (k->t_notify == SM_T_NONE || o->med_awake)
        return SM_SHAPE_MEDIATOR_ALREADY_AWAKE;
    if (o->answer_in_block)
        return SM_SHAPE_ANSWERED_IN_BLOCK_PATH;
    if (!o->client_blocked)
        return o->preempted ? SM_SHAPE_CLIENT_PREEMPTED : SM_SHAPE_ANSWERED_BEFORE_BLOCK;
    if (k->client_woken_early)
        return SM_SHAPE_CLIENT_WOKEN_EARLY;
    return SM_SHAPE_TEXTBOOK;
}

/* The client's certain calls show it blocks (sleeps) between calls: the share of them made
 * without a block since the previous one, estimated as (k + 1) / (n + 2), is at most 3%. Then
 * an ambiguous notify and answer while it had not blocked since its previous call are two
 * timers (the mediator's right after that call, the client's while the mediator ran), not a
 * call, and so is such a notify that no answer follows while the client runs on (the
 * mediator's timer): a client that calls back to back shows it in its certain calls too. */
int client_sleeps_between_calls(const struct sm_calls *c)
{
    return 100 * (c->st.certain_calls_without_block + 1) <= 3 * (c->st.certain_notify_calls + 2);
}

/* A likely call made before the client slept since its previous call (emit_call's rule) is
 * two timers whatever the client's habit when three signs agree: its "notify" fell on the
 * mediator's tick and its "answer" on the client's (the grids as known at the trace's end,
 * not as they were when the call went by), and the client ran on from that "notify" more than
 * NOTIFY_BLOCK_FACTOR times as long as it runs from a certain notify to its block (a real
 * call blocks right after its notify; a timer fires anywhere in the client's run). One sign
 * alone drops real calls: a loaded host stretches some runs, and the two ticks lie a service
 * time apart on some runs (docs/calls.md). */
#define NOTIFY_BLOCK_FACTOR 2
/* Both ends of the call recorded and ambiguous, and the client ran on after the "notify" more
 * than NOTIFY_BLOCK_FACTOR times its usual run from a certain notify to its block: the first
 * sign of a pair of the two guests' timers (timers_on_both_ticks, timers_without_service). */
static int ambiguous_and_not_waiting(const struct sm_calls *c, const struct deferred *d)
{
    const struct sm_call *k = &d->k;
    if (d->notify_block_run == NO_RUN || !k->notify_ambiguous || !k->answer_ambiguous ||
        k->t_notify == SM_T_NONE || k->t_answer == SM_T_NONE)
        return 0;
    return over_median(d->notify_block_run, &c->cal_notify_block, NOTIFY_BLOCK_FACTOR);
}

int timers_on_both_ticks(struct sm_calls *c, const struct deferred *d)
{
    const struct sm_call *k = &d->k;
    return ambiguous_and_not_waiting(c, d) && sm_tickgrid_match(&c->tick_med, k->t_notify) &&
           sm_tickgrid_match(&c->tick_client, k->t_answer);
}

/* The mediator has shown its own timer: at least CAL_MIN episodes that its timer (or another
 * domain's event) began and that served no call. A mediator without one (smclat-stub, blocked
 * in SCHEDOP_poll on its one channel: every wake of it is a call's) makes no timer pair. */
int mediator_has_timer(const struct sm_calls *c)
{
    return c->cal_timer.n >= CAL_MIN;
}

/* Both ends of the call ambiguous (the mediator's WAKE where its timer fires, the client's
 * where its timer fires), the client ran on after the "notify" more than NOTIFY_BLOCK_FACTOR
 * times its usual run from a certain notify to its block, and the mediator, from its first run,
 * "answered" within half its usual run from a call's wake to its answer and blocked within
 * SERVICE_FRACTION of it: the client did not wait for an answer and the mediator served no
 * call. The two guests' timers on one pCPU, not a call (docs/calls.md). */
#define SERVICE_FRACTION 0.75
int timers_without_service(const struct sm_calls *c, const struct deferred *d)
{
    const struct sm_call *k = &d->k;
    if (!mediator_has_timer(c) || !ambiguous_and_not_waiting(c, d) || k->t_med_run == SM_T_NONE ||
        k->t_med_block == SM_T_NONE || k->t_answer < k->t_med_run ||
        k->t_med_block < k->t_med_run || c->cal_answer.n < CAL_MIN)
        return 0;
    double answer = (double)cal_median(&c->cal_answer);
    return (double)(k->t_answer - k->t_med_run) < 0.5 * answer &&
           (double)(k->t_med_block - k->t_med_run) < SERVICE_FRACTION * answer;
}

/* The client blocked right after the call's notify, as it does after a certain one (within
 * CALLER_BLOCK_FACTOR times its usual run from a certain notify to its block): a caller's
 * behaviour, which emit_call's rule for a client that sleeps between calls does not override.
 * Such a client still calls without sleeping when a call starts late (the generator skips the
 * sleep to a deadline already past), and its notify of that call is often ambiguous. */
#define CALLER_BLOCK_FACTOR 1.5
int blocked_right_after_notify(const struct sm_calls *c, const struct deferred *d)
{
    return d->notify_block_run != NO_RUN && c->cal_notify_block.n >= CAL_MIN &&
           d->notify_block_run <= CALLER_BLOCK_FACTOR * cal_median(&c->cal_notify_block);
}

/* The mediator's event to the client, answering the call, came from a pCPU not the client's
 * own: only a call explains it. (Answered with no t_answer: the event came late, after the
 * client had read the answer; an event on the client's own pCPU may be its timer.) */
int answer_certain(const struct open_call *o)
{
    if (!o->answered)
        return 0;
    return o->c.t_answer != SM_T_NONE ? !o->c.answer_ambiguous : o->late_event_certain;
}

/* The mediator's run time so far in its current episode (over its awake vCPUs). */
uint64_t med_run_total(const struct sm_calls *c, uint64_t tsc)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < MED_MAX; i++) {
        if (c->med[i].awake)
            sum += episode_run(&c->med[i], tsc);
    }
    return sum;
}

/* The client has run (by tsc) more than factor times the median of cal since its last wake (0
 * until that median is known). */
static int client_ran_over(const struct client_vcpu *s, uint64_t tsc, const struct cal *cal,
                           unsigned factor)
{
    uint64_t run = client_wake_run(s, tsc);
    return run != NO_RUN && over_median(run, cal, factor);
}

/* The client has run (by tsc) factor times longer since its last wake than it usually does
 * after a wake by its own timer before blocking again (0 until that is known). */
int client_ran_longer(const struct sm_calls *c, const struct client_vcpu *s, uint64_t tsc,
                      unsigned factor)
{
    return client_ran_over(s, tsc, &c->cal_client_wake, factor);
}

/* The mediator, awake when the client blocked (no notify record), wakes it on the client's own
 * pCPU (mv, at tsc: as likely the client's timer) having run, in its whole episode, less than half
 * its usual run from a call's wake to its answer: it has served no call (one it took up before
 * the client blocked included); the client's timer fired while the mediator, woken by its own
 * or by another domain's event, ran there (docs/calls.md). */
int episode_without_service(const struct sm_calls *c, const struct med_vcpu *mv, uint64_t tsc)
{
    return c->cal_answer.n >= CAL_MIN && 2 * episode_run(mv, tsc) < cal_median(&c->cal_answer);
}

/* The mediator's run since the client's block of pend_block, from its run now (run, over the same
 * vCPUs as pend_med_run): 0 if its episode began since. */
static uint64_t run_since_pend_block(const struct client_vcpu *s, uint64_t run)
{
    return run > s->pend_med_run ? run - s->pend_med_run : 0;
}

/* The mediator, awake when the client blocked (no notify record), wakes it (mv, at tsc) having
 * run since that block at least half its usual run from a call's wake to its answer, its episode
 * all service (no more than SERVICE_MAX times that run for each call it has answered in it, this
 * one included: not a long run of other work that the client's own timer wakes interrupt); and
 * the client had run since its last wake more than NOTIFY_BLOCK_FACTOR times its run from a
 * certain notify to its block: longer than a client woken by its timer that goes back to sleep.
 * Woken by its previous call's answer, it took it, logged it and made this request: a call that
 * starts late goes back to back, the mediator still awake. emit_call keeps such a call although
 * the client did not block since its previous call (docs/calls.md). */
#define SERVICE_MAX 1.5
int served_back_to_back(const struct sm_calls *c, const struct client_vcpu *s,
                        const struct med_vcpu *mv, uint64_t tsc)
{
    if (c->cal_answer.n < CAL_MIN || s->pend_wake_run == NO_RUN)
        return 0;
    double answer = (double)cal_median(&c->cal_answer);
    double served = (double)run_since_pend_block(s, med_run_total(c, tsc));
    return served >= 0.5 * answer &&
           (double)episode_run(mv, tsc) <= SERVICE_MAX * (mv->answers + 1) * answer &&
           over_median(s->pend_wake_run, &c->cal_notify_block, NOTIFY_BLOCK_FACTOR);
}

/* The client has run, since its last wake, more than NOTIFY_BLOCK_FACTOR times as long as it
 * runs from a certain notify to its block: longer than a client that found no answer and waited
 * again. It went on after a call (its answer, its log, its next call's request: back-to-back
 * calls, the mediator still awake, make no notify record). */
int client_ran_past_wait(const struct sm_calls *c, const struct client_vcpu *s, uint64_t tsc)
{
    return client_ran_over(s, tsc, &c->cal_notify_block, NOTIFY_BLOCK_FACTOR);
}

/* The client blocks with no call open, its last call (the tail) answered by an ambiguous WAKE
 * (on its own pCPU) while the mediator that "answered" is still awake, and had run for less than
 * half a call's usual service when it did, or the "answer" fell on the client's timer tick: that
 * wake was its timer, and the call goes on (woken early). Unless the client has run since more
 * than ANSWER_RUN_FACTOR times as long as it does after a timer wake: a client woken by its timer
 * in a call looks for the answer and waits again, while this one went on after the call (logged
 * it, slept to the next): that was the answer, and the call is over (docs/calls.md). */
int tail_answer_was_timer(const struct sm_calls *c, const struct client_vcpu *s, uint64_t tsc)
{
    const struct open_call *t = &s->tail;
    return t->active && t->c.answer_ambiguous && !t->med_blocked && t->answered &&
           t->c.t_notify != SM_T_NONE &&
           ((c->cal_call.n >= CAL_MIN && t->med_run_at_answer < cal_median(&c->cal_call) / 2) ||
            t->answer_at_tick) &&
           !client_ran_longer(c, s, tsc, ANSWER_RUN_FACTOR);
}

/* The mediator woken by the open call has run, by tsc, 1.5 times its usual run from such a wake
 * to its answer (0 until 8 certain answers are known). */
int served_before_block(const struct sm_calls *c, const struct open_call *o, uint64_t tsc)
{
    const struct med_vcpu *mv = o->c.mediator_vcpu < MED_MAX ? &c->med[o->c.mediator_vcpu] : NULL;
    if (!mv || !mv->awake || o->c.t_med_wake == SM_T_NONE || o->med_blocked ||
        c->cal_answer.n < CAL_MIN)
        return 0;
    return 2 * episode_run(mv, tsc) >= 3 * cal_median(&c->cal_answer);
}

/* The mediator (mv, its episode's run now run) has served a call the client made while it was
 * awake: it has run at least half a call's usual since the client blocked; and its episode is
 * not the one that served the client's previous call (the caller checks: that call's tail is
 * still waiting for this block, the client blocked after its answer, to sleep). An episode that
 * no notify began (the mediator's own timer, another domain's event) also did that wake's work:
 * it must have run a timer episode's usual on top of that half call. */
int pend_served(const struct sm_calls *c, uint8_t cause, const struct client_vcpu *s, uint64_t run)
{
    if (c->cal_call.n < CAL_MIN)
        return 0;
    uint64_t half_call = cal_median(&c->cal_call) / 2;
    if (run_since_pend_block(s, run) < half_call)
        return 0;
    if (cause != EP_CALL && cause != EP_AMBIGUOUS)
        return run >= cal_median(&c->cal_timer) + half_call;
    return 1;
}

/* The client, preempted in a call it made with the mediator awake, has run since its last wake
 * (its program's timer, say) for as long as it runs from a wake to a certain notify and on to
 * its block, or less: PREEMPT_RUN_FACTOR times that bounds it with room for a stretched run. A
 * client preempted after running far longer than that was busy with other work, not calling
 * (the generator writing its results after its last call, say). */
#define PREEMPT_RUN_FACTOR 4

/* The mediator (mv, its episode's run run), woken by its own timer, blocks having answered no
 * call it was seen to take, while the client, preempted during that episode with no call open
 * (soon after its last wake, as above), has not blocked since: the episode ran a timer
 * episode's usual plus half a call, as pend_served asks of such an episode, and no more than
 * that timer's run plus SERVICE_MAX calls' (not a long run of other work). The client made a
 * call as the mediator was awake (no WAKE), was preempted before it could wait, and the answer
 * found it runnable (no WAKE either): shape no_wakes (docs/calls.md). Once the runs are
 * calibrated: a timer's and a call's, and the client's from a wake to a certain notify and
 * from that notify to its block. */
int preempted_served(const struct sm_calls *c, uint8_t cause, const struct med_vcpu *mv,
                     const struct client_vcpu *s, uint64_t run)
{
    if (!s->ppend_tsc || s->ppend_tsc < mv->wake_tsc || s->last_blocked >= mv->wake_tsc ||
        mv->answers || cause != EP_TIMER || !mediator_has_timer(c) || c->cal_call.n < CAL_MIN ||
        c->cal_wake_notify.n < CAL_MIN || c->cal_notify_block.n < CAL_MIN ||
        s->ppend_wake_run == NO_RUN)
        return 0;
    uint64_t calling = cal_median(&c->cal_wake_notify) + cal_median(&c->cal_notify_block);
    if (s->ppend_wake_run > PREEMPT_RUN_FACTOR * calling)
        return 0;
    double timer = (double)cal_median(&c->cal_timer), call = (double)cal_median(&c->cal_call);
    return (double)run >= timer + 0.5 * call && (double)run <= timer + SERVICE_MAX * call;
}
