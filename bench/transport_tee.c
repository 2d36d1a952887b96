/* `tee`: the kernel's TEE client UAPI on /dev/tee0 (what libteec wraps; libteec is not in
 * Debian 12): register = TEE_IOC_SHM_REGISTER of the payload buffer, process = TEE_IOC_INVOKE
 * of --tee-cmd on a session with the TA --tee-uuid (the buffer as a memref), unregister = close
 * the shared memory's fd. For a machine with a real OP-TEE; elsewhere a clear error. */
#include "tee_user.h"
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int sm_tee_parse_uuid(const char *s, uint8_t out[TEE_IOCTL_UUID_LEN])
{
    /* 8-4-4-4-12 hex digits */
    static const int groups[5] = {8, 4, 4, 4, 12};
    int k = 0;
    const char *p = s;
    for (int g = 0; g < 5; g++) {
        for (int i = 0; i < groups[g]; i += 2) {
            unsigned v;
            char hex[3] = {p[0], p[0] ? p[1] : 0, 0};
            char *end;
            if (!hex[0] || !hex[1])
                return -1;
            v = (unsigned)strtoul(hex, &end, 16);
            if (*end)
                return -1;
            out[k++] = (uint8_t)v;
            p += 2;
        }
        if (g < 4 && *p++ != '-')
            return -1;
    }
    return *p ? -1 : 0;
}

void sm_tee_build_open(struct sm_tee_open_block *b, const uint8_t uuid[TEE_IOCTL_UUID_LEN])
{
    memset(b, 0, sizeof *b);
    memcpy(b->arg.uuid, uuid, TEE_IOCTL_UUID_LEN);
    b->arg.clnt_login = TEE_IOCTL_LOGIN_PUBLIC;
    b->arg.num_params = 0;
}

void sm_tee_build_invoke(struct sm_tee_invoke_block *b, uint32_t session, uint32_t cmd,
                         int32_t shm_id, uint32_t len, uint32_t seq)
{
    memset(b, 0, sizeof *b);
    b->arg.func = cmd;
    b->arg.session = session;
    b->arg.num_params = 2;
    b->params[0].attr = TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT;
    b->params[0].a = 0;   /* offset */
    b->params[0].b = len; /* size */
    b->params[0].c = (uint64_t)(int64_t)shm_id;
    b->params[1].attr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
    b->params[1].a = seq;
    b->params[1].b = (uint64_t)(int64_t)shm_id;
}

struct tee {
    int fd;
    int shm_fd; /* the registered buffer's fd, -1 when none */
    int32_t shm_id;
    uint32_t session;
    int have_session;
    uint32_t cmd;
    void *buf;
    size_t buf_len;
};

static int tee_open(struct sm_transport *t, const struct sm_transport_opts *o)
{
    struct tee *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(t->err, sizeof t->err, "out of memory");
        return -1;
    }
    t->priv = e;
    e->fd = -1;
    e->shm_fd = -1;
    e->cmd = (uint32_t)o->tee_cmd;
    uint8_t uuid[TEE_IOCTL_UUID_LEN];
    if (!o->tee_uuid || sm_tee_parse_uuid(o->tee_uuid, uuid) != 0) {
        snprintf(t->err, sizeof t->err,
                 "--tee-uuid: expected the TA's UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), "
                 "found '%s'",
                 o->tee_uuid ? o->tee_uuid : "nothing");
        return -1;
    }
    e->fd = open(o->tee_device, O_RDWR | O_CLOEXEC);
    if (e->fd < 0) {
        if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
            snprintf(t->err, sizeof t->err,
                     "%s: no TEE on this machine (no OP-TEE driver or no secure world): "
                     "--transport smc measures the SMC trap, xen or local the mediator path",
                     o->tee_device);
        else
            snprintf(t->err, sizeof t->err, "%s: %s", o->tee_device, strerror(errno));
        return -1;
    }
    struct tee_ioctl_version_data v;
    memset(&v, 0, sizeof v);
    if (ioctl(e->fd, TEE_IOC_VERSION, &v) != 0) {
        snprintf(t->err, sizeof t->err, "%s: not a TEE device (TEE_IOC_VERSION: %s)", o->tee_device,
                 strerror(errno));
        return -1;
    }
    if (!(v.gen_caps & TEE_GEN_CAP_REG_MEM)) {
        snprintf(t->err, sizeof t->err,
                 "%s: this TEE (implementation %u) cannot register user memory", o->tee_device,
                 v.impl_id);
        return -1;
    }
    long page = sysconf(_SC_PAGESIZE);
    e->buf_len = o->payload_cap ? o->payload_cap : 1;
    if (posix_memalign(&e->buf, (size_t)page, e->buf_len) != 0) {
        snprintf(t->err, sizeof t->err, "out of memory");
        return -1;
    }
    memset(e->buf, 0, e->buf_len);
    struct sm_tee_open_block ob;
    sm_tee_build_open(&ob, uuid);
    struct tee_ioctl_buf_data bd = {.buf_ptr = (uint64_t)(uintptr_t)&ob, .buf_len = sizeof ob.arg};
    if (ioctl(e->fd, TEE_IOC_OPEN_SESSION, &bd) != 0 || ob.arg.ret != 0) {
        snprintf(t->err, sizeof t->err,
                 "opening a session with TA %s: %s (TEE result 0x%08x, origin %u)", o->tee_uuid,
                 strerror(errno), ob.arg.ret, ob.arg.ret_origin);
        return -1;
    }
    e->session = ob.arg.session;
    e->have_session = 1;
    return 0;
}

