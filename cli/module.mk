ifneq ($(wildcard trace-parse/module.mk),)
# The smclat command: dispatcher, option tables, builtin subcommands.
PROGRAMS += smclat
smclat_SRCS := cli/smclat.c cli/builtin-dump.c cli/builtin-analyze.c cli/analyze-join.c \
    cli/analyze-render.c $(smclat_SRCS)
smclat_ARCHIVES += libsmclat-trace
smclat_LDLIBS += $(call pkg_libs,jansson)
smclat_CFLAGS := -DSMCLAT_LIBEXEC='"$(PREFIX)/libexec/smclat"'
endif
