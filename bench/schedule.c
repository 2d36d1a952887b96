#include "schedule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *sm_flow_name(enum sm_flow f)
{
    return f == SM_FLOW_OPTIMIZED ? "optimized" : "unoptimized";
}

int sm_flow_parse(const char *name, enum sm_flow *out)
{
    if (!strcmp(name, "optimized"))
        *out = SM_FLOW_OPTIMIZED;
    else if (!strcmp(name, "unoptimized"))
        *out = SM_FLOW_UNOPTIMIZED;
    else
        return -1;
    return 0;
}

int sm_schedule_check(const struct sm_schedule *s, char *err, size_t errlen)
{
    if (!(s->fps > 0.01 && s->fps <= 1e6)) {
        snprintf(err, errlen, "--fps %g: expected 0.01 to 1000000", s->fps);
        return -1;
    }
    if (s->frames == 0 || s->frames > 100000000ull) {
        snprintf(err, errlen, "expected 1 to 100000000 frames (--frames or --duration)");
        return -1;
    }
    if (s->warmup_frames >= s->frames) {
        snprintf(err, errlen, "--warmup covers every frame: nothing left to measure");
        return -1;
    }
    if (s->burst < 1 || s->burst > 100000) {
        snprintf(err, errlen, "--burst %u: expected 1 to 100000", s->burst);
        return -1;
    }
    if (s->jitter_ns >= sm_schedule_frame_period_ns(s) * s->burst) {
        snprintf(err, errlen, "--jitter must be shorter than the frame period");
        return -1;
    }
    return 0;
}

uint64_t sm_schedule_frame_period_ns(const struct sm_schedule *s)
{
    return (uint64_t)llround(1e9 / s->fps);
}

uint32_t sm_schedule_ops_per_frame(const struct sm_schedule *s)
{
    if (s->flow == SM_FLOW_OPTIMIZED)
        return 1;
    return s->no_unregister ? 2 : 3;
}

uint32_t sm_schedule_calls_in_frame(const struct sm_schedule *s, uint64_t f)
{
    if (s->flow == SM_FLOW_UNOPTIMIZED)
        return sm_schedule_ops_per_frame(s);
    uint32_t n = 1;
    if (f == 0)
        n++;
    if (f + 1 == s->frames && !s->no_unregister)
        n++;
    return n;
}

enum sm_op sm_schedule_op(const struct sm_schedule *s, uint64_t f, uint32_t k)
{
    if (s->flow == SM_FLOW_UNOPTIMIZED) {
        static const enum sm_op ops[3] = {SM_OP_REGISTER, SM_OP_PROCESS, SM_OP_UNREGISTER};
        return k < 3 ? ops[k] : SM_OP_NONE;
    }
    if (f == 0) {
        if (k == 0)
            return SM_OP_REGISTER;
        k--;
    }
    if (k == 0)
        return SM_OP_PROCESS;
    return k == 1 ? SM_OP_UNREGISTER : SM_OP_NONE;
}

/* A well-mixed 64-bit hash (splitmix64) for reproducible jitter. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t sm_schedule_deadline_ns(const struct sm_schedule *s, uint64_t f, uint32_t k)
{
    const uint64_t period = sm_schedule_frame_period_ns(s);
    uint64_t group = f / s->burst;
    /* Exact for long runs: the frame's time is computed from its index, not summed. */
    uint64_t t = (uint64_t)llround((double)(group * s->burst) * 1e9 / s->fps);
    if (s->burst == 1 && s->even) {
        uint32_t n = sm_schedule_calls_in_frame(s, f);
        t += period * k / n;
    }
    if (s->jitter_ns)
        t += mix(s->seed ^ mix(f)) % s->jitter_ns; /* per frame: keeps its calls in order */
    return t;
}

double sm_schedule_calls_per_s(const struct sm_schedule *s)
{
    return s->fps * sm_schedule_ops_per_frame(s);
}

uint64_t sm_schedule_total_calls(const struct sm_schedule *s)
{
    uint64_t n = 0;
    if (s->flow == SM_FLOW_UNOPTIMIZED)
        return s->frames * sm_schedule_ops_per_frame(s);
    n = s->frames + 1;
    if (!s->no_unregister)
        n++;
    return n;
}
