/* Unit tests: the call log (calls.csv) and the summary computed from it (histogram use). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calllog.h"
#include "gen_stats.h"

static struct sm_call_rec rec(uint64_t seq, enum sm_op op, uint64_t intended, uint64_t start,
                              uint64_t end, enum sm_status st)
{
    struct sm_call_rec r;
    memset(&r, 0, sizeof r);
    r.seq = seq;
    r.op = (uint8_t)op;
    r.frame = seq / 3;
    r.intended_ns = intended;
    r.start_ns = start;
    r.end_ns = end;
    r.status = (uint8_t)st;
    return r;
}

static void write_and_parse(void **state)
{
    (void)state;
    struct sm_calllog l;
    assert_int_equal(sm_calllog_init(&l, 1, 1), 0); /* grows past its first capacity */
    for (uint64_t i = 0; i < 10; i++) {
        struct sm_call_rec r = rec(i, (enum sm_op)(1 + i % 3), 1000 * i, 1000 * i + 5,
                                   1000 * i + 50 + i, i == 4 ? SM_TIMEOUT : SM_OK);
        r.start_cntvct = 100 + i;
        r.end_cntvct = 200 + i;
        r.has_smc = i == 2;
        r.smc_ret = -1;
        r.trap_ticks = 33;
        assert_int_equal(sm_calllog_add(&l, &r), 0);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(sm_calllog_write(&l, f), 0);
    fclose(f);
    /* header, then one line per call */
    assert_int_equal(strncmp(buf, SM_CALLLOG_HEADER "\n", strlen(SM_CALLLOG_HEADER) + 1), 0);
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 11);
    char *line = strchr(buf, '\n') + 1;
    for (uint64_t i = 0; i < 10; i++) {
        struct sm_call_rec r;
        char err[128];
        assert_int_equal(sm_calllog_parse_line(line, &r, err, sizeof err), 0);
        assert_int_equal(r.seq, i);
        assert_int_equal(r.op, l.recs[i].op);
        assert_int_equal(r.start_ns, l.recs[i].start_ns);
        assert_int_equal(r.end_ns, l.recs[i].end_ns);
        assert_int_equal(r.start_cntvct, 100 + i);
        assert_int_equal(r.status, i == 4 ? SM_TIMEOUT : SM_OK);
        line = strchr(line, '\n') + 1;
    }
    assert_non_null(strstr(buf, ",-1,33\n")); /* the SMC columns of call 2 */
    free(buf);
    sm_calllog_free(&l);
}

static void no_counter_columns_empty(void **state)
{
    (void)state;
    struct sm_calllog l;
    assert_int_equal(sm_calllog_init(&l, 4, 0), 0);
    struct sm_call_rec r = rec(0, SM_OP_PROCESS, 10, 20, 30, SM_OK);
    assert_int_equal(sm_calllog_add(&l, &r), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sm_calllog_write(&l, f);
    fclose(f);
    assert_non_null(strstr(buf, "\n0,process,0,10,20,30,,,ok,0,0,,\n"));
    free(buf);
    sm_calllog_free(&l);
}

static void parse_errors(void **state)
{
    (void)state;
    struct sm_call_rec r;
    char err[128];
    assert_int_equal(sm_calllog_parse_line("1,process,0,1,2,3,,,ok", &r, err, sizeof err), 0);
    assert_int_equal(sm_calllog_parse_line("1,process,0,1,2", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "end_ns"));
    assert_int_equal(sm_calllog_parse_line("1,dance,0,1,2,3,,,ok", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "column op"));
    assert_int_equal(sm_calllog_parse_line("x,process,0,1,2,3,,,ok", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "column seq"));
    assert_int_equal(sm_calllog_parse_line("1,process,0,1,2,3,,,weird", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "column status"));
}

static void stats_from_log(void **state)
{
    (void)state;
    struct sm_calllog l;
    struct sm_gen_stats s;
    assert_int_equal(sm_calllog_init(&l, 16, 0), 0);
    assert_int_equal(sm_gen_stats_init(&s, 5000), 0);
    /* a warm-up call that must not count */
    struct sm_call_rec w = rec(0, SM_OP_REGISTER, 0, 1000000, 2000000, SM_TIMEOUT);
    w.warmup = 1;
    sm_calllog_add(&l, &w);
    /* 1000 ok calls: pacing error i ns, service 10 * i ns */
    for (uint64_t i = 1; i <= 1000; i++) {
        uint64_t t = 10000000 * i;
        struct sm_call_rec r = rec(i, SM_OP_PROCESS, t, t + i, t + i + 10 * i, SM_OK);
        sm_calllog_add(&l, &r);
    }
    /* one late call (missed its deadline) that failed */
    struct sm_call_rec late =
        rec(1001, SM_OP_UNREGISTER, 20000000000ull, 20000009000ull, 20000010000ull, SM_ENOENT);
    sm_calllog_add(&l, &late);
    sm_gen_stats_from_log(&s, &l);
    assert_int_equal(s.calls, 1001);
    assert_int_equal(s.ok, 1000);
    assert_int_equal(s.by_op[SM_OP_PROCESS], 1000);
    assert_int_equal(s.by_op[SM_OP_REGISTER], 0);
    assert_int_equal(s.errors[SM_ENOENT], 1);
    assert_int_equal(s.errors[SM_TIMEOUT], 0);
    assert_int_equal(s.missed, 1);
    assert_int_equal(sm_hist_count(s.service), 1000);
    assert_int_equal(sm_hist_max(s.service), 10000);
    assert_int_equal(sm_hist_min(s.from_intended), 11);
    /* p50 of the service times 10..10000 is 5000, within the histogram's 1/256 */
    uint64_t p50 = sm_hist_percentile(s.service, 50);
    assert_true(p50 >= 5000 - 5000 / 256 - 1 && p50 <= 5000 + 5000 / 256 + 1);
    assert_int_equal(sm_hist_count(s.pacing), 1001);
    assert_int_equal(sm_hist_max(s.pacing), 9000);

    json_t *j = json_object();
    sm_gen_stats_json(&s, j);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "calls"), "ok")), 1000);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "errors"), "enoent")),
                     1);
    json_t *svc = json_object_get(json_object_get(j, "latency_ns"), "service");
    assert_int_equal(json_integer_value(json_object_get(svc, "max")), 10000);
    assert_null(json_object_get(j, "trap_ticks")); /* no SMC calls */
    json_decref(j);
    sm_gen_stats_free(&s);
    sm_calllog_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_and_parse),
        cmocka_unit_test(no_counter_columns_empty),
        cmocka_unit_test(parse_errors),
        cmocka_unit_test(stats_from_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
