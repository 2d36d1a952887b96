/* smclat record: the machine state read from Xen (libxenctrl, xenstore for names) and the
 * scheduler configuration applied through it. Runs in Dom0 only. */
#ifndef SMCLAT_REC_XC_H
#define SMCLAT_REC_XC_H

#include "rec-config.h"

struct rec_xen; /* open handles (libxenctrl, xenstore) */

/* NULL with a message in err when Xen cannot be reached (not in Dom0, no privcmd). */
struct rec_xen *rec_xen_open(char *err, size_t errlen);
void rec_xen_close(struct rec_xen *x);

/* Fills s (rec_state_free releases it); 0, or -1 with a message in err. */
int rec_xen_read_state(struct rec_xen *x, struct rec_state *s, char *err, size_t errlen);

/* Applies c: creates pools and moves their cpus, sets the ratelimit of every pool, moves
 * domains, pins vCPUs, sets weights and caps. Stops at the first call Xen refuses:
 * 0, or -1 with "what: why" in err. Does not check the result: read the state back and
 * compare (rec_state_compare). */
int rec_xen_apply(struct rec_xen *x, const struct rec_config *c, char *err, size_t errlen);

#endif
