/* Eight bytes at a time: the word loads and byte tests the hot scans
 * of the log reader, the masker and the catalogue parser share. */
#ifndef PS_WORD_H
#define PS_WORD_H

#include <stdint.h>
#include <string.h>

#define PS_ONES  0x0101010101010101ull
#define PS_HIGHS 0x8080808080808080ull

/* Unaligned loads in the machine's byte order (memcpy of a constant
 * size compiles to one load). */
static inline uint64_t ps_load64(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

static inline uint32_t ps_load32(const void *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

/* The high bit of the bytes of w equal to c (the has-zero-byte test on
 * w ^ c): nonzero exactly when one is; bytes above a match may be
 * flagged falsely, the lowest flag never is. */
static inline uint64_t ps_word_eq(uint64_t w, unsigned char c)
{
	w ^= PS_ONES * c;
	return (w - PS_ONES) & ~w & PS_HIGHS;
}

/* On little-endian machines the lowest flag of the tests above is the
 * first match in memory order; where counting trailing zeros is one
 * instruction (__builtin_ctzll), scans jump to it instead of finishing
 * the word byte by byte. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
	(defined(__x86_64__) || defined(__aarch64__))
#define PS_LOWEST_FLAG_EXACT 1
#else
#define PS_LOWEST_FLAG_EXACT 0
#endif

#endif
