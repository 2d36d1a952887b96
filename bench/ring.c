#include "ring.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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

void sm_ring_server_init(struct sm_ring_ep *ep, uint32_t payload_cap, uint32_t server_pid)
{
    ep->payload_cap = payload_cap;
    ep->server_pid = server_pid;
    ep->req_cons = 0;
    ep->rsp_prod = 0;
    ep->empty_wakes = 0;
    ep->violation = SM_RV_NONE;
    ep->violation_msg[0] = '\0';
}

static const char *const violation_names[SM_RV_COUNT] = {
    [SM_RV_NONE] = "none",
    [SM_RV_HEADER] = "header",
    [SM_RV_SERVER_INDEX] = "server_index",
    [SM_RV_CLIENT_STATE] = "client_state",
    [SM_RV_REQ_PROD] = "req_prod",
    [SM_RV_RSP_CONS] = "rsp_cons",
    [SM_RV_REQ_MAGIC] = "req_magic",
    [SM_RV_REQ_VERSION] = "req_version",
    [SM_RV_REQ_LENGTH] = "req_length",
    [SM_RV_WAKE_FLOOD] = "wake_flood",
};

const char *sm_ring_violation_name(enum sm_ring_violation v)
{
    return (unsigned)v < SM_RV_COUNT ? violation_names[v] : "unknown";
}

/* Records the first violation; returns it. */
__attribute__((format(printf, 3, 4))) static enum sm_ring_violation
broken(struct sm_ring_ep *ep, enum sm_ring_violation v, const char *fmt, ...)
{
    if (ep->violation == SM_RV_NONE) {
        ep->violation = v;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ep->violation_msg, sizeof ep->violation_msg, fmt, ap);
        va_end(ap);
    }
    return ep->violation;
}

/* Every shared word the client can write, each read once; *prod_out: the req_prod checked. */
static enum sm_ring_violation check_shared(struct sm_ring_ep *ep, uint32_t *prod_out)
{
    struct sm_ring *r = ep->ring;
    if (ep->violation != SM_RV_NONE)
        return ep->violation;
    const volatile struct sm_ring *vr = r; /* each field read once, here */
    uint32_t magic = vr->magic, version = vr->version, cap = vr->payload_cap, pid = vr->server_pid;
    uint32_t sstate = atomic_load_explicit(&r->server_state, memory_order_relaxed);
    if (magic != SM_RING_MAGIC || version != SM_RING_VERSION || cap != ep->payload_cap ||
        pid != ep->server_pid || sstate != SM_PEER_READY)
        return broken(ep, SM_RV_HEADER,
                      "the ring's header was changed (magic 0x%08x, version %u, capacity %u, "
                      "pid %u, server state %u)",
                      magic, version, cap, pid, sstate);
    uint32_t rc = atomic_load_explicit(&r->req_cons, memory_order_relaxed);
    uint32_t rp = atomic_load_explicit(&r->rsp_prod, memory_order_relaxed);
    if (rc != ep->req_cons || rp != ep->rsp_prod)
        return broken(ep, SM_RV_SERVER_INDEX,
                      "the mediator's indexes were changed: req_cons %u (it wrote %u), rsp_prod "
                      "%u (it wrote %u)",
                      rc, ep->req_cons, rp, ep->rsp_prod);
    uint32_t cstate = atomic_load_explicit(&r->client_state, memory_order_relaxed);
    if (cstate > SM_PEER_CLOSED)
        return broken(ep, SM_RV_CLIENT_STATE, "client_state %u is not 0, 1 or 2", cstate);
    uint32_t prod = atomic_load_explicit(&r->req_prod, memory_order_acquire);
    if (prod - ep->req_cons > SM_RING_SLOTS)
        return broken(ep, SM_RV_REQ_PROD,
                      "req_prod %u is %u past the consumer %u (the ring has %u slots)", prod,
                      prod - ep->req_cons, ep->req_cons, SM_RING_SLOTS);
    uint32_t rcons = atomic_load_explicit(&r->rsp_cons, memory_order_relaxed);
    if (ep->rsp_prod - rcons > SM_RING_SLOTS)
        return broken(ep, SM_RV_RSP_CONS, "rsp_cons %u is out of range (rsp_prod %u, %u slots)",
                      rcons, ep->rsp_prod, SM_RING_SLOTS);
    *prod_out = prod;
    return SM_RV_NONE;
}

