# trace-parse: the xentrace reader, event decoder, histogram (and the model, calls, join).
ARCHIVES += libsmclat-trace
libsmclat-trace_SRCS += trace-parse/xt_reader.c trace-parse/xt_event.c
libsmclat-trace_SRCS += trace-parse/model.c trace-parse/calls.c trace-parse/calls_rules.c
libsmclat-trace_SRCS += trace-parse/roles.c
libsmclat-trace_SRCS += trace-parse/tickgrid.c
BENCHES += scripts/bench/analyze.sh
CHECK_DEPS += test
-include trace-parse/join.mk
