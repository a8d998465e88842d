/* The default model, built into both binaries from model/default.psm
 * (when the file exists at build time) so that the capture-kernel
 * binary is self-contained.  An explicit --model overrides it. */
#ifndef PS_MODEL_DEFAULT_H
#define PS_MODEL_DEFAULT_H

#include <stddef.h>

/* The image (64-byte aligned) and its length, or NULL when this build
 * has no default model. */
const unsigned char *ps_default_model(size_t *len);

#endif
