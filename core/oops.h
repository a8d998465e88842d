/* Recognising the lines a kernel engineer would quote from a crash:
 * oops headers ("BUG: KASAN: use-after-free in ...", "WARNING: CPU: 0
 * PID: 1 at ...", "general protection fault ...", "INFO: task ...
 * blocked for more than ..."), the panic line, stack frames and trace
 * markers.
 *
 * Each pattern carries the taxonomy label it most often indicates
 * (model/TAXONOMY.md).  The hint is what a rule-based classifier would say;
 * the model learns the real mapping. */
#ifndef PS_OOPS_H
#define PS_OOPS_H

#include <stddef.h>
#include <stdint.h>

/* pattern kinds */
#define PS_OOPS_PRIMARY    1   /* opens a crash report */
#define PS_OOPS_FOLLOWUP   2   /* a header that follows another ("Oops: ...") */
#define PS_OOPS_PANIC      3   /* "Kernel panic - not syncing: ..." */
#define PS_OOPS_WEAK       4   /* an error that is often harmless noise
				  ("I/O error, dev ...") unless a panic follows */

struct ps_oops_pattern {
	const char *text;
	uint8_t anywhere;    /* 0: at the start of the message, 1: anywhere in it */
	uint8_t kind;        /* PS_OOPS_* */
	const char *hint;    /* taxonomy label */
};

/* Index for fast matching, built once (cheap), then used for many
 * lines: the byte pairs that can start a prefix or an anywhere-pattern, hashes of
 * the byte triples in the first `shortest` bytes of one (to skip ahead),
 * and per first byte a chain of the patterns that start with it, in
 * table order (PS_OOPS_END ends a chain). */
#define PS_OOPS_END 0xffffu
struct ps_oops_matcher {
	uint64_t prefix_pairs[65536 / 64];   /* first two bytes of prefix patterns */
	uint64_t pairs[65536 / 64];
	uint64_t inner[65536 / 64];
	uint32_t shortest;       /* length of the shortest anywhere-pattern */
	uint16_t prefix_head[256], anywhere_head[256];
	uint16_t next[256];
};
void ps_oops_matcher_init(struct ps_oops_matcher *m);

/* Pattern id (1-based index into the table) of the first pattern in
 * table order that matches the line, or 0. */
uint16_t ps_oops_match(const struct ps_oops_matcher *m, const char *s, size_t n);
const struct ps_oops_pattern *ps_oops_pattern(uint16_t id);
uint16_t ps_oops_count(void);

/* "Call Trace:", "<TASK>", "<IRQ>" and similar markers. */
int ps_is_trace_marker(const char *s, size_t n);

#endif
