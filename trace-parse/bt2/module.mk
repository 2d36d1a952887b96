# trace-parse/bt2: babeltrace2 interop (docs/babeltrace2.md).
#  - the plugin smclat-xentrace.so (source.xentrace.reader), built position-independent and
#    never sanitized (babeltrace2 itself is not), installed to $(PREFIX)/lib/babeltrace2/plugins;
#  - libsmclat-ctf: the CTF record source for `smclat analyze` (trace-parse/ctf_source.c).
#  Host only: a cross build (make CROSS=...) makes the guest programs alone.
ifeq ($(CROSS),)
# libbabeltrace2-dev to build (smclat links libbabeltrace2 for CTF input), the babeltrace2 CLI
# for the tests and benchmarks: `make` and `make check` install them (scripts/deps/btrace.txt).
CHECK_DEPS += btrace
.PHONY: deps-btrace
deps: deps-btrace
deps-btrace:
	@[ -n "$(NO_DEPS)" ] || scripts/deps.sh btrace
BT2_CFLAGS = $(call pkg_cflags,babeltrace2)
BT2_LIBS = $(call pkg_libs,babeltrace2)

BT2_PLUGIN := $(LIBDIR)/babeltrace2/plugins/smclat-xentrace.so
BT2_PLUGIN_SRCS := trace-parse/bt2/plugin.c trace-parse/bt2/xt_source.c \
    trace-parse/xt_reader.c trace-parse/xt_event.c common/metadata.c
BT2_PIC_OBJS := $(patsubst %.c,$(OBJDIR)/pic/%.o,$(BT2_PLUGIN_SRCS))
ALL_OBJS += $(BT2_PIC_OBJS)

$(OBJDIR)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itrace-parse/bt2 $(BT2_CFLAGS) \
	    $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS)) -fPIC -c -o $@ $<

$(BT2_PLUGIN): $(BT2_PIC_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared $(filter-out -fsanitize=%,$(LDFLAGS)) -o $@ $^ $(BT2_LIBS) \
	    $(call pkg_libs,jansson) -lm

programs: $(BT2_PLUGIN)

xt_source_CFLAGS = -Itrace-parse/bt2 $(BT2_CFLAGS)

.PHONY: install-bt2
install: install-bt2
install-bt2: all
	install -d $(DESTDIR)$(PREFIX)/lib/babeltrace2/plugins
	install -m 644 $(BT2_PLUGIN) $(DESTDIR)$(PREFIX)/lib/babeltrace2/plugins/

# The CTF record source, linked into smclat (before libsmclat-trace, which it uses).
ARCHIVES += libsmclat-ctf
libsmclat-ctf_SRCS := trace-parse/ctf_source.c trace-parse/trace_source.c \
    trace-parse/session.c
ctf_source_CFLAGS = $(BT2_CFLAGS)
smclat_ARCHIVES += libsmclat-ctf
smclat_LDLIBS += $(BT2_LIBS)

# Unit tests: the source component class built in (sanitized), sink.ctf.fs, the CTF source.
UNIT_TESTS += test_bt2
test_bt2_SRCS := tests/test_bt2.c trace-parse/bt2/xt_source.c synth/tracegen.c
test_bt2_ARCHIVES := libsmclat-ctf libsmclat-trace
test_bt2_LDLIBS = -lcmocka $(BT2_LIBS) $(call pkg_libs,jansson)
test_bt2_CFLAGS = -Itrace-parse/bt2 $(BT2_CFLAGS)
E2E_TESTS += tests/e2e/bt2-pretty.sh tests/e2e/bt2-roundtrip.sh
BENCHES += scripts/bench/bt2.sh
.PHONY: uninstall-bt2
uninstall: uninstall-bt2
uninstall-bt2:
	rm -f $(DESTDIR)$(PREFIX)/lib/babeltrace2/plugins/smclat-xentrace.so
endif
