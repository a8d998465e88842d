/* The root-cause labels of the default model (model/TAXONOMY.md), in
 * its order, which is also their precedence: where two fit, the earlier
 * wins.  The one list of them in C. */
#ifndef PS_CORE_TAXONOMY_H
#define PS_CORE_TAXONOMY_H

#include <stddef.h>

#define PS_TAXONOMY_NLABELS 14

struct ps_taxon {
	const char *label;
	const char *gloss;   /* what it means, for the console; < 80 bytes */
};

extern const struct ps_taxon ps_taxonomy[PS_TAXONOMY_NLABELS];

/* Index of the label s[0..n) in ps_taxonomy, or -1. */
int ps_taxonomy_index(const char *s, size_t n);

#endif
