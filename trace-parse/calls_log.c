#include "calls_log.h"
#include "calls_csv.h"
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Columns the reader keeps; any other is skipped. */
enum col {
    COL_SEQ,
    COL_OP,
    COL_STATUS,
    COL_START_CNTVCT,
    COL_END_CNTVCT,
    COL_START_NS,
    COL_END_NS,
    COL_WARMUP,
    COL__COUNT,
};

static const char *const col_names[COL__COUNT] = {
    SM_CALLS_COL_SEQ,        SM_CALLS_COL_OP,       SM_CALLS_COL_STATUS, SM_CALLS_COL_START_CNTVCT,
    SM_CALLS_COL_END_CNTVCT, SM_CALLS_COL_START_NS, SM_CALLS_COL_END_NS, SM_CALLS_COL_WARMUP,
};

static const char *const op_names[SM_LOG_OP__COUNT] = {"", "register", "process", "unregister",
                                                       "other"};

const char *sm_log_op_name(enum sm_log_op op)
{
    return (unsigned)op < SM_LOG_OP__COUNT ? op_names[op] : "?";
}

struct parser {
    const char *name;
    struct sm_log_error *err;
    uint32_t line;
    int ncols;             /* columns in the header */
    int where[COL__COUNT]; /* header position of each known column, -1 when absent */
    char **fields;         /* current line's fields (pointers into the line) */
};

static void fail(struct parser *p, const char *fmt, ...)
{
    int n;
    if (p->line)
        n = snprintf(p->err->msg, sizeof p->err->msg, "%s:%u: ", p->name, p->line);
    else
        n = snprintf(p->err->msg, sizeof p->err->msg, "%s: ", p->name);
    if (n < 0 || (size_t)n >= sizeof p->err->msg)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg + n, sizeof p->err->msg - (size_t)n, fmt, ap);
    va_end(ap);
    p->err->line = p->line;
}

/* Quotes at most 40 characters of a field for a message. */
static const char *shown(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "'%.40s%s'", s, strlen(s) > 40 ? "..." : "");
    return buf;
}

