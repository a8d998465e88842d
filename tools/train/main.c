/* panicsage-train: model training and evaluation (BLIS), and the
 * training data's log forms; run by the front end for `panicsage
 * train`, `panicsage eval` and `panicsage logform`. */
#include "tools/cli/cli.h"
#include "tools/train/commands.h"

static const struct cli_command commands[] = {
	{ "train", cmd_train, NULL, "learn a model from labelled case files and store cases" },
	{ "eval",  cmd_eval,  NULL, "score a model, the baselines and ablations on case files" },
	{ "logform", cmd_logform, NULL, "write a plain log in one of the forms users paste logs in" },
};

int main(int argc, char **argv)
{
	return cli_main(commands, sizeof commands / sizeof commands[0], argc, argv);
}
