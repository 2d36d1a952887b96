/* What the compiler and the shared bench/ code (proto.c, buftable.c, ring.c, mediator_core.c)
 * need from a C library, for a guest that has none: byte-wise memory and string functions (the
 * MMU is off: Device memory, no unaligned accesses), a bump allocator that never frees,
 * errno, vsnprintf and a CLOCK_MONOTONIC from the virtual counter. */
#include "stub_fmt.h"
#include "stub_xen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    unsigned char *a = d;
    const unsigned char *b = s;
    while (n--)
        *a++ = *b++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *a = d;
    const unsigned char *b = s;
    if (a < b)
        return memcpy(d, s, n);
    while (n--)
        a[n] = b[n];
    return d;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *a = d;
    while (n--)
        *a++ = (unsigned char)c;
    return d;
}

int memcmp(const void *x, const void *y, size_t n)
{
    const unsigned char *a = x, *b = y;
    for (; n; n--, a++, b++)
        if (*a != *b)
            return *a - *b;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    for (; *a && *a == *b; a++, b++)
        ;
    return (unsigned char)*a - (unsigned char)*b;
}

static unsigned char heap[64 * 1024] __attribute__((aligned(16)));
static size_t heap_used;

void *calloc(size_t n, size_t size)
{
    size_t want = (n * size + 15) & ~(size_t)15;
    if (size && n > (sizeof heap) / size)
        return NULL;
    if (want > sizeof heap - heap_used)
        return NULL;
    void *p = heap + heap_used; /* zeroed with .bss, never reused */
    heap_used += want;
    return p;
}

void free(void *p)
{
    (void)p;
}

static int errno_value;

int *__errno_location(void)
{
    return &errno_value;
}

int vsnprintf(char *restrict s, size_t n, const char *restrict fmt, va_list ap)
{
    return stub_vformat(s, n, fmt, ap);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    (void)id;
    uint64_t t = stub_ticks(), hz = stub_tick_hz();
    ts->tv_sec = (time_t)(t / hz);
    ts->tv_nsec = (long)((t % hz) * 1000000000ull / hz);
    return 0;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n && *a && *a == *b; n--, a++, b++)
        ;
    return n ? (unsigned char)*a - (unsigned char)*b : 0;
}
