/* panicsage: the host command line's front end. */
#include "tools/cli/cli.h"

static const struct cli_command commands[] = {
	{ "classify",  cmd_classify,  NULL, "extract the fault-indicating lines of a kernel log and label them" },
	{ "dmesg",     cmd_dmesg,     NULL, "print the kernel log of a vmcore, as vmcore-dmesg does" },
	{ "templates", cmd_templates, NULL, "print the Drain template of every line of a log" },
	{ "model",     cmd_model,     NULL, "inspect or verify a model file" },
	{ "serve",     NULL, "panicsage-collector", "collector: receive cases over mutual TLS into a SQLite store" },
	{ "summarize", NULL, "panicsage-collector", "summarise stored cases with an LLM (OpenAI-compatible endpoint)" },
	{ "label",     NULL, "panicsage-collector", "the labelling queue: crash buckets, most uncertain and frequent first; labels, resolutions" },
	{ "buckets",   NULL, "panicsage-collector", "the crash buckets of a store: the cases of one bug as one problem" },
	{ "web",       NULL, "panicsage-collector", "the triage web page of a store (HTTPS): buckets, plots, the queue, labels" },
	{ "pki",       NULL, "panicsage-collector", "create the CA, collector and client certificates for uploads" },
	{ "train",     NULL, "panicsage-train",     "learn a model from labelled case files and store cases" },
	{ "eval",      NULL, "panicsage-train",     "score a model, the baselines and ablations on case files" },
	{ "logform",   NULL, "panicsage-train",     "write a plain log in one of the forms users paste logs in" },
};

int main(int argc, char **argv)
{
	return cli_main(commands, sizeof commands / sizeof commands[0], argc, argv);
}
