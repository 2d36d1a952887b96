/* smclat: one command with subcommands (smclat analyze, smclat report, ...). */
#include "commands.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SMCLAT_LIBEXEC
#define SMCLAT_LIBEXEC "/usr/local/libexec/smclat"
#endif
#ifndef SMCLAT_VERSION
#define SMCLAT_VERSION "0.1"
#endif

struct sm_command {
    const char *name;
    sm_cmd_fn fn; /* NULL: an external program smclat-NAME */
    const char *summary;
};

/* One line per subcommand, in the order `smclat --help` lists them. */
static const struct sm_command commands[] = {
    {"analyze", cmd_analyze, "runstate totals, wake latencies and calls of a xentrace file"},
    {"dump", cmd_dump, "print the records of a xentrace file, merged by time and decoded"},
    {"suite", cmd_suite, "run a suite of scenarios through the lab (resumable)"},
    {"report", cmd_report, "plots, HTML tables, summary JSON/CSV of results folders"},
    {"compare", cmd_compare, "configurations side by side with significance tests"},
    {"regress", cmd_regress, "append a run to a history, plot trends, fail on a real regression"},
    {"gen", NULL, "the load generator (smclat-gen): frame flows of TEE calls, paced, logged"},
    {"mediator", NULL, "the stub-domain side (smclat-mediator) that serves the generator's calls"},
    {"record", NULL, "Dom0: apply a scheduler configuration, write metadata, record xentrace"},
    {"synth", NULL, "write a synthetic scheduler trace with known answers (tests, benchmarks)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: smclat COMMAND [OPTIONS] [ARGS]\n\n"
                 "Latency benchmark and trace analyzer for Xen on ARM.\n\ncommands:\n");
    for (const struct sm_command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n`smclat COMMAND --help` describes each command.\n");
}

/* Runs smclat-NAME from the folder of this executable, then from SMCLAT_LIBEXEC. */
static int run_external(const char *name, int argc, char **argv)
{
    char self[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    const char *dirs[2] = {NULL, SMCLAT_LIBEXEC};
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            dirs[0] = self;
        }
    }
    (void)argc;
    for (int i = 0; i < 2; i++) {
        if (!dirs[i])
            continue;
        snprintf(path, sizeof path, "%s/smclat-%s", dirs[i], name);
        if (access(path, X_OK) == 0) {
            execv(path, argv);
            fprintf(stderr, "smclat: cannot run %s: %s\n", path, strerror(errno));
            return 1;
        }
    }
    return -1;
}

/* Runs command argv[0] with its arguments. */
static int dispatch(int argc, char **argv)
{
    const char *name = argv[0];
    for (const struct sm_command *c = commands; c->name; c++) {
        if (strcmp(c->name, name) != 0)
            continue;
        if (c->fn)
            return c->fn(argc, argv);
        break;
    }
    if (name[0] && !strchr(name, '/')) { /* never a path out of the programs' folders */
        int rc = run_external(name, argc, argv);
        if (rc >= 0)
            return rc;
    }
    fprintf(stderr, "smclat: unknown command '%s' (see smclat --help)\n", name);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "help") && argc > 2) { /* smclat help CMD = smclat CMD --help */
        char help[] = "--help";
        char *sub[] = {argv[2], help, NULL};
        return dispatch(2, sub);
    }
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("smclat %s\n", SMCLAT_VERSION);
        return 0;
    }
    return dispatch(argc - 1, argv + 1);
}
