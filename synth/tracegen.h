/* tracegen: writes xentrace files with known content, for tests, fuzz seeds and benchmarks.
 *
 * Records are appended per pCPU; each pCPU's records go out in chunks (TRACE_CPU_CHANGE
 * header + records) of at most chunk_bytes, in the order the chunks fill up, as xentrace
 * writes them. Streams to a FILE, so a trace of any size takes fixed memory. */
#ifndef SMCLAT_TRACEGEN_H
#define SMCLAT_TRACEGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tg;

/* Writes to out (not closed by tg). chunk_bytes: records per chunk, at least 64. */
struct tg *tg_new(FILE *out, unsigned ncpus, size_t chunk_bytes);
/* Flushes every pCPU's pending records and frees; returns 0, or -1 on a write error. */
int tg_finish(struct tg *g);

/* Raw records. n payload words (0-7). */
void tg_rec(struct tg *g, unsigned cpu, uint64_t tsc, uint32_t event, unsigned n,
            const uint32_t *extra);
void tg_rec_notsc(struct tg *g, unsigned cpu, uint32_t event, unsigned n, const uint32_t *extra);
/* Writes cpu's pending records now as one chunk. */
void tg_flush_cpu(struct tg *g, unsigned cpu);
uint64_t tg_records(const struct tg *g);

/* Scheduler events in Xen 4.17's layouts. */
void tg_runstate(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu,
                 unsigned old_state, unsigned new_state);
void tg_continue(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu);
void tg_wake(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu);
void tg_block(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu);
void tg_switch(struct tg *g, unsigned cpu, uint64_t tsc, unsigned pdom, unsigned pvcpu,
               unsigned ndom, unsigned nvcpu);
void tg_lost(struct tg *g, unsigned cpu, uint64_t tsc, uint32_t lost, unsigned dom, unsigned vcpu,
             uint64_t first_lost_tsc);

/* A whole trace in memory: tg_mem_new() then tg_mem_finish() returns the bytes (malloc'd). */
struct tg *tg_mem_new(unsigned ncpus, size_t chunk_bytes);
uint8_t *tg_mem_finish(struct tg *g, size_t *len);

#endif
