#include "trace_source.h"

#include "ctf_source.h"

#include <stdio.h>
#include <stdlib.h>

struct tsrc {
    struct xt_reader *xt;
    struct ctf_source *ctf;
    struct xt_record scratch; /* tsrc_next_ref's record for a CTF folder */
};

int tsrc_open(struct tsrc **out, const char *path, struct xt_error *err)
{
    *out = NULL;
    struct tsrc *t = calloc(1, sizeof *t);
    if (!t) {
        err->offset = 0;
        snprintf(err->msg, sizeof err->msg, "%s: out of memory", path);
        return -1;
    }
    int rc = ctf_is_trace_dir(path) ? ctf_open(&t->ctf, path, err) : xt_open(&t->xt, path, err);
    if (rc != 0) {
        free(t);
        return -1;
    }
    *out = t;
    return 0;
}

int tsrc_next(struct tsrc *t, struct xt_record *rec, struct xt_error *err)
{
    return t->ctf ? ctf_next(t->ctf, rec, err) : xt_next(t->xt, rec, err);
}

int tsrc_next_ref(struct tsrc *t, const struct xt_record **rec, struct xt_error *err)
{
    if (!t->ctf)
        return xt_next_ref(t->xt, rec, err);
    *rec = &t->scratch;
    return ctf_next(t->ctf, &t->scratch, err);
}

int tsrc_set_threaded(struct tsrc *t, int on)
{
    return t->ctf ? -1 : xt_set_threaded(t->xt, on);
}

void tsrc_set_skip(struct tsrc *t, uint32_t mask, uint32_t value)
{
    if (!t->ctf) /* a CTF folder returns every record */
        xt_set_skip(t->xt, mask, value);
}

uint64_t tsrc_cpu_last_tsc(const struct tsrc *t, unsigned cpu)
{
    return t->ctf ? 0 : xt_cpu_last_tsc(t->xt, cpu);
}

const struct xt_stats *tsrc_stats(const struct tsrc *t)
{
    return t->ctf ? ctf_stats(t->ctf) : xt_stats(t->xt);
}

const char *tsrc_name(const struct tsrc *t)
{
    return t->ctf ? ctf_name(t->ctf) : xt_name(t->xt);
}

double tsrc_cpu_hz(const struct tsrc *t)
{
    return t->ctf ? ctf_cpu_hz(t->ctf) : 0;
}

int tsrc_probe_cpu_hz(const char *path, double *hz, struct xt_error *err)
{
    *hz = 0;
    if (!ctf_is_trace_dir(path))
        return 0;
    struct ctf_source *s;
    if (ctf_open(&s, path, err) != 0)
        return -1;
    *hz = ctf_cpu_hz(s);
    ctf_close(s);
    return 0;
}

int tsrc_is_ctf(const struct tsrc *t)
{
    return t->ctf != NULL;
}

void tsrc_close(struct tsrc *t)
{
    if (!t)
        return;
    ctf_close(t->ctf);
    xt_close(t->xt);
    free(t);
}