static int parse_u64(struct parser *p, int c, uint64_t *out)
{
    int pos = p->where[c];
    const char *s = sm_csv_trim(p->fields[pos]);
    char buf[64];
    if (*s == '\0') {
        fail(p, "column %d (%s): expected an unsigned integer, found an empty field%s", pos + 1,
             col_names[c],
             c == COL_START_CNTVCT || c == COL_END_CNTVCT
                 ? " (CNTVCT is recorded on arm64 only: this log cannot be joined)"
                 : "");
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno == ERANGE) {
        fail(p, "column %d (%s): expected an unsigned integer, found %s", pos + 1, col_names[c],
             shown(s, buf, sizeof buf));
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_header(struct parser *p, struct sm_csv *c)
{
    int n = sm_csv_split(c);
    if (n < 0) {
        fail(p, "out of memory");
        return -1;
    }
    p->ncols = n;
    p->fields = c->field;
    for (int k = 0; k < COL__COUNT; k++)
        p->where[k] = -1;
    for (int i = 0; i < n; i++) {
        const char *name = sm_csv_trim(p->fields[i]);
        for (int k = 0; k < COL__COUNT; k++) {
            if (strcmp(name, col_names[k]) != 0)
                continue;
            if (p->where[k] >= 0) {
                fail(p, "header: column %s appears twice (columns %d and %d)", col_names[k],
                     p->where[k] + 1, i + 1);
                return -1;
            }
            p->where[k] = i;
        }
    }
    for (int k = COL_START_CNTVCT; k <= COL_END_CNTVCT; k++) {
        if (p->where[k] < 0) {
            fail(p, "header: expected a column %s (and %s), found none among %d column%s",
                 col_names[k], col_names[k == COL_START_CNTVCT ? COL_END_CNTVCT : COL_START_CNTVCT],
                 n, n == 1 ? "" : "s");
            return -1;
        }
    }
    if ((p->where[COL_START_NS] < 0) != (p->where[COL_END_NS] < 0)) {
        fail(p, "header: expected both start_ns and end_ns, found only %s",
             p->where[COL_START_NS] >= 0 ? "start_ns" : "end_ns");
        return -1;
    }
    return 0;
}

static enum sm_log_op op_of(const char *s)
{
    for (int k = SM_LOG_OP_REGISTER; k < SM_LOG_OP_OTHER; k++)
        if (strcmp(s, op_names[k]) == 0)
            return (enum sm_log_op)k;
    return SM_LOG_OP_OTHER;
}

static int parse_row(struct parser *p, struct sm_csv *csv, struct sm_log_call *c)
{
    int n = sm_csv_split(csv);
    if (n < 0) {
        fail(p, "out of memory");
        return -1;
    }
    p->fields = csv->field;
    if (n != p->ncols) {
        if (n > p->ncols)
            fail(p, "expected %d fields as in the header, found more", p->ncols);
        else
            fail(p, "expected %d fields as in the header, found %d", p->ncols, n);
        return -1;
    }
    memset(c, 0, sizeof *c);
    c->line = p->line;
    c->seq = c->start_ns = c->end_ns = SM_LOG_NONE;
    c->status_ok = 1;
    if (parse_u64(p, COL_START_CNTVCT, &c->start_cntvct) ||
        parse_u64(p, COL_END_CNTVCT, &c->end_cntvct))
        return -1;
    if (c->end_cntvct < c->start_cntvct) {
        fail(p, "column %d (end_cntvct): expected a count >= start_cntvct (%llu), found %llu",
             p->where[COL_END_CNTVCT] + 1, (unsigned long long)c->start_cntvct,
             (unsigned long long)c->end_cntvct);
        return -1;
    }
    if (p->where[COL_SEQ] >= 0 && parse_u64(p, COL_SEQ, &c->seq))
        return -1;
    if (p->where[COL_START_NS] >= 0 &&
        (parse_u64(p, COL_START_NS, &c->start_ns) || parse_u64(p, COL_END_NS, &c->end_ns)))
        return -1;
    if (p->where[COL_WARMUP] >= 0) {
        uint64_t w;
        if (parse_u64(p, COL_WARMUP, &w))
            return -1;
        if (w > 1) {
            fail(p, "column %d (warmup): expected 0 or 1, found %llu", p->where[COL_WARMUP] + 1,
                 (unsigned long long)w);
            return -1;
        }
        c->warmup = (int)w;
    }
    if (p->where[COL_OP] >= 0)
        c->op = op_of(sm_csv_trim(p->fields[p->where[COL_OP]]));
    if (p->where[COL_STATUS] >= 0)
        c->status_ok = strcmp(sm_csv_trim(p->fields[p->where[COL_STATUS]]), "ok") == 0;
    return 0;
}

/* Fills log from the file's lines (header, then one line per call). */
static int read_lines(struct parser *p, struct sm_csv *csv, struct sm_calls_log *log)
{
    size_t alloc = 0;
    int have_header = 0, rc;
    while ((rc = sm_csv_next(csv)) == 1) {
        p->line = csv->line;
        if (!have_header) {
            if (parse_header(p, csv))
                return -1;
            have_header = 1;
            continue;
        }
        if (log->n == alloc) {
            size_t na = alloc ? 2 * alloc : 1024;
            struct sm_log_call *nc = realloc(log->calls, na * sizeof *nc);
            if (!nc) {
                fail(p, "out of memory");
                return -1;
            }
            log->calls = nc;
            alloc = na;
        }
        struct sm_log_call *c = &log->calls[log->n];
        if (parse_row(p, csv, c))
            return -1;
        log->not_ok += !c->status_ok;
        log->warmups += c->warmup != 0;
        log->n++;
    }
    if (rc < 0 && errno == EILSEQ) {
        p->line = csv->line;
        fail(p, "expected text, found a NUL byte at column %zu", csv->nul_column);
        return -1;
    }
    p->line = 0;
    if (rc < 0) {
        fail(p, "read error: %s", strerror(errno));
        return -1;
    }
    if (!have_header) {
        fail(p, "expected a header line with start_cntvct and end_cntvct, found an empty file");
        return -1;
    }
    if (log->n == 0) {
        fail(p, "expected one line per call after the header, found none");
        return -1;
    }
    return 0;
}

int sm_calls_log_read_stream(FILE *in, const char *name, struct sm_calls_log **out,
                             struct sm_log_error *err)
{
    struct parser p = {.name = name, .err = err};
    struct sm_calls_log *log = calloc(1, sizeof *log);
    struct sm_csv csv;
    int rc = -1;
    sm_csv_init(&csv, in);
    *out = NULL;
    err->line = 0;
    err->msg[0] = '\0';
    if (!log || !(log->name = strdup(name))) {
        fail(&p, "out of memory");
        goto done;
    }
    if (read_lines(&p, &csv, log))
        goto done;
    log->has_seq = p.where[COL_SEQ] >= 0;
    log->has_op = p.where[COL_OP] >= 0;
    log->has_status = p.where[COL_STATUS] >= 0;
    log->has_ns = p.where[COL_START_NS] >= 0;
    log->has_warmup = p.where[COL_WARMUP] >= 0;
    *out = log;
    log = NULL;
    rc = 0;
done:
    sm_csv_free(&csv);
    sm_calls_log_free(log);
    return rc;
}

int sm_calls_log_read(const char *path, struct sm_calls_log **out, struct sm_log_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err->msg, sizeof err->msg, "%s: cannot open: %s", path, strerror(errno));
        err->line = 0;
        *out = NULL;
        return -1;
    }
    int rc = sm_calls_log_read_stream(f, path, out, err);
    fclose(f);
    return rc;
}

void sm_calls_log_free(struct sm_calls_log *log)
{
    if (!log)
        return;
    free(log->name);
    free(log->calls);
    free(log);
}
