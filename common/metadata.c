#include "metadata.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* xen.build, xen.version and mediator_kind, as the reports use them */
static void read_run_kind(json_t *root, struct sm_metadata *m)
{
    json_t *x = json_object_get(root, "xen");
    const char *build = json_string_value(json_object_get(x, "build"));
    const char *version = json_string_value(json_object_get(x, "version"));
    m->has_xen_build = build != NULL;
    m->has_xen_version = version != NULL;
    snprintf(m->xen_build, sizeof m->xen_build, "%s", build ? build : "");
    snprintf(m->xen_version, sizeof m->xen_version, "%s", version ? version : "");
    const char *k = json_string_value(json_object_get(root, "mediator_kind"));
    m->mediator_stub = k && !strcmp(k, "stub");
}

int sm_metadata_read(const char *path, struct sm_metadata *m, char *msg, size_t size)
{
    m->hz = -1;
    m->client = m->mediator = -1;
    m->n_created = 0;
    m->loaded = m->has_xen_build = m->has_xen_version = m->mediator_stub = 0;
    m->xen_build[0] = m->xen_version[0] = '\0';
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(msg, size, "%s:%d: %s", path, jerr.line, jerr.text);
        return -1;
    }
    m->loaded = 1;
    read_run_kind(root, m);
    json_t *khz = json_object_get(json_object_get(root, "physinfo"), "cpu_khz");
    if (khz) {
        if (!json_is_number(khz) || json_number_value(khz) <= 0) {
            snprintf(msg, size, "%s: physinfo.cpu_khz: expected a positive number", path);
            json_decref(root);
            return -1;
        }
        m->hz = json_number_value(khz) * 1e3;
    }
    json_t *roles = json_object_get(root, "roles");
    json_t *c = json_object_get(roles, "client"), *med = json_object_get(roles, "mediator");
    if (json_is_integer(c) && json_is_integer(med)) {
        m->client = (long)json_integer_value(c);
        m->mediator = (long)json_integer_value(med);
    }
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(root, "domains"), i, d)
    {
        json_t *id = json_object_get(d, "domid"), *ct = json_object_get(d, "created_ticks");
        if (json_is_integer(id) && json_is_integer(ct) && m->n_created < SM_METADATA_MAX_CREATED) {
            m->created[m->n_created].domid = (long)json_integer_value(id);
            m->created[m->n_created++].ticks = (int64_t)json_integer_value(ct);
        }
    }
    json_decref(root);
    return 0;
}

int sm_metadata_created(const struct sm_metadata *m, long domid, int64_t *ticks)
{
    for (unsigned k = 0; k < m->n_created; k++)
        if (m->created[k].domid == domid) {
            *ticks = m->created[k].ticks;
            return 1;
        }
    return 0;
}
