/* The failure taxonomy: every kind has a distinct word that parses back, errno and signal
 * mapping (docs/robustness.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "reason.h"

#include <errno.h>
#include <string.h>

static void names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < SM_REASON_COUNT; k++) {
        const char *n = sm_reason_name(k);
        assert_non_null(n);
        assert_non_null(sm_reason_describe(k));
        assert_int_equal(sm_reason_parse(n), k);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(n, sm_reason_name(j));
    }
    assert_null(sm_reason_name(SM_REASON_COUNT));
    assert_int_equal(sm_reason_parse("no such kind"), -1);
    assert_int_equal(sm_reason_parse(NULL), -1);
    assert_int_equal(sm_reason_parse("timeout"), SM_REASON_TIMEOUT);
    assert_string_equal(sm_reason_name(SM_REASON_EMULATOR_KILLED), "emulator_killed");
}

static void errno_and_signals(void **state)
{
    (void)state;
    assert_int_equal(sm_reason_of_errno(ENOSPC), SM_REASON_NO_SPACE);
    assert_int_equal(sm_reason_of_errno(EDQUOT), SM_REASON_NO_SPACE);
    assert_int_equal(sm_reason_of_errno(EIO), SM_REASON_IO_ERROR);
    assert_int_equal(sm_reason_of_errno(EROFS), SM_REASON_IO_ERROR);
    assert_string_equal(sm_signal_name(137), "SIGKILL");
    assert_string_equal(sm_signal_name(139), "SIGSEGV");
    assert_string_equal(sm_signal_name(143), "SIGTERM");
    assert_null(sm_signal_name(1));
    assert_null(sm_signal_name(128));
    assert_null(sm_signal_name(124));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(errno_and_signals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
