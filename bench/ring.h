/* The shared ring of the `local` and `xen` transports: one page of control (request and
 * response slots, producer/consumer indexes, each end's state) followed by the payload area.
 * One client and one mediator; the client has at most one call outstanding, so the payload area
 * holds the payload of that call. How an end sleeps and wakes the other (a futex, an event
 * channel) is the transport's: see struct sm_ring_ep. */
#ifndef SMCLAT_BENCH_RING_H
#define SMCLAT_BENCH_RING_H

#include "proto.h"

#include <stdatomic.h>
#include <stdint.h>

#define SM_RING_MAGIC       0x534d5247u /* "SMRG" */
#define SM_RING_VERSION     1
#define SM_RING_SLOTS       8
#define SM_RING_CTRL_SIZE   4096u /* the payload area starts here */
#define SM_RING_PAGE_SIZE   4096u
#define SM_RING_MAX_PAYLOAD (1024u * 1024u)
#define SM_RING_ALIVE_MS    100 /* a waiting client checks the mediator is alive this often */
/* A well-behaved client wakes the mediator once per request (and once to say goodbye), so a
 * wake-up that brings nothing new is rare: at most one per request. Each request pays back one;
 * this many unpaid is a client flooding wake-ups. */
#define SM_RING_MAX_EMPTY_WAKES 64

enum sm_peer_state { SM_PEER_NONE = 0, SM_PEER_READY = 1, SM_PEER_CLOSED = 2 };

/* What the client can write is untrusted (another domain, at any moment). The mediator checks
 * it on every wake against what it keeps privately, and the first of these marks the client
 * broken: the mediator stops serving that ring (see docs/transports.md). */
enum sm_ring_violation {
    SM_RV_NONE = 0,
    SM_RV_HEADER,       /* magic, version, capacity, pid or server state not as written */
    SM_RV_SERVER_INDEX, /* req_cons or rsp_prod (the mediator's) changed by the client */
    SM_RV_CLIENT_STATE, /* client_state not none, ready or closed */
    SM_RV_REQ_PROD,     /* req_prod more than SM_RING_SLOTS past the mediator's consumer */
    SM_RV_RSP_CONS,     /* rsp_cons past rsp_prod, or more than SM_RING_SLOTS behind it */
    SM_RV_REQ_MAGIC,    /* a request without the protocol's magic */
    SM_RV_REQ_VERSION,  /* a request of another protocol version */
    SM_RV_REQ_LENGTH,   /* a payload length past the payload area */
    SM_RV_WAKE_FLOOD,   /* SM_RING_MAX_EMPTY_WAKES more empty wake-ups than requests */
    SM_RV_COUNT
};

struct sm_ring {
    uint32_t magic;
    uint32_t version;
    uint32_t payload_cap;
    uint32_t server_pid; /* local transport only (0 elsewhere) */
    _Atomic uint32_t server_state;
    _Atomic uint32_t client_state;
    _Alignas(64) _Atomic uint32_t req_prod;
    _Atomic uint32_t req_cons;
    _Atomic uint32_t req_waiters; /* local transport: ends asleep on req_prod */
    _Alignas(64) _Atomic uint32_t rsp_prod;
    _Atomic uint32_t rsp_cons;
    _Atomic uint32_t rsp_waiters;
    _Alignas(64) struct sm_request req[SM_RING_SLOTS];
    struct sm_response rsp[SM_RING_SLOTS];
};

_Static_assert(sizeof(struct sm_ring) <= SM_RING_CTRL_SIZE, "ring control must fit a page");

