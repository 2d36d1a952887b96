/* smclat-mediator: the stub-domain side. Waits for requests on a ring transport (local, xen),
 * keeps a bounded buffer table, spends --work-us per request, answers, counts; a summary on
 * exit (SIGINT/SIGTERM, the client done with --until-client-done, or --requests N). Serves one
 * client per --channel (one thread each when there are several); a client that breaks the
 * ring protocol is stopped and reported, the others go on (docs/transports.md). */
#include "json_file.h"
#include "mediator_core.h"
#include "options.h"
#include "rt.h"
#include "transport.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGINT/SIGTERM (a lock-free atomic: safe in a handler, read by every channel). */
static _Atomic int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stop_flag, 1);
}

/* SIGUSR1: only ends a wait (EINTR); workers tell the main thread they ended, it tells them to
 * stop. */
static void on_wake(int sig)
{
    (void)sig;
}

/* One client: its ring, its own buffer table and counters. */
struct channel {
    const char *name;
    struct sm_server srv;
    struct sm_mediator med;
    int mediator_ok;
    const char *stop_reason;
    int failed;            /* the transport failed */
    uint64_t violation_ns; /* since the start: when the client was found to break the protocol */
    double cpu_s;          /* CPU time of the thread that served it */
    pthread_t thread;
    int has_thread;
};

struct serve_cfg {
    int until_done;
    uint64_t requests_max; /* per channel; 0: no limit */
    int tty;
    uint64_t t0_ns;
};

static double thread_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double process_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Answers one channel's requests until a signal, the client's goodbye (until_done),
 * requests_max answers, a failure or a protocol violation. Returns why it stopped (the
 * summary's stop_reason). A client that breaks the protocol is reported once and its ring is
 * closed at once: nothing waits on it or answers on it any more. */
static const char *serve(struct channel *c, const struct serve_cfg *cfg)
{
    struct sm_server *s = &c->srv;
    struct sm_mediator *m = &c->med;
    uint64_t last_progress = sm_now_ns();
    /* Idle, the mediator sleeps until a request or a signal (which ends the wait with EINTR),
     * waking on its own after the transport's idle_ms (every second for the progress line). */
    const int idle_ms = cfg->tty ? 1000 : s->ops->idle_ms;
    while (!atomic_load(&stop_flag)) {
        int r = sm_mediator_step(m, &s->ep, idle_ms);
        if (r == SM_RING_FAILED) {
            fprintf(stderr, "smclat mediator: channel %s: waiting for requests: %s\n", c->name,
                    strerror(errno));
            c->failed = 1;
            return "error";
        }
        if (r == SM_RING_BROKEN) {
            c->violation_ns = sm_now_ns() - cfg->t0_ns;
            fprintf(stderr,
                    "smclat mediator: channel %s: protocol violation (%s): %s; not serving this "
                    "client any more\n",
                    c->name, sm_ring_violation_name(s->ep.violation), s->ep.violation_msg);
            s->ops->close(s); /* the client sees its ring closed; the mediator lets go of it */
            return "protocol-violation";
        }
        if (r == SM_RING_REQUEST) {
            if (cfg->requests_max && m->requests >= cfg->requests_max)
                return "requests";
        } else if (cfg->until_done && sm_ring_client_done(&s->ep)) {
            return "client-done";
        }
        uint64_t now = sm_now_ns();
        if (cfg->tty && now - last_progress > 1000000000ull) {
            fprintf(stderr, "\rsmclat mediator: %llu requests, %u buffers  ",
                    (unsigned long long)m->requests, m->table.used);
            last_progress = now;
        }
    }
    return "signal";
}

struct worker {
    struct channel *c;
    const struct serve_cfg *cfg;
    pthread_t main_thread;
    _Atomic int *ended;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL); /* the main thread's stop request ends a wait */
    w->c->stop_reason = serve(w->c, w->cfg);
    w->c->cpu_s = thread_cpu_s();
    atomic_fetch_add(w->ended, 1);
    pthread_kill(w->main_thread, SIGUSR1);
    return NULL;
}

/* Several channels: one thread each (SIGINT/SIGTERM blocked there); the main thread sleeps
 * until a signal or until every channel has ended, then stops the others. 0, or -1 when a
 * thread could not be started (message printed). */
