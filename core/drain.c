#include "core/drain.h"

#include <string.h>

#include "core/mask.h"
#include "core/status.h"

#define NONE      UINT32_MAX
#define WILD      0u             /* token id of "<*>" */
#define UNKNOWN   (UINT32_MAX - 1) /* a token the full vocabulary could not take */
#define LEN_KEY   0x80000000u    /* first-layer keys: token count | LEN_KEY */

/* The three hash tables (tokens, children, exact templates) chain
 * through their entries: a bucket holds the first entry's id + 1 (0:
 * empty) and each entry the next one's.  Chains allow a load above 1,
 * so the bucket arrays are a quarter of what open addressing at half
 * load needed, and only they are cleared: less memory to touch, and
 * tables that stay in the cache. */
struct vocab_entry {
	uint32_t off;        /* into text */
	uint32_t len;
	uint32_t has_digit;
	uint32_t hnext;      /* next in the bucket, id + 1 */
};

struct node {
	uint32_t nchildren;
	uint32_t first, last;   /* leaf cluster list, in creation order */
	uint32_t version;       /* leaf: bumped whenever a template in it changes */
	uint32_t parent, key;   /* the edge into this node */
	uint32_t hnext;         /* next child in the bucket, id + 1 */
};

struct cluster {
	uint32_t tok;           /* offset into template pool */
	uint32_t len;
	uint32_t next;          /* next cluster in the same leaf */
	uint32_t size;          /* lines matched */
	uint32_t leaf;          /* the leaf it is filed in, or NONE */
	uint32_t xnext;         /* next in the exact-template bucket, id + 1 */
	uint8_t filed;          /* in a leaf of the tree */
	uint8_t merged;         /* template changed since creation */
};

/* A line learnt before and its token ids (see line_tokens). */
#define LINE_TOKENS 32
struct line_memo {
	uint32_t hash, len;     /* len 0: empty */
	uint32_t count;
	uint32_t exact;         /* the tokens may take the exact shortcut */
	uint32_t xhash;         /* then their seq_hash */
	uint32_t tok[LINE_TOKENS];
};

/* The best cluster of a leaf for a line so far, in fastMatch's order. */
struct match {
	uint32_t best;          /* NONE before the first cluster */
	uint32_t simtok, par;   /* its tokens equal to the line's, its <*> */
};

/* A remembered tree search (see tree_search): the line's tokens, the
 * leaf they led to, that leaf's version then, the last cluster of the
 * leaf that was looked at, and the best one up to it. */
#define MEMO_TOKENS 32
struct memo {
	uint32_t leaf;          /* NONE: empty */
	uint32_t version;
	uint32_t last;
	uint32_t len;
	struct match m;
	uint32_t tok[MEMO_TOKENS];
};

struct ps_drain {
	struct ps_drain_params p;
	uint32_t leaf_depth;    /* reference's self.depth = depth - 2 */

	struct vocab_entry *vocab;
	uint32_t nvocab;
	uint32_t *vhash;        /* buckets: id + 1, 0 = empty */
	uint32_t vhash_mask;
	char *text;
	size_t text_used;

	struct node *nodes;
	uint32_t nnodes;
	uint32_t *chash;        /* buckets of (parent, key) -> child id + 1 */
	uint32_t chash_mask;

	struct cluster *clusters;
	uint32_t nclusters;
	uint32_t *xhash;        /* token sequence at creation → cluster id + 1 */
	uint32_t xhash_mask;
	uint32_t *tpl;
	size_t tpl_used;

	struct memo *memo;      /* direct-mapped; NULL when off */
	uint32_t memo_mask;
	struct line_memo *lines;  /* direct-mapped; NULL when off */
	uint32_t lines_mask;

	uint32_t *line_tok;     /* scratch: token ids of the current line */
	uint32_t overflows;
};

void ps_drain_defaults(struct ps_drain_params *p)
{
	p->st = 0.4;
	p->depth = 4;
	p->max_children = 100;
	p->max_clusters = 8192;
	p->max_nodes = 32768;
	p->max_vocab = 65536;
	p->max_tokens = 512;
	p->vocab_bytes = 1u << 20;
	p->template_tokens = 1u << 18;
	p->no_shortcut = 0;
}

static uint32_t pow2_above(uint32_t n)
{
	uint32_t s = 16;

	while (s < n * 2u && s < 0x40000000u)
		s <<= 1;
	return s;
}

