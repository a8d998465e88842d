#include "tools/train/experiment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/classify.h"
#include "core/sort.h"
#include "core/status.h"
#include "tools/cli/cli.h"
#include "tools/train/la.h"

const char *const baseline_names[NBASE] = {
	"keyword rules", "TF-IDF nearest centroid", "TF-IDF kNN", "kNN on h0 (w/o GARCA)",
	"raw log (w/o FILE)",
};

double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int corpus_label_of(const struct corpus *cp, struct ps_str s)
{
	uint32_t i;

	for (i = 0; i < cp->nlabels; i++)
		if (strlen(cp->labels[i]) == s.n && !memcmp(cp->labels[i], s.p, s.n))
			return (int)i;
	return -1;
}

int model_predict(const unsigned char *img, size_t len, const struct corpus *cp, const uint32_t *idx,
		  uint32_t n, int whole_log, struct pred *out)
{
	struct ps_model m;
	struct ps_catalogue cat;
	char err[256];
	size_t cap = 0;
	unsigned char *mem = NULL, *cat_mem;
	uint32_t i, j;
	int map[PS_MODEL_MAX_LABELS], none, nocrash;

	if (ps_model_load(&m, img, len, err, sizeof err) != PS_OK) {
		cli_error("model: %s", err);
		return PS_EXIT_MODEL;
	}
	if (catalogue_load(&cat, &cat_mem, m.catalogue.p, m.catalogue.n, "model catalogue") != PS_OK)
		return PS_EXIT_MODEL;
	for (j = 0; j < m.p.nlabels; j++)
		map[j] = corpus_label_of(cp, m.labels[j]);
	none = corpus_label_of(cp, (struct ps_str){ "none", 4 });
	for (i = 0; i < n; i++) {
		const struct case_rec *c = &cp->c[idx[i]];
		struct ps_classify_opts opts = { PS_NUM_F32, whole_log };
		struct ps_analysis an;
		struct ps_arena a;
		size_t need = analyze_arena_size(c->loglen) + ((size_t)4 << 20);
		double t0;
		int rc;

		if (need > cap) {
			free(mem);
			mem = malloc(cap = need);
			if (!mem) {
				cli_error("out of memory");
				free(cat_mem);
				return PS_EXIT_NOMEM;
			}
		}
		out[i].truth = c->label;
		ps_arena_init(&a, mem, cap);
		t0 = now_us();
		rc = analyze_case(&m, &cat, c->log, c->loglen, c->first_line, &a, &an);
		/* "no crash found": no label, counted wrong, unless the cases
		 * include logs without a crash (LABEL: none), when it is the
		 * answer "none", given with certainty */
		nocrash = rc == PS_OK && an.no_crash;
		if (nocrash)
			rc = PS_EINPUT;
		if (rc == PS_OK) {
			if (!(m.flags & PS_MODEL_F_F32))
				opts.num = PS_NUM_INT8;
			rc = ps_classify_ex(&m, &an, &a, &opts);
		}
		if (whole_log) {
			out[i].base[B_RAW] = rc == PS_OK ? map[an.label] : -1;
			continue;
		}
		out[i].us = now_us() - t0;
		out[i].label = rc == PS_OK ? map[an.label] : -1;
		out[i].conf = rc == PS_OK ? an.confidence : 0;
		memset(out[i].probs, 0, sizeof out[i].probs);
		if (nocrash && none >= 0) {
			out[i].label = out[i].label_q8 = none;
			out[i].conf = out[i].probs[none] = 1;
			out[i].hdr_rank = HDR_UNKNOWN;
			continue;
		}
		for (j = 0; rc == PS_OK && j < an.nranking; j++)
			if (map[an.ranking[j].label] >= 0)
				out[i].probs[map[an.ranking[j].label]] = an.ranking[j].p;
		out[i].hdr_rank = HDR_UNKNOWN;
		if (rc == PS_OK) {
			uint32_t h = title_header_line(c, &an);

			if (h != PS_NONE) {
				out[i].hdr_rank = 0;
				for (j = 0; j < an.nculprits; j++)
					if (an.culprits[j].line == h) {
						out[i].hdr_rank = j + 1;
						break;
					}
			}
		}
		out[i].label_q8 = out[i].label;
		if (rc == PS_OK && (m.flags & PS_MODEL_F_INT8) && (m.flags & PS_MODEL_F_F32)) {
			opts.num = PS_NUM_INT8;
			an.culprits = NULL;
			an.nculprits = 0;
			rc = ps_classify_ex(&m, &an, &a, &opts);
			out[i].label_q8 = rc == PS_OK ? map[an.label] : -1;
		}
	}
	free(mem);
	free(cat_mem);
	return PS_EXIT_OK;
}

