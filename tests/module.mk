# Unit tests (cmocka); the synthetic trace writer they share is synth/tracegen.c (synth/module.mk).

UNIT_TESTS += test_reader test_hist
test_reader_SRCS := tests/test_reader.c $(TRACEGEN_SRCS)
test_reader_ARCHIVES := libsmclat-trace
test_reader_LDLIBS := -lcmocka
test_hist_SRCS := tests/test_hist.c
test_hist_ARCHIVES := libsmclat-trace
test_hist_LDLIBS := -lcmocka
UNIT_TESTS += test_tickgrid
test_tickgrid_SRCS := tests/test_tickgrid.c
test_tickgrid_ARCHIVES := libsmclat-trace
test_tickgrid_LDLIBS := -lcmocka -lm

# The scheduler model and the call detector (branch model)
UNIT_TESTS += test_model test_calls
test_model_SRCS := tests/test_model.c tests/analyze_fixture.c $(TRACEGEN_SRCS)
test_model_ARCHIVES := libsmclat-trace
test_model_LDLIBS := -lcmocka
test_calls_SRCS := tests/test_calls.c tests/analyze_fixture.c $(TRACEGEN_SRCS)
test_calls_ARCHIVES := libsmclat-trace
test_calls_LDLIBS := -lcmocka
E2E_TESTS += tests/e2e/analyze-xenalyze.sh tests/e2e/analyze-calls.sh tests/e2e/analyze-badinput.sh \
              tests/e2e/analyze-synth.sh
CHECK_DEPS += analyze

E2E_TESTS += tests/e2e/format.sh
E2E_TESTS += tests/e2e/long-functions.sh
# bad input: mangled copies of real and synthetic traces (review)
E2E_TESTS += tests/e2e/mangled.sh tests/e2e/synth.sh
CHECK_DEPS += robustness

# headers of the tests (analyze_fixture.h, report_testutil.h): for the objects under tests/ only
$(OBJDIR)/tests/%.o: CPPFLAGS += -Itests
