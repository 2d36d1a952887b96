/* Real-time setup shared by smclat-gen and smclat-mediator: CPU affinity, SCHED_FIFO with
 * mlockall, 1 ns timer slack. */
#ifndef SMCLAT_BENCH_RT_H
#define SMCLAT_BENCH_RT_H

/* cpu < 0: no pinning; prio 0: normal scheduling. 0, or -1 after one line on stderr naming
 * the option (prog is "gen" or "mediator"). */
int sm_rt_setup(const char *prog, long cpu, long prio);

#endif
