/* smclat-synth: writes a synthetic Xen 4.17 credit2 scheduler trace with known answers.
 *
 * Two pCPUs at 62.5 MHz. A client d2v0 on pCPU0 calls a mediator d1v0 on pCPU1 N times in
 * the textbook shape (notify + WAKE, client blocks, mediator wakes, runs, answers, blocks,
 * client runs), with random wake latencies and service times, credit2's own records around
 * every switch and wake (as in real traces: about 60% of the records), and the client's own
 * timer wake between calls. The ground truth (calls, per-call figures, per-vCPU runstate
 * totals by xenalyze's rules) is written as JSON to --truth FILE.
 *
 * usage: smclat synth (--calls N | --size BYTES) [--seed S] [--chunk BYTES] [--truth FILE] OUT */
#include "options.h"
#include "tracegen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDLE    0x7fffu
#define TICK_NS 16u /* 62.5 MHz */

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
/* uniform in [lo, hi] ticks */
static uint64_t between(uint64_t lo, uint64_t hi)
{
    return lo + rnd() % (hi - lo + 1);
}

struct stat3 {
    uint64_t n, min, max;
    long double sum;
};
static void st_add(struct stat3 *s, uint64_t v)
{
    if (s->n == 0 || v < s->min)
        s->min = v;
    if (s->n == 0 || v > s->max)
        s->max = v;
    s->n++;
    s->sum += v;
}
static void st_print(FILE *f, const char *name, const struct stat3 *s, int last)
{
    fprintf(f,
            "  \"%s\": {\"n\": %" PRIu64 ", \"min\": %" PRIu64 ", \"max\": %" PRIu64
            ", \"mean\": %.3Lf}%s\n",
            name, s->n, s->min * TICK_NS, s->max * TICK_NS, s->n ? s->sum * TICK_NS / s->n : 0.0L,
            last ? "" : ",");
}

/* credit2's records around a schedule on cpu (no effect on the model, they make the volume) */
static void c2_schedule(struct tg *g, unsigned cpu, uint64_t t, unsigned dom, unsigned vcpu)
{
    uint32_t s[2] = {cpu, 0};
    tg_rec(g, cpu, t, 0x00022215u, 2, s); /* SCHEDULE */
    uint32_t burn[4] = {dom << 16 | vcpu, 1000000, 0x80000000u, 12345};
    if (dom != IDLE)
        tg_rec(g, cpu, t + 1, 0x00022203u, 4, burn); /* CREDIT_BURN */
    uint32_t cc = dom << 16 | vcpu;
    tg_rec(g, cpu, t + 2, 0x00022217u, 1, &cc); /* RUNQ_CAND_CHECK */
    uint32_t cand[3] = {dom << 16 | vcpu, 0xffffffffu, 500000};
    tg_rec(g, cpu, t + 3, 0x00022214u, 3, cand); /* RUNQ_CANDIDATE */
}

static void c2_wake(struct tg *g, unsigned cpu, uint64_t t, unsigned dom, unsigned vcpu)
{
    tg_rec(g, cpu, t, 0x00022209u, 0, NULL); /* UPDATE_LOAD */
    uint32_t rl[6] = {0xf0876, 0, 0xf0876, 0, 0x12000004u, 0};
    tg_rec(g, cpu, t + 1, 0x0002220cu, 6, rl); /* UPDATE_RUNQ_LOAD */
    uint32_t ul[4] = {0x35bb5, 0, dom << 16 | vcpu, 0x12};
    tg_rec(g, cpu, t + 2, 0x0002220bu, 4, ul); /* UPDATE_UNIT_LOAD */
    uint32_t pos[2] = {dom << 16 | vcpu, 1};
    tg_rec(g, cpu, t + 3, 0x00022202u, 2, pos); /* RUNQ_POS */
    uint32_t tn[3] = {dom << 16 | vcpu, cpu, 5800000};
    tg_rec(g, cpu, t + 4, 0x0002220du, 3, tn); /* TICKLE_NEW */
}

/* A context switch on cpu from (pd,pv) to (nd,nv) at t; prev goes to prev_state. */
static void do_switch(struct tg *g, unsigned cpu, uint64_t t, unsigned pd, unsigned pv, unsigned nd,
                      unsigned nv, unsigned prev_state)
{
    c2_schedule(g, cpu, t, pd, pv);
    uint32_t ip[3] = {pd, pv, 1000};
    tg_rec(g, cpu, t + 5, 0x0002800eu, 3, ip); /* SWITCH_INFPREV */
    uint32_t in[4] = {nd, nv, 0, nd == IDLE ? 0xffffffffu : 1000000};
    tg_rec(g, cpu, t + 6, 0x0002800fu, 4, in); /* SWITCH_INFNEXT */
    tg_switch(g, cpu, t + 7, pd, pv, nd, nv);
    tg_runstate(g, cpu, t + 8, pd, pv, 0, prev_state);
    tg_runstate(g, cpu, t + 9, nd, nv, 1, 0);
}

