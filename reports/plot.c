#include "plot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SMCLAT_REPORTS_SRC
#define SMCLAT_REPORTS_SRC "reports"
#endif
#ifndef SMCLAT_SHARE
#define SMCLAT_SHARE "/usr/local/share/smclat"
#endif

static int has_gnuplot_dir(const char *d)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/gnuplot", d);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *sm_data_dir(void)
{
    const char *env = getenv("SMCLAT_DATADIR");
    if (env && *env)
        return has_gnuplot_dir(env) ? env : NULL;
    if (has_gnuplot_dir(SMCLAT_REPORTS_SRC))
        return SMCLAT_REPORTS_SRC;
    if (has_gnuplot_dir(SMCLAT_SHARE))
        return SMCLAT_SHARE;
    return NULL;
}

static const char *gnuplot_bin(void)
{
    const char *g = getenv("SMCLAT_GNUPLOT");
    return g && *g ? g : "gnuplot";
}

/* Runs argv with stdout to /dev/null and stderr to errfile; returns the exit status. */
static int run(char *const argv[], const char *errfile)
{
    fflush(stdout); /* else the child's freopen would write our buffers again */
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *n = freopen("/dev/null", "w", stdout);
        FILE *e = errfile ? freopen(errfile, "w", stderr) : NULL;
        (void)n;
        (void)e;
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int sm_have_gnuplot(void)
{
    static int cached = -1;
    if (cached < 0) {
        char *argv[] = {(char *)gnuplot_bin(), "--version", NULL};
        cached = run(argv, "/dev/null") == 0;
    }
    return cached;
}

int sm_gnuplot(const char *script, const char *params, const char *out_base, char *err,
               size_t errlen)
{
    const char *dd = sm_data_dir();
    if (!dd) {
        snprintf(err, errlen,
                 "gnuplot scripts not found (set SMCLAT_DATADIR to the folder "
                 "holding gnuplot/)");
        return -1;
    }
    char path[4096], errfile[4200];
    snprintf(path, sizeof path, "%s/gnuplot/%s", dd, script);
    snprintf(errfile, sizeof errfile, "%s.gnuplot.err", out_base);
    static const char *const terms[] = {"png", "svg"};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(params) + strlen(out_base) * 2 + strlen(dd) * 2 + 64;
        char *e = malloc(n);
        if (!e)
            return -1;
        snprintf(e, n, "dir='%s/gnuplot'; term='%s'; out='%s.%s'; %s", sm_gp_quote(dd), terms[i],
                 sm_gp_quote(out_base), terms[i], params);
        char *argv[] = {(char *)gnuplot_bin(), "-e", e, path, NULL};
        int rc = run(argv, errfile);
        free(e);
        if (rc != 0) {
            char line[300], last[300] = "";
            FILE *f = fopen(errfile, "r");
            /* gnuplot's message is its last non-empty line */
            while (f && fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = '\0';
                if (line[strspn(line, " ")])
                    snprintf(last, sizeof last, "%s", line);
            }
            if (f)
                fclose(f);
            snprintf(err, errlen, "gnuplot %s (%s) failed with exit %d: %s", script, terms[i], rc,
                     last);
            return -1;
        }
    }
    unlink(errfile);
    return 0;
}

void sm_html_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

const char *sm_gp_quote(const char *s)
{
    static char buf[2][4096];
    static int which;
    char *b = buf[which ^= 1];
    size_t j = 0;
    for (; *s && j + 3 < sizeof buf[0]; s++) {
        if (*s == '\'')
            b[j++] = '\'';
        b[j++] = *s;
    }
    b[j] = '\0';
    return b;
}

void sm_cdf_params(char *buf, size_t size, const char *files, const char *titles, const char *what)
{
    snprintf(buf, size, "files='%s'; titles='%s'; what='%s'", sm_gp_quote(files),
             sm_gp_quote(titles), what);
}
