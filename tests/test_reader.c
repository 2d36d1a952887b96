/* Unit tests of the xentrace reader and the event decoder, on traces built by tracegen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tracegen.h"
#include "xt_event.h"
#include "xt_reader.h"

struct trace {
    uint8_t *data;
    size_t len;
};

static struct trace finish(struct tg *g)
{
    struct trace t;
    t.data = tg_mem_finish(g, &t.len);
    assert_non_null(t.data);
    return t;
}

/* Reads all records; returns how many, fills tsc[] (up to max). rc of the last xt_next in *rc */
static size_t read_all(const struct trace *t, uint64_t *tsc, uint16_t *cpu, size_t max, int *rc,
                       struct xt_stats *st, struct xt_error *err)
{
    struct xt_reader *r;
    assert_int_equal(xt_open_mem(&r, t->data, t->len, "t.bin", err), 0);
    struct xt_record rec;
    size_t n = 0;
    while ((*rc = xt_next(r, &rec, err)) == 1) {
        if (n < max) {
            if (tsc)
                tsc[n] = rec.tsc;
            if (cpu)
                cpu[n] = rec.cpu;
        }
        n++;
    }
    if (st)
        *st = *xt_stats(r);
    xt_close(r);
    return n;
}

/* What reading a generated trace gave: counts, statistics, the first READ_MAX records. */
#define READ_MAX 16
struct readout {
    size_t n;
    int rc;
    struct xt_stats st;
    struct xt_error err;
    uint64_t tsc[READ_MAX];
    uint16_t cpu[READ_MAX];
};

/* Finishes g's trace, keeps its first keep bytes (0: all), reads it all into *o, frees it. */
static void read_generated(struct tg *g, size_t keep, struct readout *o)
{
    struct trace t = finish(g);
    if (keep)
        t.len = keep;
    o->n = read_all(&t, o->tsc, o->cpu, READ_MAX, &o->rc, &o->st, &o->err);
    free(t.data);
}

static void test_merge_two_cpus_in_time_order(void **state)
{
    (void)state;
    /* small chunks so each pCPU's records are spread over many interleaved chunks */
    struct tg *g = tg_mem_new(2, 64);
    for (uint64_t i = 0; i < 200; i++) {
        tg_wake(g, 0, 1000 + 10 * i, 1, 0);  /* cpu0 at 1000, 1010, ... */
        tg_block(g, 1, 1005 + 10 * i, 2, 0); /* cpu1 at 1005, 1015, ... */
    }
    struct trace t = finish(g);
    uint64_t tsc[400];
    uint16_t cpu[400];
    int rc;
    struct xt_stats st;
    struct xt_error err;
    size_t n = read_all(&t, tsc, cpu, 400, &rc, &st, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(n, 400);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(tsc[i], 1000 + 5 * i);
        assert_int_equal(cpu[i], i % 2);
    }
    assert_int_equal(st.ncpus, 2);
    assert_true(st.chunks > 10);
    assert_int_equal(st.truncated, 0);
    assert_int_equal(st.records, 400);
    free(t.data);
}

static void test_records_without_tsc_take_previous(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 4096);
    uint32_t w[2] = {7, 8};
    tg_wake(g, 0, 500, 1, 0);
    tg_rec_notsc(g, 0, 0x00028006u, 2, w);
    tg_rec_notsc(g, 0, 0x0001f002u, 0, NULL); /* wrap buffer: skipped */
    tg_wake(g, 0, 900, 1, 0);
    struct readout o;
    read_generated(g, 0, &o);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.tsc[0], 500);
    assert_int_equal(o.tsc[1], 500);
    assert_int_equal(o.tsc[2], 900);
    assert_int_equal(o.st.wrap_buffers, 1);
    assert_int_equal(o.st.records_without_tsc, 2);
}

/* A pCPU whose first chunk has no timestamp at all, before any other: its records take the
 * file's first timestamp, not 0 (which would make the trace start at the counter's origin). */
