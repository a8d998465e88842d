#include "core/features.h"

#include <string.h>

#include "core/buf.h"
#include "core/mask.h"
#include "core/catalogue.h"
#include "core/psmath.h"
#include "core/status.h"

struct counter {
	const struct ps_model_params *p;
	float *dense;          /* [nbuckets] */
	struct ps_sparse *x;
	uint32_t mask;
};

static uint64_t kind_seed(const struct ps_model_params *p, uint32_t kind)
{
	return ((uint64_t)p->hash_seed << 8 | kind) * 0x9e3779b97f4a7c15ull;
}

static uint32_t bucket_of(uint64_t h, uint32_t mask)
{
	return (uint32_t)(h ^ h >> 32) & mask;
}

static uint64_t hint_hash(const struct ps_model_params *p, const char *hint)
{
	return ps_hash(hint, ps_strlen(hint), kind_seed(p, PS_FEAT_CATALOGUE) + 2);
}

uint32_t ps_features_hint_bucket(const struct ps_model_params *p, const char *hint)
{
	return bucket_of(hint_hash(p, hint), p->nbuckets - 1);
}

/* The hash of a catalogue entry's id (the name, not the index, so that
 * an entry keeps its feature when others are added before it). */
static uint64_t entry_hash(const struct ps_analysis *an, uint32_t cat, uint64_t seed)
{
	const struct ps_cat_entry *e = &an->catalogue->entry[cat - 1];

	return ps_hash(e->id.p, e->id.n, seed);
}

static void bump(struct counter *c, uint64_t h, uint32_t kind)
{
	uint32_t b = bucket_of(h, c->mask);
	float w = c->p->feat_weight[kind];

	if (w <= 0)
		return;
	if (c->dense[b] == 0)
		c->x->idx[c->x->n++] = b;
	c->dense[b] += w;
}

static int is_wild(const char *s, size_t n)
{
	return n == 3 && s[0] == '<' && s[1] == '*' && s[2] == '>';
}

static int is_word_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* The words inside a token ("kernel/locking/lockdep.c:<*>" → kernel,
 * locking, lockdep; "refcount_warn_saturate" → refcount, warn,
 * saturate), so that related tokens share features.  Only for tokens
 * that have more than one word; words of at least 3 characters. */
static void add_words(struct counter *c, const char *s, size_t n, uint32_t kind)
{
	size_t i = 0, start, nwords = 0;

	for (i = 0; i < n; i++)          /* a token that is one word: nothing new */
		if (!is_word_char((unsigned char)s[i]))
			break;
	if (i == n)
		return;
	i = 0;
	while (i < n && nwords < 16) {
		while (i < n && !is_word_char((unsigned char)s[i]))
			i++;
		start = i;
		while (i < n && is_word_char((unsigned char)s[i]))
			i++;
		if (i - start >= 3) {
			bump(c, ps_hash(s + start, i - start, kind_seed(c->p, kind) + 2), kind);
			nwords++;
		}
	}
}

/* Unigrams and bigrams of a masked line (kinds `uni`, `bi`), and the
 * words inside compound tokens (kind `uni`). */
static void add_tokens(struct counter *c, const char *s, size_t n, uint32_t uni, uint32_t bi)
{
	size_t i = 0;
	uint64_t prev = 0;
	int have_prev = 0;

	while (i < n) {
		size_t start;

		while (i < n && s[i] == ' ')
			i++;
		start = i;
		while (i < n && s[i] != ' ')
			i++;
		if (i == start)
			break;
		if (is_wild(s + start, i - start)) {
			have_prev = 0;
			continue;
		}
		bump(c, ps_hash(s + start, i - start, kind_seed(c->p, uni)), uni);
		add_words(c, s + start, i - start, uni);
		if (have_prev && bi < PS_NFEAT)
			bump(c, ps_hash(s + start, i - start, prev), bi);
		prev = ps_hash(s + start, i - start, kind_seed(c->p, bi < PS_NFEAT ? bi : uni) + 1);
		have_prev = 1;
	}
}

static void add_line(struct counter *c, const struct ps_analysis *an, uint32_t li)
{
	const struct ps_line *ln = &an->lines[li];
	uint32_t v;

	add_tokens(c, ln->masked, ln->mlen, PS_FEAT_TOKEN, PS_FEAT_BIGRAM);
	if (ln->tpl < c->p->ntemplates) {
		v = ln->tpl;
		bump(c, ps_hash(&v, sizeof v, kind_seed(c->p, PS_FEAT_TEMPLATE)), PS_FEAT_TEMPLATE);
	}
	if ((ln->flags & PS_LINE_FRAME) && ln->sym && ln->symlen)
		bump(c, ps_hash(ln->sym, ln->symlen, kind_seed(c->p, PS_FEAT_SYMBOL)), PS_FEAT_SYMBOL);
	if (ln->cat && an->catalogue && !(ln->flags & PS_LINE_HARMLESS))
		bump(c, entry_hash(an, ln->cat, kind_seed(c->p, PS_FEAT_CATALOGUE)), PS_FEAT_CATALOGUE);
}

