/* The one reader of smclat's CSV files (calls.csv, calls-trace.csv: docs/results-folder.md),
 * shared by trace-parse/calls_log.c and reports/results.c. A header line names the columns;
 * fields are separated by commas with no quoting (smclat never writes a comma inside a field).
 *
 * A library: no printing. Usage:
 *     struct sm_csv c;
 *     sm_csv_init(&c, file);
 *     while ((rc = sm_csv_next(&c)) == 1) { int n = sm_csv_split(&c); ... c.field[i] ... }
 *     sm_csv_free(&c);
 * Ownership: the fields point into the current line, valid until the next sm_csv_next(). */
#ifndef SMCLAT_COMMON_CSV_H
#define SMCLAT_COMMON_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sm_csv {
    FILE *in;
    uint32_t line; /* number of the current line, from 1 */
    char *text;    /* the current line, its line end removed (and a UTF-8 BOM on line 1) */
    char **field;  /* the current line's fields after sm_csv_split() */
    int nfields;
    size_t nul_column; /* after -1 with errno EILSEQ: the column of the NUL byte, from 1 */
    /* private */
    char *buf;
    size_t bufcap;
    int fieldcap;
};

void sm_csv_init(struct sm_csv *c, FILE *in);
void sm_csv_free(struct sm_csv *c);
/* Reads the next line that is not blank (spaces, tabs, line end only): 1, 0 at the end of the
 * file, -1 on a read error (errno) or a NUL byte in the line (errno EILSEQ, c->nul_column). */
int sm_csv_next(struct sm_csv *c);
/* Cuts the current line at its commas, in place: c->field[0..n-1]; returns n, -1 out of
 * memory. */
int sm_csv_split(struct sm_csv *c);
/* The position of the column called name (spaces and tabs around a header field ignored) among
 * n header fields, or -1. */
int sm_csv_column(char *const *header, int n, const char *name);
/* s without the spaces and tabs around it (cut in place). */
char *sm_csv_trim(char *s);

#endif
