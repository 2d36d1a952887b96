#include "json_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
