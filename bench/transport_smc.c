/* `smc`: each op is one real SMC (or HVC) from this domain's kernel, through bench/kmod's
 * device; the call log gets the returned x0 and the trap's own ticks.
 * `smc+xen`: the same SMC, then the `xen` round trip to smclat-mediator for the same op, as a
 * stub-domain design would forward it (both in one call's start..end). */
#include "smc_user.h"
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

struct smc {
    int fd;
    uint32_t fid[SM_OP_COUNT];
    uint32_t flags;
    int with_xen;
    struct sm_transport xen;
};

static int smc_open_common(struct sm_transport *t, const struct sm_transport_opts *o, int with_xen)
{
    struct smc *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(t->err, sizeof t->err, "out of memory");
        return -1;
    }
    t->priv = s;
    s->fd = open(o->smc_device, O_RDWR | O_CLOEXEC);
    if (s->fd < 0) {
        sm_smc_open_error(t->err, sizeof t->err, o->smc_device, errno);
        return -1;
    }
    struct smclat_smc_info info;
    memset(&info, 0, sizeof info);
    if (ioctl(s->fd, SMCLAT_SMC_IOC_INFO, &info) != 0) {
        if (errno == EPERM || errno == EACCES)
            sm_smc_open_error(t->err, sizeof t->err, o->smc_device, errno);
        else
            snprintf(t->err, sizeof t->err,
                     "%s: not the smclat_smc device (info ioctl: %s): load bench/kmod's "
                     "smclat_smc.ko",
                     o->smc_device, strerror(errno));
        return -1;
    }
    struct utsname u;
    if (sm_smc_check_info(&info, uname(&u) == 0 ? u.release : NULL, t->err, sizeof t->err))
        return -1;
    memcpy(s->fid, o->smc_fid, sizeof s->fid);
    s->flags = (o->smc_hvc ? SMCLAT_SMC_HVC : 0) | (o->smc_irqs_on ? SMCLAT_SMC_IRQS_ON : 0);
    s->with_xen = with_xen;
    if (with_xen) {
        s->xen.ops = &sm_transport_xen;
        if (sm_transport_xen.open(&s->xen, o) != 0) {
            snprintf(t->err, sizeof t->err, "%s", s->xen.err);
            return -1;
        }
    }
    return 0;
}

static int smc_open(struct sm_transport *t, const struct sm_transport_opts *o)
{
    return smc_open_common(t, o, 0);
}

static int smc_xen_open(struct sm_transport *t, const struct sm_transport_opts *o)
{
    return smc_open_common(t, o, 1);
}

static enum sm_status smc_call(struct sm_transport *t, struct sm_bench_call *c)
{
    struct smc *s = t->priv;
    struct smclat_smc_call k;
    uint32_t fid = s->fid[c->op < SM_OP_COUNT ? c->op : 0];
    sm_smc_build(&k, fid, s->flags, c->buf_id, c->payload_len, c->seq);
    if (ioctl(s->fd, SMCLAT_SMC_IOC_CALL, &k) != 0) {
        int e = errno;
        snprintf(t->err, sizeof t->err, "SMC ioctl (fid 0x%08x): %s", fid, strerror(e));
        return e == EPERM || e == EACCES ? SM_EPERM : SM_EIO;
    }
    c->has_smc = 1;
    c->smc_ret = sm_smc_ret(fid, k.res[0]);
    c->trap_ticks = k.cntvct_after - k.cntvct_before;
    c->result = k.res[0];
    enum sm_status st = sm_smc_status(fid, k.res[0]);
    if (!s->with_xen)
        return st;
    enum sm_status xst = s->xen.ops->call(&s->xen, c);
    t->stale = s->xen.stale;
    /* The round trip's failure first; else a refused SMC stays refused. */
    return xst != SM_OK ? xst : st;
}

static void smc_finish(struct sm_transport *t)
{
    struct smc *s = t->priv;
    if (s && s->with_xen && s->xen.priv && s->xen.ops->finish)
        s->xen.ops->finish(&s->xen);
}

static void smc_close(struct sm_transport *t)
{
    struct smc *s = t->priv;
    if (!s)
        return;
    if (s->with_xen && s->xen.ops)
        s->xen.ops->close(&s->xen);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    t->priv = NULL;
}

const struct sm_transport_ops sm_transport_smc = {
    .name = "smc",
    .what = "one SMC/HVC per op from this domain's kernel (bench/kmod), trap ticks logged",
    .open = smc_open,
    .call = smc_call,
    .finish = smc_finish,
    .close = smc_close,
};

const struct sm_transport_ops sm_transport_smc_xen = {
    .result_is_checksum = 1,
    .name = "smc+xen",
    .what = "the SMC trap, then the xen round trip to smclat-mediator for the same op",
    .open = smc_xen_open,
    .call = smc_call,
    .finish = smc_finish,
    .close = smc_close,
};
