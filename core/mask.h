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

#define PS_WILDCARD "<*>"

/* Whitespace as Python's str.split() sees it for ASCII text. */
static inline int ps_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Upper bound of the masked length of `n` input bytes. */
static inline size_t ps_mask_bound(size_t n) { return 3 * n + 1; }

/* Masks `n` bytes of s into out (capacity ps_mask_bound(n) suffices);
 * returns the output length.  out is NUL-terminated when cap > 0. */
size_t ps_mask_kernel(const char *s, size_t n, char *out, size_t cap);

/* If the line is a stack frame ("? func+0x1f/0x80 [mod]",
 * "RIP: 0010:func+0x1f/0x80", " func+0x1f/0x80 file.c:12",
 * "[<ffffffff8100>] func+0x1f/0x80"), stores the function name and
 * returns its length; else 0. */
size_t ps_frame_symbol(const char *s, size_t n, const char **sym);

/* 64-bit FNV-1a of a byte string, seeded; used for feature hashing. */
uint64_t ps_hash(const void *p, size_t n, uint64_t seed);

#endif
