/* Are two deterministic runs identical? The lab's deterministic mode (docs/lab.md) repeats a
 * scenario call for call: when two runs made that way agree per call, a significance test says
 * nothing more, and compare and regress say "identical" instead (docs/reports.md). */
#ifndef SMCLAT_IDENTICAL_H
#define SMCLAT_IDENTICAL_H

#include "results.h"

#include <stddef.h>

/* The share of calls that must agree on every per-call figure (issue 16: 99%). */
#define SM_IDENTICAL_MIN_SAME 0.99

/* Positions i where a[i] and b[i] are equal (two NaNs are equal), over the longer of the two:
 * 1 when both are empty. */
double sm_same_fraction(const double *a, size_t na, const double *b, size_t nb);

/* p50, p99 and max of the non-NaN values equal (both empty: equal). */
int sm_quantiles_same(const double *a, size_t na, const double *b, size_t nb);

struct sm_identical {
    int deterministic;    /* both runs were made in deterministic mode */
    size_t na, nb;        /* calls in each */
    double same_e2e;      /* share of calls with the same e2e latency */
    double same_wake;     /* ... the same mediator wake latency */
    double same_switches; /* ... the same number of switches */
    int quantiles_same;   /* e2e p50, p99 and max equal */
    int identical;        /* all of it: deterministic, same call count, every share >= min_same */
};

/* Compares runs a and b call by call (calls in order). min_same: SM_IDENTICAL_MIN_SAME. */
void sm_runs_identical(const struct sm_run *a, const struct sm_run *b, double min_same,
                       struct sm_identical *out);

/* 1 when the run says it was made in deterministic mode. */
int sm_run_deterministic(const struct sm_run *r);

#endif