static int serve_threads(struct channel *ch, int n, const struct serve_cfg *cfg)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_wake; /* no SA_RESTART */
    sigaction(SIGUSR1, &sa, NULL);
    _Atomic int ended = 0;
    struct worker *w = calloc((size_t)n, sizeof *w);
    int started = 0, rc = 0;
    for (int i = 0; w && i < n; i++) {
        w[i] = (struct worker){
            .c = &ch[i], .cfg = cfg, .main_thread = pthread_self(), .ended = &ended};
        int e = pthread_create(&ch[i].thread, NULL, worker_main, &w[i]);
        if (e != 0) {
            fprintf(stderr, "smclat mediator: starting a thread: %s\n", strerror(e));
            ch[i].stop_reason = "error";
            ch[i].failed = 1;
            atomic_store(&stop_flag, 1);
            rc = -1;
            break;
        }
        ch[i].has_thread = 1;
        started++;
    }
    if (!w) {
        fprintf(stderr, "smclat mediator: out of memory\n");
        atomic_store(&stop_flag, 1);
        rc = -1;
    }
    while (!atomic_load(&stop_flag) && atomic_load(&ended) < started)
        sigsuspend(&old);
    for (int i = 0; i < n; i++) {
        if (!ch[i].has_thread)
            continue;
        /* A wake sent just before a worker starts waiting is lost: send again until it ends
         * (at worst the transport's idle_ms bounds it). */
        for (;;) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 20000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            if (pthread_timedjoin_np(ch[i].thread, NULL, &ts) == 0)
                break;
            pthread_kill(ch[i].thread, SIGUSR1);
        }
    }
    free(w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static json_t *counters_json(const struct channel *ch, int n, const char *transport,
                             const char *stop_reason, double secs)
{
    struct sm_mediator sum; /* the channels' counters added up */
    memset(&sum, 0, sizeof sum);
    uint64_t wakeups = 0;
    uint32_t used = 0, high_water = 0;
    int violations = 0;
    const struct channel *first = NULL;
    json_t *channels = json_array();
    for (int i = 0; i < n; i++) {
        const struct sm_mediator *m = &ch[i].med;
        sum.requests += m->requests;
        for (int op = 0; op < SM_OP_COUNT; op++)
            sum.by_op[op] += m->by_op[op];
        for (int st = 0; st < SM_STATUS_COUNT; st++)
            sum.by_status[st] += m->by_status[st];
        sum.payload_bytes += m->payload_bytes;
        sum.reply_dropped += m->reply_dropped;
        wakeups += ch[i].srv.ep.wakeups;
        used += m->table.used;
        if (m->table.high_water > high_water)
            high_water = m->table.high_water;
        enum sm_ring_violation v = ch[i].srv.ep.violation;
        if (v != SM_RV_NONE) {
            violations++;
            if (!first || ch[i].violation_ns < first->violation_ns)
                first = &ch[i];
        }
        json_array_append_new(
            channels,
            json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:o}", "channel", ch[i].name, "stop_reason",
                      ch[i].stop_reason ? ch[i].stop_reason : "error", "requests",
                      (json_int_t)m->requests, "reply_dropped", (json_int_t)m->reply_dropped,
                      "wakeups", (json_int_t)ch[i].srv.ep.wakeups, "cpu_s", ch[i].cpu_s,
                      "protocol_violation",
                      v == SM_RV_NONE ? json_null() : json_string(sm_ring_violation_name(v))));
    }
    json_t *by_op = json_object(), *by_status = json_object();
    for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++)
        json_object_set_new(by_op, sm_op_name((enum sm_op)op),
                            json_integer((json_int_t)sum.by_op[op]));
    json_object_set_new(by_op, "invalid", json_integer((json_int_t)sum.by_op[SM_OP_NONE]));
    for (int st = 0; st < SM_STATUS_COUNT; st++)
        if (sum.by_status[st] || st <= SM_EPROTO)
            json_object_set_new(by_status, sm_status_name((enum sm_status)st),
                                json_integer((json_int_t)sum.by_status[st]));
    json_t *first_j = json_null();
    if (first)
        first_j = json_pack("{s:s, s:s, s:s, s:f}", "channel", first->name, "kind",
                            sm_ring_violation_name(first->srv.ep.violation), "message",
                            first->srv.ep.violation_msg, "at_s", (double)first->violation_ns / 1e9);
    return json_pack("{s:i, s:s, s:s, s:f, s:I, s:o, s:o, s:I, s:{s:i, s:i, s:i}, s:I, s:I, s:f, "
                     "s:f, s:i, s:o, s:o}",
                     "smclat_mediator_summary", 1, "transport", transport, "stop_reason",
                     stop_reason, "duration_s", secs, "requests", (json_int_t)sum.requests, "by_op",
                     by_op, "by_status", by_status, "payload_bytes", (json_int_t)sum.payload_bytes,
                     "table", "capacity", (int)ch[0].med.table.cap, "used", (int)used, "high_water",
                     (int)high_water, "reply_dropped", (json_int_t)sum.reply_dropped, "wakeups",
                     (json_int_t)wakeups, "work_us", (double)ch[0].med.work_ns / 1000.0, "cpu_s",
                     process_cpu_s(), "protocol_violations", violations, "protocol_violation",
                     first_j, "channels", channels);
}

