/* Statistics for reports, compare and regress: quantiles, the Mann-Whitney U test and
 * bootstrap confidence intervals (GSL for distributions and random numbers). */
#ifndef SMCLAT_STATS_H
#define SMCLAT_STATS_H

#include <stddef.h>

/* Quantile q in [0,1] of sorted data (linear interpolation, as GSL). NaN when n = 0. */
double sm_quantile_sorted(const double *sorted, size_t n, double q);
/* Sorts a copy; caller frees. NULL on out of memory or n = 0. */
double *sm_sorted_copy(const double *x, size_t n);

struct sm_mwu {
    double u;   /* U of the first sample */
    double z;   /* normal score (0 when exact) */
    double p;   /* two-sided p-value */
    double auc; /* P(a > b) + P(a = b)/2 = U / (na nb): 0.5 means no shift */
    int exact;  /* 1: exact distribution (small samples, no ties) */
};

/* Two-sided Mann-Whitney U test of a against b. Exact for na, nb <= 30 without ties, else the
 * normal approximation with tie and continuity corrections. Returns 0, or -1 when a sample is
 * empty (p = 1 then). */
int sm_mwu_test(const double *a, size_t na, const double *b, size_t nb, struct sm_mwu *out);

/* Percentile bootstrap of quantile_q(b) - quantile_q(a): the estimate and a conf (0.95)
 * two-sided interval from iters resamples with a fixed seed (reproducible). */
struct sm_boot {
    double diff, lo, hi;
};
int sm_bootstrap_quantile_diff(const double *a, size_t na, const double *b, size_t nb, double q,
                               int iters, unsigned long seed, double conf, struct sm_boot *out);

/* Holm-Bonferroni: adjusts n p-values in place (monotone, capped at 1). */
void sm_holm_adjust(double *p, size_t n);

#endif
