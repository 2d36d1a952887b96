/* `xen`: the ring in pages the mediator's domain grants to the client's, an event channel each
 * way (one interdomain channel, notified by both ends), set up through xenstore:
 *
 *   Dom0 (or --peer) tells each side the other's domid:
 *     /local/domain/MED/data/peer      = CLIENT   (read by the mediator without --peer)
 *     /local/domain/CLIENT/data/mediator = MED    (read by the client without --peer)
 *   The mediator publishes, readable by the client only (permissions n<MED> r<CLIENT>):
 *     /local/domain/MED/data/CHANNEL/ring-ref = "r0,r1,..."  grant refs of the ring's pages
 *     /local/domain/MED/data/CHANNEL/port     = its unbound event channel port
 *     /local/domain/MED/data/CHANNEL/state    = "ready" (written last), "closed" at exit
 *   With --wait-go the client then writes /local/domain/CLIENT/data/CHANNEL/ready = 1 and waits
 *   for /local/domain/CLIENT/data/CHANNEL/go (written by Dom0) before the first call.
 *
 * Waking: notify = xenevtchn_notify; wait = poll the evtchn fd, consume and unmask the event,
 * then the caller rechecks the ring index, so stale or duplicate events never answer a call. */
#include "transport.h"
#include "xen_refs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef SM_NO_XEN

static int xen_open(struct sm_transport *t, const struct sm_transport_opts *o)
{
    (void)o;
    snprintf(t->err, sizeof t->err,
             "this smclat-gen was built without Xen support (install libxen-dev and rebuild)");
    return -1;
}

static enum sm_status xen_call(struct sm_transport *t, struct sm_bench_call *c)
{
    (void)t;
    (void)c;
    return SM_EIO;
}

static void xen_close(struct sm_transport *t)
{
    (void)t;
}

static int xen_server_open(struct sm_server *s, const struct sm_transport_opts *o)
{
    (void)o;
    snprintf(s->err, sizeof s->err,
             "this smclat-mediator was built without Xen support (install libxen-dev and "
             "rebuild)");
    return -1;
}

static void xen_server_close(struct sm_server *s)
{
    (void)s;
}

#define xen_finish NULL

#else

#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define XEN_MAX_PAGES 257 /* control page + 1 MiB of payload */

struct xen {
    struct sm_ring_ep ep;
    struct xs_handle *xs;
    xenevtchn_handle *xce;
    xengnttab_handle *xgt; /* client: maps the pages */
    xengntshr_handle *xgs; /* mediator: grants them */
    xenevtchn_port_or_error_t port;
    void *map;
    uint32_t npages;
    int self, peer;
    int call_timeout_ms;
    char dir[96]; /* mediator: /local/domain/MED/data/CHANNEL */
};

static int evtchn_notify(void *ctx, _Atomic uint32_t *word)
{
    struct xen *x = ctx;
    (void)word;
    return xenevtchn_notify(x->xce, (evtchn_port_t)x->port) < 0 ? -1 : 0;
}