static void test_leading_chunk_without_tsc(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(2, 4096);
    uint32_t w[2] = {7, 8};
    tg_rec_notsc(g, 1, 0x00028006u, 2, w);
    tg_flush_cpu(g, 1); /* the file's first chunk: pCPU 1, no timestamp */
    tg_wake(g, 0, 5000, 1, 0);
    tg_flush_cpu(g, 0);
    tg_wake(g, 1, 6000, 1, 0);
    struct readout o;
    read_generated(g, 0, &o);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.n, 3);
    assert_int_equal(o.tsc[0], 5000); /* file order breaks the tie: pCPU 1's chunk first */
    assert_int_equal(o.cpu[0], 1);
    assert_int_equal(o.tsc[1], 5000);
    assert_int_equal(o.cpu[1], 0);
    assert_int_equal(o.tsc[2], 6000);
    assert_int_equal(o.st.records_without_tsc, 1);
}

/* A timestamp with a high bit flipped, in the middle of a chunk and as a chunk's first: ignored
 * (the record takes the previous timestamp, counted), so the trace does not last 2^44 ticks. */
static void test_timestamp_jump_ignored(void **state)
{
    (void)state;
    const uint64_t spike = 1000 + XT_TSC_JUMP + 1;
    struct readout o;
    for (int where = 0; where < 2; where++) {
        struct tg *g = tg_mem_new(1, 4096);
        tg_wake(g, 0, where == 0 ? 1000 : spike, 1, 0);
        tg_wake(g, 0, where == 1 ? 1000 : spike, 1, 0);
        tg_wake(g, 0, 1010, 1, 0);
        tg_wake(g, 0, 1020, 1, 0);
        read_generated(g, 0, &o);
        assert_int_equal(o.rc, 0);
        assert_int_equal(o.n, 4);
        assert_int_equal(o.st.tsc_jumps, 1);
        assert_int_equal(o.st.tsc_backwards, 0);
        assert_int_equal(o.tsc[0], 1000);
        assert_int_equal(o.tsc[1], 1000); /* the broken one: its predecessor's (or successor's) */
        assert_int_equal(o.tsc[2], 1010);
        assert_int_equal(o.tsc[3], 1020);
    }
    /* just below the bound: a real (if long) gap, kept */
    struct tg *g = tg_mem_new(1, 4096);
    tg_wake(g, 0, 1000, 1, 0);
    tg_wake(g, 0, 1000 + XT_TSC_JUMP, 1, 0);
    read_generated(g, 0, &o);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.st.tsc_jumps, 0);
    assert_int_equal(o.tsc[1], 1000 + XT_TSC_JUMP);
}

static void test_out_of_order_chunks_of_one_cpu(void **state)
{
    (void)state;
    /* write the later chunk of cpu0 first */
    struct tg *late = tg_mem_new(1, 4096);
    tg_wake(late, 0, 2000, 1, 0);
    tg_wake(late, 0, 2001, 1, 0);
    struct trace a = finish(late);
    struct tg *early = tg_mem_new(1, 4096);
    tg_wake(early, 0, 1000, 1, 0);
    tg_wake(early, 0, 1001, 1, 0);
    struct trace b = finish(early);
    struct trace t = {malloc(a.len + b.len), a.len + b.len};
    memcpy(t.data, a.data, a.len);
    memcpy(t.data + a.len, b.data, b.len);
    uint64_t tsc[4];
    int rc;
    struct xt_stats st;
    struct xt_error err;
    size_t n = read_all(&t, tsc, NULL, 4, &rc, &st, &err);
    assert_int_equal(n, 4);
    assert_int_equal(tsc[0], 1000);
    assert_int_equal(tsc[1], 1001);
    assert_int_equal(tsc[2], 2000);
    assert_int_equal(tsc[3], 2001);
    assert_int_equal(st.chunks_out_of_order, 1);
    free(a.data);
    free(b.data);
    free(t.data);
}

static void test_truncated_last_record_keeps_whole_ones(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 1 << 20);
    for (int i = 0; i < 10; i++)
        tg_switch(g, 0, 100 + (uint64_t)i, 1, 0, 2, 0); /* 7 words each */
    struct readout o;
    read_generated(g, 12 + 10 * 28 - 8, &o); /* cut inside the last record */
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.n, 9);
    assert_int_equal(o.st.truncated, 1);
    assert_int_equal(o.st.truncated_offset, 12 + 9 * 28);
}

