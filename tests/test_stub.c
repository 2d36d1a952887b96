/* Unit tests of smclat-stub's host-testable parts. sm_mediator_step, the serve-loop turn
 * smclat-mediator and smclat-stub share, on a
 * ring in plain memory with a scripted client: good requests (the checksum the client checks),
 * an unknown op and an unknown buffer (error statuses, serving goes on), a request with a bad
 * magic, a payload length past the area, req_prod and rsp_cons out of range (protocol errors:
 * the client is stopped, the ring left alone); the client's goodbye. The stub's own formatter
 * (stub/stub_fmt.c, also the shared code's vsnprintf in the guest), its device-tree scan and
 * its boot arguments (stub/stub_fdt.c) on hand-built device trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mediator_core.h"
#include "stub_fdt.h"
#include "stub_fmt.h"

#define CAP 4096u

struct rig {
    unsigned char mem[SM_RING_CTRL_SIZE + CAP] __attribute__((aligned(64)));
    struct sm_ring_ep ep;
    struct sm_mediator med;
    int notified, waited;
};

static int fake_notify(void *ctx, _Atomic uint32_t *word)
{
    (void)word;
    ((struct rig *)ctx)->notified++;
    return 0;
}

/* Like the stub's wait: returns at once (a wake), the caller rechecks the ring. */
static int fake_wait(void *ctx, _Atomic uint32_t *word, uint32_t old, int timeout_ms)
{
    (void)word;
    (void)old;
    (void)timeout_ms;
    ((struct rig *)ctx)->waited++;
    return 0;
}

static struct rig *rig_new(void)
{
    struct rig *g = calloc(1, sizeof *g);
    assert_non_null(g);
    struct sm_ring *r = (struct sm_ring *)g->mem;
    sm_ring_format(r, CAP, 0);
    g->ep.ring = r;
    g->ep.payload = g->mem + SM_RING_CTRL_SIZE;
    g->ep.notify = fake_notify;
    g->ep.wait = fake_wait;
    g->ep.ctx = g;
    sm_ring_server_init(&g->ep, CAP, 0);
    atomic_store(&r->server_state, SM_PEER_READY);
    atomic_store(&r->client_state, SM_PEER_READY);
    assert_int_equal(sm_mediator_init(&g->med, 4, CAP, 0), 0);
    return g;
}

static void rig_free(struct rig *g)
{
    sm_mediator_free(&g->med);
    free(g);
}

/* The client's side: one request in the next slot. */
static void push(struct rig *g, const struct sm_request *q)
{
    struct sm_ring *r = g->ep.ring;
    uint32_t p = atomic_load(&r->req_prod);
    r->req[p % SM_RING_SLOTS] = *q;
    atomic_store(&r->req_prod, p + 1);
}

static const struct sm_response *last_rsp(struct rig *g)
{
    struct sm_ring *r = g->ep.ring;
    uint32_t p = atomic_load(&r->rsp_prod);
    assert_true(p > 0);
    atomic_store(&r->rsp_cons, p);
    return &r->rsp[(p - 1) % SM_RING_SLOTS];
}

static void test_good_and_error_statuses(void **state)
{
    (void)state;
    struct rig *g = rig_new();
    struct sm_request q;
    sm_request_init(&q, SM_OP_REGISTER, 1, 0, 0);
    push(g, &q);
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_REQUEST);
    const struct sm_response *r = last_rsp(g);
    assert_int_equal(r->status, SM_OK);
    uint32_t id = (uint32_t)r->result;
    assert_int_not_equal(id, 0);

    sm_payload_fill(g->ep.payload, 1000, 2);
    uint64_t want = sm_payload_checksum(g->ep.payload, 1000);
    sm_request_init(&q, SM_OP_PROCESS, 2, id, 1000);
    push(g, &q);
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_REQUEST);
    r = last_rsp(g);
    assert_int_equal(r->status, SM_OK);
    assert_int_equal(r->result, want);
    assert_int_equal(sm_response_check(r, &q), SM_OK);

    sm_request_init(&q, SM_OP_PROCESS, 3, id + 100, 10); /* unknown buffer */
    push(g, &q);
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_REQUEST);
    assert_int_equal(last_rsp(g)->status, SM_ENOENT);

    sm_request_init(&q, SM_OP_REGISTER, 4, 0, 0);
    q.op = 77; /* unknown op: an error status, not a violation */
    push(g, &q);
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_REQUEST);
    assert_int_equal(last_rsp(g)->status, SM_EPROTO);

    assert_int_equal(g->med.requests, 4);
    assert_int_equal(g->med.by_op[SM_OP_NONE], 1);
    assert_int_equal(g->med.by_status[SM_OK], 2);
    assert_int_equal(g->med.by_status[SM_ENOENT], 1);
    assert_int_equal(g->med.by_status[SM_EPROTO], 1);
    assert_int_equal(g->notified, 4);

    /* nothing new: a wake that brings nothing, then the client's goodbye */
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_NONE);
    assert_false(sm_ring_client_done(&g->ep));
    atomic_store(&g->ep.ring->client_state, SM_PEER_CLOSED);
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_NONE);
    assert_true(sm_ring_client_done(&g->ep));
    rig_free(g);
}

