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

enum sm_peer_state { SM_PEER_NONE = 0, SM_PEER_READY = 1, SM_PEER_CLOSED = 2 };

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
};

/* Bytes of shared memory for a payload capacity (control page + payload, page-rounded). */
size_t sm_ring_size(uint32_t payload_cap);
/* The mediator formats a fresh ring (state NONE; it sets READY itself when it listens). */
void sm_ring_format(struct sm_ring *r, uint32_t payload_cap, uint32_t server_pid);
/* Checks a ring the client found: SM_OK, or SM_EPROTO (bad magic/version/capacity). */
enum sm_status sm_ring_check(const struct sm_ring *r, size_t mapped_size);

/* Client: one call. Copies payload_len bytes of payload (may be NULL when 0) into the payload
 * area, pushes the request, wakes the mediator and waits up to timeout_ms for the response
 * with the request's seq (older responses are dropped and counted in ep->stale). Returns
 * SM_OK or the mediator's error status, SM_ERING, SM_TIMEOUT, SM_EGONE, SM_EIO, SM_EBADRSP. */
enum sm_status sm_ring_call(struct sm_ring_ep *ep, const struct sm_request *req,
                            const void *payload, struct sm_response *rsp, int timeout_ms);

/* Mediator: takes the next request. 1: *req filled; 0: none within timeout_ms or a signal
 * (check your stop flag); -1: failure (errno). */
int sm_ring_next(struct sm_ring_ep *ep, struct sm_request *req, int timeout_ms);
/* Mediator: posts a response and wakes the client. 0, or -1 when the response ring is full
 * (the client stopped reading) or the wake failed. */
int sm_ring_reply(struct sm_ring_ep *ep, const struct sm_response *rsp);

/* CLOCK_MONOTONIC in ns. */
uint64_t sm_now_ns(void);

#endif
