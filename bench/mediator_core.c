#include "mediator_core.h"

#include <string.h>

int sm_mediator_init(struct sm_mediator *m, uint32_t table_cap, uint32_t payload_cap,
                     uint64_t work_ns)
{
    memset(m, 0, sizeof *m);
    m->payload_cap = payload_cap;
    m->work_ns = work_ns;
    return sm_buftable_init(&m->table, table_cap);
}

void sm_mediator_free(struct sm_mediator *m)
{
    sm_buftable_free(&m->table);
}

static void busy_wait(uint64_t ns)
{
    if (!ns)
        return;
    uint64_t end = sm_now_ns() + ns;
    while (sm_now_ns() < end)
        ;
}

void sm_mediator_handle(struct sm_mediator *m, const struct sm_request *req, const void *payload,
                        struct sm_response *rsp)
{
    uint64_t result = 0;
    enum sm_status st = sm_request_check(req, m->payload_cap);
    m->requests++;
    m->by_op[st == SM_OK ? req->op : SM_OP_NONE]++;
    busy_wait(m->work_ns);
    if (st == SM_OK) {
        switch ((enum sm_op)req->op) {
        case SM_OP_REGISTER: {
            uint32_t id = 0;
            st = sm_buftable_add(&m->table, &id);
            result = id;
            break;
        }
        case SM_OP_PROCESS:
            st = sm_buftable_find(&m->table, req->buf_id);
            if (st == SM_OK) {
                result = sm_payload_checksum(payload, req->payload_len);
                m->payload_bytes += req->payload_len;
            }
            break;
        case SM_OP_UNREGISTER:
            st = sm_buftable_remove(&m->table, req->buf_id);
            break;
        default:
            st = SM_EPROTO;
            break;
        }
    }
    m->by_status[st]++;
    sm_response_init(rsp, req, st, result);
}

int sm_mediator_step(struct sm_mediator *m, struct sm_ring_ep *ep, int timeout_ms)
{
    struct sm_request req;
    int r = sm_ring_next(ep, &req, timeout_ms);
    if (r != SM_RING_REQUEST)
        return r;
    struct sm_response rsp;
    sm_mediator_handle(m, &req, ep->payload, &rsp);
    if (sm_ring_reply(ep, &rsp) != 0 && ep->violation == SM_RV_NONE)
        m->reply_dropped++;
    return ep->violation != SM_RV_NONE ? SM_RING_BROKEN : SM_RING_REQUEST;
}
