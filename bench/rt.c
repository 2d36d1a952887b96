#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int sm_rt_setup(const char *prog, long cpu, long prio, long dma_latency_us)
{
    /* Wake at the deadline, not up to 50 us after it (the default slack of normal tasks). */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            fprintf(stderr, "smclat %s: --cpu %ld: sched_setaffinity: %s\n", prog, cpu,
                    strerror(errno));
            return -1;
        }
    }
    if (prio > 0) {
        struct sched_param sp = {.sched_priority = (int)prio};
        if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) {
            fprintf(stderr,
                    "smclat %s: --prio %ld: SCHED_FIFO refused (%s): run as root or with "
                    "CAP_SYS_NICE, or drop --prio\n",
                    prog, prio, strerror(errno));
            return -1;
        }
        if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
            fprintf(stderr, "warning: mlockall: %s (page faults may show in the latencies)\n",
                    strerror(errno));
    }
    if (dma_latency_us >= 0) {
        /* The request holds while the file stays open: the descriptor is kept on purpose. */
        int fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
        int32_t v = (int32_t)dma_latency_us;
        if (fd < 0 || write(fd, &v, sizeof v) != (ssize_t)sizeof v) {
            fprintf(stderr, "smclat %s: --cpu-dma-latency %ld: /dev/cpu_dma_latency: %s\n", prog,
                    dma_latency_us, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
    }
    return 0;
}
