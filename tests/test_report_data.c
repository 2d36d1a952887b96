/* Results loading, summaries and the plot data files, on folders with known content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <sys/stat.h>

#include "report.h"
#include "report_testutil.h"
#include "results.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rm_tree(dir);
    free(dir);
    return 0;
}

static int count_lines(const char *text, int skip_comments)
{
    int n = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        if (!(skip_comments && *p == '#'))
            n++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

/* The generator's calls.csv: only status ok counts; latency = end - start. */
static void test_generator_log(void **state)
{
    (void)state;
    char sub[600], err[SM_RUN_ERR_MAX];
    snprintf(sub, sizeof sub, "%s/gen", dir);
    mkdir(sub, 0777);
    free(tu_write(sub, "calls.csv",
                  "seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status\n"
                  "0,register,0,100,100,1100,,,ok\n"
                  "1,process,0,2000,2000,5000,,,ok\n"
                  "2,process,1,9000,9000,99000,,,timeout\n"
                  "3,process,2,10000,10000,12000,,,ok\n"));
    struct sm_run *r = sm_run_load(sub, err, sizeof err);
    assert_non_null(r);
    assert_string_equal(r->name, "gen"); /* no scenario.ini: the folder's name */
    assert_string_equal(r->calls_source, "calls.csv");
    assert_int_equal(r->ncalls, 3);
    assert_true(r->series[S_E2E_NS][1] == 3000);
    assert_true(r->series[S_START_NS][2] == 10000);
    assert_true(isnan(r->series[S_SWITCHES][0]));
    struct sm_summary s;
    sm_run_summarize(r, &s);
    assert_string_equal(s.e2e_source, "calls.csv");
    assert_true(s.n == 3 && s.min == 1000 && s.max == 3000 && s.p50 == 2000);
    assert_true(isnan(s.wake_p50)); /* no analysis.json, no per-call wake */
    assert_int_equal(r->partial, 0);
    sm_run_free(r);
}

/* Warm-up calls of the generator's log are no samples, as in the join (sm_calls_is_sample): a
 * report from calls.csv alone used to count them. */
