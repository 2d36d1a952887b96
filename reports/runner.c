#include "runner.h"

#include "reason.h"
#include "results.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;
/* The process groups of the commands running now (boots side by side, an analysis): each is
 * sent SIGTERM when the runner is told to stop. 0: a free entry. */
#define MAX_CHILDREN (SM_RUNNER_MAX_JOBS + 1)
static volatile pid_t child_pgids[MAX_CHILDREN];

static void on_signal(int sig)
{
    interrupted = sig;
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (child_pgids[i] > 0)
            kill(-child_pgids[i], SIGTERM);
}

static void child_started(pid_t pgid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (child_pgids[i] == 0) {
            child_pgids[i] = pgid;
            return;
        }
}

static void child_ended(pid_t pgid)
{
    kill(-pgid, SIGKILL); /* whatever the command left behind in its group */
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (child_pgids[i] == pgid)
            child_pgids[i] = 0;
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

/* Starts argv in its own process group with stdout to out_path and stderr to err_path (NULL:
 * inherited). Returns its pid, -1 when it could not be started (errno). */
static pid_t spawn_cmd(char **argv, const char *out_path, const char *err_path)
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
        if (err_path && !freopen(err_path, "w", stderr))
            _exit(126);
        execvp(argv[0], argv);
        fprintf(stderr, "smclat: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    child_started(pid);
    return pid;
}

/* A running command's time limit: SIGTERM to its group at the deadline, SIGKILL 10 s later */
struct limit {
    double deadline;
    int timed_out;
};

static void enforce_limit(pid_t pid, struct limit *l)
{
    if (!l->timed_out && now_s() > l->deadline) {
        l->timed_out = 1;
        kill(-pid, SIGTERM);
        l->deadline = now_s() + 10;
    } else if (l->timed_out && now_s() > l->deadline) {
        kill(-pid, SIGKILL);
        l->deadline = now_s() + 3600;
    }
}

/* Has pid ended? 1 with *code its exit status (128+sig when a signal ended it), 0 not yet */
static int reap(pid_t pid, int *code)
{
    int st = 0;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == 0 || (w < 0 && errno == EINTR))
        return 0;
    *code = w < 0 ? 128 + SIGKILL : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    child_ended(pid);
    return 1;
}

static void nap(void)
{
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* Runs argv (spawn_cmd) and waits for it; kills its group after timeout_s (*timed_out = 1).
 * Returns the exit status, 128+sig when a signal ended it, -1 when it could not be started. */
static int run_cmd(char **argv, const char *out_path, const char *err_path, int timeout_s,
                   int *timed_out_p)
{
    pid_t pid = spawn_cmd(argv, out_path, err_path);
    if (pid < 0)
        return -1;
    struct limit l = {now_s() + timeout_s, 0};
    int code;
    while (!reap(pid, &code)) {
        enforce_limit(pid, &l);
        nap();
    }
    *timed_out_p = l.timed_out;
    return code;
}

/* The lab's own verdict: DIR/run.json, else the copy the lab leaves beside DIR when DIR's file
 * system is full (DIR.run.json). Sets *kind (-1 when there is no record) and the reason;
 * returns 1 when the record came from DIR.run.json. */
static int lab_verdict(const char *dir, int *kind, char *reason, size_t len)
{
    *kind = -1;
    *reason = '\0';
    char path[4200];
    json_t *j = NULL;
    int i;
    for (i = 0; i < 2 && !j; i++) {
        snprintf(path, sizeof path, i ? "%s.run.json" : "%s/run.json", dir);
        j = json_load_file(path, 0, NULL);
    }
    if (!j)
        return 0;
    const char *r = json_string_value(json_object_get(j, "reason"));
    const char *st = json_string_value(json_object_get(j, "status"));
    const char *k = json_string_value(json_object_get(j, "reason_kind"));
    *kind = sm_reason_parse(k);
    if (*kind < 0) /* an older lab or a stand-in: a status and a line, no kind */
        *kind = st && !strcmp(st, "timeout")       ? SM_REASON_TIMEOUT
                : st && !strcmp(st, "interrupted") ? SM_REASON_INTERRUPTED
                                                   : SM_REASON_LAB_FAILED;
    snprintf(reason, len, "%s", r ? r : st ? st : "no reason given");
    if (k && sm_reason_parse(k) < 0)
        snprintf(reason + strlen(reason), len - strlen(reason), " (unknown reason_kind '%s')", k);
    json_decref(j);
    return i == 2;
}

/* Is the file system of DIR out of space? */
static int fs_full(const char *dir)
{
    struct statvfs v;
    return statvfs(dir, &v) == 0 && v.f_bavail == 0;
}

/* Writes text to path; on failure returns -1 with errno set (a full file system included). */
static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int bad = fputs(text, f) < 0 || fflush(f) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    errno = e;
    return bad ? -1 : 0;
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

/* Room for suite.json, taken at the start (OUT/.suite.json.reserve) and given back when a full
 * file system refuses suite.json: the suite's record is written even then. */
#define RESERVE_BYTES 65536
static int reserve(const char *out)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.suite.json.reserve", out);
    static const char zeros[4096];
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int bad = 0;
    for (int i = 0; i < RESERVE_BYTES / (int)sizeof zeros; i++)
        bad |= fwrite(zeros, 1, sizeof zeros, f) != sizeof zeros;
    bad |= fclose(f) != 0;
    if (bad)
        unlink(path);
    return bad ? -1 : 0;
}

