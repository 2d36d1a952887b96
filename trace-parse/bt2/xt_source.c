/* source.xentrace.reader: xentrace files as babeltrace2 messages (see xt_source.h). */
#include "xt_source.h"

#include "metadata.h"
#include "xt_event.h"
#include "xt_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PACKET_EVENTS 4096 /* events per CTF packet (the CTF sink buffers one packet) */

/* Payload layouts: the decoded members of an event class, before the raw words. */
enum layout { L_RAW, L_DOM, L_DOMVCPU, L_RUNSTATE, L_SWITCH, L_INFPREV, L_INFNEXT, L_LOST };

struct xts_input {
    char *path;
    struct xt_stats st; /* from a first pass over the whole file */
};

struct ec_slot {
    uint64_t key; /* event id << 8 | layout, +1 (0 = empty slot) */
    bt_event_class *ec;
};

struct xts_comp {
    bt_self_component_source *self;
    uint64_t hz;
    struct xts_input *inputs;
    size_t n_inputs;
    bt_trace_class *tc;
    bt_clock_class *cc;
    bt_stream_class *sc;
    struct ec_slot *ecs; /* open addressing, power-of-two size */
    size_t ecs_size, ecs_used;
    uint64_t next_ec_id;
};

struct xts_stream {
    bt_stream *stream;
    bt_packet *packet; /* NULL between packets */
    uint32_t in_packet;
};

struct xts_iter {
    bt_self_message_iterator *self;
    struct xts_comp *comp;
    struct xts_input *in;
    struct xt_reader *r;
    bt_trace *trace;
    struct xts_stream *streams; /* by pCPU */
    uint32_t nstreams;
    uint64_t last_ts, seq;
    int at_end;           /* the reader is exhausted and the end messages are queued */
    const bt_message **q; /* queued messages not yet handed out */
    size_t q_head, q_len, q_cap;
};

/* ---- field classes ---- */

static bt_field_class *uint_fc(bt_trace_class *tc, unsigned bits, int hex)
{
    bt_field_class *fc = bt_field_class_integer_unsigned_create(tc);
    if (!fc)
        return NULL;
    bt_field_class_integer_set_field_value_range(fc, bits);
    if (hex)
        bt_field_class_integer_set_preferred_display_base(
            fc, BT_FIELD_CLASS_INTEGER_PREFERRED_DISPLAY_BASE_HEXADECIMAL);
    return fc;
}

static bt_field_class *state_fc(bt_trace_class *tc)
{
    bt_field_class *fc = bt_field_class_enumeration_unsigned_create(tc);
    if (!fc)
        return NULL;
    bt_field_class_integer_set_field_value_range(fc, 8);
    for (unsigned s = XT_RUNNING; s <= XT_OFFLINE; s++) {
        bt_integer_range_set_unsigned *rs = bt_integer_range_set_unsigned_create();
        int bad = !rs || bt_integer_range_set_unsigned_add_range(rs, s, s) != 0 ||
                  bt_field_class_enumeration_unsigned_add_mapping(fc, xt_runstate_name(s), rs) != 0;
        bt_integer_range_set_unsigned_put_ref(rs);
        if (bad) {
            bt_field_class_put_ref(fc);
            return NULL;
        }
    }
    return fc;
}

/* Appends a member; takes the reference to fc. Returns 0 or -1. */
static int add_member(bt_field_class *st, const char *name, bt_field_class *fc)
{
    if (!fc)
        return -1;
    int rc = bt_field_class_structure_append_member(st, name, fc) == 0 ? 0 : -1;
    bt_field_class_put_ref(fc);
    return rc;
}

