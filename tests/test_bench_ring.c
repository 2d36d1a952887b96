/* Unit tests: the shared ring over the real `local` transport (shared memory + futex), with the
 * mediator in a thread: round trips, error statuses, ring full, stale answers, mediator gone.
 * Then the mediator's checks of what a client writes, on a ring in plain memory: every kind of
 * protocol violation, the ring left alone afterwards, and what is no violation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mediator_core.h"
#include "transport.h"

struct fixture {
    struct sm_server srv;
    struct sm_transport cli;
    struct sm_mediator med;
    pthread_t thread;
    int running;
    volatile int stop;
    char channel[64];
};

static void *serve(void *arg)
{
    struct fixture *f = arg;
    while (!f->stop) {
        struct sm_request q;
        struct sm_response r;
        int got = sm_ring_next(&f->srv.ep, &q, 20);
        if (got != SM_RING_NONE && got != SM_RING_REQUEST)
            break;
        if (got == SM_RING_REQUEST) {
            sm_mediator_handle(&f->med, &q, f->srv.ep.payload, &r);
            sm_ring_reply(&f->srv.ep, &r);
        }
    }
    return NULL;
}

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    snprintf(f.channel, sizeof f.channel, "unit-%d", (int)getpid());
    struct sm_transport_opts o;
    sm_transport_opts_defaults(&o);
    o.channel = f.channel;
    o.payload_cap = 4096;
    o.call_timeout_ms = 50; /* short: the ring-full test waits for 8 timeouts */
    o.connect_timeout_ms = 1000;
    if (sm_mediator_init(&f.med, 2, o.payload_cap, 0) != 0)
        return -1;
    f.srv.ops = &sm_server_local;
    if (sm_server_local.open(&f.srv, &o) != 0) {
        fprintf(stderr, "server: %s\n", f.srv.err);
        return -1;
    }
    f.cli.ops = &sm_transport_local;
    if (sm_transport_local.open(&f.cli, &o) != 0) {
        fprintf(stderr, "client: %s\n", f.cli.err);
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->running) {
        f->stop = 1;
        pthread_join(f->thread, NULL);
    }
    sm_transport_local.close(&f->cli);
    sm_server_local.close(&f->srv);
    sm_mediator_free(&f->med);
    return 0;
}

static void start(struct fixture *f)
{
    f->stop = 0;
    assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
    f->running = 1;
}

static void stop(struct fixture *f)
{
    f->stop = 1;
    pthread_join(f->thread, NULL);
    f->running = 0;
}

static enum sm_status call(struct fixture *f, enum sm_op op, uint32_t seq, uint32_t buf,
                           const void *payload, uint32_t len, uint64_t *result)
{
    struct sm_bench_call c = {
        .op = op, .seq = seq, .buf_id = buf, .payload = payload, .payload_len = len};
    enum sm_status st = f->cli.ops->call(&f->cli, &c);
    if (result)
        *result = c.result;
    return st;
}

static void round_trips(void **state)
{
    struct fixture *f = *state;
    start(f);
    unsigned char p[1000];
    sm_payload_fill(p, sizeof p, 9);
    uint64_t id, sum;
    assert_int_equal(call(f, SM_OP_REGISTER, 1, 0, NULL, 0, &id), SM_OK);
    assert_int_equal(call(f, SM_OP_PROCESS, 2, (uint32_t)id, p, sizeof p, &sum), SM_OK);
    assert_int_equal(sum, sm_payload_checksum(p, sizeof p)); /* the mediator read the payload */
    assert_int_equal(call(f, SM_OP_PROCESS, 3, (uint32_t)id + 100, p, 10, NULL), SM_ENOENT);
    assert_int_equal(call(f, SM_OP_REGISTER, 4, 0, NULL, 0, NULL), SM_OK);
    assert_int_equal(call(f, SM_OP_REGISTER, 5, 0, NULL, 0, NULL), SM_EFULL); /* table of 2 */
    assert_int_equal(call(f, SM_OP_UNREGISTER, 6, (uint32_t)id, NULL, 0, NULL), SM_OK);
    assert_int_equal(call(f, SM_OP_UNREGISTER, 7, (uint32_t)id, NULL, 0, NULL), SM_ENOENT);
    /* an op the mediator does not know */
    assert_int_equal(call(f, (enum sm_op)9, 8, 0, NULL, 0, NULL), SM_EPROTO);
    /* a payload larger than the shared area never leaves the client */
    static unsigned char big[8192];
    assert_int_equal(call(f, SM_OP_PROCESS, 9, 1, big, sizeof big, NULL), SM_EPROTO);
    stop(f);
    assert_int_equal(f->med.requests, 8);
}

