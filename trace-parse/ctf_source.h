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
 * trace_source.h opens either kind, so a consumer has one code path.
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

#endif
