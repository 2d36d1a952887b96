#include "rec-xc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xenstore.h>

struct rec_xen {
    xentoollog_logger_stdiostream *log; /* libxenctrl's own messages: only critical ones */
    xc_interface *xch;
    struct xs_handle *xs;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < errlen && e)
        snprintf(err + n, errlen - (size_t)n, ": %s", strerror(e));
    return -1;
}

struct rec_xen *rec_xen_open(char *err, size_t errlen)
{
    struct rec_xen *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    x->log = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
    x->xch = xc_interface_open((xentoollog_logger *)x->log, (xentoollog_logger *)x->log, 0);
    if (!x->xch) {
        fail(err, errlen, "cannot open libxenctrl (run in Dom0 as root, with xen-privcmd)");
        if (x->log)
            xtl_logger_destroy((xentoollog_logger *)x->log);
        free(x);
        return NULL;
    }
    x->xs = xs_open(0);
    if (!x->xs) {
        fail(err, errlen, "cannot open xenstore (is xenstored running?)");
        xc_interface_close(x->xch);
        if (x->log)
            xtl_logger_destroy((xentoollog_logger *)x->log);
        free(x);
        return NULL;
    }
    return x;
}

void rec_xen_close(struct rec_xen *x)
{
    if (!x)
        return;
    xs_close(x->xs);
    xc_interface_close(x->xch);
    if (x->log)
        xtl_logger_destroy((xentoollog_logger *)x->log);
    free(x);
}

static uint64_t map_to_mask(const uint8_t *map, int nr_cpus)
{
    uint64_t m = 0;
    for (int c = 0; c < nr_cpus && c < REC_MAX_CPUS; c++)
        if (map[c / 8] >> (c % 8) & 1)
            m |= UINT64_C(1) << c;
    return m;
}

static void mask_to_map(uint64_t mask, uint8_t *map, int nr_cpus)
{
    memset(map, 0, (size_t)(nr_cpus + 7) / 8);
    for (int c = 0; c < nr_cpus && c < REC_MAX_CPUS; c++)
        if (mask >> c & 1)
            map[c / 8] |= (uint8_t)(1u << (c % 8));
}

static void xs_name(struct rec_xen *x, const char *path, char *out, size_t len, const char *dflt)
{
    unsigned int n = 0;
    char *v = xs_read(x->xs, XBT_NULL, path, &n);
    if (v && n > 0)
        snprintf(out, len, "%.*s", (int)n, v);
    else
        snprintf(out, len, "%s", dflt);
    free(v);
}

static int read_sched(struct rec_xen *x, int sched_id, unsigned domid, unsigned *weight,
                      unsigned *cap)
{
    if (sched_id == XEN_SCHEDULER_CREDIT2) {
        struct xen_domctl_sched_credit2 p = {0};
        if (xc_sched_credit2_domain_get(x->xch, domid, &p) != 0)
            return -1;
        *weight = p.weight;
        *cap = p.cap;
        return 0;
    }
    if (sched_id == XEN_SCHEDULER_CREDIT) {
        struct xen_domctl_sched_credit p = {0};
        if (xc_sched_credit_domain_get(x->xch, domid, &p) != 0)
            return -1;
        *weight = p.weight;
        *cap = p.cap;
        return 0;
    }
    errno = 0;
    return 1; /* no weight/cap in this scheduler */
}

/* the host: physinfo, Xen's version and command line, the default scheduler */
static int read_host(struct rec_xen *x, struct rec_state *s, int *nr_cpus_out, char *err,
                     size_t errlen)
{
    xc_physinfo_t pi = {0};
    if (xc_physinfo(x->xch, &pi) != 0)
        return fail(err, errlen, "xc_physinfo");
    s->cpu_khz = pi.cpu_khz;
    s->nr_cpus = pi.nr_cpus;
    int nr_cpus = xc_get_max_cpus(x->xch);
    if (nr_cpus <= 0)
        nr_cpus = (int)pi.nr_cpus;
    *nr_cpus_out = nr_cpus;

    int v = xc_version(x->xch, XENVER_version, NULL);
    xen_extraversion_t extra = {0};
    xc_version(x->xch, XENVER_extraversion, &extra);
    snprintf(s->xen_version, sizeof s->xen_version, "%d.%d%s", v >> 16, v & 0xffff, extra);
    xen_commandline_t cl = {0};
    if (xc_version(x->xch, XENVER_commandline, &cl) == 0)
        snprintf(s->commandline, sizeof s->commandline, "%s", cl);
    if (xc_sched_id(x->xch, &s->sched_id) != 0)
        return fail(err, errlen, "xc_sched_id");
    return 0;
}

