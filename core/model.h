/* The frozen model (".psm"): one little-endian file, loaded in place.
 *
 * Layout
 *   header   64 bytes
 *     0  magic "PSMODEL\0"
 *     8  u32 format version (PS_MODEL_VERSION)
 *    12  u32 header size (64)
 *    16  u64 file size
 *    24  u32 section count (1..PS_MODEL_MAX_SECTIONS)
 *    28  u32 flags (PS_MODEL_F_*)
 *    32  u64 checksum: ps_model_checksum() of the whole file with these
 *        8 bytes read as zero
 *    40  24 bytes zero
 *   section table at 64: one 24-byte entry per section
 *     u32 id (PS_SEC_*), u32 reserved (0), u64 offset, u64 size
 *   sections: each at an offset that is a multiple of 64, inside the
 *   file, not overlapping the header, the table or each other.
 *
 * Sections (f32 = IEEE-754 binary32, matrices row-major [rows][cols]):
 *   PARAMS      struct ps_model_params as 4-byte little-endian fields
 *   LABELS      string table: u32 count, u32 end[count], bytes
 *   TEMPLATES   string table of the host's Drain templates
 *   IDF         f32[nbuckets]
 *   TPL_WEIGHT  f32[ntemplates]          culprit weight per template
 *   PROJ        f32[nbuckets][dim]
 *   W_SELF+l    f32[dims[l+1]][dims[l]]  layer l = 0..nlayers-1
 *   W_NEIGH+l   f32[dims[l+1]][dims[l]]
 *   BIAS+l      f32[dims[l+1]]
 *   CLS_W       f32[nlabels][dims[nlayers]]
 *   CLS_B       f32[nlabels]
 *   EMB+l       f32[ncases][dims[l]]     stored layer-l embeddings, l < nlayers
 *   CASE_LABEL  u16[ncases] (padded to 4 bytes)
 *   CASE_NAMES  string table, ncases entries (case file names)
 *   CALIB       only with PS_MODEL_F_CALIB: u32 version (1), f32
 *               temperature (0.05..20: ps_classify re-scales the
 *               probabilities it reports, after the back-off, to
 *               softmax(log q / T)), f32 uncertain_below (a top
 *               probability below it is reported as uncertain, 0..1),
 *               u32 zero.  A model without it has temperature 1 and
 *               uncertain_below PS_UNCERTAIN_DEFAULT.
 *   BACKOFF     only with PS_MODEL_F_BACKOFF: how far the classifier
 *               backs off towards the catalogue label of the oops
 *               header's entry (core/classify.h): u32 version (1), f32
 *               w_near, w_specific (the catalogue's weight at and above
 *               the nearest stored case's similarity s_hi, for a label
 *               outside and inside `specific`), w_far (at and below
 *               s_lo; linear in between), s_lo, s_hi (-1..1, s_lo <=
 *               s_hi), generic (factor on the weight for a catch-all or
 *               reporting-site entry), conflict_below (the answer is
 *               uncertain when the model's own label is not the
 *               catalogue's and the confidence is below it); weights
 *               and factors 0..1; u32 specific (bit i: catalogue label
 *               i is specific, bits 14..31 zero), u32 zero.  A model
 *               without it backs off with ps_backoff_default; one
 *               with all weights 0 never does.
 *   CATALOGUE   only with PS_MODEL_F_CATALOGUE: the text of the fault
 *               message catalogue the model's features were made with
 *               (core/catalogue.h; 1 byte to PS_MODEL_MAX_CATALOGUE,
 *               parsed by its user, not by ps_model_load).  A model
 *               without it (written before models carried one) is
 *               used with the built-in catalogue (core/default_catalogue.h).
 * where the matrices (PROJ, W_*, CLS_W, EMB) are there with PS_MODEL_F_F32,
 * and with PS_MODEL_F_INT8 an int8 copy of every matrix: Q_<name> is
 * i8[rows][cols] followed, at the next multiple of 4, by f32[rows] row
 * scales (value = scale * q).
 *
 * Every field is checked by ps_model_load before anything uses it. */
#ifndef PS_MODEL_PSM_H
#define PS_MODEL_PSM_H

