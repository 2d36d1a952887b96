/* smclat suite run|list|show: scenario suites (docs/workloads.md). */
#include "commands.h"
#include "options.h"
#include "runner.h"
#include "suite.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A suite file, or one scenario file (.ini) as a suite of one. */
static int load_scenarios(const char *path, struct sm_strlist *set, const char *only,
                          struct sm_scenario ***v, int *n, char **suite_name)
{
    char err[SM_ERR_MAX];
    size_t l = strlen(path);
    if (l > 4 && !strcmp(path + l - 4, ".ini")) {
        struct sm_scenario *s = sm_scenario_load(path, err, sizeof err);
        if (!s) {
            fprintf(stderr, "smclat: %s\n", err);
            return 2;
        }
        *v = calloc(1, sizeof **v);
        if (!*v) {
            sm_scenario_free(s);
            return 1;
        }
        (*v)[0] = s;
        *n = 1;
        if (sm_scenario_apply_sets(s, set->items, set->n, err, sizeof err) != 0) {
            fprintf(stderr, "smclat: %s\n", err);
            return 2;
        }
        if (sm_scenario_check(s, err, sizeof err) != 0) {
            fprintf(stderr, "smclat: %s\n", err);
            return 2;
        }
        *suite_name = strdup(sm_scenario_get(s, K_NAME));
    } else {
        struct sm_suite *su = sm_suite_load(path, err, sizeof err);
        if (!su || sm_suite_expand(su, set->items, set->n, v, n, err, sizeof err) != 0) {
            fprintf(stderr, "smclat: %s\n", err);
            sm_suite_free(su);
            return 2;
        }
        *suite_name = strdup(su->name);
        sm_suite_free(su);
    }
    if (only) { /* keep the scenarios whose name matches */
        int k = 0;
        for (int i = 0; i < *n; i++) {
            if (fnmatch(only, sm_scenario_get((*v)[i], K_NAME), 0) == 0)
                (*v)[k++] = (*v)[i];
            else
                sm_scenario_free((*v)[i]);
        }
        *n = k;
        if (k == 0) {
            fprintf(stderr, "smclat: %s: no scenario matches --only '%s'\n", path, only);
            return 2;
        }
    }
    return 0;
}

static char *default_analyzer(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return strdup("smclat analyze");
    self[n] = '\0';
    char *cmd = malloc((size_t)n + 16);
    if (cmd)
        snprintf(cmd, (size_t)n + 16, "%s analyze", self);
    return cmd;
}

/* smclat suite list: one line per scenario with its key settings. */
static void list_scenarios(struct sm_scenario **v, int n)
{
    for (int i = 0; i < n; i++) {
        const struct sm_scenario *s = v[i];
        printf("%s\t%s %s fps, %s, %s pCPU%s, sched %s%s%s\n", sm_scenario_get(s, K_NAME),
               sm_scenario_get(s, K_FLOW), sm_scenario_get(s, K_FPS), sm_scenario_get(s, K_MODE),
               sm_scenario_get(s, K_PCPUS), sm_scenario_long(s, K_PCPUS) == 1 ? "" : "s",
               sm_scenario_get(s, K_SCHEDULER), sm_scenario_get(s, K_POOLS) ? ", pools " : "",
               sm_scenario_get(s, K_POOLS) ? sm_scenario_get(s, K_POOLS) : "");
    }
}

/* smclat suite show: each scenario's scenario.ini and lab parameters. */
static void show_scenarios(struct sm_scenario **v, int n)
{
    for (int i = 0; i < n; i++) {
        printf("%s# ---- %s: scenario.ini\n", i ? "\n" : "", sm_scenario_get(v[i], K_NAME));
        sm_scenario_write_ini(v[i], stdout);
        printf("# ---- %s: lab-params.env\n", sm_scenario_get(v[i], K_NAME));
        sm_scenario_write_lab_params(v[i], stdout, stderr);
    }
}

/* The lab command of a LAVA run (scripts/lava/lab.sh, or $SMCLAT_LAVA_LAB) into lab, and for
 * a farm the submit command into sub (both size bytes). */
