#include "core/catalogue.h"

#include <string.h>

#include "core/default_catalogue.h"
#include "core/mask.h"
#include "core/status.h"
#include "core/word.h"

/* op kinds */
enum { OP_LIT = 1, OP_INT, OP_HEX, OP_PTR, OP_SYM, OP_STR, OP_CHR };

static const char *const labels[PS_CAT_NLABELS] = {
	"manual", "hardware", "null-deref", "stack-corruption", "memory-corruption",
	"out-of-memory", "cpu-lockup", "hung-task", "locking", "boot-failure",
	"filesystem", "driver", "bad-access", "kernel-bug",
};

static const char *const arches[] = {
	"any", "x86", "arm64", "arm", "powerpc", "s390", "mips", "riscv",
	"loongarch", "sparc", "parisc", "alpha", "ia64", "m68k", "sh", "xtensa",
	"openrisc", "microblaze", "csky", "arc", "nios2", "hexagon", "um",
};
#define NARCHES (sizeof arches / sizeof arches[0])

const char *ps_cat_label_name(unsigned label)
{
	return label < PS_CAT_NLABELS ? labels[label] : NULL;
}

const char *ps_cat_arch_name(unsigned arch)
{
	return arch < NARCHES ? arches[arch] : NULL;
}

static int span_is(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word[i] != s[i] || !word[i])
			return 0;
	return word[n] == 0;
}

unsigned ps_cat_label_index(const char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < PS_CAT_NLABELS; i++)
		if (span_is(s, n, labels[i]))
			return i;
	return PS_CAT_NO_LABEL;
}

static unsigned arch_index(const char *s, size_t n)
{
	unsigned i;

	for (i = 0; i < NARCHES; i++)
		if (span_is(s, n, arches[i]))
			return i;
	return PS_CAT_NO_LABEL;
}

/* ---- pattern compilation ---- */

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Word-at-a-time scans of the catalogue text (parsed on every run of
 * the capture kernel, so its 170 KiB are read eight bytes a step).
 * zero_bytes sets the high bit of exactly the bytes of w that are 0
 * (no borrow between bytes, unlike the shorter has-zero test). */
#define LOW7  0x7f7f7f7f7f7f7f7full
static uint64_t zero_bytes(uint64_t w)
{
	return ~(((w & LOW7) + LOW7) | w | LOW7);
}

/* Index of the first byte c in p[i..n), or n. */
static uint32_t find_byte(const char *p, uint32_t i, uint32_t n, unsigned char c)
{
	while (n - i >= 8) {
		if (zero_bytes(ps_load64(p + i) ^ PS_ONES * c))
			break;
		i += 8;
	}
	while (i < n && (unsigned char)p[i] != c)
		i++;
	return i;
}

/* How many bytes of the word are c (the flagged high bits, summed into
 * the top byte by the multiplication). */
static uint32_t count_in_word(uint64_t w, unsigned char c)
{
	return (uint32_t)((zero_bytes(w ^ PS_ONES * c) >> 7) * PS_ONES >> 56);
}

struct compiled {
	uint32_t n_ops;
	uint32_t n_conv;
	uint32_t literal_bytes;
	uint32_t longest;         /* longest literal op */
	uint32_t first_lit;       /* length of the literal that starts the pattern */
	uint8_t conv_kind[256];   /* kind of conversion k (1-based), for addr */
};

/* Compiles the pattern at text[off..off+n) into ops (when `ops` is not
 * NULL); fills *c.  Returns NULL or an error message. */
static const char *compile(const char *text, uint32_t off, uint32_t n,
			   struct ps_cat_op *ops, struct compiled *c)
{
	const char *p = text + off;
	uint32_t i = 0, lit = 0, lit_len = 0;

	memset(c, 0, sizeof *c);
#define EMIT(k, cv, o, l) do { \
		if (ops) { \
			ops[c->n_ops].kind = (uint8_t)(k); \
			ops[c->n_ops].conv = (uint8_t)(cv); \
			ops[c->n_ops].off = (o); \
			ops[c->n_ops].len = (uint16_t)(l); \
		} \
		c->n_ops++; \
	} while (0)
