#include "rec-json.h"

#include <stdio.h>
#include <string.h>

int rec_roles_add(struct rec_roles *r, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq || !eq[1]) {
        snprintf(err, errlen,
                 "--role: expected client=DOMAIN, mediator=DOMAIN or noise=DOMAIN, found '%s'",
                 spec);
        return -1;
    }
    size_t n = (size_t)(eq - spec);
    const char *dom = eq + 1;
    if (n == 6 && !strncmp(spec, "client", 6)) {
        r->client = dom;
    } else if (n == 8 && !strncmp(spec, "mediator", 8)) {
        r->mediator = dom;
    } else if (n == 5 && !strncmp(spec, "noise", 5)) {
        if (r->n_noise >= REC_MAX_NOISE) {
            snprintf(err, errlen, "--role: more than %d noise domains", REC_MAX_NOISE);
            return -1;
        }
        r->noise[r->n_noise++] = dom;
    } else {
        snprintf(err, errlen, "--role: unknown role '%.*s' (client, mediator, noise)", (int)n,
                 spec);
        return -1;
    }
    return 0;
}

static json_t *cpus_json(uint64_t mask)
{
    json_t *a = json_array();
    for (int c = 0; c < REC_MAX_CPUS; c++)
        if (mask >> c & 1)
            json_array_append_new(a, json_integer(c));
    return a;
}

static const char *role_of(const struct rec_state *s, const struct rec_roles *r, unsigned domid)
{
    const struct rec_domain_state *d;
    if (r->client && (d = rec_state_domain(s, r->client)) && d->domid == domid)
        return "client";
    if (r->mediator && (d = rec_state_domain(s, r->mediator)) && d->domid == domid)
        return "mediator";
    for (int i = 0; i < r->n_noise; i++)
        if ((d = rec_state_domain(s, r->noise[i])) && d->domid == domid)
            return "noise";
    return NULL;
}

static int role_domid(const struct rec_state *s, const char *dom, const char *role, json_int_t *id,
                      char *err, size_t errlen)
{
    const struct rec_domain_state *d = rec_state_domain(s, dom);
    if (!d) {
        snprintf(err, errlen, "--role %s=%s: no such domain", role, dom);
        return -1;
    }
    *id = d->domid;
    return 0;
}

/* "roles": the client's, the mediator's and the noise domains' ids; NULL (err set) when a role
   names no domain */
static json_t *roles_json(const struct rec_state *s, const struct rec_roles *roles, char *err,
                          size_t errlen)
{
    json_t *roles_j = json_object();
    json_int_t id;
    if (roles->client) {
        if (role_domid(s, roles->client, "client", &id, err, errlen) != 0)
            goto fail;
        json_object_set_new(roles_j, "client", json_integer(id));
    }
    if (roles->mediator) {
        if (role_domid(s, roles->mediator, "mediator", &id, err, errlen) != 0)
            goto fail;
        json_object_set_new(roles_j, "mediator", json_integer(id));
    }
    json_t *noise = json_array();
    json_object_set_new(roles_j, "noise", noise);
    for (int i = 0; i < roles->n_noise; i++) {
        if (role_domid(s, roles->noise[i], "noise", &id, err, errlen) != 0)
            goto fail;
        json_array_append_new(noise, json_integer(id));
    }
    return roles_j;
fail:
    json_decref(roles_j);
    return NULL;
}

/* one entry of "domains" */
static json_t *domain_json(const struct rec_state *s, const struct rec_roles *roles,
                           const struct rec_created *created, const struct rec_domain_state *d)
{
    const struct rec_pool_state *p = rec_state_pool_id(s, d->pool_id);
    json_t *aff = json_array();
    for (unsigned v = 0; v < d->vcpus; v++)
        json_array_append_new(aff, json_pack("{s:i, s:o, s:o}", "vcpu", (json_int_t)v, "hard",
                                             cpus_json(d->vcpu[v].hard), "soft",
                                             cpus_json(d->vcpu[v].soft)));
    json_t *dj = json_pack("{s:i, s:s, s:i, s:s, s:i, s:o}", "domid", (json_int_t)d->domid, "name",
                           d->name, "vcpus", (json_int_t)d->vcpus, "cpupool", p ? p->name : "",
                           "cpupool_id", (json_int_t)d->pool_id, "affinity", aff);
    if (d->has_sched)
        json_object_set_new(
            dj, "sched",
            json_pack("{s:i, s:i}", "weight", (json_int_t)d->weight, "cap", (json_int_t)d->cap));
    else if (d->vcpus > 0 && d->vcpu[0].has_rtds) {
        /* RTDS: per vCPU (xl sched-rtds -v all) and vCPU 0's at the domain's level */
        json_t *per = json_array();
        for (unsigned v = 0; v < d->vcpus; v++)
            json_array_append_new(per, json_pack("{s:i, s:i, s:i, s:b}", "vcpu", (json_int_t)v,
                                                 "period_us", (json_int_t)d->vcpu[v].rtds_period_us,
                                                 "budget_us", (json_int_t)d->vcpu[v].rtds_budget_us,
                                                 "extratime", d->vcpu[v].rtds_extra));
        json_object_set_new(dj, "sched",
                            json_pack("{s:i, s:i, s:b, s:o}", "period_us",
                                      (json_int_t)d->vcpu[0].rtds_period_us, "budget_us",
                                      (json_int_t)d->vcpu[0].rtds_budget_us, "extratime",
                                      d->vcpu[0].rtds_extra, "vcpus", per));
    }
    if (created && d->domid < REC_MAX_DOMID && created->ticks[d->domid])
        json_object_set_new(dj, "created_ticks",
                            json_integer((json_int_t)created->ticks[d->domid]));
    const char *role = role_of(s, roles, d->domid);
    if (role)
        json_object_set_new(dj, "role", json_string(role));
    return dj;
}