static int check_range(const char *name, long v, long lo, long hi)
{
    if (v < lo || v > hi) {
        fprintf(stderr, "smclat mediator: --%s %ld: expected %ld to %ld\n", name, v, lo, hi);
        return -1;
    }
    return 0;
}

/* The summary's stop_reason for the whole run. */
static const char *run_stop_reason(const struct channel *ch, int n)
{
    if (n == 1)
        return ch[0].stop_reason;
    int broken = 0;
    const char *other = NULL;
    for (int i = 0; i < n; i++) {
        if (ch[i].failed || !ch[i].stop_reason)
            return "error";
        if (!strcmp(ch[i].stop_reason, "protocol-violation"))
            broken++;
        else if (!other || !strcmp(ch[i].stop_reason, "signal"))
            other = ch[i].stop_reason;
    }
    return broken == n ? "protocol-violation" : other;
}

static void free_channels(struct channel *ch, int n)
{
    for (int i = 0; i < n; i++) {
        if (ch[i].srv.ops)
            ch[i].srv.ops->close(&ch[i].srv);
        if (ch[i].mediator_ok)
            sm_mediator_free(&ch[i].med);
    }
    free(ch);
}

/* The channels' mediators, real-time setup, then each channel opened. 0, or 1 after the
 * error (nothing left open). names: the channels' names, for the start line. */
static int open_channels(struct channel **out, int n, const struct sm_strlist *list,
                         struct sm_transport_opts *to, const struct sm_server_ops *ops,
                         long table_size, double work_us, long cpu, long prio, char *names,
                         size_t size)
{
    struct channel *ch = calloc((size_t)n, sizeof *ch);
    if (!ch) {
        fprintf(stderr, "smclat mediator: out of memory\n");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        ch[i].name = list->n ? list->items[i] : to->channel;
        if (sm_mediator_init(&ch[i].med, (uint32_t)table_size, to->payload_cap,
                             (uint64_t)(work_us * 1000.0)) != 0) {
            fprintf(stderr, "smclat mediator: out of memory\n");
            free_channels(ch, i);
            return 1;
        }
        ch[i].mediator_ok = 1;
        size_t len = strlen(names);
        snprintf(names + len, size - len, "%s%s", i ? ", " : "", ch[i].name);
    }
    if (sm_rt_setup("mediator", cpu, prio, -1) != 0) {
        free_channels(ch, n);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        ch[i].srv.ops = ops;
        to->channel = ch[i].name;
        if (ops->open(&ch[i].srv, to) != 0) {
            fprintf(stderr, "smclat mediator: %s\n", ch[i].srv.err);
            free_channels(ch, n);
            return 1;
        }
    }
    *out = ch;
    return 0;
}

/* The summary: --json-out FILE, then stdout (between markers, JSON, or one line of text). 0,
 * or 1 when the file could not be written. */