#define FLUSH() do { \
		if (lit_len) { \
			if (c->n_ops == 0) \
				c->first_lit = lit_len; \
			EMIT(OP_LIT, 0, off + lit, lit_len); \
			c->literal_bytes += lit_len; \
			if (lit_len > c->longest) \
				c->longest = lit_len; \
			lit_len = 0; \
		} \
	} while (0)

	while (i < n) {
		unsigned kind;

		if (p[i] != '%') {
			uint32_t j = find_byte(p, i, n, '%');

			if (!lit_len)
				lit = i;
			lit_len += j - i;
			i = j;
			continue;
		}
		if (i + 1 < n && p[i + 1] == '%') {
			FLUSH();
			lit = i + 1;
			lit_len = 1;
			FLUSH();
			i += 2;
			continue;
		}
		FLUSH();
		i++;
		while (i < n && (p[i] == '-' || p[i] == '+' || p[i] == ' ' || p[i] == '#' || p[i] == '0'))
			i++;
		while (i < n && is_digit(p[i]))
			i++;
		if (i < n && p[i] == '.') {
			i++;
			while (i < n && is_digit(p[i]))
				i++;
		}
		if (i + 1 < n && ((p[i] == 'h' && p[i + 1] == 'h') || (p[i] == 'l' && p[i + 1] == 'l')))
			i += 2;
		else if (i < n && (p[i] == 'h' || p[i] == 'l' || p[i] == 'z' || p[i] == 't' || p[i] == 'j'))
			i++;
		if (i >= n)
			return "pattern ends inside a % conversion";
		switch (p[i]) {
		case 'd': case 'i': case 'u':
			kind = OP_INT;
			break;
		case 'x': case 'X':
			kind = OP_HEX;
			break;
		case 's':
			kind = OP_STR;
			break;
		case 'c':
			kind = OP_CHR;
			break;
		case 'p':
			kind = OP_PTR;
			if (i + 1 < n && (p[i + 1] == 'x' || p[i + 1] == 'K')) {
				i++;
			} else if (i + 1 < n && (p[i + 1] == 'S' || p[i + 1] == 'B' || p[i + 1] == 'F' ||
						  p[i + 1] == 's' || p[i + 1] == 'f')) {
				kind = OP_SYM;
				i++;
			} else if (i + 1 < n && ((p[i + 1] >= 'a' && p[i + 1] <= 'z') ||
						 (p[i + 1] >= 'A' && p[i + 1] <= 'Z'))) {
				return "unknown %p extension (only %p %px %pK %pS %pB %pF %ps %pf)";
			}
			break;
		default:
			return "unknown % conversion (only d i u x X s c p and %%)";
		}
		i++;
		if (c->n_conv >= 255)
			return "more than 255 conversions in a pattern";
		c->n_conv++;
		c->conv_kind[c->n_conv] = (uint8_t)kind;
		EMIT(kind, c->n_conv, 0, 0);
	}
	FLUSH();
#undef EMIT
#undef FLUSH
	if (c->longest < PS_CAT_MIN_KEY)
		return "pattern has no literal run of 4 bytes to index it by";
	return NULL;
}

/* ---- matching one op ---- */

static const struct { const char *s; size_t n; } ptr_words[] = {
	{ "(null)", 6 }, { "(____ptrval____)", 16 }, { "(ptrval)", 8 }, { "(efault)", 8 },
};

/* Length of hex digits (after an optional 0x) at s, value in *v; -1 when none. */
static long match_hex(const char *s, size_t n, uint64_t *v)
{
	size_t i = 0, d;
	uint64_t x = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i + 2 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && hex_value(s[i + 2]) >= 0)
		i += 2;
	d = i;
	while (i < n && hex_value(s[i]) >= 0) {
		x = x > (UINT64_MAX >> 4) ? UINT64_MAX : x << 4 | (uint64_t)hex_value(s[i]);
		i++;
	}
	if (i == d)
		return -1;
	*v = x;
	return (long)i;
}

static long match_int(const char *s, size_t n, uint64_t *v)
{
	size_t i = 0, d;
	uint64_t x = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	d = i;
	while (i < n && is_digit(s[i])) {
		uint64_t y = x * 10 + (uint64_t)(s[i] - '0');

		x = (x > UINT64_MAX / 10 || y < x * 10) ? UINT64_MAX : y;
		i++;
	}
	if (i == d)
		return -1;
	*v = x;
	return (long)i;
}

static int ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       c == '_' || c == '.' || c == '$';
}

