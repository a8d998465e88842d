/* Frozen model: layout table, checksum, zero-copy loader, writer. */
#include "core/model.h"

#include <float.h>
#include <string.h>

#include "core/buf.h"
#include "core/drain.h"
#include "core/psmath.h"
#include "core/status.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the model loader reads little-endian fields in place; port it first"
#endif

#define ENTRY_SIZE 24u
#define MAX_BUCKETS (1u << 24)
#define MAX_CASES (1u << 24)
#define MAX_TEMPLATES (1u << 24)

/* Fitted by tools/train/backoff_fit.py (model/EVAL.md, "Backing off to
 * the catalogue"); the trainer writes these unless told otherwise. */
const struct ps_backoff ps_backoff_default = {
	.w_near = 0.0f, .w_specific = 0.0f, .w_far = 0.95f, .s_lo = 0.65f, .s_hi = 0.9f,
	.generic = 0.0f, .conflict_below = 0.7f,
	.specific = 0x17ffu,    /* every label but driver (11) and kernel-bug (13) */
};

static int unit(float v)
{
	return v >= 0.0f && v <= 1.0f;      /* false for NaN too */
}

int ps_backoff_valid(const struct ps_backoff *b)
{
	return unit(b->w_near) && unit(b->w_specific) && unit(b->w_far) && unit(b->generic) &&
	       unit(b->conflict_below) && b->s_lo >= -1.0f && b->s_lo <= b->s_hi && b->s_hi <= 1.0f &&
	       !(b->specific >> 14);
}

/* ---- layout shared by the loader and the writer ---- */

enum sec_type { T_PARAMS, T_STRTAB, T_F32, T_Q8, T_U16, T_CALIB, T_TEXT, T_BACKOFF };

struct sec_desc {
	uint32_t id;
	enum sec_type type;
	uint32_t rows, cols;        /* T_F32/T_Q8: matrix; T_U16: rows; T_STRTAB: count */
};

static uint64_t round4(uint64_t n) { return (n + 3) & ~(uint64_t)3; }
static uint64_t round64(uint64_t n) { return (n + 63) & ~(uint64_t)63; }

/* Size of a fixed-size section; 0 for string tables (variable). */
static uint64_t sec_size(const struct sec_desc *s)
{
	switch (s->type) {
	case T_PARAMS: return PS_MODEL_PARAMS_SIZE;
	case T_CALIB:  return PS_CALIB_SIZE;
	case T_BACKOFF: return PS_BACKOFF_SIZE;
	case T_TEXT:   return 0;
	case T_F32:    return (uint64_t)s->rows * s->cols * 4;
	case T_Q8:     return round4((uint64_t)s->rows * s->cols) + (uint64_t)s->rows * 4;
	case T_U16:    return round4((uint64_t)s->rows * 2);
	case T_STRTAB: return 0;
	}
	return 0;
}

/* The sections a model with these parameters must have, in file order.
 * Params must have been validated (dims bounded). */
