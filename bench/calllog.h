/* smclat-gen's per-call log (calls.csv, docs/results-folder.md). Records are kept in memory
 * during the run (no I/O between calls) and written at the end, also after a signal. */
#ifndef SMCLAT_BENCH_CALLLOG_H
#define SMCLAT_BENCH_CALLLOG_H

#include "proto.h"

#include <stdint.h>
#include <stdio.h>

#define SM_CALLLOG_HEADER                                                                          \
    "seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status,warmup,result,"       \
    "smc_ret,trap_ticks"

struct sm_call_rec {
    uint64_t seq;
    uint64_t frame;
    uint64_t intended_ns, start_ns, end_ns;
    uint64_t start_cntvct, end_cntvct;
    uint64_t result;
    int64_t smc_ret;
    uint64_t trap_ticks;
    uint8_t op;     /* enum sm_op */
    uint8_t status; /* enum sm_status */
    uint8_t warmup;
    uint8_t has_smc;
};

struct sm_calllog {
    struct sm_call_rec *recs;
    uint64_t n, cap;
    int has_cntvct;
};

/* 0, or -1 when out of memory. cap: expected number of calls (the log grows past it). */
int sm_calllog_init(struct sm_calllog *l, uint64_t cap, int has_cntvct);
void sm_calllog_free(struct sm_calllog *l);
/* Appends; -1 when out of memory. */
int sm_calllog_add(struct sm_calllog *l, const struct sm_call_rec *r);
/* Writes the header and every record. 0, or -1 (errno) on a write error. */
int sm_calllog_write(const struct sm_calllog *l, FILE *out);
int sm_calllog_write_file(const struct sm_calllog *l, const char *path);

/* Parses one data line of calls.csv (the columns above; later unknown columns are ignored).
 * 0, or -1 with what was expected in err. */
int sm_calllog_parse_line(const char *line, struct sm_call_rec *r, char *err, size_t errlen);

#endif
