/* Unit tests: the xen transport's grant reference list (what the mediator publishes in
 * xenstore and the client parses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "xen_refs.h"

static void round_trip(void **state)
{
    (void)state;
    uint32_t refs[17], back[17];
    for (int i = 0; i < 17; i++)
        refs[i] = (uint32_t)(i * 1000003u) ^ 0x80000000u;
    char s[17 * 11 + 1];
    assert_int_equal(sm_grant_refs_format(s, sizeof s, refs, 17), 0);
    assert_int_equal(sm_grant_refs_parse(s, back, 17), 17);
    assert_memory_equal(refs, back, sizeof refs);
    uint32_t one;
    assert_int_equal(sm_grant_refs_parse("4294967295", &one, 1), 1);
    assert_int_equal(one, 4294967295u);
}

static void bad_lists(void **state)
{
    (void)state;
    uint32_t r[4];
    const char *bad[] = {"",         "1,", ",1",  "1,,2", "1, 2",       " 1",
                         "-1",       "+1", "1;2", "0x10", "4294967296", "99999999999999999999",
                         "1,2,3,4,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sm_grant_refs_parse(bad[i], r, 4), -1);
    assert_int_equal(sm_grant_refs_parse(NULL, r, 4), -1);
    assert_int_equal(sm_grant_refs_parse("8,9", r, 4), 2);
    assert_int_equal(r[1], 9);
}

static void format_too_small(void **state)
{
    (void)state;
    uint32_t refs[3] = {100, 200, 300};
    char s[11];
    assert_int_equal(sm_grant_refs_format(s, sizeof s, refs, 3), -1); /* needs 12 bytes */
    char t[12];
    assert_int_equal(sm_grant_refs_format(t, sizeof t, refs, 3), 0);
    assert_string_equal(t, "100,200,300");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(bad_lists),
        cmocka_unit_test(format_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
