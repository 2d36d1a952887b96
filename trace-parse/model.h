/* The scheduler model: per-vCPU runstate and per-pCPU current unit, from decoded events.
 *
 * A library: no files, no printing. It consumes struct xt_event (xt_event.h) in time order and
 * keeps, per vCPU, the time and count in each runstate plus two histograms: wake latency
 * (blocked -> runnable -> running) and preempt wait (running -> runnable -> running). Memory
 * grows with the number of vCPUs and pCPUs seen, never with the number of records.
 *
 * Accounting follows xenalyze -s (docs/analyze.md, "Runstate totals"): a vCPU is counted from
 * its first ->running record (from its pCPU's first timestamp when that record says it was
 * already running, as a CONTINUE_RUNNING does); each CONTINUE_RUNNING closes and reopens a
 * running interval; at the end each pCPU's running vCPU is closed at that pCPU's last record
 * and blocked/runnable tails are dropped. Where the records contradict each other (a runstate
 * change whose "old" state is not the one the model holds, a SWITCH whose prev is not the
 * pCPU's current unit), the model counts the mismatch, believes the record and goes on.
 *
 * Ownership: sm_model_new() creates, sm_model_free() frees; the vCPU views returned point into
 * the model and live until it is freed. */
#ifndef SMCLAT_MODEL_H
#define SMCLAT_MODEL_H

#include "hist.h"
#include "xt_event.h"

#include <stddef.h>
#include <stdint.h>

/* Runstate the model does not know yet (xenalyze's INIT): 0-3 are enum xt_runstate. */
#define SM_STATE_UNKNOWN 0xffu
#define SM_NSTATES       4

struct sm_vcpu {
    uint16_t domid;
    uint16_t vcpu;
    uint8_t state;         /* SM_STATE_UNKNOWN until counted, else enum xt_runstate */
    uint8_t counted;       /* 1 once the vCPU is counted (first ->running or CONTINUE_RUNNING) */
    uint8_t seen_state;    /* last state a record showed (new state), SM_STATE_UNKNOWN at first */
    uint8_t runnable_from; /* state before the current runnable interval */
    uint16_t pcpu;         /* pCPU of the last ->running / CONTINUE (valid when running) */
    uint64_t since;        /* tick the current state began */
    uint64_t ticks[SM_NSTATES]; /* closed intervals, in timer ticks */
    uint64_t count[SM_NSTATES];
    uint64_t wakes;          /* WAKE records for this vCPU */
    struct sm_hist *wake;    /* blocked -> runnable -> running, ticks */
    struct sm_hist *preempt; /* running -> runnable -> running, ticks */
};

struct sm_model_stats {
    uint64_t events;       /* events fed */
    uint64_t first_tsc;    /* first timestamp seen (0 when none) */
    uint64_t last_tsc;     /* last timestamp seen */
    uint64_t lost_records; /* records the hypervisor dropped (sum of LOST_RECORDS counts) */
    uint64_t lost_events;  /* LOST_RECORDS records */
    uint64_t switches;     /* SWITCH events */
    uint64_t wakes;        /* WAKE events */
    uint64_t runstate_changes;
    uint64_t continues;
    /* A runstate change or CONTINUE_RUNNING whose old state is not the one the model held
     * (pCPU streams that start apart, a vCPU first seen mid-state, lost records). */
    uint64_t first_state_mismatches;
    /* SWITCH and runstate records disagreeing on a pCPU's current unit: a SWITCH whose prev
     * is not the unit the last SWITCH put there, or a ->running / CONTINUE of a vCPU that the
     * last SWITCH on that pCPU did not put there. */
    uint64_t inconsistencies;
    uint64_t tsc_skew;  /* intervals that would end before they began (taken as 0) */
    uint64_t malformed; /* known ids with an impossible payload length */
    uint64_t unknown;   /* events of ids the decoder does not know (the caller, who
                         * has the records, counts them by id) */
};

struct sm_model;

/* Returns 0, or -1 when out of memory. */
int sm_model_new(struct sm_model **out);
void sm_model_free(struct sm_model *m);

/* Feeds one event (in time order). Returns 0, or -1 when out of memory (the model is then
 * unusable). */
int sm_model_feed(struct sm_model *m, const struct xt_event *ev);

/* Ends the trace: closes each pCPU's running vCPU at that pCPU's last record. Call once after
 * the last event; the totals are final afterwards. */
/* The last timestamp of pCPU cpu among records not fed to the model (a reader that skips
 * events the model does not use): the pCPU's running vCPU is closed there by
 * sm_model_finish(), as if every record had been fed. */
void sm_model_note_pcpu_end(struct sm_model *m, unsigned cpu, uint64_t tsc);
void sm_model_finish(struct sm_model *m);

const struct sm_model_stats *sm_model_stats(const struct sm_model *m);

/* vCPUs seen, sorted by domid then vcpu (sorting happens on the call; pointers stay valid). */
size_t sm_model_nvcpus(const struct sm_model *m);
const struct sm_vcpu *sm_model_vcpu_at(struct sm_model *m, size_t i);
/* The vCPU, or NULL when never seen. */
const struct sm_vcpu *sm_model_vcpu(const struct sm_model *m, uint16_t domid, uint16_t vcpu);

/* pCPUs seen (highest number + 1). */
unsigned sm_model_npcpus(const struct sm_model *m);
/* The unit the last SWITCH on that pCPU put there: returns 1 with domid and vcpu, 0 unknown. */
int sm_model_pcpu_current(const struct sm_model *m, unsigned cpu, uint16_t *domid, uint16_t *vcpu);
/* Last timestamp of a pCPU's records (0 when none). */
uint64_t sm_model_pcpu_last_tsc(const struct sm_model *m, unsigned cpu);

#endif
