#include "rec-config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int rec_parse_cpulist(const char *s, uint64_t *mask, char *err, size_t errlen)
{
    uint64_t m = 0;
    const char *p = s;
    if (!*s)
        return fail(err, errlen, "expected a cpu list (1, 0,1 or 0-3), found an empty string");
    while (*p) {
        char *end;
        if (*p < '0' || *p > '9')
            return fail(err, errlen, "expected a cpu list (1, 0,1 or 0-3), found '%s'", s);
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (*end == '-') {
            const char *q = end + 1;
            if (*q < '0' || *q > '9')
                return fail(err, errlen, "expected a cpu list (1, 0,1 or 0-3), found '%s'", s);
            b = strtoul(q, &end, 10);
        }
        if (a > b || b >= REC_MAX_CPUS)
            return fail(err, errlen, "cpu range %lu-%lu in '%s': expected ascending cpus below %d",
                        a, b, s, REC_MAX_CPUS);
        for (unsigned long c = a; c <= b; c++)
            m |= UINT64_C(1) << c;
        if (*end == ',' && end[1])
            end++;
        else if (*end)
            return fail(err, errlen, "expected a cpu list (1, 0,1 or 0-3), found '%s'", s);
        p = end;
    }
    *mask = m;
    return 0;
}

void rec_cpulist_format(uint64_t mask, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < REC_MAX_CPUS; c++) {
        if (!(mask >> c & 1))
            continue;
        int e = c;
        while (e + 1 < REC_MAX_CPUS && (mask >> (e + 1) & 1))
            e++;
        int n = e > c ? snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", c, e)
                      : snprintf(buf + used, len - used, "%s%d", used ? "," : "", c);
        if (n < 0 || (size_t)n >= len - used)
            return;
        used += (size_t)n;
        c = e;
    }
}

int rec_parse_sched(const char *s, int *sched_id)
{
    if (!strcmp(s, "credit2"))
        *sched_id = REC_SCHED_CREDIT2;
    else if (!strcmp(s, "credit"))
        *sched_id = REC_SCHED_CREDIT;
    else if (!strcmp(s, "null"))
        *sched_id = REC_SCHED_NULL;
    else if (!strcmp(s, "rtds"))
        *sched_id = REC_SCHED_RTDS;
    else if (!strcmp(s, "arinc653"))
        *sched_id = REC_SCHED_ARINC653;
    else
        return -1;
    return 0;
}

const char *rec_sched_name(int sched_id)
{
    switch (sched_id) {
    case REC_SCHED_CREDIT:
        return "credit";
    case REC_SCHED_CREDIT2:
        return "credit2";
    case REC_SCHED_ARINC653:
        return "arinc653";
    case REC_SCHED_RTDS:
        return "rtds";
    case REC_SCHED_NULL:
        return "null";
    default:
        return "unknown";
    }
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n >= REC_NAME_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '-' || s[i] == '_' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
              (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

int rec_config_add_pool(struct rec_config *c, const char *spec, char *err, size_t errlen)
{
    const char *a = strchr(spec, ':');
    const char *b = a ? strchr(a + 1, ':') : NULL;
    if (!a || !b)
        return fail(err, errlen, "--pool: expected NAME:SCHED:CPUS, found '%s'", spec);
    if (!valid_name(spec, (size_t)(a - spec)))
        return fail(err, errlen, "--pool: bad pool name in '%s'", spec);
    char sched[16];
    size_t sl = (size_t)(b - a - 1);
    if (sl >= sizeof sched)
        sl = sizeof sched - 1;
    memcpy(sched, a + 1, sl);
    sched[sl] = '\0';
    if (c->n_pools >= REC_MAX_POOLS)
        return fail(err, errlen, "--pool: more than %d pools", REC_MAX_POOLS);
    struct rec_pool_req *p = &c->pools[c->n_pools];
    memset(p, 0, sizeof *p);
    memcpy(p->name, spec, (size_t)(a - spec));
    if (rec_parse_sched(sched, &p->sched_id) != 0)
        return fail(
            err, errlen,
            "--pool %s: expected scheduler credit2, credit, null, rtds or arinc653, found '%s'",
            p->name, sched);
    if (!strcmp(p->name, "Pool-0"))
        return fail(err, errlen, "--pool: Pool-0 exists already");
    for (int i = 0; i < c->n_pools; i++)
        if (!strcmp(c->pools[i].name, p->name))
            return fail(err, errlen, "--pool: pool '%s' given twice", p->name);
    char e2[160];
    if (rec_parse_cpulist(b + 1, &p->cpus, e2, sizeof e2) != 0)
        return fail(err, errlen, "--pool %s: %s", p->name, e2);
    for (int i = 0; i < c->n_pools; i++)
        if (c->pools[i].cpus & p->cpus)
            return fail(err, errlen, "--pool %s: its cpus overlap pool %s", p->name,
                        c->pools[i].name);
    c->n_pools++;
    return 0;
}

/* Splits "DOMAIN:VALUE" and returns the domain's request (created on first use). */
static struct rec_dom_req *dom_req(struct rec_config *c, const char *opt, const char *spec,
                                   const char **value, char *err, size_t errlen)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) {
        fail(err, errlen, "--%s: expected DOMAIN:VALUE, found '%s'", opt, spec);
        return NULL;
    }
    size_t n = (size_t)(colon - spec);
    if (!valid_name(spec, n)) {
        fail(err, errlen, "--%s: bad domain name in '%s'", opt, spec);
        return NULL;
    }
    *value = colon + 1;
    for (int i = 0; i < c->n_doms; i++)
        if (strlen(c->doms[i].dom) == n && !strncmp(c->doms[i].dom, spec, n))
            return &c->doms[i];
    if (c->n_doms >= REC_MAX_DOMREQ) {
        fail(err, errlen, "--%s: more than %d domains", opt, REC_MAX_DOMREQ);
        return NULL;
    }
    struct rec_dom_req *d = &c->doms[c->n_doms++];
    memset(d, 0, sizeof *d);
    memcpy(d->dom, spec, n);
    return d;
}

