#include "xt_event.h"

#include <string.h>

#define EV_RUNSTATE_BASE 0x00021000u
#define EV_SCHED_MIN     0x00028000u
#define EV_CLASS_BASE    0x00022000u

/* domid << 16 | vcpu in one word */
static void packed(uint32_t w, struct xt_event *ev)
{
    ev->domid = (uint16_t)(w >> 16);
    ev->vcpu = (uint16_t)(w & 0xffffu);
}

/* (domid, vcpu) as two words (4.17) or packed in one (older Xen) */
static int dom_vcpu(const struct xt_record *r, unsigned first, struct xt_event *ev)
{
    unsigned left = r->n_extra > first ? r->n_extra - first : 0;
    if (left >= 2 && r->extra[first] <= 0xffffu && r->extra[first + 1] <= 0xffffu) {
        ev->domid = (uint16_t)r->extra[first];
        ev->vcpu = (uint16_t)r->extra[first + 1];
        return 2;
    }
    if (left >= 1) {
        packed(r->extra[first], ev);
        return 1;
    }
    return 0;
}

static void decode_sched(const struct xt_record *r, struct xt_event *ev)
{
    unsigned n = r->n_extra;
    int used;
    switch (r->event) {
    case 0x00028001: /* DOM_ADD */
    case 0x00028002: /* DOM_REM */
        ev->kind = r->event == 0x00028001 ? XT_K_DOM_ADD : XT_K_DOM_REM;
        if (n >= 1)
            ev->domid =
                (uint16_t)(n >= 2 || r->extra[0] <= 0xffffu ? r->extra[0] : r->extra[0] >> 16);
        else
            ev->kind = XT_K_MALFORMED;
        return;
    case 0x00028003:
    case 0x00028004:
    case 0x00028005:
    case 0x00028006: {
        static const enum xt_kind k[] = {XT_K_SLEEP, XT_K_WAKE, XT_K_YIELD, XT_K_BLOCK};
        ev->kind = k[r->event - 0x00028003];
        if (dom_vcpu(r, 0, ev) == 0)
            ev->kind = XT_K_MALFORMED;
        return;
    }
    case 0x00028007: /* SHUTDOWN, SHUTDOWN_CODE */
    case 0x00028008:
        ev->kind = XT_K_SHUTDOWN;
        dom_vcpu(r, 0, ev);
        return;
    case 0x00028009:
        ev->kind = XT_K_ADJDOM;
        if (n >= 1)
            ev->domid = (uint16_t)r->extra[0];
        return;
    case 0x0002800a: /* SWITCH: prev dom, prev unit, next dom, next unit (or packed pairs) */
        ev->kind = XT_K_SWITCH;
        if (n >= 4) {
            ev->domid = (uint16_t)r->extra[0];
            ev->vcpu = (uint16_t)r->extra[1];
            ev->next_domid = (uint16_t)r->extra[2];
            ev->next_vcpu = (uint16_t)r->extra[3];
        } else if (n >= 2) {
            packed(r->extra[0], ev);
            ev->next_domid = (uint16_t)(r->extra[1] >> 16);
            ev->next_vcpu = (uint16_t)(r->extra[1] & 0xffffu);
        } else {
            ev->kind = XT_K_MALFORMED;
        }
        return;
    case 0x0002800b:
    case 0x0002800c:
    case 0x0002800d:
        ev->kind = XT_K_TIMER;
        return;
    case 0x0002800e: /* SWITCH_INFPREV: dom, unit, ran ns (4.17) or packed, ran ns */
        ev->kind = XT_K_SWITCH_INFPREV;
        if (n >= 3) {
            ev->domid = (uint16_t)r->extra[0];
            ev->vcpu = (uint16_t)r->extra[1];
            ev->a = r->extra[2];
        } else if (n == 2) {
            packed(r->extra[0], ev);
            ev->a = r->extra[1];
        } else {
            ev->kind = XT_K_MALFORMED;
        }
        return;
    case 0x0002800f: /* SWITCH_INFNEXT: dom, unit, waited ns, slice (4.17) or packed + 2 */
        ev->kind = XT_K_SWITCH_INFNEXT;
        if (n >= 4) {
            ev->domid = (uint16_t)r->extra[0];
            ev->vcpu = (uint16_t)r->extra[1];
            ev->a = r->extra[2];
            ev->b = r->extra[3];
        } else if (n == 3) {
            packed(r->extra[0], ev);
            ev->a = r->extra[1];
            ev->b = r->extra[2];
        } else {
            ev->kind = XT_K_MALFORMED;
        }
        return;
    case 0x00028011:
        ev->kind = XT_K_SWITCH_INFCONT;
        used = dom_vcpu(r, 0, ev);
        (void)used;
        return;
    default:
        ev->kind = XT_K_UNKNOWN;
        return;
    }
}

