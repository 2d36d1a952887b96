/* smclat-gen: the client (DomU) load generator. Makes a DRM player's frame flow of calls over
 * a transport, paced by absolute deadlines, logs every call and summarizes. The command line is
 * gen_config.c's; the summary is computed from the log by gen_stats.c. */
#include "calllog.h"
#include "cntvct.h"
#include "gen_config.h"
#include "gen_stats.h"
#include "json_file.h"
#include "rt.h"
#include "transport.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* One run: what it owns and what it found. */
struct gen {
    const struct gen_config *cfg;
    struct sm_transport t;
    struct sm_calllog log;
    unsigned char *payload;
    FILE *log_file;
    const char *stop_reason;
    int partial, warned_refused;
    uint64_t frames_done, calls, errors;
    double secs;
};

/* Sleeps until t_ns (CLOCK_MONOTONIC, absolute). With spin_ns, wakes that much earlier and
 * busy-waits the rest, trading CPU time for the kernel's wake-up latency. */
static void sleep_until(uint64_t t_ns, uint64_t spin_ns)
{
    uint64_t wake = t_ns > spin_ns ? t_ns - spin_ns : 0;
    /* A wake time already past: no syscall (clock_nanosleep would still arm a timer and may
     * schedule out, ~10 us here). */
    if (sm_now_ns() < wake) {
        struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000ull),
                              .tv_nsec = (long)(wake % 1000000000ull)};
        while (!stop_signal && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
    }
    while (spin_ns && !stop_signal && sm_now_ns() < t_ns)
        ;
}

/* Makes call k of frame f at its deadline and logs it. Returns its status, or -1 when the log
 * could not grow. */
static int one_call(struct gen *g, uint64_t t_start, uint64_t f, uint32_t k, uint32_t *buf_id)
{
    const struct sm_schedule *sc = &g->cfg->sc;
    struct sm_bench_call c = {
        .op = sm_schedule_op(sc, f, k), .seq = (uint32_t)g->calls, .buf_id = *buf_id};
    uint64_t expect = 0; /* computed before the call: not in its time */
    if (c.op == SM_OP_PROCESS) {
        sm_payload_fill(g->payload, g->cfg->payload, (uint32_t)f);
        c.payload = g->payload;
        c.payload_len = g->cfg->payload;
        expect = sm_payload_checksum(g->payload, g->cfg->payload);
    }
    struct sm_call_rec r = {
        .seq = g->calls, .frame = f, .op = (uint8_t)c.op, .warmup = f < sc->warmup_frames};
    r.intended_ns = t_start + sm_schedule_deadline_ns(sc, f, k);
    sleep_until(r.intended_ns, g->cfg->spin_ns);
    if (stop_signal)
        return SM_OK;
    r.start_ns = sm_now_ns();
    r.start_cntvct = sm_cntvct();
    enum sm_status s = g->t.ops->call(&g->t, &c);
    r.end_cntvct = sm_cntvct();
    r.end_ns = sm_now_ns();
    if (s == SM_OK && c.op == SM_OP_PROCESS && g->t.ops->result_is_checksum && c.result != expect)
        s = SM_EBADRSP; /* the mediator did not read this call's payload */
    r.status = (uint8_t)s;
    r.result = c.result;
    r.has_smc = (uint8_t)c.has_smc;
    r.smc_ret = c.smc_ret;
    r.trap_ticks = c.trap_ticks;
    if (sm_calllog_add(&g->log, &r) != 0)
        return -1;
    g->calls++;
    if (s != SM_OK)
        g->errors++;
    if (c.op == SM_OP_REGISTER) /* a failed register leaves no buffer */
        *buf_id = s == SM_OK ? (uint32_t)c.result : 0;
    else if (c.op == SM_OP_UNREGISTER)
        *buf_id = 0;
    if (s == SM_EREFUSED && !g->warned_refused++)
        fprintf(stderr,
                "warning: SMC 0x%08x (%s) returned %lld (not supported): nothing is logged as "
                "ok; a Xen without the OP-TEE mediator refuses OP-TEE ids (--smc-mode version "
                "measures the bare trap)\n",
                g->cfg->to.smc_fid[c.op], sm_op_name(c.op), (long long)c.smc_ret);
    if (s == SM_EGONE || s == SM_EIO || s == SM_EPERM)
        fprintf(stderr, "smclat gen: call %llu (%s): %s: %s; stopping\n", (unsigned long long)r.seq,
                sm_op_name(c.op), sm_status_name(s),
                s == SM_EGONE ? "the mediator is gone"
                : g->t.err[0] ? g->t.err
                              : "transport failure");
    return (int)s;
}

