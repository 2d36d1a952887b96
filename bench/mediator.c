/* smclat-mediator: the stub-domain side. Waits for requests on a ring transport (local, xen),
 * keeps a bounded buffer table, spends --work-us per request, answers, counts; a summary on
 * exit (SIGINT/SIGTERM, the client done with --until-client-done, or --requests N). */
#include "mediator_core.h"
#include "options.h"
#include "rt.h"
#include "summary_json.h"
#include "transport.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static json_t *counters_json(const struct sm_mediator *m, const char *transport,
                             const char *stop_reason, double secs, const struct sm_server *s)
{
    json_t *by_op = json_object(), *by_status = json_object();
    for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++)
        json_object_set_new(by_op, sm_op_name((enum sm_op)op),
                            json_integer((json_int_t)m->by_op[op]));
    json_object_set_new(by_op, "invalid", json_integer((json_int_t)m->by_op[SM_OP_NONE]));
    for (int st = 0; st < SM_STATUS_COUNT; st++)
        if (m->by_status[st] || st <= SM_EPROTO)
            json_object_set_new(by_status, sm_status_name((enum sm_status)st),
                                json_integer((json_int_t)m->by_status[st]));
    return json_pack("{s:i, s:s, s:s, s:f, s:I, s:o, s:o, s:I, s:{s:i, s:i, s:i}, s:I, s:I, s:f}",
                     "smclat_mediator_summary", 1, "transport", transport, "stop_reason",
                     stop_reason, "duration_s", secs, "requests", (json_int_t)m->requests, "by_op",
                     by_op, "by_status", by_status, "payload_bytes", (json_int_t)m->payload_bytes,
                     "table", "capacity", (int)m->table.cap, "used", (int)m->table.used,
                     "high_water", (int)m->table.high_water, "reply_dropped",
                     (json_int_t)m->reply_dropped, "wakeups", (json_int_t)s->ep.wakeups, "work_us",
                     (double)m->work_ns / 1000.0);
}

/* Answers requests until a signal, the client's goodbye (until_done), requests_max answers
 * (0: no limit) or a failure (*rc = 1). Returns why it stopped (the summary's stop_reason). */
static const char *serve(struct sm_server *s, struct sm_mediator *m, int until_done,
                         uint64_t requests_max, int tty, int *rc)
{
    uint64_t last_progress = sm_now_ns();
    /* Idle, the mediator sleeps until a request or a signal (which ends the wait with EINTR),
     * waking on its own after the transport's idle_ms (every second for the progress line). */
    const int idle_ms = tty ? 1000 : s->ops->idle_ms;
    while (!stop_signal) {
        struct sm_request req;
        int r = sm_ring_next(&s->ep, &req, idle_ms);
        if (r < 0) {
            fprintf(stderr, "smclat mediator: waiting for requests: %s\n", strerror(errno));
            *rc = 1;
            return "error";
        }
        if (r == 1) {
            struct sm_response rsp;
            sm_mediator_handle(m, &req, s->ep.payload, &rsp);
            if (sm_ring_reply(&s->ep, &rsp) != 0)
                m->reply_dropped++;
            if (requests_max && m->requests >= requests_max)
                return "requests";
        } else if (until_done && atomic_load(&s->ep.ring->client_state) == SM_PEER_CLOSED &&
                   atomic_load(&s->ep.ring->req_cons) == atomic_load(&s->ep.ring->req_prod)) {
            return "client-done";
        }
        uint64_t now = sm_now_ns();
        if (tty && now - last_progress > 1000000000ull) {
            fprintf(stderr, "\rsmclat mediator: %llu requests, %u buffers  ",
                    (unsigned long long)m->requests, m->table.used);
            last_progress = now;
        }
    }
    return "signal";
}

