/* Raw kernel log text → records, one per input line.
 *
 * Accepted line forms (any mix, in any order):
 *   plain text                         "BUG: unable to handle ..."
 *   dmesg timestamps                   "[  12.345678] text"
 *   dmesg -r / kmsg levels             "<4>[  12.345678] text", "<4>text"
 *   console caller ids (syzkaller)     "[  12.345678][ T1234] text", "[ C1]"
 *   /dev/kmsg records                  "4,1234,12345678,-;text"
 *   journal / syslog prefixes          "Nov 23 17:56:52 host kernel: text"
 *                                      "2026-11-23T17:56:52+0000 host kernel: ..."
 * plus serial-capture carriage returns, NUL and other binary bytes,
 * and a last line with no newline.  No line is ever rejected. */
#ifndef PS_LOG_H
#define PS_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define PS_NO_TS     (-1)
#define PS_NO_LEVEL  (-1)
/* caller ids: bit 31 set for CPU contexts ("C3"), clear for tasks ("T42") */
#define PS_NO_CALLER UINT32_MAX
#define PS_CALLER_CPU 0x80000000u

struct ps_record {
	const char *text;    /* message after all prefixes; not NUL-terminated */
	uint32_t len;
	uint32_t line;       /* 1-based line number in the input */
	int64_t ts_us;       /* kernel timestamp in microseconds, or PS_NO_TS */
	int32_t level;       /* 0..7, or PS_NO_LEVEL */
	uint32_t caller;     /* PS_NO_CALLER, or a caller id as described above */
};

struct ps_log {
	struct ps_record *rec;
	uint32_t n;
	uint32_t skipped_lines;  /* leading lines dropped because of max_records */
	uint32_t with_ts;        /* records that carried a timestamp */
	uint32_t cut_lines;      /* lines longer than PS_MAX_LINE, cut short */
};

/* Longest message kept per record; printk itself stops near 1 KiB. */
#define PS_MAX_LINE 4096u

/* Splits `len` bytes of text into records, keeping at most the *last*
 * `max_records` lines (the crash is at the end of a log).  Records point
 * into `buf`, which must outlive the log.  Empty lines are skipped but
 * still counted for line numbers.  `first_line` is the number of the
 * line `buf` starts at (1 for a whole file).
 * Returns PS_OK, PS_ENOMEM, or PS_EINPUT when there is no record. */
int ps_log_parse(struct ps_log *log, struct ps_arena *a, const char *buf,
		 size_t len, uint32_t first_line, uint32_t max_records);

/* Parses the prefixes of one line into *r (text, ts, level, caller);
 * r->line is left alone. */
void ps_log_parse_line(struct ps_record *r, const char *s, size_t n);

/* The crashed kernel's release as its own log gives it: the kernel
 * prints it in every "CPU: 1 PID: 42 Comm: x Not tainted 6.1.0-13-amd64
 * #1 ..." line of an oops, warning or stack dump (after "Tainted: G  W"
 * and its flags when tainted; "UID: 0" too since 6.10).  The newest
 * such record wins.  Copies the release, NUL-terminated, into out and
 * returns its length; 0 (out "") when no record has one.  A release
 * starts with a digit, has a '.', and is at most 64 printable bytes
 * (struct utsname's field). */
size_t ps_log_release(const struct ps_log *log, char *out, size_t cap);

/* Case files (DESIGN.md): "KEY: value" header lines up to the first
 * blank line, then the log.  So that a log that happens to start with
 * "BUG: ..." and a blank line is not mistaken for one, the header must
 * have a LABEL: or SOURCE: line.  Returns the byte length of the header
 * including the blank line, or 0 when `buf` does not start with one,
 * and the number of lines it spans in *lines. */
size_t ps_casefile_header(const char *buf, size_t len, uint32_t *lines);

/* Looks up header `key` (e.g. "LABEL") in a case-file header; returns
 * the value's length and sets *val, or returns 0. */
size_t ps_casefile_get(const char *hdr, size_t hdr_len, const char *key,
		       const char **val);

#endif
