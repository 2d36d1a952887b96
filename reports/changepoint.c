#include "changepoint.h"

#include "stats.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sm_cp_default_opts(struct sm_cp_opts *o)
{
    o->alpha = 0.01;
    o->permutations = 199;
    o->min_size = 2;
    o->seed = 17;
}

/* The best split of y[0..L): scans every allowed tau in O(L^2) with running sums of distances
 * (wl: pairs left of tau, wr: pairs right of it, cross = all - wl - wr). ok may be NULL. */
static double best_split(const double *y, size_t L, const unsigned char *ok, size_t min,
                         size_t *tau_out, double *work)
{
    *tau_out = 0;
    if (L < 2 * min)
        return 0;
    double *left = work, *right = work + L; /* sum of |y_t - y_i| over i < t, over i > t */
    double all = 0;
    for (size_t t = 0; t < L; t++) {
        double s = 0;
        for (size_t i = 0; i < t; i++)
            s += fabs(y[t] - y[i]);
        left[t] = s;
        all += s;
    }
    for (size_t t = 0; t < L; t++) {
        double s = 0;
        for (size_t i = t + 1; i < L; i++)
            s += fabs(y[t] - y[i]);
        right[t] = s;
    }
    /* wr(tau) for every tau, from the right */
    double *wr = work + 2 * L;
    wr[L] = 0;
    for (size_t t = L; t-- > 0;)
        wr[t] = wr[t + 1] + right[t];
    double best = -INFINITY, wl = 0;
    for (size_t tau = 1; tau < L; tau++) {
        wl += left[tau - 1];
        if (tau < min || L - tau < min || (ok && !ok[tau]))
            continue;
        double m = (double)tau, n = (double)(L - tau);
        double cross = all - wl - wr[tau];
        double e = 2 * cross / (m * n);
        if (m > 1)
            e -= wl / (m * (m - 1) / 2);
        if (n > 1)
            e -= wr[tau] / (n * (n - 1) / 2);
        double q = m * n / (m + n) * e;
        if (q > best) {
            best = q;
            *tau_out = tau;
        }
    }
    return *tau_out ? best : 0;
}

double sm_cp_energy(const double *x, size_t n, size_t tau)
{
    if (tau == 0 || tau >= n)
        return 0;
    double cross = 0, wl = 0, wr = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double d = fabs(x[i] - x[j]);
            if (j < tau)
                wl += d;
            else if (i >= tau)
                wr += d;
            else
                cross += d;
        }
    double m = (double)tau, k = (double)(n - tau);
    double e = 2 * cross / (m * k);
    if (m > 1)
        e -= wl / (m * (m - 1) / 2);
    if (k > 1)
        e -= wr / (k * (k - 1) / 2);
    return m * k / (m + k) * e;
}

static double median_of(const double *x, size_t n)
{
    double *s = sm_sorted_copy(x, n);
    double m = s ? sm_quantile_sorted(s, n, 0.5) : NAN;
    free(s);
    return m;
}

/* A segment [s, e) already tested without a change (its test is the same every time). */
struct seg {
    size_t s, e;
};

static int cmp_cp(const void *a, const void *b)
{
    size_t x = ((const struct sm_cp *)a)->index, y = ((const struct sm_cp *)b)->index;
    return (x > y) - (x < y);
}

/* Permutation p-value of the best split of y[0..L) (statistic q): shuffles y (a copy), the
 * same allowed positions; stops early once p can no longer fall to alpha. */
static double permutation_p(const double *y, size_t L, const unsigned char *ok, size_t min,
                            double q, const struct sm_cp_opts *o, unsigned long seed, double *buf,
                            double *work)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return 1;
    gsl_rng_set(rng, seed);
    memcpy(buf, y, L * sizeof *buf);
    int R = o->permutations, ge = 0;
    int stop = (int)floor(o->alpha * (R + 1)); /* ge + 1 > alpha (R + 1): not significant */
    for (int r = 0; r < R; r++) {
        for (size_t i = L - 1; i > 0; i--) {
            size_t j = gsl_rng_uniform_int(rng, i + 1);
            double t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        size_t tau;
        if (best_split(buf, L, ok, min, &tau, work) >= q * (1 - 1e-12))
            ge++;
        if (ge >= stop)
            break; /* p is at least (ge + 1) / (R + 1) > alpha: the rest cannot change that */
    }
    gsl_rng_free(rng);
    return (double)(ge + 1) / (double)(R + 1);
}

