# stub/: smclat-stub, the mediator as a minimal arm64 Xen guest (no Linux, no libc; docs/stub.md).
#   make stub     build/stub/smclat-stub.Image (Debian's aarch64 cross compiler, the arm64
#                 sysroot's Xen headers: scripts/sysroot.sh)
# The ring protocol is bench/'s own code (proto, buftable, ring, mediator_core) compiled
# freestanding; stub/libc.c gives it the few C library functions it calls.
STUB_CROSS   ?= aarch64-linux-gnu-
STUB_OUT     := build/stub
STUB_IMAGE   := $(STUB_OUT)/smclat-stub.Image
STUB_SYSROOT ?= $(SMCLAT_CACHE)/sysroot-arm64
STUB_SRCS    := stub/head.S stub/main.c stub/stub_xen.c stub/stub_fmt.c stub/stub_fdt.c \
    stub/libc.c bench/proto.c bench/buftable.c bench/ring.c bench/mediator_core.c
# MMU off: Device memory (-mstrict-align), no FP/SIMD (-mgeneral-regs-only), no exclusives
# (-mno-outline-atomics; the shared code uses atomic loads and stores only).
STUB_CFLAGS  := -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -ffreestanding -nostdlib -nostartfiles \
    -mgeneral-regs-only -mstrict-align -mno-outline-atomics -fno-pic -fno-pie -no-pie \
    -fno-stack-protector -fno-builtin -fno-tree-loop-distribute-patterns -U_FORTIFY_SOURCE \
    -Istub -Ibench -I$(STUB_SYSROOT)/usr/include -D__XEN_INTERFACE_VERSION__=0x00040e00

.PHONY: stub
stub: $(STUB_IMAGE)
$(STUB_OUT)/smclat-stub.elf: $(STUB_SRCS) stub/stub.ld $(wildcard stub/*.h) bench/ring.h \
    bench/proto.h bench/buftable.h bench/mediator_core.h | $(STUB_SYSROOT)/.ready
	@mkdir -p $(@D)
	@[ -n "$(NO_DEPS)" ] || scripts/deps.sh bench-cross >&2
	$(STUB_CROSS)gcc $(STUB_CFLAGS) -T stub/stub.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments -o $@ $(STUB_SRCS) -lgcc
$(STUB_IMAGE): $(STUB_OUT)/smclat-stub.elf
	$(STUB_CROSS)objcopy -O binary $< $@
ifeq ($(CROSS),)
$(STUB_SYSROOT)/.ready:
	SMCLAT_CACHE=$(SMCLAT_CACHE) scripts/sysroot.sh >/dev/null
endif

# make check: the stub serving a short load in the lab's deterministic mode
E2E_TESTS += tests/e2e/lab-stub.sh

# the serve-loop turn both mediators share, the stub's formatter, device-tree scan and boot
# arguments, on the host
UNIT_TESTS += test_stub
test_stub_SRCS := tests/test_stub.c bench/mediator_core.c bench/buftable.c bench/proto.c \
    bench/ring.c stub/stub_fmt.c stub/stub_fdt.c
test_stub_LDLIBS := $(call pkg_libs,cmocka)
test_stub_CFLAGS := -Istub
stub_fmt_CFLAGS := -Istub
stub_fdt_CFLAGS := -Istub
BENCHES += scripts/bench/stub.sh scripts/bench/detection-stub.sh
