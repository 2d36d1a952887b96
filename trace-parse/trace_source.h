/* The trace-source facade: a xentrace file or its CTF conversion (trace-parse/ctf_source.h),
 * read the same way, record by record (the API of xt_reader.h). Opened by the analysis session
 * (trace-parse/session.h) and by `smclat dump`.
 * Library code: prints nothing, never exits. */
#ifndef SMCLAT_TRACE_SOURCE_H
#define SMCLAT_TRACE_SOURCE_H

#include "xt_reader.h"

/* Either a xentrace file or a CTF trace folder (ctf_is_trace_dir()). */
struct tsrc;
int tsrc_open(struct tsrc **out, const char *path, struct xt_error *err);
int tsrc_next(struct tsrc *t, struct xt_record *rec, struct xt_error *err);
/* tsrc_next() without the copy: *rec is valid until the next call. */
int tsrc_next_ref(struct tsrc *t, const struct xt_record **rec, struct xt_error *err);
/* xt_set_threaded() for a xentrace file; -1 for a CTF folder (babeltrace2 runs on the
 * caller's thread), which stays usable. */
int tsrc_set_threaded(struct tsrc *t, int on);
/* xt_set_skip() / xt_cpu_last_tsc() for a xentrace file; a CTF folder returns every record
 * (and 0 here: its consumer saw every record's time). */
void tsrc_set_skip(struct tsrc *t, uint32_t mask, uint32_t value);
uint64_t tsrc_cpu_last_tsc(const struct tsrc *t, unsigned cpu);
const struct xt_stats *tsrc_stats(const struct tsrc *t);
const char *tsrc_name(const struct tsrc *t);
/* The timer rate a CTF trace carries; 0 for a xentrace file (it does not record it). */
double tsrc_cpu_hz(const struct tsrc *t);
int tsrc_is_ctf(const struct tsrc *t);
/* The timer rate of the CTF trace at path, before opening it for good (to choose the rate
 * first): 0 with *hz set (0 when path is not a CTF folder: a xentrace file does not record its
 * rate), or -1 with *err filled (a CTF folder that cannot be read). */
int tsrc_probe_cpu_hz(const char *path, double *hz, struct xt_error *err);
void tsrc_close(struct tsrc *t);

#endif
