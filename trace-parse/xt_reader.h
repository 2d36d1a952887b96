/* xentrace file reader: raw records of all pCPUs, merged by timestamp.
 *
 * A library: it prints nothing and never exits. Errors come back in a struct xt_error whose
 * message names the file and byte offset ("t.bin: offset 4096: expected ..., found ...").
 *
 * Ownership: xt_open*() creates a reader that the caller frees with xt_close(). Records are
 * copied into the caller's struct xt_record; nothing returned points into the reader.
 *
 * Memory does not grow with the trace: the file is read with pread() through one fixed
 * buffer per chunk being merged (normally one per pCPU), plus a small index of chunk
 * positions (32 bytes per chunk, made in a first pass that hops from chunk header to chunk
 * header). */
#ifndef SMCLAT_XT_READER_H
#define SMCLAT_XT_READER_H

#include <stddef.h>
#include <stdint.h>

#define XT_EV_LOST_RECORDS 0x0001f001u
#define XT_EV_WRAP_BUFFER  0x0001f002u
#define XT_EV_CPU_CHANGE   0x0001f003u
#define XT_MAX_EXTRA       7
#define XT_MAX_CPUS        4096
/* Consecutive records of one pCPU chunk are never this far apart (2^44 ticks: 4.9 hours at
 * 1 GHz, 78 hours at 62.5 MHz): a timestamp further ahead is broken. */
#define XT_TSC_JUMP (1ull << 44)

struct xt_error {
    uint64_t offset; /* byte offset the message is about */
    char msg[512];   /* whole message, starting with the file's name */
};

struct xt_record {
    uint64_t tsc;    /* timer ticks; a record without its own takes its pCPU's previous one */
    uint64_t offset; /* byte offset of the record's header word in the file */
    uint32_t event;  /* event id (28 bits) */
    uint16_t cpu;    /* pCPU whose buffer held the record */
    uint8_t n_extra; /* payload words in extra[] */
    uint8_t has_tsc; /* 1 when the record carried its own timestamp */
    uint32_t extra[XT_MAX_EXTRA];
};

struct xt_stats {
    uint64_t file_bytes;
    uint64_t records;             /* records read, CPU_CHANGE headers not included */
    uint64_t skipped;             /* of those, not returned (xt_set_skip) */
    uint64_t chunks;              /* per-pCPU chunks in the file */
    uint64_t chunks_out_of_order; /* chunks starting before the previous chunk of that pCPU ended */
    uint64_t records_without_tsc;
    uint64_t tsc_backwards; /* records whose timestamp is below the previous one of their chunk */
    uint64_t wrap_buffers;  /* TRACE_WRAP_BUFFER padding records */
    uint64_t lost_record_events; /* LOST_RECORDS records */
    uint32_t ncpus;              /* highest pCPU number seen + 1 */
    int truncated;               /* the file ends inside a chunk or a record */
    uint64_t truncated_offset;
    uint64_t bytes_used; /* bytes of whole records (the rest is the truncated tail) */
    uint64_t tsc_jumps;  /* timestamps more than XT_TSC_JUMP ticks ahead of the previous one of
                          * their chunk (a flipped high bit): ignored, the record takes the
                          * previous one */
};

struct xt_reader;

/* Opens and indexes a trace file. Returns 0, or -1 with *err filled (the file is not a
 * xentrace trace, or its chunk structure is broken). A trace cut short (recording stopped)
 * opens fine: xt_stats()->truncated says so. */
int xt_open(struct xt_reader **out, const char *path, struct xt_error *err);
/* Same over a memory buffer (not copied: it must outlive the reader); name is used in
 * messages. */
int xt_open_mem(struct xt_reader **out, const void *data, size_t len, const char *name,
                struct xt_error *err);
/* Next record in time order. Returns 1 with *rec filled, 0 at the end, -1 on a broken
 * record (*err filled; the reader cannot go on). */
int xt_next(struct xt_reader *r, struct xt_record *rec, struct xt_error *err);
/* Threaded mode, chosen before the first xt_next(): a second thread runs the merge and hands
 * records over in batches of 8192 (about 2 MiB in all), so reading overlaps the caller's work
 * on another core. Records, errors and statistics are the same as without it. Returns 0, or
 * -1 (records were already read, or no thread could be started: the reader stays usable
 * unthreaded). */
int xt_set_threaded(struct xt_reader *r, int on);
/* Records whose (event & mask) == value are read but not returned, except in each pCPU's
 * earliest chunk (so a consumer still sees every pCPU's first record); the last timestamp of
 * each pCPU counts every record (xt_cpu_last_tsc). For consumers that need only some events:
 * the analyzer skips the scheduler-specific class (60% of a credit2 trace). Before the first
 * xt_next(). */
void xt_set_skip(struct xt_reader *r, uint32_t mask, uint32_t value);
/* The timestamp of the last record of pCPU cpu, skipped ones included (0 when none); whole
 * once xt_next() has returned 0 or -1. */
uint64_t xt_cpu_last_tsc(const struct xt_reader *r, unsigned cpu);

/* Statistics so far (whole once xt_next() has returned 0 or -1). */
const struct xt_stats *xt_stats(const struct xt_reader *r);
/* xt_next() without the copy: *rec points into the reader, valid until the next call. */
int xt_next_ref(struct xt_reader *r, const struct xt_record **rec, struct xt_error *err);
const char *xt_name(const struct xt_reader *r);
void xt_close(struct xt_reader *r);

#endif
