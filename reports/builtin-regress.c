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
#include <unistd.h>

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

static const char *const trend_metrics[] = {
    "e2e_p50_ns",    "e2e_p99_ns", "e2e_max_ns", "mediator_wake_p99_ns",
    "switches_mean", "incomplete", NULL};

/* The change point series of (config, metric), or NULL. */
static const json_t *series_of(const json_t *series, const char *config, const char *metric)
{
    size_t i;
    const json_t *s;
    json_array_foreach(series, i, s)
    {
        if (!strcmp(json_string_value(json_object_get(s, "configuration")), config) &&
            !strcmp(json_string_value(json_object_get(s, "metric")), metric))
            return s;
    }
    return NULL;
}

/* DIR/trend-ID-METRIC.cp.dat: index 0 the change points (run commit), index 1 the segments
 * (first_run last_run median, in the plot's unit). 0 when there is no change point. */
static int write_cp_file(const char *path, const json_t *s, double scale)
{
    const json_t *cps = json_object_get(s, "change_points");
    if (!json_array_size(cps))
        return 0;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "# change points of %s %s: run commit\n",
            json_string_value(json_object_get(s, "configuration")),
            json_string_value(json_object_get(s, "metric")));
    size_t i;
    const json_t *c;
    json_array_foreach(cps, i, c)
    {
        char commit[64];
        sm_safe_name(json_string_value(json_object_get(c, "commit")), commit, sizeof commit);
        fprintf(f, "%lld %s\n", (long long)json_integer_value(json_object_get(c, "run")), commit);
    }
    fprintf(f, "\n\n# segments: first_run last_run median\n");
    json_array_foreach(json_object_get(s, "segments"), i, c)
    {
        const json_t *m = json_object_get(c, "median");
        if (json_is_number(m))
            fprintf(f, "%lld %lld %.6g\n",
                    (long long)json_integer_value(json_object_get(c, "first_run")),
                    (long long)json_integer_value(json_object_get(c, "last_run")),
                    json_number_value(m) / scale);
    }
    return fclose(f) == 0 ? 1 : -1;
}

/* The names of the configurations in the series list, in its order. */
static json_t *series_names(const json_t *series)
{
    json_t *names = json_array();
    size_t i;
    const json_t *s;
    json_array_foreach(series, i, s)
    {
        const json_t *n = json_object_get(s, "configuration");
        size_t k = json_array_size(names);
        if (!k || strcmp(json_string_value(json_array_get(names, k - 1)), json_string_value(n)))
            json_array_append(names, (json_t *)n);
    }
    return names;
}

/* The verdict of each series, an HTML table. */
static void trends_table(FILE *th, const json_t *series)
{
    fputs("<table>\n<tr><th>configuration</th><th>metric</th><th>runs</th><th>change "
          "points</th><th>newest change point</th><th>before</th><th>after</th><th>change</th>"
          "<th>verdict</th></tr>\n",
          th);
    size_t i;
    const json_t *s;
    json_array_foreach(series, i, s)
    {
        const char *metric = json_string_value(json_object_get(s, "metric"));
        const char *v = json_string_value(json_object_get(s, "verdict"));
        const json_t *cps = json_object_get(s, "change_points");
        char b[64], a[64], ch[32] = "";
        const json_t *last = json_array_get(cps, json_array_size(cps) - 1);
        double bv = json_number_value(json_object_get(s, "before")),
               av = json_number_value(json_object_get(s, "after"));
        if (json_is_number(json_object_get(s, "change")))
            snprintf(ch, sizeof ch, "%+.1f%%",
                     100 * json_number_value(json_object_get(s, "change")));
        fprintf(th, "<tr class=\"%s\"><td>", v);
        sm_html_escape(th, json_string_value(json_object_get(s, "configuration")));
        fprintf(th, "</td><td>%s</td><td>%lld</td><td>%zu</td><td>", metric,
                (long long)json_integer_value(json_object_get(s, "runs")), json_array_size(cps));
        sm_html_escape(th, last ? json_string_value(json_object_get(last, "commit")) : "");
        fprintf(
            th, "</td><td>%s</td><td>%s</td><td>%s</td><td>",
            json_is_number(json_object_get(s, "before")) ? sm_regress_fmt(metric, bv, b, sizeof b)
                                                         : "",
            json_is_number(json_object_get(s, "after")) ? sm_regress_fmt(metric, av, a, sizeof a)
                                                        : "",
            ch);
        sm_html_escape(th, v);
        if (json_object_get(s, "note")) {
            fputs(" <span class=\"note\">(", th);
            sm_html_escape(th, json_string_value(json_object_get(s, "note")));
            fputs(")</span>", th);
        }
        fputs("</td></tr>\n", th);
    }
    fputs("</table>\n", th);
}

