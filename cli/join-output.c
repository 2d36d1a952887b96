#include "join-output.h"

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

static void warnf(void (*warn)(void *, const char *), void *ctx, const char *fmt, ...)
{
    if (!warn)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    warn(ctx, text);
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

void sm_analyze_join_warn(const struct sm_analyze_join *aj,
                          void (*warn)(void *warn_ctx, const char *text), void *warn_ctx)
{
    const char *name = aj->log->name;
    const struct sm_join *j = aj->join;
    if (!j)
        return;
    if (aj->hint_ignored)
        warnf(warn, warn_ctx,
              "%s: no offset near the client's creation time (%" PRId64
              " ticks) fits; joined on the data alone",
              name, aj->hint);
    if (j->log_only_in_trace)
        warnf(warn, warn_ctx,
              "%s: %zu log call%s that lie in the trace were not found in it (docs/join.md)", name,
              j->log_only_in_trace, j->log_only_in_trace == 1 ? "" : "s");
    if (j->recovered)
        warnf(warn, warn_ctx,
              "%s: %zu log call%s missed by the detector, rebuilt from the trace inside the "
              "guest's window (join.recovered, docs/join.md)",
              name, j->recovered, j->recovered == 1 ? "" : "s");
    if (j->trace_only_in_log)
        warnf(warn, warn_ctx,
              "%s: %zu call%s found in the trace within the log's span have no "
              "log line",
              name, j->trace_only_in_log, j->trace_only_in_log == 1 ? "" : "s");
    if (j->trace_only_in_matched)
        warnf(warn, warn_ctx,
              "%s: %zu call%s found in the trace lie inside the guest window of another matched "
              "call: the same call found twice?",
              name, j->trace_only_in_matched, j->trace_only_in_matched == 1 ? "" : "s");
    if (j->inconsistent)
        warnf(warn, warn_ctx,
              "%s: %zu trace call%s end after the guest saw the call end: left out of the "
              "joined figures",
              name, j->inconsistent, j->inconsistent == 1 ? "" : "s");
    if (aj->log->not_ok)
        warnf(warn, warn_ctx, "%s: %zu call%s with a status other than ok", name, aj->log->not_ok,
              aj->log->not_ok == 1 ? "" : "s");
}

static json_t *group_json(const struct sm_join_group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "calls", json_integer((json_int_t)g->calls));
    for (int m = 0; m < SM_JM__COUNT; m++)
        json_object_set_new(o, sm_join_metric_name((enum sm_join_metric)m),
                            sm_hist_json(g->h[m], 1));
    return o;
}

