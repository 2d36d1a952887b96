/* What smclat-stub needs from the device tree Xen's toolstack hands it (x0 at entry): its RAM,
 * the grant-table region (/hypervisor's first reg) and /chosen/bootargs (the xl config's
 * extra=). Read byte by byte: with the MMU off, a multi-byte load must be aligned. */
#ifndef SMCLAT_STUB_FDT_H
#define SMCLAT_STUB_FDT_H

#include <stdint.h>

struct stub_fdt {
    uint64_t mem_base, mem_size;       /* the first /memory reg */
    uint64_t gnttab_base, gnttab_size; /* /hypervisor's first reg */
    const char *bootargs;              /* "" when none */
    uint32_t total_size;
};

/* 0, or -1 with *why set (bad magic, no memory or hypervisor node). */
int stub_fdt_scan(const void *fdt, struct stub_fdt *out, const char **why);
/* KEY=N (decimal, below 10^8) among the space-separated boot arguments; -1 when absent or
 * not a number. */
long stub_bootarg(const char *args, const char *key);

#endif
