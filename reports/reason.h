/* Why a scenario run failed: the one taxonomy of failure kinds (docs/robustness.md), shared by
 * the suite runner and the reports. scripts/lab/reasons.sh holds the same list for the lab's
 * scripts (tests/e2e/lab-faults.sh checks they agree). Each failure is a kind (a word:
 * `reason_kind` in run.json and suite.json) beside a human line (`reason`) with the facts. */
#ifndef SMCLAT_REASON_H
#define SMCLAT_REASON_H

#include <stddef.h>

enum sm_reason_kind {
    SM_REASON_SETUP,           /* the lab is not ready (images, programs), bad files */
    SM_REASON_EMULATOR_KILLED, /* QEMU ended by a signal the lab did not send (or crashed) */
    SM_REASON_EMULATOR_EXITED, /* QEMU exited by itself before the Dom0 job finished */
    SM_REASON_TIMEOUT,         /* a time limit really fired: the lab's TIMEOUT_S, the runner's */
    SM_REASON_BOOT_FAILED,     /* Xen, Dom0 or a DomU did not come up (which, the console line) */
    SM_REASON_XEN_CRASHED,     /* Xen, up and running the scenario, crashed (its line, the step) */
    SM_REASON_DOM0_CRASHED,    /* Dom0's kernel, up and running the scenario, panicked (its line) */
    SM_REASON_GUEST_PROGRAM,   /* a program in a guest failed: which, its status, its last line */
    SM_REASON_TRACE_FAILED,    /* xentrace failed: its status, lost records */
    SM_REASON_NO_SPACE,        /* a file could not be written: full file system (which file) */
    SM_REASON_IO_ERROR,        /* a file could not be written or read: other errno (which file) */
    SM_REASON_RESULTS_MISSING, /* the run finished but a result file did not come back */
    SM_REASON_ANALYZER_FAILED, /* the analyzer failed or was killed: its error line or signal */
    SM_REASON_INTERRUPTED,     /* SIGINT or SIGTERM stopped the run */
    SM_REASON_LAB_FAILED,      /* the lab failed without saying why (no run.json, unknown kind) */
    SM_REASON_COUNT
};

/* The kind's word ("emulator_killed"...); NULL out of range. */
const char *sm_reason_name(enum sm_reason_kind k);
/* A one-line description of the kind (docs). */
const char *sm_reason_describe(enum sm_reason_kind k);
/* The kind of a word; -1 when unknown or NULL. */
int sm_reason_parse(const char *name);
/* no_space for ENOSPC and EDQUOT, else io_error. */
enum sm_reason_kind sm_reason_of_errno(int err);
/* "SIGKILL" for a status 128 + 9 (or a signal number given as 128 + N); NULL when not one. */
const char *sm_signal_name(int status);

#endif
