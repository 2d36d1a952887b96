/* Table-driven command-line options for smclat's subcommands (as perf's parse-options):
 * each subcommand declares its options once; parsing and --help come from that table. */
#ifndef SMCLAT_OPTIONS_H
#define SMCLAT_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

enum sm_opt_type {
    SM_OPT_END = 0,
    SM_OPT_FLAG,   /* int *value = 1 when given */
    SM_OPT_STRING, /* const char **value */
    SM_OPT_INT,    /* long *value, decimal or 0x hex */
    SM_OPT_DOUBLE, /* double *value; accepts k/M/G suffixes (62.5M) */
    SM_OPT_LIST,   /* repeatable: struct sm_strlist *value */
};

struct sm_strlist {
    const char **items;
    int n;
};

struct sm_opt {
    const char *long_name;
    char short_name; /* 0 for none */
    enum sm_opt_type type;
    void *value;
    const char *arg_name; /* shown in --help, NULL for flags */
    const char *help;
};

#define SM_OPT_TABLE_END                                                                           \
    {                                                                                              \
        NULL, 0, SM_OPT_END, NULL, NULL, NULL                                                      \
    }

/* Parses argv[1..] (argv[0] is the subcommand). Returns the index of the first operand
 * (argc when none), SM_OPTS_HELP after printing --help to stdout, or SM_OPTS_ERROR after
 * printing "smclat CMD: ..." to stderr. Operands and options may be mixed. */
#define SM_OPTS_HELP  (-1)
#define SM_OPTS_ERROR (-2)
int sm_parse_opts(const char *cmd, const char *usage, const char *description,
                  const struct sm_opt *opts, int argc, char **argv);
/* sm_parse_opts() for a command that takes between min and max operands (what: how the
 * error names them, "TRACE file"). Returns the first operand's index, or SM_OPTS_DONE (after
 * --help: exit 0) or SM_OPTS_BAD (an error was printed: exit 2). */
#define SM_OPTS_DONE (-1000)
#define SM_OPTS_BAD  (-1002)
int sm_parse_opts_operands(const char *cmd, const char *usage, const char *description,
                           const struct sm_opt *opts, int argc, char **argv, int min, int max,
                           const char *what);
/* The same for exactly one operand. */
int sm_parse_opts_one(const char *cmd, const char *usage, const char *description,
                      const struct sm_opt *opts, int argc, char **argv, const char *what);
void sm_print_help(FILE *out, const char *cmd, const char *usage, const char *description,
                   const struct sm_opt *opts);
void sm_strlist_free(struct sm_strlist *l);

/* Parses a number with an optional SI suffix (k, M, G): "62.5M" -> 62500000.
 * Returns 0 on success, -1 on garbage or trailing characters. */
int sm_parse_si(const char *s, double *out);

#endif
