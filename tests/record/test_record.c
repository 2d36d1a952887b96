/* Unit tests of smclat record's host-testable parts: option forms, the configuration model
 * and its read-back comparison, metadata JSON, the trace scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "rec-config.h"
#include "rec-json.h"
#include "rec-trace.h"

static char err[512];

static void test_cpulist_parse(void **state)
{
    (void)state;
    uint64_t m = 0;
    assert_int_equal(rec_parse_cpulist("1", &m, err, sizeof err), 0);
    assert_true(m == 0x2);
    assert_int_equal(rec_parse_cpulist("0,2", &m, err, sizeof err), 0);
    assert_true(m == 0x5);
    assert_int_equal(rec_parse_cpulist("0-3", &m, err, sizeof err), 0);
    assert_true(m == 0xf);
    assert_int_equal(rec_parse_cpulist("0-1,5,7-8", &m, err, sizeof err), 0);
    assert_true(m == 0x1a3);
    assert_int_equal(rec_parse_cpulist("63", &m, err, sizeof err), 0);
    assert_true(m == UINT64_C(1) << 63);
    const char *bad[] = {"", "a", "3-1", "1,", "64", "1-", ",1", "1;2", "-1", "0-64"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = 42;
        err[0] = '\0';
        assert_int_equal(rec_parse_cpulist(bad[i], &m, err, sizeof err), -1);
        assert_true(m == 42);
        assert_true(strlen(err) > 0);
    }
}

static void test_cpulist_format(void **state)
{
    (void)state;
    char b[64];
    rec_cpulist_format(0x1a3, b, sizeof b);
    assert_string_equal(b, "0-1,5,7-8");
    rec_cpulist_format(0, b, sizeof b);
    assert_string_equal(b, "");
    rec_cpulist_format(UINT64_C(1) << 63, b, sizeof b);
    assert_string_equal(b, "63");
    /* round trip */
    uint64_t m;
    assert_int_equal(rec_parse_cpulist("2,4-6,9", &m, err, sizeof err), 0);
    rec_cpulist_format(m, b, sizeof b);
    assert_string_equal(b, "2,4-6,9");
}

