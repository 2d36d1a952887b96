#include "runner.h"

#include "results.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;
static volatile pid_t child_pgid;

static void on_signal(int sig)
{
    interrupted = sig;
    if (child_pgid > 0)
        kill(-child_pgid, SIGTERM);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *ini_text(const struct sm_scenario *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    sm_scenario_write_ini(s, f);
    fclose(f);
    return buf;
}

int sm_runner_complete(const char *dir, const struct sm_scenario *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/analysis.json", dir);
    json_t *a = json_load_file(path, 0, NULL);
    int ok = a && json_is_object(a) && json_object_get(a, "smclat_analyze");
    json_decref(a);
    if (!ok)
        return 0;
    snprintf(path, sizeof path, "%s/scenario.ini", dir);
    char *have = sm_read_text(path), *want = ini_text(s);
    ok = have && want && !strcmp(have, want);
    free(have);
    free(want);
    return ok;
}

/* Splits a command at spaces and appends extra arguments; returns a NULL-terminated argv
 * (free argv[0]'s buffer with the array). */
static char **make_argv(const char *cmd, const char *const *extra, int nextra, char **buf)
{
    *buf = strdup(cmd);
    if (!*buf)
        return NULL;
    size_t cap = strlen(cmd) / 2 + 2 + (size_t)nextra;
    char **argv = calloc(cap + 1, sizeof *argv);
    int n = 0;
    for (char *save, *t = strtok_r(*buf, " \t", &save); argv && t; t = strtok_r(NULL, " \t", &save))
        argv[n++] = t;
    for (int i = 0; argv && i < nextra; i++)
        argv[n++] = (char *)extra[i];
    return argv;
}

/* Runs argv in its own process group with stdout to out_path (NULL: inherited); kills the
 * group after timeout_s. Returns the exit status, 124 on timeout, 128+sig when killed. */
static int run_cmd(char **argv, const char *out_path, int timeout_s)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        if (out_path && !freopen(out_path, "w", stdout))
            _exit(126);
        execvp(argv[0], argv);
        fprintf(stderr, "smclat: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    child_pgid = pid;
    double deadline = now_s() + timeout_s;
    int st = 0, timed_out = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            break;
        if (!timed_out && now_s() > deadline) {
            timed_out = 1;
            kill(-pid, SIGTERM);
            deadline = now_s() + 10; /* then SIGKILL */
        } else if (timed_out && now_s() > deadline) {
            kill(-pid, SIGKILL);
            deadline = now_s() + 3600;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL); /* whatever the command left behind in its group */
    child_pgid = 0;
    if (timed_out)
        return 124;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The lab's own reason (run.json), if any. */
static char *lab_reason(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/run.json", dir) >= (int)sizeof path)
        return NULL;
    json_t *j = json_load_file(path, 0, NULL);
    const char *r = json_string_value(json_object_get(j, "reason"));
    const char *st = json_string_value(json_object_get(j, "status"));
    char *out = NULL;
    if (r || st) {
        size_t len = (r ? strlen(r) : 0) + (st ? strlen(st) : 0) + 8;
        out = malloc(len);
        if (out)
            snprintf(out, len, "%s%s%s", st ? st : "", st && r ? ": " : "", r ? r : "");
    }
    json_decref(j);
    return out;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* Moves an incomplete earlier attempt aside (DIR.incomplete-N): its logs may explain it. */
static void move_aside(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return;
    char to[4200];
    for (int i = 1; i < 1000; i++) {
        snprintf(to, sizeof to, "%s.incomplete-%d", dir, i);
        if (stat(to, &st) != 0) {
            if (rename(dir, to) == 0)
                fprintf(stderr, "suite: kept the earlier incomplete attempt as %s\n", to);
            return;
        }
    }
}

static void save_status(const char *out, json_t *status)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/suite.json", out);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (json_dump_file(status, tmp, JSON_INDENT(2)) == 0)
        rename(tmp, path);
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int sm_runner_run(struct sm_scenario **v, int n, const struct sm_runner_opts *o)
{
    if (make_dirs(o->out) != 0) {
        fprintf(stderr, "smclat: %s: %s\n", o->out, strerror(errno));
        return -1;
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    interrupted = 0;
    json_t *status = json_object(), *list = json_array();
    json_object_set_new(status, "smclat_suite", json_integer(1));
    json_object_set_new(status, "suite", json_string(o->suite_name ? o->suite_name : ""));
    json_object_set_new(status, "lab", json_string(o->lab));
    json_object_set_new(status, "scenarios", list);
    int failed = 0, ok = 0, skipped = 0;
    double t_all = now_s();
    for (int i = 0; i < n; i++) {
        const char *name = sm_scenario_get(v[i], K_NAME);
        char dir[4096], path[4200];
        snprintf(dir, sizeof dir, "%s/%s", o->out, name);
        json_t *rec = json_object();
        json_object_set_new(rec, "name", json_string(name));
        json_object_set_new(rec, "dir", json_string(dir));
        json_array_append_new(list, rec);
        if (interrupted) {
            json_object_set_new(rec, "status", json_string("not run"));
            continue;
        }
        if (!o->force && !o->dry_run && sm_runner_complete(dir, v[i])) {
            fprintf(stderr, "suite: [%d/%d] %s: complete already, skipped\n", i + 1, n, name);
            json_object_set_new(rec, "status", json_string("skipped"));
            skipped++;
            continue;
        }
        move_aside(dir);
        if (mkdir(dir, 0777) != 0) {
            fprintf(stderr, "suite: [%d/%d] %s: FAILED: %s: %s\n", i + 1, n, name, dir,
                    strerror(errno));
            json_object_set_new(rec, "status", json_string("failed"));
            json_object_set_new(rec, "reason", json_string(strerror(errno)));
            failed++;
            continue;
        }
        /* scenario.ini and the lab's parameter file; fallback notes to stderr and the record */
        char *ini = ini_text(v[i]), *notes = NULL, *params = NULL;
        size_t nl, pl;
        FILE *nf = open_memstream(&notes, &nl), *pf = open_memstream(&params, &pl);
        int werr = !ini || !nf || !pf || sm_scenario_write_lab_params(v[i], pf, nf) != 0;
        if (nf)
            fclose(nf);
        if (pf)
            fclose(pf);
        snprintf(path, sizeof path, "%s/scenario.ini", dir);
        werr |= !ini || write_file(path, ini) != 0;
        snprintf(path, sizeof path, "%s/lab-params.env", dir);
        werr |= !params || write_file(path, params) != 0;
        if (notes && *notes) {
            fputs(notes, stderr);
            json_object_set_new(rec, "notes", json_string(notes));
        }
        free(ini);
        free(notes);
        free(params);
        if (werr) {
            fprintf(stderr, "suite: [%d/%d] %s: FAILED: cannot write %s\n", i + 1, n, name, dir);
            json_object_set_new(rec, "status", json_string("failed"));
            json_object_set_new(rec, "reason", json_string("cannot write the scenario files"));
            failed++;
            continue;
        }
        if (o->dry_run) {
            fprintf(stderr, "suite: [%d/%d] %s: %s/lab-params.env written (dry run)\n", i + 1, n,
                    name, dir);
            json_object_set_new(rec, "status", json_string("dry run"));
            continue;
        }
        int timeout = (int)sm_scenario_long(v[i], K_TIMEOUT_S) + o->margin_s;
        fprintf(stderr, "suite: [%d/%d] %s: running (timeout %d s)\n", i + 1, n, name, timeout);
        double t0 = now_s();
        char *buf;
        const char *lab_args[] = {path, dir};
        char **argv = make_argv(o->lab, lab_args, 2, &buf);
        char logp[4200];
        snprintf(logp, sizeof logp, "%s/lab.log", dir);
        int rc = argv ? run_cmd(argv, logp, timeout) : -1;
        free(argv);
        free(buf);
        char reason[5000] = "";
        if (interrupted) {
            snprintf(reason, sizeof reason, "interrupted");
        } else if (rc != 0) {
            char *lr = lab_reason(dir);
            snprintf(reason, sizeof reason, "%s%s%s", rc == 124 ? "lab timed out" : "lab failed",
                     lr ? ": " : "", lr ? lr : "");
            if (rc != 124)
                snprintf(reason + strlen(reason), sizeof reason - strlen(reason), " (exit %d)", rc);
            free(lr);
        } else {
            /* analysis.json and calls-trace.csv; analysis.json appears only when complete */
            char csv[4200], tmp[4200], fin[4200];
            snprintf(csv, sizeof csv, "%s/calls-trace.csv", dir);
            snprintf(tmp, sizeof tmp, "%s/analysis.json.tmp", dir);
            snprintf(fin, sizeof fin, "%s/analysis.json", dir);
            const char *an_args[] = {dir, "--json", "--calls-csv", csv};
            argv = make_argv(o->analyzer, an_args, 4, &buf);
            fprintf(stderr, "suite: [%d/%d] %s: analyzing\n", i + 1, n, name);
            rc = argv ? run_cmd(argv, tmp, timeout) : -1;
            free(argv);
            free(buf);
            if (rc != 0)
                snprintf(reason, sizeof reason, "analyzer failed (exit %d)", rc);
            else if (rename(tmp, fin) != 0)
                snprintf(reason, sizeof reason, "%s: %s", fin, strerror(errno));
        }
        double dt = now_s() - t0;
        json_object_set_new(rec, "wall_s", json_real(dt));
        if (*reason) {
            fprintf(stderr, "suite: [%d/%d] %s: FAILED after %.1f s: %s (see %s/)\n", i + 1, n,
                    name, dt, reason, dir);
            json_object_set_new(rec, "status", json_string("failed"));
            json_object_set_new(rec, "reason", json_string(reason));
            failed++;
        } else {
            fprintf(stderr, "suite: [%d/%d] %s: ok in %.1f s\n", i + 1, n, name, dt);
            json_object_set_new(rec, "status", json_string("ok"));
            ok++;
        }
        save_status(o->out, status);
    }
    json_object_set_new(status, "ok", json_integer(ok));
    json_object_set_new(status, "skipped", json_integer(skipped));
    json_object_set_new(status, "failed", json_integer(failed));
    json_object_set_new(status, "interrupted", json_boolean(interrupted != 0));
    save_status(o->out, status);
    fprintf(stderr, "suite: %d ok, %d skipped (complete), %d failed%s in %.0f s -> %s/\n", ok,
            skipped, failed, interrupted ? ", interrupted" : "", now_s() - t_all, o->out);
    for (size_t k = 0; k < json_array_size(list); k++) {
        json_t *rec = json_array_get(list, k);
        if (!strcmp(json_string_value(json_object_get(rec, "status")), "failed"))
            fprintf(stderr, "suite: failed: %s: %s\n",
                    json_string_value(json_object_get(rec, "name")),
                    json_string_value(json_object_get(rec, "reason")));
    }
    json_decref(status);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (interrupted)
        failed += 1;
    return failed;
}