/* The link to the report beside, and the warnings. */
static void trends_notes(FILE *nh, const char *dir, const json_t *decisions)
{
    /* -p REPORT/trends: beside smclat report's page */
    char report_page[4200];
    snprintf(report_page, sizeof report_page, "%s/../summary.json", dir);
    if (access(report_page, F_OK) == 0)
        fputs("<p>The newest runs' report: <a href=\"../index.html\">../index.html</a>.</p>\n", nh);
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(decisions, "warnings"), i, s)
    {
        fputs("<p class=\"note\">warning: ", nh);
        sm_html_escape(nh, json_string_value(s));
        fputs("</p>\n", nh);
    }
}

/* PATH: one configuration's metric over the runs. Returns its rows, -1 when it cannot write. */
static int write_trend_data(const char *path, const json_t *all, const char *name,
                            const char *metric, int ns)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "# run commit %s%s  (%s)\n", metric, ns ? " (us)" : "", name);
    int rows = 0;
    for (size_t e = 0; e < json_array_size(all); e++) {
        const json_t *en = json_array_get(all, e);
        const json_t *v = json_object_get(
            json_object_get(json_object_get(json_object_get(en, "configs"), name), "metrics"),
            metric);
        if (!json_is_number(v))
            continue;
        char commit[64];
        sm_safe_name(json_string_value(json_object_get(en, "commit")), commit, sizeof commit);
        fprintf(f, "%zu %s %.6g\n", e + 1, commit, json_number_value(v) / (ns ? 1e3 : 1));
        rows++;
    }
    fclose(f);
    return rows;
}

/* trend.gp's parameters: the data, the metric's name and unit, the change points. */
static void trend_params(char *params, size_t size, const char *path, const char *cppath,
                         const char *id, const char *metric, int ns, int have_cp, const json_t *ser)
{
    char mname[256];
    snprintf(mname, sizeof mname, "%s %.*s", id, (int)(strlen(metric) - (ns ? 3 : 0)), metric);
    int len = snprintf(params, size, "file='%s'; ", sm_gp_quote(path));
    len += snprintf(params + len, size - (size_t)len, "metric='%s'; ", sm_gp_quote(mname));
    len += snprintf(params + len, size - (size_t)len, "unit='%s'", ns ? "us" : "per call");
    if (!strcmp(metric, "incomplete"))
        len += snprintf(params + len, size - (size_t)len, "; unit='calls'");
    if (have_cp <= 0)
        return;
    len += snprintf(params + len, size - (size_t)len, "; cpfile='%s'", sm_gp_quote(cppath));
    /* the change points' commits as extra x tics: ("c16" 16, ...) */
    len += snprintf(params + len, size - (size_t)len, "; cptics='(");
    size_t ci;
    const json_t *cp;
    json_array_foreach(json_object_get(ser, "change_points"), ci, cp)
    {
        char commit[64];
        sm_safe_name(json_string_value(json_object_get(cp, "commit")), commit, sizeof commit);
        if (len < (int)size - 100)
            len += snprintf(params + len, size - (size_t)len, "%s\"%s\" %lld", ci ? ", " : "",
                            commit, (long long)json_integer_value(json_object_get(cp, "run")));
    }
    snprintf(params + len, size - (size_t)len, ")'");
}

/* One configuration's metric: its data, change points and plot (with its HTML figure). 0 or
 * -1. */