static void test_pool_option(void **state)
{
    (void)state;
    struct rec_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_pool(&c, "med:credit2:1", err, sizeof err), 0);
    assert_int_equal(c.n_pools, 1);
    assert_string_equal(c.pools[0].name, "med");
    assert_int_equal(c.pools[0].sched_id, REC_SCHED_CREDIT2);
    assert_true(c.pools[0].cpus == 0x2);
    assert_int_equal(rec_config_add_pool(&c, "other:credit:2-3", err, sizeof err), 0);
    assert_int_equal(c.pools[1].sched_id, REC_SCHED_CREDIT);
    /* errors name what is wrong */
    assert_int_equal(rec_config_add_pool(&c, "x:fifo:4", err, sizeof err), -1);
    assert_non_null(strstr(err, "'fifo'"));
    assert_int_equal(rec_config_add_pool(&c, "x:credit2:3", err, sizeof err), -1);
    assert_non_null(strstr(err, "overlap"));
    assert_int_equal(rec_config_add_pool(&c, "med:credit2:5", err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    assert_int_equal(rec_config_add_pool(&c, "Pool-0:credit2:5", err, sizeof err), -1);
    assert_int_equal(rec_config_add_pool(&c, "med:credit2", err, sizeof err), -1);
    assert_int_equal(rec_config_add_pool(&c, "bad name:credit2:5", err, sizeof err), -1);
    assert_int_equal(c.n_pools, 2);
    /* every scheduler Xen 4.17 has */
    assert_int_equal(rec_config_add_pool(&c, "n:null:4", err, sizeof err), 0);
    assert_int_equal(c.pools[2].sched_id, REC_SCHED_NULL);
    assert_int_equal(rec_config_add_pool(&c, "r:rtds:5", err, sizeof err), 0);
    assert_int_equal(c.pools[3].sched_id, REC_SCHED_RTDS);
    assert_int_equal(rec_config_add_pool(&c, "a:arinc653:6", err, sizeof err), 0);
    assert_int_equal(c.pools[4].sched_id, REC_SCHED_ARINC653);
    assert_string_equal(rec_sched_name(REC_SCHED_NULL), "null");
    assert_string_equal(rec_sched_name(REC_SCHED_ARINC653), "arinc653");
}

static void test_sched_options(void **state)
{
    (void)state;
    struct rec_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_rtds(&c, "mediator:10000:4000", err, sizeof err), 0);
    assert_int_equal(rec_config_add_pin(&c, "mediator:1", err, sizeof err), 0);
    assert_int_equal(c.n_doms, 1); /* merged with the pin */
    assert_true(c.doms[0].has_rtds && c.doms[0].has_pin);
    assert_int_equal(c.doms[0].rtds_period_us, 10000);
    assert_int_equal(c.doms[0].rtds_budget_us, 4000);
    assert_false(c.doms[0].rtds_extra);
    assert_int_equal(rec_config_add_rtds(&c, "client:2000:2000:extra", err, sizeof err), 0);
    assert_true(c.doms[1].rtds_extra);
    /* a budget above its period, too small, bad forms */
    assert_int_equal(rec_config_add_rtds(&c, "client:1000:2000", err, sizeof err), -1);
    assert_string_equal(err, "--rtds client: budget 2000 us is above the period 1000 us");
    assert_int_equal(rec_config_add_rtds(&c, "client:1000:5", err, sizeof err), -1);
    assert_non_null(strstr(err, "at least 10 us"));
    assert_int_equal(rec_config_add_rtds(&c, "client:1000", err, sizeof err), -1);
    assert_int_equal(rec_config_add_rtds(&c, "client:1000:500:more", err, sizeof err), -1);
    assert_int_equal(rec_config_add_rtds(&c, ":1000:500", err, sizeof err), -1);

    assert_int_equal(
        rec_config_set_arinc653(&c, "10000:mediator=4000,client.1=3000", err, sizeof err), 0);
    assert_true(c.has_a653);
    assert_int_equal(c.a653.major_frame_us, 10000);
    assert_int_equal(c.a653.n_win, 2);
    assert_string_equal(c.a653.win[1].dom, "client");
    assert_int_equal(c.a653.win[1].vcpu, 1);
    assert_int_equal(c.a653.win[1].runtime_us, 3000);
    assert_int_equal(rec_config_set_arinc653(&c, "5000:mediator=4000,client=3000", err, sizeof err),
                     -1);
    assert_string_equal(err, "--arinc653: the windows take 7000 us, more than the major frame "
                             "5000 us");
    assert_int_equal(rec_config_set_arinc653(&c, "5000:", err, sizeof err), -1);
    assert_int_equal(rec_config_set_arinc653(&c, "0:mediator=1", err, sizeof err), -1);
    assert_int_equal(rec_config_set_arinc653(&c, "5000:mediator=0", err, sizeof err), -1);
    assert_int_equal(rec_config_set_tslice(&c, "5", err, sizeof err), 0);
    assert_true(c.has_tslice && c.tslice_ms == 5);
    assert_int_equal(rec_config_set_tslice(&c, "0", err, sizeof err), -1);
}