/* Every frame of the plan, until done, a signal, or a call that ends the run. */
static void run_calls(struct gen *g)
{
    const struct sm_schedule *sc = &g->cfg->sc;
    int tty = !g->cfg->quiet && isatty(STDERR_FILENO);
    uint32_t buf_id = 0;
    g->stop_reason = "done";
    const uint64_t t_start = sm_now_ns() + 10000000ull; /* first call 10 ms from now */
    uint64_t last_progress = t_start;
    for (uint64_t f = 0; f < sc->frames && !stop_signal && !g->partial; f++) {
        uint32_t n = sm_schedule_calls_in_frame(sc, f);
        for (uint32_t k = 0; k < n && !stop_signal; k++) {
            int s = one_call(g, t_start, f, k, &buf_id);
            if (s < 0) {
                fprintf(stderr, "smclat gen: out of memory for the call log\n");
                g->stop_reason = "error";
            } else if (s == SM_EGONE) {
                g->stop_reason = "mediator-gone";
            } else if (s == SM_EIO || s == SM_EPERM) {
                g->stop_reason = "transport-error";
            } else {
                continue;
            }
            g->partial = 1;
            break;
        }
        g->frames_done = f + 1;
        uint64_t now = sm_now_ns();
        if (tty && now - last_progress > 500000000ull) {
            fprintf(stderr, "\rsmclat gen: frame %llu/%llu, %llu calls, %llu errors   ",
                    (unsigned long long)g->frames_done, (unsigned long long)sc->frames,
                    (unsigned long long)g->calls, (unsigned long long)g->errors);
            last_progress = now;
        }
    }
    if (stop_signal) {
        g->stop_reason = "signal";
        g->partial = g->frames_done < sc->frames || g->partial;
    }
    if (tty)
        fputc('\n', stderr);
    g->secs = (double)(sm_now_ns() - t_start) / 1e9;
}

static json_t *summary_json(const struct gen *g, const struct sm_gen_stats *st)
{
    const struct gen_config *cfg = g->cfg;
    const struct sm_schedule *sc = &cfg->sc;
    json_t *j = json_pack(
        "{s:i, s:b, s:s, s:s, s:s, s:f, s:f, s:i, s:I, s:s, s:{s:I, s:I, s:I}}",
        "smclat_gen_summary", 2, "partial", g->partial, "stop_reason", g->stop_reason, "transport",
        cfg->transport_name, "flow", sm_flow_name(sc->flow), "fps", sc->fps, "calls_per_s",
        sm_schedule_calls_per_s(sc), "ops_per_frame", (int)sm_schedule_ops_per_frame(sc),
        "payload_bytes", (json_int_t)cfg->payload, "spacing", sc->even ? "even" : "frame", "frames",
        "planned", (json_int_t)sc->frames, "done", (json_int_t)g->frames_done, "warmup",
        (json_int_t)sc->warmup_frames);
    json_object_set_new(j, "burst", json_integer(sc->burst));
    json_object_set_new(j, "jitter_us", json_real(cfg->jitter_us));
    sm_gen_stats_json(st, j);
    json_object_set_new(j, "stale_responses", json_integer((json_int_t)g->t.stale));
    double span = st->last_ns > st->first_ns ? (double)(st->last_ns - st->first_ns) / 1e9 : 0;
    json_object_set_new(j, "duration_s", json_real(g->secs));
    json_object_set_new(j, "achieved_calls_per_s", json_real(span > 0 ? st->calls / span : 0));
    json_object_set_new(j, "cntvct_hz",
                        sm_has_cntvct() ? json_integer((json_int_t)sm_cntfrq()) : json_null());
    json_object_set_new(
        j, "histogram",
        json_pack("{s:s, s:f}", "kind", "log-linear", "max_relative_error", 1.0 / 256));
    json_object_set_new(j, "log", cfg->log ? json_string(cfg->log) : json_null());
    return j;
}