static uint32_t layout(const struct ps_model_params *p, uint32_t flags, struct sec_desc *s)
{
	uint32_t n = 0, l, pass, q;

#define ADD(id_, t_, r_, c_) do { s[n].id = (id_); s[n].type = (t_); \
	s[n].rows = (r_); s[n].cols = (c_); n++; } while (0)
	ADD(PS_SEC_PARAMS, T_PARAMS, 0, 0);
	ADD(PS_SEC_LABELS, T_STRTAB, p->nlabels, 0);
	ADD(PS_SEC_TEMPLATES, T_STRTAB, p->ntemplates, 0);
	ADD(PS_SEC_CASE_NAMES, T_STRTAB, p->ncases, 0);
	ADD(PS_SEC_CASE_LABEL, T_U16, p->ncases, 0);
	ADD(PS_SEC_IDF, T_F32, 1, p->nbuckets);
	ADD(PS_SEC_TPL_WEIGHT, T_F32, 1, p->ntemplates);
	for (l = 0; l < p->nlayers; l++)
		ADD(PS_SEC_BIAS + l, T_F32, 1, p->dims[l + 1]);
	ADD(PS_SEC_CLS_B, T_F32, 1, p->nlabels);
	if (flags & PS_MODEL_F_CALIB)
		ADD(PS_SEC_CALIB, T_CALIB, 0, 0);
	if (flags & PS_MODEL_F_CATALOGUE)
		ADD(PS_SEC_CATALOGUE, T_TEXT, 0, 0);
	if (flags & PS_MODEL_F_BACKOFF)
		ADD(PS_SEC_BACKOFF, T_BACKOFF, 0, 0);
	for (pass = 0; pass < 2; pass++) {
		if ((pass == 0 && !(flags & PS_MODEL_F_F32)) || (pass == 1 && !(flags & PS_MODEL_F_INT8)))
			continue;
		q = pass ? PS_SEC_Q : 0;
		ADD(q | PS_SEC_PROJ, pass ? T_Q8 : T_F32, p->nbuckets, p->dim);
		for (l = 0; l < p->nlayers; l++) {
			ADD(q | (PS_SEC_W_SELF + l), pass ? T_Q8 : T_F32, p->dims[l + 1], p->dims[l]);
			ADD(q | (PS_SEC_W_NEIGH + l), pass ? T_Q8 : T_F32, p->dims[l + 1], p->dims[l]);
			ADD(q | (PS_SEC_EMB + l), pass ? T_Q8 : T_F32, p->ncases, p->dims[l]);
		}
		ADD(q | PS_SEC_CLS_W, pass ? T_Q8 : T_F32, p->nlabels, p->dims[p->nlayers]);
	}
#undef ADD
	return n;
}

/* 11 fixed (with CALIB, CATALOGUE and BACKOFF) + a bias per layer + per
 * numeric variant: proj, cls_w and 3 per layer */
#define MAX_LAYOUT (11u + PS_MODEL_MAX_LAYERS + 2u * (2u + 3u * PS_MODEL_MAX_LAYERS))

const char *ps_model_section_name(uint32_t id, char *tmp, size_t tmplen)
{
	static const char *const fixed[] = {
		"?", "params", "labels", "templates", "idf", "tpl_weight", "proj",
		"cls_w", "cls_b", "case_label", "case_names", "calib", "catalogue",
		"backoff",
	};
	struct ps_buf b;
	uint32_t base = id & 0xffu;

	ps_buf_init(&b, tmp, tmplen);
	if (id & PS_SEC_Q)
		ps_buf_puts(&b, "q_");
	if (base >= 1 && base <= PS_SEC_BACKOFF) {
		ps_buf_puts(&b, fixed[base]);
	} else if (base >= PS_SEC_W_SELF && base < PS_SEC_EMB + 0x10) {
		static const char *const per_layer[] = { "w_self", "w_neigh", "bias", "emb" };
		ps_buf_puts(&b, per_layer[(base >> 4) - 1]);
		ps_buf_putc(&b, (char)('0' + (base & 0xf) % 10));
	} else {
		ps_buf_puts(&b, "unknown");
	}
	return tmp;
}

/* ---- checksum ---- */

uint64_t ps_model_checksum(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t a = 1, b = 0;
	size_t i;
	uint32_t w;

	/* 32-bit words; the checksum field itself (bytes 32..39) counts
	 * as two zero words.  Three loops instead of a test per word. */
	for (i = 0; i + 4 <= len && i < 32; i += 4) {
		memcpy(&w, p + i, 4);
		a += w;
		b += a;
	}
	for (; i + 4 <= len && i < 40; i += 4)
		b += a;
	for (; i + 4 <= len; i += 4) {
		memcpy(&w, p + i, 4);
		a += w;
		b += a;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		a += w;
		b += a;
	}
	return b ^ (a << 32) ^ (a >> 32) ^ (uint64_t)len;
}

/* ---- loader ---- */

static void set_err(char *err, size_t errlen, const char *msg, const char *what, uint64_t v, int with_v)
{
	struct ps_buf b;

	if (!err || !errlen)
		return;
	ps_buf_init(&b, err, errlen);
	ps_buf_puts(&b, msg);
	if (what) {
		ps_buf_puts(&b, " (");
		ps_buf_puts(&b, what);
		if (with_v) {
			ps_buf_puts(&b, " ");
			ps_buf_u64(&b, v);
		}
		ps_buf_puts(&b, ")");
	}
}

