#include "transport.h"

#include <string.h>

static const struct sm_transport_ops *const transports[] = {
    &sm_transport_local, &sm_transport_xen,     &sm_transport_tee,
    &sm_transport_smc,   &sm_transport_smc_xen,
};

void sm_transport_opts_defaults(struct sm_transport_opts *o)
{
    memset(o, 0, sizeof *o);
    o->channel = "smclat";
    o->peer_domid = -1;
    o->payload_cap = 64 * 1024;
    o->call_timeout_ms = 1000;
    o->connect_timeout_ms = 10000;
    o->smc_device = "/dev/smclat-smc";
    o->tee_device = "/dev/tee0";
    o->tee_cmd = 0;
    /* OP-TEE's Linux driver issues every one of these ops as OPTEE_SMC_CALL_WITH_ARG
     * (optee_smc.h: a yielding standard call, 0x32000004) carrying OPTEE_MSG_CMD_REGISTER_SHM,
     * _INVOKE_COMMAND or _UNREGISTER_SHM: so is the default for all three. A Xen with the OP-TEE
     * mediator forwards it; Debian's Xen answers -1 (not supported). */
    for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++)
        o->smc_fid[op] = 0x32000004u;
}

const struct sm_transport_ops *sm_transport_find(const char *name)
{
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++)
        if (!strcmp(transports[i]->name, name))
            return transports[i];
    return NULL;
}

const char *sm_transport_names(void)
{
    return "local, xen, tee, smc, smc+xen";
}

const struct sm_server_ops *sm_server_find(const char *name)
{
    if (!strcmp(name, sm_server_local.name))
        return &sm_server_local;
    if (!strcmp(name, sm_server_xen.name))
        return &sm_server_xen;
    return NULL;
}

enum sm_status sm_ring_transport_call(struct sm_transport *t, struct sm_ring_ep *ep,
                                      struct sm_bench_call *c, int timeout_ms)
{
    struct sm_request req;
    struct sm_response rsp;
    sm_request_init(&req, c->op, c->seq, c->buf_id, c->payload_len);
    uint64_t stale0 = ep->stale;
    enum sm_status st = sm_ring_call(ep, &req, c->payload, &rsp, timeout_ms);
    t->stale += ep->stale - stale0;
    if (st != SM_OK)
        return st;
    c->result = rsp.result;
    return SM_OK;
}