/* suite.json, whole or not at all (written to suite.json.tmp, renamed); on a full file system
 * into the room reserved at the start, and when that is used up, rewritten in place (its old
 * blocks are freed first), which stderr says. */
static void save_status(const char *out, json_t *status)
{
    char path[4096], tmp[4200], res[4200];
    snprintf(path, sizeof path, "%s/suite.json", out);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(res, sizeof res, "%s/.suite.json.reserve", out);
    char *text = json_dumps(status, JSON_INDENT(2));
    if (!text)
        return;
    if (write_file(tmp, text) == 0 && rename(tmp, path) == 0) {
        free(text);
        return;
    }
    int e = errno;
    unlink(tmp);
    const char *how = NULL;
    if ((e == ENOSPC || e == EDQUOT) && unlink(res) == 0 && write_file(tmp, text) == 0 &&
        rename(tmp, path) == 0)
        how = "written in the room reserved at the start";
    else if (e == ENOSPC || e == EDQUOT) {
        unlink(tmp);
        if (write_file(path, text) == 0)
            how = "rewritten in place (no room for a temporary copy)";
        else
            e = errno;
    }
    if (how)
        fprintf(stderr, "suite: %s: %s: %s\n", path, strerror(e), how);
    else
        fprintf(stderr, "suite: %s: cannot write it: %s\n", path, strerror(e));
    free(text);
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

/* A failed scenario: its record, stderr, the count. */
static void failed_rec(json_t *rec, int kind, const char *reason)
{
    json_object_set_new(rec, "status", json_string("failed"));
    json_object_set_new(rec, "reason_kind", json_string(sm_reason_name(kind)));
    json_object_set_new(rec, "reason", json_string(reason));
}

/* The last non-empty line of a file (an analyzer's error), at most len - 1 bytes. */
static void last_line(const char *path, char *out, size_t len)
{
    *out = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        size_t l = strlen(line);
        if (l) {
            l = l < len ? l : len - 1;
            memcpy(out, line, l);
            out[l] = '\0';
        }
    }
    fclose(f);
}

/* The analyzer's verdict from its exit status and its stderr (err_path). */
static void analyzer_reason(int rc, int timed_out, const char *err_path, char *reason, size_t len)
{
    char line[600];
    last_line(err_path, line, sizeof line);
    const char *sig = sm_signal_name(rc);
    if (timed_out)
        snprintf(reason, len, "the analyzer still running after the time limit: stopped");
    else if (rc < 0)
        snprintf(reason, len, "the analyzer could not be started: %s", strerror(errno));
    else if (sig)
        snprintf(reason, len, "the analyzer was killed by %s (exit %d)", sig, rc);
    else
        snprintf(reason, len, "the analyzer exited with %d", rc);
    if (*line)
        snprintf(reason + strlen(reason), len - strlen(reason), ": %s", line);
}