static void test_domain_options(void **state)
{
    (void)state;
    struct rec_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_move(&c, "mediator:med", err, sizeof err), 0);
    assert_int_equal(rec_config_add_pin(&c, "mediator:1", err, sizeof err), 0);
    assert_int_equal(rec_config_add_weight(&c, "mediator:512", err, sizeof err), 0);
    assert_int_equal(rec_config_add_cap(&c, "noise1:50", err, sizeof err), 0);
    assert_int_equal(rec_config_add_pin(&c, "Domain-0:0", err, sizeof err), 0);
    /* one request per domain, merged */
    assert_int_equal(c.n_doms, 3);
    assert_string_equal(c.doms[0].dom, "mediator");
    assert_string_equal(c.doms[0].pool, "med");
    assert_true(c.doms[0].has_pin && c.doms[0].pin == 0x2);
    assert_true(c.doms[0].has_weight && c.doms[0].weight == 512);
    assert_false(c.doms[0].has_cap);
    assert_true(c.doms[1].has_cap && c.doms[1].cap == 50);
    assert_int_equal(rec_config_add_weight(&c, "mediator:0", err, sizeof err), -1);
    assert_int_equal(rec_config_add_weight(&c, "mediator:65536", err, sizeof err), -1);
    assert_int_equal(rec_config_add_weight(&c, "mediator:12x", err, sizeof err), -1);
    assert_int_equal(rec_config_add_cap(&c, "mediator:-1", err, sizeof err), -1);
    assert_int_equal(rec_config_add_move(&c, "mediator:other", err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    assert_int_equal(rec_config_add_pin(&c, "nocolon", err, sizeof err), -1);
    assert_int_equal(rec_config_add_pin(&c, ":1", err, sizeof err), -1);
    assert_int_equal(rec_config_add_pin(&c, "client:", err, sizeof err), -1);
    assert_int_equal(rec_config_set_ratelimit(&c, "500", err, sizeof err), 0);
    assert_true(c.has_ratelimit && c.ratelimit_us == 500);
    assert_int_equal(rec_config_set_ratelimit(&c, "5e2", err, sizeof err), -1);
}

/* A machine: Pool-0 (credit2, cpu 0) and med (credit2, cpu 1); Dom0 with 2 vCPUs, mediator
 * d1 in med pinned to 1, client d2 and noise1 d3 in Pool-0. */
static struct rec_state *machine(void)
{
    struct rec_state *s = calloc(1, sizeof *s);
    s->cpu_khz = 62500;
    s->nr_cpus = 2;
    snprintf(s->xen_version, sizeof s->xen_version, "4.17.7");
    snprintf(s->commandline, sizeof s->commandline, "sched=credit2 xsm=dummy");
    s->sched_id = REC_SCHED_CREDIT2;
    s->n_pools = 2;
    s->pools[0] = (struct rec_pool_state){.id = 0,
                                          .sched_id = REC_SCHED_CREDIT2,
                                          .cpus = 0x1,
                                          .has_ratelimit = 1,
                                          .ratelimit_us = 1000};
    snprintf(s->pools[0].name, REC_NAME_LEN, "Pool-0");
    s->pools[1] = (struct rec_pool_state){.id = 3,
                                          .sched_id = REC_SCHED_CREDIT2,
                                          .cpus = 0x2,
                                          .has_ratelimit = 1,
                                          .ratelimit_us = 1000};
    snprintf(s->pools[1].name, REC_NAME_LEN, "med");
    const char *names[] = {"Domain-0", "mediator", "client", "noise1"};
    unsigned vcpus[] = {2, 1, 1, 2}, pools[] = {0, 3, 0, 0};
    s->n_doms = 4;
    s->doms = calloc(4, sizeof *s->doms);
    for (int i = 0; i < 4; i++) {
        struct rec_domain_state *d = &s->doms[i];
        d->domid = (unsigned)i;
        snprintf(d->name, REC_NAME_LEN, "%s", names[i]);
        d->vcpus = vcpus[i];
        d->pool_id = pools[i];
        d->vcpu = calloc(d->vcpus, sizeof *d->vcpu);
        for (unsigned v = 0; v < d->vcpus; v++)
            d->vcpu[v] = (struct rec_vcpu_state){.hard = i == 1 ? 0x2 : 0x3, .soft = 0x3};
        d->has_sched = 1;
        d->weight = 256;
        d->cap = 0;
    }
    return s;
}

static void free_machine(struct rec_state *s)
{
    rec_state_free(s);
    free(s);
}

static void test_compare_matches(void **state)
{
    (void)state;
    struct rec_state *s = machine();
    struct rec_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_pool(&c, "med:credit2:1", err, sizeof err), 0);
    assert_int_equal(rec_config_add_move(&c, "mediator:med", err, sizeof err), 0);
    assert_int_equal(rec_config_add_pin(&c, "1:1", err, sizeof err), 0); /* by domid */
    assert_int_equal(rec_config_add_weight(&c, "client:256", err, sizeof err), 0);
    assert_int_equal(rec_config_set_ratelimit(&c, "1000", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 0);
    assert_string_equal(err, "");
    free_machine(s);
}

static void test_compare_differs(void **state)
{
    (void)state;
    struct rec_state *s = machine();
    struct rec_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_move(&c, "client:med", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 1);
    assert_string_equal(err, "client: pool: asked med, found Pool-0");

    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_pin(&c, "noise1:1", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 2); /* both vCPUs */
    assert_string_equal(err, "noise1: vcpu 0 hard affinity: asked 1, found 0-1");

    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_weight(&c, "mediator:512", err, sizeof err), 0);
    assert_int_equal(rec_config_add_cap(&c, "mediator:10", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 2);
    assert_string_equal(err, "mediator: weight: asked 512, found 256");

    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_pool(&c, "med:credit:1", err, sizeof err), 0);
    assert_int_equal(rec_config_add_pool(&c, "gone:credit2:0", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 2);
    assert_string_equal(err, "pool med: scheduler: asked credit, found credit2");

    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_set_ratelimit(&c, "500", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 2); /* both pools */
    assert_string_equal(err, "pool Pool-0: ratelimit: asked 500 us, found 1000 us");

    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_pin(&c, "nosuch:1", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 1);
    assert_string_equal(err, "nosuch: no such domain");

    /* credit's time slice, checked in credit pools only */
    s->pools[1].sched_id = REC_SCHED_CREDIT;
    s->pools[1].has_tslice = 1;
    s->pools[1].tslice_ms = 30;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_set_tslice(&c, "5", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 1);
    assert_string_equal(err, "pool med: tslice: asked 5 ms, found 30 ms");
    s->pools[1].tslice_ms = 5;
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 0);
    s->pools[1].sched_id = REC_SCHED_CREDIT2;

    /* a pool whose cpus differ */
    s->pools[1].cpus = 0;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_pool(&c, "med:credit2:1", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 1);
    assert_string_equal(err, "pool med: cpus: asked 1, found none");
    free_machine(s);
}

