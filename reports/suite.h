/* Suites (workloads/NAME.suite): a list and/or a matrix of scenarios (docs/workloads.md).
 * sm_suite_load() creates, sm_suite_free() frees; sm_suite_expand() hands out scenarios the
 * caller frees with sm_scenarios_free(). */
#ifndef SMCLAT_SUITE_H
#define SMCLAT_SUITE_H

#include "scenario.h"

struct sm_override {
    enum sm_key key;
    char *value;
    int line;
};

/* One axis value ([AXIS VARIANT] section) or one list entry ([scenario NAME]). */
struct sm_variant {
    char *name;
    char *file; /* list entries: scenario file (relative to the suite), or NULL */
    struct sm_override *o;
    int n;
    int line;
};

struct sm_axis {
    char *name;
    struct sm_variant *v;
    int n;
};

struct sm_suite {
    char *path;
    char *name;
    char *description;
    char *base; /* scenario file every scenario starts from (path as written), or NULL */
    int base_line;
    struct sm_axis *axes;
    int naxes;
    struct sm_variant *list;
    int nlist;
};

struct sm_suite *sm_suite_load(const char *path, char *err, size_t errlen);
void sm_suite_free(struct sm_suite *s);

/* Number of scenarios the suite expands to (product of axis sizes + list entries). */
long sm_suite_count(const struct sm_suite *s);

/* Expands the matrix (axes crossed in file order; names joined with '.') and then the list.
 * overrides ("section.key=value", may be NULL) apply last to every scenario. */
int sm_suite_expand(const struct sm_suite *s, const char *const *overrides, int noverrides,
                    struct sm_scenario ***out, int *nout, char *err, size_t errlen);
void sm_scenarios_free(struct sm_scenario **v, int n);

/* Applies "section.key=value" overrides (--set) to one scenario; errors name "--set:N". */
int sm_scenario_apply_sets(struct sm_scenario *sc, const char *const *ov, int n, char *err,
                           size_t errlen);

/* Splits "section.key" and returns the key (or -1). */
int sm_key_parse_dotted(const char *dotted);

#endif
