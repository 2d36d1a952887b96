/* Scenario files: good files give the values and defaults, bad ones the exact error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "report_testutil.h"
#include "scenario.h"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rm_tree(dir);
    free(dir);
    return 0;
}

/* Loads text as NAME.ini; returns the scenario or NULL with err filled. */
static struct sm_scenario *load(const char *name, const char *text, char *err, char **path)
{
    char *p = tu_write(dir, name, text);
    assert_non_null(p);
    struct sm_scenario *s = sm_scenario_load(p, err, SM_ERR_MAX);
    if (path)
        *path = p;
    else
        free(p);
    return s;
}

/* The error for text must be "PATH:" followed by want. */
static void expect_error(const char *text, const char *want)
{
    char err[SM_ERR_MAX] = "", *path;
    struct sm_scenario *s = load("bad.ini", text, err, &path);
    assert_null(s);
    char full[SM_ERR_MAX + 256];
    snprintf(full, sizeof full, "%s:%s", path, want);
    assert_string_equal(err, full);
    free(path);
}

static void test_good_file(void **state)
{
    (void)state;
    char err[SM_ERR_MAX] = "";
    struct sm_scenario *s = load("drm-24.ini",
                                 "; a comment\n"
                                 "[load]\n"
                                 "flow = unoptimized\n"
                                 "fps = 60\n"
                                 "duration_s = 2.5\n"
                                 "payload = 8k\n"
                                 "[topology]\n"
                                 "pcpus = 4\n"
                                 "noise_domains = 2   ; inline comment\n"
                                 "[sched]\n"
                                 "scheduler = credit\n"
                                 "pools = med:null:3 io:credit2:1-2\n"
                                 "mediator_pool = med\n"
                                 "pin_client = 0\n"
                                 "cap_noise = 50\n",
                                 err, NULL);
    assert_non_null(s);
    assert_string_equal(err, "");
    assert_string_equal(sm_scenario_get(s, K_NAME), "drm-24"); /* from the file name */
    assert_string_equal(sm_scenario_get(s, K_FLOW), "unoptimized");
    assert_true(sm_scenario_double(s, K_FPS) == 60.0);
    assert_int_equal(sm_scenario_long(s, K_PAYLOAD), 8192);
    assert_int_equal(sm_scenario_long(s, K_PCPUS), 4);
    assert_int_equal(sm_scenario_long(s, K_NOISE_DOMAINS), 2);
    assert_string_equal(sm_scenario_get(s, K_MEDIATOR_POOL), "med");
    /* defaults */
    assert_string_equal(sm_scenario_get(s, K_CLIENT_POOL), "Pool-0");
    assert_string_equal(sm_scenario_get(s, K_TRANSPORT), "xen");
    assert_string_equal(sm_scenario_get(s, K_TARGET), "lab");
    /* the lab's Xen is chosen by what the scenario asks for: every scheduler is available */
    assert_string_equal(sm_scenario_get(s, K_XEN_BUILD), "auto");
    assert_string_equal(sm_scenario_get(s, K_SCHEDULERS), "credit credit2 null rtds arinc653");
    assert_null(sm_scenario_get(s, K_FRAMES));
    /* where a value came from */
    assert_int_equal(s->v[K_FPS].line, 4);
    assert_int_equal(s->v[K_CAP_NOISE].line, 15);
    sm_scenario_free(s);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("[load]\nflow = fast\n",
                 "2: load.flow: expected one of optimized|unoptimized, found 'fast'");
    expect_error("[load]\nfps = 24\nfps = 30\n", "3: load.fps: set twice (first on line 2)");
    expect_error("[load]\nfps = 24x\n", "2: load.fps: expected a number, found '24x'");
    expect_error("[topology]\n\npcpus = 0\n", "3: topology.pcpus: expected 1 to 8, found 0");
    expect_error("[load]\ntransport = local\n",
                 "2: load.transport: transport local runs on one machine; the lab needs xen, smc, "
                 "smc+xen or none");
    expect_error("[topology]\npcpus = two\n",
                 "2: topology.pcpus: expected an integer, found 'two'");
    expect_error("[load]\nspeed = 3\n", "2: load.speed: unknown key");
    expect_error("[scenario]\ndescription =;x\n",
                 "2: scenario.description: expected text not starting with ; or #, found ';x'");
    expect_error("[laod]\nfps = 3\n", "2: laod.fps: unknown section [laod]");
    expect_error("[load]\nfps 24\n", "2: expected [section] or key = value, found something else");
    expect_error("[sched]\npools = med:null\n",
                 "2: sched.pools: expected NAME:SCHEDULER:CPUS, found 'med:null'");
    expect_error("[sched]\npools = med:fifo:1\n",
                 "2: sched.pools: expected NAME:SCHEDULER:CPUS, found 'med:fifo:1'");
    expect_error("[sched]\npin_mediator = 1-\n",
                 "2: sched.pin_mediator: expected a CPU list like 1 or 0-1,3, found '1-'");
    expect_error("[load]\npayload = 1.5\n",
                 "2: load.payload: expected a size in bytes (suffix k, M, G), found '1.5'");
    expect_error("[target]\nschedulers = credit fifo\n",
                 "2: target.schedulers: expected words from credit|credit2|null|rtds|arinc653, "
                 "found 'fifo'");
}

