#include "stub_fdt.h"

#include <string.h>

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u

static uint32_t be32(const volatile unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const volatile unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* "name" or "name@unit" */
static int node_is(const char *node, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(node, name, n) && (node[n] == '\0' || node[n] == '@');
}

int stub_fdt_scan(const void *fdt, struct stub_fdt *out, const char **why)
{
    const unsigned char *b = fdt;
    memset(out, 0, sizeof *out);
    out->bootargs = "";
    if (be32(b) != FDT_MAGIC) {
        *why = "no device tree magic at x0";
        return -1;
    }
    out->total_size = be32(b + 4);
    const unsigned char *p = b + be32(b + 8), *end = b + out->total_size;
    const char *strings = (const char *)b + be32(b + 12);
    const char *node = "";
    int depth = 0;
    while (p + 4 <= end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            size_t n = strlen((const char *)p);
            depth++;
            if (depth == 2)
                node = (const char *)p;
            p += (n + 4) & ~(size_t)3;
        } else if (tok == FDT_END_NODE) {
            depth--;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(p);
            const char *name = strings + be32(p + 4);
            const unsigned char *v = p + 8;
            p += 8 + ((len + 3) & ~3u);
            if (depth != 2)
                continue;
            /* the guest tree's #address-cells and #size-cells are 2 */
            if (node_is(node, "memory") && !strcmp(name, "reg") && len >= 16 && !out->mem_size) {
                out->mem_base = be64(v);
                out->mem_size = be64(v + 8);
            } else if (node_is(node, "hypervisor") && !strcmp(name, "reg") && len >= 16) {
                out->gnttab_base = be64(v);
                out->gnttab_size = be64(v + 8);
            } else if (node_is(node, "chosen") && !strcmp(name, "bootargs") && len) {
                out->bootargs = (const char *)v;
            }
        } else if (tok == FDT_NOP) {
            continue;
        } else {
            break; /* FDT_END or junk */
        }
    }
    if (!out->mem_size) {
        *why = "no /memory reg in the device tree";
        return -1;
    }
    if (!out->gnttab_size) {
        *why = "no /hypervisor reg (the grant-table region) in the device tree";
        return -1;
    }
    return 0;
}

long stub_bootarg(const char *args, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = args; *p; p++) {
        if ((p != args && p[-1] != ' ') || strncmp(p, key, k) || p[k] != '=')
            continue;
        long v = 0;
        const char *d = p + k + 1;
        if (*d < '0' || *d > '9')
            return -1;
        for (; *d >= '0' && *d <= '9'; d++) {
            v = v * 10 + (*d - '0');
            if (v >= 100000000)
                return -1;
        }
        return (*d == '\0' || *d == ' ') ? v : -1;
    }
    return -1;
}
