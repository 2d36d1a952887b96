#include "hist_json.h"

#include <math.h>

static json_t *scaled(uint64_t v, double scale)
{
    return json_integer((json_int_t)llround((double)v * scale));
}

json_t *sm_hist_json(const struct sm_hist *h, double scale)
{
    static const struct {
        const char *key;
        double p;
    } pcts[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}};
    json_t *o = json_object();
    if (!o)
        return NULL;
    uint64_t n = sm_hist_count(h);
    json_object_set_new(o, "n", json_integer((json_int_t)n));
    json_object_set_new(o, "min", n ? scaled(sm_hist_min(h), scale) : json_null());
    json_object_set_new(o, "mean", n ? json_real(sm_hist_mean(h) * scale) : json_null());
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        json_object_set_new(o, pcts[i].key,
                            n ? scaled(sm_hist_percentile(h, pcts[i].p), scale) : json_null());
    json_object_set_new(o, "max", n ? scaled(sm_hist_max(h), scale) : json_null());
    return o;
}