static int check_range(const char *name, long v, long lo, long hi)
{
    if (v < lo || v > hi) {
        fprintf(stderr, "smclat mediator: --%s %ld: expected %ld to %ld\n", name, v, lo, hi);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *transport = "local", *json_out = NULL;
    long table_size = 64, requests_max = 0, peer = -1, max_payload = 64 * 1024, prio = 0, cpu = -1;
    double work_us = 0;
    int json = 0, until_done = 0, quiet = 0, print_summary = 0;
    struct sm_transport_opts to;
    sm_transport_opts_defaults(&to);
    long connect_ms = 60000;
    const struct sm_opt opts[] = {
        {"transport", 't', SM_OPT_STRING, &transport, "NAME", "local or xen (default local)"},
        {"channel", 'c', SM_OPT_STRING, &to.channel, "NAME",
         "local: /dev/shm/smclat-NAME; xen: xenstore data/NAME (default smclat)"},
        {"peer", 0, SM_OPT_INT, &peer, "DOMID",
         "xen: the client's domid (default: read data/peer, written by Dom0)"},
        {"table-size", 0, SM_OPT_INT, &table_size, "N", "registered buffers at most (default 64)"},
        {"max-payload", 0, SM_OPT_INT, &max_payload, "BYTES",
         "payload area size (default 65536; xen: granted pages)"},
        {"work-us", 'w', SM_OPT_DOUBLE, &work_us, "US",
         "emulated work per request, busy (default 0)"},
        {"requests", 'n', SM_OPT_INT, &requests_max, "N",
         "exit after N requests (default: no limit)"},
        {"until-client-done", 0, SM_OPT_FLAG, &until_done, NULL,
         "exit when the client says it is done"},
        {"connect-timeout", 0, SM_OPT_INT, &connect_ms, "MS",
         "xen: wait this long for data/peer (default 60000)"},
        {"json", 0, SM_OPT_FLAG, &json, NULL, "print the summary as JSON on stdout"},
        {"json-out", 0, SM_OPT_STRING, &json_out, "FILE", "also write the JSON summary to FILE"},
        {"print-summary", 0, SM_OPT_FLAG, &print_summary, NULL,
         "print the JSON summary on stdout between marker lines (for a guest console)"},
        {"prio", 0, SM_OPT_INT, &prio, "N", "SCHED_FIFO priority 1-99 (default: normal)"},
        {"cpu", 0, SM_OPT_INT, &cpu, "N", "pin to CPU N"},
        {"quiet", 'q', SM_OPT_FLAG, &quiet, NULL, "no progress line"},
        SM_OPT_TABLE_END,
    };
    int first =
        sm_parse_opts("mediator", "[OPTIONS]",
                      "The mediator (stub-domain) side of smclat-gen's calls.", opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return 0;
    if (first == SM_OPTS_ERROR)
        return 2;
    if (first < argc) {
        fprintf(stderr, "smclat mediator: unexpected argument '%s'\n", argv[first]);
        return 2;
    }
    to.connect_timeout_ms = (int)connect_ms;
    to.peer_domid = peer;
    if (check_range("table-size", table_size, 1, 1000000) ||
        check_range("max-payload", max_payload, 0, SM_RING_MAX_PAYLOAD) ||
        check_range("requests", requests_max, 0, LONG_MAX) ||
        check_range("connect-timeout", connect_ms, 0, 3600000) ||
        check_range("prio", prio, 0, 99) || check_range("cpu", cpu, -1, 4095))
        return 2;
    if (!(work_us >= 0 && work_us <= 1e6)) {
        fprintf(stderr, "smclat mediator: --work-us %g: expected 0 to 1000000\n", work_us);
        return 2;
    }
    to.payload_cap = (uint32_t)max_payload;
    const struct sm_server_ops *ops = sm_server_find(transport);
    if (!ops) {
        fprintf(stderr, "smclat mediator: --transport '%s': expected local or xen\n", transport);
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sm_mediator m;
    if (sm_mediator_init(&m, (uint32_t)table_size, to.payload_cap, (uint64_t)(work_us * 1000.0)) !=
        0) {
        fprintf(stderr, "smclat mediator: out of memory\n");
        return 1;
    }
    if (sm_rt_setup("mediator", cpu, prio, -1) != 0) {
        sm_mediator_free(&m);
        return 1;
    }
    struct sm_server s = {.ops = ops};
    if (ops->open(&s, &to) != 0) {
        fprintf(stderr, "smclat mediator: %s\n", s.err);
        ops->close(&s);
        sm_mediator_free(&m);
        return 1;
    }
    fprintf(stderr, "smclat mediator: listening (%s, channel %s), table %ld, work %.1f us\n",
            transport, to.channel, table_size, work_us);
    int tty = !quiet && isatty(STDERR_FILENO);
    uint64_t t0 = sm_now_ns();
    int rc = 0;
    const char *reason = serve(&s, &m, until_done, (uint64_t)requests_max, tty, &rc);
    if (tty)
        fputc('\n', stderr);
    double secs = (double)(sm_now_ns() - t0) / 1e9;
    json_t *j = counters_json(&m, transport, reason, secs, &s);
    ops->close(&s);
    if (json_out && sm_json_write_file(j, json_out) != 0) {
        fprintf(stderr, "smclat mediator: writing %s: %s\n", json_out, strerror(errno));
        rc = 1;
    }
    if (print_summary) {
        printf("=== smclat-mediator summary.json begin ===\n");
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n=== smclat-mediator summary.json end ===\n");
    } else if (json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        printf("mediator: %llu requests (register %llu, process %llu, unregister %llu, invalid "
               "%llu) in %.2f s; errors: enoent %llu, efull %llu, eproto %llu; buffers %u "
               "(high water %u of %u); replies dropped %llu; stop: %s\n",
               (unsigned long long)m.requests, (unsigned long long)m.by_op[SM_OP_REGISTER],
               (unsigned long long)m.by_op[SM_OP_PROCESS],
               (unsigned long long)m.by_op[SM_OP_UNREGISTER],
               (unsigned long long)m.by_op[SM_OP_NONE], secs,
               (unsigned long long)m.by_status[SM_ENOENT],
               (unsigned long long)m.by_status[SM_EFULL],
               (unsigned long long)m.by_status[SM_EPROTO], m.table.used, m.table.high_water,
               m.table.cap, (unsigned long long)m.reply_dropped, reason);
    }
    json_decref(j);
    sm_mediator_free(&m);
    return rc;
}
