/* `local`: the ring in POSIX shared memory (/dev/shm/smclat-CHANNEL), futexes on the ring's
 * producer indexes to sleep and wake. Two processes on one host, for development and CI. */
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct local {
    struct sm_ring_ep ep;
    void *map;
    size_t size;
    char name[96];
    int is_server;
    int call_timeout_ms;
};

/* The waiter count that goes with a producer index: a wake is a syscall, made only when
 * someone sleeps (the Dekker pattern: each side publishes, fences, then reads the other's). */
static _Atomic uint32_t *waiters_of(struct local *l, _Atomic uint32_t *word)
{
    struct sm_ring *r = l->ep.ring;
    return word == &r->req_prod ? &r->req_waiters : &r->rsp_waiters;
}

static int futex_notify(void *ctx, _Atomic uint32_t *word)
{
    struct local *l = ctx;
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load(waiters_of(l, word)) == 0)
        return 0;
    return syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0) < 0 ? -1 : 0;
}

static int futex_wait(void *ctx, _Atomic uint32_t *word, uint32_t old, int timeout_ms)
{
    struct local *l = ctx;
    struct timespec ts, *tsp = NULL;
    if (timeout_ms >= 0) {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
        tsp = &ts;
    }
    _Atomic uint32_t *waiters = waiters_of(l, word);
    atomic_fetch_add(waiters, 1);
    long r = 0;
    if (atomic_load(word) == old)
        r = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, old, tsp, NULL, 0);
    int e = errno;
    atomic_fetch_sub(waiters, 1);
    errno = e;
    if (r < 0 && errno == EAGAIN)
        return 0; /* the word had already changed */
    return r < 0 ? -1 : 0;
}

static int server_alive(void *ctx)
{
    struct local *l = ctx;
    pid_t pid = (pid_t)l->ep.ring->server_pid;
    return !(pid > 0 && kill(pid, 0) != 0 && errno == ESRCH);
}

static int shm_name(char *out, size_t n, const char *channel)
{
    if (!channel[0] || strchr(channel, '/') || strlen(channel) > 64)
        return -1;
    snprintf(out, n, "/smclat-%s", channel);
    return 0;
}

static void setup_ep(struct local *l)
{
    l->ep.ring = l->map;
    l->ep.payload = (unsigned char *)l->map + SM_RING_CTRL_SIZE;
    l->ep.payload_cap = l->ep.ring->payload_cap; /* checked against the mapping at open */
    l->ep.notify = futex_notify;
    l->ep.wait = futex_wait;
    l->ep.peer_alive = l->is_server ? NULL : server_alive;
    l->ep.ctx = l;
}

/* ---- client ---- */

static int local_open(struct sm_transport *t, const struct sm_transport_opts *o)
{
    struct local *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(t->err, sizeof t->err, "out of memory");
        return -1;
    }
    t->priv = l;
    l->call_timeout_ms = o->call_timeout_ms;
    if (shm_name(l->name, sizeof l->name, o->channel) != 0) {
        snprintf(t->err, sizeof t->err, "--channel '%s': expected 1-64 characters without '/'",
                 o->channel);
        return -1;
    }
    /* Wait for the mediator: the shared memory must exist and be READY. */
    uint64_t deadline = sm_now_ns() + (uint64_t)o->connect_timeout_ms * 1000000ull;
    int fd = -1;
    for (;;) {
        if (fd < 0)
            fd = shm_open(l->name, O_RDWR, 0);
        if (fd >= 0 && !l->map) {
            struct stat st;
            if (fstat(fd, &st) == 0 && st.st_size >= (off_t)SM_RING_CTRL_SIZE) {
                l->size = (size_t)st.st_size;
                l->map = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                if (l->map == MAP_FAILED) {
                    l->map = NULL;
                    snprintf(t->err, sizeof t->err, "mmap /dev/shm%s: %s", l->name,
                             strerror(errno));
                    close(fd);
                    return -1;
                }
            }
        }
        if (l->map && atomic_load(&((struct sm_ring *)l->map)->server_state) == SM_PEER_READY) {
            l->ep.ring = l->map;
            if (server_alive(l))
                break;
            /* Left by a mediator that was killed: a new one will replace the file. */
            munmap(l->map, l->size);
            l->map = NULL;
            close(fd);
            fd = -1;
        }
        if (sm_now_ns() >= deadline) {
            snprintf(t->err, sizeof t->err,
                     "no mediator on channel '%s' (/dev/shm%s) after %d ms: start "
                     "`smclat-mediator --transport local --channel %s` first",
                     o->channel, l->name, o->connect_timeout_ms, o->channel);
            if (fd >= 0)
                close(fd);
            return -1;
        }
        usleep(10000);
    }
    close(fd);
    if (sm_ring_check(l->map, l->size) != SM_OK) {
        snprintf(t->err, sizeof t->err,
                 "/dev/shm%s: not a smclat ring of version %d (stale file? remove it)", l->name,
                 SM_RING_VERSION);
        return -1;
    }
    setup_ep(l);
    if (o->payload_cap > l->ep.ring->payload_cap) {
        snprintf(t->err, sizeof t->err,
                 "payload of %u bytes does not fit the mediator's %u-byte area (its "
                 "--max-payload)",
                 o->payload_cap, l->ep.ring->payload_cap);
        return -1;
    }
    atomic_store(&l->ep.ring->client_state, SM_PEER_READY);
    return 0;
}

