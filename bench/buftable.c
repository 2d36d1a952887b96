#include "buftable.h"

#include <stdlib.h>

int sm_buftable_init(struct sm_buftable *t, uint32_t cap)
{
    t->ids = calloc(cap ? cap : 1, sizeof *t->ids);
    t->cap = cap ? cap : 1;
    t->used = 0;
    t->high_water = 0;
    t->next_id = 1;
    return t->ids ? 0 : -1;
}

void sm_buftable_free(struct sm_buftable *t)
{
    free(t->ids);
    t->ids = NULL;
    t->cap = t->used = 0;
}

enum sm_status sm_buftable_add(struct sm_buftable *t, uint32_t *id)
{
    if (t->used >= t->cap)
        return SM_EFULL;
    for (uint32_t i = 0; i < t->cap; i++) {
        if (t->ids[i] == 0) {
            t->ids[i] = t->next_id++;
            if (t->next_id == 0)
                t->next_id = 1;
            *id = t->ids[i];
            t->used++;
            if (t->used > t->high_water)
                t->high_water = t->used;
            return SM_OK;
        }
    }
    return SM_EFULL;
}

static int64_t slot_of(const struct sm_buftable *t, uint32_t id)
{
    if (id == 0)
        return -1;
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->ids[i] == id)
            return i;
    return -1;
}

enum sm_status sm_buftable_find(const struct sm_buftable *t, uint32_t id)
{
    return slot_of(t, id) < 0 ? SM_ENOENT : SM_OK;
}

enum sm_status sm_buftable_remove(struct sm_buftable *t, uint32_t id)
{
    int64_t i = slot_of(t, id);
    if (i < 0)
        return SM_ENOENT;
    t->ids[i] = 0;
    t->used--;
    return SM_OK;
}
