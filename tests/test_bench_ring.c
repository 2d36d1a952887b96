/* Unit tests: the shared ring over the real `local` transport (shared memory + futex), with the
 * mediator in a thread: round trips, error statuses, ring full, stale answers, mediator gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
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
    struct sm_call c = {
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(ring_full_then_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(mediator_gone, setup, teardown),
        cmocka_unit_test(no_mediator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
