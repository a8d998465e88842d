/* `--backoff` of train and eval: the catalogue back-off the model
 * carries (core/classify.h, BACKOFF in core/model.h). */
#include "tools/train/backoff.h"

#include <stdlib.h>
#include <string.h>

#include "core/exitcode.h"
#include "tools/cli/cli.h"

int set_backoff(void *ctx, const char *opt, char **vals)
{
	struct train_cfg *c = ctx;
	const char *s = vals[0];
	float v[7];
	char *end;
	unsigned long mask;
	int i;

	if (!strcmp(s, "off")) {
		memset(&c->backoff, 0, sizeof c->backoff);
		return PS_EXIT_OK;
	}
	if (!strcmp(s, "default")) {
		c->backoff = ps_backoff_default;
		return PS_EXIT_OK;
	}
	for (i = 0; i < 7; i++) {
		v[i] = strtof(s, &end);
		if (end == s || *end != ',')
			goto bad;
		s = end + 1;
	}
	mask = strtoul(s, &end, 0);
	if (end == s || *end)
		goto bad;
	c->backoff = (struct ps_backoff){ v[0], v[1], v[2], v[3], v[4], v[5], v[6], (uint32_t)mask };
	if (mask > 0x3fff || !ps_backoff_valid(&c->backoff))
		goto bad;
	return PS_EXIT_OK;
bad:
	cli_error("%s: expected off, default or W_NEAR,W_SPECIFIC,W_FAR,S_LO,S_HI,GENERIC,CONFLICT,"
		  "SPECIFIC_MASK (weights 0..1, -1 <= S_LO <= S_HI <= 1, mask < 0x4000), not '%s'",
		  opt, vals[0]);
	return PS_EXIT_USAGE;
}