/* "[scenario]\ndescription = " and N x's, with or without a newline at the end */
static char *long_text(size_t n, int newline)
{
    const char *head = "[scenario]\ndescription = ";
    size_t l = strlen(head);
    char *t = malloc(l + n + 2);
    assert_non_null(t);
    memcpy(t, head, l);
    memset(t + l, 'x', n);
    strcpy(t + l + n, newline ? "\n" : "");
    return t;
}

static void test_long_line(void **state)
{
    (void)state;
    char err[SM_ERR_MAX], *path;
    const size_t key = strlen("description = ");
    /* longer than the line limit: refused with the line named */
    char *text = long_text(SM_INI_LINE_MAX, 1);
    assert_null(load("long.ini", text, err, &path));
    assert_non_null(strstr(err, ":2: line longer than"));
    free(path);
    free(text);
    /* a value just over SM_VALUE_MAX in a line the reader takes: refused by its length */
    text = long_text(SM_VALUE_MAX + 1, 0);
    assert_null(load("long.ini", text, err, &path));
    assert_non_null(strstr(err, ":2: scenario.description: expected at most"));
    free(path);
    free(text);
    /* a line at the limit is taken with or without its newline: what is refused is the value */
    for (int nl = 0; nl < 2; nl++) {
        text = long_text(SM_INI_LINE_MAX - 3 - key, nl);
        struct sm_scenario *s = load("long.ini", text, err, &path);
        assert_null(s); /* too long a value, but not too long a line */
        assert_non_null(strstr(err, "expected at most"));
        free(path);
        free(text);
    }
    /* the longest value is written back and reads again, unchanged */
    text = long_text(SM_VALUE_MAX, 0);
    struct sm_scenario *s = load("long.ini", text, err, &path);
    assert_non_null(s);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(sm_scenario_write_ini(s, m), 0);
    fclose(m);
    char *path2;
    struct sm_scenario *s2 = load("again.ini", buf, err, &path2);
    assert_non_null(s2);
    assert_string_equal(sm_scenario_get(s2, K_DESCRIPTION), sm_scenario_get(s, K_DESCRIPTION));
    assert_int_equal(strlen(sm_scenario_get(s2, K_DESCRIPTION)), SM_VALUE_MAX);
    sm_scenario_free(s2);
    sm_scenario_free(s);
    free(buf);
    free(path);
    free(path2);
    free(text);
}

