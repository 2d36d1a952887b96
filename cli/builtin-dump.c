/* smclat dump: the records of a trace in time order, decoded (a debugging aid). */
#include "commands.h"
#include "options.h"
#include "xt_event.h"
#include "xt_reader.h"

#include <inttypes.h>
#include <stdio.h>

int cmd_dump(int argc, char **argv)
{
    double hz = 0;
    long limit = -1;
    const struct sm_opt opts[] = {
        {"cpu-hz", 0, SM_OPT_DOUBLE, &hz, "HZ", "timer rate: print times in us from the first record"},
        {"limit", 'n', SM_OPT_INT, &limit, "N", "stop after N records"},
        SM_OPT_TABLE_END,
    };
    int i = sm_parse_opts("dump", "[OPTIONS] TRACE", "Prints every record of a xentrace file, merged by time, decoded.", opts, argc, argv);
    if (i == SM_OPTS_HELP)
        return 0;
    if (i < 0)
        return 2;
    if (i != argc - 1) {
        fprintf(stderr, "smclat dump: expected one TRACE file (see --help)\n");
        return 2;
    }
    struct xt_reader *r;
    struct xt_error err;
    if (xt_open(&r, argv[i], &err) != 0) {
        fprintf(stderr, "smclat: %s\n", err.msg);
        return 2;
    }
    struct xt_record rec;
    int rc;
    uint64_t t0 = 0;
    long n = 0;
    while ((limit < 0 || n < limit) && (rc = xt_next(r, &rec, &err)) == 1) {
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
    const struct xt_stats *st = xt_stats(r);
    if (rc < 0 && (limit < 0 || n < limit)) {
        fprintf(stderr, "smclat: %s\n", err.msg);
        xt_close(r);
        return 2;
    }
    if (st->truncated)
        fprintf(stderr, "warning: %s: the trace ends inside a record at offset %" PRIu64 "\n",
                xt_name(r), st->truncated_offset);
    xt_close(r);
    return 0;
}