static int plot_trend(FILE *ph, const char *dir, const json_t *all, const json_t *series,
                      const char *name, const char *id, const char *metric, int have_gp)
{
    int ns = strstr(metric, "_ns") != NULL, rc = 0;
    char path[4200], cppath[4200], base[4096];
    snprintf(base, sizeof base, "%s/trend-%s-%s", dir, id, metric);
    snprintf(path, sizeof path, "%s.dat", base);
    snprintf(cppath, sizeof cppath, "%s.cp.dat", base);
    int rows = write_trend_data(path, all, name, metric, ns);
    if (rows < 0)
        return -1;
    const json_t *ser = series_of(series, name, metric);
    int have_cp = ser ? write_cp_file(cppath, ser, ns ? 1e3 : 1) : 0;
    if (have_cp < 0)
        rc = -1;
    else if (have_cp == 0)
        unlink(cppath); /* an older run's change points are not this run's */
    if (!rows || !have_gp)
        return rc;
    char params[12288], err[1024];
    trend_params(params, sizeof params, path, cppath, id, metric, ns, have_cp, ser);
    if (sm_gnuplot("trend.gp", params, base, err, sizeof err) != 0) {
        fprintf(stderr, "warning: %s\n", err);
        return -1;
    }
    fprintf(ph,
            "<figure><a href=\"trend-%s-%s.svg\"><img src=\"trend-%s-%s.png\" "
            "alt=\"%s\"></a><figcaption>",
            id, metric, id, metric, metric);
    sm_html_escape(ph, name);
    fprintf(ph, " %s%s</figcaption></figure>\n", metric,
            have_cp > 0 ? " (change points marked)" : "");
    return rc;
}

/* DIR/regress.json and DIR/index.html from the template. 0 or -1. */
static int write_trends_page(const char *dir, const json_t *decisions, const char *command,
                             const char *notes, const char *table, const char *plots)
{
    int rc = 0;
    char jpath[4200], tpath[4200], opath[4200];
    snprintf(jpath, sizeof jpath, "%s/regress.json", dir);
    if (json_dump_file(decisions, jpath, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) != 0) {
        fprintf(stderr, "smclat: %s: cannot write\n", jpath);
        rc = -1;
    }
    const char *dd = sm_data_dir();
    snprintf(tpath, sizeof tpath, "%s/template/trends.html", dd ? dd : ".");
    char *tmpl = sm_read_text(tpath);
    if (!tmpl) {
        fprintf(stderr, "smclat: %s: cannot read the HTML template\n", tpath);
        return -1;
    }
    char *cmd_html = NULL, *commit_html = NULL, when[64];
    size_t l1, l2;
    FILE *t1 = open_memstream(&cmd_html, &l1), *t2 = open_memstream(&commit_html, &l2);
    if (t1) {
        sm_html_escape(t1, command);
        fclose(t1);
    }
    if (t2) {
        sm_html_escape(t2, json_string_value(json_object_get(decisions, "commit")));
        fclose(t2);
    }
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    const char *kv[] = {"TITLE",     "smclat regress: trends and change points",
                        "COMMAND",   cmd_html ? cmd_html : "",
                        "GENERATED", when,
                        "COMMIT",    commit_html ? commit_html : "",
                        "NOTES",     notes ? notes : "",
                        "TABLE",     table ? table : "",
                        "PLOTS",     plots ? plots : "",
                        NULL};
    snprintf(opath, sizeof opath, "%s/index.html", dir);
    FILE *of = fopen(opath, "w");
    int ok = of && sm_fill_template(of, tmpl, kv) == 0;
    if (of && fclose(of) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "smclat: %s: cannot write\n", opath);
        rc = -1;
    }
    free(cmd_html);
    free(commit_html);
    free(tmpl);
    return rc;
}

/* One data file and plot per config and metric, over history + entry, change points marked;
 * DIR/index.html shows them all with the verdicts, DIR/regress.json the decisions. */
