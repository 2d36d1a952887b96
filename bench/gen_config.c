#include "gen_config.h"

#include "options.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct gen_args {
    const char *transport, *flow, *spacing, *log, *json_out, *smc_mode, *conduit;
    double fps, duration, warmup, jitter_us, spin_us;
    long frames, payload, burst, seed, prio, cpu, call_timeout, connect_timeout, peer;
    long dma_latency;
    long fid_register, fid_process, fid_unregister, tee_cmd;
    int json, print_log, quiet, no_unregister, wait_go, smc_irqs_on;
};

static int check_range(const char *name, long v, long lo, long hi)
{
    if (v < lo || v > hi) {
        fprintf(stderr, "smclat gen: --%s %ld: expected %ld to %ld\n", name, v, lo, hi);
        return -1;
    }
    return 0;
}

/* The schedule from the options, checked; *measured: the frames summarized. 0, or -1 after
 * the error. */
static int derive_schedule(const struct gen_args *a, struct sm_schedule *sc, uint64_t *measured)
{
    *sc = (struct sm_schedule){.fps = a->fps,
                               .burst = (uint32_t)a->burst,
                               .seed = (uint64_t)a->seed,
                               .no_unregister = a->no_unregister};
    if (sm_flow_parse(a->flow, &sc->flow) != 0) {
        fprintf(stderr, "smclat gen: --flow '%s': expected optimized or unoptimized\n", a->flow);
        return -1;
    }
    if (strcmp(a->spacing, "even") && strcmp(a->spacing, "frame")) {
        fprintf(stderr, "smclat gen: --spacing '%s': expected even or frame\n", a->spacing);
        return -1;
    }
    sc->even = !strcmp(a->spacing, "even");
    if (check_range("payload", a->payload, 0, SM_RING_MAX_PAYLOAD) ||
        check_range("burst", a->burst, 1, 100000) || check_range("prio", a->prio, 0, 99) ||
        check_range("cpu-dma-latency", a->dma_latency, -1, 2000000000) ||
        check_range("cpu", a->cpu, -1, 4095) ||
        check_range("call-timeout", a->call_timeout, 1, 3600000) ||
        check_range("connect-timeout", a->connect_timeout, 0, 3600000) ||
        check_range("frames", a->frames, 0, 100000000) || check_range("peer", a->peer, -1, 32767))
        return -1;
    if (a->duration < 0 || a->warmup < 0 || a->jitter_us < 0 || !isfinite(a->duration) ||
        !(a->spin_us >= 0 && a->spin_us <= 1e6)) {
        fprintf(stderr, "smclat gen: --duration, --warmup, --jitter and --spin-us (at most "
                        "1000000) must be >= 0\n");
        return -1;
    }
    if (!(a->fps > 0.01 && a->fps <= 1e6)) {
        fprintf(stderr, "smclat gen: --fps %g: expected 0.01 to 1000000\n", a->fps);
        return -1;
    }
    *measured = a->frames > 0 ? (uint64_t)a->frames
                              : (uint64_t)llround((a->duration > 0 ? a->duration : 5) * a->fps);
    if (*measured == 0)
        *measured = 1;
    sc->warmup_frames = (uint64_t)llround(a->warmup * a->fps);
    sc->frames = *measured + sc->warmup_frames;
    sc->jitter_ns = (uint64_t)(a->jitter_us * 1000.0);
    char err[256];
    if (sm_schedule_check(sc, err, sizeof err) != 0) {
        fprintf(stderr, "smclat gen: %s\n", err);
        return -1;
    }
    return 0;
}

