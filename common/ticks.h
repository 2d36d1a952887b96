/* Timer ticks to nanoseconds: the one conversion (xentrace TSC and CNTVCT both count ticks). */
#ifndef SMCLAT_COMMON_TICKS_H
#define SMCLAT_COMMON_TICKS_H

/* ticks * 1e9 / hz (in this order: the figures of docs/ are computed so). */
static inline double sm_ticks_to_ns(double ticks, double hz)
{
    return ticks * 1e9 / hz;
}

/* 1e9 / hz: the factor for many values at one rate. */
static inline double sm_ns_per_tick(double hz)
{
    return 1e9 / hz;
}

#endif