/* Copies a file to stderr (the analyzer's messages, kept in DIR/analyze.log). */
static void echo_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(f);
}

/* The suite's run: its scenarios' records (suite.json), the counts, and per scenario what the
 * phases below need. */
struct run {
    const struct sm_runner_opts *o;
    struct sm_scenario **v;
    int n, failed, ok, skipped;
    json_t *status, *list;
    char (*dir)[4096];
    char **key;   /* what needs a boot (LAB --boot-key), NULL: a boot of its own */
    int *ready;   /* 1: its files are written, the lab is to run it */
    int *timeout; /* target.timeout_s + --margin */
};

static void progress(const struct run *r, int i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void progress(const struct run *r, int i, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "suite: [%d/%d] %s: ", i + 1, r->n, sm_scenario_get(r->v[i], K_NAME));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void fail_one(struct run *r, int i, int kind, const char *reason)
{
    json_t *rec = json_array_get(r->list, (size_t)i);
    progress(r, i, "FAILED: %s: %s", sm_reason_name(kind), reason);
    failed_rec(rec, kind, reason);
    r->failed++;
    save_status(r->o->out, r->status);
}

/* Phase 1: scenario i's folder with scenario.ini and lab-params.env; sets r->ready[i] when the
 * lab is to run it (else it is skipped, failed or a dry run, recorded). */
static void open_scenario(struct run *r, int i)
{
    const struct sm_runner_opts *o = r->o;
    char *dir = r->dir[i], path[4200];
    json_t *rec = json_array_get(r->list, (size_t)i);
    if (interrupted) {
        json_object_set_new(rec, "status", json_string("not run"));
        return;
    }
    if (!o->force && !o->dry_run && sm_runner_complete(dir, r->v[i])) {
        progress(r, i, "complete already, skipped");
        json_object_set_new(rec, "status", json_string("skipped"));
        r->skipped++;
        return;
    }
    snprintf(path, sizeof path, "%s/lava-job.id", dir);
    struct stat jst;
    int submitted = o->submit && stat(path, &jst) == 0;
    if (submitted)
        progress(r, i, "submitted earlier (%s): its job is waited for", path);
    else
        move_aside(dir);
    if (mkdir(dir, 0777) != 0 && !(submitted && errno == EEXIST)) {
        int e = errno;
        char why[4300];
        snprintf(why, sizeof why, "cannot make %s: %s", dir, strerror(e));
        fail_one(r, i, sm_reason_of_errno(e), why);
        return;
    }
    /* scenario.ini and the lab's parameter file; fallback notes to stderr and the record */
    char *ini = ini_text(r->v[i]), *notes = NULL, *params = NULL;
    size_t nl, pl;
    FILE *nf = open_memstream(&notes, &nl), *pf = open_memstream(&params, &pl);
    int werr = !ini || !nf || !pf || sm_scenario_write_lab_params(r->v[i], pf, nf) != 0;
    if (nf)
        fclose(nf);
    if (pf)
        fclose(pf);
    char werr_why[4400] = "cannot make the scenario files";
    int werr_kind = SM_REASON_SETUP;
    const char *const names[] = {"scenario.ini", "lab-params.env"};
    const char *texts[] = {ini, params};
    for (int f = 0; f < 2 && !werr; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        if (write_file(path, texts[f]) != 0) {
            int e = errno;
            werr = 1;
            werr_kind = sm_reason_of_errno(e);
            snprintf(werr_why, sizeof werr_why, "cannot write %s: %s", path, strerror(e));
        }
    }
    if (notes && *notes) {
        fputs(notes, stderr);
        json_object_set_new(rec, "notes", json_string(notes));
    }
    free(ini);
    free(notes);
    free(params);
    if (werr) {
        fail_one(r, i, werr_kind, werr_why);
    } else if (o->dry_run) {
        progress(r, i, "%s/lab-params.env written (dry run)", dir);
        json_object_set_new(rec, "status", json_string("dry run"));
    } else {
        r->ready[i] = 1;
        r->timeout[i] = (int)sm_scenario_long(r->v[i], K_TIMEOUT_S) + o->margin_s;
    }
}

/* Phase 2: what scenario i needs a boot for: `LAB --boot-key DIR/lab-params.env` (one line);
 * NULL when the lab cannot say (a stand-in lab, an older one): a boot of its own. */
static char *boot_key(const struct run *r, int i)
{
    char params[4200], keyp[4200], *buf;
    snprintf(params, sizeof params, "%s/lab-params.env", r->dir[i]);
    snprintf(keyp, sizeof keyp, "%s/.boot-key", r->dir[i]);
    const char *args[] = {"--boot-key", params};
    char **argv = make_argv(r->o->lab, args, 2, &buf);
    int timed_out = 0;
    int rc = argv ? run_cmd(argv, keyp, "/dev/null", 30, &timed_out) : -1;
    free(argv);
    free(buf);
    char *key = rc == 0 ? sm_read_text(keyp) : NULL;
    unlink(keyp);
    if (key && !*key) {
        free(key);
        key = NULL;
    }
    return key;
}

/* Why the lab gave scenario i no results: its run.json, else the lab's exit (rc, errno e) */
static int lab_failure(const struct run *r, int i, int rc, int e, int timed_out, int timeout,
                       char *reason, size_t len)
{
    const char *dir = r->dir[i], *lab = r->o->lab;
    int kind = -1;
    if (interrupted) {
        snprintf(reason, len, "stopped by %s during the lab run",
                 interrupted == SIGINT ? "SIGINT" : "SIGTERM");
        return SM_REASON_INTERRUPTED;
    }
    if (timed_out) {
        snprintf(reason, len,
                 "the lab still running after %d s (target.timeout_s + --margin): stopped",
                 timeout);
        return SM_REASON_TIMEOUT;
    }
    if (lab_verdict(dir, &kind, reason, len))
        progress(r, i, "the lab's run.json is %s.run.json (its folder's file system was full)",
                 dir);
    const char *sig = sm_signal_name(rc);
    if (kind >= 0)
        return kind; /* the lab's own words */
    if (rc < 0) {
        snprintf(reason, len, "cannot run the lab %s: %s", lab, strerror(e));
        return SM_REASON_SETUP;
    }
    if (rc == 127) {
        snprintf(reason, len, "cannot run the lab %s (exit 127: not found?)", lab);
        return SM_REASON_SETUP;
    }
    if (fs_full(dir)) {
        snprintf(reason, len,
                 "%s: no space left on device (the lab exited with %d and wrote no run.json)", dir,
                 rc);
        return SM_REASON_NO_SPACE;
    }
    if (sig)
        snprintf(reason, len, "the lab was killed by %s (exit %d), no run.json", sig, rc);
    else
        snprintf(reason, len, "the lab exited with %d and wrote no run.json", rc);
    return SM_REASON_LAB_FAILED;
}

/* Is DIR/run.json the lab's "ok"? (in a group the lab's exit covers every scenario) Sets
 * *wall to its wall_s (the scenario's own part of the boot), 0 when none. */
static int lab_ok(const char *dir, double *wall)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    json_t *j = json_load_file(path, 0, NULL);
    const char *st = json_string_value(json_object_get(j, "status"));
    int ok = st && !strcmp(st, "ok");
    *wall = json_number_value(json_object_get(j, "wall_s"));
    json_decref(j);
    return ok;
}

