/* The one writer of smclat analyze's output: the analysis (cli/analysis.h) as text, JSON
 * (docs/analyze.md) and calls-trace.csv (common/calls_trace_cols.h). Reads nothing. */
#include "analysis.h"
#include "calls_trace_cols.h"
#include "hist.h"
#include "hist_json.h"
#include "xt_event.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- calls-trace.csv (common/calls_trace_cols.h) ---- */

static void csv_time(FILE *f, const struct analysis *a, uint64_t t)
{
    if (t == SM_T_NONE)
        fputs(",", f);
    else
        fprintf(f, ",%" PRIu64, t);
    (void)a;
}

static void csv_dur(FILE *f, const struct analysis *a, uint64_t from, uint64_t to)
{
    if (from == SM_T_NONE || to == SM_T_NONE || to < from)
        fputs(",", f);
    else
        fprintf(f, ",%" PRIu64, ns_u(a, to - from));
}

static void csv_call(FILE *f, const struct analysis *a, const struct sm_call *c)
{
    fprintf(f, "%u,%s,%s,%u", c->index, sm_call_shape_name(c->shape), sm_incomplete_name(c->reason),
            c->client_pcpu);
    csv_time(f, a, c->t_notify);
    csv_time(f, a, c->t_client_block);
    csv_time(f, a, c->t_med_wake);
    csv_time(f, a, c->t_med_run);
    csv_time(f, a, c->t_med_block);
    csv_time(f, a, c->t_answer);
    csv_time(f, a, c->t_client_wake);
    csv_time(f, a, c->t_client_run);
    csv_dur(f, a, c->t_client_block, c->t_client_run);
    csv_dur(f, a, c->t_med_wake, c->t_med_run);
    csv_dur(f, a, c->t_med_run, c->t_med_block);
    csv_dur(f, a, c->t_client_wake, c->t_client_run);
    fprintf(f, ",%u,%u,%u,%u,%" PRIu64 ",%u", c->sw_client, c->sw_mediator, c->sw_idle, c->sw_other,
            ns_u(a, c->other_run_ticks), c->mediator_timer_wake);
    csv_time(f, a, c->t_start);
    csv_time(f, a, c->t_end);
    fprintf(f, ",%s,%u", sm_call_certainty_name(c->certainty), c->recovered);
}

static void csv_ns(FILE *f, const struct sm_analyze_join *aj, uint64_t ticks)
{
    if (ticks == SM_T_NONE)
        fputs(",", f);
    else
        fprintf(f, ",%" PRIu64, (uint64_t)llround(sm_ticks_to_ns((double)ticks, aj->cpu_hz)));
}

static void csv_join(FILE *f, const struct sm_analyze_join *aj, size_t k)
{
    const struct sm_join *j = aj->join;
    if (!j) { /* the join refused */
        fputs(",,,,,,,,,", f);
        return;
    }
    int st = k < j->n_trace ? j->trace_state[k] : SM_JOIN_ALONE;
    fprintf(f, ",%s", sm_ct_join_states[st]);
    if (st != SM_JOIN_MATCHED) {
        fputs(",,,,,,,,", f);
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
    fprintf(f, ",%d", sm_log_call_is_sample(lc)); /* counted in the figures, here and in reports */
}

void sm_render_csv_header(FILE *f, int joined)
{
    int n = joined ? SM_CT__COUNT : SM_CT__CALL;
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? "," : "", sm_ct_names[i]);
    fputc('\n', f);
}

