/* Unit tests of the generator's call log reader (trace-parse/calls_log.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "calls_log.h"

static int parse(const char *text, struct sm_calls_log **log, struct sm_log_error *err)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    int rc = sm_calls_log_read_stream(f, "calls.csv", log, err);
    fclose(f);
    return rc;
}

/* Parsing must fail with exactly this message. */
static void expect_error(const char *text, const char *msg)
{
    struct sm_calls_log *log = (void *)1;
    struct sm_log_error err;
    assert_int_equal(parse(text, &log, &err), -1);
    assert_null(log);
    assert_string_equal(err.msg, msg);
}

static void test_generator_log(void **state)
{
    (void)state;
    const char *text = "seq,op,frame,intended_ns,start_ns,end_ns,start_cntvct,end_cntvct,status,"
                       "warmup,result,smc_ret,trap_ticks\n"
                       "0,register,0,100,110,2110,1000,1125,ok,1,0,,\n"
                       "1,process,0,10100,10120,12120,1625,1750,ok,0,0,0,12\n"
                       "2,unregister,0,20100,20105,1020105,2250,64750,timeout,0,0,-1,\n"
                       "3,frobnicate,1,30100,30105,32105,2875,3000,ok,0,0,,\n";
    struct sm_calls_log *log;
    struct sm_log_error err;
    assert_int_equal(parse(text, &log, &err), 0);
    assert_int_equal(log->n, 4);
    assert_true(log->has_seq && log->has_op && log->has_status && log->has_ns);
    assert_int_equal(log->not_ok, 1);
    assert_int_equal(log->warmups, 1);
    assert_true(log->has_warmup);
    assert_true(log->calls[0].warmup);
    assert_false(log->calls[1].warmup);
    assert_string_equal(log->name, "calls.csv");
    const struct sm_log_call *c = log->calls;
    assert_int_equal(c[0].seq, 0);
    assert_int_equal(c[0].op, SM_LOG_OP_REGISTER);
    assert_int_equal(c[0].start_cntvct, 1000);
    assert_int_equal(c[0].end_cntvct, 1125);
    assert_int_equal(c[0].start_ns, 110);
    assert_int_equal(c[0].end_ns, 2110);
    assert_int_equal(c[0].line, 2);
    assert_true(c[0].status_ok);
    assert_int_equal(c[1].op, SM_LOG_OP_PROCESS);
    assert_int_equal(c[2].op, SM_LOG_OP_UNREGISTER);
    assert_false(c[2].status_ok);
    assert_int_equal(c[2].end_cntvct, 64750);
    assert_int_equal(c[3].op, SM_LOG_OP_OTHER);
    assert_int_equal(c[3].seq, 3);
    assert_int_equal(c[3].line, 5);
    assert_string_equal(sm_log_op_name(c[3].op), "other");
    assert_string_equal(sm_log_op_name(c[1].op), "process");
    sm_calls_log_free(log);
}

/* Only the two required columns, in another order, CRLF line ends, blank lines. */
static void test_minimal_log(void **state)
{
    (void)state;
    const char *text = "\xef\xbb\xbf"
                       "end_cntvct, start_cntvct\r\n"
                       "20,10\r\n"
                       "\r\n"
                       " 45 ,30\r\n"
                       "\n";
    struct sm_calls_log *log;
    struct sm_log_error err;
    assert_int_equal(parse(text, &log, &err), 0);
    assert_int_equal(log->n, 2);
    assert_false(log->has_seq || log->has_op || log->has_status || log->has_ns);
    assert_int_equal(log->calls[0].start_cntvct, 10);
    assert_int_equal(log->calls[0].end_cntvct, 20);
    assert_int_equal(log->calls[1].start_cntvct, 30);
    assert_int_equal(log->calls[1].end_cntvct, 45);
    assert_int_equal(log->calls[1].line, 4);
    assert_int_equal(log->calls[1].seq, SM_LOG_NONE);
    assert_int_equal(log->calls[1].start_ns, SM_LOG_NONE);
    assert_int_equal(log->calls[1].op, SM_LOG_OP_NONE);
    assert_true(log->calls[1].status_ok);
    sm_calls_log_free(log);
}

