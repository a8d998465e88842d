/* Crash buckets: a signature per crash that stays the same for the same
 * bug across machines, kernel builds and addresses, so that a fleet's
 * many reports of one bug are seen as one problem.
 *
 * The signature of an analysed log (struct ps_analysis) has four parts:
 *
 *   kind    the catalogue entry (model/catalogue.tsv, core/catalogue.h)
 *           the report's header line matched, e.g. "null.x86" for "BUG:
 *           kernel NULL pointer dereference, address: ..."; the panic
 *           line's when the report has no header; "" when neither.
 *   title   the header line (else the panic line) as a template: masked
 *           by core/mask.c (numbers, addresses, offsets), then the
 *           identities that differ from machine to machine for the same
 *           bug are wildcards too (see "Title" below).
 *   frames  the first PS_BUCKET_FRAMES meaningful frames of the report's
 *           call trace, function names only (no offset, address or
 *           compiler clone suffix: "foo.isra.0+0x1f/0x80" is "foo").
 *           Frames marked unreliable ("? foo+0x..") are skipped, and so
 *           are the generic frames of the table in bucket.c, which every
 *           crash of a kind shares whatever the bug: the report and panic
 *           path (dump_stack, panic, __warn, kasan_report ...), trap and
 *           exception entry (exc_page_fault, do_error_trap, asm_exc_* ...),
 *           sleeping and locking primitives (schedule, mutex_lock ...),
 *           thread, syscall and interrupt entry (kthread, worker_thread,
 *           ret_from_fork, do_syscall_64, sysvec_* ...), the debug
 *           checkers that detect a corruption rather than cause it
 *           (__list_del_entry_valid, refcount_warn_saturate, SLUB's
 *           check_object ...) and the memory and string helpers a bad
 *           pointer is passed to (memcpy, strlen, kfree ...).  The trace
 *           read is the first one after the header: the RIP/PC line and
 *           the frames up to the first interrupt entry (what follows it
 *           is the interrupted context, unrelated to the bug, except in a
 *           CPU lockup or stall, where it is the code that got stuck),
 *           and once a meaningful frame has been found, up to the end of
 *           that trace.
 *   module  the module of the first meaningful frame ("[psdev]"), "" for
 *           the core kernel or when there is no frame.
 *
 * The bucket key (its id, 16 hex digits of a 64-bit FNV-1a hash) is
 * computed from kind, title, module and the first meaningful frame, the
 * function the crash happened in: the same bug reached from different
 * callers (a syscall, a workqueue, a timer) is one bucket, as crash
 * servers title reports "<kind> in <function>".  The further frames are
 * kept for people and for the similarity fallback.
 *
 * Similarity fallback (ps_bucket_similar): a case whose key matches no
 * bucket joins an existing bucket when both have the same kind, title
 * and module, the first frame of one is among the first frames of the
 * other (a function inlined in one kernel build and not in another
 * shifts the trace by one frame), and the frame sets overlap with a
 * Jaccard similarity of at least PS_BUCKET_SIMILARITY percent.
 *
 * Title: after masking, a token that names a task or a place that
 * differs between machines becomes "<*>":
 *   - a name followed only by wildcard parts ("sh:<*>", "kworker/<*>:<*>/<*>",
 *     "init[<*>]", "[swapper/<*>:<*>]"): a task as comm:pid, comm/pid
 *     or comm[pid];
 *   - the token after "comm", "Comm:", "task", "process", "device",
 *     "dev" (a process or device name), and the one before "invoked
 *     oom-killer" (the process that asked for memory);
 *   - "(Tainted: ... )" and "(Not tainted)", the taint flags;
 * and a unit after a masked number goes with it ("kmalloc-1k" and
 * "kmalloc-64" are both "kmalloc-<*>", "22s" is "<*>");
 * then runs of "<*>" become one, and the title is cut at
 * PS_BUCKET_TITLE - 1 bytes (at a token boundary).
 *
 * Freestanding: no allocation, the signature is a fixed-size value. */
#ifndef PS_BUCKET_H
#define PS_BUCKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/analysis.h"

/* Bump when the signature's definition changes: stores recompute the
 * signatures of their cases (tools/store). */
#define PS_BUCKET_VERSION 1

#define PS_BUCKET_FRAMES 3
#define PS_BUCKET_KIND 64
#define PS_BUCKET_TITLE 200
#define PS_BUCKET_SYM 96
#define PS_BUCKET_MODULE 64
#define PS_BUCKET_SIMILARITY 50   /* percent */
#define PS_BUCKET_ID_LEN 16       /* hex digits */

struct ps_bucket_sig {
	char kind[PS_BUCKET_KIND];
	char title[PS_BUCKET_TITLE];
	char module[PS_BUCKET_MODULE];
	char frames[PS_BUCKET_FRAMES][PS_BUCKET_SYM];
	uint32_t nframes;
	uint64_t key;                        /* hash of kind, title, module, frames[0] */
	char id[PS_BUCKET_ID_LEN + 1];       /* key as lower-case hex */
};

/* Computes the signature of an analysed log (lines, header and panic
 * from core/pipeline.c).  Every field is NUL-terminated printable
 * ASCII (other bytes become '?'). */
void ps_bucket_compute(const struct ps_analysis *an, struct ps_bucket_sig *sig);

/* Recomputes key and id from the other fields (after filling a
 * signature from stored text). */
void ps_bucket_rekey(struct ps_bucket_sig *sig);

/* 1 when b's bucket should take a case of signature a (the similarity
 * fallback above), else 0.  Symmetric. */
int ps_bucket_similar(const struct ps_bucket_sig *a, const struct ps_bucket_sig *b);

/* Jaccard similarity of the two frame sets, in percent: the frames both
 * have over the distinct frames of either.  0 when neither has a frame:
 * there is nothing in common to measure, and two frameless signatures
 * are not "similar" by their frames (ps_bucket_similar decides those by
 * kind, title and module alone). */
unsigned ps_bucket_frame_similarity(const struct ps_bucket_sig *a, const struct ps_bucket_sig *b);

/* The frames as one string, separated by single spaces, into out[cap];
 * returns the length (cut to fit; out is NUL-terminated when cap > 0).
 * ps_bucket_set_frames is the inverse. */
size_t ps_bucket_frames_str(const struct ps_bucket_sig *sig, char *out, size_t cap);
void ps_bucket_set_frames(struct ps_bucket_sig *sig, const char *s, size_t n);

/* 1 when `sym` (n bytes, clone suffix already cut) is in the table of
 * generic frames. */
int ps_bucket_generic_frame(const char *sym, size_t n);

#endif
