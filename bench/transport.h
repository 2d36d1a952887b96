/* One interface for every way smclat-gen reaches "the other side" (--transport NAME).
 *
 * Client side (smclat-gen): struct sm_transport_ops, one per transport, each in its own file:
 *   local    transport_local.c  shared memory ring + futex between two processes on one host
 *   xen      transport_xen.c    ring in granted pages + event channels between two DomUs
 *   tee      transport_tee.c    the kernel's TEE client UAPI on /dev/tee0 (OP-TEE)
 *   smc      transport_smc.c    one SMC/HVC per op through bench/kmod's device
 *   smc+xen  transport_smc.c    the SMC trap, then the xen round trip for the same op
 * Server side (smclat-mediator): struct sm_server_ops, for the ring transports (local, xen).
 *
 * Ownership: open() allocates what the transport needs in t->priv, close() frees it (also after
 * a failed open). Errors: open() returns -1 with one line in t->err (what failed and what to do).
 */
#ifndef SMCLAT_BENCH_TRANSPORT_H
#define SMCLAT_BENCH_TRANSPORT_H

#include "proto.h"
#include "ring.h"

#include <stdint.h>

/* Options shared by the transports; each reads the ones it knows. */
struct sm_transport_opts {
    const char *channel;    /* local: shared memory name; xen: xenstore subfolder */
    long peer_domid;        /* xen: the other domain (-1: from xenstore data/) */
    uint32_t payload_cap;   /* bytes of shared payload area */
    int call_timeout_ms;    /* per call */
    int connect_timeout_ms; /* waiting for the other end to appear */
    int wait_go;            /* xen client: wait for data/smclat/go before returning */
    /* smc, smc+xen */
    const char *smc_device; /* default /dev/smclat-smc */
    uint32_t smc_fid[SM_OP_COUNT];
    int smc_hvc;     /* 1: HVC conduit */
    int smc_irqs_on; /* 1: leave interrupts enabled around the call */
    /* tee */
    const char *tee_device; /* default /dev/tee0 */
    const char *tee_uuid;   /* TA UUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */
    long tee_cmd;           /* command id for `process` */
};

void sm_transport_opts_defaults(struct sm_transport_opts *o);

/* What a call asks and what came back. */
struct sm_bench_call {
    /* in */
    enum sm_op op;
    uint32_t seq;
    uint32_t buf_id;
    uint32_t payload_len;
    const void *payload;
    /* out */
    uint64_t result;     /* register: the new buffer id; process: payload checksum */
    int has_smc;         /* the fields below are set */
    int64_t smc_ret;     /* a0 as the firmware/Xen returned it */
    uint64_t trap_ticks; /* CNTVCT ticks around the SMC/HVC instruction alone */
};

struct sm_transport {
    const struct sm_transport_ops *ops;
    void *priv;
    uint64_t stale; /* late responses dropped (ring transports) */
    char err[384];
};

struct sm_transport_ops {
    const char *name;
    const char *what;       /* one line for --help and docs */
    int result_is_checksum; /* process returns sm_payload_checksum (the caller checks it) */
    int (*open)(struct sm_transport *t, const struct sm_transport_opts *o);
    /* One call; never blocks longer than the call timeout. */
    enum sm_status (*call)(struct sm_transport *t, struct sm_bench_call *c);
    /* Tells the other end the client is done (may be NULL). */
    void (*finish)(struct sm_transport *t);
    void (*close)(struct sm_transport *t);
};

/* NULL when unknown. */
const struct sm_transport_ops *sm_transport_find(const char *name);
/* "local, xen, tee, smc, smc+xen" */
const char *sm_transport_names(void);

extern const struct sm_transport_ops sm_transport_local;
extern const struct sm_transport_ops sm_transport_xen;
extern const struct sm_transport_ops sm_transport_tee;
extern const struct sm_transport_ops sm_transport_smc;
extern const struct sm_transport_ops sm_transport_smc_xen;

/* Ring-based client call shared by local and xen: maps a call onto the ring protocol. */
enum sm_status sm_ring_transport_call(struct sm_transport *t, struct sm_ring_ep *ep,
                                      struct sm_bench_call *c, int timeout_ms);

/* Mediator side. */
struct sm_server {
    const struct sm_server_ops *ops;
    void *priv;
    struct sm_ring_ep ep; /* set by open() */
    char err[384];
};

struct sm_server_ops {
    const char *name;
    /* The longest an idle server sleeps without a request (ms): a timed wake only bounds how
     * late a signal, or a goodbye the transport can miss, is seen. */
    int idle_ms;
    /* Creates the ring, publishes it and marks it READY. */
    int (*open)(struct sm_server *s, const struct sm_transport_opts *o);
    /* Marks the ring CLOSED (the client sees egone), unpublishes, frees. */
    void (*close)(struct sm_server *s);
};

const struct sm_server_ops *sm_server_find(const char *name);
extern const struct sm_server_ops sm_server_local;
extern const struct sm_server_ops sm_server_xen;

#endif
