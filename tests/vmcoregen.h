/* vmcoregen: writes small synthetic ELF vmcores holding a given kernel
 * log, for the vmcore reader's tests.  Host-only test code (malloc,
 * stdio); never linked into panicsage.
 *
 * The generator does not lay out a finished ring by hand: it simulates
 * the kernel writing every record into the ring (lockless
 * printk_ringbuffer of 5.10+, structured log_buf of 3.5-5.9, plain
 * character ring before 3.5), evicting old records the way the kernel
 * does, and remembers which records survived.  From those it also
 * writes the text vmcore-dmesg prints for the core, with its own
 * formatting code, so tests compare the reader against the log the
 * generator was given, not against the reader itself. */
#ifndef VMCOREGEN_H
#define VMCOREGEN_H

#include <stddef.h>
#include <stdint.h>

enum gen_format { GEN_LOCKLESS, GEN_STRUCTURED, GEN_PLAIN };

enum gen_machine { GEN_X86_64, GEN_I386, GEN_PPC64, GEN_PPC, GEN_ARM64 };

enum gen_corrupt {
	GEN_C_NONE,
	/* any format */
	GEN_C_TRUNCATE,        /* file cut in the middle of the log data */
	GEN_C_NO_VMCOREINFO,   /* no VMCOREINFO note at all */
	GEN_C_GARBAGE_NOTE,    /* a note with absurd sizes before VMCOREINFO */
	GEN_C_GARBAGE_AFTER,   /* a note with absurd sizes after VMCOREINFO */
	GEN_C_BAD_SYMBOL,      /* the ring's symbol points outside every PT_LOAD */
	GEN_C_MISSING_KEY,     /* a required OFFSET()/SIZE()/SYMBOL() is absent */
	GEN_C_BAD_PHDRS,       /* program headers point past the end of the file */
	/* lockless */
	GEN_C_LK_IDS,          /* tail_id/head_id farther apart than the ring */
	GEN_C_LK_LPOS,         /* a record's data block lies outside the ring */
	GEN_C_LK_TEXTLEN,      /* a record's text_len exceeds its data block */
	GEN_C_LK_STATE,        /* a descriptor's id does not match its slot */
	GEN_C_LK_BITS,         /* count_bits / size_bits absurd */
	/* structured */
	GEN_C_ST_FIRST,        /* log_first_idx beyond log_buf_len */
	GEN_C_ST_LEN,          /* a record's len runs past the end of the ring */
	GEN_C_ST_LOOP,         /* log_next_idx is not a record boundary: the walk never ends */
	GEN_C_ST_TEXTLEN,      /* a record's text_len exceeds its len */
	GEN_C_ST_BUFLEN,       /* log_buf_len absurd (2 GiB) */
	/* plain */
	GEN_C_PL_BUFLEN,       /* log_buf_len negative */
	GEN_C_COUNT
};

struct gen_rec {
	uint64_t ts_nsec;
	const unsigned char *text;
	size_t len;
	const unsigned char *dict;   /* structured format only; may be NULL */
	size_t dict_len;
};

struct gen_opts {
	int format;            /* enum gen_format */
	int machine;           /* enum gen_machine; fixes byte order and word size */
	int elf32;             /* ELF32 headers (default: ELF64) */
	unsigned ring_bits;    /* text ring / log_buf size = 1 << ring_bits (default 14) */
	unsigned desc_bits;    /* lockless descriptors = 1 << desc_bits (default ring_bits - 5) */
	int kaslr;             /* randomised kernel text, phys_base and direct map */
	int l5;                /* 5-level paging direct map (x86_64) */
	int makedumpfile;      /* makedumpfile -E layout: split PT_LOADs, zero pages left out */
	int no_ktext;          /* no PT_LOAD for the x86_64 kernel text mapping */
	int dynamic_buf;       /* log buffer allocated in the direct map (log_buf_len=) */
	int alt_layout;        /* struct offsets differ from the usual ones */
	int old_names;         /* structured: SIZE(log)/OFFSET(log.x) as in 3.5-3.10 */
	int caller_id;         /* structured: struct printk_log has caller_id */
	int last_committed;    /* lockless: newest record committed, not finalized */
	int inflight;          /* lockless: a reserved record at the head */
	int clear_logged;      /* plain: logged_chars = 0 as after dmesg -c */
	int pn_xnum;           /* e_phnum = PN_XNUM, real count in section 0 */
	int phys_only;         /* p_vaddr = 0 everywhere, as in QEMU's dump-guest-memory */
	unsigned page_size;    /* arm64: 4096 (default), 16384 or 65536 (PAGESIZE) */
	unsigned va_bits;      /* arm64: NUMBER(VA_BITS), default 48 */
	int arm64_old;         /* arm64: the layout before 5.4 (linear map in the upper half) */
	int corrupt;           /* enum gen_corrupt */
	const char *osrelease; /* VMCOREINFO OSRELEASE; NULL: 6.1.0-vmcoregen, "": none */
	uint32_t seed;
};

struct gen_out {
	unsigned char *core;     /* the vmcore file */
	size_t core_len;
	char *expect;            /* vmcore-dmesg's output for it (valid rings) */
	size_t expect_len;
	uint32_t survivors;      /* records still in the ring */
	uint32_t first_survivor; /* index of the oldest surviving record */
};

/* 0 on success, -1 with a message in *err on bad options. */
int gen_vmcore(const struct gen_opts *o, const struct gen_rec *recs, size_t n,
	       struct gen_out *out, const char **err);
void gen_free(struct gen_out *out);

/* Appends vmcore-dmesg's line for one record to buf (realloc'ed). */
void gen_expect_line(char **buf, size_t *len, size_t *cap, uint64_t ts_nsec,
		     const unsigned char *text, size_t n);

const char *gen_corrupt_name(int c);
int gen_corrupt_by_name(const char *s);

#endif
