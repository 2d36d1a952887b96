/* A guest kernel's timer tick, learned from the times of wakes known to be its timer's.
 *
 * A Linux guest's timers expire on its jiffies grid (its tick, 1/HZ apart, on the virtual
 * counter, which runs at a fixed offset from Xen's): so a vCPU's timer WAKEs in a trace fall
 * at one phase of a period of 1/HZ (spread by Xen's timer slop and the interrupt path), while
 * the wakes another domain causes (an event channel notify) fall anywhere. The grid is learned
 * from sure timer wakes (the caller decides which those are) and tells whether another wake
 * lies at the timer's phase. Nothing is assumed about HZ: the usual kernel choices are tried
 * and the grid stays off (decides nothing) unless one of them clusters the samples clearly.
 * Pure arithmetic: no trace, no files. */
#ifndef SM_TICKGRID_H
#define SM_TICKGRID_H

#include <stdint.h>

#define SM_TICKGRID_CANDS 4   /* HZ tried: 1000, 300, 250, 100 */
#define SM_TICKGRID_BINS  400 /* phase bins per period */

struct sm_tickgrid {
    double ticks_per_s;
    double window_s; /* width of the window first searched for (then widened) */
    uint32_t bins[SM_TICKGRID_CANDS][SM_TICKGRID_BINS];
    unsigned n;        /* samples */
    unsigned n_at_fit; /* samples when last fitted */
    int cand;          /* the HZ chosen, -1: none (the grid is off) */
    unsigned lo_bin;   /* the window's first bin (of cand's period) */
    unsigned wbins;    /* its width in bins */
    double share;      /* share of the samples inside the window */
};

/* ticks_per_s: the trace's time stamp rate (0: unknown, the grid stays off). */
void sm_tickgrid_init(struct sm_tickgrid *g, double ticks_per_s);
void sm_tickgrid_add(struct sm_tickgrid *g, uint64_t tsc);
/* 1: tsc lies in the timer's phase window; 0: outside, or the grid is off. */
int sm_tickgrid_match(struct sm_tickgrid *g, uint64_t tsc);
/* The HZ found (0: none yet) and the share of samples in the window. */
unsigned sm_tickgrid_hz(struct sm_tickgrid *g, double *share);

#endif
