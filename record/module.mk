# smclat-record (`smclat record`): the Dom0 side of a run, on libxenctrl. docs/record.md.
# Built for arm64 by `make CROSS=aarch64-linux-gnu-` (static, against the arm64 sysroot that
# scripts/lab/prepare.sh unpacks: libxen-dev, libjansson-dev), and for the host when Xen's
# headers are installed (a native Dom0; libxen-dev). Its model, JSON and trace scan are
# unit-tested on the host either way.
REC_CORE_SRCS := record/rec-config.c record/rec-json.c record/rec-trace.c
REC_SRCS := record/record.c record/rec-xc.c $(REC_CORE_SRCS)

ifneq ($(CROSS),)
SYSROOT ?= $(or $(SMCLAT_CACHE),$(HOME)/.cache/smclat)/sysroot-arm64
REC_XEN := cross # the sysroot is fetched on first use (bench/module.mk's rule for its stamp)
REC_ISYS := -I$(SYSROOT)/usr/include
smclat-record_LDFLAGS := -static -L$(SYSROOT)/usr/lib/$(patsubst %-,%,$(notdir $(CROSS)))
smclat-record_LDLIBS := -lxenctrl -lxenstore -lxencall -lxenforeignmemory -lxengnttab \
    -lxendevicemodel -lxentoollog -lxentoolcore -ljansson -lpthread
else
REC_XEN := $(wildcard /usr/include/xenctrl.h)
REC_ISYS := $(call pkg_cflags,jansson)
smclat-record_LDLIBS := -lxenctrl -lxenstore -lxentoollog $(call pkg_libs,jansson)
endif
record_CFLAGS := $(REC_ISYS)
# Xen's public headers use anonymous unions (a GNU extension in C11)
rec-xc_CFLAGS := $(REC_ISYS) -std=gnu11
rec-json_CFLAGS := $(REC_ISYS)

ifneq ($(REC_XEN),)
LIBEXEC += smclat-record
smclat-record_SRCS := $(REC_SRCS)
ifneq ($(CROSS),)
$(patsubst %.c,$(OBJDIR)/%.o,$(REC_SRCS)): | $(SYSROOT)/.ready
endif
endif

ifeq ($(CROSS),)
UNIT_TESTS += test_record
test_record_SRCS := tests/record/test_record.c $(REC_CORE_SRCS)
test_record_LDLIBS := $(call pkg_libs,cmocka) $(call pkg_libs,jansson)
test_record_CFLAGS := $(REC_ISYS) -Irecord
endif
