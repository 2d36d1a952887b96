#include "model.h"

#include <stdlib.h>
#include <string.h>

#define NO_UNIT UINT32_MAX

struct sm_pcpu {
    uint64_t first_tsc;
    uint64_t last_tsc;
    uint8_t has_tsc;
    uint32_t cur;            /* domid << 16 | vcpu the last SWITCH put here, NO_UNIT when unknown */
    struct sm_vcpu *running; /* vCPU counted as running here (from runstate records) */
};

struct sm_model {
    struct sm_model_stats st;
    /* vCPUs: open-addressing table of pointers keyed by domid << 16 | vcpu, plus a list. */
    struct sm_vcpu **table;
    size_t table_cap; /* power of two */
    struct sm_vcpu **list;
    size_t n, list_cap;
    int sorted;
    struct sm_pcpu *pcpus;
    unsigned npcpus, pcpus_cap;
};

int sm_model_new(struct sm_model **out)
{
    struct sm_model *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->table_cap = 64;
    m->table = calloc(m->table_cap, sizeof *m->table);
    if (!m->table) {
        free(m);
        return -1;
    }
    *out = m;
    return 0;
}

void sm_model_free(struct sm_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        sm_hist_free(m->list[i]->wake);
        sm_hist_free(m->list[i]->preempt);
        free(m->list[i]);
    }
    free(m->list);
    free(m->table);
    free(m->pcpus);
    free(m);
}

static inline uint32_t unit_key(uint16_t domid, uint16_t vcpu)
{
    return (uint32_t)domid << 16 | vcpu;
}

static inline size_t hash_key(uint32_t key, size_t cap)
{
    return (size_t)((key * 2654435761u) >> 7) & (cap - 1);
}

static struct sm_vcpu *lookup(const struct sm_model *m, uint32_t key)
{
    for (size_t i = hash_key(key, m->table_cap);; i = (i + 1) & (m->table_cap - 1)) {
        struct sm_vcpu *v = m->table[i];
        if (!v)
            return NULL;
        if (unit_key(v->domid, v->vcpu) == key)
            return v;
    }
}

static int table_grow(struct sm_model *m)
{
    size_t cap = m->table_cap * 2;
    struct sm_vcpu **t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t k = 0; k < m->n; k++) {
        struct sm_vcpu *v = m->list[k];
        size_t i = hash_key(unit_key(v->domid, v->vcpu), cap);
        while (t[i])
            i = (i + 1) & (cap - 1);
        t[i] = v;
    }
    free(m->table);
    m->table = t;
    m->table_cap = cap;
    return 0;
}

/* The vCPU's record, created on first sight; NULL when out of memory. */
static struct sm_vcpu *get_vcpu(struct sm_model *m, uint16_t domid, uint16_t vcpu)
{
    uint32_t key = unit_key(domid, vcpu);
    struct sm_vcpu *v = lookup(m, key);
    if (v)
        return v;
    if ((m->n + 1) * 2 > m->table_cap && table_grow(m) != 0)
        return NULL;
    if (m->n == m->list_cap) {
        size_t cap = m->list_cap ? m->list_cap * 2 : 16;
        struct sm_vcpu **l = realloc(m->list, cap * sizeof *l);
        if (!l)
            return NULL;
        m->list = l;
        m->list_cap = cap;
    }
    v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->wake = sm_hist_new();
    v->preempt = sm_hist_new();
    if (!v->wake || !v->preempt) {
        sm_hist_free(v->wake);
        sm_hist_free(v->preempt);
        free(v);
        return NULL;
    }
    v->domid = domid;
    v->vcpu = vcpu;
    v->state = SM_STATE_UNKNOWN;
    v->seen_state = SM_STATE_UNKNOWN;
    v->runnable_from = SM_STATE_UNKNOWN;
    size_t i = hash_key(key, m->table_cap);
    while (m->table[i])
        i = (i + 1) & (m->table_cap - 1);
    m->table[i] = v;
    m->list[m->n++] = v;
    m->sorted = 0;
    return v;
}

static struct sm_pcpu *get_pcpu(struct sm_model *m, unsigned cpu)
{
    if (cpu >= m->pcpus_cap) {
        unsigned cap = m->pcpus_cap ? m->pcpus_cap : 4;
        while (cap <= cpu)
            cap *= 2;
        struct sm_pcpu *p = realloc(m->pcpus, cap * sizeof *p);
        if (!p)
            return NULL;
        for (unsigned i = m->pcpus_cap; i < cap; i++) {
            memset(&p[i], 0, sizeof p[i]);
            p[i].cur = NO_UNIT;
        }
        m->pcpus = p;
        m->pcpus_cap = cap;
    }
    if (cpu >= m->npcpus)
        m->npcpus = cpu + 1;
    return &m->pcpus[cpu];
}

static uint64_t span(struct sm_model *m, uint64_t from, uint64_t to)
{
    if (to < from) {
        m->st.tsc_skew++;
        return 0;
    }
    return to - from;
}

