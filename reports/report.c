#include "report.h"

#include "plot.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void sm_report_collect_failed(const char *dir, json_t *arr)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/suite.json", dir) >= (int)sizeof path)
        return;
    json_t *j = json_load_file(path, 0, NULL);
    json_t *list = json_object_get(j, "scenarios");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        const char *st = json_string_value(json_object_get(e, "status"));
        if (st && !strcmp(st, "failed")) {
            const char *name = json_string_value(json_object_get(e, "name"));
            const char *why = json_string_value(json_object_get(e, "reason"));
            const char *kind = json_string_value(json_object_get(e, "reason_kind"));
            json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "name", name ? name : "?",
                                                 "reason", why ? why : "?", "reason_kind",
                                                 kind ? json_string(kind) : json_null()));
        }
    }
    json_decref(j);
}

void sm_safe_name(const char *in, char *out, size_t outlen)
{
    size_t j = 0;
    for (; *in && j + 1 < outlen; in++) {
        char c = *in;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
    if (!j && outlen > 1)
        snprintf(out, outlen, "_");
}

static FILE *open_in(const char *dir, const char *name, char *path, size_t pathlen)
{
    int w = snprintf(path, pathlen, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= pathlen) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return fopen(path, "w");
}

int sm_write_cdf(const char *path, const char *label, const double *sorted, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "# value_us fraction_at_most fraction_above  (%s, %zu calls)\n", label, n);
    /* every distinct value up to 5000 calls, else about 5000 evenly spaced ranks and the last */
    size_t step = n > 5000 ? n / 5000 : 1, last = (size_t)-1;
    for (size_t i = 0; i < n; i += step) {
        size_t k = i;
        while (k + 1 < n && sorted[k + 1] == sorted[k]) /* the last of equal values */
            k++;
        double frac = (double)(k + 1) / (double)n;
        fprintf(f, "%.3f %.6f %.6g\n", sorted[k] / 1e3, frac,
                k + 1 < n ? 1 - frac : 1.0 / (double)n);
        last = i = k;
    }
    if (n && last != n - 1)
        fprintf(f, "%.3f %.6f %.6g\n", sorted[n - 1] / 1e3, 1.0, 1.0 / (double)n);
    return fclose(f) == 0 ? 0 : -1;
}

int sm_report_write_run_data(const struct sm_run *r, const char *datadir, const char *id,
                             double *worst_us)
{
    char path[4096], name[512];
    size_t n;
    double *v = sm_run_values(r, S_E2E_NS, &n);
    double *sv = v ? sm_sorted_copy(v, n) : NULL;
    free(v);
    *worst_us = NAN;
    if (!sv)
        return 0; /* no per-call data: nothing to plot */
    int rc = -1;
    snprintf(name, sizeof name, "%s.cdf.dat", id);
    if (snprintf(path, sizeof path, "%s/%s", datadir, name) >= (int)sizeof path ||
        sm_write_cdf(path, r->name, sv, n) != 0)
        goto out;
    FILE *f;
    /* histogram: 40 log-spaced bins from min to max */
    snprintf(name, sizeof name, "%s.hist.dat", id);
    if (!(f = open_in(datadir, name, path, sizeof path)))
        goto out;
    double lo = fmax(sv[0], 1.0), hi = fmax(sv[n - 1], lo * 1.01);
    int nb = 40;
    double lr = log(lo), w = (log(hi) - lr) / nb;
    size_t counts[40] = {0};
    for (size_t i = 0; i < n; i++) {
        int b = sv[i] <= lo ? 0 : (int)((log(sv[i]) - lr) / w);
        counts[b < 0 ? 0 : b >= nb ? nb - 1 : b]++;
    }
    fprintf(f, "# bin_lo_us bin_hi_us calls  (%s, worst %.3f us)\n", r->name, sv[n - 1] / 1e3);
    for (int b = 0; b < nb; b++)
        fprintf(f, "%.4f %.4f %zu\n", exp(lr + b * w) / 1e3, exp(lr + (b + 1) * w) / 1e3,
                counts[b]);
    if (fclose(f) != 0)
        goto out;
    *worst_us = sv[n - 1] / 1e3;
    /* timeline: in call order */
    snprintf(name, sizeof name, "%s.timeline.dat", id);
    if (!(f = open_in(datadir, name, path, sizeof path)))
        goto out;
    fprintf(f, "# t_s latency_us  (%s; t from the call's start, else its index)\n", r->name);
    double t0 = NAN;
    for (size_t i = 0; i < r->ncalls; i++) {
        double e = r->series[S_E2E_NS][i], s = r->series[S_START_NS][i];
        if (isnan(e))
            continue;
        if (isnan(t0) && !isnan(s))
            t0 = s;
        fprintf(f, "%.6f %.3f\n", isnan(s) ? (double)i : (s - t0) / 1e9, e / 1e3);
    }
    if (fclose(f) != 0)
        goto out;
    rc = 0;
out:
    free(sv);
    return rc;
}