/* Phase 4: analysis.json and calls-trace.csv (analysis.json appears only when complete);
 * returns the reason kind, -1 when it succeeded */
static int analyze_one(const struct run *r, int i, char *reason, size_t len)
{
    const char *dir = r->dir[i];
    char csv[4200], tmp[4200], fin[4200], errp[4200], *buf;
    snprintf(csv, sizeof csv, "%s/calls-trace.csv", dir);
    snprintf(tmp, sizeof tmp, "%s/analysis.json.tmp", dir);
    snprintf(fin, sizeof fin, "%s/analysis.json", dir);
    snprintf(errp, sizeof errp, "%s/analyze.log", dir);
    const char *an_args[] = {dir, "--json", "--calls-csv", csv};
    char **argv = make_argv(r->o->analyzer, an_args, 4, &buf);
    progress(r, i, "analyzing");
    int timed_out = 0;
    int rc = argv ? run_cmd(argv, tmp, errp, r->timeout[i], &timed_out) : -1;
    free(argv);
    free(buf);
    echo_file(errp);
    int kind = -1;
    if (interrupted) {
        kind = SM_REASON_INTERRUPTED;
        snprintf(reason, len, "stopped by %s during the analysis",
                 interrupted == SIGINT ? "SIGINT" : "SIGTERM");
    } else if (rc != 0 || timed_out) {
        kind = SM_REASON_ANALYZER_FAILED;
        analyzer_reason(rc, timed_out, errp, reason, len);
        if (rc == 126 && fs_full(dir)) {
            kind = SM_REASON_NO_SPACE;
            snprintf(reason, len, "%s: no space left on device for the analysis", dir);
        }
    } else if (rename(tmp, fin) != 0) {
        int e = errno;
        kind = sm_reason_of_errno(e);
        snprintf(reason, len, "cannot write %s: %s", fin, strerror(e));
    }
    return kind;
}

