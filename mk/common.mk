# Toolchain and flags shared by every part.
CROSS   ?=
ifeq ($(CROSS),)
BUILD   ?= build
CC      ?= cc
else
BUILD   ?= build/$(patsubst %-,%,$(notdir $(CROSS)))
CC      := $(CROSS)gcc
AR      := $(CROSS)ar
endif
ifeq ($(origin CC),default)
CC := cc
endif
AR      ?= ar

OPT       ?= -O2
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CSTD      := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64
CPPFLAGS  += -Itrace-parse -Icli -Ibench -Ireports
CFLAGS    ?= $(OPT) -g
CFLAGS    += $(CSTD) $(WARN) -MMD -MP
LDFLAGS   ?=

# SANITIZE=1: AddressSanitizer + UndefinedBehaviorSanitizer, abort on the first report.
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

# FUZZ=1 (with CC=clang): coverage for libFuzzer plus ASan+UBSan; fuzzers link -fsanitize=fuzzer.
ifneq ($(FUZZ),)
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
FUZZ_LDFLAGS := -fsanitize=fuzzer
endif

PKG_CONFIG ?= pkg-config
# $(call pkg,NAME): the cflags/libs of a pkg-config package (empty when missing).
pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

OBJDIR := $(BUILD)/obj
BINDIR := $(BUILD)/bin
LIBDIR := $(BUILD)/lib
TESTDIR := $(BUILD)/tests

# Filled by the modules:
#   PROGRAMS       programs installed to $(PREFIX)/bin; NAME_SRCS, NAME_ARCHIVES, NAME_LDLIBS
#   LIBEXEC        helper programs installed to $(PREFIX)/libexec/smclat (same variables)
#   ARCHIVES       static libraries; NAME_SRCS
#   UNIT_TESTS     cmocka test programs; NAME_SRCS, NAME_ARCHIVES, NAME_LDLIBS
#   E2E_TESTS      shell scripts run by `make check` (env: SMCLAT_BIN, SMCLAT_BUILD, SHARED)
#   FUZZERS        libFuzzer targets; NAME_SRCS, NAME_ARCHIVES (built with clang)
#   BENCHES        scripts printing a markdown section to stdout, collected by `make bench`
#   DATA_DIRS      folders installed to $(PREFIX)/share/smclat
#   CHECK_DEPS     package groups `make check` needs (scripts/deps.sh GROUP...)
PROGRAMS   :=
LIBEXEC    :=
ARCHIVES   :=
UNIT_TESTS :=
E2E_TESTS  :=
FUZZERS    :=
BENCHES    :=
DATA_DIRS  :=
CHECK_DEPS := build test
