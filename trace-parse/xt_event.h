/* Decoding of xentrace records into scheduler events (Xen's public/trace.h ids).
 * Payload layouts are chosen by payload length, so traces of older Xen versions (which pack
 * domid << 16 | vcpu into one word where 4.17 uses two) decode too. No I/O, no state. */
#ifndef SMCLAT_XT_EVENT_H
#define SMCLAT_XT_EVENT_H

#include "xt_reader.h"

#include <stdint.h>

#define XT_DOMID_IDLE    0x7fffu
#define XT_DOMID_INVALID 0x7ff4u

/* Runstates as Xen numbers them. */
enum xt_runstate { XT_RUNNING = 0, XT_RUNNABLE = 1, XT_BLOCKED = 2, XT_OFFLINE = 3 };

enum xt_kind {
    XT_K_OTHER = 0, /* a known non-scheduler or uninteresting event */
    XT_K_UNKNOWN,   /* an id this decoder does not know (counted by the caller) */
    XT_K_MALFORMED, /* a known id with a payload length that fits no layout */
    XT_K_LOST,      /* LOST_RECORDS: lost, domid/vcpu running, first_lost_tsc */
    XT_K_CPU_CHANGE,
    XT_K_RUNSTATE, /* domid, vcpu, old_state, new_state */
    XT_K_CONTINUE, /* domid, vcpu */
    XT_K_WAKE,     /* domid, vcpu */
    XT_K_BLOCK,
    XT_K_SLEEP,
    XT_K_YIELD,
    XT_K_SWITCH,         /* domid/vcpu = prev, next_domid/next_vcpu = next */
    XT_K_SWITCH_INFPREV, /* domid, vcpu, a = ns it ran */
    XT_K_SWITCH_INFNEXT, /* domid, vcpu, a = ns it waited, b = time slice ns */
    XT_K_SWITCH_INFCONT,
    XT_K_DOM_ADD, /* domid */
    XT_K_DOM_REM, /* domid */
    XT_K_SHUTDOWN,
    XT_K_ADJDOM,
    XT_K_TIMER,       /* scheduler timer functions 0x2800b-d */
    XT_K_SCHED_CLASS, /* a scheduler-specific event: sched_id, sub; domid/vcpu when known */
    XT_K__COUNT
};

/* Scheduler ids in class events 0x00022000 | id << 9 | n. */
enum xt_sched_id {
    XT_SCHED_CREDIT = 0,
    XT_SCHED_CREDIT2 = 1,
    XT_SCHED_ARINC653 = 2,
    XT_SCHED_RTDS = 4,
    XT_SCHED_NULL = 5
};

struct xt_event {
    enum xt_kind kind;
    uint64_t tsc;
    uint16_t cpu;
    uint16_t domid;
    uint16_t vcpu;
    uint16_t next_domid;
    uint16_t next_vcpu;
    uint8_t old_state;
    uint8_t new_state;
    uint8_t sched_id;
    uint16_t sub;  /* scheduler-specific event number */
    uint32_t a, b; /* see the kinds above */
    uint64_t lost;
    uint64_t first_lost_tsc;
};

/* Decodes one record; always fills ev->kind (XT_K_UNKNOWN / XT_K_MALFORMED when it cannot). */
void xt_decode(const struct xt_record *rec, struct xt_event *ev);
/* A short name for an event id ("RUNSTATE_CHANGE", "credit2:SCHEDULE", ...), or NULL. */
const char *xt_event_name(uint32_t event);
const char *xt_kind_name(enum xt_kind k);
const char *xt_runstate_name(unsigned state);
const char *xt_sched_name(unsigned sched_id);

#endif
