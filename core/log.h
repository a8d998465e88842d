/* Raw kernel log text → records, one per kernel message.
 *
 * Accepted line forms (any mix, in any order; the text of a record is
 * the kernel's message alone, whatever the form):
 *   plain text, no timestamps          "BUG: unable to handle ...", dmesg -t, journalctl -o cat
 *   dmesg timestamps                   "[  12.345678] text"
 *   dmesg -r / console levels          "<4>[  12.345678] text", "<4>text"
 *   dmesg -d                           "[  12.345678 <    0.000123>] text"
 *   dmesg -x                           "kern  :warn  : [  12.345678] text"
 *   dmesg -T                           "[Mon Mar  4 10:11:12 2024] text"
 *   dmesg -H                           "[Mar 4 10:11] text", then "[  +0.000123] text"
 *   dmesg --time-format iso            "2024-03-04T10:11:12,123456+01:00 text"
 *   caller ids                         "[  12.345678][ T1234] text", "[    C1]" (console),
 *                                      "[  12.345678] [  T1234] text" (newer dmesg)
 *   /dev/kmsg records                  "4,1234,12345678,-;text", ",caller=T42" too;
 *                                      their " KEY=value" lines are dropped
 *   syslog files                       "Mar  4 10:11:12 host kernel: [  12.345678] text",
 *                                      "kernel:[...]", "host kern.warn kernel: " (busybox),
 *                                      "2024-03-04T10:11:12.123456+01:00 host kernel: text"
 *   syslog packets (a remote receiver)  "<4>Mar  4 10:11:12 host kernel: text" (RFC 3164),
 *                                      "<4>1 2024-03-04T10:11:12.1+01:00 host kernel - - - text"
 *   journalctl -k                      short, short-precise, short-iso(-precise), short-full,
 *                                      short-unix: "<time> host kernel: text";
 *                                      short-monotonic/-delta: "[  12.345678] host kernel: text";
 *                                      "-- Boot ... --" lines are dropped
 *   journalctl -o json                 one object a line: "MESSAGE" a string (escapes
 *                                      decoded into the arena) or an array of byte
 *                                      values (not UTF-8); the time from
 *                                      "_SOURCE_MONOTONIC_TIMESTAMP", else
 *                                      "__MONOTONIC_TIMESTAMP"; "PRIORITY" the level; a
 *                                      record whose "_TRANSPORT" or "SYSLOG_IDENTIFIER"
 *                                      is shown but neither is "kernel" is another
 *                                      program's (dropped), as is a null MESSAGE
 *   journalctl -o json-pretty          the same object over several lines: "{" alone,
 *                                      "\t\"KEY\" : value," lines, "}" alone (ps_log_parse
 *                                      only)
 *   journalctl -o verbose              "Mon 2024-03-04 10:11:12.123456 CET [s=..;i=..;
 *                                      b=..;m=4c4b40;t=..;x=..]", then "    KEY=value"
 *                                      lines: MESSAGE=, the time from
 *                                      _SOURCE_MONOTONIC_TIMESTAMP= or else m= (hex µs),
 *                                      PRIORITY=, _TRANSPORT=/SYSLOG_IDENTIFIER= as for
 *                                      json; the other fields are dropped (ps_log_parse
 *                                      only: one record spans several lines; not quoted)
 *   dmesg --json / -J                  '      {"pri": 6, "time":     5.123456, "msg":
 *                                      "text"},' in "{", '   "dmesg": [', ..., "   ]",
 *                                      "}" (dropped); "pri" facility<<3|level, or a level
 *                                      name ("fac": "kern", "pri": "warn", --decode), or
 *                                      not there; "caller": "T42" too
 *   syslog lines cut after the host    "kernel: [  12.345678] text"
 *   mail quoting                       "> ", ">> ", "> > " before any of these
 * A syslog or journal line of another program ("host sshd[42]: ...") is
 * not a kernel message and is dropped.  A line printed twice, once by
 * the console and once through syslog (the same text, the same kernel
 * timestamp if both have one, within DOUBLE_WINDOW console lines), is
 * kept once.  Two kernel lines glued together ("[ts] text[ts] text",
 * two CPUs printing at once) are split again; a line that a console cut
 * at its width (the log's longest line length, when several lines have
 * it and the line after has no prefix of its own) is joined again.
 * Serial-capture carriage returns, CR LF, NUL and other binary bytes
 * and a last line with no newline are fine.  A line that looks like a
 * JSON record or a verbose header but is malformed is kept as plain
 * text.  Apart from the other-program lines above, no line is ever
 * rejected.
 *
 * Timestamps: the kernel's when the line has one (the journal's
 * monotonic times count as the kernel's).  Otherwise the wall
 * clock of the syslog / journal / dmesg -T/-H/iso prefix, as seconds
 * relative to the first such line of the log (a log whose other lines
 * carry kernel timestamps keeps only those, the wall-clock lines being
 * placed on the kernel's clock when a line printed twice ties the two
 * clocks together). */
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

