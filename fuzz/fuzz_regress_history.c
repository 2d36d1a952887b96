/* libFuzzer target: smclat regress histories (reports/regress.c) on arbitrary bytes. Any input is
 * read or refused with "FILE:LINE: ..." naming the file; a history read is checked as if its
 * last line were the newest run: validation, the newest-run check, the change points over
 * every configuration and figure (with and without --since), the JUnit report and the summary.
 * Every change point names a commit of the history and lies inside it; every verdict is one of
 * the documented ones. Never a crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void cleanup(void)
{
    unlink(path);
}

static void check_series(const json_t *series, size_t runs)
{
    static const char *const verdicts[] = {"regression", "improvement",  "same",
                                           "no change",  "too few runs", "not in this run"};
    size_t i;
    const json_t *s;
    json_array_foreach(series, i, s)
    {
        const char *v = json_string_value(json_object_get(s, "verdict"));
        int known = 0;
        for (size_t k = 0; v && k < sizeof verdicts / sizeof *verdicts; k++)
            known |= !strcmp(v, verdicts[k]);
        if (!known)
            __builtin_trap();
        size_t c;
        const json_t *cp;
        json_array_foreach(json_object_get(s, "change_points"), c, cp)
        {
            json_int_t run = json_integer_value(json_object_get(cp, "run"));
            if (!json_is_string(json_object_get(cp, "commit")) || run < 2 || (size_t)run > runs)
                __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/smclat-fuzz-%d.jsonl", (int)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(path, "w");
    if (!f)
        __builtin_trap();
    fwrite(data, 1, size, f);
    fclose(f);
    char err[1024];
    json_t *h = sm_regress_load(path, err, sizeof err);
    if (!h) {
        if (strncmp(err, path, strlen(path)) != 0)
            __builtin_trap(); /* every refusal names the file */
        return 0;
    }
    size_t n = json_array_size(h);
    if (n == 0) {
        json_decref(h);
        return 0;
    }
    json_t *entry = json_deep_copy(json_array_get(h, n - 1));
    json_array_remove(h, n - 1);
    struct sm_regress_opts o;
    sm_regress_default_opts(&o);
    o.iters = 100;
    o.permutations = 19;
    o.cp_alpha = 0.05;
    json_t *warnings = json_array();
    if (sm_regress_validate(h, entry, warnings, err, sizeof err) == 0) {
        json_t *report = NULL;
        sm_regress_check(h, entry, &o, &report);
        json_t *all = json_copy(h);
        json_array_append(all, entry);
        const char *since = json_string_value(json_object_get(json_array_get(all, 0), "commit"));
        for (int pass = 0; pass < 2; pass++) {
            json_t *series = sm_regress_changes(all, &o, pass ? since : NULL);
            check_series(series, json_array_size(all));
            FILE *null = fopen("/dev/null", "w");
            if (null) {
                sm_regress_junit(null, "c", "d", report, series);
                sm_regress_summary_md(null, "c", report, series, warnings, n, &o);
                fclose(null);
            }
            json_decref(series);
        }
        json_decref(report);
        json_decref(all);
    }
    json_decref(warnings);
    json_decref(entry);
    json_decref(h);
    return 0;
}