/* cpupools: id, scheduler, cpus, name, their credit/credit2 parameters */
static void read_pools(struct rec_xen *x, struct rec_state *s, int nr_cpus)
{
    uint32_t next = 0;
    for (;;) {
        xc_cpupoolinfo_t *pool = xc_cpupool_getinfo(x->xch, next);
        if (!pool)
            break;
        if (s->n_pools >= REC_MAX_POOLS) {
            xc_cpupool_infofree(x->xch, pool);
            break;
        }
        struct rec_pool_state *p = &s->pools[s->n_pools++];
        p->id = pool->cpupool_id;
        p->sched_id = (int)pool->sched_id;
        p->cpus = map_to_mask(pool->cpumap, nr_cpus);
        char path[64], dflt[32];
        snprintf(path, sizeof path, "/local/pool/%u/name", p->id);
        snprintf(dflt, sizeof dflt, "Pool-%u", p->id);
        xs_name(x, path, p->name, sizeof p->name, dflt);
        if (p->sched_id == XEN_SCHEDULER_CREDIT2) {
            struct xen_sysctl_credit2_schedule cs = {0};
            if (xc_sched_credit2_params_get(x->xch, p->id, &cs) == 0) {
                p->has_ratelimit = 1;
                p->ratelimit_us = cs.ratelimit_us;
            }
        } else if (p->sched_id == XEN_SCHEDULER_CREDIT) {
            struct xen_sysctl_credit_schedule cs = {0};
            if (xc_sched_credit_params_get(x->xch, p->id, &cs) == 0) {
                p->has_ratelimit = 1;
                p->ratelimit_us = cs.ratelimit_us;
                p->has_tslice = 1;
                p->tslice_ms = cs.tslice_ms;
            }
        }
        next = pool->cpupool_id + 1;
        xc_cpupool_infofree(x->xch, pool);
    }
}

/* one domain of xc_domain_getinfolist: name, vcpus and their affinities, rtds parameters,
   weight and cap; 0, else the error of fail() */
static int read_domain(struct rec_xen *x, struct rec_state *s, const xc_domaininfo_t *info,
                       xc_cpumap_t hard, xc_cpumap_t soft, int nr_cpus, char *err, size_t errlen)
{
    int rc = 0;
    struct rec_domain_state *d = &s->doms[s->n_doms++];
    d->domid = info->domain;
    d->pool_id = info->cpupool;
    d->vcpus = info->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ? 0 : info->max_vcpu_id + 1;
    char path[64], dflt[32];
    snprintf(path, sizeof path, "/local/domain/%u/name", d->domid);
    snprintf(dflt, sizeof dflt, d->domid == 0 ? "Domain-0" : "d%u", d->domid);
    xs_name(x, path, d->name, sizeof d->name, dflt);
    d->vcpu = calloc(d->vcpus + 1, sizeof *d->vcpu);
    if (!d->vcpu)
        return fail(err, errlen, "out of memory");
    for (unsigned vc = 0; vc < d->vcpus; vc++) {
        if (xc_vcpu_getaffinity(x->xch, d->domid, (int)vc, hard, soft,
                                XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT) != 0) {
            rc = fail(err, errlen, "d%u vcpu %u: xc_vcpu_getaffinity", d->domid, vc);
            break;
        }
        d->vcpu[vc].hard = map_to_mask(hard, nr_cpus);
        d->vcpu[vc].soft = map_to_mask(soft, nr_cpus);
    }
    memcpy(d->handle, info->handle, sizeof d->handle);
    const struct rec_pool_state *p = rec_state_pool_id(s, d->pool_id);
    int dsched = p ? p->sched_id : s->sched_id;
    if (dsched == XEN_SCHEDULER_RTDS && d->vcpus > 0) {
        struct xen_domctl_schedparam_vcpu *pv = calloc(d->vcpus, sizeof *pv);
        if (!pv)
            return fail(err, errlen, "out of memory");
        for (unsigned vc = 0; vc < d->vcpus; vc++)
            pv[vc].vcpuid = vc;
        if (xc_sched_rtds_vcpu_get(x->xch, d->domid, pv, d->vcpus) != 0) {
            free(pv);
            return fail(err, errlen, "d%u: reading its rtds period and budget", d->domid);
        }
        for (unsigned vc = 0; vc < d->vcpus; vc++) {
            d->vcpu[vc].has_rtds = 1;
            d->vcpu[vc].rtds_period_us = pv[vc].u.rtds.period;
            d->vcpu[vc].rtds_budget_us = pv[vc].u.rtds.budget;
            d->vcpu[vc].rtds_extra = (pv[vc].u.rtds.flags & XEN_DOMCTL_SCHEDRT_extra) != 0;
        }
        free(pv);
    }
    int r = read_sched(x, dsched, d->domid, &d->weight, &d->cap);
    if (r < 0)
        rc = fail(err, errlen, "d%u: reading its weight and cap", d->domid);
    d->has_sched = r == 0;
    return rc;
}

