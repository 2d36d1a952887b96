/* smclat-gen: the client (DomU) load generator. Makes a DRM player's frame flow of calls over
 * a transport, paced by absolute deadlines, logs every call and summarizes. */
#include "calllog.h"
#include "cntvct.h"
#include "gen_stats.h"
#include "options.h"
#include "schedule.h"
#include "summary_json.h"
#include "transport.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

struct gen_args {
    const char *transport, *flow, *spacing, *log, *json_out, *smc_mode, *conduit;
    double fps, duration, warmup, jitter_us;
    long frames, payload, burst, seed, prio, cpu, call_timeout, connect_timeout, peer;
    long fid_register, fid_process, fid_unregister, tee_cmd;
    int json, print_log, quiet, no_unregister, wait_go, smc_irqs_on;
};

static int parse_u32_option(const char *name, long v, long lo, long hi)
{
    if (v < lo || v > hi) {
        fprintf(stderr, "smclat gen: --%s %ld: expected %ld to %ld\n", name, v, lo, hi);
        return -1;
    }
    return 0;
}

static int setup_realtime(const struct gen_args *a)
{
    /* Wake at the deadline, not up to 50 us after it (the default slack of normal tasks). */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    if (a->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)a->cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "smclat gen: --cpu %ld: sched_setaffinity: %s\n", a->cpu,
                    strerror(errno));
            return -1;
        }
    }
    if (a->prio > 0) {
        struct sched_param sp = {.sched_priority = (int)a->prio};
        if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
            fprintf(stderr,
                    "smclat gen: --prio %ld: SCHED_FIFO refused (%s): run as root or with "
                    "CAP_SYS_NICE, or drop --prio\n",
                    a->prio, strerror(errno));
            return -1;
        }
        if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
            fprintf(stderr, "warning: mlockall: %s (page faults may show in the latencies)\n",
                    strerror(errno));
    }
    return 0;
}