/* symbol[+0xoff/0xsize][ [module]] or 0x-hex */
static long match_sym(const char *s, size_t n, uint64_t *v)
{
	size_t i = 0, j;

	*v = 0;
	if (n > 2 && s[0] == '0' && s[1] == 'x')
		return match_hex(s, n, v);
	while (i < n && ident_char(s[i]))
		i++;
	if (i == 0)
		return -1;
	if (i + 3 < n && s[i] == '+' && s[i + 1] == '0' && s[i + 2] == 'x' && hex_value(s[i + 3]) >= 0) {
		j = i + 3;
		while (j < n && hex_value(s[j]) >= 0)
			j++;
		i = j;
		if (j + 3 < n && s[j] == '/' && s[j + 1] == '0' && s[j + 2] == 'x' && hex_value(s[j + 3]) >= 0) {
			j += 3;
			while (j < n && hex_value(s[j]) >= 0)
				j++;
			i = j;
		}
	}
	if (i + 2 < n && s[i] == ' ' && s[i + 1] == '[') {
		j = i + 2;
		while (j < n && j < i + 66 && s[j] != ']' && s[j] != ' ')
			j++;
		if (j < n && s[j] == ']' && j > i + 2)
			i = j + 1;
	}
	return (long)i;
}

/* Bytes op k consumes at s (not for OP_STR), or -1. */
static long match_op(const char *text, const struct ps_cat_op *op, const char *s, size_t n,
		     uint64_t *v)
{
	size_t k;

	switch (op->kind) {
	case OP_LIT:
		/* inline: musl's memcmp goes a byte at a time */
		if (op->len > n || !ps_bytes_eq(s, text + op->off, op->len))
			return -1;
		return op->len;
	case OP_INT:
		return match_int(s, n, v);
	case OP_HEX:
		return match_hex(s, n, v);
	case OP_PTR:
		for (k = 0; k < sizeof ptr_words / sizeof ptr_words[0]; k++) {
			size_t l = ptr_words[k].n;

			if (l <= n && memcmp(s, ptr_words[k].s, l) == 0) {
				*v = 0;
				return (long)l;
			}
		}
		return match_hex(s, n, v);
	case OP_SYM:
		return match_sym(s, n, v);
	case OP_CHR:
		return n ? 1 : -1;
	}
	return -1;
}

/* The glob algorithm with one backtracking point (the last %s, or a
 * virtual %s before the first op when `search`): every op but %s is
 * deterministic, so a match costs O(len * ops) at worst.  Starts at
 * s[from]; n is already capped and trimmed. */
static int match_from(const struct ps_catalogue *cat, const struct ps_cat_entry *e,
		      const char *s, size_t n, size_t from, int search, struct ps_cat_match *m)
{
	const struct ps_cat_op *ops = cat->op + e->op_first;
	uint32_t k = 0, star_k = UINT32_MAX, start = (uint32_t)from;
	size_t i = from, star_i = from;
	int have_addr = 0, star = search;
	uint64_t addr = 0;

	while (k < e->op_count) {
		const struct ps_cat_op *op = &ops[k];
		uint64_t v = 0;
		long got;

		if (op->kind == OP_STR) {
			star = 1;
			star_k = k;
			star_i = i;
			k++;
			continue;
		}
		got = match_op(cat->text, op, s + i, n - i, &v);
		if (got >= 0) {
			if (k == 0)
				start = (uint32_t)i;
			if (op->conv && op->conv == e->addr_conv) {
				addr = v;
				have_addr = 1;
			}
			i += (size_t)got;
			k++;
			continue;
		}
		if (!star)
			return 0;
		/* backtrack: the last %s (or the virtual leading one) takes one
		 * more byte, or up to where the literal after it can start */
		star_i++;
		k = star_k == UINT32_MAX ? 0 : star_k + 1;
		if (k < e->op_count && ops[k].kind == OP_LIT) {
			const char *want = cat->text + ops[k].off;

			while (star_i < n && s[star_i] != *want)
				star_i++;
		}
		if (star_i > n)
			return 0;
		i = star_i;
		if (star_k == UINT32_MAX || e->addr_conv > ops[star_k].conv)
			have_addr = 0;
	}
	if (m) {
		m->entry = e;
		m->label = e->label;
		m->has_addr = (uint8_t)have_addr;
		m->addr = have_addr ? addr : 0;
		if (have_addr && e->low_label != PS_CAT_NO_LABEL && addr < e->addr_limit)
			m->label = e->low_label;
		m->start = start;
		m->end = (uint32_t)i;
	}
	return 1;
}

/* The length the matcher looks at: at most PS_CAT_MAX_LINE bytes, no
 * trailing CR/LF. */