#include <stddef.h>
#include <stdint.h>

#include "core/analysis.h"

#define PS_MODEL_MAGIC "PSMODEL"      /* plus its NUL: 8 bytes */
#define PS_MODEL_VERSION 1u
#define PS_MODEL_HEADER 64u
#define PS_MODEL_ALIGN 64u
#define PS_MODEL_MAX_SECTIONS 64u
#define PS_MODEL_MAX_LAYERS 3u
#define PS_MODEL_MAX_LABELS 64u
#define PS_MODEL_MAX_DIM 1024u
#define PS_MODEL_MAX_K 64u
#define PS_MODEL_MAX_CATALOGUE (8u << 20)

#define PS_MODEL_F_INT8 0x1u       /* int8 matrices present */
#define PS_MODEL_F_F32  0x2u       /* float matrices present (at least one of the two) */
#define PS_MODEL_F_CALIB 0x4u      /* CALIB section present */
#define PS_MODEL_F_CATALOGUE 0x8u  /* CATALOGUE section present */
#define PS_MODEL_F_BACKOFF 0x10u   /* BACKOFF section present */

#define PS_CALIB_VERSION 1u
#define PS_CALIB_SIZE 16u
#define PS_CALIB_T_MIN 0.05f
#define PS_CALIB_T_MAX 20.0f
#define PS_UNCERTAIN_DEFAULT 0.5f  /* uncertain_below of a model without CALIB */

#define PS_BACKOFF_VERSION 1u
#define PS_BACKOFF_SIZE 40u

/* The catalogue back-off of the classifier (BACKOFF section). */
struct ps_backoff {
	float w_near, w_specific;  /* the catalogue label's weight near stored cases */
	float w_far;               /* ... and far from them, 0..1 */
	float s_lo, s_hi;          /* nearest stored case's cosine: far .. near */
	float generic;             /* weight factor for catch-all/site entries */
	float conflict_below;      /* uncertain below this when model and catalogue differ */
	uint32_t specific;         /* bit per catalogue label: near weight w_specific */
};

/* What a model without a BACKOFF section uses (fitted as model/EVAL.md
 * "Backing off to the catalogue" says). */
extern const struct ps_backoff ps_backoff_default;

/* 1 when every field is in its range (the loader's check). */
int ps_backoff_valid(const struct ps_backoff *b);

enum ps_model_section {
	PS_SEC_PARAMS = 1, PS_SEC_LABELS, PS_SEC_TEMPLATES, PS_SEC_IDF,
	PS_SEC_TPL_WEIGHT, PS_SEC_PROJ, PS_SEC_CLS_W, PS_SEC_CLS_B,
	PS_SEC_CASE_LABEL, PS_SEC_CASE_NAMES, PS_SEC_CALIB, PS_SEC_CATALOGUE,
	PS_SEC_BACKOFF,
	PS_SEC_W_SELF = 0x10,       /* + layer */
	PS_SEC_W_NEIGH = 0x20,      /* + layer */
	PS_SEC_BIAS = 0x30,         /* + layer */
	PS_SEC_EMB = 0x40,          /* + layer */
	PS_SEC_Q = 0x100,           /* | section id: int8 copy of a matrix */
};

/* Feature kinds: each has its own hash seed and weight. */
enum ps_feat_kind {
	PS_FEAT_TOKEN, PS_FEAT_BIGRAM, PS_FEAT_TEMPLATE, PS_FEAT_SYMBOL,
	PS_FEAT_HEADER, PS_FEAT_CATALOGUE, PS_NFEAT
};

/* Model hyper-parameters; the PARAMS section holds exactly these
 * fields in this order, each 4 bytes. */
struct ps_model_params {
	uint32_t dim;              /* h0 dimension, = dims[0] */
	uint32_t nbuckets;         /* hashed feature buckets, a power of two */
	uint32_t nlayers;          /* GraphSAGE layers, 1..3 */
	uint32_t ncases;           /* stored cases */
	uint32_t nlabels;
	uint32_t ntemplates;
	uint32_t k;                /* neighbours per new case */
	float tau;                 /* minimum cosine of an edge */
	uint32_t hash_seed;
	uint32_t drain_depth;      /* Drain parameters the templates came from */
	float drain_st;
	uint32_t drain_max_children;
	float feat_weight[PS_NFEAT];   /* 0 disables a kind */
	uint32_t dims[PS_MODEL_MAX_LAYERS + 1];   /* dims[l]: width of layer l */
};

