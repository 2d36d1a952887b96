/* The generator's per-call log (calls.csv, docs/results-folder.md), read for the join with the
 * trace (docs/join.md).
 *
 * A header line names the columns; `start_cntvct` and `end_cntvct` are required, `seq`, `op`,
 * `status`, `warmup`, `start_ns` and `end_ns` are kept when present, any other column is
 * ignored. Fields
 * are separated by commas, with no quoting (the generator never writes a comma inside a field).
 *
 * A library: no printing, no exit. Errors come back in a struct sm_log_error whose message names
 * the file, the line and the column: "calls.csv:7: column 6 (start_cntvct): expected an unsigned
 * integer, found 'x'".
 *
 * Ownership: sm_calls_log_read*() allocate a struct sm_calls_log the caller frees with
 * sm_calls_log_free(). */
#ifndef SMCLAT_CALLS_LOG_H
#define SMCLAT_CALLS_LOG_H

#include <stdint.h>
#include <stdio.h>

#define SM_LOG_NONE UINT64_MAX /* an optional column the log does not have */

/* The kind of call (the generator's `op` column). */
enum sm_log_op {
    SM_LOG_OP_NONE = 0, /* the log has no op column */
    SM_LOG_OP_REGISTER,
    SM_LOG_OP_PROCESS,
    SM_LOG_OP_UNREGISTER,
    SM_LOG_OP_OTHER, /* an op this reader does not know (kept, reported as "other") */
    SM_LOG_OP__COUNT
};

struct sm_log_call {
    uint64_t seq;          /* SM_LOG_NONE without a seq column */
    uint64_t start_cntvct; /* guest CNTVCT ticks around the call */
    uint64_t end_cntvct;
    uint64_t start_ns; /* CLOCK_MONOTONIC; SM_LOG_NONE without the column */
    uint64_t end_ns;
    uint32_t line; /* line of the file, from 1 (the header) */
    enum sm_log_op op;
    int status_ok; /* 1 when status is "ok" or the log has no status column */
    int warmup;    /* 1 for a warm-up call (warmup column 1): joined, not in the figures */
};

struct sm_calls_log {
    char *name; /* the file's name, as given */
    struct sm_log_call *calls;
    size_t n;
    int has_seq, has_op, has_status, has_ns, has_warmup;
    size_t not_ok;  /* calls whose status is not "ok" */
    size_t warmups; /* warm-up calls */
};

struct sm_log_error {
    uint32_t line; /* line the message is about (0: the file as a whole) */
    char msg[512]; /* whole message, starting with the file's name */
};

/* Reads a log file. Returns 0, or -1 with *err filled (unreadable file, no header, a header
 * without start_cntvct or end_cntvct, a malformed line, no calls). */
int sm_calls_log_read(const char *path, struct sm_calls_log **out, struct sm_log_error *err);
/* Same from an open stream; name is used in messages. */
int sm_calls_log_read_stream(FILE *in, const char *name, struct sm_calls_log **out,
                             struct sm_log_error *err);
void sm_calls_log_free(struct sm_calls_log *log);

/* Is the call a sample of the join's figures: status ok and no warm-up (the rule of
 * sm_calls_is_sample() in common/calls_csv.h, which reports use on the same file)? */
static inline int sm_log_call_is_sample(const struct sm_log_call *c)
{
    return c->status_ok && !c->warmup;
}

/* "register", "process", "unregister", "other", or "" for SM_LOG_OP_NONE. */
const char *sm_log_op_name(enum sm_log_op op);

#endif
