/* panicsage eval: a model, its baselines and ablations, scored. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/status.h"
#include "tools/cli/cli.h"
#include "tools/train/calib.h"
#include "tools/train/commands.h"
#include "tools/train/experiment.h"
#include "tools/cli/modelfile.h"
#include "tools/train/trainer.h"

static const char eval_usage[] =
	"usage: panicsage eval --model MODEL [OPTIONS] DIR|FILE...\n"
	"       panicsage eval --cv K [OPTIONS] DIR|FILE...\n\n"
	"Classifies labelled case files and prints per-class precision, recall\n"
	"and F1, the confusion matrix, macro-F1, the culprit-line hit rate at\n"
	"1/3/5 (against the oops header line, found from the TITLE: header --\n"
	"for evaluation only), per-case latency, and the int8/float agreement;\n"
	"then the calibration: expected calibration error over 15 bins, the\n"
	"share of answers with confidence >= 0.9 that are wrong, NLL, the\n"
	"reliability bins, and a table per case header ARCH:, FORM:, ERA:,\n"
	"SOURCE: (its first word) present (headers are never classified).  With\n"
	"--cv, calibration is shown at temperature 1 and with each fold\n"
	"re-scaled by the temperature fitted on the other folds.  A log with\n"
	"no crash found is a wrong answer, unless cases labelled none (logs\n"
	"without a crash) are among them: then it is the answer none, with\n"
	"confidence 1.\n"
	"The last line is 'macro_f1=<value>'.\n\n"
	"--cv K trains and tests K times on a stratified split (default mode,\n"
	"K = 5) and also scores the baselines on the same split: keyword rules,\n"
	"TF-IDF nearest centroid, TF-IDF kNN, kNN on h0 without the graph\n"
	"(w/o GARCA), and the model on the raw log without extraction\n"
	"(w/o FILE).\n\n"
	"  --model MODEL        evaluate this model file\n"
	"  --cv K               K-fold cross-validation, 2..20\n"
	"  --active-learning    (with --cv) the active-learning curve, rounds 0..5\n"
	"  --no-baselines       only the model\n"
	"  --errors             list the misclassified cases\n"
	"  --train-extra DIR    (with --cv) cases of DIR join every fold's training\n"
	"                       set and are never tested (e.g. the lab corpus while\n"
	"                       scoring held-out real logs); repeatable\n"
	"  --seed N             split and training seed (default 1)\n"
	"%s"
	"  --quiet              no progress output\n";

struct curve {
	int *pred;        /* [rounds + 1][ncases] */
	double *frac;     /* labelled fraction per round, summed over folds */
	uint32_t rounds, ncases;
};

struct al_eval_ctx {
	struct curve *cv;
	const uint32_t *test;
	uint32_t ntest;
	const struct corpus *cp;
	struct pred *tmp;
};

