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
    case 7:
        return "arinc653";
    case 8:
        return "rtds";
    case 9:
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
        return fail(err, errlen, "--pool %s: expected scheduler credit2 or credit, found '%s'",
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

int rec_state_compare(const struct rec_config *want, const struct rec_state *have, char *err,
                      size_t errlen)
{
    int n = 0;
    char a[128], b[128];
    if (errlen)
        err[0] = '\0';
    for (int i = 0; i < want->n_pools; i++) {
        const struct rec_pool_req *p = &want->pools[i];
        const struct rec_pool_state *ps = rec_state_pool(have, p->name);
        if (!ps) {
            differs(&n, err, errlen, "pool %s: asked for, not found", p->name);
            continue;
        }
        if (ps->sched_id != p->sched_id)
            differs(&n, err, errlen, "pool %s: scheduler: asked %s, found %s", p->name,
                    rec_sched_name(p->sched_id), rec_sched_name(ps->sched_id));
        if (ps->cpus != p->cpus) {
            rec_cpulist_format(p->cpus, a, sizeof a);
            rec_cpulist_format(ps->cpus, b, sizeof b);
            differs(&n, err, errlen, "pool %s: cpus: asked %s, found %s", p->name, a,
                    b[0] ? b : "none");
        }
    }
    for (int i = 0; i < want->n_doms; i++) {
        const struct rec_dom_req *d = &want->doms[i];
        const struct rec_domain_state *ds = rec_state_domain(have, d->dom);
        if (!ds) {
            differs(&n, err, errlen, "%s: no such domain", d->dom);
            continue;
        }
        if (d->pool) {
            const struct rec_pool_state *ps = rec_state_pool_id(have, ds->pool_id);
            if (!ps || strcmp(ps->name, d->pool) != 0)
                differs(&n, err, errlen, "%s: pool: asked %s, found %s", d->dom, d->pool,
                        ps ? ps->name : "none");
        }
        if (d->has_pin) {
            for (unsigned v = 0; v < ds->vcpus; v++) {
                if (ds->vcpu[v].hard == d->pin)
                    continue;
                rec_cpulist_format(d->pin, a, sizeof a);
                rec_cpulist_format(ds->vcpu[v].hard, b, sizeof b);
                differs(&n, err, errlen, "%s: vcpu %u hard affinity: asked %s, found %s", d->dom, v,
                        a, b[0] ? b : "none");
            }
        }
        if ((d->has_weight || d->has_cap) && !ds->has_sched) {
            differs(&n, err, errlen, "%s: weight/cap: its pool's scheduler has none", d->dom);
            continue;
        }
        if (d->has_weight && ds->weight != d->weight)
            differs(&n, err, errlen, "%s: weight: asked %u, found %u", d->dom, d->weight,
                    ds->weight);
        if (d->has_cap && ds->cap != d->cap)
            differs(&n, err, errlen, "%s: cap: asked %u, found %u", d->dom, d->cap, ds->cap);
    }
    if (want->has_ratelimit) {
        for (int i = 0; i < have->n_pools; i++) {
            const struct rec_pool_state *ps = &have->pools[i];
            if (!ps->has_ratelimit) {
                differs(&n, err, errlen, "pool %s: ratelimit: scheduler %s has none", ps->name,
                        rec_sched_name(ps->sched_id));
            } else if (ps->ratelimit_us != want->ratelimit_us) {
                differs(&n, err, errlen, "pool %s: ratelimit: asked %u us, found %u us", ps->name,
                        want->ratelimit_us, ps->ratelimit_us);
            }
        }
    }
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
