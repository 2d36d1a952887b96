/* libFuzzer target: the mediator's request handling against a client that writes anything.
 * The input is a ring (its payload capacity, the buffer table's size) and a list of client
 * steps; after each step the mediator takes and answers what the ring holds, as
 * smclat-mediator does (sm_ring_next, sm_mediator_handle, sm_ring_reply), with fake wake-ups.
 *
 * Input: byte 0 capacity (0, 64, 4096 or 5000 bytes, low 2 bits), byte 1 table size (1-8),
 * then steps, each an opcode byte (mod 7) and its operands:
 *   0 SLOT REQ[24]   write a request slot     1 REQ[24]          publish a request as bytes
 *   2 OP BUF LEN[2]  publish a well-formed request                3 WORD VAL[4]  write any
 *   word of the control page (header, indexes, states)   4 read every response (rsp_cons)
 *   5 OFF[2] BYTE    write a payload byte     6 wake the mediator (its next wait returns)
 *
 * Checked: every request handed out has the magic, version and a payload length within the
 * mediator's own capacity (ASan sees any read past the area: the ring is allocated to size);
 * every status answered is one the protocol has; between two client steps at most
 * SM_RING_SLOTS requests are taken (no spinning on a ring); once the client is found broken,
 * the mediator never writes the ring or waits on it again; the private indexes are what it
 * published; the wake-up count stays under the flood limit unless broken. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mediator_core.h"
#include "ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    int wake; /* the next wait returns a wake-up */
    int waits;
};

static int fz_notify(void *ctx, _Atomic uint32_t *word)
{
    (void)ctx;
    (void)word;
    return 0;
}

static int fz_wait(void *ctx, _Atomic uint32_t *word, uint32_t old, int timeout_ms)
{
    struct fz *f = ctx;
    (void)word;
    (void)old;
    (void)timeout_ms;
    f->waits++;
    if (f->wake) {
        f->wake = 0;
        return 0;
    }
    errno = ETIMEDOUT;
    return -1;
}

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void push(struct sm_ring *r, const void *req)
{
    uint32_t prod = atomic_load(&r->req_prod);
    memcpy(&r->req[prod % SM_RING_SLOTS], req, sizeof(struct sm_request));
    atomic_store(&r->req_prod, prod + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t caps[4] = {0, 64, 4096, 5000};
    if (size < 2)
        return 0;
    uint32_t cap = caps[data[0] & 3];
    uint32_t table = 1 + data[1] % 8;
    size_t ring_size = sm_ring_size(cap);
    unsigned char *mem = calloc(1, ring_size);
    unsigned char *snap = malloc(ring_size);
    struct sm_mediator m;
    if (!mem || !snap || sm_mediator_init(&m, table, cap, 0) != 0)
        abort();
    struct sm_ring *r = (struct sm_ring *)mem;
    sm_ring_format(r, cap, 42);
    struct fz f = {0};
    struct sm_ring_ep ep = {
        .ring = r,
        .payload = mem + SM_RING_CTRL_SIZE,
        .notify = fz_notify,
        .wait = fz_wait,
        .ctx = &f,
    };
    sm_ring_server_init(&ep, cap, 42);
    atomic_store(&r->server_state, SM_PEER_READY);
    atomic_store(&r->client_state, SM_PEER_READY);

    size_t pos = 2;
    while (pos < size) {
        uint8_t op = data[pos++] % 7;
        const uint8_t *a = data + pos;
        size_t left = size - pos;
        switch (op) {
        case 0:
            if (left < 1 + sizeof(struct sm_request))
                goto out;
            memcpy(&r->req[a[0] % SM_RING_SLOTS], a + 1, sizeof(struct sm_request));
            pos += 1 + sizeof(struct sm_request);
            break;
        case 1:
            if (left < sizeof(struct sm_request))
                goto out;
            push(r, a);
            pos += sizeof(struct sm_request);
            break;
        case 2: {
            if (left < 4)
                goto out;
            struct sm_request q;
            sm_request_init(&q, (enum sm_op)(a[0] % 5), (uint32_t)pos, a[1] % 4,
                            (uint32_t)a[2] | (uint32_t)a[3] << 8);
            push(r, &q);
            pos += 4;
            break;
        }
        case 3:
            if (left < 5)
                goto out;
            ((volatile uint32_t *)r)[a[0] % (sizeof *r / 4)] = u32(a + 1);
            pos += 5;
            break;
        case 4:
            atomic_store(&r->rsp_cons, atomic_load(&r->rsp_prod));
            break;
        case 5:
            if (left < 3)
                goto out;
            if (cap)
                ep.payload[((uint32_t)a[0] | (uint32_t)a[1] << 8) % cap] = a[2];
            pos += 3;
            break;
        default:
            f.wake = 1;
            break;
        }

        /* The mediator's turn: take and answer until the ring has nothing (or is broken). */
        int was_broken = ep.violation != SM_RV_NONE;
        int waits0 = f.waits;
        memcpy(snap, mem, ring_size);
        int taken = 0, got = SM_RING_NONE;
        for (int i = 0; i < 4 * SM_RING_SLOTS; i++) {
            struct sm_request q;
            got = sm_ring_next(&ep, &q, 0);
            if (got != SM_RING_REQUEST)
                break;
            taken++;
            if (q.magic != SM_PROTO_MAGIC || q.version != SM_PROTO_VERSION || q.payload_len > cap)
                __builtin_trap();
            struct sm_response rsp;
            sm_mediator_handle(&m, &q, ep.payload, &rsp);
            if (rsp.status > SM_EPROTO || rsp.seq != q.seq || rsp.magic != SM_PROTO_MAGIC)
                __builtin_trap();
            if (sm_ring_reply(&ep, &rsp) != 0 && errno != ENOBUFS && errno != EPROTO)
                __builtin_trap();
        }
        if (taken > SM_RING_SLOTS)
            __builtin_trap(); /* more requests than the client could have published */
        if (got == SM_RING_BROKEN && ep.violation == SM_RV_NONE)
            __builtin_trap();
        if (was_broken &&
            (got != SM_RING_BROKEN || f.waits != waits0 || memcmp(snap, mem, ring_size) != 0))
            __builtin_trap(); /* a ring given up on is left alone */
        if (ep.violation == SM_RV_NONE &&
            (atomic_load(&r->req_cons) != ep.req_cons || atomic_load(&r->rsp_prod) != ep.rsp_prod ||
             ep.empty_wakes >= SM_RING_MAX_EMPTY_WAKES))
            __builtin_trap();
    }
out:
    if (m.requests != m.by_status[SM_OK] + m.by_status[SM_ENOENT] + m.by_status[SM_EFULL] +
                          m.by_status[SM_EPROTO])
        __builtin_trap();
    sm_mediator_free(&m);
    free(snap);
    free(mem);
    return 0;
}
