/* What the mediator does with one request, apart from any transport: checks it, keeps the
 * buffer table, computes the result, counts. */
#ifndef SMCLAT_BENCH_MEDIATOR_CORE_H
#define SMCLAT_BENCH_MEDIATOR_CORE_H

#include "buftable.h"
#include "proto.h"
#include "ring.h"

#include <stdint.h>

struct sm_mediator {
    struct sm_buftable table;
    uint32_t payload_cap;
    uint64_t work_ns; /* emulated work per request (busy loop) */
    uint64_t requests;
    uint64_t by_op[SM_OP_COUNT];         /* SM_OP_NONE: unknown ops */
    uint64_t by_status[SM_STATUS_COUNT]; /* what was answered */
    uint64_t payload_bytes;
    uint64_t reply_dropped; /* the response ring was full */
};

int sm_mediator_init(struct sm_mediator *m, uint32_t table_cap, uint32_t payload_cap,
                     uint64_t work_ns);
void sm_mediator_free(struct sm_mediator *m);
/* Answers one request. payload is the shared payload area (req->payload_len bytes are read
 * for `process` once the request checked out). */
void sm_mediator_handle(struct sm_mediator *m, const struct sm_request *req, const void *payload,
                        struct sm_response *rsp);

/* One turn of a mediator's serve loop on a ring, shared by smclat-mediator and the stub domain
 * (stub/): takes the next request (waiting up to timeout_ms), answers it through the ring and
 * counts (a reply the ring could not take is m->reply_dropped). Returns sm_ring_next's code:
 * SM_RING_REQUEST (one answered), SM_RING_NONE, SM_RING_FAILED (errno) or SM_RING_BROKEN (the
 * client broke the protocol: ep->violation says how; stop serving it). */
int sm_mediator_step(struct sm_mediator *m, struct sm_ring_ep *ep, int timeout_ms);

#endif