#define PS_MODEL_PARAMS_SIZE (4u * (12u + PS_NFEAT + PS_MODEL_MAX_LAYERS + 1u))

struct ps_fmat {                /* float matrix */
	const float *w;
	uint32_t rows, cols;
};

struct ps_qmat {                /* int8 matrix with per-row scales */
	const int8_t *q;
	const float *scale;
	uint32_t rows, cols;
};

struct ps_strtab {              /* string table inside the file */
	const uint32_t *end;       /* end offset of string i in bytes[] */
	const char *bytes;
	uint32_t count;
};

/* A loaded model: every pointer points into the caller's buffer. */
struct ps_model {
	struct ps_model_params p;
	uint32_t flags;
	uint64_t checksum;
	size_t size;
	float temperature;           /* CALIB, or 1 */
	float uncertain_below;       /* CALIB, or PS_UNCERTAIN_DEFAULT */
	struct ps_backoff backoff;   /* BACKOFF, or ps_backoff_default */

	struct ps_str labels[PS_MODEL_MAX_LABELS];
	struct ps_strtab templates;
	struct ps_strtab case_names;
	const float *idf;            /* [nbuckets] */
	const float *tpl_weight;     /* [ntemplates] */
	const uint16_t *case_label;  /* [ncases] */
	struct ps_str catalogue;     /* the CATALOGUE text, or { NULL, 0 } */

	struct ps_fmat proj;
	struct ps_fmat w_self[PS_MODEL_MAX_LAYERS], w_neigh[PS_MODEL_MAX_LAYERS];
	const float *bias[PS_MODEL_MAX_LAYERS];
	struct ps_fmat cls_w;
	const float *cls_b;
	struct ps_fmat emb[PS_MODEL_MAX_LAYERS];

	/* float matrices valid when flags & PS_MODEL_F_F32, int8 copies
	 * when flags & PS_MODEL_F_INT8 */
	struct ps_qmat qproj;
	struct ps_qmat qw_self[PS_MODEL_MAX_LAYERS], qw_neigh[PS_MODEL_MAX_LAYERS];
	struct ps_qmat qcls_w;
	struct ps_qmat qemb[PS_MODEL_MAX_LAYERS];
};

/* Validates `len` bytes at `buf` (4-byte aligned) and fills *m with
 * pointers into it; nothing is copied.  On failure returns PS_EMODEL
 * and writes a one-line reason to err (which may be NULL). */
int ps_model_load(struct ps_model *m, const void *buf, size_t len, char *err, size_t errlen);

/* Fletcher-style 64-bit checksum of a model image, reading the 8
 * checksum bytes of the header as zero. */
uint64_t ps_model_checksum(const void *buf, size_t len);

/* String i of a table (empty for a bad index). */
struct ps_str ps_strtab_get(const struct ps_strtab *t, uint32_t i);

/* Section ids and sizes of a loaded model, for `model inspect`. */
const char *ps_model_section_name(uint32_t id, char *tmp, size_t tmplen);

struct ps_drain;
/* Adds the model's templates to a fresh Drain so that lines map to the
 * ids the host used (template i gets cluster id i).  PS_EFULL if the
 * Drain tables are too small. */
int ps_model_seed_drain(const struct ps_model *m, struct ps_drain *d);

/* Writing a model (host side, but freestanding: into a caller buffer).
 * `src` describes the model with pointers to host arrays; the int8
 * copies are written when src->flags has PS_MODEL_F_INT8 and src's
 * q* matrices are filled (see ps_quantize_rows).  Returns the file
 * size; when it is <= cap the file was written to out. */
size_t ps_model_write(const struct ps_model *src, void *out, size_t cap);

/* Symmetric int8 quantisation of each row: scale = max|row| / 127. */
void ps_quantize_rows(const float *w, uint32_t rows, uint32_t cols, int8_t *q, float *scale);

#endif