/* the domains that are not dying; -1 (the state left as it is) when the list cannot be read,
   else 0 with *rc the first domain's error (0 when every one was read) */
static int read_domains(struct rec_xen *x, struct rec_state *s, int nr_cpus, int *rc, char *err,
                        size_t errlen)
{
    enum { MAXDOM = 256 };
    xc_domaininfo_t *info = calloc(MAXDOM, sizeof *info);
    if (!info)
        return fail(err, errlen, "out of memory");
    int n = xc_domain_getinfolist(x->xch, 0, MAXDOM, info);
    if (n < 0) {
        free(info);
        return fail(err, errlen, "xc_domain_getinfolist");
    }
    s->doms = calloc((size_t)n + 1, sizeof *s->doms);
    xc_cpumap_t hard = xc_cpumap_alloc(x->xch), soft = xc_cpumap_alloc(x->xch);
    if (!s->doms || !hard || !soft) {
        free(info);
        free(hard);
        free(soft);
        return fail(err, errlen, "out of memory");
    }
    *rc = 0;
    for (int i = 0; i < n && *rc == 0; i++) {
        if (info[i].flags & XEN_DOMINF_dying)
            continue;
        *rc = read_domain(x, s, &info[i], hard, soft, nr_cpus, err, errlen);
    }
    free(info);
    free(hard);
    free(soft);
    return 0;
}

/* ARINC653 pools: the schedule, its windows' domains found by their UUID */
static int read_a653(struct rec_xen *x, struct rec_state *s, char *err, size_t errlen)
{
    for (int i = 0; i < s->n_pools; i++) {
        struct rec_pool_state *p = &s->pools[i];
        if (p->sched_id != XEN_SCHEDULER_ARINC653)
            continue;
        struct xen_sysctl_arinc653_schedule sch;
        memset(&sch, 0, sizeof sch);
        if (xc_sched_arinc653_schedule_get(x->xch, p->id, &sch) != 0)
            return fail(err, errlen, "pool %s: reading its arinc653 schedule", p->name);
        p->has_a653 = 1;
        p->a653_major_frame_us = (unsigned long)(sch.major_frame / 1000);
        p->n_a653 = sch.num_sched_entries < REC_A653_MAX ? sch.num_sched_entries : REC_A653_MAX;
        for (int w = 0; w < p->n_a653; w++) {
            p->a653[w].domid = ~0u;
            for (int d = 0; d < s->n_doms; d++)
                if (!memcmp(s->doms[d].handle, sch.sched_entries[w].dom_handle, 16))
                    p->a653[w].domid = s->doms[d].domid;
            p->a653[w].vcpu = sch.sched_entries[w].vcpu_id;
            p->a653[w].runtime_us = (unsigned long)(sch.sched_entries[w].runtime / 1000);
        }
    }
    return 0;
}

int rec_xen_read_state(struct rec_xen *x, struct rec_state *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    int nr_cpus = 0;
    if (read_host(x, s, &nr_cpus, err, errlen) != 0)
        return -1;
    read_pools(x, s, nr_cpus);
    int rc = 0;
    if (read_domains(x, s, nr_cpus, &rc, err, errlen) != 0)
        return -1;
    if (rc == 0)
        rc = read_a653(x, s, err, errlen);
    if (rc != 0)
        rec_state_free(s);
    return rc;
}