void sm_render_csv_row(FILE *f, const struct analysis *a, const struct sm_call *c, size_t k)
{
    csv_call(f, a, c);
    if (a->join)
        csv_join(f, a->join, k); /* empty columns when the join refused */
    fputc('\n', f);
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

/* root["join"], and the matched calls' figures under calls (docs/join.md). */
static int join_json(const struct sm_analyze_join *aj, json_t *root, json_t *calls)
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
    json_object_set_new(o, "recovered_unrecorded",
                        json_integer((json_int_t)j->recovered_unrecorded));
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

/* ---- JSON ---- */

/* A statistics object (docs/analyze.md): a histogram of ticks in ns, or of counts. */
static json_t *stats_json(const struct analysis *a, const struct sm_hist *h, int in_ticks)
{
    return sm_hist_json(h, in_ticks ? sm_ns_per_tick(a->hz) : 1);
}

static const char *state_keys[SM_NSTATES] = {"running", "runnable", "blocked", "offline"};

static const char *role_of(const struct analysis *a, uint16_t domid)
{
    if (domid == XT_DOMID_IDLE)
        return "idle";
    if (a->client >= 0 && domid == a->client)
        return "client";
    if (a->mediator >= 0 && domid == a->mediator)
        return "mediator";
    return NULL;
}

static json_t *domains_json(const struct analysis *a)
{
    json_t *doms = json_array();
    json_t *d = NULL, *vcpus = NULL;
    long cur = -1;
    size_t n = sm_model_nvcpus(a->model);
    for (size_t i = 0; i < n; i++) {
        const struct sm_vcpu *v = sm_model_vcpu_at(a->model, i);
        if (v->domid != cur) {
            cur = v->domid;
            d = json_object();
            vcpus = json_array();
            json_object_set_new(d, "domid", json_integer(v->domid));
            const char *role = role_of(a, v->domid);
            json_object_set_new(d, "role", role ? json_string(role) : json_null());
            json_object_set_new(d, "vcpus", vcpus);
            json_array_append_new(doms, d);
        }
        json_t *o = json_object();
        json_object_set_new(o, "vcpu", json_integer(v->vcpu));
        json_object_set_new(o, "counted", json_boolean(v->counted));
        json_t *rs = json_object(), *rc = json_object();
        for (int s = 0; s < SM_NSTATES; s++) {
            json_object_set_new(rs, state_keys[s], json_integer((json_int_t)ns_u(a, v->ticks[s])));
            json_object_set_new(rc, state_keys[s], json_integer((json_int_t)v->count[s]));
        }
        json_object_set_new(o, "runstate_ns", rs);
        json_object_set_new(o, "runstate_count", rc);
        json_object_set_new(o, "wake_latency_ns", stats_json(a, v->wake, 1));
        json_object_set_new(o, "preempt_wait_ns", stats_json(a, v->preempt, 1));
        json_array_append_new(vcpus, o);
    }
    return doms;
}

static json_t *calls_json(const struct analysis *a)
{
    const struct sm_calls_stats *cs = sm_calls_stats(a->calls);
    json_t *o = json_object();
    json_object_set_new(o, "complete", json_integer((json_int_t)cs->complete));
    json_object_set_new(o, "incomplete", json_integer((json_int_t)(cs->calls - cs->complete)));
    json_t *by = json_object();
    for (int r = 1; r < SM_INC__COUNT; r++)
        json_object_set_new(by, sm_incomplete_name((enum sm_incomplete)r),
                            json_integer((json_int_t)cs->by_reason[r]));
    json_object_set_new(o, "incomplete_by_reason", by);
    json_t *sh = json_object();
    for (int s = 0; s < SM_SHAPE__COUNT; s++)
        json_object_set_new(sh, sm_call_shape_name((enum sm_call_shape)s),
                            json_integer((json_int_t)cs->by_shape[s]));
    json_object_set_new(sh, "mediator_timer_wake",
                        json_integer((json_int_t)cs->with_mediator_timer_wake));
    json_object_set_new(o, "shapes", sh);
    json_object_set_new(o, "mediator_wakes_not_calls",
                        json_integer((json_int_t)cs->mediator_wakes_not_calls));
    json_object_set_new(o, "client_vcpus_untracked",
                        json_integer((json_int_t)cs->client_vcpus_untracked));
    json_t *ce = json_object();
    for (int k = 0; k < SM_CERT__COUNT; k++)
        json_object_set_new(ce, sm_call_certainty_name((enum sm_call_certainty)k),
                            json_integer((json_int_t)cs->by_certainty[k]));
    json_object_set_new(o, "by_certainty", ce);
    json_object_set_new(o, "notifies_certain", json_integer((json_int_t)cs->notifies_certain));
    json_object_set_new(o, "notifies_ambiguous", json_integer((json_int_t)cs->notifies_ambiguous));
    json_object_set_new(o, "mediator_run_per_wake_ns",
                        json_pack("{s:I,s:I}", "call", (json_int_t)ns_u(a, cs->med_run_call_ticks),
                                  "timer", (json_int_t)ns_u(a, cs->med_run_timer_ticks)));
    json_object_set_new(o, "timer_ticks",
                        json_pack("{s:i,s:i,s:I}", "mediator_hz", (int)cs->mediator_tick_hz,
                                  "client_hz", (int)cs->client_tick_hz, "coincidences",
                                  (json_int_t)cs->tick_coincidences));
    json_object_set_new(o, "timer_pairs_without_service",
                        json_integer((json_int_t)cs->timer_pairs_without_service));
    json_object_set_new(o, "answers_without_service",
                        json_integer((json_int_t)cs->answers_without_service));
    json_object_set_new(o, "answers_found_running",
                        json_integer((json_int_t)cs->answers_found_running));
    json_object_set_new(o, "preempted_calls_inferred",
                        json_integer((json_int_t)cs->preempted_calls_inferred));
    json_object_set_new(
        o, "between_calls",
        json_pack("{s:I,s:I,s:I}", "certain_calls", (json_int_t)cs->certain_notify_calls,
                  "certain_without_block", (json_int_t)cs->certain_calls_without_block,
                  "ambiguous_without_block_dropped", (json_int_t)cs->unblocked_calls_dropped));
    json_object_set_new(o, "e2e_ns", stats_json(a, cs->e2e, 1));
    json_object_set_new(o, "mediator_wake_ns", stats_json(a, cs->mediator_wake, 1));
    json_object_set_new(o, "mediator_run_ns", stats_json(a, cs->mediator_run, 1));
    json_object_set_new(o, "client_wake_ns", stats_json(a, cs->client_wake, 1));
    json_t *sw = json_object();
    json_object_set_new(sw, "mean", json_real(sm_hist_mean(cs->switches)));
    json_object_set_new(sw, "max", json_integer((json_int_t)sm_hist_max(cs->switches)));
    json_t *hist = json_array();
    for (unsigned i = 0; i < SM_HIST_SUB; i++) /* switch counts below 128 are exact buckets */
        if (cs->switches->buckets[i]) {
            json_t *b = json_object();
            json_object_set_new(b, "switches", json_integer(i));
            json_object_set_new(b, "calls", json_integer((json_int_t)cs->switches->buckets[i]));
            json_array_append_new(hist, b);
        }
    uint64_t above = 0;
    for (unsigned i = SM_HIST_SUB; i < SM_HIST_BUCKETS; i++)
        above += cs->switches->buckets[i];
    if (above) {
        json_t *b = json_object();
        json_object_set_new(b, "switches", json_string(">=128"));
        json_object_set_new(b, "calls", json_integer((json_int_t)above));
        json_array_append_new(hist, b);
    }
    json_object_set_new(sw, "histogram", hist);
    json_object_set_new(sw, "client", stats_json(a, cs->sw_client, 0));
    json_object_set_new(sw, "mediator", stats_json(a, cs->sw_mediator, 0));
    json_object_set_new(sw, "idle", stats_json(a, cs->sw_idle, 0));
    json_object_set_new(sw, "other", stats_json(a, cs->sw_other, 0));
    json_object_set_new(o, "switches", sw);
    unsigned ni;
    const struct sm_interferer *in = sm_calls_interferers(a->calls, &ni);
    json_t *inter = json_array();
    for (unsigned i = 0; i < ni; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "domid", json_integer(in[i].domid));
        json_object_set_new(x, "calls", json_integer((json_int_t)in[i].calls));
        json_object_set_new(x, "run_ns", json_integer((json_int_t)ns_u(a, in[i].run_ticks)));
        json_array_append_new(inter, x);
    }
    json_object_set_new(o, "interference", inter);
    return o;
}

