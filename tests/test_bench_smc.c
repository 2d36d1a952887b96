/* Unit tests: the user side of the SMC module's ioctl, and of the TEE UAPI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "smc_user.h"
#include "tee_user.h"

static void build(void **state)
{
    (void)state;
    struct smclat_smc_call c;
    memset(&c, 0xaa, sizeof c);
    sm_smc_build(&c, 0x32000004u, SMCLAT_SMC_HVC, 7, 4096, 99);
    assert_int_equal(c.abi, SMCLAT_SMC_ABI);
    assert_int_equal(c.flags, SMCLAT_SMC_HVC);
    assert_int_equal(c.args[0], 0x32000004u);
    assert_int_equal(c.args[1], 7);
    assert_int_equal(c.args[2], 4096);
    assert_int_equal(c.args[3], 99);
    for (int i = 4; i < 8; i++)
        assert_int_equal(c.args[i], 0); /* nothing left over from before */
    assert_int_equal(c.res[0], 0);
    assert_int_equal(c.cntvct_after, 0);
    /* the ioctl numbers carry the argument's size: a layout change changes them */
    assert_int_equal(_IOC_SIZE(SMCLAT_SMC_IOC_CALL), sizeof(struct smclat_smc_call));
    assert_int_equal(sizeof(struct smclat_smc_call), 8 + 8 * 8 + 4 * 8 + 16);
}

static void returned_values(void **state)
{
    (void)state;
    /* Xen's answers (smc-notes.md): ARM_SMCCC_VERSION -> 0x10001, OP-TEE ids -> -1 */
    assert_int_equal(sm_smc_status(SM_SMCCC_VERSION_FID, 0x10001), SM_OK);
    assert_int_equal(sm_smc_ret(SM_SMCCC_VERSION_FID, 0x10001), 0x10001);
    assert_int_equal(sm_smc_status(0x32000004u, 0xffffffffffffffffull), SM_EREFUSED);
    assert_int_equal(sm_smc_ret(0x32000004u, 0xffffffffffffffffull), -1);
    /* an SMC32 id: only w0 counts */
    assert_int_equal(sm_smc_status(0xbf00ff01u, 0x00000000ffffffffull), SM_EREFUSED);
    assert_int_equal(sm_smc_ret(0xbf00ff01u, 0x00000000ffffffffull), -1);
    /* an SMC64 id (bit 30): 0xffffffff is a positive value */
    assert_int_equal(sm_smc_status(0xc2000001u, 0x00000000ffffffffull), SM_OK);
    assert_int_equal(sm_smc_status(0xc2000001u, (uint64_t)-3), SM_EREFUSED);
}

static void messages(void **state)
{
    (void)state;
    char m[384];
    sm_smc_open_error(m, sizeof m, "/dev/smclat-smc", ENOENT);
    assert_non_null(strstr(m, "insmod smclat_smc.ko"));
    sm_smc_open_error(m, sizeof m, "/dev/smclat-smc", EACCES);
    assert_non_null(strstr(m, "run as root"));
    struct smclat_smc_info info;
    memset(&info, 0, sizeof info);
    info.abi = SMCLAT_SMC_ABI;
    strcpy(info.release, "6.1.0-56-arm64");
    assert_int_equal(sm_smc_check_info(&info, "6.1.0-56-arm64", m, sizeof m), 0);
    assert_int_equal(sm_smc_check_info(&info, "6.1.0-57-arm64", m, sizeof m), -1);
    assert_non_null(strstr(m, "built for kernel 6.1.0-56-arm64"));
    info.abi = SMCLAT_SMC_ABI + 1;
    assert_int_equal(sm_smc_check_info(&info, "6.1.0-56-arm64", m, sizeof m), -1);
    assert_non_null(strstr(m, "ABI"));
}

static void tee_uuid(void **state)
{
    (void)state;
    uint8_t u[TEE_IOCTL_UUID_LEN];
    assert_int_equal(sm_tee_parse_uuid("8aaaf200-2450-11e4-abe2-0002a5d5c51b", u), 0);
    const uint8_t want[16] = {0x8a, 0xaa, 0xf2, 0x00, 0x24, 0x50, 0x11, 0xe4,
                              0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b};
    assert_memory_equal(u, want, 16);
    assert_int_equal(sm_tee_parse_uuid("8aaaf200-2450-11e4-abe2-0002a5d5c51", u), -1);
    assert_int_equal(sm_tee_parse_uuid("8aaaf200-2450-11e4-abe2-0002a5d5c51bb", u), -1);
    assert_int_equal(sm_tee_parse_uuid("8aaaf200_2450-11e4-abe2-0002a5d5c51b", u), -1);
    assert_int_equal(sm_tee_parse_uuid("8aaaf200-2450-11e4-abe2-0002a5d5c5zz", u), -1);
    assert_int_equal(sm_tee_parse_uuid("", u), -1);
}

static void tee_blocks(void **state)
{
    (void)state;
    struct sm_tee_invoke_block b;
    sm_tee_build_invoke(&b, 5, 3, 11, 4096, 77);
    assert_int_equal(b.arg.session, 5);
    assert_int_equal(b.arg.func, 3);
    assert_int_equal(b.arg.num_params, 2);
    assert_int_equal(b.params[0].attr, TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT);
    assert_int_equal(b.params[0].b, 4096);
    assert_int_equal(b.params[0].c, 11);
    assert_int_equal(b.params[1].attr, TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT);
    assert_int_equal(b.params[1].a, 77);
    struct sm_tee_open_block o;
    uint8_t u[16] = {1, 2, 3};
    sm_tee_build_open(&o, u);
    assert_int_equal(o.arg.clnt_login, TEE_IOCTL_LOGIN_PUBLIC);
    assert_memory_equal(o.arg.uuid, u, 16);
    assert_int_equal(o.arg.num_params, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build),    cmocka_unit_test(returned_values), cmocka_unit_test(messages),
        cmocka_unit_test(tee_uuid), cmocka_unit_test(tee_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
