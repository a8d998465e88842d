#include <stdio.h>
#include "tools/cli.h"

int cmd_classify(int argc, char **argv)
{
	(void)argc; (void)argv;
	cli_error("classify: not yet");
	return PS_EXIT_FAILURE;
}
