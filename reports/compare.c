#include "compare.h"

#include <math.h>
#include <stdlib.h>

void sm_cmp_default_opts(struct sm_cmp_opts *o)
{
    o->alpha = 0.05;
    o->min_effect = 0.01;
    o->iters = 2000;
    o->seed = 1;
    o->m = 1;
    o->skip_p50 = o->skip_p99 = 0;
}

int sm_cmp_samples(const double *a, size_t na, const double *b, size_t nb,
                   const struct sm_cmp_opts *o, struct sm_cmp *out)
{
    *out = (struct sm_cmp){0};
    out->na = na;
    out->nb = nb;
    out->p_adj = 1;
    out->p50_a = out->p50_b = out->p99_a = out->p99_b = NAN;
    out->d50 = out->d99 = (struct sm_boot){NAN, NAN, NAN};
    if (na == 0 || nb == 0)
        return -1;
    double *sa = sm_sorted_copy(a, na), *sb = sm_sorted_copy(b, nb);
    if (!sa || !sb) {
        free(sa);
        free(sb);
        return -1;
    }
    out->p50_a = sm_quantile_sorted(sa, na, 0.5);
    out->p50_b = sm_quantile_sorted(sb, nb, 0.5);
    out->p99_a = sm_quantile_sorted(sa, na, 0.99);
    out->p99_b = sm_quantile_sorted(sb, nb, 0.99);
    free(sa);
    free(sb);
    sm_mwu_test(a, na, b, nb, &out->mwu);
    out->p_adj = out->mwu.p;
    double conf = 1 - o->alpha / (o->m > 0 ? o->m : 1);
    if (!o->skip_p50)
        sm_bootstrap_quantile_diff(a, na, b, nb, 0.5, o->iters, o->seed, conf, &out->d50);
    if (!o->skip_p99)
        sm_bootstrap_quantile_diff(a, na, b, nb, 0.99, o->iters, o->seed + 1, conf, &out->d99);
    return 0;
}

static double rel(double diff, double base)
{
    return base > 0 ? diff / base : (diff > 0 ? INFINITY : diff < 0 ? -INFINITY : 0);
}

void sm_cmp_decide(struct sm_cmp *c, const struct sm_cmp_opts *o)
{
    c->median_verdict = c->tail_verdict = 0;
    if (c->na == 0 || c->nb == 0)
        return;
    double r50 = rel(c->p50_b - c->p50_a, c->p50_a);
    /* the location test and the p50 interval must agree on the direction */
    if (c->p_adj < o->alpha && fabs(r50) >= o->min_effect) {
        if (r50 > 0 && c->mwu.auc < 0.5 && c->d50.lo > 0)
            c->median_verdict = +1;
        else if (r50 < 0 && c->mwu.auc > 0.5 && c->d50.hi < 0)
            c->median_verdict = -1;
    }
    double r99 = rel(c->p99_b - c->p99_a, c->p99_a);
    c->tail_testable = sm_tail_testable(c->na, 0.99) && sm_tail_testable(c->nb, 0.99);
    if (c->tail_testable && fabs(r99) >= o->min_effect) {
        if (c->d99.lo > 0)
            c->tail_verdict = +1;
        else if (c->d99.hi < 0)
            c->tail_verdict = -1;
    }
}

int sm_tail_testable(size_t n, double q)
{
    return (double)n * (1 - q) >= SM_TAIL_MIN_BEYOND - 1e-9;
}

const char *sm_verdict_name(int v)
{
    return v > 0 ? "slower" : v < 0 ? "faster" : "no significant difference";
}