static enum layout layout_of(const struct xt_event *ev)
{
    switch (ev->kind) {
    case XT_K_RUNSTATE:
        return L_RUNSTATE;
    case XT_K_CONTINUE:
    case XT_K_WAKE:
    case XT_K_BLOCK:
    case XT_K_SLEEP:
    case XT_K_YIELD:
        return L_DOMVCPU;
    case XT_K_SHUTDOWN:
    case XT_K_SWITCH_INFCONT:
    case XT_K_SCHED_CLASS:
        return ev->domid != XT_DOMID_INVALID ? L_DOMVCPU : L_RAW;
    case XT_K_DOM_ADD:
    case XT_K_DOM_REM:
    case XT_K_ADJDOM:
        return ev->domid != XT_DOMID_INVALID ? L_DOM : L_RAW;
    case XT_K_SWITCH:
        return L_SWITCH;
    case XT_K_SWITCH_INFPREV:
        return L_INFPREV;
    case XT_K_SWITCH_INFNEXT:
        return L_INFNEXT;
    case XT_K_LOST:
        return L_LOST;
    default:
        return L_RAW;
    }
}

static bt_field_class *payload_fc(bt_trace_class *tc, enum layout l)
{
    bt_field_class *st = bt_field_class_structure_create(tc);
    if (!st)
        return NULL;
    int bad = 0;
    if (l == L_LOST)
        bad |= add_member(st, "lost", uint_fc(tc, 32, 0));
    if (l == L_SWITCH) {
        bad |= add_member(st, "prev_domid", uint_fc(tc, 16, 0));
        bad |= add_member(st, "prev_vcpu", uint_fc(tc, 16, 0));
        bad |= add_member(st, "next_domid", uint_fc(tc, 16, 0));
        bad |= add_member(st, "next_vcpu", uint_fc(tc, 16, 0));
    } else if (l != L_RAW) {
        bad |= add_member(st, "domid", uint_fc(tc, 16, 0));
        if (l != L_DOM)
            bad |= add_member(st, "vcpu", uint_fc(tc, 16, 0));
    }
    if (l == L_RUNSTATE) {
        bad |= add_member(st, "old_state", state_fc(tc));
        bad |= add_member(st, "new_state", state_fc(tc));
    } else if (l == L_INFPREV) {
        bad |= add_member(st, "run_ns", uint_fc(tc, 32, 0));
    } else if (l == L_INFNEXT) {
        bad |= add_member(st, "wait_ns", uint_fc(tc, 32, 0));
        bad |= add_member(st, "slice_ns", uint_fc(tc, 32, 0));
    } else if (l == L_LOST) {
        bad |= add_member(st, "first_lost_tsc", uint_fc(tc, 64, 0));
    }
    bt_field_class *words = uint_fc(tc, 32, 1);
    bt_field_class *arr = words ? bt_field_class_array_dynamic_create(tc, words, NULL) : NULL;
    bt_field_class_put_ref(words);
    bad |= add_member(st, XTS_DATA, arr);
    if (bad) {
        bt_field_class_put_ref(st);
        return NULL;
    }
    return st;
}

static bt_field_class *common_ctx_fc(bt_trace_class *tc)
{
    bt_field_class *st = bt_field_class_structure_create(tc);
    if (!st)
        return NULL;
    int bad = add_member(st, XTS_CTX_ID, uint_fc(tc, 32, 1));
    bad |= add_member(st, XTS_CTX_CPU, uint_fc(tc, 16, 0));
    bad |= add_member(st, XTS_CTX_TSC, uint_fc(tc, 64, 0));
    bad |= add_member(st, XTS_CTX_HAS_TSC, uint_fc(tc, 8, 0));
    bad |= add_member(st, XTS_CTX_OFFSET, uint_fc(tc, 64, 0));
    bad |= add_member(st, XTS_CTX_SEQ, uint_fc(tc, 64, 0));
    if (bad) {
        bt_field_class_put_ref(st);
        return NULL;
    }
    return st;
}