static void ring_full_then_stale(void **state)
{
    struct fixture *f = *state;
    /* No mediator thread: every call times out and stays in the ring until it is full. */
    int timeouts = 0, full = 0;
    for (uint32_t seq = 100; seq < 100 + SM_RING_SLOTS + 2; seq++) {
        enum sm_status st = call(f, SM_OP_REGISTER, seq, 0, NULL, 0, NULL);
        timeouts += st == SM_TIMEOUT;
        full += st == SM_ERING;
    }
    assert_int_equal(timeouts, SM_RING_SLOTS);
    assert_int_equal(full, 2);
    /* The mediator comes back: it answers the 8 old requests; the next call gets its own
     * answer and the old ones are dropped as stale. */
    start(f);
    uint64_t stale0 = f->cli.stale;
    usleep(100000);
    assert_int_equal(call(f, SM_OP_REGISTER, 500, 0, NULL, 0, NULL), SM_EFULL);
    assert_int_equal(f->cli.stale - stale0, SM_RING_SLOTS);
    stop(f);
}

static void mediator_gone(void **state)
{
    struct fixture *f = *state;
    start(f);
    assert_int_equal(call(f, SM_OP_REGISTER, 1, 0, NULL, 0, NULL), SM_OK);
    stop(f);
    sm_server_local.close(&f->srv); /* marks the ring closed, wakes the client */
    f->srv.priv = NULL;
    assert_int_equal(call(f, SM_OP_REGISTER, 2, 0, NULL, 0, NULL), SM_EGONE);
}

static void no_mediator(void **state)
{
    (void)state;
    struct sm_transport_opts o;
    sm_transport_opts_defaults(&o);
    o.channel = "unit-nobody-listens";
    o.connect_timeout_ms = 50;
    struct sm_transport t = {.ops = &sm_transport_local};
    assert_int_equal(sm_transport_local.open(&t, &o), -1);
    assert_non_null(strstr(t.err, "no mediator on channel"));
    sm_transport_local.close(&t);
    o.channel = "bad/name";
    assert_int_equal(sm_transport_local.open(&t, &o), -1);
    assert_non_null(strstr(t.err, "--channel"));
    sm_transport_local.close(&t);
}

/* ---- the mediator's checks on what the client writes (a ring in plain memory, fake wakes) ---- */

struct fake {
    struct sm_ring_ep ep;
    unsigned char *mem;
    size_t size;
    int wake_returns; /* wait(): 1 -> returns 0 (a wake-up), 0 -> times out */
    int waits;
};

static int fake_notify(void *ctx, _Atomic uint32_t *word)
{
    (void)ctx;
    (void)word;
    return 0;
}

static int fake_wait(void *ctx, _Atomic uint32_t *word, uint32_t old, int timeout_ms)
{
    struct fake *f = ctx;
    (void)word;
    (void)old;
    (void)timeout_ms;
    f->waits++;
    if (f->wake_returns)
        return 0;
    errno = ETIMEDOUT;
    return -1;
}

static void fake_init(struct fake *f, uint32_t cap)
{
    memset(f, 0, sizeof *f);
    f->size = sm_ring_size(cap);
    f->mem = calloc(1, f->size);
    assert_non_null(f->mem);
    sm_ring_format((struct sm_ring *)f->mem, cap, 1234);
    f->ep.ring = (struct sm_ring *)f->mem;
    f->ep.payload = f->mem + SM_RING_CTRL_SIZE;
    f->ep.notify = fake_notify;
    f->ep.wait = fake_wait;
    f->ep.ctx = f;
    sm_ring_server_init(&f->ep, cap, 1234);
    atomic_store(&f->ep.ring->server_state, SM_PEER_READY);
    atomic_store(&f->ep.ring->client_state, SM_PEER_READY);
}

/* The client side, by hand: one request published. */
static void fake_push(struct fake *f, const struct sm_request *q)
{
    struct sm_ring *r = f->ep.ring;
    uint32_t prod = atomic_load(&r->req_prod);
    r->req[prod % SM_RING_SLOTS] = *q;
    atomic_store(&r->req_prod, prod + 1);
}