static void test_empty(void **state)
{
    (void)state;
    expect_error("", "calls.csv: expected a header line with start_cntvct and end_cntvct, found "
                     "an empty file");
    expect_error("\n\n", "calls.csv: expected a header line with start_cntvct and end_cntvct, "
                         "found an empty file");
    expect_error("start_cntvct,end_cntvct\n",
                 "calls.csv: expected one line per call after the header, found none");
}

static void test_missing_columns(void **state)
{
    (void)state;
    expect_error("seq,op,start_ns,end_ns\n0,process,1,2\n",
                 "calls.csv:1: header: expected a column start_cntvct (and end_cntvct), found "
                 "none among 4 columns");
    expect_error("start_cntvct\n5\n", "calls.csv:1: header: expected a column end_cntvct (and "
                                      "start_cntvct), found none among 1 column");
    /* The EVCALL lines of a guest console are not a CSV. */
    expect_error("EVCALL i t0_cntvct t1_cntvct rtt_ns\n",
                 "calls.csv:1: header: expected a column start_cntvct (and end_cntvct), found "
                 "none among 1 column");
    expect_error("start_cntvct,end_cntvct,start_cntvct\n1,2,3\n",
                 "calls.csv:1: header: column start_cntvct appears twice (columns 1 and 3)");
    expect_error("start_cntvct,end_cntvct,start_ns\n1,2,3\n",
                 "calls.csv:1: header: expected both start_ns and end_ns, found only start_ns");
}

static void test_bad_fields(void **state)
{
    (void)state;
    expect_error("seq,start_cntvct,end_cntvct\n0,1,2\n1,5,x12\n",
                 "calls.csv:3: column 3 (end_cntvct): expected an unsigned integer, found 'x12'");
    expect_error("seq,start_cntvct,end_cntvct\n0,-1,2\n",
                 "calls.csv:2: column 2 (start_cntvct): expected an unsigned integer, found '-1'");
    expect_error("seq,start_cntvct,end_cntvct\n0,99999999999999999999999,2\n",
                 "calls.csv:2: column 2 (start_cntvct): expected an unsigned integer, found "
                 "'99999999999999999999999'");
    expect_error("seq,start_cntvct,end_cntvct\nzero,1,2\n",
                 "calls.csv:2: column 1 (seq): expected an unsigned integer, found 'zero'");
    expect_error("seq,start_cntvct,end_cntvct\n0,,\n",
                 "calls.csv:2: column 2 (start_cntvct): expected an unsigned integer, found an "
                 "empty field (CNTVCT is recorded on arm64 only: this log cannot be joined)");
    expect_error("seq,start_cntvct,end_cntvct\n0,1\n",
                 "calls.csv:2: expected 3 fields as in the header, found 2");
    expect_error("seq,start_cntvct,end_cntvct\n0,1,2,3\n",
                 "calls.csv:2: expected 3 fields as in the header, found more");
    expect_error("start_cntvct,end_cntvct,warmup\n1,2,2\n",
                 "calls.csv:2: column 3 (warmup): expected 0 or 1, found 2");
    expect_error("start_cntvct,end_cntvct\n10,9\n",
                 "calls.csv:2: column 2 (end_cntvct): expected a count >= start_cntvct (10), "
                 "found 9");
    static const char nul[] = "start_cntvct,end_cntvct\n1\0,2\n";
    FILE *f = fmemopen((void *)nul, sizeof nul - 1, "r");
    struct sm_calls_log *log;
    struct sm_log_error err;
    assert_int_equal(sm_calls_log_read_stream(f, "calls.csv", &log, &err), -1);
    fclose(f);
    assert_string_equal(err.msg, "calls.csv:2: expected text, found a NUL byte at column 2");
    assert_int_equal(err.line, 2);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct sm_calls_log *log;
    struct sm_log_error err;
    assert_int_equal(sm_calls_log_read("/nonexistent/calls.csv", &log, &err), -1);
    assert_null(log);
    assert_string_equal(err.msg, "/nonexistent/calls.csv: cannot open: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generator_log), cmocka_unit_test(test_minimal_log),
        cmocka_unit_test(test_empty),         cmocka_unit_test(test_missing_columns),
        cmocka_unit_test(test_bad_fields),    cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
