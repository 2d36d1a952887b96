#include "suite.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sm_key_parse_dotted(const char *dotted)
{
    const char *dot = strchr(dotted, '.');
    char section[64];
    if (!dot || (size_t)(dot - dotted) >= sizeof section)
        return -1;
    memcpy(section, dotted, (size_t)(dot - dotted));
    section[dot - dotted] = '\0';
    return sm_key_lookup(section, dot + 1);
}

static void variant_free(struct sm_variant *v)
{
    free(v->name);
    free(v->file);
    for (int i = 0; i < v->n; i++)
        free(v->o[i].value);
    free(v->o);
}

void sm_suite_free(struct sm_suite *s)
{
    if (!s)
        return;
    for (int a = 0; a < s->naxes; a++) {
        for (int i = 0; i < s->axes[a].n; i++)
            variant_free(&s->axes[a].v[i]);
        free(s->axes[a].v);
        free(s->axes[a].name);
    }
    free(s->axes);
    for (int i = 0; i < s->nlist; i++)
        variant_free(&s->list[i]);
    free(s->list);
    free(s->path);
    free(s->name);
    free(s->description);
    free(s->base);
    free(s);
}

static void *grow(void *p, int n, size_t size)
{
    return realloc(p, (size_t)(n + 1) * size);
}

/* The variant a "[AXIS VARIANT]" or "[scenario NAME]" section refers to, created on first use. */
static struct sm_variant *find_variant(struct sm_suite *s, const char *section, int line, char *err,
                                       size_t errlen)
{
    const char *sp = strchr(section, ' ');
    if (!sp || !sp[1] || strchr(sp + 1, ' ')) {
        snprintf(err, errlen,
                 "[%s]: expected [suite], [AXIS VARIANT] or [scenario NAME], found [%s]", section,
                 section);
        return NULL;
    }
    size_t alen = (size_t)(sp - section);
    const char *vname = sp + 1;
    for (const char *p = vname; *p; p++)
        if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z'))) {
            snprintf(err, errlen,
                     "[%s]: expected a name of letters, digits, '-' and '_', found '%s'", section,
                     vname);
            return NULL;
        }
    struct sm_variant **vec;
    int *n;
    if (alen == 8 && !strncmp(section, "scenario", 8)) {
        vec = &s->list;
        n = &s->nlist;
    } else {
        int a;
        for (a = 0; a < s->naxes; a++)
            if (strlen(s->axes[a].name) == alen && !strncmp(s->axes[a].name, section, alen))
                break;
        if (a == s->naxes) {
            struct sm_axis *na = grow(s->axes, s->naxes, sizeof *na);
            if (!na)
                return NULL;
            s->axes = na;
            s->axes[a] = (struct sm_axis){strndup(section, alen), NULL, 0};
            s->naxes++;
        }
        vec = &s->axes[a].v;
        n = &s->axes[a].n;
    }
    for (int i = 0; i < *n; i++)
        if (!strcmp((*vec)[i].name, vname))
            return &(*vec)[i];
    struct sm_variant *nv = grow(*vec, *n, sizeof *nv);
    if (!nv)
        return NULL;
    *vec = nv;
    nv[*n] = (struct sm_variant){strdup(vname), NULL, NULL, 0, line};
    return &nv[(*n)++];
}

struct suite_ctx {
    struct sm_suite *s;
    struct sm_scenario *scratch; /* syntax checks of override values */
};