/* Closes the vCPU's current interval at tsc and enters state (counted vCPUs only). */
static void enter(struct sm_model *m, struct sm_vcpu *v, unsigned state, uint64_t tsc)
{
    if (v->state < SM_NSTATES) {
        uint64_t d = span(m, v->since, tsc);
        v->ticks[v->state] += d;
        v->count[v->state]++;
        if (v->state == XT_RUNNABLE && state == XT_RUNNING) {
            if (v->runnable_from == XT_BLOCKED)
                sm_hist_add(v->wake, d);
            else if (v->runnable_from == XT_RUNNING)
                sm_hist_add(v->preempt, d);
        }
    }
    if (state == XT_RUNNABLE)
        v->runnable_from = v->state;
    v->state = (uint8_t)state;
    v->since = tsc;
}

/* The vCPU is (again) running on p from tsc. */
static void start_running(struct sm_model *m, struct sm_pcpu *p, unsigned cpu, struct sm_vcpu *v,
                          uint64_t tsc)
{
    if (p->running && p->running != v && p->running->state == XT_RUNNING &&
        p->running->pcpu == cpu) {
        /* The previous unit never left running on this pCPU: it did, we missed it. */
        m->st.first_state_mismatches++;
        enter(m, p->running, SM_STATE_UNKNOWN, tsc);
        p->running->state = SM_STATE_UNKNOWN;
    }
    v->pcpu = (uint16_t)cpu;
    p->running = v;
}

/* A ->running or CONTINUE of v on p: checked against p's last SWITCH; before any SWITCH on p
 * (the trace's start, after lost records) it tells which unit runs there. */
static void check_current(struct sm_model *m, struct sm_pcpu *p, const struct sm_vcpu *v)
{
    if (p->cur == NO_UNIT)
        p->cur = unit_key(v->domid, v->vcpu);
    else if (p->cur != unit_key(v->domid, v->vcpu))
        m->st.inconsistencies++;
}

static void on_runstate(struct sm_model *m, struct sm_pcpu *p, const struct xt_event *ev,
                        struct sm_vcpu *v)
{
    unsigned old = ev->old_state, new = ev->new_state;
    m->st.runstate_changes++;
    v->seen_state = (uint8_t) new;
    if (new == XT_RUNNING)
        check_current(m, p, v);
    if (!v->counted) {
        /* xenalyze's start of day: counted from the first ->running; from the pCPU's first
         * timestamp when the record says it was running already. */
        if (new != XT_RUNNING)
            return;
        v->counted = 1;
        uint64_t t = (old == XT_RUNNING && p->has_tsc) ? p->first_tsc : ev->tsc;
        v->state = XT_RUNNING;
        v->since = t;
        start_running(m, p, ev->cpu, v, ev->tsc);
        return;
    }
    if (v->state != old) {
        m->st.first_state_mismatches++;
        if (v->state == SM_STATE_UNKNOWN) {
            /* Lost track (lost records): restart from this record. */
            if (new == XT_RUNNING) {
                v->state = XT_RUNNING;
                v->since = ev->tsc;
                start_running(m, p, ev->cpu, v, ev->tsc);
            }
            return;
        }
    }
    if (v->state == XT_RUNNING && p->running == v && new != XT_RUNNING)
        p->running = NULL;
    else if (v->state == XT_RUNNING && v->pcpu < m->npcpus && m->pcpus[v->pcpu].running == v &&
             new != XT_RUNNING)
        m->pcpus[v->pcpu].running = NULL;
    enter(m, v, new, ev->tsc);
    if (new == XT_RUNNING)
        start_running(m, p, ev->cpu, v, ev->tsc);
}

static void on_continue(struct sm_model *m, struct sm_pcpu *p, const struct xt_event *ev,
                        struct sm_vcpu *v)
{
    m->st.continues++;
    v->seen_state = XT_RUNNING;
    check_current(m, p, v);
    if (!v->counted || v->state == SM_STATE_UNKNOWN) {
        if (v->counted)
            m->st.first_state_mismatches++;
        v->counted = 1;
        v->state = XT_RUNNING;
        v->since = p->has_tsc && !v->count[XT_RUNNING] ? p->first_tsc : ev->tsc;
        start_running(m, p, ev->cpu, v, ev->tsc);
        return;
    }
    if (v->state != XT_RUNNING || v->pcpu != ev->cpu)
        m->st.first_state_mismatches++;
    enter(m, v, XT_RUNNING, ev->tsc);
    start_running(m, p, ev->cpu, v, ev->tsc);
}

static void on_switch(struct sm_model *m, struct sm_pcpu *p, const struct xt_event *ev)
{
    m->st.switches++;
    if (p->cur != NO_UNIT && p->cur != unit_key(ev->domid, ev->vcpu))
        m->st.inconsistencies++;
    p->cur = unit_key(ev->next_domid, ev->next_vcpu);
}