static int evtchn_wait(void *ctx, _Atomic uint32_t *word, uint32_t old, int timeout_ms)
{
    struct xen *x = ctx;
    if (atomic_load_explicit(word, memory_order_acquire) != old)
        return 0;
    struct pollfd pfd = {.fd = xenevtchn_fd(x->xce), .events = POLLIN};
    int r = poll(&pfd, 1, timeout_ms);
    if (r < 0)
        return -1;
    if (r == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    xenevtchn_port_or_error_t p = xenevtchn_pending(x->xce);
    if (p < 0)
        return -1;
    return xenevtchn_unmask(x->xce, (evtchn_port_t)p) < 0 ? -1 : 0;
}

/* Consumes the events already pending; returns how many. */
static int drain(struct xen *x)
{
    int n = 0;
    struct pollfd pfd = {.fd = xenevtchn_fd(x->xce), .events = POLLIN};
    while (n < 1000 && poll(&pfd, 1, 0) > 0) {
        xenevtchn_port_or_error_t p = xenevtchn_pending(x->xce);
        if (p < 0 || xenevtchn_unmask(x->xce, (evtchn_port_t)p) < 0)
            break;
        n++;
    }
    return n;
}

static char *xs_get(struct xs_handle *xs, const char *path)
{
    unsigned int len;
    return xs_read(xs, XBT_NULL, path, &len);
}

static int xs_put(struct xs_handle *xs, const char *path, const char *val)
{
    return xs_write(xs, XBT_NULL, path, val, (unsigned int)strlen(val)) ? 0 : -1;
}

/* Waits until path exists and, when want is not NULL, equals it, re-reading every 20 ms.
 * Returns its value (free it), or NULL on timeout or a signal. No watch: with Debian's static
 * libxenstore (the arm64 guest programs) every xs_read on a connection that holds a watch fails
 * with EINVAL (seen in the lab's Dom0 and DomUs). It only runs before the measured calls. */
static char *xs_wait(struct xs_handle *xs, const char *path, const char *want, int timeout_ms)
{
    uint64_t deadline = sm_now_ns() + (uint64_t)timeout_ms * 1000000ull;
    for (;;) {
        char *v = xs_get(xs, path);
        if (v && (!want || !strcmp(v, want)))
            return v;
        free(v);
        if (sm_now_ns() >= deadline)
            return NULL;
        struct timespec ts = {0, 20000000};
        if (nanosleep(&ts, NULL) != 0 && errno == EINTR)
            return NULL; /* a signal: give up, the caller reports it */
    }
}

static int read_int(struct xs_handle *xs, const char *path, int *out)
{
    char *v = xs_get(xs, path), *end;
    if (!v)
        return -1;
    long x = strtol(v, &end, 10);
    int ok = end != v && *end == '\0' && x >= 0 && x < 65536;
    free(v);
    if (!ok)
        return -1;
    *out = (int)x;
    return 0;
}

static int open_common(struct xen *x, char *err, size_t errlen)
{
    x->xs = xs_open(0);
    if (!x->xs) {
        snprintf(err, errlen,
                 "cannot reach xenstore (%s): not inside a Xen domain? (a DomU needs "
                 "/dev/xen/xenbus)",
                 strerror(errno));
        return -1;
    }
    if (read_int(x->xs, "domid", &x->self) != 0) {
        snprintf(err, errlen, "xenstore: cannot read this domain's domid");
        return -1;
    }
    x->xce = xenevtchn_open(NULL, 0);
    if (!x->xce) {
        snprintf(err, errlen, "xenevtchn_open: %s (modprobe xen-evtchn)", strerror(errno));
        return -1;
    }
    x->ep.notify = evtchn_notify;
    x->ep.wait = evtchn_wait;
    x->ep.ctx = x;
    return 0;
}

static void close_common(struct xen *x)
{
    if (x->xce) {
        if (x->port >= 0)
            xenevtchn_unbind(x->xce, (evtchn_port_t)x->port);
        xenevtchn_close(x->xce);
    }
    if (x->xs)
        xs_close(x->xs);
}

static int channel_ok(const char *channel, char *err, size_t errlen)
{
    if (!channel[0] || strlen(channel) > 32 || strchr(channel, '/')) {
        snprintf(err, errlen, "--channel '%s': expected 1-32 characters without '/'", channel);
        return -1;
    }
    return 0;
}

/* ---- client ---- */

static int xen_open(struct sm_transport *t, const struct sm_transport_opts *o)
{
    struct xen *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(t->err, sizeof t->err, "out of memory");
        return -1;
    }
    t->priv = x;
    x->port = -1;
    x->call_timeout_ms = o->call_timeout_ms;
    if (channel_ok(o->channel, t->err, sizeof t->err) || open_common(x, t->err, sizeof t->err))
        return -1;
    char path[128];
    if (o->peer_domid >= 0) {
        x->peer = (int)o->peer_domid;
    } else {
        snprintf(path, sizeof path, "/local/domain/%d/data/mediator", x->self);
        char *v = xs_wait(x->xs, path, NULL, o->connect_timeout_ms);
        free(v);
        if (!v || read_int(x->xs, path, &x->peer) != 0) {
            snprintf(t->err, sizeof t->err,
                     "no mediator domid: give --peer DOMID or have Dom0 write %s", path);
            return -1;
        }
    }
    snprintf(x->dir, sizeof x->dir, "/local/domain/%d/data/%s", x->peer, o->channel);
    snprintf(path, sizeof path, "%s/state", x->dir);
    char *state = xs_wait(x->xs, path, "ready", o->connect_timeout_ms);
    if (!state) {
        snprintf(t->err, sizeof t->err,
                 "mediator d%d not ready after %d ms (%s is not \"ready\"): is smclat-mediator "
                 "--transport xen running there, with this domain as its peer?",
                 x->peer, o->connect_timeout_ms, path);
        return -1;
    }
    free(state);
    int rport;
    snprintf(path, sizeof path, "%s/port", x->dir);
    if (read_int(x->xs, path, &rport) != 0) {
        snprintf(t->err, sizeof t->err, "%s: expected a port number", path);
        return -1;
    }
    snprintf(path, sizeof path, "%s/ring-ref", x->dir);
    char *refs_s = xs_get(x->xs, path);
    uint32_t refs[XEN_MAX_PAGES];
    int nrefs = sm_grant_refs_parse(refs_s, refs, XEN_MAX_PAGES);
    free(refs_s);
    if (nrefs < 1) {
        snprintf(t->err, sizeof t->err,
                 "%s: expected a comma-separated list of at most %d grant refs", path,
                 XEN_MAX_PAGES);
        return -1;
    }
    uint32_t n = (uint32_t)nrefs;
    x->xgt = xengnttab_open(NULL, 0);
    if (!x->xgt) {
        snprintf(t->err, sizeof t->err, "xengnttab_open: %s (modprobe xen-gntdev)",
                 strerror(errno));
        return -1;
    }
    x->map =
        xengnttab_map_domain_grant_refs(x->xgt, n, (uint32_t)x->peer, refs, PROT_READ | PROT_WRITE);
    if (!x->map) {
        snprintf(t->err, sizeof t->err, "mapping %u granted pages of d%d: %s", n, x->peer,
                 strerror(errno));
        return -1;
    }
    x->npages = n;
    if (sm_ring_check(x->map, (size_t)n * SM_RING_PAGE_SIZE) != SM_OK) {
        snprintf(t->err, sizeof t->err, "d%d's granted pages do not hold a smclat ring v%d",
                 x->peer, SM_RING_VERSION);
        return -1;
    }
    x->ep.ring = x->map;
    x->ep.payload = (unsigned char *)x->map + SM_RING_CTRL_SIZE;
    x->ep.payload_cap = x->ep.ring->payload_cap; /* checked against the mapping */
    if (o->payload_cap > x->ep.ring->payload_cap) {
        snprintf(t->err, sizeof t->err,
                 "payload of %u bytes does not fit the mediator's %u-byte area (its "
                 "--max-payload)",
                 o->payload_cap, x->ep.ring->payload_cap);
        return -1;
    }
    x->port = xenevtchn_bind_interdomain(x->xce, (uint32_t)x->peer, (evtchn_port_t)rport);
    if (x->port < 0) {
        snprintf(t->err, sizeof t->err, "binding to d%d port %d: %s", x->peer, rport,
                 strerror(errno));
        return -1;
    }
    atomic_store(&x->ep.ring->client_state, SM_PEER_READY);
    if (o->wait_go) {
        snprintf(path, sizeof path, "/local/domain/%d/data/%s/ready", x->self, o->channel);
        if (xs_put(x->xs, path, "1") != 0) {
            snprintf(t->err, sizeof t->err, "writing %s: %s", path, strerror(errno));
            return -1;
        }
        snprintf(path, sizeof path, "/local/domain/%d/data/%s/go", x->self, o->channel);
        char *go = xs_wait(x->xs, path, NULL, 600000);
        if (!go) {
            snprintf(t->err, sizeof t->err, "no %s from Dom0 within 600 s", path);
            return -1;
        }
        free(go);
    }
    /* Xen marks the port pending on bind: consume what is there before the first call. */
    drain(x);
    return 0;
}