static enum sm_status local_call(struct sm_transport *t, struct sm_bench_call *c)
{
    struct local *l = t->priv;
    return sm_ring_transport_call(t, &l->ep, c, l->call_timeout_ms);
}

static void local_finish(struct sm_transport *t)
{
    struct local *l = t->priv;
    if (l && l->map) {
        atomic_store(&l->ep.ring->client_state, SM_PEER_CLOSED);
        futex_notify(l, &l->ep.ring->req_prod);
    }
}

static void local_close(struct sm_transport *t)
{
    struct local *l = t->priv;
    if (!l)
        return;
    if (l->map)
        munmap(l->map, l->size);
    free(l);
    t->priv = NULL;
}

const struct sm_transport_ops sm_transport_local = {
    .result_is_checksum = 1,
    .name = "local",
    .what = "two processes on this host: shared memory ring + futex",
    .open = local_open,
    .call = local_call,
    .finish = local_finish,
    .close = local_close,
};

/* ---- server ---- */

static int local_server_open(struct sm_server *s, const struct sm_transport_opts *o)
{
    struct local *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return -1;
    }
    s->priv = l;
    l->is_server = 1;
    if (shm_name(l->name, sizeof l->name, o->channel) != 0) {
        snprintf(s->err, sizeof s->err, "--channel '%s': expected 1-64 characters without '/'",
                 o->channel);
        return -1;
    }
    if (o->payload_cap > SM_RING_MAX_PAYLOAD) {
        snprintf(s->err, sizeof s->err, "--max-payload %u: at most %u bytes", o->payload_cap,
                 SM_RING_MAX_PAYLOAD);
        return -1;
    }
    /* A file left by a mediator that was killed is replaced. */
    shm_unlink(l->name);
    int fd = shm_open(l->name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(s->err, sizeof s->err, "shm_open /dev/shm%s: %s", l->name, strerror(errno));
        return -1;
    }
    l->size = sm_ring_size(o->payload_cap);
    if (ftruncate(fd, (off_t)l->size) != 0) {
        snprintf(s->err, sizeof s->err, "ftruncate /dev/shm%s: %s", l->name, strerror(errno));
        close(fd);
        shm_unlink(l->name);
        return -1;
    }
    l->map = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (l->map == MAP_FAILED) {
        l->map = NULL;
        snprintf(s->err, sizeof s->err, "mmap /dev/shm%s: %s", l->name, strerror(errno));
        shm_unlink(l->name);
        return -1;
    }
    sm_ring_format(l->map, o->payload_cap, (uint32_t)getpid());
    setup_ep(l);
    /* the file exists since shm_open: a client may write the page already, so the mediator's
     * own copies come from its options, never from the page */
    sm_ring_server_init(&l->ep, o->payload_cap, (uint32_t)getpid());
    s->ep = l->ep;
    atomic_store(&l->ep.ring->server_state, SM_PEER_READY);
    return 0;
}

static void local_server_close(struct sm_server *s)
{
    struct local *l = s->priv;
    if (!l)
        return;
    if (l->map) {
        atomic_store(&l->ep.ring->server_state, SM_PEER_CLOSED);
        futex_notify(l, &l->ep.ring->rsp_prod);
        munmap(l->map, l->size);
        shm_unlink(l->name);
    }
    free(l);
    s->priv = NULL;
}

const struct sm_server_ops sm_server_local = {
    .name = "local",
    /* the client's goodbye does not move req_prod: a futex wait that starts just after it
     * sleeps on, so this bounds how late it is seen */
    .idle_ms = 200,
    .open = local_server_open,
    .close = local_server_close,
};
