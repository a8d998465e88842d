/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing past U+10FFFF, no truncated sequences.
 * One validator for the engine (the upload frame's report, JSON output)
 * and the collector (texts people attach to buckets). */
#ifndef PS_UTF8_H
#define PS_UTF8_H

#include <stddef.h>

/* Whether a NUL byte (U+0000, valid UTF-8) is accepted: each caller
 * says which it needs. */
enum ps_utf8_nul {
	PS_UTF8_NUL_OK,       /* NUL is a character like any other */
	PS_UTF8_NUL_REJECT    /* NUL makes the text invalid (stored as C/SQL text) */
};

/* Length (1-4) of the valid UTF-8 sequence that starts s[0..n), or 0
 * when it is invalid or truncated, or n is 0.  NUL is a sequence of 1. */
size_t ps_utf8_seq(const char *s, size_t n);

/* 1 when all of s[0..n) is valid UTF-8 (NUL as nul says), else 0. */
int ps_utf8_valid(const char *s, size_t n, enum ps_utf8_nul nul);

#endif
