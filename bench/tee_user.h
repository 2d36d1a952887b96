/* The Linux TEE client UAPI (linux/tee.h) as the tee transport uses it, apart from the device:
 * UUID parsing and the argument blocks of TEE_IOC_OPEN_SESSION and TEE_IOC_INVOKE. */
#ifndef SMCLAT_BENCH_TEE_USER_H
#define SMCLAT_BENCH_TEE_USER_H

#include <linux/tee.h>
#include <stdint.h>

/* "8aaaf200-2450-11e4-abe2-0002a5d5c51b" -> 16 bytes (big-endian fields, as OP-TEE wants).
 * 0, or -1 when it is not a UUID. */
int sm_tee_parse_uuid(const char *s, uint8_t out[TEE_IOCTL_UUID_LEN]);

/* TEE_IOC_OPEN_SESSION's block: the argument and no parameters (login public). */
struct sm_tee_open_block {
    struct tee_ioctl_open_session_arg arg;
    struct tee_ioctl_param params[4];
};
void sm_tee_build_open(struct sm_tee_open_block *b, const uint8_t uuid[TEE_IOCTL_UUID_LEN]);

/* TEE_IOC_INVOKE's block for `process`: command cmd on session, params[0] a memref INOUT of
 * len bytes of the registered shared memory shm_id, params[1] value input (seq, buffer id). */
struct sm_tee_invoke_block {
    struct tee_ioctl_invoke_arg arg;
    struct tee_ioctl_param params[4];
};
void sm_tee_build_invoke(struct sm_tee_invoke_block *b, uint32_t session, uint32_t cmd,
                         int32_t shm_id, uint32_t len, uint32_t seq);

#endif