static size_t trimmed(const char *s, size_t n)
{
	if (n > PS_CAT_MAX_LINE)
		n = PS_CAT_MAX_LINE;
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

int ps_cat_entry_match(const struct ps_catalogue *cat, const struct ps_cat_entry *e,
		       const char *s, size_t n, struct ps_cat_match *m)
{
	return match_from(cat, e, s, trimmed(s, n), 0, !e->anchored, m);
}

/* ---- index ---- */

/* Wu-Manber block: the 4 bytes ending at p[3]. */
#define BLOCK 4u
static uint32_t hash_block(const char *p)
{
	uint32_t t;

	memcpy(&t, p, sizeof t);
	return (t * 0x9e3779b1u) >> (32 - PS_CAT_SHIFT_BITS);
}

static uint32_t hash_word(uint64_t x)
{
	x *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(x >> 32);
}

static uint32_t hash_key(const char *p, uint32_t m)
{
	uint64_t x = 0;

	memcpy(&x, p, m);
	return hash_word(x);
}

/* Tries entry e on the message, from `from` (search: anywhere from
 * there), unless a better one or e itself already matched; updates *best. */
static void try_entry(const struct ps_catalogue *cat, uint32_t e, const char *s, size_t n,
		      size_t from, int search, struct ps_cat_match *best, int *found)
{
	const struct ps_cat_entry *en = &cat->entry[e];
	struct ps_cat_match cur;

	if (*found && (en->literal_bytes < best->entry->literal_bytes ||
		       (en->literal_bytes == best->entry->literal_bytes && en >= best->entry)))
		return;
	if (match_from(cat, en, s, n, from, search, &cur)) {
		*best = cur;
		*found = 1;
	}
}

int ps_catalogue_match(const struct ps_catalogue *cat, const char *s, size_t n,
		       struct ps_cat_match *out)
{
	const uint32_t m = cat->keylen;
	struct ps_cat_match best;
	uint32_t tried[16], e;
	uint64_t word;
	unsigned ntried = 0;
	size_t i;
	int found = 0;

	n = trimmed(s, n);
	if (!cat->n || n < PS_CAT_MIN_KEY)
		return 0;
	memset(&best, 0, sizeof best);
	/* entries known by the start of the message */
	if (cat->n_prefix)
		for (e = cat->phead[hash_key(s, PS_CAT_MIN_KEY) & cat->bucket_mask]; e != UINT32_MAX;
		     e = cat->next[e])
			if (memcmp(cat->text + cat->entry[e].key, s, PS_CAT_MIN_KEY) == 0)
				try_entry(cat, e, s, n, 0, 0, &best, &found);
	/* the others by a key anywhere in it (Wu-Manber) */
	for (i = m - 1; i < n;) {
		uint32_t sh = cat->shift[hash_block(s + i + 1 - BLOCK)];
		size_t at;

		if (sh) {
			i += sh;
			continue;
		}
		at = i + 1 - m;
		memcpy(&word, s + at, sizeof word);
		for (e = cat->head[hash_word(word) & cat->bucket_mask]; e != UINT32_MAX; e = cat->next[e]) {
			const struct ps_cat_entry *en = &cat->entry[e];
			unsigned t;

			if (cat->keyword[e] != word)
				continue;
			/* a key in the leading literal fixes where a match
			 * starts: try there, at each occurrence */
			if (en->key_lead != UINT32_MAX) {
				if (at >= en->key_lead && (!en->anchored || at == en->key_lead))
					try_entry(cat, e, s, n, at - en->key_lead, 0, &best, &found);
				continue;
			}
			/* otherwise a search over the whole message, once */
			for (t = 0; t < ntried && tried[t] != e; t++)
				;
			if (t < ntried)
				continue;
			if (ntried < 16)
				tried[ntried++] = e;
			try_entry(cat, e, s, n, 0, !en->anchored, &best, &found);
		}
		i++;
	}
	if (found && out)
		*out = best;
	return found;
}

/* ---- parsing ---- */

#define FAIL(l, text) do { err->line = (l); err->msg = (text); return PS_EFORMAT; } while (0)

struct field { const char *p; uint32_t n; };

static int valid_id(const char *p, uint32_t n)
{
	uint32_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!ident_char(p[i]) && p[i] != '-' && p[i] != '$')
			return 0;
	return 1;
}

