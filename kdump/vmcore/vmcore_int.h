/* Internals of the vmcore reader, shared by kdump/vmcore*.c and
 * kdump/printk*.c.  Not for use outside kdump/. */
#ifndef PS_KDUMP_VMCORE_INT_H
#define PS_KDUMP_VMCORE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "kdump/vmcore/vmcore.h"
#include "port/port.h"

/* One PT_LOAD: [vaddr, vaddr + memsz) maps [paddr, paddr + memsz);
 * the first filesz bytes are in the file at off, the rest are zero. */
struct vm_seg {
	uint64_t vaddr, paddr, off, filesz, memsz;
};

/* A read window: a cached span of the file.  The reader keeps one per
 * stream it walks (descriptors, infos, text) so that walking a ring
 * costs one pread per window, not one per field. */
struct vm_win {
	unsigned char *buf;
	size_t cap;
	uint64_t off;      /* file offset of buf[0] */
	size_t len;        /* valid bytes in buf */
};

enum { WIN_META, WIN_INFO, WIN_TEXT, WIN_COUNT };

/* Cached PT_LOAD headers; a dump with more (makedumpfile -E of a big
 * machine) is searched in the file, with a few recent hits cached. */
#define VM_MAX_SEGS 1024
#define VM_RECENT 8
#define VM_INFO_MAX (16u * 1024u)   /* VMCOREINFO kept (it is ~3 KiB) */

/* vm_read results */
enum { VM_OK = 0, VM_EUNMAPPED, VM_ETRUNC, VM_EIO };

struct vmcore {
	struct port_file *f;
	struct vmcore_stats *st;
	uint64_t fsize;            /* 0 if unknown */
	int elf64, be;
	unsigned ptr;              /* bytes in a pointer / unsigned long */
	unsigned machine;          /* e_machine */
	uint64_t phoff;
	uint32_t phnum;
	unsigned phentsize;
	struct vm_seg *seg;        /* PT_LOADs, all if !seg_partial */
	uint32_t nseg, nload;
	int seg_partial;
	struct vm_seg recent[VM_RECENT];
	unsigned nrecent, recent_next;
	uint32_t last;             /* index of the last segment hit */
	unsigned char *phbuf;      /* scratch for scanning program headers */
	size_t phbuf_cap;
	const char *info;          /* VMCOREINFO text, info_len bytes */
	size_t info_len;
	int have_phys_base;
	uint64_t phys_base;
	int have_page_offset;
	uint64_t page_offset;
	/* arm64, from VMCOREINFO (vm_open): the linear map is
	 * [a64_lin_start, a64_lin_end) (end 0: the top) and maps
	 * a64_phys_offset upwards; the kernel image is around a64_kimage
	 * (a symbol in it) and at va - kimage_voffset */
	int a64;
	uint64_t a64_kimage_voffset, a64_phys_offset, a64_lin_start, a64_lin_end, a64_kimage;
	struct vm_win win[WIN_COUNT];
	int truncated;             /* the file ends before a PT_LOAD does */
	int err;                   /* errno of the last failed pread */
	uint64_t err_addr;         /* address of the last failed read */
};

/* kdump/vmcore_elf.c */
int vm_open(struct vmcore *vm, struct port_file *f, struct ps_arena *a,
	    struct vmcore_stats *st);
uint64_t vm_get(const struct vmcore *vm, const void *p, unsigned n);
/* Reads n bytes at virtual address va through window w. */
int vm_read(struct vmcore *vm, int w, uint64_t va, void *dst, size_t n);
/* Reads an unsigned integer of n bytes (1, 2, 4, 8) in the dump's byte order. */
int vm_read_uint(struct vmcore *vm, int w, uint64_t va, unsigned n, uint64_t *out);
/* VMCOREINFO lookups: the value of "KEY=..." as a span, as hex
 * (SYMBOL, KERNELOFFSET), or as signed decimal (SIZE, OFFSET, NUMBER,
 * LENGTH).  Return 1 if present and well formed, else 0. */
int vm_info_str(const struct vmcore *vm, const char *key, const char **val, size_t *len);
int vm_info_hex(const struct vmcore *vm, const char *key, uint64_t *out);
int vm_info_dec(const struct vmcore *vm, const char *key, int64_t *out);
/* "what failed at which address", for messages */
const char *vm_read_error(const struct vmcore *vm, int rc);

/* Formatting without stdio: %s, %d (int), %u and %x (unsigned long long). */
void vm_fmt(char *dst, size_t cap, const char *fmt, ...);
void vm_vfmt(char *dst, size_t cap, const char *fmt, va_list ap);
/* Records the first warning; later ones are dropped. */
void vm_warn(struct vmcore *vm, const char *fmt, ...);
/* Sets st->error and returns PS_EFORMAT. */
int vm_fail(struct vmcore *vm, const char *fmt, ...);

/* Output in vmcore-dmesg's format (kdump/printk_out.c). */
struct vm_out {
	char *buf;
	size_t cap, len;
	int (*sink)(void *ctx, const char *s, size_t n);
	void *ctx;
	int status;                /* nonzero once the sink said stop */
};

void out_raw(struct vm_out *o, const void *p, size_t n);
void out_ts(struct vm_out *o, uint64_t ts_nsec);       /* "[%5lu.%06lu] " */
void out_text(struct vm_out *o, const unsigned char *p, size_t n);  /* escaped */
void out_flush(struct vm_out *o);
/* One whole record: timestamp, text_len bytes read from the dump at va
 * (escaped), newline.  Returns a vm_read code: nothing is printed when
 * either end of the text is unreadable; if the middle is (a hole in a
 * makedumpfile dump), the line is cut there but still ended. */
int out_record_from(struct vmcore *vm, struct vm_out *o, int w, uint64_t ts_nsec,
		    uint64_t va, size_t text_len);

/* The three walkers (kdump/printk_*.c): PS_OK (perhaps with a warning)
 * or PS_EFORMAT. */
int printk_lockless(struct vmcore *vm, struct vm_out *o);
int printk_structured(struct vmcore *vm, struct vm_out *o);
int printk_plain(struct vmcore *vm, struct vm_out *o);

#endif
