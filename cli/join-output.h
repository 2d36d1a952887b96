/* `smclat analyze --calls-log FILE`: the glue between the analyzer and the join
 * (trace-parse/join.h): collects the calls the detector hands out, joins them with the
 * generator's log once the trace is read, and writes the results (JSON keys, extra CSV columns,
 * summary lines). docs/join.md describes the output.
 *
 * Use from the analyzer:
 *     sm_analyze_join_new(&aj, path, hz, &msg)     before reading the trace (reads the log)
 *     sm_analyze_join_add(aj, call)                from the on_call callback, for each call
 *     sm_analyze_join_run(aj, first, last, &msg)   after the trace (exit 2 when it refuses)
 *     sm_analyze_join_warn(aj, warn, ctx)          the warnings of the last join
 *     sm_analyze_join_json(aj, root)               adds "join" and keys under "calls"
 *     sm_analyze_join_csv_*                        the joined columns of --calls-csv
 *     sm_analyze_join_print(aj, stdout)            the human summary's lines
 *     sm_analyze_join_free(aj) */
#ifndef SMCLAT_JOIN_OUTPUT_H
#define SMCLAT_JOIN_OUTPUT_H

#include "calls.h"
#include "recover.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sm_analyze_join;

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
 * log's span without a line, ...), each handed to warn(warn_ctx, text). */
void sm_analyze_join_warn(const struct sm_analyze_join *aj,
                          void (*warn)(void *warn_ctx, const char *text), void *warn_ctx);
/* Adds root["join"] and, under root["calls"] (created when missing), the figures of matched
 * calls: "guest_rtt_ns", "outside_window_ns", "matched" and "by_op". Returns 0, -1 when out of
 * memory. */
int sm_analyze_join_json(const struct sm_analyze_join *aj, json_t *root);
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
/* Extra CSV columns, each starting with a comma, without the line end: the header, then the
 * values for the k-th call kept (empty when the join refused). */
void sm_analyze_join_csv_header(FILE *f);
void sm_analyze_join_csv_row(const struct sm_analyze_join *aj, size_t k, FILE *f);
/* A few lines for the human summary. */
void sm_analyze_join_print(const struct sm_analyze_join *aj, FILE *f);
void sm_analyze_join_free(struct sm_analyze_join *aj);

#endif