/* After a violation the ring is never written or waited on again. */
static void assert_given_up(struct fake *f, enum sm_ring_violation want)
{
    assert_int_equal(f->ep.violation, want);
    assert_true(f->ep.violation_msg[0] != '\0');
    unsigned char *snap = malloc(f->size);
    assert_non_null(snap);
    memcpy(snap, f->mem, f->size);
    int waits = f->waits;
    struct sm_request q;
    struct sm_response rsp;
    sm_request_init(&q, SM_OP_REGISTER, 1, 0, 0);
    sm_response_init(&rsp, &q, SM_OK, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sm_ring_next(&f->ep, &q, 100), SM_RING_BROKEN);
        errno = 0;
        assert_int_equal(sm_ring_reply(&f->ep, &rsp), -1);
        assert_int_equal(errno, EPROTO);
    }
    assert_int_equal(f->waits, waits);
    assert_memory_equal(snap, f->mem, f->size);
    assert_int_equal(f->ep.violation, want); /* the first one stays */
    free(snap);
    free(f->mem);
}

static void violations(void **state)
{
    (void)state;
    struct fake f;
    struct sm_request q, good;
    sm_request_init(&good, SM_OP_PROCESS, 7, 1, 64);

    fake_init(&f, 4096); /* the producer run past the ring */
    atomic_store(&f.ep.ring->req_prod, SM_RING_SLOTS + 1);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_non_null(strstr(f.ep.violation_msg, "req_prod 9"));
    assert_given_up(&f, SM_RV_REQ_PROD);

    fake_init(&f, 4096); /* ... or behind the consumer (wraps to far ahead) */
    atomic_store(&f.ep.ring->req_prod, UINT32_MAX);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_REQ_PROD);

    fake_init(&f, 4096); /* no magic */
    q = good;
    q.magic = 0x12345678;
    fake_push(&f, &q);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_REQ_MAGIC);

    fake_init(&f, 4096); /* another version */
    q = good;
    q.version = 2;
    fake_push(&f, &q);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_REQ_VERSION);

    fake_init(&f, 4096); /* a payload one byte past the area */
    q = good;
    q.payload_len = 4097;
    fake_push(&f, &q);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_REQ_LENGTH);

    /* header words the mediator wrote */
    for (int w = 0; w < 5; w++) {
        fake_init(&f, 4096);
        struct sm_ring *r = f.ep.ring;
        switch (w) {
        case 0:
            r->magic ^= 1;
            break;
        case 1:
            r->version = 9;
            break;
        case 2:
            r->payload_cap = 1u << 30; /* the mediator keeps reading its own 4096 */
            break;
        case 3:
            r->server_pid = 1;
            break;
        default:
            atomic_store(&r->server_state, SM_PEER_CLOSED);
            break;
        }
        assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
        assert_given_up(&f, SM_RV_HEADER);
    }

    fake_init(&f, 4096); /* the mediator's consumer index */
    atomic_store(&f.ep.ring->req_cons, 3);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_SERVER_INDEX);

    fake_init(&f, 4096); /* the mediator's response producer */
    atomic_store(&f.ep.ring->rsp_prod, 1);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_SERVER_INDEX);

    fake_init(&f, 4096);
    atomic_store(&f.ep.ring->client_state, 3);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_CLIENT_STATE);

    fake_init(&f, 4096); /* rsp_cons past rsp_prod, found when replying */
    fake_push(&f, &good);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_REQUEST);
    atomic_store(&f.ep.ring->rsp_cons, 1);
    struct sm_response rsp;
    sm_response_init(&rsp, &q, SM_OK, 0);
    errno = 0;
    assert_int_equal(sm_ring_reply(&f.ep, &rsp), -1);
    assert_int_equal(errno, EPROTO);
    assert_int_equal(atomic_load(&f.ep.ring->rsp_prod), 0); /* nothing answered */
    assert_given_up(&f, SM_RV_RSP_CONS);

    fake_init(&f, 4096); /* ... or found on the next wake */
    atomic_store(&f.ep.ring->rsp_cons, 100);
    assert_int_equal(sm_ring_next(&f.ep, &q, 0), SM_RING_BROKEN);
    assert_given_up(&f, SM_RV_RSP_CONS);
}

/* One request taken and answered (the client reads the answer). */
static void one_call(struct fake *f, const struct sm_request *good)
{
    struct sm_request q;
    fake_push(f, good);
    assert_int_equal(sm_ring_next(&f->ep, &q, 10), SM_RING_REQUEST);
    struct sm_response rsp;
    sm_response_init(&rsp, &q, SM_OK, 0);
    assert_int_equal(sm_ring_reply(&f->ep, &rsp), 0);
    atomic_store(&f->ep.ring->rsp_cons, atomic_load(&f->ep.ring->rsp_prod));
}

