#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double sm_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, q);
}

double *sm_sorted_copy(const double *x, size_t n)
{
    if (n == 0)
        return NULL;
    double *c = malloc(n * sizeof *c);
    if (!c)
        return NULL;
    memcpy(c, x, n * sizeof *c);
    gsl_sort(c, 1, n);
    return c;
}

struct tagged {
    double v;
    int from_a;
};

static int cmp_tagged(const void *x, const void *y)
{
    double a = ((const struct tagged *)x)->v, b = ((const struct tagged *)y)->v;
    return (a > b) - (a < b);
}

/* P(U <= u) for sample sizes m, n without ties: counts of arrangements by U (DP over m, n). */
static double exact_cdf(size_t m, size_t n, double u)
{
    size_t umax = m * n;
    /* f[i][j][k]: arrangements of i a's and j b's with U = k; roll over i with a 2-D table. */
    double *prev = calloc((n + 1) * (umax + 1), sizeof *prev);
    double *cur = calloc((n + 1) * (umax + 1), sizeof *cur);
    if (!prev || !cur) {
        free(prev);
        free(cur);
        return NAN;
    }
#define AT(t, j, k) (t)[(j) * (umax + 1) + (k)]
    for (size_t j = 0; j <= n; j++)
        AT(prev, j, 0) = 1; /* i = 0: one arrangement, U = 0 */
    for (size_t i = 1; i <= m; i++) {
        memset(cur, 0, (n + 1) * (umax + 1) * sizeof *cur);
        for (size_t j = 0; j <= n; j++)
            for (size_t k = 0; k <= i * j; k++) {
                /* the largest element is an a (it beats all j b's) or a b */
                double v = 0;
                if (k >= j)
                    v += AT(prev, j, k - j);
                if (j > 0)
                    v += AT(cur, j - 1, k);
                AT(cur, j, k) = v;
            }
        double *t = prev;
        prev = cur;
        cur = t;
    }
    double total = 0, below = 0;
    for (size_t k = 0; k <= umax; k++) {
        total += AT(prev, n, k);
        if ((double)k <= u + 1e-9)
            below += AT(prev, n, k);
    }
#undef AT
    free(prev);
    free(cur);
    return below / total;
}

int sm_mwu_test(const double *a, size_t na, const double *b, size_t nb, struct sm_mwu *out)
{
    memset(out, 0, sizeof *out);
    out->p = 1;
    out->auc = 0.5;
    if (na == 0 || nb == 0)
        return -1;
    size_t n = na + nb;
    struct tagged *t = malloc(n * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < na; i++)
        t[i] = (struct tagged){a[i], 1};
    for (size_t i = 0; i < nb; i++)
        t[na + i] = (struct tagged){b[i], 0};
    qsort(t, n, sizeof *t, cmp_tagged);
    double rank_a = 0, tie_term = 0;
    int ties = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && t[j + 1].v == t[i].v)
            j++;
        double r = (double)(i + j) / 2.0 + 1.0; /* average rank */
        double cnt = (double)(j - i + 1);
        if (cnt > 1) {
            ties = 1;
            tie_term += cnt * cnt * cnt - cnt;
        }
        for (size_t k = i; k <= j; k++)
            if (t[k].from_a)
                rank_a += r;
        i = j + 1;
    }
    free(t);
    double dna = (double)na, dnb = (double)nb, dn = (double)n;
    out->u = rank_a - dna * (dna + 1) / 2;
    out->auc = out->u / (dna * dnb);
    if (!ties && na <= 30 && nb <= 30) {
        double lo = exact_cdf(na, nb, out->u);
        double hi = 1 - exact_cdf(na, nb, out->u - 1); /* P(U >= u) */
        out->exact = 1;
        out->p = fmin(1.0, 2 * fmin(lo, hi));
        return 0;
    }
    double mean = dna * dnb / 2;
    double var = dna * dnb / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
    if (var <= 0) { /* every value equal */
        out->p = 1;
        return 0;
    }
    double d = out->u - mean;
    d = d > 0 ? fmax(0, d - 0.5) : fmin(0, d + 0.5);
    out->z = d / sqrt(var);
    out->p = fmin(1.0, 2 * gsl_cdf_ugaussian_Q(fabs(out->z)));
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* One resample of sorted data, sorted: draw n indices, count them, expand the counts in
 * index order (O(n), no sort). */
static void resample_sorted(gsl_rng *rng, const double *sorted, size_t n, size_t *count,
                            double *out)
{
    memset(count, 0, n * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[gsl_rng_uniform_int(rng, n)]++;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < count[i]; c++)
            out[k++] = sorted[i];
}

int sm_bootstrap_quantile_diff(const double *a, size_t na, const double *b, size_t nb, double q,
                               int iters, unsigned long seed, double conf, struct sm_boot *out)
{
    out->diff = out->lo = out->hi = NAN;
    if (na == 0 || nb == 0 || iters < 10)
        return -1;
    double *sa = sm_sorted_copy(a, na), *sb = sm_sorted_copy(b, nb);
    double *ra = malloc(na * sizeof *ra), *rb = malloc(nb * sizeof *rb);
    size_t *cnt = malloc((na > nb ? na : nb) * sizeof *cnt);
    double *d = malloc((size_t)iters * sizeof *d);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = -1;
    if (!sa || !sb || !ra || !rb || !cnt || !d || !rng)
        goto out;
    gsl_rng_set(rng, seed);
    out->diff = sm_quantile_sorted(sb, nb, q) - sm_quantile_sorted(sa, na, q);
    for (int it = 0; it < iters; it++) {
        resample_sorted(rng, sa, na, cnt, ra);
        resample_sorted(rng, sb, nb, cnt, rb);
        d[it] = sm_quantile_sorted(rb, nb, q) - sm_quantile_sorted(ra, na, q);
    }
    qsort(d, (size_t)iters, sizeof *d, cmp_double);
    out->lo = sm_quantile_sorted(d, (size_t)iters, (1 - conf) / 2);
    out->hi = sm_quantile_sorted(d, (size_t)iters, 1 - (1 - conf) / 2);
    rc = 0;
out:
    free(sa);
    free(sb);
    free(ra);
    free(rb);
    free(cnt);
    free(d);
    if (rng)
        gsl_rng_free(rng);
    return rc;
}

void sm_holm_adjust(double *p, size_t n)
{
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) { /* fall back to Bonferroni */
        for (size_t i = 0; i < n; i++)
            p[i] = fmin(1, p[i] * (double)n);
        return;
    }
    gsl_sort_index(idx, p, 1, n);
    double run = 0;
    for (size_t k = 0; k < n; k++) {
        double adj = fmin(1, p[idx[k]] * (double)(n - k));
        run = fmax(run, adj);
        p[idx[k]] = run;
    }
    free(idx);
}