static int valid_era(const char *p, uint32_t n)
{
	uint32_t i, dashes = 0, digits = 0;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '-')
			dashes++;
		else if (is_digit(p[i]))
			digits++;
		else if (p[i] != '.' && p[i] != 'x')
			return 0;
	}
	return dashes <= 1 && digits > 0;
}

static int parse_u64(const char *p, uint32_t n, uint64_t *v)
{
	uint64_t x = 0;
	uint32_t i = 0;

	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (n > 18)
			return 0;
		for (i = 2; i < n; i++) {
			if (hex_value(p[i]) < 0)
				return 0;
			x = x << 4 | (uint64_t)hex_value(p[i]);
		}
	} else {
		if (n == 0 || n > 19)
			return 0;
		for (i = 0; i < n; i++) {
			if (!is_digit(p[i]))
				return 0;
			x = x * 10 + (uint64_t)(p[i] - '0');
		}
	}
	*v = x;
	return 1;
}

/* addr column: - | N | N<LIMIT:LABEL */
static const char *parse_addr(const char *p, uint32_t n, const struct compiled *c,
			      struct ps_cat_entry *e)
{
	uint32_t i = 0, conv = 0, j;
	uint64_t lim;

	e->addr_conv = 0;
	e->low_label = PS_CAT_NO_LABEL;
	e->addr_limit = 0;
	if (n == 1 && p[0] == '-')
		return NULL;
	while (i < n && is_digit(p[i]) && conv < 1000)
		conv = conv * 10 + (uint32_t)(p[i++] - '0');
	if (i == 0 || conv == 0 || conv > c->n_conv)
		return "addr: not -, N or N<LIMIT:LABEL with N a conversion of the pattern";
	if (c->conv_kind[conv] != OP_HEX && c->conv_kind[conv] != OP_PTR &&
	    c->conv_kind[conv] != OP_INT && c->conv_kind[conv] != OP_SYM)
		return "addr: the conversion is not a number (%d %x %p %pS ...)";
	e->addr_conv = (uint8_t)conv;
	if (i == n)
		return NULL;
	if (p[i] != '<')
		return "addr: expected '<' after the conversion number";
	for (j = ++i; j < n && p[j] != ':'; j++)
		;
	if (j == n || !parse_u64(p + i, j - i, &lim))
		return "addr: expected N<LIMIT:LABEL with LIMIT a decimal or 0x-hex number";
	e->addr_limit = lim;
	e->low_label = (uint8_t)ps_cat_label_index(p + j + 1, n - j - 1);
	if (e->low_label == PS_CAT_NO_LABEL)
		return "addr: the label after ':' is not one of the 14 labels";
	return NULL;
}

/* What panic() prints before its reason: such an entry ends a report. */
static const char panic_prefix[] = "Kernel panic - not syncing";

/* Parses one entry line into *e (ops into `ops` when not NULL). */
static const char *parse_entry(const char *text, uint32_t off, uint32_t len,
			       struct ps_cat_entry *e, struct ps_cat_op *ops, uint32_t op_first)
{
	struct field f[10];
	struct compiled c;
	const char *p = text + off, *msg;
	uint32_t i = 0, k = 0, a;