static void test_generator_log_warmup(void **state)
{
    (void)state;
    char sub[600], err[SM_RUN_ERR_MAX];
    snprintf(sub, sizeof sub, "%s/genwarm", dir);
    mkdir(sub, 0777);
    free(tu_write(sub, "calls.csv",
                  "seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status,warmup,"
                  "result,smc_ret,trap_ticks\n"
                  "0,process,0,100,100,900100,,,ok,1,0,,\n"
                  "1,process,0,2000,2000,802000,,,ok,1,0,,\n"
                  "2,process,1,9000,9000,99000,,,timeout,0,0,,\n"
                  "3,process,2,10000,10000,12000,,,ok,0,0,,\n"
                  "4,process,3,20000,20000,24000,,,ok,0,0,,\n"));
    struct sm_run *r = sm_run_load(sub, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(r->ncalls, 2);
    assert_true(r->series[S_E2E_NS][0] == 2000);
    assert_true(r->series[S_E2E_NS][1] == 4000);
    struct sm_summary s;
    sm_run_summarize(r, &s);
    assert_true(s.n == 2 && s.max == 4000);
    sm_run_free(r);
}

/* analysis.json only: the summary takes the analyzer's figures; the run is partial. */
static void test_analysis_only(void **state)
{
    (void)state;
    char sub[600], err[SM_RUN_ERR_MAX];
    snprintf(sub, sizeof sub, "%s/an", dir);
    mkdir(sub, 0777);
    free(tu_write(sub, "analysis.json",
                  "{\"smclat_analyze\": 1, \"partial\": false, \"calls\": {\"incomplete\": 2,"
                  " \"e2e_ns\": {\"n\": 10, \"min\": 5, \"mean\": 7.5, \"p50\": 7, \"p90\": 9,"
                  " \"p99\": 10, \"p999\": 10, \"max\": 10}}}"));
    struct sm_run *r = sm_run_load(sub, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(r->partial, 1); /* no per-call data */
    struct sm_summary s;
    sm_run_summarize(r, &s);
    assert_string_equal(s.e2e_source, "analysis.json");
    assert_true(s.n == 10 && s.p50 == 7 && s.max == 10 && s.incomplete == 2);
    json_t *j = sm_report_summary_json(&r, 1);
    json_t *c = json_array_get(json_object_get(j, "configurations"), 0);
    assert_true(json_is_true(json_object_get(c, "partial")));
    assert_true(json_number_value(json_object_get(c, "e2e_p99_ns")) == 10);
    assert_true(json_is_null(json_object_get(c, "switches_mean")));
    json_decref(j);
    sm_run_free(r);
    /* not the analyzer's JSON */
    free(tu_write(sub, "analysis.json", "[1, 2]"));
    assert_null(sm_run_load(sub, err, sizeof err));
    assert_non_null(strstr(err, "analysis.json: expected the analyzer's object"));
}

/* A joined calls-trace.csv: the matched calls the join does not count (log_sample 0: failed or
 * warm-up) are no samples of the report either. */
static void test_joined_log_sample(void **state)
{
    (void)state;
    char sub[600], err[SM_RUN_ERR_MAX];
    snprintf(sub, sizeof sub, "%s/joinedwarm", dir);
    mkdir(sub, 0777);
    free(tu_write(sub, "calls-trace.csv",
                  "index,shape,reason,t_start,e2e_ns,mediator_wake_ns,join,log_sample\n"
                  "0,textbook,complete,100,90000,700,matched,0\n"
                  "1,textbook,complete,200,1000,100,matched,1\n"
                  "2,textbook,complete,300,5000,200,trace_only,\n"
                  "3,textbook,complete,400,3000,300,matched,1\n"));
    struct sm_run *r = sm_run_load(sub, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(r->ncalls, 2);
    assert_int_equal(r->not_logged, 1);
    assert_true(r->series[S_E2E_NS][0] == 1000 && r->series[S_E2E_NS][1] == 3000);
    sm_run_free(r);
}

/* calls-trace.csv joined with the generator's log: the trace's calls with no log line (timer
 * coincidences) are left out of every figure, counted apart; per-call figures win over
 * analysis.json's, which count every call of the trace. */
static void test_joined_trace_calls(void **state)
{
    (void)state;
    char sub[600], err[SM_RUN_ERR_MAX];
    snprintf(sub, sizeof sub, "%s/joined", dir);
    mkdir(sub, 0777);
    free(tu_write(sub, "analysis.json",
                  "{\"smclat_analyze\": 1, \"partial\": false, \"cpu_hz\": 1000000000,"
                  " \"calls\": {\"incomplete\": 0, \"mediator_wake_ns\": {\"p50\": 999,"
                  " \"p99\": 999, \"max\": 999}, \"switches\": {\"mean\": 9, \"max\": 9}}}"));
    free(tu_write(sub, "calls-trace.csv",
                  "index,shape,reason,t_start,e2e_ns,mediator_wake_ns,sw_client,sw_mediator,"
                  "sw_idle,sw_other,join\n"
                  "0,textbook,complete,100,5000,700,1,1,0,0,trace_only\n"
                  "1,textbook,complete,200,1000,100,1,1,0,0,matched\n"
                  "2,textbook,complete,300,2000,200,1,1,1,0,matched\n"
                  "3,textbook,complete,400,9000,900,1,1,0,0,trace_only\n"
                  "4,textbook,complete,500,3000,300,1,1,0,0,matched\n"));
    struct sm_run *r = sm_run_load(sub, err, sizeof err);
    assert_non_null(r);
    assert_true(r->joined);
    assert_int_equal(r->ncalls, 3);
    assert_int_equal(r->not_logged, 2);
    struct sm_summary s;
    sm_run_summarize(r, &s);
    assert_true(s.n == 3 && s.min == 1000 && s.max == 3000 && s.p50 == 2000);
    assert_true(s.wake_max == 300);                      /* not analysis.json's 999 */
    assert_true(fabs(s.switches_mean - 7.0 / 3) < 1e-9); /* 2, 3, 2 */
    assert_true(s.switches_max == 3);
    json_t *j = sm_report_summary_json(&r, 1);
    json_t *c = json_array_get(json_object_get(j, "configurations"), 0);
    assert_int_equal(json_integer_value(json_object_get(c, "calls_not_in_log")), 2);
    json_decref(j);
    sm_run_free(r);
    /* without a join column every call counts, and analysis.json's figures stand */
    free(tu_write(sub, "calls-trace.csv",
                  "index,shape,reason,t_start,e2e_ns,mediator_wake_ns\n"
                  "0,textbook,complete,100,5000,700\n"
                  "1,textbook,complete,200,1000,100\n"));
    r = sm_run_load(sub, err, sizeof err);
    assert_non_null(r);
    assert_false(r->joined);
    assert_int_equal(r->ncalls, 2);
    sm_run_summarize(r, &s);
    assert_true(s.wake_max == 999 && s.switches_mean == 9);
    j = sm_report_summary_json(&r, 1);
    c = json_array_get(json_object_get(j, "configurations"), 0);
    assert_true(json_is_null(json_object_get(c, "calls_not_in_log")));
    json_decref(j);
    sm_run_free(r);
}

/* The plot data of a run with known calls: e2e 1..8 us, switches 2,2,3,... */
static void test_plot_data(void **state)
{
    (void)state;
    struct sm_run r = {0};
    double e2e[8], start[8], sw[8], wake[8];
    for (int i = 0; i < 8; i++) {
        e2e[i] = 1000.0 * (8 - i); /* in reverse order: the CDF sorts */
        start[i] = 5e9 + 1e8 * i;
        sw[i] = i < 6 ? 2 : 3;
        wake[i] = NAN;
    }
    r.name = "known";
    r.series[S_E2E_NS] = e2e;
    r.series[S_START_NS] = start;
    r.series[S_SWITCHES] = sw;
    r.series[S_MEDIATOR_WAKE_NS] = wake;
    r.ncalls = 8;
    double worst;
    assert_int_equal(sm_report_write_run_data(&r, dir, "known", &worst), 0);
    assert_true(worst == 8.0);
    char path[700];
    snprintf(path, sizeof path, "%s/known.cdf.dat", dir);
    char *cdf = tu_read(path);
    assert_int_equal(count_lines(cdf, 1), 8);
    assert_non_null(strstr(cdf, "\n1.000 0.125000 0.875\n"));
    assert_non_null(strstr(cdf, "\n8.000 1.000000 0.125\n")); /* the top point at 1/n */
    free(cdf);
    snprintf(path, sizeof path, "%s/known.hist.dat", dir);
    char *hist = tu_read(path);
    assert_int_equal(count_lines(hist, 1), 40);
    long total = 0;
    for (char *p = hist; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        double lo, hi;
        long c;
        if (*p != '#' && sscanf(p, "%lf %lf %ld", &lo, &hi, &c) == 3)
            total += c;
    }
    assert_int_equal(total, 8);
    free(hist);
    snprintf(path, sizeof path, "%s/known.timeline.dat", dir);
    char *tl = tu_read(path);
    assert_non_null(strstr(tl, "\n0.000000 8.000\n0.100000 7.000\n")); /* call order, from 0 s */
    assert_non_null(strstr(tl, "\n0.700000 1.000\n"));
    free(tl);
    struct sm_summary s;
    sm_run_summarize(&r, &s);
    assert_true(s.switches_mean == 2.25 && s.switches_max == 3);
    assert_true(s.mean == 4500);
}

static void test_names(void **state)
{
    (void)state;
    char out[32];
    sm_safe_name("24fps opt/credit2", out, sizeof out);
    assert_string_equal(out, "24fps_opt_credit2");
    sm_safe_name("", out, sizeof out);
    assert_string_equal(out, "_");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generator_log),
        cmocka_unit_test(test_generator_log_warmup),
        cmocka_unit_test(test_analysis_only),
        cmocka_unit_test(test_joined_trace_calls),
        cmocka_unit_test(test_joined_log_sample),
        cmocka_unit_test(test_plot_data),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
