#include "analyze_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "xt_event.h"
#include "xt_reader.h"

double fx_ticks_per_s;

static void collect(const struct sm_call *c, void *ctx)
{
    struct fx *f = ctx;
    if (f->ngot < FX_MAX_CALLS)
        f->got[f->ngot] = *c;
    f->ngot++;
}

struct fx *fx_run(struct tg *g, int client, int mediator)
{
    return fx_run_windows(g, client, mediator, NULL, 0);
}

struct fx *fx_run_windows(struct tg *g, int client, int mediator,
                          const struct sm_recover_window *win, size_t nwin)
{
    size_t len;
    uint8_t *data = tg_mem_finish(g, &len);
    assert_non_null(data);
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(sm_model_new(&f->model), 0);
    assert_int_equal(sm_roles_new(&f->roles), 0);
    if (client >= 0) {
        struct sm_calls_config cfg = {(uint16_t)client, (uint16_t)mediator, collect, f,
                                      fx_ticks_per_s};
        assert_int_equal(sm_calls_new(&f->calls, &cfg), 0);
        if (nwin)
            assert_int_equal(
                sm_recover_new(&f->recover, (uint16_t)client, (uint16_t)mediator, win, nwin), 0);
    }
    struct xt_reader *r;
    struct xt_error err;
    assert_int_equal(xt_open_mem(&r, data, len, "fx.bin", &err), 0);
    struct xt_record rec;
    struct xt_event ev;
    int rc;
    while ((rc = xt_next(r, &rec, &err)) == 1) {
        xt_decode(&rec, &ev);
        assert_int_equal(sm_model_feed(f->model, &ev), 0);
        sm_roles_feed(f->roles, f->model, &ev);
        if (f->calls)
            sm_calls_feed(f->calls, f->model, &ev);
        if (f->recover)
            sm_recover_feed(f->recover, f->model, &ev);
    }
    assert_int_equal(rc, 0);
    xt_close(r);
    free(data);
    sm_model_finish(f->model);
    if (f->calls)
        sm_calls_finish(f->calls);
    return f;
}

void fx_free(struct fx *f)
{
    sm_recover_free(f->recover);
    sm_calls_free(f->calls);
    sm_roles_free(f->roles);
    sm_model_free(f->model);
    free(f);
}
