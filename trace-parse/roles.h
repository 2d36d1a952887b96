/* --roles auto: the client/mediator pair of a trace, found from a first pass over the events
 * (the pair of domains that wake each other in turn; the mediator answers sooner). A library:
 * no files, no printing; feed it the events in time order after the model has seen them. */
#ifndef SMCLAT_ROLES_H
#define SMCLAT_ROLES_H

#include "model.h"
#include "xt_event.h"

#include <stddef.h>
#include <stdint.h>

struct sm_roles;
int sm_roles_new(struct sm_roles **out);
void sm_roles_free(struct sm_roles *r);
void sm_roles_feed(struct sm_roles *r, const struct sm_model *m, const struct xt_event *ev);
/* Returns 1 with the pair and a one-line explanation in why, 0 when no pair alternates. */
int sm_roles_choose(const struct sm_roles *r, uint16_t *client, uint16_t *mediator, char *why,
                    size_t why_len);

#endif
