/* smclat-gen's summary, computed from the call log (so the two always agree): latency
 * histograms, pacing error, missed deadlines, errors by kind. Warm-up calls are left out. */
#ifndef SMCLAT_BENCH_GEN_STATS_H
#define SMCLAT_BENCH_GEN_STATS_H

#include "calllog.h"
#include "hist.h"
#include "proto.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

struct sm_gen_stats {
    struct sm_hist *service;       /* end - start, ok calls */
    struct sm_hist *from_intended; /* end - intended (coordinated omission corrected), ok calls */
    struct sm_hist *pacing;        /* start - intended, every call */
    struct sm_hist *trap_ticks;    /* SMC transports: the trap alone, every completed trap */
    uint64_t calls, ok;
    uint64_t by_op[SM_OP_COUNT];
    uint64_t errors[SM_STATUS_COUNT];
    uint64_t missed;            /* started later than intended + miss_ns */
    uint64_t miss_ns;           /* the threshold: one call interval */
    uint64_t first_ns, last_ns; /* first intended start, last end */
};

/* 0, or -1 when out of memory. */
int sm_gen_stats_init(struct sm_gen_stats *s, uint64_t miss_ns);
void sm_gen_stats_free(struct sm_gen_stats *s);
void sm_gen_stats_add(struct sm_gen_stats *s, const struct sm_call_rec *r);
void sm_gen_stats_from_log(struct sm_gen_stats *s, const struct sm_calllog *l);
/* The "calls", "errors", "missed_deadlines", "latency_ns", "pacing_error_ns" (and
 * "trap_ticks") members, added to obj. */
void sm_gen_stats_json(const struct sm_gen_stats *s, json_t *obj);
void sm_gen_stats_print(const struct sm_gen_stats *s, FILE *out);

#endif
