/* CTF record source (see ctf_source.h): source.ctf.fs -> filter.utils.muxer -> our sink. */
#include "ctf_source.h"

#include <babeltrace2/babeltrace.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Names the plugin (trace-parse/bt2/xt_source.h) gives the event common context members. */
static const char *const ctx_names[] = {"id", "cpu", "tsc", "has_tsc", "offset", "seq"};
enum { CTX_ID, CTX_CPU, CTX_TSC, CTX_HAS_TSC, CTX_OFFSET, CTX_SEQ, CTX__N };

struct buffered {
    struct xt_record rec;
    int64_t ns;   /* the muxer's order */
    uint64_t seq; /* xt_reader's merge rank: orders records of equal time */
};

struct ctf_source {
    char *path;
    bt_graph *graph;
    const bt_plugin *ctf_plugin, *utils_plugin;
    bt_component_class_sink *sink_class;
    bt_message_iterator *iter;    /* the sink's, on the muxer's output */
    const bt_trace *trace;        /* the one trace read */
    const bt_field_class *ctx_fc; /* common context class the indexes below are for */
    uint64_t ctx_index[CTX__N];
    struct xt_stats st;
    double hz;
    int ended;
    int failed; /* the sink's consume method hit an error: msg holds it */
    char msg[512];
    struct buffered *buf; /* records from the muxer; [pos, ready) can be handed out */
    size_t pos, ready, len, cap;
};

static void fail(struct ctf_source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ctf_source *s, const char *fmt, ...)
{
    if (s->failed)
        return;
    s->failed = 1;
    int n = snprintf(s->msg, sizeof s->msg, "%s: ", s->path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg + n, sizeof s->msg - (size_t)n, fmt, ap);
    va_end(ap);
}

/* ---- detection ---- */

static int is_ctf_metadata(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/metadata", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char b[8] = {0};
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    /* packetized metadata: magic 0x75d11d57 in either byte order; else TSDL text "/ * CTF" */
    if (n >= 4 && ((b[0] == 0x57 && b[1] == 0x1d && b[2] == 0xd1 && b[3] == 0x75) ||
                   (b[0] == 0x75 && b[1] == 0xd1 && b[2] == 0x1d && b[3] == 0x57)))
        return 1;
    return n >= 6 && memcmp(b, "/* CTF", 6) == 0;
}

/* The folder holding the trace's metadata: path itself or its one subfolder with one.
 * Returns 1 with *dir set (malloc'd), 0 when there is none, -1 when several subfolders have
 * one. */
static int find_trace_dir(const char *path, char **dir)
{
    struct stat sb;
    *dir = NULL;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return 0;
    if (is_ctf_metadata(path)) {
        *dir = strdup(path);
        return *dir ? 1 : -1;
    }
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (stat(sub, &sb) != 0 || !S_ISDIR(sb.st_mode) || !is_ctf_metadata(sub))
            continue;
        if (found++) {
            found = -1;
            break;
        }
        *dir = strdup(sub);
        if (!*dir) {
            found = -1;
            break;
        }
    }
    closedir(d);
    if (found < 0) {
        free(*dir);
        *dir = NULL;
    }
    return found;
}

int ctf_is_trace_dir(const char *path)
{
    char *dir;
    int rc = find_trace_dir(path, &dir);
    free(dir);
    return rc != 0;
}

/* ---- converting one event message ---- */

static int push(struct ctf_source *s, const struct buffered *b)
{
    if (s->len == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        struct buffered *n = realloc(s->buf, ncap * sizeof *n);
        if (!n) {
            fail(s, "out of memory");
            return -1;
        }
        s->buf = n;
        s->cap = ncap;
    }
    s->buf[s->len++] = *b;
    return 0;
}

static int cmp_seq(const void *a, const void *b)
{
    uint64_t x = ((const struct buffered *)a)->seq, y = ((const struct buffered *)b)->seq;
    return x < y ? -1 : x > y;
}

/* Sorts the group of equal times that ends the buffer's complete part. */
static void close_group(struct ctf_source *s, size_t end)
{
    size_t start = s->ready;
    if (end - start > 1)
        qsort(s->buf + start, end - start, sizeof *s->buf, cmp_seq);
    s->ready = end;
}

