/* smclat's subcommands. Each lives in its own builtin-*.c (or an external smclat-NAME
 * program, found beside the smclat binary or in $(PREFIX)/libexec/smclat). */
#ifndef SMCLAT_COMMANDS_H
#define SMCLAT_COMMANDS_H

/* argv[0] is the subcommand's name. Exit codes: 0 success, 1 the run failed,
 * 2 bad usage or bad input. */
typedef int (*sm_cmd_fn)(int argc, char **argv);

int cmd_dump(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_suite(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_regress(int argc, char **argv);

#endif
