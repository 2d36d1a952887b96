#include "stub_fmt.h"

#include "stub_xen.h"

#include <stdint.h>

struct out {
    char *buf;
    size_t n, len; /* len: what the whole text needs */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->n)
        o->buf[o->len] = c;
    o->len++;
}

static void put_num(struct out *o, uint64_t v, int neg, unsigned base, int width, int zero,
                    int left)
{
    char t[24];
    int k = 0;
    do {
        t[k++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    int len = k + neg;
    if (neg && zero)
        put(o, '-');
    for (; !left && width > len; width--)
        put(o, zero ? '0' : ' ');
    if (neg && !zero)
        put(o, '-');
    while (k)
        put(o, t[--k]);
    for (; left && width > len; width--)
        put(o, ' ');
}

int stub_vformat(char *out, size_t n, const char *fmt, va_list ap)
{
    struct out o = {out, n, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        int zero = 0, left = 0, width = 0, lng = 0;
        for (fmt++; *fmt == '0' || *fmt == '-'; fmt++)
            *fmt == '0' ? (zero = 1) : (left = 1);
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            lng = 1;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
            put_num(&o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, 10, width, zero, left);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_num(&o, v, 0, *fmt == 'x' ? 16 : 10, width, zero, left);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = 0;
            for (const char *p = s ? s : "(null)"; *p; p++, len++)
                ;
            for (; !left && width > len; width--)
                put(&o, ' ');
            for (const char *p = s ? s : "(null)"; *p; p++)
                put(&o, *p);
            for (; left && width > len; width--)
                put(&o, ' ');
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default: /* unknown: shown as is */
            put(&o, '%');
            if (!*fmt)
                goto end;
            put(&o, *fmt);
        }
    }
end:
    if (n)
        out[o.len < n ? o.len : n - 1] = '\0';
    return (int)o.len;
}

void stub_printf(const char *fmt, ...)
{
    static char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int len = stub_vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    stub_console_write(buf, (size_t)len < sizeof buf ? (size_t)len : sizeof buf - 1);
}

int stub_fmt_into(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = stub_vformat(out, n, fmt, ap);
    va_end(ap);
    return len;
}