static void lava_commands(const char *jobs, const char *local, const char *farm, const char *url,
                          const char *out, char *lab, char *sub, size_t size)
{
    const char *ll = getenv("SMCLAT_LAVA_LAB") && *getenv("SMCLAT_LAVA_LAB")
                         ? getenv("SMCLAT_LAVA_LAB")
                         : "scripts/lava/lab.sh";
    if (jobs) {
        snprintf(lab, size, "%s jobs %s %s", ll, jobs, url ? url : "-");
    } else if (local) {
        snprintf(lab, size, "%s local %s", ll, local);
    } else {
        snprintf(lab, size, "%s wait %s", ll, farm);
        snprintf(sub, size, "%s submit %s %s %s/lava-jobs", ll, farm, url, out);
    }
}

/* --jobs: 0 becomes the host's cores; out of 1..SM_RUNNER_MAX_JOBS is an error (-1) */
static int resolve_jobs(long *jobs)
{
    if (*jobs < 0 || *jobs > SM_RUNNER_MAX_JOBS) {
        fprintf(stderr, "smclat suite: --jobs %ld: expected 1 to %d (0: the host's cores)\n", *jobs,
                SM_RUNNER_MAX_JOBS);
        return -1;
    }
    if (*jobs == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        *jobs = cores < 1 ? 1 : cores > SM_RUNNER_MAX_JOBS ? SM_RUNNER_MAX_JOBS : cores;
    }
    return 0;
}

/* The LAVA options: one of them, --lava with --lava-url; -1 (said on stderr) otherwise */
static int check_lava(const char *jobs, const char *local, const char *farm, const char *url)
{
    if (!!jobs + !!local + !!farm <= 1 && (!farm || url))
        return 0;
    fprintf(stderr, "smclat suite: %s\n",
            farm && !url ? "--lava needs --lava-url (where the farm fetches the payloads)"
                         : "--lava-jobs, --lava-local and --lava: one of them");
    return -1;
}