	while (k < 10) {
		uint32_t s = i;

		i = find_byte(p, i, len, '\t');
		f[k].p = p + s;
		f[k].n = i - s;
		k++;
		if (i == len)
			break;
		i++;
		if (k == 9) {   /* the pattern: the rest of the line */
			f[9].p = p + i;
			f[9].n = len - i;
			k = 10;
		}
	}
	if (k < 10)
		return "expected 10 tab-separated columns: id label strength harmless anchor arch era addr source pattern";
	if (find_byte(f[9].p, 0, f[9].n, '\t') < f[9].n)
		return "a tab inside the pattern (more than 10 columns)";
	memset(e, 0, sizeof *e);
	if (!valid_id(f[0].p, f[0].n))
		return "id: 1 to 64 bytes of letters, digits, '.', '_', '-'";
	e->label = (uint8_t)ps_cat_label_index(f[1].p, f[1].n);
	if (e->label == PS_CAT_NO_LABEL)
		return "label: not one of the 14 labels of TAXONOMY.md";
	if (span_is(f[2].p, f[2].n, "header"))
		e->strength = PS_CAT_HEADER;
	else if (span_is(f[2].p, f[2].n, "evidence"))
		e->strength = PS_CAT_EVIDENCE;
	else
		return "strength: expected header or evidence";
	if (span_is(f[3].p, f[3].n, "yes"))
		e->harmless = 1;
	else if (!span_is(f[3].p, f[3].n, "no"))
		return "harmless: expected yes or no";
	if (span_is(f[4].p, f[4].n, "start"))
		e->anchored = 1;
	else if (!span_is(f[4].p, f[4].n, "any"))
		return "anchor: expected start or any";
	a = arch_index(f[5].p, f[5].n);
	if (a == PS_CAT_NO_LABEL)
		return "arch: unknown architecture";
	e->arch = (uint8_t)a;
	if (!valid_era(f[6].p, f[6].n))
		return "era: expected a kernel version or range (6.1, 2.6.18-4.19, 4.x-5.x, 5.0-)";
	if (f[8].n == 0)
		return "source: empty";
	if (f[9].n == 0)
		return "pattern: empty";
	msg = compile(text, (uint32_t)(f[9].p - text), f[9].n, ops ? ops + op_first : NULL, &c);
	if (msg)
		return msg;
	if (c.longest < PS_CAT_MAX_KEY && (!e->anchored || c.first_lit < PS_CAT_MIN_KEY))
		return "pattern: without a literal run of 8 bytes it must be anchored at start and begin with 4 literal bytes";
	msg = parse_addr(f[7].p, f[7].n, &c, e);
	if (msg)
		return msg;
	e->id.p = f[0].p, e->id.n = f[0].n;
	e->era.p = f[6].p, e->era.n = f[6].n;
	e->source.p = f[8].p, e->source.n = f[8].n;
	e->pattern.p = f[9].p, e->pattern.n = f[9].n;
	e->panic = f[9].n >= sizeof panic_prefix - 1 &&
		   memcmp(f[9].p, panic_prefix, sizeof panic_prefix - 1) == 0;
	e->op_first = op_first;
	e->op_count = c.n_ops;
	e->literal_bytes = c.literal_bytes;
	return NULL;
}

static int is_comment_or_blank(const char *p, uint32_t n)
{
	uint32_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\r'))
		i++;
	return i == n || p[i] == '#';
}

static const char header_line[] = "# panicsage catalogue v1";

/* Walks the lines into cat->entry and cat->op, which have room for
 * every line and 2 ops per '%' plus one per line (a pattern has at most
 * one literal run more than it has conversions, and "%%" is one op). */
static int parse_lines(struct ps_catalogue *cat, struct ps_cat_error *err)
{
	const char *t = cat->text;
	uint32_t pos = 0, line = 0, n_ops = 0, n = 0;

	while (pos < cat->text_len) {
		uint32_t end = find_byte(t, pos, cat->text_len, '\n'), len;
		const char *msg;

		len = end - pos;
		line++;
		if (len && t[pos + len - 1] == '\r')
			len--;
		if (len > PS_CAT_MAX_LINE)
			FAIL(line, "line longer than 4096 bytes");
		if (line == 1) {
			if (len != sizeof header_line - 1 || memcmp(t + pos, header_line, len) != 0)
				FAIL(line, "first line is not \"# panicsage catalogue v1\"");
		} else if (!is_comment_or_blank(t + pos, len)) {
			if (n >= PS_CAT_MAX_ENTRIES)
				FAIL(line, "more than 65535 entries");
			msg = parse_entry(t, pos, len, &cat->entry[n], cat->op, n_ops);
			if (msg)
				FAIL(line, msg);
			cat->entry[n].line = line;
			cat->counts[cat->entry[n].label]++;
			n_ops += cat->entry[n].op_count;
			n++;
		}
		pos = end + 1;
	}
	if (line == 0)
		FAIL(1, "empty catalogue");
	if (n == 0)
		FAIL(line, "no entries");
	cat->n = n;
	cat->n_ops = n_ops;
	return PS_OK;
}

/* Entries sharing one m-gram window are told apart by memcmp; the key
 * of each entry is the window of its literals that the fewest entries
 * share (fewer blanks on a tie), so no bucket collects the many entries
 * that start alike ("Kernel panic - not syncing: ..."). */