/* The machine with med as an RTDS pool and a second pool a6 (arinc653, cpu 2... none here). */
static void test_compare_rtds_a653(void **state)
{
    (void)state;
    struct rec_state *s = machine();
    s->pools[1].sched_id = REC_SCHED_RTDS;
    s->pools[1].has_ratelimit = 0;
    struct rec_domain_state *med = &s->doms[1];
    med->has_sched = 0;
    med->vcpu[0].has_rtds = 1;
    med->vcpu[0].rtds_period_us = 10000;
    med->vcpu[0].rtds_budget_us = 4000;
    struct rec_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_rtds(&c, "mediator:10000:4000", err, sizeof err), 0);
    /* the ratelimit is checked on credit/credit2 pools only */
    assert_int_equal(rec_config_set_ratelimit(&c, "1000", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 0);
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_rtds(&c, "mediator:10000:3000:extra", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 1);
    assert_string_equal(
        err, "mediator: vcpu 0 rtds: asked period 10000 budget 3000 us extra, found 10000 4000 us");
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_add_rtds(&c, "client:10000:3000", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 1);
    assert_string_equal(err, "client: vcpu 0 rtds: its pool's scheduler is not rtds");

    /* med as an ARINC653 pool with one window for the mediator */
    s->pools[1].sched_id = REC_SCHED_ARINC653;
    s->pools[1].has_a653 = 1;
    s->pools[1].a653_major_frame_us = 10000;
    s->pools[1].n_a653 = 1;
    s->pools[1].a653[0] = (struct rec_a653_state){.domid = 1, .vcpu = 0, .runtime_us = 6000};
    memset(&c, 0, sizeof c);
    assert_int_equal(rec_config_set_arinc653(&c, "10000:mediator=6000", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 0);
    assert_int_equal(rec_config_set_arinc653(&c, "20000:mediator=5000", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 2);
    assert_string_equal(err, "pool med: arinc653 major frame: asked 20000 us, found 10000 us");
    assert_int_equal(rec_config_set_arinc653(&c, "10000:client=5000", err, sizeof err), 0);
    assert_int_equal(rec_state_compare(&c, s, err, sizeof err), 1);
    assert_string_equal(err, "arinc653: client is not in an arinc653 pool");

    /* metadata: the schedule's windows by name, the RTDS parameters gone with the pool */
    struct rec_roles r = {0};
    struct rec_xen_build b = {"source", "credit credit2 null rtds arinc653"};
    json_t *m = rec_metadata_json(s, &r, NULL, NULL, &b, err, sizeof err);
    assert_non_null(m);
    json_t *params = json_object_get(json_array_get(json_object_get(m, "cpupools"), 1), "params");
    assert_int_equal(json_integer_value(json_object_get(params, "major_frame_us")), 10000);
    json_t *w0 = json_array_get(json_object_get(params, "windows"), 0);
    assert_string_equal(json_string_value(json_object_get(w0, "name")), "mediator");
    assert_int_equal(json_integer_value(json_object_get(w0, "runtime_us")), 6000);
    json_t *x = json_object_get(m, "xen");
    assert_string_equal(json_string_value(json_object_get(x, "build")), "source");
    assert_int_equal(json_array_size(json_object_get(x, "schedulers")), 5);
    assert_string_equal(json_string_value(json_array_get(json_object_get(x, "schedulers"), 2)),
                        "null");
    /* the mediator's RTDS parameters */
    json_t *sched = json_object_get(json_array_get(json_object_get(m, "domains"), 1), "sched");
    assert_int_equal(json_integer_value(json_object_get(sched, "period_us")), 10000);
    assert_int_equal(json_integer_value(json_object_get(sched, "budget_us")), 4000);
    assert_false(json_is_true(json_object_get(sched, "extratime")));
    json_decref(m);
    free_machine(s);
}

static void test_metadata_json(void **state)
{
    (void)state;
    struct rec_state *s = machine();
    struct rec_roles r = {0};
    assert_int_equal(rec_roles_add(&r, "client=client", err, sizeof err), 0);
    assert_int_equal(rec_roles_add(&r, "mediator=1", err, sizeof err), 0);
    assert_int_equal(rec_roles_add(&r, "noise=noise1", err, sizeof err), 0);
    assert_int_equal(rec_roles_add(&r, "server=x", err, sizeof err), -1);
    assert_int_equal(rec_roles_add(&r, "client", err, sizeof err), -1);
    struct rec_trace_meta tm = {
        .file = "trace.bin", .event_mask = REC_TRACE_MASK, .duration_s = 7.5};
    tm.scan.records = 1000;
    tm.scan.lost_records = 3;
    static struct rec_created created;
    memset(&created, 0, sizeof created);
    created.ticks[2] = 733244202;
    json_t *m = rec_metadata_json(s, &r, &tm, &created, NULL, err, sizeof err);
    assert_non_null(m);
    json_error_t je;
    json_int_t khz = 0, client = 0, mediator = 0, lost = -1, nr = 0;
    json_t *noise = NULL, *doms = NULL, *pools = NULL;
    const char *ver = NULL, *sched = NULL;
    assert_int_equal(json_unpack_ex(m, &je, 0,
                                    "{s:{s:I, s:I}, s:{s:s, s:s}, s:{s:I, s:I, s:o}, s:o, s:o, "
                                    "s:{s:I}}",
                                    "physinfo", "cpu_khz", &khz, "nr_cpus", &nr, "xen", "version",
                                    &ver, "scheduler", &sched, "roles", "client", &client,
                                    "mediator", &mediator, "noise", &noise, "domains", &doms,
                                    "cpupools", &pools, "trace", "lost_records", &lost),
                     0);
    assert_int_equal(khz, 62500);
    assert_int_equal(nr, 2);
    assert_string_equal(ver, "4.17.7");
    assert_string_equal(sched, "credit2");
    assert_int_equal(client, 2);
    assert_int_equal(mediator, 1);
    assert_int_equal(json_array_size(noise), 1);
    assert_int_equal(json_integer_value(json_array_get(noise, 0)), 3);
    assert_int_equal(lost, 3);
    assert_int_equal(json_array_size(doms), 4);
    json_t *med = json_array_get(doms, 1);
    assert_string_equal(json_string_value(json_object_get(med, "cpupool")), "med");
    assert_string_equal(json_string_value(json_object_get(med, "role")), "mediator");
    json_t *hard = json_object_get(json_array_get(json_object_get(med, "affinity"), 0), "hard");
    assert_int_equal(json_array_size(hard), 1);
    assert_int_equal(json_integer_value(json_array_get(hard, 0)), 1);
    assert_null(json_object_get(json_array_get(doms, 0), "role"));
    /* created_ticks only where the creation trace had the domain */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(doms, 2), "created_ticks")),
                     733244202);
    assert_null(json_object_get(json_array_get(doms, 1), "created_ticks"));
    assert_int_equal(json_array_size(pools), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_array_get(pools, 1), "params"), "ratelimit_us")),
                     1000);
    json_decref(m);

    /* a role naming a domain that is not there */
    struct rec_roles bad = {0};
    assert_int_equal(rec_roles_add(&bad, "client=ghost", err, sizeof err), 0);
    assert_null(rec_metadata_json(s, &bad, NULL, NULL, NULL, err, sizeof err));
    assert_string_equal(err, "--role client=ghost: no such domain");
    free_machine(s);
}

