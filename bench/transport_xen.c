#include "transport.h"
#include <stdio.h>
static int xen_open(struct sm_transport *t, const struct sm_transport_opts *o)
{
    (void)o;
    snprintf(t->err, sizeof t->err, "not yet");
    return -1;
}
static enum sm_status xen_call(struct sm_transport *t, struct sm_call *c)
{
    (void)t;
    (void)c;
    return SM_EIO;
}
static void xen_close(struct sm_transport *t)
{
    (void)t;
}
const struct sm_transport_ops sm_transport_xen = {
    .name = "xen", .what = "", .open = xen_open, .call = xen_call, .close = xen_close};
static int xs_open_(struct sm_server *s, const struct sm_transport_opts *o)
{
    (void)o;
    snprintf(s->err, sizeof s->err, "not yet");
    return -1;
}
static void xs_close_(struct sm_server *s)
{
    (void)s;
}
const struct sm_server_ops sm_server_xen = {.name = "xen", .open = xs_open_, .close = xs_close_};