static void al_eval_report(uint32_t round, const int *labels, const struct fold *f,
			   const struct gnn *g, void *vctx)
{
	struct al_eval_ctx *ctx = vctx;
	size_t len;
	unsigned char *img = model_build(f, g, labels, ctx->cp->labels, ctx->cp->nlabels, &len);
	uint32_t i, nl = 0;

	model_predict(img, len, ctx->cp, ctx->test, ctx->ntest, 0, ctx->tmp);
	for (i = 0; i < ctx->ntest; i++)
		ctx->cv->pred[(size_t)round * ctx->cv->ncases + ctx->test[i]] = ctx->tmp[i].label;
	for (i = 0; i < f->n; i++)
		nl += labels[i] >= 0;
	ctx->cv->frac[round] += (double)nl / f->n;
	free(img);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_model_report(const struct corpus *cp, const struct pred *p, uint32_t n)
{
	int *truth = cli_calloc(n, sizeof *truth), *pred = cli_calloc(n, sizeof *pred);
	int *pq = cli_calloc(n, sizeof *pq);
	double *lat = cli_calloc(n, sizeof *lat), lsum = 0;
	uint32_t i, hits[6] = { 0 }, known = 0, agree = 0, labelled = 0;
	struct scores s, sq;

	for (i = 0; i < n; i++) {
		truth[i] = p[i].truth;
		pred[i] = p[i].label;
		pq[i] = p[i].label_q8;
		lat[i] = p[i].us;
		lsum += p[i].us;
		if (p[i].truth >= 0) {
			labelled++;
			agree += p[i].label == p[i].label_q8;
		}
		if (p[i].hdr_rank != HDR_UNKNOWN) {
			known++;
			if (p[i].hdr_rank >= 1 && p[i].hdr_rank <= 5)
				hits[p[i].hdr_rank]++;
		}
	}
	print_class_report(stdout, cp, truth, pred, n);
	s = score(truth, pred, n, cp->nlabels);
	sq = score(truth, pq, n, cp->nlabels);
	printf("\nmodel: macro-F1 %.4f over %u classes, accuracy %.4f, %u cases\n", s.macro_f1,
	       s.classes, s.accuracy, s.n);
	{
		/* the same without the classes too small to learn (< 5 cases) */
		uint32_t cnt[PS_MODEL_MAX_LABELS] = { 0 }, small = 0;
		int *t5 = cli_calloc(n, sizeof *t5), *p5 = cli_calloc(n, sizeof *p5);
		struct scores s5;

		for (i = 0; i < n; i++)
			if (truth[i] >= 0)
				cnt[truth[i]]++;
		for (i = 0; i < cp->nlabels; i++)
			small += cnt[i] > 0 && cnt[i] < 5;
		for (i = 0; i < n; i++) {
			t5[i] = truth[i] >= 0 && cnt[truth[i]] >= 5 ? truth[i] : -1;
			p5[i] = pred[i] >= 0 && cnt[pred[i]] >= 5 ? pred[i] : -1;
		}
		s5 = score(t5, p5, n, cp->nlabels);
		if (small)
			printf("model: macro-F1 %.4f over the %u classes with at least 5 cases "
			       "(%u smaller classes left out), accuracy %.4f on their %u cases\n",
			       s5.macro_f1, s5.classes, small, s5.accuracy, s5.n);
		free(t5);
		free(p5);
	}
	printf("int8 path: macro-F1 %.4f, same label as float on %u of %u cases (%.2f%%)\n",
	       sq.macro_f1, agree, labelled, labelled ? 100.0 * agree / labelled : 0);
	if (known)
		printf("culprit lines: oops header found for %u cases; hit@1 %.3f  hit@3 %.3f  hit@5 %.3f\n",
		       known, (double)hits[1] / known, (double)(hits[1] + hits[2] + hits[3]) / known,
		       (double)(hits[1] + hits[2] + hits[3] + hits[4] + hits[5]) / known);
	qsort(lat, n, sizeof *lat, cmp_double);
	if (n)
		printf("latency per case (analysis + classification, host build): mean %.0f us, "
		       "median %.0f us, p95 %.0f us, max %.0f us\n", lsum / n, lat[n / 2],
		       lat[(size_t)(0.95 * (n - 1))], lat[n - 1]);
	free(truth);
	free(pred);
	free(pq);
	free(lat);
}

/* Calibration figures of predictions p[0..n): ECE over CALIB_BINS bins,
 * the confident-wrong rate, mean NLL and the reliability bins. */
static void print_calibration(const struct corpus *cp, const struct pred *p, uint32_t n, const char *what)
{
	int *truth = cli_calloc(n, sizeof *truth), *pred = cli_calloc(n, sizeof *pred);
	float *conf = cli_calloc(n, sizeof *conf);
	float *probs = cli_calloc((size_t)n * cp->nlabels + 1, sizeof *probs);
	struct calib_stats st;
	uint32_t i, b;

	for (i = 0; i < n; i++) {
		truth[i] = p[i].truth;
		pred[i] = p[i].label;
		conf[i] = p[i].conf;
		memcpy(probs + (size_t)i * cp->nlabels, p[i].probs, cp->nlabels * sizeof *probs);
	}
	calib_stats(truth, pred, conf, n, &st);
	printf("calibration (%s): ECE %.4f (%u bins), confident-wrong %u of %u answers with "
	       "confidence >= 0.9 (%.4f), NLL %.4f, %u answers\n", what, st.ece, CALIB_BINS,
	       st.confident_wrong, st.confident, st.confident ? (double)st.confident_wrong / st.confident : 0,
	       calib_nll(probs, truth, n, cp->nlabels, 1), st.n);
	for (b = 0; b < CALIB_BINS; b++)
		if (st.bin[b].n)
			printf("reliability (%s): bin %.3f-%.3f n %u confidence %.4f accuracy %.4f\n", what,
			       (double)b / CALIB_BINS, (double)(b + 1) / CALIB_BINS, st.bin[b].n,
			       st.bin[b].conf, st.bin[b].acc);
	free(truth);
	free(pred);
	free(conf);
	free(probs);
}

/* The slice of case c by header `key` (ARCH, FORM, ERA, SOURCE): the
 * value, and in *len how much of it counts -- SOURCE's first word only
 * ("synthetic", "syzkaller", "panicsage" for the lab), since the rest
 * names each case's own origin. */
static const char *slice_of(const struct case_rec *c, int key, size_t *len)
{
	const char *v = key == 0 ? c->arch : key == 1 ? c->form : key == 2 ? c->era : c->source;

	if (v)
		*len = key == 3 ? strcspn(v, " ") : strlen(v);
	return v;
}

/* Per-slice table for one case header (ARCH, FORM, ERA, SOURCE): for
 * each value, cases, accuracy, macro-F1, ECE, confident-wrong.  Nothing
 * when no scored case has the header. */
static void print_slices(const struct corpus *cp, const struct pred *p, uint32_t n, const uint32_t *idx,
			 int key)
{
	static const char *const names[] = { "ARCH", "FORM", "ERA", "SOURCE" };
	const char **vals = cli_calloc(n + 1, sizeof *vals);
	size_t *lens = cli_calloc(n + 1, sizeof *lens), len = 0;
	int *truth = cli_calloc(n, sizeof *truth), *pred = cli_calloc(n, sizeof *pred);
	float *conf = cli_calloc(n, sizeof *conf);
	uint32_t i, j, nv = 0, m;

	for (i = 0; i < n; i++) {
		const char *v = slice_of(&cp->c[idx ? idx[i] : i], key, &len);

		if (!v || p[i].truth < 0)
			continue;
		for (j = 0; j < nv && (lens[j] != len || memcmp(vals[j], v, len)); j++)
			;
		if (j == nv) {
			lens[nv] = len;
			vals[nv++] = v;
		}
	}
	if (nv) {
		printf("\n| %s | cases | accuracy | macro-F1 | ECE | confident-wrong |\n|---|---|---|---|---|---|\n",
		       names[key]);
		for (j = 0; j < nv; j++) {
			struct calib_stats st;
			struct scores sc;

			for (i = 0, m = 0; i < n; i++) {
				const char *v = slice_of(&cp->c[idx ? idx[i] : i], key, &len);

				if (!v || len != lens[j] || memcmp(v, vals[j], len) || p[i].truth < 0)
					continue;
				truth[m] = p[i].truth;
				pred[m] = p[i].label;
				conf[m] = p[i].conf;
				m++;
			}
			sc = score(truth, pred, m, cp->nlabels);
			calib_stats(truth, pred, conf, m, &st);
			printf("| %.*s | %u | %.3f | %.3f | %.3f | %u/%u |\n", (int)lens[j], vals[j], m, sc.accuracy, sc.macro_f1,
			       st.ece, st.confident_wrong, st.confident);
		}
	}
	free(vals);
	free(lens);
	free(truth);
	free(pred);
	free(conf);
}

/* Is `path` one of `dirs` or a file inside one of them? */
static int under_paths(const char *path, char **dirs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(dirs[i]);

		while (len > 1 && dirs[i][len - 1] == '/')
			len--;
		if (!strncmp(path, dirs[i], len) && (path[len] == '/' || !path[len]))
			return 1;
	}
	return 0;
}

