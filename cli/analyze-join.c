#include "analyze-join.h"

#include "calls_log.h"
#include "hist.h"
#include "hist_json.h"
#include "join.h"
#include "ticks.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void sm_analyze_join_hint(struct sm_analyze_join *aj, int64_t offset, int64_t tolerance)
{
    aj->has_hint = 1;
    aj->hint = offset;
    aj->hint_tol = tolerance;
}

static void set_msg(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

int sm_analyze_join_new(struct sm_analyze_join **out, const char *log_path, double cpu_hz,
                        char *msg, size_t msg_len)
{
    *out = NULL;
    struct sm_analyze_join *aj = calloc(1, sizeof *aj);
    if (!aj) {
        set_msg(msg, msg_len, "out of memory");
        return -1;
    }
    struct sm_log_error err;
    if (sm_calls_log_read(log_path, &aj->log, &err) != 0) {
        set_msg(msg, msg_len, "%s", err.msg);
        free(aj);
        return -1;
    }
    aj->cpu_hz = cpu_hz;
    *out = aj;
    return 0;
}

int sm_analyze_join_add(struct sm_analyze_join *aj, const struct sm_call *call)
{
    if (aj->n == aj->alloc) {
        size_t na = aj->alloc ? 2 * aj->alloc : 1024;
        struct sm_call *nc = realloc(aj->calls, na * sizeof *nc);
        if (!nc) {
            aj->oom = 1;
            return -1;
        }
        aj->calls = nc;
        aj->alloc = na;
    }
    aj->calls[aj->n++] = *call;
    return 0;
}

static int cmp_window(const void *x, const void *y)
{
    const struct sm_recover_window *a = x, *b = y;
    return (a->start > b->start) - (a->start < b->start);
}

static void warnf(struct sm_join_warnings *w, const char *fmt, ...)
{
    if (w->n >= SM_JOIN_WARN_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->text[w->n++], sizeof w->text[0], fmt, ap);
    va_end(ap);
}

int sm_analyze_join_run(struct sm_analyze_join *aj, uint64_t trace_first, uint64_t trace_last,
                        char *msg, size_t msg_len)
{
    const char *name = aj->log->name;
    if (aj->oom) {
        set_msg(msg, msg_len, "%s: out of memory keeping the trace's calls", name);
        return -1;
    }
    struct sm_join_opts opts = {trace_first, trace_last, aj->has_hint, aj->hint, aj->hint_tol};
    struct sm_join_error err;
    sm_join_summary_free(aj->sum); /* a second run (after recovery) replaces the first */
    aj->sum = NULL;
    sm_join_free(aj->join);
    aj->join = NULL;
    aj->hint_ignored = 0;
    int rc = sm_join_run(aj->calls, aj->n, aj->log->calls, aj->log->n, &opts, &aj->join, &err);
    if (rc != 0 && aj->has_hint) {
        /* the prior may not hold (another machine's Xen): the data alone, then */
        opts.has_offset_hint = 0;
        if (sm_join_run(aj->calls, aj->n, aj->log->calls, aj->log->n, &opts, &aj->join, &err) ==
            0) {
            rc = 0;
            aj->hint_ignored = 1;
        }
    }
    if (rc != 0) {
        set_msg(msg, msg_len, "%s: %s", name, err.msg);
        return -1;
    }
    if (sm_join_summarize(aj->join, aj->calls, aj->log->calls, aj->cpu_hz, &aj->sum) != 0) {
        set_msg(msg, msg_len, "%s: out of memory", name);
        return -1;
    }
    return 0;
}

void sm_analyze_join_warnings(const struct sm_analyze_join *aj, struct sm_join_warnings *w)
{
    w->n = 0;
    const char *name = aj->log->name;
    const struct sm_join *j = aj->join;
    if (!j)
        return;
    if (aj->hint_ignored)
        warnf(w,
              "%s: no offset near the client's creation time (%" PRId64
              " ticks) fits; joined on the data alone",
              name, aj->hint);
    if (j->log_only_in_trace)
        warnf(w, "%s: %zu log call%s that lie in the trace were not found in it (docs/join.md)",
              name, j->log_only_in_trace, j->log_only_in_trace == 1 ? "" : "s");
    if (j->recovered)
        warnf(w,
              "%s: %zu log call%s missed by the detector, rebuilt from the trace inside the "
              "guest's window (join.recovered, docs/join.md); %zu of them left no notify, no "
              "block of the client and no answer in the trace (join.recovered_unrecorded)",
              name, j->recovered, j->recovered == 1 ? "" : "s", j->recovered_unrecorded);
    if (j->trace_only_in_log)
        warnf(w,
              "%s: %zu call%s found in the trace within the log's span have no "
              "log line",
              name, j->trace_only_in_log, j->trace_only_in_log == 1 ? "" : "s");
    if (j->trace_only_in_matched)
        warnf(w,
              "%s: %zu call%s found in the trace lie inside the guest window of another matched "
              "call: the same call found twice?",
              name, j->trace_only_in_matched, j->trace_only_in_matched == 1 ? "" : "s");
    if (j->inconsistent)
        warnf(w,
              "%s: %zu trace call%s end after the guest saw the call end: left out of the "
              "joined figures",
              name, j->inconsistent, j->inconsistent == 1 ? "" : "s");
    if (aj->log->not_ok)
        warnf(w, "%s: %zu call%s with a status other than ok", name, aj->log->not_ok,
              aj->log->not_ok == 1 ? "" : "s");
}

struct sm_recover_window *sm_analyze_join_missed(const struct sm_analyze_join *aj,
                                                 uint64_t trace_first, uint64_t trace_last,
                                                 size_t *n)
{
    *n = 0;
    const struct sm_join *j = aj->join;
    if (!j)
        return NULL;
    struct sm_recover_window *w = malloc(sizeof *w * (j->n_log ? j->n_log : 1));
    if (!w)
        return NULL;
    for (size_t i = 0; i < j->n_log; i++) {
        if (j->log_state[i] == SM_JOIN_MATCHED)
            continue;
        int64_t s = (int64_t)aj->log->calls[i].start_cntvct + j->offset_ticks;
        int64_t e = (int64_t)aj->log->calls[i].end_cntvct + j->offset_ticks;
        if (s < (int64_t)trace_first || e > (int64_t)trace_last || e < s)
            continue;
        w[(*n)++] = (struct sm_recover_window){(uint64_t)s, (uint64_t)e};
    }
    qsort(w, *n, sizeof *w, cmp_window);
    return w;
}

size_t sm_analyze_join_ncalls(const struct sm_analyze_join *aj)
{
    return aj->n;
}

const struct sm_call *sm_analyze_join_call(const struct sm_analyze_join *aj, size_t k)
{
    return k < aj->n ? &aj->calls[k] : NULL;
}

void sm_analyze_join_free(struct sm_analyze_join *aj)
{
    if (!aj)
        return;
    sm_calls_log_free(aj->log);
    free(aj->calls);
    sm_join_free(aj->join);
    sm_join_summary_free(aj->sum);
    free(aj);
}
