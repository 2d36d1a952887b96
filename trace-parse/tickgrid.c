/* A guest kernel's timer tick from the times of its sure timer wakes (tickgrid.h). */
#include "tickgrid.h"

#include <math.h>
#include <string.h>

static const unsigned cand_hz[SM_TICKGRID_CANDS] = {1000, 300, 250, 100};

#define MIN_SAMPLES     16    /* before any fit */
#define MIN_IN          12    /* samples inside the window of the chosen HZ */
#define MIN_EXCESS      0.225 /* ... and their share above an even spread's (250 Hz: 0.25) */
#define NEAR_BEST       0.8 /* a longer period is preferred while it keeps this much of the best */
#define REFIT_EVERY     8   /* samples between fits */
#define WIDEN_DENSITY   5   /* a bin beside the window joins it at this many times an even spread */
#define CLUSTER_DENSITY 4   /* three bins away from it are on a timer at this many times ... */
#define CLUSTER_MIN     5   /* ... and with this many samples */

void sm_tickgrid_init(struct sm_tickgrid *g, double ticks_per_s)
{
    memset(g, 0, sizeof *g);
    g->ticks_per_s = ticks_per_s;
    /* Xen's timer slop (50 us by default) and the interrupt path spread a tick's wakes; under
     * QEMU's TCG they spread over about 60 us. */
    g->window_s = 100e-6;
    g->cand = -1;
}

static unsigned bin_of(const struct sm_tickgrid *g, unsigned cand, uint64_t tsc)
{
    double period = g->ticks_per_s / cand_hz[cand];
    double phase = fmod((double)tsc, period) / period;
    unsigned b = (unsigned)(phase * SM_TICKGRID_BINS);
    return b < SM_TICKGRID_BINS ? b : SM_TICKGRID_BINS - 1;
}

static unsigned window_bins(const struct sm_tickgrid *g, unsigned cand)
{
    double w = ceil(g->window_s * cand_hz[cand] * SM_TICKGRID_BINS);
    return w < 1 ? 1 : w > SM_TICKGRID_BINS / 4 ? SM_TICKGRID_BINS / 4 : (unsigned)w;
}

void sm_tickgrid_add(struct sm_tickgrid *g, uint64_t tsc)
{
    if (g->ticks_per_s <= 0)
        return;
    for (unsigned i = 0; i < SM_TICKGRID_CANDS; i++)
        g->bins[i][bin_of(g, i, tsc)]++;
    g->n++;
}

/* The densest circular window of wb bins: its first bin and its count. */
static uint32_t densest(const uint32_t *bins, unsigned wb, unsigned *lo)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < wb; i++)
        sum += bins[i];
    uint32_t best = sum;
    *lo = 0;
    for (unsigned i = 1; i < SM_TICKGRID_BINS; i++) {
        sum += bins[(i + wb - 1) % SM_TICKGRID_BINS];
        sum -= bins[i - 1];
        if (sum > best) {
            best = sum;
            *lo = i;
        }
    }
    return best;
}

/* The densest window found is as wide as the spread of an unloaded interrupt path; a host that
 * stalls the emulated vCPUs delays some timer wakes far more (hundreds of us, always late, and
 * the window's edge may cut the cluster). So the window grows, a bin at a time on the side
 * whose next bin holds more, while that bin holds WIDEN_DENSITY times what an even spread of
 * all samples puts there, up to a quarter of the period. Wakes at random times (notifies) only
 * reach a bin's even share: the window stays where the timer's wakes are. */
static void widen(struct sm_tickgrid *g)
{
    const uint32_t *bins = g->bins[g->cand];
    double dense = WIDEN_DENSITY * (double)g->n / SM_TICKGRID_BINS;
    unsigned lo = g->lo_bin, w = g->wbins;
    while (w < SM_TICKGRID_BINS / 4) {
        unsigned before = (lo + SM_TICKGRID_BINS - 1) % SM_TICKGRID_BINS;
        uint32_t nb = bins[before], na = bins[(lo + w) % SM_TICKGRID_BINS];
        if (na >= nb && na >= dense) {
            w++;
        } else if (nb >= dense) {
            lo = before;
            w++;
        } else {
            break;
        }
    }
    g->lo_bin = lo;
    g->wbins = w;
}

static void fit(struct sm_tickgrid *g)
{
    g->n_at_fit = g->n;
    g->cand = -1;
    if (g->n < MIN_SAMPLES)
        return;
    /* Each candidate's share in its window, above what an even spread puts there (a window
     * is a larger part of a shorter period: compared raw, the samples that are no tick's
     * would favour the shortest period). */
    double excess[SM_TICKGRID_CANDS], best = 0;
    unsigned lo[SM_TICKGRID_CANDS], wb[SM_TICKGRID_CANDS];
    for (unsigned i = 0; i < SM_TICKGRID_CANDS; i++) {
        wb[i] = window_bins(g, i);
        uint32_t in = densest(g->bins[i], wb[i], &lo[i]);
        excess[i] = in >= MIN_IN ? (double)in / g->n - (double)wb[i] / SM_TICKGRID_BINS : 0;
        if (excess[i] > best)
            best = excess[i];
    }
    if (best < MIN_EXCESS)
        return;
    /* A tick of 1/250 s also clusters at 1/1000 s: the longest period that keeps the
     * cluster is the tick (the candidates go from short periods to long ones). */
    for (unsigned i = 0; i < SM_TICKGRID_CANDS; i++) {
        if (excess[i] >= NEAR_BEST * best) {
            g->cand = (int)i;
            g->lo_bin = lo[i];
            g->wbins = wb[i];
        }
    }
    if (g->cand < 0)
        return;
    widen(g);
    uint32_t in = 0;
    for (unsigned b = 0; b < g->wbins; b++)
        in += g->bins[g->cand][(g->lo_bin + b) % SM_TICKGRID_BINS];
    g->share = (double)in / g->n;
}

static void refresh(struct sm_tickgrid *g)
{
    if (g->n >= MIN_SAMPLES && (g->n_at_fit == 0 || g->n >= g->n_at_fit + REFIT_EVERY))
        fit(g);
}

int sm_tickgrid_match(struct sm_tickgrid *g, uint64_t tsc)
{
    refresh(g);
    if (g->cand < 0)
        return 0;
    unsigned b = bin_of(g, (unsigned)g->cand, tsc);
    if ((b + SM_TICKGRID_BINS - g->lo_bin) % SM_TICKGRID_BINS < g->wbins)
        return 1;
    /* Away from the window: a phase where the timer's wakes still cluster (a second timer of
     * the guest's at its own phase, the far tail of late wakes), over the 30 us around it. */
    const uint32_t *bins = g->bins[g->cand];
    uint32_t near = bins[(b + SM_TICKGRID_BINS - 1) % SM_TICKGRID_BINS] + bins[b] +
                    bins[(b + 1) % SM_TICKGRID_BINS];
    return near >= CLUSTER_MIN && near >= CLUSTER_DENSITY * 3.0 * g->n / SM_TICKGRID_BINS;
}

unsigned sm_tickgrid_hz(struct sm_tickgrid *g, double *share)
{
    refresh(g);
    if (share)
        *share = g->cand < 0 ? 0 : g->share;
    return g->cand < 0 ? 0 : cand_hz[g->cand];
}
