/* smclat-stub's formatted output: vsnprintf (also the libc one the shared ring code calls) and
 * stub_printf to the PV console. Conversions: %d %i %u %x %s %c %%, flags '0' and '-', a width,
 * length l, ll, z. */
#ifndef SMCLAT_STUB_FMT_H
#define SMCLAT_STUB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int stub_vformat(char *out, size_t n, const char *fmt, va_list ap);
__attribute__((format(printf, 1, 2))) void stub_printf(const char *fmt, ...);
/* snprintf: what the whole text needs (as snprintf), at most n - 1 written. */
__attribute__((format(printf, 3, 4))) int stub_fmt_into(char *out, size_t n, const char *fmt, ...);

#endif
