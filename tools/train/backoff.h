/* `--backoff off|default|W_NEAR,W_SPECIFIC,W_FAR,S_LO,S_HI,GENERIC,CONFLICT,MASK`: sets
 * train_cfg.backoff (a cli CLI_CALL handler; ctx is the train_cfg). */
#ifndef PS_TOOLS_BACKOFF_H
#define PS_TOOLS_BACKOFF_H

#include "tools/train/trainer.h"

#define BACKOFF_HELP \
	"  --backoff off|default|W_NEAR,W_SPECIFIC,W_FAR,S_LO,S_HI,GENERIC,CONFLICT,MASK\n" \
	"                       how the model backs off to the catalogue label far from\n" \
	"                       its stored cases (core/classify.h; default: the values\n" \
	"                       fitted in model/EVAL.md; off: never)\n"

int set_backoff(void *ctx, const char *opt, char **vals);

#endif
