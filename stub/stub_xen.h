/* The Xen interface smclat-stub uses: hypercalls (HVC #0xEA1, x16 = number), the PV console
 * ring, shared_info's event bits, the grant table, SCHEDOP_poll. MMU off: every shared word is
 * read and written with plain loads and stores (no exclusives on Device memory). */
#ifndef SMCLAT_STUB_XEN_H
#define SMCLAT_STUB_XEN_H

#include <stddef.h>
#include <stdint.h>

#define STUB_PAGE 4096u

/* Finds the console ring and its port (HVM params); 0 or the hypercall's error. */
long stub_console_init(void);
/* Writes n bytes to the PV console ring (waits for xenconsoled when it is full). */
void stub_console_write(const char *s, size_t n);
/* Waits until xenconsoled has read everything written (a bounded number of yields). */
void stub_console_flush(void);

/* shared_info over one of the stub's pages; 0 or the error. */
long stub_shared_info_init(void);
/* Frame 0 of the grant table at gfn (the device tree's /hypervisor region); 0 or the error. */
long stub_gnttab_init(uint64_t gfn);
/* Grants the page at addr to domid (read-write) as ref. */
void stub_grant(uint32_t ref, uint16_t domid, const void *addr);
/* Ends every grant from first to first + n - 1. */
void stub_ungrant(uint32_t first, uint32_t n);

/* An unbound port for remote (>= 0), or the negative error. */
long stub_evtchn_alloc_unbound(uint16_t remote);
long stub_evtchn_send(uint32_t port);
/* Blocks in SCHEDOP_poll until port is pending (no timeout: the guest cannot read Xen's system
 * time), then clears its pending bit. 0 or the error. */
long stub_evtchn_poll(uint32_t port);
/* Whether the other end of port is still bound (EVTCHNOP_status: interdomain). 1, 0, or -1. */
int stub_evtchn_connected(uint32_t port);

long stub_xen_version(void);
/* SCHEDOP_shutdown (SHUTDOWN_poweroff or SHUTDOWN_crash); does not return. */
__attribute__((noreturn)) void stub_shutdown(unsigned reason);

/* The virtual counter and its rate. */
uint64_t stub_ticks(void);
uint64_t stub_tick_hz(void);

#endif
