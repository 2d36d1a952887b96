/* Scenario files: a table of keys drives parsing, checking, defaults and the lab's params. */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum key_type {
    T_STR,   /* free text */
    T_ENUM,  /* one of choices */
    T_WORDS, /* space-separated words, each one of choices */
    T_INT,   /* integer in [min, max] */
    T_NUM,   /* number in [min, max] */
    T_SIZE,  /* bytes with optional k/M/G suffix (powers of 1024) */
    T_CPUS,  /* CPU list: "1", "0-1", "0,2-3" */
    T_POOLS, /* space-separated name:scheduler:cpus */
    T_RTDS,  /* RTDS period and budget: "PERIOD_US:BUDGET_US[:extra]" */
    T_A653,  /* ARINC653 schedule: "MAJOR_FRAME_US:DOMAIN=RUNTIME_US[,...]" */
};

struct key_def {
    const char *section, *key;
    enum key_type type;
    const char *def;     /* default text, NULL for none */
    const char *choices; /* T_ENUM / T_WORDS: "a|b|c" */
    double min, max;
    const char *lab; /* the lab params key (docs/lab.md), NULL when derived or not passed */
};

#define SCHEDS "credit|credit2|null|rtds|arinc653"
static const struct key_def keys[K_COUNT] = {
    [K_NAME] = {"scenario", "name", T_STR, NULL, NULL, 0, 0, "NAME"},
    [K_DESCRIPTION] = {"scenario", "description", T_STR, NULL, NULL, 0, 0, NULL},
    [K_FLOW] = {"load", "flow", T_ENUM, "optimized", "optimized|unoptimized", 0, 0, NULL},
    [K_FPS] = {"load", "fps", T_NUM, "24", NULL, 0.1, 1000, NULL},
    [K_FRAMES] = {"load", "frames", T_INT, NULL, NULL, 1, 10000000, NULL},
    [K_DURATION_S] = {"load", "duration_s", T_NUM, NULL, NULL, 0.1, 86400, NULL},
    [K_PAYLOAD] = {"load", "payload", T_SIZE, "4k", NULL, 0, 1 << 30, NULL},
    [K_TRANSPORT] = {"load", "transport", T_ENUM, "xen", "xen|smc|smc+xen|local|none", 0, 0,
                     "TRANSPORT"},
    [K_GEN_ARGS] = {"load", "gen_args", T_STR, NULL, NULL, 0, 0, NULL},
    [K_MODE] = {"topology", "mode", T_ENUM, "smp", "deterministic|smp", 0, 0, "MODE"},
    [K_PCPUS] = {"topology", "pcpus", T_INT, "2", NULL, 1, 8, "PCPUS"},
    [K_DOM0_VCPUS] = {"topology", "dom0_vcpus", T_INT, "1", NULL, 1, 64, "DOM0_VCPUS"},
    [K_DOM0_LOAD] = {"topology", "dom0_load", T_ENUM, "idle", "idle|busy", 0, 0, NULL},
    [K_CLIENT_VCPUS] = {"topology", "client_vcpus", T_INT, "1", NULL, 1, 64, "CLIENT_VCPUS"},
    [K_MEDIATOR_VCPUS] = {"topology", "mediator_vcpus", T_INT, "1", NULL, 1, 64, "MEDIATOR_VCPUS"},
    [K_NOISE_DOMAINS] = {"topology", "noise_domains", T_INT, "0", NULL, 0, 16, "NOISE_DOMAINS"},
    [K_NOISE_VCPUS] = {"topology", "noise_vcpus", T_INT, "1", NULL, 1, 64, "NOISE_VCPUS"},
    [K_NOISE_LOAD] = {"topology", "noise_load", T_ENUM, "busy", "busy|idle", 0, 0, "NOISE_LOAD"},
    /* smclat-mediator in a Linux DomU, or smclat-stub (docs/stub.md) */
    [K_MEDIATOR_KIND] = {"topology", "mediator", T_ENUM, "linux", "linux|stub", 0, 0,
                         "MEDIATOR_KIND"},
    [K_SCHEDULER] = {"sched", "scheduler", T_ENUM, "credit2", SCHEDS, 0, 0, "XEN_SCHED"},
    [K_FALLBACK_SCHEDULER] = {"sched", "fallback_scheduler", T_ENUM, "credit2", SCHEDS, 0, 0, NULL},
    [K_RATELIMIT_US] = {"sched", "ratelimit_us", T_INT, NULL, NULL, 0, 500000, "RATELIMIT_US"},
    [K_VWFI] = {"sched", "vwfi", T_ENUM, "trap", "trap|native", 0, 0, NULL},
    [K_POOLS] = {"sched", "pools", T_POOLS, NULL, NULL, 0, 0, NULL},
    [K_MEDIATOR_POOL] = {"sched", "mediator_pool", T_STR, "Pool-0", NULL, 0, 0, "MEDIATOR_POOL"},
    [K_CLIENT_POOL] = {"sched", "client_pool", T_STR, "Pool-0", NULL, 0, 0, "CLIENT_POOL"},
    [K_NOISE_POOL] = {"sched", "noise_pool", T_STR, "Pool-0", NULL, 0, 0, "NOISE_POOL"},
    [K_PIN_MEDIATOR] = {"sched", "pin_mediator", T_CPUS, NULL, NULL, 0, 0, "PIN_MEDIATOR"},
    [K_PIN_CLIENT] = {"sched", "pin_client", T_CPUS, NULL, NULL, 0, 0, "PIN_CLIENT"},
    [K_PIN_NOISE] = {"sched", "pin_noise", T_CPUS, NULL, NULL, 0, 0, "PIN_NOISE"},
    [K_PIN_DOM0] = {"sched", "pin_dom0", T_CPUS, NULL, NULL, 0, 0, "PIN_DOM0"},
    [K_WEIGHT_MEDIATOR] = {"sched", "weight_mediator", T_INT, NULL, NULL, 1, 65535,
                           "WEIGHT_MEDIATOR"},
    [K_WEIGHT_CLIENT] = {"sched", "weight_client", T_INT, NULL, NULL, 1, 65535, "WEIGHT_CLIENT"},
    [K_WEIGHT_NOISE] = {"sched", "weight_noise", T_INT, NULL, NULL, 1, 65535, "WEIGHT_NOISE"},
    [K_WEIGHT_DOM0] = {"sched", "weight_dom0", T_INT, NULL, NULL, 1, 65535, "WEIGHT_DOM0"},
    [K_CAP_MEDIATOR] = {"sched", "cap_mediator", T_INT, NULL, NULL, 0, 6400, "CAP_MEDIATOR"},
    [K_CAP_CLIENT] = {"sched", "cap_client", T_INT, NULL, NULL, 0, 6400, "CAP_CLIENT"},
    [K_CAP_NOISE] = {"sched", "cap_noise", T_INT, NULL, NULL, 0, 6400, "CAP_NOISE"},
    [K_CAP_DOM0] = {"sched", "cap_dom0", T_INT, NULL, NULL, 0, 6400, "CAP_DOM0"},
    [K_TSLICE_MS] = {"sched", "tslice_ms", T_INT, NULL, NULL, 1, 1000, "TSLICE_MS"},
    [K_RTDS_MEDIATOR] = {"sched", "rtds_mediator", T_RTDS, NULL, NULL, 0, 0, "RTDS_MEDIATOR"},
    [K_RTDS_CLIENT] = {"sched", "rtds_client", T_RTDS, NULL, NULL, 0, 0, "RTDS_CLIENT"},
    [K_RTDS_NOISE] = {"sched", "rtds_noise", T_RTDS, NULL, NULL, 0, 0, "RTDS_NOISE"},
    [K_RTDS_DOM0] = {"sched", "rtds_dom0", T_RTDS, NULL, NULL, 0, 0, "RTDS_DOM0"},
    [K_ARINC653] = {"sched", "arinc653", T_A653, NULL, NULL, 0, 0, "ARINC653"},
    [K_TARGET] = {"target", "kind", T_ENUM, "lab", "lab|host", 0, 0, NULL},
    [K_HOST_COMMAND] = {"target", "gen_command", T_STR, NULL, NULL, 0, 0, NULL},
    [K_SCHEDULERS] = {"target", "schedulers", T_WORDS, NULL, SCHEDS, 0, 0, NULL},
    [K_XEN_BUILD] = {"target", "xen_build", T_ENUM, "auto", "auto|debian|source", 0, 0,
                     "XEN_BUILD"},
    [K_MEDIATOR_ARGS] = {"target", "mediator_args", T_STR, NULL, NULL, 0, 0, "MEDIATOR_ARGS"},
    [K_TRACE_SECONDS] = {"target", "trace_seconds", T_NUM, NULL, NULL, 0.5, 86400, NULL},
    [K_TIMEOUT_S] = {"target", "timeout_s", T_INT, "300", NULL, 10, 86400, "TIMEOUT_S"},
};