/* Buckets for a table of n entries: at most two per bucket when full. */
static uint32_t buckets_for(uint32_t n)
{
	uint32_t s = 16;

	while (s < n / 2 && s < 0x40000000u)
		s <<= 1;
	return s;
}

int ps_drain_init(struct ps_drain **out, struct ps_arena *a, const struct ps_drain_params *p)
{
	struct ps_drain *d;
	uint32_t i, vh, ch;

	*out = NULL;
	if (!(p->st >= 0 && p->st <= 1) || p->depth < 3 || p->depth > 64 || p->max_children < 1 ||
	    p->max_clusters < 1 || p->max_clusters >= (1u << 30) || p->max_nodes < 2 ||
	    p->max_nodes >= (1u << 29) || p->max_vocab < 2 || p->max_vocab >= (1u << 29) ||
	    p->max_tokens < 1 || p->max_tokens > 65536 ||
	    p->vocab_bytes < sizeof PS_WILDCARD - 1 || p->vocab_bytes > UINT32_MAX ||
	    p->template_tokens > UINT32_MAX)
		return PS_ERANGE;

	d = PS_ALLOC(a, struct ps_drain, 1);
	if (!d)
		return PS_ENOMEM;
	d->p = *p;
	d->leaf_depth = p->depth - 2;
	vh = buckets_for(p->max_vocab);
	ch = buckets_for(p->max_nodes);
	d->vocab = PS_ALLOC_RAW(a, struct vocab_entry, p->max_vocab);
	d->vhash = PS_ALLOC(a, uint32_t, vh);
	d->text = PS_ALLOC_RAW(a, char, p->vocab_bytes + 1);
	d->nodes = PS_ALLOC_RAW(a, struct node, p->max_nodes);
	d->chash = PS_ALLOC(a, uint32_t, ch);
	d->clusters = PS_ALLOC_RAW(a, struct cluster, p->max_clusters);
	d->tpl = PS_ALLOC_RAW(a, uint32_t, p->template_tokens + 1);
	d->line_tok = PS_ALLOC_RAW(a, uint32_t, p->max_tokens);
	d->xhash = PS_ALLOC(a, uint32_t, buckets_for(p->max_clusters));
	if (!d->vocab || !d->vhash || !d->text || !d->nodes || !d->chash || !d->clusters ||
	    !d->tpl || !d->line_tok || !d->xhash)
		return PS_ENOMEM;
	/* The memo relies on leaf versions never wrapping: a version goes
	 * up once per template token turned into <*>, at most
	 * template_tokens < 2^32 times. */
	d->memo = NULL;
	d->memo_mask = 0;
	d->lines = NULL;
	d->lines_mask = 0;
	if (!p->no_shortcut) {
		uint32_t slots = pow2_above(p->max_clusters) / 2;

		if (slots > 1024)
			slots = 1024;
		d->memo = PS_ALLOC_RAW(a, struct memo, slots);
		if (!d->memo)
			return PS_ENOMEM;
		d->memo_mask = slots - 1;
		for (i = 0; i < slots; i++)
			d->memo[i].leaf = NONE;
		d->lines = PS_ALLOC(a, struct line_memo, slots);
		if (!d->lines)
			return PS_ENOMEM;
		d->lines_mask = slots - 1;
	}
	/* only the hash tables need clearing; every other table entry is
	 * written when it comes into use */
	d->vhash_mask = vh - 1;
	d->xhash_mask = buckets_for(p->max_clusters) - 1;
	d->chash_mask = ch - 1;

	/* token 0 is the wildcard; node 0 is the root */
	memcpy(d->text, PS_WILDCARD, 3);
	d->text_used = 3;
	d->vocab[0].off = 0;
	d->vocab[0].len = 3;
	d->vocab[0].has_digit = 0;
	d->vocab[0].hnext = 0;
	d->nvocab = 1;
	d->vhash[ps_hash_fast(PS_WILDCARD, 3, 0) & d->vhash_mask] = 1;
	d->nnodes = 1;
	d->nodes[0].nchildren = 0;
	d->nodes[0].first = d->nodes[0].last = NONE;
	d->nodes[0].version = 0;
	*out = d;
	return PS_OK;
}

static int has_digit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			return 1;
	return 0;
}

/* Token id of s[0..n), interned when `learn`; UNKNOWN when absent or
 * when the vocabulary is full. */