static json_t *num_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

json_t *sm_report_summary_json(struct sm_run **runs, int n)
{
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "smclat_report", json_integer(1));
    json_object_set_new(root, "configurations", arr);
    for (int i = 0; i < n; i++) {
        struct sm_summary s;
        sm_run_summarize(runs[i], &s);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(runs[i]->name));
        json_object_set_new(o, "dir", json_string(runs[i]->dir));
        json_object_set_new(o, "partial", json_boolean(runs[i]->partial));
        json_object_set_new(o, "e2e_source", json_string(s.e2e_source));
        /* calls of the trace the generator did not make, left out (null: no join) */
        json_object_set_new(o, "calls_not_in_log",
                            runs[i]->joined ? json_integer((json_int_t)runs[i]->not_logged)
                                            : json_null());
        for (int k = 0; sm_summary_keys[k]; k++)
            json_object_set_new(o, sm_summary_keys[k], num_or_null(sm_summary_get(&s, k)));
        json_t *xen = NULL;
        free(sm_xen_of(runs[i]->dir, &xen));
        json_object_set_new(o, "xen", xen ? xen : json_null());
        const char *kind = sm_mediator_kind_of(runs[i]->dir);
        json_object_set_new(o, "mediator_kind", kind ? json_string(kind) : json_null());
        double share = runs[i]->host_other_share;
        json_object_set_new(o, "host_other_share", share >= 0 ? json_real(share) : json_null());
        json_object_set_new(o, "loaded_host", json_boolean(sm_run_loaded_host(runs[i], 0) >= 0));
        json_array_append_new(arr, o);
    }
    return root;
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputc(',', f);
    else if (v == floor(v) && fabs(v) < 1e15)
        fprintf(f, ",%.0f", v);
    else
        fprintf(f, ",%.3f", v);
}

static void html_us(FILE *f, double ns)
{
    if (isnan(ns))
        fputs("<td>-</td>", f);
    else
        fprintf(f, "<td>%.1f</td>", ns / 1e3);
}

/* The summary table, one row per configuration. */
static void html_table(FILE *f, struct sm_run **runs, int n)
{
    fputs("<table>\n<tr><th>configuration</th><th>calls</th><th>min</th><th>p50</th>"
          "<th>p90</th><th>p99</th><th>p99.9</th><th>worst</th><th>mediator wake p50</th>"
          "<th>wake p99</th><th>wake worst</th><th>switches/call</th><th>source</th><th>Xen</th>"
          "</tr>\n",
          f);
    for (int i = 0; i < n; i++) {
        struct sm_summary s;
        sm_run_summarize(runs[i], &s);
        fprintf(f, "<tr%s><td>", runs[i]->partial ? " class=\"partial\"" : "");
        sm_html_escape(f, runs[i]->name);
        if (runs[i]->partial)
            fputs(" (partial)", f);
        fprintf(f, "</td><td>%.0f</td>", isnan(s.n) ? 0.0 : s.n);
        html_us(f, s.min);
        html_us(f, s.p50);
        html_us(f, s.p90);
        html_us(f, s.p99);
        html_us(f, s.p999);
        html_us(f, s.max);
        html_us(f, s.wake_p50);
        html_us(f, s.wake_p99);
        html_us(f, s.wake_max);
        if (isnan(s.switches_mean))
            fputs("<td>-</td>", f);
        else
            fprintf(f, "<td>%.2f</td>", s.switches_mean);
        fprintf(f, "<td>%s</td><td>", s.e2e_source);
        json_t *xj = NULL;
        char *xen = sm_xen_of(runs[i]->dir, &xj);
        sm_html_escape(f, xen ? xen : "-");
        const char *kind = sm_mediator_kind_of(runs[i]->dir);
        if (kind && !strcmp(kind, "stub"))
            fputs(" (stub mediator)", f);
        fputs("</td></tr>\n", f);
        free(xen);
        json_decref(xj);
    }
    fputs("</table>\n", f);
}