/* Schedulers of the lab's two Xen builds (docs/lab.md): Debian's binary hypervisor has only
 * credit and credit2 (null, rtds and arinc653 need CONFIG_UNSUPPORTED); the one prepare.sh
 * builds from Debian's source package has all five. */
#define LAB_SCHEDULERS_DEBIAN "credit credit2"
#define LAB_SCHEDULERS_SOURCE "credit credit2 null rtds arinc653"

static int errf(char *err, size_t errlen, const struct sm_value *at, enum sm_key k, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
static int errf(char *err, size_t errlen, const struct sm_value *at, enum sm_key k, const char *fmt,
                ...)
{
    char msg[SM_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at && at->file)
        snprintf(err, errlen, "%s:%d: %s: %s", at->file, at->line, sm_key_name(k), msg);
    else
        snprintf(err, errlen, "%s: %s", sm_key_name(k), msg);
    return -1;
}

int sm_key_lookup(const char *section, const char *key)
{
    for (int i = 0; i < K_COUNT; i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].key, key))
            return i;
    return -1;
}

const char *sm_key_name(enum sm_key k)
{
    static char names[K_COUNT][48];
    if (k >= K_COUNT)
        return "?";
    if (!names[k][0])
        snprintf(names[k], sizeof names[k], "%s.%s", keys[k].section, keys[k].key);
    return names[k];
}

struct sm_scenario *sm_scenario_new(void)
{
    return calloc(1, sizeof(struct sm_scenario));
}

void sm_scenario_free(struct sm_scenario *s)
{
    if (!s)
        return;
    for (int i = 0; i < K_COUNT; i++)
        free(s->v[i].text);
    for (int i = 0; i < s->nfiles; i++)
        free(s->files[i]);
    free(s->files);
    free(s);
}

static const char *intern_file(struct sm_scenario *s, const char *file)
{
    if (!file)
        return NULL;
    for (int i = 0; i < s->nfiles; i++)
        if (!strcmp(s->files[i], file))
            return s->files[i];
    char **n = realloc(s->files, (size_t)(s->nfiles + 1) * sizeof *n);
    if (!n)
        return NULL;
    s->files = n;
    s->files[s->nfiles] = strdup(file);
    return s->files[s->nfiles] ? s->files[s->nfiles++] : NULL;
}

struct sm_scenario *sm_scenario_dup(const struct sm_scenario *s)
{
    struct sm_scenario *d = sm_scenario_new();
    if (!d)
        return NULL;
    for (int i = 0; i < K_COUNT; i++) {
        if (!s->v[i].text)
            continue;
        d->v[i].text = strdup(s->v[i].text);
        d->v[i].file = intern_file(d, s->v[i].file);
        d->v[i].line = s->v[i].line;
        if (!d->v[i].text || (s->v[i].file && !d->v[i].file)) {
            sm_scenario_free(d);
            return NULL;
        }
    }
    return d;
}

