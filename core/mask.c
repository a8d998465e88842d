#include "core/mask.h"

#include <string.h>

#define S PS_CH_SPACE
#define D (PS_CH_DIGIT | PS_CH_HEX | PS_CH_SYM)
#define X (PS_CH_ALPHA | PS_CH_HEX | PS_CH_SYM)   /* a-f A-F */
#define L (PS_CH_ALPHA | PS_CH_SYM)               /* the other letters */
#define U PS_CH_SYM                               /* '$' '.' '_' */
#define P PS_CH_PLUS
const uint8_t ps_ctype[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, S, S, S, S, S, 0, 0,   /* 0x00  \t \n \v \f \r */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, S, S, S, S,   /* 0x10  0x1c..0x1f */
	S, 0, 0, 0, U, 0, 0, 0, 0, 0, 0, P, 0, 0, U, 0,   /* 0x20  ' ' $ + . */
	D, D, D, D, D, D, D, D, D, D, 0, 0, 0, 0, 0, 0,   /* 0x30  0-9 */
	0, X, X, X, X, X, X, L, L, L, L, L, L, L, L, L,   /* 0x40  A-O */
	L, L, L, L, L, L, L, L, L, L, L, 0, 0, 0, 0, U,   /* 0x50  P-Z _ */
	0, X, X, X, X, X, X, L, L, L, L, L, L, L, L, L,   /* 0x60  a-o */
	L, L, L, L, L, L, L, L, L, L, L, 0, 0, 0, 0, 0,   /* 0x70  p-z */
	/* 0x80..0xff: no class */
};
#undef S
#undef D
#undef X
#undef L
#undef U
#undef P

static int is_class(int c, unsigned cls) { return ps_ctype[(unsigned char)c] & cls; }
static int is_digit(int c) { return is_class(c, PS_CH_DIGIT); }
static int is_alnum(int c) { return is_class(c, PS_CH_ALNUM); }
static int is_hex(int c) { return is_class(c, PS_CH_HEX); }
static int is_symch(int c) { return is_class(c, PS_CH_SYM); }

struct out {
	char *p;
	size_t room_end;   /* the capacity less the NUL's byte (0 for none) */
	size_t len;
};

/* memcpy for the short runs of a token, without a call: words that
 * overlap where n is not a multiple of their size (d and s are apart). */
static inline void copy_short(char *d, const char *s, size_t n)
{
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			memcpy(d + i, s + i, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		uint32_t a = ps_load32(s), b = ps_load32(s + n - 4);

		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n) {
		d[0] = s[0];
		d[n >> 1] = s[n >> 1];
		d[n - 1] = s[n - 1];
	}
}

/* Appends s[0..n), cut at the capacity (one byte stays for the NUL). */
static inline void emit(struct out *o, const char *s, size_t n)
{
	size_t room = o->room_end - o->len;

	if (n > room)
		n = room;
	copy_short(o->p + o->len, s, n);
	o->len += n;
}

/* Finds "sym+0xOFF" (optionally "/0xSIZE") in t[0..n); on success
 * stores the symbol (without compiler suffixes such as ".constprop.0")
 * and returns its length. */
static size_t symbol_offset(const char *t, size_t n, const char **sym)
{
	size_t i, start, end, j;

	for (i = 1; i + 3 < n; i++) {
		if (t[i] != '+' || t[i + 1] != '0' || t[i + 2] != 'x')
			continue;
		j = i + 3;
		if (!is_hex(t[j]))
			continue;
		while (j < n && is_hex(t[j]))
			j++;
		if (j < n && t[j] == '/') {
			if (j + 3 > n || t[j + 1] != '0' || t[j + 2] != 'x')
				continue;
		}
		start = i;
		while (start > 0 && is_symch(t[start - 1]))
			start--;
		if (start == i)
			continue;
		/* cut compiler clone suffixes: foo.isra.0, foo.cold, foo.part.3 */
		for (end = start; end < i && t[end] != '.'; end++)
			;
		if (end == start)
			return 0;
		*sym = t + start;
		return end - start;
	}
	return 0;
}

/* Is the alphanumeric segment t[0..n) a numeric value?  `all` and
 * `any` are the intersection and the union of its bytes' classes.
 * "0x1f" (hex digits after the "0x"), a decimal number, or a hex word
 * long enough to be an address or a hash. */
static int numeric_segment(const char *t, size_t n, unsigned all, unsigned any)
{
	size_t i;

	if (n >= 3 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
		for (i = 2; i < n && is_hex(t[i]); i++)
			;
		return i == n;
	}
	if (!(all & PS_CH_HEX))
		return 0;
	return (all & PS_CH_DIGIT) || n >= 8 || ((any & PS_CH_DIGIT) && n >= 6);
}

