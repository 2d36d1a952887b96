#include "tracegen.h"

#include <stdlib.h>
#include <string.h>

struct cpu_buf {
    uint32_t *w;
    size_t n, cap; /* words */
};

struct tg {
    FILE *out;
    unsigned ncpus;
    size_t chunk_words;
    struct cpu_buf *cpu;
    uint64_t records;
    int error;
    /* memory mode */
    char *mem;
    size_t mem_len;
};

struct tg *tg_new(FILE *out, unsigned ncpus, size_t chunk_bytes)
{
    struct tg *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->out = out;
    g->ncpus = ncpus;
    g->chunk_words = (chunk_bytes < 64 ? 64 : chunk_bytes) / 4;
    g->cpu = calloc(ncpus, sizeof *g->cpu);
    if (!g->cpu) {
        free(g);
        return NULL;
    }
    return g;
}

void tg_flush_cpu(struct tg *g, unsigned cpu)
{
    struct cpu_buf *b = &g->cpu[cpu];
    if (b->n == 0)
        return;
    uint32_t hdr[3] = {0x2001f003u, cpu, (uint32_t)(b->n * 4)};
    if (fwrite(hdr, 4, 3, g->out) != 3 || fwrite(b->w, 4, b->n, g->out) != b->n)
        g->error = 1;
    b->n = 0;
}

static void put(struct tg *g, unsigned cpu, const uint32_t *w, size_t n)
{
    struct cpu_buf *b = &g->cpu[cpu];
    if (b->n + n > g->chunk_words)
        tg_flush_cpu(g, cpu);
    if (b->n + n > b->cap) {
        size_t cap = g->chunk_words > b->n + n ? g->chunk_words : b->n + n;
        uint32_t *nw = realloc(b->w, cap * 4);
        if (!nw) {
            g->error = 1;
            return;
        }
        b->w = nw;
        b->cap = cap;
    }
    memcpy(b->w + b->n, w, n * 4);
    b->n += n;
    g->records++;
}

void tg_rec(struct tg *g, unsigned cpu, uint64_t tsc, uint32_t event, unsigned n,
            const uint32_t *extra)
{
    uint32_t w[10];
    w[0] = (event & 0x0fffffffu) | (uint32_t)(n & 7u) << 28 | 0x80000000u;
    w[1] = (uint32_t)tsc;
    w[2] = (uint32_t)(tsc >> 32);
    for (unsigned i = 0; i < n && i < 7; i++)
        w[3 + i] = extra[i];
    put(g, cpu, w, 3 + (n & 7u));
}

void tg_rec_notsc(struct tg *g, unsigned cpu, uint32_t event, unsigned n, const uint32_t *extra)
{
    uint32_t w[8];
    w[0] = (event & 0x0fffffffu) | (uint32_t)(n & 7u) << 28;
    for (unsigned i = 0; i < n && i < 7; i++)
        w[1 + i] = extra[i];
    put(g, cpu, w, 1 + (n & 7u));
}

uint64_t tg_records(const struct tg *g)
{
    return g->records;
}

void tg_runstate(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu,
                 unsigned old_state, unsigned new_state)
{
    uint32_t w = (uint32_t)dom << 16 | (vcpu & 0xffffu);
    tg_rec(g, cpu, tsc, 0x00021001u | (old_state & 0xfu) << 8 | (new_state & 0xfu) << 4, 1, &w);
}

void tg_continue(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu)
{
    uint32_t w = (uint32_t)dom << 16 | (vcpu & 0xffffu);
    tg_rec(g, cpu, tsc, 0x00021002u, 1, &w);
}

void tg_wake(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu)
{
    uint32_t w[2] = {dom, vcpu};
    tg_rec(g, cpu, tsc, 0x00028004u, 2, w);
}

void tg_block(struct tg *g, unsigned cpu, uint64_t tsc, unsigned dom, unsigned vcpu)
{
    uint32_t w[2] = {dom, vcpu};
    tg_rec(g, cpu, tsc, 0x00028006u, 2, w);
}

void tg_switch(struct tg *g, unsigned cpu, uint64_t tsc, unsigned pdom, unsigned pvcpu,
               unsigned ndom, unsigned nvcpu)
{
    uint32_t w[4] = {pdom, pvcpu, ndom, nvcpu};
    tg_rec(g, cpu, tsc, 0x0002800au, 4, w);
}

void tg_lost(struct tg *g, unsigned cpu, uint64_t tsc, uint32_t lost, unsigned dom, unsigned vcpu,
             uint64_t first_lost_tsc)
{
    uint32_t w[4] = {lost, (uint32_t)dom << 16 | (vcpu & 0xffffu), (uint32_t)first_lost_tsc,
                     (uint32_t)(first_lost_tsc >> 32)};
    tg_rec(g, cpu, tsc, 0x0001f001u, 4, w);
}

int tg_finish(struct tg *g)
{
    for (unsigned c = 0; c < g->ncpus; c++)
        tg_flush_cpu(g, c);
    int rc = g->error ? -1 : 0;
    if (fflush(g->out) != 0)
        rc = -1;
    for (unsigned c = 0; c < g->ncpus; c++)
        free(g->cpu[c].w);
    free(g->cpu);
    free(g);
    return rc;
}

struct tg *tg_mem_new(unsigned ncpus, size_t chunk_bytes)
{
    struct tg *g = tg_new(NULL, ncpus, chunk_bytes);
    if (!g)
        return NULL;
    g->out = open_memstream(&g->mem, &g->mem_len);
    if (!g->out) {
        free(g->cpu);
        free(g);
        return NULL;
    }
    return g;
}

uint8_t *tg_mem_finish(struct tg *g, size_t *len)
{
    for (unsigned c = 0; c < g->ncpus; c++) {
        tg_flush_cpu(g, c);
        free(g->cpu[c].w);
    }
    int err = g->error;
    if (fclose(g->out) != 0) /* makes g->mem and g->mem_len valid */
        err = 1;
    uint8_t *out = (uint8_t *)g->mem;
    *len = g->mem_len;
    free(g->cpu);
    free(g);
    if (err) {
        free(out);
        return NULL;
    }
    return out;
}
