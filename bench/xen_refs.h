/* The xenstore text of the xen transport's grant references ("r0,r1,..."), apart from Xen so
 * it can be tested anywhere. */
#ifndef SMCLAT_BENCH_XEN_REFS_H
#define SMCLAT_BENCH_XEN_REFS_H

#include <stddef.h>
#include <stdint.h>

/* Parses 1..max decimal grant refs separated by commas (no spaces, signs or empty fields,
 * each below 2^32). Returns how many, or -1 when s is not such a list or has more than max. */
int sm_grant_refs_parse(const char *s, uint32_t *refs, int max);
/* Writes count refs as "r0,r1,...". 0, or -1 when out is too small. */
int sm_grant_refs_format(char *out, size_t n, const uint32_t *refs, int count);

#endif
