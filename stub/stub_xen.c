#include "stub_xen.h"

#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/xen.h>

#define barrier() __asm__ __volatile__("dmb sy" ::: "memory")

static long hypercall(long nr, long a0, long a1, long a2)
{
    register long x0 __asm__("x0") = a0;
    register long x1 __asm__("x1") = a1;
    register long x2 __asm__("x2") = a2;
    register long x16 __asm__("x16") = nr;
    __asm__ __volatile__("hvc #0xEA1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16) : : "memory");
    return x0;
}

uint64_t stub_ticks(void)
{
    uint64_t v;
    __asm__ __volatile__("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
    return v;
}

uint64_t stub_tick_hz(void)
{
    uint64_t v;
    __asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}

long stub_xen_version(void)
{
    return hypercall(__HYPERVISOR_xen_version, XENVER_version, 0, 0);
}

void stub_shutdown(unsigned reason)
{
    struct sched_shutdown sd = {.reason = reason};
    for (;;)
        hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (long)&sd, 0);
}

long stub_evtchn_send(uint32_t port)
{
    struct evtchn_send s = {.port = port};
    return hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (long)&s, 0);
}

/* ---- console ---- */

static volatile struct xencons_interface *cons;
static uint32_t cons_port;

static long hvm_param(uint32_t index, uint64_t *value)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    long rc = hypercall(__HYPERVISOR_hvm_op, HVMOP_get_param, (long)&p, 0);
    *value = p.value;
    return rc;
}

long stub_console_init(void)
{
    uint64_t pfn, port;
    long rc = hvm_param(HVM_PARAM_CONSOLE_PFN, &pfn);
    if (rc == 0)
        rc = hvm_param(HVM_PARAM_CONSOLE_EVTCHN, &port);
    if (rc != 0)
        return rc;
    cons = (volatile struct xencons_interface *)(uintptr_t)(pfn << 12);
    cons_port = (uint32_t)port;
    return 0;
}

void stub_console_write(const char *s, size_t n)
{
    if (!cons)
        return; /* no console: nowhere to say anything (a release Xen refuses console_io) */
    while (n) {
        XENCONS_RING_IDX c = cons->out_cons, p = cons->out_prod;
        barrier();
        if (p - c >= sizeof cons->out) { /* full: let xenconsoled read */
            stub_evtchn_send(cons_port);
            hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0);
            continue;
        }
        while (n && p - c < sizeof cons->out) {
            cons->out[MASK_XENCONS_IDX(p, cons->out)] = *s++;
            p++;
            n--;
        }
        barrier(); /* the bytes before the index */
        cons->out_prod = p;
    }
    stub_evtchn_send(cons_port);
}

void stub_console_flush(void)
{
    for (int i = 0; cons && i < 100000; i++) {
        barrier();
        if (cons->out_cons == cons->out_prod)
            return;
        stub_evtchn_send(cons_port);
        hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0);
    }
}

/* ---- shared_info, grants, events ---- */

static uint8_t shared_page[STUB_PAGE] __attribute__((aligned(STUB_PAGE)));
static volatile struct shared_info *const shared = (volatile struct shared_info *)shared_page;
static volatile struct grant_entry_v1 *gnttab;

static long add_to_physmap(unsigned space, unsigned long idx, uint64_t gfn)
{
    struct xen_add_to_physmap x = {.domid = DOMID_SELF, .space = space, .idx = idx, .gpfn = gfn};
    return hypercall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (long)&x, 0);
}

long stub_shared_info_init(void)
{
    return add_to_physmap(XENMAPSPACE_shared_info, 0, (uintptr_t)shared_page >> 12);
}

long stub_gnttab_init(uint64_t gfn)
{
    long rc = add_to_physmap(XENMAPSPACE_grant_table, 0, gfn);
    if (rc == 0)
        gnttab = (volatile struct grant_entry_v1 *)(uintptr_t)(gfn << 12);
    return rc;
}

void stub_grant(uint32_t ref, uint16_t domid, const void *addr)
{
    gnttab[ref].domid = domid;
    gnttab[ref].frame = (uint32_t)((uintptr_t)addr >> 12);
    barrier(); /* domid and frame before the flags make it valid */
    gnttab[ref].flags = GTF_permit_access;
}

void stub_ungrant(uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; gnttab && i < n; i++)
        gnttab[first + i].flags = 0;
    barrier();
}

long stub_evtchn_alloc_unbound(uint16_t remote)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = remote};
    long rc = hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, (long)&a, 0);
    return rc ? rc : (long)a.port;
}

long stub_evtchn_poll(uint32_t port)
{
    evtchn_port_t p = port;
    struct sched_poll sp = {.nr_ports = 1, .timeout = 0};
    set_xen_guest_handle(sp.ports, &p);
    volatile xen_ulong_t *word = &shared->evtchn_pending[port / (sizeof(xen_ulong_t) * 8)];
    const xen_ulong_t bit = (xen_ulong_t)1 << (port % (sizeof(xen_ulong_t) * 8));
    long rc = 0;
    /* wakes can be spurious (another port pending): poll until this one is */
    while (!(*word & bit) && rc == 0)
        rc = hypercall(__HYPERVISOR_sched_op, SCHEDOP_poll, (long)&sp, 0);
    *word &= ~bit; /* not atomic (no exclusives with the MMU off): the caller rechecks the ring */
    barrier();
    return rc;
}

int stub_evtchn_connected(uint32_t port)
{
    struct evtchn_status s = {.dom = DOMID_SELF, .port = port};
    if (hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_status, (long)&s, 0) != 0)
        return -1;
    return s.status == EVTCHNSTAT_interdomain;
}