static int on_suite_key(void *user, const char *section, const char *key, const char *value,
                        int line, char *err, size_t errlen)
{
    struct suite_ctx *c = user;
    struct sm_suite *s = c->s;
    if (!strcmp(section, "suite")) {
        char **dst = !strcmp(key, "name")          ? &s->name
                     : !strcmp(key, "description") ? &s->description
                     : !strcmp(key, "base")        ? &s->base
                                                   : NULL;
        if (!dst) {
            snprintf(err, errlen, "suite.%s: unknown key (expected name, description, base)", key);
            return -1;
        }
        free(*dst);
        *dst = strdup(value);
        if (dst == &s->base)
            s->base_line = line;
        return 0;
    }
    struct sm_variant *v = find_variant(s, section, line, err, errlen);
    if (!v)
        return -1;
    if (!strcmp(key, "file")) {
        if (strncmp(section, "scenario ", 9) != 0) {
            snprintf(err, errlen, "%s.file: only [scenario NAME] sections name a file", section);
            return -1;
        }
        free(v->file);
        v->file = strdup(value);
        return 0;
    }
    int k = sm_key_parse_dotted(key);
    if (k < 0) {
        snprintf(err, errlen, "%s.%s: expected a scenario key like load.fps, found '%s'", section,
                 key, key);
        return -1;
    }
    char e2[SM_ERR_MAX];
    if (sm_scenario_set(c->scratch, (enum sm_key)k, value, NULL, line, e2, sizeof e2) != 0) {
        snprintf(err, errlen, "[%s] %s", section, e2);
        return -1;
    }
    struct sm_override *no = grow(v->o, v->n, sizeof *no);
    if (!no)
        return -1;
    v->o = no;
    v->o[v->n++] = (struct sm_override){(enum sm_key)k, strdup(value), line};
    return 0;
}

struct sm_suite *sm_suite_load(const char *path, char *err, size_t errlen)
{
    struct sm_suite *s = calloc(1, sizeof *s);
    struct sm_scenario *scratch = sm_scenario_new();
    if (!s || !scratch || !(s->path = strdup(path))) {
        snprintf(err, errlen, "out of memory");
        sm_suite_free(s);
        sm_scenario_free(scratch);
        return NULL;
    }
    struct suite_ctx c = {s, scratch};
    /* A suite has no scenario sections of its own: every section goes to on_suite_key.
     * sm_scenario_read() treats [load] etc. as scenario keys, which a suite must not have. */
    int rc = sm_scenario_read(scratch, path, on_suite_key, &c, err, errlen);
    for (int i = 0; rc == 0 && i < K_COUNT; i++)
        if (scratch->v[i].text && scratch->v[i].file) {
            snprintf(err, errlen,
                     "%s:%d: %s: a suite sets scenario keys inside [AXIS VARIANT] sections "
                     "(as %s = ...) or in its base scenario",
                     path, scratch->v[i].line, sm_key_name((enum sm_key)i),
                     sm_key_name((enum sm_key)i));
            rc = -1;
        }
    sm_scenario_free(scratch);
    if (rc == 0 && s->naxes == 0 && s->nlist == 0) {
        snprintf(err, errlen,
                 "%s: no scenarios (expected [AXIS VARIANT] or [scenario NAME] sections)", path);
        rc = -1;
    }
    if (rc != 0) {
        sm_suite_free(s);
        return NULL;
    }
    if (!s->name) {
        const char *b = strrchr(path, '/');
        s->name = strdup(b ? b + 1 : path);
        char *dot = s->name ? strrchr(s->name, '.') : NULL;
        if (dot && dot != s->name)
            *dot = '\0';
    }
    return s;
}

long sm_suite_count(const struct sm_suite *s)
{
    long n = s->naxes ? 1 : 0;
    for (int a = 0; a < s->naxes; a++)
        n *= s->axes[a].n;
    return n + s->nlist;
}

void sm_scenarios_free(struct sm_scenario **v, int n)
{
    for (int i = 0; i < n; i++)
        sm_scenario_free(v[i]);
    free(v);
}

/* A path relative to the suite's folder. */
static char *relative_to(const char *suite_path, const char *file)
{
    if (file[0] == '/')
        return strdup(file);
    const char *slash = strrchr(suite_path, '/');
    size_t dl = slash ? (size_t)(slash - suite_path) + 1 : 0;
    char *p = malloc(dl + strlen(file) + 1);
    if (p) {
        memcpy(p, suite_path, dl);
        strcpy(p + dl, file);
    }
    return p;
}

static struct sm_scenario *start_from(const struct sm_suite *s, const char *file, char *err,
                                      size_t errlen)
{
    struct sm_scenario *sc = sm_scenario_new();
    if (!sc) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!file)
        return sc;
    char *p = relative_to(s->path, file);
    int rc = p ? sm_scenario_read(sc, p, NULL, NULL, err, errlen) : -1;
    free(p);
    if (rc != 0) {
        sm_scenario_free(sc);
        return NULL;
    }
    return sc;
}

