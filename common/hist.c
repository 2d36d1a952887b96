#include "hist.h"

#include <stdlib.h>
#include <string.h>

struct sm_hist *sm_hist_new(void)
{
    struct sm_hist *h = calloc(1, sizeof *h);
    return h;
}

void sm_hist_free(struct sm_hist *h)
{
    free(h);
}

void sm_hist_reset(struct sm_hist *h)
{
    memset(h, 0, sizeof *h);
}

unsigned sm_hist_index(uint64_t v)
{
    if (v < SM_HIST_SUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= SM_HIST_SUB_BITS */
    unsigned k = e - SM_HIST_SUB_BITS;
    unsigned sub = (unsigned)(v >> k) - SM_HIST_SUB;
    return SM_HIST_SUB + k * SM_HIST_SUB + sub;
}

uint64_t sm_hist_bucket_lo(unsigned idx)
{
    if (idx < SM_HIST_SUB)
        return idx;
    unsigned k = (idx - SM_HIST_SUB) / SM_HIST_SUB;
    unsigned sub = (idx - SM_HIST_SUB) % SM_HIST_SUB;
    return (uint64_t)(SM_HIST_SUB + sub) << k;
}

uint64_t sm_hist_bucket_hi(unsigned idx)
{
    if (idx < SM_HIST_SUB)
        return idx;
    unsigned k = (idx - SM_HIST_SUB) / SM_HIST_SUB;
    return sm_hist_bucket_lo(idx) + ((uint64_t)1 << k) - 1;
}

void sm_hist_add_n(struct sm_hist *h, uint64_t v, uint64_t n)
{
    if (n == 0)
        return;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count += n;
    h->sum += (long double)v * (long double)n;
    h->buckets[sm_hist_index(v)] += n;
}

void sm_hist_add(struct sm_hist *h, uint64_t v)
{
    sm_hist_add_n(h, v, 1);
}

void sm_hist_merge(struct sm_hist *dst, const struct sm_hist *src)
{
    if (src->count == 0)
        return;
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    for (unsigned i = 0; i < SM_HIST_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
}

uint64_t sm_hist_count(const struct sm_hist *h)
{
    return h->count;
}

uint64_t sm_hist_min(const struct sm_hist *h)
{
    return h->count ? h->min : 0;
}

uint64_t sm_hist_max(const struct sm_hist *h)
{
    return h->count ? h->max : 0;
}

double sm_hist_mean(const struct sm_hist *h)
{
    return h->count ? (double)(h->sum / (long double)h->count) : 0.0;
}

uint64_t sm_hist_percentile(const struct sm_hist *h, double p)
{
    if (h->count == 0)
        return 0;
    if (p <= 0)
        return h->min;
    if (p >= 100)
        return h->max;
    /* nearest rank: the ceil(p/100 * n)-th smallest value */
    long double want = (long double)p / 100.0L * (long double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((long double)rank < want)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < SM_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t lo = sm_hist_bucket_lo(i), hi = sm_hist_bucket_hi(i);
            uint64_t v = lo + (hi - lo) / 2;
            if (v < h->min)
                v = h->min;
            if (v > h->max)
                v = h->max;
            return v;
        }
    }
    return h->max;
}
