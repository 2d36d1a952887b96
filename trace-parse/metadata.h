/* smclat's metadata.json (docs/results-folder.md): the figures the analysis takes from it,
 * read once. Used by the analysis session (trace-parse/session.h) and the babeltrace2 plugin.
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
};

/* Reads path into *m. Returns 0, or -1 with msg filled: "PATH:LINE: TEXT" (not JSON) or "PATH:
 * physinfo.cpu_khz: expected a positive number". */
int sm_metadata_read(const char *path, struct sm_metadata *m, char *msg, size_t size);
/* The created_ticks of domain domid: 1 with *ticks set, 0 when the metadata has none. */
int sm_metadata_created(const struct sm_metadata *m, long domid, int64_t *ticks);

#endif
