/* Test helper shared by test_model.c and test_calls.c: runs a tracegen trace through the reader,
 * the decoder, the model and (optionally) the call detector, as smclat analyze does. */
#ifndef SMCLAT_TEST_ANALYZE_FIXTURE_H
#define SMCLAT_TEST_ANALYZE_FIXTURE_H

#include "calls.h"
#include "model.h"
#include "recover.h"
#include "roles.h"
#include "tracegen.h"

#define FX_MAX_CALLS 64

struct fx {
    struct sm_model *model;
    struct sm_calls *calls;
    struct sm_roles *roles;           /* fed every event: --roles auto's first pass */
    struct sm_recover *recover;       /* fx_run_windows(): calls rebuilt in those windows */
    struct sm_call got[FX_MAX_CALLS]; /* calls handed to on_call, in order */
    unsigned ngot;
};

/* The time stamps' rate handed to the call detector (0, the default: unknown, so the guests'
 * timer ticks are not learned). */
extern double fx_ticks_per_s;

/* Reads the trace g built (and frees it); client/mediator < 0: no call detection. The result
 * is freed by fx_free(). */
struct fx *fx_run(struct tg *g, int client, int mediator);
/* The same, with calls also rebuilt inside the windows win[0..nwin) (recover.h). */
struct fx *fx_run_windows(struct tg *g, int client, int mediator,
                          const struct sm_recover_window *win, size_t nwin);
void fx_free(struct fx *f);

#endif