int sm_render_json(const struct analysis *a)
{
    const struct sm_model_stats *ms = sm_model_stats(a->model);
    json_t *root = json_object();
    json_object_set_new(root, "smclat_analyze", json_integer(1));
    json_object_set_new(root, "file", json_string(a->trace));
    if (a->hz == floor(a->hz) && a->hz < 9e15)
        json_object_set_new(root, "cpu_hz", json_integer((json_int_t)a->hz));
    else
        json_object_set_new(root, "cpu_hz", json_real(a->hz));
    json_object_set_new(root, "partial", json_boolean(a->partial));
    json_t *w = json_array();
    for (int i = 0; i < a->nwarnings; i++)
        json_array_append_new(w, json_string(a->warnings[i]));
    json_object_set_new(root, "warnings", w);
    json_object_set_new(root, "records", json_integer((json_int_t)a->rstats.records));
    json_object_set_new(root, "lost_records", json_integer((json_int_t)ms->lost_records));
    json_t *unk = json_object();
    for (unsigned i = 0; i < a->n_unknown; i++) {
        char key[16];
        snprintf(key, sizeof key, "0x%08x", a->unknown_ids[i]);
        json_object_set_new(unk, key, json_integer((json_int_t)a->unknown_counts[i]));
    }
    if (a->unknown_other)
        json_object_set_new(unk, "other", json_integer((json_int_t)a->unknown_other));
    json_object_set_new(root, "unknown_events", unk);
    json_object_set_new(root, "duration_ns",
                        json_integer((json_int_t)ns_u(a, ms->last_tsc - ms->first_tsc)));
    json_object_set_new(root, "pcpus", json_integer(sm_model_npcpus(a->model)));
    json_t *roles = json_object();
    json_object_set_new(roles, "client", a->client >= 0 ? json_integer(a->client) : json_null());
    json_object_set_new(roles, "mediator",
                        a->mediator >= 0 ? json_integer(a->mediator) : json_null());
    json_object_set_new(roles, "how", json_string(a->roles_how));
    json_object_set_new(root, "roles", roles);
    json_t *calls = a->calls ? calls_json(a) : json_null();
    json_object_set_new(root, "calls", calls);
    if (a->join && join_json(a->join, root, calls) != 0) {
        json_decref(root);
        fprintf(stderr, "smclat: out of memory\n");
        return 1;
    }
    json_object_set_new(root, "domains", domains_json(a));
    json_t *mo = json_object();
    json_object_set_new(mo, "inconsistencies", json_integer((json_int_t)ms->inconsistencies));
    json_object_set_new(mo, "first_state_mismatches",
                        json_integer((json_int_t)ms->first_state_mismatches));
    json_object_set_new(mo, "tsc_skew", json_integer((json_int_t)ms->tsc_skew));
    json_object_set_new(mo, "malformed_events", json_integer((json_int_t)ms->malformed));
    json_object_set_new(mo, "switches", json_integer((json_int_t)ms->switches));
    json_object_set_new(mo, "runstate_changes", json_integer((json_int_t)ms->runstate_changes));
    json_object_set_new(root, "model", mo);
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(root);
    return rc == 0 ? 0 : 1;
}

