/* Comparing two samples of per-call latencies: Mann-Whitney U on the location, bootstrap
 * intervals on p50 and p99 differences, and the verdicts compare and regress print. */
#ifndef SMCLAT_COMPARE_H
#define SMCLAT_COMPARE_H

#include "stats.h"

#include <stddef.h>

struct sm_cmp_opts {
    double alpha;      /* family-wise significance level (0.05) */
    double min_effect; /* smallest relative change worth calling (0.01 = 1%) */
    int iters;         /* bootstrap resamples (2000) */
    unsigned long seed;
    int m; /* comparisons in the family (Bonferroni for the intervals, Holm for p) */
    int skip_p50, skip_p99; /* leave that interval out (NaN): it costs iters resamples */
};

struct sm_cmp {
    size_t na, nb;
    double p50_a, p50_b, p99_a, p99_b;
    struct sm_mwu mwu;
    double p_adj;            /* the MWU p-value after Holm over the family (caller sets) */
    struct sm_boot d50, d99; /* b - a, with intervals at confidence 1 - alpha/m */
    int median_verdict;      /* +1 b slower, -1 b faster, 0 no significant difference */
    int tail_verdict;        /* the same for p99 */
    int tail_testable;       /* both samples have enough calls beyond their p99 */
};

void sm_cmp_default_opts(struct sm_cmp_opts *o);

/* Computes everything but the verdicts (p_adj = raw p). Returns -1 when a sample is empty. */
int sm_cmp_samples(const double *a, size_t na, const double *b, size_t nb,
                   const struct sm_cmp_opts *o, struct sm_cmp *out);

/* Sets the verdicts from p_adj and the intervals. */
void sm_cmp_decide(struct sm_cmp *c, const struct sm_cmp_opts *o);

/* A bootstrap of quantile q says little when few calls lie beyond it: a tail verdict needs
 * n (1 - q) >= SM_TAIL_MIN_BEYOND calls in each sample (p99: 500 calls), else it is 0. */
#define SM_TAIL_MIN_BEYOND 5
int sm_tail_testable(size_t n, double q);

/* A bootstrap of quantile q says little when few calls lie beyond it: a tail verdict needs
 * n (1 - q) >= SM_TAIL_MIN_BEYOND calls in each sample (p99: 500 calls), else it is 0. */
#define SM_TAIL_MIN_BEYOND 5
int sm_tail_testable(size_t n, double q);

/* "slower", "faster" or "no significant difference". */
const char *sm_verdict_name(int v);

#endif
