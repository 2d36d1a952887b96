/* smclat-record (`smclat record`): the Dom0 side of a lab or board run.
 *   smclat record metadata  -- metadata.json: physinfo, Xen, domains, cpupools, roles, trace
 *   smclat record apply     -- apply a scheduler configuration, read it back, refuse if off
 *   smclat record check     -- only read back and compare
 *   smclat record trace     -- xentrace with the scheduler mask for a duration; lost records
 * docs/record.md describes each. Exit: 0 success, 1 the run failed (Xen refused, the machine
 * is not in the asked state, records were lost), 2 bad usage. */
#include "options.h"
#include "rec-config.h"
#include "rec-json.h"
#include "rec-trace.h"
#include "rec-xc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 512

struct config_opts {
    struct sm_strlist pools, moves, pins, weights, caps, rtds;
    const char *ratelimit, *tslice, *arinc653;
};

#define CONFIG_OPTS(o)                                                                             \
    {"pool",                                                                                       \
     0,                                                                                            \
     SM_OPT_LIST,                                                                                  \
     &(o).pools,                                                                                   \
     "NAME:SCHED:CPUS",                                                                            \
     "create cpupool NAME (credit2|credit|null|rtds|arinc653) with these pCPUs"},                  \
        {"move", 0, SM_OPT_LIST, &(o).moves, "DOMAIN:POOL", "move a domain to a cpupool"},         \
        {"pin", 0, SM_OPT_LIST, &(o).pins, "DOMAIN:CPUS", "hard affinity of its every vCPU"},      \
        {"weight", 0, SM_OPT_LIST, &(o).weights, "DOMAIN:N", "credit/credit2 weight"},             \
        {"cap", 0, SM_OPT_LIST, &(o).caps, "DOMAIN:PCT", "credit/credit2 cap (0: none)"},          \
        {"rtds",                                                                                   \
         0,                                                                                        \
         SM_OPT_LIST,                                                                              \
         &(o).rtds,                                                                                \
         "DOMAIN:PERIOD:BUDGET[:extra]",                                                           \
         "RTDS period and budget (us) of every vCPU; extra: extratime"},                           \
        {"tslice-ms", 0, SM_OPT_STRING, &(o).tslice, "MS", "credit time slice of every pool"},     \
        {"arinc653",                                                                               \
         0,                                                                                        \
         SM_OPT_STRING,                                                                            \
         &(o).arinc653,                                                                            \
         "FRAME_US:DOM[.VCPU]=US,...",                                                             \
         "ARINC653 major frame and windows, on the pool the domains are in"},                      \
    {                                                                                              \
        "ratelimit-us", 0, SM_OPT_STRING, &(o).ratelimit, "US",                                    \
            "scheduler ratelimit of every pool"                                                    \
    }

static void config_opts_free(struct config_opts *o)
{
    sm_strlist_free(&o->pools);
    sm_strlist_free(&o->moves);
    sm_strlist_free(&o->pins);
    sm_strlist_free(&o->weights);
    sm_strlist_free(&o->caps);
    sm_strlist_free(&o->rtds);
}

/* Builds the config from the options; 0, or 2 after printing the error. */
static int config_from_opts(const char *cmd, const struct config_opts *o, struct rec_config *c)
{
    char err[ERRLEN];
    memset(c, 0, sizeof *c);
    for (int i = 0; i < o->pools.n; i++)
        if (rec_config_add_pool(c, o->pools.items[i], err, sizeof err) != 0)
            goto bad;
    for (int i = 0; i < o->moves.n; i++)
        if (rec_config_add_move(c, o->moves.items[i], err, sizeof err) != 0)
            goto bad;
    for (int i = 0; i < o->pins.n; i++)
        if (rec_config_add_pin(c, o->pins.items[i], err, sizeof err) != 0)
            goto bad;
    for (int i = 0; i < o->weights.n; i++)
        if (rec_config_add_weight(c, o->weights.items[i], err, sizeof err) != 0)
            goto bad;
    for (int i = 0; i < o->caps.n; i++)
        if (rec_config_add_cap(c, o->caps.items[i], err, sizeof err) != 0)
            goto bad;
    for (int i = 0; i < o->rtds.n; i++)
        if (rec_config_add_rtds(c, o->rtds.items[i], err, sizeof err) != 0)
            goto bad;
    if (o->ratelimit && rec_config_set_ratelimit(c, o->ratelimit, err, sizeof err) != 0)
        goto bad;
    if (o->tslice && rec_config_set_tslice(c, o->tslice, err, sizeof err) != 0)
        goto bad;
    if (o->arinc653 && rec_config_set_arinc653(c, o->arinc653, err, sizeof err) != 0)
        goto bad;
    return 0;
bad:
    fprintf(stderr, "smclat %s: %s\n", cmd, err);
    return 2;
}

