#include "xt_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CURSOR_BUF  (64u * 1024u)
#define MAX_RECORD  (4u + 8u + 4u * XT_MAX_EXTRA)
#define INDEX_PROBE 4096u

struct chunk {
    uint64_t start; /* first byte of the records */
    uint64_t len;   /* bytes of records (whole or cut by the end of the file) */
    uint64_t first_tsc;
    uint32_t cpu;
    uint32_t order; /* position in the file */
    int cut;        /* the file ends inside this chunk */
    int no_skip;    /* the earliest chunk of its pCPU: every record is returned */
};

struct cursor {
    const struct chunk *chunk;
    uint64_t pos; /* next record's offset */
    uint64_t end;
    uint8_t *buf;
    size_t buf_cap;
    uint64_t buf_off; /* file offset of buf[0] */
    size_t buf_len;
    uint64_t last_tsc;
    /* the record to deliver next (the heap's key is its time, then its offset) */
    uint64_t cur_tsc, cur_off;
    const uint8_t *cur_p; /* its bytes, in buf or the memory source, until the next advance */
};

struct xt_reader {
    char *name;
    int fd;             /* -1 for a memory source */
    const uint8_t *mem; /* xt_open_mem's buffer */
    struct xt_stats st;
    struct chunk *chunks;
    size_t nchunks;
    size_t next_chunk;    /* next chunk (in time order) not yet merged */
    struct cursor **heap; /* min-heap by (tsc, offset) */
    size_t nheap, heap_cap;
    struct cursor **spare; /* released cursors for reuse */
    size_t nspare;
    uint32_t skip_mask, skip_value; /* xt_set_skip(); mask 0: return everything */
    uint64_t *cpu_last;             /* per pCPU: last timestamp, skipped records included */
    int failed;                     /* a broken record was met: every later call fails with it */
    struct xt_error pending;
    struct xt_pipe *pipe;     /* threaded mode (xt_set_threaded) */
    struct xt_record scratch; /* xt_next_ref's record, unthreaded */
};

/* Threaded mode: a producer thread runs the merge and hands over batches of records. */
#define PIPE_BATCH 8192
#define PIPE_SLOTS 4

struct xt_batch {
    struct xt_record recs[PIPE_BATCH];
    size_t n;
    int rc;              /* after the records: 0 end, -1 error, 1 more to come */
    struct xt_error err; /* when rc == -1 */
    struct xt_stats st;  /* the reader's statistics when the batch was closed */
};

struct xt_pipe {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct xt_batch *slots;
    int ready[PIPE_SLOTS]; /* filled and not yet consumed */
    int stop;              /* the consumer is closing */
    unsigned prod, cons;   /* slot being filled / read */
    int have;              /* the consumer holds slots[cons] */
    size_t pos;            /* next record in slots[cons] */
    uint64_t consumed;
    struct xt_stats st; /* what xt_stats() returns in threaded mode */
    int done;           /* 1 clean end, -1 error (err) */
    struct xt_error err;
};