static int env_uint(struct ctf_source *s, const char *name, uint64_t *out)
{
    const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(s->trace, name);
    if (!v || !bt_value_is_signed_integer(v) || bt_value_integer_signed_get(v) < 0) {
        fail(s, "trace environment: expected integer entry `%s`, found %s", name,
             v ? "another type" : "none");
        return -1;
    }
    *out = (uint64_t)bt_value_integer_signed_get(v);
    return 0;
}

/* First event: checks the trace is one source.xentrace.reader wrote, reads its counts. */
static int take_trace(struct ctf_source *s, const bt_event *ev, const bt_message *msg)
{
    const bt_stream *stream = bt_event_borrow_stream_const(ev);
    const bt_trace *trace = bt_stream_borrow_trace_const(stream);
    if (s->trace) {
        if (trace == s->trace)
            return 0;
        fail(s, "expected one trace, found several (convert one xentrace file per folder)");
        return -1;
    }
    s->trace = trace;
    const bt_value *src =
        bt_trace_borrow_environment_entry_value_by_name_const(trace, "smclat_source");
    if (!src || !bt_value_is_string(src) || strcmp(bt_value_string_get(src), "xentrace") != 0) {
        fail(s,
             "trace environment: expected smclat_source = \"xentrace\" (a trace written by "
             "babeltrace2's source.xentrace.reader), found %s",
             src ? "another value" : "none");
        return -1;
    }
    uint64_t v[12];
    static const char *const names[12] = {"xt_file_bytes",
                                          "xt_records",
                                          "xt_chunks",
                                          "xt_chunks_out_of_order",
                                          "xt_records_without_tsc",
                                          "xt_tsc_backwards",
                                          "xt_wrap_buffers",
                                          "xt_lost_record_events",
                                          "xt_ncpus",
                                          "xt_truncated",
                                          "xt_truncated_offset",
                                          "xt_bytes_used"};
    for (int i = 0; i < 12; i++)
        if (env_uint(s, names[i], &v[i]) != 0)
            return -1;
    s->st.file_bytes = v[0];
    s->st.records = v[1];
    s->st.chunks = v[2];
    s->st.chunks_out_of_order = v[3];
    s->st.records_without_tsc = v[4];
    s->st.tsc_backwards = v[5];
    s->st.wrap_buffers = v[6];
    s->st.lost_record_events = v[7];
    s->st.ncpus = (uint32_t)v[8];
    s->st.truncated = v[9] != 0;
    s->st.truncated_offset = v[10];
    s->st.bytes_used = v[11];
    const bt_clock_class *cc = bt_message_event_borrow_stream_class_default_clock_class_const(msg);
    if (!cc) {
        fail(s, "expected a clock class (xen_timer), found none");
        return -1;
    }
    s->hz = (double)bt_clock_class_get_frequency(cc);
    return 0;
}

static int find_ctx_members(struct ctf_source *s, const bt_field_class *fc)
{
    uint64_t n = fc ? bt_field_class_structure_get_member_count(fc) : 0;
    for (int k = 0; k < CTX__N; k++) {
        uint64_t i = 0;
        while (i < n && strcmp(bt_field_class_structure_member_get_name(
                                   bt_field_class_structure_borrow_member_by_index_const(fc, i)),
                               ctx_names[k]) != 0)
            i++;
        if (i == n) {
            fail(s,
                 "event common context: expected member `%s`, found none (a trace written "
                 "by babeltrace2's source.xentrace.reader?)",
                 ctx_names[k]);
            return -1;
        }
        const bt_field_class *m = bt_field_class_structure_member_borrow_field_class_const(
            bt_field_class_structure_borrow_member_by_index_const(fc, i));
        if (!bt_field_class_type_is(bt_field_class_get_type(m),
                                    BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER)) {
            fail(s,
                 "event common context: expected `%s` to be an unsigned integer, found "
                 "another type",
                 ctx_names[k]);
            return -1;
        }
        s->ctx_index[k] = i;
    }
    s->ctx_fc = fc;
    return 0;
}

static uint64_t ctx_uint(const struct ctf_source *s, const bt_field *ctx, int k)
{
    return bt_field_integer_unsigned_get_value(
        bt_field_structure_borrow_member_field_by_index_const(ctx, s->ctx_index[k]));
}