/* Reads the machine back and compares; 0 when in the asked state, else 1. */
static int check_state(const char *cmd, struct rec_xen *x, const struct rec_config *c)
{
    char err[ERRLEN];
    struct rec_state s;
    if (rec_xen_read_state(x, &s, err, sizeof err) != 0) {
        fprintf(stderr, "smclat %s: reading the machine back: %s\n", cmd, err);
        return 1;
    }
    int n = rec_state_compare(c, &s, err, sizeof err);
    rec_state_free(&s);
    if (n) {
        fprintf(stderr,
                "smclat %s: the machine is not in the asked state (%d setting%s differ%s): %s\n",
                cmd, n, n == 1 ? "" : "s", n == 1 ? "s" : "", err);
        return 1;
    }
    printf("smclat %s: every setting read back as asked\n", cmd);
    return 0;
}

static int cmd_apply_or_check(int argc, char **argv, int apply)
{
    const char *cmd = apply ? "record apply" : "record check";
    struct config_opts o = {0};
    const struct sm_opt opts[] = {CONFIG_OPTS(o), SM_OPT_TABLE_END};
    int first = sm_parse_opts(cmd, "[OPTIONS]",
                              apply ? "Applies a scheduler configuration through libxenctrl, then "
                                      "reads every setting back;\nexits 1 when the machine is "
                                      "not in the asked state."
                                    : "Reads the machine back and compares it with the given "
                                      "configuration (exit 1 when it differs).",
                              opts, argc, argv);
    if (first == SM_OPTS_HELP || first == SM_OPTS_ERROR) {
        config_opts_free(&o);
        return first == SM_OPTS_HELP ? 0 : 2;
    }
    if (first < argc) {
        fprintf(stderr, "smclat %s: unexpected argument '%s'\n", cmd, argv[first]);
        config_opts_free(&o);
        return 2;
    }
    struct rec_config c;
    int rc = config_from_opts(cmd, &o, &c);
    config_opts_free(&o);
    if (rc)
        return rc;
    char err[ERRLEN];
    struct rec_xen *x = rec_xen_open(err, sizeof err);
    if (!x) {
        fprintf(stderr, "smclat %s: %s\n", cmd, err);
        return 1;
    }
    if (apply && rec_xen_apply(x, &c, err, sizeof err) != 0) {
        fprintf(stderr, "smclat %s: %s\n", cmd, err);
        rec_xen_close(x);
        return 1;
    }
    rc = check_state(cmd, x, &c);
    rec_xen_close(x);
    return rc;
}

