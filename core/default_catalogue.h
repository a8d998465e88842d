/* The built-in catalogue: model/catalogue.tsv as it was at build time,
 * for a model without a catalogue of its own (written before models
 * carried one), for an analysis without a model, and as the trainer's
 * default. */
#ifndef PS_DEFAULT_CATALOGUE_H
#define PS_DEFAULT_CATALOGUE_H

#include <stddef.h>

/* The catalogue text and its length, or NULL when this build has none. */
const char *ps_default_catalogue(size_t *len);

#endif