/* What the lab's run.json (DIR/run.json) notes beside its verdict, copied into the scenario's
 * record: the host's load during the boot (host), calls smclat-gen logged not ok. */
static void copy_lab_notes(const char *dir, json_t *rec)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    json_t *j = json_load_file(path, 0, NULL);
    static const char *keys[] = {"host", "calls_not_ok", "calls_not_ok_by_error"};
    for (size_t k = 0; j && k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(j, keys[k]);
        if (v)
            json_object_set(rec, keys[k], v);
    }
    json_decref(j);
}

/* Phase 4 for scenario i after its lab run: the verdict (lab, then analyzer) in its record */
static void close_scenario(struct run *r, int i, int kind, const char *lab_reason, double t0)
{
    char reason[5000];
    snprintf(reason, sizeof reason, "%s", lab_reason);
    if (kind < 0)
        kind = analyze_one(r, i, reason, sizeof reason);
    double dt = now_s() - t0;
    json_t *rec = json_array_get(r->list, (size_t)i);
    json_object_set_new(rec, "wall_s", json_real(dt));
    copy_lab_notes(r->dir[i], rec);
    if (kind >= 0) {
        fprintf(stderr, "suite: [%d/%d] %s: FAILED after %.1f s: %s: %s (see %s/)\n", i + 1, r->n,
                sm_scenario_get(r->v[i], K_NAME), dt, sm_reason_name(kind), reason, r->dir[i]);
        failed_rec(rec, kind, reason);
        r->failed++;
    } else {
        progress(r, i, "ok in %.1f s", dt);
        json_object_set_new(rec, "status", json_string("ok"));
        r->ok++;
    }
    save_status(r->o->out, r->status);
}

/* --lava-jobs: the lab wrote scenario i's job (exit 0), or its run.json says why not */
static void jobs_written(struct run *r, int i, int rc, int e, int timed_out, int timeout)
{
    char reason[5000] = "";
    if (rc == 0 && !timed_out && !interrupted) {
        progress(r, i, "job written");
        json_object_set_new(json_array_get(r->list, (size_t)i), "status",
                            json_string("job written"));
        r->ok++;
        save_status(r->o->out, r->status);
        return;
    }
    int kind = lab_failure(r, i, rc, e, timed_out, timeout, reason, sizeof reason);
    fail_one(r, i, kind, reason);
}

/* A boot being run: the lab for the scenarios g[0..m-1] (one scenario: LAB PARAMS DIR; a
 * group of more: LAB --group DIR...); pid 0: a free slot. */
struct boot {
    pid_t pid;
    int *g, m, timeout, err, alone;
    double t0;
    struct limit limit;
    char logp[4200];
};

/* Can the scenarios g[0..m-1] boot beside another boot? Only in the lab's deterministic mode,
 * whose figures count instructions, not host time (docs/lab.md "Boots side by side"); an smp
 * boot pins its vCPU threads to the host's cores, and a real board is one board. */