/* ---- keyword rules (model/TAXONOMY.md's typical lines, in its row order) ---- */

struct rule {
	const char *label;
	const char *const *words;
};

static const char *const kw_manual[] = { "sysrq: Trigger a crash", "sysrq triggered crash", NULL };
static const char *const kw_hardware[] = { "Machine Check Exception", "Fatal machine check",
	"Fatal local machine check", "[Hardware Error]", "PCI system error", "AER: Uncorrected (Fatal)",
	" UE ", NULL };
static const char *const kw_null[] = { "NULL pointer dereference", "null-ptr-deref", NULL };
static const char *const kw_stack[] = { "kernel stack overflow", "double fault", "stack guard page",
	"stack-protector", "stack-out-of-bounds", "stack corruption", NULL };
static const char *const kw_mem[] = { "use-after-free", "out-of-bounds", "KFENCE", "KMSAN",
	"Object already free", "Redzone overwritten", "list_add corruption", "list_del corruption",
	"refcount_t: underflow", "refcount_t:", "Bad page state", "usercopy:", "double-free",
	"invalid-free", "Poison overwritten", NULL };
static const char *const kw_oom[] = { "Out of memory", "deadlocked on memory", "page allocation failure",
	"memory leak", "unreferenced object", NULL };
static const char *const kw_lockup[] = { "soft lockup", "hard LOCKUP", "stall on CPU", "stall on CPUs",
	"rcu_sched detected stall", "rcu_preempt detected stall", "workqueue lockup", "detected stalls", NULL };
static const char *const kw_hung[] = { "blocked for more than", "hung_task", NULL };
static const char *const kw_lock[] = { "circular locking dependency", "recursive locking",
	"inconsistent lock state", "bad unlock balance", "sleeping function called from invalid context",
	"scheduling while atomic", "suspicious RCU usage", "lock held when returning",
	"possible deadlock", "held lock freed", NULL };
static const char *const kw_boot[] = { "Unable to mount root fs", "No working init found",
	"Attempted to kill init", NULL };
static const char *const kw_fs[] = { "EXT4-fs error", "panic forced after error", "Corruption detected",
	"JBD2:", NULL };
static const char *const kw_driver[] = { "NETDEV WATCHDOG", "controller is down", "firmware crashed",
	"I/O error", "timed out", NULL };
static const char *const kw_bad[] = { "unable to handle page fault", "unable to handle kernel paging request",
	"general protection fault", "Unable to handle kernel paging request", NULL };
static const char *const kw_bug[] = { "kernel BUG at", "invalid opcode", "WARNING:", "UBSAN:",
	"KCSAN:", "divide error", "BUG:", NULL };

static const struct rule rules[] = {
	{ "manual", kw_manual }, { "hardware", kw_hardware }, { "null-deref", kw_null },
	{ "stack-corruption", kw_stack }, { "memory-corruption", kw_mem }, { "out-of-memory", kw_oom },
	{ "cpu-lockup", kw_lockup }, { "hung-task", kw_hung }, { "locking", kw_lock },
	{ "boot-failure", kw_boot }, { "filesystem", kw_fs }, { "driver", kw_driver },
	{ "bad-access", kw_bad }, { "kernel-bug", kw_bug },
};

static int contains(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	for (i = 0; i + k <= n; i++)
		if (s[i] == w[0] && !memcmp(s + i, w, k))
			return 1;
	return 0;
}

int keyword_rules(const struct corpus *cp, const struct case_rec *c)
{
	size_t r;
	const char *const *w;
	struct ps_str s;

	for (r = 0; r < sizeof rules / sizeof rules[0]; r++)
		for (w = rules[r].words; *w; w++)
			if (contains(c->log, c->loglen, *w)) {
				s.p = rules[r].label;
				s.n = (uint32_t)strlen(rules[r].label);
				return corpus_label_of(cp, s);
			}
	return -1;
}