/* The state of the simulation: the writer, the known answers, the clock. */
struct sim {
    struct tg *g;
    struct stat3 e2e, mwake, mrun, cwake;
    /* xenalyze-style runstate totals of d1v0 and d2v0, ticks */
    uint64_t run[2], runnable[2], blocked[2];
    uint64_t t, client_run_since, med_blocked_since;
    int med_seen;
    uint64_t n;
};

/* One call, then the client's sleep until its next period. */
static void one_call(struct sim *s)
{
    const uint64_t period = 625000;          /* 10 ms: 100 calls/s */
    uint64_t t0 = s->t + between(200, 2000); /* client runs, then notifies */
    tg_wake(s->g, 0, t0, 1, 0);
    tg_runstate(s->g, 0, t0 + 10, 1, 0, 2, 1); /* mediator blocked->runnable */
    if (s->med_seen)
        s->blocked[0] += t0 + 10 - s->med_blocked_since;
    c2_wake(s->g, 0, t0 + 12, 1, 0);
    uint64_t tb = t0 + between(60, 200); /* client blocks */
    tg_block(s->g, 0, tb, 2, 0);
    do_switch(s->g, 0, tb + 10, 2, 0, IDLE, 0, 2);
    s->run[1] += tb + 18 - s->client_run_since;
    uint64_t client_blocked_at = tb + 18;
    uint64_t w = between(300, 20000); /* mediator wake latency */
    if (rnd() % 100 == 0)
        w += between(50000, 500000); /* a tail */
    uint64_t tr = t0 + 10 + w;       /* mediator runnable->running */
    if (tr < tb + 40)
        tr = tb + 40;
    do_switch(s->g, 1, tr - 9, IDLE, 1, 1, 0, 1);
    if (s->med_seen) /* xenalyze counts a vCPU from its first run */
        s->runnable[0] += tr - (t0 + 10);
    st_add(&s->mwake, tr - (t0 + 10));
    s->med_seen = 1;
    uint64_t svc = between(100, 5000); /* service time */
    uint64_t ta = tr + svc;            /* answer */
    tg_wake(s->g, 1, ta, 2, 0);
    tg_runstate(s->g, 1, ta + 10, 2, 0, 2, 1); /* client blocked->runnable */
    s->blocked[1] += ta + 10 - client_blocked_at;
    c2_wake(s->g, 1, ta + 12, 2, 0);
    uint64_t tmb = ta + between(40, 120); /* mediator blocks */
    tg_block(s->g, 1, tmb, 1, 0);
    do_switch(s->g, 1, tmb + 10, 1, 0, IDLE, 1, 2);
    s->run[0] += tmb + 18 - tr;
    st_add(&s->mrun, tmb + 18 - tr);
    s->med_blocked_since = tmb + 18;
    uint64_t cw = between(200, 8000); /* client wake latency */
    uint64_t tcr = ta + 10 + cw;
    if (tcr < tb + 60)
        tcr = tb + 60;
    do_switch(s->g, 0, tcr - 9, IDLE, 0, 2, 0, 1);
    s->runnable[1] += tcr - (ta + 10);
    st_add(&s->cwake, tcr - (ta + 10));
    st_add(&s->e2e, tcr - client_blocked_at);
    s->client_run_since = tcr;
    s->n++;
    /* the client sleeps until its next period: block, timer wake, run */
    uint64_t ts = tcr + between(500, 3000);
    if (ts < tmb + 40)
        ts = tmb + 40;
    tg_block(s->g, 0, ts, 2, 0);
    do_switch(s->g, 0, ts + 10, 2, 0, IDLE, 0, 2);
    s->run[1] += ts + 18 - s->client_run_since;
    uint64_t next = (ts / period + 1) * period;
    tg_wake(s->g, 0, next, 2, 0);
    tg_runstate(s->g, 0, next + 10, 2, 0, 2, 1);
    s->blocked[1] += next + 10 - (ts + 18);
    c2_wake(s->g, 0, next + 12, 2, 0);
    uint64_t lat = between(300, 3000);
    do_switch(s->g, 0, next + 10 + lat - 9, IDLE, 0, 2, 0, 1);
    s->runnable[1] += lat;
    s->client_run_since = next + 10 + lat;
    s->t = s->client_run_since;
}