#define FAIL(msg) do { set_err(err, errlen, (msg), NULL, 0, 0); return PS_EMODEL; } while (0)
#define FAILV(msg, what, v) do { set_err(err, errlen, (msg), (what), (v), 1); return PS_EMODEL; } while (0)
#define FAILS(msg, what) do { set_err(err, errlen, (msg), (what), 0, 0); return PS_EMODEL; } while (0)

static uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static float rdf(const unsigned char *p) { float v; memcpy(&v, p, 4); return v; }

static int finite_f(float f) { return f == f && f <= FLT_MAX && f >= -FLT_MAX; }

static int all_finite(const float *f, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (!finite_f(f[i]))
			return 0;
	return 1;
}

static int parse_params(struct ps_model_params *p, const unsigned char *s, char *err, size_t errlen)
{
	uint32_t i, l;

	p->dim = rd32(s + 0);
	p->nbuckets = rd32(s + 4);
	p->nlayers = rd32(s + 8);
	p->ncases = rd32(s + 12);
	p->nlabels = rd32(s + 16);
	p->ntemplates = rd32(s + 20);
	p->k = rd32(s + 24);
	p->tau = rdf(s + 28);
	p->hash_seed = rd32(s + 32);
	p->drain_depth = rd32(s + 36);
	p->drain_st = rdf(s + 40);
	p->drain_max_children = rd32(s + 44);
	for (i = 0; i < PS_NFEAT; i++)
		p->feat_weight[i] = rdf(s + 48 + 4 * i);
	for (l = 0; l <= PS_MODEL_MAX_LAYERS; l++)
		p->dims[l] = rd32(s + 48 + 4 * PS_NFEAT + 4 * l);

	if (p->nlayers < 1 || p->nlayers > PS_MODEL_MAX_LAYERS)
		FAILV("model parameters out of range", "layers", p->nlayers);
	if (p->dim != p->dims[0])
		FAIL("model parameters inconsistent (dim != dims[0])");
	for (l = 0; l <= PS_MODEL_MAX_LAYERS; l++) {
		if (l <= p->nlayers && (p->dims[l] < 1 || p->dims[l] > PS_MODEL_MAX_DIM))
			FAILV("model parameters out of range", "layer width", p->dims[l]);
		if (l > p->nlayers && p->dims[l] != 0)
			FAIL("model parameters inconsistent (width of a missing layer)");
	}
	if (p->nbuckets < 16 || p->nbuckets > MAX_BUCKETS || (p->nbuckets & (p->nbuckets - 1)))
		FAILV("model parameters out of range", "buckets", p->nbuckets);
	if (p->ncases < 1 || p->ncases > MAX_CASES)
		FAILV("model parameters out of range", "cases", p->ncases);
	if (p->nlabels < 1 || p->nlabels > PS_MODEL_MAX_LABELS)
		FAILV("model parameters out of range", "labels", p->nlabels);
	if (p->ntemplates > MAX_TEMPLATES)
		FAILV("model parameters out of range", "templates", p->ntemplates);
	if (p->k < 1 || p->k > PS_MODEL_MAX_K)
		FAILV("model parameters out of range", "k", p->k);
	if (!(p->tau >= -1.0f && p->tau <= 1.0f))
		FAIL("model parameters out of range (tau)");
	if (p->drain_depth < 3 || p->drain_depth > 64 || !(p->drain_st >= 0 && p->drain_st <= 1) ||
	    p->drain_max_children < 1)
		FAIL("model parameters out of range (drain)");
	for (i = 0; i < PS_NFEAT; i++)
		if (!(p->feat_weight[i] >= 0 && p->feat_weight[i] <= 1e6f))
			FAIL("model parameters out of range (feature weight)");
	return PS_OK;
}

static int load_strtab(struct ps_strtab *t, const unsigned char *s, uint64_t size, uint32_t count,
		       const char *what, char *err, size_t errlen)
{
	uint32_t i, prev = 0;
	uint64_t bytes;

	if (size < 4 || rd32(s) != count)
		FAILS("model string table has the wrong entry count", what);
	if ((uint64_t)count * 4 > size - 4)
		FAILS("model string table truncated", what);
	bytes = size - 4 - (uint64_t)count * 4;
	t->end = (const uint32_t *)(const void *)(s + 4);
	t->bytes = (const char *)(s + 4 + (size_t)count * 4);
	t->count = count;
	for (i = 0; i < count; i++) {
		if (t->end[i] < prev || t->end[i] > bytes)
			FAILS("model string table offsets out of order or out of bounds", what);
		prev = t->end[i];
	}
	return PS_OK;
}