static int class_dom_word(uint32_t id);

void xt_decode(const struct xt_record *r, struct xt_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->tsc = r->tsc;
    ev->cpu = r->cpu;
    ev->domid = XT_DOMID_INVALID;
    ev->next_domid = XT_DOMID_INVALID;
    uint32_t id = r->event;
    if (id == XT_EV_LOST_RECORDS) {
        ev->kind = XT_K_LOST;
        if (r->n_extra >= 1)
            ev->lost = r->extra[0];
        if (r->n_extra >= 2)
            packed(r->extra[1], ev);
        if (r->n_extra >= 4)
            ev->first_lost_tsc = (uint64_t)r->extra[2] | (uint64_t)r->extra[3] << 32;
        return;
    }
    if (id == XT_EV_CPU_CHANGE) {
        ev->kind = XT_K_CPU_CHANGE;
        return;
    }
    if ((id & 0xfffff00fu) == 0x00021001u) { /* RUNSTATE_CHANGE | old << 8 | new << 4 */
        ev->kind = XT_K_RUNSTATE;
        ev->old_state = (uint8_t)((id >> 8) & 0xfu);
        ev->new_state = (uint8_t)((id >> 4) & 0xfu);
        if (ev->old_state > XT_OFFLINE || ev->new_state > XT_OFFLINE || dom_vcpu(r, 0, ev) == 0)
            ev->kind = XT_K_MALFORMED;
        return;
    }
    if (id == 0x00021002u) {
        ev->kind = XT_K_CONTINUE;
        if (dom_vcpu(r, 0, ev) == 0)
            ev->kind = XT_K_MALFORMED;
        return;
    }
    if ((id & 0xfffff000u) == EV_CLASS_BASE) {
        ev->kind = XT_K_SCHED_CLASS;
        ev->sched_id = (uint8_t)((id >> 9) & 7u);
        ev->sub = (uint16_t)(id & 0x1ffu);
        int w = class_dom_word(id);
        if (w >= 0 && (unsigned)w < r->n_extra)
            packed(r->extra[w], ev);
        return;
    }
    if ((id & 0xfffff000u) == EV_SCHED_MIN) {
        decode_sched(r, ev);
        return;
    }
    if ((id & 0x0ffff000u) == 0x00028000u || (id & 0x0ffff000u) == 0x00021000u) {
        ev->kind = XT_K_UNKNOWN; /* in the scheduler class, but not an id known here */
        return;
    }
    ev->kind = XT_K_OTHER; /* other classes (memory, HVM, PV...) are not scheduler events */
}

static const char *const kind_names[XT_K__COUNT] = {
    "other",          "unknown",        "malformed",      "lost_records", "cpu_change", "runstate",
    "continue",       "wake",           "block",          "sleep",        "yield",      "switch",
    "switch_infprev", "switch_infnext", "switch_infcont", "dom_add",      "dom_rem",    "shutdown",
    "adjdom",         "timer",          "sched_class"};

const char *xt_kind_name(enum xt_kind k)
{
    return (unsigned)k < XT_K__COUNT ? kind_names[k] : "?";
}

const char *xt_runstate_name(unsigned s)
{
    static const char *const n[] = {"running", "runnable", "blocked", "offline"};
    return s < 4 ? n[s] : "?";
}

const char *xt_sched_name(unsigned id)
{
    switch (id) {
    case XT_SCHED_CREDIT:
        return "credit";
    case XT_SCHED_CREDIT2:
        return "credit2";
    case XT_SCHED_ARINC653:
        return "arinc653";
    case XT_SCHED_RTDS:
        return "rtds";
    case XT_SCHED_NULL:
        return "null";
    default:
        return "sched?";
    }
}

struct name_entry {
    uint32_t id;
    const char *name;
    int dom_word; /* scheduler-specific events: payload word holding unit | domid << 16 */
};

/* Ids from Xen's public/trace.h and the TRC_*_ definitions of each scheduler (decimal event
 * numbers in Xen's source: credit2's RUNQ_CANDIDATE is 20 = 0x14). */