/* One end of a ring. */
struct sm_ring_ep {
    struct sm_ring *ring;
    unsigned char *payload; /* ring + SM_RING_CTRL_SIZE */
    uint32_t payload_cap;   /* this end's own copy: the shared one may change under it */
    /* Wakes the other end after *word changed. 0 or -1 (errno set). */
    int (*notify)(void *ctx, _Atomic uint32_t *word);
    /* Sleeps until *word != old, timeout_ms passes (-1: no limit) or a signal arrives.
     * Returns 0 (woken: check the word again; wakes may be spurious), -1 with errno set
     * (EINTR, ETIMEDOUT, other: failure). */
    int (*wait)(void *ctx, _Atomic uint32_t *word, uint32_t old, int timeout_ms);
    /* Optional: 0 when the other end is known to be gone (e.g. its process died). */
    int (*peer_alive)(void *ctx);
    void *ctx;
    uint64_t stale;   /* responses dropped because they answered an earlier (timed out) call */
    uint64_t wakeups; /* wait() returns */
    /* Mediator only (sm_ring_server_init): its own indexes and what it wrote in the header,
     * never re-read from shared memory, and the first protocol violation. */
    uint32_t req_cons, rsp_prod;
    uint32_t server_pid;
    uint32_t empty_wakes; /* wake-ups that brought nothing, less one per request */
    enum sm_ring_violation violation;
    char violation_msg[160];
};

/* Bytes of shared memory for a payload capacity (control page + payload, page-rounded). */
size_t sm_ring_size(uint32_t payload_cap);
/* The mediator formats a fresh ring (state NONE; it sets READY itself when it listens). */
void sm_ring_format(struct sm_ring *r, uint32_t payload_cap, uint32_t server_pid);
/* The mediator's private state for a ring it has just formatted with these values (taken from
 * its own options, not read back from the shared page the client may already write). */
void sm_ring_server_init(struct sm_ring_ep *ep, uint32_t payload_cap, uint32_t server_pid);
/* "header", "req_prod", ... (the summary's protocol_violation kind) */
const char *sm_ring_violation_name(enum sm_ring_violation v);
/* Checks a ring the client found: SM_OK, or SM_EPROTO (bad magic/version/capacity). */
enum sm_status sm_ring_check(const struct sm_ring *r, size_t mapped_size);

/* Client: one call. Copies payload_len bytes of payload (may be NULL when 0) into the payload
 * area, pushes the request, wakes the mediator and waits up to timeout_ms for the response
 * with the request's seq (older responses are dropped and counted in ep->stale). Returns
 * SM_OK or the mediator's error status, SM_ERING, SM_TIMEOUT, SM_EGONE, SM_EIO, SM_EBADRSP. */
enum sm_status sm_ring_call(struct sm_ring_ep *ep, const struct sm_request *req,
                            const void *payload, struct sm_response *rsp, int timeout_ms);

/* Mediator: takes the next request, checking the ring before and after any wait and the request
 * itself (one private copy, checked once): SM_RING_REQUEST (*req filled: magic, version and
 * payload length are right; the op may still be unknown), SM_RING_NONE (none within timeout_ms
 * or a signal: check your stop flag), SM_RING_FAILED (errno) or SM_RING_BROKEN (the client
 * broke the protocol, ep->violation says how; from then on it returns SM_RING_BROKEN at once
 * without touching the ring or waiting on it). */
#define SM_RING_FAILED  (-1)
#define SM_RING_NONE    0
#define SM_RING_REQUEST 1
#define SM_RING_BROKEN  2
int sm_ring_next(struct sm_ring_ep *ep, struct sm_request *req, int timeout_ms);
/* Mediator: posts a response and wakes the client. 0, or -1: the response ring is full (the
 * client stopped reading: errno ENOBUFS), the wake failed, or the ring is broken (EPROTO:
 * rsp_cons was out of range, ep->violation set; or given up on earlier). */
int sm_ring_reply(struct sm_ring_ep *ep, const struct sm_response *rsp);
/* Mediator: whether the client said goodbye and every request it sent was taken. */
int sm_ring_client_done(const struct sm_ring_ep *ep);

/* CLOCK_MONOTONIC in ns. */
uint64_t sm_now_ns(void);

#endif