/* one entry of "cpupools", its scheduler's parameters and ARINC653 windows */
static json_t *pool_json(const struct rec_state *s, const struct rec_pool_state *p)
{
    json_t *params = json_object();
    if (p->has_ratelimit)
        json_object_set_new(params, "ratelimit_us", json_integer(p->ratelimit_us));
    if (p->has_tslice)
        json_object_set_new(params, "tslice_ms", json_integer(p->tslice_ms));
    if (p->has_a653) {
        json_t *wins = json_array();
        for (int w = 0; w < p->n_a653; w++) {
            const struct rec_a653_state *a = &p->a653[w];
            const struct rec_domain_state *d = NULL;
            for (int k = 0; k < s->n_doms; k++)
                if (s->doms[k].domid == a->domid)
                    d = &s->doms[k];
            json_array_append_new(wins, json_pack("{s:o, s:s, s:i, s:i}", "domid",
                                                  d ? json_integer(a->domid) : json_null(), "name",
                                                  d ? d->name : "", "vcpu", (json_int_t)a->vcpu,
                                                  "runtime_us", (json_int_t)a->runtime_us));
        }
        json_object_set_new(params, "major_frame_us",
                            json_integer((json_int_t)p->a653_major_frame_us));
        json_object_set_new(params, "windows", wins);
    }
    return json_pack("{s:i, s:s, s:s, s:o, s:o}", "id", (json_int_t)p->id, "name", p->name,
                     "scheduler", rec_sched_name(p->sched_id), "cpus", cpus_json(p->cpus), "params",
                     params);
}

/* xen.build and xen.schedulers (the build's list, split at spaces and commas) */
static void add_build(json_t *m, const struct rec_xen_build *build)
{
    json_t *x = json_object_get(m, "xen");
    json_object_set_new(x, "build", json_string(build->build));
    json_t *sl = json_array();
    const char *p = build->schedulers ? build->schedulers : "";
    while (*p) {
        size_t n = strcspn(p, " ,");
        if (n)
            json_array_append_new(sl, json_stringn(p, n));
        p += n;
        p += strspn(p, " ,");
    }
    json_object_set_new(x, "schedulers", sl);
}

/* "trace": the file, its event mask and what the scan found */
static json_t *trace_json(const struct rec_trace_meta *trace)
{
    json_t *t = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b}", "file", trace->file, "event_mask",
                          trace->event_mask ? trace->event_mask : REC_TRACE_MASK, "bytes",
                          (json_int_t)trace->scan.bytes, "records", (json_int_t)trace->scan.records,
                          "lost_records", (json_int_t)trace->scan.lost_records, "truncated",
                          trace->scan.truncated_bytes != 0);
    json_object_set_new(t, "duration_s",
                        trace->duration_s >= 0 ? json_real(trace->duration_s) : json_null());
    return t;
}

json_t *rec_metadata_json(const struct rec_state *s, const struct rec_roles *roles,
                          const struct rec_trace_meta *trace, const struct rec_created *created,
                          const struct rec_xen_build *build, char *err, size_t errlen)
{
    json_t *roles_j = roles_json(s, roles, err, errlen);
    if (!roles_j)
        return NULL;
    json_t *doms = json_array();
    for (int i = 0; i < s->n_doms; i++)
        json_array_append_new(doms, domain_json(s, roles, created, &s->doms[i]));
    json_t *pools = json_array();
    for (int i = 0; i < s->n_pools; i++)
        json_array_append_new(pools, pool_json(s, &s->pools[i]));

    json_t *m = json_pack(
        "{s:i, s:{s:i, s:i}, s:{s:s, s:s, s:s}, s:o, s:o, s:o}", "smclat_metadata", (json_int_t)1,
        "physinfo", "cpu_khz", (json_int_t)s->cpu_khz, "nr_cpus", (json_int_t)s->nr_cpus, "xen",
        "version", s->xen_version, "commandline", s->commandline, "scheduler",
        rec_sched_name(s->sched_id), "domains", doms, "cpupools", pools, "roles", roles_j);
    if (!m) {
        snprintf(err, errlen, "cannot build the metadata JSON");
        return NULL;
    }
    if (build && build->build)
        add_build(m, build);
    if (trace && trace->file)
        json_object_set_new(m, "trace", trace_json(trace));
    return m;
}
