# The join of the generator's call log with the trace's calls (docs/join.md): library part,
# its unit tests and end-to-end tests. Included from trace-parse/module.mk.
libsmclat-trace_SRCS += trace-parse/calls_log.c trace-parse/join.c trace-parse/recover.c

UNIT_TESTS += test_calls_log test_join
test_calls_log_SRCS := tests/test_calls_log.c
test_calls_log_ARCHIVES := libsmclat-trace
test_calls_log_LDLIBS := $(call pkg_libs,cmocka)
test_join_SRCS := tests/test_join.c
test_join_ARCHIVES := libsmclat-trace
test_join_LDLIBS := $(call pkg_libs,cmocka)

# End to end on the real traces: needs `smclat analyze` (cli/builtin-analyze.c).
ifneq ($(wildcard cli/builtin-analyze.c),)
E2E_TESTS += tests/e2e/join-real.sh tests/e2e/join-badinput.sh tests/e2e/join-synth.sh
endif
CHECK_DEPS += join

# libFuzzer target: the call log reader, then the join of what it read.
FUZZERS += fuzz_calls_log
fuzz_calls_log_SRCS := fuzz/fuzz_calls_log.c
fuzz_calls_log_ARCHIVES := libsmclat-trace

# make bench: the join's cost on a long synthetic run (docs/performance.md).
BENCHES += scripts/bench/join.sh
