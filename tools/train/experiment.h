/* Evaluation machinery shared by `panicsage train` and `panicsage
 * eval`: predictions through the deployed code path, baselines,
 * metrics, stratified folds, active learning. */
#ifndef PS_TOOLS_EXPERIMENT_H
#define PS_TOOLS_EXPERIMENT_H

#include <stdio.h>
#include <stdint.h>

#include "tools/train/corpus.h"
#include "tools/train/trainer.h"

enum baseline {
	B_KEYWORD,      /* keyword rules from model/TAXONOMY.md */
	B_CENTROID,     /* TF-IDF nearest centroid (LogCluster-style) */
	B_TFIDF_KNN,    /* kNN on TF-IDF vectors (no projection, no graph) */
	B_KNN_H0,       /* kNN on h0 without the graph ("w/o GARCA") */
	B_RAW,          /* full model on the raw log ("w/o FILE") */
	NBASE
};

extern const char *const baseline_names[NBASE];

#define HDR_UNKNOWN UINT32_MAX

struct pred {
	int truth;              /* corpus label, -1 none */
	int label;              /* model (float path), corpus label index */
	int label_q8;           /* model (int8 path) */
	float conf;
	float probs[PS_MODEL_MAX_LABELS];   /* per corpus label (float path) */
	uint32_t hdr_rank;      /* 1-based rank of the oops header among culprits,
				 * 0 = not listed, HDR_UNKNOWN = no header known */
	double us;              /* analysis + classification time */
	int base[NBASE];
};

/* Classifies cases idx[0..n) with a model image through the deployed
 * path (analysis, ps_classify float and int8).  With `whole_log` only
 * out[i].base[B_RAW] is filled. */
int model_predict(const unsigned char *img, size_t len, const struct corpus *cp, const uint32_t *idx,
		  uint32_t n, int whole_log, struct pred *out);

/* Keyword rules: the first model/TAXONOMY.md row with a matching line;
 * -1 if none. */
int keyword_rules(const struct corpus *cp, const struct case_rec *c);

/* TF-IDF centroid, TF-IDF kNN and h0 kNN predictions for test cases. */
void fold_baselines(const struct fold *f, const int *labels, const uint32_t *test, uint32_t nt,
		    struct pred *out);

struct scores {
	double macro_f1, accuracy;
	uint32_t n, classes;
};

/* Scores of predictions `pred` against `truth` (cases with truth < 0
 * are skipped); macro-F1 over the labels present in truth or
 * predictions (scikit-learn's convention). */
struct scores score(const int *truth, const int *pred, uint32_t n, uint32_t nlabels);

/* Per-class precision/recall/F1 and the confusion matrix. */
void print_class_report(FILE *out, const struct corpus *cp, const int *truth, const int *pred, uint32_t n);

/* Stratified k-fold assignment: fold[i] in 0..k-1 for every case. */
void stratified_folds(const struct corpus *cp, uint32_t k, uint64_t seed, uint32_t *fold);

/* Active learning over the training cases of a fold: starts from
 * `init` of them labelled, then `rounds` rounds each querying the
 * `step` fraction with the highest predictive entropy.  After each
 * round calls report(round, labels, gnn, ctx).  labels[] (-1 =
 * unlabelled) is left at the final state. */
typedef void (*al_report_fn)(uint32_t round, const int *labels, const struct fold *f,
			     const struct gnn *g, void *ctx);
int active_learning(const struct fold *f, const int *truth, uint32_t nlabels, double init,
		    double step, uint32_t rounds, uint64_t seed, int *labels, al_report_fn report,
		    void *ctx);

/* Held-out predictions of k-fold cross-validation over the labelled
 * cases (stratified_folds with cfg->seed, as `panicsage eval --cv`):
 * for each fold a model trained on the others classifies it; p[i] for
 * every case (truth -1 for unlabelled cases).  Returns an exit code. */
int cv_predict(const struct train_cfg *cfg, const struct corpus *cp, uint32_t k, struct pred *p);

double now_us(void);

#endif
