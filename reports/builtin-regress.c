/* smclat regress --history FILE RESULTS...: append this run to a history, draw each metric's
 * trend, exit 1 when the newest run is worse beyond the threshold and significantly so. */
#include "commands.h"
#include "options.h"
#include "plot.h"
#include "regress.h"
#include "report.h"
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The commit: $SMCLAT_COMMIT, else git's short HEAD, else "unknown". */
static void current_commit(char *buf, size_t len)
{
    const char *env = getenv("SMCLAT_COMMIT");
    snprintf(buf, len, "unknown");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return;
    }
    FILE *p = popen("git rev-parse --short HEAD 2>/dev/null", "r");
    if (!p)
        return;
    char line[128];
    if (fgets(line, sizeof line, p) && line[0] && line[0] != '\n') {
        line[strcspn(line, "\n")] = '\0';
        snprintf(buf, len, "%s", line);
    }
    pclose(p);
}

static const char *const trend_metrics[] = {"e2e_p50_ns",           "e2e_p99_ns",    "e2e_max_ns",
                                            "mediator_wake_p99_ns", "switches_mean", NULL};

/* One data file and plot per config and metric, over history + entry. */
static int draw_trends(const json_t *all, const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "smclat: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0, have_gp = sm_have_gnuplot();
    if (!have_gp)
        fprintf(stderr, "warning: gnuplot not found: trend data written, no plots\n");
    const json_t *last = json_array_get(all, json_array_size(all) - 1);
    const char *name;
    json_t *cfg;
    json_object_foreach(json_object_get(last, "configs"), name, cfg)
    {
        (void)cfg;
        char id[128];
        sm_safe_name(name, id, sizeof id);
        for (int k = 0; trend_metrics[k]; k++) {
            const char *metric = trend_metrics[k];
            int ns = strstr(metric, "_ns") != NULL;
            char path[4200], base[4096];
            snprintf(base, sizeof base, "%s/trend-%s-%s", dir, id, metric);
            snprintf(path, sizeof path, "%s.dat", base);
            FILE *f = fopen(path, "w");
            if (!f) {
                rc = -1;
                continue;
            }
            fprintf(f, "# run commit %s%s  (%s)\n", metric, ns ? " (us)" : "", name);
            int rows = 0;
            for (size_t i = 0; i < json_array_size(all); i++) {
                const json_t *e = json_array_get(all, i);
                const json_t *v = json_object_get(
                    json_object_get(json_object_get(json_object_get(e, "configs"), name),
                                    "metrics"),
                    metric);
                if (!json_is_number(v))
                    continue;
                char commit[64];
                sm_safe_name(json_string_value(json_object_get(e, "commit")), commit,
                             sizeof commit);
                fprintf(f, "%zu %s %.6g\n", i + 1, commit, json_number_value(v) / (ns ? 1e3 : 1));
                rows++;
            }
            fclose(f);
            if (!rows || !have_gp)
                continue;
            char params[8192], err[1024], mname[256];
            snprintf(mname, sizeof mname, "%s %.*s", id, (int)(strlen(metric) - (ns ? 3 : 0)),
                     metric);
            snprintf(params, sizeof params, "file='%s'; metric='%s'; unit='%s'", sm_gp_quote(path),
                     sm_gp_quote(mname), ns ? "us" : "per call");
            if (sm_gnuplot("trend.gp", params, base, err, sizeof err) != 0) {
                fprintf(stderr, "warning: %s\n", err);
                rc = -1;
            }
        }
    }
    return rc;
}

