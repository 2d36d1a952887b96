/* smclat report RESULTS...: plots, HTML index, summary JSON and CSV (docs/reports.md). */
#include "commands.h"
#include "options.h"
#include "report.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_report(int argc, char **argv)
{
    const char *out = "report", *title = NULL;
    int no_plots = 0, quiet = 0;
    const struct sm_opt opts[] = {
        {"out", 'o', SM_OPT_STRING, &out, "DIR", "write the report here (default: report)"},
        {"title", 0, SM_OPT_STRING, &title, "TEXT", "the HTML page's title"},
        {"no-plots", 0, SM_OPT_FLAG, &no_plots, NULL, "data, tables, JSON and CSV only"},
        {"quiet", 'q', SM_OPT_FLAG, &quiet, NULL, "no progress on stderr"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts_operands(
        "report", "[OPTIONS] RESULTS...",
        "Plots (PNG and SVG, headless gnuplot), an HTML index with the tables, summary.json and\n"
        "summary.csv for results folders. RESULTS: a results folder, or a folder of them (the\n"
        "output of smclat suite run).",
        opts, argc, argv, 1, INT_MAX, "RESULTS folders");
    if (first < 0)
        return first == SM_OPTS_DONE ? 0 : 2;
    char err[1024];
    char **dirs = sm_expand_results(argv + first, argc - first, err, sizeof err);
    if (!dirs) {
        fprintf(stderr, "smclat: %s\n", err);
        return 2;
    }
    int n = 0;
    while (dirs[n])
        n++;
    int rc;
    struct sm_run **runs = sm_runs_load(dirs, n, &rc, err, sizeof err);
    if (!runs)
        fprintf(stderr, "smclat: %s\n", err);
    if (rc == 0) {
        char cmd[512] = "smclat report";
        for (int i = 1; i < argc && strlen(cmd) < 400; i++)
            snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s", argv[i]);
        json_t *failed = json_array();
        for (int i = first; i < argc; i++)
            sm_report_collect_failed(argv[i], failed);
        for (size_t k = 0; k < json_array_size(failed); k++) {
            json_t *f = json_array_get(failed, k);
            const char *kind = json_string_value(json_object_get(f, "reason_kind"));
            fprintf(stderr, "warning: %s: no results (the suite run failed: %s%s%s)\n",
                    json_string_value(json_object_get(f, "name")), kind ? kind : "",
                    kind ? ": " : "", json_string_value(json_object_get(f, "reason")));
        }
        struct sm_report_opts o = {out, title, cmd, no_plots, quiet, failed};
        rc = sm_report_write(runs, n, &o, err, sizeof err);
        json_decref(failed);
        if (rc != 0)
            fprintf(stderr, "smclat: %s\n", err);
        else if (!quiet)
            fprintf(stderr, "report: %d configuration%s -> %s/index.html\n", n, n == 1 ? "" : "s",
                    out);
    }
    for (int i = 0; i < n; i++) {
        if (runs)
            sm_run_free(runs[i]);
        free(dirs[i]);
    }
    free(runs);
    free(dirs);
    return rc;
}
