#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

void sm_csv_init(struct sm_csv *c, FILE *in)
{
    memset(c, 0, sizeof *c);
    c->in = in;
}

void sm_csv_free(struct sm_csv *c)
{
    free(c->buf);
    free(c->field);
    c->buf = NULL;
    c->field = NULL;
}

char *sm_csv_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static int blank(const char *s)
{
    return s[strspn(s, " \t")] == '\0';
}

int sm_csv_next(struct sm_csv *c)
{
    ssize_t len;
    errno = 0;
    while ((len = getline(&c->buf, &c->bufcap, c->in)) >= 0) {
        c->line++;
        while (len && (c->buf[len - 1] == '\n' || c->buf[len - 1] == '\r'))
            c->buf[--len] = '\0';
        if ((size_t)len != strlen(c->buf)) {
            c->nul_column = strlen(c->buf) + 1;
            errno = EILSEQ;
            return -1;
        }
        c->text = c->buf;
        if (c->line == 1 && strncmp(c->text, "\xef\xbb\xbf", 3) == 0)
            c->text += 3; /* a UTF-8 byte order mark, as some editors write */
        if (!blank(c->text))
            return 1;
    }
    if (ferror(c->in))
        return -1;
    return 0;
}

int sm_csv_split(struct sm_csv *c)
{
    int n = 0;
    for (char *s = c->text;;) {
        if (n == c->fieldcap) {
            int cap = c->fieldcap ? 2 * c->fieldcap : 32;
            char **f = realloc(c->field, sizeof *f * (size_t)cap);
            if (!f)
                return -1;
            c->field = f;
            c->fieldcap = cap;
        }
        c->field[n++] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            break;
        *comma = '\0';
        s = comma + 1;
    }
    c->nfields = n;
    return n;
}

int sm_csv_column(char *const *header, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        const char *h = header[i];
        h += strspn(h, " \t");
        size_t len = strlen(name);
        if (strncmp(h, name, len) == 0 && blank(h + len))
            return i;
    }
    return -1;
}
