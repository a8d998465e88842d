/* Masking of variable fields in kernel log text, and the few lexical
 * helpers that the Drain and feature stages share.
 *
 * The built-in kernel masking rewrites each whitespace-separated token:
 *   - numbers, hex values and addresses          → <*>
 *     ("1234", "0x1f", "ffff8801daf06c10", "[<ffffffff810a376f>]")
 *   - symbol+offset/size                         → symbol
 *     ("__call_rcu.constprop.76+0x1f/0x280" → "__call_rcu",
 *      "0010:do_syscall_64+0x3b/0x90" → "do_syscall_64")
 *   - numeric parts inside a token               → <*> in place
 *     ("CPU#3" → "CPU#<*>", "kworker/0:1" → "kworker/<*>:<*>",
 *      "sda1" → "sda<*>", "pid=42" → "pid=<*>", "22s" → "<*>s")
 *   - names whose digits belong to them stay     ("ext4_fill_super")
 * Tokens are separated by single spaces in the output. */
#ifndef PS_MASK_H
#define PS_MASK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/word.h"

#define PS_WILDCARD "<*>"

/* Character classes for the byte-at-a-time scans of masking, Drain and
 * oops matching: one table lookup instead of a chain of comparisons. */
enum {
	PS_CH_SPACE = 1,     /* whitespace as Python's str.split() sees it (ASCII) */
	PS_CH_DIGIT = 2,     /* 0-9 */
	PS_CH_ALPHA = 4,     /* a-z A-Z */
	PS_CH_HEX   = 8,     /* 0-9 a-f A-F */
	PS_CH_SYM   = 16,    /* alphanumeric, '_', '.', '$': symbol names */
	PS_CH_PLUS  = 32,    /* '+' */
	PS_CH_ALNUM = PS_CH_DIGIT | PS_CH_ALPHA
};
extern const uint8_t ps_ctype[256];

/* Whitespace as Python's str.split() sees it for ASCII text:
 * ' ', '\t'..'\r' and 0x1c..0x1f. */
static inline int ps_is_space(unsigned char c)
{
	return ps_ctype[c] & PS_CH_SPACE;
}

/* Upper bound of the masked length of `n` input bytes. */
static inline size_t ps_mask_bound(size_t n) { return 3 * n + 1; }

/* Masks `n` bytes of s into out (capacity ps_mask_bound(n) suffices);
 * returns the output length.  out is NUL-terminated when cap > 0. */
size_t ps_mask_kernel(const char *s, size_t n, char *out, size_t cap);

/* A memo of masked tokens for masking many lines: the words of a log
 * repeat ("Started", "systemd[1]:", "usb"), and a token's masked form
 * depends on its bytes alone.  Direct-mapped, tokens of at most
 * PS_MASK_MEMO_TOKEN bytes.
 *
 * A token missing there is looked up by its shape: the same words
 * come back with other numbers ("pid=629", "pid=4711"), and a token's
 * masked form depends on its digits 1-9 only through their class
 * (every rule reads a digit as a digit; only '0' is looked at as
 * itself, in "0x" and "+0x").  The shape is the token with each of 1-9
 * read as '1'; a masked form that kept one of those digits serves the
 * same token only.  Direct-mapped, tokens of at most
 * PS_MASK_MEMO_TOKEN bytes with a digit 1-9.  Zeroed memory is an
 * empty memo. */
#define PS_MASK_MEMO_SLOTS 1024
#define PS_MASK_MEMO_TOKEN 16
struct ps_mask_memo_slot {
	uint8_t len, out_len;     /* len 0: empty */
	char token[PS_MASK_MEMO_TOKEN];
	char out[3 * PS_MASK_MEMO_TOKEN];
};
#define PS_MASK_SHAPE_SLOTS 1024
struct ps_mask_shape_slot {
	uint64_t key[2];          /* the shape, zero-padded */
	uint64_t token[2];        /* the token itself, zero-padded */
	uint8_t len, out_len;     /* len 0: empty */
	uint8_t kept;             /* out holds one of the token's 1-9 */
	char out[3 * PS_MASK_MEMO_TOKEN];
};
struct ps_mask_memo {
	struct ps_mask_memo_slot slot[PS_MASK_MEMO_SLOTS];
	struct ps_mask_shape_slot shape[PS_MASK_SHAPE_SLOTS];
};

/* ps_mask_kernel with a memo (NULL: none); the output is the same. */
size_t ps_mask_line(struct ps_mask_memo *memo, const char *s, size_t n, char *out, size_t cap);

/* If the line is a stack frame ("? func+0x1f/0x80 [mod]",
 * "RIP: 0010:func+0x1f/0x80", " func+0x1f/0x80 file.c:12",
 * "[<ffffffff8100>] func+0x1f/0x80"), stores the function name and
 * returns its length; else 0. */
size_t ps_frame_symbol(const char *s, size_t n, const char **sym);

/* 64-bit FNV-1a of a byte string, seeded; used for feature hashing. */
uint64_t ps_hash(const void *p, size_t n, uint64_t seed);

/* Index of the first whitespace byte (ps_is_space) in s[i..n), or n.
 * Every whitespace byte is below 0x21, so a word with no byte below
 * 0x21 (the has-less-than test: exact as to whether one exists) is
 * skipped whole.  On little-endian machines the lowest flagged byte is
 * exactly the first byte below 0x21 (a borrow only runs towards higher
 * bytes), so the scan jumps to it; elsewhere it goes byte by byte. */
static inline size_t ps_token_end(const char *s, size_t i, size_t n)
{
	while (n - i >= 8) {
		uint64_t w = ps_load64(s + i), low = (w - PS_ONES * 0x21) & ~w & PS_HIGHS;

		if (!low) {
			i += 8;
			continue;
		}
#if PS_LOWEST_FLAG_EXACT
		/* one instruction there, no library call */
		i += (size_t)__builtin_ctzll(low) >> 3;
		if (ps_is_space((unsigned char)s[i]))
			return i;
		i++;    /* a control byte that is not whitespace: part of the token */
#else
		break;
#endif
	}
	while (i < n && !ps_is_space((unsigned char)s[i]))
		i++;
	return i;
}

/* A hash of s[0..n) for in-memory tables only: it depends on the byte
 * order and may change between versions, so it must never reach a
 * model, a report or feature buckets (those use ps_hash).  Eight bytes
 * per step instead of FNV's one.  The bytes past the last full word are
 * read as two overlapping words (4..7 bytes) or three single bytes
 * (1..3), never beyond s + n; together with n in the seed they are a
 * function of exactly the string's bytes. */
static inline uint32_t ps_hash_fast(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = (seed ^ n) * k, w;

	for (; n > 8; s += 8, n -= 8)
		h = (h ^ ps_load64(s)) * k;
	if (n == 8)
		w = ps_load64(s);
	else if (n >= 4)
		w = (uint64_t)ps_load32(s) << 32 | ps_load32(s + n - 4);
	else if (n)
		w = (uint64_t)s[0] << 16 | (uint64_t)s[n >> 1] << 8 | s[n - 1];
	else
		w = 0;
	h = (h ^ w) * k;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ h >> 32);
}

/* memcmp(a, b, n) == 0, eight bytes per step (the last step overlaps
 * the one before when n is not a multiple of 8). */
static inline int ps_bytes_eq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8)
			if (ps_load64(x + i) != ps_load64(y + i))
				return 0;
		return ps_load64(x + n - 8) == ps_load64(y + n - 8);
	}
	if (n >= 4)
		return ps_load32(x) == ps_load32(y) && ps_load32(x + n - 4) == ps_load32(y + n - 4);
	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

#endif
