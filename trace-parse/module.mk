# trace-parse: the xentrace reader, event decoder, histogram (and the model, calls, join).
ARCHIVES += libsmclat-trace
libsmclat-trace_SRCS += trace-parse/xt_reader.c trace-parse/xt_event.c trace-parse/hist.c
BENCHES += scripts/bench/analyze.sh
CHECK_DEPS += test
