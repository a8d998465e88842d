/* panicsage train: case files and labelled store cases → frozen model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/catalogue.h"
#include "core/status.h"
#include "tools/cli/cli.h"
#include "tools/train/commands.h"
#include "tools/train/experiment.h"
#include "tools/train/trainer.h"

static const char train_usage[] =
	"usage: panicsage train --out MODEL [OPTIONS] DIR|FILE...\n"
	"       panicsage train --out MODEL [OPTIONS] --db STORE [DIR|FILE...]\n\n"
	"Learns a model from case files (header lines with LABEL:, a blank line,\n"
	"the log; the *.log files of each DIR) and, with --db, from the cases of\n"
	"a collector's store that a person labelled ('panicsage label --set'):\n"
	"Drain templates, feature IDF and projection (LSA), GraphSAGE layers and\n"
	"classifier; stores the cases' layer embeddings; writes MODEL.\n\n"
	"  --out MODEL          model file to write\n"
	"  --db STORE           also train on every case of STORE with a human label:\n"
	"                       its log is the stored segment (one '[%%5lu.%%06lu] text'\n"
	"                       line per entry), its label the human label\n"
	"  --seed N             random seed (default 1); same seed, same model\n"
	"  --active-learning    start from 1%% labelled cases and run 5 rounds that\n"
	"                       each label the 1%% with the highest entropy (labels\n"
	"                       from the case files); report scores per round\n"
	"  --al-rounds N, --al-init F, --al-step F   (5, 0.01, 0.01)\n"
	"%s"
	"  --quiet              no progress output\n";

const char train_options_help[] =
	"  --dim N              h0 width, 16..256 (default 128)\n"
	"  --hidden N           GraphSAGE layer width (default 128)\n"
	"  --layers N           GraphSAGE layers, 1..3 (default 2)\n"
	"  --buckets N          feature hash buckets, power of two (default 8192)\n"
	"  --k N                neighbours per case (default 10)\n"
	"  --tau F              edge threshold, cosine (default 0.6)\n"
	"  --epochs N           training epochs (default 400)\n"
	"  --lr F               Adam learning rate (default 0.001)\n"
	"  --dropout F          (default 0.1)\n"
	"  --edge-drop F        DropEdge: share of graph edges dropped each epoch (default 0)\n"
	"  --max-templates N    templates shipped, by information gain (default 8000)\n"
	"  --header-weight F    weight of oops header tokens (default 3)\n"
	"  --ig-weight F        supervised feature weighting: IDF x (floor + F x\n"
	"                       information gain / label entropy); 0 = plain IDF (default 1)\n"
	"  --ig-floor F         (default 0.02)\n"
	"  --hint-weight F      give the label of the oops header's catalogue entry\n"
	"                       h0 dimensions of its own, at this weight; 0 = none\n"
	"                       (default 3)\n"
	"  --catalogue FILE     fault message catalogue the features use and the model\n"
	"                       carries (default: the built-in model/catalogue.tsv)\n"
	"  --projection lsa|random   (default lsa)\n"
	"  --format both|float|int8  numeric sections written (default both)\n"
	"  --whole-log          features from every line, not the extracted segment\n";

int train_parse_opt(struct train_cfg *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	double d;
	int rc;

	if (!strcmp(a, "--whole-log")) {
		c->whole_log = 1;
		return 1;
	}
	if (!v)
		return 0;
#define U32(name, field, lo, hi) if (!strcmp(a, name)) { \
		if ((rc = cli_parse_u32(a, v, lo, hi, &c->field))) return -rc; \
		(*i)++; return 1; }
#define FLT(name, field, lo, hi) if (!strcmp(a, name)) { \
		if ((rc = cli_parse_double(a, v, lo, hi, &d))) return -rc; \
		c->field = (float)d; (*i)++; return 1; }
	U32("--dim", dim, 8, 256)
	U32("--hidden", hidden, 8, 512)
	U32("--layers", nlayers, 1, 3)
	U32("--buckets", nbuckets, 16, 1u << 20)
	U32("--k", k, 1, 64)
	U32("--epochs", epochs, 1, 100000)
	U32("--max-templates", max_templates, 0, 1u << 20)
	FLT("--tau", tau, -1, 1)
	FLT("--lr", lr, 1e-6, 1)
	FLT("--dropout", dropout, 0, 0.9)
	FLT("--edge-drop", edge_drop, 0, 1)
	FLT("--header-weight", feat_weight[PS_FEAT_HEADER], 0, 1000)
	FLT("--ig-weight", ig_weight, 0, 1000)
	FLT("--ig-floor", ig_floor, 0, 1000)
	FLT("--hint-weight", hint_weight, 0, 1000)
#undef U32
#undef FLT
	if (!strcmp(a, "--seed")) {
		uint32_t s;

		if ((rc = cli_parse_u32(a, v, 0, UINT32_MAX, &s)))
			return -rc;
		c->seed = s;
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--catalogue")) {
		char *text;
		size_t len;

		if ((rc = cli_read_file(v, &text, &len)))
			return -rc;
		free(c->catalogue_owned);
		c->catalogue_owned = text;
		c->catalogue = text;
		c->catalogue_len = len;
		c->catalogue_path = v;
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--projection")) {
		if (!strcmp(v, "lsa"))
			c->proj = PROJ_LSA;
		else if (!strcmp(v, "random"))
			c->proj = PROJ_RANDOM;
		else {
			cli_error("--projection: lsa or random");
			return -PS_EXIT_USAGE;
		}
		(*i)++;
		return 1;
	}
	if (!strcmp(a, "--format")) {
		if (!strcmp(v, "both"))
			c->flags = PS_MODEL_F_F32 | PS_MODEL_F_INT8;
		else if (!strcmp(v, "float"))
			c->flags = PS_MODEL_F_F32;
		else if (!strcmp(v, "int8"))
			c->flags = PS_MODEL_F_INT8;
		else {
			cli_error("--format: both, float or int8");
			return -PS_EXIT_USAGE;
		}
		(*i)++;
		return 1;
	}
	return 0;
}

int train_check_cfg(const struct train_cfg *c)
{
	if (c->nbuckets & (c->nbuckets - 1)) {
		cli_error("--buckets must be a power of two");
		return PS_EXIT_USAGE;
	}
	if (!c->catalogue) {
		cli_error("this build has no built-in catalogue: give --catalogue FILE");
		return PS_EXIT_USAGE;
	} else {
		struct ps_catalogue cat;
		unsigned char *mem;
		int st = catalogue_load(&cat, &mem, c->catalogue, c->catalogue_len,
					c->catalogue_path ? c->catalogue_path : "built-in catalogue");

		free(mem);
		if (st != PS_OK)
			return st == PS_ENOMEM ? PS_EXIT_NOMEM : PS_EXIT_INPUT;
	}
	return PS_EXIT_OK;
}

struct al_ctx {
	const int *truth;
	uint32_t nlabels;
};

static void al_report(uint32_t round, const int *labels, const struct fold *f, const struct gnn *g,
		      void *vctx)
{
	struct al_ctx *ctx = vctx;
	int *pred = cli_calloc(f->n, sizeof *pred), *tr = cli_calloc(f->n, sizeof *tr);
	uint32_t i, nl = 0, y;
	struct scores s;

	for (i = 0; i < f->n; i++) {
		const float *p = g->probs + (size_t)i * ctx->nlabels;

		pred[i] = 0;
		for (y = 1; y < ctx->nlabels; y++)
			if (p[y] > p[pred[i]])
				pred[i] = (int)y;
		tr[i] = labels[i] >= 0 ? -1 : ctx->truth[i];    /* score the unlabelled only */
		nl += labels[i] >= 0;
	}
	s = score(tr, pred, f->n, ctx->nlabels);
	printf("active learning round %u: %u labelled (%.1f%%), on the other %u cases "
	       "macro_f1=%.4f accuracy=%.4f\n", round, nl, 100.0 * nl / f->n, s.n, s.macro_f1, s.accuracy);
	fflush(stdout);
	free(pred);
	free(tr);
}

