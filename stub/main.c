/* smclat-stub: the mediator as a minimal stub domain (no Linux, no libc; docs/stub.md). It
 * grants its ring pages to the client domain and allocates an event channel port for it, says
 * so on its PV console ("SMCLAT-STUB-READY ring-ref=R0,R1,... port=P"; Dom0 copies them into
 * the xenstore nodes smclat-gen reads), then serves the ring with the same code as
 * smclat-mediator (bench/mediator_core.c, bench/ring.c), blocked in SCHEDOP_poll between calls.
 * It stops serving when the client says goodbye, breaks the protocol or unbinds its end,
 * prints its counters (the names of smclat-mediator's summary) and stays blocked until Dom0
 * destroys it (a fatal error crashes the domain instead).
 * Arguments (the xl config's extra=, in /chosen/bootargs): peer=DOMID (required),
 * table=N (64), payload=BYTES (65536), work-us=US (0). */
#include "mediator_core.h"
#include "ring.h"
#include "stub_fdt.h"
#include "stub_fmt.h"
#include "stub_xen.h"

#include <errno.h>
#include <string.h>
#include <xen/sched.h>
#include <xen/xen.h>

#define STUB_FIRST_REF 8u  /* grant refs 0-7 are the toolstack's (console, xenstore) */
#define STUB_MAX_PAGES 65u /* control page + 256 KiB of payload */

struct stub_cfg {
    long peer, table, payload, work_us;
};

static unsigned char ring_pages[STUB_MAX_PAGES * STUB_PAGE] __attribute__((aligned(STUB_PAGE)));
static uint32_t port;

void stub_exception(uint64_t esr, uint64_t elr, uint64_t far, uint64_t vec);
void stub_main(uint64_t dtb);

void stub_exception(uint64_t esr, uint64_t elr, uint64_t far, uint64_t vec)
{
    stub_printf("SMCLAT-STUB: error: exception (vector %lu) esr=0x%lx elr=0x%lx far=0x%lx\n",
                (unsigned long)vec, (unsigned long)esr, (unsigned long)elr, (unsigned long)far);
    stub_console_flush();
    stub_shutdown(SHUTDOWN_crash);
}

__attribute__((noreturn)) static void die(const char *what)
{
    stub_printf("SMCLAT-STUB: error: %s\n", what);
    stub_console_flush();
    stub_shutdown(SHUTDOWN_crash);
}

static void parse_args(const char *args, struct stub_cfg *c)
{
    c->peer = stub_bootarg(args, "peer");
    c->table = stub_bootarg(args, "table");
    c->payload = stub_bootarg(args, "payload");
    c->work_us = stub_bootarg(args, "work-us");
    if (c->table < 0)
        c->table = 64;
    if (c->payload < 0)
        c->payload = 64 * 1024;
    if (c->work_us < 0)
        c->work_us = 0;
    if (c->peer < 1 || c->peer >= DOMID_FIRST_RESERVED)
        die("no peer=DOMID (the client domain) in the boot arguments");
    if (c->table < 1 || c->table > 4096)
        die("table=N: expected 1 to 4096");
    if (sm_ring_size((uint32_t)c->payload) > sizeof ring_pages)
        die("payload=BYTES: at most 262144");
    if (c->work_us > 1000000)
        die("work-us=US: at most 1000000");
}