static int choose_keys(struct ps_catalogue *cat, struct ps_arena *a)
{
	size_t mark = ps_arena_mark(a);
	uint32_t nb = 1, m = PS_CAT_MAX_KEY, e, k, j;
	uint32_t *count;
	uint64_t *seen;

	while (nb < cat->n_ops * 8u + 16u && nb < (1u << 24))
		nb <<= 1;
	count = PS_ALLOC(a, uint32_t, nb);
	seen = PS_ALLOC(a, uint64_t, nb);   /* last entry + 1 that counted the slot */
	if (!count || !seen)
		return PS_ENOMEM;
	/* pass 1: per slot, how many entries have a window hashing there */
	for (e = 0; e < cat->n; e++) {
		const struct ps_cat_entry *en = &cat->entry[e];

		for (k = 0; k < en->op_count; k++) {
			const struct ps_cat_op *op = &cat->op[en->op_first + k];

			if (op->kind != OP_LIT || op->len < m)
				continue;
			for (j = 0; j + m <= op->len; j++) {
				uint32_t h = hash_key(cat->text + op->off + j, m) & (nb - 1);

				if (seen[h] != e + 1ull) {
					seen[h] = e + 1ull;
					count[h]++;
				}
			}
		}
	}
	/* pass 2: the rarest window of each entry */
	for (e = 0; e < cat->n; e++) {
		struct ps_cat_entry *en = &cat->entry[e];
		uint64_t best = UINT64_MAX;

		for (k = 0; k < en->op_count; k++) {
			const struct ps_cat_op *op = &cat->op[en->op_first + k];

			if (op->kind != OP_LIT || op->len < m)
				continue;
			for (j = 0; j + m <= op->len; j++) {
				const char *w = cat->text + op->off + j;
				uint64_t word, score;
				uint32_t h;

				memcpy(&word, w, sizeof word);   /* m == 8 */
				h = hash_word(word) & (nb - 1);
				score = (uint64_t)count[h] << 8 | count_in_word(word, ' ');
				if (score < best) {
					best = score;
					en->key = op->off + j;
				}
			}
		}
	}
	ps_arena_release(a, mark);
	return PS_OK;
}

static uint32_t longest_literal(const struct ps_catalogue *cat, const struct ps_cat_entry *en)
{
	uint32_t longest = 0, k;

	for (k = 0; k < en->op_count; k++) {
		const struct ps_cat_op *op = &cat->op[en->op_first + k];

		if (op->kind == OP_LIT && op->len > longest)
			longest = op->len;
	}
	return longest;
}

/* Entries with a literal run of PS_CAT_MAX_KEY bytes go into the
 * Wu-Manber index over keys of that length; the others (anchored, by
 * parse_entry's rule) into a table keyed by the message's first
 * PS_CAT_MIN_KEY bytes. */
static int build_index(struct ps_catalogue *cat, struct ps_arena *a)
{
	const uint32_t m = PS_CAT_MAX_KEY;
	uint32_t e, k, nb = 16;
	int st;

	cat->keylen = m;
	while (nb < cat->n * 2u)
		nb <<= 1;
	cat->bucket_mask = nb - 1;
	cat->shift = PS_ALLOC_RAW(a, uint8_t, PS_CAT_SHIFT_SIZE);
	cat->head = PS_ALLOC_RAW(a, uint32_t, nb);
	cat->phead = PS_ALLOC_RAW(a, uint32_t, nb);
	cat->next = PS_ALLOC_RAW(a, uint32_t, cat->n);
	cat->keyword = PS_ALLOC(a, uint64_t, cat->n);
	if (!cat->shift || !cat->head || !cat->phead || !cat->next || !cat->keyword)
		return PS_ENOMEM;
	st = choose_keys(cat, a);
	if (st)
		return st;
	memset(cat->shift, (int)(m - BLOCK + 1), PS_CAT_SHIFT_SIZE);
	memset(cat->head, 0xff, nb * sizeof *cat->head);
	memset(cat->phead, 0xff, nb * sizeof *cat->phead);
	/* insert in reverse so that each chain is in file order */
	for (e = cat->n; e-- > 0;) {
		struct ps_cat_entry *en = &cat->entry[e];
		const char *w;
		uint32_t h;

		if (longest_literal(cat, en) < m) {
			en->key = cat->op[en->op_first].off;
			en->key_lead = 0;
			h = hash_key(cat->text + en->key, PS_CAT_MIN_KEY) & cat->bucket_mask;
			cat->next[e] = cat->phead[h];
			cat->phead[h] = e;
			cat->n_prefix++;
			continue;
		}
		w = cat->text + en->key;
		en->key_lead = UINT32_MAX;
		if (cat->op[en->op_first].kind == OP_LIT && en->key >= cat->op[en->op_first].off &&
		    en->key + m <= cat->op[en->op_first].off + cat->op[en->op_first].len)
			en->key_lead = en->key - cat->op[en->op_first].off;
		memcpy(&cat->keyword[e], w, sizeof cat->keyword[e]);
		h = hash_key(w, m) & cat->bucket_mask;
		cat->next[e] = cat->head[h];
		cat->head[h] = e;
		for (k = BLOCK - 1; k < m; k++) {
			uint32_t sh = hash_block(w + k + 1 - BLOCK);

			if (cat->shift[sh] > m - 1 - k)
				cat->shift[sh] = (uint8_t)(m - 1 - k);
		}
	}
	return PS_OK;
}