static int write_summary(json_t *j, const char *json_out, int print_summary, int json, double secs,
                         const char *reason)
{
    int rc = 0;
    if (json_out && sm_json_write_file(j, json_out) != 0) {
        fprintf(stderr, "smclat mediator: writing %s: %s\n", json_out, strerror(errno));
        rc = 1;
    }
    if (print_summary) {
        printf("=== smclat-mediator summary.json begin ===\n");
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n=== smclat-mediator summary.json end ===\n");
        return rc;
    }
    if (json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        return rc;
    }
    json_t *by_op = json_object_get(j, "by_op"), *by_status = json_object_get(j, "by_status");
    json_t *table = json_object_get(j, "table"), *pv = json_object_get(j, "protocol_violation");
#define JI(o, k) ((unsigned long long)json_integer_value(json_object_get((o), (k))))
    printf("mediator: %llu requests (register %llu, process %llu, unregister %llu, invalid "
           "%llu) in %.2f s; errors: enoent %llu, efull %llu, eproto %llu; buffers %llu "
           "(high water %llu of %llu); replies dropped %llu; protocol violations %llu",
           JI(j, "requests"), JI(by_op, "register"), JI(by_op, "process"), JI(by_op, "unregister"),
           JI(by_op, "invalid"), secs, JI(by_status, "enoent"), JI(by_status, "efull"),
           JI(by_status, "eproto"), JI(table, "used"), JI(table, "high_water"),
           JI(table, "capacity"), JI(j, "reply_dropped"), JI(j, "protocol_violations"));
#undef JI
    if (json_is_object(pv))
        printf(" (first: %s on channel %s)", json_string_value(json_object_get(pv, "kind")),
               json_string_value(json_object_get(pv, "channel")));
    printf("; stop: %s\n", reason);
    return rc;
}

struct med_args {
    const char *transport, *json_out;
    long table_size, requests_max, peer, max_payload, prio, cpu, connect_ms;
    double work_us;
    int json, until_done, quiet, print_summary;
    struct sm_strlist channel_list;
    struct sm_transport_opts to;
    const struct sm_server_ops *ops;
};

/* The options and their ranges, the transport's server. -1 to go on, else the exit code (the
 * channel list freed). */