/* The known answers as JSON. 0, or 1 after the error. */
static int write_truth(const char *truth, const struct sim *s, uint64_t recs)
{
    FILE *tf = fopen(truth, "w");
    if (!tf) {
        fprintf(stderr, "smclat-synth: %s: %s\n", truth, strerror(errno));
        return 1;
    }
    fprintf(tf, "{\n  \"cpu_hz\": 62500000,\n  \"records\": %" PRIu64 ",\n", recs);
    fprintf(tf, "  \"client\": 2,\n  \"mediator\": 1,\n  \"calls\": %" PRIu64 ",\n", s->n);
    st_print(tf, "e2e_ns", &s->e2e, 0);
    st_print(tf, "mediator_wake_ns", &s->mwake, 0);
    st_print(tf, "mediator_run_ns", &s->mrun, 0);
    st_print(tf, "client_wake_ns", &s->cwake, 0);
    for (int d = 0; d < 2; d++)
        fprintf(tf,
                "  \"d%dv0\": {\"running_ns\": %" PRIu64 ", \"runnable_ns\": %" PRIu64
                ", \"blocked_ns\": %" PRIu64 "}%s\n",
                d + 1, s->run[d] * TICK_NS, s->runnable[d] * TICK_NS, s->blocked[d] * TICK_NS,
                d ? "" : ",");
    fprintf(tf, "}\n");
    fclose(tf);
    return 0;
}

int main(int argc, char **argv)
{
    long calls_opt = 0, seed_opt = 1, chunk_opt = 32768;
    double size_opt = 0;
    const char *truth = NULL;
    const struct sm_opt opts[] = {
        {"calls", 0, SM_OPT_INT, &calls_opt, "N", "number of calls (1..100000000)"},
        {"size", 0, SM_OPT_DOUBLE, &size_opt, "BYTES",
         "write calls until the file reaches BYTES (suffix k, M, G; at most 64G)"},
        {"seed", 0, SM_OPT_INT, &seed_opt, "S", "random seed (default 1)"},
        {"chunk", 0, SM_OPT_INT, &chunk_opt, "BYTES", "records per pCPU chunk (64..16M)"},
        {"truth", 0, SM_OPT_STRING, &truth, "FILE", "write the known answers as JSON"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts_one("synth", "(--calls N | --size BYTES) [OPTIONS] OUT",
                                  "Writes a synthetic Xen 4.17 credit2 trace with known answers.",
                                  opts, argc, argv, "OUT file");
    if (first < 0)
        return first == SM_OPTS_DONE ? 0 : 2;
    const char *out = argv[first];
    if ((calls_opt == 0) == (size_opt == 0)) {
        fprintf(stderr, "smclat synth: give one of --calls N or --size BYTES\n");
        return 2;
    }
    if (calls_opt < 0 || calls_opt > 100000000 || size_opt < 0 || size_opt > 64e9 ||
        chunk_opt < 64 || chunk_opt > (16 << 20) || seed_opt < 0) {
        fprintf(stderr,
                "smclat synth: --calls, --size, --chunk or --seed out of range (see --help)\n");
        return 2;
    }
    uint64_t calls = (uint64_t)calls_opt, size = (uint64_t)size_opt, seed = (uint64_t)seed_opt;
    size_t chunk = (size_t)chunk_opt;
    rng_state ^= seed * 0x9e3779b97f4a7c15ull;
    FILE *f = fopen(out, "wb");
    if (!f) {
        fprintf(stderr, "smclat-synth: %s: %s\n", out, strerror(errno));
        return 1;
    }
    static char fbuf[1 << 20];
    setvbuf(f, fbuf, _IOFBF, sizeof fbuf);
    struct sim sim = {.g = tg_new(f, 2, chunk), .t = 1000000};
    struct sim *s = &sim;
    /* start: client running on cpu0 (first seen as CONTINUE), mediator blocked, cpu1 idle */
    tg_continue(s->g, 0, s->t, 2, 0);
    tg_continue(s->g, 1, s->t + 3, IDLE, 1);
    s->client_run_since = s->t;
    while ((calls && s->n < calls) || (size && (uint64_t)ftello(f) < size))
        one_call(s);
    /* the client is closed at pCPU0's last record (xenalyze's rule) */
    uint64_t tend = s->t + 100;
    tg_continue(s->g, 0, tend, 2, 0);
    s->run[1] += tend - s->client_run_since;
    tg_continue(s->g, 1, tend + 1, IDLE, 1);
    uint64_t recs = tg_records(s->g);
    if (tg_finish(s->g) != 0 || fclose(f) != 0) {
        fprintf(stderr, "smclat-synth: writing %s failed\n", out);
        return 1;
    }
    return truth ? write_truth(truth, s, recs) : 0;
}