static void on_lost(struct sm_model *m, struct sm_pcpu *p, const struct xt_event *ev)
{
    m->st.lost_records += ev->lost;
    m->st.lost_events++;
    /* What ran on this pCPU during the gap is unknown: close the running vCPU at the first
     * lost record and forget it until a record shows it running again. */
    struct sm_vcpu *v = p->running;
    if (v && v->state == XT_RUNNING) {
        uint64_t t =
            ev->first_lost_tsc && ev->first_lost_tsc <= ev->tsc ? ev->first_lost_tsc : ev->tsc;
        enter(m, v, SM_STATE_UNKNOWN, t);
        v->state = SM_STATE_UNKNOWN;
    }
    p->running = NULL;
    /* The record names the unit running when it was written. */
    p->cur = ev->domid < XT_DOMID_INVALID || ev->domid == XT_DOMID_IDLE
                 ? unit_key(ev->domid, ev->vcpu)
                 : NO_UNIT;
}

int sm_model_feed(struct sm_model *m, const struct xt_event *ev)
{
    struct sm_pcpu *p = get_pcpu(m, ev->cpu);
    if (!p)
        return -1;
    m->st.events++;
    if (!p->has_tsc) {
        p->has_tsc = 1;
        p->first_tsc = ev->tsc;
    }
    p->last_tsc = ev->tsc;
    if (m->st.events == 1 || ev->tsc < m->st.first_tsc)
        m->st.first_tsc = ev->tsc;
    if (ev->tsc > m->st.last_tsc)
        m->st.last_tsc = ev->tsc;
    struct sm_vcpu *v;
    switch (ev->kind) {
    case XT_K_RUNSTATE:
        if (ev->old_state >= SM_NSTATES || ev->new_state >= SM_NSTATES) {
            m->st.malformed++;
            break;
        }
        if (!(v = get_vcpu(m, ev->domid, ev->vcpu)))
            return -1;
        on_runstate(m, p, ev, v);
        break;
    case XT_K_CONTINUE:
        if (!(v = get_vcpu(m, ev->domid, ev->vcpu)))
            return -1;
        on_continue(m, p, ev, v);
        break;
    case XT_K_WAKE:
        m->st.wakes++;
        if (!(v = get_vcpu(m, ev->domid, ev->vcpu)))
            return -1;
        v->wakes++;
        break;
    case XT_K_SWITCH:
        on_switch(m, p, ev);
        break;
    case XT_K_LOST:
        on_lost(m, p, ev);
        break;
    case XT_K_UNKNOWN:
        m->st.unknown++;
        break;
    case XT_K_MALFORMED:
        m->st.malformed++;
        break;
    default:
        break;
    }
    return 0;
}

void sm_model_note_pcpu_end(struct sm_model *m, unsigned cpu, uint64_t tsc)
{
    if (cpu >= m->npcpus || !m->pcpus[cpu].has_tsc)
        return; /* a pCPU the model never saw has nothing to close */
    struct sm_pcpu *p = &m->pcpus[cpu];
    if (tsc > p->last_tsc)
        p->last_tsc = tsc;
    if (tsc > m->st.last_tsc)
        m->st.last_tsc = tsc;
}

void sm_model_finish(struct sm_model *m)
{
    for (unsigned c = 0; c < m->npcpus; c++) {
        struct sm_pcpu *p = &m->pcpus[c];
        struct sm_vcpu *v = p->running;
        if (v && v->state == XT_RUNNING && v->pcpu == c) {
            uint64_t d = span(m, v->since, p->last_tsc);
            v->ticks[XT_RUNNING] += d;
            v->count[XT_RUNNING]++;
            v->since = p->last_tsc;
        }
        p->running = NULL;
    }
}

const struct sm_model_stats *sm_model_stats(const struct sm_model *m)
{
    return &m->st;
}

size_t sm_model_nvcpus(const struct sm_model *m)
{
    return m->n;
}

static int cmp_vcpu(const void *a, const void *b)
{
    const struct sm_vcpu *x = *(const struct sm_vcpu *const *)a;
    const struct sm_vcpu *y = *(const struct sm_vcpu *const *)b;
    uint32_t kx = unit_key(x->domid, x->vcpu), ky = unit_key(y->domid, y->vcpu);
    return kx < ky ? -1 : kx > ky;
}

const struct sm_vcpu *sm_model_vcpu_at(struct sm_model *m, size_t i)
{
    if (i >= m->n)
        return NULL;
    if (!m->sorted) {
        qsort(m->list, m->n, sizeof *m->list, cmp_vcpu);
        m->sorted = 1;
    }
    return m->list[i];
}

const struct sm_vcpu *sm_model_vcpu(const struct sm_model *m, uint16_t domid, uint16_t vcpu)
{
    return lookup(m, unit_key(domid, vcpu));
}

unsigned sm_model_npcpus(const struct sm_model *m)
{
    return m->npcpus;
}

int sm_model_pcpu_current(const struct sm_model *m, unsigned cpu, uint16_t *domid, uint16_t *vcpu)
{
    if (cpu >= m->npcpus || m->pcpus[cpu].cur == NO_UNIT)
        return 0;
    *domid = (uint16_t)(m->pcpus[cpu].cur >> 16);
    *vcpu = (uint16_t)(m->pcpus[cpu].cur & 0xffff);
    return 1;
}

uint64_t sm_model_pcpu_last_tsc(const struct sm_model *m, unsigned cpu)
{
    return cpu < m->npcpus ? m->pcpus[cpu].last_tsc : 0;
}
