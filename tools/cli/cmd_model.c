/* panicsage model inspect|verify MODEL */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/catalogue.h"
#include "core/diagnose.h"
#include "core/status.h"
#include "core/model.h"
#include "tools/cli/cli.h"
#include "tools/cli/modelfile.h"

static const char model_usage[] =
	"usage: panicsage model inspect [MODEL]\n"
	"       panicsage model verify [MODEL]\n\n"
	"inspect  prints the parameters, labels and sections of a model file\n"
	"verify   checks it (header, section table, sizes, checksum, values,\n"
	"         its fault message catalogue) and prints 'ok' or the reason it\n"
	"         is unusable (exit 5)\n"
	"Without MODEL, the built-in default model.\n";

static void print_sections(const unsigned char *img)
{
	uint32_t n, i;
	char name[32];

	memcpy(&n, img + 24, 4);
	printf("sections (%u):\n", n);
	for (i = 0; i < n; i++) {
		uint32_t id;
		uint64_t off, size;

		memcpy(&id, img + 64 + 24 * i, 4);
		memcpy(&off, img + 64 + 24 * i + 8, 8);
		memcpy(&size, img + 64 + 24 * i + 16, 8);
		printf("  %-14s id 0x%03x  offset %9llu  size %9llu\n",
		       ps_model_section_name(id, name, sizeof name), id,
		       (unsigned long long)off, (unsigned long long)size);
	}
}

/* Parses the model's catalogue (or the built-in one it would use) into
 * *cat; says why and returns PS_EXIT_MODEL when it is malformed.
 * *mem is for free(). */
static int check_catalogue(const struct model_file *mf, struct ps_catalogue *cat, unsigned char **mem)
{
	size_t size = ((size_t)8 << 20) + 8 * (size_t)mf->m.catalogue.n;
	struct ps_cat_error err;
	struct ps_arena a;
	int st;

	*mem = malloc(size);
	if (!*mem) {
		cli_error("out of memory");
		return PS_EXIT_NOMEM;
	}
	ps_arena_init(&a, *mem, size);
	st = ps_model_catalogue(cat, &mf->m, &a, &err);
	if (st == PS_EFORMAT) {
		cli_error("%s: unusable: its catalogue, line %u: %s", mf->name, err.line, err.msg);
		return PS_EXIT_MODEL;
	}
	if (st != PS_OK) {
		cli_error("%s: catalogue: %s", mf->name, err.msg ? err.msg : ps_status_str(st));
		return ps_exit_for_status(st);
	}
	return PS_EXIT_OK;
}

static void usage(FILE *f)
{
	fputs(model_usage, f);
}

int cmd_model(int argc, char **argv)
{
	struct ps_catalogue cat;
	unsigned char *cat_mem = NULL;
	struct model_file mf;
	char *args[2] = { NULL, NULL }, *path;
	uint32_t i, l;
	int rc, nargs;
	const struct cli_opt opts[] = { CLI_END };
	const struct cli_spec spec = { "model", opts, usage, 1, 2 };

	if ((rc = cli_parse(&spec, argc, argv, args, &nargs)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	if (strcmp(args[0], "inspect") && strcmp(args[0], "verify")) {
		cli_error("model: unknown subcommand '%s'", args[0]);
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	path = args[1];
	if ((rc = model_file_open(&mf, path)) != PS_EXIT_OK)
		return rc;
	if ((rc = check_catalogue(&mf, &cat, &cat_mem)) != PS_EXIT_OK) {
		free(cat_mem);
		model_file_close(&mf);
		return rc;
	}
	if (!strcmp(args[0], "verify")) {
		printf("%s: ok (%zu bytes, checksum %016llx, catalogue of %u entries%s)\n", mf.name,
		       mf.m.size, (unsigned long long)mf.m.checksum, cat.n,
		       mf.m.catalogue.p ? "" : ": none of its own, the built-in one is used");
		free(cat_mem);
		model_file_close(&mf);
		return PS_EXIT_OK;
	}
	{
		const struct ps_model *m = &mf.m;
		const struct ps_model_params *p = &m->p;
		static const char *const kinds[PS_NFEAT] = { "token", "bigram", "template", "symbol",
							     "header", "catalogue" };
		uint32_t count[PS_MODEL_MAX_LABELS] = { 0 };

		printf("model: %s\nformat version %u, %zu bytes, checksum %016llx, numeric:%s%s\n",
		       mf.name, PS_MODEL_VERSION, m->size, (unsigned long long)m->checksum,
		       (m->flags & PS_MODEL_F_F32) ? " float32" : "",
		       (m->flags & PS_MODEL_F_INT8) ? " int8" : "");
		printf("features: %u buckets, hash seed %u, weights", p->nbuckets, p->hash_seed);
		for (i = 0; i < PS_NFEAT; i++)
			printf(" %s=%g", kinds[i], (double)p->feat_weight[i]);
		printf("\ndrain: %u templates, depth %u, st %g, max_children %u\n", p->ntemplates,
		       p->drain_depth, (double)p->drain_st, p->drain_max_children);
		printf("graphsage: %u layers, widths", p->nlayers);
		for (l = 0; l <= p->nlayers; l++)
			printf(" %u", p->dims[l]);
		printf(", k %u, tau %g\n", p->k, (double)p->tau);
		if (m->catalogue.p)
			printf("catalogue: %u entries, %u bytes, its own\n", cat.n, m->catalogue.n);
		else
			printf("catalogue: none of its own (a model from before models carried one);"
			       " the built-in one is used: %u entries\n", cat.n);
		if (m->flags & PS_MODEL_F_CALIB)
			printf("calibration: temperature %.4f, uncertain below %.2f\n", (double)m->temperature,
			       (double)m->uncertain_below);
		else
			printf("calibration: none (temperature 1, uncertain below %.2f)\n",
			       (double)m->uncertain_below);
		printf("catalogue back-off%s: weight %.2f (specific labels %.2f) near stored cases"
		       " (similarity >= %.2f), %.2f far (<= %.2f), generic entries x %.2f, specific"
		       " labels 0x%04x, uncertain below %.2f when model and catalogue differ\n",
		       m->flags & PS_MODEL_F_BACKOFF ? "" : " (none in the file: the default)",
		       (double)m->backoff.w_near, (double)m->backoff.w_specific, (double)m->backoff.s_hi,
		       (double)m->backoff.w_far, (double)m->backoff.s_lo, (double)m->backoff.generic,
		       m->backoff.specific, (double)m->backoff.conflict_below);
		printf("stored cases: %u\n", p->ncases);
		for (i = 0; i < p->ncases; i++)
			count[m->case_label[i]]++;
		printf("labels (%u):\n", p->nlabels);
		for (i = 0; i < p->nlabels; i++)
			printf("  %2u %-20.*s %u stored cases\n", i, (int)m->labels[i].n, m->labels[i].p,
			       count[i]);
		print_sections(mf.img);
	}
	free(cat_mem);
	model_file_close(&mf);
	return PS_EXIT_OK;
}
