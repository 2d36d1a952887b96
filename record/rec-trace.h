/* smclat record: running xentrace for a duration, and a tiny scan of the file it wrote
 * (records, lost records, a truncated tail), enough for the metadata and for refusing a
 * trace that lost records. The full reader is trace-parse/. */
#ifndef SMCLAT_REC_TRACE_H
#define SMCLAT_REC_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define REC_TRC_LOST_RECORDS 0x0001f001u
#define REC_TRC_CPU_CHANGE   0x0001f003u
#define REC_TRACE_MASK       "0x0002f000"

struct rec_trace_scan {
    uint64_t bytes;
    uint64_t records;
    uint64_t lost_records;       /* sum of the LOST_RECORDS counts */
    uint64_t lost_record_events; /* number of LOST_RECORDS records */
    uint64_t truncated_bytes;    /* bytes of an incomplete last record (0: whole) */
};

/* Scans a buffer holding a whole trace file. Never fails: a short tail is reported in
 * truncated_bytes. */
void rec_trace_scan_buf(const uint32_t *words, size_t nbytes, struct rec_trace_scan *out);
/* Same on a file; returns 0, or -1 with "FILE: reason" in err. */
int rec_trace_scan_file(const char *path, struct rec_trace_scan *out, char *err, size_t errlen);

#define REC_TRC_DOM_ADD 0x00028001u

/* Finds each domain's DOM_ADD record (payload: domid) in a whole trace file's words and sets
 * created[domid] to its time stamp (the first one wins; domids >= n are ignored). Returns how
 * many were found. Xen takes a domain's virtual counter offset (CNTVOFF) within microseconds
 * of this record, so for that domain trace time ~= guest CNTVCT + created[domid]. */
int rec_trace_dom_add(const uint32_t *words, size_t nbytes, uint64_t *created, size_t n);
/* Same on a file: the number found, or -1 with "FILE: reason" in err. */
int rec_trace_dom_add_file(const char *path, uint64_t *created, size_t n, char *err, size_t errlen);

/* Runs `XENTRACE -D -S PAGES -e MASK -T SECONDS FILE` and waits for it. Returns its exit
 * status (0 success), or -1 with a message in err when it cannot run. */
int rec_trace_run(const char *xentrace, const char *file, unsigned seconds, unsigned pages,
                  const char *mask, char *err, size_t errlen);
/* The signal (SIGINT, SIGTERM) that stopped the last rec_trace_run early and was passed on to
 * xentrace as SIGINT, or 0. */
int rec_trace_stopped_by(void);

#endif
