/* The catalogue of the kernel's fault messages (model/catalogue.tsv):
 * parsed from text into an index in the caller's arena, then matched
 * against log messages.
 *
 * Text format, one entry a line, ten tab-separated columns (lines that
 * are empty or start with '#' are skipped; the first line must be
 * "# panicsage catalogue v1"):
 *
 *   id        unique, 1..64 bytes of [A-Za-z0-9._-]
 *   label     one of the 14 labels of model/TAXONOMY.md (ps_cat_label_name)
 *   strength  header   the line opens a crash report
 *             evidence the line supports a kind, inside or after one
 *   harmless  yes: a normal message that is not a fault; no otherwise
 *   anchor    start: the pattern matches at the start of the message;
 *             any: anywhere in it
 *   arch      any, x86, arm64, arm, powerpc, s390, mips, riscv, ...
 *             (ps_cat_arch_name)
 *   era       6.1 for wordings of the 6.1 source; a kernel version range
 *             (2.6.18-4.19, 4.x-5.x, 5.0-) for older or newer wordings
 *   addr      -, or N (conversion N, counted from 1, is an address), or
 *             N<LIMIT:LABEL (and the label is LABEL when it is below
 *             LIMIT, decimal or 0x-hex)
 *   source    where the wording comes from: file:line or file:function;
 *             files joined by " + " print it together, alternatives
 *             are separated by ", " (model/catalogue.tsv says more)
 *   pattern   the message as a printf format (below), to the end of line
 *
 * Pattern language (a pattern matches a prefix of the text from its
 * start, or from anywhere for anchor `any`; the rest may follow):
 *   literal bytes                        themselves
 *   %d %i %u (with l, ll, h, hh, z, t, j) optional blanks, sign, digits
 *   %x %X (same modifiers) %p %px %pK    optional blanks, optional 0x,
 *                                        hex digits; %p* also (null) and
 *                                        (____ptrval____)
 *   %pS %pB %pF %ps %pf                  symbol[+0xoff/0xsize][ [module]]
 *                                        or a 0x-hex address
 *   %s                                   any text up to what follows
 *                                        (shortest that lets the rest match)
 *   %c                                   one byte
 *   %%                                   a '%'
 *   flags "-+ #0", a width and a precision may stand after the '%'.
 * The index finds an entry by a literal run of PS_CAT_MAX_KEY (8) bytes
 * anywhere in the message; a pattern without one must be anchored at
 * start and begin with at least PS_CAT_MIN_KEY (4) literal bytes. */
#ifndef PS_CATALOGUE_H
#define PS_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define PS_CAT_NLABELS   14
#define PS_CAT_NO_LABEL  0xffu
#define PS_CAT_MIN_KEY   4u      /* literal bytes an anchored short pattern starts with */
#define PS_CAT_MAX_KEY   8u      /* longest key the index uses */
#define PS_CAT_MAX_LINE  4096u   /* longer catalogue lines are rejected,
				    longer messages matched on their start */
#define PS_CAT_MAX_ENTRIES 65535u

enum ps_cat_strength { PS_CAT_HEADER = 1, PS_CAT_EVIDENCE = 2 };

struct ps_cat_span {
	const char *p;     /* into the catalogue's own copy of the text */
	uint32_t n;
};

struct ps_cat_entry {
	struct ps_cat_span id, era, source, pattern;
	uint32_t line;          /* line number in the catalogue text */
	uint8_t label;          /* 0..13: TAXONOMY row - 1 (precedence) */
	uint8_t strength;       /* PS_CAT_HEADER / PS_CAT_EVIDENCE */
	uint8_t harmless;       /* 1: not a fault */
	uint8_t anchored;       /* 1: at the start of the message */
	uint8_t arch;           /* index for ps_cat_arch_name */
	uint8_t addr_conv;      /* 0, or the 1-based conversion holding an address */
	uint8_t low_label;      /* label below addr_limit, or PS_CAT_NO_LABEL */
	uint8_t panic;          /* 1: the pattern starts with panic()'s
				   "Kernel panic - not syncing" */
	uint64_t addr_limit;
	uint32_t op_first, op_count;   /* the compiled pattern */
	uint32_t literal_bytes;        /* how specific the pattern is */
	uint32_t key;                  /* offset of the index key in the text */
	uint32_t key_lead;             /* bytes from the pattern's start to its key
					  when the key is in a leading literal (a
					  match starts that far before the key);
					  UINT32_MAX otherwise */
};

