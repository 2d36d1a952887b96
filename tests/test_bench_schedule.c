/* Unit tests: the frame flows and the pacing plan (deadlines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "schedule.h"

static struct sm_schedule base(enum sm_flow flow, double fps, uint64_t frames)
{
    struct sm_schedule s;
    memset(&s, 0, sizeof s);
    s.flow = flow;
    s.fps = fps;
    s.frames = frames;
    s.burst = 1;
    s.even = 1;
    return s;
}

/* Walks the plan: counts ops, checks that deadlines never go back. */
static void walk(const struct sm_schedule *s, uint64_t counts[SM_OP_COUNT], uint64_t *total)
{
    memset(counts, 0, SM_OP_COUNT * sizeof counts[0]);
    *total = 0;
    uint64_t last = 0;
    for (uint64_t f = 0; f < s->frames; f++) {
        for (uint32_t k = 0; k < sm_schedule_calls_in_frame(s, f); k++) {
            enum sm_op op = sm_schedule_op(s, f, k);
            assert_true(op > SM_OP_NONE && op < SM_OP_COUNT);
            counts[op]++;
            uint64_t d = sm_schedule_deadline_ns(s, f, k);
            assert_true(d >= last);
            last = d;
            (*total)++;
        }
    }
}

static void optimized_flow(void **state)
{
    (void)state;
    struct sm_schedule s = base(SM_FLOW_OPTIMIZED, 24, 48);
    uint64_t c[SM_OP_COUNT], total;
    walk(&s, c, &total);
    assert_int_equal(c[SM_OP_REGISTER], 1);
    assert_int_equal(c[SM_OP_PROCESS], 48);
    assert_int_equal(c[SM_OP_UNREGISTER], 1);
    assert_int_equal(total, sm_schedule_total_calls(&s));
    assert_int_equal(sm_schedule_op(&s, 0, 0), SM_OP_REGISTER);
    assert_int_equal(sm_schedule_op(&s, 47, 1), SM_OP_UNREGISTER);
    assert_int_equal(sm_schedule_ops_per_frame(&s), 1);
    assert_true(sm_schedule_calls_per_s(&s) == 24.0);
}

static void unoptimized_flow(void **state)
{
    (void)state;
    struct sm_schedule s = base(SM_FLOW_UNOPTIMIZED, 60, 120);
    uint64_t c[SM_OP_COUNT], total;
    walk(&s, c, &total);
    assert_int_equal(c[SM_OP_REGISTER], 120);
    assert_int_equal(c[SM_OP_PROCESS], 120);
    assert_int_equal(c[SM_OP_UNREGISTER], 120);
    assert_int_equal(total, 360);
    assert_int_equal(total, sm_schedule_total_calls(&s));
    assert_true(sm_schedule_calls_per_s(&s) == 180.0);
    /* even spacing: 180 calls/s -> one call every 5.556 ms */
    assert_int_equal(sm_schedule_deadline_ns(&s, 0, 1), 16666667 / 3);
    assert_int_equal(sm_schedule_deadline_ns(&s, 1, 0), 16666667);
    s.even = 0; /* back to back: every call of a frame at the frame's deadline */
    assert_int_equal(sm_schedule_deadline_ns(&s, 1, 2), sm_schedule_deadline_ns(&s, 1, 0));
    s.no_unregister = 1;
    walk(&s, c, &total);
    assert_int_equal(c[SM_OP_UNREGISTER], 0);
    assert_int_equal(total, 240);
}

static void absolute_deadlines(void **state)
{
    (void)state;
    /* 24 fps for 10 hours: the deadline of a frame is computed, never summed, so frame N is
     * exactly N/24 s away (rounded to the ns) */
    struct sm_schedule s = base(SM_FLOW_OPTIMIZED, 24, 864000);
    assert_int_equal(sm_schedule_deadline_ns(&s, 863999, 0), 35999958333333ull);
    s.fps = 29.97;
    assert_int_equal(sm_schedule_deadline_ns(&s, 2997, 0), 100000000000ull);
}

static void bursts_and_jitter(void **state)
{
    (void)state;
    struct sm_schedule s = base(SM_FLOW_OPTIMIZED, 100, 100);
    s.burst = 4;
    /* frames 4..7 share the deadline of frame 4 */
    for (uint64_t f = 4; f < 8; f++)
        assert_int_equal(sm_schedule_deadline_ns(&s, f, 0), 40000000);
    assert_int_equal(sm_schedule_deadline_ns(&s, 8, 0), 80000000);

    s = base(SM_FLOW_OPTIMIZED, 100, 1000);
    s.jitter_ns = 2000000;
    s.seed = 7;
    uint64_t moved = 0;
    for (uint64_t f = 1; f < 1000; f++) {
        uint64_t nominal = f * 10000000ull;
        uint64_t d = sm_schedule_deadline_ns(&s, f, 0);
        assert_true(d >= nominal && d < nominal + s.jitter_ns);
        moved += d != nominal;
    }
    assert_true(moved > 900); /* really jittered */
    uint64_t d7 = sm_schedule_deadline_ns(&s, 5, 0);
    s.seed = 8;
    assert_int_not_equal(d7, sm_schedule_deadline_ns(&s, 5, 0)); /* the seed matters */
    s.seed = 7;
    assert_int_equal(d7, sm_schedule_deadline_ns(&s, 5, 0)); /* and is reproducible */
}

static void checks(void **state)
{
    (void)state;
    char err[256];
    struct sm_schedule s = base(SM_FLOW_OPTIMIZED, 24, 10);
    assert_int_equal(sm_schedule_check(&s, err, sizeof err), 0);
    s.fps = 0;
    assert_int_equal(sm_schedule_check(&s, err, sizeof err), -1);
    assert_non_null(strstr(err, "--fps"));
    s = base(SM_FLOW_OPTIMIZED, 24, 10);
    s.warmup_frames = 10;
    assert_int_equal(sm_schedule_check(&s, err, sizeof err), -1);
    s = base(SM_FLOW_OPTIMIZED, 24, 10);
    s.jitter_ns = 50000000; /* longer than 1/24 s */
    assert_int_equal(sm_schedule_check(&s, err, sizeof err), -1);
    enum sm_flow f;
    assert_int_equal(sm_flow_parse("unoptimized", &f), 0);
    assert_int_equal(f, SM_FLOW_UNOPTIMIZED);
    assert_int_equal(sm_flow_parse("fast", &f), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(optimized_flow),
        cmocka_unit_test(unoptimized_flow),
        cmocka_unit_test(absolute_deadlines),
        cmocka_unit_test(bursts_and_jitter),
        cmocka_unit_test(checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
