/* Unit tests of common/: the CSV reader (lines, fields, columns, BOM, NUL bytes), the rule of
 * which calls of calls.csv are samples, the one JSON form of a histogram and the metadata.json
 * reader. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "calls_csv.h"
#include "csv.h"
#include "hist.h"
#include "hist_json.h"
#include "metadata.h"

static FILE *text(const char *s, size_t n)
{
    FILE *f = fmemopen((void *)s, n, "r");
    assert_non_null(f);
    return f;
}

/* Blank lines skipped, line ends (\n, \r\n) removed, line numbers kept, fields split. */
static void test_csv_lines(void **state)
{
    (void)state;
    static const char in[] = "\xef\xbb\xbfseq, op ,status\r\n\n  \t\n1,process,ok\n2,,\n";
    FILE *f = text(in, sizeof in - 1);
    struct sm_csv c;
    sm_csv_init(&c, f);
    assert_int_equal(sm_csv_next(&c), 1);
    assert_int_equal(c.line, 1);
    assert_string_equal(c.text, "seq, op ,status"); /* the BOM dropped */
    assert_int_equal(sm_csv_split(&c), 3);
    assert_int_equal(sm_csv_column(c.field, 3, "op"), 1); /* spaces around ignored */
    assert_int_equal(sm_csv_column(c.field, 3, "status"), 2);
    assert_int_equal(sm_csv_column(c.field, 3, "warmup"), -1);
    assert_int_equal(sm_csv_column(c.field, 3, "o"), -1); /* whole names only */
    assert_int_equal(sm_csv_next(&c), 1);
    assert_int_equal(c.line, 4);
    assert_int_equal(sm_csv_split(&c), 3);
    assert_string_equal(c.field[1], "process");
    assert_int_equal(sm_csv_next(&c), 1);
    assert_int_equal(sm_csv_split(&c), 3);
    assert_string_equal(c.field[2], "");
    assert_int_equal(sm_csv_next(&c), 0);
    sm_csv_free(&c);
    fclose(f);
}

/* A NUL byte: -1, EILSEQ, its column. */
static void test_csv_nul(void **state)
{
    (void)state;
    static const char in[] = "a,b\nx,y\0z\n";
    FILE *f = text(in, sizeof in - 1);
    struct sm_csv c;
    sm_csv_init(&c, f);
    assert_int_equal(sm_csv_next(&c), 1);
    assert_int_equal(sm_csv_next(&c), -1);
    assert_int_equal(errno, EILSEQ);
    assert_int_equal(c.line, 2);
    assert_int_equal(c.nul_column, 4);
    sm_csv_free(&c);
    fclose(f);
}

/* Many fields: the field array grows. */
static void test_csv_many_fields(void **state)
{
    (void)state;
    char in[1024] = "";
    for (int i = 0; i < 100; i++)
        snprintf(in + strlen(in), sizeof in - strlen(in), "%s%d", i ? "," : "", i);
    FILE *f = text(in, strlen(in));
    struct sm_csv c;
    sm_csv_init(&c, f);
    assert_int_equal(sm_csv_next(&c), 1);
    assert_int_equal(sm_csv_split(&c), 100);
    assert_string_equal(c.field[99], "99");
    sm_csv_free(&c);
    fclose(f);
}

/* Samples: status ok (or no status column) and no warm-up (or no warmup column). */
static void test_calls_is_sample(void **state)
{
    (void)state;
    assert_true(sm_calls_is_sample("ok", "0"));
    assert_true(sm_calls_is_sample(" ok ", NULL));
    assert_true(sm_calls_is_sample(NULL, NULL));
    assert_false(sm_calls_is_sample("ok", "1"));
    assert_false(sm_calls_is_sample("ok", " 1"));
    assert_false(sm_calls_is_sample("timeout", "0"));
    assert_false(sm_calls_is_sample("okay", "0"));
    assert_false(sm_calls_is_sample("error", "1"));
}

/* One key set; values scaled and rounded; null but n when empty. */
static void test_hist_json(void **state)
{
    (void)state;
    struct sm_hist *h = sm_hist_new();
    assert_non_null(h);
    json_t *e = sm_hist_json(h, 1);
    assert_int_equal(json_integer_value(json_object_get(e, "n")), 0);
    assert_true(json_is_null(json_object_get(e, "p999")));
    assert_true(json_is_null(json_object_get(e, "min")));
    assert_null(json_object_get(e, "count")); /* the generator's old key */
    json_decref(e);
    for (uint64_t v = 1; v <= 100; v++)
        sm_hist_add(h, v);
    json_t *j = sm_hist_json(h, 16); /* 16 ns per tick */
    static const char *const keys[] = {"n", "min", "mean", "p50", "p90", "p99", "p999", "max"};
    assert_int_equal(json_object_size(j), 8);
    for (size_t k = 0; k < 8; k++)
        assert_non_null(json_object_get(j, keys[k]));
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 100);
    assert_int_equal(json_integer_value(json_object_get(j, "min")), 16);
    assert_int_equal(json_integer_value(json_object_get(j, "max")), 1600);
    assert_true(json_real_value(json_object_get(j, "mean")) == 50.5 * 16);
    json_decref(j);
    sm_hist_free(h);
}

/* metadata.json: the analysis' figures and the reports' Xen and mediator kind, from one read;
 * the reports' fields are read even when cpu_khz is bad; not JSON: not loaded. */
static void test_metadata(void **state)
{
    (void)state;
    char path[] = "/tmp/smclat-test-metadata-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("{\"smclat_metadata\": 1, \"physinfo\": {\"cpu_khz\": 62500}, \"xen\": {\"version\": "
          "\"4.17.5\", \"build\": \"debian\"}, \"mediator_kind\": \"stub\", \"roles\": "
          "{\"client\": 2, \"mediator\": 1}, \"domains\": [{\"domid\": 2, \"created_ticks\": "
          "77}]}\n",
          f);
    fclose(f);
    struct sm_metadata m;
    char msg[256];
    int64_t ticks = 0;
    assert_int_equal(sm_metadata_read(path, &m, msg, sizeof msg), 0);
    assert_true(m.hz == 62500e3);
    assert_int_equal(m.client, 2);
    assert_int_equal(m.mediator, 1);
    assert_int_equal(sm_metadata_created(&m, 2, &ticks), 1);
    assert_int_equal(ticks, 77);
    assert_true(m.loaded && m.has_xen_build && m.has_xen_version && m.mediator_stub);
    assert_string_equal(m.xen_build, "debian");
    assert_string_equal(m.xen_version, "4.17.5");

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"physinfo\": {\"cpu_khz\": 0}, \"xen\": {\"version\": \"4.19\"}, "
          "\"mediator_kind\": \"linux\"}",
          f);
    fclose(f);
    assert_int_equal(sm_metadata_read(path, &m, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "physinfo.cpu_khz: expected a positive number"));
    assert_true(m.loaded && !m.has_xen_build && m.has_xen_version && !m.mediator_stub);
    assert_string_equal(m.xen_version, "4.19");

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("not json", f);
    fclose(f);
    assert_int_equal(sm_metadata_read(path, &m, msg, sizeof msg), -1);
    assert_false(m.loaded);
    assert_non_null(strstr(msg, path));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_lines),       cmocka_unit_test(test_csv_nul),
        cmocka_unit_test(test_csv_many_fields), cmocka_unit_test(test_calls_is_sample),
        cmocka_unit_test(test_hist_json),       cmocka_unit_test(test_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