static int draw_trends(const json_t *all, const char *dir, const json_t *series,
                       const json_t *decisions, const char *command)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "smclat: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0, have_gp = sm_have_gnuplot();
    if (!have_gp)
        fprintf(stderr, "warning: gnuplot not found: trend data written, no plots\n");
    char *plots_html = NULL, *table_html = NULL, *notes_html = NULL;
    size_t lp, lt, ln;
    FILE *ph = open_memstream(&plots_html, &lp), *th = open_memstream(&table_html, &lt);
    FILE *nh = open_memstream(&notes_html, &ln);
    if (!ph || !th || !nh) {
        if (ph)
            fclose(ph);
        if (th)
            fclose(th);
        if (nh)
            fclose(nh);
        free(plots_html);
        free(table_html);
        free(notes_html);
        return -1;
    }
    trends_table(th, series);
    trends_notes(nh, dir, decisions);
    json_t *names = series_names(series);
    size_t i;
    const json_t *jn;
    json_array_foreach(names, i, jn)
    {
        const char *name = json_string_value(jn);
        char id[128];
        sm_safe_name(name, id, sizeof id);
        fputs("<h3>", ph);
        sm_html_escape(ph, name);
        fputs("</h3>\n", ph);
        for (int k = 0; trend_metrics[k]; k++)
            if (plot_trend(ph, dir, all, series, name, id, trend_metrics[k], have_gp) != 0)
                rc = -1;
    }
    json_decref(names);
    fclose(ph);
    fclose(th);
    fclose(nh);
    if (write_trends_page(dir, decisions, command, notes_html, table_html, plots_html) != 0)
        rc = -1;
    free(plots_html);
    free(table_html);
    free(notes_html);
    return rc;
}

/* The command line as given, for the HTML page. */
static void command_line(int argc, char **argv, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && k + 1 < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? " " : "smclat ", argv[i]);
}

/* Writes FILE with fn; 0, or -1 with a message. */
static int write_output(const char *path, const char *what, FILE **fp)
{
    *fp = fopen(path, "w");
    if (!*fp) {
        fprintf(stderr, "smclat: %s: cannot write the %s: %s\n", path, what, strerror(errno));
        return -1;
    }
    return 0;
}

/* Each series' change points into cps, and warnings for the configurations missing from this
 * run or new in it. Returns the figures worse since their newest change point. */
static int collect_change_points(json_t *series, json_t *hist, json_t *entry, json_t *cps,
                                 json_t *warnings)
{
    int cp_reg = 0;
    size_t i;
    json_t *r;
    json_array_foreach(series, i, r)
    {
        json_array_extend(cps, json_object_get(r, "change_points"));
        const char *v = json_string_value(json_object_get(r, "verdict"));
        cp_reg += !strcmp(v, "regression");
        if (!strcmp(v, "not in this run") &&
            !strcmp(json_string_value(json_object_get(r, "metric")), sm_cp_metrics[0])) {
            char w[512];
            snprintf(w, sizeof w,
                     "configuration %s: in the history but not in this run (no verdict)",
                     json_string_value(json_object_get(r, "configuration")));
            json_array_append_new(warnings, json_string(w));
        }
    }
    /* a configuration new in this run */
    const char *name;
    json_t *cfg;
    json_object_foreach(json_object_get(entry, "configs"), name, cfg)
    {
        int seen = 0;
        for (i = 0; i < json_array_size(hist) && !seen; i++)
            seen =
                json_object_get(json_object_get(json_array_get(hist, i), "configs"), name) != NULL;
        if (!seen && json_array_size(hist)) {
            char w[512];
            snprintf(w, sizeof w, "configuration %s: new in this run (no earlier run)", name);
            json_array_append_new(warnings, json_string(w));
        }
    }
    return cp_reg;
}