static int take_event(struct ctf_source *s, const bt_message *msg)
{
    const bt_event *ev = bt_message_event_borrow_event_const(msg);
    if (take_trace(s, ev, msg) != 0)
        return -1;
    const bt_field *ctx = bt_event_borrow_common_context_field_const(ev);
    const bt_field_class *fc = ctx ? bt_field_borrow_class_const(ctx) : NULL;
    if (!fc || bt_field_class_get_type(fc) != BT_FIELD_CLASS_TYPE_STRUCTURE) {
        fail(s,
             "event %s: expected a common context (id, cpu, tsc...), found none (a trace "
             "written by babeltrace2's source.xentrace.reader?)",
             bt_event_class_get_name(bt_event_borrow_class_const(ev)));
        return -1;
    }
    if (fc != s->ctx_fc && find_ctx_members(s, fc) != 0)
        return -1;
    struct buffered b;
    memset(&b, 0, sizeof b);
    b.rec.event = (uint32_t)ctx_uint(s, ctx, CTX_ID);
    b.rec.cpu = (uint16_t)ctx_uint(s, ctx, CTX_CPU);
    b.rec.tsc = ctx_uint(s, ctx, CTX_TSC);
    b.rec.has_tsc = (uint8_t)ctx_uint(s, ctx, CTX_HAS_TSC);
    b.rec.offset = ctx_uint(s, ctx, CTX_OFFSET);
    b.seq = ctx_uint(s, ctx, CTX_SEQ);
    const bt_field *pl = bt_event_borrow_payload_field_const(ev);
    const bt_field *data =
        pl ? bt_field_structure_borrow_member_field_by_name_const(pl, "data") : NULL;
    int is_array =
        data && bt_field_class_type_is(bt_field_get_class_type(data), BT_FIELD_CLASS_TYPE_ARRAY) &&
        bt_field_class_type_is(
            bt_field_class_get_type(bt_field_class_array_borrow_element_field_class_const(
                bt_field_borrow_class_const(data))),
            BT_FIELD_CLASS_TYPE_UNSIGNED_INTEGER);
    uint64_t n = is_array ? bt_field_array_get_length(data) : 0;
    if (!is_array || n > XT_MAX_EXTRA) {
        fail(s,
             "event %s (seq %" PRIu64 "): expected `data` with at most %d payload words, "
             "found %s",
             bt_event_class_get_name(bt_event_borrow_class_const(ev)), b.seq, XT_MAX_EXTRA,
             !data      ? "none"
             : is_array ? "more"
                        : "another type");
        return -1;
    }
    b.rec.n_extra = (uint8_t)n;
    for (uint64_t k = 0; k < n; k++)
        b.rec.extra[k] = (uint32_t)bt_field_integer_unsigned_get_value(
            bt_field_array_borrow_element_field_by_index_const(data, k));
    if (bt_clock_snapshot_get_ns_from_origin(
            bt_message_event_borrow_default_clock_snapshot_const(msg), &b.ns) !=
        BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
        fail(s, "event seq %" PRIu64 ": its time overflows", b.seq);
        return -1;
    }
    if (s->len > s->ready && s->buf[s->len - 1].ns != b.ns)
        close_group(s, s->len);
    return push(s, &b);
}

/* ---- our sink ---- */

