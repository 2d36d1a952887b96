/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* smclat_smc: one SMC or HVC per ioctl, with the virtual counter read around
 * it. Shared by the kernel module (bench/kmod/smclat_smc.c) and smclat-gen
 * (transport_smc.c). */
#ifndef SMCLAT_SMC_UAPI_H
#define SMCLAT_SMC_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SMCLAT_SMC_DEVICE "/dev/smclat-smc"
#define SMCLAT_SMC_ABI	  1

/* flags */
#define SMCLAT_SMC_HVC (1u << 0) /* HVC instead of SMC */
#define SMCLAT_SMC_IRQS_ON                                                     \
	(1u << 1) /* leave interrupts enabled around the call */
#define SMCLAT_SMC_FLAGS (SMCLAT_SMC_HVC | SMCLAT_SMC_IRQS_ON)

struct smclat_smc_call {
	__u32 abi;	     /* in: SMCLAT_SMC_ABI */
	__u32 flags;	     /* in: SMCLAT_SMC_* */
	__u64 args[8];	     /* in: x0 (the SMCCC function id) .. x7 */
	__u64 res[4];	     /* out: x0 .. x3 as returned */
	__u64 cntvct_before; /* out: CNTVCT_EL0 just before the instruction
				(after an isb) */
	__u64 cntvct_after;  /* out: just after it */
};

struct smclat_smc_info {
	__u32 abi; /* the module's SMCLAT_SMC_ABI */
	__u32 reserved;
	__u64 cntfrq;	  /* CNTFRQ_EL0, ticks per second */
	char release[64]; /* the kernel release the module was built for
			     (UTS_RELEASE) */
};

#define SMCLAT_SMC_IOC_CALL _IOWR('S', 0x51, struct smclat_smc_call)
#define SMCLAT_SMC_IOC_INFO _IOR('S', 0x52, struct smclat_smc_info)

#endif
