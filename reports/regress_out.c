/* smclat regress's CI outputs: JUnit XML and a markdown job summary (docs/reports.md). */
#include "plot.h"
#include "regress.h"

#include <math.h>
#include <string.h>

const char *sm_regress_fmt(const char *metric, double v, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (strstr(metric, "_ns"))
        snprintf(buf, len, "%.1f us", v / 1e3);
    else
        snprintf(buf, len, "%.4g", v);
    return buf;
}

static double num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* The newest run's check of (config, metric), or NULL. */
static const json_t *check_of(const json_t *checks, const char *config, const char *metric)
{
    size_t i;
    const json_t *c;
    json_array_foreach(checks, i, c) if (!strcmp(str(c, "config"), config) &&
                                         !strcmp(str(c, "metric"), metric)) return c;
    return NULL;
}

/* "x -> y (+z%)" of a figure */
static void change_text(char *buf, size_t len, const char *metric, double before, double after)
{
    char b[64], a[64];
    sm_regress_fmt(metric, before, b, sizeof b);
    sm_regress_fmt(metric, after, a, sizeof a);
    if (before != 0 && !isnan(before) && !isnan(after))
        snprintf(buf, len, "%s -> %s (%+.1f%%)", b, a, 100 * (after / before - 1));
    else
        snprintf(buf, len, "%s -> %s", b, a);
}

/* The newest change point of a series (its list is in run order). */
static const json_t *newest_cp(const json_t *s)
{
    const json_t *l = json_object_get(s, "change_points");
    return json_array_size(l) ? json_array_get(l, json_array_size(l) - 1) : NULL;
}

static void cp_text(char *buf, size_t len, const json_t *s)
{
    const json_t *cp = newest_cp(s);
    const char *metric = str(s, "metric");
    char ch[160];
    change_text(ch, sizeof ch, metric, num(s, "before"), num(s, "after"));
    if (!cp) {
        snprintf(buf, len, "%s", ch);
        return;
    }
    char p[64];
    if (json_is_number(json_object_get(cp, "p_value")))
        snprintf(p, sizeof p, "p = %.2g", num(cp, "p_value"));
    else
        snprintf(p, sizeof p, "deterministic runs");
    snprintf(buf, len,
             "%s: %s; change point at commit %s (after %s; %s; %lld runs before, %lld after; "
             "reference %s)",
             metric, ch, str(cp, "commit"), str(cp, "previous_commit"), p,
             (long long)num(cp, "runs_before"), (long long)num(cp, "runs_after"),
             str(s, "reference_commit"));
}

int sm_regress_junit(FILE *f, const char *commit, const char *date, const json_t *checks,
                     const json_t *series)
{
    int tests = 0, failures = 0, skipped = 0;
    size_t i;
    const json_t *s;
    json_array_foreach(series, i, s)
    {
        tests++;
        const json_t *c = check_of(checks, str(s, "configuration"), str(s, "metric"));
        if (!strcmp(str(s, "verdict"), "regression") ||
            (c && !strcmp(str(c, "verdict"), "regression")))
            failures++;
        else if (!strcmp(str(s, "verdict"), "not in this run"))
            skipped++;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"smclat regress\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n",
            tests, failures, skipped);
    fputs("<testsuite name=\"smclat regress ", f);
    sm_html_escape(f, commit);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" timestamp=\"", tests,
            failures, skipped);
    sm_html_escape(f, date);
    fputs("\">\n", f);
    json_array_foreach(series, i, s)
    {
        const char *cfg = str(s, "configuration"), *metric = str(s, "metric");
        const char *v = str(s, "verdict");
        const json_t *c = check_of(checks, cfg, metric);
        fputs("  <testcase classname=\"", f);
        sm_html_escape(f, cfg);
        fputs("\" name=\"", f);
        sm_html_escape(f, metric);
        fputs("\" time=\"0\">\n", f);
        char msg[1024];
        if (!strcmp(v, "regression")) {
            cp_text(msg, sizeof msg, s);
            fputs("    <failure type=\"change point\" message=\"", f);
            sm_html_escape(f, msg);
            fputs("\">", f);
            sm_html_escape(f, msg);
            fputs("</failure>\n", f);
        }
        if (c && !strcmp(str(c, "verdict"), "regression")) {
            char ch[160];
            change_text(ch, sizeof ch, metric, num(c, "before"), num(c, "after"));
            snprintf(msg, sizeof msg,
                     "%s: newest run %s against %s: %s, bootstrap interval of the difference "
                     "%+.1f..%+.1f us",
                     metric, commit, str(c, "baseline_commit"), ch, num(c, "diff_lo") / 1e3,
                     num(c, "diff_hi") / 1e3);
            fputs("    <failure type=\"newest run\" message=\"", f);
            sm_html_escape(f, msg);
            fputs("\">", f);
            sm_html_escape(f, msg);
            fputs("</failure>\n", f);
        }
        if (!strcmp(v, "not in this run")) {
            fputs("    <skipped message=\"", f);
            sm_html_escape(f, str(s, "note"));
            fputs("\"/>\n", f);
        }
        /* what was decided, for the passing ones too */
        fputs("    <system-out>", f);
        snprintf(msg, sizeof msg, "%s over %lld runs (%s)%s", v, (long long)num(s, "runs"),
                 str(s, "method"),
                 json_array_size(json_object_get(s, "change_points")) ? ": " : "");
        sm_html_escape(f, msg);
        size_t k;
        const json_t *cp;
        json_array_foreach(json_object_get(s, "change_points"), k, cp)
        {
            char ch[160];
            change_text(ch, sizeof ch, metric, num(cp, "before"), num(cp, "after"));
            snprintf(msg, sizeof msg, "%schange point at %s: %s", k ? "; " : "", str(cp, "commit"),
                     ch);
            sm_html_escape(f, msg);
        }
        if (json_object_get(s, "note")) {
            fputs(" (", f);
            sm_html_escape(f, str(s, "note"));
            fputs(")", f);
        }
        fputs("</system-out>\n  </testcase>\n", f);
    }
    fputs("</testsuite>\n</testsuites>\n", f);
    return ferror(f) ? -1 : failures;
}

