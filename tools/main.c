/* panicsage: the host command line. */
#include <stdio.h>
#include <string.h>

#include "tools/cli.h"

static const struct cli_command commands[] = {
	{ "classify",  cmd_classify,  "extract the fault-indicating lines of a kernel log and label them" },
	{ "dmesg",     cmd_dmesg,     "print the kernel log of a vmcore, as vmcore-dmesg does" },
	{ "templates", cmd_templates, "print the Drain template of every line of a log" },
	{ "model",     cmd_model,     "inspect or verify a model file" },
	{ "serve",     cmd_serve,     "collector: receive cases over mutual TLS into a SQLite store" },
	{ "summarize", cmd_summarize, "summarise stored cases with an LLM (OpenAI-compatible endpoint)" },
	{ "label",     cmd_label,     "the labelling queue: stored cases, most uncertain first; record labels" },
	{ "pki",       cmd_pki,       "create the CA, collector and client certificates for uploads" },
	{ "train",     cmd_train,     "learn a model from labelled case files and store cases" },
	{ "eval",      cmd_eval,      "score a model, the baselines and ablations on case files" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: panicsage COMMAND [OPTIONS] [ARGS]\n\n"
	      "panicsage reads a crashed kernel's log and explains the crash.\n\n"
	      "commands:\n", out);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'panicsage COMMAND --help' describes a command.\n"
	      "exit codes: 0 ok, 1 other failure, 2 usage, 3 I/O, 4 unusable input,\n"
	      "            5 model, 6 out of memory, 7 time budget, 8 upload failed\n", out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return PS_EXIT_OK;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s' (see 'panicsage --help')", argv[1]);
	return PS_EXIT_USAGE;
}
