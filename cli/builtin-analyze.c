/* smclat analyze: runstate totals, wake latencies and calls of a xentrace file (docs/analyze.md).
 *
 * Reads the trace once (twice with --roles auto: a first pass picks the roles), feeding the
 * decoded events to the model and the call detector; writes calls to --calls-csv as they are
 * found; prints a human summary or the JSON of docs/analyze.md. */
#include "analysis.h"
#include "calls.h"
#include "commands.h"
#include "hist.h"
#include "hist_json.h"
#include "model.h"
#include "options.h"
#include "roles.h"
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

static void on_call(const struct sm_call *c, void *ctx)
{
    struct analysis *a = ctx;
    if (a->join) { /* kept: the CSV is written after the join */
        sm_analyze_join_add(a->join, c);
        return;
    }
    if (a->csv)
        sm_render_csv_row(a->csv, a, c, 0);
}

/* ---- the command: options -> session -> passes -> render ---- */

struct analyze_opts {
    double hz; /* -1: from the metadata or the CTF trace */
    const char *metadata, *roles_opt, *csv_path, *log_path;
    long client, mediator;
    int json;
    int log_auto; /* the results folder's calls.csv: a failed join is only a warning */
};

/* Returns the operand's index, or -(exit code + 1) (0 after --help). */
static int parse_options(int argc, char **argv, struct analyze_opts *o)
{
    *o = (struct analyze_opts){.hz = -1, .client = -1, .mediator = -1};
    const struct sm_opt opts[] = {
        {"cpu-hz", 0, SM_OPT_DOUBLE, &o->hz, "HZ",
         "timer rate (62.5M under QEMU); else physinfo.cpu_khz of the metadata"},
        {"metadata", 0, SM_OPT_STRING, &o->metadata, "FILE",
         "metadata.json (default: metadata.json beside the trace)"},
        {"client", 0, SM_OPT_INT, &o->client, "DOMID", "the client domain of the calls"},
        {"mediator", 0, SM_OPT_INT, &o->mediator, "DOMID", "the mediator domain of the calls"},
        {"roles", 0, SM_OPT_STRING, &o->roles_opt, "auto",
         "find the client/mediator pair in the trace (the pair whose wakes alternate)"},
        {"json", 0, SM_OPT_FLAG, &o->json, NULL, "JSON on stdout (docs/analyze.md)"},
        {"calls-csv", 0, SM_OPT_STRING, &o->csv_path, "FILE",
         "one line per call found (docs/analyze.md)"},
        {"calls-log", 0, SM_OPT_STRING, &o->log_path, "FILE",
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
        return i == SM_OPTS_DONE ? -1 : -3;
    if (o->roles_opt && strcmp(o->roles_opt, "auto") != 0) {
        fprintf(stderr, "smclat analyze: --roles: expected 'auto', found '%s'\n", o->roles_opt);
        return -3;
    }
    if ((o->client >= 0) != (o->mediator >= 0) || o->client > 0x7fff || o->mediator > 0x7fff ||
        (o->client >= 0 && o->client == o->mediator)) {
        fprintf(stderr,
                "smclat analyze: --client and --mediator go together, as two different domids\n");
        return -3;
    }
    return i;
}

/* The timer rate: --cpu-hz, else the metadata's, else the CTF trace's. 0, or 2 after printing
 * the error. */
static int choose_rate(struct analysis *a, const struct analyze_opts *o)
{
    char msg[1024];
    double meta_hz = a->session->meta.hz;
    if (o->hz < 0 && meta_hz < 0 && sm_session_rate(a->session, &meta_hz, msg, sizeof msg) != 0) {
        fprintf(stderr, "smclat: %s\n", msg);
        return 2;
    }
    a->hz = o->hz >= 0 ? o->hz : meta_hz;
    if (o->hz == 0 || (o->hz < 0 && meta_hz < 0) || !isfinite(a->hz) || a->hz <= 0) {
        if (o->hz == 0 || (o->hz < 0 && meta_hz <= 0 && a->metadata))
            fprintf(stderr, "smclat: %s: the timer rate must be positive (--cpu-hz)\n", a->trace);
        else
            fprintf(stderr,
                    "smclat: %s: the trace does not record its timer rate: give --cpu-hz HZ "
                    "(CNTFRQ: 62.5M under QEMU, `xl info` cpu_mhz) or a metadata.json with "
                    "physinfo.cpu_khz beside it (--metadata FILE)\n",
                    a->trace);
        return 2;
    }
    return 0;
}

/* --roles auto: a pass of its own over the trace. */
static int find_roles(struct analysis *a, const struct analyze_opts *o)
{
    struct sm_model *m0;
    struct sm_roles *ro;
    if (sm_model_new(&m0) != 0 || sm_roles_new(&ro) != 0) {
        fprintf(stderr, "smclat: out of memory\n");
        return 1;
    }
    int rc = run_pass(a, m0, NULL, ro, NULL);
    uint16_t c, m;
    char why[200];
    if (rc == 0 && sm_roles_choose(ro, &c, &m, why, sizeof why)) {
        a->client = c;
        a->mediator = m;
        snprintf(a->roles_how, sizeof a->roles_how, "auto: client d%u, mediator d%u: %s", c, m,
                 why);
    } else if (rc == 0) {
        snprintf(a->roles_how, sizeof a->roles_how, "auto: %s", why);
        add_warning(a, "--roles auto: %s: no calls looked for", why);
    }
    sm_roles_free(ro);
    sm_model_free(m0);
    if (rc == 0 && a->client >= 0 && o->json) /* the summary prints it on stdout */
        fprintf(stderr, "roles %s\n", a->roles_how);
    return rc;
}

/* The client and the mediator: given, found (--roles auto), or the metadata's. Then the
 * options that need them. 0, or the exit code after printing the error. */
static int choose_roles(struct analysis *a, struct analyze_opts *o)
{
    const struct sm_metadata *md = &a->session->meta;
    if (o->client >= 0) {
        a->client = o->client;
        a->mediator = o->mediator;
        snprintf(a->roles_how, sizeof a->roles_how, "given: client d%ld, mediator d%ld", o->client,
                 o->mediator);
    } else if (o->roles_opt) {
        int rc = find_roles(a, o);
        if (rc != 0)
            return rc;
    } else if (md->client >= 0) {
        a->client = md->client;
        a->mediator = md->mediator;
        snprintf(a->roles_how, sizeof a->roles_how, "metadata: client d%ld, mediator d%ld (%s)",
                 md->client, md->mediator, a->metadata);
    } else {
        snprintf(a->roles_how, sizeof a->roles_how,
                 "none (give --client/--mediator or --roles auto to find calls)");
    }
    if (o->csv_path && a->client < 0) {
        fprintf(stderr, "smclat analyze: --calls-csv needs roles (--client/--mediator or "
                        "--roles auto)\n");
        return 2;
    }
    if (o->log_auto && a->client < 0)
        o->log_path = NULL; /* no roles, no calls to join: the analysis goes on without */
    if (o->log_path && a->client < 0) {
        fprintf(stderr, "smclat analyze: --calls-log needs roles (--client/--mediator, "
                        "--roles auto or the metadata's)\n");
        return 2;
    }
    return 0;
}

/* The model, the call detector, the join's log and the CSV file, before the analysis pass. */
static int prepare(struct analysis *a, const struct analyze_opts *o)
{
    if (sm_model_new(&a->model) != 0) {
        fprintf(stderr, "smclat: out of memory\n");
        return 1;
    }
    if (a->client >= 0) {
        struct sm_calls_config cfg = {(uint16_t)a->client, (uint16_t)a->mediator, on_call, a,
                                      a->hz};
        if (sm_calls_new(&a->calls, &cfg) != 0) {
            fprintf(stderr, "smclat: out of memory\n");
            return 1;
        }
    }
    if (o->log_path) {
        char msg[600];
        if (sm_analyze_join_new(&a->join, o->log_path, a->hz, msg, sizeof msg) != 0) {
            if (!o->log_auto) {
                fprintf(stderr, "smclat: %s\n", msg);
                return 2;
            }
            add_warning(a, "not joined with the generator's log: %s", msg);
        }
        const struct sm_metadata *md = &a->session->meta;
        for (unsigned k = 0; a->join && k < md->n_created; k++)
            if (md->created[k].domid == a->client) /* Xen set CNTVOFF then: in 2 ms */
                sm_analyze_join_hint(a->join, md->created[k].ticks, (int64_t)(a->hz * 0.002));
    }
    if (o->csv_path) {
        a->csv = fopen(o->csv_path, "w");
        if (!a->csv) {
            fprintf(stderr, "smclat: %s: %s\n", o->csv_path, strerror(errno));
            return 2;
        }
        a->csv_path = o->csv_path;
        sm_render_csv_header(a->csv, a->join != NULL);
    }
    return 0;
}

/* What the model saw of a damaged or stitched trace, as warnings. */
static void model_warnings(struct analysis *a)
{
    const struct sm_model_stats *ms = sm_model_stats(a->model);
    if (ms->lost_records)
        add_warning(a,
                    "%s: the hypervisor lost %" PRIu64 " records (%" PRIu64
                    " LOST_RECORDS): windows across them are incomplete",
                    a->trace, ms->lost_records, ms->lost_events);
    /* Signs of a damaged or stitched trace (none on a trace Xen wrote in one go, beyond one
     * first-state mismatch per vCPU where pCPU streams start apart): the figures are computed
     * anyway, but say so. */
    size_t nvcpus = sm_model_nvcpus(a->model);
    if (ms->inconsistencies)
        add_warning(a,
                    "%s: SWITCH and runstate records disagree %" PRIu64
                    " times on which vCPU a pCPU runs (damaged or stitched trace?)",
                    a->trace, ms->inconsistencies);
    if (ms->first_state_mismatches > nvcpus)
        add_warning(a,
                    "%s: %" PRIu64 " runstate records do not follow from the state before them "
                    "(more than one per vCPU: damaged or stitched trace?)",
                    a->trace, ms->first_state_mismatches);
    if (a->rstats.tsc_backwards || a->rstats.tsc_jumps)
        add_warning(a,
                    "%s: timestamps going back (%" PRIu64 ") or jumping ahead (%" PRIu64
                    ", ignored) inside pCPU chunks",
                    a->trace, a->rstats.tsc_backwards, a->rstats.tsc_jumps);
}

/* The join with the generator's log, the missed calls rebuilt and joined again, the joined
 * CSV. 0, or the exit code after printing the error. */
static int join_calls(struct analysis *a, const struct analyze_opts *o)
{
    const struct sm_model_stats *ms = sm_model_stats(a->model);
    char msg[600];
    int joined = sm_analyze_join_run(a->join, ms->first_tsc, ms->last_tsc, msg, sizeof msg) == 0;
    size_t recovered = 0;
    if (joined) {
        int rc = recover_missed(a, ms->first_tsc, ms->last_tsc, &recovered);
        if (rc != 0)
            return rc;
    }
    if (recovered) /* the missed calls rebuilt: join again with them */
        joined = sm_analyze_join_run(a->join, ms->first_tsc, ms->last_tsc, msg, sizeof msg) == 0;
    struct sm_join_warnings w = {0};
    if (joined)
        sm_analyze_join_warnings(a->join, &w);
    for (int k = 0; k < w.n; k++)
        add_warning(a, "%s", w.text[k]);
    if (!joined && !o->log_auto) {
        fprintf(stderr, "smclat: %s\n", msg);
        return 2;
    }
    if (!joined)
        add_warning(a, "not joined with the generator's log: %s", msg);
    for (size_t k = 0; a->csv && k < sm_analyze_join_ncalls(a->join); k++)
        sm_render_csv_row(a->csv, a, sm_analyze_join_call(a->join, k), k);
    if (!joined) {
        sm_analyze_join_free(a->join);
        a->join = NULL;
    }
    return 0;
}

/* The analysis pass, then the join; the analysis is complete when it returns 0. */
static int analyze(struct analysis *a, const struct analyze_opts *o)
{
    int rc = run_pass(a, a->model, a->calls, NULL, NULL);
    if (rc != 0)
        return rc;
    sm_model_finish(a->model);
    if (a->calls)
        sm_calls_finish(a->calls);
    model_warnings(a);
    return a->join ? join_calls(a, o) : 0;
}

int cmd_analyze(int argc, char **argv)
{
    struct analyze_opts o;
    int i = parse_options(argc, argv, &o);
    if (i < 0)
        return -i - 1;
    struct analysis a;
    memset(&a, 0, sizeof a);
    a.client = a.mediator = -1;
    struct sm_session session;
    char msg[1024];
    if (sm_session_open(&session, argv[i], o.metadata, msg, sizeof msg) != 0) {
        fprintf(stderr, "smclat: %s\n", msg);
        return 2;
    }
    a.session = &session;
    a.trace = session.trace;
    a.metadata = session.metadata;
    o.log_auto = !o.log_path && session.calls_log;
    if (o.log_auto)
        o.log_path = session.calls_log;
    int rc = choose_rate(&a, &o);
    if (rc == 0)
        rc = choose_roles(&a, &o);
    if (rc == 0)
        rc = prepare(&a, &o);
    if (rc == 0)
        rc = analyze(&a, &o);
    if (rc == 0 && o.json)
        rc = sm_render_json(&a);
    else if (rc == 0)
        sm_render_text(&a);
    if (a.csv && fclose(a.csv) != 0 && rc == 0) {
        fprintf(stderr, "smclat: %s: %s\n", o.csv_path, strerror(errno));
        rc = 1;
    }
    sm_calls_free(a.calls);
    sm_model_free(a.model);
    sm_analyze_join_free(a.join);
    return rc;
}
