/* The vmcore reader: the crashed kernel's log out of an ELF core file
 * (/proc/vmcore in the capture kernel, or a saved dump, including
 * makedumpfile -E output).
 *
 * ELF32 and ELF64, either byte order.  The VMCOREINFO note says where
 * the log is and how its structures are laid out; virtual addresses are
 * translated through the PT_LOAD headers (kernel image and direct map,
 * x86_64 KASLR, phys_base and 5-level paging included).  All three
 * printk formats are read:
 *
 *   lockless printk_ringbuffer   5.10 and later (SYMBOL(prb))
 *   structured log_buf           3.5 - 5.9      (SYMBOL(log_first_idx))
 *   plain character ring         before 3.5     (SYMBOL(log_end))
 *
 * Output is byte-identical to kexec-tools' vmcore-dmesg: one line
 * "[%5lu.%06lu] text\n" per record, bytes that are neither printable
 * nor whitespace as \xNN; the plain ring is copied as it is.  Like
 * vmcore-dmesg, a structured ring that wrapped shows its wrap marker
 * as an empty "[    0.000000] " line.
 *
 * The file is read with pread, record by record, through a few small
 * windows: memory stays bounded (see VMCORE_SCRATCH_SIZE) whatever
 * log_buf_len was.  Nothing here allocates or uses stdio; all scratch
 * memory comes from the caller's arena and is given back on return.
 * Every index read from the dump is checked and every loop is bounded
 * by the size of the ring: a corrupted ring gives partial output and a
 * warning, never a crash or a hang. */
#ifndef PS_KDUMP_VMCORE_H
#define PS_KDUMP_VMCORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "port/port.h"

enum {
	VMCORE_FMT_NONE = 0,
	VMCORE_FMT_LOCKLESS = 1,     /* printk_ringbuffer, 5.10+ */
	VMCORE_FMT_STRUCTURED = 2,   /* struct printk_log records, 3.5-5.9 */
	VMCORE_FMT_PLAIN = 3,        /* character ring, before 3.5 */
};

/* Scratch arena size that gives the reader its full read windows; it
 * works with less (down to VMCORE_SCRATCH_MIN), with more reads. */
#define VMCORE_SCRATCH_SIZE (200u * 1024u)
#define VMCORE_SCRATCH_MIN  (40u * 1024u)

/* 1 if the bytes look like the start of an ELF core file (ET_CORE), else 0. */
int vmcore_probe(const void *head, size_t n);

struct vmcore_stats {
	int format;              /* VMCORE_FMT_LOCKLESS, _STRUCTURED, _PLAIN */
	uint32_t records;        /* records written */
	uint32_t skipped;        /* records skipped as corrupt */
	uint64_t dropped_bytes;  /* text dropped because the output did not fit */
	char warning[256];       /* first warning, "" if none (corrupted ring, truncated file, ...) */
	char error[256];         /* why it failed, when the return is not PS_OK */
	char release[65];        /* OSRELEASE from VMCOREINFO, "" if absent */
};

/* Streams the log in vmcore-dmesg's exact format to `sink` (called with
 * consecutive chunks; a nonzero return from sink stops with that status).
 * Returns PS_OK (possibly with a warning), PS_EFORMAT (not a usable vmcore;
 * st->error says why), PS_ENOMEM (scratch arena too small). */
int vmcore_dmesg_stream(struct port_file *f, struct ps_arena *scratch,
			int (*sink)(void *ctx, const char *s, size_t n), void *ctx,
			struct vmcore_stats *st);

/* Same, into a caller buffer; when the text exceeds cap, keeps the NEWEST
 * text (drop oldest whole lines; dropped_bytes counts them).  At most
 * cap - 1 bytes of text are kept and out[*len] is set to '\0'. */
int vmcore_dmesg_buf(struct port_file *f, struct ps_arena *scratch,
		     char *out, size_t cap, size_t *len, struct vmcore_stats *st);

/* Copies the VMCOREINFO note's text (KEY=value lines) into out,
 * NUL-terminated, truncated to cap - 1 bytes.  Sets st->release.
 * Returns PS_OK, PS_EFORMAT or PS_ENOMEM as above. */
int vmcore_vmcoreinfo(struct port_file *f, struct ps_arena *scratch,
		      char *out, size_t cap, size_t *len, struct vmcore_stats *st);

#endif
