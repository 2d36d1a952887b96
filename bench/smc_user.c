#include "smc_user.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void sm_smc_build(struct smclat_smc_call *c, uint32_t fid, uint32_t flags, uint32_t buf_id,
                  uint32_t payload_len, uint32_t seq)
{
    memset(c, 0, sizeof *c);
    c->abi = SMCLAT_SMC_ABI;
    c->flags = flags;
    c->args[0] = fid;
    c->args[1] = buf_id;
    c->args[2] = payload_len;
    c->args[3] = seq;
}

static int is_smc32(uint32_t fid)
{
    return !(fid & 0x40000000u); /* bit 30: SMC64 */
}

int64_t sm_smc_ret(uint32_t fid, uint64_t x0)
{
    if (is_smc32(fid))
        return (int64_t)(int32_t)(uint32_t)x0;
    return (int64_t)x0;
}

enum sm_status sm_smc_status(uint32_t fid, uint64_t x0)
{
    return sm_smc_ret(fid, x0) < 0 ? SM_EREFUSED : SM_OK;
}

void sm_smc_open_error(char *out, size_t n, const char *device, int err)
{
    switch (err) {
    case ENOENT:
    case ENXIO:
    case ENODEV:
        snprintf(out, n,
                 "%s: no such device: load the module (insmod smclat_smc.ko, built for this "
                 "kernel by `make kmod` or on the board, see docs/bench.md); if insmod says "
                 "\"Invalid module format\" it was built for another kernel",
                 device);
        break;
    case EACCES:
    case EPERM:
        snprintf(out, n,
                 "%s: permission denied: run as root (the device is 0600 and needs "
                 "CAP_SYS_RAWIO)",
                 device);
        break;
    default:
        snprintf(out, n, "%s: %s", device, strerror(err));
        break;
    }
}

int sm_smc_check_info(const struct smclat_smc_info *info, const char *release, char *out, size_t n)
{
    if (info->abi != SMCLAT_SMC_ABI) {
        snprintf(out, n,
                 "the loaded smclat_smc speaks ABI %u, this smclat-gen ABI %u: rebuild "
                 "the module from this source tree",
                 info->abi, SMCLAT_SMC_ABI);
        return -1;
    }
    char rel[sizeof info->release + 1];
    memcpy(rel, info->release, sizeof info->release);
    rel[sizeof info->release] = '\0';
    if (release && strcmp(rel, release) != 0) {
        snprintf(out, n,
                 "the loaded smclat_smc was built for kernel %.64s, this is %.64s: "
                 "rebuild it for this kernel",
                 rel, release);
        return -1;
    }
    return 0;
}