static void test_cross_checks(void **state)
{
    (void)state;
    expect_error("[load]\nframes = 100\nduration_s = 3\n",
                 "3: load.duration_s: give load.frames or load.duration_s, not both");
    expect_error("[topology]\nmode = deterministic\n",
                 "2: topology.mode: deterministic mode runs on 1 pCPU (QEMU -icount hangs with "
                 "-smp 2), found topology.pcpus = 2");
    expect_error("[sched]\npools = med:credit:2\n",
                 "2: sched.pools: pool 'med' uses a CPU beyond topology.pcpus = 2");
    expect_error("[sched]\npools = med:credit:0-1\n",
                 "2: sched.pools: the pools take every CPU; Pool-0 (Dom0) needs one");
    expect_error("[topology]\npcpus=4\n[sched]\npools = a:credit:1 b:credit:1-2\n",
                 "4: sched.pools: pool 'b' takes a CPU another pool has");
    expect_error("[sched]\nmediator_pool = med\n",
                 "2: sched.mediator_pool: expected Pool-0 or a pool of sched.pools, found 'med'");
    expect_error("[sched]\npin_noise = 0-2\n",
                 "2: sched.pin_noise: CPU beyond topology.pcpus = 2 in '0-2'");
    expect_error("[sched]\ncap_mediator = 150\n",
                 "2: sched.cap_mediator: expected at most 100 per vCPU (100), found 150");
    expect_error("[target]\nkind = host\n",
                 "2: target.kind: target host needs target.gen_command (how smclat-gen starts "
                 "in the client)");
    expect_error("[sched]\nscheduler = null\n",
                 "2: sched.scheduler: null cannot be the whole machine's scheduler here (Dom0 "
                 "and every guest share it); give it to a pool in sched.pools");
}

/* The lab parameters a scenario writes (caller frees). */
static char *lab_params_text(const struct sm_scenario *s)
{
    char *out = NULL;
    size_t ol;
    FILE *f = open_memstream(&out, &ol);
    assert_non_null(f);
    assert_int_equal(sm_scenario_write_lab_params(s, f, NULL), 0);
    fclose(f);
    return out;
}

/* topology.mediator: linux by default, stub only with the xen transport on one vCPU, and
 * passed to the lab as MEDIATOR_KIND. */
