/* One analysis session (in the manner of perf's perf_session + perf_tool): resolves the input
 * once, a trace file, a CTF folder (docs/babeltrace2.md) or a results folder
 * (docs/results-folder.md), reads its metadata.json once, finds the generator's calls.csv, and
 * runs passes over the trace, feeding the scheduler model and then the consumer's callbacks.
 * Consumers: smclat analyze (cli/builtin-analyze.c), smclat dump (cli/builtin-dump.c).
 *
 * Library code: prints nothing, never exits; errors come back as one message naming the file.
 * Ownership: struct sm_session is the caller's (no allocation); a pass opens and closes the
 * trace itself. */
#ifndef SMCLAT_SESSION_H
#define SMCLAT_SESSION_H

#include "metadata.h"
#include "model.h"
#include "xt_event.h"
#include "xt_reader.h"

#include <limits.h>

struct sm_session {
    const char *trace;       /* the trace file or CTF folder (points into the buffers below) */
    const char *metadata;    /* the metadata.json read, NULL when none */
    const char *calls_log;   /* a results folder's calls.csv, NULL when none */
    int results_dir;         /* the input was a results folder */
    struct sm_metadata meta; /* hz and roles -1 when the metadata has none (or no metadata) */
    char trace_buf[PATH_MAX], meta_buf[PATH_MAX], log_buf[PATH_MAX];
};

/* Resolves input: a results folder (its trace.bin, metadata.json, calls.csv), else a trace
 * file or CTF folder (metadata.json beside it). metadata: a metadata.json given explicitly, or
 * NULL. Returns 0, or -1 with msg ("PATH: No such file or directory", the metadata's error). */
int sm_session_open(struct sm_session *s, const char *input, const char *metadata, char *msg,
                    size_t size);

/* The paths alone (trace, metadata.json, calls.csv), nothing read or checked: for a consumer
 * that needs only the trace (smclat dump: its reader names a missing file). */
void sm_session_resolve(struct sm_session *s, const char *input);

/* The timer rate of the session's trace: the metadata's, else the one a CTF trace carries (the
 * CTF folder is probed here). Returns 0 with *hz set (-1: neither knows it), or -1 with msg
 * (a CTF folder that cannot be read). */
int sm_session_rate(const struct sm_session *s, double *hz, char *msg, size_t size);

/* The consumer's callbacks for one pass (any may be NULL). */
struct sm_session_tool {
    /* each record, decoded after the model saw it; scheduler-class records (credit2's) come
     * with kind XT_K_SCHED_CLASS and only their time and pCPU (the model needs no more) */
    void (*event)(void *ctx, const struct xt_record *rec, const struct xt_event *ev);
    /* every 2^20 records and once at the end (done 1, after more than 2^20): how far */
    void (*progress)(void *ctx, const char *name, double pct, uint64_t file_bytes, int done);
    void *ctx;
};

/* What a pass read. */
struct sm_pass {
    int read_rc;           /* 0: every record read; -1: a broken record (err) */
    struct xt_error err;   /* the reader's message (read_rc -1, or the open failure) */
    struct xt_stats stats; /* the reader's counts */
};

/* One pass over the whole trace: every record to model m, then to the tool. Returns 0 (see
 * pass->read_rc), -1 when the trace cannot be opened (pass->err), -2 out of memory (the model's
 * feed). Each pCPU of m ends at its last record when every record was read. */
int sm_session_pass(const struct sm_session *s, struct sm_model *m,
                    const struct sm_session_tool *tool, struct sm_pass *pass);

#endif