static enum sm_status tee_call(struct sm_transport *t, struct sm_bench_call *c)
{
    struct tee *e = t->priv;
    switch (c->op) {
    case SM_OP_REGISTER: {
        if (e->shm_fd >= 0)
            return SM_EFULL; /* one buffer at a time, as the flows use it */
        struct tee_ioctl_shm_register_data r = {.addr = (uint64_t)(uintptr_t)e->buf,
                                                .length = e->buf_len};
        int fd = ioctl(e->fd, TEE_IOC_SHM_REGISTER, &r);
        if (fd < 0) {
            snprintf(t->err, sizeof t->err, "TEE_IOC_SHM_REGISTER: %s", strerror(errno));
            return errno == ENOMEM ? SM_EFULL : SM_EIO;
        }
        e->shm_fd = fd;
        e->shm_id = r.id;
        c->result = (uint64_t)(uint32_t)r.id;
        return SM_OK;
    }
    case SM_OP_PROCESS: {
        if (e->shm_fd < 0 || (uint32_t)e->shm_id != c->buf_id)
            return SM_ENOENT;
        if (c->payload_len > e->buf_len)
            return SM_EPROTO;
        memcpy(e->buf, c->payload, c->payload_len);
        struct sm_tee_invoke_block ib;
        sm_tee_build_invoke(&ib, e->session, e->cmd, e->shm_id, c->payload_len, c->seq);
        struct tee_ioctl_buf_data bd = {.buf_ptr = (uint64_t)(uintptr_t)&ib,
                                        .buf_len = sizeof ib.arg + 2 * sizeof ib.params[0]};
        if (ioctl(e->fd, TEE_IOC_INVOKE, &bd) != 0) {
            snprintf(t->err, sizeof t->err, "TEE_IOC_INVOKE: %s", strerror(errno));
            return SM_EIO;
        }
        c->result = ib.arg.ret;
        if (ib.arg.ret == 0xffff0001u) /* TEEC_ERROR_ACCESS_DENIED */
            return SM_EPERM;
        if (ib.arg.ret == 0xffff000au) /* TEEC_ERROR_NOT_SUPPORTED */
            return SM_EREFUSED;
        return ib.arg.ret == 0 ? SM_OK : SM_EPROTO; /* the TA rejected the request */
    }
    case SM_OP_UNREGISTER:
        if (e->shm_fd < 0 || (uint32_t)e->shm_id != c->buf_id)
            return SM_ENOENT;
        close(e->shm_fd);
        e->shm_fd = -1;
        return SM_OK;
    default:
        return SM_EPROTO;
    }
}

static void tee_close(struct sm_transport *t)
{
    struct tee *e = t->priv;
    if (!e)
        return;
    if (e->shm_fd >= 0)
        close(e->shm_fd);
    if (e->have_session) {
        struct tee_ioctl_close_session_arg ca = {.session = e->session};
        ioctl(e->fd, TEE_IOC_CLOSE_SESSION, &ca);
    }
    if (e->fd >= 0)
        close(e->fd);
    free(e->buf);
    free(e);
    t->priv = NULL;
}

const struct sm_transport_ops sm_transport_tee = {
    .name = "tee",
    .what = "the Linux TEE client UAPI on /dev/tee0: shm register, invoke, release",
    .open = tee_open,
    .call = tee_call,
    .finish = NULL,
    .close = tee_close,
};
