/* libFuzzer target: scenario and suite files (reports/scenario.c, reports/suite.c) on arbitrary
 * bytes. Any input is read or refused with "FILE:LINE: ..." / "FILE: ..." naming the file;
 * a scenario read is written back (scenario.ini) and reads again to the same values; writing the
 * lab's parameters never fails. Never a crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64], path2[64];

static void put(const char *p, const void *d, size_t n)
{
    FILE *f = fopen(p, "w");
    if (!f)
        __builtin_trap();
    fwrite(d, 1, n, f);
    fclose(f);
}

static void cleanup(void)
{
    unlink(path);
    unlink(path2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/smclat-fuzz-%d.ini", (int)getpid());
        snprintf(path2, sizeof path2, "/tmp/smclat-fuzz-%d-2.ini", (int)getpid());
        atexit(cleanup);
    }
    put(path, data, size);
    char err[SM_ERR_MAX] = "";
    struct sm_scenario *s = sm_scenario_load(path, err, sizeof err);
    if (!s) {
        if (strncmp(err, path, strlen(path)) != 0 && strncmp(err, "out of memory", 13) != 0 &&
            !strchr(err, ':'))
            __builtin_trap(); /* every error says where */
    } else {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (!m || sm_scenario_write_ini(s, m) != 0)
            __builtin_trap();
        fclose(m);
        put(path2, buf, len);
        free(buf);
        struct sm_scenario *s2 = sm_scenario_load(path2, err, sizeof err);
        if (!s2)
            __builtin_trap(); /* what we write, we read */
        for (int k = 0; k < K_COUNT; k++) {
            const char *a = sm_scenario_get(s, (enum sm_key)k);
            const char *b = sm_scenario_get(s2, (enum sm_key)k);
            if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
                __builtin_trap();
        }
        m = open_memstream(&buf, &len);
        if (!m || sm_scenario_write_lab_params(s, m, NULL) != 0)
            __builtin_trap();
        fclose(m);
        free(buf);
        sm_scenario_free(s2);
        sm_scenario_free(s);
    }
    /* the same bytes as a suite */
    struct sm_suite *su = sm_suite_load(path, err, sizeof err);
    if (su) {
        struct sm_scenario **v;
        int n;
        if (sm_suite_count(su) <= 1000 &&
            sm_suite_expand(su, NULL, 0, &v, &n, err, sizeof err) == 0)
            sm_scenarios_free(v, n);
        sm_suite_free(su);
    }
    return 0;
}
