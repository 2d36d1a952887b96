/* smclat's metadata.json (docs/results-folder.md): the one reader of the file. The figures the
 * analysis takes from it (the analysis session, trace-parse/session.h, and the babeltrace2
 * plugin) and the run's Xen and mediator kind (the reports, reports/results.c), read once.
 * Library code: prints nothing; errors come back as one message naming the file. */
#ifndef SMCLAT_METADATA_H
#define SMCLAT_METADATA_H

#include <stddef.h>
#include <stdint.h>

#define SM_METADATA_MAX_CREATED 64

struct sm_metadata {
    double hz;             /* physinfo.cpu_khz * 1e3: the timer rate; -1 when absent */
    long client, mediator; /* roles.client, roles.mediator; -1 when absent */
    /* domains[].created_ticks: the join's prior on the clock offset (docs/join.md) */
    struct {
        long domid;
        int64_t ticks;
    } created[SM_METADATA_MAX_CREATED];
    unsigned n_created;
    /* xen.build and xen.version (has_*: present as strings) and mediator_kind == "stub": what
     * the reports show of the run; filled even when cpu_khz is bad (loaded: the JSON parsed) */
    int loaded, has_xen_build, has_xen_version, mediator_stub;
    char xen_build[256], xen_version[256];
};

/* Reads path into *m. Returns 0, or -1 with msg filled: "PATH:LINE: TEXT" (not JSON, m->loaded
 * 0) or "PATH: physinfo.cpu_khz: expected a positive number" (m->loaded 1: the other fields are
 * read). */
int sm_metadata_read(const char *path, struct sm_metadata *m, char *msg, size_t size);
/* The created_ticks of domain domid: 1 with *ticks set, 0 when the metadata has none. */
int sm_metadata_created(const struct sm_metadata *m, long domid, int64_t *ticks);

#endif