static void set_err(struct xt_error *err, const char *name, uint64_t off, const char *fmt, ...)
{
    if (!err)
        return;
    err->offset = off;
    int n = snprintf(err->msg, sizeof err->msg, "%s: offset %" PRIu64 ": ", name, off);
    if (n < 0 || (size_t)n >= sizeof err->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + n, sizeof err->msg - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Reads len bytes at off; returns the number read (short only at the end of the source). */
static size_t src_read(struct xt_reader *r, uint64_t off, void *dst, size_t len)
{
    if (off >= r->st.file_bytes)
        return 0;
    if (len > r->st.file_bytes - off)
        len = (size_t)(r->st.file_bytes - off);
    if (r->mem) {
        memcpy(dst, r->mem + off, len);
        return len;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(r->fd, (uint8_t *)dst + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Size in bytes of the record whose header is h. */
static inline uint32_t rec_size(uint32_t h)
{
    return 4u + ((h >> 31) ? 8u : 0u) + 4u * ((h >> 28) & 7u);
}

static int chunk_cmp(const void *a, const void *b)
{
    const struct chunk *x = a, *y = b;
    if (x->first_tsc != y->first_tsc)
        return x->first_tsc < y->first_tsc ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* First timestamp in a chunk, or UINT64_MAX when no record in it has one. */
static uint64_t chunk_first_tsc(struct xt_reader *r, const struct chunk *c)
{
    uint8_t buf[INDEX_PROBE];
    uint64_t pos = c->start, end = c->start + c->len, first = UINT64_MAX;
    while (pos < end) {
        size_t want = (size_t)(end - pos < sizeof buf ? end - pos : sizeof buf);
        size_t got = src_read(r, pos, buf, want);
        size_t i = 0;
        while (i + 4 <= got) {
            uint32_t h = le32(buf + i);
            uint32_t sz = rec_size(h);
            if (i + sz > got)
                break;
            if (h >> 31) {
                uint64_t t = (uint64_t)le32(buf + i + 4) | (uint64_t)le32(buf + i + 8) << 32;
                /* a first timestamp far ahead of the next one is broken (XT_TSC_JUMP) */
                if (first == UINT64_MAX) {
                    first = t;
                } else {
                    return first > t && first - t > XT_TSC_JUMP ? t : first;
                }
            }
            i += sz;
        }
        if (i == 0)
            break; /* a record longer than what is left: the merge reports it */
        pos += i;
    }
    return first;
}

/* The chunk header at off: 1 with the chunk's pCPU, start and length (cut short at the end of
 * the file: *cut, the trace marked truncated), 0 when the file ends inside the header (marked
 * truncated), -1 with err filled. */
static int chunk_header(struct xt_reader *r, uint64_t off, uint32_t *cpu_out, uint64_t *start,
                        uint64_t *len, int *cut, struct xt_error *err)
{
    uint64_t size = r->st.file_bytes;
    uint8_t h[20];
    size_t got = src_read(r, off, h, sizeof h);
    if (got < 4) {
        r->st.truncated = 1;
        r->st.truncated_offset = off;
        return 0;
    }
    uint32_t hdr = le32(h);
    uint32_t ev = hdr & 0x0fffffffu, n = (hdr >> 28) & 7u, t = hdr >> 31;
    if (ev != XT_EV_CPU_CHANGE) {
        set_err(err, r->name, off,
                "expected a TRACE_CPU_CHANGE record (0x0001f003) starting a pCPU chunk, "
                "found header 0x%08x%s",
                hdr, off == 0 ? " (not a xentrace file?)" : "");
        return -1;
    }
    if (n < 2) {
        set_err(err, r->name, off,
                "TRACE_CPU_CHANGE record with %u payload words, expected 2 (cpu, bytes)", n);
        return -1;
    }
    uint32_t hsz = rec_size(hdr);
    if (got < hsz) {
        r->st.truncated = 1;
        r->st.truncated_offset = off;
        return 0;
    }
    uint32_t cpu = le32(h + 4 + (t ? 8 : 0)), bytes = le32(h + 8 + (t ? 8 : 0));
    if (cpu >= XT_MAX_CPUS) {
        set_err(err, r->name, off, "chunk header names pCPU %u, expected below %u", cpu,
                XT_MAX_CPUS);
        return -1;
    }
    if (bytes % 4 != 0) {
        set_err(err, r->name, off,
                "chunk header claims %u bytes of records, expected a multiple of 4", bytes);
        return -1;
    }
    *cpu_out = cpu;
    *start = off + hsz;
    *len = bytes;
    *cut = 0;
    if (*start + *len > size) {
        *len = (size - *start) & ~(uint64_t)3;
        r->st.truncated = 1;
        r->st.truncated_offset = *start + *len;
        *cut = 1;
    }
    return 1;
}

/* Appends a chunk to the index, with its first timestamp (or its neighbour's when it has
 * none). prev_first: per pCPU, the first tsc of its previous chunk in file order. 0 or -1. */
static int add_chunk(struct xt_reader *r, uint64_t off, uint32_t cpu, uint64_t start, uint64_t len,
                     int cut, size_t *cap, uint64_t **prev_first, struct xt_error *err)
{
    if (r->nchunks == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        struct chunk *nc = realloc(r->chunks, *cap * sizeof *nc);
        if (!nc) {
            set_err(err, r->name, off, "out of memory indexing chunks");
            return -1;
        }
        r->chunks = nc;
    }
    if (cpu + 1 > r->st.ncpus) {
        uint64_t *np = realloc(*prev_first, (cpu + 1) * sizeof *np);
        if (!np) {
            set_err(err, r->name, off, "out of memory indexing chunks");
            return -1;
        }
        for (uint32_t i = r->st.ncpus; i <= cpu; i++)
            np[i] = UINT64_MAX;
        *prev_first = np;
        r->st.ncpus = cpu + 1;
    }
    uint64_t *pf = *prev_first;
    struct chunk *c = &r->chunks[r->nchunks];
    c->start = start;
    c->len = len;
    c->cpu = cpu;
    c->order = (uint32_t)r->nchunks;
    c->cut = cut;
    c->no_skip = 0; /* set for each pCPU's earliest chunk once they are sorted */
    c->first_tsc = chunk_first_tsc(r, c);
    if (c->first_tsc == UINT64_MAX) {
        /* No timestamp at all: keep it with its pCPU's previous chunk, else with the
         * previous chunk in the file (chunks before any timestamp are resolved below). */
        if (pf[cpu] != UINT64_MAX)
            c->first_tsc = pf[cpu];
        else if (r->nchunks > 0)
            c->first_tsc = r->chunks[r->nchunks - 1].first_tsc;
    } else if (pf[cpu] != UINT64_MAX && c->first_tsc < pf[cpu]) {
        r->st.chunks_out_of_order++;
    }
    if (c->first_tsc != UINT64_MAX)
        pf[cpu] = c->first_tsc;
    r->nchunks++;
    return 0;
}

/* The chunks in time order, each pCPU's earliest one read whole. 0 or -1. */
static int order_chunks(struct xt_reader *r, struct xt_error *err)
{
    /* Chunks before the first timestamp of the file take it (not 0, which would stretch the
     * trace back to the counter's start); 0 only when no record has one. */
    uint64_t lead_tsc = 0;
    for (size_t i = 0; i < r->nchunks; i++)
        if (r->chunks[i].first_tsc != UINT64_MAX) {
            lead_tsc = r->chunks[i].first_tsc;
            break;
        }
    for (size_t i = 0; i < r->nchunks && r->chunks[i].first_tsc == UINT64_MAX; i++)
        r->chunks[i].first_tsc = lead_tsc;
    qsort(r->chunks, r->nchunks, sizeof *r->chunks, chunk_cmp);
    r->cpu_last = calloc(r->st.ncpus, sizeof *r->cpu_last);
    if (!r->cpu_last) {
        set_err(err, r->name, 0, "out of memory");
        return -1;
    }
    for (size_t i = 0, seen = 0; i < r->nchunks && seen < r->st.ncpus; i++) {
        struct chunk *c = &r->chunks[i];
        if (!r->cpu_last[c->cpu]) { /* used as a flag here, reset below */
            r->cpu_last[c->cpu] = 1;
            c->no_skip = 1;
            seen++;
        }
    }
    memset(r->cpu_last, 0, r->st.ncpus * sizeof *r->cpu_last);
    return 0;
}

static int build_index(struct xt_reader *r, struct xt_error *err)
{
    uint64_t size = r->st.file_bytes, off = 0;
    size_t cap = 0;
    uint64_t *prev_first = NULL; /* per cpu: first tsc of its previous chunk, file order */
    if (size == 0) {
        set_err(err, r->name, 0, "empty file, expected a xentrace trace");
        return -1;
    }
    while (off < size) {
        uint32_t cpu;
        uint64_t start, len;
        int cut;
        int h = chunk_header(r, off, &cpu, &start, &len, &cut, err);
        if (h < 0 || (h > 0 && add_chunk(r, off, cpu, start, len, cut, &cap, &prev_first, err))) {
            free(prev_first);
            return -1;
        }
        if (h == 0 || r->st.truncated)
            break;
        off = start + len;
    }
    free(prev_first);
    r->st.chunks = r->nchunks;
    if (r->nchunks == 0) {
        set_err(err, r->name, 0, "no whole chunk header, expected a xentrace trace");
        return -1;
    }
    return order_chunks(r, err);
}

static int reader_init(struct xt_reader *r, const char *name, struct xt_error *err)
{
    r->name = strdup(name);
    if (!r->name) {
        set_err(err, name, 0, "out of memory");
        return -1;
    }
    return build_index(r, err);
}

int xt_open(struct xt_reader **out, const char *path, struct xt_error *err)
{
    *out = NULL;
    struct xt_reader *r = calloc(1, sizeof *r);
    if (!r) {
        set_err(err, path, 0, "out of memory");
        return -1;
    }
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); reads of
     * a regular file ignore the flag. */
    r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (r->fd < 0) {
        set_err(err, path, 0, "cannot open: %s", strerror(errno));
        free(r);
        return -1;
    }
    struct stat sb;
    if (fstat(r->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        set_err(err, path, 0, "expected a xentrace file, found %s",
                S_ISDIR(sb.st_mode)    ? "a directory"
                : S_ISFIFO(sb.st_mode) ? "a FIFO"
                                       : "not a regular file");
        close(r->fd);
        free(r);
        return -1;
    }
    r->st.file_bytes = (uint64_t)sb.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    if (reader_init(r, path, err) != 0) {
        xt_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

int xt_open_mem(struct xt_reader **out, const void *data, size_t len, const char *name,
                struct xt_error *err)
{
    *out = NULL;
    struct xt_reader *r = calloc(1, sizeof *r);
    if (!r) {
        set_err(err, name, 0, "out of memory");
        return -1;
    }
    r->fd = -1;
    r->mem = data;
    r->st.file_bytes = len;
    if (reader_init(r, name, err) != 0) {
        xt_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

/* ---- merge ---- */

static inline int cur_less(const struct cursor *a, const struct cursor *b)
{
    if (a->cur_tsc != b->cur_tsc)
        return a->cur_tsc < b->cur_tsc;
    return a->cur_off < b->cur_off;
}

static void heap_push(struct xt_reader *r, struct cursor *c)
{
    size_t i = r->nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!cur_less(c, r->heap[p]))
            break;
        r->heap[i] = r->heap[p];
        i = p;
    }
    r->heap[i] = c;
}

/* Restores the heap after the root's key grew (or the root was replaced by the last entry). */
static void heap_sift_root(struct xt_reader *r)
{
    struct cursor *c = r->heap[0];
    size_t i = 0, n = r->nheap;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        const struct cursor *best = c;
        if (l < n && cur_less(r->heap[l], best)) {
            m = l;
            best = r->heap[l];
        }
        if (l + 1 < n && cur_less(r->heap[l + 1], best))
            m = l + 1;
        if (m == i)
            break;
        r->heap[i] = r->heap[m];
        i = m;
    }
    r->heap[i] = c;
}

/* Removes the root. */
static void heap_drop_root(struct xt_reader *r)
{
    r->heap[0] = r->heap[--r->nheap];
    if (r->nheap > 0)
        heap_sift_root(r);
}

static void cursor_release(struct xt_reader *r, struct cursor *c)
{
    r->spare[r->nspare++] = c;
}

/* Moves the cursor to its next record to deliver (c->cur_*). Returns 1, 0 at the end of the chunk,
 * -1 on a broken record. */
static int cursor_advance(struct xt_reader *r, struct cursor *c, struct xt_error *err)
{
    for (;;) {
        if (c->pos + 4 > c->end) {
            if (c->pos < c->end) { /* < 4 bytes: only possible in a cut chunk */
                r->st.truncated = 1;
                r->st.truncated_offset = c->pos;
            }
            return 0;
        }
        const uint8_t *p;
        uint64_t have;
        if (r->mem) { /* a memory source: parsed in place */
            p = r->mem + c->pos;
            have = c->end;
        } else {
            have = c->buf_off + c->buf_len;
            if (c->pos < c->buf_off || c->pos + MAX_RECORD > have) {
                if (have < c->end || c->pos < c->buf_off) {
                    uint64_t want = c->end - c->pos;
                    if (want > c->buf_cap)
                        want = c->buf_cap;
                    c->buf_off = c->pos;
                    c->buf_len = src_read(r, c->pos, c->buf, (size_t)want);
                    have = c->buf_off + c->buf_len;
                }
            }
            p = c->buf + (c->pos - c->buf_off);
        }
        uint32_t h = le32(p);
        uint32_t sz = rec_size(h);
        if (c->pos + sz > c->end) {
            if (c->chunk->cut) {
                r->st.truncated_offset = c->pos;
                return 0; /* the last record, cut by the end of the file */
            }
            set_err(err, r->name, c->pos,
                    "record 0x%08x claims %u payload words%s, only %" PRIu64
                    " bytes left in its pCPU %u chunk",
                    h, (h >> 28) & 7u, (h >> 31) ? " and a timestamp" : "", c->end - c->pos,
                    c->chunk->cpu);
            return -1;
        }
        if (c->pos + sz > have) { /* cannot happen with buf_cap >= MAX_RECORD */
            set_err(err, r->name, c->pos, "short read");
            return -1;
        }
        if ((h & 0x0fffffffu) == XT_EV_CPU_CHANGE) {
            /* xentrace writes these only as chunk headers: the size in this chunk's header
             * is wrong (a cut or damaged file), and what follows belongs to another chunk. */
            set_err(err, r->name, c->pos,
                    "expected a record of the pCPU %u chunk whose records start at offset %" PRIu64
                    ", found a TRACE_CPU_CHANGE chunk header (that chunk's size field is wrong)",
                    c->chunk->cpu, c->chunk->start);
            return -1;
        }
        const uint8_t *q = p + 4;
        if (h >> 31) {
            uint64_t t = (uint64_t)le32(q) | (uint64_t)le32(q + 4) << 32;
            if (t > c->last_tsc && t - c->last_tsc > XT_TSC_JUMP) {
                r->st.tsc_jumps++; /* broken: keep the previous timestamp */
            } else {
                if (t < c->last_tsc)
                    r->st.tsc_backwards++;
                c->last_tsc = t;
            }
            q += 8;
        } else {
            r->st.records_without_tsc++;
        }
        uint32_t cpu = c->chunk->cpu;
        if (c->last_tsc > r->cpu_last[cpu])
            r->cpu_last[cpu] = c->last_tsc;
        uint32_t event = h & 0x0fffffffu;
        if (event == XT_EV_WRAP_BUFFER) {
            c->pos += sz;
            r->st.wrap_buffers++;
            continue;
        }
        if ((event & r->skip_mask) == r->skip_value && r->skip_mask && !c->chunk->no_skip) {
            c->pos += sz;
            r->st.records++;
            r->st.skipped++;
            continue;
        }
        if (event == XT_EV_LOST_RECORDS)
            r->st.lost_record_events++;
        c->cur_tsc = c->last_tsc;
        c->cur_off = c->pos;
        c->cur_p = p;
        c->pos += sz;
        return 1;
    }
}

/* Copies the cursor's current record out (before the cursor moves on). */
static inline void fill_record(struct xt_record *rec, const struct cursor *c)
{
    const uint8_t *p = c->cur_p;
    uint32_t h = le32(p);
    rec->offset = c->cur_off;
    rec->tsc = c->cur_tsc;
    rec->event = h & 0x0fffffffu;
    rec->n_extra = (uint8_t)((h >> 28) & 7u);
    rec->has_tsc = (uint8_t)(h >> 31);
    rec->cpu = (uint16_t)c->chunk->cpu;
    const uint8_t *q = p + (rec->has_tsc ? 12 : 4);
    for (unsigned i = 0; i < rec->n_extra; i++)
        rec->extra[i] = le32(q + 4 * i);
}

/* Starts merging the chunk r->chunks[r->next_chunk]. */
static int activate_next(struct xt_reader *r, struct xt_error *err)
{
    const struct chunk *ch = &r->chunks[r->next_chunk++];
    struct cursor *c;
    if (r->nspare > 0) {
        c = r->spare[--r->nspare];
    } else {
        c = calloc(1, sizeof *c);
        if (!c) {
            set_err(err, r->name, ch->start, "out of memory");
            return -1;
        }
    }
    size_t cap = ch->len < CURSOR_BUF ? (size_t)ch->len : CURSOR_BUF;
    if (cap < MAX_RECORD)
        cap = MAX_RECORD;
    if (!r->mem && c->buf_cap < cap) {
        uint8_t *nb = realloc(c->buf, cap);
        if (!nb) {
            free(c->buf);
            free(c);
            set_err(err, r->name, ch->start, "out of memory");
            return -1;
        }
        c->buf = nb;
        c->buf_cap = cap;
    }
    c->chunk = ch;
    c->pos = ch->start;
    c->end = ch->start + ch->len;
    c->buf_off = ch->start;
    c->buf_len = 0;
    c->last_tsc = ch->first_tsc;
    int rc = cursor_advance(r, c, err);
    if (rc <= 0) {
        cursor_release(r, c);
        return rc;
    }
    heap_push(r, c);
    return 0;
}

static int merge_next(struct xt_reader *r, struct xt_record *rec, struct xt_error *err)
{
    if (r->failed) {
        if (err)
            *err = r->pending;
        return -1;
    }
    if (!r->heap) {
        r->heap = calloc(r->nchunks, sizeof *r->heap);
        r->spare = calloc(r->nchunks, sizeof *r->spare);
        r->heap_cap = r->nchunks;
        if (!r->heap || !r->spare) {
            set_err(err, r->name, 0, "out of memory");
            return -1;
        }
    }
    while (r->next_chunk < r->nchunks &&
           (r->nheap == 0 || r->chunks[r->next_chunk].first_tsc <= r->heap[0]->cur_tsc)) {
        if (activate_next(r, &r->pending) < 0) {
            r->failed = 1;
            if (err)
                *err = r->pending;
            return -1;
        }
    }
    if (r->nheap == 0)
        return 0;
    struct cursor *c = r->heap[0];
    fill_record(rec, c);
    r->st.records++;
    int rc = cursor_advance(r, c, &r->pending);
    if (rc < 0) /* deliver this record; the next call reports the broken one */
        r->failed = 1;
    if (rc <= 0) {
        heap_drop_root(r);
        cursor_release(r, c);
    } else if (r->nheap > 1) {
        heap_sift_root(r); /* the root's next record is later: usually one comparison */
    }
    return 1;
}

static void *pipe_producer(void *arg)
{
    struct xt_reader *r = arg;
    struct xt_pipe *p = r->pipe;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->ready[p->prod] && !p->stop)
            pthread_cond_wait(&p->cond, &p->lock);
        int stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            return NULL;
        struct xt_batch *b = &p->slots[p->prod];
        b->n = 0;
        b->rc = 1;
        while (b->n < PIPE_BATCH) {
            int rc = merge_next(r, &b->recs[b->n], &b->err);
            if (rc != 1) {
                b->rc = rc;
                break;
            }
            b->n++;
        }
        b->st = r->st;
        pthread_mutex_lock(&p->lock);
        p->ready[p->prod] = 1;
        p->prod = (p->prod + 1) % PIPE_SLOTS;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        if (b->rc != 1)
            return NULL;
    }
}

int xt_set_threaded(struct xt_reader *r, int on)
{
    if (!on || r->pipe)
        return 0;
    if (r->next_chunk > 0 || r->heap)
        return -1; /* records were already read */
    struct xt_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->slots = calloc(PIPE_SLOTS, sizeof *p->slots);
    if (!p->slots) {
        free(p);
        return -1;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->st = r->st;
    r->pipe = p;
    if (pthread_create(&p->thread, NULL, pipe_producer, r) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        free(p->slots);
        free(p);
        r->pipe = NULL;
        return -1;
    }
    return 0;
}

static int pipe_next(struct xt_reader *r, const struct xt_record **rec, struct xt_error *err)
{
    struct xt_pipe *p = r->pipe;
    for (;;) {
        if (p->done) {
            if (p->done < 0 && err)
                *err = p->err;
            return p->done < 0 ? -1 : 0;
        }
        if (!p->have) { /* wait for the producer to hand over the next batch */
            pthread_mutex_lock(&p->lock);
            while (!p->ready[p->cons])
                pthread_cond_wait(&p->cond, &p->lock);
            pthread_mutex_unlock(&p->lock);
            p->have = 1;
            p->pos = 0;
        }
        struct xt_batch *b = &p->slots[p->cons];
        if (p->pos < b->n) {
            *rec = &b->recs[p->pos++];
            p->consumed++;
            return 1;
        }
        p->st = b->st;
        p->st.records = p->consumed + b->st.skipped;
        if (b->rc != 1) { /* the producer has ended */
            p->done = b->rc < 0 ? -1 : 1;
            p->err = b->err;
            continue;
        }
        pthread_mutex_lock(&p->lock); /* give the batch back */
        p->ready[p->cons] = 0;
        p->cons = (p->cons + 1) % PIPE_SLOTS;
        p->have = 0;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
    }
}

int xt_next_ref(struct xt_reader *r, const struct xt_record **rec, struct xt_error *err)
{
    if (r->pipe)
        return pipe_next(r, rec, err);
    *rec = &r->scratch;
    return merge_next(r, &r->scratch, err);
}

int xt_next(struct xt_reader *r, struct xt_record *rec, struct xt_error *err)
{
    if (r->pipe) {
        const struct xt_record *p;
        int rc = pipe_next(r, &p, err);
        if (rc == 1)
            *rec = *p;
        return rc;
    }
    return merge_next(r, rec, err);
}

static void pipe_close(struct xt_reader *r)
{
    struct xt_pipe *p = r->pipe;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p->slots);
    free(p);
    r->pipe = NULL;
}

void xt_set_skip(struct xt_reader *r, uint32_t mask, uint32_t value)
{
    r->skip_mask = mask;
    r->skip_value = value & mask;
}

uint64_t xt_cpu_last_tsc(const struct xt_reader *r, unsigned cpu)
{
    return cpu < r->st.ncpus ? r->cpu_last[cpu] : 0;
}

const struct xt_stats *xt_stats(const struct xt_reader *r)
{
    return r->pipe ? &r->pipe->st : &r->st;
}

const char *xt_name(const struct xt_reader *r)
{
    return r->name;
}

void xt_close(struct xt_reader *r)
{
    if (!r)
        return;
    if (r->pipe)
        pipe_close(r);
    for (size_t i = 0; i < r->nheap; i++) {
        free(r->heap[i]->buf);
        free(r->heap[i]);
    }
    for (size_t i = 0; i < r->nspare; i++) {
        free(r->spare[i]->buf);
        free(r->spare[i]);
    }
    free(r->heap);
    free(r->spare);
    free(r->chunks);
    free(r->cpu_last);
    free(r->name);
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}