int sm_analyze_join_json(const struct sm_analyze_join *aj, json_t *root)
{
    const struct sm_join *j = aj->join;
    json_t *o = json_object();
    if (!o || !j)
        return -1;
    json_object_set_new(o, "log", json_string(aj->log->name));
    json_object_set_new(o, "log_calls", json_integer((json_int_t)j->n_log));
    json_object_set_new(o, "trace_calls", json_integer((json_int_t)j->n_trace));
    json_object_set_new(o, "matched", json_integer((json_int_t)j->matched));
    json_object_set_new(o, "log_only", json_integer((json_int_t)j->log_only));
    json_object_set_new(o, "log_only_in_trace", json_integer((json_int_t)j->log_only_in_trace));
    json_object_set_new(o, "trace_only", json_integer((json_int_t)j->trace_only));
    json_object_set_new(o, "trace_only_in_log", json_integer((json_int_t)j->trace_only_in_log));
    json_object_set_new(o, "trace_only_in_matched",
                        json_integer((json_int_t)j->trace_only_in_matched));
    json_object_set_new(o, "inconsistent", json_integer((json_int_t)j->inconsistent));
    json_object_set_new(o, "recovered", json_integer((json_int_t)j->recovered));
    json_t *rs = json_object(), *fs = json_object();
    for (int k = 0; k < SM_SHAPE__COUNT; k++) {
        json_object_set_new(rs, sm_call_shape_name((enum sm_call_shape)k),
                            json_integer((json_int_t)j->recovered_by_shape[k]));
        json_object_set_new(fs, sm_call_shape_name((enum sm_call_shape)k),
                            json_integer((json_int_t)j->trace_only_in_log_by_shape[k]));
    }
    json_object_set_new(o, "recovered_by_shape", rs);
    json_object_set_new(o, "trace_only_in_log_by_shape", fs);
    json_object_set_new(o, "early_notify", json_integer((json_int_t)j->early_notify));
    json_object_set_new(o, "log_not_ok", json_integer((json_int_t)aj->log->not_ok));
    json_object_set_new(o, "log_warmup", json_integer((json_int_t)aj->log->warmups));
    json_object_set_new(o, "offset_ticks", json_integer((json_int_t)j->offset_ticks));
    json_object_set_new(o, "offset_range_ticks",
                        json_pack("[II]", (json_int_t)j->offset_lo, (json_int_t)j->offset_hi));
    json_object_set_new(o, "offset_how", json_string(j->how));
    json_object_set_new(o, "residual_ns", sm_hist_json(aj->sum->all.h[SM_JM_RESIDUAL], 1));
    json_object_set_new(root, "join", o);

    json_t *calls = json_object_get(root, "calls");
    if (!calls) {
        calls = json_object();
        json_object_set_new(root, "calls", calls);
    }
    const struct sm_join_group *all = &aj->sum->all;
    json_object_set_new(calls, "guest_rtt_ns", sm_hist_json(all->h[SM_JM_GUEST_RTT], 1));
    json_object_set_new(calls, "outside_window_ns", sm_hist_json(all->h[SM_JM_OUTSIDE], 1));
    json_t *m = group_json(all);
    json_t *inter = json_array();
    for (size_t k = 0; k < aj->sum->n_interferers; k++)
        json_array_append_new(inter, json_pack("{s:i,s:I}", "domid", aj->sum->interferers[k].domid,
                                               "calls", (json_int_t)aj->sum->interferers[k].calls));
    json_object_set_new(m, "interference", inter);
    json_object_set_new(calls, "matched", m);
    json_t *by_op = json_object();
    for (int op = SM_LOG_OP_REGISTER; op < SM_LOG_OP__COUNT; op++)
        if (aj->sum->by_op[op].calls)
            json_object_set_new(by_op, sm_log_op_name((enum sm_log_op)op),
                                group_json(&aj->sum->by_op[op]));
    json_object_set_new(calls, "by_op", by_op);
    return 0;
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

void sm_analyze_join_csv_header(FILE *f)
{
    fputs(",join,log_seq,log_line,op,guest_rtt_ns,window_ns,before_window_ns,after_window_ns", f);
}

static void csv_ns(FILE *f, const struct sm_analyze_join *aj, uint64_t ticks)
{
    if (ticks == SM_T_NONE)
        fputs(",", f);
    else
        fprintf(f, ",%" PRIu64, (uint64_t)llround(sm_ticks_to_ns((double)ticks, aj->cpu_hz)));
}

void sm_analyze_join_csv_row(const struct sm_analyze_join *aj, size_t k, FILE *f)
{
    const struct sm_join *j = aj->join;
    static const char *const states[] = {"trace_only", "matched", "inconsistent"};
    if (!j) { /* the join refused */
        fputs(",,,,,,,,", f);
        return;
    }
    int st = k < j->n_trace ? j->trace_state[k] : SM_JOIN_ALONE;
    fprintf(f, ",%s", states[st]);
    if (st != SM_JOIN_MATCHED) {
        fputs(",,,,,,,", f);
        return;
    }
    const struct sm_log_call *lc = &aj->log->calls[j->trace_to_log[k]];
    if (lc->seq != SM_LOG_NONE)
        fprintf(f, ",%" PRIu64, lc->seq);
    else
        fputs(",", f);
    fprintf(f, ",%u,%s", lc->line, sm_log_op_name(lc->op));
    struct sm_join_fig fig;
    sm_join_figures(j, &aj->calls[k], lc, &fig);
    csv_ns(f, aj, fig.guest_rtt);
    csv_ns(f, aj, fig.window);
    csv_ns(f, aj, fig.before);
    csv_ns(f, aj, fig.after);
}

static void print_line(FILE *f, const char *what, const struct sm_hist *h)
{
    if (!sm_hist_count(h))
        return;
    fprintf(f, "  %-22s n=%-6" PRIu64 " p50 %9.1f  p99 %9.1f  max %9.1f us\n", what,
            sm_hist_count(h), sm_hist_percentile(h, 50) / 1e3, sm_hist_percentile(h, 99) / 1e3,
            sm_hist_max(h) / 1e3);
}

void sm_analyze_join_print(const struct sm_analyze_join *aj, FILE *f)
{
    const struct sm_join *j = aj->join;
    if (!j)
        return;
    fprintf(f,
            "join with %s: %zu log calls, %zu trace calls: %zu matched, %zu log only (%zu in "
            "the trace), %zu trace only, %zu inconsistent, %zu with an early notify\n",
            aj->log->name, j->n_log, j->n_trace, j->matched, j->log_only, j->log_only_in_trace,
            j->trace_only, j->inconsistent, j->early_notify);
    fprintf(f,
            "  clock offset %" PRId64 " ticks (all matched calls fit %" PRId64 "..%" PRId64 ")\n",
            j->offset_ticks, j->offset_lo, j->offset_hi);
    const struct sm_join_group *all = &aj->sum->all;
    print_line(f, "residual", all->h[SM_JM_RESIDUAL]);
    print_line(f, "guest round trip", all->h[SM_JM_GUEST_RTT]);
    print_line(f, "trace window", all->h[SM_JM_WINDOW]);
    print_line(f, "outside the window", all->h[SM_JM_OUTSIDE]);
    for (int op = SM_LOG_OP_REGISTER; op < SM_LOG_OP__COUNT; op++) {
        if (!aj->sum->by_op[op].calls)
            continue;
        char what[64];
        snprintf(what, sizeof what, "%s round trip", sm_log_op_name((enum sm_log_op)op));
        print_line(f, what, aj->sum->by_op[op].h[SM_JM_GUEST_RTT]);
    }
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
