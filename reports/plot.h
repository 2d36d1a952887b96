/* gnuplot and the HTML template: finding the data files (reports/gnuplot/, reports/template/)
 * and running gnuplot headless on a script file with parameters. */
#ifndef SMCLAT_PLOT_H
#define SMCLAT_PLOT_H

#include <stdio.h>

/* The folder holding gnuplot/ and template/: $SMCLAT_DATADIR, else the source tree's reports/
 * (a build tree), else $(PREFIX)/share/smclat. NULL when none has gnuplot/. */
const char *sm_data_dir(void);

/* 1 when a gnuplot binary runs ($SMCLAT_GNUPLOT or gnuplot in PATH). */
int sm_have_gnuplot(void);

/* Runs gnuplot -e "PARAMS" DATADIR/gnuplot/SCRIPT twice, for png and svg: params must not set
 * term/out; the script reads the variables `term` ("png"/"svg") and `out`. out_base gets
 * ".png" and ".svg". Returns 0, or -1 with err (gnuplot's exit, first line of its stderr). */
int sm_gnuplot(const char *script, const char *params, const char *out_base, char *err,
               size_t errlen);

/* Writes s with &, <, >, " escaped. */
void sm_html_escape(FILE *out, const char *s);

/* gnuplot string literal contents: s with ' doubled (for '...' strings). Static buffer. */
const char *sm_gp_quote(const char *s);

/* The parameters of cdf.gp (the CDFs side by side, smclat report and smclat compare): files and
 * titles are space-separated lists (titles: safe names), what names the metric. */
void sm_cdf_params(char *buf, size_t size, const char *files, const char *titles, const char *what);

#endif