static void test_truncated_chunk_header(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 64);
    for (int i = 0; i < 10; i++)
        tg_wake(g, 0, 100 + (uint64_t)i, 1, 0); /* 5 words each, 3 per chunk */
    struct readout o;
    /* chunks of 60 bytes + 12 header: cut in the third chunk's header */
    read_generated(g, 2 * 72 + 6, &o);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.n, 6);
    assert_int_equal(o.st.truncated, 1);
    assert_int_equal(o.st.truncated_offset, 144);
}

static void expect_open_error(const void *data, size_t len, uint64_t offset, const char *needle)
{
    struct xt_reader *r;
    struct xt_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(xt_open_mem(&r, data, len, "bad.bin", &err), -1);
    assert_null(r);
    assert_int_equal(err.offset, offset);
    assert_non_null(strstr(err.msg, "bad.bin: offset"));
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_open_error("", 0, 0, "empty file");
    const char text[] = "hello, this is not a trace at all";
    expect_open_error(text, sizeof text, 0, "TRACE_CPU_CHANGE");
    uint32_t bigcpu[3] = {0x2001f003u, 100000, 0};
    expect_open_error(bigcpu, sizeof bigcpu, 0, "pCPU 100000");
    uint32_t odd[3] = {0x2001f003u, 0, 6};
    expect_open_error(odd, sizeof odd, 0, "multiple of 4");
    uint32_t short_cc[3] = {0x0001f003u, 0, 0};
    expect_open_error(short_cc, sizeof short_cc, 0, "payload words");
    /* a good chunk, then garbage where the next chunk header should be */
    uint32_t second[8] = {0x2001f003u, 0, 12, 0x80028004u, 5, 0, 0xdeadbeefu, 1};
    expect_open_error(second, sizeof second, 24, "found header 0xdeadbeef");
}

static void test_impossible_extra_word_count(void **state)
{
    (void)state;
    /* chunk of 12 bytes holding a header that claims a tsc and 7 payload words */
    uint32_t w[6] = {0x2001f003u, 0, 12, 0xf0028004u, 1, 0};
    struct xt_reader *r;
    struct xt_error err;
    assert_int_equal(xt_open_mem(&r, w, sizeof w, "x.bin", &err), 0);
    struct xt_record rec;
    assert_int_equal(xt_next(r, &rec, &err), -1);
    assert_int_equal(err.offset, 12);
    assert_non_null(strstr(err.msg, "claims 7 payload words"));
    assert_int_equal(xt_next(r, &rec, &err), -1); /* stays failed */
    xt_close(r);
}

/* A chunk whose size field claims more than the file holds (a flipped bit, not a cut): its
 * own records are delivered, then the next chunk's header is reported, not read as records of
 * the wrong pCPU. */
static void test_chunk_size_too_big(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(2, 64);
    for (int i = 0; i < 12; i++)
        tg_wake(g, (unsigned)i % 2, 100 + (uint64_t)i, 1, 0); /* 5 words, 3 per chunk */
    struct trace t = finish(g);
    /* first chunk: header of 12 bytes (its size word at offset 8), 60 bytes of records */
    uint32_t huge = 0xfffffff0u;
    memcpy(t.data + 8, &huge, 4);
    int rc;
    struct xt_stats st;
    struct xt_error err;
    size_t n = read_all(&t, NULL, NULL, 0, &rc, &st, &err);
    assert_int_equal(rc, -1);
    assert_int_equal(n, 3); /* the first chunk's own records, nothing of the others */
    assert_int_equal(err.offset, 72);
    assert_non_null(strstr(err.msg, "t.bin: offset 72: "));
    assert_non_null(strstr(err.msg, "TRACE_CPU_CHANGE chunk header"));
    assert_int_equal(st.truncated, 1); /* the size field points past the end */
    free(t.data);
}