/* The gate's checks, a markdown table. */
static void print_checks(json_t *report)
{
    size_t i;
    json_t *r;
    printf("| config | metric | baseline | before us | now us | change | diff CI us | "
           "verdict |\n|---|---|---|---|---|---|---|---|\n");
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

/* The change points over the history, a markdown table. */
static void print_change_points(json_t *cps, size_t runs, const char *since)
{
    size_t i;
    json_t *r;
    printf("\nchange points over %zu runs%s%s:\n", runs, since ? " since " : "",
           since ? since : "");
    printf("| config | metric | commit | before | after | change | p | runs before/after "
           "|\n|---|---|---|---|---|---|---|---|\n");
    json_array_foreach(cps, i, r)
    {
        const char *metric = json_string_value(json_object_get(r, "metric"));
        char b[64], a[64], p[32] = "exact";
        if (json_is_number(json_object_get(r, "p_value")))
            snprintf(p, sizeof p, "%.2g", json_number_value(json_object_get(r, "p_value")));
        printf("| %s | %s | %s | %s | %s | %+.1f%% | %s | %lld/%lld |\n",
               json_string_value(json_object_get(r, "configuration")), metric,
               json_string_value(json_object_get(r, "commit")),
               sm_regress_fmt(metric, json_number_value(json_object_get(r, "before")), b, sizeof b),
               sm_regress_fmt(metric, json_number_value(json_object_get(r, "after")), a, sizeof a),
               100 * json_number_value(json_object_get(r, "change")), p,
               (long long)json_integer_value(json_object_get(r, "runs_before")),
               (long long)json_integer_value(json_object_get(r, "runs_after")));
    }
    if (json_array_size(cps) == 0)
        printf("| (none) | | | | | | | |\n");
}

/* --junit and --summary-md. 0, or 1 after printing the error. */
static int write_reports(const char *junit, const char *summary_md, const char *commit,
                         const char *date, json_t *report, json_t *series, json_t *warnings,
                         size_t runs, const struct sm_regress_opts *o)
{
    int rc = 0;
    if (junit) {
        FILE *f;
        if (write_output(junit, "JUnit report", &f) != 0 ||
            sm_regress_junit(f, commit, date, report, series) < 0 || fclose(f) != 0) {
            if (f)
                fprintf(stderr, "smclat: %s: cannot write\n", junit);
            rc = 1;
        }
    }
    if (summary_md) {
        FILE *f;
        if (write_output(summary_md, "summary", &f) != 0 ||
            sm_regress_summary_md(f, commit, report, series, warnings, runs, o) != 0 ||
            fclose(f) != 0) {
            if (f)
                fprintf(stderr, "smclat: %s: cannot write\n", summary_md);
            rc = 1;
        }
    }
    return rc;
}

struct regress_args {
    const char *history, *commit, *date, *plots, *since, *junit, *summary_md;
    double threshold_pct, alpha, cp_alpha, exact_tol_pct;
    long iters, permutations;
    int no_append, json;
};

/* Returns the first operand's index, or -(exit code + 1) (0 after --help). */
static int parse_options(int argc, char **argv, struct regress_args *a)
{
    *a = (struct regress_args){.threshold_pct = 10,
                               .alpha = 0.05,
                               .cp_alpha = 0.01,
                               .exact_tol_pct = -1,
                               .iters = 1000,
                               .permutations = 199};
    const struct sm_opt opts[] = {
        {"history", 'H', SM_OPT_STRING, &a->history, "FILE", "the history (JSON lines; created)"},
        {"threshold", 't', SM_OPT_DOUBLE, &a->threshold_pct, "PCT",
         "worsening that counts, in % (10)"},
        {"alpha", 0, SM_OPT_DOUBLE, &a->alpha, "P", "significance level over all tests (0.05)"},
        {"iters", 0, SM_OPT_INT, &a->iters, "N", "bootstrap resamples (1000)"},
        {"commit", 0, SM_OPT_STRING, &a->commit, "ID", "this run's commit ($SMCLAT_COMMIT, git)"},
        {"date", 0, SM_OPT_STRING, &a->date, "DATE", "this run's date (now, UTC)"},
        {"plots", 'p', SM_OPT_STRING, &a->plots, "DIR",
         "draw each metric's trend, change points marked, and index.html into DIR"},
        {"no-append", 'n', SM_OPT_FLAG, &a->no_append, NULL, "check only; leave the history as is"},
        {"json", 0, SM_OPT_FLAG, &a->json, NULL, "the decisions as JSON on stdout"},
        {"since", 0, SM_OPT_STRING, &a->since, "COMMIT",
         "change points after COMMIT's run only; the gate compares with its segment"},
        {"junit", 0, SM_OPT_STRING, &a->junit, "FILE",
         "JUnit XML: one test case per configuration and metric"},
        {"summary-md", 0, SM_OPT_STRING, &a->summary_md, "FILE", "a markdown job summary"},
        {"cp-alpha", 0, SM_OPT_DOUBLE, &a->cp_alpha, "P", "significance of a change point (0.01)"},
        {"permutations", 0, SM_OPT_INT, &a->permutations, "N", "permutation test resamples (199)"},
        {"exact-tolerance", 0, SM_OPT_DOUBLE, &a->exact_tol_pct, "PCT",
         "deterministic runs: change of the median that counts, in % (1)"},
        SM_OPT_TABLE_END,
    };
    int first = sm_parse_opts(
        "regress", "--history FILE [OPTIONS] RESULTS...",
        "Appends this run (commit, date, metrics, per-call samples) to the history and checks it\n"
        "against the newest earlier run that did not regress: e2e p50 and p99, mediator wake\n"
        "p99. Exit 1 when one is worse by more than --threshold and the bootstrap interval of\n"
        "the difference (and Mann-Whitney U for p50) says so at --alpha (Bonferroni).\n"
        "Over the whole history, finds each configuration's change points (E-divisive with a\n"
        "permutation test; deterministic lab runs: every change of the median beyond 1%) in\n"
        "e2e p50 and p99, mediator wake p99, switches per call and incomplete calls; exit 1 too\n"
        "when the newest change point (or, with --since, the change since that commit) is\n"
        "worse beyond --threshold.",
        opts, argc, argv);
    if (first == SM_OPTS_HELP)
        return -1;
    if (first < 0)
        return -3;
    if (!a->history || first >= argc) {
        fprintf(stderr, "smclat regress: expected --history FILE and RESULTS (see --help)\n");
        return -3;
    }
    if (!(a->alpha > 0 && a->alpha < 1) || a->threshold_pct < 0 || a->iters < 100 ||
        a->iters > 1000000 || !(a->cp_alpha > 0 && a->cp_alpha < 1) || a->permutations < 19 ||
        a->permutations > 100000 || a->exact_tol_pct > 1000) {
        fprintf(stderr, "smclat regress: expected 0 < --alpha < 1, --threshold >= 0, "
                        "100 <= --iters <= 1000000, 0 < --cp-alpha < 1, "
                        "19 <= --permutations <= 100000, --exact-tolerance <= 1000\n");
        return -3;
    }
    return first;
}

/* Two results folders of one configuration in one run: which is it? 0, or 2 after the error. */
static int one_folder_per_config(struct sm_run **runs, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < i; k++)
            if (!strcmp(runs[i]->name, runs[k]->name)) {
                fprintf(stderr,
                        "smclat: %s and %s: both are configuration %s: expected one results "
                        "folder per configuration in a run\n",
                        runs[k]->dir, runs[i]->dir, runs[i]->name);
                return 2;
            }
    return 0;
}