static int shares_host(const struct run *r, const int *g, int m)
{
    for (int k = 0; k < m; k++)
        if (strcmp(sm_scenario_get(r->v[g[k]], K_MODE), "deterministic") ||
            strcmp(sm_scenario_get(r->v[g[k]], K_TARGET), "lab"))
            return 0;
    return 1;
}

/* Phase 3: starts the lab for b->g[0..b->m-1]; b->pid -1 when it could not start (b->err) */
static void start_boot(struct run *r, struct boot *b, int running)
{
    const int *g = b->g;
    int m = b->m, nargs = m == 1 ? 2 : m + 1;
    const char **args = calloc((size_t)nargs, sizeof *args);
    char params[4200], beside[64] = "", *buf;
    b->timeout = 0;
    for (int k = 0; k < m; k++)
        b->timeout += r->timeout[g[k]];
    if (running)
        snprintf(beside, sizeof beside, ", beside %d other boot(s)", running);
    if (m == 1) {
        snprintf(params, sizeof params, "%s/lab-params.env", r->dir[g[0]]);
        if (args) {
            args[0] = params;
            args[1] = r->dir[g[0]];
        }
        progress(r, g[0], "running (timeout %d s%s)", b->timeout, beside);
    } else {
        if (args)
            args[0] = "--group";
        for (int k = 0; k < m; k++) {
            if (args)
                args[k + 1] = r->dir[g[k]];
            progress(r, g[k], "running in one boot with %d other scenario(s) (timeout %d s%s)",
                     m - 1, b->timeout, beside);
        }
    }
    b->t0 = now_s();
    b->limit = (struct limit){b->t0 + b->timeout, 0};
    char **argv = args ? make_argv(r->o->lab, args, nargs, &buf) : NULL;
    snprintf(b->logp, sizeof b->logp, "%s/lab.log", r->dir[g[0]]);
    errno = ENOMEM;
    b->pid = argv ? spawn_cmd(argv, b->logp, NULL) : -1;
    b->err = errno;
    if (argv)
        free(buf);
    free(argv);
    free(args);
}

/* Phase 3's end for boot b (the lab's exit status rc), then each of its scenarios closed
 * (phase 4). The group's lab.log is in each folder. */
static void finish_boot(struct run *r, struct boot *b, int rc)
{
    const int *g = b->g;
    int m = b->m, timed_out = b->limit.timed_out;
    char *log = m > 1 ? sm_read_text(b->logp) : NULL;
    for (int k = 0; k < m; k++) {
        int i = g[k];
        char reason[5000] = "", logp[4200];
        if (k > 0 && log) {
            snprintf(logp, sizeof logp, "%s/lab.log", r->dir[i]);
            write_file(logp, log);
        }
        int kind = -1;
        double wall = 0;
        int ok = lab_ok(r->dir[i], &wall);
        if (r->o->jobs_only) {
            jobs_written(r, i, rc, b->err, timed_out, b->timeout);
            continue;
        }
        if (interrupted || timed_out || (m == 1 ? rc != 0 : !ok))
            kind = lab_failure(r, i, rc, b->err, timed_out, b->timeout, reason, sizeof reason);
        close_scenario(r, i, kind, reason, m == 1 ? b->t0 : now_s() - wall);
    }
    free(log);
    b->pid = 0;
}

/* Farm mode, before any wait: SUBMIT for the scenarios g[0..m-1] (one job); a refusal is in
 * their run.json, read when their turn to wait comes (the wait then fails at once) */
static void submit_boot(struct run *r, const int *g, int m)
{
    const char **args = calloc((size_t)m + 2, sizeof *args);
    char params[4200], logp[4200], *buf;
    if (!args)
        return;
    int nargs = m + 1;
    if (m == 1) {
        snprintf(params, sizeof params, "%s/lab-params.env", r->dir[g[0]]);
        args[0] = params;
        args[1] = r->dir[g[0]];
        nargs = 2;
    } else {
        args[0] = "--group";
        for (int k = 0; k < m; k++)
            args[k + 1] = r->dir[g[k]];
    }
    progress(r, g[0], "submitting the job of %d scenario(s)", m);
    char **argv = make_argv(r->o->submit, args, nargs, &buf);
    snprintf(logp, sizeof logp, "%s/submit.log", r->dir[g[0]]);
    int timed_out = 0;
    if (argv)
        run_cmd(argv, logp, NULL, 600, &timed_out);
    free(argv);
    free(buf);
    free(args);
}