static int cmd_metadata(int argc, char **argv)
{
    const char *cmd = "record metadata";
    struct sm_strlist roles = {0};
    const char *trace = NULL, *output = NULL, *mask = REC_TRACE_MASK, *creation = NULL;
    struct rec_xen_build build = {NULL, NULL};
    const char *mediator_kind = NULL;
    double duration = -1;
    const struct sm_opt opts[] = {
        {"role", 0, SM_OPT_LIST, &roles, "ROLE=DOMAIN",
         "client=, mediator= or noise= (repeatable) a domain name or domid"},
        {"trace", 0, SM_OPT_STRING, &trace, "FILE", "the trace: its lost records go in"},
        {"event-mask", 0, SM_OPT_STRING, &mask, "MASK", "the trace's event mask (0x0002f000)"},
        {"duration-s", 0, SM_OPT_DOUBLE, &duration, "S", "the trace's duration"},
        {"creation-trace", 0, SM_OPT_STRING, &creation, "FILE",
         "a trace over the domains' creation: their DOM_ADD times (created_ticks)"},
        {"xen-build", 0, SM_OPT_STRING, &build.build, "NAME",
         "which Xen image was booted (debian: the binary package, source: built from it)"},
        {"xen-schedulers", 0, SM_OPT_STRING, &build.schedulers, "LIST",
         "the schedulers that image was built with (space separated)"},
        {"mediator-kind", 0, SM_OPT_STRING, &mediator_kind, "KIND",
         "linux (smclat-mediator in a Linux DomU) or stub (smclat-stub, docs/stub.md)"},
        {"output", 'o', SM_OPT_STRING, &output, "FILE", "write here (default: stdout)"},
        SM_OPT_TABLE_END};
    int first = sm_parse_opts(cmd, "[OPTIONS]",
                              "Writes metadata.json (docs/results-folder.md): physinfo, Xen "
                              "version and command line,\ndomains, cpupools, roles, trace.",
                              opts, argc, argv);
    if (first == SM_OPTS_HELP || first == SM_OPTS_ERROR) {
        sm_strlist_free(&roles);
        return first == SM_OPTS_HELP ? 0 : 2;
    }
    char err[ERRLEN];
    struct rec_roles r = {0};
    int rc = 0;
    if (first < argc) {
        fprintf(stderr, "smclat %s: unexpected argument '%s'\n", cmd, argv[first]);
        rc = 2;
    }
    if (rc == 0 && mediator_kind && strcmp(mediator_kind, "linux") &&
        strcmp(mediator_kind, "stub")) {
        fprintf(stderr, "smclat %s: --mediator-kind '%s': expected linux or stub\n", cmd,
                mediator_kind);
        rc = 2;
    }
    for (int i = 0; rc == 0 && i < roles.n; i++) {
        if (rec_roles_add(&r, roles.items[i], err, sizeof err) != 0) {
            fprintf(stderr, "smclat %s: %s\n", cmd, err);
            rc = 2;
        }
    }
    struct rec_trace_meta tm = {.file = NULL, .event_mask = mask, .duration_s = duration};
    if (rc == 0 && trace) {
        if (rec_trace_scan_file(trace, &tm.scan, err, sizeof err) != 0) {
            fprintf(stderr, "smclat %s: %s\n", cmd, err);
            rc = 2;
        }
        const char *slash = strrchr(trace, '/');
        tm.file = slash ? slash + 1 : trace;
    }
    static struct rec_created created;
    memset(&created, 0, sizeof created);
    if (rc == 0 && creation) {
        int found = rec_trace_dom_add_file(creation, created.ticks, REC_MAX_DOMID, err, sizeof err);
        if (found < 0) {
            fprintf(stderr, "smclat %s: %s\n", cmd, err);
            rc = 2;
        } else if (found == 0) {
            fprintf(stderr, "warning: %s: no DOM_ADD record: no created_ticks\n", creation);
        }
        created.file = creation;
    }
    struct rec_xen *x = NULL;
    struct rec_state s = {0};
    json_t *m = NULL;
    if (rc == 0 && !(x = rec_xen_open(err, sizeof err))) {
        fprintf(stderr, "smclat %s: %s\n", cmd, err);
        rc = 1;
    }
    if (rc == 0 && rec_xen_read_state(x, &s, err, sizeof err) != 0) {
        fprintf(stderr, "smclat %s: %s\n", cmd, err);
        rc = 1;
    }
    if (rc == 0 && !(m = rec_metadata_json(&s, &r, &tm, &created, &build, err, sizeof err))) {
        fprintf(stderr, "smclat %s: %s\n", cmd, err);
        rc = 2;
    }
    if (rc == 0 && mediator_kind)
        json_object_set_new(m, "mediator_kind", json_string(mediator_kind));
    if (rc == 0) {
        int flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
        if (output ? json_dump_file(m, output, flags) != 0 : json_dumpf(m, stdout, flags) != 0) {
            fprintf(stderr, "smclat %s: %s: cannot write\n", cmd, output ? output : "stdout");
            rc = 1;
        }
        if (!output)
            putchar('\n');
    }
    if (rc == 0 && tm.scan.lost_records)
        fprintf(stderr, "warning: %s: %llu records lost\n", trace,
                (unsigned long long)tm.scan.lost_records);
    json_decref(m);
    rec_state_free(&s);
    rec_xen_close(x);
    sm_strlist_free(&roles);
    return rc;
}