/* Duplicate ids: a hash set over the ids, in the arena, released after. */
static int check_ids(const struct ps_catalogue *cat, struct ps_arena *a, struct ps_cat_error *err)
{
	size_t mark = ps_arena_mark(a);
	uint32_t nb = 16, e;
	uint32_t *slot;

	while (nb < cat->n * 2u)
		nb <<= 1;
	slot = PS_ALLOC_RAW(a, uint32_t, nb);
	if (!slot)
		return PS_ENOMEM;
	memset(slot, 0xff, nb * sizeof *slot);
	for (e = 0; e < cat->n; e++) {
		const struct ps_cat_span *id = &cat->entry[e].id;
		uint32_t h = 2166136261u, i;

		for (i = 0; i < id->n; i++)
			h = (h ^ (unsigned char)id->p[i]) * 16777619u;
		for (h &= nb - 1; slot[h] != UINT32_MAX; h = (h + 1) & (nb - 1)) {
			const struct ps_cat_span *o = &cat->entry[slot[h]].id;

			if (o->n == id->n && memcmp(o->p, id->p, id->n) == 0) {
				ps_arena_release(a, mark);
				FAIL(cat->entry[e].line, "id: used by an earlier entry");
			}
		}
		slot[h] = e;
	}
	ps_arena_release(a, mark);
	return PS_OK;
}

int ps_catalogue_parse(struct ps_catalogue *cat, const char *text, size_t n,
		       struct ps_arena *a, struct ps_cat_error *errp)
{
	struct ps_cat_error dummy;
	struct ps_cat_error *err = errp ? errp : &dummy;
	size_t mark = ps_arena_mark(a);
	char *copy;
	int st;

	memset(cat, 0, sizeof *cat);
	err->line = 0;
	err->msg = NULL;
	if (n > UINT32_MAX / 2)
		FAIL(0, "catalogue text larger than 2 GiB");
	copy = PS_ALLOC_RAW(a, char, n ? n : 1);
	if (!copy)
		goto nomem;
	memcpy(copy, text, n);
	cat->text = copy;
	cat->text_len = (uint32_t)n;
	{
		uint32_t lines = 1, pct = 0, i;

		for (i = 0; cat->text_len - i >= 8; i += 8) {
			uint64_t w = ps_load64(copy + i);

			lines += count_in_word(w, '\n');
			pct += count_in_word(w, '%');
		}
		for (; i < cat->text_len; i++) {
			lines += copy[i] == '\n';
			pct += copy[i] == '%';
		}
		cat->entry = PS_ALLOC(a, struct ps_cat_entry, lines);
		cat->op = PS_ALLOC_RAW(a, struct ps_cat_op, 2 * (size_t)pct + lines);
	}
	if (!cat->entry || !cat->op)
		goto nomem;
	st = parse_lines(cat, err);
	if (st)
		goto fail;
	st = check_ids(cat, a, err);
	if (st == PS_ENOMEM)
		goto nomem;
	if (st)
		goto fail;
	if (build_index(cat, a))
		goto nomem;
	return PS_OK;
nomem:
	err->line = 0;
	err->msg = "working memory (arena) too small for the catalogue";
	st = PS_ENOMEM;
fail:
	ps_arena_release(a, mark);
	memset(cat, 0, sizeof *cat);
	return st;
}

int ps_catalogue_builtin(struct ps_catalogue *cat, struct ps_arena *a, struct ps_cat_error *err)
{
	size_t n;
	const char *text = ps_default_catalogue(&n);

	if (!text) {
		memset(cat, 0, sizeof *cat);
		if (err) {
			err->line = 0;
			err->msg = "this build has no built-in catalogue";
		}
		return PS_EMODEL;
	}
	return ps_catalogue_parse(cat, text, n, a, err);
}
