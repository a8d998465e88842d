/* The trainer: templates, feature weights, projection, GraphSAGE +
 * classifier, exported as a frozen model.  Host only (malloc, BLIS). */
#ifndef PS_TOOLS_TRAINER_H
#define PS_TOOLS_TRAINER_H

#include <stdint.h>

#include "core/catalogue.h"
#include "core/model.h"
#include "tools/train/corpus.h"
#include "tools/train/sparse.h"

/* Above this many cases a fold keeps its tf-idf rows sparse (CSR), the
 * projection comes from csr_lsa and the graph from knn_exact in blocks;
 * at or below it training is what it always was, byte for byte. */
#define TRAIN_DENSE_MAX 4096u

/* The stored cases of a model (select_cases): at most this many by
 * default (--max-stored), at most TRAIN_PER_BUCKET per crash bucket
 * when the bound bites (--per-bucket), and never more than fit in a
 * model file of TRAIN_MODEL_BYTES. */
#define TRAIN_MAX_STORED 16384u
#define TRAIN_PER_BUCKET 32u
#define TRAIN_MODEL_BYTES ((size_t)8 << 20)

enum proj_kind { PROJ_LSA, PROJ_RANDOM };

struct train_cfg {
	uint32_t dim;            /* h0 width, 64..256 */
	uint32_t hidden;         /* width of the GraphSAGE layers */
	uint32_t nlayers;        /* 1..3 */
	uint32_t nbuckets;       /* hashed feature buckets, power of two */
	uint32_t k;              /* neighbours */
	float tau;               /* edge threshold (cosine) */
	uint32_t epochs;
	float lr, dropout, weight_decay;
	float edge_drop;         /* DropEdge: share of edges dropped per epoch */
	uint64_t seed;
	uint32_t max_templates;  /* shipped templates, best information gain first */
	float feat_weight[PS_NFEAT];
	int whole_log;           /* features from every line ("w/o FILE") */
	enum proj_kind proj;
	float ig_weight, ig_floor;   /* supervised feature weighting (0 = off) */
	float hint_weight;       /* h0 dims of their own for the header's catalogue label (0 = off) */
	const char *catalogue;   /* the catalogue text embedded in the model and
				    used for its features (default: the built-in one) */
	size_t catalogue_len;
	char *catalogue_owned;   /* --catalogue FILE's text, freed by train_cfg_free */
	const char *catalogue_path;   /* that FILE, or NULL */
	uint32_t flags;          /* PS_MODEL_F_F32 | PS_MODEL_F_INT8 */
	float temperature;       /* > 0: write a CALIB section with it */
	float uncertain_below;   /* CALIB's threshold */
	struct ps_backoff backoff;   /* BACKOFF (all weights 0: the model never backs off) */
	uint32_t max_stored;     /* stored cases at most (select_cases) */
	uint32_t per_bucket;     /* of one crash bucket, when that bound bites */
	int progress;            /* progress bar on stderr */
	int quiet;
};

void train_defaults(struct train_cfg *c);
void train_cfg_free(struct train_cfg *c);

/* The command-line options of a train_cfg (train_options_help), for
 * cli_parse: fills o[0..TRAIN_CFG_NOPTS) and returns TRAIN_CFG_NOPTS. */
struct cli_opt;
#define TRAIN_CFG_NOPTS 23
size_t train_cfg_options(struct train_cfg *c, struct cli_opt *o);
int train_check_cfg(const struct train_cfg *c);
extern const char train_options_help[];

/* The label-free part of a training run over cases idx[0..n) of cp:
 * templates, features, IDF, projection, h0 of every case. */
struct fold {
	const struct corpus *cp;
	const struct train_cfg *cfg;
	uint32_t *idx, n;
	struct ps_strtab tpl;          /* shipped templates */
	char *tpl_bytes;
	uint32_t *tpl_end;
	float *tpl_weight;
	float *idf;                    /* [nbuckets] */
	float *proj;                   /* [nbuckets][dim] */
	float *x;                      /* [n][nbuckets] tf-idf rows, NULL above TRAIN_DENSE_MAX */
	struct csr xs;                 /* the same rows, sparse, above TRAIN_DENSE_MAX */
	uint64_t *bucket, *order;      /* [n] crash bucket key, hash of the case name */
	float *h0;                     /* [n][dim] */
	uint32_t *seg_tpl_cases, *all_tpl_cases;   /* per template, for culprit weights */
	struct ps_catalogue cat;       /* cfg->catalogue, parsed */
	unsigned char *cat_mem;
};

/* `labels[i]` is the label of case idx[i] or -1; used only to rank
 * templates by information gain.  Returns 0 or an exit code. */
int fold_prepare(struct fold *f, const struct train_cfg *cfg, const struct corpus *cp,
		 const uint32_t *idx, uint32_t n, const int *labels);
void fold_free(struct fold *f);

/* The tf-idf row (nbuckets floats) of any case under the fold's
 * templates and IDF, exactly as the training rows were made. */
int fold_featurize(const struct fold *f, const struct case_rec *c, float *row);

/* A trained GraphSAGE over the fold's cases: the graph is over the
 * cases the model stores, sel[0..n) (select_cases; all f->n cases
 * unless the bound bites, then sel is not NULL); the other cases are
 * predicted as the capture kernel predicts a new case, from their
 * neighbours among the stored ones. */
struct gnn {
	uint32_t nlabels, nlayers, dims[PS_MODEL_MAX_LAYERS + 1], n;
	uint32_t *sel;                     /* fold index of graph node i, or NULL: node i is case i */
	float *h0;                         /* the nodes' h0 rows when sel is not NULL */
	float *ws[PS_MODEL_MAX_LAYERS], *wn[PS_MODEL_MAX_LAYERS], *b[PS_MODEL_MAX_LAYERS];
	float *cw, *cb;
	float *emb[PS_MODEL_MAX_LAYERS];   /* stored layer embeddings, [n][dims[l]] */
	float *probs;                      /* [f->n][nlabels], predictions of every fold case */
	uint32_t *nbr, *nnbr;              /* [n][k], count per case */
	const uint8_t *emask;              /* training: edges kept this epoch, or NULL */
	float final_loss;
};

/* Trains on the cases whose labels[i] >= 0 (semi-supervised: every
 * case is in the graph).  Returns 0 or an exit code. */
int gnn_train(struct gnn *g, const struct fold *f, const int *labels, uint32_t nlabels);
void gnn_free(struct gnn *g);

/* A frozen model from a fold and its GNN: an image that loads with
 * ps_model_load (malloc'ed, 64-byte aligned). */
unsigned char *model_build(const struct fold *f, const struct gnn *g, const int *labels,
			   char *const *label_names, uint32_t nlabels, size_t *len);

#endif
