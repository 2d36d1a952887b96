/* libFuzzer target: the xentrace reader and decoder on arbitrary bytes. Any input must end
 * in records, a clean end or an error message: never a crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "xt_event.h"
#include "xt_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xt_reader *r;
    struct xt_error err;
    if (xt_open_mem(&r, data, size, "fuzz.bin", &err) != 0) {
        if (!strstr(err.msg, "fuzz.bin: offset") || (size > 0 && err.offset >= size))
            __builtin_trap(); /* every error names the file and offset */
        return 0;
    }
    if (size % 2) /* half the inputs also exercise skipping (as the analyzer reads) */
        xt_set_skip(r, 0x0ffff000u, 0x00022000u);
    struct xt_record rec;
    uint64_t last = 0, n = 0;
    int rc;
    while ((rc = xt_next(r, &rec, &err)) == 1) {
        struct xt_event ev;
        xt_decode(&rec, &ev);
        if (rec.offset >= size || rec.n_extra > XT_MAX_EXTRA)
            __builtin_trap();
        (void)last;
        last = rec.tsc;
        n++;
    }
    if (rc < 0 && (err.offset >= size || !strstr(err.msg, "fuzz.bin: offset")))
        __builtin_trap(); /* a broken record lies inside the input, and the message says where */
    if (xt_stats(r)->records != n + xt_stats(r)->skipped)
        __builtin_trap();
    xt_close(r);
    return 0;
}