static int write_summary_files(struct sm_run **runs, int n, json_t *failed, const char *out,
                               char *err, size_t errlen)
{
    char path[4096];
    json_t *j = sm_report_summary_json(runs, n);
    if (failed)
        json_object_set(j, "failed", failed);
    snprintf(path, sizeof path, "%s/summary.json", out);
    int rc = json_dump_file(j, path, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    json_decref(j);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot write", path);
        return -1;
    }
    snprintf(path, sizeof path, "%s/summary.csv", out);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fputs("name,partial,e2e_source", f);
    for (int k = 0; sm_summary_keys[k]; k++)
        fprintf(f, ",%s", sm_summary_keys[k]);
    fputs(",dir\n", f);
    for (int i = 0; i < n; i++) {
        struct sm_summary s;
        sm_run_summarize(runs[i], &s);
        fprintf(f, "%s,%d,%s", runs[i]->name, runs[i]->partial, s.e2e_source);
        for (int k = 0; sm_summary_keys[k]; k++)
            csv_num(f, sm_summary_get(&s, k));
        fprintf(f, ",%s\n", runs[i]->dir);
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: cannot write", path);
        return -1;
    }
    return 0;
}

/* switches.dat (fraction of calls per switch count, a column per run) and wake.dat. */
static int write_shared_data(struct sm_run **runs, char ids[][128], int n, const char *datadir,
                             int *have_switches, int *have_wake)
{
    char path[4096];
    *have_switches = *have_wake = 0;
    int maxsw = -1;
    for (int i = 0; i < n; i++)
        for (size_t c = 0; c < runs[i]->ncalls; c++) {
            double s = runs[i]->series[S_SWITCHES] ? runs[i]->series[S_SWITCHES][c] : NAN;
            if (!isnan(s) && s >= 0 && s < 1000 && (int)s > maxsw)
                maxsw = (int)s;
        }
    FILE *f = open_in(datadir, "switches.dat", path, sizeof path);
    if (!f)
        return -1;
    fputs("# switches", f);
    for (int i = 0; i < n; i++)
        fprintf(f, " %s", ids[i]);
    fputs("  (fraction of each configuration's calls)\n", f);
    for (int k = 0; k <= maxsw; k++) {
        fprintf(f, "%d", k);
        for (int i = 0; i < n; i++) {
            size_t hit = 0, tot = 0;
            for (size_t c = 0; c < runs[i]->ncalls; c++) {
                double s = runs[i]->series[S_SWITCHES][c];
                if (isnan(s))
                    continue;
                tot++;
                hit += (int)s == k;
            }
            fprintf(f, " %.6f", tot ? (double)hit / (double)tot : 0.0);
        }
        fputc('\n', f);
    }
    *have_switches = maxsw >= 0;
    if (fclose(f) != 0)
        return -1;
    f = open_in(datadir, "wake.dat", path, sizeof path);
    if (!f)
        return -1;
    fputs("# configuration mediator_wake_p50_us p99_us max_us\n", f);
    for (int i = 0; i < n; i++) {
        struct sm_summary s;
        sm_run_summarize(runs[i], &s);
        if (isnan(s.wake_p50))
            continue;
        fprintf(f, "%s %.3f %.3f %.3f\n", ids[i], s.wake_p50 / 1e3, s.wake_p99 / 1e3,
                s.wake_max / 1e3);
        *have_wake = 1;
    }
    return fclose(f) != 0 ? -1 : 0;
}

