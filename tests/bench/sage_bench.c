/* Bench driver: GraphSAGE training (tools/trainer.c, BLIS) and batch
 * inference (core/sage.c, float and int8) on a labelled corpus, and the
 * same graph written out for the PyTorch comparison
 * (tests/bench/sage_vs_torch.py).
 *
 *   sage-bench OUTDIR EPOCHS CORPUS_DIR...
 *
 * Every fifth case (by sorted path) is held out: in the graph, its label
 * hidden from training.  The trainer's defaults otherwise (dims, k, tau,
 * dropout, Adam, weight decay); training time is the best of
 * TRAIN_RUNS runs.  Writes to OUTDIR:
 *   h0.f32      [n][dim] case embeddings (the trainer's input features)
 *   nbr.u32     [n][k] neighbour lists of the training graph, nnbr.u32 [n]
 *   truth.i32   [n] labels, train.i32 [n] labels seen in training (-1 = held out)
 *   pred_f32.i32, pred_int8.i32  [n] labels from the capture-side forward pass
 *   model.psm   the frozen model (float + int8)
 *   meta.json   sizes, hyper-parameters, timings and accuracies */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/sage.h"
#include "core/model.h"
#include "tools/train/corpus.h"
#include "tools/train/trainer.h"

#define TRAIN_RUNS 2

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static uint32_t argmax(const float *p, uint32_t n)
{
	uint32_t i, b = 0;

	for (i = 1; i < n; i++)
		if (p[i] > p[b])
			b = i;
	return b;
}

/* Runs the capture-side forward pass for every case's h0; returns the
 * seconds per case (best of `repeats` passes over all cases). */
static double infer(const struct ps_model *m, const float *h0, uint32_t n, enum ps_numeric num,
		    int32_t *pred, uint32_t repeats)
{
	static unsigned char mem[8 << 20];
	struct ps_arena a;
	double best = 1e30;
	uint32_t r, i;

	for (r = 0; r < repeats; r++) {
		double t0 = now_s();

		for (i = 0; i < n; i++) {
			struct ps_sage_result res;

			ps_arena_init(&a, mem, sizeof mem);
			if (ps_sage_forward(m, h0 + (size_t)i * m->p.dim, num, &a, &res) != 0) {
				fprintf(stderr, "sage-bench: forward pass failed\n");
				exit(1);
			}
			pred[i] = (int32_t)argmax(res.probs, m->p.nlabels);
		}
		t0 = now_s() - t0;
		if (t0 < best)
			best = t0;
	}
	return best / n;
}