static uint32_t token_id(struct ps_drain *d, const char *s, size_t n, int learn)
{
	uint32_t h, e;
	struct vocab_entry *v;

	/* the most common token of masked lines and templates: id 0 since init */
	if (n == 3 && s[0] == '<' && s[1] == '*' && s[2] == '>')
		return WILD;
	h = ps_hash_fast(s, n, 0) & d->vhash_mask;
	for (e = d->vhash[h]; e; e = v->hnext) {
		v = &d->vocab[e - 1];
		if (v->len == n && ps_bytes_eq(d->text + v->off, s, n))
			return e - 1;
	}
	if (!learn)
		return UNKNOWN;
	if (d->nvocab >= d->p.max_vocab || n > d->p.vocab_bytes - d->text_used)
		return UNKNOWN;
	v = &d->vocab[d->nvocab];
	v->off = (uint32_t)d->text_used;
	v->len = (uint32_t)n;
	v->has_digit = (uint32_t)has_digit(s, n);
	memcpy(d->text + d->text_used, s, n);
	d->text_used += n;
	v->hnext = d->vhash[h];
	d->vhash[h] = ++d->nvocab;
	return d->nvocab - 1;
}

static int token_has_digit(const struct ps_drain *d, uint32_t t)
{
	return t == UNKNOWN || d->vocab[t].has_digit;
}

/* Splits and interns a line into d->line_tok; returns the count.
 * *cut is set when tokens or vocabulary were lost. */