/* ---- vector baselines ---- */

static int knn_vote(const float *sims, const int *labels, uint32_t n, uint32_t k, uint32_t nlabels)
{
	uint32_t *best = cli_calloc(k, sizeof *best), cnt = 0, i;
	float *bs = cli_calloc(k, sizeof *bs);
	double vote[PS_MODEL_MAX_LABELS] = { 0 };
	int y = -1;

	for (i = 0; i < n; i++)
		if (labels[i] >= 0)
			cnt = ps_topk_add(best, bs, cnt, k, i, sims[i]);
	for (i = 0; i < cnt; i++)
		vote[labels[best[i]]] += bs[i] > 0 ? bs[i] : 1e-6;
	for (i = 0; i < nlabels; i++)
		if (vote[i] > 0 && (y < 0 || vote[i] > vote[y]))
			y = (int)i;
	free(best);
	free(bs);
	return y;
}

void fold_baselines(const struct fold *f, const int *labels, const uint32_t *test, uint32_t nt,
		    struct pred *out)
{
	const struct train_cfg *cfg = f->cfg;
	uint32_t B = cfg->nbuckets, D = cfg->dim, C = f->cp->nlabels, i, j, t;
	float *cent = cli_calloc((size_t)C * B, sizeof *cent);
	float *row = cli_calloc(B, sizeof *row), *h0 = cli_calloc(D, sizeof *h0);
	float *sims = cli_calloc(f->n, sizeof *sims);
	double cnt[PS_MODEL_MAX_LABELS] = { 0 };

	for (i = 0; i < f->n; i++)
		if (labels[i] >= 0) {
			size_t e;

			if (f->x)
				for (j = 0; j < B; j++)
					cent[(size_t)labels[i] * B + j] += f->x[(size_t)i * B + j];
			else     /* a large fold's rows are sparse (trainer.h) */
				for (e = f->xs.ptr[i]; e < f->xs.ptr[i + 1]; e++)
					cent[(size_t)labels[i] * B + f->xs.col[e]] += f->xs.val[e];
			cnt[labels[i]] += 1;
		}
	for (j = 0; j < C; j++) {
		double s = 0;
		uint32_t b;

		for (b = 0; b < B; b++)
			s += (double)cent[(size_t)j * B + b] * cent[(size_t)j * B + b];
		if (s > 0)
			for (b = 0; b < B; b++)
				cent[(size_t)j * B + b] = (float)(cent[(size_t)j * B + b] / sqrt(s));
	}
	for (t = 0; t < nt; t++) {
		int best = -1;
		float bs = -2;

		fold_featurize(f, &f->cp->c[test[t]], row);
		for (j = 0; j < C; j++) {
			float s = 0;
			uint32_t b;

			if (cnt[j] == 0)
				continue;
			for (b = 0; b < B; b++)
				s += cent[(size_t)j * B + b] * row[b];
			if (s > bs) {
				bs = s;
				best = (int)j;
			}
		}
		out[t].base[B_CENTROID] = best;
		if (f->x)
			la_gemm(0, 0, f->n, 1, B, 1, f->x, B, row, 1, 0, sims, 1);
		else
			csr_mul(&f->xs, row, 1, sims);
		out[t].base[B_TFIDF_KNN] = knn_vote(sims, labels, f->n, cfg->k, C);
		la_gemm(0, 0, 1, D, B, 1, row, B, f->proj, D, 0, h0, D);
		{
			double s = 0;

			for (j = 0; j < D; j++)
				s += (double)h0[j] * h0[j];
			if (s > 0)
				for (j = 0; j < D; j++)
					h0[j] = (float)(h0[j] / sqrt(s));
		}
		la_gemm(0, 0, f->n, 1, D, 1, f->h0, D, h0, 1, 0, sims, 1);
		out[t].base[B_KNN_H0] = knn_vote(sims, labels, f->n, cfg->k, C);
	}
	free(cent);
	free(row);
	free(h0);
	free(sims);
}

/* ---- metrics ---- */

struct scores score(const int *truth, const int *pred, uint32_t n, uint32_t nlabels)
{
	struct scores s = { 0, 0, 0, 0 };
	double tp[PS_MODEL_MAX_LABELS] = { 0 }, fp[PS_MODEL_MAX_LABELS] = { 0 };
	double fn[PS_MODEL_MAX_LABELS] = { 0 }, f1sum = 0, ok = 0;
	uint32_t i, present = 0;