int main(int argc, char **argv)
{
	struct corpus cp;
	struct train_cfg cfg;
	struct fold f;
	struct gnn g;
	struct ps_model m;
	uint32_t *idx, i, n, held = 0, right = 0, k;
	int32_t *truth, *train, *pred_f, *pred_q;
	unsigned char *img;
	size_t len;
	double t_prep, t_train, us_f, us_q;
	uint32_t agree_f = 0, agree_q = 0, right_f = 0;
	char err[256], meta[4096];
	const char *dir;

	if (argc < 4) {
		fprintf(stderr, "usage: sage-bench OUTDIR EPOCHS CORPUS_DIR...\n");
		return 2;
	}
	dir = argv[1];
	if (corpus_load(&cp, argv + 3, argc - 3, NULL) != 0 || cp.n < 10)
		return 1;
	n = cp.n;
	train_defaults(&cfg);
	cfg.epochs = (uint32_t)atoi(argv[2]);
	cfg.quiet = 1;
	cfg.progress = 0;
	k = cfg.k;
	idx = calloc(n, sizeof *idx);
	truth = calloc(n, sizeof *truth);
	train = calloc(n, sizeof *train);
	pred_f = calloc(n, sizeof *pred_f);
	pred_q = calloc(n, sizeof *pred_q);
	for (i = 0; i < n; i++) {
		idx[i] = i;
		truth[i] = cp.c[i].label;
		train[i] = i % 5 == 4 ? -1 : truth[i];
	}

	t_prep = now_s();
	if (fold_prepare(&f, &cfg, &cp, idx, n, train) != 0)
		return 1;
	t_prep = now_s() - t_prep;
	/* best of TRAIN_RUNS trainings (same seed, same result): the
	 * machine may be shared */
	t_train = 1e30;
	for (i = 0; i < TRAIN_RUNS; i++) {
		double t0 = now_s();

		if (i)
			gnn_free(&g);
		if (gnn_train(&g, &f, train, cp.nlabels) != 0)
			return 1;
		t0 = now_s() - t0;
		if (t0 < t_train)
			t_train = t0;
	}
	for (i = 0; i < n; i++)
		if (train[i] < 0 && truth[i] >= 0) {
			held++;
			right += argmax(g.probs + (size_t)i * cp.nlabels, cp.nlabels) == (uint32_t)truth[i];
		}

	img = model_build(&f, &g, train, cp.labels, cp.nlabels, &len);
	if (!img || ps_model_load(&m, img, len, err, sizeof err) != 0) {
		fprintf(stderr, "sage-bench: model: %s\n", img ? err : "build failed");
		return 1;
	}
	us_f = infer(&m, f.h0, n, PS_NUM_F32, pred_f, 3) * 1e6;
	us_q = infer(&m, f.h0, n, PS_NUM_INT8, pred_q, 3) * 1e6;
	for (i = 0; i < n; i++) {
		agree_f += pred_f[i] == (int32_t)argmax(g.probs + (size_t)i * cp.nlabels, cp.nlabels);
		agree_q += pred_q[i] == pred_f[i];
		if (train[i] < 0 && truth[i] >= 0)
			right_f += pred_f[i] == truth[i];
	}

	put(dir, "h0.f32", f.h0, (size_t)n * cfg.dim * sizeof(float));
	put(dir, "nbr.u32", g.nbr, (size_t)n * k * sizeof(uint32_t));
	put(dir, "nnbr.u32", g.nnbr, (size_t)n * sizeof(uint32_t));
	put(dir, "truth.i32", truth, (size_t)n * sizeof(int32_t));
	put(dir, "train.i32", train, (size_t)n * sizeof(int32_t));
	put(dir, "pred_f32.i32", pred_f, (size_t)n * sizeof(int32_t));
	put(dir, "pred_int8.i32", pred_q, (size_t)n * sizeof(int32_t));
	put(dir, "model.psm", img, len);
	snprintf(meta, sizeof meta,
		 "{\"n\": %u, \"nlabels\": %u, \"dim\": %u, \"hidden\": %u, \"nlayers\": %u, "
		 "\"k\": %u, \"tau\": %g, \"epochs\": %u, \"lr\": %g, \"dropout\": %g, "
		 "\"weight_decay\": %g, \"held_out\": %u, \"prepare_s\": %.6f, \"train_s\": %.6f, \"train_runs\": %d, "
		 "\"train_acc_heldout\": %.6f, \"infer_f32_us\": %.3f, \"infer_int8_us\": %.3f, "
		 "\"infer_f32_acc_heldout\": %.6f, \"infer_f32_agrees_train\": %.6f, "
		 "\"int8_agrees_f32\": %.6f, \"model_bytes\": %zu}\n",
		 n, cp.nlabels, cfg.dim, cfg.hidden, cfg.nlayers, k, (double)cfg.tau, cfg.epochs,
		 (double)cfg.lr, (double)cfg.dropout, (double)cfg.weight_decay, held, t_prep, t_train, TRAIN_RUNS,
		 held ? (double)right / held : 0.0, us_f, us_q, held ? (double)right_f / held : 0.0,
		 (double)agree_f / n, (double)agree_q / n, len);
	put(dir, "meta.json", meta, strlen(meta));
	fputs(meta, stdout);
	free(img);
	gnn_free(&g);
	fold_free(&f);
	corpus_free(&cp);
	free(idx);
	free(truth);
	free(train);
	free(pred_f);
	free(pred_q);
	return 0;
}