/* The transport and its options, checked. 0, or -1 after the error. */
static int derive_transport(const struct gen_args *a, struct sm_transport_opts *to,
                            const char *tee_uuid, const struct sm_transport_ops **tops)
{
    *tops = sm_transport_find(a->transport);
    if (!*tops) {
        fprintf(stderr, "smclat gen: --transport '%s': expected one of %s\n", a->transport,
                sm_transport_names());
        return -1;
    }
    if (!strcmp(a->smc_mode, "version")) {
        for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++)
            to->smc_fid[op] = 0x80000000u; /* ARM_SMCCC_VERSION */
    } else if (strcmp(a->smc_mode, "optee")) {
        fprintf(stderr, "smclat gen: --smc-mode '%s': expected optee or version\n", a->smc_mode);
        return -1;
    }
    long fids[SM_OP_COUNT] = {0, a->fid_register, a->fid_process, a->fid_unregister};
    for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++) {
        if (fids[op] < -1 || fids[op] > 0xffffffffL) {
            fprintf(stderr, "smclat gen: --smc-fid-%s: expected a 32-bit function id\n",
                    sm_op_name((enum sm_op)op));
            return -1;
        }
        if (fids[op] >= 0)
            to->smc_fid[op] = (uint32_t)fids[op];
    }
    if (strcmp(a->conduit, "smc") && strcmp(a->conduit, "hvc")) {
        fprintf(stderr, "smclat gen: --conduit '%s': expected smc or hvc\n", a->conduit);
        return -1;
    }
    to->smc_hvc = !strcmp(a->conduit, "hvc");
    to->smc_irqs_on = a->smc_irqs_on;
    to->tee_uuid = tee_uuid;
    to->tee_cmd = a->tee_cmd;
    to->payload_cap = (uint32_t)a->payload;
    to->call_timeout_ms = (int)a->call_timeout;
    to->connect_timeout_ms = (int)a->connect_timeout;
    to->peer_domid = a->peer;
    to->wait_go = a->wait_go;

    return 0;
}

/* the options' defaults */
static const struct gen_args gen_args_defaults = {
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
    .dma_latency = -1,
    .cpu = -1,
    .call_timeout = 1000,
    .connect_timeout = 10000,
    .peer = -1,
    .fid_register = -1,
    .fid_process = -1,
    .fid_unregister = -1,
    .tee_cmd = 0,
};

/* the configuration from the parsed options and what was derived from them */
static void fill_config(struct gen_config *cfg, const struct gen_args *a,
                        const struct sm_transport_opts *to, const struct sm_transport_ops *tops,
                        const struct sm_schedule *sc, uint64_t measured)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->transport_name = a->transport;
    cfg->tops = tops;
    cfg->sc = *sc;
    cfg->to = *to;
    cfg->measured_frames = measured;
    cfg->payload = (uint32_t)a->payload;
    cfg->prio = a->prio;
    cfg->cpu = a->cpu;
    cfg->jitter_us = a->jitter_us;
    cfg->spin_ns = (uint64_t)(a->spin_us * 1000.0);
    cfg->dma_latency = a->dma_latency;
    cfg->log = a->log;
    cfg->json_out = a->json_out;
    cfg->json = a->json;
    cfg->print_log = a->print_log;
    cfg->quiet = a->quiet;
}

int gen_config_parse(struct gen_config *cfg, int argc, char **argv)
{
    struct gen_args a = gen_args_defaults;
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
        {"cpu-dma-latency", 0, SM_OPT_INT, &a.dma_latency, "US",
         "hold /dev/cpu_dma_latency at US while running (0: no deep idle states, as cyclictest "
         "does; default: leave it)"},
        {"spin-us", 0, SM_OPT_DOUBLE, &a.spin_us, "US",
         "wake US early and busy-wait to each deadline (default 0: sleep only)"},
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
        return 1;
    if (first == SM_OPTS_ERROR)
        return 2;
    if (first < argc) {
        fprintf(stderr, "smclat gen: unexpected argument '%s'\n", argv[first]);
        return 2;
    }

    struct sm_schedule sc;
    uint64_t measured;
    const struct sm_transport_ops *tops;
    if (derive_schedule(&a, &sc, &measured) != 0 || derive_transport(&a, &to, tee_uuid, &tops) != 0)
        return 2;

    fill_config(cfg, &a, &to, tops, &sc, measured);
    return 0;
}