	for (i = 0; i < n; i++) {
		if (truth[i] < 0)
			continue;
		s.n++;
		if (pred[i] == truth[i]) {
			tp[truth[i]]++;
			ok++;
		} else {
			fn[truth[i]]++;
			if (pred[i] >= 0)
				fp[pred[i]]++;
		}
	}
	for (i = 0; i < nlabels; i++) {
		if (tp[i] + fn[i] + fp[i] == 0)
			continue;
		present++;
		if (tp[i] > 0)
			f1sum += 2 * tp[i] / (2 * tp[i] + fp[i] + fn[i]);
	}
	s.classes = present;
	s.macro_f1 = present ? f1sum / present : 0;
	s.accuracy = s.n ? ok / s.n : 0;
	return s;
}

void print_class_report(FILE *out, const struct corpus *cp, const int *truth, const int *pred, uint32_t n)
{
	uint32_t C = cp->nlabels, i, j, used[PS_MODEL_MAX_LABELS], nu = 0;
	uint32_t *conf = cli_calloc((size_t)(C + 1) * (C + 1), sizeof *conf);

	for (i = 0; i < n; i++)
		if (truth[i] >= 0)
			conf[(size_t)truth[i] * (C + 1) + (pred[i] >= 0 ? (uint32_t)pred[i] : C)]++;
	for (j = 0; j < C; j++) {
		uint32_t r = 0, c = 0;

		for (i = 0; i <= C; i++) {
			r += conf[(size_t)j * (C + 1) + i];
			if (i < C)
				c += conf[(size_t)i * (C + 1) + j];
		}
		if (r || c)
			used[nu++] = j;
	}
	fprintf(out, "%-18s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support");
	for (i = 0; i < nu; i++) {
		uint32_t y = used[i], k;
		double tp = conf[(size_t)y * (C + 1) + y], row = 0, col = 0;

		for (k = 0; k <= C; k++) {
			row += conf[(size_t)y * (C + 1) + k];
			if (k < C)
				col += conf[(size_t)k * (C + 1) + y];
		}
		fprintf(out, "%-18s %9.3f %9.3f %9.3f %8.0f\n", cp->labels[y], col ? tp / col : 0,
			row ? tp / row : 0, row + col ? 2 * tp / (row + col) : 0, row);
	}
	fprintf(out, "\nconfusion matrix (rows: truth, columns: predicted; abbreviated labels)\n%-18s", "");
	for (i = 0; i < nu; i++)
		fprintf(out, " %5.5s", cp->labels[used[i]]);
	fputc('\n', out);
	for (i = 0; i < nu; i++) {
		fprintf(out, "%-18s", cp->labels[used[i]]);
		for (j = 0; j < nu; j++)
			fprintf(out, " %5u", conf[(size_t)used[i] * (C + 1) + used[j]]);
		fputc('\n', out);
	}
	free(conf);
}

void stratified_folds(const struct corpus *cp, uint32_t k, uint64_t seed, uint32_t *fold)
{
	struct la_rng rng = { seed * 0x2545f4914f6cdd1dull + 3 };
	uint32_t *ids = cli_calloc(cp->n, sizeof *ids), y, i, m, next = 0;

	for (y = 0; y <= cp->nlabels; y++) {
		m = 0;
		for (i = 0; i < cp->n; i++)
			if ((y == cp->nlabels && cp->c[i].label < 0) || cp->c[i].label == (int)y)
				ids[m++] = i;
		for (i = m; i > 1; i--) {        /* Fisher-Yates */
			uint32_t j = (uint32_t)(la_rand(&rng) % i), t = ids[i - 1];
			ids[i - 1] = ids[j];
			ids[j] = t;
		}
		for (i = 0; i < m; i++)
			fold[ids[i]] = next++ % k;
	}
	free(ids);
}

/* ---- active learning ---- */