static void sleep_until(uint64_t t_ns)
{
    /* A deadline already past: no syscall (clock_nanosleep would still arm a timer and may
     * schedule out, ~10 us here), the call goes at once. */
    if (sm_now_ns() >= t_ns)
        return;
    struct timespec ts = {.tv_sec = (time_t)(t_ns / 1000000000ull),
                          .tv_nsec = (long)(t_ns % 1000000000ull)};
    while (!stop_signal && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static json_t *summary_json(const struct gen_args *a, const struct sm_schedule *sc,
                            const struct sm_gen_stats *st, const char *stop_reason, int partial,
                            uint64_t frames_done, uint64_t stale, double secs)
{
    json_t *j = json_pack("{s:i, s:b, s:s, s:s, s:s, s:f, s:f, s:i, s:I, s:s, s:{s:I, s:I, s:I}}",
                          "smclat_gen_summary", 1, "partial", partial, "stop_reason", stop_reason,
                          "transport", a->transport, "flow", sm_flow_name(sc->flow), "fps", sc->fps,
                          "calls_per_s", sm_schedule_calls_per_s(sc), "ops_per_frame",
                          (int)sm_schedule_ops_per_frame(sc), "payload_bytes",
                          (json_int_t)a->payload, "spacing", sc->even ? "even" : "frame", "frames",
                          "planned", (json_int_t)sc->frames, "done", (json_int_t)frames_done,
                          "warmup", (json_int_t)sc->warmup_frames);
    json_object_set_new(j, "burst", json_integer(sc->burst));
    json_object_set_new(j, "jitter_us", json_real(a->jitter_us));
    sm_gen_stats_json(st, j);
    json_object_set_new(j, "stale_responses", json_integer((json_int_t)stale));
    double span = st->last_ns > st->first_ns ? (double)(st->last_ns - st->first_ns) / 1e9 : 0;
    json_object_set_new(j, "duration_s", json_real(secs));
    json_object_set_new(j, "achieved_calls_per_s", json_real(span > 0 ? st->calls / span : 0));
    json_object_set_new(j, "cntvct_hz",
                        sm_has_cntvct() ? json_integer((json_int_t)sm_cntfrq()) : json_null());
    json_object_set_new(
        j, "histogram",
        json_pack("{s:s, s:f}", "kind", "log-linear", "max_relative_error", 1.0 / 256));
    json_object_set_new(j, "log", a->log ? json_string(a->log) : json_null());
    return j;
}

int main(int argc, char **argv)
{
    struct gen_args a = {
        .transport = "local",
        .flow = "optimized",
        .spacing = "even",
        .smc_mode = "optee",
        .conduit = "smc",
        .fps = 24,
        .frames = 0,
        .payload = 4096,
        .burst = 1,
        .seed = 1,
        .prio = 0,
        .cpu = -1,
        .call_timeout = 1000,
        .connect_timeout = 10000,
        .peer = -1,
        .fid_register = -1,
        .fid_process = -1,
        .fid_unregister = -1,
        .tee_cmd = 0,
    };
    struct sm_transport_opts to;
    sm_transport_opts_defaults(&to);
    const char *tee_uuid = NULL;
    const struct sm_opt opts[] = {
        {"transport", 't', SM_OPT_STRING, &a.transport, "NAME",
         "local, xen, tee, smc or smc+xen (default local)"},
        {"channel", 'c', SM_OPT_STRING, &to.channel, "NAME",
         "local: /dev/shm/smclat-NAME; xen: xenstore data/NAME (default smclat)"},
        {"peer", 0, SM_OPT_INT, &a.peer, "DOMID",
         "xen: the mediator's domid (default: read data/mediator, written by Dom0)"},
        {"flow", 'f', SM_OPT_STRING, &a.flow, "FLOW",
         "optimized (register once, process per frame) or unoptimized (register, process, "
         "unregister per frame)"},
        {"fps", 'r', SM_OPT_DOUBLE, &a.fps, "N", "frames per second (default 24)"},
        {"frames", 'n', SM_OPT_INT, &a.frames, "N", "measured frames (after the warm-up)"},
        {"duration", 'd', SM_OPT_DOUBLE, &a.duration, "SECONDS",
         "measured time, instead of --frames (default 5)"},
        {"payload", 'p', SM_OPT_INT, &a.payload, "BYTES",
         "payload per process call (default 4096)"},
        {"warmup", 0, SM_OPT_DOUBLE, &a.warmup, "SECONDS",
         "calls first made and logged (warmup=1) but not summarized (default 0)"},
        {"jitter", 0, SM_OPT_DOUBLE, &a.jitter_us, "US",
         "move each frame later by a random 0..US (default 0)"},
        {"seed", 0, SM_OPT_INT, &a.seed, "N", "seed of the jitter (default 1)"},
        {"burst", 0, SM_OPT_INT, &a.burst, "N",
         "N frames share one deadline, back to back (default 1)"},
        {"spacing", 0, SM_OPT_STRING, &a.spacing, "MODE",
         "even (a frame's calls spread over its period) or frame (back to back) (default even)"},
        {"no-unregister", 0, SM_OPT_FLAG, &a.no_unregister, NULL,
         "never unregister (a leaking player: the table fills)"},
        {"prio", 0, SM_OPT_INT, &a.prio, "N",
         "SCHED_FIFO priority 1-99 (default: normal scheduling)"},
        {"cpu", 0, SM_OPT_INT, &a.cpu, "N", "pin to CPU N"},
        {"call-timeout", 0, SM_OPT_INT, &a.call_timeout, "MS", "per call (default 1000)"},
        {"connect-timeout", 0, SM_OPT_INT, &a.connect_timeout, "MS",
         "waiting for the mediator (default 10000)"},
        {"wait-go", 0, SM_OPT_FLAG, &a.wait_go, NULL,
         "xen: write data/NAME/ready, then wait for data/NAME/go (from Dom0)"},
        {"log", 'o', SM_OPT_STRING, &a.log, "FILE", "per-call log (calls.csv)"},
        {"json", 0, SM_OPT_FLAG, &a.json, NULL, "print the summary as JSON on stdout"},
        {"json-out", 0, SM_OPT_STRING, &a.json_out, "FILE", "also write the JSON summary to FILE"},
        {"print-log", 0, SM_OPT_FLAG, &a.print_log, NULL,
         "print the log and the JSON summary on stdout between marker lines (for a guest console)"},
        {"quiet", 'q', SM_OPT_FLAG, &a.quiet, NULL, "no progress line"},
        {"smc-device", 0, SM_OPT_STRING, &to.smc_device, "PATH",
         "smc: the module's device (default /dev/smclat-smc)"},
        {"smc-mode", 0, SM_OPT_STRING, &a.smc_mode, "MODE",
         "smc: optee (OP-TEE's ids) or version (ARM_SMCCC_VERSION: the bare trap)"},
        {"smc-fid-register", 0, SM_OPT_INT, &a.fid_register, "ID", "smc: function id of register"},
        {"smc-fid-process", 0, SM_OPT_INT, &a.fid_process, "ID", "smc: function id of process"},
        {"smc-fid-unregister", 0, SM_OPT_INT, &a.fid_unregister, "ID",
         "smc: function id of unregister"},
        {"conduit", 0, SM_OPT_STRING, &a.conduit, "smc|hvc", "smc: the instruction (default smc)"},
        {"smc-irqs-on", 0, SM_OPT_FLAG, &a.smc_irqs_on, NULL,
         "smc: leave interrupts on around the trap"},
        {"tee-device", 0, SM_OPT_STRING, &to.tee_device, "PATH", "tee: default /dev/tee0"},
        {"tee-uuid", 0, SM_OPT_STRING, &tee_uuid, "UUID", "tee: the trusted application"},
        {"tee-cmd", 0, SM_OPT_INT, &a.tee_cmd, "N",
         "tee: command id invoked by process (default 0)"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts("gen", "[OPTIONS]",
                              "Makes a DRM player's calls to the mediator (or the TEE), paced "
                              "by absolute deadlines; logs each call and summarizes.",
                              opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return 0;
    if (first == SM_OPTS_ERROR)
        return 2;
    if (first < argc) {
        fprintf(stderr, "smclat gen: unexpected argument '%s'\n", argv[first]);
        return 2;
    }

    /* ---- check and derive ---- */
    struct sm_schedule sc = {.fps = a.fps,
                             .burst = (uint32_t)a.burst,
                             .seed = (uint64_t)a.seed,
                             .no_unregister = a.no_unregister};
    if (sm_flow_parse(a.flow, &sc.flow) != 0) {
        fprintf(stderr, "smclat gen: --flow '%s': expected optimized or unoptimized\n", a.flow);
        return 2;
    }
    if (strcmp(a.spacing, "even") && strcmp(a.spacing, "frame")) {
        fprintf(stderr, "smclat gen: --spacing '%s': expected even or frame\n", a.spacing);
        return 2;
    }
    sc.even = !strcmp(a.spacing, "even");
    if (parse_u32_option("payload", a.payload, 0, SM_RING_MAX_PAYLOAD) ||
        parse_u32_option("burst", a.burst, 1, 100000) || parse_u32_option("prio", a.prio, 0, 99) ||
        parse_u32_option("cpu", a.cpu, -1, 4095) ||
        parse_u32_option("call-timeout", a.call_timeout, 1, 3600000) ||
        parse_u32_option("connect-timeout", a.connect_timeout, 0, 3600000) ||
        parse_u32_option("frames", a.frames, 0, 100000000) ||
        parse_u32_option("peer", a.peer, -1, 32767))
        return 2;
    if (a.duration < 0 || a.warmup < 0 || a.jitter_us < 0 || !isfinite(a.duration)) {
        fprintf(stderr, "smclat gen: --duration, --warmup and --jitter must be >= 0\n");
        return 2;
    }
    if (!(a.fps > 0.01 && a.fps <= 1e6)) {
        fprintf(stderr, "smclat gen: --fps %g: expected 0.01 to 1000000\n", a.fps);
        return 2;
    }
    uint64_t measured = a.frames > 0 ? (uint64_t)a.frames
                                     : (uint64_t)llround((a.duration > 0 ? a.duration : 5) * a.fps);
    if (measured == 0)
        measured = 1;
    sc.warmup_frames = (uint64_t)llround(a.warmup * a.fps);
    sc.frames = measured + sc.warmup_frames;
    sc.jitter_ns = (uint64_t)(a.jitter_us * 1000.0);
    char err[256];
    if (sm_schedule_check(&sc, err, sizeof err) != 0) {
        fprintf(stderr, "smclat gen: %s\n", err);
        return 2;
    }
    const struct sm_transport_ops *tops = sm_transport_find(a.transport);
    if (!tops) {
        fprintf(stderr, "smclat gen: --transport '%s': expected one of %s\n", a.transport,
                sm_transport_names());
        return 2;
    }
    if (!strcmp(a.smc_mode, "version")) {
        for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++)
            to.smc_fid[op] = 0x80000000u; /* ARM_SMCCC_VERSION */
    } else if (strcmp(a.smc_mode, "optee")) {
        fprintf(stderr, "smclat gen: --smc-mode '%s': expected optee or version\n", a.smc_mode);
        return 2;
    }
    long fids[SM_OP_COUNT] = {0, a.fid_register, a.fid_process, a.fid_unregister};
    for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++) {
        if (fids[op] < -1 || fids[op] > 0xffffffffL) {
            fprintf(stderr, "smclat gen: --smc-fid-%s: expected a 32-bit function id\n",
                    sm_op_name((enum sm_op)op));
            return 2;
        }
        if (fids[op] >= 0)
            to.smc_fid[op] = (uint32_t)fids[op];
    }
    if (strcmp(a.conduit, "smc") && strcmp(a.conduit, "hvc")) {
        fprintf(stderr, "smclat gen: --conduit '%s': expected smc or hvc\n", a.conduit);
        return 2;
    }
    to.smc_hvc = !strcmp(a.conduit, "hvc");
    to.smc_irqs_on = a.smc_irqs_on;
    to.tee_uuid = tee_uuid;
    to.tee_cmd = a.tee_cmd;
    to.payload_cap = (uint32_t)a.payload;
    to.call_timeout_ms = (int)a.call_timeout;
    to.connect_timeout_ms = (int)a.connect_timeout;
    to.peer_domid = a.peer;
    to.wait_go = a.wait_go;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sm_calllog log;
    struct sm_gen_stats st;
    unsigned char *payload = malloc(a.payload ? (size_t)a.payload : 1);
    if (!payload || sm_calllog_init(&log, sm_schedule_total_calls(&sc), sm_has_cntvct()) != 0 ||
        sm_gen_stats_init(&st, (uint64_t)llround(1e9 / sm_schedule_calls_per_s(&sc))) != 0) {
        fprintf(stderr, "smclat gen: out of memory for %llu calls\n",
                (unsigned long long)sm_schedule_total_calls(&sc));
        return 1;
    }

    /* ---- connect ---- */
    struct sm_transport t = {.ops = tops};
    if (tops->open(&t, &to) != 0) {
        fprintf(stderr, "smclat gen: %s: %s\n", a.transport, t.err);
        tops->close(&t);
        sm_calllog_free(&log);
        sm_gen_stats_free(&st);
        free(payload);
        return 1;
    }
    if (setup_realtime(&a) != 0) {
        tops->close(&t);
        return 1;
    }
    int tty = !a.quiet && isatty(STDERR_FILENO);
    if (!a.quiet)
        fprintf(stderr,
                "smclat gen: %s, %s flow, %.3g fps (%.4g calls/s), %llu frames + %llu warm-up, "
                "payload %ld bytes\n",
                a.transport, sm_flow_name(sc.flow), sc.fps, sm_schedule_calls_per_s(&sc),
                (unsigned long long)measured, (unsigned long long)sc.warmup_frames, a.payload);

    /* ---- run ---- */
    const char *stop_reason = "done";
    int partial = 0, warned_refused = 0;
    uint64_t seq = 0, frames_done = 0, errors = 0;
    uint32_t buf_id = 0;
    const uint64_t t_start = sm_now_ns() + 10000000ull; /* first call 10 ms from now */
    uint64_t last_progress = t_start;
    for (uint64_t f = 0; f < sc.frames && !stop_signal && !partial; f++) {
        uint32_t n = sm_schedule_calls_in_frame(&sc, f);
        for (uint32_t k = 0; k < n && !stop_signal; k++) {
            struct sm_call c = {
                .op = sm_schedule_op(&sc, f, k), .seq = (uint32_t)seq, .buf_id = buf_id};
            if (c.op == SM_OP_PROCESS) {
                sm_payload_fill(payload, (size_t)a.payload, (uint32_t)f);
                c.payload = payload;
                c.payload_len = (uint32_t)a.payload;
            }
            struct sm_call_rec r = {
                .seq = seq, .frame = f, .op = (uint8_t)c.op, .warmup = f < sc.warmup_frames};
            r.intended_ns = t_start + sm_schedule_deadline_ns(&sc, f, k);
            sleep_until(r.intended_ns);
            if (stop_signal)
                break;
            r.start_ns = sm_now_ns();
            r.start_cntvct = sm_cntvct();
            enum sm_status s = tops->call(&t, &c);
            r.end_cntvct = sm_cntvct();
            r.end_ns = sm_now_ns();
            r.status = (uint8_t)s;
            r.result = c.result;
            r.has_smc = (uint8_t)c.has_smc;
            r.smc_ret = c.smc_ret;
            r.trap_ticks = c.trap_ticks;
            if (sm_calllog_add(&log, &r) != 0) {
                fprintf(stderr, "smclat gen: out of memory for the call log\n");
                stop_reason = "error";
                partial = 1;
                break;
            }
            seq++;
            if (s != SM_OK)
                errors++;
            if (c.op == SM_OP_REGISTER) /* a failed register leaves no buffer */
                buf_id = s == SM_OK ? (uint32_t)c.result : 0;
            else if (c.op == SM_OP_UNREGISTER)
                buf_id = 0;
            if (s == SM_EREFUSED && !warned_refused) {
                fprintf(stderr,
                        "warning: SMC 0x%08x (%s) returned %lld (not supported): nothing is "
                        "logged as ok; a Xen without the OP-TEE mediator refuses OP-TEE ids "
                        "(--smc-mode version measures the bare trap)\n",
                        to.smc_fid[c.op], sm_op_name(c.op), (long long)c.smc_ret);
                warned_refused = 1;
            }
            if (s == SM_EGONE || s == SM_EIO || s == SM_EPERM) {
                fprintf(stderr, "smclat gen: call %llu (%s): %s: %s; stopping\n",
                        (unsigned long long)r.seq, sm_op_name(c.op), sm_status_name(s),
                        s == SM_EGONE ? "the mediator is gone"
                        : t.err[0]    ? t.err
                                      : "transport failure");
                stop_reason = s == SM_EGONE ? "mediator-gone" : "transport-error";
                partial = 1;
                break;
            }
        }
        frames_done = f + 1;
        uint64_t now = sm_now_ns();
        if (tty && now - last_progress > 500000000ull) {
            fprintf(stderr, "\rsmclat gen: frame %llu/%llu, %llu calls, %llu errors   ",
                    (unsigned long long)frames_done, (unsigned long long)sc.frames,
                    (unsigned long long)seq, (unsigned long long)errors);
            last_progress = now;
        }
    }
    if (stop_signal) {
        stop_reason = "signal";
        partial = frames_done < sc.frames;
    }
    if (tty)
        fputc('\n', stderr);
    double secs = (double)(sm_now_ns() - t_start) / 1e9;
    if (tops->finish)
        tops->finish(&t);

    /* ---- results ---- */
    int rc = 0;
    sm_gen_stats_from_log(&st, &log);
    json_t *j = summary_json(&a, &sc, &st, stop_reason, partial, frames_done, t.stale, secs);
    if (a.log && sm_calllog_write_file(&log, a.log) != 0) {
        fprintf(stderr, "smclat gen: writing %s: %s\n", a.log, strerror(errno));
        rc = 1;
    }
    if (a.json_out && sm_json_write_file(j, a.json_out) != 0) {
        fprintf(stderr, "smclat gen: writing %s: %s\n", a.json_out, strerror(errno));
        rc = 1;
    }
    if (a.print_log) {
        printf("=== smclat-gen calls.csv begin ===\n");
        sm_calllog_write(&log, stdout);
        printf("=== smclat-gen calls.csv end ===\n");
        printf("=== smclat-gen summary.json begin ===\n");
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("\n=== smclat-gen summary.json end ===\n");
    } else if (a.json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        printf("smclat gen: %s, %s flow, %.4g calls/s%s (stop: %s)\n", a.transport,
               sm_flow_name(sc.flow), sm_schedule_calls_per_s(&sc), partial ? ", PARTIAL" : "",
               stop_reason);
        sm_gen_stats_print(&st, stdout);
        if (t.stale)
            printf("  stale responses dropped: %llu\n", (unsigned long long)t.stale);
    }
    fflush(stdout);
    if (partial || st.ok != st.calls)
        rc = 1;
    json_decref(j);
    tops->close(&t);
    sm_calllog_free(&log);
    sm_gen_stats_free(&st);
    free(payload);
    return rc;
}
