# reports/: scenarios and suites (smclat suite), reports, compare, regress; make demo.
# docs/workloads.md, docs/reports.md.
ARCHIVES += libsmclat-report
libsmclat-report_SRCS := reports/scenario.c reports/suite.c reports/stats.c reports/results.c \
    reports/plot.c reports/report.c reports/compare.c reports/runner.c \
    reports/regress.c reports/reason.c reports/changepoint.c reports/regress_out.c \
    reports/identical.c
REPORT_LDLIBS := $(call pkg_libs,inih) $(call pkg_libs,jansson) $(call pkg_libs,gsl)
# Data files (gnuplot scripts, HTML template): the source tree, else $(PREFIX)/share/smclat.
plot_CFLAGS := -DSMCLAT_REPORTS_SRC='"$(abspath reports)"' -DSMCLAT_SHARE='"$(PREFIX)/share/smclat"'
DATA_DIRS += reports/gnuplot reports/template

CHECK_DEPS += report
BENCHES += scripts/bench/report.sh

# The subcommands join the smclat binary (cli/module.mk builds it once trace-parse/ exists).
ifneq ($(wildcard trace-parse/module.mk),)
smclat_SRCS += reports/builtin-report.c reports/builtin-compare.c \
    reports/builtin-regress.c reports/builtin-suite.c
smclat_ARCHIVES += libsmclat-report
smclat_LDLIBS += $(REPORT_LDLIBS)
# end to end (tests/e2e/report-fake-*.sh stand in for the lab and the analyzer there)
E2E_TESTS += tests/e2e/report-report.sh tests/e2e/report-compare.sh tests/e2e/report-suite.sh \
    tests/e2e/report-changepoint.sh
# regress on four real deterministic lab runs (credit, credit2), booted once into build/lab-regress
E2E_TESTS += tests/e2e/report-regress-lab.sh
endif

# scenario and suite files on arbitrary bytes
FUZZERS += fuzz_report_scenario
fuzz_report_scenario_SRCS := fuzz/fuzz_report_scenario.c
fuzz_report_scenario_ARCHIVES := libsmclat-report
fuzz_report_scenario_LDLIBS := $(REPORT_LDLIBS)
# regress histories on arbitrary bytes (the change points, JUnit and the summary on what reads)
FUZZERS += fuzz_regress_history
fuzz_regress_history_SRCS := fuzz/fuzz_regress_history.c
fuzz_regress_history_ARCHIVES := libsmclat-report
fuzz_regress_history_LDLIBS := $(REPORT_LDLIBS)

define REPORT_TEST
UNIT_TESTS += test_report_$(1)
test_report_$(1)_SRCS := tests/test_report_$(1).c
test_report_$(1)_ARCHIVES := libsmclat-report
test_report_$(1)_LDLIBS := $(REPORT_LDLIBS) -lcmocka
endef
$(foreach t,scenario suite stats regress data reason changepoint identical,$(eval $(call REPORT_TEST,$(t))))

# make demo: the lab, the demo suite in deterministic mode, the report (scripts/demo.sh).
demo: all
	@[ -n "$(NO_DEPS)" ] || scripts/deps.sh report
	scripts/demo.sh
