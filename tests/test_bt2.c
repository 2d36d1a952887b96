/* babeltrace2 interop: source.xentrace.reader (built in, not loaded from the plugin) and the
 * CTF record source. Synthetic traces from tracegen, so every expected value is known. */
#include "ctf_source.h"
#include "trace_source.h"
#include "tracegen.h"
#include "xt_reader.h"
#include "xt_source.h"

#include <babeltrace2/babeltrace.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/smclat-test-bt2-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* A 2-pCPU trace with scheduler events, equal times on both pCPUs, a record without a
 * timestamp, a lost-records record and a timestamp going backwards inside a chunk. */
static void write_trace(const char *path, unsigned *nrec)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    struct tg *g = tg_new(f, 2, 256);
    assert_non_null(g);
    for (unsigned i = 0; i < 200; i++) {
        uint64_t t = 1000 + 100 * (uint64_t)i;
        tg_runstate(g, 0, t, 1, 0, 2, 1); /* blocked -> runnable */
        tg_wake(g, 1, t, 1, 0);           /* same time, other pCPU */
        tg_switch(g, 0, t + 10, 0x7fff, 0, 1, 0);
        tg_runstate(g, 0, t + 10, 1, 0, 1, 0); /* runnable -> running */
        uint32_t w[3] = {i, 0xdeadbeef, 7};
        tg_rec(g, 1, t + 20, 0x00022215, 3, w); /* a credit2 event: raw words */
        if (i == 50)
            tg_rec_notsc(g, 1, 0x00028006, 2, (const uint32_t[]){2, 1});
        if (i == 120)
            tg_lost(g, 0, t + 30, 5, 2, 0, t + 25);
        if (i == 150)
            tg_rec(g, 1, t - 50, 0x00028004, 2, (const uint32_t[]){3, 0}); /* backwards */
    }
    *nrec = (unsigned)tg_records(g);
    assert_int_equal(tg_finish(g), 0);
    fclose(f);
}

/* ---- a graph around the built-in component class ---- */

static const char *last_error_text(void)
{
    static char text[2048];
    text[0] = '\0';
    const bt_error *e = bt_current_thread_take_error();
    if (!e)
        return text;
    size_t n = 0;
    for (uint64_t i = 0; i < bt_error_get_cause_count(e) && n < sizeof text - 1; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\n",
                              bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, i)));
    bt_error_release(e);
    return text;
}

/* Adds source.xentrace.reader with params (a babeltrace2 map) to a new graph. */
static int add_source(bt_graph **graph, const bt_value *params, const bt_component_source **src)
{
    bt_component_class_source *cls = xts_component_class_create();
    assert_non_null(cls);
    *graph = bt_graph_create(0);
    assert_non_null(*graph);
    int rc = bt_graph_add_source_component(*graph, cls, "xt", params, BT_LOGGING_LEVEL_NONE, src);
    bt_component_class_source_put_ref(cls);
    return rc;
}

static bt_value *params_of(const char *input, const char *hz_or_null)
{
    bt_value *p = bt_value_map_create();
    bt_value *arr;
    assert_non_null(p);
    if (input) {
        assert_int_equal(bt_value_map_insert_empty_array_entry(p, "inputs", &arr), 0);
        assert_int_equal(bt_value_array_append_string_element(arr, input), 0);
    }
    if (hz_or_null)
        assert_int_equal(bt_value_map_insert_real_entry(p, "cpu-hz", atof(hz_or_null)), 0);
    return p;
}

static void expect_param_error(bt_value *params, const char *needle)
{
    bt_graph *graph;
    const bt_component_source *src;
    assert_int_not_equal(add_source(&graph, params, &src), BT_GRAPH_ADD_COMPONENT_STATUS_OK);
    const char *text = last_error_text();
    if (!strstr(text, needle))
        fail_msg("expected \"%s\" in the error, found: %s", needle, text);
    bt_graph_put_ref(graph);
    bt_value_put_ref(params);
}

