/* panicsage-collector: the collector's host side (mbedTLS, SQLite), run
 * by the front end for serve, summarize, label, buckets, web and pki. */
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"

static const struct cli_command commands[] = {
	{ "serve",     cmd_serve,     NULL, "collector: receive cases over mutual TLS into a SQLite store" },
	{ "summarize", cmd_summarize, NULL, "summarise stored cases with an LLM (OpenAI-compatible endpoint)" },
	{ "label",     cmd_label,     NULL, "the labelling queue: crash buckets, most uncertain and frequent first; labels, resolutions" },
	{ "buckets",   cmd_buckets,   NULL, "the crash buckets of a store: the cases of one bug as one problem" },
	{ "web",       cmd_web,       NULL, "the triage web page of a store (HTTPS): buckets, plots, the queue, labels" },
	{ "pki",       cmd_pki,       NULL, "create the CA, collector and client certificates for uploads" },
};

int main(int argc, char **argv)
{
	return cli_main(commands, sizeof commands / sizeof commands[0], argc, argv);
}
