/* smclat analyze: runstate totals, wake latencies and calls of a xentrace file (docs/analyze.md).
 *
 * Reads the trace once (twice with --roles auto: a first pass picks the roles), feeding the
 * decoded events to the model and the call detector; writes calls to --calls-csv as they are
 * found; prints a human summary or the JSON of docs/analyze.md. */
#include "calls.h"
#include "commands.h"
#include "hist.h"
#include "hist_json.h"
#include "join-output.h"
#include "model.h"
#include "options.h"
#include "session.h" /* a trace file, CTF folder or results folder (docs/babeltrace2.md) */
#include "ticks.h"
#include "xt_event.h"
#include "xt_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_UNKNOWN_IDS 64

struct analysis {
    const struct sm_session *session;
    const char *trace;    /* path of the trace file */
    const char *metadata; /* path of metadata.json, NULL when none */
    double hz;
    long client, mediator; /* -1 when unknown */
    char roles_how[256];
    struct sm_model *model;
    struct sm_calls *calls;
    struct sm_analyze_join *join; /* --calls-log (docs/join.md) */
    FILE *csv;
    const char *csv_path;
    int csv_error;
    struct xt_stats rstats;
    int partial;
    char warnings[8][320];
    int nwarnings;
    uint32_t unknown_ids[MAX_UNKNOWN_IDS];
    uint64_t unknown_counts[MAX_UNKNOWN_IDS];
    unsigned n_unknown;
    uint64_t unknown_other;
};