struct ps_str ps_strtab_get(const struct ps_strtab *t, uint32_t i)
{
	struct ps_str s = { "", 0 };

	if (i < t->count) {
		uint32_t start = i ? t->end[i - 1] : 0;

		s.p = t->bytes + start;
		s.n = t->end[i] - start;
	}
	return s;
}

static void set_fmat(struct ps_fmat *m, const unsigned char *p, const struct sec_desc *d)
{
	m->w = (const float *)(const void *)p;
	m->rows = d->rows;
	m->cols = d->cols;
}

static void set_qmat(struct ps_qmat *m, const unsigned char *p, const struct sec_desc *d)
{
	m->q = (const int8_t *)(const void *)p;
	m->scale = (const float *)(const void *)(p + round4((uint64_t)d->rows * d->cols));
	m->rows = d->rows;
	m->cols = d->cols;
}

int ps_model_load(struct ps_model *m, const void *buf, size_t len, char *err, size_t errlen)
{
	const unsigned char *b = buf;
	struct sec_desc want[MAX_LAYOUT];
	uint64_t off[MAX_LAYOUT], size[MAX_LAYOUT];
	uint32_t nsec, flags, nwant, i, j, l;
	uint64_t fsize, table_end;
	int rc;

	memset(m, 0, sizeof *m);
	if (err && errlen)
		err[0] = '\0';
	if (!buf)
		FAIL("no model data");
	if ((uintptr_t)buf & 3)
		FAIL("model buffer is not 4-byte aligned");
	if (len < PS_MODEL_HEADER)
		FAILV("model file truncated: shorter than its header", "bytes", len);
	if (memcmp(b, PS_MODEL_MAGIC, 8) != 0)
		FAIL("not a panicsage model (bad magic)");
	if (rd32(b + 8) != PS_MODEL_VERSION)
		FAILV("unsupported model format version", "version", rd32(b + 8));
	if (rd32(b + 12) != PS_MODEL_HEADER)
		FAIL("model header size is wrong");
	fsize = rd64(b + 16);
	if (fsize > len)
		FAILV("model file truncated", "header says bytes", fsize);
	if (fsize < len)
		FAILV("model file has trailing bytes", "header says bytes", fsize);
	nsec = rd32(b + 24);
	flags = rd32(b + 28);
	if (nsec < 1 || nsec > PS_MODEL_MAX_SECTIONS)
		FAILV("model section count out of range", "sections", nsec);
	if (flags & ~(PS_MODEL_F_INT8 | PS_MODEL_F_F32 | PS_MODEL_F_CALIB | PS_MODEL_F_CATALOGUE |
		      PS_MODEL_F_BACKOFF))
		FAILV("model has unknown flags", "flags", flags);
	if (!(flags & (PS_MODEL_F_INT8 | PS_MODEL_F_F32)))
		FAIL("model has neither float nor int8 matrices");
	for (i = 40; i < PS_MODEL_HEADER; i++)
		if (b[i])
			FAIL("model header reserved bytes are not zero");
	table_end = PS_MODEL_HEADER + (uint64_t)nsec * ENTRY_SIZE;
	if (table_end > len)
		FAIL("model file truncated inside the section table");
	if (ps_model_checksum(buf, len) != rd64(b + 32))
		FAIL("model checksum mismatch: the file is corrupted");

	/* find PARAMS first: it decides the layout */
	for (i = 0; i < nsec; i++)
		if (rd32(b + PS_MODEL_HEADER + i * ENTRY_SIZE) == PS_SEC_PARAMS)
			break;
	if (i == nsec)
		FAIL("model has no params section");
	{
		const unsigned char *e = b + PS_MODEL_HEADER + i * ENTRY_SIZE;
		uint64_t po = rd64(e + 8), ps = rd64(e + 16);

		if (po < table_end || po > len || ps != PS_MODEL_PARAMS_SIZE || ps > len - po)
			FAIL("model params section out of bounds or of the wrong size");
		if ((rc = parse_params(&m->p, b + po, err, errlen)) != PS_OK)
			return rc;
	}
	nwant = layout(&m->p, flags, want);
	if (nsec != nwant)
		FAILV("model has the wrong number of sections", "expected", nwant);
	for (j = 0; j < nwant; j++)
		off[j] = UINT64_MAX;
	for (i = 0; i < nsec; i++) {
		const unsigned char *e = b + PS_MODEL_HEADER + i * ENTRY_SIZE;
		uint32_t id = rd32(e);
		uint64_t o = rd64(e + 8), s = rd64(e + 16), expect;

		for (j = 0; j < nwant && want[j].id != id; j++)
			;
		if (j == nwant)
			FAILV("model has an unknown section", "id", id);
		if (off[j] != UINT64_MAX)
			FAILV("model has a section twice", "id", id);
		if (rd32(e + 4) != 0)
			FAILV("model section entry reserved field is not zero", "id", id);
		if (o % PS_MODEL_ALIGN || o < table_end || o > len || s > len - o)
			FAILV("model section out of bounds", "id", id);
		expect = sec_size(&want[j]);
		if (want[j].type != T_STRTAB && want[j].type != T_TEXT && s != expect)
			FAILV("model section has the wrong size", "id", id);
		if (want[j].type == T_TEXT && (s == 0 || s > PS_MODEL_MAX_CATALOGUE))
			FAILV("model catalogue section empty or larger than 8 MiB", "bytes", s);
		off[j] = o;
		size[j] = s;
	}
	for (i = 0; i < nwant; i++)
		for (j = i + 1; j < nwant; j++)
			if (off[i] < off[j] + size[j] && off[j] < off[i] + size[i])
				FAILV("model sections overlap", "id", want[j].id);

	m->flags = flags;
	m->checksum = rd64(b + 32);
	m->size = len;
	m->temperature = 1.0f;
	m->uncertain_below = PS_UNCERTAIN_DEFAULT;
	m->backoff = ps_backoff_default;
	for (j = 0; j < nwant; j++) {
		const unsigned char *s = b + off[j];
		const struct sec_desc *d = &want[j];
		uint32_t id = d->id;

		if (d->type == T_F32 && !all_finite((const float *)(const void *)s, (uint64_t)d->rows * d->cols))
			FAILV("model section holds a NaN or infinity", "id", id);
		if (d->type == T_Q8) {
			const float *sc = (const float *)(const void *)(s + round4((uint64_t)d->rows * d->cols));

			if (!all_finite(sc, d->rows))
				FAILV("model section holds a NaN or infinity", "id", id);
			for (i = 0; i < d->rows; i++)
				if (sc[i] < 0)
					FAILV("model int8 scale is negative", "id", id);
		}
		switch (id) {
		case PS_SEC_PARAMS:
			break;
		case PS_SEC_CALIB: {
			float t = rdf(s + 4), u = rdf(s + 8);

			if (rd32(s) != PS_CALIB_VERSION)
				FAILV("unsupported model calibration version", "version", rd32(s));
			/* written so that NaN fails too */
			if (!(t >= PS_CALIB_T_MIN && t <= PS_CALIB_T_MAX))
				FAIL("model calibration temperature out of range");
			if (!(u >= 0.0f && u <= 1.0f))
				FAIL("model calibration threshold out of range");
			if (rd32(s + 12) != 0)
				FAIL("model calibration reserved field is not zero");
			m->temperature = t;
			m->uncertain_below = u;
			break;
		}
		case PS_SEC_BACKOFF: {
			struct ps_backoff bo;

			if (rd32(s) != PS_BACKOFF_VERSION)
				FAILV("unsupported model back-off version", "version", rd32(s));
			bo.w_near = rdf(s + 4);
			bo.w_specific = rdf(s + 8);
			bo.w_far = rdf(s + 12);
			bo.s_lo = rdf(s + 16);
			bo.s_hi = rdf(s + 20);
			bo.generic = rdf(s + 24);
			bo.conflict_below = rdf(s + 28);
			bo.specific = rd32(s + 32);
			if (!ps_backoff_valid(&bo))
				FAIL("model back-off parameter out of range");
			if (rd32(s + 36) != 0)
				FAIL("model back-off reserved field is not zero");
			m->backoff = bo;
			break;
		}
		case PS_SEC_LABELS: {
			struct ps_strtab t;

			if ((rc = load_strtab(&t, s, size[j], m->p.nlabels, "labels", err, errlen)) != PS_OK)
				return rc;
			for (i = 0; i < m->p.nlabels; i++) {
				m->labels[i] = ps_strtab_get(&t, i);
				if (m->labels[i].n == 0)
					FAILV("model label name is empty", "label", i);
			}
			break;
		}
		case PS_SEC_TEMPLATES:
			if ((rc = load_strtab(&m->templates, s, size[j], m->p.ntemplates, "templates", err, errlen)) != PS_OK)
				return rc;
			break;
		case PS_SEC_CASE_NAMES:
			if ((rc = load_strtab(&m->case_names, s, size[j], m->p.ncases, "case names", err, errlen)) != PS_OK)
				return rc;
			break;
		case PS_SEC_CASE_LABEL:
			m->case_label = (const uint16_t *)(const void *)s;
			for (i = 0; i < m->p.ncases; i++)
				if (m->case_label[i] >= m->p.nlabels)
					FAILV("model stored case has a label out of range", "case", i);
			break;
		case PS_SEC_CATALOGUE:
			m->catalogue.p = (const char *)s;
			m->catalogue.n = (uint32_t)size[j];
			break;
		case PS_SEC_IDF: m->idf = (const float *)(const void *)s; break;
		case PS_SEC_TPL_WEIGHT: m->tpl_weight = (const float *)(const void *)s; break;
		case PS_SEC_CLS_B: m->cls_b = (const float *)(const void *)s; break;
		case PS_SEC_PROJ: set_fmat(&m->proj, s, d); break;
		case PS_SEC_CLS_W: set_fmat(&m->cls_w, s, d); break;
		case PS_SEC_Q | PS_SEC_PROJ: set_qmat(&m->qproj, s, d); break;
		case PS_SEC_Q | PS_SEC_CLS_W: set_qmat(&m->qcls_w, s, d); break;
		default:
			l = id & 0xfu;
			switch (id & ~0xfu) {
			case PS_SEC_BIAS: m->bias[l] = (const float *)(const void *)s; break;
			case PS_SEC_W_SELF: set_fmat(&m->w_self[l], s, d); break;
			case PS_SEC_W_NEIGH: set_fmat(&m->w_neigh[l], s, d); break;
			case PS_SEC_EMB: set_fmat(&m->emb[l], s, d); break;
			case PS_SEC_Q | PS_SEC_W_SELF: set_qmat(&m->qw_self[l], s, d); break;
			case PS_SEC_Q | PS_SEC_W_NEIGH: set_qmat(&m->qw_neigh[l], s, d); break;
			case PS_SEC_Q | PS_SEC_EMB: set_qmat(&m->qemb[l], s, d); break;
			default: FAILV("model has an unknown section", "id", id);
			}
		}
	}
	return PS_OK;
}

