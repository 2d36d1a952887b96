# reports/: scenarios and suites (smclat suite), reports, compare, regress; make demo.
# docs/workloads.md, docs/reports.md.
ARCHIVES += libsmclat-report
libsmclat-report_SRCS := reports/scenario.c reports/suite.c
REPORT_LDLIBS := $(call pkg_libs,inih) $(call pkg_libs,jansson) $(call pkg_libs,gsl)

CHECK_DEPS += report

UNIT_TESTS += test_report_scenario
test_report_scenario_SRCS := tests/test_report_scenario.c
test_report_scenario_ARCHIVES := libsmclat-report
test_report_scenario_LDLIBS := $(REPORT_LDLIBS) -lcmocka

UNIT_TESTS += test_report_suite
test_report_suite_SRCS := tests/test_report_suite.c
test_report_suite_ARCHIVES := libsmclat-report
test_report_suite_LDLIBS := $(REPORT_LDLIBS) -lcmocka
