/* smclat-gen's command line: the option table, the checks, and what they decide (the pacing
 * plan, the transport and its options, the outputs). */
#ifndef SMCLAT_BENCH_GEN_CONFIG_H
#define SMCLAT_BENCH_GEN_CONFIG_H

#include "schedule.h"
#include "transport.h"

#include <stdint.h>

struct gen_config {
    const char *transport_name;
    const struct sm_transport_ops *tops;
    struct sm_schedule sc;
    struct sm_transport_opts to;
    uint64_t measured_frames;
    uint32_t payload;
    long prio, cpu;
    double jitter_us;
    uint64_t spin_ns; /* wake this early and busy-wait to the deadline */
    long dma_latency; /* --cpu-dma-latency, -1: leave it */
    const char *log, *json_out;
    int json, print_log, quiet;
};

/* 0: cfg filled; 1: --help was printed (exit 0); 2: bad usage, one line on stderr. */
int gen_config_parse(struct gen_config *cfg, int argc, char **argv);

#endif