static enum sm_status xen_call(struct sm_transport *t, struct sm_bench_call *c)
{
    struct xen *x = t->priv;
    return sm_ring_transport_call(t, &x->ep, c, x->call_timeout_ms);
}

static void xen_finish(struct sm_transport *t)
{
    struct xen *x = t->priv;
    if (x && x->ep.ring && x->port >= 0) {
        atomic_store(&x->ep.ring->client_state, SM_PEER_CLOSED);
        evtchn_notify(x, NULL);
    }
}

static void xen_close(struct sm_transport *t)
{
    struct xen *x = t->priv;
    if (!x)
        return;
    if (x->map)
        xengnttab_unmap(x->xgt, x->map, x->npages);
    if (x->xgt)
        xengnttab_close(x->xgt);
    close_common(x);
    free(x);
    t->priv = NULL;
}

/* ---- mediator ---- */

static int xen_server_open(struct sm_server *s, const struct sm_transport_opts *o)
{
    struct xen *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return -1;
    }
    s->priv = x;
    x->port = -1;
    if (channel_ok(o->channel, s->err, sizeof s->err) || open_common(x, s->err, sizeof s->err))
        return -1;
    char path[128], val[XEN_MAX_PAGES * 11 + 1];
    if (o->peer_domid >= 0) {
        x->peer = (int)o->peer_domid;
    } else {
        snprintf(path, sizeof path, "/local/domain/%d/data/peer", x->self);
        char *v = xs_wait(x->xs, path, NULL, o->connect_timeout_ms);
        free(v);
        if (!v || read_int(x->xs, path, &x->peer) != 0) {
            snprintf(s->err, sizeof s->err,
                     "no client domid: give --peer DOMID or have Dom0 write %s", path);
            return -1;
        }
    }
    x->xgs = xengntshr_open(NULL, 0);
    if (!x->xgs) {
        snprintf(s->err, sizeof s->err, "xengntshr_open: %s (modprobe xen-gntalloc)",
                 strerror(errno));
        return -1;
    }
    x->npages = (uint32_t)(sm_ring_size(o->payload_cap) / SM_RING_PAGE_SIZE);
    uint32_t refs[XEN_MAX_PAGES];
    x->map = xengntshr_share_pages(x->xgs, (uint32_t)x->peer, (int)x->npages, refs, 1);
    if (!x->map) {
        snprintf(s->err, sizeof s->err, "granting %u pages to d%d: %s", x->npages, x->peer,
                 strerror(errno));
        return -1;
    }
    sm_ring_format(x->map, o->payload_cap, 0);
    x->ep.ring = x->map;
    x->ep.payload = (unsigned char *)x->map + SM_RING_CTRL_SIZE;
    /* the pages are granted already: the mediator's own copies come from its options, never
     * from the page the client can write */
    sm_ring_server_init(&x->ep, o->payload_cap, 0);
    x->port = xenevtchn_bind_unbound_port(x->xce, (uint32_t)x->peer);
    if (x->port < 0) {
        snprintf(s->err, sizeof s->err, "xenevtchn_bind_unbound_port for d%d: %s", x->peer,
                 strerror(errno));
        return -1;
    }
    atomic_store(&x->ep.ring->server_state, SM_PEER_READY);

    snprintf(x->dir, sizeof x->dir, "/local/domain/%d/data/%s", x->self, o->channel);
    struct xs_permissions perms[2] = {
        {.id = (unsigned int)x->self, .perms = XS_PERM_NONE},
        {.id = (unsigned int)x->peer, .perms = XS_PERM_READ},
    };
    if (sm_grant_refs_format(val, sizeof val, refs, (int)x->npages) != 0) {
        snprintf(s->err, sizeof s->err, "too many grant refs for xenstore (%u)", x->npages);
        return -1;
    }
    char port_s[16];
    snprintf(port_s, sizeof port_s, "%d", x->port);
    const char *keys[3] = {"ring-ref", "port", "state"};
    const char *vals[3] = {val, port_s, "ready"};
    /* What a mediator that died left there goes first (a stale "ready" with old grant refs),
     * then the folder (so the client can watch under it), state last. */
    xs_rm(x->xs, XBT_NULL, x->dir);
    if (!xs_mkdir(x->xs, XBT_NULL, x->dir) ||
        !xs_set_permissions(x->xs, XBT_NULL, x->dir, perms, 2)) {
        snprintf(s->err, sizeof s->err, "xenstore: creating %s: %s", x->dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", x->dir, keys[i]);
        if (xs_put(x->xs, path, vals[i]) != 0 ||
            !xs_set_permissions(x->xs, XBT_NULL, path, perms, 2)) {
            snprintf(s->err, sizeof s->err, "xenstore: writing %s: %s", path, strerror(errno));
            return -1;
        }
    }
    s->ep = x->ep;
    return 0;
}

