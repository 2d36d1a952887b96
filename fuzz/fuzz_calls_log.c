/* libFuzzer target: the call log reader on arbitrary bytes, then the join of what it read with a
 * trace made from the same log (each call shifted by a constant offset, a few shapes). Any input
 * must end in calls, or in an error naming the file (and the line when it is about one); the
 * join must pair or refuse: never a crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_log.h"
#include "join.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    struct sm_calls_log *log;
    struct sm_log_error err;
    int rc = sm_calls_log_read_stream(f, "fuzz.csv", &log, &err);
    fclose(f);
    if (rc != 0) {
        if (strncmp(err.msg, "fuzz.csv", 8) != 0 || log)
            __builtin_trap(); /* every error names the file, and nothing is returned */
        return 0;
    }
    if (log->n == 0)
        __builtin_trap();
    /* A trace whose calls sit inside the log's windows (when they are long enough). */
    struct sm_call *calls = calloc(log->n, sizeof *calls);
    size_t n = 0;
    for (size_t i = 0; calls && i < log->n; i++) {
        const struct sm_log_call *l = &log->calls[i];
        if (l->start_cntvct < l->end_cntvct && l->end_cntvct - l->start_cntvct >= 4 &&
            l->end_cntvct < ((uint64_t)1 << 61)) {
            struct sm_call *c = &calls[n++];
            memset(c, 0xff, sizeof *c); /* SM_T_NONE everywhere */
            uint64_t a = l->start_cntvct + 1000000 + 1, z = l->end_cntvct + 1000000 - 1;
            c->index = (uint32_t)i;
            c->t_start = c->t_notify = a;
            c->t_end = c->t_client_run = z;
            c->t_client_block = (i % 3) ? a + 1 : SM_T_NONE;
            c->sw_client = c->sw_mediator = c->sw_idle = c->sw_other = 1;
        }
    }
    struct sm_join *j = NULL;
    struct sm_join_error jerr;
    if (calls && sm_join_run(calls, n, log->calls, log->n, NULL, &j, &jerr) == 0) {
        if (j->matched + j->log_only + j->inconsistent != log->n ||
            j->matched + j->trace_only + j->inconsistent != n || j->offset_lo > j->offset_hi)
            __builtin_trap();
        struct sm_join_summary *sum;
        if (sm_join_summarize(j, calls, log->calls, 62.5e6, &sum) == 0)
            sm_join_summary_free(sum);
        sm_join_free(j);
    } else if (calls && jerr.msg[0] == '\0') {
        __builtin_trap(); /* a refusal says why */
    }
    free(calls);
    sm_calls_log_free(log);
    return 0;
}