/* markdown table cells: | and newlines would break the row */
static void md(FILE *f, const char *s)
{
    for (; *s; s++)
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
}

int sm_regress_summary_md(FILE *f, const char *commit, const json_t *checks, const json_t *series,
                          const json_t *warnings, size_t runs, const struct sm_regress_opts *o)
{
    int reg_cp = 0, reg_new = 0, ncp = 0, missing = 0;
    size_t i;
    const json_t *s;
    json_array_foreach(series, i, s)
    {
        reg_cp += !strcmp(str(s, "verdict"), "regression");
        missing += !strcmp(str(s, "verdict"), "not in this run");
        ncp += (int)json_array_size(json_object_get(s, "change_points"));
    }
    json_array_foreach(checks, i, s) reg_new += !strcmp(str(s, "verdict"), "regression");
    fputs("## smclat regress: ", f);
    md(f, commit);
    fprintf(f, " — %s\n\n", reg_cp + reg_new ? "**FAIL**" : "pass");
    fprintf(f,
            "%zu runs in the history (this one included); %d change point%s; %d figure%s worse "
            "since the newest change point, %d in the newest run against the last good one "
            "(threshold %g%%, change points at p < %g, newest run at alpha %g).\n\n",
            runs, ncp, ncp == 1 ? "" : "s", reg_cp, reg_cp == 1 ? "" : "s", reg_new,
            100 * o->threshold, o->cp_alpha, o->alpha);
    fputs("### Change points\n\n", f);
    if (ncp == 0)
        fputs("None.\n\n", f);
    else {
        fputs("| configuration | metric | commit | before | after | change | p-value | runs "
              "before / after | method |\n|---|---|---|---|---|---|---|---|---|\n",
              f);
        json_array_foreach(series, i, s)
        {
            size_t k;
            const json_t *cp;
            json_array_foreach(json_object_get(s, "change_points"), k, cp)
            {
                char b[64], a[64], p[32];
                const char *metric = str(cp, "metric");
                fputs("| ", f);
                md(f, str(cp, "configuration"));
                fprintf(f, " | %s | ", metric);
                md(f, str(cp, "commit"));
                if (json_is_number(json_object_get(cp, "p_value")))
                    snprintf(p, sizeof p, "%.2g", num(cp, "p_value"));
                else
                    snprintf(p, sizeof p, "exact");
                fprintf(f, " | %s | %s | %+.1f%% | %s | %lld / %lld | %s |\n",
                        sm_regress_fmt(metric, num(cp, "before"), b, sizeof b),
                        sm_regress_fmt(metric, num(cp, "after"), a, sizeof a),
                        100 * num(cp, "change"), p, (long long)num(cp, "runs_before"),
                        (long long)num(cp, "runs_after"), str(cp, "method"));
            }
        }
        fputc('\n', f);
    }
    fputs("### Verdicts\n\n| configuration | metric | runs | change points | newest run | "
          "verdict |\n|---|---|---|---|---|---|\n",
          f);
    json_array_foreach(series, i, s)
    {
        const char *cfg = str(s, "configuration"), *metric = str(s, "metric");
        const json_t *c = check_of(checks, cfg, metric);
        int bad = !strcmp(str(s, "verdict"), "regression") ||
                  (c && !strcmp(str(c, "verdict"), "regression"));
        char ch[160] = "";
        if (json_is_number(json_object_get(s, "after")))
            change_text(ch, sizeof ch, metric, num(s, "before"), num(s, "after"));
        fputs("| ", f);
        md(f, cfg);
        fprintf(f, " | %s | %lld | %s%s%s | %s | %s%s%s |\n", metric, (long long)num(s, "runs"),
                str(s, "verdict"), *ch ? " " : "", ch, c ? str(c, "verdict") : "-", bad ? "**" : "",
                bad ? "FAIL" : "pass", bad ? "**" : "");
    }
    if (json_array_size(warnings) || missing) {
        fputs("\n### Warnings\n\n", f);
        json_array_foreach(warnings, i, s)
        {
            fputs("- ", f);
            md(f, json_string_value(s));
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}