int rec_config_add_move(struct rec_config *c, const char *spec, char *err, size_t errlen)
{
    const char *v;
    struct rec_dom_req *d = dom_req(c, "move", spec, &v, err, errlen);
    if (!d)
        return -1;
    if (!valid_name(v, strlen(v)))
        return fail(err, errlen, "--move: bad pool name in '%s'", spec);
    if (d->pool)
        return fail(err, errlen, "--move: domain %s moved twice", d->dom);
    snprintf(d->pool_buf, sizeof d->pool_buf, "%s", v);
    d->pool = d->pool_buf;
    return 0;
}

int rec_config_add_pin(struct rec_config *c, const char *spec, char *err, size_t errlen)
{
    const char *v;
    char e2[160];
    struct rec_dom_req *d = dom_req(c, "pin", spec, &v, err, errlen);
    if (!d)
        return -1;
    if (rec_parse_cpulist(v, &d->pin, e2, sizeof e2) != 0)
        return fail(err, errlen, "--pin %s: %s", d->dom, e2);
    d->has_pin = 1;
    return 0;
}

int rec_config_add_weight(struct rec_config *c, const char *spec, char *err, size_t errlen)
{
    const char *v;
    unsigned long w;
    struct rec_dom_req *d = dom_req(c, "weight", spec, &v, err, errlen);
    if (!d)
        return -1;
    if (parse_uint(v, 65535, &w) != 0 || w == 0)
        return fail(err, errlen, "--weight %s: expected 1..65535, found '%s'", d->dom, v);
    d->weight = (unsigned)w;
    d->has_weight = 1;
    return 0;
}

int rec_config_add_cap(struct rec_config *c, const char *spec, char *err, size_t errlen)
{
    const char *v;
    unsigned long cap;
    struct rec_dom_req *d = dom_req(c, "cap", spec, &v, err, errlen);
    if (!d)
        return -1;
    if (parse_uint(v, 65535, &cap) != 0)
        return fail(err, errlen, "--cap %s: expected a percentage (0 = no cap), found '%s'", d->dom,
                    v);
    d->cap = (unsigned)cap;
    d->has_cap = 1;
    return 0;
}

int rec_config_set_ratelimit(struct rec_config *c, const char *s, char *err, size_t errlen)
{
    unsigned long v;
    if (parse_uint(s, 500000, &v) != 0)
        return fail(err, errlen, "--ratelimit-us: expected 0..500000, found '%s'", s);
    c->ratelimit_us = (unsigned)v;
    c->has_ratelimit = 1;
    return 0;
}

int rec_config_set_tslice(struct rec_config *c, const char *s, char *err, size_t errlen)
{
    unsigned long v;
    if (parse_uint(s, 1000, &v) != 0 || v == 0)
        return fail(err, errlen, "--tslice-ms: expected 1..1000, found '%s'", s);
    c->tslice_ms = (unsigned)v;
    c->has_tslice = 1;
    return 0;
}

