/* Unit tests: the request/response protocol, the buffer table and the mediator's handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buftable.h"
#include "mediator_core.h"
#include "proto.h"

static void names_round_trip(void **state)
{
    (void)state;
    for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++)
        assert_int_equal(sm_op_parse(sm_op_name((enum sm_op)op)), op);
    assert_int_equal(sm_op_parse("frobnicate"), SM_OP_NONE);
    assert_string_equal(sm_status_name(SM_OK), "ok");
    assert_string_equal(sm_status_name(SM_EFULL), "efull");
    assert_string_equal(sm_status_name((enum sm_status)999), "unknown");
    /* every status has a distinct name */
    for (int a = 0; a < SM_STATUS_COUNT; a++)
        for (int b = a + 1; b < SM_STATUS_COUNT; b++)
            assert_string_not_equal(sm_status_name((enum sm_status)a),
                                    sm_status_name((enum sm_status)b));
}

static void request_checks(void **state)
{
    (void)state;
    struct sm_request r;
    sm_request_init(&r, SM_OP_PROCESS, 7, 3, 100);
    assert_int_equal(sm_request_check(&r, 100), SM_OK);
    assert_int_equal(sm_request_check(&r, 99), SM_EPROTO); /* payload too long */
    r.op = 9;
    assert_int_equal(sm_request_check(&r, 100), SM_EPROTO);
    sm_request_init(&r, SM_OP_REGISTER, 1, 0, 0);
    r.magic ^= 1;
    assert_int_equal(sm_request_check(&r, 100), SM_EPROTO);
    sm_request_init(&r, SM_OP_REGISTER, 1, 0, 0);
    r.version = SM_PROTO_VERSION + 1;
    assert_int_equal(sm_request_check(&r, 100), SM_EPROTO);
}

static void response_checks(void **state)
{
    (void)state;
    struct sm_request q;
    struct sm_response r;
    sm_request_init(&q, SM_OP_UNREGISTER, 42, 5, 0);
    sm_response_init(&r, &q, SM_ENOENT, 0);
    assert_int_equal(sm_response_check(&r, &q), SM_ENOENT);
    sm_response_init(&r, &q, SM_OK, 0);
    assert_int_equal(sm_response_check(&r, &q), SM_OK);
    r.seq = 41; /* an answer to another call */
    assert_int_equal(sm_response_check(&r, &q), SM_EBADRSP);
    sm_response_init(&r, &q, SM_TIMEOUT, 0); /* never sent by a mediator */
    assert_int_equal(sm_response_check(&r, &q), SM_EBADRSP);
}

static void checksum(void **state)
{
    (void)state;
    /* FNV-1a 32-bit reference values (the published test vectors) */
    assert_int_equal(sm_fnv1a("", 0), 0x811c9dc5u);
    assert_int_equal(sm_fnv1a("a", 1), 0xe40c292cu);
    assert_int_equal(sm_fnv1a("foobar", 6), 0xbf9cf968u);
    unsigned char a[256], b[256];
    sm_payload_fill(a, sizeof a, 1);
    sm_payload_fill(b, sizeof b, 2);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_not_equal(sm_payload_checksum(a, sizeof a), sm_payload_checksum(b, sizeof b));
    /* the checksum covers the length, every cache line's first byte and the last byte */
    uint64_t base = sm_payload_checksum(a, sizeof a);
    assert_int_not_equal(sm_payload_checksum(a, sizeof a - 1), base);
    for (size_t i = 0; i < sizeof a; i += 64) {
        a[i] ^= 1;
        assert_int_not_equal(sm_payload_checksum(a, sizeof a), base);
        a[i] ^= 1;
    }
    a[sizeof a - 1] ^= 1;
    assert_int_not_equal(sm_payload_checksum(a, sizeof a), base);
    a[sizeof a - 1] ^= 1;
    a[1] ^= 1; /* not sampled */
    assert_int_equal(sm_payload_checksum(a, sizeof a), base);
    assert_int_equal(sm_payload_checksum("", 0), sm_payload_checksum("x", 0));
}

