# Generic rules: objects, static libraries, programs, tests, fuzzers, and the top-level targets.
.DEFAULT_GOAL := all
.PHONY: all deps programs tests unit-tests fuzzers check check-unit check-e2e check-fuzz bench demo \
        install uninstall format format-check clean

# Sources are compiled into $(OBJDIR)/<path>.o
obj = $(patsubst %.c,$(OBJDIR)/%.o,$(1))
archive = $(patsubst %,$(LIBDIR)/%.a,$(1))

$(OBJDIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $($(*F)_CFLAGS) -c -o $@ $<

# An archive also depends on its list of members, rewritten only when the list changes: a
# source that moves to another archive leaves none stale behind.
define ARCHIVE_template
$(LIBDIR)/$(1).a: $$(call obj,$$($(1)_SRCS)) $(LIBDIR)/$(1).members
	@mkdir -p $$(@D)
	rm -f $$@ && $$(AR) rcs $$@ $$(call obj,$$($(1)_SRCS))
$(LIBDIR)/$(1).members: FORCE
	@mkdir -p $$(@D)
	@echo '$$(sort $$($(1)_SRCS))' | cmp -s - $$@ || echo '$$(sort $$($(1)_SRCS))' > $$@
ALL_OBJS += $$(call obj,$$($(1)_SRCS))
endef
.PHONY: FORCE
FORCE:

# $(1) name  $(2) output folder
define LINK_template
# (every program links libsmclat-common, last: the other archives use it)
$(2)/$(1): $$(call obj,$$($(1)_SRCS)) $$(call archive,$$($(1)_ARCHIVES) libsmclat-common)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) $$($(1)_LDFLAGS) -o $$@ $$(call obj,$$($(1)_SRCS)) \
	    $$(call archive,$$($(1)_ARCHIVES) libsmclat-common) $$($(1)_LDLIBS) -lm
ALL_OBJS += $$(call obj,$$($(1)_SRCS))
endef

$(foreach a,$(ARCHIVES),$(eval $(call ARCHIVE_template,$(a))))
$(foreach p,$(PROGRAMS) $(LIBEXEC),$(eval $(call LINK_template,$(p),$(BINDIR))))
$(foreach t,$(UNIT_TESTS),$(eval $(call LINK_template,$(t),$(TESTDIR))))
$(foreach f,$(FUZZERS),$(eval $(f)_LDFLAGS += $$(FUZZ_LDFLAGS)))
$(foreach f,$(FUZZERS),$(eval $(call LINK_template,$(f),$(BUILD)/fuzz)))

-include $(sort $(ALL_OBJS:.o=.d))

# `make tests` (alone or beside `all`) needs cmocka too.
deps:
	@[ -n "$(NO_DEPS)" ] || scripts/deps.sh build $(if $(filter tests,$(MAKECMDGOALS)),test)

programs: $(addprefix $(BINDIR)/,$(PROGRAMS) $(LIBEXEC))
fuzzers: $(addprefix $(BUILD)/fuzz/,$(FUZZERS))

ifeq ($(CROSS),)
# `all` builds in a second make (after deps.sh, which may install what the makefiles query); a
# `tests` asked for beside it is built there too, or both makes would write the same archives at
# once under -j (`make -j2 all tests`).
WITH_ALL := $(filter tests,$(if $(filter all,$(MAKECMDGOALS)),$(MAKECMDGOALS)))
all: deps
	@$(MAKE) --no-print-directory NO_DEPS=1 programs $(WITH_ALL)
ifneq ($(WITH_ALL),)
tests: all
	@:
else
tests: deps
	@$(MAKE) --no-print-directory NO_DEPS=1 unit-tests
endif
else
all: programs
tests: unit-tests
endif
unit-tests: $(addprefix $(TESTDIR)/,$(UNIT_TESTS))

# make check: unit tests and end-to-end tests under ASan+UBSan, then bounded fuzzing.
SAN_BUILD   := build/san
FUZZ_BUILD  := build/fuzz
FUZZ_SECONDS ?= 30
check:
	@[ -n "$(NO_DEPS)" ] || scripts/deps.sh $(sort $(CHECK_DEPS))
	@$(MAKE) --no-print-directory NO_DEPS=1 SANITIZE=1 BUILD=$(SAN_BUILD) programs tests
	@$(MAKE) --no-print-directory NO_DEPS=1 BUILD=$(FUZZ_BUILD) CC=clang FUZZ=1 OPT=-O1 fuzzers
	@SMCLAT_BUILD=$(abspath $(SAN_BUILD)) SMCLAT_BIN=$(abspath $(SAN_BUILD))/bin SHARED=$(SHARED) \
	    FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-tests.sh \
	    --unit "$(addprefix $(SAN_BUILD)/tests/,$(UNIT_TESTS))" \
	    --e2e "$(E2E_TESTS)" \
	    --fuzz "$(addprefix $(FUZZ_BUILD)/fuzz/,$(FUZZERS))"

bench: all
	@SMCLAT_BUILD=$(abspath $(BUILD)) SMCLAT_BIN=$(abspath $(BINDIR)) SHARED=$(SHARED) \
	    scripts/run-bench.sh docs/performance.md $(BENCHES)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/smclat $(DESTDIR)$(PREFIX)/share/smclat
	$(if $(PROGRAMS),install -m 755 $(addprefix $(BINDIR)/,$(PROGRAMS)) $(DESTDIR)$(PREFIX)/bin/)
	$(if $(LIBEXEC),install -m 755 $(addprefix $(BINDIR)/,$(LIBEXEC)) $(DESTDIR)$(PREFIX)/libexec/smclat/)
	$(foreach d,$(DATA_DIRS),cp -r $(d) $(DESTDIR)$(PREFIX)/share/smclat/ &&) true

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(PROGRAMS))
	rm -rf $(DESTDIR)$(PREFIX)/libexec/smclat $(DESTDIR)$(PREFIX)/share/smclat

C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(C_FILES)
format-check:
	clang-format --dry-run --Werror $(C_FILES)

clean:
	rm -rf build
