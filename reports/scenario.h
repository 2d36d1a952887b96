/* Scenario files (workloads/NAME.ini): one benchmark run's load, topology, scheduler
 * configuration and target, read with libinih and checked key by key (docs/workloads.md).
 * Ownership: sm_scenario_load()/sm_scenario_new() create, sm_scenario_free() frees. */
#ifndef SMCLAT_SCENARIO_H
#define SMCLAT_SCENARIO_H

#include <stdio.h>

/* Every key a scenario may set, in file order; "section.key" names them. */
enum sm_key {
    K_NAME,
    K_DESCRIPTION,
    K_FLOW,
    K_FPS,
    K_FRAMES,
    K_DURATION_S,
    K_PAYLOAD,
    K_TRANSPORT,
    K_GEN_ARGS,
    K_MODE,
    K_PCPUS,
    K_DOM0_VCPUS,
    K_DOM0_LOAD,
    K_CLIENT_VCPUS,
    K_MEDIATOR_VCPUS,
    K_NOISE_DOMAINS,
    K_NOISE_VCPUS,
    K_NOISE_LOAD,
    K_MEDIATOR_KIND,
    K_SCHEDULER,
    K_FALLBACK_SCHEDULER,
    K_RATELIMIT_US,
    K_VWFI,
    K_POOLS,
    K_MEDIATOR_POOL,
    K_CLIENT_POOL,
    K_NOISE_POOL,
    K_PIN_MEDIATOR,
    K_PIN_CLIENT,
    K_PIN_NOISE,
    K_PIN_DOM0,
    K_WEIGHT_MEDIATOR,
    K_WEIGHT_CLIENT,
    K_WEIGHT_NOISE,
    K_WEIGHT_DOM0,
    K_CAP_MEDIATOR,
    K_CAP_CLIENT,
    K_CAP_NOISE,
    K_CAP_DOM0,
    K_TSLICE_MS,
    K_RTDS_MEDIATOR,
    K_RTDS_CLIENT,
    K_RTDS_NOISE,
    K_RTDS_DOM0,
    K_ARINC653,
    K_TARGET,
    K_HOST_COMMAND,
    K_SCHEDULERS,
    K_XEN_BUILD,
    K_MEDIATOR_ARGS,
    K_TRACE_SECONDS,
    K_TIMEOUT_S,
    K_COUNT
};

/* Where a value came from: a file and line, or the built-in default (file NULL). */
struct sm_value {
    char *text;       /* NULL: not set (no default either) */
    const char *file; /* interned in the scenario; NULL for a default */
    int line;
};

struct sm_scenario {
    struct sm_value v[K_COUNT];
    char **files; /* file names referred to by values (owned) */
    int nfiles;
};

/* Error buffer size for the functions below: "FILE:LINE: section.key: ..." */
#define SM_ERR_MAX 512
/* Longest line of a scenario or suite file, terminator excluded, is SM_INI_LINE_MAX - 3;
 * longest value SM_VALUE_MAX, so that "key = value" written back always reads again. */
#define SM_INI_LINE_MAX 4096
#define SM_VALUE_MAX    4000

struct sm_scenario *sm_scenario_new(void);
void sm_scenario_free(struct sm_scenario *s);
struct sm_scenario *sm_scenario_dup(const struct sm_scenario *s);

/* "load.fps" -> K_FPS; -1 when unknown. */
int sm_key_lookup(const char *section, const char *key);
const char *sm_key_name(enum sm_key k); /* "load.fps" */

/* Sets one key from text, checking its syntax; the error names file, line and key.
 * Returns 0, or -1 with err filled. */
int sm_scenario_set(struct sm_scenario *s, enum sm_key k, const char *text, const char *file,
                    int line, char *err, size_t errlen);

/* Reads an INI stream/file into s (keys override what s holds). A section the scenario
 * format does not know is an error unless accept_section(section) returns 1: then
 * on_other(user, section, key, value, line) is called instead. Returns 0 or -1 (err). */
typedef int (*sm_ini_other_fn)(void *user, const char *section, const char *key, const char *value,
                               int line, char *err, size_t errlen);
int sm_scenario_read(struct sm_scenario *s, const char *path, sm_ini_other_fn on_other, void *user,
                     char *err, size_t errlen);
struct sm_scenario *sm_scenario_load(const char *path, char *err, size_t errlen);

/* Cross-key checks (frames xor duration, pools exist, CPUs in range, host command...).
 * Returns 0 or -1 with err naming the offending key's file and line. */
int sm_scenario_check(const struct sm_scenario *s, char *err, size_t errlen);

const char *sm_scenario_get(const struct sm_scenario *s, enum sm_key k);
long sm_scenario_long(const struct sm_scenario *s, enum sm_key k);
double sm_scenario_double(const struct sm_scenario *s, enum sm_key k);

/* The scenario as a complete INI file (every key, defaults included). */
int sm_scenario_write_ini(const struct sm_scenario *s, FILE *out);

/* The lab's flat KEY=VALUE params file (docs/lab.md). Notes (scheduler fallbacks) are
 * written one per line to notes when not NULL, starting with "warning: ". */
int sm_scenario_write_lab_params(const struct sm_scenario *s, FILE *out, FILE *notes);

/* The smclat-gen arguments this scenario's load asks for. Caller frees. */
char *sm_scenario_gen_args(const struct sm_scenario *s);

#endif