struct plots {
    FILE *html; /* the @PLOTS@ part */
    const char *out;
    int failed;
};

static void plot(struct plots *p, const char *script, const char *params, const char *base,
                 const char *caption)
{
    char err[1024], full[4096];
    snprintf(full, sizeof full, "%s/%s", p->out, base);
    if (sm_gnuplot(script, params, full, err, sizeof err) != 0) {
        fprintf(stderr, "warning: %s\n", err);
        p->failed = 1;
        return;
    }
    fprintf(p->html, "<figure><a href=\"%s.svg\"><img src=\"%s.png\" alt=\"", base, base);
    sm_html_escape(p->html, caption);
    fputs("\"></a><figcaption>", p->html);
    sm_html_escape(p->html, caption);
    fprintf(p->html, " (<a href=\"%s.svg\">SVG</a>)</figcaption></figure>\n", base);
}

int sm_fill_template(FILE *out, const char *tmpl, const char *const *kv)
{
    for (const char *p = tmpl; *p;) {
        const char *at = strchr(p, '@');
        if (!at) {
            fputs(p, out);
            break;
        }
        fwrite(p, 1, (size_t)(at - p), out);
        const char *end = strchr(at + 1, '@');
        int done = 0;
        for (int i = 0; end && kv[i]; i += 2)
            if ((size_t)(end - at - 1) == strlen(kv[i]) && !strncmp(at + 1, kv[i], strlen(kv[i]))) {
                fputs(kv[i + 1], out);
                p = end + 1;
                done = 1;
                break;
            }
        if (!done) {
            fputc('@', out);
            p = at + 1;
        }
    }
    return ferror(out) ? -1 : 0;
}

/* The report's HTML parts, written to memory streams, then into the template. */
struct parts {
    char *plots, *notes, *table;
    size_t pl, nl, tl;
    FILE *ph, *nh, *th;
};

/* Each run's safe id (unique) and data files; a note per partial run. */
static int write_runs_data(struct sm_run **runs, int n, const struct sm_report_opts *o,
                           const char *datadir, char (*ids)[128], double *worst, FILE *nh,
                           char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        sm_safe_name(runs[i]->name, ids[i], sizeof ids[i]);
        for (int j = 0; j < i; j++) /* unique ids */
            if (!strcmp(ids[i], ids[j])) {
                size_t l = strlen(ids[i]);
                snprintf(ids[i] + (l > 100 ? 100 : l), 28, "-%d", i + 1);
            }
        if (!o->quiet)
            fprintf(stderr, "report: [%d/%d] %s: %zu calls%s\n", i + 1, n, runs[i]->name,
                    runs[i]->ncalls, runs[i]->partial ? " (partial)" : "");
        if (sm_report_write_run_data(runs[i], datadir, ids[i], &worst[i]) != 0) {
            snprintf(err, errlen, "%s: cannot write the data of %s", datadir, runs[i]->name);
            return -1;
        }
        if (runs[i]->partial) {
            fputs("<p class=\"note\">", nh);
            sm_html_escape(nh, runs[i]->name);
            fputs(": partial results (the analyzer says so, or no per-call data).</p>\n", nh);
        }
        double share = sm_run_loaded_host(runs[i], 1);
        if (share >= 0) {
            fputs("<p class=\"note\">", nh);
            sm_html_escape(nh, runs[i]->name);
            fprintf(nh,
                    ": other work took %.0f%% of the host's CPUs during its smp-mode boot: its "
                    "emulated pCPUs stalled, its figures are not the guests' own.</p>\n",
                    100 * share);
        }
    }
    return 0;
}

