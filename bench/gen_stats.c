#include "gen_stats.h"

#include "hist_json.h"

#include <string.h>

int sm_gen_stats_init(struct sm_gen_stats *s, uint64_t miss_ns)
{
    memset(s, 0, sizeof *s);
    s->miss_ns = miss_ns;
    s->service = sm_hist_new();
    s->from_intended = sm_hist_new();
    s->pacing = sm_hist_new();
    s->trap_ticks = sm_hist_new();
    if (!s->service || !s->from_intended || !s->pacing || !s->trap_ticks) {
        sm_gen_stats_free(s);
        return -1;
    }
    return 0;
}

void sm_gen_stats_free(struct sm_gen_stats *s)
{
    sm_hist_free(s->service);
    sm_hist_free(s->from_intended);
    sm_hist_free(s->pacing);
    sm_hist_free(s->trap_ticks);
    s->service = s->from_intended = s->pacing = s->trap_ticks = NULL;
}

void sm_gen_stats_add(struct sm_gen_stats *s, const struct sm_call_rec *r)
{
    if (r->warmup)
        return;
    if (!s->calls || r->intended_ns < s->first_ns)
        s->first_ns = r->intended_ns;
    if (r->end_ns > s->last_ns)
        s->last_ns = r->end_ns;
    s->calls++;
    if (r->op < SM_OP_COUNT)
        s->by_op[r->op]++;
    uint64_t late = r->start_ns > r->intended_ns ? r->start_ns - r->intended_ns : 0;
    sm_hist_add(s->pacing, late);
    if (late > s->miss_ns)
        s->missed++;
    if (r->has_smc && (r->status == SM_OK || r->status == SM_EREFUSED))
        sm_hist_add(s->trap_ticks, r->trap_ticks);
    if (r->status != SM_OK) {
        if (r->status < SM_STATUS_COUNT)
            s->errors[r->status]++;
        return;
    }
    s->ok++;
    sm_hist_add(s->service, r->end_ns - r->start_ns);
    sm_hist_add(s->from_intended, r->end_ns > r->intended_ns ? r->end_ns - r->intended_ns : 0);
}

void sm_gen_stats_from_log(struct sm_gen_stats *s, const struct sm_calllog *l)
{
    for (uint64_t i = 0; i < l->n; i++)
        sm_gen_stats_add(s, &l->recs[i]);
}

void sm_gen_stats_json(const struct sm_gen_stats *s, json_t *obj)
{
    json_t *by_op = json_object(), *errors = json_object();
    for (int op = SM_OP_REGISTER; op < SM_OP_COUNT; op++)
        json_object_set_new(by_op, sm_op_name((enum sm_op)op),
                            json_integer((json_int_t)s->by_op[op]));
    uint64_t nerr = 0;
    for (int st = 1; st < SM_STATUS_COUNT; st++) {
        json_object_set_new(errors, sm_status_name((enum sm_status)st),
                            json_integer((json_int_t)s->errors[st]));
        nerr += s->errors[st];
    }
    json_object_set_new(obj, "calls",
                        json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)s->calls, "ok",
                                  (json_int_t)s->ok, "failed", (json_int_t)nerr, "by_op", by_op));
    json_object_set_new(obj, "errors", errors);
    json_object_set_new(obj, "missed_deadlines",
                        json_pack("{s:I, s:I}", "count", (json_int_t)s->missed, "threshold_ns",
                                  (json_int_t)s->miss_ns));
    json_object_set_new(obj, "latency_ns",
                        json_pack("{s:o, s:o}", "service", sm_hist_json(s->service, 1),
                                  "from_intended", sm_hist_json(s->from_intended, 1)));
    json_object_set_new(obj, "pacing_error_ns", sm_hist_json(s->pacing, 1));
    if (sm_hist_count(s->trap_ticks))
        json_object_set_new(obj, "trap_ticks", sm_hist_json(s->trap_ticks, 1));
}

static void print_hist(FILE *out, const char *name, const struct sm_hist *h, double div,
                       const char *unit)
{
    fprintf(out, "  %-22s n=%llu min=%.1f p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f %s\n",
            name, (unsigned long long)sm_hist_count(h), sm_hist_min(h) / div,
            sm_hist_percentile(h, 50) / div, sm_hist_percentile(h, 90) / div,
            sm_hist_percentile(h, 99) / div, sm_hist_percentile(h, 99.9) / div,
            sm_hist_max(h) / div, unit);
}

void sm_gen_stats_print(const struct sm_gen_stats *s, FILE *out)
{
    fprintf(out, "  calls: %llu (register %llu, process %llu, unregister %llu), ok %llu\n",
            (unsigned long long)s->calls, (unsigned long long)s->by_op[SM_OP_REGISTER],
            (unsigned long long)s->by_op[SM_OP_PROCESS],
            (unsigned long long)s->by_op[SM_OP_UNREGISTER], (unsigned long long)s->ok);
    fprintf(out, "  errors:");
    int any = 0;
    for (int st = 1; st < SM_STATUS_COUNT; st++) {
        if (s->errors[st]) {
            fprintf(out, " %s %llu", sm_status_name((enum sm_status)st),
                    (unsigned long long)s->errors[st]);
            any = 1;
        }
    }
    fprintf(out, "%s\n", any ? "" : " none");
    fprintf(out, "  missed deadlines: %llu (started more than %.1f us late)\n",
            (unsigned long long)s->missed, s->miss_ns / 1000.0);
    print_hist(out, "service time", s->service, 1000.0, "us");
    print_hist(out, "latency from intended", s->from_intended, 1000.0, "us");
    print_hist(out, "pacing error", s->pacing, 1000.0, "us");
    if (sm_hist_count(s->trap_ticks))
        print_hist(out, "SMC trap", s->trap_ticks, 1.0, "ticks");
}