static int in_choices(const char *choices, const char *w, size_t len)
{
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && !strncmp(p, w, len))
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

static int parse_long(const char *t, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(t, &end, 10);
    if (end == t || *end || errno)
        return -1;
    *out = v;
    return 0;
}

static int parse_num(const char *t, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (end == t || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_size(const char *t, long *out)
{
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (end == t || errno || v < 0)
        return -1;
    double mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024, end++;
    else if (*end == 'M')
        mul = 1024.0 * 1024, end++;
    else if (*end == 'G')
        mul = 1024.0 * 1024 * 1024, end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v * mul > 1e15 || v * mul != floor(v * mul))
        return -1;
    *out = (long)(v * mul);
    return 0;
}

/* CPU list "0,2-3": returns a bit mask, or -1 on bad syntax. */
static long parse_cpus(const char *t)
{
    long mask = 0;
    const char *p = t;
    if (!*p)
        return -1;
    while (*p) {
        char *end;
        if (!isdigit((unsigned char)*p))
            return -1;
        long a = strtol(p, &end, 10), b = a;
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            b = strtol(p, &end, 10);
            p = end;
        }
        if (a > b || b > 62)
            return -1;
        for (long c = a; c <= b; c++)
            mask |= 1L << c;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return mask;
}

/* One pool "name:sched:cpus". Fills name (up to 32 chars), sched and CPU mask. */
static int parse_pool(const char *w, size_t len, char name[33], char sched[16], long *mask)
{
    char buf[128];
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, w, len);
    buf[len] = '\0';
    char *c1 = strchr(buf, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || c1 == buf || (size_t)(c1 - buf) > 32 || c2 - c1 - 1 >= 16)
        return -1;
    *c1 = *c2 = '\0';
    for (char *p = buf; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return -1;
    if (!in_choices(SCHEDS, c1 + 1, strlen(c1 + 1)))
        return -1;
    long m = parse_cpus(c2 + 1);
    if (m < 0)
        return -1;
    memcpy(name, buf, (size_t)(c1 - buf) + 1);
    memcpy(sched, c1 + 1, (size_t)(c2 - c1));
    *mask = m;
    return 0;
}

/* "PERIOD_US:BUDGET_US[:extra]"; 0, or -1 with what is wrong in msg. */
static int parse_rtds(const char *t, long *period, long *budget, char *msg, size_t len)
{
    char *end;
    errno = 0;
    *period = strtol(t, &end, 10);
    if (end == t || *end != ':' || errno)
        goto bad;
    const char *b = end + 1;
    *budget = strtol(b, &end, 10);
    if (end == b || errno || (*end && strcmp(end, ":extra") != 0))
        goto bad;
    if (*budget < 10 || *period > 10000000) {
        snprintf(msg, len, "expected 10 us <= budget <= period <= 10000000 us, found '%s'", t);
        return -1;
    }
    if (*budget > *period) {
        snprintf(msg, len, "budget %ld us is above the period %ld us", *budget, *period);
        return -1;
    }
    return 0;
bad:
    snprintf(msg, len, "expected PERIOD_US:BUDGET_US[:extra], found '%s'", t);
    return -1;
}

/* The roles an ARINC653 window may name. */
static int a653_domain(const char *d, size_t n)
{
    if ((n == 8 && !strncmp(d, "mediator", 8)) || (n == 6 && !strncmp(d, "client", 6)) ||
        (n == 8 && !strncmp(d, "Domain-0", 8)))
        return 1;
    if (n > 5 && !strncmp(d, "noise", 5)) {
        for (size_t i = 5; i < n; i++)
            if (!isdigit((unsigned char)d[i]))
                return 0;
        return 1;
    }
    return 0;
}

/* "MAJOR_FRAME_US:DOMAIN[.VCPU]=RUNTIME_US[,...]"; calls fn for each window's domain. */
static int parse_a653(const char *t, long *frame, long *total, char *msg, size_t len,
                      void (*fn)(void *, const char *, size_t), void *user)
{
    char *end;
    errno = 0;
    *frame = strtol(t, &end, 10);
    *total = 0;
    if (end == t || *end != ':' || errno || *frame < 1 || *frame > 10000000) {
        snprintf(msg, len, "expected MAJOR_FRAME_US:DOMAIN=RUNTIME_US[,...], found '%s'", t);
        return -1;
    }
    for (const char *p = end + 1;;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        size_t dn = eq ? (size_t)(eq - p) : 0;
        const char *dot = eq ? memchr(p, '.', dn) : NULL;
        size_t name = dot ? (size_t)(dot - p) : dn;
        long us = 0;
        if (eq) {
            errno = 0;
            us = strtol(eq + 1, &end, 10);
        }
        if (!eq || !a653_domain(p, name) || end != p + n || us < 1 || us > 10000000 || errno ||
            isspace((unsigned char)eq[1])) {
            snprintf(msg, len,
                     "expected DOMAIN[.VCPU]=RUNTIME_US (mediator, client, noiseN, Domain-0), "
                     "found '%.*s'",
                     (int)n, p);
            return -1;
        }
        if (fn)
            fn(user, p, name);
        *total += us;
        if (!p[n])
            break;
        p += n + 1;
    }
    if (*total > *frame) {
        snprintf(msg, len, "the windows take %ld us, more than the major frame %ld us", *total,
                 *frame);
        return -1;
    }
    return 0;
}

static int check_syntax(enum sm_key k, const char *t, const struct sm_value *at, char *err,
                        size_t errlen)
{
    const struct key_def *d = &keys[k];
    long l;
    double x;
    /* any value written back as "key = value" fits in a line the reader takes */
    if (strlen(t) > SM_VALUE_MAX)
        return errf(err, errlen, at, k, "expected at most %d characters, found %zu", SM_VALUE_MAX,
                    strlen(t));
    switch (d->type) {
    case T_STR:
        if (strchr(t, '\n'))
            return errf(err, errlen, at, k, "expected one line, found a line break");
        /* written back as "key = ;...", that would read as a comment */
        if (t[0] == ';' || t[0] == '#')
            return errf(err, errlen, at, k, "expected text not starting with ; or #, found '%.40s'",
                        t);
        return 0;
    case T_ENUM:
        if (!in_choices(d->choices, t, strlen(t)))
            return errf(err, errlen, at, k, "expected one of %s, found '%s'", d->choices, t);
        return 0;
    case T_WORDS:
        for (const char *p = t; *p;) {
            size_t n = strcspn(p, " \t");
            if (n && !in_choices(d->choices, p, n))
                return errf(err, errlen, at, k, "expected words from %s, found '%.*s'", d->choices,
                            (int)n, p);
            p += n;
            p += strspn(p, " \t");
        }
        return 0;
    case T_INT:
        if (parse_long(t, &l) != 0)
            return errf(err, errlen, at, k, "expected an integer, found '%s'", t);
        if (l < d->min || l > d->max)
            return errf(err, errlen, at, k, "expected %.0f to %.0f, found %ld", d->min, d->max, l);
        return 0;
    case T_NUM:
        if (parse_num(t, &x) != 0)
            return errf(err, errlen, at, k, "expected a number, found '%s'", t);
        if (x < d->min || x > d->max)
            return errf(err, errlen, at, k, "expected %g to %g, found %g", d->min, d->max, x);
        return 0;
    case T_SIZE:
        if (parse_size(t, &l) != 0)
            return errf(err, errlen, at, k, "expected a size in bytes (suffix k, M, G), found '%s'",
                        t);
        if (l > d->max)
            return errf(err, errlen, at, k, "expected at most %.0f bytes, found %ld", d->max, l);
        return 0;
    case T_CPUS:
        if (parse_cpus(t) < 0)
            return errf(err, errlen, at, k, "expected a CPU list like 1 or 0-1,3, found '%s'", t);
        return 0;
    case T_POOLS:
        for (const char *p = t; *p;) {
            size_t n = strcspn(p, " \t");
            char name[33], sched[16];
            long mask;
            if (n && parse_pool(p, n, name, sched, &mask) != 0)
                return errf(err, errlen, at, k, "expected NAME:SCHEDULER:CPUS, found '%.*s'",
                            (int)n, p);
            p += n;
            p += strspn(p, " \t");
        }
        return 0;
    case T_RTDS: {
        char msg[200];
        long period, budget;
        if (parse_rtds(t, &period, &budget, msg, sizeof msg) != 0)
            return errf(err, errlen, at, k, "%s", msg);
        return 0;
    }
    case T_A653: {
        char msg[300];
        long frame, total;
        if (parse_a653(t, &frame, &total, msg, sizeof msg, NULL, NULL) != 0)
            return errf(err, errlen, at, k, "%s", msg);
        return 0;
    }
    }
    return 0;
}

int sm_scenario_set(struct sm_scenario *s, enum sm_key k, const char *text, const char *file,
                    int line, char *err, size_t errlen)
{
    struct sm_value at = {NULL, file, line};
    if (check_syntax(k, text, &at, err, errlen) != 0)
        return -1;
    char *t = strdup(text);
    const char *f = intern_file(s, file);
    if (!t || (file && !f)) {
        free(t);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(s->v[k].text);
    s->v[k] = (struct sm_value){t, f, line};
    return 0;
}

const char *sm_scenario_get(const struct sm_scenario *s, enum sm_key k)
{
    if (s->v[k].text)
        return s->v[k].text;
    if (k == K_SCHEDULERS) /* depends on the target and, in the lab, on the Xen build */
        return strcmp(sm_scenario_get(s, K_TARGET), "lab")          ? ""
               : !strcmp(sm_scenario_get(s, K_XEN_BUILD), "debian") ? LAB_SCHEDULERS_DEBIAN
                                                                    : LAB_SCHEDULERS_SOURCE;
    return keys[k].def;
}

long sm_scenario_long(const struct sm_scenario *s, enum sm_key k)
{
    const char *t = sm_scenario_get(s, k);
    long v = 0;
    if (!t)
        return -1;
    if (keys[k].type == T_SIZE)
        parse_size(t, &v);
    else
        parse_long(t, &v);
    return v;
}

double sm_scenario_double(const struct sm_scenario *s, enum sm_key k)
{
    const char *t = sm_scenario_get(s, k);
    double v = NAN;
    if (t)
        parse_num(t, &v);
    return v;
}

/* --- reading INI files -------------------------------------------------------------------- */

struct reader {
    FILE *f;
    int line;
    int too_long;
    char *buf;
    size_t cap;
};

/* ini_reader: one line at a time, counting lines so that handlers know theirs. */
static char *read_line(char *str, int num, void *stream)
{
    struct reader *r = stream;
    ssize_t n = getline(&r->buf, &r->cap, r->f);
    if (n < 0)
        return NULL;
    r->line++;
    size_t len = (size_t)n; /* the line without its terminator */
    if (len && r->buf[len - 1] == '\n')
        len--;
    if (len && r->buf[len - 1] == '\r')
        len--;
    if (len > (size_t)num - 3) {
        r->too_long = r->line;
        str[0] = '\0';
        return NULL; /* stop: the caller reports the long line */
    }
    memcpy(str, r->buf, (size_t)n + 1);
    return str;
}

struct parse_ctx {
    struct sm_scenario *s;
    struct reader *r;
    const char *path;
    sm_ini_other_fn on_other;
    void *user;
    char *err;
    size_t errlen;
    int failed;
};

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *c = user;
    if (c->failed)
        return 0;
    int line = c->r->line;
    int k = sm_key_lookup(section, name);
    if (k < 0) {
        int known_section = 0;
        for (int i = 0; i < K_COUNT; i++)
            if (!strcmp(keys[i].section, section))
                known_section = 1;
        if (!known_section && c->on_other) {
            char msg[SM_ERR_MAX];
            msg[0] = '\0';
            if (c->on_other(c->user, section, name, value, line, msg, sizeof msg) == 0)
                return 1;
            snprintf(c->err, c->errlen, "%s:%d: %s", c->path, line, msg);
        } else if (!known_section) {
            snprintf(c->err, c->errlen, "%s:%d: %s.%s: unknown section [%s]", c->path, line,
                     section, name, section);
        } else {
            snprintf(c->err, c->errlen, "%s:%d: %s.%s: unknown key", c->path, line, section, name);
        }
        c->failed = 1;
        return 0;
    }
    if (c->s->v[k].file == c->path || (c->s->v[k].file && !strcmp(c->s->v[k].file, c->path))) {
        if (c->s->v[k].text && c->s->v[k].line != line) {
            snprintf(c->err, c->errlen, "%s:%d: %s: set twice (first on line %d)", c->path, line,
                     sm_key_name((enum sm_key)k), c->s->v[k].line);
            c->failed = 1;
            return 0;
        }
    }
    if (sm_scenario_set(c->s, (enum sm_key)k, value, c->path, line, c->err, c->errlen) != 0) {
        c->failed = 1;
        return 0;
    }
    return 1;
}

int sm_scenario_read(struct sm_scenario *s, const char *path, sm_ini_other_fn on_other, void *user,
                     char *err, size_t errlen)
{
    struct reader r = {0};
    r.f = fopen(path, "r");
    if (!r.f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    ini_stop_on_first_error = 1;
    ini_allow_multiline = 0;
    ini_use_stack = 0; /* a heap buffer of SM_INI_LINE_MAX bytes instead of 200 on the stack */
    ini_allow_realloc = 0;
    ini_initial_alloc = SM_INI_LINE_MAX;
    ini_max_line = SM_INI_LINE_MAX;
    struct parse_ctx c = {s, &r, path, on_other, user, err, errlen, 0};
    int rc = ini_parse_stream(read_line, &r, on_key, &c);
    fclose(r.f);
    free(r.buf);
    if (r.too_long) {
        snprintf(err, errlen, "%s:%d: line longer than %d characters", path, r.too_long,
                 ini_max_line - 3);
        return -1;
    }
    if (c.failed)
        return -1;
    if (rc != 0) {
        snprintf(err, errlen, "%s:%d: expected [section] or key = value, found something else",
                 path, rc);
        return -1;
    }
    return 0;
}

struct sm_scenario *sm_scenario_load(const char *path, char *err, size_t errlen)
{
    struct sm_scenario *s = sm_scenario_new();
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sm_scenario_read(s, path, NULL, NULL, err, errlen) != 0 ||
        sm_scenario_check(s, err, errlen) != 0) {
        sm_scenario_free(s);
        return NULL;
    }
    if (!s->v[K_NAME].text) {
        const char *b = strrchr(path, '/');
        char name[256];
        snprintf(name, sizeof name, "%s", b ? b + 1 : path);
        char *dot = strrchr(name, '.');
        if (dot && dot != name)
            *dot = '\0';
        if (sm_scenario_set(s, K_NAME, name, NULL, 0, err, errlen) != 0) {
            sm_scenario_free(s);
            return NULL;
        }
    }
    return s;
}

/* --- cross-key checks ----------------------------------------------------------------------- */

static const struct sm_value *at(const struct sm_scenario *s, enum sm_key k)
{
    return &s->v[k];
}

static int pool_defined(const struct sm_scenario *s, const char *name)
{
    if (!strcmp(name, "Pool-0"))
        return 1;
    const char *t = sm_scenario_get(s, K_POOLS);
    for (const char *p = t ? t : ""; *p;) {
        size_t n = strcspn(p, " \t");
        char pname[33], sched[16];
        long mask;
        if (n && parse_pool(p, n, pname, sched, &mask) == 0 && !strcmp(pname, name))
            return 1;
        p += n;
        p += strspn(p, " \t");
    }
    return 0;
}

/* The scheduler of a pool: Pool-0's is sched.scheduler; "" when the pool is not defined. */
static void pool_sched(const struct sm_scenario *s, const char *name, char out[16])
{
    snprintf(out, 16, "%s", "");
    if (!strcmp(name, "Pool-0")) {
        snprintf(out, 16, "%s", sm_scenario_get(s, K_SCHEDULER));
        return;
    }
    const char *t = sm_scenario_get(s, K_POOLS);
    for (const char *p = t ? t : ""; *p;) {
        size_t n = strcspn(p, " \t");
        char pname[33], sched[16];
        long mask;
        if (n && parse_pool(p, n, pname, sched, &mask) == 0 && !strcmp(pname, name))
            snprintf(out, 16, "%s", sched);
        p += n;
        p += strspn(p, " \t");
    }
}

static int popcount(long m)
{
    int n = 0;
    for (; m; m &= m - 1)
        n++;
    return n;
}

struct a653_ctx {
    const struct sm_scenario *s;
    char pool[33]; /* the first window's pool */
    char bad[160]; /* the first problem */
};

static void a653_window(void *user, const char *dom, size_t n)
{
    struct a653_ctx *c = user;
    const char *pool = "Pool-0";
    if (n == 8 && !strncmp(dom, "mediator", 8))
        pool = sm_scenario_get(c->s, K_MEDIATOR_POOL);
    else if (n == 6 && !strncmp(dom, "client", 6))
        pool = sm_scenario_get(c->s, K_CLIENT_POOL);
    else if (n > 5 && !strncmp(dom, "noise", 5))
        pool = sm_scenario_get(c->s, K_NOISE_POOL);
    char sched[16];
    pool_sched(c->s, pool, sched);
    if (c->bad[0])
        return;
    if (strcmp(sched, "arinc653") != 0)
        snprintf(c->bad, sizeof c->bad, "%.*s runs in %s, whose scheduler is %s, not arinc653",
                 (int)n, dom, pool, sched);
    else if (c->pool[0] && strcmp(c->pool, pool) != 0)
        snprintf(c->bad, sizeof c->bad,
                 "the windows' domains must share one arinc653 pool (%s and %s)", c->pool, pool);
    else
        snprintf(c->pool, sizeof c->pool, "%s", pool);
}

/* What needs the scheduler each domain runs under: null pools hold no more vCPUs than pCPUs,
 * RTDS parameters only in an rtds pool, an ARINC653 schedule only in one arinc653 pool, and in
 * the lab a scheduler the chosen Xen build lacks (target.xen_build = debian). */
static int check_schedulers(const struct sm_scenario *s, char *err, size_t errlen)
{
    const char *pools = sm_scenario_get(s, K_POOLS);
    for (const char *p = pools ? pools : ""; *p;) {
        size_t n = strcspn(p, " \t");
        char name[33], sched[16];
        long mask;
        if (n && parse_pool(p, n, name, sched, &mask) == 0 && !strcmp(sched, "null")) {
            long vcpus = 0;
            char who[128] = "";
            static const struct {
                enum sm_key pool, vcpus;
                const char *role;
            } doms[] = {{K_MEDIATOR_POOL, K_MEDIATOR_VCPUS, "mediator"},
                        {K_CLIENT_POOL, K_CLIENT_VCPUS, "client"},
                        {K_NOISE_POOL, K_NOISE_VCPUS, "noise"}};
            for (size_t i = 0; i < sizeof doms / sizeof *doms; i++) {
                if (strcmp(sm_scenario_get(s, doms[i].pool), name) != 0)
                    continue;
                long v = sm_scenario_long(s, doms[i].vcpus);
                if (doms[i].pool == K_NOISE_POOL)
                    v *= sm_scenario_long(s, K_NOISE_DOMAINS);
                if (v == 0)
                    continue;
                vcpus += v;
                snprintf(who + strlen(who), sizeof who - strlen(who), "%s%s %ld",
                         who[0] ? ", " : "", doms[i].role, v);
            }
            if (vcpus > popcount(mask))
                return errf(err, errlen, at(s, K_POOLS), K_POOLS,
                            "null pool '%s' has %d pCPU(s) for %ld vCPU(s) (%s): the null "
                            "scheduler gives each vCPU a pCPU of its own",
                            name, popcount(mask), vcpus, who);
        }
        p += n;
        p += strspn(p, " \t");
    }
    static const struct {
        enum sm_key rtds, pool;
    } rt[] = {{K_RTDS_MEDIATOR, K_MEDIATOR_POOL},
              {K_RTDS_CLIENT, K_CLIENT_POOL},
              {K_RTDS_NOISE, K_NOISE_POOL},
              {K_RTDS_DOM0, K_COUNT}};
    for (size_t i = 0; i < sizeof rt / sizeof *rt; i++) {
        if (!sm_scenario_get(s, rt[i].rtds))
            continue;
        const char *pool = rt[i].pool == K_COUNT ? "Pool-0" : sm_scenario_get(s, rt[i].pool);
        char sched[16];
        pool_sched(s, pool, sched);
        if (strcmp(sched, "rtds") != 0)
            return errf(err, errlen, at(s, rt[i].rtds), rt[i].rtds,
                        "the domain runs in %s, whose scheduler is %s, not rtds", pool, sched);
    }
    const char *a653 = sm_scenario_get(s, K_ARINC653);
    if (a653) {
        struct a653_ctx c = {.s = s};
        long frame, total;
        char msg[300];
        if (parse_a653(a653, &frame, &total, msg, sizeof msg, a653_window, &c) != 0)
            return errf(err, errlen, at(s, K_ARINC653), K_ARINC653, "%s", msg);
        if (c.bad[0])
            return errf(err, errlen, at(s, K_ARINC653), K_ARINC653, "%s", c.bad);
    }
    /* the lab's Debian build: no fallback unless target.schedulers was given */
    if (!strcmp(sm_scenario_get(s, K_TARGET), "lab") &&
        !strcmp(sm_scenario_get(s, K_XEN_BUILD), "debian") && !s->v[K_SCHEDULERS].text) {
        const char *sched = sm_scenario_get(s, K_SCHEDULER);
        if (strcmp(sched, "credit") != 0 && strcmp(sched, "credit2") != 0)
            return errf(err, errlen, at(s, K_XEN_BUILD), K_XEN_BUILD,
                        "Debian's binary Xen has only credit and credit2; sched.scheduler asks "
                        "for %s (use auto or source)",
                        sched);
        for (const char *p = pools ? pools : ""; *p;) {
            size_t n = strcspn(p, " \t");
            char name[33], psched[16];
            long mask;
            if (n && parse_pool(p, n, name, psched, &mask) == 0 && strcmp(psched, "credit") != 0 &&
                strcmp(psched, "credit2") != 0)
                return errf(err, errlen, at(s, K_XEN_BUILD), K_XEN_BUILD,
                            "Debian's binary Xen has only credit and credit2; sched.pools asks "
                            "for %s (pool '%s'; use auto or source)",
                            psched, name);
            p += n;
            p += strspn(p, " \t");
        }
    }
    return 0;
}

int sm_scenario_check(const struct sm_scenario *s, char *err, size_t errlen)
{
    long pcpus = sm_scenario_long(s, K_PCPUS);
    long all = (pcpus >= 63) ? -1L : (1L << pcpus) - 1;
    if (s->v[K_FRAMES].text && s->v[K_DURATION_S].text) {
        enum sm_key later = s->v[K_FRAMES].line > s->v[K_DURATION_S].line ? K_FRAMES : K_DURATION_S;
        return errf(err, errlen, at(s, later), later,
                    "give load.frames or load.duration_s, not both");
    }
    if (!strcmp(sm_scenario_get(s, K_MODE), "deterministic") && pcpus != 1) {
        enum sm_key k = s->v[K_PCPUS].text ? K_PCPUS : K_MODE;
        return errf(err, errlen, at(s, k), k,
                    "deterministic mode runs on 1 pCPU (QEMU -icount hangs with -smp 2), found "
                    "topology.pcpus = %ld",
                    pcpus);
    }
    /* pools: names unique, CPUs inside the machine, one CPU at least left for Pool-0 */
    const char *pools = sm_scenario_get(s, K_POOLS);
    long used = 0;
    char seen[16][33];
    int nseen = 0;
    for (const char *p = pools ? pools : ""; *p;) {
        size_t n = strcspn(p, " \t");
        char name[33], sched[16];
        long mask;
        if (n && parse_pool(p, n, name, sched, &mask) == 0) {
            if (!strcmp(name, "Pool-0"))
                return errf(err, errlen, at(s, K_POOLS), K_POOLS,
                            "Pool-0 exists already (it keeps the CPUs no pool takes)");
            for (int i = 0; i < nseen; i++)
                if (!strcmp(seen[i], name))
                    return errf(err, errlen, at(s, K_POOLS), K_POOLS, "pool '%s' given twice",
                                name);
            if (nseen < 16)
                snprintf(seen[nseen++], sizeof seen[0], "%s", name);
            if (mask & ~all)
                return errf(err, errlen, at(s, K_POOLS), K_POOLS,
                            "pool '%s' uses a CPU beyond topology.pcpus = %ld", name, pcpus);
            if (mask & used)
                return errf(err, errlen, at(s, K_POOLS), K_POOLS,
                            "pool '%s' takes a CPU another pool has", name);
            used |= mask;
        }
        p += n;
        p += strspn(p, " \t");
    }
    if (used && (used & all) == all)
        return errf(err, errlen, at(s, K_POOLS), K_POOLS,
                    "the pools take every CPU; Pool-0 (Dom0) needs one");
    static const enum sm_key pool_keys[] = {K_MEDIATOR_POOL, K_CLIENT_POOL, K_NOISE_POOL};
    for (size_t i = 0; i < sizeof pool_keys / sizeof *pool_keys; i++) {
        const char *name = sm_scenario_get(s, pool_keys[i]);
        if (!pool_defined(s, name))
            return errf(err, errlen, at(s, pool_keys[i]), pool_keys[i],
                        "expected Pool-0 or a pool of sched.pools, found '%s'", name);
    }
    static const enum sm_key pin_keys[] = {K_PIN_MEDIATOR, K_PIN_CLIENT, K_PIN_NOISE, K_PIN_DOM0};
    for (size_t i = 0; i < sizeof pin_keys / sizeof *pin_keys; i++) {
        const char *t = sm_scenario_get(s, pin_keys[i]);
        if (t && (parse_cpus(t) & ~all))
            return errf(err, errlen, at(s, pin_keys[i]), pin_keys[i],
                        "CPU beyond topology.pcpus = %ld in '%s'", pcpus, t);
    }
    static const struct {
        enum sm_key cap, vcpus;
    } caps[] = {{K_CAP_MEDIATOR, K_MEDIATOR_VCPUS},
                {K_CAP_CLIENT, K_CLIENT_VCPUS},
                {K_CAP_NOISE, K_NOISE_VCPUS},
                {K_CAP_DOM0, K_DOM0_VCPUS}};
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
        long cap = sm_scenario_long(s, caps[i].cap), v = sm_scenario_long(s, caps[i].vcpus);
        if (cap > 100 * v)
            return errf(err, errlen, at(s, caps[i].cap), caps[i].cap,
                        "expected at most 100 per vCPU (%ld), found %ld", 100 * v, cap);
    }
    if (!strcmp(sm_scenario_get(s, K_TARGET), "host") && !sm_scenario_get(s, K_HOST_COMMAND))
        return errf(err, errlen, at(s, K_TARGET), K_TARGET,
                    "target host needs target.gen_command (how smclat-gen starts in the client)");
    if (!strcmp(sm_scenario_get(s, K_TARGET), "lab") &&
        !strcmp(sm_scenario_get(s, K_TRANSPORT), "local"))
        return errf(err, errlen, at(s, K_TRANSPORT), K_TRANSPORT,
                    "transport local runs on one machine; the lab needs xen, smc, smc+xen or none");
    if (!strcmp(sm_scenario_get(s, K_MEDIATOR_KIND), "stub")) {
        const char *t = sm_scenario_get(s, K_TRANSPORT);
        if (strcmp(t, "xen") && strcmp(t, "smc+xen"))
            return errf(err, errlen, at(s, K_MEDIATOR_KIND), K_MEDIATOR_KIND,
                        "the stub serves load.transport = xen or smc+xen, found %s", t);
        if (sm_scenario_long(s, K_MEDIATOR_VCPUS) != 1)
            return errf(err, errlen, at(s, K_MEDIATOR_KIND), K_MEDIATOR_KIND,
                        "the stub has one vCPU, found topology.mediator_vcpus = %ld",
                        sm_scenario_long(s, K_MEDIATOR_VCPUS));
    }
    const char *sched = sm_scenario_get(s, K_SCHEDULER);
    if (!strcmp(sched, "null") || !strcmp(sched, "arinc653"))
        return errf(err, errlen, at(s, K_SCHEDULER), K_SCHEDULER,
                    "%s cannot be the whole machine's scheduler here (Dom0 and every guest "
                    "share it); give it to a pool in sched.pools",
                    sched);
    return check_schedulers(s, err, errlen);
}