static int cmd_trace(int argc, char **argv)
{
    const char *cmd = "record trace";
    const char *output = NULL, *mask = REC_TRACE_MASK, *xentrace = "xentrace";
    long seconds = 0, pages = 256;
    int allow_lost = 0;
    const struct sm_opt opts[] = {
        {"seconds", 's', SM_OPT_INT, &seconds, "S", "how long to record"},
        {"output", 'o', SM_OPT_STRING, &output, "FILE", "the trace file"},
        {"event-mask", 'e', SM_OPT_STRING, &mask, "MASK", "xentrace -e (0x0002f000: scheduler)"},
        {"pages", 'S', SM_OPT_INT, &pages, "N", "xentrace -S: trace buffer pages per pCPU (256)"},
        {"xentrace", 0, SM_OPT_STRING, &xentrace, "PATH", "the xentrace program"},
        {"allow-lost", 0, SM_OPT_FLAG, &allow_lost, NULL, "exit 0 even when records were lost"},
        SM_OPT_TABLE_END};
    int first = sm_parse_opts(cmd, "--seconds S -o FILE [OPTIONS]",
                              "Runs Xen's xentrace with the scheduler event mask for S seconds, "
                              "then counts the\nrecords and lost records in the file (one JSON "
                              "line on stdout).",
                              opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return 0;
    if (first == SM_OPTS_ERROR)
        return 2;
    if (first < argc) {
        fprintf(stderr, "smclat %s: unexpected argument '%s'\n", cmd, argv[first]);
        return 2;
    }
    if (!output || seconds <= 0 || seconds > 86400 || pages <= 0 || pages > 65536) {
        fprintf(stderr, "smclat %s: expected --seconds 1..86400 and -o FILE (pages 1..65536)\n",
                cmd);
        return 2;
    }
    char err[ERRLEN];
    fprintf(stderr, "smclat %s: recording %ld s into %s (mask %s)\n", cmd, seconds, output, mask);
    int rc =
        rec_trace_run(xentrace, output, (unsigned)seconds, (unsigned)pages, mask, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "smclat %s: %s\n", cmd,
                rc < 0 ? err : "xentrace failed (see its messages above)");
        return 1;
    }
    if (rec_trace_stopped_by())
        fprintf(stderr, "warning: %s: stopped by signal %d before %ld s: the trace is shorter\n",
                output, rec_trace_stopped_by(), seconds);
    struct rec_trace_scan sc;
    if (rec_trace_scan_file(output, &sc, err, sizeof err) != 0) {
        fprintf(stderr, "smclat %s: %s\n", cmd, err);
        return 1;
    }
    printf("{\"file\": \"%s\", \"bytes\": %llu, \"records\": %llu, \"lost_records\": %llu, "
           "\"truncated_bytes\": %llu}\n",
           output, (unsigned long long)sc.bytes, (unsigned long long)sc.records,
           (unsigned long long)sc.lost_records, (unsigned long long)sc.truncated_bytes);
    if (sc.records == 0) {
        fprintf(stderr, "smclat %s: %s: no records\n", cmd, output);
        return 1;
    }
    if (sc.lost_records) {
        fprintf(stderr, "%s: %s: %llu records lost (raise --pages)\n",
                allow_lost ? "warning" : "smclat record trace", output,
                (unsigned long long)sc.lost_records);
        return allow_lost ? 0 : 1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: smclat record COMMAND [OPTIONS]\n\n"
                 "The Dom0 side of a run (libxenctrl):\n"
                 "  metadata   write metadata.json: physinfo, Xen, domains, cpupools, roles\n"
                 "  apply      apply a scheduler configuration and read each setting back\n"
                 "  check      read the machine back and compare with a configuration\n"
                 "  trace      record a xentrace file with the scheduler mask; count lost records\n"
                 "\n`smclat record COMMAND --help` describes each.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *c = argv[1];
    if (!strcmp(c, "-h") || !strcmp(c, "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(c, "metadata"))
        return cmd_metadata(argc - 1, argv + 1);
    if (!strcmp(c, "apply"))
        return cmd_apply_or_check(argc - 1, argv + 1, 1);
    if (!strcmp(c, "check"))
        return cmd_apply_or_check(argc - 1, argv + 1, 0);
    if (!strcmp(c, "trace"))
        return cmd_trace(argc - 1, argv + 1);
    fprintf(stderr, "smclat record: unknown command '%s' (see smclat record --help)\n", c);
    return 2;
}