/* Stratified folds over the cases from the tested paths (the first
 * `ntested` of `paths`); every other case (--train-extra) gets fold k:
 * in every training set, never tested.  Fails if no case is tested. */
static int assign_folds(const struct corpus *cp, char **paths, int ntested, uint32_t k,
			uint64_t seed, uint32_t *fold)
{
	struct corpus sub = *cp;
	uint32_t *sfold = cli_calloc(cp->n, sizeof *sfold), j, m = 0;

	sub.c = cli_calloc(cp->n, sizeof *sub.c);
	for (j = 0; j < cp->n; j++)
		if (under_paths(cp->c[j].path, paths, ntested))
			sub.c[m++] = cp->c[j];
	sub.n = m;
	stratified_folds(&sub, k, seed, sfold);
	for (j = 0, m = 0; j < cp->n; j++)
		fold[j] = under_paths(cp->c[j].path, paths, ntested) ? sfold[m++] : k;
	free(sub.c);
	free(sfold);
	if (!sub.n)
		cli_error("eval: no case to test (every case is --train-extra)");
	return sub.n ? PS_EXIT_OK : PS_EXIT_USAGE;
}

static void usage(FILE *f)
{
	fprintf(f, eval_usage, train_options_help);
}

/* --train-extra DIR|FILE, repeatable. */
struct extra_paths {
	char **v;
	int n;
};

