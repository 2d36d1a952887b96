/* Suites: matrix expansion (names, order, override precedence), list entries, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "report_testutil.h"
#include "suite.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    if (!dir)
        return -1;
    free(tu_write(dir, "base.ini", "[load]\nfps = 24\nflow = optimized\n[topology]\npcpus = 2\n"));
    free(tu_write(dir, "other.ini", "[load]\nfps = 100\n[sched]\nscheduler = credit\n"));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rm_tree(dir);
    free(dir);
    return 0;
}

static const char matrix_suite[] = "[suite]\n"
                                   "name = m\n"
                                   "base = base.ini\n"
                                   "[load 24fps]\n"
                                   "load.fps = 24\n"
                                   "[load 60fps]\n"
                                   "load.fps = 60\n"
                                   "load.flow = unoptimized\n"
                                   "[sched credit2]\n"
                                   "sched.scheduler = credit2\n"
                                   "[sched credit]\n"
                                   "sched.scheduler = credit\n"
                                   "[sched pool]\n"
                                   "sched.pools = med:null:1\n"
                                   "sched.mediator_pool = med\n"
                                   "[scenario extra]\n"
                                   "file = other.ini\n"
                                   "load.frames = 10\n";

static void test_matrix(void **state)
{
    (void)state;
    char err[SM_ERR_MAX] = "";
    char *p = tu_write(dir, "m.suite", matrix_suite);
    struct sm_suite *s = sm_suite_load(p, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(s->naxes, 2);
    assert_int_equal(sm_suite_count(s), 2 * 3 + 1);
    struct sm_scenario **v;
    int n;
    assert_int_equal(sm_suite_expand(s, NULL, 0, &v, &n, err, sizeof err), 0);
    assert_int_equal(n, 7);
    static const char *names[] = {"24fps.credit2", "24fps.credit", "24fps.pool", "60fps.credit2",
                                  "60fps.credit",  "60fps.pool",   "extra"};
    for (int i = 0; i < n; i++)
        assert_string_equal(sm_scenario_get(v[i], K_NAME), names[i]);
    /* each axis's values land, base values stay */
    assert_true(sm_scenario_double(v[4], K_FPS) == 60.0);
    assert_string_equal(sm_scenario_get(v[4], K_FLOW), "unoptimized");
    assert_string_equal(sm_scenario_get(v[4], K_SCHEDULER), "credit");
    assert_string_equal(sm_scenario_get(v[1], K_FLOW), "optimized");
    assert_string_equal(sm_scenario_get(v[2], K_MEDIATOR_POOL), "med");
    assert_string_equal(sm_scenario_get(v[0], K_MEDIATOR_POOL), "Pool-0");
    /* the override's origin is the suite file and line */
    assert_string_equal(v[3]->v[K_FPS].file, p);
    assert_int_equal(v[3]->v[K_FPS].line, 7);
    /* list entry: its own file, then its keys */
    assert_true(sm_scenario_double(v[6], K_FPS) == 100.0);
    assert_int_equal(sm_scenario_long(v[6], K_FRAMES), 10);
    assert_string_equal(sm_scenario_get(v[6], K_SCHEDULER), "credit");
    sm_scenarios_free(v, n);

    /* --set overrides beat everything */
    const char *ov[] = {"load.fps=30", "topology.mode=deterministic", "topology.pcpus=1",
                        "sched.pools="};
    assert_int_equal(sm_suite_expand(s, ov, 4, &v, &n, err, sizeof err), -1);
    /* pools emptied but mediator_pool still names med */
    assert_non_null(strstr(err, "scenario 24fps.pool: "));
    assert_non_null(strstr(err, "sched.mediator_pool: expected Pool-0 or a pool of sched.pools"));
    assert_int_equal(sm_suite_expand(s, ov, 3, &v, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "pool 'med' uses a CPU beyond topology.pcpus = 1"));
    assert_int_equal(sm_suite_expand(s, ov, 1, &v, &n, err, sizeof err), 0);
    for (int i = 0; i < n; i++)
        assert_true(sm_scenario_double(v[i], K_FPS) == 30.0);
    sm_scenarios_free(v, n);
    sm_suite_free(s);
    free(p);
}

static void test_list_only(void **state)
{
    (void)state;
    char err[SM_ERR_MAX];
    char *p =
        tu_write(dir, "l.suite", "[scenario a]\nfile = base.ini\n[scenario b]\nfile = other.ini\n");
    struct sm_suite *s = sm_suite_load(p, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(s->name, "l");
    assert_int_equal(sm_suite_count(s), 2);
    struct sm_scenario **v;
    int n;
    assert_int_equal(sm_suite_expand(s, NULL, 0, &v, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(sm_scenario_get(v[1], K_SCHEDULER), "credit");
    sm_scenarios_free(v, n);
    sm_suite_free(s);
    free(p);
}

static void expect_error(const char *text, const char *want)
{
    char err[SM_ERR_MAX] = "";
    char *p = tu_write(dir, "bad.suite", text);
    struct sm_suite *s = sm_suite_load(p, err, sizeof err);
    if (s) { /* some errors show only when expanding */
        struct sm_scenario **v;
        int n;
        assert_int_equal(sm_suite_expand(s, NULL, 0, &v, &n, err, sizeof err), -1);
        sm_suite_free(s);
    }
    char full[SM_ERR_MAX + 256];
    snprintf(full, sizeof full, want, p);
    assert_string_equal(err, full);
    free(p);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("[load a]\nload.fps = fast\n",
                 "%s:2: [load a] load.fps: expected a number, found 'fast'");
    expect_error("[load a]\nload.speed = 3\n",
                 "%s:2: load a.load.speed: expected a scenario key like load.fps, found "
                 "'load.speed'");
    expect_error("[load]\nfps = 3\n",
                 "%s:2: load.fps: a suite sets scenario keys inside [AXIS VARIANT] sections (as "
                 "load.fps = ...) or in its base scenario");
    expect_error("[suite]\nname = x\n",
                 "%s: no scenarios (expected [AXIS VARIANT] or [scenario NAME] sections)");
    expect_error("[load a b]\nload.fps = 3\n",
                 "%s:2: [load a b]: expected [suite], [AXIS VARIANT] or [scenario NAME], found "
                 "[load a b]");
    expect_error("[load a/b]\nload.fps = 3\n",
                 "%s:2: [load a/b]: expected a name of letters, digits, '-' and '_', found 'a/b'");
    expect_error("[suite]\ncolour = red\n[load a]\nload.fps = 3\n",
                 "%s:2: suite.colour: unknown key (expected name, description, base)");
    expect_error("[load a]\nfile = x.ini\n",
                 "%s:2: load a.file: only [scenario NAME] sections name a file");
    /* found when expanding: a cross-key check inside one scenario, a missing base */
    expect_error("[load a]\nload.frames = 10\nload.duration_s = 3\n",
                 "scenario a: %s:3: load.duration_s: give load.frames or load.duration_s, not "
                 "both");
    char want[600];
    snprintf(want, sizeof want, "%s/nothere.ini: No such file or directory", dir);
    expect_error("[scenario a]\nfile = nothere.ini\n", want); /* no %s: the path is in want */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_list_only),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
