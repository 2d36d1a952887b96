/* Real-time setup shared by smclat-gen and smclat-mediator: CPU affinity, SCHED_FIFO with
 * mlockall, 1 ns timer slack. */
#ifndef SMCLAT_BENCH_RT_H
#define SMCLAT_BENCH_RT_H

/* cpu < 0: no pinning; prio 0: normal scheduling; dma_latency_us >= 0: hold
 * /dev/cpu_dma_latency at that value for the process's life (as cyclictest does by default),
 * so idle CPUs do not enter states whose exit delays a wake-up (in a VM: a halt and a host
 * wake-up, tens of us); -1 leaves it. 0, or -1 after one line on stderr naming the option
 * (prog is "gen" or "mediator"). */
int sm_rt_setup(const char *prog, long cpu, long prio, long dma_latency_us);

#endif
