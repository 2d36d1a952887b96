/* smclat regress: a history of runs (JSON lines, one per run), the newest checked against
 * the last good one (docs/reports.md). Entries are jansson objects the caller owns. */
#ifndef SMCLAT_REGRESS_H
#define SMCLAT_REGRESS_H

#include "results.h"

#include <jansson.h>

struct sm_regress_opts {
    double threshold; /* relative worsening that counts (0.10) */
    double alpha;     /* significance level over all gated metrics (0.05) */
    int iters;        /* bootstrap resamples */
    int max_samples;  /* per series kept in the history (2000) */
};
void sm_regress_default_opts(struct sm_regress_opts *o);

/* A new history entry for these runs: {"smclat_regress":1, "commit", "date",
 * "configs": {NAME: {"dir", "partial", "metrics": {...}, "samples": {"e2e_ns": [...]}}}}. */
json_t *sm_regress_entry(struct sm_run **runs, int n, const char *commit, const char *date,
                         const struct sm_regress_opts *o);

/* Reads a history file (missing file = empty history). NULL with err on bad input
 * ("FILE:LINE: ..."). */
json_t *sm_regress_load(const char *path, char *err, size_t errlen);

/* Appends entry as one line. Returns 0 or -1 (errno). */
int sm_regress_append(const char *path, const json_t *entry);

/* Checks entry against history (array of older entries): for each config and gated metric
 * (e2e p50, e2e p99, mediator wake p99) the baseline is the newest older entry of that config
 * not marked regressed. A metric regresses when it is worse by more than the threshold AND
 * the bootstrap interval of the difference (and, for p50, Mann-Whitney U) says so at alpha,
 * Bonferroni over the gated tests. Marks entry's configs "regressed" and returns a report
 * array ([{config, metric, baseline_commit, before, after, change, lo, hi, verdict}]) in
 * *report; returns the number of regressions. */
int sm_regress_check(const json_t *history, json_t *entry, const struct sm_regress_opts *o,
                     json_t **report);

#endif
