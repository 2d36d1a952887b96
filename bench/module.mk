# bench/: smclat-gen (the client DomU's load generator), smclat-mediator (the stub-domain side),
# their transports, and the SMC kernel module (bench/kmod, `make kmod`). See docs/bench.md.
#
# Host build: every transport is compiled in; without libxen-dev the xen transport (and
# smc+xen) reports at run time that it was built without Xen.
# Cross build (make CROSS=aarch64-linux-gnu-): static arm64 smclat-gen and smclat-mediator only,
# against libxen-dev:arm64 and libjansson-dev:arm64 unpacked by scripts/sysroot.sh into
# $(SMCLAT_CACHE)/sysroot-arm64 (fetched on first use).

BENCH_COMMON_SRCS := bench/proto.c bench/ring.c bench/transport.c bench/transport_local.c \
    bench/transport_xen.c bench/xen_refs.c bench/transport_tee.c bench/transport_smc.c \
    bench/smc_user.c \
    bench/rt.c

smclat-gen_SRCS := bench/gen.c bench/gen_config.c bench/schedule.c bench/calllog.c bench/gen_stats.c \
    $(BENCH_COMMON_SRCS)
smclat-mediator_SRCS := bench/mediator.c bench/mediator_core.c bench/buftable.c \
    $(BENCH_COMMON_SRCS)

SMCLAT_CACHE ?= $(HOME)/.cache/smclat

ifeq ($(CROSS),)
BENCH_XEN_LIBS := $(call pkg_libs,xenevtchn xengnttab xenstore)
ifeq ($(BENCH_XEN_LIBS),)
transport_xen_CFLAGS := -DSM_NO_XEN
endif
BENCH_LDLIBS := $(BENCH_XEN_LIBS) $(call pkg_libs,jansson)
PROGRAMS += smclat-gen smclat-mediator
# the bare futex ping-pong `make bench` compares the local transport with
LIBEXEC += smclat-pingpong
smclat-pingpong_SRCS := bench/pingpong.c bench/ring.c bench/proto.c
smclat-pingpong_LDLIBS := $(call pkg_libs,jansson)
# a client that breaks the ring protocol on purpose (tests/e2e/bench-hostile.sh)
LIBEXEC += smclat-hostile
smclat-hostile_SRCS := bench/hostile.c bench/ring.c bench/proto.c
else
# The guest programs only: the rest of smclat runs on the host or in Dom0.
BENCH_SYSROOT ?= $(SMCLAT_CACHE)/sysroot-arm64
CPPFLAGS += -I$(BENCH_SYSROOT)/usr/include
BENCH_LDLIBS := -L$(BENCH_SYSROOT)/usr/lib/aarch64-linux-gnu -ljansson -lxengnttab -lxenevtchn \
    -lxenstore -lxentoolcore -lxentoollog -lpthread
smclat-gen_LDFLAGS := -static
smclat-mediator_LDFLAGS := -static
override PROGRAMS := smclat-gen smclat-mediator
# The sysroot's stamp, written last under its lock (scripts/sysroot.sh): never a half-unpacked one.
$(BENCH_SYSROOT)/.ready:
	SMCLAT_CACHE=$(SMCLAT_CACHE) scripts/sysroot.sh >/dev/null
# (obj is defined after the modules are read: the object paths are spelled out here)
$(patsubst %.c,$(OBJDIR)/%.o,$(smclat-gen_SRCS) $(smclat-mediator_SRCS)): | $(BENCH_SYSROOT)/.ready
endif
smclat-gen_LDLIBS := $(BENCH_LDLIBS)
smclat-mediator_LDLIBS := $(BENCH_LDLIBS)

# The SMC kernel module for the lab's guest kernel (needs linux-kbuild-6.1; see docs/bench.md).
.PHONY: kmod
kmod:
	SMCLAT_CACHE=$(SMCLAT_CACHE) bench/kmod/build.sh

CHECK_DEPS += bench-build

# Tests (docs/bench.md#tests).
BENCH_TEST_LIBS := $(call pkg_libs,cmocka) $(call pkg_libs,jansson)
UNIT_TESTS += test_bench_proto test_bench_schedule test_bench_calllog test_bench_ring \
    test_bench_smc test_bench_xen
test_bench_xen_SRCS := tests/test_bench_xen.c bench/xen_refs.c
test_bench_xen_LDLIBS := $(BENCH_TEST_LIBS)
test_bench_proto_SRCS := tests/test_bench_proto.c bench/proto.c bench/buftable.c \
    bench/mediator_core.c bench/ring.c
test_bench_proto_LDLIBS := $(BENCH_TEST_LIBS)
test_bench_schedule_SRCS := tests/test_bench_schedule.c bench/schedule.c
test_bench_schedule_LDLIBS := $(BENCH_TEST_LIBS)
test_bench_calllog_SRCS := tests/test_bench_calllog.c bench/calllog.c bench/gen_stats.c \
    bench/proto.c
test_bench_calllog_LDLIBS := $(BENCH_TEST_LIBS)
test_bench_ring_SRCS := tests/test_bench_ring.c bench/mediator_core.c bench/buftable.c \
    $(BENCH_COMMON_SRCS)
test_bench_ring_LDLIBS := $(BENCH_TEST_LIBS) $(BENCH_LDLIBS) -lpthread
test_bench_smc_SRCS := tests/test_bench_smc.c bench/smc_user.c bench/transport_tee.c \
    bench/proto.c
test_bench_smc_LDLIBS := $(BENCH_TEST_LIBS)
E2E_TESTS += tests/e2e/bench-local.sh tests/e2e/bench-errors.sh tests/e2e/bench-arm64.sh \
    tests/e2e/bench-hostile.sh
CHECK_DEPS += bench-test bench-arm64-test
BENCHES += scripts/bench/gen-local.sh