/* ---- Drain seeding ---- */

int ps_model_seed_drain(const struct ps_model *m, struct ps_drain *d)
{
	uint32_t i;

	if (ps_drain_count(d) != 0)
		return PS_ERANGE;
	for (i = 0; i < m->templates.count; i++) {
		struct ps_str s = ps_strtab_get(&m->templates, i);

		if (ps_drain_add_template(d, s.p, s.n) != i)
			return PS_EFULL;
	}
	return PS_OK;
}

/* ---- quantisation and writer ---- */

void ps_quantize_rows(const float *w, uint32_t rows, uint32_t cols, int8_t *q, float *scale)
{
	uint32_t r, c;

	for (r = 0; r < rows; r++) {
		const float *row = w + (size_t)r * cols;
		float mx = 0, inv;

		for (c = 0; c < cols; c++) {
			float a = row[c] < 0 ? -row[c] : row[c];
			if (a > mx)
				mx = a;
		}
		scale[r] = mx / 127.0f;
		inv = mx > 0 ? 127.0f / mx : 0;
		for (c = 0; c < cols; c++)
			q[(size_t)r * cols + c] = (int8_t)ps_round_q8(row[c] * inv);
	}
}

struct writer {
	unsigned char *out;
	size_t cap;
	uint64_t pos;
};

