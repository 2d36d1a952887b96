/* Two deterministic runs identical call for call (identical.h). */
#include "identical.h"

#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_value(double x, double y)
{
    return (isnan(x) && isnan(y)) || x == y;
}

double sm_same_fraction(const double *a, size_t na, const double *b, size_t nb)
{
    size_t n = na < nb ? na : nb, longest = na > nb ? na : nb, same = 0;
    if (longest == 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        same += (size_t)same_value(a[i], b[i]);
    return (double)same / (double)longest;
}

/* the non-NaN values, sorted (caller frees; NULL when there are none) */
static double *sorted_values(const double *x, size_t n, size_t *k)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    *k = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            v[(*k)++] = x[i];
    double *s = *k ? sm_sorted_copy(v, *k) : NULL;
    free(v);
    return s;
}

int sm_quantiles_same(const double *a, size_t na, const double *b, size_t nb)
{
    size_t ka, kb;
    double *sa = sorted_values(a, na, &ka), *sb = sorted_values(b, nb, &kb);
    int same = ka == kb;
    static const double q[] = {0.5, 0.99, 1};
    for (size_t i = 0; same && ka && i < sizeof q / sizeof *q; i++)
        same = sa && sb && sm_quantile_sorted(sa, ka, q[i]) == sm_quantile_sorted(sb, kb, q[i]);
    free(sa);
    free(sb);
    return same;
}

int sm_run_deterministic(const struct sm_run *r)
{
    return r->mode && !strcmp(r->mode, "deterministic");
}

void sm_runs_identical(const struct sm_run *a, const struct sm_run *b, double min_same,
                       struct sm_identical *out)
{
    memset(out, 0, sizeof *out);
    out->deterministic = sm_run_deterministic(a) && sm_run_deterministic(b);
    out->na = a->ncalls;
    out->nb = b->ncalls;
    out->same_e2e =
        sm_same_fraction(a->series[S_E2E_NS], a->ncalls, b->series[S_E2E_NS], b->ncalls);
    out->same_wake = sm_same_fraction(a->series[S_MEDIATOR_WAKE_NS], a->ncalls,
                                      b->series[S_MEDIATOR_WAKE_NS], b->ncalls);
    out->same_switches =
        sm_same_fraction(a->series[S_SWITCHES], a->ncalls, b->series[S_SWITCHES], b->ncalls);
    out->quantiles_same =
        sm_quantiles_same(a->series[S_E2E_NS], a->ncalls, b->series[S_E2E_NS], b->ncalls);
    out->identical = out->deterministic && a->ncalls > 0 && a->ncalls == b->ncalls &&
                     out->same_e2e >= min_same && out->same_wake >= min_same &&
                     out->same_switches >= min_same && out->quantiles_same;
}
