#include "calllog.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int sm_calllog_init(struct sm_calllog *l, uint64_t cap, int has_cntvct)
{
    memset(l, 0, sizeof *l);
    l->cap = cap ? cap : 64;
    l->has_cntvct = has_cntvct;
    l->recs = malloc(l->cap * sizeof *l->recs);
    return l->recs ? 0 : -1;
}

void sm_calllog_free(struct sm_calllog *l)
{
    free(l->recs);
    memset(l, 0, sizeof *l);
}

int sm_calllog_add(struct sm_calllog *l, const struct sm_call_rec *r)
{
    if (l->n == l->cap) {
        struct sm_call_rec *n = realloc(l->recs, 2 * l->cap * sizeof *n);
        if (!n)
            return -1;
        l->recs = n;
        l->cap *= 2;
    }
    l->recs[l->n++] = *r;
    return 0;
}

int sm_calllog_write(const struct sm_calllog *l, FILE *out)
{
    fprintf(out, "%s\n", SM_CALLLOG_HEADER);
    for (uint64_t i = 0; i < l->n; i++) {
        const struct sm_call_rec *r = &l->recs[i];
        fprintf(out, "%" PRIu64 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", r->seq,
                sm_op_name((enum sm_op)r->op), r->frame, r->intended_ns, r->start_ns, r->end_ns);
        if (l->has_cntvct)
            fprintf(out, "%" PRIu64 ",%" PRIu64 ",", r->start_cntvct, r->end_cntvct);
        else
            fputs(",,", out);
        fprintf(out, "%s,%d,%" PRIu64 ",", sm_status_name((enum sm_status)r->status), r->warmup,
                r->result);
        if (r->has_smc)
            fprintf(out, "%" PRId64 ",%" PRIu64 "\n", r->smc_ret, r->trap_ticks);
        else
            fputs(",\n", out);
    }
    return ferror(out) ? -1 : 0;
}

int sm_calllog_write_file(const struct sm_calllog *l, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = sm_calllog_write(l, f);
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

/* Next comma-separated field of *p into buf; -1 when there is none. */
static int field(const char **p, char *buf, size_t n)
{
    if (!*p)
        return -1;
    const char *c = strchr(*p, ',');
    size_t len = c ? (size_t)(c - *p) : strcspn(*p, "\r\n");
    if (len >= n)
        return -1;
    memcpy(buf, *p, len);
    buf[len] = '\0';
    *p = c ? c + 1 : NULL;
    return 0;
}

static int u64_of(const char *s, uint64_t *v, int allow_empty)
{
    if (!*s) {
        *v = 0;
        return allow_empty ? 0 : -1;
    }
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || errno || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

int sm_calllog_parse_line(const char *line, struct sm_call_rec *r, char *err, size_t errlen)
{
    static const char *const names[] = {"seq",          "op",         "frame",
                                        "intended_ns",  "start_ns",   "end_ns",
                                        "start_cntvct", "end_cntvct", "status"};
    char buf[9][32];
    const char *p = line;
    memset(r, 0, sizeof *r);
    for (int i = 0; i < 9; i++) {
        if (field(&p, buf[i], sizeof buf[i]) != 0) {
            snprintf(err, errlen, "expected column %d (%s), found %s", i + 1, names[i],
                     p ? "a field too long" : "end of line");
            return -1;
        }
    }
    uint64_t *nums[] = {&r->seq,      NULL,       &r->frame,        &r->intended_ns,
                        &r->start_ns, &r->end_ns, &r->start_cntvct, &r->end_cntvct};
    for (int i = 0; i < 8; i++) {
        if (!nums[i])
            continue;
        if (u64_of(buf[i], nums[i], i >= 6) != 0) {
            snprintf(err, errlen, "column %s: expected an unsigned integer, found '%s'", names[i],
                     buf[i]);
            return -1;
        }
    }
    enum sm_op op = sm_op_parse(buf[1]);
    if (op == SM_OP_NONE) {
        snprintf(err, errlen, "column op: expected register, process or unregister, found '%s'",
                 buf[1]);
        return -1;
    }
    r->op = (uint8_t)op;
    for (int st = 0; st < SM_STATUS_COUNT; st++) {
        if (!strcmp(buf[8], sm_status_name((enum sm_status)st))) {
            r->status = (uint8_t)st;
            return 0;
        }
    }
    snprintf(err, errlen, "column status: expected ok or an error kind, found '%s'", buf[8]);
    return -1;
}