/* --- writing ---------------------------------------------------------------------------------- */

int sm_scenario_write_ini(const struct sm_scenario *s, FILE *out)
{
    const char *section = "";
    for (int i = 0; i < K_COUNT; i++) {
        const char *t = sm_scenario_get(s, (enum sm_key)i);
        if (strcmp(section, keys[i].section)) {
            section = keys[i].section;
            fprintf(out, "%s[%s]\n", i ? "\n" : "", section);
        }
        if (t)
            fprintf(out, "%s = %s\n", keys[i].key, t);
    }
    return ferror(out) ? -1 : 0;
}

/* Writes KEY='value' with the value quoted for sh. */
static void put_kv(FILE *out, const char *key, const char *v)
{
    fprintf(out, "%s='", key);
    for (const char *p = v; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", out);
        else
            fputc(*p, out);
    }
    fputs("'\n", out);
}

/* How long the load runs: load.duration_s, else frames / fps, else 5 s. */
static double duration_s(const struct sm_scenario *s)
{
    if (s->v[K_FRAMES].text)
        return (double)sm_scenario_long(s, K_FRAMES) / sm_scenario_double(s, K_FPS);
    return s->v[K_DURATION_S].text ? sm_scenario_double(s, K_DURATION_S) : 5.0;
}

char *sm_scenario_gen_args(const struct sm_scenario *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    /* the transport is the lab's TRANSPORT key; the rest goes to smclat-gen as is */
    fprintf(f, "--flow %s --fps %s", sm_scenario_get(s, K_FLOW), sm_scenario_get(s, K_FPS));
    if (s->v[K_FRAMES].text)
        fprintf(f, " --frames %s", sm_scenario_get(s, K_FRAMES));
    else
        fprintf(f, " --duration %g", duration_s(s));
    fprintf(f, " --payload %ld", sm_scenario_long(s, K_PAYLOAD));
    const char *extra = sm_scenario_get(s, K_GEN_ARGS);
    if (extra && *extra)
        fprintf(f, " %s", extra);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int sched_available(const struct sm_scenario *s, const char *sched, size_t len)
{
    const char *avail = sm_scenario_get(s, K_SCHEDULERS);
    if (!avail || !*avail)
        return 1;
    for (const char *p = avail; *p;) {
        size_t n = strcspn(p, " \t");
        if (n == len && !strncmp(p, sched, len))
            return 1;
        p += n;
        p += strspn(p, " \t");
    }
    return 0;
}

int sm_scenario_write_lab_params(const struct sm_scenario *s, FILE *out, FILE *notes)
{
    const char *name = sm_scenario_get(s, K_NAME);
    const char *fallback = sm_scenario_get(s, K_FALLBACK_SCHEDULER);
    fprintf(out,
            "# smclat lab parameters (docs/lab.md), written by smclat suite from the "
            "scenario %s\n",
            name ? name : "?");
    for (int i = 0; i < K_COUNT; i++) {
        const char *t = sm_scenario_get(s, (enum sm_key)i);
        if (!keys[i].lab || !t)
            continue;
        if (i == K_SCHEDULER && !sched_available(s, t, strlen(t))) {
            if (notes)
                fprintf(notes,
                        "warning: %s: scheduler %s is not available on this target; using %s\n",
                        name, t, fallback);
            t = fallback;
        }
        put_kv(out, keys[i].lab, t);
    }
    /* pools, with schedulers the target lacks replaced by the fallback */
    const char *pools = sm_scenario_get(s, K_POOLS);
    char buf[1024] = "";
    size_t used = 0;
    for (const char *p = pools ? pools : ""; *p;) {
        size_t n = strcspn(p, " \t");
        char pname[33], sched[16];
        long mask;
        if (n && parse_pool(p, n, pname, sched, &mask) == 0) {
            const char *cpus = memchr(p, ':', n);
            cpus = memchr(cpus + 1, ':', n - (size_t)(cpus + 1 - p)) + 1;
            const char *use = sched;
            if (!sched_available(s, sched, strlen(sched))) {
                use = fallback;
                if (notes)
                    fprintf(notes,
                            "warning: %s: pool %s: scheduler %s is not available on this target "
                            "(Debian's Xen lacks it); using %s\n",
                            name, pname, sched, fallback);
            }
            int w = snprintf(buf + used, sizeof buf - used, "%s%s:%s:%.*s", used ? " " : "", pname,
                             use, (int)(n - (size_t)(cpus - p)), cpus);
            if (w > 0 && (size_t)w < sizeof buf - used)
                used += (size_t)w;
        }
        p += n;
        p += strspn(p, " \t");
    }
    put_kv(out, "POOLS", buf);
    if (!strcmp(sm_scenario_get(s, K_VWFI), "native"))
        put_kv(out, "XEN_EXTRA", "vwfi=native");
    else
        put_kv(out, "XEN_EXTRA", "");
    char *gen = sm_scenario_gen_args(s);
    if (!gen)
        return -1;
    put_kv(out, "GEN_ARGS", gen);
    free(gen);
    char num[64];
    if (!strcmp(sm_scenario_get(s, K_DOM0_LOAD), "busy"))
        snprintf(num, sizeof num, "busy:%ld", sm_scenario_long(s, K_DOM0_VCPUS));
    else
        snprintf(num, sizeof num, "none");
    put_kv(out, "DOM0_LOAD", num);
    /* the generator runs inside the trace: its load plus 3 s for start and drain */
    double trace_s =
        s->v[K_TRACE_SECONDS].text ? sm_scenario_double(s, K_TRACE_SECONDS) : duration_s(s) + 3.0;
    snprintf(num, sizeof num, "%g", ceil(trace_s));
    put_kv(out, "TRACE_SECONDS", num);
    /* a real board: the runner's --lab command reads these two (the lab rejects them) */
    if (!strcmp(sm_scenario_get(s, K_TARGET), "host")) {
        put_kv(out, "HOST_TARGET", "1");
        put_kv(out, "HOST_GEN_COMMAND", sm_scenario_get(s, K_HOST_COMMAND));
    }
    return ferror(out) ? -1 : 0;
}
