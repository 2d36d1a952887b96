# Unit tests (cmocka) and the synthetic trace writer they share.
TRACEGEN_SRCS := tests/tracegen.c

UNIT_TESTS += test_reader test_hist
test_reader_SRCS := tests/test_reader.c $(TRACEGEN_SRCS)
test_reader_ARCHIVES := libsmclat-trace
test_reader_LDLIBS := -lcmocka
test_hist_SRCS := tests/test_hist.c
test_hist_ARCHIVES := libsmclat-trace
test_hist_LDLIBS := -lcmocka

# smclat synth: synthetic traces with known answers (tests, benchmarks)
LIBEXEC += smclat-synth
smclat-synth_SRCS := tests/synth.c $(TRACEGEN_SRCS)
