/* The user side of bench/kmod's ioctl, apart from the device: building a call, reading its
 * outcome, explaining why the device cannot be used. */
#ifndef SMCLAT_BENCH_SMC_USER_H
#define SMCLAT_BENCH_SMC_USER_H

#include "kmod/smclat_smc.h"
#include "proto.h"

#include <stddef.h>
#include <stdint.h>

#define SM_SMCCC_VERSION_FID 0x80000000u /* ARM_SMCCC_VERSION: Xen answers 0x10001 */

/* Fills the ioctl argument for one op: x0 = fid, x1 = buffer id, x2 = payload length,
 * x3 = seq (what a TEE call would carry; Xen ignores them). flags: SMCLAT_SMC_*. */
void sm_smc_build(struct smclat_smc_call *c, uint32_t fid, uint32_t flags, uint32_t buf_id,
                  uint32_t payload_len, uint32_t seq);
/* SM_OK, or SM_EREFUSED when x0 carries an SMCCC error (negative; for an SMC32 id only the
 * low 32 bits count). */
enum sm_status sm_smc_status(uint32_t fid, uint64_t x0);
/* The returned value as logged: x0 sign-extended from 32 bits for SMC32 ids. */
int64_t sm_smc_ret(uint32_t fid, uint64_t x0);
/* Why opening `device` failed (errno err) and what to do, one line. */
void sm_smc_open_error(char *out, size_t n, const char *device, int err);
/* Checks the module's info against this program and the running kernel (release: uname -r).
 * 0, or -1 with the reason in out. */
int sm_smc_check_info(const struct smclat_smc_info *info, const char *release, char *out, size_t n);

#endif