/* The segments of the token at t[0..), which ends at the first
 * whitespace byte or at t + lim; returns the token's length.  Bytes
 * that stay as they are go out in runs: t[done..) is what is not
 * written yet.  Emitting a run at once or byte by byte gives the same
 * output, cut at the same place when the capacity ends.
 *
 * With `plus_stops` the scan gives up at a '+', which may be part of a
 * symbol+offset, and returns 0 (a token is never empty). */
static size_t mask_segments(struct out *o, const char *t, size_t lim, int plus_stops)
{
	const unsigned stop = PS_CH_ALNUM | PS_CH_SPACE | (plus_stops ? PS_CH_PLUS : 0);
	size_t i = 0, seg, start = o->len, done = 0, n;
	int kept_text = 0;
	unsigned c = 0;

	for (;;) {
		unsigned all, any;

		/* punctuation: stays */
		while (i < lim && !((c = ps_ctype[(unsigned char)t[i]]) & stop))
			i++;
		if (i == lim || (c & PS_CH_SPACE))
			break;
		if (c & PS_CH_PLUS & stop)
			return 0;
		seg = i;
		all = any = c;
		while (++i < lim && ((c = ps_ctype[(unsigned char)t[i]]) & PS_CH_ALNUM)) {
			all &= c;
			any |= c;
		}
		if (numeric_segment(t + seg, i - seg, all, any)) {
			emit(o, t + done, seg - done);
			emit(o, PS_WILDCARD, 3);
			done = i;
			continue;
		}
		kept_text = 1;
		if (is_digit(t[seg])) {
			/* number with a unit: "22s", "512kB", "4K" */
			size_t d = seg;
			while (d < i && is_digit(t[d]))
				d++;
			if (i - d <= 3) {
				emit(o, t + done, seg - done);
				emit(o, PS_WILDCARD, 3);
				done = d;
			}
			continue;
		}
		/* trailing instance number: "sda1", "eth0", "executor2",
		 * but not "ext4_..." where the digits are part of a name
		 * (the token ends at i when t[i] is whitespace, never '_') */
		{
			size_t d = i;
			while (d > seg && is_digit(t[d - 1]))
				d--;
			if (d < i && (i == lim || t[i] != '_')) {
				emit(o, t + done, d - done);
				emit(o, PS_WILDCARD, 3);
				done = i;
			}
		}
	}
	n = i;
	emit(o, t + done, n - done);
	/* Only wildcards and punctuation left: the token is one parameter. */
	if (!kept_text && o->len - start > 3) {
		for (i = start; i < o->len; i++)
			if (is_alnum(o->p[i]) || o->p[i] == '_')
				break;
		if (i == o->len) {
			int has_wild = 0;
			for (i = start; i + 3 <= o->len; i++)
				if (memcmp(o->p + i, PS_WILDCARD, 3) == 0)
					has_wild = 1;
			if (has_wild) {
				o->len = start;
				emit(o, PS_WILDCARD, 3);
			}
		}
	}
	return n;
}

/* Masks the whitespace-free token at t[0..), which ends at the first
 * whitespace byte or at t + lim; returns its length.  A token without
 * a '+' takes one pass; one with a '+' starts again from its first
 * byte: what the first pass wrote is dropped (o->len goes back), so
 * the output is the same as if that pass had not run. */
static size_t mask_token(struct out *o, const char *t, size_t lim)
{
	const char *sym;
	size_t start = o->len, n, symlen;

	n = mask_segments(o, t, lim, 1);
	if (n)
		return n;
	o->len = start;
	for (n = 0; n < lim && !ps_is_space((unsigned char)t[n]); n++)
		;
	symlen = symbol_offset(t, n, &sym);
	if (symlen) {
		emit(o, sym, symlen);
		return n;
	}
	return mask_segments(o, t, n, 0);
}

/* The bytes of w in lo..hi as 0x80 (exactly: no carry crosses a byte;
 * bytes with the high bit set are none). */
static uint64_t in_range(uint64_t w, unsigned char lo, unsigned char hi)
{
	uint64_t x = w & PS_ONES * 0x7f;

	return (x + PS_ONES * (0x80 - lo)) & ~(x + PS_ONES * (0x80 - hi - 1)) & ~w & PS_HIGHS;
}

/* mask_token for a token t[0..n), n <= 16, that missed the memo,
 * through the shape memo (mask.h); the caller made room for 3n bytes.
 * A token without a digit 1-9 is its own shape: it is masked. */