static int parse_args(struct med_args *a, int argc, char **argv)
{
    *a = (struct med_args){.transport = "local",
                           .table_size = 64,
                           .peer = -1,
                           .max_payload = 64 * 1024,
                           .cpu = -1,
                           .connect_ms = 60000};
    sm_transport_opts_defaults(&a->to);
    const struct sm_opt opts[] = {
        {"transport", 't', SM_OPT_STRING, &a->transport, "NAME", "local or xen (default local)"},
        {"channel", 'c', SM_OPT_LIST, &a->channel_list, "NAME",
         "local: /dev/shm/smclat-NAME; xen: xenstore data/NAME (default smclat); repeat it to "
         "serve one client on each, each in its own thread with its own buffer table"},
        {"peer", 0, SM_OPT_INT, &a->peer, "DOMID",
         "xen: the client's domid (default: read data/peer, written by Dom0)"},
        {"table-size", 0, SM_OPT_INT, &a->table_size, "N",
         "registered buffers at most, per channel (default 64)"},
        {"max-payload", 0, SM_OPT_INT, &a->max_payload, "BYTES",
         "payload area size (default 65536; xen: granted pages)"},
        {"work-us", 'w', SM_OPT_DOUBLE, &a->work_us, "US",
         "emulated work per request, busy (default 0)"},
        {"requests", 'n', SM_OPT_INT, &a->requests_max, "N",
         "stop serving a channel after N requests (default: no limit)"},
        {"until-client-done", 0, SM_OPT_FLAG, &a->until_done, NULL,
         "exit when every client has said it is done (or was stopped for breaking the "
         "protocol)"},
        {"connect-timeout", 0, SM_OPT_INT, &a->connect_ms, "MS",
         "xen: wait this long for data/peer (default 60000)"},
        {"json", 0, SM_OPT_FLAG, &a->json, NULL, "print the summary as JSON on stdout"},
        {"json-out", 0, SM_OPT_STRING, &a->json_out, "FILE", "also write the JSON summary to FILE"},
        {"print-summary", 0, SM_OPT_FLAG, &a->print_summary, NULL,
         "print the JSON summary on stdout between marker lines (for a guest console)"},
        {"prio", 0, SM_OPT_INT, &a->prio, "N", "SCHED_FIFO priority 1-99 (default: normal)"},
        {"cpu", 0, SM_OPT_INT, &a->cpu, "N", "pin to CPU N"},
        {"quiet", 'q', SM_OPT_FLAG, &a->quiet, NULL, "no progress line"},
        SM_OPT_TABLE_END,
    };
    int first =
        sm_parse_opts("mediator", "[OPTIONS]",
                      "The mediator (stub-domain) side of smclat-gen's calls.", opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return 0;
    if (first == SM_OPTS_ERROR) {
        sm_strlist_free(&a->channel_list);
        return 2;
    }
    if (first < argc) {
        fprintf(stderr, "smclat mediator: unexpected argument '%s'\n", argv[first]);
        sm_strlist_free(&a->channel_list);
        return 2;
    }
    a->to.connect_timeout_ms = (int)a->connect_ms;
    a->to.peer_domid = a->peer;
    if (check_range("table-size", a->table_size, 1, 1000000) ||
        check_range("max-payload", a->max_payload, 0, SM_RING_MAX_PAYLOAD) ||
        check_range("requests", a->requests_max, 0, LONG_MAX) ||
        check_range("connect-timeout", a->connect_ms, 0, 3600000) ||
        check_range("prio", a->prio, 0, 99) || check_range("cpu", a->cpu, -1, 4095) ||
        check_range("channel (how many)", a->channel_list.n, 0, 64)) {
        sm_strlist_free(&a->channel_list);
        return 2;
    }
    if (!(a->work_us >= 0 && a->work_us <= 1e6)) {
        fprintf(stderr, "smclat mediator: --work-us %g: expected 0 to 1000000\n", a->work_us);
        sm_strlist_free(&a->channel_list);
        return 2;
    }
    a->to.payload_cap = (uint32_t)a->max_payload;
    a->ops = sm_server_find(a->transport);
    if (!a->ops) {
        fprintf(stderr, "smclat mediator: --transport '%s': expected local or xen\n", a->transport);
        sm_strlist_free(&a->channel_list);
        return 2;
    }
    for (int i = 0; i < a->channel_list.n; i++)
        for (int k = 0; k < i; k++)
            if (!strcmp(a->channel_list.items[i], a->channel_list.items[k])) {
                fprintf(stderr, "smclat mediator: --channel %s: given twice\n",
                        a->channel_list.items[i]);
                sm_strlist_free(&a->channel_list);
                return 2;
            }
    return -1;
}

/* Serves every channel (in this thread when there is one), then the summary. The exit code. */
static int serve_and_report(const struct med_args *a, struct channel *ch, int n)
{
    struct serve_cfg cfg = {
        .until_done = a->until_done,
        .requests_max = (uint64_t)a->requests_max,
        .tty = n == 1 && !a->quiet && isatty(STDERR_FILENO), /* one progress line: one channel */
        .t0_ns = sm_now_ns(),
    };
    int rc = 0;
    if (n == 1) {
        ch[0].stop_reason = serve(&ch[0], &cfg);
        ch[0].cpu_s = thread_cpu_s();
    } else if (serve_threads(ch, n, &cfg) != 0) {
        rc = 1;
    }
    if (cfg.tty)
        fputc('\n', stderr);
    double secs = (double)(sm_now_ns() - cfg.t0_ns) / 1e9;
    const char *reason = run_stop_reason(ch, n);
    for (int i = 0; i < n; i++)
        if (ch[i].failed)
            rc = 1;
    /* Exit 1 when no client was served to the end: every one broke the protocol. */
    if (!strcmp(reason, "protocol-violation"))
        rc = 1;
    json_t *j = counters_json(ch, n, a->transport, reason, secs);
    for (int i = 0; i < n; i++)
        a->ops->close(&ch[i].srv);
    if (write_summary(j, a->json_out, a->print_summary, a->json, secs, reason) != 0)
        rc = 1;
    json_decref(j);
    return rc;
}

int main(int argc, char **argv)
{
    struct med_args a;
    int first = parse_args(&a, argc, argv);
    if (first >= 0)
        return first;
    int n = a.channel_list.n ? a.channel_list.n : 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct channel *ch;
    char names[512] = "";
    if (open_channels(&ch, n, &a.channel_list, &a.to, a.ops, a.table_size, a.work_us, a.cpu, a.prio,
                      names, sizeof names) != 0) {
        sm_strlist_free(&a.channel_list);
        return 1;
    }
    fprintf(stderr, "smclat mediator: listening (%s, channel %s), table %ld, work %.1f us\n",
            a.transport, names, a.table_size, a.work_us);
    int rc = serve_and_report(&a, ch, n);
    free_channels(ch, n);
    sm_strlist_free(&a.channel_list);
    return rc;
}
