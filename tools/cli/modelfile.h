/* Finding and loading a model on the host: an explicit path, or the
 * default model built into the binary (model/default.psm). */
#ifndef PS_TOOLS_MODELFILE_H
#define PS_TOOLS_MODELFILE_H

#include <stddef.h>

#include "core/model.h"

struct model_file {
	struct ps_model m;
	const unsigned char *img;
	char *owned;             /* file contents, when read from a path */
	const char *name;        /* the path, or "(built-in default)" */
};

/* Loads `path`, or the built-in default model when path is NULL.
 * Prints a clear error and returns an exit code on failure. */
int model_file_open(struct model_file *mf, const char *path);
void model_file_close(struct model_file *mf);

#endif