struct ps_cat_op {
	uint8_t kind;       /* literal or a conversion class (catalogue.c) */
	uint8_t conv;       /* 1-based conversion number, 0 for literals */
	uint16_t len;       /* literal length */
	uint32_t off;       /* literal offset in the text */
};

struct ps_catalogue {
	const char *text;          /* arena copy of the catalogue text */
	uint32_t text_len;
	struct ps_cat_entry *entry;
	uint32_t n;
	struct ps_cat_op *op;
	uint32_t n_ops;
	/* the index: Wu-Manber over keys of `keylen` bytes */
	uint32_t keylen;
	uint8_t *shift;            /* PS_CAT_SHIFT_SIZE bytes */
	uint32_t *head;            /* bucket -> first entry, UINT32_MAX none */
	uint32_t *phead;           /* the same for entries found by the first
				      PS_CAT_MIN_KEY bytes of the message */
	uint32_t n_prefix;
	uint32_t *next;            /* entry -> next entry of its bucket */
	uint64_t *keyword;         /* entry -> its 8 key bytes */
	uint32_t bucket_mask;
	uint32_t counts[PS_CAT_NLABELS];
};

#define PS_CAT_SHIFT_BITS 16
#define PS_CAT_SHIFT_SIZE (1u << PS_CAT_SHIFT_BITS)

/* Where and why a catalogue text was rejected; msg is a static string. */
struct ps_cat_error {
	uint32_t line;
	const char *msg;
};

/* Parses `n` bytes of catalogue text into *cat, everything (including a
 * copy of the text) allocated from `a`.  Returns PS_OK; PS_EFORMAT with
 * *err filled when the text is malformed; PS_ENOMEM when the arena is
 * too small (err->msg says so too).  `err` may be NULL. */
int ps_catalogue_parse(struct ps_catalogue *cat, const char *text, size_t n,
		       struct ps_arena *a, struct ps_cat_error *err);

/* Parses the built-in catalogue (core/default_catalogue.h: the text of
 * model/catalogue.tsv at build time) the same way.  PS_EMODEL when this
 * build has none. */
int ps_catalogue_builtin(struct ps_catalogue *cat, struct ps_arena *a, struct ps_cat_error *err);

struct ps_cat_match {
	const struct ps_cat_entry *entry;
	uint8_t label;          /* the entry's label, or its low_label when
				   the address is below its limit */
	uint8_t has_addr;
	uint64_t addr;          /* the address conversion's value */
	uint32_t start, end;    /* the matched bytes of the message */
};

/* The most specific entry (most literal bytes; the earlier entry on a
 * tie) that matches the message `s` of `n` bytes (no prefixes; a
 * trailing CR/LF is ignored; only the first PS_CAT_MAX_LINE bytes are
 * looked at).  Returns 1 and fills *m, or 0 when no entry matches. */
int ps_catalogue_match(const struct ps_catalogue *cat, const char *s, size_t n,
		       struct ps_cat_match *m);

/* Whether entry `e` matches `s` (the same rules, without the index). */
int ps_cat_entry_match(const struct ps_catalogue *cat, const struct ps_cat_entry *e,
		       const char *s, size_t n, struct ps_cat_match *m);

/* Label names in model/TAXONOMY.md row order (index = precedence), NULL past
 * the end; the index of a name, or PS_CAT_NO_LABEL. */
const char *ps_cat_label_name(unsigned label);
unsigned ps_cat_label_index(const char *s, size_t n);

/* Architecture names ("any" is 0), NULL past the end. */
const char *ps_cat_arch_name(unsigned arch);

#endif