int rec_config_add_rtds(struct rec_config *c, const char *spec, char *err, size_t errlen)
{
    /* DOMAIN:PERIOD:BUDGET[:extra]: the domain is what comes before the first ':' */
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec)
        return fail(err, errlen, "--rtds: expected DOMAIN:PERIOD_US:BUDGET_US[:extra], found '%s'",
                    spec);
    char dom[REC_NAME_LEN + 8], rest[64];
    snprintf(dom, sizeof dom, "%.*s:x", (int)(colon - spec), spec);
    const char *v;
    struct rec_dom_req *d = dom_req(c, "rtds", dom, &v, err, errlen);
    if (!d)
        return -1;
    snprintf(rest, sizeof rest, "%s", colon + 1);
    char *b = strchr(rest, ':'), *e = b ? strchr(b + 1, ':') : NULL;
    if (b)
        *b++ = '\0';
    if (e)
        *e++ = '\0';
    unsigned long period, budget;
    if (!b || parse_uint(rest, 10000000, &period) != 0 || parse_uint(b, 10000000, &budget) != 0 ||
        (e && strcmp(e, "extra") != 0))
        return fail(err, errlen,
                    "--rtds %s: expected PERIOD_US:BUDGET_US[:extra] (at most 10000000 us), found "
                    "'%s'",
                    d->dom, colon + 1);
    if (period < REC_RTDS_MIN_US || budget < REC_RTDS_MIN_US)
        return fail(err, errlen,
                    "--rtds %s: period and budget must be at least %d us, found %lu:%lu", d->dom,
                    REC_RTDS_MIN_US, period, budget);
    if (budget > period)
        return fail(err, errlen, "--rtds %s: budget %lu us is above the period %lu us", d->dom,
                    budget, period);
    d->has_rtds = 1;
    d->rtds_period_us = (unsigned)period;
    d->rtds_budget_us = (unsigned)budget;
    d->rtds_extra = e != NULL;
    return 0;
}

