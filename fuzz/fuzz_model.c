/* libFuzzer target: the scheduler model and the call detector on arbitrary event sequences.
 * Each 6 input bytes make one decoded event (kind, pCPU, domain, vCPU, states, time step) over a
 * few domains, so that runstate changes, wakes and switches of the client (d2), the mediator
 * (d1), a noise domain and idle interleave in every order, consistent or not. Checks that
 * nothing crashes and that the figures hold together. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "calls.h"
#include "model.h"
#include "roles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    uint64_t calls;
};

static void on_call(const struct sm_call *c, void *p)
{
    struct ctx *x = p;
    x->calls++;
    if (c->t_start != SM_T_NONE && c->t_end != SM_T_NONE && c->t_end < c->t_start)
        __builtin_trap();
    if (c->reason == SM_COMPLETE &&
        (c->t_client_block == SM_T_NONE || c->t_client_run == SM_T_NONE ||
         c->t_client_run < c->t_client_block))
        __builtin_trap();
    if ((unsigned)c->shape >= SM_SHAPE__COUNT || (unsigned)c->reason >= SM_INC__COUNT)
        __builtin_trap();
}

static const uint16_t doms[4] = {1, 2, 3, XT_DOMID_IDLE};
static const enum xt_kind kinds[8] = {XT_K_RUNSTATE, XT_K_RUNSTATE, XT_K_RUNSTATE, XT_K_WAKE,
                                      XT_K_SWITCH,   XT_K_CONTINUE, XT_K_LOST,     XT_K_OTHER};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sm_model *m;
    struct sm_calls *c;
    struct sm_roles *r;
    struct ctx x = {0};
    struct sm_calls_config cfg = {
        .client = 2, .mediator = 1, .on_call = on_call, .ctx = &x, .ticks_per_s = 1e9};
    if (sm_model_new(&m) != 0 || sm_calls_new(&c, &cfg) != 0 || sm_roles_new(&r) != 0)
        __builtin_trap();
    uint64_t tsc = 1000;
    for (size_t i = 0; i + 6 <= size; i += 6) {
        const uint8_t *b = data + i;
        struct xt_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = kinds[b[0] & 7];
        ev.cpu = (uint16_t)((b[0] >> 3) & 3);
        ev.domid = doms[b[1] & 3];
        ev.vcpu = (uint16_t)((b[1] >> 2) & 1);
        ev.next_domid = doms[(b[1] >> 3) & 3];
        ev.next_vcpu = (uint16_t)((b[1] >> 5) & 1);
        ev.old_state = (uint8_t)(b[2] & 3);
        ev.new_state = (uint8_t)((b[2] >> 2) & 3);
        tsc += b[3] | (uint64_t)b[4] << 8;
        ev.tsc = tsc;
        ev.lost = b[5];
        ev.first_lost_tsc = tsc - (b[5] & 0x3f);
        if (sm_model_feed(m, &ev) != 0)
            __builtin_trap();
        sm_roles_feed(r, m, &ev);
        sm_calls_feed(c, m, &ev);
    }
    sm_model_finish(m);
    sm_calls_finish(c);
    const struct sm_calls_stats *st = sm_calls_stats(c);
    uint64_t by_reason = 0, by_shape = 0;
    for (int k = 0; k < SM_INC__COUNT; k++)
        by_reason += st->by_reason[k];
    for (int k = 0; k < SM_SHAPE__COUNT; k++)
        by_shape += st->by_shape[k];
    if (st->calls != x.calls || by_reason != st->calls || by_shape != st->calls ||
        st->complete != st->by_reason[SM_COMPLETE] || sm_hist_count(st->e2e) > st->calls ||
        sm_hist_count(st->mediator_wake) > st->calls)
        __builtin_trap();
    uint64_t span = tsc - 1000 + 1;
    size_t n = sm_model_nvcpus(m);
    for (size_t i = 0; i < n; i++) {
        const struct sm_vcpu *v = sm_model_vcpu_at(m, i);
        /* every wake latency and preempt wait is a closed runnable interval */
        if (v->wake->sum + v->preempt->sum > (long double)v->ticks[XT_RUNNABLE])
            __builtin_trap();
        for (int s = 0; s < SM_NSTATES; s++)
            if (v->ticks[s] > span)
                __builtin_trap();
    }
    uint16_t cl, med;
    char why[200];
    (void)sm_roles_choose(r, &cl, &med, why, sizeof why);
    sm_roles_free(r);
    sm_calls_free(c);
    sm_model_free(m);
    return 0;
}
