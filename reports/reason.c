#include "reason.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static const struct {
    const char *name, *what;
} kinds[SM_REASON_COUNT] = {
    [SM_REASON_SETUP] = {"setup", "the lab is not ready or a scenario file cannot be used"},
    [SM_REASON_EMULATOR_KILLED] = {"emulator_killed",
                                   "QEMU was killed by a signal the lab did not send, or crashed"},
    [SM_REASON_EMULATOR_EXITED] = {"emulator_exited",
                                   "QEMU exited by itself before the Dom0 job finished"},
    [SM_REASON_TIMEOUT] = {"timeout", "a time limit fired (the lab's TIMEOUT_S, the runner's)"},
    [SM_REASON_BOOT_FAILED] = {"boot_failed", "Xen, Dom0 or a DomU did not come up"},
    [SM_REASON_XEN_CRASHED] = {"xen_crashed",
                               "Xen crashed (a BUG, an assertion, a panic) during the scenario"},
    [SM_REASON_DOM0_CRASHED] =
        {"dom0_crashed", "Dom0's kernel panicked (or Xen says Dom0 crashed) during the scenario"},
    [SM_REASON_GUEST_PROGRAM] = {"guest_program_failed", "a program in a guest failed"},
    [SM_REASON_TRACE_FAILED] = {"trace_failed", "xentrace failed"},
    [SM_REASON_NO_SPACE] = {"no_space", "a file could not be written: no space left"},
    [SM_REASON_IO_ERROR] = {"io_error", "a file could not be written or read"},
    [SM_REASON_RESULTS_MISSING] = {"results_missing",
                                   "the run finished but a result file did not come back"},
    [SM_REASON_ANALYZER_FAILED] = {"analyzer_failed", "the analyzer failed or was killed"},
    [SM_REASON_INTERRUPTED] = {"interrupted", "stopped by SIGINT or SIGTERM"},
    [SM_REASON_LAB_FAILED] = {"lab_failed", "the lab failed without saying why"},
};

const char *sm_reason_name(enum sm_reason_kind k)
{
    return (unsigned)k < SM_REASON_COUNT ? kinds[k].name : NULL;
}

const char *sm_reason_describe(enum sm_reason_kind k)
{
    return (unsigned)k < SM_REASON_COUNT ? kinds[k].what : NULL;
}

int sm_reason_parse(const char *name)
{
    for (int k = 0; name && k < SM_REASON_COUNT; k++)
        if (!strcmp(kinds[k].name, name))
            return k;
    return -1;
}

enum sm_reason_kind sm_reason_of_errno(int err)
{
    return err == ENOSPC || err == EDQUOT ? SM_REASON_NO_SPACE : SM_REASON_IO_ERROR;
}

const char *sm_signal_name(int status)
{
    static const struct {
        int sig;
        const char *name;
    } sigs[] = {{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
                {SIGILL, "SIGILL"},   {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
                {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
                {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
                {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"},
                {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"}};
    if (status <= 128)
        return NULL;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigs[i].sig == status - 128)
            return sigs[i].name;
    return NULL;
}