/* The event class of (id, layout), made on first use. */
static bt_event_class *event_class(struct xts_comp *c, uint32_t id, enum layout l)
{
    uint64_t key = ((uint64_t)id << 8 | (uint64_t)l) + 1;
    if (c->ecs_used * 2 >= c->ecs_size) {
        size_t nsize = c->ecs_size ? c->ecs_size * 2 : 256;
        struct ec_slot *n = calloc(nsize, sizeof *n);
        if (!n)
            return NULL;
        for (size_t i = 0; i < c->ecs_size; i++) {
            if (!c->ecs[i].key)
                continue;
            size_t j = (size_t)(c->ecs[i].key * 0x9e3779b97f4a7c15ull) & (nsize - 1);
            while (n[j].key)
                j = (j + 1) & (nsize - 1);
            n[j] = c->ecs[i];
        }
        free(c->ecs);
        c->ecs = n;
        c->ecs_size = nsize;
    }
    size_t j = (size_t)(key * 0x9e3779b97f4a7c15ull) & (c->ecs_size - 1);
    while (c->ecs[j].key && c->ecs[j].key != key)
        j = (j + 1) & (c->ecs_size - 1);
    if (c->ecs[j].key)
        return c->ecs[j].ec;

    bt_event_class *ec = bt_event_class_create_with_id(c->sc, c->next_ec_id);
    if (!ec)
        return NULL;
    const char *name = xt_event_name(id);
    char buf[32];
    if (!name) {
        snprintf(buf, sizeof buf, "0x%08" PRIx32, id);
        name = buf;
    }
    bt_field_class *pl = payload_fc(c->tc, l);
    if (!pl || bt_event_class_set_name(ec, name) != 0 ||
        bt_event_class_set_payload_field_class(ec, pl) != 0) {
        bt_field_class_put_ref(pl);
        bt_event_class_put_ref(ec);
        return NULL;
    }
    bt_field_class_put_ref(pl);
    c->next_ec_id++;
    c->ecs[j].key = key;
    c->ecs[j].ec = ec;
    c->ecs_used++;
    return ec;
}

/* ---- parameters ---- */

#define PARAM_ERROR(self, ...)                                                                     \
    BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(                                           \
        bt_self_component_source_as_self_component(self), __VA_ARGS__)

/* A positive whole number from an integer or real value; 0 when it is not one. */
static uint64_t positive_whole(const bt_value *v, double scale)
{
    double x;
    if (bt_value_is_unsigned_integer(v))
        x = (double)bt_value_integer_unsigned_get(v);
    else if (bt_value_is_signed_integer(v))
        x = (double)bt_value_integer_signed_get(v);
    else if (bt_value_is_real(v))
        x = bt_value_real_get(v);
    else
        return 0;
    x *= scale;
    if (!(x >= 1 && x < 1.8e19) || fabs(x - nearbyint(x)) > 1e-6 * x)
        return 0;
    return (uint64_t)nearbyint(x);
}

/* physinfo.cpu_khz of an smclat metadata.json (common/metadata.h), in Hz; 0 with the
 * error appended. */
static uint64_t hz_from_metadata(bt_self_component_source *self, const char *path)
{
    struct sm_metadata m;
    char msg[1024];
    if (sm_metadata_read(path, &m, msg, sizeof msg) != 0) {
        PARAM_ERROR(self, "%s", msg);
        return 0;
    }
    if (!(m.hz > 0 && m.hz < 1.8e19)) {
        PARAM_ERROR(self, "%s: physinfo.cpu_khz: expected a positive number", path);
        return 0;
    }
    return (uint64_t)nearbyint(m.hz);
}