int ps_features_count(const struct ps_model_params *p, const struct ps_analysis *an,
		      int whole_log, struct ps_arena *a, struct ps_sparse *x)
{
	struct counter c;
	uint32_t i, first, cap, nl = an->nlines;
	size_t mark = ps_arena_mark(a);

	x->n = 0;
	x->idx = NULL;
	x->val = NULL;
	/* at most one bucket per bucket: the dense array bounds the count */
	cap = p->nbuckets;
	x->idx = PS_ALLOC(a, uint32_t, cap);
	x->val = PS_ALLOC(a, float, cap);
	c.dense = PS_ALLOC(a, float, p->nbuckets);
	if (!x->idx || !x->val || !c.dense) {
		ps_arena_release(a, mark);
		return PS_ENOMEM;
	}
	c.p = p;
	c.x = x;
	c.mask = p->nbuckets - 1;
	if (whole_log || an->nsegment == 0 || !an->segment) {
		first = whole_log || nl < PS_FEAT_FALLBACK_LINES ? 0 : nl - PS_FEAT_FALLBACK_LINES;
		for (i = first; i < nl; i++)
			add_line(&c, an, i);
	} else {
		for (i = 0; i < an->nsegment; i++)
			if (an->segment[i] < nl)
				add_line(&c, an, an->segment[i]);
	}
	if (an->header < nl) {
		add_tokens(&c, an->lines[an->header].masked, an->lines[an->header].mlen,
			   PS_FEAT_HEADER, PS_FEAT_HEADER);
		const struct ps_line *h = &an->lines[an->header];

		if (h->cat && an->catalogue) {   /* the header's own catalogue entry, apart */
			const char *label = ps_cat_label_name(h->cat_label);

			bump(&c, entry_hash(an, h->cat, kind_seed(p, PS_FEAT_CATALOGUE) + 1),
			     PS_FEAT_CATALOGUE);
			/* and the entry's (address-adjusted) label: shared by all
			 * the entries of one kind, so rare labels have more to go on */
			if (label)
				bump(&c, hint_hash(p, label), PS_FEAT_CATALOGUE);
		}
		/* the lines right after the header usually say what kind of
		 * report it is ("Read of size", "#PF: ...", "lock held by") */
		for (i = an->header + 1; i < nl && i <= an->header + PS_FEAT_HEADER_CONTEXT; i++)
			add_tokens(&c, an->lines[i].masked, an->lines[i].mlen, PS_FEAT_HEADER, PS_NFEAT);
	}
	if (an->panic < nl && an->panic != an->header)
		add_tokens(&c, an->lines[an->panic].masked, an->lines[an->panic].mlen,
			   PS_FEAT_HEADER, PS_NFEAT);
	for (i = 0; i < x->n; i++)
		x->val[i] = c.dense[x->idx[i]];
	/* give back the dense counter; idx/val stay (they were allocated first) */
	ps_arena_release(a, (size_t)((unsigned char *)c.dense - a->base));
	return PS_OK;
}

float ps_normalize(float *v, uint32_t n)
{
	float s = 0, norm, inv;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += v[i] * v[i];
	norm = ps_sqrtf(s);
	if (norm > 0) {
		inv = 1.0f / norm;
		for (i = 0; i < n; i++)
			v[i] *= inv;
	}
	return norm;
}

void ps_features_weight(struct ps_sparse *x, const float *idf)
{
	uint32_t i;

	for (i = 0; i < x->n; i++)
		x->val[i] = ps_logf(1.0f + x->val[i]) * idf[x->idx[i]];
	ps_normalize(x->val, x->n);
}

void ps_embed_f32(const struct ps_fmat *proj, const struct ps_sparse *x, float *h0)
{
	uint32_t i, j, d = proj->cols;

	memset(h0, 0, (size_t)d * sizeof *h0);
	for (i = 0; i < x->n; i++) {
		const float *row = proj->w + (size_t)x->idx[i] * d;
		float v = x->val[i];

		for (j = 0; j < d; j++)
			h0[j] += v * row[j];
	}
	ps_normalize(h0, d);
}

void ps_embed_q8(const struct ps_qmat *proj, const struct ps_sparse *x, float *h0)
{
	uint32_t i, j, d = proj->cols;

	memset(h0, 0, (size_t)d * sizeof *h0);
	for (i = 0; i < x->n; i++) {
		const int8_t *row = proj->q + (size_t)x->idx[i] * d;
		float v = x->val[i] * proj->scale[x->idx[i]];

		for (j = 0; j < d; j++)
			h0[j] += v * (float)row[j];
	}
	ps_normalize(h0, d);
}