static void add_warning(struct analysis *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_warning(struct analysis *a, const char *fmt, ...)
{
    char buf[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "warning: %s\n", buf);
    if (a->nwarnings < (int)(sizeof a->warnings / sizeof a->warnings[0]))
        snprintf(a->warnings[a->nwarnings++], sizeof a->warnings[0], "%s", buf);
}

static double ticks_to_ns(const struct analysis *a, double ticks)
{
    return sm_ticks_to_ns(ticks, a->hz);
}

static uint64_t ns_u(const struct analysis *a, uint64_t ticks)
{
    return (uint64_t)llround(ticks_to_ns(a, (double)ticks));
}

/* ---- one pass over the trace ---- */

static void note_unknown(struct analysis *a, uint32_t id)
{
    for (unsigned i = 0; i < a->n_unknown; i++)
        if (a->unknown_ids[i] == id) {
            a->unknown_counts[i]++;
            return;
        }
    if (a->n_unknown < MAX_UNKNOWN_IDS) {
        a->unknown_ids[a->n_unknown] = id;
        a->unknown_counts[a->n_unknown++] = 1;
    } else {
        a->unknown_other++;
    }
}

static void progress(void *ctx, const char *name, double pct, uint64_t file_bytes, int done)
{
    (void)ctx;
    fprintf(stderr, "\ranalyze: %5.1f%% of %s (%.0f MB)%s", pct, name, (double)file_bytes / 1e6,
            done ? "\n" : "");
}

/* What one pass feeds, after the model: the roles finder, the rebuilder of missed calls or the
 * call detector (one of them). */
struct pass_ctx {
    struct analysis *a;
    struct sm_model *m;
    struct sm_calls *calls;
    struct sm_roles *roles;
    struct sm_recover *recover;
};

static void pass_event(void *ctx, const struct xt_record *rec, const struct xt_event *ev)
{
    struct pass_ctx *p = ctx;
    if (p->roles) {
        sm_roles_feed(p->roles, p->m, ev);
    } else if (p->recover) {
        if (ev->kind != XT_K_SCHED_CLASS)
            sm_recover_feed(p->recover, p->m, ev);
    } else {
        if (p->calls && ev->kind != XT_K_SCHED_CLASS)
            sm_calls_feed(p->calls, p->m, ev);
        if (ev->kind == XT_K_UNKNOWN)
            note_unknown(p->a, rec->event);
    }
}

/* Reads the whole trace through the session: the roles pass (roles != NULL), the rebuild of
 * missed calls (recover != NULL) or the analysis (calls may be NULL). Returns 0, or 2 after
 * printing the reader's error (bad input), 1 out of memory. */
static int run_pass(struct analysis *a, struct sm_model *m, struct sm_calls *calls,
                    struct sm_roles *roles, struct sm_recover *recover)
{
    struct pass_ctx ctx = {a, m, calls, roles, recover};
    int tty = isatty(2) && !getenv("SMCLAT_NO_PROGRESS");
    struct sm_session_tool tool = {pass_event, tty ? progress : NULL, &ctx};
    struct sm_pass pass;
    int rc = sm_session_pass(a->session, m, &tool, &pass);
    if (rc == -1) {
        fprintf(stderr, "smclat: %s\n", pass.err.msg);
        return 2;
    }
    if (rc == -2) {
        fprintf(stderr, "smclat: %s: out of memory\n", a->trace);
        return 1;
    }
    a->rstats = pass.stats;
    int status = 0;
    if (pass.read_rc < 0) {
        /* A broken record: what came before is usable, the rest is not. */
        if (!roles && !recover) {
            a->partial = 1;
            add_warning(a, "%s (results up to there only)", pass.err.msg);
        }
        if (a->rstats.records == 0) {
            fprintf(stderr, "smclat: %s\n", pass.err.msg);
            status = 2;
        }
    } else if (a->rstats.truncated && !roles) {
        a->partial = 1;
        add_warning(a,
                    "%s: offset %" PRIu64 ": the trace ends inside a record (recording stopped?)",
                    a->trace, a->rstats.truncated_offset);
    }
    if (status == 0 && a->rstats.records == 0) {
        fprintf(stderr, "smclat: %s: offset 0: expected trace records, found none\n", a->trace);
        status = 2;
    }
    return status;
}

/* The logged calls the detector missed: rebuilt from the trace inside their guest windows in a
 * second pass (trace-parse/recover.h), then kept with the others for the join to run again;
 * *added says how many. Returns 0, or the exit code of a failure. */
static int recover_missed(struct analysis *a, uint64_t first, uint64_t last, size_t *added)
{
    size_t n;
    *added = 0;
    struct sm_recover_window *w = sm_analyze_join_missed(a->join, first, last, &n);
    if (n == 0) {
        free(w);
        return 0;
    }
    struct sm_model *m = NULL;
    struct sm_recover *r = NULL;
    int rc = 1;
    if (sm_model_new(&m) != 0 ||
        sm_recover_new(&r, (uint16_t)a->client, (uint16_t)a->mediator, w, n) != 0) {
        fprintf(stderr, "smclat: out of memory\n");
        goto done;
    }
    rc = run_pass(a, m, NULL, NULL, r);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct sm_call c = *sm_recover_call(r, i);
        c.index = a->calls ? (uint32_t)(sm_calls_stats(a->calls)->calls + i) : (uint32_t)i;
        if (sm_analyze_join_add(a->join, &c) != 0) {
            fprintf(stderr, "smclat: out of memory\n");
            rc = 1;
        } else {
            (*added)++;
        }
    }
done:
    sm_recover_free(r);
    sm_model_free(m);
    free(w);
    return rc;
}

/* ---- --calls-csv ---- */

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

static void on_call(const struct sm_call *c, void *ctx)
{
    struct analysis *a = ctx;
    if (a->join) { /* kept: the CSV is written after the join */
        sm_analyze_join_add(a->join, c);
        return;
    }
    if (!a->csv)
        return;
    csv_call(a->csv, a, c);
    fputc('\n', a->csv);
}

static void join_warn(void *ctx, const char *text)
{
    add_warning(ctx, "%s", text);
}

static const char csv_header[] =
    "index,shape,reason,client_pcpu,t_notify,t_client_block,t_med_wake,t_med_run,t_med_block,"
    "t_answer,t_client_wake,t_client_run,e2e_ns,mediator_wake_ns,mediator_run_ns,"
    "client_wake_ns,sw_client,sw_mediator,sw_idle,sw_other,other_run_ns,mediator_timer_wake,t_"
    "start,"
    "t_end,certainty,recovered";

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