static bt_component_class_initialize_method_status
sink_init(bt_self_component_sink *self, bt_self_component_sink_configuration *config,
          const bt_value *params, void *data)
{
    (void)config;
    (void)params;
    bt_self_component_set_data(bt_self_component_sink_as_self_component(self), data);
    if (bt_self_component_sink_add_input_port(self, "in", NULL, NULL) !=
        BT_SELF_COMPONENT_ADD_PORT_STATUS_OK)
        return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static bt_component_class_sink_graph_is_configured_method_status
sink_configured(bt_self_component_sink *self)
{
    struct ctf_source *s =
        bt_self_component_get_data(bt_self_component_sink_as_self_component(self));
    if (bt_message_iterator_create_from_sink_component(
            self, bt_self_component_sink_borrow_input_port_by_name(self, "in"), &s->iter) !=
        BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK)
        return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
    return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

static bt_component_class_sink_consume_method_status sink_consume(bt_self_component_sink *self)
{
    struct ctf_source *s =
        bt_self_component_get_data(bt_self_component_sink_as_self_component(self));
    bt_message_array_const msgs;
    uint64_t count;
    switch (bt_message_iterator_next(s->iter, &msgs, &count)) {
    case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK:
        break;
    case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
        return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
    case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
        return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
    case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
        return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
    default:
        return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
    }
    int bad = 0;
    for (uint64_t i = 0; i < count; i++) {
        if (!bad && bt_message_get_type(msgs[i]) == BT_MESSAGE_TYPE_EVENT)
            bad = take_event(s, msgs[i]) != 0;
        bt_message_put_ref(msgs[i]);
    }
    return bad ? BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR
               : BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
}

static void sink_finalize(bt_self_component_sink *self)
{
    struct ctf_source *s =
        bt_self_component_get_data(bt_self_component_sink_as_self_component(self));
    bt_message_iterator_put_ref(s->iter);
    s->iter = NULL;
}

/* ---- graph ---- */

/* Takes babeltrace2's current error into s->msg (its innermost cause says most). */
static void take_bt_error(struct ctf_source *s, const char *what)
{
    const bt_error *e = bt_current_thread_take_error();
    if (s->failed) {
        bt_error_release(e);
        return;
    }
    uint64_t n = e ? bt_error_get_cause_count(e) : 0;
    if (n == 0) {
        fail(s, "babeltrace2: %s failed", what);
    } else {
        const char *m = bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, 0));
        if (getenv("SMCLAT_BT_DEBUG"))
            for (uint64_t i = 0; i < n; i++)
                fprintf(stderr, "cause %u: %s\n", (unsigned)i,
                        bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, i)));
        fail(s, "babeltrace2: %s", m);
        /* one line: cut at the first newline */
        char *nl = strchr(s->msg, '\n');
        if (nl)
            *nl = '\0';
    }
    bt_error_release(e);
}

static int find_plugins(struct ctf_source *s)
{
    if (bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &s->ctf_plugin) !=
            BT_PLUGIN_FIND_STATUS_OK ||
        bt_plugin_find("utils", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &s->utils_plugin) !=
            BT_PLUGIN_FIND_STATUS_OK) {
        bt_current_thread_clear_error();
        fail(s,
             "babeltrace2: expected its `ctf` and `utils` plugins, found %s (install "
             "libbabeltrace2-0)",
             s->ctf_plugin ? "no `utils`" : "no `ctf`");
        return -1;
    }
    return 0;
}

