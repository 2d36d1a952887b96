/* Calls rebuilt from the trace inside logged calls' windows (docs/join.md, "Recovered calls").
 *
 * The generator's log says which calls happened; the join places each in trace time (the
 * fitted clock offset). A logged call that the detector did not find is still in the trace:
 * sm_recover follows the client's and the mediator's vCPUs inside that call's guest window
 * [start + offset, end + offset] and builds the call from what they show there (the notify,
 * the client's block, the mediator's wake, run and block, the answer, the client's run), with
 * the shape that the instants seen give, certainty inferred and recovered = 1. A window in
 * which neither a notify nor an answer is recorded gives the no_wakes shape: the call is
 * known from the log, and the trace shows only its scheduling.
 *
 * A library: no files, no printing. Feed it the events in time order after the model
 * (sm_model_feed) has seen them, like sm_calls. Memory: one call per window. */
#ifndef SMCLAT_RECOVER_H
#define SMCLAT_RECOVER_H

#include "calls.h"
#include "model.h"
#include "xt_event.h"

#include <stddef.h>
#include <stdint.h>

struct sm_recover_window {
    uint64_t start, end; /* trace ticks, start <= end */
};

struct sm_recover;

/* win[0..n) sorted by start (copied). Returns 0, or -1 when out of memory. */
int sm_recover_new(struct sm_recover **out, uint16_t client, uint16_t mediator,
                   const struct sm_recover_window *win, size_t n);
void sm_recover_free(struct sm_recover *r);
void sm_recover_feed(struct sm_recover *r, const struct sm_model *m, const struct xt_event *ev);
/* The call built for window i (after the last event); index is i. */
const struct sm_call *sm_recover_call(const struct sm_recover *r, size_t i);

#endif