/* ps_record.flags */
#define PS_REC_WALL    0x01u   /* ts_us from a wall clock, relative to the log's first one */
#define PS_REC_SYSLOG  0x02u   /* the line came through syslog or the journal */

struct ps_record {
	const char *text;    /* message after all prefixes; not NUL-terminated */
	uint32_t len;
	uint32_t line;       /* 1-based line number in the input */
	int64_t ts_us;       /* timestamp in microseconds (see above), or PS_NO_TS */
	int16_t level;       /* 0..7, or PS_NO_LEVEL */
	uint16_t flags;      /* PS_REC_* */
	uint32_t caller;     /* PS_NO_CALLER, or a caller id as described above */
};

struct ps_log {
	struct ps_record *rec;
	uint32_t n;
	uint32_t skipped_lines;  /* leading lines dropped because of max_records */
	uint32_t with_ts;        /* records that carried a timestamp */
	uint32_t cut_lines;      /* lines longer than PS_MAX_LINE, cut short */
	uint32_t dropped;        /* lines that are not kernel messages (other programs,
				    journal markers, kmsg KEY=value lines) */
	uint32_t doubled;        /* syslog copies of a console line, dropped */
	uint32_t joined;         /* wrapped lines joined to the line before */
	uint32_t split;          /* records split off a line glued to another */
};

/* Console lines looked at for the first copy of a line syslog printed too. */
#define PS_DOUBLE_WINDOW 256u

/* Longest message kept per record; printk itself stops near 1 KiB. */
#define PS_MAX_LINE 4096u

/* Splits `len` bytes of text into records, reading at most the *last*
 * `max_records` non-blank lines (the crash is at the end of a log; a
 * line split in two gives two records, so there can be up to
 * max_records / 16 + 4 more records than lines).  Records point into
 * `buf`, which must outlive the log, except joined wrapped lines and
 * JSON strings with escapes or byte arrays, whose text is in the arena.  Empty lines are skipped but still counted for
 * line numbers; the records of a split line have the same number.
 * `first_line` is the number of the line `buf` starts at (1 for a whole
 * file).
 * Returns PS_OK, PS_ENOMEM, or PS_EINPUT when there is no record. */
int ps_log_parse(struct ps_log *log, struct ps_arena *a, const char *buf,
		 size_t len, uint32_t first_line, uint32_t max_records);

/* Parses the prefixes of one line on its own into *r (text, ts, level,
 * caller, flags; r->line is left alone): no splitting, joining or
 * doubles, and wall-clock times are left absolute (µs since 1970, or
 * since 2000-01-01 for a syslog time without a year).  With no arena, a
 * JSON message is left as printed (escapes, byte arrays), and the
 * records that span lines (-o verbose, -o json-pretty) are not read:
 * a verbose header is dropped, the other lines are text.  Returns 1 for a
 * kernel message, 0 for a line that is none (blank, another program's,
 * a journal marker). */
int ps_log_parse_line(struct ps_record *r, const char *s, size_t n);

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