static void buftable(void **state)
{
    (void)state;
    struct sm_buftable t;
    uint32_t a, b, c;
    assert_int_equal(sm_buftable_init(&t, 2), 0);
    assert_int_equal(sm_buftable_add(&t, &a), SM_OK);
    assert_int_equal(sm_buftable_add(&t, &b), SM_OK);
    assert_int_not_equal(a, 0);
    assert_int_not_equal(a, b);
    assert_int_equal(sm_buftable_add(&t, &c), SM_EFULL);
    assert_int_equal(sm_buftable_find(&t, a), SM_OK);
    assert_int_equal(sm_buftable_find(&t, 0), SM_ENOENT);
    assert_int_equal(sm_buftable_remove(&t, a), SM_OK);
    assert_int_equal(sm_buftable_remove(&t, a), SM_ENOENT); /* twice */
    assert_int_equal(sm_buftable_add(&t, &c), SM_OK);
    assert_int_not_equal(c, a); /* ids are not reused at once */
    assert_int_equal(sm_buftable_find(&t, a), SM_ENOENT);
    assert_int_equal(t.high_water, 2);
    sm_buftable_free(&t);
}

static void mediator_handles(void **state)
{
    (void)state;
    struct sm_mediator m;
    struct sm_request q;
    struct sm_response r;
    unsigned char payload[64];
    sm_payload_fill(payload, sizeof payload, 3);
    assert_int_equal(sm_mediator_init(&m, 1, sizeof payload, 0), 0);

    sm_request_init(&q, SM_OP_REGISTER, 0, 0, 0);
    sm_mediator_handle(&m, &q, payload, &r);
    assert_int_equal(r.status, SM_OK);
    uint32_t id = (uint32_t)r.result;

    sm_request_init(&q, SM_OP_REGISTER, 1, 0, 0);
    sm_mediator_handle(&m, &q, payload, &r);
    assert_int_equal(r.status, SM_EFULL);

    sm_request_init(&q, SM_OP_PROCESS, 2, id, sizeof payload);
    sm_mediator_handle(&m, &q, payload, &r);
    assert_int_equal(r.status, SM_OK);
    assert_int_equal(r.result, sm_payload_checksum(payload, sizeof payload));
    assert_int_equal(r.seq, 2);

    sm_request_init(&q, SM_OP_PROCESS, 3, id + 1, 8);
    sm_mediator_handle(&m, &q, payload, &r);
    assert_int_equal(r.status, SM_ENOENT);

    sm_request_init(&q, SM_OP_PROCESS, 4, id, sizeof payload + 1);
    sm_mediator_handle(&m, &q, payload, &r);
    assert_int_equal(r.status, SM_EPROTO);

    sm_request_init(&q, SM_OP_REGISTER, 5, 0, 0);
    q.op = 77;
    sm_mediator_handle(&m, &q, payload, &r);
    assert_int_equal(r.status, SM_EPROTO);

    sm_request_init(&q, SM_OP_UNREGISTER, 6, id, 0);
    sm_mediator_handle(&m, &q, payload, &r);
    assert_int_equal(r.status, SM_OK);

    assert_int_equal(m.requests, 7);
    assert_int_equal(m.by_op[SM_OP_NONE], 2); /* the two rejected as malformed */
    assert_int_equal(m.by_status[SM_OK], 3);
    assert_int_equal(m.by_status[SM_EFULL], 1);
    assert_int_equal(m.by_status[SM_ENOENT], 1);
    assert_int_equal(m.by_status[SM_EPROTO], 2);
    assert_int_equal(m.payload_bytes, sizeof payload);
    sm_mediator_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip), cmocka_unit_test(request_checks),
        cmocka_unit_test(response_checks),  cmocka_unit_test(checksum),
        cmocka_unit_test(buftable),         cmocka_unit_test(mediator_handles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