int sm_ring_next(struct sm_ring_ep *ep, struct sm_request *req, int timeout_ms)
{
    struct sm_ring *r = ep->ring;
    uint32_t prod;
    if (check_shared(ep, &prod) != SM_RV_NONE)
        return SM_RING_BROKEN;
    uint32_t cons = ep->req_cons;
    if (cons == prod) {
        if (ep->wait(ep->ctx, &r->req_prod, prod, timeout_ms) != 0) {
            if (errno == EINTR || errno == ETIMEDOUT || errno == EAGAIN)
                return SM_RING_NONE;
            return SM_RING_FAILED;
        }
        ep->wakeups++;
        if (check_shared(ep, &prod) != SM_RV_NONE)
            return SM_RING_BROKEN;
        if (cons == prod) {
            if (++ep->empty_wakes >= SM_RING_MAX_EMPTY_WAKES) {
                broken(ep, SM_RV_WAKE_FLOOD,
                       "%u more wake-ups that brought nothing than requests (at most one each)",
                       ep->empty_wakes);
                return SM_RING_BROKEN;
            }
            return SM_RING_NONE;
        }
    }
    if (ep->empty_wakes)
        ep->empty_wakes--; /* a request pays for one empty wake-up */
    /* One copy out of shared memory; only the copy is checked and used. */
    const volatile struct sm_request *src = &r->req[cons % SM_RING_SLOTS];
    struct sm_request q = {
        .magic = src->magic,
        .version = src->version,
        .op = src->op,
        .seq = src->seq,
        .buf_id = src->buf_id,
        .payload_len = src->payload_len,
        .reserved = src->reserved,
    };
    ep->req_cons = cons + 1;
    atomic_store_explicit(&r->req_cons, cons + 1, memory_order_release);
    if (q.magic != SM_PROTO_MAGIC) {
        broken(ep, SM_RV_REQ_MAGIC, "request %u: magic 0x%08x, expected 0x%08x", cons, q.magic,
               SM_PROTO_MAGIC);
        return SM_RING_BROKEN;
    }
    if (q.version != SM_PROTO_VERSION) {
        broken(ep, SM_RV_REQ_VERSION, "request %u: version %u, expected %u", cons, q.version,
               SM_PROTO_VERSION);
        return SM_RING_BROKEN;
    }
    if (q.payload_len > ep->payload_cap) {
        broken(ep, SM_RV_REQ_LENGTH, "request %u: payload of %u bytes, the area holds %u", cons,
               q.payload_len, ep->payload_cap);
        return SM_RING_BROKEN;
    }
    *req = q;
    return SM_RING_REQUEST;
}

int sm_ring_reply(struct sm_ring_ep *ep, const struct sm_response *rsp)
{
    struct sm_ring *r = ep->ring;
    if (ep->violation != SM_RV_NONE) {
        errno = EPROTO;
        return -1;
    }
    uint32_t prod = ep->rsp_prod;
    uint32_t cons = atomic_load_explicit(&r->rsp_cons, memory_order_acquire);
    if (prod - cons > SM_RING_SLOTS) {
        broken(ep, SM_RV_RSP_CONS, "rsp_cons %u is out of range (rsp_prod %u, %u slots)", cons,
               prod, SM_RING_SLOTS);
        errno = EPROTO;
        return -1;
    }
    if (prod - cons == SM_RING_SLOTS) {
        errno = ENOBUFS;
        return -1;
    }
    r->rsp[prod % SM_RING_SLOTS] = *rsp;
    ep->rsp_prod = prod + 1;
    atomic_store_explicit(&r->rsp_prod, prod + 1, memory_order_release);
    return ep->notify(ep->ctx, &r->rsp_prod);
}

int sm_ring_client_done(const struct sm_ring_ep *ep)
{
    const struct sm_ring *r = ep->ring;
    return atomic_load(&r->client_state) == SM_PEER_CLOSED &&
           atomic_load(&r->req_prod) == ep->req_cons;
}