static json_t *domains_json(struct analysis *a)
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

static json_t *calls_json(struct analysis *a)
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

static int print_json(struct analysis *a)
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
    json_object_set_new(root, "calls", a->calls ? calls_json(a) : json_null());
    if (a->join && sm_analyze_join_json(a->join, root) != 0) {
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

static void print_summary(struct analysis *a)
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
        sm_analyze_join_print(a->join, stdout);
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

/* ---- the command ---- */

int cmd_analyze(int argc, char **argv)
{
    double hz = -1;
    const char *metadata = NULL, *roles_opt = NULL, *csv_path = NULL, *log_path = NULL;
    long client = -1, mediator = -1;
    int json = 0;
    const struct sm_opt opts[] = {
        {"cpu-hz", 0, SM_OPT_DOUBLE, &hz, "HZ",
         "timer rate (62.5M under QEMU); else physinfo.cpu_khz of the metadata"},
        {"metadata", 0, SM_OPT_STRING, &metadata, "FILE",
         "metadata.json (default: metadata.json beside the trace)"},
        {"client", 0, SM_OPT_INT, &client, "DOMID", "the client domain of the calls"},
        {"mediator", 0, SM_OPT_INT, &mediator, "DOMID", "the mediator domain of the calls"},
        {"roles", 0, SM_OPT_STRING, &roles_opt, "auto",
         "find the client/mediator pair in the trace (the pair whose wakes alternate)"},
        {"json", 0, SM_OPT_FLAG, &json, NULL, "JSON on stdout (docs/analyze.md)"},
        {"calls-csv", 0, SM_OPT_STRING, &csv_path, "FILE",
         "one line per call found (docs/analyze.md)"},
        {"calls-log", 0, SM_OPT_STRING, &log_path, "FILE",
         "the generator's calls.csv, joined with the trace's calls (docs/join.md); a results "
         "folder's calls.csv is joined without it"},
        SM_OPT_TABLE_END,
    };
    int i =
        sm_parse_opts_one("analyze", "[OPTIONS] TRACE|RESULTS_DIR|CTF_DIR",
                          "Runstate totals, wake latencies and client/mediator calls of a xentrace "
                          "file or of its CTF conversion (docs/analyze.md, docs/calls.md, "
                          "docs/babeltrace2.md).",
                          opts, argc, argv, "TRACE file or results folder");
    if (i < 0)
        return i == SM_OPTS_DONE ? 0 : 2;
    if (roles_opt && strcmp(roles_opt, "auto") != 0) {
        fprintf(stderr, "smclat analyze: --roles: expected 'auto', found '%s'\n", roles_opt);
        return 2;
    }
    if ((client >= 0) != (mediator >= 0) || client > 0x7fff || mediator > 0x7fff ||
        (client >= 0 && client == mediator)) {
        fprintf(stderr,
                "smclat analyze: --client and --mediator go together, as two different domids\n");
        return 2;
    }
    struct analysis a;
    memset(&a, 0, sizeof a);
    a.client = a.mediator = -1;
    struct sm_session session;
    char msg0[1024];
    if (sm_session_open(&session, argv[i], metadata, msg0, sizeof msg0) != 0) {
        fprintf(stderr, "smclat: %s\n", msg0);
        return 2;
    }
    a.session = &session;
    a.trace = session.trace;
    a.metadata = session.metadata;
    /* the results folder's calls.csv: a failed join is only a warning */
    int log_auto = !log_path && session.calls_log;
    if (log_auto)
        log_path = session.calls_log;
    double meta_hz = session.meta.hz;
    long meta_cli = session.meta.client, meta_med = session.meta.mediator;
    if (hz < 0 && meta_hz < 0 && sm_session_rate(&session, &meta_hz, msg0, sizeof msg0) != 0) {
        fprintf(stderr, "smclat: %s\n", msg0);
        return 2;
    }
    a.hz = hz >= 0 ? hz : meta_hz;
    if (hz == 0 || (hz < 0 && meta_hz < 0) || !isfinite(a.hz) || a.hz <= 0) {
        if (hz == 0 || (hz < 0 && meta_hz <= 0 && a.metadata))
            fprintf(stderr, "smclat: %s: the timer rate must be positive (--cpu-hz)\n", a.trace);
        else
            fprintf(stderr,
                    "smclat: %s: the trace does not record its timer rate: give --cpu-hz HZ "
                    "(CNTFRQ: 62.5M under QEMU, `xl info` cpu_mhz) or a metadata.json with "
                    "physinfo.cpu_khz beside it (--metadata FILE)\n",
                    a.trace);
        return 2;
    }
    int rc = 0;
    if (client >= 0) {
        a.client = client;
        a.mediator = mediator;
        snprintf(a.roles_how, sizeof a.roles_how, "given: client d%ld, mediator d%ld", client,
                 mediator);
    } else if (roles_opt) {
        struct sm_model *m0;
        struct sm_roles *ro;
        if (sm_model_new(&m0) != 0 || sm_roles_new(&ro) != 0) {
            fprintf(stderr, "smclat: out of memory\n");
            return 1;
        }
        rc = run_pass(&a, m0, NULL, ro, NULL);
        uint16_t c, m;
        char why[200];
        if (rc == 0 && sm_roles_choose(ro, &c, &m, why, sizeof why)) {
            a.client = c;
            a.mediator = m;
            snprintf(a.roles_how, sizeof a.roles_how, "auto: client d%u, mediator d%u: %s", c, m,
                     why);
        } else if (rc == 0) {
            snprintf(a.roles_how, sizeof a.roles_how, "auto: %s", why);
            add_warning(&a, "--roles auto: %s: no calls looked for", why);
        }
        sm_roles_free(ro);
        sm_model_free(m0);
        if (rc != 0)
            return rc;
        if (a.client >= 0 && json) /* the summary prints it on stdout */
            fprintf(stderr, "roles %s\n", a.roles_how);
    } else if (meta_cli >= 0) {
        a.client = meta_cli;
        a.mediator = meta_med;
        snprintf(a.roles_how, sizeof a.roles_how, "metadata: client d%ld, mediator d%ld (%s)",
                 meta_cli, meta_med, a.metadata);
    } else {
        snprintf(a.roles_how, sizeof a.roles_how,
                 "none (give --client/--mediator or --roles auto to find calls)");
    }
    if (csv_path && a.client < 0) {
        fprintf(stderr, "smclat analyze: --calls-csv needs roles (--client/--mediator or "
                        "--roles auto)\n");
        return 2;
    }
    if (log_auto && a.client < 0)
        log_path = NULL; /* no roles, no calls to join: the analysis goes on without */
    if (log_path && a.client < 0) {
        fprintf(stderr, "smclat analyze: --calls-log needs roles (--client/--mediator, "
                        "--roles auto or the metadata's)\n");
        return 2;
    }
    if (sm_model_new(&a.model) != 0) {
        fprintf(stderr, "smclat: out of memory\n");
        return 1;
    }
    if (a.client >= 0) {
        struct sm_calls_config cfg = {(uint16_t)a.client, (uint16_t)a.mediator, on_call, &a, a.hz};
        if (sm_calls_new(&a.calls, &cfg) != 0) {
            fprintf(stderr, "smclat: out of memory\n");
            sm_model_free(a.model);
            return 1;
        }
    }
    if (log_path) {
        char msg[600];
        if (sm_analyze_join_new(&a.join, log_path, a.hz, msg, sizeof msg) != 0) {
            if (!log_auto) {
                fprintf(stderr, "smclat: %s\n", msg);
                rc = 2;
                goto out;
            }
            add_warning(&a, "not joined with the generator's log: %s", msg);
        }
        for (unsigned k = 0; a.join && k < session.meta.n_created; k++)
            if (session.meta.created[k].domid == a.client) /* Xen set CNTVOFF then: in 2 ms */
                sm_analyze_join_hint(a.join, session.meta.created[k].ticks,
                                     (int64_t)(a.hz * 0.002));
    }
    if (csv_path) {
        a.csv = fopen(csv_path, "w");
        if (!a.csv) {
            fprintf(stderr, "smclat: %s: %s\n", csv_path, strerror(errno));
            rc = 2;
            goto out;
        }
        a.csv_path = csv_path;
        fputs(csv_header, a.csv);
        if (a.join)
            sm_analyze_join_csv_header(a.csv);
        fputc('\n', a.csv);
    }
    rc = run_pass(&a, a.model, a.calls, NULL, NULL);
    if (rc != 0)
        goto out;
    sm_model_finish(a.model);
    if (a.calls)
        sm_calls_finish(a.calls);
    const struct sm_model_stats *ms = sm_model_stats(a.model);
    if (ms->lost_records)
        add_warning(&a,
                    "%s: the hypervisor lost %" PRIu64 " records (%" PRIu64
                    " LOST_RECORDS): windows across them are incomplete",
                    a.trace, ms->lost_records, ms->lost_events);
    /* Signs of a damaged or stitched trace (none on a trace Xen wrote in one go, beyond one
     * first-state mismatch per vCPU where pCPU streams start apart): the figures are computed
     * anyway, but say so. */
    size_t nvcpus = sm_model_nvcpus(a.model);
    if (ms->inconsistencies)
        add_warning(&a,
                    "%s: SWITCH and runstate records disagree %" PRIu64
                    " times on which vCPU a pCPU runs (damaged or stitched trace?)",
                    a.trace, ms->inconsistencies);
    if (ms->first_state_mismatches > nvcpus)
        add_warning(&a,
                    "%s: %" PRIu64 " runstate records do not follow from the state before them "
                    "(more than one per vCPU: damaged or stitched trace?)",
                    a.trace, ms->first_state_mismatches);
    if (a.rstats.tsc_backwards || a.rstats.tsc_jumps)
        add_warning(&a,
                    "%s: timestamps going back (%" PRIu64 ") or jumping ahead (%" PRIu64
                    ", ignored) inside pCPU chunks",
                    a.trace, a.rstats.tsc_backwards, a.rstats.tsc_jumps);
    if (a.join) {
        char msg[600];
        int joined = sm_analyze_join_run(a.join, ms->first_tsc, ms->last_tsc, msg, sizeof msg) == 0;
        size_t recovered = 0;
        if (joined) {
            rc = recover_missed(&a, ms->first_tsc, ms->last_tsc, &recovered);
            if (rc != 0)
                goto out;
        }
        if (recovered) /* the missed calls rebuilt: join again with them */
            joined = sm_analyze_join_run(a.join, ms->first_tsc, ms->last_tsc, msg, sizeof msg) == 0;
        if (joined)
            sm_analyze_join_warn(a.join, join_warn, &a);
        if (!joined && !log_auto) {
            fprintf(stderr, "smclat: %s\n", msg);
            rc = 2;
            goto out;
        }
        if (!joined)
            add_warning(&a, "not joined with the generator's log: %s", msg);
        for (size_t k = 0; a.csv && k < sm_analyze_join_ncalls(a.join); k++) {
            csv_call(a.csv, &a, sm_analyze_join_call(a.join, k));
            sm_analyze_join_csv_row(a.join, k, a.csv); /* empty columns when not joined */
            fputc('\n', a.csv);
        }
        if (!joined) {
            sm_analyze_join_free(a.join);
            a.join = NULL;
        }
    }
    if (json)
        rc = print_json(&a);
    else
        print_summary(&a);
out:
    if (a.csv && fclose(a.csv) != 0 && rc == 0) {
        fprintf(stderr, "smclat: %s: %s\n", csv_path, strerror(errno));
        rc = 1;
    }
    sm_calls_free(a.calls);
    sm_model_free(a.model);
    sm_analyze_join_free(a.join);
    return rc;
}