/* ---- human summary ---- */

static void print_line(FILE *f, const char *what, const struct sm_hist *h)
{
    if (!sm_hist_count(h))
        return;
    fprintf(f, "  %-22s n=%-6" PRIu64 " p50 %9.1f  p99 %9.1f  max %9.1f us\n", what,
            sm_hist_count(h), sm_hist_percentile(h, 50) / 1e3, sm_hist_percentile(h, 99) / 1e3,
            sm_hist_max(h) / 1e3);
}

static void join_text(const struct sm_analyze_join *aj, FILE *f)
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

static void print_stats_line(const struct analysis *a, const char *name, const struct sm_hist *h)
{
    uint64_t n = sm_hist_count(h);
    printf("  %-22s n=%-7" PRIu64, name, n);
    if (n)
        printf(" p50 %9.1f  p90 %9.1f  p99 %9.1f  p99.9 %9.1f  max %9.1f us",
               ticks_to_ns(a, (double)sm_hist_percentile(h, 50)) / 1e3,
               ticks_to_ns(a, (double)sm_hist_percentile(h, 90)) / 1e3,
               ticks_to_ns(a, (double)sm_hist_percentile(h, 99)) / 1e3,
               ticks_to_ns(a, (double)sm_hist_percentile(h, 99.9)) / 1e3,
               ticks_to_ns(a, (double)sm_hist_max(h)) / 1e3);
    putchar('\n');
}

