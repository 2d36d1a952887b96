/* smclat dump: the records of a trace in time order, decoded (a debugging aid). */
#include "commands.h"
#include "options.h"
#include "session.h"
#include "trace_source.h"
#include "xt_event.h"
#include "xt_reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

struct id_count {
    uint32_t id;
    uint64_t n;
};

static int cmp_count(const void *a, const void *b)
{
    const struct id_count *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : (x->id > y->id) - (x->id < y->id);
}

/* Counts records by event id (open addressing on the id; ids are 28 bits). */
static int dump_summary(struct tsrc *r)
{
    enum { SLOTS = 4096 };
    static struct id_count tab[SLOTS];
    size_t used = 0;
    struct xt_record rec;
    struct xt_error err;
    int rc;
    uint64_t first = 0, last = 0, n = 0, uncounted = 0;
    while ((rc = tsrc_next(r, &rec, &err)) == 1) {
        if (n++ == 0)
            first = rec.tsc;
        last = rec.tsc;
        size_t h = (rec.event * 2654435761u) % SLOTS;
        while (tab[h].n && tab[h].id != rec.event)
            h = (h + 1) % SLOTS;
        if (!tab[h].n) {
            if (used + 1 >= SLOTS) {
                uncounted++; /* more distinct ids than slots: only garbage does that */
                continue;
            }
            used++;
            tab[h].id = rec.event;
        }
        tab[h].n++;
    }
    const struct xt_stats *st = tsrc_stats(r);
    printf("file %s: %" PRIu64 " bytes, %" PRIu64 " records, %" PRIu64 " chunks, %u pCPUs, "
           "ticks %" PRIu64 "..%" PRIu64 "\n",
           tsrc_name(r), st->file_bytes, st->records, st->chunks, st->ncpus, first, last);
    printf("without timestamp %" PRIu64 ", wrap buffers %" PRIu64 ", lost-records records %" PRIu64
           ", chunks out of order %" PRIu64 ", timestamps going back %" PRIu64
           ", timestamps jumping ahead (ignored) %" PRIu64 "\n",
           st->records_without_tsc, st->wrap_buffers, st->lost_record_events,
           st->chunks_out_of_order, st->tsc_backwards, st->tsc_jumps);
    qsort(tab, SLOTS, sizeof tab[0], cmp_count);
    for (size_t i = 0; i < SLOTS && tab[i].n; i++) {
        const char *name = xt_event_name(tab[i].id);
        printf("%12" PRIu64 "  %08x %s\n", tab[i].n, tab[i].id, name ? name : "?");
    }
    if (uncounted)
        fprintf(stderr,
                "warning: %s: more than %d distinct event ids: %" PRIu64
                " records not counted by id (garbage?)\n",
                tsrc_name(r), SLOTS - 1, uncounted);
    int status = 0;
    if (rc < 0) {
        fprintf(stderr, "smclat: %s\n", err.msg);
        status = 2;
    } else if (st->truncated) {
        fprintf(stderr, "warning: %s: the trace ends inside a record at offset %" PRIu64 "\n",
                tsrc_name(r), st->truncated_offset);
    }
    tsrc_close(r);
    return status;
}

int cmd_dump(int argc, char **argv)
{
    double hz = 0;
    long limit = -1;
    int summary = 0;
    const struct sm_opt opts[] = {
        {"summary", 's', SM_OPT_FLAG, &summary, NULL,
         "print record counts by event instead of records"},
        {"cpu-hz", 0, SM_OPT_DOUBLE, &hz, "HZ",
         "timer rate: print times in us from the first record"},
        {"limit", 'n', SM_OPT_INT, &limit, "N", "stop after N records"},
        SM_OPT_TABLE_END,
    };
    int i =
        sm_parse_opts_one("dump", "[OPTIONS] TRACE|RESULTS_DIR|CTF_DIR",
                          "Prints every record of a xentrace file (or a CTF folder converted from "
                          "one, or a results folder's trace.bin), merged by time, decoded.",
                          opts, argc, argv, "TRACE file");
    if (i < 0)
        return i == SM_OPTS_DONE ? 0 : 2;
    if (hz < 0 || hz != hz) {
        fprintf(stderr, "smclat dump: --cpu-hz: the rate must be positive\n");
        return 2;
    }
    struct sm_session session; /* a xentrace file, a CTF folder or a results folder */
    sm_session_resolve(&session, argv[i]);
    struct tsrc *r;
    struct xt_error err;
    if (tsrc_open(&r, session.trace, &err) != 0) {
        fprintf(stderr, "smclat: %s\n", err.msg);
        return 2;
    }
    struct xt_record rec;
    int rc = 0; /* stays 0 with --limit 0 */
    uint64_t t0 = 0;
    long n = 0;
    if (summary) {
        tsrc_set_threaded(r, 1);
        return dump_summary(r);
    }
    while ((limit < 0 || n < limit) && (rc = tsrc_next(r, &rec, &err)) == 1) {
        if (n++ == 0)
            t0 = rec.tsc;
        struct xt_event ev;
        xt_decode(&rec, &ev);
        const char *name = xt_event_name(rec.event);
        if (hz > 0)
            printf("%14.3f", (double)(rec.tsc - t0) * 1e6 / hz);
        else
            printf("%16" PRIu64, rec.tsc);
        printf(" cpu%-2u %08x %-24s", rec.cpu, rec.event, name ? name : "?");
        if (ev.kind == XT_K_RUNSTATE)
            printf(" d%uv%u %s->%s", ev.domid, ev.vcpu, xt_runstate_name(ev.old_state),
                   xt_runstate_name(ev.new_state));
        else if (ev.kind == XT_K_SWITCH)
            printf(" d%uv%u -> d%uv%u", ev.domid, ev.vcpu, ev.next_domid, ev.next_vcpu);
        else if (ev.domid != XT_DOMID_INVALID)
            printf(" d%uv%u", ev.domid, ev.vcpu);
        for (unsigned k = 0; k < rec.n_extra; k++)
            printf(" %08x", rec.extra[k]);
        putchar('\n');
    }
    const struct xt_stats *st = tsrc_stats(r);
    if (rc < 0 && (limit < 0 || n < limit)) {
        fprintf(stderr, "smclat: %s\n", err.msg);
        tsrc_close(r);
        return 2;
    }
    if (st->truncated)
        fprintf(stderr, "warning: %s: the trace ends inside a record at offset %" PRIu64 "\n",
                tsrc_name(r), st->truncated_offset);
    tsrc_close(r);
    return 0;
}
