#include "session.h"

#include "ctf_source.h"
#include "trace_source.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A results folder: a folder that is not itself a CTF trace. */
static int is_results_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode) && !ctf_is_trace_dir(p);
}

static int readable(const char *p)
{
    return access(p, R_OK) == 0;
}

void sm_session_resolve(struct sm_session *s, const char *input)
{
    memset(s, 0, sizeof *s);
    s->meta.hz = -1;
    s->meta.client = s->meta.mediator = -1;
    if (is_results_dir(input)) {
        s->results_dir = 1;
        snprintf(s->trace_buf, sizeof s->trace_buf, "%s/trace.bin", input);
        snprintf(s->meta_buf, sizeof s->meta_buf, "%s/metadata.json", input);
        snprintf(s->log_buf, sizeof s->log_buf, "%s/calls.csv", input);
        if (readable(s->log_buf))
            s->calls_log = s->log_buf;
    } else {
        snprintf(s->trace_buf, sizeof s->trace_buf, "%s", input);
        const char *slash = strrchr(input, '/');
        if (slash)
            snprintf(s->meta_buf, sizeof s->meta_buf, "%.*s/metadata.json", (int)(slash - input),
                     input);
        else
            snprintf(s->meta_buf, sizeof s->meta_buf, "metadata.json");
    }
    s->trace = s->trace_buf;
}

int sm_session_open(struct sm_session *s, const char *input, const char *metadata, char *msg,
                    size_t size)
{
    sm_session_resolve(s, input);
    if (!readable(s->trace)) {
        snprintf(msg, size, "%s: %s", s->trace, strerror(errno));
        return -1;
    }
    if (metadata)
        s->metadata = metadata;
    else if (readable(s->meta_buf))
        s->metadata = s->meta_buf;
    if (s->metadata && sm_metadata_read(s->metadata, &s->meta, msg, size) != 0)
        return -1;
    return 0;
}

int sm_session_rate(const struct sm_session *s, double *hz, char *msg, size_t size)
{
    *hz = s->meta.hz;
    if (*hz >= 0)
        return 0;
    double ctf_hz; /* a CTF conversion carries its rate */
    struct xt_error err;
    if (tsrc_probe_cpu_hz(s->trace, &ctf_hz, &err) != 0) {
        snprintf(msg, size, "%s", err.msg);
        return -1;
    }
    *hz = ctf_hz > 0 ? ctf_hz : -1;
    return 0;
}

static void progress(const struct sm_session_tool *tool, const struct tsrc *r,
                     const struct xt_record *rec, int done)
{
    const struct xt_stats *st = tsrc_stats(r);
    double pct = st->file_bytes ? 100.0 * (double)rec->offset / (double)st->file_bytes : 100;
    tool->progress(tool->ctx, tsrc_name(r), done ? 100 : pct, st->file_bytes, done);
}

int sm_session_pass(const struct sm_session *s, struct sm_model *m,
                    const struct sm_session_tool *tool, struct sm_pass *pass)
{
    struct tsrc *r;
    memset(pass, 0, sizeof *pass);
    if (tsrc_open(&r, s->trace, &pass->err) != 0)
        return -1;
    /* Scheduler-specific records (credit2's, about 60% of a trace) matter to the model only
     * through each pCPU's first and last timestamps: the reader skips them (keeping each
     * pCPU's first chunk whole and its last timestamp, noted below). */
    tsrc_set_skip(r, 0x0ffff000u, 0x00022000u);
    tsrc_set_threaded(r, 1); /* read on the other core (falls back to one thread) */
    const struct xt_record *rec = NULL;
    struct xt_event ev;
    int rc;
    uint64_t n = 0;
    while ((rc = tsrc_next_ref(r, &rec, &pass->err)) == 1) {
        if ((rec->event & 0x0ffff000u) == 0x00022000u) {
            /* the model and the detector use only their time and pCPU: no full decode */
            ev.kind = XT_K_SCHED_CLASS;
            ev.tsc = rec->tsc;
            ev.cpu = rec->cpu;
            ev.domid = ev.next_domid = XT_DOMID_INVALID;
        } else {
            xt_decode(rec, &ev);
        }
        if (sm_model_feed(m, &ev) != 0) {
            tsrc_close(r);
            return -2;
        }
        if (tool->event)
            tool->event(tool->ctx, rec, &ev);
        if (tool->progress && (++n & 0xfffff) == 0)
            progress(tool, r, rec, 0);
    }
    if (tool->progress && n > 0xfffff)
        progress(tool, r, rec, 1);
    if (rc == 0) /* every record was read: each pCPU ends at its last one, skipped or not */
        for (unsigned cpu = 0; cpu < tsrc_stats(r)->ncpus; cpu++)
            sm_model_note_pcpu_end(m, cpu, tsrc_cpu_last_tsc(r, cpu));
    pass->read_rc = rc < 0 ? -1 : 0;
    pass->stats = *tsrc_stats(r);
    tsrc_close(r);
    return 0;
}
