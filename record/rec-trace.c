#include "rec-trace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void rec_trace_scan_buf(const uint32_t *words, size_t nbytes, struct rec_trace_scan *out)
{
    memset(out, 0, sizeof *out);
    out->bytes = nbytes;
    size_t nwords = nbytes / 4, i = 0;
    while (i < nwords) {
        uint32_t h = words[i];
        uint32_t id = h & 0x0fffffffu;
        size_t extra = (h >> 28) & 7u;
        size_t len = 1 + ((h >> 31) ? 2 : 0) + extra;
        if (i + len > nwords)
            break;
        out->records++;
        if (id == REC_TRC_LOST_RECORDS) {
            out->lost_record_events++;
            /* payload word 0: how many records were lost (after the timestamp if any) */
            if (extra >= 1)
                out->lost_records += words[i + 1 + ((h >> 31) ? 2 : 0)];
        }
        i += len;
    }
    out->truncated_bytes = nbytes - i * 4;
}

int rec_trace_dom_add(const uint32_t *words, size_t nbytes, uint64_t *created, size_t n)
{
    size_t nwords = nbytes / 4, i = 0;
    int found = 0;
    while (i < nwords) {
        uint32_t h = words[i];
        size_t extra = (h >> 28) & 7u, ts = (h >> 31) ? 2 : 0;
        size_t len = 1 + ts + extra;
        if (i + len > nwords)
            break;
        if ((h & 0x0fffffffu) == REC_TRC_DOM_ADD && ts && extra >= 1) {
            uint32_t domid = words[i + 3];
            uint64_t t = words[i + 1] | (uint64_t)words[i + 2] << 32;
            if (domid < n && created[domid] == 0) {
                created[domid] = t;
                found++;
            }
        }
        i += len;
    }
    return found;
}

/* Maps a whole file; *len 0 with NULL for an empty file. */
static const uint32_t *map_file(const char *path, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return MAP_FAILED;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return MAP_FAILED;
    }
    *len = (size_t)st.st_size;
    if (st.st_size == 0) {
        close(fd);
        return NULL;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
    return m;
}

int rec_trace_dom_add_file(const char *path, uint64_t *created, size_t n, char *err, size_t errlen)
{
    size_t len = 0;
    const uint32_t *m = map_file(path, &len, err, errlen);
    if (m == MAP_FAILED)
        return -1;
    int found = m ? rec_trace_dom_add(m, len, created, n) : 0;
    if (m)
        munmap((void *)m, len);
    return found;
}

int rec_trace_scan_file(const char *path, struct rec_trace_scan *out, char *err, size_t errlen)
{
    size_t len = 0;
    const uint32_t *m = map_file(path, &len, err, errlen);
    if (m == MAP_FAILED)
        return -1;
    rec_trace_scan_buf(m ? m : (const uint32_t *)"", len, out);
    if (m)
        munmap((void *)m, len);
    return 0;
}

static volatile sig_atomic_t child_pid, stopped_by;

/* SIGINT/SIGTERM while recording: stop xentrace the way it expects (it then flushes its
 * buffers and exits), and report what it wrote. */
static void forward_signal(int sig)
{
    stopped_by = sig;
    if (child_pid > 0)
        kill((pid_t)child_pid, sig == SIGTERM ? SIGINT : sig);
}

int rec_trace_run(const char *xentrace, const char *file, unsigned seconds, unsigned pages,
                  const char *mask, char *err, size_t errlen)
{
    char secs[16], npages[16];
    snprintf(secs, sizeof secs, "%u", seconds);
    snprintf(npages, sizeof npages, "%u", pages);
    char *argv[] = {(char *)xentrace, "-D", "-S", npages,       "-e",
                    (char *)mask,     "-T", secs, (char *)file, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(xentrace, argv);
        fprintf(stderr, "smclat record: cannot run %s: %s\n", xentrace, strerror(errno));
        _exit(127);
    }
    child_pid = pid;
    stopped_by = 0;
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = forward_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int status;
    int rc = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            rc = -1;
            break;
        }
    }
    child_pid = 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rc != 0)
        return rc;
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 127) {
            snprintf(err, errlen, "cannot run %s", xentrace);
            return -1;
        }
        return WEXITSTATUS(status);
    }
    snprintf(err, errlen, "%s killed by signal %d", xentrace, WTERMSIG(status));
    return 128 + WTERMSIG(status);
}

int rec_trace_stopped_by(void)
{
    return stopped_by;
}
