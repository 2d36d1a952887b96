/* The generator's calls.csv (docs/results-folder.md): the names of the columns its readers use
 * (trace-parse/calls_log.c for the join, reports/results.c for a report from the log alone),
 * and which calls are samples, the same for both. */
#ifndef SMCLAT_COMMON_CALLS_CSV_H
#define SMCLAT_COMMON_CALLS_CSV_H

#include <string.h>

#define SM_CALLS_COL_SEQ          "seq"
#define SM_CALLS_COL_OP           "op"
#define SM_CALLS_COL_STATUS       "status"
#define SM_CALLS_COL_START_CNTVCT "start_cntvct"
#define SM_CALLS_COL_END_CNTVCT   "end_cntvct"
#define SM_CALLS_COL_START_NS     "start_ns"
#define SM_CALLS_COL_END_NS       "end_ns"
#define SM_CALLS_COL_WARMUP       "warmup"

/* Is a call of the log a sample of the figures? Its status is "ok" (or the log has no status
 * column: NULL) and it is no warm-up call (warmup "1"; NULL: no warmup column). Failed and
 * warm-up calls are still joined with the trace, never counted. Fields as read (spaces around
 * ignored). */
static inline int sm_calls_is_sample(const char *status, const char *warmup)
{
    if (status) {
        status += strspn(status, " \t");
        if (strncmp(status, "ok", 2) != 0 || status[2 + strspn(status + 2, " \t")] != '\0')
            return 0;
    }
    if (warmup) {
        warmup += strspn(warmup, " \t");
        if (warmup[0] == '1' && warmup[1 + strspn(warmup + 1, " \t")] == '\0')
            return 0;
    }
    return 1;
}

#endif