int cmd_regress(int argc, char **argv)
{
    const char *history = NULL, *commit = NULL, *date = NULL, *plots = NULL;
    double threshold_pct = 10, alpha = 0.05;
    long iters = 1000;
    int no_append = 0, json = 0;
    const struct sm_opt opts[] = {
        {"history", 'H', SM_OPT_STRING, &history, "FILE", "the history (JSON lines; created)"},
        {"threshold", 't', SM_OPT_DOUBLE, &threshold_pct, "PCT",
         "worsening that counts, in % (10)"},
        {"alpha", 0, SM_OPT_DOUBLE, &alpha, "P", "significance level over all tests (0.05)"},
        {"iters", 0, SM_OPT_INT, &iters, "N", "bootstrap resamples (1000)"},
        {"commit", 0, SM_OPT_STRING, &commit, "ID", "this run's commit ($SMCLAT_COMMIT, git)"},
        {"date", 0, SM_OPT_STRING, &date, "DATE", "this run's date (now, UTC)"},
        {"plots", 'p', SM_OPT_STRING, &plots, "DIR", "draw each metric's trend into DIR"},
        {"no-append", 'n', SM_OPT_FLAG, &no_append, NULL, "check only; leave the history as is"},
        {"json", 0, SM_OPT_FLAG, &json, NULL, "the decisions as JSON on stdout"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts(
        "regress", "--history FILE [OPTIONS] RESULTS...",
        "Appends this run (commit, date, metrics, per-call samples) to the history and checks it\n"
        "against the newest earlier run that did not regress: e2e p50 and p99, mediator wake\n"
        "p99. Exit 1 when one is worse by more than --threshold and the bootstrap interval of\n"
        "the difference (and Mann-Whitney U for p50) says so at --alpha (Bonferroni).",
        opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return 0;
    if (first < 0)
        return 2;
    if (!history || first >= argc) {
        fprintf(stderr, "smclat regress: expected --history FILE and RESULTS (see --help)\n");
        return 2;
    }
    if (!(alpha > 0 && alpha < 1) || threshold_pct < 0 || iters < 100 || iters > 1000000) {
        fprintf(stderr, "smclat regress: expected 0 < --alpha < 1, --threshold >= 0, "
                        "100 <= --iters <= 1000000\n");
        return 2;
    }
    char err[1024], commit_buf[128], date_buf[64];
    if (!commit) {
        current_commit(commit_buf, sizeof commit_buf);
        commit = commit_buf;
    }
    if (!date) {
        time_t now = time(NULL);
        strftime(date_buf, sizeof date_buf, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        date = date_buf;
    }
    json_t *hist = sm_regress_load(history, err, sizeof err);
    if (!hist) {
        fprintf(stderr, "smclat: %s\n", err);
        return 2;
    }
    char **dirs = sm_expand_results(argv + first, argc - first, err, sizeof err);
    if (!dirs) {
        fprintf(stderr, "smclat: %s\n", err);
        json_decref(hist);
        return 2;
    }
    int n = 0, rc;
    while (dirs[n])
        n++;
    struct sm_run **runs = sm_runs_load(dirs, n, &rc, err, sizeof err);
    if (!runs)
        fprintf(stderr, "smclat: %s\n", err);
    if (rc == 0) {
        struct sm_regress_opts o;
        sm_regress_default_opts(&o);
        o.threshold = threshold_pct / 100;
        o.alpha = alpha;
        o.iters = (int)iters;
        json_t *entry = sm_regress_entry(runs, n, commit, date, &o), *report;
        int nreg = sm_regress_check(hist, entry, &o, &report);
        if (json) {
            json_t *j = json_pack("{s:i,s:s,s:i,s:O}", "smclat_regress", 1, "commit", commit,
                                  "regressions", nreg, "checks", report);
            json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
            putchar('\n');
            json_decref(j);
        } else {
            printf("| config | metric | baseline | before us | now us | change | diff CI us | "
                   "verdict |\n|---|---|---|---|---|---|---|---|\n");
            size_t i;
            json_t *r;
            json_array_foreach(report, i, r)
            {
                printf("| %s | %s | %s | %.1f | %.1f | %+.1f%% | %+.1f..%+.1f | %s |\n",
                       json_string_value(json_object_get(r, "config")),
                       json_string_value(json_object_get(r, "metric")),
                       json_string_value(json_object_get(r, "baseline_commit")),
                       json_number_value(json_object_get(r, "before")) / 1e3,
                       json_number_value(json_object_get(r, "after")) / 1e3,
                       100 * json_number_value(json_object_get(r, "change")),
                       json_number_value(json_object_get(r, "diff_lo")) / 1e3,
                       json_number_value(json_object_get(r, "diff_hi")) / 1e3,
                       json_string_value(json_object_get(r, "verdict")));
            }
            if (json_array_size(report) == 0)
                printf("| (no earlier run to compare with) | | | | | | | |\n");
        }
        if (!no_append && sm_regress_append(history, entry) != 0) {
            fprintf(stderr, "smclat: %s: cannot append: %s\n", history, strerror(errno));
            rc = 1;
        }
        if (plots) {
            json_array_append(hist, entry);
            if (draw_trends(hist, plots) != 0)
                rc = rc ? rc : 1;
            else
                fprintf(stderr, "regress: trends in %s/\n", plots);
        }
        fprintf(stderr, "regress: %s: %d regression%s (threshold %g%%, alpha %g)\n", commit, nreg,
                nreg == 1 ? "" : "s", threshold_pct, alpha);
        if (nreg > 0)
            rc = 1;
        json_decref(report);
        json_decref(entry);
    }
    for (int i = 0; i < n; i++) {
        if (runs)
            sm_run_free(runs[i]);
        free(dirs[i]);
    }
    free(runs);
    free(dirs);
    json_decref(hist);
    return rc;
}
