/* The result of one `smclat analyze` run, as data: what cli/builtin-analyze.c fills (options,
 * session, passes) and cli/analyze-render.c writes (text, JSON, calls-trace.csv). */
#ifndef SMCLAT_ANALYSIS_H
#define SMCLAT_ANALYSIS_H

#include "analyze-join.h"
#include "calls.h"
#include "model.h"
#include "session.h"
#include "ticks.h"
#include "xt_reader.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_UNKNOWN_IDS 64

struct analysis {
    const struct sm_session *session;
    const char *trace;    /* path of the trace file */
    const char *metadata; /* path of metadata.json, NULL when none */
    double hz;
    long client, mediator; /* -1 when unknown */
    char roles_how[256];
    struct sm_model *model;
    struct sm_calls *calls;
    struct sm_analyze_join *join; /* --calls-log (docs/join.md): NULL when not joined */
    FILE *csv;
    const char *csv_path;
    int csv_error;
    struct xt_stats rstats;
    int partial;
    char warnings[8][320];
    int nwarnings;
    uint32_t unknown_ids[MAX_UNKNOWN_IDS];
    uint64_t unknown_counts[MAX_UNKNOWN_IDS];
    unsigned n_unknown;
    uint64_t unknown_other;
};

static inline double ticks_to_ns(const struct analysis *a, double ticks)
{
    return sm_ticks_to_ns(ticks, a->hz);
}

static inline uint64_t ns_u(const struct analysis *a, uint64_t ticks)
{
    return (uint64_t)llround(ticks_to_ns(a, (double)ticks));
}

/* The JSON document (docs/analyze.md) on stdout. 0, or 1 after printing an error. */
int sm_render_json(const struct analysis *a);
/* The human summary on stdout. */
void sm_render_text(const struct analysis *a);
/* calls-trace.csv: the header line (with the join's columns when joined), then one line per
 * call; k: the call's place among the joined calls (ignored when not joined). */
void sm_render_csv_header(FILE *f, int joined);
void sm_render_csv_row(FILE *f, const struct analysis *a, const struct sm_call *c, size_t k);

#endif