/* xt_open refuses what is not a regular file at once (a FIFO must not block) */
static void test_not_regular_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/smclat-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/f", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *paths[] = {dir, fifo};
    const char *what[] = {"found a directory", "found a FIFO"};
    for (int i = 0; i < 2; i++) {
        struct xt_reader *r;
        struct xt_error err;
        assert_int_equal(xt_open(&r, paths[i], &err), -1);
        assert_null(r);
        assert_int_equal(err.offset, 0);
        assert_non_null(strstr(err.msg, paths[i]));
        if (!strstr(err.msg, what[i]))
            fail_msg("message '%s' lacks '%s'", err.msg, what[i]);
    }
    unlink(fifo);
    rmdir(dir);
}

static void test_tsc_above_32_bits(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(2, 4096);
    tg_wake(g, 1, 0x1ffffffffull, 1, 0);
    tg_wake(g, 0, 0x200000001ull, 1, 0);
    tg_wake(g, 0, 0xfffffff0ull, 1, 0);
    struct readout o;
    read_generated(g, 0, &o);
    assert_int_equal(o.n, 3);
    /* cpu0's chunk is out of time order internally: the merge keeps its file order */
    assert_int_equal(o.st.tsc_backwards, 1);
    assert_int_equal(o.tsc[0], 0x1ffffffffull);
    assert_int_equal(o.tsc[1], 0x200000001ull);
}

static void test_lost_records_decoded(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(1, 4096);
    tg_lost(g, 0, 5000, 1234, 3, 1, 0x123456789ull);
    struct trace t = finish(g);
    struct xt_reader *r;
    struct xt_error err;
    assert_int_equal(xt_open_mem(&r, t.data, t.len, "l.bin", &err), 0);
    struct xt_record rec;
    assert_int_equal(xt_next(r, &rec, &err), 1);
    struct xt_event ev;
    xt_decode(&rec, &ev);
    assert_int_equal(ev.kind, XT_K_LOST);
    assert_int_equal(ev.lost, 1234);
    assert_int_equal(ev.domid, 3);
    assert_int_equal(ev.vcpu, 1);
    assert_int_equal(ev.first_lost_tsc, 0x123456789ull);
    assert_int_equal(xt_next(r, &rec, &err), 0);
    xt_close(r);
    free(t.data);
}

static struct xt_event decode(uint32_t id, unsigned n, const uint32_t *w)
{
    struct xt_record rec;
    memset(&rec, 0, sizeof rec);
    rec.event = id;
    rec.n_extra = (uint8_t)n;
    for (unsigned i = 0; i < n; i++)
        rec.extra[i] = w[i];
    struct xt_event ev;
    xt_decode(&rec, &ev);
    return ev;
}

