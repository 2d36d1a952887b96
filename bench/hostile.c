/* smclat-hostile: a client that breaks the ring protocol on purpose, for the hostile-client test
 * (tests/e2e/bench-hostile.sh). It maps a local mediator's ring (/dev/shm/smclat-CHANNEL) as a
 * client would, makes one write of the chosen kind (the first protocol violation the mediator
 * must find), wakes the mediator until it closes the ring, then goes on with seeded random
 * writes (garbage requests, producer index jumps, scribbled indexes and header words, payload
 * bytes, bare wake-ups), each followed by a futex wake of the mediator, bounded by --writes and
 * --duration. --case mixed makes random writes from the first one on. It reports on stdout, as
 * one JSON line, what it wrote and whether (and when) the mediator closed the ring.
 *
 * --case ops is the polite exception: requests that are well formed but name unknown ops, each
 * waited for; the mediator must answer every one with eproto and keep serving (exit 1 if not).
 */
#include "options.h"
#include "proto.h"
#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *const cases[] = {
    "garbage",      /* random request bytes: req_magic */
    "version",      /* the magic, another version: req_version */
    "length",       /* magic and version right, a payload past the area: req_length */
    "prod",         /* the producer index run far past the consumer: req_prod */
    "index",        /* the mediator's own consumer index scribbled: server_index */
    "rsp-cons",     /* the response consumer index past the producer: rsp_cons */
    "header",       /* the ring's payload capacity changed: header */
    "client-state", /* a client state that does not exist: client_state */
    "wake-flood",   /* wake-ups with nothing in the ring: wake_flood */
    "mixed",        /* random writes from the first one on (seeded) */
    "ops",          /* polite: unknown ops, each answered eproto */
};
#define NCASES (sizeof cases / sizeof cases[0])

static uint64_t rng_state;

static uint32_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return (uint32_t)(x >> 16);
}