static void test_bad_params(void **state)
{
    (void)state;
    char trace[300], junk[300];
    unsigned n;
    snprintf(trace, sizeof trace, "%s/t.bin", tmpdir);
    write_trace(trace, &n);
    snprintf(junk, sizeof junk, "%s/junk.bin", tmpdir);
    FILE *f = fopen(junk, "wb");
    assert_non_null(f);
    fputs("this is not a xentrace file, only some text\n", f);
    fclose(f);

    expect_param_error(params_of(NULL, "62500000"), "missing `inputs` parameter");
    expect_param_error(params_of(trace, "0"), "`cpu-hz` parameter: expected a positive");
    expect_param_error(params_of(trace, "-62500000"), "`cpu-hz` parameter: expected a positive");
    expect_param_error(params_of(trace, "0.5"), "`cpu-hz` parameter: expected a positive");
    expect_param_error(params_of(trace, NULL), "missing `cpu-hz` parameter");
    expect_param_error(params_of(junk, "62500000"), junk);

    bt_value *p = params_of(NULL, "62500000");
    assert_int_equal(bt_value_map_insert_signed_integer_entry(p, "inputs", 3), 0);
    expect_param_error(p, "`inputs` parameter: expected a non-empty array");

    p = params_of(trace, NULL);
    assert_int_equal(bt_value_map_insert_string_entry(p, "metadata", "/nonexistent/m.json"), 0);
    expect_param_error(p, "/nonexistent/m.json");

    /* metadata.json beside the trace gives the rate */
    char md[300];
    snprintf(md, sizeof md, "%s/metadata.json", tmpdir);
    f = fopen(md, "w");
    assert_non_null(f);
    fputs("{\"smclat_metadata\": 1, \"physinfo\": {\"cpu_khz\": 0}}\n", f);
    fclose(f);
    expect_param_error(params_of(trace, NULL), "physinfo.cpu_khz: expected a positive number");
    f = fopen(md, "w");
    assert_non_null(f);
    fputs("{\"smclat_metadata\": 1, \"physinfo\": {\"cpu_khz\": 62500}}\n", f);
    fclose(f);
    bt_graph *graph;
    const bt_component_source *src;
    p = params_of(trace, NULL);
    assert_int_equal(add_source(&graph, p, &src), BT_GRAPH_ADD_COMPONENT_STATUS_OK);
    assert_int_equal(bt_component_source_get_output_port_count(src), 1);
    bt_graph_put_ref(graph);
    bt_value_put_ref(p);
    unlink(md);
}

/* ---- converting to CTF with sink.ctf.fs ---- */

static void convert(const char *trace, const char *outdir)
{
    bt_graph *graph;
    const bt_component_source *src;
    bt_value *p = params_of(trace, "62500000");
    assert_int_equal(add_source(&graph, p, &src), BT_GRAPH_ADD_COMPONENT_STATUS_OK);
    bt_value_put_ref(p);
    const bt_plugin *ctf;
    assert_int_equal(bt_plugin_find("ctf", 1, 1, 1, 1, 0, &ctf), BT_PLUGIN_FIND_STATUS_OK);
    const bt_component_class_sink *fs =
        bt_plugin_borrow_sink_component_class_by_name_const(ctf, "fs");
    assert_non_null(fs);
    p = bt_value_map_create();
    assert_int_equal(bt_value_map_insert_string_entry(p, "path", outdir), 0);
    assert_int_equal(bt_value_map_insert_bool_entry(p, "assume-single-trace", 1), 0);
    assert_int_equal(bt_value_map_insert_bool_entry(p, "quiet", 1), 0);
    const bt_component_sink *sink;
    assert_int_equal(bt_graph_add_sink_component(graph, fs, "out", p, BT_LOGGING_LEVEL_NONE, &sink),
                     BT_GRAPH_ADD_COMPONENT_STATUS_OK);
    bt_value_put_ref(p);
    /* one input: the source's one port straight into the sink (one port keeps the order) */
    assert_int_equal(
        bt_graph_connect_ports(graph, bt_component_source_borrow_output_port_by_index_const(src, 0),
                               bt_component_sink_borrow_input_port_by_index_const(sink, 0), NULL),
        BT_GRAPH_CONNECT_PORTS_STATUS_OK);
    bt_graph_run_status st = bt_graph_run(graph);
    if (st != BT_GRAPH_RUN_STATUS_OK)
        fail_msg("conversion failed: %s", last_error_text());
    bt_graph_put_ref(graph);
    bt_plugin_put_ref(ctf);
}