static void wake_flood(void **state)
{
    (void)state;
    struct fake f;
    struct sm_request q, good;
    sm_request_init(&good, SM_OP_REGISTER, 1, 0, 0);

    /* nothing but wake-ups: stopped at the limit */
    fake_init(&f, 0);
    f.wake_returns = 1;
    int none = 0, r;
    while ((r = sm_ring_next(&f.ep, &q, 10)) == SM_RING_NONE)
        none++;
    assert_int_equal(r, SM_RING_BROKEN);
    assert_int_equal(none, SM_RING_MAX_EMPTY_WAKES - 1);
    assert_non_null(strstr(f.ep.violation_msg, "wake-ups"));
    assert_given_up(&f, SM_RV_WAKE_FLOOD);

    /* one empty wake-up per call (a wake that lands after its request was taken): fine for
     * ever; and timeouts are not wake-ups */
    fake_init(&f, 0);
    for (int round = 0; round < 10 * SM_RING_MAX_EMPTY_WAKES; round++) {
        f.wake_returns = 1;
        assert_int_equal(sm_ring_next(&f.ep, &q, 10), SM_RING_NONE);
        f.wake_returns = 0;
        assert_int_equal(sm_ring_next(&f.ep, &q, 10), SM_RING_NONE);
        one_call(&f, &good);
    }
    assert_int_equal(f.ep.violation, SM_RV_NONE);

    /* two per call: each call pays for one, so the other ones add up to the limit */
    f.wake_returns = 1;
    int calls = 0;
    for (;;) {
        if ((r = sm_ring_next(&f.ep, &q, 10)) != SM_RING_NONE)
            break;
        if ((r = sm_ring_next(&f.ep, &q, 10)) != SM_RING_NONE)
            break;
        one_call(&f, &good);
        assert_true(++calls <= SM_RING_MAX_EMPTY_WAKES);
    }
    assert_int_equal(r, SM_RING_BROKEN);
    assert_true(calls >= SM_RING_MAX_EMPTY_WAKES - 2);
    assert_given_up(&f, SM_RV_WAKE_FLOOD);
}

/* What is merely wrong or merely full is no violation. */
static void not_violations(void **state)
{
    (void)state;
    struct fake f;
    struct sm_request q;
    fake_init(&f, 64);
    /* a full ring of requests, one with an op nobody knows, one with the whole area */
    for (uint32_t i = 0; i < SM_RING_SLOTS; i++) {
        sm_request_init(&q, SM_OP_PROCESS, i, 5, i == 1 ? 64 : 0);
        if (i == 3)
            q.op = 77;
        fake_push(&f, &q);
    }
    struct sm_mediator m;
    assert_int_equal(sm_mediator_init(&m, 1, 64, 0), 0);
    int got = 0, eproto = 0, enoent = 0;
    struct sm_request in;
    while (sm_ring_next(&f.ep, &in, 0) == SM_RING_REQUEST) {
        struct sm_response rsp;
        sm_mediator_handle(&m, &in, f.ep.payload, &rsp);
        eproto += rsp.status == SM_EPROTO;
        enoent += rsp.status == SM_ENOENT;
        assert_int_equal(sm_ring_reply(&f.ep, &rsp), 0);
        got++;
    }
    assert_int_equal(got, SM_RING_SLOTS);
    assert_int_equal(eproto, 1);
    assert_int_equal(enoent, SM_RING_SLOTS - 1);
    /* the client read no answer: the response ring is full, the next one is dropped (ENOBUFS) */
    fake_push(&f, &q);
    assert_int_equal(sm_ring_next(&f.ep, &in, 0), SM_RING_REQUEST);
    struct sm_response rsp;
    sm_response_init(&rsp, &in, SM_OK, 0);
    errno = 0;
    assert_int_equal(sm_ring_reply(&f.ep, &rsp), -1);
    assert_int_equal(errno, ENOBUFS);
    /* goodbye once every request was taken */
    assert_false(sm_ring_client_done(&f.ep));
    atomic_store(&f.ep.ring->client_state, SM_PEER_CLOSED);
    assert_true(sm_ring_client_done(&f.ep));
    assert_int_equal(sm_ring_next(&f.ep, &in, 0), SM_RING_NONE);
    assert_int_equal(f.ep.violation, SM_RV_NONE);
    sm_mediator_free(&m);
    free(f.mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(ring_full_then_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(mediator_gone, setup, teardown),
        cmocka_unit_test(no_mediator),
        cmocka_unit_test(violations),
        cmocka_unit_test(wake_flood),
        cmocka_unit_test(not_violations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
