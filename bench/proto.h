/* The request/response protocol between smclat-gen and smclat-mediator, and the shared ring
 * both ends use on the `local` and `xen` transports.
 *
 * A call is one request (op, buffer id, payload length, sequence number) and one response
 * (status, result). Ops model a DRM player's calls into a TEE: register a shared buffer (the
 * result is the buffer id the mediator assigned), process a frame in it (the result is a
 * checksum of the payload, so the client can check the mediator really read it), unregister it.
 */
#ifndef SMCLAT_BENCH_PROTO_H
#define SMCLAT_BENCH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define SM_PROTO_MAGIC   0x534d4331u /* "SMC1" */
#define SM_PROTO_VERSION 1

enum sm_op {
    SM_OP_NONE = 0,
    SM_OP_REGISTER = 1,
    SM_OP_PROCESS = 2,
    SM_OP_UNREGISTER = 3,
    SM_OP_COUNT
};

/* Outcome of a call. The first group comes back from the mediator; the rest are found by the
 * client (or by a transport) and never cross the wire. The names are the calls.csv `status`
 * column and the keys of the summary's "errors" object. */
enum sm_status {
    SM_OK = 0,
    SM_ENOENT,   /* unknown buffer id */
    SM_EFULL,    /* buffer table full */
    SM_EPROTO,   /* bad magic, version, op or payload length */
    SM_EIO,      /* the transport failed (an I/O or ioctl error) */
    SM_TIMEOUT,  /* no answer in time */
    SM_EGONE,    /* the mediator is gone (closed the channel or died) */
    SM_ERING,    /* the request ring is full (the mediator is not consuming) */
    SM_EREFUSED, /* an SMC returned "not supported" (-1) */
    SM_EPERM,    /* no permission (device, TEE session) */
    SM_EBADRSP,  /* the response does not belong to the request or its result is wrong */
    SM_STATUS_COUNT
};

struct sm_request {
    uint32_t magic;
    uint16_t version;
    uint16_t op;
    uint32_t seq;
    uint32_t buf_id;
    uint32_t payload_len; /* bytes of payload in the shared payload area */
    uint32_t reserved;
};

struct sm_response {
    uint32_t magic;
    uint16_t status; /* enum sm_status, SM_OK..SM_EPROTO */
    uint16_t op;
    uint32_t seq;
    uint32_t buf_id;
    uint64_t result;
};

const char *sm_op_name(enum sm_op op);
/* Returns SM_OP_NONE for an unknown name. */
enum sm_op sm_op_parse(const char *name);
const char *sm_status_name(enum sm_status st);

void sm_request_init(struct sm_request *r, enum sm_op op, uint32_t seq, uint32_t buf_id,
                     uint32_t payload_len);
/* Checks a request as the mediator receives it. SM_OK or SM_EPROTO. */
enum sm_status sm_request_check(const struct sm_request *r, uint32_t payload_cap);
void sm_response_init(struct sm_response *rsp, const struct sm_request *req, enum sm_status st,
                      uint64_t result);
/* Checks that a response answers a request: SM_OK, SM_EBADRSP, or the status the mediator
 * returned (SM_ENOENT, SM_EFULL, SM_EPROTO). */
enum sm_status sm_response_check(const struct sm_response *rsp, const struct sm_request *req);

/* 32-bit FNV-1a of len bytes. */
uint32_t sm_fnv1a(const void *data, size_t len);
/* The checksum a `process` returns: FNV-1a of the payload's length and of one byte per 64
 * (every cache line, and the last byte). It proves the mediator read this call's payload
 * from the shared area (the bytes differ per frame) at a cost that does not grow with its
 * CPU: the full FNV of 4 KiB was ~200 us in the lab's deterministic mode. */
uint64_t sm_payload_checksum(const void *data, size_t len);
/* Fills a payload with bytes derived from seq, so each frame's checksum differs. */
void sm_payload_fill(void *data, size_t len, uint32_t seq);

#endif
