/* When each call should start: the frame flows and the pacing plan. Pure functions of the
 * options, so the plan can be checked without running it. Deadlines are offsets in ns from the
 * run's start; the generator sleeps to start + offset with clock_nanosleep(TIMER_ABSTIME), so
 * errors never add up. */
#ifndef SMCLAT_BENCH_SCHEDULE_H
#define SMCLAT_BENCH_SCHEDULE_H

#include "proto.h"

#include <stdint.h>

enum sm_flow {
    SM_FLOW_OPTIMIZED,   /* register once, one process per frame, unregister at the end */
    SM_FLOW_UNOPTIMIZED, /* register, process, unregister every frame */
};

struct sm_schedule {
    enum sm_flow flow;
    double fps;
    uint64_t frames;        /* total, warm-up included */
    uint64_t warmup_frames; /* the first frames, logged but not summarized */
    uint32_t burst;         /* frames sharing one deadline (1: none) */
    uint64_t jitter_ns;     /* each frame is moved later by [0, jitter_ns) */
    uint64_t seed;          /* for the jitter */
    int even;               /* 1: a frame's calls spread evenly over the frame period */
    int no_unregister;      /* unoptimized flow without unregister (a leaking player) */
};

/* 0, or -1 with a one-line reason in err. */
int sm_schedule_check(const struct sm_schedule *s, char *err, size_t errlen);
uint64_t sm_schedule_frame_period_ns(const struct sm_schedule *s);
/* Calls in frame f (optimized: 1, plus register in the first and unregister in the last). */
uint32_t sm_schedule_calls_in_frame(const struct sm_schedule *s, uint64_t f);
/* The op of call k (0-based) in frame f. */
enum sm_op sm_schedule_op(const struct sm_schedule *s, uint64_t f, uint32_t k);
/* Deadline of call k in frame f, ns from the start. */
uint64_t sm_schedule_deadline_ns(const struct sm_schedule *s, uint64_t f, uint32_t k);
/* Steady-state calls per frame (1 optimized, 3 or 2 unoptimized) and per second. */
uint32_t sm_schedule_ops_per_frame(const struct sm_schedule *s);
double sm_schedule_calls_per_s(const struct sm_schedule *s);
uint64_t sm_schedule_total_calls(const struct sm_schedule *s);

const char *sm_flow_name(enum sm_flow f);
/* 0 or -1 for an unknown name. */
int sm_flow_parse(const char *name, enum sm_flow *out);

#endif