static int ring_notify(void *ctx, _Atomic uint32_t *word)
{
    (void)ctx;
    (void)word;
    if (stub_evtchn_send(port) != 0) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static int ring_wait(void *ctx, _Atomic uint32_t *word, uint32_t old, int timeout_ms)
{
    (void)ctx;
    (void)timeout_ms; /* no timer: the client's goodbye (or its unbinding) ends the wait */
    if (atomic_load_explicit(word, memory_order_acquire) != old)
        return 0;
    if (stub_evtchn_poll(port) != 0) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* Grants the ring's pages, allocates the port, formats the ring; prints the READY line. */
static void setup_channel(struct sm_ring_ep *ep, const struct stub_cfg *c, uint32_t npages)
{
    char refs[STUB_MAX_PAGES * 6];
    size_t off = 0;
    for (uint32_t i = 0; i < npages; i++) {
        stub_grant(STUB_FIRST_REF + i, (uint16_t)c->peer, ring_pages + i * STUB_PAGE);
        off += (size_t)stub_fmt_into(refs + off, sizeof refs - off, i ? ",%u" : "%u",
                                     STUB_FIRST_REF + i);
    }
    long p = stub_evtchn_alloc_unbound((uint16_t)c->peer);
    if (p < 0)
        die("EVTCHNOP_alloc_unbound for the client failed");
    port = (uint32_t)p;
    struct sm_ring *r = (struct sm_ring *)ring_pages;
    sm_ring_format(r, (uint32_t)c->payload, 0);
    memset(ep, 0, sizeof *ep);
    ep->ring = r;
    ep->payload = ring_pages + SM_RING_CTRL_SIZE;
    ep->notify = ring_notify;
    ep->wait = ring_wait;
    sm_ring_server_init(ep, (uint32_t)c->payload, 0);
    atomic_store(&r->server_state, SM_PEER_READY);
    stub_printf("SMCLAT-STUB-READY ring-ref=%s port=%u peer=%ld\n", refs, port, c->peer);
}

/* Serves until the client is done, breaks the protocol or goes; returns the stop reason. */
static const char *serve(struct sm_mediator *m, struct sm_ring_ep *ep)
{
    int was_bound = 0;
    for (;;) {
        int r = sm_mediator_step(m, ep, -1);
        if (r == SM_RING_BROKEN) {
            stub_printf("SMCLAT-STUB: protocol violation (%s): %s; not serving this client any "
                        "more\n",
                        sm_ring_violation_name(ep->violation), ep->violation_msg);
            return "protocol-violation";
        }
        if (r == SM_RING_FAILED) {
            stub_printf("SMCLAT-STUB: error: waiting for requests: SCHEDOP_poll failed\n");
            return "error";
        }
        if (r == SM_RING_NONE) {
            if (sm_ring_client_done(ep))
                return "client-done";
            int bound = stub_evtchn_connected(port);
            if (bound == 1)
                was_bound = 1;
            else if (was_bound) {
                stub_printf("SMCLAT-STUB: the client unbound its event channel: gone\n");
                return "client-gone";
            }
        }
    }
}

static void summary(const struct sm_mediator *m, const struct sm_ring_ep *ep, const char *stop,
                    uint64_t ticks)
{
    uint64_t ms = ticks * 1000 / stub_tick_hz();
    const char *v = ep->violation == SM_RV_NONE ? NULL : sm_ring_violation_name(ep->violation);
    stub_printf("SMCLAT-FILE-BEGIN mediator-summary.json\n{\n  \"smclat_mediator_summary\": 1,\n"
                "  \"mediator_kind\": \"stub\",\n  \"transport\": \"xen\",\n"
                "  \"stop_reason\": \"%s\",\n  \"duration_s\": %lu.%03lu,\n"
                "  \"requests\": %lu,\n",
                stop, (unsigned long)(ms / 1000), (unsigned long)(ms % 1000),
                (unsigned long)m->requests);
    stub_printf("  \"by_op\": {\"register\": %lu, \"process\": %lu, \"unregister\": %lu, "
                "\"invalid\": %lu},\n",
                (unsigned long)m->by_op[SM_OP_REGISTER], (unsigned long)m->by_op[SM_OP_PROCESS],
                (unsigned long)m->by_op[SM_OP_UNREGISTER], (unsigned long)m->by_op[SM_OP_NONE]);
    stub_printf("  \"by_status\": {\"ok\": %lu, \"enoent\": %lu, \"efull\": %lu, \"eproto\": "
                "%lu},\n  \"payload_bytes\": %lu,\n",
                (unsigned long)m->by_status[SM_OK], (unsigned long)m->by_status[SM_ENOENT],
                (unsigned long)m->by_status[SM_EFULL], (unsigned long)m->by_status[SM_EPROTO],
                (unsigned long)m->payload_bytes);
    stub_printf("  \"table\": {\"capacity\": %u, \"used\": %u, \"high_water\": %u},\n"
                "  \"reply_dropped\": %lu,\n  \"wakeups\": %lu,\n  \"work_us\": %lu,\n",
                m->table.cap, m->table.used, m->table.high_water, (unsigned long)m->reply_dropped,
                (unsigned long)ep->wakeups, (unsigned long)(m->work_ns / 1000));
    stub_printf("  \"protocol_violations\": %d,\n  \"protocol_violation\": %s%s%s\n}\n"
                "SMCLAT-FILE-END mediator-summary.json\n",
                v ? 1 : 0, v ? "{\"kind\": \"" : "null", v ? v : "", v ? "\"}" : "");
    stub_printf("mediator: %lu requests (register %lu, process %lu, unregister %lu, invalid %lu); "
                "errors: enoent %lu, efull %lu, eproto %lu; wakeups %lu; stop: %s\n",
                (unsigned long)m->requests, (unsigned long)m->by_op[SM_OP_REGISTER],
                (unsigned long)m->by_op[SM_OP_PROCESS], (unsigned long)m->by_op[SM_OP_UNREGISTER],
                (unsigned long)m->by_op[SM_OP_NONE], (unsigned long)m->by_status[SM_ENOENT],
                (unsigned long)m->by_status[SM_EFULL], (unsigned long)m->by_status[SM_EPROTO],
                (unsigned long)ep->wakeups, stop);
}

void stub_main(uint64_t dtb)
{
    uint64_t t0 = stub_ticks();
    stub_console_init();
    long ver = stub_xen_version();
    stub_printf("SMCLAT-STUB: smclat-stub up (Xen %ld.%ld, counter %lu Hz, MMU off)\n", ver >> 16,
                ver & 0xffff, (unsigned long)stub_tick_hz());
    struct stub_fdt fdt;
    const char *why = "";
    if (stub_fdt_scan((const void *)(uintptr_t)dtb, &fdt, &why) != 0)
        die(why);
    extern char _stub_bss_end[];
    if ((uint64_t)(uintptr_t)_stub_bss_end > dtb)
        die("the image, .bss and stack reach the device tree: give the domain more memory");
    stub_printf("SMCLAT-STUB: memory 0x%lx+0x%lx, grant table at 0x%lx, args '%s'\n",
                (unsigned long)fdt.mem_base, (unsigned long)fdt.mem_size,
                (unsigned long)fdt.gnttab_base, fdt.bootargs);
    struct stub_cfg cfg;
    parse_args(fdt.bootargs, &cfg);
    if (stub_shared_info_init() != 0)
        die("XENMEM_add_to_physmap(shared_info) failed");
    if (stub_gnttab_init(fdt.gnttab_base >> 12) != 0)
        die("XENMEM_add_to_physmap(grant_table frame 0) failed");
    struct sm_mediator m;
    if (sm_mediator_init(&m, (uint32_t)cfg.table, (uint32_t)cfg.payload,
                         (uint64_t)cfg.work_us * 1000) != 0)
        die("no memory for the buffer table");
    uint32_t npages = (uint32_t)(sm_ring_size((uint32_t)cfg.payload) / STUB_PAGE);
    struct sm_ring_ep ep;
    setup_channel(&ep, &cfg, npages);
    uint64_t ts = stub_ticks();
    const char *stop = serve(&m, &ep);
    atomic_store(&ep.ring->server_state, SM_PEER_CLOSED);
    stub_evtchn_send(port);
    stub_ungrant(STUB_FIRST_REF, npages);
    summary(&m, &ep, stop, stub_ticks() - ts);
    stub_printf("SMCLAT-STUB: done after %lu ms; idle until Dom0 destroys the domain\n",
                (unsigned long)((stub_ticks() - t0) * 1000 / stub_tick_hz()));
    stub_console_flush();
    /* The domain stays (Dom0 records its metadata, then destroys it): blocked, no CPU time. */
    while (stub_evtchn_poll(port) == 0)
        ;
    stub_shutdown(SHUTDOWN_poweroff);
}
