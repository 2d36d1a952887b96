/* smclat regress: a history of runs (JSON lines, one per run), the newest checked against
 * the last good one (docs/reports.md). Entries are jansson objects the caller owns. */
#ifndef SMCLAT_REGRESS_H
#define SMCLAT_REGRESS_H

#include "results.h"

#include <jansson.h>
#include <stdio.h>

struct sm_regress_opts {
    double threshold; /* relative worsening that counts (0.10) */
    double alpha;     /* significance level over all gated metrics (0.05) */
    int iters;        /* bootstrap resamples */
    int max_samples;  /* per series kept in the history (2000) */
    /* change points over the history (changepoint.h) */
    double cp_alpha;  /* significance of each change point (0.01) */
    int permutations; /* permutation test resamples (199) */
    double exact_tol; /* deterministic series: relative change that counts; < 0: 1% */
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
 * *report (verdict "identical", no test, when both runs are deterministic and their samples
 * agree as identical.h says); returns the number of regressions. */
int sm_regress_check(const json_t *history, json_t *entry, const struct sm_regress_opts *o,
                     json_t **report);

/* The figures change points are looked for in, worse when higher: e2e_p50_ns, e2e_p99_ns,
 * mediator_wake_p99_ns, switches_mean, incomplete; NULL-terminated. */
extern const char *const sm_cp_metrics[];

/* Checks the history and the new entry before anything is decided: runs of one commit must be
 * next to each other (a commit seen again after others is an error: the history is out of
 * order); a commit run again right after itself is a warning (its runs are kept together).
 * Warnings (strings) are appended to warnings. Returns 0, or -1 with err. */
int sm_regress_validate(const json_t *history, const json_t *entry, json_t *warnings, char *err,
                        size_t errlen);

/* Change points of every configuration and sm_cp_metrics figure over all (history + the new
 * entry, oldest first; the last entry is the newest run). A configuration's series is its
 * non-partial runs with that figure; it is deterministic (every change counts, beyond
 * exact_tol) when every run's "mode" is "deterministic" and the figure is one such runs repeat
 * exactly (e2e_p50_ns: their tails do not), else E-divisive. since: a commit in
 * all, or NULL: with it, only change points after its (last) run are listed and the gate
 * compares the newest segment with the segment holding that run; without it, with the segment
 * before the newest change point and those just before it that shifted the same way (a drift).
 * Returns an array of {configuration, metric, method, runs, in_newest, change_points:
 * [{configuration, metric, commit, previous_commit, date, run, before, after, change, p_value,
 * confidence, method, runs_before, runs_after}], verdict ("regression", "improvement", "same", "no
 * change", "too few runs", "not in this run"), reference_commit, before, after, change, note}. */
json_t *sm_regress_changes(const json_t *all, const struct sm_regress_opts *o, const char *since);

/* CI outputs of one regress run (docs/reports.md): checks is sm_regress_check's report, series
 * sm_regress_changes' answer. JUnit XML: one test case per configuration and change point
 * figure, a failure when either the change points or the newest run say regression (the
 * message carries the numbers), skipped when the configuration is not in the newest run.
 * Returns the number of failures written, -1 on a write error. */
int sm_regress_junit(FILE *f, const char *commit, const char *date, const json_t *checks,
                     const json_t *series);

/* A markdown job summary (GitHub's $GITHUB_STEP_SUMMARY, a GitLab note): the verdict, the
 * change points, the newest run's checks, the warnings. Returns 0 or -1. */
int sm_regress_summary_md(FILE *f, const char *commit, const json_t *checks, const json_t *series,
                          const json_t *warnings, size_t runs, const struct sm_regress_opts *o);

/* "431.6 us" for *_ns figures, "2.02" for the others (static buffer, one at a time). */
const char *sm_regress_fmt(const char *metric, double v, char *buf, size_t len);

#endif