int cmd_suite(int argc, char **argv)
{
    static const char usage[] = "run|list|show SUITE [OPTIONS]";
    static const char desc[] =
        "Runs a suite (workloads/NAME.suite: a list and/or a matrix of scenarios) or one\n"
        "scenario (NAME.ini) through the lab, one results folder per scenario, then the\n"
        "analyzer (analysis.json, calls-trace.csv). Resumes: a scenario whose folder is complete\n"
        "(analysis.json, same scenario.ini) is skipped. Goes on when one fails; exit 1 then.\n"
        "  run   run the scenarios          list  their names and key settings\n"
        "  show  each scenario's scenario.ini and lab parameters\n"
        "The lab command: --lab, else $SMCLAT_LAB, else scripts/lab/run.sh; it is called as\n"
        "LAB PARAMS_FILE OUTDIR (docs/lab.md); scenarios for which `LAB --boot-key PARAMS_FILE`\n"
        "prints the same line run in one boot: LAB --group DIR... (--boot-per-scenario: never).\n"
        "The analyzer: --analyzer, else $SMCLAT_ANALYZER,\n"
        "else this smclat's analyze.";
    const char *out = NULL, *lab = NULL, *analyzer = NULL, *only = NULL;
    const char *lava_jobs = NULL, *lava_local = NULL, *lava_url = NULL, *lava_farm = NULL;
    int force = 0, dry_run = 0, boot_per_scenario = 0;
    long margin = 60, jobs = 0;
    struct sm_strlist set = {0};
    const struct sm_opt opts[] = {
        {"out", 'o', SM_OPT_STRING, &out, "DIR", "results folder (default results/SUITE)"},
        {"set", 's', SM_OPT_LIST, &set, "KEY=VALUE",
         "override a scenario key in every scenario (topology.mode=deterministic)"},
        {"only", 0, SM_OPT_STRING, &only, "GLOB", "only the scenarios whose name matches"},
        {"lab", 0, SM_OPT_STRING, &lab, "CMD", "command that runs one scenario"},
        {"analyzer", 0, SM_OPT_STRING, &analyzer, "CMD", "command that analyzes a results folder"},
        {"force", 'f', SM_OPT_FLAG, &force, NULL, "rerun complete scenarios too"},
        {"dry-run", 'n', SM_OPT_FLAG, &dry_run, NULL, "write scenario.ini and lab-params.env only"},
        {"boot-per-scenario", 0, SM_OPT_FLAG, &boot_per_scenario, NULL,
         "boot the lab for every scenario (else once per group sharing a boot key)"},
        {"jobs", 'j', SM_OPT_INT, &jobs, "N",
         "boots at once: deterministic-mode lab boots side by side (default: the host's cores); "
         "any other boot runs alone"},
        {"margin", 0, SM_OPT_INT, &margin, "S",
         "seconds beyond target.timeout_s before the lab is killed (60)"},
        {"lava-jobs", 0, SM_OPT_STRING, &lava_jobs, "DIR",
         "write a LAVA job per boot and its payloads in DIR, run nothing (docs/lava.md)"},
        {"lava-url", 0, SM_OPT_STRING, &lava_url, "PREFIX",
         "--lava-jobs: where the farm fetches the payloads (default file://DIR/payloads)"},
        {"lava-local", 0, SM_OPT_STRING, &lava_local, "DEVICE",
         "run each boot as a LAVA job here: lava-run on DEVICE (a LAVA device file)"},
        {"lava", 0, SM_OPT_STRING, &lava_farm, "IDENTITY",
         "run on a LAVA farm (lavacli identity): every job submitted up front, then waited for; "
         "needs --lava-url"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts("suite", usage, desc, opts, argc, argv);
    if (first == SM_OPTS_HELP) {
        sm_strlist_free(&set);
        return 0;
    }
    if (first < 0 || argc - first != 2 ||
        (strcmp(argv[first], "run") && strcmp(argv[first], "list") &&
         strcmp(argv[first], "show"))) {
        if (first >= 0)
            fprintf(stderr, "smclat suite: expected run, list or show and a SUITE (see --help)\n");
        sm_strlist_free(&set);
        return 2;
    }
    const char *verb = argv[first], *path = argv[first + 1];
    struct sm_scenario **v = NULL;
    int n = 0;
    char *suite_name = NULL;
    int rc = load_scenarios(path, &set, only, &v, &n, &suite_name);
    if (rc == 0 && !strcmp(verb, "list")) {
        list_scenarios(v, n);
    } else if (rc == 0 && !strcmp(verb, "show")) {
        show_scenarios(v, n);
    } else if (rc == 0) {
        char outbuf[4096];
        if (check_lava(lava_jobs, lava_local, lava_farm, lava_url) != 0) {
            rc = 2;
            goto done;
        }
        if (resolve_jobs(&jobs) != 0) {
            rc = 2;
            goto done;
        }
        if (!out) {
            snprintf(outbuf, sizeof outbuf, "results/%s", suite_name ? suite_name : "suite");
            out = outbuf;
        }
        char *an = analyzer ? strdup(analyzer)
                   : getenv("SMCLAT_ANALYZER") && *getenv("SMCLAT_ANALYZER")
                       ? strdup(getenv("SMCLAT_ANALYZER"))
                       : default_analyzer();
        char labbuf[8400], subbuf[8400];
        const char *submit = NULL;
        if (lava_jobs || lava_local || lava_farm) {
            lava_commands(lava_jobs, lava_local, lava_farm, lava_url, out, labbuf, subbuf,
                          sizeof labbuf);
            submit = lava_farm ? subbuf : NULL;
            lab = labbuf;
            if (lava_jobs && out == outbuf) {
                snprintf(outbuf, sizeof outbuf, "%s/scenarios", lava_jobs);
                force = 1;
            }
        }
        if (!lab)
            lab = getenv("SMCLAT_LAB") && *getenv("SMCLAT_LAB") ? getenv("SMCLAT_LAB")
                                                                : "scripts/lab/run.sh";
        struct sm_runner_opts ro = {out,         lab,
                                    an,          suite_name,
                                    force,       dry_run,
                                    (int)margin, boot_per_scenario,
                                    (int)jobs,   lava_jobs != NULL,
                                    submit};
        int failed = sm_runner_run(v, n, &ro);
        rc = failed < 0 ? 1 : failed > 0 ? 1 : 0;
        free(an);
    }
done:
    sm_scenarios_free(v, n);
    free(suite_name);
    sm_strlist_free(&set);
    return rc;
}