/* This run fits the history, and --since names a run in it. 0, or 2 after the error. */
static int check_history(json_t *hist, json_t *entry, json_t *warnings, const char *history,
                         const char *since, const char *commit)
{
    char err[1024];
    int rc = 0;
    if (sm_regress_validate(hist, entry, warnings, err, sizeof err) != 0) {
        fprintf(stderr, "smclat: %s: %s\n", history, err);
        rc = 2;
    }
    int since_found = !since || !strcmp(since, commit);
    for (size_t i = 0; since && i < json_array_size(hist); i++)
        since_found |=
            !strcmp(json_string_value(json_object_get(json_array_get(hist, i), "commit")), since);
    if (rc == 0 && !since_found) {
        fprintf(stderr, "smclat: --since %s: no run of that commit in %s\n", since, history);
        rc = 2;
    }
    return rc;
}

/* the comparison's options from the command's */
static void regress_opts(const struct regress_args *a, struct sm_regress_opts *o)
{
    sm_regress_default_opts(o);
    o->threshold = a->threshold_pct / 100;
    o->alpha = a->alpha;
    o->iters = (int)a->iters;
    o->cp_alpha = a->cp_alpha;
    o->permutations = (int)a->permutations;
    o->exact_tol = a->exact_tol_pct < 0 ? -1 : a->exact_tol_pct / 100;
}

