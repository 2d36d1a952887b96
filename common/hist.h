/* A log-linear histogram of unsigned 64-bit values (HdrHistogram's idea, fixed memory).
 *
 * Values below 128 are counted exactly; above, each power of two is split into 128 equal
 * sub-buckets, so a bucket's width is at most 1/128 of its lower bound. A percentile is
 * reported as the middle of its bucket, clamped to the exact min and max: its relative error
 * is at most 1/256 (0.4%). count, min, max, sum and mean are exact. Memory: 7424 counters
 * (58 KiB) per histogram, whatever is added. */
#ifndef SMCLAT_HIST_H
#define SMCLAT_HIST_H

#include <stdint.h>

#define SM_HIST_SUB_BITS 7
#define SM_HIST_SUB      (1u << SM_HIST_SUB_BITS)
#define SM_HIST_BUCKETS  (SM_HIST_SUB + (64 - SM_HIST_SUB_BITS) * SM_HIST_SUB)

struct sm_hist {
    uint64_t count;
    uint64_t min;
    uint64_t max;
    long double sum;
    uint64_t buckets[SM_HIST_BUCKETS];
};

/* Returns a zeroed histogram, or NULL when out of memory. */
struct sm_hist *sm_hist_new(void);
void sm_hist_free(struct sm_hist *h);
void sm_hist_reset(struct sm_hist *h);
void sm_hist_add(struct sm_hist *h, uint64_t v);
void sm_hist_add_n(struct sm_hist *h, uint64_t v, uint64_t n);
void sm_hist_merge(struct sm_hist *dst, const struct sm_hist *src);

uint64_t sm_hist_count(const struct sm_hist *h);
uint64_t sm_hist_min(const struct sm_hist *h); /* 0 when empty */
uint64_t sm_hist_max(const struct sm_hist *h); /* 0 when empty */
double sm_hist_mean(const struct sm_hist *h);  /* 0 when empty */
/* p in [0, 100]: the smallest value v such that at least p% of the values are <= v
 * (nearest rank), within the bucket error above. 0 when empty. */
uint64_t sm_hist_percentile(const struct sm_hist *h, double p);

/* Bucket index of a value and the bounds [lo, hi] of a bucket (for plotting). */
unsigned sm_hist_index(uint64_t v);
uint64_t sm_hist_bucket_lo(unsigned idx);
uint64_t sm_hist_bucket_hi(unsigned idx);

#endif
