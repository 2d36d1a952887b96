/* The arm64 virtual counter (CNTVCT_EL0): the same time base as Xen's trace records (minus a
 * per-domain offset). Elsewhere there is none: sm_has_cntvct() is 0 and reads return 0. */
#ifndef SMCLAT_BENCH_CNTVCT_H
#define SMCLAT_BENCH_CNTVCT_H

#include <stdint.h>

#if defined(__aarch64__)
static inline int sm_has_cntvct(void)
{
    return 1;
}
static inline uint64_t sm_cntvct(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
    return v;
}
static inline uint64_t sm_cntfrq(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}
#else
static inline int sm_has_cntvct(void)
{
    return 0;
}
static inline uint64_t sm_cntvct(void)
{
    return 0;
}
static inline uint64_t sm_cntfrq(void)
{
    return 0;
}
#endif

#endif