static void xen_server_close(struct sm_server *s)
{
    struct xen *x = s->priv;
    if (!x)
        return;
    if (x->ep.ring) {
        atomic_store(&x->ep.ring->server_state, SM_PEER_CLOSED);
        if (x->port >= 0)
            evtchn_notify(x, NULL);
    }
    if (x->xs && x->dir[0]) {
        char path[128];
        snprintf(path, sizeof path, "%s/state", x->dir);
        xs_put(x->xs, path, "closed");
    }
    if (x->map)
        xengntshr_unshare(x->xgs, x->map, x->npages);
    if (x->xgs)
        xengntshr_close(x->xgs);
    close_common(x);
    free(x);
    s->priv = NULL;
}

#endif

const struct sm_transport_ops sm_transport_xen = {
    .result_is_checksum = 1,
    .name = "xen",
    .what = "two Xen domains: ring in granted pages + event channels, set up via xenstore",
    .open = xen_open,
    .call = xen_call,
    .finish = xen_finish,
    .close = xen_close,
};

const struct sm_server_ops sm_server_xen = {
    .name = "xen",
    /* the event channel keeps a goodbye pending; every timed wake of an idle mediator is a
     * WAKE in the trace that can pass for a call on one pCPU */
    .idle_ms = 5000,
    .open = xen_server_open,
    .close = xen_server_close,
};