static void put(struct writer *w, uint64_t at, const void *p, uint64_t n)
{
	if (n && at + n <= w->cap)
		memcpy(w->out + at, p, (size_t)n);
}

static void put32(struct writer *w, uint64_t at, uint32_t v) { put(w, at, &v, 4); }
static void put64(struct writer *w, uint64_t at, uint64_t v) { put(w, at, &v, 8); }

static uint64_t write_strtab_labels(struct writer *w, uint64_t at, const struct ps_model *src)
{
	uint32_t n = src->p.nlabels, i, end = 0;

	put32(w, at, n);
	for (i = 0; i < n; i++) {
		put(w, at + 4 + 4ull * n + end, src->labels[i].p, src->labels[i].n);
		end += src->labels[i].n;
		put32(w, at + 4 + 4ull * i, end);
	}
	return 4 + 4ull * n + end;
}

static uint64_t write_strtab(struct writer *w, uint64_t at, const struct ps_strtab *t, uint32_t n)
{
	uint32_t i, bytes = n && t->count >= n ? t->end[n - 1] : 0;

	put32(w, at, n);
	for (i = 0; i < n; i++)
		put32(w, at + 4 + 4ull * i, i < t->count ? t->end[i] : bytes);
	put(w, at + 4 + 4ull * n, t->bytes, bytes);
	return 4 + 4ull * n + bytes;
}