static int get_params(struct xts_comp *c, const bt_value *params)
{
    bt_self_component_source *self = c->self;
    const bt_value *inputs = bt_value_map_borrow_entry_value_const(params, "inputs");
    if (!inputs) {
        PARAM_ERROR(self, "missing `inputs` parameter: an array of paths to xentrace files");
        return -1;
    }
    if (bt_value_is_string(inputs)) {
        c->n_inputs = 1;
    } else if (bt_value_is_array(inputs) && bt_value_array_get_length(inputs) > 0) {
        c->n_inputs = bt_value_array_get_length(inputs);
    } else {
        PARAM_ERROR(self, "`inputs` parameter: expected a non-empty array of paths");
        return -1;
    }
    c->inputs = calloc(c->n_inputs, sizeof *c->inputs);
    if (!c->inputs)
        return -1;
    for (size_t i = 0; i < c->n_inputs; i++) {
        const bt_value *v = bt_value_is_string(inputs)
                                ? inputs
                                : bt_value_array_borrow_element_by_index_const(inputs, i);
        if (!bt_value_is_string(v)) {
            PARAM_ERROR(self, "`inputs[%zu]` parameter: expected a path (a string)", i);
            return -1;
        }
        c->inputs[i].path = strdup(bt_value_string_get(v));
        if (!c->inputs[i].path)
            return -1;
    }

    const bt_value *hz = bt_value_map_borrow_entry_value_const(params, "cpu-hz");
    const bt_value *md = bt_value_map_borrow_entry_value_const(params, "metadata");
    if (hz) {
        c->hz = positive_whole(hz, 1);
        if (!c->hz) {
            PARAM_ERROR(self, "`cpu-hz` parameter: expected a positive whole number of Hz "
                              "(the timer rate, 62500000 under QEMU)");
            return -1;
        }
    } else if (md) {
        if (!bt_value_is_string(md)) {
            PARAM_ERROR(self, "`metadata` parameter: expected a path (a string)");
            return -1;
        }
        c->hz = hz_from_metadata(self, bt_value_string_get(md));
        if (!c->hz)
            return -1;
    } else {
        char *dup = strdup(c->inputs[0].path), path[4096];
        if (!dup)
            return -1;
        snprintf(path, sizeof path, "%s/metadata.json", dirname(dup));
        free(dup);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            c->hz = hz_from_metadata(self, path);
        }
        if (!c->hz) {
            PARAM_ERROR(self, "missing `cpu-hz` parameter (the timer rate in Hz, 62500000 under "
                              "QEMU) or `metadata` parameter (a metadata.json)");
            return -1;
        }
    }
    return 0;
}

