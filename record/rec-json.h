/* smclat record: metadata.json (docs/results-folder.md, schema 1) from a machine state. */
#ifndef SMCLAT_REC_JSON_H
#define SMCLAT_REC_JSON_H

#include "rec-config.h"
#include "rec-trace.h"

#include <jansson.h>

#define REC_MAX_NOISE 32

/* Roles of the scenario's domains, by name or domid as given on the command line. */
struct rec_roles {
    const char *client;
    const char *mediator;
    const char *noise[REC_MAX_NOISE];
    int n_noise;
};

/* "client=NAME", "mediator=NAME" or "noise=NAME"; 0, or -1 with a message in err. */
int rec_roles_add(struct rec_roles *r, const char *spec, char *err, size_t errlen);

struct rec_trace_meta {
    const char *file;       /* NULL: no "trace" object */
    const char *event_mask; /* "0x0002f000" */
    double duration_s;      /* < 0: unknown */
    struct rec_trace_scan scan;
};

/* Each domain's DOM_ADD time stamp from a trace over its creation (0: unknown), by domid. */
#define REC_MAX_DOMID 1024
struct rec_created {
    uint64_t ticks[REC_MAX_DOMID];
    const char *file; /* NULL: no creation trace */
};

/* The Xen image booted, as the lab knows it (NULL: not given). */
struct rec_xen_build {
    const char *build;      /* "debian" or "source" */
    const char *schedulers; /* "credit credit2 null rtds arinc653" */
};

/* Builds the metadata object (new reference), or NULL with a message in err (a role naming
 * a domain that does not exist). */
json_t *rec_metadata_json(const struct rec_state *s, const struct rec_roles *roles,
                          const struct rec_trace_meta *trace, const struct rec_created *created,
                          const struct rec_xen_build *build, char *err, size_t errlen);

#endif