static int find_domid(const struct rec_state *s, const char *dom, unsigned *domid, char *err,
                      size_t errlen)
{
    const struct rec_domain_state *d = rec_state_domain(s, dom);
    if (!d) {
        errno = 0;
        return fail(err, errlen, "%s: no such domain", dom);
    }
    *domid = d->domid;
    return 0;
}

static int apply_pools(struct rec_xen *x, const struct rec_config *c, struct rec_state *s,
                       char *err, size_t errlen)
{
    for (int i = 0; i < c->n_pools; i++) {
        const struct rec_pool_req *p = &c->pools[i];
        const struct rec_pool_state *ps = rec_state_pool(s, p->name);
        uint32_t poolid;
        if (ps) {
            poolid = ps->id;
        } else {
            poolid = XC_CPUPOOL_POOLID_ANY;
            if (xc_cpupool_create(x->xch, &poolid, (uint32_t)p->sched_id) != 0)
                return fail(err, errlen, "pool %s: creating it (scheduler %s)", p->name,
                            rec_sched_name(p->sched_id));
            char path[64];
            snprintf(path, sizeof path, "/local/pool/%u/name", poolid);
            if (!xs_write(x->xs, XBT_NULL, path, p->name, (unsigned)strlen(p->name)))
                return fail(err, errlen, "pool %s: writing %s", p->name, path);
        }
        for (int cpu = 0; cpu < REC_MAX_CPUS; cpu++) {
            if (!(p->cpus >> cpu & 1))
                continue;
            int in = -1;
            for (int j = 0; j < s->n_pools; j++)
                if (s->pools[j].cpus >> cpu & 1)
                    in = (int)s->pools[j].id;
            if (in == (int)poolid)
                continue;
            if (in >= 0 && xc_cpupool_removecpu(x->xch, (uint32_t)in, cpu) != 0)
                return fail(err, errlen, "pool %s: removing cpu %d from pool %d", p->name, cpu, in);
            if (xc_cpupool_addcpu(x->xch, poolid, cpu) != 0)
                return fail(err, errlen, "pool %s: adding cpu %d", p->name, cpu);
        }
        /* the next pool sees this one */
        rec_state_free(s);
        if (rec_xen_read_state(x, s, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* The ARINC653 schedule, on the pool its first window's domain is in (after the moves). */
static int apply_a653(struct rec_xen *x, const struct rec_a653_req *a, char *err, size_t errlen)
{
    struct rec_state s;
    if (rec_xen_read_state(x, &s, err, errlen) != 0)
        return -1;
    int rc = 0;
    const struct rec_domain_state *d0 = rec_state_domain(&s, a->win[0].dom);
    const struct rec_pool_state *p = d0 ? rec_state_pool_id(&s, d0->pool_id) : NULL;
    errno = 0;
    if (!d0)
        rc = fail(err, errlen, "arinc653: %s: no such domain", a->win[0].dom);
    else if (!p || p->sched_id != XEN_SCHEDULER_ARINC653)
        rc = fail(err, errlen, "arinc653: %s is in pool %s, whose scheduler is %s", d0->name,
                  p ? p->name : "?", rec_sched_name(p ? p->sched_id : -1));
    struct xen_sysctl_arinc653_schedule sch;
    memset(&sch, 0, sizeof sch);
    sch.major_frame = (uint64_t)a->major_frame_us * 1000;
    sch.num_sched_entries = (uint8_t)a->n_win;
    for (int i = 0; rc == 0 && i < a->n_win; i++) {
        const struct rec_domain_state *d = rec_state_domain(&s, a->win[i].dom);
        if (!d) {
            rc = fail(err, errlen, "arinc653: %s: no such domain", a->win[i].dom);
            break;
        }
        if (d->pool_id != d0->pool_id) {
            rc = fail(err, errlen, "arinc653: %s is not in pool %s with %s", d->name, p->name,
                      d0->name);
            break;
        }
        memcpy(sch.sched_entries[i].dom_handle, d->handle, sizeof d->handle);
        sch.sched_entries[i].vcpu_id = a->win[i].vcpu;
        sch.sched_entries[i].runtime = (uint64_t)a->win[i].runtime_us * 1000;
    }
    if (rc == 0 && xc_sched_arinc653_schedule_set(x->xch, p->id, &sch) != 0)
        rc = fail(err, errlen, "pool %s: setting the arinc653 schedule (major frame %lu us)",
                  p->name, a->major_frame_us);
    rec_state_free(&s);
    return rc;
}

/* the configuration's ratelimit on every credit and credit2 pool */
static int apply_ratelimit(struct rec_xen *x, const struct rec_config *c, const struct rec_state *s,
                           char *err, size_t errlen)
{
    int rc = 0;
    for (int i = 0; rc == 0 && c->has_ratelimit && i < s->n_pools; i++) {
        const struct rec_pool_state *p = &s->pools[i];
        if (p->sched_id == XEN_SCHEDULER_CREDIT2) {
            struct xen_sysctl_credit2_schedule cs = {.ratelimit_us = c->ratelimit_us};
            if (xc_sched_credit2_params_set(x->xch, p->id, &cs) != 0)
                rc =
                    fail(err, errlen, "pool %s: setting ratelimit %u us", p->name, c->ratelimit_us);
        } else if (p->sched_id == XEN_SCHEDULER_CREDIT) {
            struct xen_sysctl_credit_schedule cs = {0};
            if (xc_sched_credit_params_get(x->xch, p->id, &cs) != 0)
                rc = fail(err, errlen, "pool %s: reading credit parameters", p->name);
            cs.ratelimit_us = c->ratelimit_us;
            if (rc == 0 && xc_sched_credit_params_set(x->xch, p->id, &cs) != 0)
                rc =
                    fail(err, errlen, "pool %s: setting ratelimit %u us", p->name, c->ratelimit_us);
        }
    }
    return rc;
}

/* the configuration's tslice on every credit pool */
static int apply_tslice(struct rec_xen *x, const struct rec_config *c, const struct rec_state *s,
                        char *err, size_t errlen)
{
    int rc = 0;
    for (int i = 0; rc == 0 && c->has_tslice && i < s->n_pools; i++) {
        const struct rec_pool_state *p = &s->pools[i];
        if (p->sched_id != XEN_SCHEDULER_CREDIT)
            continue;
        struct xen_sysctl_credit_schedule cs = {0};
        if (xc_sched_credit_params_get(x->xch, p->id, &cs) != 0)
            rc = fail(err, errlen, "pool %s: reading credit parameters", p->name);
        cs.tslice_ms = c->tslice_ms;
        if (rc == 0 && xc_sched_credit_params_set(x->xch, p->id, &cs) != 0)
            rc = fail(err, errlen, "pool %s: setting tslice %u ms", p->name, c->tslice_ms);
    }
    return rc;
}

/* a domain's rtds period and budget, on every vcpu */
static int apply_rtds(struct rec_xen *x, const struct rec_dom_req *d, unsigned domid,
                      unsigned vcpus, int sched_id, char *err, size_t errlen)
{
    if (sched_id != XEN_SCHEDULER_RTDS) {
        errno = 0;
        return fail(err, errlen, "%s: rtds period and budget: its pool's scheduler is %s", d->dom,
                    rec_sched_name(sched_id));
    }
    struct xen_domctl_schedparam_vcpu *pv = calloc(vcpus + 1, sizeof *pv);
    if (!pv)
        return fail(err, errlen, "out of memory");
    for (unsigned v = 0; v < vcpus; v++) {
        pv[v].vcpuid = v;
        pv[v].u.rtds.period = d->rtds_period_us;
        pv[v].u.rtds.budget = d->rtds_budget_us;
        pv[v].u.rtds.flags = d->rtds_extra ? XEN_DOMCTL_SCHEDRT_extra : 0;
    }
    int rc = 0;
    if (xc_sched_rtds_vcpu_set(x->xch, domid, pv, vcpus) != 0)
        rc = fail(err, errlen, "%s: setting rtds period %u budget %u us", d->dom, d->rtds_period_us,
                  d->rtds_budget_us);
    free(pv);
    return rc;
}

/* a domain's weight and cap, under its pool's credit or credit2 scheduler */
static int apply_weight_cap(struct rec_xen *x, const struct rec_dom_req *d, unsigned domid,
                            int sched_id, char *err, size_t errlen)
{
    int rc = 0;
    if (sched_id == XEN_SCHEDULER_CREDIT2) {
        struct xen_domctl_sched_credit2 p = {0};
        if (xc_sched_credit2_domain_get(x->xch, domid, &p) != 0)
            return fail(err, errlen, "%s: reading weight and cap", d->dom);
        if (d->has_weight)
            p.weight = (uint16_t)d->weight;
        if (d->has_cap)
            p.cap = (uint16_t)d->cap;
        if (xc_sched_credit2_domain_set(x->xch, domid, &p) != 0)
            rc = fail(err, errlen, "%s: setting weight %u cap %u", d->dom, p.weight, p.cap);
    } else if (sched_id == XEN_SCHEDULER_CREDIT) {
        struct xen_domctl_sched_credit p = {0};
        if (xc_sched_credit_domain_get(x->xch, domid, &p) != 0)
            return fail(err, errlen, "%s: reading weight and cap", d->dom);
        if (d->has_weight)
            p.weight = (uint16_t)d->weight;
        if (d->has_cap)
            p.cap = (uint16_t)d->cap;
        if (xc_sched_credit_domain_set(x->xch, domid, &p) != 0)
            rc = fail(err, errlen, "%s: setting weight %u cap %u", d->dom, p.weight, p.cap);
    } else {
        errno = 0;
        rc = fail(err, errlen, "%s: scheduler %s has no weight or cap", d->dom,
                  rec_sched_name(sched_id));
    }
    return rc;
}

/* one domain of the configuration: its pool, pinning, rtds parameters, weight and cap */
static int apply_domain(struct rec_xen *x, const struct rec_state *s, const struct rec_dom_req *d,
                        xc_cpumap_t hard, xc_cpumap_t soft, int nr_cpus, char *err, size_t errlen)
{
    int rc = 0;
    unsigned domid = 0;
    if (find_domid(s, d->dom, &domid, err, errlen) != 0)
        return -1;
    const struct rec_domain_state *ds = rec_state_domain(s, d->dom);
    unsigned vcpus = ds->vcpus;
    int sched_id = s->sched_id;
    const struct rec_pool_state *cur = rec_state_pool_id(s, ds->pool_id);
    if (cur)
        sched_id = cur->sched_id;
    if (d->pool) {
        const struct rec_pool_state *ps = rec_state_pool(s, d->pool);
        if (!ps) {
            errno = 0;
            return fail(err, errlen, "%s: no pool %s", d->dom, d->pool);
        }
        if (ps->id != ds->pool_id && xc_cpupool_movedomain(x->xch, ps->id, domid) != 0)
            return fail(err, errlen, "%s: moving it to pool %s", d->dom, d->pool);
        sched_id = ps->sched_id;
    }
    for (unsigned v = 0; d->has_pin && v < vcpus; v++) {
        mask_to_map(d->pin, hard, nr_cpus);
        if (xc_vcpu_setaffinity(x->xch, domid, (int)v, hard, soft, XEN_VCPUAFFINITY_HARD) != 0) {
            rc = fail(err, errlen, "%s: pinning vcpu %u", d->dom, v);
            break;
        }
    }
    if (rc == 0 && d->has_rtds)
        rc = apply_rtds(x, d, domid, vcpus, sched_id, err, errlen);
    if (rc != 0 || !(d->has_weight || d->has_cap))
        return rc;
    return apply_weight_cap(x, d, domid, sched_id, err, errlen);
}

int rec_xen_apply(struct rec_xen *x, const struct rec_config *c, char *err, size_t errlen)
{
    struct rec_state s;
    if (rec_xen_read_state(x, &s, err, errlen) != 0)
        return -1;
    int rc = apply_pools(x, c, &s, err, errlen);
    if (rc == 0)
        rc = apply_ratelimit(x, c, &s, err, errlen);
    if (rc == 0)
        rc = apply_tslice(x, c, &s, err, errlen);
    int nr_cpus = xc_get_max_cpus(x->xch);
    xc_cpumap_t hard = xc_cpumap_alloc(x->xch), soft = xc_cpumap_alloc(x->xch);
    if (!hard || !soft)
        rc = fail(err, errlen, "out of memory");
    for (int i = 0; rc == 0 && i < c->n_doms; i++)
        rc = apply_domain(x, &s, &c->doms[i], hard, soft, nr_cpus, err, errlen);
    free(hard);
    free(soft);
    if (rc == 0 && c->has_a653)
        rc = apply_a653(x, &c->a653, err, errlen);
    rec_state_free(&s);
    return rc;
}