void sm_render_text(const struct analysis *a)
{
    const struct sm_model_stats *ms = sm_model_stats(a->model);
    printf("%s: %" PRIu64 " records, %u pCPUs, %.3f s at %.6g Hz%s\n", a->trace, a->rstats.records,
           sm_model_npcpus(a->model), ticks_to_ns(a, (double)(ms->last_tsc - ms->first_tsc)) / 1e9,
           a->hz, a->partial ? " (PARTIAL)" : "");
    printf("lost records %" PRIu64 ", unknown events %" PRIu64 ", model: %" PRIu64
           " inconsistencies, %" PRIu64 " first-state mismatches\n",
           ms->lost_records, ms->unknown, ms->inconsistencies, ms->first_state_mismatches);
    printf("roles: %s\n", a->roles_how);
    if (a->calls) {
        const struct sm_calls_stats *cs = sm_calls_stats(a->calls);
        printf("\ncalls: %" PRIu64 " complete, %" PRIu64 " incomplete (", cs->complete,
               cs->calls - cs->complete);
        for (int r = 1; r < SM_INC__COUNT; r++)
            printf("%s%s %" PRIu64, r > 1 ? ", " : "", sm_incomplete_name((enum sm_incomplete)r),
                   cs->by_reason[r]);
        printf(")\n  shapes:");
        for (int s = 0; s < SM_SHAPE__COUNT; s++)
            printf(" %s %" PRIu64, sm_call_shape_name((enum sm_call_shape)s), cs->by_shape[s]);
        printf("; with a mediator timer wake %" PRIu64 "\n", cs->with_mediator_timer_wake);
        print_stats_line(a, "end to end", cs->e2e);
        print_stats_line(a, "mediator wake", cs->mediator_wake);
        print_stats_line(a, "mediator run", cs->mediator_run);
        print_stats_line(a, "client wake", cs->client_wake);
        printf("  switches per call: mean %.2f max %" PRIu64
               " (client %.2f, mediator %.2f, idle %.2f, other %.2f)\n",
               sm_hist_mean(cs->switches), sm_hist_max(cs->switches), sm_hist_mean(cs->sw_client),
               sm_hist_mean(cs->sw_mediator), sm_hist_mean(cs->sw_idle),
               sm_hist_mean(cs->sw_other));
        unsigned ni;
        const struct sm_interferer *in = sm_calls_interferers(a->calls, &ni);
        if (ni) {
            printf("  ran on the mediator's pCPU while it waited:");
            for (unsigned i = 0; i < ni; i++)
                printf(" d%u in %" PRIu64 " calls (%.1f ms)", in[i].domid, in[i].calls,
                       ticks_to_ns(a, (double)in[i].run_ticks) / 1e6);
            putchar('\n');
        }
    }
    if (a->join) {
        putchar('\n');
        join_text(a->join, stdout);
    }
    printf("\n%-9s %9s %9s %9s   %s\n", "vcpu", "running", "runnable", "blocked",
           "wake latency / preempt wait (us)");
    size_t n = sm_model_nvcpus(a->model);
    for (size_t i = 0; i < n; i++) {
        const struct sm_vcpu *v = sm_model_vcpu_at(a->model, i);
        char name[32];
        if (v->domid == XT_DOMID_IDLE)
            snprintf(name, sizeof name, "idle v%u", v->vcpu);
        else
            snprintf(name, sizeof name, "d%uv%u", v->domid, v->vcpu);
        printf("%-9s %8.3fs %8.3fs %8.3fs", name, ticks_to_ns(a, (double)v->ticks[0]) / 1e9,
               ticks_to_ns(a, (double)v->ticks[1]) / 1e9,
               ticks_to_ns(a, (double)v->ticks[2]) / 1e9);
        if (sm_hist_count(v->wake))
            printf("   wake n=%" PRIu64 " p50 %.1f p99 %.1f max %.1f", sm_hist_count(v->wake),
                   ticks_to_ns(a, (double)sm_hist_percentile(v->wake, 50)) / 1e3,
                   ticks_to_ns(a, (double)sm_hist_percentile(v->wake, 99)) / 1e3,
                   ticks_to_ns(a, (double)sm_hist_max(v->wake)) / 1e3);
        if (sm_hist_count(v->preempt))
            printf("   preempt n=%" PRIu64 " p50 %.1f", sm_hist_count(v->preempt),
                   ticks_to_ns(a, (double)sm_hist_percentile(v->preempt, 50)) / 1e3);
        if (!v->counted)
            printf("   (never seen running: not counted)");
        putchar('\n');
    }
}
