/* --roles auto (docs/analyze.md): the client/mediator pair found from a first pass over the
 * events, as the pair of domains that wake each other in turn, the mediator the one that answers
 * sooner. */
#include "roles.h"

#include <stdio.h>
#include <stdlib.h>

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
