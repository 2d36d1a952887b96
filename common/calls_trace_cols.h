/* The columns of calls-trace.csv (`smclat analyze --calls-csv`, docs/analyze.md, docs/join.md):
 * written by cli/analyze-render.c, read by name by reports/results.c. One name per column,
 * here only. The join's columns follow the analyzer's when the calls were joined. */
#ifndef SMCLAT_COMMON_CALLS_TRACE_COLS_H
#define SMCLAT_COMMON_CALLS_TRACE_COLS_H

enum sm_ct_col {
    SM_CT_INDEX,
    SM_CT_SHAPE,
    SM_CT_REASON,
    SM_CT_CLIENT_PCPU,
    SM_CT_T_NOTIFY,
    SM_CT_T_CLIENT_BLOCK,
    SM_CT_T_MED_WAKE,
    SM_CT_T_MED_RUN,
    SM_CT_T_MED_BLOCK,
    SM_CT_T_ANSWER,
    SM_CT_T_CLIENT_WAKE,
    SM_CT_T_CLIENT_RUN,
    SM_CT_E2E_NS,
    SM_CT_MEDIATOR_WAKE_NS,
    SM_CT_MEDIATOR_RUN_NS,
    SM_CT_CLIENT_WAKE_NS,
    SM_CT_SW_CLIENT,
    SM_CT_SW_MEDIATOR,
    SM_CT_SW_IDLE,
    SM_CT_SW_OTHER,
    SM_CT_OTHER_RUN_NS,
    SM_CT_MEDIATOR_TIMER_WAKE,
    SM_CT_T_START,
    SM_CT_T_END,
    SM_CT_CERTAINTY,
    SM_CT_RECOVERED,
    SM_CT__CALL, /* the join's columns from here */
    SM_CT_JOIN = SM_CT__CALL,
    SM_CT_LOG_SEQ,
    SM_CT_LOG_LINE,
    SM_CT_OP,
    SM_CT_GUEST_RTT_NS,
    SM_CT_WINDOW_NS,
    SM_CT_BEFORE_WINDOW_NS,
    SM_CT_AFTER_WINDOW_NS,
    SM_CT_LOG_SAMPLE, /* 1: the log's call is a sample (status ok, no warm-up), 0: not */
    SM_CT__COUNT
};

static const char *const sm_ct_names[SM_CT__COUNT] = {
    "index",
    "shape",
    "reason",
    "client_pcpu",
    "t_notify",
    "t_client_block",
    "t_med_wake",
    "t_med_run",
    "t_med_block",
    "t_answer",
    "t_client_wake",
    "t_client_run",
    "e2e_ns",
    "mediator_wake_ns",
    "mediator_run_ns",
    "client_wake_ns",
    "sw_client",
    "sw_mediator",
    "sw_idle",
    "sw_other",
    "other_run_ns",
    "mediator_timer_wake",
    "t_start",
    "t_end",
    "certainty",
    "recovered",
    "join",
    "log_seq",
    "log_line",
    "op",
    "guest_rtt_ns",
    "window_ns",
    "before_window_ns",
    "after_window_ns",
    "log_sample",
};

/* The values of the join column, by enum sm_join_state (trace-parse/join.h): trace_only,
 * matched, inconsistent. */
static const char *const sm_ct_join_states[] = {"trace_only", "matched", "inconsistent"};
#define SM_CT_JOIN_TRACE_ONLY (sm_ct_join_states[0])

#endif
