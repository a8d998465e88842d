/* panicsage train: case files and labelled store cases → frozen model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/catalogue.h"
#include "core/status.h"
#include "tools/cli/cli.h"
#include "tools/train/backoff.h"
#include "tools/train/calib.h"
#include "tools/train/commands.h"
#include "tools/train/experiment.h"
#include "tools/train/trainer.h"

/* The least a model is trained from: TRAIN_MIN_LABELS labels with
 * TRAIN_MIN_PER_LABEL labelled cases each.  One case, or one case per
 * label, gives a model that labels every crash with confidence ~1. */
#define TRAIN_MIN_LABELS 2
#define TRAIN_MIN_PER_LABEL 3
#define STR_(x) #x
#define STR(x) STR_(x)
#define TRAIN_MIN_LABELS_S STR(TRAIN_MIN_LABELS)
#define TRAIN_MIN_PER_LABEL_S STR(TRAIN_MIN_PER_LABEL)

static const char train_usage[] =
	"usage: panicsage train --out MODEL [OPTIONS] DIR|FILE...\n"
	"       panicsage train --out MODEL [OPTIONS] --db STORE [DIR|FILE...]\n\n"
	"Learns a model from case files (header lines with LABEL:, a blank line,\n"
	"the log; the *.log files of each DIR) and, with --db, from the cases of\n"
	"a collector's store that a person labelled ('panicsage label --set'):\n"
	"Drain templates, feature IDF and projection (LSA), GraphSAGE layers and\n"
	"classifier; stores the cases' layer embeddings; writes MODEL.\n\n"
	"A model needs at least " TRAIN_MIN_LABELS_S " labels with at least " TRAIN_MIN_PER_LABEL_S " labelled cases\n"
	"each: with fewer, train refuses (exit 4) rather than write a model that\n"
	"is confidently wrong; a label with fewer cases than that is kept, with\n"
	"a warning.\n\n"
	"  --out MODEL          model file to write\n"
	"  --db STORE           also train on every case of STORE with a human label:\n"
	"                       its log is the stored segment (one '[%%5lu.%%06lu] text'\n"
	"                       line per entry), its label the human label; STORE is a\n"
	"                       SQLite file or a postgresql://... URL\n"
	"  --seed N             random seed (default 1); same seed, same model\n"
	"  --active-learning    start from 1%% labelled cases and run 5 rounds that\n"
	"                       each label the 1%% with the highest entropy (labels\n"
	"                       from the case files); report scores per round\n"
	"  --al-rounds N, --al-init F, --al-step F   (5, 0.01, 0.01)\n"
	"  --calibrate K        fit the softmax temperature on the held-out\n"
	"                       predictions of K-fold cross-validation over the\n"
	"                       training cases (K models more to train) and store\n"
	"                       it in the model; 0 = none, temperature 1 (default 0)\n"
	"  --uncertain-below F  with --calibrate: a top probability below F is\n"
	"                       reported as uncertain (default 0.5)\n"
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
	"  --whole-log          features from every line, not the extracted segment\n"
	"  --max-stored N       cases the model stores at most (default 16384, and never\n"
	"                       more than fit in an 8 MiB model); above it a\n"
	"                       representative subset per label and crash bucket is\n"
	"                       stored and is the GraphSAGE graph (tools/train/README.md)\n"
	"  --per-bucket N       then at most N cases of one crash bucket (default 32)\n"
	BACKOFF_HELP;

static int set_seed(void *ctx, const char *opt, char **vals)
{
	struct train_cfg *c = ctx;
	uint32_t s;
	int rc = cli_parse_u32(opt, vals[0], 0, UINT32_MAX, &s);

	if (rc == PS_EXIT_OK)
		c->seed = s;
	return rc;
}

static int set_projection(void *ctx, const char *opt, char **vals)
{
	struct train_cfg *c = ctx;

	if (!strcmp(vals[0], "lsa"))
		c->proj = PROJ_LSA;
	else if (!strcmp(vals[0], "random"))
		c->proj = PROJ_RANDOM;
	else {
		cli_error("%s: lsa or random", opt);
		return PS_EXIT_USAGE;
	}
	return PS_EXIT_OK;
}

static int set_catalogue(void *ctx, const char *opt, char **vals)
{
	struct train_cfg *c = ctx;
	char *text;
	size_t len;
	int rc;

	(void)opt;
	if ((rc = cli_read_file(vals[0], &text, &len)))
		return rc;
	free(c->catalogue_owned);
	c->catalogue_owned = text;
	c->catalogue = text;
	c->catalogue_len = len;
	c->catalogue_path = vals[0];
	return PS_EXIT_OK;
}

