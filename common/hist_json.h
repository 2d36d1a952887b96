/* The one JSON form of a histogram (docs/analyze.md, docs/bench.md), used by smclat analyze, the
 * join, smclat-gen and smclat-pingpong. */
#ifndef SMCLAT_COMMON_HIST_JSON_H
#define SMCLAT_COMMON_HIST_JSON_H

#include "hist.h"

#include <jansson.h>

/* {"n", "min", "mean", "p50", "p90", "p99", "p999", "max"} of h, every value but n multiplied
 * by scale (1, or ns per tick for a histogram of ticks) and rounded to an integer (mean: a
 * real); n = 0 gives null for every other key. NULL when out of memory. */
json_t *sm_hist_json(const struct sm_hist *h, double scale);

#endif