static int build_graph(struct ctf_source *s)
{
    char *dir;
    int found = find_trace_dir(s->path, &dir);
    if (found <= 0) {
        fail(s, found < 0 ? "expected one CTF trace, found several (one metadata file per "
                            "subfolder): give one of them"
                          : "expected a CTF trace folder (a `metadata` file in it or in a "
                            "subfolder), found none");
        return -1;
    }
    if (find_plugins(s) != 0) {
        free(dir);
        return -1;
    }
    const bt_component_class_source *fs =
        bt_plugin_borrow_source_component_class_by_name_const(s->ctf_plugin, "fs");
    const bt_component_class_filter *mux =
        bt_plugin_borrow_filter_component_class_by_name_const(s->utils_plugin, "muxer");
    if (!fs || !mux) {
        free(dir);
        fail(s, "babeltrace2: expected source.ctf.fs and filter.utils.muxer, found none");
        return -1;
    }
    s->sink_class = bt_component_class_sink_create("smclat-records", sink_consume);
    s->graph = bt_graph_create(0);
    bt_value *params = bt_value_map_create();
    bt_value *inputs = NULL;
    if (!s->sink_class || !s->graph || !params ||
        bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) != 0 ||
        bt_value_array_append_string_element(inputs, dir) != 0) {
        free(dir);
        bt_value_put_ref(params);
        fail(s, "out of memory");
        return -1;
    }
    free(dir);
    bt_component_class_sink_set_initialize_method(s->sink_class, sink_init);
    bt_component_class_sink_set_graph_is_configured_method(s->sink_class, sink_configured);
    bt_component_class_sink_set_finalize_method(s->sink_class, sink_finalize);

    const bt_component_source *src;
    const bt_component_filter *muxer;
    const bt_component_sink *sink;
    int rc =
        bt_graph_add_source_component(s->graph, fs, "ctf", params, BT_LOGGING_LEVEL_NONE, &src);
    bt_value_put_ref(params);
    if (rc != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
        take_bt_error(s, "source.ctf.fs");
        return -1;
    }
    if (bt_graph_add_filter_component(s->graph, mux, "muxer", NULL, BT_LOGGING_LEVEL_NONE,
                                      &muxer) != BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
        bt_graph_add_sink_component_with_initialize_method_data(
            s->graph, s->sink_class, "records", NULL, s, BT_LOGGING_LEVEL_NONE, &sink) !=
            BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
        take_bt_error(s, "building the graph");
        return -1;
    }
    uint64_t nout = bt_component_source_get_output_port_count(src);
    for (uint64_t i = 0; i < nout; i++) {
        const bt_port_input *in = NULL;
        uint64_t nin = bt_component_filter_get_input_port_count(muxer);
        for (uint64_t j = 0; j < nin && !in; j++) {
            const bt_port_input *p = bt_component_filter_borrow_input_port_by_index_const(muxer, j);
            if (!bt_port_is_connected(bt_port_input_as_port_const(p)))
                in = p;
        }
        if (!in || bt_graph_connect_ports(
                       s->graph, bt_component_source_borrow_output_port_by_index_const(src, i), in,
                       NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
            take_bt_error(s, "connecting source.ctf.fs to the muxer");
            return -1;
        }
    }
    if (bt_graph_connect_ports(s->graph,
                               bt_component_filter_borrow_output_port_by_name_const(muxer, "out"),
                               bt_component_sink_borrow_input_port_by_name_const(sink, "in"),
                               NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
        take_bt_error(s, "connecting the muxer to the sink");
        return -1;
    }
    return 0;
}

/* Runs the graph until a record is ready or the trace ends. Returns 0 or -1. */
static int fill(struct ctf_source *s)
{
    while (s->pos == s->ready && !s->ended) {
        if (s->pos > 0) { /* keep only the open group */
            memmove(s->buf, s->buf + s->pos, (s->len - s->pos) * sizeof *s->buf);
            s->len -= s->pos;
            s->ready -= s->pos;
            s->pos = 0;
        }
        bt_graph_run_once_status st = bt_graph_run_once(s->graph);
        if (s->failed) {
            bt_current_thread_clear_error();
            return -1;
        }
        if (st == BT_GRAPH_RUN_ONCE_STATUS_END) {
            s->ended = 1;
            close_group(s, s->len);
        } else if (st != BT_GRAPH_RUN_ONCE_STATUS_OK && st != BT_GRAPH_RUN_ONCE_STATUS_AGAIN) {
            take_bt_error(s, "reading the trace");
            return -1;
        }
    }
    return 0;
}

static void to_err(const struct ctf_source *s, struct xt_error *err)
{
    err->offset = 0;
    snprintf(err->msg, sizeof err->msg, "%s", s->msg);
}

int ctf_open(struct ctf_source **out, const char *path, struct xt_error *err)
{
    *out = NULL;
    struct ctf_source *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        err->offset = 0;
        snprintf(err->msg, sizeof err->msg, "%s: out of memory", path);
        return -1;
    }
    if (build_graph(s) != 0 || fill(s) != 0) {
        to_err(s, err);
        ctf_close(s);
        return -1;
    }
    if (!s->trace) {
        fail(s, "expected events, found none");
        to_err(s, err);
        ctf_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

int ctf_next(struct ctf_source *s, struct xt_record *rec, struct xt_error *err)
{
    if (s->failed || fill(s) != 0) {
        to_err(s, err);
        return -1;
    }
    if (s->pos == s->ready)
        return 0;
    *rec = s->buf[s->pos++].rec;
    return 1;
}

const struct xt_stats *ctf_stats(const struct ctf_source *s)
{
    return &s->st;
}

const char *ctf_name(const struct ctf_source *s)
{
    return s->path;
}

double ctf_cpu_hz(const struct ctf_source *s)
{
    return s->hz;
}

void ctf_close(struct ctf_source *s)
{
    if (!s)
        return;
    bt_graph_put_ref(s->graph); /* finalizes the sink, which drops its iterator */
    bt_message_iterator_put_ref(s->iter);
    bt_component_class_sink_put_ref(s->sink_class);
    bt_plugin_put_ref(s->ctf_plugin);
    bt_plugin_put_ref(s->utils_plugin);
    free(s->buf);
    free(s->path);
    free(s);
}
