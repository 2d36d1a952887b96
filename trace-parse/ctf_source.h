/* CTF record source: the struct xt_record stream of a CTF trace written from a xentrace file
 * through babeltrace2 (source.xentrace.reader, then sink.ctf.fs), read back through the
 * libbabeltrace2 graph API (source.ctf.fs -> filter.utils.muxer -> a sink of our own).
 *
 * The API mirrors xt_reader.h: open, next, stats, name, close; errors come back the same way
 * (struct xt_error, a message starting with the path). The records are exactly those
 * xt_reader gives on the original file, in the same order, with the same tsc, offset, cpu,
 * payload words and has_tsc; ctf_stats() gives the original file's struct xt_stats (stored in
 * the CTF trace's environment by the plugin). A CTF trace that source.xentrace.reader did not
 * write is refused ("expected ... found ...").
 *
 * tsrc_*() below open either kind, so a consumer (smclat analyze) has one code path.
 * Library code: prints nothing, never exits. */
#ifndef SMCLAT_CTF_SOURCE_H
#define SMCLAT_CTF_SOURCE_H

#include "xt_reader.h"

struct ctf_source;

/* 1 when path is a folder holding a CTF trace: a `metadata` file (CTF magic or TSDL text
 * starting with "/ * CTF") in it or in one of its direct subfolders (sink.ctf.fs writes
 * OUTDIR/TRACE-NAME/metadata). 0 otherwise. */
int ctf_is_trace_dir(const char *path);

/* Builds the graph and reads up to the first record (so ctf_stats() and ctf_cpu_hz() are
 * known). Returns 0, or -1 with *err filled. */
int ctf_open(struct ctf_source **out, const char *path, struct xt_error *err);
/* Next record. Returns 1 with *rec filled, 0 at the end, -1 with *err filled. */
int ctf_next(struct ctf_source *s, struct xt_record *rec, struct xt_error *err);
/* The original xentrace file's counts, as xt_stats() gave them after a whole pass. */
const struct xt_stats *ctf_stats(const struct ctf_source *s);
const char *ctf_name(const struct ctf_source *s);
/* The trace clock's frequency (the timer rate the trace was converted with), in Hz. */
double ctf_cpu_hz(const struct ctf_source *s);
void ctf_close(struct ctf_source *s);

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