int cmd_train(int argc, char **argv)
{
	struct train_cfg cfg;
	struct corpus cp;
	struct fold f;
	struct gnn g;
	const char *out = NULL, *db = NULL;
	char **paths = cli_calloc((size_t)argc + 1, sizeof *paths);
	int npaths = 0, i, rc, al = 0, *labels = NULL;
	uint32_t *idx = NULL, j, al_rounds = 5;
	double al_init = 0.01, al_step = 0.01, t0 = now_us();
	unsigned char *img;
	size_t len;
	FILE *fp;

	train_defaults(&cfg);
	cfg.progress = isatty(2);
	for (i = 1; i < argc; i++) {
		int r = train_parse_opt(&cfg, argc, argv, &i);

		if (r < 0) {
			free(paths);
			return -r;
		}
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf(train_usage, train_options_help);
			free(paths);
			return PS_EXIT_OK;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strcmp(argv[i], "--active-learning")) {
			al = 1;
		} else if (!strcmp(argv[i], "--al-rounds") && i + 1 < argc) {
			if ((rc = cli_parse_u32(argv[i], argv[i + 1], 0, 100, &al_rounds))) {
				free(paths);
				return rc;
			}
			i++;
		} else if (!strcmp(argv[i], "--al-init") && i + 1 < argc) {
			if ((rc = cli_parse_double(argv[i], argv[i + 1], 0, 1, &al_init))) {
				free(paths);
				return rc;
			}
			i++;
		} else if (!strcmp(argv[i], "--al-step") && i + 1 < argc) {
			if ((rc = cli_parse_double(argv[i], argv[i + 1], 0, 1, &al_step))) {
				free(paths);
				return rc;
			}
			i++;
		} else if (!strcmp(argv[i], "--quiet")) {
			cfg.quiet = 1;
			cfg.progress = 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("train: unknown or incomplete option '%s'", argv[i]);
			fprintf(stderr, train_usage, train_options_help);
			free(paths);
			return PS_EXIT_USAGE;
		} else {
			paths[npaths++] = argv[i];
		}
	}
	if (!out || (!npaths && !db)) {
		fprintf(stderr, train_usage, train_options_help);
		free(paths);
		return PS_EXIT_USAGE;
	}
	if ((rc = train_check_cfg(&cfg)) != PS_EXIT_OK) {
		free(paths);
		return rc;
	}
	rc = corpus_load(&cp, paths, npaths, db);
	free(paths);
	if (rc != PS_EXIT_OK)
		return rc;
	if (db && !cp.nstore && !cfg.quiet)
		cli_error("warning: %s: no case has a human label yet; training on the case files alone", db);
	idx = cli_calloc(cp.n, sizeof *idx);
	labels = cli_calloc(cp.n, sizeof *labels);
	for (j = 0; j < cp.n; j++) {
		idx[j] = j;
		labels[j] = cp.c[j].label;
	}
	if (!cfg.quiet)
		fprintf(stderr, "train: %u cases (%u from the store), %u labels, seed %llu\n", cp.n,
			cp.nstore, cp.nlabels, (unsigned long long)cfg.seed);
	if ((rc = fold_prepare(&f, &cfg, &cp, idx, cp.n, al ? NULL : labels)) != PS_EXIT_OK)
		goto done;
	if (al) {
		struct al_ctx ctx = { labels, cp.nlabels };
		int *have = cli_calloc(cp.n, sizeof *have);

		rc = active_learning(&f, labels, cp.nlabels, al_init, al_step, al_rounds, cfg.seed, have,
				     al_report, &ctx);
		if (rc == PS_EXIT_OK)
			rc = gnn_train(&g, &f, have, cp.nlabels);
		memcpy(labels, have, cp.n * sizeof *labels);
		free(have);
	} else {
		rc = gnn_train(&g, &f, labels, cp.nlabels);
	}
	if (rc != PS_EXIT_OK)
		goto done;
	img = model_build(&f, &g, labels, cp.labels, cp.nlabels, &len);
	fp = fopen(out, "wb");
	if (!fp || fwrite(img, 1, len, fp) != len || fclose(fp) != 0) {
		cli_error("%s: cannot write the model", out);
		rc = PS_EXIT_IO;
	} else if (!cfg.quiet) {
		fprintf(stderr, "train: wrote %s (%zu bytes) in %.1f s, final loss %.4f\n", out, len,
			(now_us() - t0) / 1e6, (double)g.final_loss);
	}
	free(img);
	gnn_free(&g);
done:
	fold_free(&f);
	free(idx);
	free(labels);
	corpus_free(&cp);
	return rc;
}