/* The notes on the runs that gave no results, and the link to the trends. */
static void write_notes(const struct sm_report_opts *o, FILE *nh)
{
    for (size_t k = 0; k < json_array_size(o->failed); k++) {
        json_t *f = json_array_get(o->failed, k);
        fputs("<p class=\"note\">", nh);
        sm_html_escape(nh, json_string_value(json_object_get(f, "name")));
        fputs(": no results: ", nh);
        const char *kind = json_string_value(json_object_get(f, "reason_kind"));
        if (kind) {
            sm_html_escape(nh, kind);
            fputs(": ", nh);
        }
        sm_html_escape(nh, json_string_value(json_object_get(f, "reason")));
        fputs("</p>\n", nh);
    }
    /* smclat regress -p OUT/trends: the history's trends beside this report */
    char trends[4200];
    snprintf(trends, sizeof trends, "%s/trends/index.html", o->out);
    if (access(trends, F_OK) == 0)
        fputs("<p>Trends and change points over the regression history: <a "
              "href=\"trends/index.html\">trends/</a>.</p>\n",
              nh);
}

/* The CDFs of the runs with per-call data, side by side. */
static void plot_cdf(struct plots *p, int n, char (*ids)[128], const double *worst,
                     const char *datadir, int quiet)
{
    /* every gnuplot variable list is built from safe ids: no quoting issues */
    char *files = NULL, *titles = NULL;
    size_t fl, tl2;
    FILE *ff = open_memstream(&files, &fl), *tf = open_memstream(&titles, &tl2);
    for (int i = 0; ff && tf && i < n; i++)
        if (!isnan(worst[i])) {
            fprintf(ff, "%s%s/%s.cdf.dat", ftell(ff) ? " " : "", datadir, ids[i]);
            fprintf(tf, "%s%s", ftell(tf) ? " " : "", ids[i]);
        }
    if (ff)
        fclose(ff);
    if (tf)
        fclose(tf);
    char params[16384];
    if (files && *files) {
        if (!quiet)
            fprintf(stderr, "report: plotting\n");
        sm_cdf_params(params, sizeof params, files, titles, "end-to-end latency");
        plot(p, "cdf.gp", params, "cdf", "Latency CDF (log x; right: tail, log-log)");
    }
    free(files);
    free(titles);
}

/* Every plot: the CDFs, mediator wake, switches, and each run's histogram and timeline. */
static void plot_all(struct plots *p, struct sm_run **runs, int n, char (*ids)[128],
                     const double *worst, const char *datadir, int have_sw, int have_wake,
                     int quiet)
{
    char params[16384];
    plot_cdf(p, n, ids, worst, datadir, quiet);
    if (have_wake) {
        snprintf(params, sizeof params, "file='%s/wake.dat'; what='mediator wake latency'",
                 sm_gp_quote(datadir));
        plot(p, "wake.gp", params, "wake", "Mediator wake latency per configuration");
    }
    if (have_sw) {
        char t[8192] = "";
        for (int i = 0; i < n; i++)
            snprintf(t + strlen(t), sizeof t - strlen(t), "%s%s", i ? " " : "", ids[i]);
        snprintf(params, sizeof params, "file='%s/switches.dat'; titles='%s'", sm_gp_quote(datadir),
                 sm_gp_quote(t));
        plot(p, "switches.gp", params, "switches", "Context switches per call");
    }
    for (int i = 0; i < n; i++) {
        if (isnan(worst[i]))
            continue;
        char base[256], cap[512];
        snprintf(params, sizeof params,
                 "file='%s/%s.hist.dat'; title='%s'; worst=%.3f; what='end-to-end latency'",
                 sm_gp_quote(datadir), ids[i], ids[i], worst[i]);
        snprintf(base, sizeof base, "hist-%s", ids[i]);
        snprintf(cap, sizeof cap, "%s: latency histogram, worst case marked", runs[i]->name);
        plot(p, "hist.gp", params, base, cap);
        snprintf(params, sizeof params,
                 "file='%s/%s.timeline.dat'; title='%s'; what='end-to-end latency'",
                 sm_gp_quote(datadir), ids[i], ids[i]);
        snprintf(base, sizeof base, "timeline-%s", ids[i]);
        snprintf(cap, sizeof cap, "%s: per-call timeline", runs[i]->name);
        plot(p, "timeline.gp", params, base, cap);
    }
}