static int apply(const struct sm_suite *s, struct sm_scenario *sc, const struct sm_variant *v,
                 char *err, size_t errlen)
{
    for (int i = 0; i < v->n; i++)
        if (sm_scenario_set(sc, v->o[i].key, v->o[i].value, s->path, v->o[i].line, err, errlen))
            return -1;
    return 0;
}

int sm_scenario_apply_sets(struct sm_scenario *sc, const char *const *ov, int n, char *err,
                           size_t errlen)
{
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(ov[i], '=');
        char key[96];
        if (!eq || (size_t)(eq - ov[i]) >= sizeof key) {
            snprintf(err, errlen, "--set %s: expected section.key=value", ov[i]);
            return -1;
        }
        memcpy(key, ov[i], (size_t)(eq - ov[i]));
        key[eq - ov[i]] = '\0';
        int k = sm_key_parse_dotted(key);
        if (k < 0) {
            snprintf(err, errlen, "--set %s: unknown key '%s'", ov[i], key);
            return -1;
        }
        if (sm_scenario_set(sc, (enum sm_key)k, eq + 1, "--set", i + 1, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int finish(const struct sm_suite *s, struct sm_scenario *sc, const char *name,
                  const char *const *ov, int nov, char *err, size_t errlen)
{
    char e2[SM_ERR_MAX];
    if (sm_scenario_apply_sets(sc, ov, nov, err, errlen) != 0)
        return -1;
    if (sm_scenario_set(sc, K_NAME, name, s->path, 0, e2, sizeof e2) != 0 ||
        sm_scenario_check(sc, e2, sizeof e2) != 0) {
        snprintf(err, errlen, "scenario %s: %s", name, e2);
        return -1;
    }
    return 0;
}

int sm_suite_expand(const struct sm_suite *s, const char *const *overrides, int noverrides,
                    struct sm_scenario ***out, int *nout, char *err, size_t errlen)
{
    long total = sm_suite_count(s);
    if (total > 100000) {
        snprintf(err, errlen, "%s: %ld scenarios; more than 100000 is surely a mistake", s->path,
                 total);
        return -1;
    }
    if (s->naxes > 64) {
        snprintf(err, errlen, "%s: %d axes; at most 64", s->path, s->naxes);
        return -1;
    }
    struct sm_scenario **v = calloc((size_t)total + 1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int n = 0;
    long matrix = total - s->nlist;
    for (long idx = 0; idx < matrix; idx++) {
        /* mixed-radix counter, the last axis varying fastest */
        int pick[64];
        long r = idx;
        for (int a = s->naxes - 1; a >= 0; a--) {
            pick[a] = (int)(r % s->axes[a].n);
            r /= s->axes[a].n;
        }
        struct sm_scenario *sc = start_from(s, s->base, err, errlen);
        if (!sc)
            goto fail;
        v[n++] = sc;
        char name[512] = "";
        size_t used = 0;
        for (int a = 0; a < s->naxes; a++) {
            const struct sm_variant *var = &s->axes[a].v[pick[a]];
            if (apply(s, sc, var, err, errlen) != 0)
                goto fail;
            int w = snprintf(name + used, sizeof name - used, "%s%s", a ? "." : "", var->name);
            if (w > 0 && (size_t)w < sizeof name - used)
                used += (size_t)w;
        }
        if (finish(s, sc, name, overrides, noverrides, err, errlen) != 0)
            goto fail;
    }
    for (int i = 0; i < s->nlist; i++) {
        const struct sm_variant *var = &s->list[i];
        struct sm_scenario *sc = start_from(s, var->file ? var->file : s->base, err, errlen);
        if (!sc)
            goto fail;
        v[n++] = sc;
        if (apply(s, sc, var, err, errlen) != 0 ||
            finish(s, sc, var->name, overrides, noverrides, err, errlen) != 0)
            goto fail;
    }
    /* names must be unique: they are folder names */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(sm_scenario_get(v[i], K_NAME), sm_scenario_get(v[j], K_NAME))) {
                snprintf(err, errlen, "%s: two scenarios are named '%s'", s->path,
                         sm_scenario_get(v[i], K_NAME));
                goto fail;
            }
    *out = v;
    *nout = n;
    return 0;
fail:
    sm_scenarios_free(v, n);
    return -1;
}
