/* JSON helpers shared by smclat-gen and smclat-mediator (jansson). */
#ifndef SMCLAT_BENCH_SUMMARY_JSON_H
#define SMCLAT_BENCH_SUMMARY_JSON_H

#include "hist.h"

#include <jansson.h>

/* {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"} of a histogram. */
json_t *sm_hist_json(const struct sm_hist *h);
/* Writes j (indented) to path through a temporary file and a rename. 0 or -1 (errno). */
int sm_json_write_file(json_t *j, const char *path);

#endif