/* index.html: the template filled with the parts. */
static int write_index(const struct sm_report_opts *o, const struct parts *h, char *err,
                       size_t errlen)
{
    const char *dd = sm_data_dir();
    char tpath[4096], opath[4096], when[64];
    snprintf(tpath, sizeof tpath, "%s/template/index.html", dd ? dd : ".");
    char *tmpl = sm_read_text(tpath);
    if (!tmpl) {
        snprintf(err, errlen, "%s: cannot read the HTML template", tpath);
        return -1;
    }
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    char *title_html = NULL, *cmd_html = NULL;
    size_t l1, l2;
    FILE *t1 = open_memstream(&title_html, &l1), *t2 = open_memstream(&cmd_html, &l2);
    if (t1 && t2) {
        sm_html_escape(t1, o->title ? o->title : "smclat report");
        sm_html_escape(t2, o->command ? o->command : "smclat report");
    }
    if (t1)
        fclose(t1);
    if (t2)
        fclose(t2);
    const char *kv[] = {"TITLE",     title_html ? title_html : "",
                        "COMMAND",   cmd_html ? cmd_html : "",
                        "GENERATED", when,
                        "NOTES",     h->notes,
                        "TABLE",     h->table,
                        "PLOTS",     h->plots,
                        NULL};
    snprintf(opath, sizeof opath, "%s/index.html", o->out);
    FILE *of = fopen(opath, "w");
    int ok = of && sm_fill_template(of, tmpl, kv) == 0;
    if (of && fclose(of) != 0)
        ok = 0;
    free(tmpl);
    free(title_html);
    free(cmd_html);
    if (!ok) {
        snprintf(err, errlen, "%s: cannot write", opath);
        return -1;
    }
    return 0;
}

static void close_parts(struct parts *h)
{
    if (h->ph)
        fclose(h->ph);
    if (h->nh)
        fclose(h->nh);
    if (h->th)
        fclose(h->th);
    h->ph = h->nh = h->th = NULL;
}

int sm_report_write(struct sm_run **runs, int n, const struct sm_report_opts *o, char *err,
                    size_t errlen)
{
    char datadir[4096];
    snprintf(datadir, sizeof datadir, "%s/data", o->out);
    if ((mkdir(o->out, 0777) != 0 && errno != EEXIST) ||
        (mkdir(datadir, 0777) != 0 && errno != EEXIST)) {
        snprintf(err, errlen, "%s: %s", datadir, strerror(errno));
        return 1;
    }
    char(*ids)[128] = calloc((size_t)n, sizeof *ids);
    double *worst = calloc((size_t)n, sizeof *worst);
    struct parts h = {0};
    h.ph = open_memstream(&h.plots, &h.pl);
    h.nh = open_memstream(&h.notes, &h.nl);
    h.th = open_memstream(&h.table, &h.tl);
    int rc = 1;
    if (!ids || !worst || !h.ph || !h.nh || !h.th) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (write_runs_data(runs, n, o, datadir, ids, worst, h.nh, err, errlen) != 0)
        goto out;
    int have_sw, have_wake;
    if (write_shared_data(runs, ids, n, datadir, &have_sw, &have_wake) != 0) {
        snprintf(err, errlen, "%s: cannot write switches.dat / wake.dat", datadir);
        goto out;
    }
    write_notes(o, h.nh);
    if (write_summary_files(runs, n, o->failed, o->out, err, errlen) != 0)
        goto out;
    html_table(h.th, runs, n);
    struct plots p = {h.ph, o->out, 0};
    if (o->no_plots) {
        fputs("<p>Plots not drawn (--no-plots).</p>\n", h.ph);
    } else if (!sm_have_gnuplot()) {
        fprintf(stderr, "warning: gnuplot not found: plots skipped (scripts/deps.sh report)\n");
        fputs("<p class=\"note\">gnuplot was not found: no plots.</p>\n", h.ph);
    } else {
        plot_all(&p, runs, n, ids, worst, datadir, have_sw, have_wake, o->quiet);
    }
    close_parts(&h);
    if (write_index(o, &h, err, errlen) != 0)
        goto out;
    rc = p.failed ? 1 : 0;
    if (p.failed)
        snprintf(err, errlen, "some plots failed (warnings above)");
out:
    close_parts(&h);
    free(h.plots);
    free(h.notes);
    free(h.table);
    free(ids);
    free(worst);
    return rc;
}
