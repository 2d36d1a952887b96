/* smclat-pingpong: the floor the local transport is compared with. Two processes (fork) and two
 * futex words in shared memory, nothing else: the parent bumps word A and waits on word B, the
 * child waits on A and bumps B. Each round trip is timed; the summary is JSON on stdout.
 *
 *   smclat-pingpong [--round-trips N] [--cpu-parent N --cpu-child N]
 */
#include "hist.h"
#include "hist_json.h"
#include "options.h"
#include "ring.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
    _Alignas(64) _Atomic uint32_t ping;
    _Alignas(64) _Atomic uint32_t pong;
};

static void futex_wait_change(_Atomic uint32_t *w, uint32_t old)
{
    while (atomic_load_explicit(w, memory_order_acquire) == old)
        syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, old, NULL, NULL, 0);
}

static void futex_bump(_Atomic uint32_t *w)
{
    atomic_fetch_add_explicit(w, 1, memory_order_release);
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void pin(long cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

int main(int argc, char **argv)
{
    long n = 20000, cpu_parent = -1, cpu_child = -1;
    const struct sm_opt opts[] = {
        {"round-trips", 'n', SM_OPT_INT, &n, "N", "round trips to time (default 20000)"},
        {"cpu-parent", 0, SM_OPT_INT, &cpu_parent, "N", "pin the timing process to CPU N"},
        {"cpu-child", 0, SM_OPT_INT, &cpu_child, "N", "pin the echoing process to CPU N"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts("pingpong", "[OPTIONS]",
                              "A bare two-process futex ping-pong: the floor of the local "
                              "transport's round trip.",
                              opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return 0;
    if (first == SM_OPTS_ERROR || first < argc || n < 1 || n > 100000000) {
        fprintf(stderr, "smclat pingpong: --round-trips 1..100000000, no operands\n");
        return 2;
    }
    struct shared *sh =
        mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    struct sm_hist *h = sm_hist_new();
    if (sh == MAP_FAILED || !h) {
        fprintf(stderr, "smclat pingpong: out of memory\n");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "smclat pingpong: fork: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0) {
        pin(cpu_child);
        for (uint32_t i = 0; i < (uint32_t)n; i++) {
            futex_wait_change(&sh->ping, i);
            futex_bump(&sh->pong);
        }
        _exit(0);
    }
    pin(cpu_parent);
    uint64_t t0 = sm_now_ns();
    for (uint32_t i = 0; i < (uint32_t)n; i++) {
        uint64_t a = sm_now_ns();
        futex_bump(&sh->ping);
        futex_wait_change(&sh->pong, i);
        sm_hist_add(h, sm_now_ns() - a);
    }
    double secs = (double)(sm_now_ns() - t0) / 1e9;
    int st;
    waitpid(child, &st, 0);
    json_t *j = json_pack("{s:s, s:I, s:f, s:f, s:o}", "what", "futex ping-pong, two processes",
                          "round_trips", (json_int_t)n, "duration_s", secs, "round_trips_per_s",
                          (double)n / secs, "round_trip_ns", sm_hist_json(h, 1));
    json_dumpf(j, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(j);
    sm_hist_free(h);
    return 0;
}
