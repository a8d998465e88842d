/* panicsage-train: model training and evaluation (BLIS), run by the
 * front end for `panicsage train` and `panicsage eval`. */
#include "tools/cli/cli.h"
#include "tools/train/commands.h"

static const struct cli_command commands[] = {
	{ "train", cmd_train, NULL, "learn a model from labelled case files and store cases" },
	{ "eval",  cmd_eval,  NULL, "score a model, the baselines and ablations on case files" },
};

int main(int argc, char **argv)
{
	return cli_main(commands, sizeof commands / sizeof commands[0], argc, argv);
}