static const void *f32_data(const struct ps_model *s, uint32_t id)
{
	uint32_t l = id & 0xfu;

	switch (id) {
	case PS_SEC_IDF: return s->idf;
	case PS_SEC_TPL_WEIGHT: return s->tpl_weight;
	case PS_SEC_CLS_B: return s->cls_b;
	case PS_SEC_PROJ: return s->proj.w;
	case PS_SEC_CLS_W: return s->cls_w.w;
	}
	switch (id & ~0xfu) {
	case PS_SEC_BIAS: return s->bias[l];
	case PS_SEC_W_SELF: return s->w_self[l].w;
	case PS_SEC_W_NEIGH: return s->w_neigh[l].w;
	case PS_SEC_EMB: return s->emb[l].w;
	}
	return NULL;
}

static const struct ps_qmat *q_data(const struct ps_model *s, uint32_t id)
{
	uint32_t l = id & 0xfu;

	id &= ~(uint32_t)PS_SEC_Q;
	switch (id) {
	case PS_SEC_PROJ: return &s->qproj;
	case PS_SEC_CLS_W: return &s->qcls_w;
	}
	switch (id & ~0xfu) {
	case PS_SEC_W_SELF: return &s->qw_self[l];
	case PS_SEC_W_NEIGH: return &s->qw_neigh[l];
	case PS_SEC_EMB: return &s->qemb[l];
	}
	return NULL;
}