static void wake(struct sm_ring *r)
{
    syscall(SYS_futex, (uint32_t *)&r->req_prod, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* A request slot written word by word, as anything in shared memory can be. */
static void put_request(struct sm_ring *r, uint32_t slot, const struct sm_request *q)
{
    memcpy(&r->req[slot % SM_RING_SLOTS], q, sizeof *q);
}

static void push(struct sm_ring *r, const struct sm_request *q)
{
    uint32_t prod = atomic_load(&r->req_prod);
    put_request(r, prod, q);
    atomic_store(&r->req_prod, prod + 1);
}

/* The first write: the violation this case stands for. */
static void first_write(struct sm_ring *r, int c, uint32_t cap)
{
    struct sm_request q;
    sm_request_init(&q, SM_OP_PROCESS, 1, 1, 0);
    switch (c) {
    case 0: /* garbage */
        for (size_t i = 0; i < sizeof q; i++)
            ((unsigned char *)&q)[i] = (unsigned char)rnd();
        if (q.magic == SM_PROTO_MAGIC)
            q.magic ^= 1;
        push(r, &q);
        break;
    case 1: /* version */
        q.version = (uint16_t)(2 + rnd() % 1000);
        push(r, &q);
        break;
    case 2: /* length */
        q.op = (uint16_t)rnd();
        q.payload_len = cap + 1 + rnd() % (1u << 30);
        push(r, &q);
        break;
    case 3: /* prod */
        atomic_fetch_add(&r->req_prod, SM_RING_SLOTS + 1 + rnd() % (1u << 30));
        break;
    case 4: /* index */
        atomic_fetch_add(&r->req_cons, 1 + rnd() % 1000);
        break;
    case 5: /* rsp-cons */
        atomic_fetch_add(&r->rsp_cons, 1 + rnd() % 1000);
        break;
    case 6: /* header */
        r->payload_cap = cap + 4096 * (1 + rnd() % 1000);
        break;
    case 7: /* client-state */
        atomic_store(&r->client_state, SM_PEER_CLOSED + 1 + rnd() % 1000);
        break;
    default: /* wake-flood: the wake-ups alone */
        break;
    }
}

/* One random write of any kind (mixed, and everything after the first write). */
static void random_write(struct sm_ring *r, unsigned char *payload, uint32_t cap)
{
    struct sm_request q;
    switch (rnd() % 8) {
    case 0: /* garbage at a random slot, maybe published */
        for (size_t i = 0; i < sizeof q; i++)
            ((unsigned char *)&q)[i] = (unsigned char)rnd();
        put_request(r, rnd(), &q);
        if (rnd() & 1)
            atomic_fetch_add(&r->req_prod, 1);
        break;
    case 1: /* a valid magic with an absurd op and length */
        sm_request_init(&q, (enum sm_op)(rnd() & 0xffff), rnd(), rnd(), rnd());
        push(r, &q);
        break;
    case 2: /* the producer index anywhere */
        atomic_store(&r->req_prod, rnd());
        break;
    case 3: /* the mediator's indexes */
        atomic_store(rnd() & 1 ? &r->req_cons : &r->rsp_prod, rnd());
        break;
    case 4: { /* any word of the control page but server_state (how this tool sees the
               * mediator give up; the unit tests change that one) */
        size_t w = rnd() % (sizeof *r / 4);
        if (w != offsetof(struct sm_ring, server_state) / 4)
            ((volatile uint32_t *)r)[w] = rnd();
        break;
    }
    case 5: /* payload bytes */
        if (cap)
            payload[rnd() % cap] = (unsigned char)rnd();
        break;
    case 6: /* the response consumer index anywhere */
        atomic_store(&r->rsp_cons, rnd());
        break;
    default: /* a bare wake-up */
        break;
    }
}

/* --case ops: n well-formed requests with ops the mediator does not know. Returns how many
 * were answered eproto (the rest: no answer within 1 s or another status). */
static int unknown_ops(struct sm_ring *r, uint32_t n)
{
    int ok = 0;
    for (uint32_t i = 0; i < n; i++) {
        static const uint16_t ops[] = {0, SM_OP_COUNT, 77, 0xffff};
        struct sm_request q;
        sm_request_init(&q, SM_OP_REGISTER, 1000 + i, 0, 0);
        q.op = ops[i % 4];
        atomic_store(&r->rsp_cons, atomic_load(&r->rsp_prod));
        push(r, &q);
        wake(r);
        uint64_t deadline = sm_now_ns() + 1000000000ull;
        while (atomic_load(&r->rsp_prod) == atomic_load(&r->rsp_cons) && sm_now_ns() < deadline)
            sleep_us(200);
        uint32_t cons = atomic_load(&r->rsp_cons);
        if (cons == atomic_load(&r->rsp_prod))
            continue;
        struct sm_response a = r->rsp[cons % SM_RING_SLOTS];
        atomic_store(&r->rsp_cons, cons + 1);
        ok += a.seq == q.seq && a.status == SM_EPROTO && a.op == q.op;
    }
    return ok;
}

int main(int argc, char **argv)
{
    const char *channel = "smclat", *kase = "mixed";
    long seed = 1, writes = 1000, interval_us = 500, connect_ms = 5000;
    double duration = 3;
    const struct sm_opt opts[] = {
        {"channel", 'c', SM_OPT_STRING, &channel, "NAME",
         "the mediator's ring /dev/shm/smclat-NAME (default smclat)"},
        {"case", 0, SM_OPT_STRING, &kase, "CASE",
         "the first write: garbage, version, length, prod, index, rsp-cons, header, "
         "client-state, wake-flood, mixed (default), or ops (polite: unknown ops)"},
        {"seed", 's', SM_OPT_INT, &seed, "N", "random seed (default 1)"},
        {"writes", 'n', SM_OPT_INT, &writes, "N", "writes at most (default 1000)"},
        {"duration", 'd', SM_OPT_DOUBLE, &duration, "S", "seconds at most (default 3)"},
        {"interval-us", 0, SM_OPT_INT, &interval_us, "US", "between writes (default 500)"},
        {"connect-timeout", 0, SM_OPT_INT, &connect_ms, "MS", "wait for the ring (default 5000)"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts("hostile", "[OPTIONS]",
                              "A client that breaks the ring protocol on purpose (tests).", opts,
                              argc, argv);
    if (first == SM_OPTS_HELP)
        return 0;
    if (first == SM_OPTS_ERROR)
        return 2;
    int c = -1;
    for (size_t i = 0; i < NCASES; i++)
        if (!strcmp(kase, cases[i]))
            c = (int)i;
    if (first < argc || c < 0 || writes < 1 || writes > 10000000 || interval_us < 0 ||
        interval_us > 1000000 || !(duration > 0 && duration <= 600) || connect_ms < 0 ||
        strchr(channel, '/') || strlen(channel) > 64) {
        fprintf(stderr, "smclat hostile: bad usage (see --help)\n");
        return 2;
    }
    rng_state = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;

    char name[96];
    snprintf(name, sizeof name, "/smclat-%s", channel);
    uint64_t deadline = sm_now_ns() + (uint64_t)connect_ms * 1000000ull;
    struct sm_ring *r = NULL;
    size_t size = 0;
    while (!r) {
        int fd = shm_open(name, O_RDWR, 0);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size >= (off_t)SM_RING_CTRL_SIZE) {
            size = (size_t)st.st_size;
            void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (m != MAP_FAILED) {
                if (atomic_load(&((struct sm_ring *)m)->server_state) == SM_PEER_READY)
                    r = m;
                else
                    munmap(m, size);
            }
        }
        if (fd >= 0)
            close(fd);
        if (!r) {
            if (sm_now_ns() >= deadline) {
                fprintf(stderr, "smclat hostile: no mediator ring /dev/shm%s\n", name);
                return 1;
            }
            sleep_us(10000);
        }
    }
    uint32_t cap = r->payload_cap;
    if (sm_ring_size(cap) > size) {
        fprintf(stderr, "smclat hostile: /dev/shm%s: capacity %u does not fit %zu bytes\n", name,
                cap, size);
        return 1;
    }
    unsigned char *payload = (unsigned char *)r + SM_RING_CTRL_SIZE;
    atomic_store(&r->client_state, SM_PEER_READY);

    if (!strcmp(kase, "ops")) {
        int ok = unknown_ops(r, (uint32_t)(writes < 1000 ? writes : 1000));
        atomic_store(&r->client_state, SM_PEER_CLOSED);
        wake(r);
        printf("{\"case\": \"ops\", \"requests\": %ld, \"eproto\": %d}\n",
               writes < 1000 ? writes : 1000, ok);
        munmap(r, size);
        return ok == (writes < 1000 ? writes : 1000) ? 0 : 1;
    }

    uint64_t t0 = sm_now_ns(), end = t0 + (uint64_t)(duration * 1e9);
    long n = 0, closed_after = -1;
    double closed_ms = -1;
    for (; n < writes && sm_now_ns() < end; n++) {
        /* The case's own write first, then only wake-ups until the mediator closes the ring
         * (so that the violation it reports is this one), then random writes of every kind
         * (mixed: from the first write on). */
        if (c == 9 || closed_after >= 0)
            random_write(r, payload, cap);
        else if (n == 0)
            first_write(r, c, cap);
        wake(r);
        if (closed_after < 0 && atomic_load(&r->server_state) == SM_PEER_CLOSED) {
            closed_after = n + 1;
            closed_ms = (double)(sm_now_ns() - t0) / 1e6;
        }
        if (interval_us)
            sleep_us(interval_us);
    }
    double secs = (double)(sm_now_ns() - t0) / 1e9;
    printf("{\"case\": \"%s\", \"seed\": %ld, \"writes\": %ld, \"duration_s\": %.3f, "
           "\"mediator_closed\": %s, \"closed_after_writes\": %ld, \"closed_after_ms\": %.1f}\n",
           kase, seed, n, secs, closed_after >= 0 ? "true" : "false", closed_after, closed_ms);
    munmap(r, size);
    return 0;
}