static void test_mediator_kind(void **state)
{
    (void)state;
    expect_error("[topology]\nmediator = bare\n",
                 "2: topology.mediator: expected one of linux|stub, found 'bare'");
    expect_error(
        "[load]\ntransport = smc\n[topology]\nmediator = stub\n",
        "4: topology.mediator: the stub serves load.transport = xen or smc+xen, found smc");
    expect_error("[topology]\nmediator = stub\nmediator_vcpus = 2\n",
                 "2: topology.mediator: the stub has one vCPU, found topology.mediator_vcpus = 2");
    const char *texts[] = {"[load]\nfps = 24\n", "[topology]\nmediator = stub\n"};
    const char *want[] = {"MEDIATOR_KIND='linux'\n", "MEDIATOR_KIND='stub'\n"};
    for (int i = 0; i < 2; i++) {
        char err[SM_ERR_MAX] = "";
        struct sm_scenario *s = load("k.ini", texts[i], err, NULL);
        assert_non_null(s);
        char *out = lab_params_text(s);
        assert_non_null(strstr(out, want[i]));
        free(out);
        sm_scenario_free(s);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    char err[SM_ERR_MAX];
    assert_null(sm_scenario_load("/nonexistent/x.ini", err, sizeof err));
    assert_string_equal(err, "/nonexistent/x.ini: No such file or directory");
}

static void test_lab_params(void **state)
{
    (void)state;
    char err[SM_ERR_MAX];
    struct sm_scenario *s = load("p.ini",
                                 "[scenario]\nname = it's\n"
                                 "[load]\nfps = 24\nduration_s = 5\npayload = 1k\n"
                                 "gen_args = --seed 7\n"
                                 "[sched]\npools = med:null:1\nmediator_pool = med\n"
                                 "vwfi = native\nweight_mediator = 512\n",
                                 err, NULL);
    assert_non_null(s);
    char *out = NULL, *notes = NULL;
    size_t ol, nl;
    FILE *f = open_memstream(&out, &ol), *n = open_memstream(&notes, &nl);
    assert_int_equal(sm_scenario_write_lab_params(s, f, n), 0);
    fclose(f);
    fclose(n);
    assert_non_null(strstr(out, "\nNAME='it'\\''s'\n"));
    assert_non_null(strstr(out, "\nMEDIATOR_POOL='med'\n"));
    assert_non_null(strstr(out, "\nXEN_SCHED='credit2'\n"));
    assert_non_null(strstr(out, "\nXEN_EXTRA='vwfi=native'\n"));
    assert_non_null(strstr(out, "\nWEIGHT_MEDIATOR='512'\n"));
    assert_null(strstr(out, "WEIGHT_CLIENT")); /* not set: the lab keeps Xen's default */
    assert_non_null(strstr(out, "\nGEN_ARGS='--flow optimized --fps 24 --duration 5 --payload 1024 "
                                "--seed 7'\n"));
    assert_non_null(strstr(out, "\nTRANSPORT='xen'\n"));
    assert_non_null(strstr(out, "\nDOM0_LOAD='none'\n"));
    assert_non_null(strstr(out, "\nTRACE_SECONDS='8'\n"));
    assert_non_null(strstr(out, "\nXEN_BUILD='auto'\n"));
    /* the lab boots Xen built from source for null: the pool keeps it, no note */
    assert_non_null(strstr(out, "\nPOOLS='med:null:1'\n"));
    assert_string_equal(notes, "");
    free(out);
    free(notes);
    /* a target whose Xen lacks null: the fallback, said in the notes */
    assert_int_equal(sm_scenario_set(s, K_SCHEDULERS, "credit credit2", NULL, 0, err, sizeof err),
                     0);
    f = open_memstream(&out, &ol);
    n = open_memstream(&notes, &nl);
    assert_int_equal(sm_scenario_write_lab_params(s, f, n), 0);
    fclose(f);
    fclose(n);
    assert_non_null(strstr(out, "\nPOOLS='med:credit2:1'\n"));
    assert_string_equal(notes, "warning: it's: pool med: scheduler null is not available on this "
                               "target (Debian's Xen lacks it); using credit2\n");
    free(out);
    free(notes);
    sm_scenario_free(s);
}

/* The keys of the schedulers only the source build has, and their checks. */
static void test_scheduler_keys(void **state)
{
    (void)state;
    char err[SM_ERR_MAX];
    struct sm_scenario *s = load("rt.ini",
                                 "[sched]\nscheduler = rtds\nrtds_mediator = 10000:4000\n"
                                 "rtds_client = 2000:1000:extra\n"
                                 "[target]\nxen_build = source\n",
                                 err, NULL);
    assert_non_null(s);
    char *out = lab_params_text(s);
    assert_non_null(strstr(out, "\nXEN_SCHED='rtds'\n"));
    assert_non_null(strstr(out, "\nRTDS_MEDIATOR='10000:4000'\n"));
    assert_non_null(strstr(out, "\nRTDS_CLIENT='2000:1000:extra'\n"));
    assert_non_null(strstr(out, "\nXEN_BUILD='source'\n"));
    assert_null(strstr(out, "RTDS_NOISE"));
    free(out);
    sm_scenario_free(s);
    s = load("a6.ini",
             "[sched]\npools = a6:arinc653:1\nmediator_pool = a6\n"
             "arinc653 = 10000:mediator=6000\n",
             err, NULL);
    assert_non_null(s);
    sm_scenario_free(s);

    /* the errors name the key */
    expect_error("[sched]\nscheduler = rtds\nrtds_mediator = 1000:2000\n",
                 "3: sched.rtds_mediator: budget 2000 us is above the period 1000 us");
    expect_error("[sched]\nrtds_mediator = 1000\n",
                 "2: sched.rtds_mediator: expected PERIOD_US:BUDGET_US[:extra], found '1000'");
    expect_error("[sched]\nrtds_dom0 = 1000:500\n",
                 "2: sched.rtds_dom0: the domain runs in Pool-0, whose scheduler is credit2, not "
                 "rtds");
    expect_error("[sched]\npools = med:null:1\nmediator_pool = med\n"
                 "[topology]\nmediator_vcpus = 2\n",
                 "2: sched.pools: null pool 'med' has 1 pCPU(s) for 2 vCPU(s) (mediator 2): the "
                 "null scheduler gives each vCPU a pCPU of its own");
    expect_error("[topology]\npcpus = 3\nnoise_domains = 2\n"
                 "[sched]\npools = n:null:1-2\nnoise_pool = n\nmediator_pool = n\n",
                 "5: sched.pools: null pool 'n' has 2 pCPU(s) for 3 vCPU(s) (mediator 1, noise "
                 "2): the null scheduler gives each vCPU a pCPU of its own");
    expect_error("[sched]\nscheduler = rtds\n[target]\nxen_build = debian\n",
                 "4: target.xen_build: Debian's binary Xen has only credit and credit2; "
                 "sched.scheduler asks for rtds (use auto or source)");
    expect_error("[sched]\npools = med:null:1\nmediator_pool = med\n[target]\nxen_build = "
                 "debian\n",
                 "5: target.xen_build: Debian's binary Xen has only credit and credit2; "
                 "sched.pools asks for null (pool 'med'; use auto or source)");
    expect_error("[target]\nxen_build = fedora\n",
                 "2: target.xen_build: expected one of auto|debian|source, found 'fedora'");
    expect_error("[sched]\npools = a6:arinc653:1\nmediator_pool = a6\n"
                 "arinc653 = 1000:mediator=600,client=600\n",
                 "4: sched.arinc653: the windows take 1200 us, more than the major frame 1000 us");
    expect_error("[sched]\npools = a6:arinc653:1\nmediator_pool = a6\n"
                 "arinc653 = 10000:mediator=600,client=600\n",
                 "4: sched.arinc653: client runs in Pool-0, whose scheduler is credit2, not "
                 "arinc653");
    expect_error("[sched]\narinc653 = 10000:server=600\n",
                 "2: sched.arinc653: expected DOMAIN[.VCPU]=RUNTIME_US (mediator, client, noiseN, "
                 "Domain-0), found 'server=600'");
}

static void test_ini_roundtrip(void **state)
{
    (void)state;
    char err[SM_ERR_MAX];
    struct sm_scenario *s =
        load("r.ini", "[load]\nfps = 60\nframes = 300\n[sched]\nratelimit_us = 0\n", err, NULL);
    assert_non_null(s);
    char *out = NULL;
    size_t ol;
    FILE *f = open_memstream(&out, &ol);
    assert_int_equal(sm_scenario_write_ini(s, f), 0);
    fclose(f);
    char *p = tu_write(dir, "r2.ini", out);
    struct sm_scenario *s2 = sm_scenario_load(p, err, sizeof err);
    assert_non_null(s2);
    for (int k = 0; k < K_COUNT; k++) {
        const char *a = sm_scenario_get(s, (enum sm_key)k),
                   *b = sm_scenario_get(s2, (enum sm_key)k);
        if (k == K_NAME)
            continue;
        assert_true((a == NULL) == (b == NULL));
        if (a)
            assert_string_equal(a, b);
    }
    assert_string_equal(sm_scenario_get(s2, K_NAME), "r");
    free(p);
    free(out);
    sm_scenario_free(s);
    sm_scenario_free(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),     cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_long_line),     cmocka_unit_test(test_cross_checks),
        cmocka_unit_test(test_missing_file),  cmocka_unit_test(test_lab_params),
        cmocka_unit_test(test_ini_roundtrip), cmocka_unit_test(test_scheduler_keys),
        cmocka_unit_test(test_mediator_kind),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