int sm_changepoints(const double *x, size_t n, const unsigned char *split_ok,
                    const struct sm_cp_opts *o, struct sm_cp **out)
{
    *out = NULL;
    size_t min = o->min_size > 1 ? (size_t)o->min_size : 1;
    if (n < 2 * min)
        return 0;
    double *work = malloc((3 * n + 1) * sizeof *work), *buf = malloc(n * sizeof *buf);
    size_t *bounds = malloc((n + 1) * sizeof *bounds); /* sorted: 0, change points..., n */
    struct seg *rejected = malloc((n + 1) * sizeof *rejected);
    struct sm_cp *cps = calloc(n, sizeof *cps);
    size_t nb = 2, nrej = 0, ncp = 0;
    if (!work || !buf || !bounds || !rejected || !cps) {
        free(work);
        free(buf);
        free(bounds);
        free(rejected);
        free(cps);
        return -1;
    }
    bounds[0] = 0;
    bounds[1] = n;
    for (;;) {
        /* the strongest split of any segment not yet found wanting */
        size_t best_k = 0, best_tau = 0;
        double best_q = 0;
        for (size_t k = 0; k + 1 < nb; k++) {
            size_t s = bounds[k], e = bounds[k + 1], tau;
            int skip = 0;
            for (size_t r = 0; r < nrej; r++)
                skip |= rejected[r].s == s && rejected[r].e == e;
            if (skip)
                continue;
            double q = best_split(x + s, e - s, split_ok ? split_ok + s : NULL, min, &tau, work);
            if (tau && q > best_q) {
                best_q = q;
                best_k = k;
                best_tau = s + tau;
            }
        }
        if (best_q <= 0)
            break;
        size_t s = bounds[best_k], e = bounds[best_k + 1];
        double p_perm = permutation_p(x + s, e - s, split_ok ? split_ok + s : NULL, min, best_q, o,
                                      o->seed * 1000003UL + s * 7919UL + e, buf, work);
        struct sm_mwu u;
        double p_u = 1;
        if (p_perm <= o->alpha &&
            sm_mwu_test(x + s, best_tau - s, x + best_tau, e - best_tau, &u) == 0)
            p_u = u.p;
        if (p_perm > o->alpha || p_u > o->alpha) {
            rejected[nrej++] = (struct seg){s, e};
            continue;
        }
        cps[ncp++] = (struct sm_cp){
            .index = best_tau, .p = fmax(p_perm, p_u), .p_perm = p_perm, .q = best_q};
        memmove(bounds + best_k + 2, bounds + best_k + 1, (nb - best_k - 1) * sizeof *bounds);
        bounds[best_k + 1] = best_tau;
        nb++;
    }
    qsort(cps, ncp, sizeof *cps, cmp_cp);
    for (size_t i = 0; i < ncp; i++) {
        size_t lo = i ? cps[i - 1].index : 0, mid = cps[i].index;
        size_t hi = i + 1 < ncp ? cps[i + 1].index : n;
        cps[i].before = median_of(x + lo, mid - lo);
        cps[i].after = median_of(x + mid, hi - mid);
        cps[i].n_before = mid - lo;
        cps[i].n_after = hi - mid;
    }
    free(work);
    free(buf);
    free(bounds);
    free(rejected);
    if (ncp == 0) {
        free(cps);
        cps = NULL;
    }
    *out = cps;
    return (int)ncp;
}

int sm_changepoints_exact(const double *x, size_t n, const unsigned char *split_ok, double rel_tol,
                          struct sm_cp **out)
{
    *out = NULL;
    struct sm_cp *cps = n ? calloc(n, sizeof *cps) : NULL;
    if (n && !cps)
        return -1;
    size_t ncp = 0;
    for (size_t i = 1; i < n; i++) {
        if (split_ok && !split_ok[i])
            continue;
        if (fabs(x[i] - x[i - 1]) > rel_tol * fmax(fabs(x[i]), fabs(x[i - 1])))
            cps[ncp++] = (struct sm_cp){.index = i, .before = x[i - 1], .after = x[i]};
    }
    for (size_t i = 0; i < ncp; i++) {
        size_t lo = i ? cps[i - 1].index : 0, hi = i + 1 < ncp ? cps[i + 1].index : n;
        cps[i].n_before = cps[i].index - lo;
        cps[i].n_after = hi - cps[i].index;
    }
    if (ncp == 0) {
        free(cps);
        cps = NULL;
    }
    *out = cps;
    return (int)ncp;
}
