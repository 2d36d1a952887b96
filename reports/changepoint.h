/* Change points in a series of per-run figures (one value per run, oldest first): where the
 * distribution of the series shifted (docs/reports.md, "Change points").
 *
 * Statistical series: E-divisive means (Matteson and James 2014, as in MongoDB's
 * signal-processing-algorithms and Apache Otava): the split that maximizes the energy distance
 * between the runs before and after it, found by binary segmentation, kept when a permutation
 * test says the split is not chance (p below alpha) and a Mann-Whitney U test between the
 * neighbouring segments agrees (an isolated outlier moves the energy statistic, hardly the ranks).
 * Exact series (the medians of deterministic lab runs, which repeat within a few timer ticks):
 * every change of the value beyond a tolerance is one. */
#ifndef SMCLAT_CHANGEPOINT_H
#define SMCLAT_CHANGEPOINT_H

#include <stddef.h>

struct sm_cp_opts {
    double alpha;       /* significance of each change point (0.01) */
    int permutations;   /* permutation test resamples (199) */
    int min_size;       /* fewest runs on each side of a change point (2) */
    unsigned long seed; /* the permutations' seed: the same series gives the same answer */
};
void sm_cp_default_opts(struct sm_cp_opts *o);

struct sm_cp {
    size_t index;         /* the first run after the change */
    double before, after; /* medians of the segments on each side (the neighbouring change
                             points bound them) */
    size_t n_before, n_after;
    double p;      /* the larger of the permutation and the U test's p-values; 0 when exact */
    double p_perm; /* the permutation test's alone */
    double q;      /* the energy statistic of the split (0 when exact) */
};

/* Change points of x[0..n), in index order, into *out (caller frees; NULL when none).
 * split_ok (may be NULL): split_ok[i] != 0 when a change may lie between runs i-1 and i (runs of
 * one commit repeated stay together). Returns their number, or -1 when out of memory. */
int sm_changepoints(const double *x, size_t n, const unsigned char *split_ok,
                    const struct sm_cp_opts *o, struct sm_cp **out);

/* Exact series: a change point wherever the value differs from the run before by more than
 * rel_tol of it (smclat regress: 1%, docs/reports.md). before/after are the two runs' values,
 * n_before/n_after the runs of equal values on each side. Same return as above. */
int sm_changepoints_exact(const double *x, size_t n, const unsigned char *split_ok, double rel_tol,
                          struct sm_cp **out);

/* The energy statistic Q of splitting x[0..n) at tau (exposed for tests). */
double sm_cp_energy(const double *x, size_t n, size_t tau);

#endif