static int set_format(void *ctx, const char *opt, char **vals)
{
	struct train_cfg *c = ctx;

	if (!strcmp(vals[0], "both"))
		c->flags = PS_MODEL_F_F32 | PS_MODEL_F_INT8;
	else if (!strcmp(vals[0], "float"))
		c->flags = PS_MODEL_F_F32;
	else if (!strcmp(vals[0], "int8"))
		c->flags = PS_MODEL_F_INT8;
	else {
		cli_error("%s: both, float or int8", opt);
		return PS_EXIT_USAGE;
	}
	return PS_EXIT_OK;
}

size_t train_cfg_options(struct train_cfg *c, struct cli_opt *o)
{
	const struct cli_opt opts[TRAIN_CFG_NOPTS] = {
		CLI_U32("--dim", &c->dim, 8, 256),
		CLI_U32("--hidden", &c->hidden, 8, 512),
		CLI_U32("--layers", &c->nlayers, 1, 3),
		CLI_U32("--buckets", &c->nbuckets, 16, 1u << 20),
		CLI_U32("--k", &c->k, 1, 64),
		CLI_U32("--epochs", &c->epochs, 1, 100000),
		CLI_U32("--max-templates", &c->max_templates, 0, 1u << 20),
		CLI_FLOAT("--tau", &c->tau, -1, 1),
		CLI_FLOAT("--lr", &c->lr, 1e-6, 1),
		CLI_FLOAT("--dropout", &c->dropout, 0, 0.9),
		CLI_FLOAT("--edge-drop", &c->edge_drop, 0, 1),
		CLI_FLOAT("--header-weight", &c->feat_weight[PS_FEAT_HEADER], 0, 1000),
		CLI_FLOAT("--ig-weight", &c->ig_weight, 0, 1000),
		CLI_FLOAT("--ig-floor", &c->ig_floor, 0, 1000),
		CLI_FLOAT("--hint-weight", &c->hint_weight, 0, 1000),
		CLI_CALL("--seed", set_seed, c),
		CLI_CALL("--projection", set_projection, c),
		CLI_CALL("--format", set_format, c),
		CLI_CALL("--catalogue", set_catalogue, c),
		CLI_FLAG("--whole-log", &c->whole_log),
		CLI_U32("--max-stored", &c->max_stored, 1, UINT32_MAX),
		CLI_U32("--per-bucket", &c->per_bucket, 1, UINT32_MAX),
		CLI_CALL("--backoff", set_backoff, c),
	};

	memcpy(o, opts, sizeof opts);
	return TRAIN_CFG_NOPTS;
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

/* Refuses a corpus too small to learn from (exit 4, saying what it
 * has); warns about the labels with too few cases. */
static int check_enough(const struct corpus *cp, int quiet)
{
	uint32_t cnt[PS_MODEL_MAX_LABELS] = { 0 }, j, ok = 0, labelled = 0;
	char have[1024];
	size_t len = 0;

	for (j = 0; j < cp->n; j++)
		if (cp->c[j].label >= 0) {
			cnt[cp->c[j].label]++;
			labelled++;
		}
	have[0] = '\0';
	for (j = 0; j < cp->nlabels; j++) {
		if (!cnt[j])
			continue;
		ok += cnt[j] >= TRAIN_MIN_PER_LABEL;
		if (len < sizeof have - 80)
			len += (size_t)snprintf(have + len, sizeof have - len, "%s%s %u", len ? ", " : "",
						cp->labels[j], cnt[j]);
	}
	if (ok < TRAIN_MIN_LABELS) {
		cli_error("train: too few labelled cases to learn from: a model needs at least %d labels "
			  "with at least %d cases each; %u labelled case(s)%s%s", TRAIN_MIN_LABELS,
			  TRAIN_MIN_PER_LABEL, labelled, labelled ? ": " : "", have);
		return PS_EXIT_INPUT;
	}
	if (!quiet)
		for (j = 0; j < cp->nlabels; j++)
			if (cnt[j] && cnt[j] < TRAIN_MIN_PER_LABEL)
				cli_error("warning: label %s has only %u case(s); the model will not "
					  "predict it reliably", cp->labels[j], cnt[j]);
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

static void usage(FILE *f)
{
	fprintf(f, train_usage, train_options_help);
}

int cmd_train(int argc, char **argv)
{
	struct train_cfg cfg;
	struct corpus cp;
	struct fold f;
	struct gnn g;
	const char *out = NULL, *db = NULL;
	char **paths = cli_calloc((size_t)argc + 1, sizeof *paths);
	int npaths = 0, rc, al = 0, *labels = NULL;
	struct cli_opt opts[TRAIN_CFG_NOPTS + 10];
	const struct cli_spec spec = { "train", opts, usage, 0, argc };
	size_t n;
	uint32_t *idx = NULL, j, al_rounds = 5, calib_k = 0;
	double al_init = 0.01, al_step = 0.01, t0 = now_us();
	unsigned char *img;
	size_t len;
	FILE *fp;

	train_defaults(&cfg);
	cfg.progress = isatty(2);
	n = train_cfg_options(&cfg, opts);
	opts[n++] = (struct cli_opt)CLI_STR("--out", &out);
	opts[n++] = (struct cli_opt)CLI_STR("--db", &db);
	opts[n++] = (struct cli_opt)CLI_FLAG("--active-learning", &al);
	opts[n++] = (struct cli_opt)CLI_U32("--al-rounds", &al_rounds, 0, 100);
	opts[n++] = (struct cli_opt)CLI_DOUBLE("--al-init", &al_init, 0, 1);
	opts[n++] = (struct cli_opt)CLI_DOUBLE("--al-step", &al_step, 0, 1);
	opts[n++] = (struct cli_opt)CLI_U32("--calibrate", &calib_k, 0, 20);
	opts[n++] = (struct cli_opt)CLI_FLOAT("--uncertain-below", &cfg.uncertain_below, 0, 1);
	opts[n++] = (struct cli_opt)CLI_FLAG("--quiet", &cfg.quiet);
	opts[n] = (struct cli_opt)CLI_END;
	if ((rc = cli_parse(&spec, argc, argv, paths, &npaths)) != PS_EXIT_OK) {
		free(paths);
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	}
	if (cfg.quiet)
		cfg.progress = 0;
	if (!out || (!npaths && !db)) {
		usage(stderr);
		free(paths);
		return PS_EXIT_USAGE;
	}
	if ((rc = train_check_cfg(&cfg)) != PS_EXIT_OK) {
		free(paths);
		return rc;
	}
	if (calib_k == 1) {
		cli_error("train: --calibrate: 0 (none) or 2..20 folds");
		free(paths);
		return PS_EXIT_USAGE;
	}
	rc = corpus_load(&cp, paths, npaths, db);
	free(paths);
	if (rc != PS_EXIT_OK)
		return rc;
	if (db && !cp.nstore && !cfg.quiet)
		cli_error("warning: %s: no case has a human label yet; training on the case files alone", db);
	if ((rc = check_enough(&cp, cfg.quiet)) != PS_EXIT_OK) {
		corpus_free(&cp);
		return rc;
	}
	idx = cli_calloc(cp.n, sizeof *idx);
	labels = cli_calloc(cp.n, sizeof *labels);
	for (j = 0; j < cp.n; j++) {
		idx[j] = j;
		labels[j] = cp.c[j].label;
	}
	if (!cfg.quiet)
		fprintf(stderr, "train: %u cases (%u from the store), %u labels, seed %llu\n", cp.n,
			cp.nstore, cp.nlabels, (unsigned long long)cfg.seed);
	if (calib_k) {
		struct pred *p = cli_calloc(cp.n, sizeof *p);
		float *probs = cli_calloc((size_t)cp.n * cp.nlabels + 1, sizeof *probs);
		int *truth = cli_calloc(cp.n, sizeof *truth);
		double t = 1;

		rc = cv_predict(&cfg, &cp, calib_k, p);
		if (rc == PS_EXIT_OK) {
			for (j = 0; j < cp.n; j++) {
				truth[j] = p[j].truth;
				memcpy(probs + (size_t)j * cp.nlabels, p[j].probs, cp.nlabels * sizeof *probs);
			}
			t = calib_fit_temperature(probs, truth, cp.n, cp.nlabels);
			cfg.temperature = (float)t;
			if (!cfg.quiet)
				fprintf(stderr, "train: temperature %.4f (held-out NLL %.4f at T=1, %.4f at T)\n", t,
					calib_nll(probs, truth, cp.n, cp.nlabels, 1),
					calib_nll(probs, truth, cp.n, cp.nlabels, t));
		}
		free(p);
		free(probs);
		free(truth);
		if (rc != PS_EXIT_OK)
			goto done_nofold;
	}
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
done_nofold:
	free(idx);
	free(labels);
	corpus_free(&cp);
	return rc;
}