static void test_decode_layouts(void **state)
{
    (void)state;
    uint32_t packed = 3u << 16 | 1u;
    struct xt_event ev = decode(0x00021211u, 1, &packed); /* blocked->runnable */
    assert_int_equal(ev.kind, XT_K_RUNSTATE);
    assert_int_equal(ev.old_state, XT_BLOCKED);
    assert_int_equal(ev.new_state, XT_RUNNABLE);
    assert_int_equal(ev.domid, 3);
    assert_int_equal(ev.vcpu, 1);
    uint32_t two[2] = {5, 2};
    ev = decode(0x00028004u, 2, two); /* 4.17 WAKE */
    assert_int_equal(ev.kind, XT_K_WAKE);
    assert_int_equal(ev.domid, 5);
    assert_int_equal(ev.vcpu, 2);
    ev = decode(0x00028006u, 1, &packed); /* older BLOCK, packed */
    assert_int_equal(ev.kind, XT_K_BLOCK);
    assert_int_equal(ev.domid, 3);
    assert_int_equal(ev.vcpu, 1);
    uint32_t sw[4] = {0x7fff, 1, 2, 0};
    ev = decode(0x0002800au, 4, sw);
    assert_int_equal(ev.kind, XT_K_SWITCH);
    assert_int_equal(ev.domid, XT_DOMID_IDLE);
    assert_int_equal(ev.vcpu, 1);
    assert_int_equal(ev.next_domid, 2);
    assert_int_equal(ev.next_vcpu, 0);
    uint32_t swp[2] = {0x7fff0001u, 0x00020000u};
    ev = decode(0x0002800au, 2, swp);
    assert_int_equal(ev.kind, XT_K_SWITCH);
    assert_int_equal(ev.domid, XT_DOMID_IDLE);
    assert_int_equal(ev.next_domid, 2);
    uint32_t nx[4] = {1, 0, 12345, 0xffffffffu};
    ev = decode(0x0002800fu, 4, nx);
    assert_int_equal(ev.kind, XT_K_SWITCH_INFNEXT);
    assert_int_equal(ev.domid, 1);
    assert_int_equal(ev.a, 12345);
    assert_int_equal(ev.b, 0xffffffffu);
    ev = decode(0x0002800fu, 1, nx);
    assert_int_equal(ev.kind, XT_K_MALFORMED);
    ev = decode(0x00028004u, 0, NULL);
    assert_int_equal(ev.kind, XT_K_MALFORMED);
    uint32_t burn[4] = {0x00030001u, 100, 200, 300};
    ev = decode(0x00022203u, 4, burn); /* credit2 CREDIT_BURN: unit | dom << 16 */
    assert_int_equal(ev.kind, XT_K_SCHED_CLASS);
    assert_int_equal(ev.sched_id, XT_SCHED_CREDIT2);
    assert_int_equal(ev.sub, 3);
    assert_int_equal(ev.domid, 3);
    assert_int_equal(ev.vcpu, 1);
    assert_string_equal(xt_event_name(0x00022214u), "csched2:RUNQ_CANDIDATE");
    assert_string_equal(xt_event_name(0x00021021u), "RUNSTATE_CHANGE");
    assert_null(xt_event_name(0x00028fffu));
    ev = decode(0x00028fffu, 0, NULL);
    assert_int_equal(ev.kind, XT_K_UNKNOWN);
    ev = decode(0x0010f001u, 0, NULL); /* another class: not a scheduler event */
    assert_int_equal(ev.kind, XT_K_OTHER);
    ev = decode(0x00021041u, 1, &packed); /* runstate 4: impossible */
    assert_int_equal(ev.kind, XT_K_MALFORMED);
}

/* The threaded reader gives the same records, statistics and error as the plain one. */
static void test_threaded_same_as_plain(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(3, 256);
    for (uint64_t i = 0; i < 30000; i++)
        tg_wake(g, (unsigned)(i % 3), 100 + i * 7 + (i % 3), 1, (unsigned)(i % 5));
    struct trace t = finish(g);
    /* end on a record that claims more words than its chunk holds: an error after records */
    uint32_t bad[4] = {0x2001f003u, 1, 4, 0x70028004u};
    uint8_t *buf = malloc(t.len + sizeof bad);
    memcpy(buf, t.data, t.len);
    memcpy(buf + t.len, bad, sizeof bad);
    for (int round = 0; round < 2; round++) {
        size_t len = round ? t.len + sizeof bad : t.len;
        struct xt_reader *a, *b;
        struct xt_error ea, eb;
        assert_int_equal(xt_open_mem(&a, buf, len, "t.bin", &ea), 0);
        assert_int_equal(xt_open_mem(&b, buf, len, "t.bin", &eb), 0);
        assert_int_equal(xt_set_threaded(b, 1), 0);
        struct xt_record ra, rb;
        int rca, rcb;
        uint64_t n = 0;
        do {
            rca = xt_next(a, &ra, &ea);
            rcb = xt_next(b, &rb, &eb);
            assert_int_equal(rca, rcb);
            if (rca == 1) {
                assert_int_equal(ra.tsc, rb.tsc);
                assert_int_equal(ra.offset, rb.offset);
                assert_int_equal(ra.cpu, rb.cpu);
                assert_memory_equal(ra.extra, rb.extra, sizeof ra.extra[0] * ra.n_extra);
                n++;
            }
        } while (rca == 1);
        /* the broken chunk joins the merge beside its pCPU's previous chunk: the records
         * after it in time are not delivered */
        if (round)
            assert_true(n > 29900 && n < 30000);
        else
            assert_int_equal(n, 30000);
        assert_int_equal(rca, round ? -1 : 0);
        if (round) {
            assert_string_equal(ea.msg, eb.msg);
            assert_int_equal(xt_next(b, &rb, &eb), -1); /* stays failed */
        }
        assert_int_equal(xt_stats(a)->records, xt_stats(b)->records);
        assert_int_equal(xt_stats(a)->chunks, xt_stats(b)->chunks);
        xt_close(a);
        xt_close(b);
    }
    /* closing a threaded reader before the end stops its thread */
    struct xt_reader *c;
    struct xt_error ec;
    assert_int_equal(xt_open_mem(&c, t.data, t.len, "t.bin", &ec), 0);
    assert_int_equal(xt_set_threaded(c, 1), 0);
    struct xt_record rc1;
    assert_int_equal(xt_next(c, &rc1, &ec), 1);
    xt_close(c);
    free(buf);
    free(t.data);
}

