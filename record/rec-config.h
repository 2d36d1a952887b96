/* smclat record: the scheduler configuration asked for (pools, moves, pinning, weights, caps,
 * ratelimit), the machine state read back from Xen, and their comparison. No Xen calls here:
 * rec-xc.c fills a struct rec_state from libxenctrl, this module only models and compares,
 * so the host's unit tests cover it. */
#ifndef SMCLAT_REC_CONFIG_H
#define SMCLAT_REC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define REC_MAX_CPUS       64 /* cpu sets are 64-bit masks */
#define REC_NAME_LEN       64
#define REC_MAX_POOLS      16
#define REC_MAX_DOMREQ     64
#define REC_SCHED_CREDIT   5  /* XEN_SCHEDULER_CREDIT */
#define REC_SCHED_CREDIT2  6  /* XEN_SCHEDULER_CREDIT2 */
#define REC_SCHED_ARINC653 7  /* XEN_SCHEDULER_ARINC653 */
#define REC_SCHED_RTDS     8  /* XEN_SCHEDULER_RTDS */
#define REC_SCHED_NULL     9  /* XEN_SCHEDULER_NULL */
#define REC_A653_MAX       64 /* ARINC653_MAX_DOMAINS_PER_SCHEDULE */
/* RTDS limits of Xen 4.17 (xen/common/sched/rt.c): period and budget at least 10 us */
#define REC_RTDS_MIN_US 10

/* A pool to create: NAME:SCHED:CPUS (the cpus are taken from the pools that hold them). */
struct rec_pool_req {
    char name[REC_NAME_LEN];
    int sched_id;
    uint64_t cpus;
};

/* Settings of one domain, named by its xenstore name or its domid. */
struct rec_dom_req {
    char dom[REC_NAME_LEN];
    const char *pool; /* NULL: leave it where it is */
    char pool_buf[REC_NAME_LEN];
    int has_pin;
    uint64_t pin; /* hard affinity of every vCPU */
    int has_weight;
    unsigned weight;
    int has_cap;
    unsigned cap;
    int has_rtds; /* RTDS period and budget of every vCPU (xl sched-rtds -d DOM -p -b [-e]) */
    unsigned rtds_period_us, rtds_budget_us;
    int rtds_extra; /* extratime: may run beyond its budget when a pCPU is idle */
};

/* One window of an ARINC653 major frame: a domain's vCPU runs for runtime_us. */
struct rec_a653_window {
    char dom[REC_NAME_LEN];
    unsigned vcpu;
    unsigned long runtime_us;
};

/* An ARINC653 schedule (xl's arinc653 has no command; xc_sched_arinc653_schedule_set): set on
 * the pool the windows' domains are in, after they moved. */
struct rec_a653_req {
    unsigned long major_frame_us;
    struct rec_a653_window win[REC_A653_MAX];
    int n_win;
};

struct rec_config {
    struct rec_pool_req pools[REC_MAX_POOLS];
    int n_pools;
    struct rec_dom_req doms[REC_MAX_DOMREQ];
    int n_doms;
    int has_ratelimit;
    unsigned ratelimit_us; /* every credit/credit2 pool */
    int has_tslice;
    unsigned tslice_ms; /* every credit pool */
    int has_a653;
    struct rec_a653_req a653;
};

/* The machine as Xen reports it. */
struct rec_vcpu_state {
    uint64_t hard, soft;
    int has_rtds; /* in an RTDS pool: its period and budget */
    unsigned rtds_period_us, rtds_budget_us;
    int rtds_extra;
};

struct rec_domain_state {
    unsigned domid;
    char name[REC_NAME_LEN];
    unsigned pool_id;
    unsigned vcpus;
    struct rec_vcpu_state *vcpu; /* vcpus entries, owned */
    int has_sched;               /* weight and cap valid (credit or credit2 pool) */
    unsigned weight, cap;
    uint8_t handle[16]; /* the domain's UUID (ARINC653 windows name domains by it) */
};

struct rec_a653_state {
    unsigned domid; /* the window's domain (matched by its UUID); ~0u when none matches */
    unsigned vcpu;
    unsigned long runtime_us;
};

struct rec_pool_state {
    unsigned id;
    char name[REC_NAME_LEN];
    int sched_id;
    uint64_t cpus;
    int has_ratelimit;
    unsigned ratelimit_us;
    int has_tslice;
    unsigned tslice_ms; /* credit only */
    int has_a653;       /* an ARINC653 pool: its schedule */
    unsigned long a653_major_frame_us;
    struct rec_a653_state a653[REC_A653_MAX];
    int n_a653;
};

struct rec_state {
    unsigned long cpu_khz;
    unsigned nr_cpus;
    char xen_version[64];
    char commandline[1024];
    int sched_id; /* the default scheduler (Pool-0's at boot) */
    struct rec_domain_state *doms;
    int n_doms;
    struct rec_pool_state pools[REC_MAX_POOLS];
    int n_pools;
};

/* Parsers for the command-line forms; each returns 0, or -1 with a message in err. */
int rec_parse_cpulist(const char *s, uint64_t *mask, char *err, size_t errlen);
int rec_parse_sched(const char *s, int *sched_id);
const char *rec_sched_name(int sched_id); /* "credit2", "credit", ... or "unknown" */
int rec_config_add_pool(struct rec_config *c, const char *spec, char *err, size_t errlen);
/* "DOMAIN:POOL", "DOMAIN:CPUS", "DOMAIN:N" */
int rec_config_add_move(struct rec_config *c, const char *spec, char *err, size_t errlen);
int rec_config_add_pin(struct rec_config *c, const char *spec, char *err, size_t errlen);
int rec_config_add_weight(struct rec_config *c, const char *spec, char *err, size_t errlen);
int rec_config_add_cap(struct rec_config *c, const char *spec, char *err, size_t errlen);
int rec_config_set_ratelimit(struct rec_config *c, const char *s, char *err, size_t errlen);
int rec_config_set_tslice(struct rec_config *c, const char *s, char *err, size_t errlen);
/* "DOMAIN:PERIOD_US:BUDGET_US[:extra]": 10 <= budget <= period */
int rec_config_add_rtds(struct rec_config *c, const char *spec, char *err, size_t errlen);
/* "MAJOR_FRAME_US:DOMAIN=RUNTIME_US[,DOMAIN[.VCPU]=RUNTIME_US...]": runtimes sum to at most
 * the major frame */
int rec_config_set_arinc653(struct rec_config *c, const char *spec, char *err, size_t errlen);

/* Formats a cpu mask as "0-2,5" (empty string for none). */
void rec_cpulist_format(uint64_t mask, char *buf, size_t len);

/* Lookups in a state: NULL when missing. A domain is found by name or by decimal domid. */
const struct rec_domain_state *rec_state_domain(const struct rec_state *s, const char *dom);
const struct rec_pool_state *rec_state_pool(const struct rec_state *s, const char *name);
const struct rec_pool_state *rec_state_pool_id(const struct rec_state *s, unsigned id);

/* Compares what was asked with what Xen reports. Returns the number of settings that differ
 * (0: the machine is in the asked state); the first difference is described in err as
 * "mediator: pool: asked med, found Pool-0". */
int rec_state_compare(const struct rec_config *want, const struct rec_state *have, char *err,
                      size_t errlen);

void rec_state_free(struct rec_state *s);

#endif
