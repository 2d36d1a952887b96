#include "xen_refs.h"

#include <stdio.h>

int sm_grant_refs_parse(const char *s, uint32_t *refs, int max)
{
    int n = 0;
    const char *p = s;
    if (!s || !*s)
        return -1;
    for (;;) {
        uint64_t v = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (uint64_t)(*p - '0');
            if (v > UINT32_MAX)
                return -1;
            p++;
        }
        if (p == start || n == max)
            return -1;
        refs[n++] = (uint32_t)v;
        if (*p == '\0')
            return n;
        if (*p++ != ',')
            return -1;
    }
}

int sm_grant_refs_format(char *out, size_t n, const uint32_t *refs, int count)
{
    size_t off = 0;
    if (n == 0)
        return -1;
    out[0] = '\0';
    for (int i = 0; i < count; i++) {
        int w = snprintf(out + off, n - off, "%s%u", i ? "," : "", refs[i]);
        if (w < 0 || (size_t)w >= n - off)
            return -1;
        off += (size_t)w;
    }
    return 0;
}