int rec_config_set_arinc653(struct rec_config *c, const char *spec, char *err, size_t errlen)
{
    struct rec_a653_req *a = &c->a653;
    memset(a, 0, sizeof *a);
    char buf[1024];
    if (strlen(spec) >= sizeof buf)
        return fail(err, errlen, "--arinc653: too long");
    snprintf(buf, sizeof buf, "%s", spec);
    char *colon = strchr(buf, ':');
    if (!colon)
        return fail(err, errlen,
                    "--arinc653: expected MAJOR_FRAME_US:DOMAIN=RUNTIME_US[,...], found '%s'",
                    spec);
    *colon = '\0';
    if (parse_uint(buf, 10000000, &a->major_frame_us) != 0 || a->major_frame_us == 0)
        return fail(err, errlen, "--arinc653: major frame: expected 1..10000000 us, found '%s'",
                    buf);
    unsigned long total = 0;
    char *save = NULL;
    for (char *w = strtok_r(colon + 1, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(w, '=');
        if (!eq || eq == w)
            return fail(err, errlen, "--arinc653: expected DOMAIN[.VCPU]=RUNTIME_US, found '%s'",
                        w);
        *eq = '\0';
        if (a->n_win >= REC_A653_MAX)
            return fail(err, errlen, "--arinc653: more than %d windows", REC_A653_MAX);
        struct rec_a653_window *win = &a->win[a->n_win];
        unsigned long vcpu = 0;
        char *dot = strrchr(w, '.');
        if (dot && dot[1] >= '0' && dot[1] <= '9' && parse_uint(dot + 1, 127, &vcpu) == 0)
            *dot = '\0';
        if (!valid_name(w, strlen(w)))
            return fail(err, errlen, "--arinc653: bad domain name '%s'", w);
        snprintf(win->dom, sizeof win->dom, "%s", w);
        win->vcpu = (unsigned)vcpu;
        if (parse_uint(eq + 1, 10000000, &win->runtime_us) != 0 || win->runtime_us == 0)
            return fail(err, errlen, "--arinc653 %s: runtime: expected 1..10000000 us, found '%s'",
                        w, eq + 1);
        total += win->runtime_us;
        a->n_win++;
    }
    if (a->n_win == 0)
        return fail(err, errlen, "--arinc653: no window (DOMAIN=RUNTIME_US)");
    if (total > a->major_frame_us)
        return fail(err, errlen,
                    "--arinc653: the windows take %lu us, more than the major frame %lu us", total,
                    a->major_frame_us);
    c->has_a653 = 1;
    return 0;
}

const struct rec_domain_state *rec_state_domain(const struct rec_state *s, const char *dom)
{
    unsigned long id;
    int by_id = parse_uint(dom, 0x7fef, &id) == 0;
    for (int i = 0; i < s->n_doms; i++) {
        if (by_id ? s->doms[i].domid == id : !strcmp(s->doms[i].name, dom))
            return &s->doms[i];
    }
    return NULL;
}

const struct rec_pool_state *rec_state_pool(const struct rec_state *s, const char *name)
{
    for (int i = 0; i < s->n_pools; i++)
        if (!strcmp(s->pools[i].name, name))
            return &s->pools[i];
    return NULL;
}

const struct rec_pool_state *rec_state_pool_id(const struct rec_state *s, unsigned id)
{
    for (int i = 0; i < s->n_pools; i++)
        if (s->pools[i].id == id)
            return &s->pools[i];
    return NULL;
}

/* Records one difference: counts it, describes the first. */
static void differs(int *n, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void differs(int *n, char *err, size_t errlen, const char *fmt, ...)
{
    if ((*n)++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
}

/* the pools asked for: found, their scheduler and cpus */
static void compare_pools(const struct rec_config *want, const struct rec_state *have, int *n,
                          char *err, size_t errlen)
{
    char a[128], b[128];
    for (int i = 0; i < want->n_pools; i++) {
        const struct rec_pool_req *p = &want->pools[i];
        const struct rec_pool_state *ps = rec_state_pool(have, p->name);
        if (!ps) {
            differs(n, err, errlen, "pool %s: asked for, not found", p->name);
            continue;
        }
        if (ps->sched_id != p->sched_id)
            differs(n, err, errlen, "pool %s: scheduler: asked %s, found %s", p->name,
                    rec_sched_name(p->sched_id), rec_sched_name(ps->sched_id));
        if (ps->cpus != p->cpus) {
            rec_cpulist_format(p->cpus, a, sizeof a);
            rec_cpulist_format(ps->cpus, b, sizeof b);
            differs(n, err, errlen, "pool %s: cpus: asked %s, found %s", p->name, a,
                    b[0] ? b : "none");
        }
    }
}

/* one domain asked for: its pool, pinning, rtds parameters, weight and cap */
static void compare_domain(const struct rec_dom_req *d, const struct rec_state *have, int *n,
                           char *err, size_t errlen)
{
    char a[128], b[128];
    const struct rec_domain_state *ds = rec_state_domain(have, d->dom);
    if (!ds) {
        differs(n, err, errlen, "%s: no such domain", d->dom);
        return;
    }
    if (d->pool) {
        const struct rec_pool_state *ps = rec_state_pool_id(have, ds->pool_id);
        if (!ps || strcmp(ps->name, d->pool) != 0)
            differs(n, err, errlen, "%s: pool: asked %s, found %s", d->dom, d->pool,
                    ps ? ps->name : "none");
    }
    if (d->has_pin) {
        for (unsigned v = 0; v < ds->vcpus; v++) {
            if (ds->vcpu[v].hard == d->pin)
                continue;
            rec_cpulist_format(d->pin, a, sizeof a);
            rec_cpulist_format(ds->vcpu[v].hard, b, sizeof b);
            differs(n, err, errlen, "%s: vcpu %u hard affinity: asked %s, found %s", d->dom, v, a,
                    b[0] ? b : "none");
        }
    }
    if (d->has_rtds) {
        for (unsigned v = 0; v < ds->vcpus; v++) {
            const struct rec_vcpu_state *vs = &ds->vcpu[v];
            if (!vs->has_rtds)
                differs(n, err, errlen, "%s: vcpu %u rtds: its pool's scheduler is not rtds",
                        d->dom, v);
            else if (vs->rtds_period_us != d->rtds_period_us ||
                     vs->rtds_budget_us != d->rtds_budget_us || vs->rtds_extra != d->rtds_extra)
                differs(n, err, errlen,
                        "%s: vcpu %u rtds: asked period %u budget %u us%s, found %u %u us%s",
                        d->dom, v, d->rtds_period_us, d->rtds_budget_us,
                        d->rtds_extra ? " extra" : "", vs->rtds_period_us, vs->rtds_budget_us,
                        vs->rtds_extra ? " extra" : "");
        }
    }
    if ((d->has_weight || d->has_cap) && !ds->has_sched) {
        differs(n, err, errlen, "%s: weight/cap: its pool's scheduler has none", d->dom);
        return;
    }
    if (d->has_weight && ds->weight != d->weight)
        differs(n, err, errlen, "%s: weight: asked %u, found %u", d->dom, d->weight, ds->weight);
    if (d->has_cap && ds->cap != d->cap)
        differs(n, err, errlen, "%s: cap: asked %u, found %u", d->dom, d->cap, ds->cap);
}

/* the ratelimit and tslice asked for, on every pool whose scheduler has them */
static void compare_sched_params(const struct rec_config *want, const struct rec_state *have,
                                 int *n, char *err, size_t errlen)
{
    if (want->has_ratelimit) {
        for (int i = 0; i < have->n_pools; i++) {
            const struct rec_pool_state *ps = &have->pools[i];
            if (ps->sched_id != REC_SCHED_CREDIT && ps->sched_id != REC_SCHED_CREDIT2) {
                continue; /* null, rtds and arinc653 have no ratelimit */
            } else if (!ps->has_ratelimit) {
                differs(n, err, errlen, "pool %s: ratelimit: scheduler %s has none", ps->name,
                        rec_sched_name(ps->sched_id));
            } else if (ps->ratelimit_us != want->ratelimit_us) {
                differs(n, err, errlen, "pool %s: ratelimit: asked %u us, found %u us", ps->name,
                        want->ratelimit_us, ps->ratelimit_us);
            }
        }
    }
    if (want->has_tslice) {
        for (int i = 0; i < have->n_pools; i++) {
            const struct rec_pool_state *ps = &have->pools[i];
            if (ps->sched_id == REC_SCHED_CREDIT && ps->tslice_ms != want->tslice_ms)
                differs(n, err, errlen, "pool %s: tslice: asked %u ms, found %u ms", ps->name,
                        want->tslice_ms, ps->tslice_ms);
        }
    }
}

/* the ARINC653 schedule asked for: the pool of its first window's domain, frame, windows */
static void compare_a653(const struct rec_config *want, const struct rec_state *have, int *n,
                         char *err, size_t errlen)
{
    if (want->has_a653) {
        const struct rec_a653_req *aq = &want->a653;
        const struct rec_pool_state *ps = NULL;
        const struct rec_domain_state *d0 = rec_state_domain(have, aq->win[0].dom);
        if (d0)
            ps = rec_state_pool_id(have, d0->pool_id);
        if (!ps || !ps->has_a653) {
            differs(n, err, errlen, "arinc653: %s is not in an arinc653 pool", aq->win[0].dom);
        } else {
            if (ps->a653_major_frame_us != aq->major_frame_us)
                differs(n, err, errlen, "pool %s: arinc653 major frame: asked %lu us, found %lu us",
                        ps->name, aq->major_frame_us, ps->a653_major_frame_us);
            if (ps->n_a653 != aq->n_win)
                differs(n, err, errlen, "pool %s: arinc653 windows: asked %d, found %d", ps->name,
                        aq->n_win, ps->n_a653);
            for (int i = 0; i < aq->n_win && i < ps->n_a653; i++) {
                const struct rec_domain_state *d = rec_state_domain(have, aq->win[i].dom);
                const struct rec_a653_state *w = &ps->a653[i];
                if (!d || w->domid != d->domid || w->vcpu != aq->win[i].vcpu ||
                    w->runtime_us != aq->win[i].runtime_us)
                    differs(n, err, errlen,
                            "pool %s: arinc653 window %d: asked %s vcpu %u %lu us, found d%d "
                            "vcpu %u %lu us",
                            ps->name, i, aq->win[i].dom, aq->win[i].vcpu, aq->win[i].runtime_us,
                            w->domid == ~0u ? -1 : (int)w->domid, w->vcpu, w->runtime_us);
            }
        }
    }
}

int rec_state_compare(const struct rec_config *want, const struct rec_state *have, char *err,
                      size_t errlen)
{
    int n = 0;
    if (errlen)
        err[0] = '\0';
    compare_pools(want, have, &n, err, errlen);
    for (int i = 0; i < want->n_doms; i++)
        compare_domain(&want->doms[i], have, &n, err, errlen);
    compare_sched_params(want, have, &n, err, errlen);
    compare_a653(want, have, &n, err, errlen);
    return n;
}

void rec_state_free(struct rec_state *s)
{
    for (int i = 0; i < s->n_doms; i++)
        free(s->doms[i].vcpu);
    free(s->doms);
    s->doms = NULL;
    s->n_doms = 0;
}
