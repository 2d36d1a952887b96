#include "proto.h"

#include <string.h>

static const char *const op_names[SM_OP_COUNT] = {
    [SM_OP_NONE] = "none",
    [SM_OP_REGISTER] = "register",
    [SM_OP_PROCESS] = "process",
    [SM_OP_UNREGISTER] = "unregister",
};

static const char *const status_names[SM_STATUS_COUNT] = {
    [SM_OK] = "ok",         [SM_ENOENT] = "enoent",   [SM_EFULL] = "efull",
    [SM_EPROTO] = "eproto", [SM_EIO] = "eio",         [SM_TIMEOUT] = "timeout",
    [SM_EGONE] = "egone",   [SM_ERING] = "ering",     [SM_EREFUSED] = "erefused",
    [SM_EPERM] = "eperm",   [SM_EBADRSP] = "ebadrsp",
};

const char *sm_op_name(enum sm_op op)
{
    return (unsigned)op < SM_OP_COUNT ? op_names[op] : "unknown";
}

enum sm_op sm_op_parse(const char *name)
{
    for (int i = SM_OP_REGISTER; i < SM_OP_COUNT; i++)
        if (!strcmp(name, op_names[i]))
            return (enum sm_op)i;
    return SM_OP_NONE;
}

const char *sm_status_name(enum sm_status st)
{
    return (unsigned)st < SM_STATUS_COUNT ? status_names[st] : "unknown";
}

void sm_request_init(struct sm_request *r, enum sm_op op, uint32_t seq, uint32_t buf_id,
                     uint32_t payload_len)
{
    memset(r, 0, sizeof *r);
    r->magic = SM_PROTO_MAGIC;
    r->version = SM_PROTO_VERSION;
    r->op = (uint16_t)op;
    r->seq = seq;
    r->buf_id = buf_id;
    r->payload_len = payload_len;
}

enum sm_status sm_request_check(const struct sm_request *r, uint32_t payload_cap)
{
    if (r->magic != SM_PROTO_MAGIC || r->version != SM_PROTO_VERSION)
        return SM_EPROTO;
    if (r->op <= SM_OP_NONE || r->op >= SM_OP_COUNT)
        return SM_EPROTO;
    if (r->payload_len > payload_cap)
        return SM_EPROTO;
    return SM_OK;
}

void sm_response_init(struct sm_response *rsp, const struct sm_request *req, enum sm_status st,
                      uint64_t result)
{
    memset(rsp, 0, sizeof *rsp);
    rsp->magic = SM_PROTO_MAGIC;
    rsp->status = (uint16_t)st;
    rsp->op = req->op;
    rsp->seq = req->seq;
    rsp->buf_id = req->buf_id;
    rsp->result = result;
}

enum sm_status sm_response_check(const struct sm_response *rsp, const struct sm_request *req)
{
    if (rsp->magic != SM_PROTO_MAGIC || rsp->seq != req->seq || rsp->op != req->op)
        return SM_EBADRSP;
    switch (rsp->status) {
    case SM_OK:
    case SM_ENOENT:
    case SM_EFULL:
    case SM_EPROTO:
        return (enum sm_status)rsp->status;
    default:
        return SM_EBADRSP;
    }
}

uint32_t sm_fnv1a(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

uint64_t sm_payload_checksum(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    uint64_t n = len;
    for (int i = 0; i < 8; i++) {
        h ^= (unsigned char)(n >> (8 * i));
        h *= 16777619u;
    }
    for (size_t i = 0; i < len; i += 64) {
        h ^= p[i];
        h *= 16777619u;
    }
    if (len) {
        h ^= p[len - 1];
        h *= 16777619u;
    }
    return h;
}

void sm_payload_fill(void *data, size_t len, uint32_t seq)
{
    unsigned char *p = data;
    uint32_t x = seq * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
}