static void assert_same_record(const struct xt_record *a, const struct xt_record *b, unsigned i)
{
    if (a->tsc != b->tsc || a->offset != b->offset || a->event != b->event || a->cpu != b->cpu ||
        a->n_extra != b->n_extra || a->has_tsc != b->has_tsc ||
        memcmp(a->extra, b->extra, a->n_extra * sizeof a->extra[0]) != 0)
        fail_msg("record %u differs: tsc %llu/%llu offset %llu/%llu event %x/%x cpu %u/%u", i,
                 (unsigned long long)a->tsc, (unsigned long long)b->tsc,
                 (unsigned long long)a->offset, (unsigned long long)b->offset, a->event, b->event,
                 a->cpu, b->cpu);
}

static void test_ctf_round_trip(void **state)
{
    (void)state;
    char trace[300], out[300];
    unsigned n;
    snprintf(trace, sizeof trace, "%s/rt.bin", tmpdir);
    snprintf(out, sizeof out, "%s/rt-ctf", tmpdir);
    write_trace(trace, &n);
    convert(trace, out);
    assert_true(ctf_is_trace_dir(out));
    assert_true(ctf_is_trace_dir(tmpdir)); /* OUTDIR/TRACE/metadata, as babeltrace2 -w writes */
    assert_false(ctf_is_trace_dir(trace));

    struct xt_reader *r;
    struct tsrc *t;
    struct xt_error err;
    assert_int_equal(xt_open(&r, trace, &err), 0);
    if (tsrc_open(&t, out, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(tsrc_is_ctf(t));
    assert_true(tsrc_cpu_hz(t) == 62500000.0);
    struct xt_record a, b;
    unsigned i = 0;
    int ra, rb;
    while ((ra = xt_next(r, &a, &err)) == 1) {
        rb = tsrc_next(t, &b, &err);
        if (rb != 1)
            fail_msg("CTF record %u: rc %d %s", i, rb, rb < 0 ? err.msg : "");
        assert_same_record(&a, &b, i);
        i++;
    }
    assert_int_equal(ra, 0);
    assert_int_equal(tsrc_next(t, &b, &err), 0);
    assert_int_equal(i, n);
    const struct xt_stats *x = xt_stats(r), *c = tsrc_stats(t);
    assert_int_equal(c->records, x->records);
    assert_int_equal(c->records, n);
    assert_int_equal(c->file_bytes, x->file_bytes);
    assert_int_equal(c->chunks, x->chunks);
    assert_true(c->chunks > 2);
    assert_int_equal(c->records_without_tsc, x->records_without_tsc);
    assert_int_equal(c->tsc_backwards, x->tsc_backwards);
    assert_int_equal(c->tsc_backwards, 1);
    assert_int_equal(c->lost_record_events, 1);
    assert_int_equal(c->ncpus, 2);
    assert_int_equal(c->truncated, x->truncated);
    xt_close(r);
    tsrc_close(t);
}

/* A sink that checks the decoded payload of the first events. */
struct seen {
    unsigned runstates, switches, raw;
};

static uint64_t member(const bt_field *st, const char *name)
{
    const bt_field *f = bt_field_structure_borrow_member_field_by_name_const(st, name);
    if (!f)
        fail_msg("no member %s", name);
    return bt_field_integer_unsigned_get_value(f);
}

static bt_component_class_sink_consume_method_status check_consume(bt_self_component_sink *self)
{
    bt_self_component *sc = bt_self_component_sink_as_self_component(self);
    bt_message_iterator *it = *(bt_message_iterator **)bt_self_component_get_data(sc);
    struct seen *seen = (struct seen *)((bt_message_iterator **)bt_self_component_get_data(sc) + 1);
    bt_message_array_const msgs;
    uint64_t count;
    bt_message_iterator_next_status st = bt_message_iterator_next(it, &msgs, &count);
    if (st == BT_MESSAGE_ITERATOR_NEXT_STATUS_END)
        return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
    assert_int_equal(st, BT_MESSAGE_ITERATOR_NEXT_STATUS_OK);
    for (uint64_t i = 0; i < count; i++) {
        if (bt_message_get_type(msgs[i]) == BT_MESSAGE_TYPE_EVENT) {
            const bt_event *ev = bt_message_event_borrow_event_const(msgs[i]);
            const bt_field *pl = bt_event_borrow_payload_field_const(ev);
            const bt_field *ctx = bt_event_borrow_common_context_field_const(ev);
            const char *name = bt_event_class_get_name(bt_event_borrow_class_const(ev));
            uint32_t id = (uint32_t)member(ctx, "id");
            if (id == 0x00021211) { /* blocked -> runnable of d1v0 */
                assert_string_equal(name, "RUNSTATE_CHANGE");
                assert_int_equal(member(pl, "domid"), 1);
                assert_int_equal(member(pl, "vcpu"), 0);
                assert_int_equal(member(pl, "old_state"), 2);
                assert_int_equal(member(pl, "new_state"), 1);
                assert_int_equal(member(ctx, "cpu"), 0);
                seen->runstates++;
            } else if (id == 0x0002800a) {
                assert_int_equal(member(pl, "prev_domid"), 0x7fff);
                assert_int_equal(member(pl, "next_domid"), 1);
                seen->switches++;
            } else if (id == 0x00022215) {
                const bt_field *d =
                    bt_field_structure_borrow_member_field_by_name_const(pl, "data");
                assert_int_equal(bt_field_array_get_length(d), 3);
                assert_int_equal(bt_field_integer_unsigned_get_value(
                                     bt_field_array_borrow_element_field_by_index_const(d, 1)),
                                 0xdeadbeef);
                assert_int_equal(member(ctx, "cpu"), 1);
                seen->raw++;
            }
        }
        bt_message_put_ref(msgs[i]);
    }
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
}

static bt_component_class_initialize_method_status
check_init(bt_self_component_sink *self, bt_self_component_sink_configuration *config,
           const bt_value *params, void *data)
{
    (void)config;
    (void)params;
    bt_self_component_set_data(bt_self_component_sink_as_self_component(self), data);
    bt_self_component_sink_add_input_port(self, "in", NULL, NULL);
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static bt_component_class_sink_graph_is_configured_method_status
check_configured(bt_self_component_sink *self)
{
    bt_message_iterator **it =
        bt_self_component_get_data(bt_self_component_sink_as_self_component(self));
    bt_message_iterator_create_from_sink_component(
        self, bt_self_component_sink_borrow_input_port_by_name(self, "in"), it);
    return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

static void test_decoded_fields(void **state)
{
    (void)state;
    char trace[300];
    unsigned n;
    snprintf(trace, sizeof trace, "%s/dec.bin", tmpdir);
    write_trace(trace, &n);
    struct {
        bt_message_iterator *it;
        struct seen seen;
    } ctx = {0};
    bt_graph *graph;
    const bt_component_source *src;
    bt_value *p = params_of(trace, "62500000");
    assert_int_equal(add_source(&graph, p, &src), BT_GRAPH_ADD_COMPONENT_STATUS_OK);
    bt_value_put_ref(p);
    bt_component_class_sink *cls = bt_component_class_sink_create("check", check_consume);
    bt_component_class_sink_set_initialize_method(cls, check_init);
    bt_component_class_sink_set_graph_is_configured_method(cls, check_configured);
    const bt_component_sink *sink;
    assert_int_equal(bt_graph_add_sink_component_with_initialize_method_data(
                         graph, cls, "check", NULL, &ctx, BT_LOGGING_LEVEL_NONE, &sink),
                     BT_GRAPH_ADD_COMPONENT_STATUS_OK);
    assert_int_equal(
        bt_graph_connect_ports(graph, bt_component_source_borrow_output_port_by_index_const(src, 0),
                               bt_component_sink_borrow_input_port_by_index_const(sink, 0), NULL),
        BT_GRAPH_CONNECT_PORTS_STATUS_OK);
    assert_int_equal(bt_graph_run(graph), BT_GRAPH_RUN_STATUS_OK);
    bt_message_iterator_put_ref(ctx.it);
    bt_graph_put_ref(graph);
    bt_component_class_sink_put_ref(cls);
    assert_int_equal(ctx.seen.runstates, 200);
    assert_int_equal(ctx.seen.switches, 200);
    assert_int_equal(ctx.seen.raw, 200);
}

static void test_ctf_errors(void **state)
{
    (void)state;
    char dir[300], path[320];
    struct ctf_source *s;
    struct xt_error err;
    /* a folder without any trace */
    snprintf(dir, sizeof dir, "%s/empty", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_false(ctf_is_trace_dir(dir));
    assert_int_equal(ctf_open(&s, dir, &err), -1);
    assert_non_null(strstr(err.msg, "expected a CTF trace folder"));
    assert_int_equal(strncmp(err.msg, dir, strlen(dir)), 0);
    /* TSDL that babeltrace2 cannot parse */
    snprintf(path, sizeof path, "%s/metadata", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("/* CTF 1.8 */\ntrace { major = 1; minor = 8; byte_order = le; }; garbage {\n", f);
    fclose(f);
    assert_true(ctf_is_trace_dir(dir));
    assert_int_equal(ctf_open(&s, dir, &err), -1);
    assert_non_null(strstr(err.msg, "babeltrace2: "));
    assert_null(strchr(err.msg, '\n'));

    /* a CTF trace that source.xentrace.reader did not write: our conversion, its origin
     * changed in the metadata */
    char trace[300], out[300], meta[400];
    unsigned n;
    snprintf(trace, sizeof trace, "%s/foreign.bin", tmpdir);
    snprintf(out, sizeof out, "%s/foreign-ctf", tmpdir);
    write_trace(trace, &n);
    convert(trace, out);
    snprintf(meta, sizeof meta, "%s/metadata", out);
    f = fopen(meta, "r+b");
    assert_non_null(f);
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text - 1, f);
    text[len] = '\0';
    char *at = strstr(text, "smclat_source = \"xentrace\"");
    assert_non_null(at);
    memcpy(at + strlen("smclat_source = \""), "lttngxx_", 8);
    rewind(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    assert_int_equal(ctf_open(&s, out, &err), -1);
    assert_non_null(strstr(err.msg, "expected smclat_source = \"xentrace\""));
    assert_int_equal(strncmp(err.msg, out, strlen(out)), 0);
}

static double support_weight(const char *type, const char *input)
{
    bt_value *p = bt_value_map_create();
    assert_non_null(p);
    assert_int_equal(bt_value_map_insert_string_entry(p, "type", type), 0);
    assert_int_equal(bt_value_map_insert_string_entry(p, "input", input), 0);
    const bt_value *res = NULL;
    assert_int_equal(xts_query(NULL, NULL, "babeltrace.support-info", p, NULL, &res),
                     BT_COMPONENT_CLASS_QUERY_METHOD_STATUS_OK);
    assert_true(bt_value_is_real(res));
    double w = bt_value_real_get(res);
    bt_value_put_ref(res);
    bt_value_put_ref(p);
    return w;
}

/* babeltrace2 FILE: the CLI asks every source whether it reads FILE */
static void test_support_info(void **state)
{
    (void)state;
    char trace[300], junk[300];
    unsigned n;
    snprintf(trace, sizeof trace, "%s/q.bin", tmpdir);
    write_trace(trace, &n);
    snprintf(junk, sizeof junk, "%s/q.txt", tmpdir);
    FILE *f = fopen(junk, "w");
    assert_non_null(f);
    fputs("plain text, long enough\n", f);
    fclose(f);
    assert_true(support_weight("file", trace) > 0.5);
    assert_true(support_weight("file", junk) == 0);
    assert_true(support_weight("directory", tmpdir) == 0);
    assert_true(support_weight("file", "/nonexistent") == 0);
    const bt_value *res = NULL;
    bt_value *p = bt_value_map_create();
    assert_int_equal(xts_query(NULL, NULL, "something.else", p, NULL, &res),
                     BT_COMPONENT_CLASS_QUERY_METHOD_STATUS_UNKNOWN_OBJECT);
    bt_value_put_ref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_params),     cmocka_unit_test(test_ctf_round_trip),
        cmocka_unit_test(test_decoded_fields), cmocka_unit_test(test_ctf_errors),
        cmocka_unit_test(test_support_info),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