/* The next boot's scenarios into g from *cursor on (those not done[] yet, the first's boot key
 * shared; --boot-per-scenario: each opened here, just before its run, as a lone run); returns
 * how many, 0 when none is left. A scenario left when the runner was stopped is "not run". */
static int next_boot(struct run *r, int *cursor, int *done, int *g)
{
    while (*cursor < r->n) {
        int i = (*cursor)++;
        if (r->o->boot_per_scenario)
            open_scenario(r, i);
        if (!r->ready[i] || done[i])
            continue;
        if (interrupted) {
            json_object_set_new(json_array_get(r->list, (size_t)i), "status",
                                json_string("not run"));
            continue;
        }
        int m = 0;
        for (int j = i; j < r->n; j++)
            if (r->ready[j] && !done[j] &&
                (j == i || (r->key[i] && r->key[j] && !strcmp(r->key[i], r->key[j])))) {
                g[m++] = j;
                done[j] = 1;
            }
        return m;
    }
    return 0;
}

/* Phase 3 for every scenario: at most o->jobs boots at once, in suite order; a boot that
 * cannot share the host (shares_host) runs alone. */
static void run_boots(struct run *r, int *done, int *pool)
{
    int jobs = r->o->jobs < 1                    ? 1
               : r->o->jobs > SM_RUNNER_MAX_JOBS ? SM_RUNNER_MAX_JOBS
                                                 : r->o->jobs;
    struct boot b[SM_RUNNER_MAX_JOBS] = {0};
    int cursor = 0, running = 0, alone = 0, next_m = 0, *next = pool;
    for (int k = 0; k < jobs; k++)
        b[k].g = pool + (size_t)(k + 1) * (size_t)r->n;
    for (;;) {
        if (!next_m && running < jobs && !alone) /* opened no earlier than a slot is free */
            next_m = next_boot(r, &cursor, done, next);
        if (next_m && interrupted) {
            for (int k = 0; k < next_m; k++)
                json_object_set_new(json_array_get(r->list, (size_t)next[k]), "status",
                                    json_string("not run"));
            next_m = 0;
            continue;
        }
        int shares = next_m && shares_host(r, next, next_m);
        if (next_m && running < jobs && !alone && (shares || !running)) {
            struct boot *f = b;
            while (f->pid)
                f++;
            memcpy(f->g, next, (size_t)next_m * sizeof *next);
            f->m = next_m;
            f->alone = !shares;
            next_m = 0;
            start_boot(r, f, running);
            if (f->pid < 0) {
                finish_boot(r, f, -1);
            } else {
                running++;
                alone = f->alone;
            }
            continue;
        }
        if (!running)
            break;
        int ended = 0, code;
        for (int k = 0; k < jobs; k++) {
            if (b[k].pid <= 0)
                continue;
            if (reap(b[k].pid, &code)) {
                running--;
                if (b[k].alone)
                    alone = 0;
                finish_boot(r, &b[k], code);
                ended = 1;
            } else {
                enforce_limit(b[k].pid, &b[k].limit);
            }
        }
        if (!ended)
            nap();
    }
}

/* Farm mode: every boot's job submitted (submit_boot) before any is waited for */
static void submit_all(struct run *r, int *done, int *g)
{
    int cursor = 0, m;
    while ((m = next_boot(r, &cursor, done, g)) > 0)
        submit_boot(r, g, m);
}

/* Phase 3 for every scenario to run: grouped by boot key (first appearance first) unless
 * o->boot_per_scenario or there is only one */
