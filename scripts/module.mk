# scripts/: the emulated Xen-on-ARM lab (scripts/lab, docs/lab.md) and its checks.
#   make lab-prepare     cached arm64 packages, base images, arm64 programs (idempotent);
#                        XEN_SOURCE=1 also builds Xen from Debian's source package (every scheduler)
#   make lab-run PARAMS=FILE OUT=DIR   one scenario into a results folder
# `make check` runs one short deterministic lab scenario (tests/e2e/lab-deterministic.sh) and
# the schedulers only Xen built from source has (tests/e2e/lab-schedulers.sh: RTDS, a null
# pool, an arinc653 pool), the fault-injection test with a stand-in emulator
# (tests/e2e/lab-faults.sh); `make bench` times a 10 s scenario end to end (scripts/bench/lab.sh).
E2E_TESTS += tests/e2e/lab-params.sh tests/e2e/lab-record.sh tests/e2e/lab-dom0-job.sh \
              tests/e2e/lab-faults.sh \
              tests/e2e/lab-deterministic.sh tests/e2e/lab-detection.sh tests/e2e/lab-schedulers.sh \
              tests/e2e/lab-group.sh tests/e2e/lab-group-faults.sh
BENCHES += scripts/bench/lab.sh scripts/bench/detection.sh scripts/bench/sched.sh scripts/bench/suite-group.sh
CHECK_DEPS += lab

.PHONY: lab-prepare lab-run
lab-prepare:
	scripts/lab/prepare.sh $(if $(XEN_SOURCE),--xen-source)
lab-run:
	@[ -n "$(PARAMS)" ] && [ -n "$(OUT)" ] || { echo "usage: make lab-run PARAMS=FILE OUT=DIR" >&2; exit 2; }
	scripts/lab/run.sh $(PARAMS) $(OUT)
-include scripts/smclab.mk

# make bench: deterministic mode run after run (docs/lab.md); make check: the sysroot stays
# ready while scripts/sysroot.sh runs again
BENCHES += scripts/bench/lab-repeat.sh
E2E_TESTS += tests/e2e/sysroot-rerun.sh

# LAVA (scripts/lava, docs/lava.md): every shipped suite's jobs checked against lava-common's
# schema, one deterministic scenario through lava-run, the farm mode against a stand-in farm
E2E_TESTS += tests/e2e/lava-jobs.sh tests/e2e/lava-local.sh tests/e2e/lava-farm.sh
CHECK_DEPS += lava