static const struct name_entry names[] = {
    {0x0001f001, "LOST_RECORDS", -1},
    {0x0001f002, "TRACE_WRAP_BUFFER", -1},
    {0x0001f003, "TRACE_CPU_CHANGE", -1},
    {0x00021002, "CONTINUE_RUNNING", -1},
    {0x00028001, "DOM_ADD", -1},
    {0x00028002, "DOM_REM", -1},
    {0x00028003, "SLEEP", -1},
    {0x00028004, "WAKE", -1},
    {0x00028005, "YIELD", -1},
    {0x00028006, "BLOCK", -1},
    {0x00028007, "SHUTDOWN", -1},
    {0x00028008, "SHUTDOWN_CODE", -1},
    {0x00028009, "ADJDOM", -1},
    {0x0002800a, "SWITCH", -1},
    {0x0002800b, "S_TIMER_FN", -1},
    {0x0002800c, "T_TIMER_FN", -1},
    {0x0002800d, "DOM_TIMER_FN", -1},
    {0x0002800e, "SWITCH_INFPREV", -1},
    {0x0002800f, "SWITCH_INFNEXT", -1},
    {0x00028011, "SWITCH_INFCONT", -1},
    /* credit (sched id 0) */
    {0x00022001, "csched:SCHED_TASKLET", -1},
    {0x00022002, "csched:ACCOUNT_START", -1},
    {0x00022003, "csched:ACCOUNT_STOP", -1},
    {0x00022004, "csched:STOLEN_VCPU", -1},
    {0x00022005, "csched:PICKED_CPU", -1},
    {0x00022006, "csched:TICKLE", -1},
    {0x00022007, "csched:BOOST_START", -1},
    {0x00022008, "csched:BOOST_END", -1},
    {0x00022009, "csched:SCHEDULE", -1},
    {0x0002200a, "csched:RATELIMIT", -1},
    {0x0002200b, "csched:STEAL_CHECK", -1},
    /* credit2 (sched id 1) */
    {0x00022201, "csched2:TICK", -1},
    {0x00022202, "csched2:RUNQ_POS", 0},
    {0x00022203, "csched2:CREDIT_BURN", 0},
    {0x00022204, "csched2:CREDIT_ADD", -1},
    {0x00022205, "csched2:TICKLE_CHECK", 0},
    {0x00022206, "csched2:TICKLE", -1},
    {0x00022207, "csched2:CREDIT_RESET", 0},
    {0x00022208, "csched2:SCHED_TASKLET", -1},
    {0x00022209, "csched2:UPDATE_LOAD", -1},
    {0x0002220a, "csched2:RUNQ_ASSIGN", 0},
    {0x0002220b, "csched2:UPDATE_UNIT_LOAD", 2},
    {0x0002220c, "csched2:UPDATE_RUNQ_LOAD", -1},
    {0x0002220d, "csched2:TICKLE_NEW", 0},
    {0x0002220e, "csched2:RUNQ_MAX_WEIGHT", -1},
    {0x0002220f, "csched2:MIGRATE", 0},
    {0x00022210, "csched2:LOAD_CHECK", -1},
    {0x00022211, "csched2:LOAD_BALANCE", -1},
    {0x00022213, "csched2:PICKED_CPU", 0},
    {0x00022214, "csched2:RUNQ_CANDIDATE", 0},
    {0x00022215, "csched2:SCHEDULE", -1},
    {0x00022216, "csched2:RATELIMIT", 0},
    {0x00022217, "csched2:RUNQ_CAND_CHECK", 0},
    /* rtds (sched id 4) */
    {0x00022801, "rtds:TICKLE", -1},
    {0x00022802, "rtds:RUNQ_PICK", 0},
    {0x00022803, "rtds:BUDGET_BURN", 0},
    {0x00022804, "rtds:BUDGET_REPLENISH", 0},
    {0x00022805, "rtds:SCHED_TASKLET", -1},
    {0x00022806, "rtds:SCHEDULE", -1},
    /* null (sched id 5) */
    {0x00022a01, "nsched:PICKED_CPU", 0},
    {0x00022a02, "nsched:UNIT_ASSIGN", 0},
    {0x00022a03, "nsched:UNIT_DEASSIGN", 0},
    {0x00022a04, "nsched:MIGRATE", 0},
    {0x00022a05, "nsched:SCHEDULE", -1},
    {0x00022a06, "nsched:SCHED_TASKLET", -1},
};

static const struct name_entry *find_name(uint32_t id)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].id == id)
            return &names[i];
    return NULL;
}

static int class_dom_word(uint32_t id)
{
    const struct name_entry *e = find_name(id);
    return e ? e->dom_word : -1;
}

const char *xt_event_name(uint32_t id)
{
    if ((id & 0xfffff00fu) == 0x00021001u)
        return "RUNSTATE_CHANGE";
    const struct name_entry *e = find_name(id);
    return e ? e->name : NULL;
}