static int add_extra(void *ctx, const char *opt, char **vals)
{
	struct extra_paths *e = ctx;

	(void)opt;
	e->v[e->n++] = vals[0];
	return PS_EXIT_OK;
}

int cmd_eval(int argc, char **argv)
{
	struct train_cfg cfg;
	struct corpus cp;
	const char *model = NULL;
	char **paths = cli_calloc((size_t)argc + 1, sizeof *paths);
	char **extra = cli_calloc((size_t)argc + 1, sizeof *extra);
	int npaths = 0, nextra = 0, i, rc, al = 0, baselines = 1, errors = 0;
	struct extra_paths ex = { extra, 0 };
	struct cli_opt opts[TRAIN_CFG_NOPTS + 8];
	const struct cli_spec spec = { "eval", opts, usage, 1, argc };
	size_t n;
	uint32_t k = 5, j, f;
	struct pred *p = NULL;
	double t0 = now_us();

	train_defaults(&cfg);
	cfg.progress = 0;
	cfg.quiet = 1;
	n = train_cfg_options(&cfg, opts);
	opts[n++] = (struct cli_opt)CLI_STR("--model", &model);
	opts[n++] = (struct cli_opt)CLI_U32("--cv", &k, 2, 20);
	opts[n++] = (struct cli_opt)CLI_FLAG("--active-learning", &al);
	opts[n++] = (struct cli_opt)CLI_CALL("--train-extra", add_extra, &ex);
	opts[n++] = (struct cli_opt)CLI_FLAG("--errors", &errors);
	opts[n++] = (struct cli_opt)CLI_SET("--no-baselines", &baselines, 0);
	opts[n++] = (struct cli_opt)CLI_SET("--quiet", &cfg.quiet, 2);
	opts[n] = (struct cli_opt)CLI_END;
	if ((rc = cli_parse(&spec, argc, argv, paths, &npaths)) != PS_EXIT_OK) {
		rc = rc == CLI_HELP ? PS_EXIT_OK : rc;
		goto free_args;
	}
	nextra = ex.n;
	if (model && nextra) {
		cli_error("eval: --train-extra needs --cv (a given model is not trained here)");
		rc = PS_EXIT_USAGE;
		goto free_args;
	}
	if ((rc = train_check_cfg(&cfg)) != PS_EXIT_OK)
		goto free_args;
	for (i = 0; i < nextra; i++)
		paths[npaths + i] = extra[i];
	if ((rc = corpus_load(&cp, paths, npaths + nextra, NULL)) != PS_EXIT_OK)
		goto free_args;
	p = cli_calloc(cp.n, sizeof *p);
	printf("panicsage eval: %u case files from", cp.n);
	for (i = 0; i < npaths; i++)
		printf(" %s", paths[i]);
	for (i = 0; i < nextra; i++)
		printf(" %s (training only)", extra[i]);
	putchar('\n');

	if (model) {
		struct model_file mf;
		uint32_t *idx = cli_calloc(cp.n, sizeof *idx);

		if ((rc = model_file_open(&mf, model)) != PS_EXIT_OK) {
			free(idx);
			goto out;
		}
		printf("mode: model %s (no training, so no vector baselines)\n\n", model);
		for (j = 0; j < cp.n; j++)
			idx[j] = j;
		rc = model_predict(mf.img, mf.m.size, &cp, idx, cp.n, 0, p);
		if (rc == PS_EXIT_OK) {
			int *truth = cli_calloc(cp.n, sizeof *truth), *kw = cli_calloc(cp.n, sizeof *kw);

			print_model_report(&cp, p, cp.n);
			putchar('\n');
			print_calibration(&cp, p, cp.n, "the model's probabilities");
			for (f = 0; f < 4; f++)
				print_slices(&cp, p, cp.n, NULL, (int)f);
			putchar('\n');
			for (j = 0; j < cp.n; j++) {
				truth[j] = p[j].truth;
				kw[j] = keyword_rules(&cp, &cp.c[j]);
			}
			if (baselines)
				printf("baseline %-26s macro_f1=%.4f\n", baseline_names[B_KEYWORD],
				       score(truth, kw, cp.n, cp.nlabels).macro_f1);
			{
				int *pr = cli_calloc(cp.n, sizeof *pr);
				for (j = 0; j < cp.n; j++)
					pr[j] = p[j].label;
				printf("macro_f1=%.4f\n", score(truth, pr, cp.n, cp.nlabels).macro_f1);
				free(pr);
			}
			free(truth);
			free(kw);
		}
		model_file_close(&mf);
		free(idx);
		goto out;
	}

	{
		uint32_t *fold = cli_calloc(cp.n, sizeof *fold), *tr = cli_calloc(cp.n, sizeof *tr);
		uint32_t *te = cli_calloc(cp.n, sizeof *te), ntr, nte, r;
		int *lab = cli_calloc(cp.n, sizeof *lab);
		struct pred *tmp = cli_calloc(cp.n, sizeof *tmp);
		struct curve cv = { 0 };
		/* the fold and network being worked on; freed (and zeroed) after
		 * each use and at cv_out, so every early exit releases them */
		struct fold fd;
		struct gnn g;
		int *truth = cli_calloc(cp.n, sizeof *truth), *pr = cli_calloc(cp.n, sizeof *pr);
		struct scores s;

		memset(&fd, 0, sizeof fd);
		memset(&g, 0, sizeof g);
		cv.rounds = 5;
		cv.ncases = cp.n;
		cv.pred = cli_calloc((size_t)(cv.rounds + 1) * cp.n, sizeof *cv.pred);
		cv.frac = cli_calloc(cv.rounds + 1, sizeof *cv.frac);
		printf("mode: %u-fold stratified cross-validation, seed %llu; per fold the model is "
		       "trained on the other folds\n(dim %u, hidden %u, layers %u, k %u, tau %.2f, "
		       "epochs %u, lr %g, dropout %.2f, buckets %u)\n\n", k,
		       (unsigned long long)cfg.seed, cfg.dim, cfg.hidden, cfg.nlayers, cfg.k,
		       (double)cfg.tau, cfg.epochs, (double)cfg.lr, (double)cfg.dropout, cfg.nbuckets);
		if (assign_folds(&cp, paths, npaths, k, cfg.seed, fold) != PS_EXIT_OK) {
			rc = PS_EXIT_USAGE;
			goto cv_out;
		}
		for (f = 0; f < k; f++) {
			unsigned char *img;
			size_t len;

			ntr = nte = 0;
			for (j = 0; j < cp.n; j++) {
				if (fold[j] == f)
					te[nte++] = j;
				else
					tr[ntr++] = j;
			}
			for (j = 0; j < ntr; j++)
				lab[j] = cp.c[tr[j]].label;
			if (cfg.quiet < 2)
				fprintf(stderr, "fold %u/%u: %u train, %u test\n", f + 1, k, ntr, nte);
			cfg.whole_log = 0;
			if ((rc = fold_prepare(&fd, &cfg, &cp, tr, ntr, lab)) != PS_EXIT_OK)
				goto cv_out;
			if ((rc = gnn_train(&g, &fd, lab, cp.nlabels)) != PS_EXIT_OK)
				goto cv_out;
			img = model_build(&fd, &g, lab, cp.labels, cp.nlabels, &len);
			rc = model_predict(img, len, &cp, te, nte, 0, tmp);
			free(img);
			gnn_free(&g);
			if (rc != PS_EXIT_OK)
				goto cv_out;
			if (baselines)
				fold_baselines(&fd, lab, te, nte, tmp);
			for (j = 0; j < nte; j++) {
				p[te[j]] = tmp[j];
				p[te[j]].base[B_KEYWORD] = keyword_rules(&cp, &cp.c[te[j]]);
			}
			if (al) {
				struct al_eval_ctx ctx = { &cv, te, nte, &cp, tmp };
				int *truth_tr = cli_calloc(ntr, sizeof *truth_tr), *have = cli_calloc(ntr, sizeof *have);

				for (j = 0; j < ntr; j++)
					truth_tr[j] = cp.c[tr[j]].label;
				if (cfg.quiet < 2)
					fprintf(stderr, "fold %u/%u: active learning\n", f + 1, k);
				rc = active_learning(&fd, truth_tr, cp.nlabels, 0.01, 0.01, cv.rounds, cfg.seed,
						     have, al_eval_report, &ctx);
				free(truth_tr);
				free(have);
				if (rc != PS_EXIT_OK)
					goto cv_out;
			}
			fold_free(&fd);
			if (baselines) {         /* w/o FILE: features from the whole log */
				cfg.whole_log = 1;
				if ((rc = fold_prepare(&fd, &cfg, &cp, tr, ntr, lab)) != PS_EXIT_OK)
					goto cv_out;
				if ((rc = gnn_train(&g, &fd, lab, cp.nlabels)) != PS_EXIT_OK)
					goto cv_out;
				img = model_build(&fd, &g, lab, cp.labels, cp.nlabels, &len);
				rc = model_predict(img, len, &cp, te, nte, 1, tmp);
				free(img);
				gnn_free(&g);
				fold_free(&fd);
				if (rc != PS_EXIT_OK)
					goto cv_out;
				for (j = 0; j < nte; j++)
					p[te[j]].base[B_RAW] = tmp[j].base[B_RAW];
			}
		}
		for (j = 0; j < cp.n; j++)
			if (fold[j] == k)       /* training only: never scored */
				p[j] = (struct pred){ .truth = -1, .label = -1, .label_q8 = -1,
						      .hdr_rank = HDR_UNKNOWN };
		printf("== GraphSAGE model (FILE segment + GARCA), pooled over the %u test folds ==\n\n", k);
		{
			/* the tested cases only, for the latency figures */
			struct pred *pt = cli_calloc(cp.n, sizeof *pt);
			uint32_t nt = 0;

			for (j = 0; j < cp.n; j++)
				if (fold[j] < k)
					pt[nt++] = p[j];
			print_model_report(&cp, pt, nt);
			free(pt);
		}
		{
			/* raw, then each fold re-scaled by the temperature fitted
			 * on the other folds' held-out predictions (cross-fitting:
			 * no fold is judged by a temperature fitted on it) */
			struct pred *pc = cli_calloc(cp.n, sizeof *pc);
			float *probs = cli_calloc((size_t)cp.n * cp.nlabels + 1, sizeof *probs);
			int *tr_f = cli_calloc(cp.n, sizeof *tr_f);
			double tall;

			putchar('\n');
			print_calibration(&cp, p, cp.n, "temperature 1");
			for (j = 0; j < cp.n; j++)
				memcpy(probs + (size_t)j * cp.nlabels, p[j].probs, cp.nlabels * sizeof *probs);
			for (j = 0; j < cp.n; j++)
				tr_f[j] = fold[j] < k ? p[j].truth : -1;
			tall = calib_fit_temperature(probs, tr_f, cp.n, cp.nlabels);
			memcpy(pc, p, cp.n * sizeof *pc);
			for (f = 0; f < k; f++) {
				double t;

				for (j = 0; j < cp.n; j++)
					tr_f[j] = fold[j] < k && fold[j] != f ? p[j].truth : -1;
				t = calib_fit_temperature(probs, tr_f, cp.n, cp.nlabels);
				for (j = 0; j < cp.n; j++) {
					if (fold[j] != f)
						continue;
					calib_apply(pc[j].probs, 1, cp.nlabels, t);
					pc[j].conf = pc[j].label >= 0 ? pc[j].probs[pc[j].label] : 0;
				}
			}
			print_calibration(&cp, pc, cp.n, "temperature of the other folds");
			printf("temperature fitted on all folds' held-out predictions: %.4f "
			       "(what train --calibrate %u stores)\n", tall, k);
			for (f = 0; f < 4; f++)
				print_slices(&cp, pc, cp.n, NULL, (int)f);
			free(pc);
			free(probs);
			free(tr_f);
		}
		for (j = 0; j < cp.n; j++) {
			truth[j] = p[j].truth;
			pr[j] = p[j].label;
		}
		s = score(truth, pr, cp.n, cp.nlabels);
		if (errors) {
			printf("\nmisclassified cases (case, truth, predicted, confidence, title):\n");
			for (j = 0; j < cp.n; j++)
				if (p[j].truth >= 0 && p[j].label != p[j].truth) {
					printf("  %-14s %-18s %-18s %.2f  ", cp.c[j].name, cp.labels[p[j].truth],
					       p[j].label >= 0 ? cp.labels[p[j].label] : "-", (double)p[j].conf);
					cli_put_text(stdout, cp.c[j].title);   /* a crash's text */
					putchar('\n');
				}
		}
		if (baselines) {
			printf("\n== baselines and ablations, same split ==\n");
			printf("%-34s macro_f1=%.4f accuracy=%.4f\n", "GraphSAGE model", s.macro_f1, s.accuracy);
			for (r = 0; r < NBASE; r++) {
				struct scores b;

				for (j = 0; j < cp.n; j++)
					pr[j] = p[j].base[r];
				b = score(truth, pr, cp.n, cp.nlabels);
				printf("%-34s macro_f1=%.4f accuracy=%.4f\n", baseline_names[r], b.macro_f1,
				       b.accuracy);
			}
		}
		if (al) {
			printf("\n== active learning (LogSage protocol: 1%% labelled, 5 rounds of 1%% "
			       "highest entropy), pooled test folds ==\n");
			for (r = 0; r <= cv.rounds; r++) {
				struct scores b = score(truth, cv.pred + (size_t)r * cp.n, cp.n, cp.nlabels);

				printf("round %u: %.1f%% of the training cases labelled  macro_f1=%.4f "
				       "accuracy=%.4f\n", r, 100.0 * cv.frac[r] / k, b.macro_f1, b.accuracy);
			}
		}
		printf("\nevaluation time %.1f s\n", (now_us() - t0) / 1e6);
		printf("macro_f1=%.4f\n", s.macro_f1);
cv_out:
		gnn_free(&g);
		fold_free(&fd);
		free(fold);
		free(tr);
		free(te);
		free(lab);
		free(tmp);
		free(truth);
		free(pr);
		free(cv.pred);
		free(cv.frac);
	}
out:
	free(p);
	corpus_free(&cp);
free_args:
	free(paths);
	free(extra);
	return rc;
}
