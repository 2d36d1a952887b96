/* Helpers for the reports tests: temporary folders and files with known content. */
#ifndef REPORT_TESTUTIL_H
#define REPORT_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A fresh temporary folder (removed by rm_tree). */
static inline char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/smclat-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

/* Writes text to DIR/NAME; returns the path (caller frees). */
static inline char *tu_write(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (!p)
        return NULL;
    snprintf(p, len, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) {
        free(p);
        return NULL;
    }
    fputs(text, f);
    fclose(f);
    return p;
}

static inline void tu_rm_tree(const char *dir)
{
    char cmd[600];
    if (dir && !strncmp(dir, "/tmp/smclat-test-", 17)) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

/* Reads a whole file (caller frees), NULL when missing. */
static inline char *tu_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > cap) {
            cap = cap ? cap * 2 : 4096;
            char *n = realloc(buf, cap);
            if (!n)
                break;
            buf = n;
        }
        buf[len++] = (char)c;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

#endif