static uint32_t tokenize(struct ps_drain *d, const char *s, size_t n, int learn, int *cut)
{
	uint32_t count = 0;
	size_t i = 0;

	*cut = 0;
	while (i < n) {
		size_t start;

		while (i < n && ps_is_space((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		start = i;
		i = ps_token_end(s, i, n);
		if (count == d->p.max_tokens) {
			*cut = 1;
			break;
		}
		d->line_tok[count] = token_id(d, s + start, i - start, learn);
		if (d->line_tok[count] == UNKNOWN && learn)
			*cut = 1;
		count++;
	}
	return count;
}

/* Bucket of a (parent, key) pair in the child table. */
static uint32_t child_hash(const struct ps_drain *d, uint32_t parent, uint32_t key)
{
	uint64_t h = ((uint64_t)parent << 32 | key) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32 ^ h) & d->chash_mask;
}

static uint32_t child_get(const struct ps_drain *d, uint32_t parent, uint32_t key)
{
	uint32_t e;

	for (e = d->chash[child_hash(d, parent, key)]; e; e = d->nodes[e - 1].hnext)
		if (d->nodes[e - 1].parent == parent && d->nodes[e - 1].key == key)
			return e - 1;
	return NONE;
}

/* Creates a child node; NONE when the node table is full. */
static uint32_t child_add(struct ps_drain *d, uint32_t parent, uint32_t key)
{
	uint32_t h = child_hash(d, parent, key);
	uint32_t id;

	if (d->nnodes >= d->p.max_nodes)
		return NONE;
	id = d->nnodes++;
	d->nodes[id].nchildren = 0;
	d->nodes[id].first = d->nodes[id].last = NONE;
	d->nodes[id].version = 0;
	d->nodes[id].parent = parent;
	d->nodes[id].key = key;
	d->nodes[id].hnext = d->chash[h];
	d->chash[h] = id + 1;
	d->nodes[parent].nchildren++;
	return id;
}

static int same(uint32_t a, uint32_t b)
{
	return a == b && a != UNKNOWN;
}

/* The leaf the reference's treeSearch reaches, or NONE. */
static uint32_t tree_leaf(const struct ps_drain *d, const uint32_t *seq, uint32_t len)
{
	uint32_t node = child_get(d, 0, len | LEN_KEY);
	uint32_t depth = 1, i;

	if (node == NONE)
		return NONE;
	for (i = 0; i < len; i++) {
		uint32_t next;

		if (depth >= d->leaf_depth || depth > len)
			break;
		next = seq[i] == UNKNOWN ? NONE : child_get(d, node, seq[i]);
		if (next == NONE)
			next = child_get(d, node, WILD);
		if (next == NONE)
			return NONE;
		node = next;
		depth++;
	}
	return node;
}

/* The reference's fastMatch over the clusters of a leaf from `c` on,
 * continuing from *m.  fastMatch keeps the first cluster of highest
 * similarity simtok / len and, among equals, most <*>; for one line len
 * is the same for every cluster, so comparing simtok is comparing the
 * similarity (the division is monotonic and distinct counts stay apart
 * by 1 / len, far above rounding). */
static void leaf_scan(const struct ps_drain *d, uint32_t c, const uint32_t *seq, uint32_t len,
		      struct match *m)
{
	for (; c != NONE; c = d->clusters[c].next) {
		const uint32_t *t = d->tpl + d->clusters[c].tok;
		uint32_t simtok = 0, par = 0, k;

		for (k = 0; k < len; k++) {
			if (t[k] == WILD)
				par++;
			else if (same(t[k], seq[k]))
				simtok++;
		}
		if (m->best == NONE || simtok > m->simtok || (simtok == m->simtok && par > m->par)) {
			m->best = c;
			m->simtok = simtok;
			m->par = par;
		}
	}
}

/* The reference's treeSearch + fastMatch.
 *
 * fastMatch's answer depends only on the line's tokens and on the
 * clusters of the leaf the tokens lead to: which ones, in which order,
 * with which templates.  A leaf's list only grows at its end, and each
 * change of a template in it bumps the leaf's version (ps_drain_add).
 * So for the same tokens, the same leaf and the same version, the best
 * cluster up to the remembered last one is still what it was, and only
 * the clusters filed after it need a look.  The route to the leaf is
 * walked every time: a child added on the way may lead the same tokens
 * elsewhere.  (A line with no tokens never reaches a cluster: no
 * cluster is filed for an empty template.) */
static uint32_t tree_search(struct ps_drain *d, const uint32_t *seq, uint32_t len)
{
	uint32_t node = tree_leaf(d, seq, len), from;
	struct memo *mo = NULL;
	struct match m = { NONE, 0, 0 };

	if (node == NONE || len == 0)
		return NONE;
	from = d->nodes[node].first;
	if (d->memo && len <= MEMO_TOKENS) {
		mo = &d->memo[ps_hash_fast(seq, (size_t)len * sizeof *seq, node) & d->memo_mask];
		if (mo->leaf == node && mo->version == d->nodes[node].version && mo->len == len &&
		    ps_bytes_eq(mo->tok, seq, (size_t)len * sizeof *seq)) {
			m = mo->m;
			if (mo->last != NONE)
				from = d->clusters[mo->last].next;
		} else {
			memcpy(mo->tok, seq, (size_t)len * sizeof *seq);
		}
	}
	leaf_scan(d, from, seq, len, &m);
	if (mo) {
		mo->leaf = node;
		mo->version = d->nodes[node].version;
		mo->len = len;
		mo->last = d->nodes[node].last;
		mo->m = m;
	}
	if (m.best != NONE && (double)m.simtok / (double)len >= d->p.st)
		return m.best;
	return NONE;
}

/* The reference's addSeqToPrefixTree; returns 1 when the cluster was
 * filed in a leaf, 2 when the template is too short to be (as in the
 * reference), 0 if the node table ran out. */
static int tree_add(struct ps_drain *d, uint32_t cl)
{
	const uint32_t *t = d->tpl + d->clusters[cl].tok;
	uint32_t len = d->clusters[cl].len;
	uint32_t node = child_get(d, 0, len | LEN_KEY);
	uint32_t depth = 1, i, maxc = d->p.max_children;

	if (node == NONE && (node = child_add(d, 0, len | LEN_KEY)) == NONE)
		return 0;
	for (i = 0; i < len; i++) {
		uint32_t tok = t[i], next;

		if (depth >= d->leaf_depth || depth > len) {
			struct node *leaf = &d->nodes[node];

			if (leaf->last == NONE)
				leaf->first = cl;
			else
				d->clusters[leaf->last].next = cl;
			leaf->last = cl;
			d->clusters[cl].leaf = node;
			return 1;
		}
		next = tok == UNKNOWN ? NONE : child_get(d, node, tok);
		if (next == NONE) {
			uint32_t nch = d->nodes[node].nchildren;
			uint32_t wild = child_get(d, node, WILD);

			if (!token_has_digit(d, tok)) {
				if (wild != NONE)
					next = nch < maxc ? child_add(d, node, tok) : wild;
				else if (nch + 1 < maxc)
					next = child_add(d, node, tok);
				else if (nch + 1 == maxc)
					next = child_add(d, node, WILD);
				else
					next = wild;  /* unreachable, as in the reference */
			} else {
				next = wild != NONE ? wild : child_add(d, node, WILD);
			}
			if (next == NONE)
				return 0;
		}
		node = next;
		depth++;
	}
	/* Fewer tokens than the tree is deep: the reference never files the
	 * cluster in a leaf, so no later line can match it. */
	return 2;
}

/* A shortcut that gives tree_search's answer for the common case of a
 * line identical to the template it belongs to.
 *
 * A filed cluster whose template never changed sits in the leaf its
 * own tokens lead to, so a line with exactly those tokens reaches it.
 * Against such a line the identical template has the highest possible
 * similarity ((len - w) / len for w <*> tokens in the line) and, among
 * templates with that similarity, the most parameters (w); any other
 * template scoring the same is identical too, and fastMatch takes the
 * oldest.  So the oldest unchanged filed cluster with the line's exact
 * tokens is what the full search returns, provided its similarity
 * reaches st.  (An identical cluster whose template changed cannot
 * coexist with a better-placed one: the line that changed it would
 * have matched the older one.) */
static uint32_t seq_hash(const uint32_t *seq, uint32_t len)
{
	return ps_hash_fast(seq, (size_t)len * sizeof *seq, len);
}

static void exact_insert(struct ps_drain *d, uint32_t id)
{
	struct cluster *c = &d->clusters[id];
	uint32_t h = seq_hash(d->tpl + c->tok, c->len) & d->xhash_mask;

	c->xnext = d->xhash[h];
	d->xhash[h] = id + 1;
}

/* Whether a line of these tokens can have an identical cluster (no
 * UNKNOWN, similar enough to itself), and then its bucket hash in *h:
 * a function of the tokens alone, so a line memo keeps it. */
static int exact_key(const struct ps_drain *d, const uint32_t *seq, uint32_t len, uint32_t *h)
{
	uint32_t k, w = 0;

	if (len == 0)
		return 0;
	for (k = 0; k < len; k++) {
		if (seq[k] == UNKNOWN)
			return 0;
		w += seq[k] == WILD;
	}
	if (!((double)(len - w) / (double)len >= d->p.st))
		return 0;
	*h = seq_hash(seq, len);
	return 1;
}

static uint32_t exact_find(const struct ps_drain *d, const uint32_t *seq, uint32_t len, uint32_t h)
{
	uint32_t e, best = NONE;

	for (e = d->xhash[h & d->xhash_mask]; e; e = d->clusters[e - 1].xnext) {
		uint32_t id = e - 1;
		const struct cluster *c = &d->clusters[id];

		if (c->merged || c->len != len || id >= best ||
		    !ps_bytes_eq(d->tpl + c->tok, seq, (size_t)len * sizeof *seq))
			continue;
		best = id;
	}
	return best;
}

static uint32_t exact_lookup(const struct ps_drain *d, const uint32_t *seq, uint32_t len)
{
	uint32_t h;

	return exact_key(d, seq, len, &h) ? exact_find(d, seq, len, h) : NONE;
}

static uint32_t new_cluster(struct ps_drain *d, const uint32_t *seq, uint32_t len)
{
	struct cluster *c;
	uint32_t id;

	if (d->nclusters >= d->p.max_clusters || len > d->p.template_tokens - d->tpl_used)
		return NONE;
	id = d->nclusters++;
	c = &d->clusters[id];
	c->tok = (uint32_t)d->tpl_used;
	c->len = len;
	c->next = NONE;
	c->size = 1;
	c->leaf = NONE;
	c->merged = 0;
	memcpy(d->tpl + d->tpl_used, seq, len * sizeof *seq);
	d->tpl_used += len;
	switch (tree_add(d, id)) {
	case 0:
		d->overflows++;
		c->filed = 0;
		break;
	case 1:
		c->filed = 1;
		exact_insert(d, id);
		break;
	default:
		c->filed = 0;
		break;
	}
	return id;
}

/* Is s[0..n) the remembered line e, i.e. e's tokens joined by single
 * spaces?  Then splitting it on whitespace gives exactly those tokens
 * (a token's text has no whitespace), each of them already in the
 * vocabulary under its id, and nothing is cut (e holds no more tokens
 * than max_tokens and no UNKNOWN): tokenize would return e's ids and
 * learn nothing. */
static int line_is(const struct ps_drain *d, const struct line_memo *e, const char *s, size_t n)
{
	size_t pos = 0;
	uint32_t k;

	for (k = 0; k < e->count; k++) {
		const struct vocab_entry *v = &d->vocab[e->tok[k]];

		if (k && (pos >= n || s[pos++] != ' '))
			return 0;
		if (v->len > n - pos || !ps_bytes_eq(d->text + v->off, s + pos, v->len))
			return 0;
		pos += v->len;
	}
	return pos == n;
}

/* tokenize(d, s, n, 1, cut) for ps_drain_add, with lines learnt before
 * taken from a direct-mapped memo: a log repeats its lines.  *seq is
 * where the tokens are (d->line_tok, or the memo's copy, which nothing
 * changes before the next line); *exact and *xh exact_key's answer. */
static uint32_t line_tokens(struct ps_drain *d, const char *s, size_t n, int *cut,
			    const uint32_t **seq, int *exact, uint32_t *xh)
{
	struct line_memo *e = NULL;
	uint32_t h = 0, len;

	if (d->lines && n > 0 && n <= UINT32_MAX) {
		h = ps_hash_fast(s, n, 0);
		e = &d->lines[h & d->lines_mask];
		if (e->len == n && e->hash == h && line_is(d, e, s, n)) {
			*cut = 0;
			*seq = e->tok;
			*exact = (int)e->exact;
			*xh = e->xhash;
			return e->count;
		}
	}
	len = tokenize(d, s, n, 1, cut);
	*seq = d->line_tok;
	*xh = 0;
	*exact = exact_key(d, d->line_tok, len, xh);
	if (e && !*cut && len > 0 && len <= LINE_TOKENS && len <= d->p.max_tokens) {
		e->hash = h;
		e->len = (uint32_t)n;
		e->count = len;
		e->exact = (uint32_t)*exact;
		e->xhash = *xh;
		memcpy(e->tok, d->line_tok, (size_t)len * sizeof *e->tok);
	}
	return len;
}

uint32_t ps_drain_add(struct ps_drain *d, const char *s, size_t n)
{
	const uint32_t *seq;
	uint32_t xh, len, c, k;
	int cut, exact;

	len = line_tokens(d, s, n, &cut, &seq, &exact, &xh);
	c = d->p.no_shortcut || !exact ? NONE : exact_find(d, seq, len, xh);
	if (cut)
		d->overflows++;
	if (c != NONE) {
		d->clusters[c].size++;
		return c;
	}
	c = tree_search(d, seq, len);
	if (c == NONE) {
		c = new_cluster(d, seq, len);
		if (c == NONE) {
			d->overflows++;
			return PS_DRAIN_OVERFLOW;
		}
		return c;
	}
	d->clusters[c].size++;
	for (k = 0; k < len; k++) {
		uint32_t *t = d->tpl + d->clusters[c].tok + k;

		if (!same(*t, seq[k]) && *t != WILD) {
			*t = WILD;
			d->clusters[c].merged = 1;
			/* tree_search found c in its leaf: it is filed */
			d->nodes[d->clusters[c].leaf].version++;
		}
	}
	return c;
}

uint32_t ps_drain_add_template(struct ps_drain *d, const char *s, size_t n)
{
	int cut;
	uint32_t len = tokenize(d, s, n, 1, &cut);
	uint32_t c = new_cluster(d, d->line_tok, len);

	if (cut || c == NONE)
		d->overflows++;
	if (c == NONE)
		return PS_DRAIN_OVERFLOW;
	d->clusters[c].size = 0;
	return c;
}

uint32_t ps_drain_match(struct ps_drain *d, const char *s, size_t n)
{
	int cut;
	uint32_t len = tokenize(d, s, n, 0, &cut);
	uint32_t c = d->p.no_shortcut ? NONE : exact_lookup(d, d->line_tok, len);

	if (c == NONE)
		c = tree_search(d, d->line_tok, len);
	return c == NONE ? PS_DRAIN_OVERFLOW : c;
}

uint32_t ps_drain_count(const struct ps_drain *d)
{
	return d->nclusters;
}

uint32_t ps_drain_overflows(const struct ps_drain *d)
{
	return d->overflows;
}

uint32_t ps_drain_size(const struct ps_drain *d, uint32_t cluster)
{
	return cluster < d->nclusters ? d->clusters[cluster].size : 0;
}

uint32_t ps_drain_template_len(const struct ps_drain *d, uint32_t cluster)
{
	return cluster < d->nclusters ? d->clusters[cluster].len : 0;
}

void ps_drain_template(const struct ps_drain *d, uint32_t cluster, struct ps_buf *out)
{
	const struct cluster *c;
	uint32_t k;

	if (cluster >= d->nclusters)
		return;
	c = &d->clusters[cluster];
	for (k = 0; k < c->len; k++) {
		uint32_t t = d->tpl[c->tok + k];

		if (k)
			ps_buf_putc(out, ' ');
		if (t == UNKNOWN)
			ps_buf_puts(out, "<?>");
		else
			ps_buf_put(out, d->text + d->vocab[t].off, d->vocab[t].len);
	}
}
