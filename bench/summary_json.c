#include "summary_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

json_t *sm_hist_json(const struct sm_hist *h)
{
    return json_pack("{s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I}", "count",
                     (json_int_t)sm_hist_count(h), "min", (json_int_t)sm_hist_min(h), "mean",
                     sm_hist_mean(h), "p50", (json_int_t)sm_hist_percentile(h, 50), "p90",
                     (json_int_t)sm_hist_percentile(h, 90), "p99",
                     (json_int_t)sm_hist_percentile(h, 99), "p99_9",
                     (json_int_t)sm_hist_percentile(h, 99.9), "max", (json_int_t)sm_hist_max(h));
}

int sm_json_write_file(json_t *j, const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        if (!errno)
            errno = EIO;
        return -1;
    }
    return rename(tmp, path);
}