static void test_trace_scan(void **state)
{
    (void)state;
    uint32_t w[32];
    size_t n = 0;
    /* CPU_CHANGE, no timestamp, 2 words */
    w[n++] = 0x2001f003u;
    w[n++] = 0;
    w[n++] = 64;
    /* a WAKE with timestamp and 2 words */
    w[n++] = 0xa0028004u;
    w[n++] = 100;
    w[n++] = 0;
    w[n++] = 1;
    w[n++] = 0;
    /* LOST_RECORDS, no timestamp, 4 words: 7 lost */
    w[n++] = 0x4001f001u;
    w[n++] = 7;
    w[n++] = 0x00010000u;
    w[n++] = 5;
    w[n++] = 0;
    /* LOST_RECORDS with a timestamp: 2 lost */
    w[n++] = 0xc001f001u;
    w[n++] = 200;
    w[n++] = 0;
    w[n++] = 2;
    w[n++] = 0;
    w[n++] = 0;
    w[n++] = 0;
    struct rec_trace_scan sc;
    rec_trace_scan_buf(w, n * 4, &sc);
    assert_int_equal(sc.records, 4);
    assert_int_equal(sc.lost_records, 9);
    assert_int_equal(sc.lost_record_events, 2);
    assert_int_equal(sc.truncated_bytes, 0);
    /* a record cut short, and a stray byte */
    w[n++] = 0xb0028004u; /* timestamp + 3 words: 6 words, only 2 present */
    w[n++] = 300;
    rec_trace_scan_buf(w, n * 4 + 1, &sc);
    assert_int_equal(sc.records, 4);
    assert_int_equal(sc.truncated_bytes, 9);
    rec_trace_scan_buf(w, 0, &sc);
    assert_int_equal(sc.records, 0);
}