/* The runs' entry checked against the history (thresholds, then change points), the decisions
 * printed and written, the entry appended. The exit code. */
static int regress_decide(const struct regress_args *a, json_t *hist, struct sm_run **runs, int n,
                          const char *commit, const char *date, const char *cmdline)
{
    const char *history = a->history, *plots = a->plots;
    const char *since = a->since, *junit = a->junit, *summary_md = a->summary_md;
    double threshold_pct = a->threshold_pct, alpha = a->alpha;
    int no_append = a->no_append, json = a->json;
    int rc;
    struct sm_regress_opts o;
    regress_opts(a, &o);
    json_t *entry = sm_regress_entry(runs, n, commit, date, &o), *report = NULL;
    json_t *warnings = json_array();
    rc = check_history(hist, entry, warnings, history, since, commit);
    if (rc != 0) {
        json_decref(entry);
        json_decref(warnings);
        return rc;
    }
    int nreg = sm_regress_check(hist, entry, &o, &report);
    json_t *all = json_copy(hist);
    json_array_append(all, entry);
    json_t *series = sm_regress_changes(all, &o, since);
    json_t *cps = json_array();
    int cp_reg = collect_change_points(series, hist, entry, cps, warnings);
    size_t i;
    json_t *r;
    json_array_foreach(warnings, i, r) fprintf(stderr, "warning: %s\n", json_string_value(r));
    json_t *decisions =
        json_pack("{s:i,s:s,s:i,s:O,s:i,s:O,s:O,s:O,s:I}", "smclat_regress", 1, "commit", commit,
                  "regressions", nreg, "checks", report, "change_point_regressions", cp_reg,
                  "change_points", cps, "series", series, "warnings", warnings, "history_runs",
                  (json_int_t)json_array_size(all));
    if (since)
        json_object_set_new(decisions, "since", json_string(since));
    if (json) {
        json_dumpf(decisions, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
        putchar('\n');
    } else {
        print_checks(report);
        print_change_points(cps, json_array_size(all), since);
    }
    if (write_reports(junit, summary_md, commit, date, report, series, warnings,
                      json_array_size(all), &o) != 0)
        rc = 1;
    if (!no_append && sm_regress_append(history, entry) != 0) {
        fprintf(stderr, "smclat: %s: cannot append: %s\n", history, strerror(errno));
        rc = 1;
    }
    if (plots) {
        if (draw_trends(all, plots, series, decisions, cmdline) != 0)
            rc = rc ? rc : 1;
        else
            fprintf(stderr, "regress: trends in %s/ (index.html)\n", plots);
    }
    fprintf(stderr, "regress: %s: %d regression%s (threshold %g%%, alpha %g)\n", commit, nreg,
            nreg == 1 ? "" : "s", threshold_pct, alpha);
    fprintf(stderr,
            "regress: %zu change point%s over %zu runs; %d figure%s worse since the newest "
            "change point%s%s\n",
            json_array_size(cps), json_array_size(cps) == 1 ? "" : "s", json_array_size(all),
            cp_reg, cp_reg == 1 ? "" : "s", since ? " after " : "", since ? since : "");
    if (nreg > 0 || cp_reg > 0)
        rc = rc ? rc : 1;
    json_decref(decisions);
    json_decref(cps);
    json_decref(series);
    json_decref(all);
    json_decref(report);
    json_decref(entry);
    json_decref(warnings);
    return rc;
}

int cmd_regress(int argc, char **argv)
{
    struct regress_args a;
    int first = parse_options(argc, argv, &a);
    if (first < 0)
        return -first - 1;
    const char *history = a.history, *commit = a.commit, *date = a.date;
    char err[1024], commit_buf[128], date_buf[64], cmdline[2048];
    command_line(argc, argv, cmdline, sizeof cmdline);
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
    /* two results folders of one configuration in one run: which is it? */
    if (rc == 0)
        rc = one_folder_per_config(runs, n);
    if (rc == 0)
        rc = regress_decide(&a, hist, runs, n, commit, date, cmdline);
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
