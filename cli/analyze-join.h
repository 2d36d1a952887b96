/* `smclat analyze --calls-log FILE`: the glue between the analyzer and the join
 * (trace-parse/join.h): collects the calls the detector hands out and joins them with the
 * generator's log once the trace is read. The result is data (struct sm_analyze_join below),
 * written by cli/analyze-render.c with the rest of the analysis (docs/join.md).
 *
 * Use from the analyzer:
 *     sm_analyze_join_new(&aj, path, hz, &msg)     before reading the trace (reads the log)
 *     sm_analyze_join_add(aj, call)                from the on_call callback, for each call
 *     sm_analyze_join_run(aj, first, last, &msg)   after the trace (exit 2 when it refuses)
 *     sm_analyze_join_warnings(aj, &w)             the warnings of the last join, as data
 *     sm_analyze_join_free(aj) */
#ifndef SMCLAT_JOIN_OUTPUT_H
#define SMCLAT_JOIN_OUTPUT_H

#include "calls.h"
#include "recover.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calls_log.h"
#include "join.h"

struct sm_analyze_join {
    struct sm_calls_log *log;
    double cpu_hz;
    struct sm_call *calls;
    size_t n, alloc;
    int oom;
    struct sm_join *join;
    struct sm_join_summary *sum;
    int has_hint;     /* sm_analyze_join_hint() */
    int hint_ignored; /* no offset near the hint fitted: joined on the data alone */
    int64_t hint, hint_tol;
};

/* The warnings of a join, as text ("calls.csv: 3 log calls that lie in the trace ..."). */
#define SM_JOIN_WARN_MAX 8
struct sm_join_warnings {
    int n;
    char text[SM_JOIN_WARN_MAX][320];
};

/* Reads the log. Returns 0, or -1 with a one-line message in msg ("calls.csv:3: ..."). */
int sm_analyze_join_new(struct sm_analyze_join **out, const char *log_path, double cpu_hz,
                        char *msg, size_t msg_len);
/* Keeps a copy of a call found in the trace. Returns 0, or -1 when out of memory (then
 * sm_analyze_join_run refuses). */
int sm_analyze_join_add(struct sm_analyze_join *aj, const struct sm_call *call);
/* A prior on the clock offset: the client domain's creation time in trace ticks (metadata
 * created_ticks), within tolerance ticks. When no offset near it fits, the join runs on the
 * data alone (with a warning). */
void sm_analyze_join_hint(struct sm_analyze_join *aj, int64_t offset, int64_t tolerance);
/* Joins (again, after calls were added: the last join replaces the one before).
 * trace_first/last: the trace's first and last timestamps (0, 0: from the calls). Returns 0,
 * or -1 with msg filled ("calls.csv: no consistent clock offset: ..."). */
int sm_analyze_join_run(struct sm_analyze_join *aj, uint64_t trace_first, uint64_t trace_last,
                        char *msg, size_t msg_len);
/* The last join's warnings (log calls in the trace not found or rebuilt, trace calls in the
 * log's span without a line, ...) into *w (none without a join). */
void sm_analyze_join_warnings(const struct sm_analyze_join *aj, struct sm_join_warnings *w);
/* After a join: the windows in trace ticks (sorted, malloc'd; *n of them) of the logged calls
 * inside the trace [trace_first, trace_last] that no trace call matched: the analyzer rebuilds
 * them (recover.h) in a second pass, adds them with sm_analyze_join_add and joins again.
 * NULL with *n = 0 when there are none, no join, or no memory. */
struct sm_recover_window *sm_analyze_join_missed(const struct sm_analyze_join *aj,
                                                 uint64_t trace_first, uint64_t trace_last,
                                                 size_t *n);
/* The calls kept, in the order they came (for --calls-csv written after the join). */
size_t sm_analyze_join_ncalls(const struct sm_analyze_join *aj);
const struct sm_call *sm_analyze_join_call(const struct sm_analyze_join *aj, size_t k);
void sm_analyze_join_free(struct sm_analyze_join *aj);

#endif