/* One broken request or index: SM_RING_BROKEN with the kind, and the ring is left alone. */
static void expect_broken(void (*breakit)(struct rig *), enum sm_ring_violation kind)
{
    struct rig *g = rig_new();
    breakit(g);
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_BROKEN);
    assert_int_equal(g->ep.violation, kind);
    assert_true(g->ep.violation_msg[0] != '\0');
    int n = g->notified, w = g->waited;
    uint32_t rp = atomic_load(&g->ep.ring->rsp_prod);
    assert_int_equal(sm_mediator_step(&g->med, &g->ep, -1), SM_RING_BROKEN);
    assert_int_equal(g->notified, n);
    assert_int_equal(g->waited, w);
    assert_int_equal(atomic_load(&g->ep.ring->rsp_prod), rp);
    rig_free(g);
}

static void bad_magic(struct rig *g)
{
    struct sm_request q;
    sm_request_init(&q, SM_OP_REGISTER, 1, 0, 0);
    q.magic = 0xdeadbeef;
    push(g, &q);
}

static void bad_length(struct rig *g)
{
    struct sm_request q;
    sm_request_init(&q, SM_OP_PROCESS, 1, 1, CAP + 1);
    push(g, &q);
}

static void bad_req_prod(struct rig *g)
{
    atomic_store(&g->ep.ring->req_prod, SM_RING_SLOTS + 5);
}

static void bad_rsp_cons(struct rig *g)
{
    struct sm_request q;
    sm_request_init(&q, SM_OP_REGISTER, 1, 0, 0);
    push(g, &q);
    atomic_store(&g->ep.ring->rsp_cons, 1000); /* past rsp_prod: the reply finds it */
}

static void test_protocol_errors(void **state)
{
    (void)state;
    expect_broken(bad_magic, SM_RV_REQ_MAGIC);
    expect_broken(bad_length, SM_RV_REQ_LENGTH);
    expect_broken(bad_req_prod, SM_RV_REQ_PROD);
    expect_broken(bad_rsp_cons, SM_RV_RSP_CONS);
}

/* The host build of stub_fmt.c writes through this. */
static char console[256];
void stub_console_write(const char *s, size_t n);
void stub_console_write(const char *s, size_t n)
{
    memcpy(console, s, n < sizeof console - 1 ? n : sizeof console - 1);
    console[n < sizeof console - 1 ? n : sizeof console - 1] = '\0';
}

static void test_stub_format(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(stub_fmt_into(b, sizeof b, "%u,%d,%ld,%x", 8u, -3, -1234567890123L, 0xbeefu),
                     strlen("8,-3,-1234567890123,beef"));
    assert_string_equal(b, "8,-3,-1234567890123,beef");
    stub_fmt_into(b, sizeof b, "[%08x] [%5s] [%-4u] [%c] %%", 0x1fu, "ab", 7u, 'z');
    assert_string_equal(b, "[0000001f] [   ab] [7   ] [z] %");
    /* cut to the buffer, the full length returned (as snprintf) */
    assert_int_equal(stub_fmt_into(b, 5, "%s", "abcdefgh"), 8);
    assert_string_equal(b, "abcd");
    stub_printf("port=%u ring-ref=%s", 3u, "8,9");
    assert_string_equal(console, "port=3 ring-ref=8,9");
}

/* A flattened device tree, built by hand: the nodes the stub reads, at depth 1. */
struct dtb {
    unsigned char b[1024];
    size_t n;
};

