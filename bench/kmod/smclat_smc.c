// SPDX-License-Identifier: GPL-2.0
/*
 * smclat_smc: a misc device (/dev/smclat-smc) whose ioctl issues one SMC or HVC
 * with the function id and arguments given, reads CNTVCT_EL0 around it and
 * returns the result registers and both counter values. For measuring the trap
 * cost of a DomU's SMCs under Xen (smclat-gen
 * --transport smc). A benchmark tool: it lets root issue any SMC/HVC; do not
 * load it on a machine you care about.
 */
#include <linux/arm-smccc.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/irqflags.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <generated/utsrelease.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

#include "smclat_smc.h"

#ifndef CONFIG_ARM64
#error "smclat_smc is for arm64 kernels"
#endif

static inline u64 counter_now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static long smclat_do_call(struct smclat_smc_call __user *uarg)
{
	struct smclat_smc_call c;
	struct arm_smccc_res res;
	unsigned long irqflags = 0;
	const u64 *a;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (c.abi != SMCLAT_SMC_ABI)
		return -EPROTO;
	if (c.flags & ~SMCLAT_SMC_FLAGS)
		return -EINVAL;
	a = c.args;
	if (!(c.flags & SMCLAT_SMC_IRQS_ON))
		local_irq_save(irqflags);
	c.cntvct_before = counter_now();
	if (c.flags & SMCLAT_SMC_HVC)
		arm_smccc_hvc(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
			      &res);
	else
		arm_smccc_smc(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
			      &res);
	c.cntvct_after = counter_now();
	if (!(c.flags & SMCLAT_SMC_IRQS_ON))
		local_irq_restore(irqflags);
	c.res[0] = res.a0;
	c.res[1] = res.a1;
	c.res[2] = res.a2;
	c.res[3] = res.a3;
	return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long smclat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct smclat_smc_info info;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	switch (cmd) {
	case SMCLAT_SMC_IOC_CALL:
		return smclat_do_call((struct smclat_smc_call __user *)arg);
	case SMCLAT_SMC_IOC_INFO:
		memset(&info, 0, sizeof(info));
		info.abi = SMCLAT_SMC_ABI;
		info.cntfrq = read_sysreg(cntfrq_el0);
		strscpy(info.release, UTS_RELEASE, sizeof(info.release));
		return copy_to_user((void __user *)arg, &info, sizeof(info))
			   ? -EFAULT
			   : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations smclat_fops = {
    .owner = THIS_MODULE,
    .unlocked_ioctl = smclat_ioctl,
    .compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice smclat_dev = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = "smclat-smc",
    .fops = &smclat_fops,
    .mode = 0600,
};

module_misc_device(smclat_dev);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
    "smclat: one SMC/HVC per ioctl, timed with CNTVCT (benchmark only)");
MODULE_AUTHOR("smclat");
