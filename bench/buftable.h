/* The mediator's bounded table of registered buffers. Ids are never 0 and are not reused
 * until the 32-bit counter wraps, so a stale id is reported as unknown rather than matching a
 * newer buffer. */
#ifndef SMCLAT_BENCH_BUFTABLE_H
#define SMCLAT_BENCH_BUFTABLE_H

#include "proto.h"

#include <stdint.h>

struct sm_buftable {
    uint32_t *ids; /* 0: free slot */
    uint32_t cap;
    uint32_t used;
    uint32_t high_water;
    uint32_t next_id;
};

/* 0, or -1 when out of memory. cap >= 1. */
int sm_buftable_init(struct sm_buftable *t, uint32_t cap);
void sm_buftable_free(struct sm_buftable *t);
/* SM_OK with *id set, or SM_EFULL. */
enum sm_status sm_buftable_add(struct sm_buftable *t, uint32_t *id);
/* SM_OK or SM_ENOENT. */
enum sm_status sm_buftable_find(const struct sm_buftable *t, uint32_t id);
enum sm_status sm_buftable_remove(struct sm_buftable *t, uint32_t id);

#endif
