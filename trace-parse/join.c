#include "join.h"
#include "ticks.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Counter values above this are refused: differences must fit in int64_t. */
#define MAX_TICKS   ((uint64_t)1 << 62)
#define MAX_ANCHORS 64u  /* log calls sampled per seed for the first estimate */
#define MIN_SEEDS   8u   /* log calls tried against every trace call */
#define MAX_SEEDS   256u /* ... when the trace covers a small part of the log */
#define MAX_TOP     16u  /* candidates kept per seed, to find the second best */
#define MIN_MATCHED 3u

struct tcall {
    uint64_t a, z; /* the client window (sm_join_window) */
    uint64_t a2;   /* its first instant after the guest's start for sure (client_start()) */
    uint64_t ah;   /* the instant that bounds the offset from above: a, or a2 when the notify
                    * may be the mediator's timer just before the real one (notify_ambiguous) */
    size_t idx;
    int rec; /* rebuilt from a log call's window (sm_call.recovered): no vote on the offset */
};

struct lcall {
    uint64_t s, e; /* guest window */
    size_t idx;
};

/* An edge of a half-open interval [lo, hi + 1) of offsets. */
struct edge {
    int64_t pos;
    int delta;
};

struct seg {
    int64_t lo, hi;
    size_t cover;
};

static void fail(struct sm_join_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

static int cmp_tcall(const void *x, const void *y)
{
    const struct tcall *a = x, *b = y;
    return (a->a2 > b->a2) - (a->a2 < b->a2);
}

static int cmp_lcall(const void *x, const void *y)
{
    const struct lcall *a = x, *b = y;
    return (a->s > b->s) - (a->s < b->s);
}

static int cmp_edge(const void *x, const void *y)
{
    const struct edge *a = x, *b = y;
    if (a->pos != b->pos)
        return (a->pos > b->pos) - (a->pos < b->pos);
    return a->delta - b->delta;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The offsets covered by the most intervals. The edges must be sorted. */
static struct seg best_segment(const struct edge *ev, size_t n)
{
    struct seg best = {0, -1, 0};
    size_t cover = 0;
    for (size_t k = 0; k < n;) {
        int64_t pos = ev[k].pos;
        long d = 0;
        while (k < n && ev[k].pos == pos)
            d += ev[k++].delta;
        cover = (size_t)((long)cover + d);
        if (k < n && cover > best.cover)
            best = (struct seg){pos, ev[k].pos - 1, cover};
    }
    return best;
}

static uint64_t median_gap(uint64_t *gaps, size_t n)
{
    if (n == 0)
        return 0;
    qsort(gaps, n, sizeof *gaps, cmp_u64);
    return gaps[n / 2];
}

/* State of the pairing. */
enum { FREE = 0, MATCHED = 1, INCONSISTENT = 2 };

struct work {
    struct tcall *tr;
    size_t ntr;
    struct lcall *lg;
    size_t nlg;
    unsigned char *tstate; /* [ntr], by sorted position */
    size_t *pair;          /* [nlg]: sorted trace position, or SM_JOIN_NONE */
    unsigned char *lstate;
};

/* Pairs each log call (in start order) with the first free trace call that starts in its window
 * mapped with off (widened by slack) and ends in it. A trace call that starts in the window but
 * ends after it marks the pair inconsistent. Returns the number matched. */
static size_t pair_calls(struct work *w, int64_t off, int64_t slack)
{
    memset(w->tstate, FREE, w->ntr);
    memset(w->lstate, FREE, w->nlg);
    size_t matched = 0, j = 0;
    for (size_t i = 0; i < w->nlg; i++) {
        int64_t lo = (int64_t)w->lg[i].s + off - slack, hi = (int64_t)w->lg[i].e + off + slack;
        w->pair[i] = SM_JOIN_NONE;
        while (j < w->ntr && (int64_t)w->tr[j].a2 < lo)
            j++;
        size_t first_in = SM_JOIN_NONE;
        for (size_t k = j; k < w->ntr && (int64_t)w->tr[k].a2 <= hi; k++) {
            if (w->tstate[k] != FREE)
                continue;
            if ((int64_t)w->tr[k].z <= hi) {
                w->pair[i] = k;
                w->tstate[k] = MATCHED;
                w->lstate[i] = MATCHED;
                matched++;
                break;
            }
            if (first_in == SM_JOIN_NONE)
                first_in = k;
        }
        if (w->pair[i] == SM_JOIN_NONE && first_in != SM_JOIN_NONE) {
            w->pair[i] = first_in;
            w->tstate[first_in] = INCONSISTENT;
            w->lstate[i] = INCONSISTENT;
        }
    }
    return matched;
}

/* The best offset segment over the matched pairs' intervals. */
static struct seg refine(const struct work *w, struct edge *ev)
{
    size_t n = 0;
    for (size_t i = 0; i < w->nlg; i++) {
        if (w->lstate[i] != MATCHED)
            continue;
        const struct tcall *t = &w->tr[w->pair[i]];
        if (t->rec)
            continue;
        int64_t lo = (int64_t)t->z - (int64_t)w->lg[i].e, hi = (int64_t)t->ah - (int64_t)w->lg[i].s;
        if (lo > hi)
            continue; /* fits no offset: its notify was not this call's (client_start()) */
        ev[n++] = (struct edge){lo, +1};
        ev[n++] = (struct edge){hi + 1, -1};
    }
    qsort(ev, n, sizeof *ev, cmp_edge);
    return best_segment(ev, n);
}

int sm_join_window(const struct sm_call *c, uint64_t *w_start, uint64_t *w_end)
{
    /* In the order they happen in a textbook call. */
    const uint64_t t[] = {c->t_notify, c->t_client_block, c->t_med_wake,  c->t_med_run,
                          c->t_answer, c->t_client_wake,  c->t_client_run};
    uint64_t lo = SM_T_NONE, hi = 0;
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        if (t[k] == SM_T_NONE)
            continue;
        lo = t[k] < lo ? t[k] : lo;
        hi = t[k] > hi ? t[k] : hi;
    }
    if (lo == SM_T_NONE && c->recovered && c->t_start != SM_T_NONE && c->t_end >= c->t_start) {
        /* Rebuilt from a logged call whose window shows none of these instants (the client
         * ran through it, the mediator awake): the middle of the guest's window, so that it
         * still lies inside that window when the join runs again (its offset may move by a
         * little). */
        *w_start = *w_end = c->t_start + (c->t_end - c->t_start) / 2;
        return 0;
    }
    if (lo == SM_T_NONE)
        return -1;
    if (c->t_notify != SM_T_NONE)
        lo = c->t_notify;
    if (c->t_client_run != SM_T_NONE)
        hi = c->t_end_lo != SM_T_NONE && c->t_end_lo >= lo ? c->t_end_lo : c->t_client_run;
    if (hi < lo)
        return -1;
    *w_start = lo;
    *w_end = hi;
    return 0;
}

/* The first instant of a call that comes after the guest's start whatever the detector took
 * for the notify: the client's block, the answer, the client's wake or run. A notify (and the
 * mediator's wake) can precede the guest's start when the mediator was in fact woken by
 * something else (its timer) just before the call: the join then pairs on this instant. */
static uint64_t client_start(const struct sm_call *c, uint64_t a)
{
    const uint64_t t[] = {c->t_client_block, c->t_answer, c->t_client_wake, c->t_client_run};
    uint64_t lo = SM_T_NONE;
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (t[k] != SM_T_NONE && t[k] >= a && t[k] < lo)
            lo = t[k];
    return lo == SM_T_NONE ? a : lo;
}

/* The trace calls sorted by their window's start, for estimate(). */
static int cmp_tcall_a(const void *x, const void *y)
{
    const struct tcall *a = x, *b = y;
    return (a->a > b->a) - (a->a < b->a);
}

/* Narrows [*lo, *hi] to the offsets at which some trace call's window lies in log call l's
 * guest window. Returns 1 when one does, 0 when none does. ta is sorted by a. */
static int fits(const struct tcall *ta, size_t nt, const struct lcall *l, int64_t *lo, int64_t *hi)
{
    int64_t from = (int64_t)l->s + *lo, to = (int64_t)l->e + *hi;
    size_t b = 0, e = nt;
    while (b < e) {
        size_t mid = b + (e - b) / 2;
        if ((int64_t)ta[mid].a < from)
            b = mid + 1;
        else
            e = mid;
    }
    for (; b < nt && (int64_t)ta[b].a <= to; b++) {
        int64_t l2 = (int64_t)ta[b].z - (int64_t)l->e, u2 = (int64_t)ta[b].ah - (int64_t)l->s;
        int64_t nl = l2 > *lo ? l2 : *lo, nu = u2 < *hi ? u2 : *hi;
        if (nl <= nu) {
            *lo = nl;
            *hi = nu;
            return 1;
        }
    }
    return 0;
}

static int64_t seg_distance(const struct seg *a, const struct seg *b)
{
    if (a->hi < b->lo)
        return b->lo - a->hi;
    if (b->hi < a->lo)
        return a->lo - b->hi;
    return 0;
}

/* The first estimate of the offset (estimate()). */
struct estimate {
    struct seg first;  /* the candidate most sampled calls fit (cover: how many) */
    struct seg second; /* the best one further than zone from it */
    size_t sampled;    /* log calls sampled for the first (seed included) */
};

static size_t lower_bound_s(const struct lcall *lg, size_t n, int64_t v)
{
    size_t b = 0, e = n;
    while (b < e) {
        size_t mid = b + (e - b) / 2;
        if ((int64_t)lg[mid].s < v)
            b = mid + 1;
        else
            e = mid;
    }
    return b;
}

/* Seeds: log calls spread over the log, at most half the trace's span apart (so that some lie
 * well inside the trace when it covers only a part of the run), at least MIN_SEEDS. Each seed is
 * paired with every trace call whose window is no longer than its round trip, each pair giving
 * the offsets at which the trace window lies in the guest window: a candidate. Each candidate is
 * checked against up to MAX_ANCHORS - 1 other log calls within a trace span of the seed (nearest
 * first), narrowing it to the offsets all the calls that fit share. Candidates that cannot reach
 * 90% of the best are dropped early, so a wrong one costs a few binary searches: about O(seeds x
 * trace calls x log) time, O(trace calls) memory. Returns 0, or -1 when out of memory. */
static int estimate(const struct work *w, int64_t zone, const struct sm_join_opts *opts,
                    struct estimate *out)
{
    struct tcall *ta = malloc(sizeof *ta * (w->ntr ? w->ntr : 1));
    if (!ta)
        return -1;
    /* Calls rebuilt from the log's own windows (recovered) would only repeat the offset they
     * were built at: they vote for nothing. */
    size_t nt = 0;
    for (size_t t = 0; t < w->ntr; t++)
        if (!w->tr[t].rec)
            ta[nt++] = w->tr[t];
    if (nt == 0) {
        free(ta);
        out->first = out->second = (struct seg){0, -1, 0};
        out->sampled = 0;
        return 0;
    }
    qsort(ta, nt, sizeof *ta, cmp_tcall_a);
    uint64_t tmax = 0;
    for (size_t t = 0; t < nt; t++)
        tmax = ta[t].z > tmax ? ta[t].z : tmax;
    int64_t span_t = (int64_t)(tmax - ta[0].a) + 1;
    double cover_ratio = (double)(w->lg[w->nlg - 1].s - w->lg[0].s) / (double)span_t;
    size_t nseeds = MIN_SEEDS;
    if (2 * cover_ratio > (double)nseeds)
        nseeds = 2 * cover_ratio > (double)MAX_SEEDS ? MAX_SEEDS : (size_t)ceil(2 * cover_ratio);
    if (nseeds > w->nlg)
        nseeds = w->nlg;
    out->first = out->second = (struct seg){0, -1, 0};
    out->sampled = 0;
    for (size_t sd = 0; sd < nseeds; sd++) {
        size_t i0 = (2 * sd + 1) * w->nlg / (2 * nseeds);
        const struct lcall *l0 = &w->lg[i0];
        /* The other sampled calls: spread over the log calls within a trace span of the seed,
         * nearest to the seed first. */
        size_t ia = lower_bound_s(w->lg, w->nlg, (int64_t)l0->s - span_t);
        size_t ib = lower_bound_s(w->lg, w->nlg, (int64_t)l0->s + span_t + 1);
        size_t count = ib - ia - 1; /* without the seed */
        size_t no = count < MAX_ANCHORS - 1 ? count : MAX_ANCHORS - 1;
        size_t idx[MAX_ANCHORS];
        for (size_t k = 0; k < no; k++) {
            size_t p = ia + (2 * k + 1) * count / (2 * no);
            idx[k] = p >= i0 ? p + 1 : p;
        }
        for (size_t k = 1; k < no; k++) { /* insertion sort by distance to the seed */
            size_t v = idx[k], dv = v > i0 ? v - i0 : i0 - v, m = k;
            for (; m > 0; m--) {
                size_t u = idx[m - 1], du = u > i0 ? u - i0 : i0 - u;
                if (du <= dv)
                    break;
                idx[m] = u;
            }
            idx[m] = v;
        }
        size_t nanch = no + 1;
        struct seg top[MAX_TOP];
        size_t ntop = 0, best = 0;
        /* Trace calls from the seed's relative place in the log outwards: the right one tends
         * to come early, and then wrong ones are dropped after a miss or two. */
        size_t mid = (size_t)((double)i0 / (double)w->nlg * (double)nt);
        for (size_t step = 0; step < 2 * nt; step++) {
            size_t t = step % 2 ? mid + (step + 1) / 2 : mid - step / 2;
            if ((step % 2 == 0 && step / 2 > mid) || t >= nt)
                continue;
            if (ta[t].z - ta[t].a > l0->e - l0->s)
                continue;
            int64_t lo = (int64_t)ta[t].z - (int64_t)l0->e, hi = (int64_t)ta[t].ah - (int64_t)l0->s;
            if (opts && opts->has_offset_hint &&
                (hi < opts->offset_hint - opts->offset_tolerance ||
                 lo > opts->offset_hint + opts->offset_tolerance))
                continue; /* too far from the prior */
            size_t cover = 1, misses = 0;
            for (size_t k = 0; k < no; k++) {
                if (fits(ta, nt, &w->lg[idx[k]], &lo, &hi)) {
                    cover++;
                } else if (10 * (nanch - ++misses) < 9 * best) {
                    cover = 0; /* cannot reach 90% of the best */
                    break;
                }
            }
            if (cover == 0)
                continue;
            best = cover > best ? cover : best;
            /* Keep the best few, by cover. */
            struct seg c = {lo, hi, cover};
            size_t at;
            if (ntop < MAX_TOP)
                at = ntop++;
            else if (top[MAX_TOP - 1].cover < cover)
                at = MAX_TOP - 1;
            else
                continue;
            while (at > 0 && top[at - 1].cover < cover) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = c;
        }
        if (ntop == 0 || top[0].cover <= out->first.cover)
            continue;
        out->first = top[0];
        out->second = (struct seg){0, -1, 0};
        out->sampled = nanch;
        for (size_t k = 1; k < ntop; k++) {
            if (seg_distance(&top[k], &top[0]) > zone) {
                out->second = top[k];
                break;
            }
        }
        if (10 * out->first.cover >= 9 * nanch)
            break; /* nearly every sampled call agrees: no other seed can do much better */
    }
    free(ta);
    return 0;
}

static int prepare(struct work *w, const struct sm_call *calls, size_t n_calls,
                   const struct sm_log_call *log, size_t n_log, struct sm_join_error *err)
{
    w->tr = malloc(sizeof *w->tr * (n_calls ? n_calls : 1));
    w->lg = malloc(sizeof *w->lg * n_log);
    w->tstate = malloc(n_calls ? n_calls : 1);
    w->lstate = malloc(n_log);
    w->pair = malloc(sizeof *w->pair * n_log);
    if (!w->tr || !w->lg || !w->tstate || !w->lstate || !w->pair) {
        fail(err, "out of memory");
        return -1;
    }
    w->ntr = 0;
    for (size_t k = 0; k < n_calls; k++) {
        const struct sm_call *c = &calls[k];
        /* A call without a known window (should not happen) cannot be placed: trace-only. */
        uint64_t a, z;
        if (sm_join_window(c, &a, &z) != 0 || z >= MAX_TICKS)
            continue;
        uint64_t a2 = client_start(c, a);
        int amb = c->notify_ambiguous && c->t_notify == a;
        w->tr[w->ntr++] = (struct tcall){a, z, a2, amb ? a2 : a, k, c->recovered};
    }
    for (size_t k = 0; k < n_log; k++) {
        if (log[k].end_cntvct >= MAX_TICKS || log[k].end_cntvct < log[k].start_cntvct) {
            fail(err,
                 "log line %u: expected CNTVCT counts below 2^62 with end >= start, found %" PRIu64
                 " and %" PRIu64,
                 log[k].line, log[k].start_cntvct, log[k].end_cntvct);
            return -1;
        }
        w->lg[k] = (struct lcall){log[k].start_cntvct, log[k].end_cntvct, k};
    }
    w->nlg = n_log;
    qsort(w->tr, w->ntr, sizeof *w->tr, cmp_tcall);
    qsort(w->lg, w->nlg, sizeof *w->lg, cmp_lcall);
    return 0;
}

/* Median distance between consecutive starts, log and trace: the same pacing seen through two
 * clocks, so their ratio is the rate ratio (1 when both count the same timer). */
static double gap_ratio(const struct work *w, uint64_t *lgap, uint64_t *tgap)
{
    uint64_t *g = malloc(sizeof *g * (w->nlg > w->ntr ? w->nlg : w->ntr));
    *lgap = *tgap = 0;
    if (!g)
        return 0;
    size_t n = 0;
    for (size_t i = 1; i < w->nlg; i++)
        g[n++] = w->lg[i].s - w->lg[i - 1].s;
    *lgap = median_gap(g, n);
    n = 0;
    for (size_t i = 1; i < w->ntr; i++)
        g[n++] = w->tr[i].a2 - w->tr[i - 1].a2;
    *tgap = median_gap(g, n);
    free(g);
    return *lgap && *tgap ? (double)*tgap / (double)*lgap : 0;
}

static void free_work(struct work *w)
{
    free(w->tr);
    free(w->lg);
    free(w->tstate);
    free(w->lstate);
    free(w->pair);
}

/* The largest offset at which nine in ten of the matched pairs still have their notify inside
 * the guest's window (INT64_MIN when none are matched). */
static int64_t notify_bound(const struct work *w)
{
    size_t n = 0;
    int64_t *u = malloc(sizeof *u * (w->nlg ? w->nlg : 1));
    if (!u)
        return INT64_MIN;
    for (size_t i = 0; i < w->nlg; i++)
        if (w->lstate[i] == MATCHED)
            u[n++] = (int64_t)w->tr[w->pair[i]].a - (int64_t)w->lg[i].s;
    int64_t q = INT64_MIN;
    if (n) {
        qsort(u, n, sizeof *u, cmp_i64);
        q = u[n / 10];
    }
    free(u);
    return q;
}

/* The pace test: the log's calls and the trace's start at the same median distance (one
 * clock, one run, the right domains). Fills note (the gaps, for every later message) and *tgap.
 * Returns 0, or -1 with err filled. */
static int check_pace(const struct work *w, char *note, size_t size, uint64_t *tgap,
                      struct sm_join_error *err)
{
    uint64_t lgap;
    double ratio = gap_ratio(w, &lgap, tgap);
    note[0] = '\0';
    if (ratio > 0)
        snprintf(note, size,
                 "; the log's calls start a median %" PRIu64 " ticks apart, the trace's %" PRIu64
                 " (ratio %.3g)",
                 lgap, *tgap, ratio);
    if (w->nlg >= 8 && w->ntr >= 8 && (ratio < 0.5 || ratio > 2)) {
        fail(err,
             "the log's calls and the trace's do not keep the same pace%s: either the trace's "
             "calls are not the log's (the wrong client/mediator domains, or a log of another "
             "run) or the log's clock rate does not fit the trace's",
             note);
        return -1;
    }
    return 0;
}

/* The trace's span: the caller's, else the calls' own. */
static void trace_span(const struct work *w, const struct sm_join_opts *opts, uint64_t *first,
                       uint64_t *last)
{
    *first = opts ? opts->trace_first : 0;
    *last = opts ? opts->trace_last : 0;
    if (*first == 0 && *last == 0) {
        *first = UINT64_MAX;
        for (size_t t = 0; t < w->ntr; t++) {
            *first = w->tr[t].a < *first ? w->tr[t].a : *first;
            *last = w->tr[t].z > *last ? w->tr[t].z : *last;
        }
    }
}

/* The clock offset found, and how. */
struct fit {
    int64_t off;
    struct seg first;
    size_t nanch;
};

/* 1. First estimate (estimate()): a sample of log calls, seeds tried against every trace call,
 * each candidate checked against the other sampled calls. 2. Pair at that estimate, 3. refine
 * over every pair, 4. pair again at the refined offset (no slack: each trace window inside its
 * guest window). Then the tests of a real fit. Returns 0 with w paired at fit->off, or -1 with
 * err filled. */
static int find_offset(struct work *w, uint64_t tgap, const struct sm_join_opts *opts,
                       const char *note, struct fit *fit, struct sm_join_error *err)
{
    /* Another offset as good, further than half a call gap: periodic calls alias. */
    int64_t zone = (int64_t)(tgap / 2);
    struct estimate est;
    if (estimate(w, zone, opts, &est) != 0) {
        fail(err, "out of memory");
        return -1;
    }
    struct seg first = est.first, second = est.second;
    size_t nanch = est.sampled ? est.sampled : (w->nlg < MAX_ANCHORS ? w->nlg : MAX_ANCHORS);
    struct edge *ev = malloc(sizeof *ev * 2 * w->nlg);
    if (!ev) {
        fail(err, "out of memory");
        return -1;
    }
    size_t need = nanch < MIN_MATCHED ? nanch : MIN_MATCHED;
    if (first.cover < need || first.cover == 0) {
        fail(err,
             "no consistent clock offset: at most %zu of %zu sampled log calls fit one "
             "offset%s",
             first.cover, nanch, note);
        free(ev);
        return -1;
    }
    int64_t coarse = first.lo + (first.hi - first.lo) / 2;
    pair_calls(w, coarse, (first.hi - first.lo) / 2 + 1);
    struct seg fine = refine(w, ev);
    free(ev);
    if (fine.cover == 0)
        fine = first;
    int64_t off = fine.lo + (fine.hi - fine.lo) / 2;
    size_t matched = pair_calls(w, off, 0);
    int64_t q = notify_bound(w);
    if (q >= fine.lo && q < off) {
        /* The pairs fit offsets up to fine.hi on their later instants, but most notifies lie
         * in the guest's windows only up to q: the middle of what fits both. */
        off = fine.lo + (q - fine.lo) / 2;
        matched = pair_calls(w, off, 0);
    }

    uint64_t first_t, last_t;
    trace_span(w, opts, &first_t, &last_t);
    size_t in_trace = 0;
    for (size_t i = 0; i < w->nlg; i++) {
        int64_t s = (int64_t)w->lg[i].s + off, e = (int64_t)w->lg[i].e + off;
        in_trace += s >= (int64_t)first_t && e <= (int64_t)last_t;
    }
    if (matched < MIN_MATCHED) {
        fail(err,
             "no consistent clock offset: the best one (%" PRId64 " ticks) fits %zu call%s, "
             "at least %u are needed%s",
             off, matched, matched == 1 ? "" : "s", MIN_MATCHED, note);
        return -1;
    }
    /* Pairs whose notify lies in the guest window too (not paired on a later instant). */
    size_t clean = 0;
    for (size_t i = 0; i < w->nlg; i++)
        clean +=
            w->lstate[i] == MATCHED && (int64_t)w->tr[w->pair[i]].a - (int64_t)w->lg[i].s >= off;
    if (5 * clean < 4 * in_trace) {
        fail(err,
             "no consistent clock offset: the best one (%" PRId64 " ticks) fits %zu of the "
             "%zu log calls that would lie in the trace (%zu with the notify in the guest's "
             "window; %zu of %zu sampled calls agreed)%s",
             off, matched, in_trace, clean, first.cover, nanch, note);
        return -1;
    }
    if (second.cover * 10 >= first.cover * 9) {
        fail(err,
             "no unique clock offset: %" PRId64 " ticks fits %zu of %zu sampled log calls, "
             "%" PRId64 " fits %zu",
             first.lo, first.cover, nanch, second.lo, second.cover);
        return -1;
    }
    *fit = (struct fit){off, first, nanch};
    return 0;
}

static struct sm_join *new_join(size_t n_log, size_t n_calls)
{
    struct sm_join *j = calloc(1, sizeof *j);
    if (!j || !(j->log_to_trace = malloc(sizeof *j->log_to_trace * n_log)) ||
        !(j->trace_to_log = malloc(sizeof *j->trace_to_log * (n_calls ? n_calls : 1))) ||
        !(j->log_state = calloc(n_log, 1)) ||
        !(j->trace_state = calloc(n_calls ? n_calls : 1, 1))) {
        sm_join_free(j);
        return NULL;
    }
    j->n_log = n_log;
    j->n_trace = n_calls;
    for (size_t i = 0; i < n_log; i++)
        j->log_to_trace[i] = SM_JOIN_NONE;
    for (size_t t = 0; t < n_calls; t++)
        j->trace_to_log[t] = SM_JOIN_NONE;
    return j;
}

/* Each log call's outcome at offset off, and the range of offsets all matched calls fit. */
static void count_log_calls(struct sm_join *j, const struct work *w, const struct sm_call *calls,
                            int64_t off, const struct sm_join_opts *opts)
{
    uint64_t first_t, last_t;
    trace_span(w, opts, &first_t, &last_t);
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    for (size_t i = 0; i < w->nlg; i++) {
        if (w->lstate[i] == INCONSISTENT) {
            j->inconsistent++;
            j->log_state[w->lg[i].idx] = SM_JOIN_INCONSISTENT;
            j->trace_state[w->tr[w->pair[i]].idx] = SM_JOIN_INCONSISTENT;
            continue;
        }
        if (w->lstate[i] != MATCHED) {
            int64_t s = (int64_t)w->lg[i].s + off, e = (int64_t)w->lg[i].e + off;
            j->log_only++;
            j->log_only_in_trace += s >= (int64_t)first_t && e <= (int64_t)last_t;
            continue;
        }
        const struct tcall *t = &w->tr[w->pair[i]];
        j->matched++;
        j->log_to_trace[w->lg[i].idx] = t->idx;
        j->trace_to_log[t->idx] = w->lg[i].idx;
        j->log_state[w->lg[i].idx] = SM_JOIN_MATCHED;
        j->trace_state[t->idx] = SM_JOIN_MATCHED;
        if (t->rec) {
            const struct sm_call *c = &calls[t->idx];
            j->recovered++;
            j->recovered_by_shape[c->shape]++;
            j->recovered_unrecorded += c->t_notify == SM_T_NONE && c->t_client_block == SM_T_NONE &&
                                       c->t_answer == SM_T_NONE;
            continue;
        }
        int64_t l = (int64_t)t->z - (int64_t)w->lg[i].e, u = (int64_t)t->a - (int64_t)w->lg[i].s;
        if (u < off) { /* the notify preceded the guest's start: not this call's */
            j->early_notify++;
            u = (int64_t)t->a2 - (int64_t)w->lg[i].s;
        } else {
            u = (int64_t)t->ah - (int64_t)w->lg[i].s;
        }
        lo = l > lo ? l : lo;
        hi = u < hi ? u : hi;
    }
    j->offset_lo = lo;
    j->offset_hi = hi;
}

/* The trace calls no log call took: inside the log's span, inside another matched call. */
static void count_trace_only(struct sm_join *j, const struct work *w, const struct sm_call *calls,
                             int64_t off)
{
    uint64_t lmin = UINT64_MAX, lmax = 0;
    for (size_t i = 0; i < w->nlg; i++) {
        lmin = w->lg[i].s < lmin ? w->lg[i].s : lmin;
        lmax = w->lg[i].e > lmax ? w->lg[i].e : lmax;
    }
    j->trace_only = j->n_trace - j->matched - j->inconsistent;
    for (size_t t = 0; t < w->ntr; t++) {
        if (w->tstate[t] != FREE)
            continue;
        int64_t a = (int64_t)w->tr[t].a - off, z = (int64_t)w->tr[t].z - off;
        int in_log = a >= (int64_t)lmin && z <= (int64_t)lmax;
        j->trace_only_in_log += in_log;
        if (in_log)
            j->trace_only_in_log_by_shape[calls[w->tr[t].idx].shape]++;
        /* Inside the guest window of a call matched to another trace call: the detector saw
         * one call twice. The log is sorted by start: the last call starting before a2. */
        int64_t a2 = (int64_t)w->tr[t].a2 - off;
        size_t b = 0, e = w->nlg;
        while (b < e) {
            size_t mid = b + (e - b) / 2;
            if ((int64_t)w->lg[mid].s <= a2)
                b = mid + 1;
            else
                e = mid;
        }
        j->trace_only_in_matched +=
            b > 0 && w->lstate[b - 1] == MATCHED && z <= (int64_t)w->lg[b - 1].e;
    }
}

static void describe(struct sm_join *j, const struct fit *fit, const struct sm_join_opts *opts)
{
    snprintf(j->how, sizeof j->how,
             "consensus of guest windows containing trace windows: %zu of %zu sampled log calls "
             "agreed, then all %zu matched calls fit offsets %" PRId64 "..%" PRId64
             " (the middle is used)",
             fit->first.cover, fit->nanch, j->matched, j->offset_lo, j->offset_hi);
    if (opts && opts->has_offset_hint) {
        size_t len = strlen(j->how);
        snprintf(j->how + len, sizeof j->how - len,
                 ", among offsets within %" PRId64 " ticks of the prior %" PRId64,
                 opts->offset_tolerance, opts->offset_hint);
    }
}

int sm_join_run(const struct sm_call *calls, size_t n_calls, const struct sm_log_call *log,
                size_t n_log, const struct sm_join_opts *opts, struct sm_join **out,
                struct sm_join_error *err)
{
    struct work w = {0};
    struct sm_join *j = NULL;
    *out = NULL;
    err->msg[0] = '\0';
    if (n_log == 0) {
        fail(err, "the log has no calls");
        return -1;
    }
    int rc = -1;
    char note[160];
    uint64_t tgap;
    struct fit fit;
    if (prepare(&w, calls, n_calls, log, n_log, err))
        goto done;
    if (w.ntr == 0) {
        fail(err, "the trace shows no call to join the log's %zu with", n_log);
        goto done;
    }
    if (check_pace(&w, note, sizeof note, &tgap, err) ||
        find_offset(&w, tgap, opts, note, &fit, err))
        goto done;
    if (!(j = new_join(n_log, n_calls))) {
        fail(err, "out of memory");
        goto done;
    }
    j->offset_ticks = fit.off;
    j->anchors = fit.nanch;
    j->anchor_votes = fit.first.cover;
    count_log_calls(j, &w, calls, fit.off, opts);
    count_trace_only(j, &w, calls, fit.off);
    describe(j, &fit, opts);
    *out = j;
    j = NULL;
    rc = 0;
done:
    free_work(&w);
    sm_join_free(j);
    return rc;
}

void sm_join_free(struct sm_join *j)
{
    if (!j)
        return;
    free(j->log_to_trace);
    free(j->trace_to_log);
    free(j->log_state);
    free(j->trace_state);
    free(j);
}

static uint64_t diff(uint64_t a, uint64_t b)
{
    return a == SM_T_NONE || b == SM_T_NONE || a < b ? SM_T_NONE : a - b;
}

void sm_join_figures(const struct sm_join *j, const struct sm_call *tc,
                     const struct sm_log_call *lc, struct sm_join_fig *fig)
{
    int64_t s = (int64_t)lc->start_cntvct + j->offset_ticks;
    int64_t e = (int64_t)lc->end_cntvct + j->offset_ticks;
    uint64_t a = 0, z = 0;
    sm_join_window(tc, &a, &z);
    fig->early_notify = (int64_t)a < s;
    if (fig->early_notify)
        a = client_start(tc, a);
    fig->guest_rtt = lc->end_cntvct - lc->start_cntvct;
    fig->window = z - a;
    fig->before = (uint64_t)((int64_t)a - s);
    fig->after = (uint64_t)(e - (int64_t)z);
    fig->outside = fig->before + fig->after;
    fig->residual = fig->early_notify ? SM_T_NONE : fig->before;
    fig->e2e = diff(tc->t_client_run, tc->t_client_block);
    fig->med_wake = fig->early_notify ? SM_T_NONE : diff(tc->t_med_run, tc->t_med_wake);
    fig->med_run = diff(tc->t_med_block, tc->t_med_run);
    fig->client_wake = diff(tc->t_client_run, tc->t_client_wake);
}

static const char *const metric_names[SM_JM__COUNT] = {
    "guest_rtt_ns", "window_ns",       "before_window_ns",  "after_window_ns", "outside_window_ns",
    "residual_ns",  "e2e_ns",          "mediator_wake_ns",  "mediator_run_ns", "client_wake_ns",
    "other_run_ns", "switches_client", "switches_mediator", "switches_idle",   "switches_other",
};

const char *sm_join_metric_name(enum sm_join_metric m)
{
    return (unsigned)m < SM_JM__COUNT ? metric_names[m] : "?";
}

static int group_init(struct sm_join_group *g)
{
    for (int m = 0; m < SM_JM__COUNT; m++)
        if (!(g->h[m] = sm_hist_new()))
            return -1;
    return 0;
}

static void group_free(struct sm_join_group *g)
{
    for (int m = 0; m < SM_JM__COUNT; m++)
        sm_hist_free(g->h[m]);
}

static void group_add(struct sm_join_group *g, const struct sm_join_fig *f,
                      const struct sm_call *tc, double ns_per_tick)
{
    const uint64_t ticks[] = {
        [SM_JM_GUEST_RTT] = f->guest_rtt,
        [SM_JM_WINDOW] = f->window,
        [SM_JM_BEFORE] = f->before,
        [SM_JM_AFTER] = f->after,
        [SM_JM_OUTSIDE] = f->outside,
        [SM_JM_RESIDUAL] = f->residual,
        [SM_JM_E2E] = f->e2e,
        [SM_JM_MED_WAKE] = f->med_wake,
        [SM_JM_MED_RUN] = f->med_run,
        [SM_JM_CLIENT_WAKE] = f->client_wake,
        [SM_JM_OTHER_RUN] = tc->other_run_ticks,
    };
    g->calls++;
    for (int m = 0; m <= SM_JM_OTHER_RUN; m++)
        if (ticks[m] != SM_T_NONE)
            sm_hist_add(g->h[m], (uint64_t)llround((double)ticks[m] * ns_per_tick));
    sm_hist_add(g->h[SM_JM_SW_CLIENT], tc->sw_client);
    sm_hist_add(g->h[SM_JM_SW_MEDIATOR], tc->sw_mediator);
    sm_hist_add(g->h[SM_JM_SW_IDLE], tc->sw_idle);
    sm_hist_add(g->h[SM_JM_SW_OTHER], tc->sw_other);
}

/* Counts the domains that ran while this call's mediator waited (the detector's first few). */
static void add_interferers(struct sm_join_summary *s, const struct sm_call *tc)
{
    for (size_t k = 0; k < sizeof tc->other_domids / sizeof tc->other_domids[0]; k++) {
        uint16_t d = tc->other_domids[k];
        if (d == XT_DOMID_INVALID)
            continue;
        size_t i = 0;
        while (i < s->n_interferers && s->interferers[i].domid != d)
            i++;
        if (i == s->n_interferers) {
            if (i == SM_JOIN_MAX_INTERFERERS)
                continue;
            s->interferers[s->n_interferers++] = (struct sm_join_interferer){d, 0};
        }
        s->interferers[i].calls++;
        for (; i > 0 && s->interferers[i - 1].calls < s->interferers[i].calls; i--) {
            struct sm_join_interferer t = s->interferers[i - 1];
            s->interferers[i - 1] = s->interferers[i];
            s->interferers[i] = t;
        }
    }
}

int sm_join_summarize(const struct sm_join *j, const struct sm_call *calls,
                      const struct sm_log_call *log, double cpu_hz, struct sm_join_summary **out)
{
    struct sm_join_summary *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s || cpu_hz <= 0)
        goto fail;
    if (group_init(&s->all))
        goto fail;
    /* Histograms (58 KiB each) only for the ops the log has. */
    int has_op[SM_LOG_OP__COUNT] = {0};
    for (size_t i = 0; i < j->n_log; i++)
        has_op[log[i].op] = 1;
    for (int o = SM_LOG_OP_REGISTER; o < SM_LOG_OP__COUNT; o++)
        if (has_op[o] && group_init(&s->by_op[o]))
            goto fail;
    double ns_per_tick = sm_ns_per_tick(cpu_hz);
    for (size_t i = 0; i < j->n_log; i++) {
        if (j->log_to_trace[i] == SM_JOIN_NONE || !sm_log_call_is_sample(&log[i]))
            continue; /* a failed call (timeout, error) or a warm-up call is no sample */
        const struct sm_call *tc = &calls[j->log_to_trace[i]];
        struct sm_join_fig f;
        sm_join_figures(j, tc, &log[i], &f);
        group_add(&s->all, &f, tc, ns_per_tick);
        add_interferers(s, tc);
        if (log[i].op != SM_LOG_OP_NONE)
            group_add(&s->by_op[log[i].op], &f, tc, ns_per_tick);
    }
    *out = s;
    return 0;
fail:
    sm_join_summary_free(s);
    return -1;
}

void sm_join_summary_free(struct sm_join_summary *s)
{
    if (!s)
        return;
    group_free(&s->all);
    for (int o = 0; o < SM_LOG_OP__COUNT; o++)
        group_free(&s->by_op[o]);
    free(s);
}
