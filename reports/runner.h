/* Runs a suite's scenarios through the lab and the analyzer, those sharing what needs a boot in
 * one boot, resuming after an interruption (docs/workloads.md, docs/lab.md). */
#ifndef SMCLAT_RUNNER_H
#define SMCLAT_RUNNER_H

#include "scenario.h"

#define SM_RUNNER_MAX_JOBS 64

struct sm_runner_opts {
    const char *out;      /* the suite's results folder: one folder per scenario in it */
    const char *lab;      /* command running one scenario: LAB PARAMS_FILE OUTDIR */
    const char *analyzer; /* command: ANALYZER DIR --json --calls-csv DIR/calls-trace.csv */
    const char *suite_name;
    int force;             /* rerun complete scenarios too */
    int dry_run;           /* write scenario.ini and lab-params.env only */
    int margin_s;          /* added to target.timeout_s before the runner kills the lab */
    int boot_per_scenario; /* a boot per scenario; else scenarios with the same boot key
                            * (LAB --boot-key) share one (LAB --group DIR...) */
    int jobs;              /* at most this many boots at once (1..SM_RUNNER_MAX_JOBS); only
                            * deterministic-mode lab boots share the host, others run alone */
    int jobs_only;         /* the lab writes each boot's job and runs nothing (--lava-jobs):
                            * no analysis, the scenario's status "job written" */
    const char *submit;    /* farm mode (--lava): run per boot before any LAB run, as
                            * SUBMIT {PARAMS DIR | --group DIR...}; a folder holding a job id
                            * (lava-job.id) is kept on resume (its job is waited for) */
};

/* Runs every scenario; returns the number that failed (-1 when the output folder cannot be
 * made). Progress and failures go to stderr; OUT/suite.json records each scenario's status. */
int sm_runner_run(struct sm_scenario **v, int n, const struct sm_runner_opts *o);

/* Is DIR a complete run of scenario s (analysis.json readable, same scenario.ini)? */
int sm_runner_complete(const char *dir, const struct sm_scenario *s);

#endif