static void put32(struct dtb *d, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        d->b[d->n++] = (unsigned char)(v >> (8 * i));
}

static void put_name(struct dtb *d, const char *s)
{
    size_t len = strlen(s) + 1;
    memcpy(d->b + d->n, s, len);
    d->n += (len + 3) & ~(size_t)3;
}

/* PROP with the strings block "reg\0bootargs\0": nameoff 0 or 4 */
static void put_prop(struct dtb *d, uint32_t nameoff, const void *v, uint32_t len)
{
    put32(d, 3);
    put32(d, len);
    put32(d, nameoff);
    memcpy(d->b + d->n, v, len);
    d->n += (len + 3) & ~3u;
}

static void put_reg(struct dtb *d, uint64_t base, uint64_t size)
{
    unsigned char v[16];
    for (int i = 0; i < 8; i++) {
        v[i] = (unsigned char)(base >> (56 - 8 * i));
        v[8 + i] = (unsigned char)(size >> (56 - 8 * i));
    }
    put_prop(d, 0, v, 16);
}

/* with_hv: the /hypervisor node; the tree starts at offset 1 of buf (unaligned) */
static const unsigned char *build_dtb(struct dtb *d, int with_hv, const char *bootargs)
{
    memset(d, 0, sizeof *d);
    d->n = 1 + 40; /* header at 1, filled below */
    size_t st = d->n;
    put32(d, 1);
    put_name(d, "");
    put32(d, 1);
    put_name(d, "memory@40000000");
    put_reg(d, 0x40000000, 0x1000000);
    put32(d, 2);
    if (with_hv) {
        put32(d, 1);
        put_name(d, "hypervisor");
        put_reg(d, 0x38000000, 0x1000000);
        put32(d, 2);
    }
    put32(d, 1);
    put_name(d, "chosen");
    put_prop(d, 4, bootargs, (uint32_t)strlen(bootargs) + 1);
    put32(d, 2);
    put32(d, 2);
    put32(d, 9);
    size_t strs = d->n;
    memcpy(d->b + d->n, "reg\0bootargs\0", 13);
    d->n += 13;
    struct dtb h = {.n = 0};
    put32(&h, 0xd00dfeed);
    put32(&h, (uint32_t)(d->n - 1));
    put32(&h, (uint32_t)(st - 1));
    put32(&h, (uint32_t)(strs - 1));
    memcpy(d->b + 1, h.b, 16);
    return d->b + 1;
}

static void test_stub_fdt(void **state)
{
    (void)state;
    struct dtb d;
    struct stub_fdt f;
    const char *why = NULL;
    assert_int_equal(stub_fdt_scan(build_dtb(&d, 1, "peer=3 table=8"), &f, &why), 0);
    assert_int_equal(f.mem_base, 0x40000000);
    assert_int_equal(f.mem_size, 0x1000000);
    assert_int_equal(f.gnttab_base, 0x38000000);
    assert_string_equal(f.bootargs, "peer=3 table=8");
    assert_int_equal(stub_fdt_scan(build_dtb(&d, 0, "peer=3"), &f, &why), -1);
    assert_string_equal(why, "no /hypervisor reg (the grant-table region) in the device tree");
    const unsigned char *t = build_dtb(&d, 1, "");
    d.b[1] = 0; /* magic */
    assert_int_equal(stub_fdt_scan(t, &f, &why), -1);
    assert_string_equal(why, "no device tree magic at x0");
}

static void test_stub_bootargs(void **state)
{
    (void)state;
    const char *a = "peer=12 table=0 xpeer=5 work-us=250 payload=9x big=123456789";
    assert_int_equal(stub_bootarg(a, "peer"), 12);
    assert_int_equal(stub_bootarg(a, "table"), 0);
    assert_int_equal(stub_bootarg(a, "work-us"), 250);
    assert_int_equal(stub_bootarg(a, "payload"), -1); /* not a number */
    assert_int_equal(stub_bootarg(a, "big"), -1);     /* too large */
    assert_int_equal(stub_bootarg(a, "pee"), -1);
    assert_int_equal(stub_bootarg("", "peer"), -1);
    assert_int_equal(stub_bootarg("peer=", "peer"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_and_error_statuses),
        cmocka_unit_test(test_protocol_errors),
        cmocka_unit_test(test_stub_format),
        cmocka_unit_test(test_stub_fdt),
        cmocka_unit_test(test_stub_bootargs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
