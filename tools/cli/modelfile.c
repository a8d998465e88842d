#include "tools/cli/modelfile.h"

#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/default_model.h"
#include "tools/cli/cli.h"

int model_file_open(struct model_file *mf, const char *path)
{
	char err[256];
	size_t len;
	int rc;

	memset(mf, 0, sizeof mf->m);
	mf->owned = NULL;
	if (!path) {
		mf->name = "(built-in default model)";
		mf->img = ps_default_model(&len);
		if (!mf->img) {
			cli_error("this build has no default model; use --model FILE");
			return PS_EXIT_MODEL;
		}
	} else {
		mf->name = path;
		/* a model that cannot be read is a model error (exit 5) */
		if ((rc = cli_read_file(path, &mf->owned, &len)) != PS_EXIT_OK)
			return rc == PS_EXIT_NOMEM ? rc : PS_EXIT_MODEL;
		mf->img = (const unsigned char *)mf->owned;
	}
	if (ps_model_load(&mf->m, mf->img, len, err, sizeof err) != PS_OK) {
		cli_error("%s: %s", mf->name, err);
		free(mf->owned);
		mf->owned = NULL;
		return PS_EXIT_MODEL;
	}
	return PS_EXIT_OK;
}

void model_file_close(struct model_file *mf)
{
	free(mf->owned);
	mf->owned = NULL;
}
