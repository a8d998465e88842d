#include "core/mask.h"

#include <string.h>

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(int c) { return is_digit(c) || is_alpha(c); }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_symch(int c) { return is_alnum(c) || c == '_' || c == '.' || c == '$'; }

struct out {
	char *p;
	size_t cap, len;
};

static void emit(struct out *o, const char *s, size_t n)
{
	size_t room = o->cap ? o->cap - 1 - o->len : 0;

	if (n > room)
		n = room;
	memcpy(o->p + o->len, s, n);
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

/* Is the alphanumeric segment t[0..n) a numeric value? */
static int numeric_segment(const char *t, size_t n)
{
	size_t i, digits = 0;

	if (n >= 3 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
		for (i = 2; i < n && is_hex(t[i]); i++)
			;
		return i == n;
	}
	for (i = 0; i < n; i++) {
		if (!is_hex(t[i]))
			return 0;
		digits += is_digit(t[i]);
	}
	if (digits == n)
		return 1;
	/* hex words: long enough to be an address or a hash */
	return n >= 8 || (digits && n >= 6);
}

/* Masks one whitespace-free token. */
static void mask_token(struct out *o, const char *t, size_t n)
{
	const char *sym;
	size_t symlen, i, seg, start = o->len;
	int kept_text = 0;

	symlen = symbol_offset(t, n, &sym);
	if (symlen) {
		emit(o, sym, symlen);
		return;
	}
	for (i = 0; i < n;) {
		if (!is_alnum((unsigned char)t[i])) {
			emit(o, t + i, 1);
			i++;
			continue;
		}
		seg = i;
		while (i < n && is_alnum((unsigned char)t[i]))
			i++;
		if (numeric_segment(t + seg, i - seg)) {
			emit(o, PS_WILDCARD, 3);
			continue;
		}
		kept_text = 1;
		if (is_digit((unsigned char)t[seg])) {
			/* number with a unit: "22s", "512kB", "4K" */
			size_t d = seg;
			while (d < i && is_digit((unsigned char)t[d]))
				d++;
			if (i - d <= 3) {
				emit(o, PS_WILDCARD, 3);
				emit(o, t + d, i - d);
				continue;
			}
			emit(o, t + seg, i - seg);
			continue;
		}
		/* trailing instance number: "sda1", "eth0", "executor2",
		 * but not "ext4_..." where the digits are part of a name */
		{
			size_t d = i;
			while (d > seg && is_digit((unsigned char)t[d - 1]))
				d--;
			if (d < i && (i == n || t[i] != '_')) {
				emit(o, t + seg, d - seg);
				emit(o, PS_WILDCARD, 3);
			} else {
				emit(o, t + seg, i - seg);
			}
		}
	}
	/* Only wildcards and punctuation left: the token is one parameter. */
	if (!kept_text && o->len - start > 3) {
		for (i = start; i < o->len; i++)
			if (is_alnum((unsigned char)o->p[i]) || o->p[i] == '_')
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
}

size_t ps_mask_kernel(const char *s, size_t n, char *out, size_t cap)
{
	struct out o = { out, cap, 0 };
	size_t i = 0;

	while (i < n) {
		size_t start;

		while (i < n && ps_is_space((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && !ps_is_space((unsigned char)s[i]))
			i++;
		if (o.len)
			emit(&o, " ", 1);
		mask_token(&o, s + start, i - start);
	}
	if (cap)
		out[o.len] = '\0';
	return o.len;
}

size_t ps_frame_symbol(const char *s, size_t n, const char **sym)
{
	size_t i = 0, start, len;

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
	/* first token holds the symbol+offset */
	start = i;
	while (i < n && !ps_is_space((unsigned char)s[i]))
		i++;
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