static void mask_token_shape(struct ps_mask_memo *memo, struct out *o, const char *t, size_t n)
{
	uint64_t tok[2] = { 0, 0 }, d0, d1, k0, k1, h;
	struct ps_mask_shape_slot *e;
	size_t start = o->len, i;

	copy_short((char *)tok, t, n);
	d0 = in_range(tok[0], '1', '9') >> 7;
	d1 = in_range(tok[1], '1', '9') >> 7;
	if (!(d0 | d1)) {
		mask_token(o, t, n);
		return;
	}
	k0 = (tok[0] & ~(d0 * 0xff)) | d0 * '1';
	k1 = (tok[1] & ~(d1 * 0xff)) | d1 * '1';
	h = ((k0 ^ n) * 0x9e3779b97f4a7c15ull ^ k1) * 0xbf58476d1ce4e5b9ull;
	e = &memo->shape[(h >> 32) % PS_MASK_SHAPE_SLOTS];
	if (e->len == n && e->key[0] == k0 && e->key[1] == k1 &&
	    (!e->kept || (e->token[0] == tok[0] && e->token[1] == tok[1]))) {
		copy_short(o->p + o->len, e->out, e->out_len);
		o->len += e->out_len;
		return;
	}
	mask_token(o, t, n);
	e->len = (uint8_t)n;
	e->out_len = (uint8_t)(o->len - start);
	e->kept = 0;
	for (i = start; i < o->len; i++)
		if (o->p[i] >= '1' && o->p[i] <= '9')
			e->kept = 1;
	e->key[0] = k0;
	e->key[1] = k1;
	e->token[0] = tok[0];
	e->token[1] = tok[1];
	copy_short(e->out, o->p + start, o->len - start);
}

/* A token's masked form from the memo, or masked and remembered.  Only
 * with room for 3 bytes per token byte, the most a token can become:
 * then nothing is cut, and the output is the token's masked form
 * whatever was written before it. */
static size_t mask_token_memo(struct ps_mask_memo *memo, struct out *o, const char *t, size_t lim)
{
	size_t n = ps_token_end(t, 0, lim), start = o->len;
	size_t room = o->room_end - o->len;

	if (room < 3 * n)
		return mask_token(o, t, lim);
	if (n <= PS_MASK_MEMO_TOKEN) {
		struct ps_mask_memo_slot *e = &memo->slot[ps_hash_fast(t, n, 0) % PS_MASK_MEMO_SLOTS];

		if (e->len == n && ps_bytes_eq(e->token, t, n)) {
			copy_short(o->p + o->len, e->out, e->out_len);
			o->len += e->out_len;
			return n;
		}
		mask_token_shape(memo, o, t, n);
		e->len = (uint8_t)n;
		e->out_len = (uint8_t)(o->len - start);
		copy_short(e->token, t, n);
		copy_short(e->out, o->p + start, o->len - start);
		return n;
	}
	return mask_token(o, t, lim);
}

size_t ps_mask_line(struct ps_mask_memo *memo, const char *s, size_t n, char *out, size_t cap)
{
	struct out o = { out, cap ? cap - 1 : 0, 0 };
	size_t i = 0;

	while (i < n) {
		while (i < n && ps_is_space((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		if (o.len && o.room_end > o.len)    /* emit(&o, " ", 1) without the general copy */
			o.p[o.len++] = ' ';
		i += memo ? mask_token_memo(memo, &o, s + i, n - i) : mask_token(&o, s + i, n - i);
	}
	if (cap)
		out[o.len] = '\0';
	return o.len;
}

size_t ps_mask_kernel(const char *s, size_t n, char *out, size_t cap)
{
	return ps_mask_line(NULL, s, n, out, cap);
}

size_t ps_frame_symbol(const char *s, size_t n, const char **sym)
{
	size_t i = 0, start, len;
	unsigned c, cls = 0;

	while (i < n && ps_is_space((unsigned char)s[i]))
		i++;
	if (n - i >= 4 && memcmp(s + i, "RIP:", 4) == 0) {
		i += 4;
	} else if (n - i >= 3 && memcmp(s + i, "IP:", 3) == 0) {
		i += 3;
	} else if (n - i >= 3 && (memcmp(s + i, "PC ", 3) == 0 || memcmp(s + i, "LR ", 3) == 0)) {
		i += 3;
	}
	while (i < n && ps_is_space((unsigned char)s[i]))
		i++;
	while (n - i >= 3 && memcmp(s + i, "[<", 2) == 0) {   /* "[<ffffffff8100>]" */
		while (i < n && s[i] != ']')
			i++;
		if (i < n)
			i++;
		while (i < n && ps_is_space((unsigned char)s[i]))
			i++;
	}
	while (i < n && (ps_is_space((unsigned char)s[i]) || s[i] == '?'))
		i++;
	if (i >= n)
		return 0;
	/* first token holds the symbol+offset, which needs a '+' */
	start = i;
	while (i < n && !((c = ps_ctype[(unsigned char)s[i]]) & PS_CH_SPACE)) {
		cls |= c;
		i++;
	}
	if (!(cls & PS_CH_PLUS))
		return 0;
	len = symbol_offset(s + start, i - start, sym);
	return len;
}

uint64_t ps_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