/* First pass over an input: checks that it is a whole xentrace file, and gets its counts. */
static int scan_input(struct xts_comp *c, struct xts_input *in)
{
    struct xt_reader *r;
    struct xt_error err;
    if (xt_open(&r, in->path, &err) != 0) {
        PARAM_ERROR(c->self, "%s", err.msg);
        return -1;
    }
    struct xt_record rec;
    int rc;
    while ((rc = xt_next(r, &rec, &err)) == 1)
        ;
    in->st = *xt_stats(r);
    xt_close(r);
    if (rc < 0) {
        PARAM_ERROR(c->self, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* ---- component ---- */

static void comp_free(struct xts_comp *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ecs_size; i++)
        bt_event_class_put_ref(c->ecs[i].ec);
    free(c->ecs);
    bt_stream_class_put_ref(c->sc);
    bt_clock_class_put_ref(c->cc);
    bt_trace_class_put_ref(c->tc);
    for (size_t i = 0; i < c->n_inputs; i++)
        free(c->inputs[i].path);
    free(c->inputs);
    free(c);
}

static int make_classes(struct xts_comp *c)
{
    bt_self_component *sc = bt_self_component_source_as_self_component(c->self);
    c->tc = bt_trace_class_create(sc);
    c->cc = bt_clock_class_create(sc);
    if (!c->tc || !c->cc)
        return -1;
    bt_trace_class_set_assigns_automatic_stream_class_id(c->tc, BT_FALSE);
    if (bt_clock_class_set_name(c->cc, "xen_timer") != 0 ||
        bt_clock_class_set_description(c->cc, "Xen's trace timestamps (arm64: CNTPCT, "
                                              "x86: TSC); frequency = the cpu-hz parameter") != 0)
        return -1;
    bt_clock_class_set_frequency(c->cc, c->hz);
    bt_clock_class_set_origin_is_unix_epoch(c->cc, BT_FALSE);
    c->sc = bt_stream_class_create_with_id(c->tc, 0);
    if (!c->sc)
        return -1;
    bt_stream_class_set_assigns_automatic_stream_id(c->sc, BT_FALSE);
    bt_stream_class_set_assigns_automatic_event_class_id(c->sc, BT_FALSE);
    bt_field_class *ctx = common_ctx_fc(c->tc);
    int bad = !ctx || bt_stream_class_set_name(c->sc, "pcpu") != 0 ||
              bt_stream_class_set_default_clock_class(c->sc, c->cc) != 0 ||
              bt_stream_class_set_event_common_context_field_class(c->sc, ctx) != 0;
    bt_field_class_put_ref(ctx);
    /* packets with beginning and end times (timestamp_begin/end in CTF) */
    bt_stream_class_set_supports_packets(c->sc, BT_TRUE, BT_TRUE, BT_TRUE);
    return bad ? -1 : 0;
}

bt_component_class_initialize_method_status xts_init(bt_self_component_source *self,
                                                     bt_self_component_source_configuration *config,
                                                     const bt_value *params, void *init_data)
{
    (void)config;
    (void)init_data;
    struct xts_comp *c = calloc(1, sizeof *c);
    if (!c)
        return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
    c->self = self;
    if (get_params(c, params) != 0)
        goto error;
    for (size_t i = 0; i < c->n_inputs; i++)
        if (scan_input(c, &c->inputs[i]) != 0)
            goto error;
    if (make_classes(c) != 0) {
        PARAM_ERROR(self, "cannot create the trace classes (out of memory?)");
        goto error;
    }
    for (size_t i = 0; i < c->n_inputs; i++) {
        char name[32];
        snprintf(name, sizeof name, "out%zu", i);
        if (bt_self_component_source_add_output_port(self, c->n_inputs == 1 ? "out" : name,
                                                     &c->inputs[i], NULL) != 0)
            goto error;
    }
    bt_self_component_set_data(bt_self_component_source_as_self_component(self), c);
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
error:
    comp_free(c);
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
}

void xts_finalize(bt_self_component_source *self)
{
    comp_free(bt_self_component_get_data(bt_self_component_source_as_self_component(self)));
}

/* ---- message iterator ---- */

static void iter_free(struct xts_iter *it)
{
    if (!it)
        return;
    for (size_t i = 0; i < it->q_len; i++)
        bt_message_put_ref(it->q[it->q_head + i]);
    free(it->q);
    for (uint32_t i = 0; i < it->nstreams; i++) {
        bt_packet_put_ref(it->streams[i].packet);
        bt_stream_put_ref(it->streams[i].stream);
    }
    free(it->streams);
    bt_trace_put_ref(it->trace);
    xt_close(it->r);
    free(it);
}

static int set_env(struct xts_iter *it)
{
    const struct xt_stats *s = &it->in->st;
    const struct {
        const char *name;
        uint64_t v;
    } ints[] = {
        {"cpu_hz", it->comp->hz},
        {"xt_file_bytes", s->file_bytes},
        {"xt_records", s->records},
        {"xt_chunks", s->chunks},
        {"xt_chunks_out_of_order", s->chunks_out_of_order},
        {"xt_records_without_tsc", s->records_without_tsc},
        {"xt_tsc_backwards", s->tsc_backwards},
        {"xt_wrap_buffers", s->wrap_buffers},
        {"xt_lost_record_events", s->lost_record_events},
        {"xt_ncpus", s->ncpus},
        {"xt_truncated", (uint64_t)s->truncated},
        {"xt_truncated_offset", s->truncated_offset},
        {"xt_bytes_used", s->bytes_used},
    };
    char *dup = strdup(it->in->path);
    if (!dup)
        return -1;
    int bad = bt_trace_set_name(it->trace, basename(dup)) != 0;
    free(dup);
    bad |= bt_trace_set_environment_entry_string(it->trace, XTS_ENV_SOURCE, "xentrace") != 0;
    bad |= bt_trace_set_environment_entry_string(it->trace, "xt_file", it->in->path) != 0;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        bad |= bt_trace_set_environment_entry_integer(it->trace, ints[i].name,
                                                      (int64_t)ints[i].v) != 0;
    return bad ? -1 : 0;
}

bt_message_iterator_class_initialize_method_status
xts_iter_init(bt_self_message_iterator *self, bt_self_message_iterator_configuration *config,
              bt_self_component_port_output *port)
{
    (void)config;
    bt_self_component *sc = bt_self_message_iterator_borrow_component(self);
    struct xts_iter *it = calloc(1, sizeof *it);
    if (!it)
        return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
    it->self = self;
    it->comp = bt_self_component_get_data(sc);
    it->in =
        bt_self_component_port_get_data(bt_self_component_port_output_as_self_component_port(port));
    struct xt_error err;
    if (xt_open(&it->r, it->in->path, &err) != 0) {
        BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_MESSAGE_ITERATOR(self, "%s", err.msg);
        iter_free(it);
        return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
    }
    it->nstreams = it->in->st.ncpus;
    it->streams = calloc(it->nstreams ? it->nstreams : 1, sizeof *it->streams);
    it->trace = bt_trace_create(it->comp->tc);
    if (!it->streams || !it->trace || set_env(it) != 0) {
        iter_free(it);
        return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
    }
    bt_self_message_iterator_set_data(self, it);
    return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

void xts_iter_finalize(bt_self_message_iterator *self)
{
    iter_free(bt_self_message_iterator_get_data(self));
}

static int push(struct xts_iter *it, const bt_message *m)
{
    if (!m)
        return -1;
    if (it->q_head + it->q_len == it->q_cap) {
        if (it->q_head) {
            memmove(it->q, it->q + it->q_head, it->q_len * sizeof *it->q);
            it->q_head = 0;
        } else {
            size_t ncap = it->q_cap ? it->q_cap * 2 : 16;
            const bt_message **n = realloc(it->q, ncap * sizeof *n);
            if (!n) {
                bt_message_put_ref(m);
                return -1;
            }
            it->q = n;
            it->q_cap = ncap;
        }
    }
    it->q[it->q_head + it->q_len++] = m;
    return 0;
}

static void set_uint(bt_field *st, uint64_t i, uint64_t v)
{
    bt_field_integer_unsigned_set_value(bt_field_structure_borrow_member_field_by_index(st, i), v);
}

/* Fills an event's payload with the decoded members of its layout and the raw words. */
static int fill_payload(bt_field *pl, enum layout l, const struct xt_event *ev,
                        const struct xt_record *rec)
{
    uint64_t i = 0;
    if (l == L_LOST)
        set_uint(pl, i++, ev->lost);
    if (l == L_SWITCH) {
        set_uint(pl, i++, ev->domid);
        set_uint(pl, i++, ev->vcpu);
        set_uint(pl, i++, ev->next_domid);
        set_uint(pl, i++, ev->next_vcpu);
    } else if (l != L_RAW) {
        set_uint(pl, i++, ev->domid);
        if (l != L_DOM)
            set_uint(pl, i++, ev->vcpu);
    }
    if (l == L_RUNSTATE) {
        set_uint(pl, i++, ev->old_state);
        set_uint(pl, i++, ev->new_state);
    } else if (l == L_INFPREV) {
        set_uint(pl, i++, ev->a);
    } else if (l == L_INFNEXT) {
        set_uint(pl, i++, ev->a);
        set_uint(pl, i++, ev->b);
    } else if (l == L_LOST) {
        set_uint(pl, i++, ev->first_lost_tsc);
    }
    bt_field *data = bt_field_structure_borrow_member_field_by_index(pl, i);
    if (bt_field_array_dynamic_set_length(data, rec->n_extra) != 0)
        return -1;
    for (unsigned k = 0; k < rec->n_extra; k++)
        bt_field_integer_unsigned_set_value(bt_field_array_borrow_element_field_by_index(data, k),
                                            rec->extra[k]);
    return 0;
}

/* Queues the messages of one record: stream and packet beginnings when needed, the event. */
static int queue_record(struct xts_iter *it, const struct xt_record *rec)
{
    if (rec->cpu >= it->nstreams) {
        BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_MESSAGE_ITERATOR(
            it->self, "%s: offset %" PRIu64 ": expected a pCPU below %u, found %u", it->in->path,
            rec->offset, it->nstreams, rec->cpu);
        return -1;
    }
    struct xts_stream *s = &it->streams[rec->cpu];
    if (!s->stream) {
        s->stream = bt_stream_create_with_id(it->comp->sc, it->trace, rec->cpu);
        char name[16];
        snprintf(name, sizeof name, "cpu%u", rec->cpu);
        if (!s->stream || bt_stream_set_name(s->stream, name) != 0 ||
            push(it, bt_message_stream_beginning_create(it->self, s->stream)) != 0)
            return -1;
    }
    /* babeltrace2 wants the clock to go forward: a record stamped before the previous one
     * (rare; counted in xt_tsc_backwards) keeps its own value in the tsc member. Packet
     * beginnings and ends take the current time too, so every message of the port is in
     * time order. */
    if (rec->tsc > it->last_ts)
        it->last_ts = rec->tsc;
    if (s->packet && s->in_packet >= PACKET_EVENTS) {
        if (push(it, bt_message_packet_end_create_with_default_clock_snapshot(it->self, s->packet,
                                                                              it->last_ts)) != 0)
            return -1;
        bt_packet_put_ref(s->packet);
        s->packet = NULL;
    }
    if (!s->packet) {
        s->packet = bt_packet_create(s->stream);
        s->in_packet = 0;
        if (!s->packet || push(it, bt_message_packet_beginning_create_with_default_clock_snapshot(
                                       it->self, s->packet, it->last_ts)) != 0)
            return -1;
    }
    struct xt_event ev;
    xt_decode(rec, &ev);
    enum layout l = layout_of(&ev);
    bt_event_class *ec = event_class(it->comp, rec->event, l);
    if (!ec)
        return -1;
    bt_message *m = bt_message_event_create_with_packet_and_default_clock_snapshot(
        it->self, ec, s->packet, it->last_ts);
    if (!m)
        return -1;
    bt_event *e = bt_message_event_borrow_event(m);
    bt_field *ctx = bt_event_borrow_common_context_field(e);
    set_uint(ctx, 0, rec->event);
    set_uint(ctx, 1, rec->cpu);
    set_uint(ctx, 2, rec->tsc);
    set_uint(ctx, 3, rec->has_tsc);
    set_uint(ctx, 4, rec->offset);
    set_uint(ctx, 5, it->seq++);
    if (fill_payload(bt_event_borrow_payload_field(e), l, &ev, rec) != 0) {
        bt_message_put_ref(m);
        return -1;
    }
    s->in_packet++;
    return push(it, m);
}

static int queue_end(struct xts_iter *it)
{
    for (uint32_t i = 0; i < it->nstreams; i++) {
        struct xts_stream *s = &it->streams[i];
        if (!s->stream)
            continue;
        if (s->packet && push(it, bt_message_packet_end_create_with_default_clock_snapshot(
                                      it->self, s->packet, it->last_ts)) != 0)
            return -1;
        if (push(it, bt_message_stream_end_create(it->self, s->stream)) != 0)
            return -1;
    }
    it->at_end = 1;
    return 0;
}

bt_message_iterator_class_next_method_status xts_iter_next(bt_self_message_iterator *self,
                                                           bt_message_array_const msgs,
                                                           uint64_t capacity, uint64_t *count)
{
    struct xts_iter *it = bt_self_message_iterator_get_data(self);
    uint64_t n = 0;
    for (;;) {
        while (it->q_len && n < capacity) {
            msgs[n++] = it->q[it->q_head++];
            if (--it->q_len == 0)
                it->q_head = 0;
        }
        if (n == capacity || (it->at_end && !it->q_len))
            break;
        struct xt_record rec;
        struct xt_error err;
        int rc = xt_next(it->r, &rec, &err);
        if (rc < 0) {
            BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_MESSAGE_ITERATOR(self, "%s", err.msg);
            goto error;
        }
        if ((rc == 1 ? queue_record(it, &rec) : queue_end(it)) != 0) {
            BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_MESSAGE_ITERATOR(
                self, "%s: cannot make a message (out of memory?)", it->in->path);
            goto error;
        }
    }
    *count = n;
    if (n == 0)
        return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END;
    return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK;
error:
    for (uint64_t i = 0; i < n; i++)
        bt_message_put_ref(msgs[i]);
    return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
}

/* babeltrace.support-info: lets `babeltrace2 FILE` pick this class for a xentrace file. A
 * xentrace file starts with a CPU_CHANGE record without timestamp and with 2 payload words
 * (the pCPU, the bytes that follow), 0x2001f003 little-endian. */
bt_component_class_query_method_status xts_query(bt_self_component_class_source *cls,
                                                 bt_private_query_executor *qe, const char *object,
                                                 const bt_value *params, void *data,
                                                 const bt_value **result)
{
    (void)cls;
    (void)qe;
    (void)data;
    if (strcmp(object, "babeltrace.support-info") != 0)
        return BT_COMPONENT_CLASS_QUERY_METHOD_STATUS_UNKNOWN_OBJECT;
    const bt_value *type = bt_value_map_borrow_entry_value_const(params, "type");
    const bt_value *input = bt_value_map_borrow_entry_value_const(params, "input");
    double weight = 0;
    if (type && input && bt_value_is_string(type) && bt_value_is_string(input) &&
        strcmp(bt_value_string_get(type), "file") == 0) {
        FILE *f = fopen(bt_value_string_get(input), "rb");
        unsigned char b[12];
        if (f) {
            if (fread(b, 1, sizeof b, f) == sizeof b && b[0] == 0x03 && b[1] == 0xf0 &&
                b[2] == 0x01 && b[3] == 0x20)
                weight = 0.75;
            fclose(f);
        }
    }
    bt_value *v = bt_value_real_create_init(weight);
    if (!v)
        return BT_COMPONENT_CLASS_QUERY_METHOD_STATUS_MEMORY_ERROR;
    *result = v;
    return BT_COMPONENT_CLASS_QUERY_METHOD_STATUS_OK;
}

bt_component_class_source *xts_component_class_create(void)
{
    bt_message_iterator_class *mic = bt_message_iterator_class_create(xts_iter_next);
    if (!mic)
        return NULL;
    bt_message_iterator_class_set_initialize_method(mic, xts_iter_init);
    bt_message_iterator_class_set_finalize_method(mic, xts_iter_finalize);
    bt_component_class_source *cc = bt_component_class_source_create(XTS_CLASS_NAME, mic);
    bt_message_iterator_class_put_ref(mic);
    if (!cc)
        return NULL;
    bt_component_class *base = bt_component_class_source_as_component_class(cc);
    bt_component_class_set_description(base, XTS_DESCRIPTION);
    bt_component_class_set_help(base, XTS_HELP);
    bt_component_class_source_set_initialize_method(cc, xts_init);
    bt_component_class_source_set_finalize_method(cc, xts_finalize);
    bt_component_class_source_set_query_method(cc, xts_query);
    return cc;
}