/* Writes the log and the summary where the options say. 0, or 1 when a write failed. */
static int report(struct gen *g)
{
    const struct gen_config *cfg = g->cfg;
    struct sm_gen_stats st;
    if (sm_gen_stats_init(&st, (uint64_t)llround(1e9 / sm_schedule_calls_per_s(&cfg->sc))) != 0) {
        fprintf(stderr, "smclat gen: out of memory for the summary\n");
        return 1;
    }
    sm_gen_stats_from_log(&st, &g->log);
    json_t *j = summary_json(g, &st);
    int rc = 0;
    if (g->log_file) {
        int bad = sm_calllog_write(&g->log, g->log_file) != 0;
        bad |= fclose(g->log_file) != 0;
        g->log_file = NULL;
        if (bad) {
            fprintf(stderr, "smclat gen: writing %s: %s\n", cfg->log, strerror(errno));
            rc = 1;
        }
    }
    if (cfg->json_out && sm_json_write_file(j, cfg->json_out) != 0) {
        fprintf(stderr, "smclat gen: writing %s: %s\n", cfg->json_out, strerror(errno));
        rc = 1;
    }
    if (cfg->print_log) {
        printf("=== smclat-gen calls.csv begin ===\n");
        sm_calllog_write(&g->log, stdout);
        printf("=== smclat-gen calls.csv end ===\n");
        printf("=== smclat-gen summary.json begin ===\n");
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n=== smclat-gen summary.json end ===\n");
    } else if (cfg->json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        printf("smclat gen: %s, %s flow, %.4g calls/s%s (stop: %s)\n", cfg->transport_name,
               sm_flow_name(cfg->sc.flow), sm_schedule_calls_per_s(&cfg->sc),
               g->partial ? ", PARTIAL" : "", g->stop_reason);
        sm_gen_stats_print(&st, stdout);
        if (g->t.stale)
            printf("  stale responses dropped: %llu\n", (unsigned long long)g->t.stale);
    }
    fflush(stdout);
    if (st.ok != st.calls)
        rc = 1;
    json_decref(j);
    sm_gen_stats_free(&st);
    return rc;
}

int main(int argc, char **argv)
{
    struct gen_config cfg;
    int prc = gen_config_parse(&cfg, argc, argv);
    if (prc != 0)
        return prc == 1 ? 0 : 2;

    signal(SIGPIPE, SIG_IGN);
    struct gen g = {.cfg = &cfg, .t = {.ops = cfg.tops}};
    int rc = 1;
    uint64_t total = sm_schedule_total_calls(&cfg.sc);
    g.payload = malloc(cfg.payload ? cfg.payload : 1);
    if (!g.payload || sm_calllog_init(&g.log, total, sm_has_cntvct()) != 0) {
        fprintf(stderr, "smclat gen: out of memory for %llu calls\n", (unsigned long long)total);
        goto out;
    }
    /* The log's file is opened now: an unwritable path fails before the run, not after. */
    if (cfg.log && !(g.log_file = fopen(cfg.log, "w"))) {
        fprintf(stderr, "smclat gen: --log %s: %s\n", cfg.log, strerror(errno));
        rc = 2;
        goto out;
    }
    if (cfg.tops->open(&g.t, &cfg.to) != 0) {
        fprintf(stderr, "smclat gen: %s: %s\n", cfg.transport_name, g.t.err);
        goto out;
    }
    if (sm_rt_setup("gen", cfg.cpu, cfg.prio, cfg.dma_latency) != 0)
        goto out;
    /* From here a signal ends the run with its log and summary written (before, while
     * connecting, it just ends the program: nothing was measured). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a wait returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!cfg.quiet)
        fprintf(stderr,
                "smclat gen: %s, %s flow, %.3g fps (%.4g calls/s), %llu frames + %llu warm-up, "
                "payload %u bytes\n",
                cfg.transport_name, sm_flow_name(cfg.sc.flow), cfg.sc.fps,
                sm_schedule_calls_per_s(&cfg.sc), (unsigned long long)cfg.measured_frames,
                (unsigned long long)cfg.sc.warmup_frames, cfg.payload);
    run_calls(&g);
    if (cfg.tops->finish)
        cfg.tops->finish(&g.t);
    rc = report(&g) || g.partial ? 1 : 0;
out:
    if (g.log_file)
        fclose(g.log_file);
    cfg.tops->close(&g.t);
    sm_calllog_free(&g.log);
    free(g.payload);
    return rc;
}