static void test_trace_dom_add(void **state)
{
    (void)state;
    /* DOM_ADD d1 at 0x100000005, a WAKE, DOM_ADD d2 at 7, DOM_ADD d1 again (ignored), a
     * DOM_ADD without a timestamp (ignored), DOM_ADD d5000 (beyond the table), cut short */
    uint32_t w[] = {
        0x2001f003u, 0, 60,          0x90028001u, 5, 1,    1,           0xa0028004u, 9, 0,
        2,           0, 0x90028001u, 7,           0, 2,    0x90028001u, 8,           0, 1,
        0x10028001u, 3, 0x90028001u, 9,           0, 5000, 0x90028001u, 10};
    uint64_t created[8] = {0};
    assert_int_equal(rec_trace_dom_add(w, sizeof w, created, 8), 2);
    assert_true(created[1] == UINT64_C(0x100000005));
    assert_true(created[2] == 7);
    assert_true(created[3] == 0 && created[0] == 0);
}

static void test_trace_scan_file(void **state)
{
    (void)state;
    char path[] = "/tmp/smclat-test-record-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint32_t w[] = {0x2001f003u, 1, 20, 0x4001f001u, 11, 0, 0, 0};
    FILE *f = fdopen(fd, "wb");
    assert_int_equal(fwrite(w, sizeof w, 1, f), 1);
    fclose(f);
    struct rec_trace_scan sc;
    assert_int_equal(rec_trace_scan_file(path, &sc, err, sizeof err), 0);
    assert_int_equal(sc.bytes, sizeof w);
    assert_int_equal(sc.lost_records, 11);
    unlink(path);
    assert_int_equal(rec_trace_scan_file(path, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpulist_parse),   cmocka_unit_test(test_cpulist_format),
        cmocka_unit_test(test_pool_option),     cmocka_unit_test(test_domain_options),
        cmocka_unit_test(test_compare_matches), cmocka_unit_test(test_compare_differs),
        cmocka_unit_test(test_metadata_json),   cmocka_unit_test(test_trace_scan),
        cmocka_unit_test(test_trace_dom_add),   cmocka_unit_test(test_trace_scan_file),
        cmocka_unit_test(test_sched_options),   cmocka_unit_test(test_compare_rtds_a653),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