/* Skipped records are not returned, except in each pCPU's first chunk; the last timestamp of
 * each pCPU and the record count still include them. Threaded or not, the same. */
static void test_skip_class_events(void **state)
{
    (void)state;
    struct tg *g = tg_mem_new(2, 64); /* 3 five-word records per chunk */
    uint32_t w[2] = {0, 0};
    for (uint64_t i = 0; i < 30; i++) {
        tg_wake(g, 0, 1000 + 10 * i, 1, 0);
        tg_rec(g, 0, 1001 + 10 * i, 0x00022215u, 2, w); /* credit2 SCHEDULE */
        tg_rec(g, 1, 1002 + 10 * i, 0x00022215u, 2, w);
    }
    tg_rec(g, 1, 5000, 0x00022215u, 2, w); /* pCPU1's last record, skipped */
    struct trace t = finish(g);
    for (int threaded = 0; threaded < 2; threaded++) {
        struct xt_reader *r;
        struct xt_error err;
        assert_int_equal(xt_open_mem(&r, t.data, t.len, "s.bin", &err), 0);
        xt_set_skip(r, 0x0ffff000u, 0x00022000u);
        if (threaded)
            assert_int_equal(xt_set_threaded(r, 1), 0);
        struct xt_record rec;
        uint64_t wakes = 0, cls[2] = {0, 0};
        while (xt_next(r, &rec, &err) == 1) {
            if (rec.event == 0x00028004u)
                wakes++;
            else
                cls[rec.cpu]++;
        }
        assert_int_equal(wakes, 30); /* never skipped */
        /* pCPU0's first chunk holds 1.5 calls' worth: wake, sched, wake; pCPU1's 3 scheds */
        assert_int_equal(cls[0], 1);
        assert_int_equal(cls[1], 3);
        const struct xt_stats *st = xt_stats(r);
        assert_int_equal(st->records, 91);
        assert_int_equal(st->skipped, 91 - 30 - 4);
        assert_int_equal(xt_cpu_last_tsc(r, 0), 1001 + 10 * 29);
        assert_int_equal(xt_cpu_last_tsc(r, 1), 5000);
        assert_int_equal(xt_cpu_last_tsc(r, 7), 0);
        xt_close(r);
    }
    free(t.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_two_cpus_in_time_order),
        cmocka_unit_test(test_records_without_tsc_take_previous),
        cmocka_unit_test(test_out_of_order_chunks_of_one_cpu),
        cmocka_unit_test(test_truncated_last_record_keeps_whole_ones),
        cmocka_unit_test(test_truncated_chunk_header),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_impossible_extra_word_count),
        cmocka_unit_test(test_chunk_size_too_big),
        cmocka_unit_test(test_leading_chunk_without_tsc),
        cmocka_unit_test(test_timestamp_jump_ignored),
        cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_tsc_above_32_bits),
        cmocka_unit_test(test_lost_records_decoded),
        cmocka_unit_test(test_decode_layouts),
        cmocka_unit_test(test_threaded_same_as_plain),
        cmocka_unit_test(test_skip_class_events),
    };
    return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
