#include "ring.h"

#include <errno.h>
#include <string.h>
#include <time.h>

uint64_t sm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

size_t sm_ring_size(uint32_t payload_cap)
{
    size_t pages = (payload_cap + SM_RING_PAGE_SIZE - 1) / SM_RING_PAGE_SIZE;
    return SM_RING_CTRL_SIZE + pages * SM_RING_PAGE_SIZE;
}

void sm_ring_format(struct sm_ring *r, uint32_t payload_cap, uint32_t server_pid)
{
    memset(r, 0, sizeof *r);
    r->magic = SM_RING_MAGIC;
    r->version = SM_RING_VERSION;
    r->payload_cap = payload_cap;
    r->server_pid = server_pid;
    atomic_store(&r->server_state, SM_PEER_NONE);
    atomic_store(&r->client_state, SM_PEER_NONE);
}

enum sm_status sm_ring_check(const struct sm_ring *r, size_t mapped_size)
{
    if (mapped_size < SM_RING_CTRL_SIZE || r->magic != SM_RING_MAGIC ||
        r->version != SM_RING_VERSION)
        return SM_EPROTO;
    if (r->payload_cap > SM_RING_MAX_PAYLOAD || sm_ring_size(r->payload_cap) > mapped_size)
        return SM_EPROTO;
    return SM_OK;
}

/* Remaining ms to an absolute deadline (ns), at least 0; -1 when there is none. */
static int remaining_ms(uint64_t deadline_ns)
{
    if (!deadline_ns)
        return -1;
    uint64_t now = sm_now_ns();
    if (now >= deadline_ns)
        return 0;
    return (int)((deadline_ns - now + 999999) / 1000000);
}

enum sm_status sm_ring_call(struct sm_ring_ep *ep, const struct sm_request *req,
                            const void *payload, struct sm_response *rsp, int timeout_ms)
{
    struct sm_ring *r = ep->ring;
    if (atomic_load_explicit(&r->server_state, memory_order_acquire) != SM_PEER_READY)
        return SM_EGONE;
    if (req->payload_len > ep->payload_cap)
        return SM_EPROTO;

    /* Drop answers to earlier calls that timed out: they must never answer this one. */
    uint32_t cons = atomic_load_explicit(&r->rsp_cons, memory_order_relaxed);
    uint32_t prod = atomic_load_explicit(&r->rsp_prod, memory_order_acquire);
    if (cons != prod) {
        ep->stale += prod - cons;
        cons = prod;
        atomic_store_explicit(&r->rsp_cons, cons, memory_order_release);
    }

    uint32_t rp = atomic_load_explicit(&r->req_prod, memory_order_relaxed);
    uint32_t rc = atomic_load_explicit(&r->req_cons, memory_order_acquire);
    if (rp - rc >= SM_RING_SLOTS)
        return SM_ERING;
    if (req->payload_len)
        memcpy(ep->payload, payload, req->payload_len);
    r->req[rp % SM_RING_SLOTS] = *req;
    atomic_store_explicit(&r->req_prod, rp + 1, memory_order_release);
    if (ep->notify(ep->ctx, &r->req_prod) != 0)
        return SM_EIO;

    uint64_t deadline = timeout_ms < 0 ? 0 : sm_now_ns() + (uint64_t)timeout_ms * 1000000ull;
    for (;;) {
        prod = atomic_load_explicit(&r->rsp_prod, memory_order_acquire);
        while (cons != prod) {
            struct sm_response got = r->rsp[cons % SM_RING_SLOTS];
            cons++;
            atomic_store_explicit(&r->rsp_cons, cons, memory_order_release);
            if (got.seq == req->seq && got.magic == SM_PROTO_MAGIC) {
                *rsp = got;
                return sm_response_check(rsp, req);
            }
            ep->stale++;
        }
        if (atomic_load_explicit(&r->server_state, memory_order_acquire) != SM_PEER_READY)
            return SM_EGONE;
        int left = remaining_ms(deadline);
        if (left == 0)
            return SM_TIMEOUT;
        /* Sleep in slices of at most SM_RING_ALIVE_MS; only a slice that ran out asks whether
         * the mediator still exists (no extra syscall on the fast path). */
        int slice = left < 0 || left > SM_RING_ALIVE_MS ? SM_RING_ALIVE_MS : left;
        if (ep->wait(ep->ctx, &r->rsp_prod, prod, slice) != 0) {
            if (errno == ETIMEDOUT && ep->peer_alive && !ep->peer_alive(ep->ctx))
                return SM_EGONE;
            if (errno != EINTR && errno != ETIMEDOUT && errno != EAGAIN)
                return SM_EIO;
        }
        ep->wakeups++;
    }
}

int sm_ring_next(struct sm_ring_ep *ep, struct sm_request *req, int timeout_ms)
{
    struct sm_ring *r = ep->ring;
    uint32_t cons = atomic_load_explicit(&r->req_cons, memory_order_relaxed);
    uint32_t prod = atomic_load_explicit(&r->req_prod, memory_order_acquire);
    if (cons == prod) {
        if (ep->wait(ep->ctx, &r->req_prod, prod, timeout_ms) != 0) {
            if (errno == EINTR || errno == ETIMEDOUT || errno == EAGAIN)
                return 0;
            return -1;
        }
        ep->wakeups++;
        prod = atomic_load_explicit(&r->req_prod, memory_order_acquire);
        if (cons == prod)
            return 0;
    }
    *req = r->req[cons % SM_RING_SLOTS];
    atomic_store_explicit(&r->req_cons, cons + 1, memory_order_release);
    return 1;
}

int sm_ring_reply(struct sm_ring_ep *ep, const struct sm_response *rsp)
{
    struct sm_ring *r = ep->ring;
    uint32_t prod = atomic_load_explicit(&r->rsp_prod, memory_order_relaxed);
    uint32_t cons = atomic_load_explicit(&r->rsp_cons, memory_order_acquire);
    if (prod - cons >= SM_RING_SLOTS) {
        errno = ENOBUFS;
        return -1;
    }
    r->rsp[prod % SM_RING_SLOTS] = *rsp;
    atomic_store_explicit(&r->rsp_prod, prod + 1, memory_order_release);
    return ep->notify(ep->ctx, &r->rsp_prod);
}