int active_learning(const struct fold *f, const int *truth, uint32_t nlabels, double init,
		    double step, uint32_t rounds, uint64_t seed, int *labels, al_report_fn report,
		    void *ctx)
{
	struct la_rng rng = { seed * 0x9e3779b97f4a7c15ull + 101 };
	uint32_t n = f->n, i, r, have = 0, want;
	uint32_t *perm = cli_calloc(n, sizeof *perm);
	double *ent = cli_calloc(n, sizeof *ent);
	int rc = PS_EXIT_OK;

	for (i = 0; i < n; i++) {
		labels[i] = -1;
		perm[i] = i;
	}
	for (i = n; i > 1; i--) {
		uint32_t j = (uint32_t)(la_rand(&rng) % i), t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	want = (uint32_t)ceil(init * n);
	if (want < 2)
		want = 2;
	for (i = 0; i < n && have < want; i++)
		if (truth[perm[i]] >= 0) {
			labels[perm[i]] = truth[perm[i]];
			have++;
		}
	for (r = 0; r <= rounds; r++) {
		struct gnn g;
		uint32_t q, query = (uint32_t)ceil(step * n);

		if ((rc = gnn_train(&g, f, labels, nlabels)) != PS_EXIT_OK)
			break;
		if (report)
			report(r, labels, f, &g, ctx);
		if (r == rounds) {
			gnn_free(&g);
			break;
		}
		for (i = 0; i < n; i++) {
			const float *p = g.probs + (size_t)i * nlabels;
			uint32_t y;

			ent[i] = -1;
			if (labels[i] >= 0 || truth[i] < 0)
				continue;
			ent[i] = 0;
			for (y = 0; y < nlabels; y++)
				if (p[y] > 0)
					ent[i] -= p[y] * log(p[y]);
		}
		for (q = 0; q < query; q++) {       /* the `query` highest entropies */
			uint32_t best = UINT32_MAX;

			for (i = 0; i < n; i++)
				if (ent[i] >= 0 && (best == UINT32_MAX || ent[i] > ent[best]))
					best = i;
			if (best == UINT32_MAX)
				break;
			labels[best] = truth[best];   /* the oracle: the case file's LABEL */
			ent[best] = -1;
		}
		gnn_free(&g);
	}
	free(perm);
	free(ent);
	return rc;
}

int cv_predict(const struct train_cfg *cfg, const struct corpus *cp, uint32_t k, struct pred *p)
{
	uint32_t *fold = cli_calloc(cp->n, sizeof *fold), *tr = cli_calloc(cp->n, sizeof *tr);
	uint32_t *te = cli_calloc(cp->n, sizeof *te), ntr, nte, f, j;
	int *lab = cli_calloc(cp->n, sizeof *lab), rc = PS_EXIT_OK;
	struct pred *tmp = cli_calloc(cp->n, sizeof *tmp);
	struct train_cfg c = *cfg;

	c.temperature = 0;
	c.whole_log = 0;
	stratified_folds(cp, k, cfg->seed, fold);
	for (j = 0; j < cp->n; j++)
		p[j] = (struct pred){ .truth = -1, .label = -1, .label_q8 = -1, .hdr_rank = HDR_UNKNOWN };
	for (f = 0; f < k && rc == PS_EXIT_OK; f++) {
		struct fold fd;
		struct gnn g;
		unsigned char *img;
		size_t len;

		ntr = nte = 0;
		for (j = 0; j < cp->n; j++) {
			if (fold[j] == f && cp->c[j].label >= 0)
				te[nte++] = j;
			else if (fold[j] != f)
				tr[ntr++] = j;
		}
		if (!nte || !ntr)
			continue;
		for (j = 0; j < ntr; j++)
			lab[j] = cp->c[tr[j]].label;
		if (!cfg->quiet)
			fprintf(stderr, "calibration fold %u/%u: %u train, %u test\n", f + 1, k, ntr, nte);
		if ((rc = fold_prepare(&fd, &c, cp, tr, ntr, lab)) != PS_EXIT_OK)
			break;
		if ((rc = gnn_train(&g, &fd, lab, cp->nlabels)) == PS_EXIT_OK) {
			img = model_build(&fd, &g, lab, cp->labels, cp->nlabels, &len);
			rc = model_predict(img, len, cp, te, nte, 0, tmp);
			free(img);
			gnn_free(&g);
			for (j = 0; rc == PS_EXIT_OK && j < nte; j++)
				p[te[j]] = tmp[j];
		}
		fold_free(&fd);
	}
	free(fold);
	free(tr);
	free(te);
	free(lab);
	free(tmp);
	return rc;
}