size_t ps_model_write(const struct ps_model *src, void *out, size_t cap)
{
	struct sec_desc d[MAX_LAYOUT];
	struct writer w = { out, out ? cap : 0, 0 };
	uint32_t n = layout(&src->p, src->flags, d), i, k;
	uint64_t pos, at, size;
	unsigned char params[PS_MODEL_PARAMS_SIZE];
	const struct ps_model_params *p = &src->p;

	if (w.cap)
		memset(w.out, 0, w.cap < PS_MODEL_HEADER ? w.cap : PS_MODEL_HEADER);
	pos = round64(PS_MODEL_HEADER + (uint64_t)n * ENTRY_SIZE);
	for (i = 0; i < n; i++) {
		at = pos;
		switch (d[i].type) {
		case T_PARAMS:
			memcpy(params + 0, &p->dim, 4);
			memcpy(params + 4, &p->nbuckets, 4);
			memcpy(params + 8, &p->nlayers, 4);
			memcpy(params + 12, &p->ncases, 4);
			memcpy(params + 16, &p->nlabels, 4);
			memcpy(params + 20, &p->ntemplates, 4);
			memcpy(params + 24, &p->k, 4);
			memcpy(params + 28, &p->tau, 4);
			memcpy(params + 32, &p->hash_seed, 4);
			memcpy(params + 36, &p->drain_depth, 4);
			memcpy(params + 40, &p->drain_st, 4);
			memcpy(params + 44, &p->drain_max_children, 4);
			for (k = 0; k < PS_NFEAT; k++)
				memcpy(params + 48 + 4 * k, &p->feat_weight[k], 4);
			for (k = 0; k <= PS_MODEL_MAX_LAYERS; k++)
				memcpy(params + 48 + 4 * PS_NFEAT + 4 * k, &p->dims[k], 4);
			size = PS_MODEL_PARAMS_SIZE;
			put(&w, at, params, size);
			break;
		case T_TEXT:
			size = src->catalogue.n;
			put(&w, at, src->catalogue.p, size);
			break;
		case T_CALIB: {
			uint32_t ver = PS_CALIB_VERSION, zero = 0;

			size = PS_CALIB_SIZE;
			put32(&w, at, ver);
			put(&w, at + 4, &src->temperature, 4);
			put(&w, at + 8, &src->uncertain_below, 4);
			put32(&w, at + 12, zero);
			break;
		}
		case T_BACKOFF: {
			const struct ps_backoff *bo = &src->backoff;
			uint32_t ver = PS_BACKOFF_VERSION, zero = 0;

			size = PS_BACKOFF_SIZE;
			put32(&w, at, ver);
			put(&w, at + 4, &bo->w_near, 4);
			put(&w, at + 8, &bo->w_specific, 4);
			put(&w, at + 12, &bo->w_far, 4);
			put(&w, at + 16, &bo->s_lo, 4);
			put(&w, at + 20, &bo->s_hi, 4);
			put(&w, at + 24, &bo->generic, 4);
			put(&w, at + 28, &bo->conflict_below, 4);
			put32(&w, at + 32, bo->specific);
			put32(&w, at + 36, zero);
			break;
		}
		case T_STRTAB:
			if (d[i].id == PS_SEC_LABELS)
				size = write_strtab_labels(&w, at, src);
			else if (d[i].id == PS_SEC_TEMPLATES)
				size = write_strtab(&w, at, &src->templates, p->ntemplates);
			else
				size = write_strtab(&w, at, &src->case_names, p->ncases);
			break;
		case T_U16:
			size = sec_size(&d[i]);
			put(&w, at, src->case_label, (uint64_t)d[i].rows * 2);
			if (size > (uint64_t)d[i].rows * 2)
				put(&w, at + (uint64_t)d[i].rows * 2, "\0\0", size - (uint64_t)d[i].rows * 2);
			break;
		case T_F32:
			size = sec_size(&d[i]);
			put(&w, at, f32_data(src, d[i].id), size);
			break;
		case T_Q8: {
			const struct ps_qmat *q = q_data(src, d[i].id);
			uint64_t qn = (uint64_t)d[i].rows * d[i].cols;

			size = sec_size(&d[i]);
			put(&w, at, q->q, qn);
			put(&w, at + qn, "\0\0\0", round4(qn) - qn);
			put(&w, at + round4(qn), q->scale, (uint64_t)d[i].rows * 4);
			break;
		}
		default:
			size = 0;
		}
		put32(&w, PS_MODEL_HEADER + (uint64_t)i * ENTRY_SIZE, d[i].id);
		put32(&w, PS_MODEL_HEADER + (uint64_t)i * ENTRY_SIZE + 4, 0);
		put64(&w, PS_MODEL_HEADER + (uint64_t)i * ENTRY_SIZE + 8, at);
		put64(&w, PS_MODEL_HEADER + (uint64_t)i * ENTRY_SIZE + 16, size);
		pos = round64(at + size);
		/* zero the padding after the section */
		if (pos <= w.cap && at + size < pos)
			memset(w.out + at + size, 0, (size_t)(pos - at - size));
	}
	if (pos <= w.cap) {
		memset(w.out + PS_MODEL_HEADER + (size_t)n * ENTRY_SIZE, 0,
		       (size_t)(round64(PS_MODEL_HEADER + (uint64_t)n * ENTRY_SIZE) - PS_MODEL_HEADER - (uint64_t)n * ENTRY_SIZE));
		memcpy(w.out, PS_MODEL_MAGIC, 8);
		put32(&w, 8, PS_MODEL_VERSION);
		put32(&w, 12, PS_MODEL_HEADER);
		put64(&w, 16, pos);
		put32(&w, 24, n);
		put32(&w, 28, src->flags);
		memset(w.out + 40, 0, PS_MODEL_HEADER - 40);
		put64(&w, 32, ps_model_checksum(w.out, (size_t)pos));
	}
	return pos > SIZE_MAX ? SIZE_MAX : (size_t)pos;
}