static void run_all(struct run *r)
{
    int jobs = r->o->jobs < 1                    ? 1
               : r->o->jobs > SM_RUNNER_MAX_JOBS ? SM_RUNNER_MAX_JOBS
                                                 : r->o->jobs;
    int *pool = calloc((size_t)(jobs + 1) * (size_t)r->n, sizeof *pool);
    int *done = calloc((size_t)r->n, sizeof *done);
    int nready = 0;
    for (int i = 0; i < r->n; i++)
        nready += r->ready[i];
    for (int i = 0; pool && done && nready > 1 && i < r->n; i++)
        if (r->ready[i] && !r->o->boot_per_scenario && !interrupted)
            r->key[i] = boot_key(r, i);
    if (pool && done && r->o->submit && !r->o->boot_per_scenario) {
        submit_all(r, done, pool);
        memset(done, 0, (size_t)r->n * sizeof *done);
    }
    if (pool && done)
        run_boots(r, done, pool);
    else
        fprintf(stderr, "smclat: out of memory\n");
    free(pool);
    free(done);
}

static void summary(struct run *r, double t_all)
{
    const struct sm_runner_opts *o = r->o;
    char dir_reserve[4200];
    json_object_set_new(r->status, "ok", json_integer(r->ok));
    json_object_set_new(r->status, "skipped", json_integer(r->skipped));
    json_object_set_new(r->status, "failed", json_integer(r->failed));
    json_object_set_new(r->status, "interrupted", json_boolean(interrupted != 0));
    save_status(o->out, r->status);
    snprintf(dir_reserve, sizeof dir_reserve, "%s/.suite.json.reserve", o->out);
    unlink(dir_reserve);
    fprintf(stderr, "suite: %d ok, %d skipped (complete), %d failed%s in %.0f s -> %s/\n", r->ok,
            r->skipped, r->failed, interrupted ? ", interrupted" : "", now_s() - t_all, o->out);
    for (size_t k = 0; k < json_array_size(r->list); k++) {
        json_t *rec = json_array_get(r->list, k);
        const char *st = json_string_value(json_object_get(rec, "status"));
        if (st && !strcmp(st, "failed"))
            fprintf(stderr, "suite: failed: %s: %s: %s\n",
                    json_string_value(json_object_get(rec, "name")),
                    json_string_value(json_object_get(rec, "reason_kind")),
                    json_string_value(json_object_get(rec, "reason")));
    }
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
    if (!o->dry_run && reserve(o->out) != 0)
        fprintf(stderr, "suite: %s: no room reserved for suite.json: %s\n", o->out,
                strerror(errno));
    struct run r = {.o = o, .v = v, .n = n, .status = json_object(), .list = json_array()};
    r.dir = calloc((size_t)n + 1, sizeof *r.dir);
    r.key = calloc((size_t)n + 1, sizeof *r.key);
    r.ready = calloc((size_t)n + 1, sizeof *r.ready);
    r.timeout = calloc((size_t)n + 1, sizeof *r.timeout);
    if (!r.dir || !r.key || !r.ready || !r.timeout) {
        fprintf(stderr, "smclat: out of memory\n");
        return -1;
    }
    json_object_set_new(r.status, "smclat_suite", json_integer(1));
    json_object_set_new(r.status, "suite", json_string(o->suite_name ? o->suite_name : ""));
    json_object_set_new(r.status, "lab", json_string(o->lab));
    json_object_set_new(r.status, "boots",
                        json_string(o->boot_per_scenario ? "per scenario" : "per group"));
    json_object_set_new(r.status, "scenarios", r.list);
    double t_all = now_s();
    for (int i = 0; i < n; i++) {
        const char *name = sm_scenario_get(v[i], K_NAME);
        snprintf(r.dir[i], sizeof r.dir[i], "%s/%s", o->out, name);
        json_t *rec = json_object();
        json_object_set_new(rec, "name", json_string(name));
        json_object_set_new(rec, "dir", json_string(r.dir[i]));
        json_array_append_new(r.list, rec);
    }
    if (!o->boot_per_scenario) /* else each is opened just before its run (next_boot) */
        for (int i = 0; i < n; i++)
            open_scenario(&r, i);
    run_all(&r);
    summary(&r, t_all);
    for (int i = 0; i < n; i++)
        free(r.key[i]);
    free(r.dir);
    free(r.key);
    free(r.ready);
    free(r.timeout);
    json_decref(r.status);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return r.failed + (interrupted ? 1 : 0);
}
