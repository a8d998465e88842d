/* panicsage logform: a plain kernel log rendered in one of the forms
 * people paste it in (syslog files, the journal, dmesg's options,
 * /dev/kmsg, serial captures, mail quoting, ...).  Run by
 * panicsage-train (the front end execs it for `panicsage logform`).
 *
 * Input: a log of `[ts] text` lines (dmesg's default output, as
 * vmcore-dmesg and `panicsage dmesg` print it; `[ts][ T123] text`
 * caller ids are read too, lines without a timestamp take the previous
 * line's time).  A case file's header (KEY: value lines with LABEL: or
 * SOURCE:, then a blank line) is copied through unchanged and the log
 * after it is rendered.
 *
 * Output: the same messages, in the same order, in form FORM, on
 * stdout.  Wall-clock forms place timestamp 0 at --boot (UTC) and print
 * local time at --tz.  Everything random (which lines are glued or
 * doubled, the other daemons' lines, ...) comes from --seed, so a form
 * and seed always give the same bytes.
 *
 * Used by tests/t_logforms.sh (every form must classify like the plain
 * log) and meant for making synthetic training cases across forms:
 * `panicsage logform --seed N FORM case.log > case-FORM.log` keeps the
 * case's header and its LABEL.
 * See usage() for the interface and `--list` for the forms. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli/cli.h"
#include "tools/train/commands.h"

struct line {
	const char *text;
	size_t len;
	int has_ts;
	uint64_t ts_us;      /* the line's time, or the previous line's */
	char caller_kind;    /* 'T', 'C' or 0 */
	uint32_t caller;
};

struct opts {
	uint64_t seed;
	int64_t boot;        /* UTC seconds of timestamp 0 */
	int tz_min;          /* local time offset from UTC, minutes */
	const char *host;
	size_t width;        /* wrap width */
};

/* Output buffer: forms write lines here, wrappers rewrite it. */
struct out {
	char *p;
	size_t len, cap;
};

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("panicsage: logform: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *p;

		while (o->len + n + 1 > cap)
			cap *= 2;
		p = realloc(o->p, cap);
		if (!p)
			die(PS_EXIT_NOMEM, "out of memory");
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = 0;
}

static void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		die(PS_EXIT_FAILURE, "internal: prefix too long");
	out_put(o, tmp, (size_t)n);
}

/* xorshift64*: the only source of randomness, seeded by --seed */
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % (n ? n : 1);
}

/* ---- calendar (proleptic Gregorian, UTC) ---- */

struct tm_ {
	int year, mon, mday, hour, min, sec, wday;   /* mon 0..11, wday 0 = Sunday */
	uint32_t us;
};

static const char *const mon_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const day_names[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

/* Days since 1970-01-01 → year, month, day (the era arithmetic of the
 * Gregorian 400-year cycle). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The local time of timestamp ts_us. */
static struct tm_ local_time(const struct opts *o, uint64_t ts_us)
{
	int64_t t = o->boot + (int64_t)(ts_us / 1000000u) + (int64_t)o->tz_min * 60;
	int64_t days = (t >= 0 ? t : t - 86399) / 86400, rem = t - days * 86400;
	struct tm_ tm;

	civil_from_days(days, &tm.year, &tm.mon, &tm.mday);
	tm.mon--;
	tm.hour = (int)(rem / 3600);
	tm.min = (int)(rem / 60 % 60);
	tm.sec = (int)(rem % 60);
	tm.wday = (int)(((days % 7) + 11) % 7);   /* 1970-01-01 was a Thursday */
	tm.us = (uint32_t)(ts_us % 1000000u);
	return tm;
}

/* "+01:00" (colon) or "+0100" */
static void put_zone(struct out *o, const struct opts *op, int colon)
{
	int m = op->tz_min < 0 ? -op->tz_min : op->tz_min;

	out_printf(o, colon ? "%c%02d:%02d" : "%c%02d%02d", op->tz_min < 0 ? '-' : '+', m / 60, m % 60);
}

/* ---- reading the plain log ---- */

static int digit(int c) { return c >= '0' && c <= '9'; }

/* "[  12.345678]" and an optional "[ T123]": fills l, returns the
 * length of the prefix including one following space, or 0. */
static size_t parse_prefix(const char *s, size_t n, struct line *l)
{
	size_t i = 1, k;
	uint64_t sec = 0, frac = 0;

	if (n < 4 || s[0] != '[')
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	for (k = i; i < n && digit(s[i]); i++)
		sec = sec * 10 + (uint64_t)(s[i] - '0');
	if (i == k || i - k > 12 || i >= n || s[i] != '.')
		return 0;
	for (k = ++i; i < n && digit(s[i]); i++)
		if (i - k < 6)
			frac = frac * 10 + (uint64_t)(s[i] - '0');
	if (i == k || i >= n || s[i] != ']')
		return 0;
	for (k = i - k; k < 6; k++)
		frac *= 10;
	l->has_ts = 1;
	l->ts_us = sec * 1000000u + frac;
	i++;
	if (i + 3 < n && s[i] == '[') {
		size_t j = i + 1;
		uint32_t id = 0;

		while (j < n && s[j] == ' ')
			j++;
		if (j < n && (s[j] == 'T' || s[j] == 'C')) {
			char kind = s[j];

			for (k = ++j; j < n && digit(s[j]); j++)
				id = id * 10 + (uint32_t)(s[j] - '0');
			if (j > k && j < n && s[j] == ']') {
				l->caller_kind = kind;
				l->caller = id;
				i = j + 1;
			}
		}
	}
	if (i < n && s[i] == ' ')
		i++;
	return i;
}

/* Length of a case-file header (KEY: value lines with a LABEL: or
 * SOURCE: line, then a blank line), or 0. */
static size_t case_header(const char *buf, size_t len)
{
	size_t pos = 0;
	int known = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, i = pos;

		if (!nl)
			return 0;
		if (end == pos)
			return known && pos ? end + 1 : 0;
		if (!strncmp(buf + pos, "LABEL:", 6) || !strncmp(buf + pos, "SOURCE:", 7))
			known = 1;
		while (i < end && ((buf[i] >= 'A' && buf[i] <= 'Z') || digit(buf[i]) || buf[i] == '_' || buf[i] == '-'))
			i++;
		if (i == pos || i >= end || buf[i] != ':')
			return 0;
		pos = end + 1;
	}
	return 0;
}

static struct line *read_lines(const char *buf, size_t len, size_t *count)
{
	struct line *v = NULL;
	size_t n = 0, cap = 0, pos = 0;
	uint64_t last = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, k;
		struct line l = { 0 };

		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			if (!(v = realloc(v, cap * sizeof *v)))
				die(PS_EXIT_NOMEM, "out of memory");
		}
		k = parse_prefix(buf + pos, end - pos, &l);
		l.text = buf + pos + k;
		l.len = end - pos - k;
		if (l.has_ts)
			last = l.ts_us;
		else
			l.ts_us = last;
		v[n++] = l;
		pos = end + 1;
	}
	*count = n;
	return v;
}

/* ---- forms ---- */

static const char *const level_names[8] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

static int starts(const struct line *l, const char *p)
{
	size_t n = strlen(p);

	return l->len >= n && memcmp(l->text, p, n) == 0;
}

/* A plausible console level: the forms with levels need one, and the
 * plain log does not say. */
static int level_of(const struct line *l)
{
	if (starts(l, "Kernel panic"))
		return 0;
	if (starts(l, "BUG") || starts(l, "Oops") || starts(l, "general protection"))
		return 1;
	if (starts(l, "WARNING") || starts(l, "INFO:") || starts(l, "Call Trace") || starts(l, "RIP:"))
		return 4;
	return l->len && l->text[0] == ' ' ? 4 : 6;
}

static void put_text(struct out *o, const struct line *l)
{
	out_put(o, l->text, l->len);
}

static void put_kts(struct out *o, uint64_t ts)
{
	out_printf(o, "[%5" PRIu64 ".%06" PRIu64 "]", ts / 1000000u, ts % 1000000u);
}

/* "Mar  4 10:11:12" (syslog, day padded with a space) or "Mar 04 ..."
 * (journalctl), with an optional ".123456". */
static void put_bsd(struct out *o, const struct opts *op, uint64_t ts, int zero_day, int precise)
{
	struct tm_ t = local_time(op, ts);

	out_printf(o, zero_day ? "%s %02d %02d:%02d:%02d" : "%s %2d %02d:%02d:%02d", mon_names[t.mon], t.mday,
		   t.hour, t.min, t.sec);
	if (precise)
		out_printf(o, ".%06u", t.us);
}

/* "2024-03-04T10:11:12" + fraction (sep '.', ',' or 0 for none) + zone */
static void put_iso(struct out *o, const struct opts *op, uint64_t ts, char sep, int colon)
{
	struct tm_ t = local_time(op, ts);

	out_printf(o, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.mon + 1, t.mday, t.hour, t.min, t.sec);
	if (sep)
		out_printf(o, "%c%06u", sep, t.us);
	put_zone(o, op, colon);
}

/* "[ T5855]", "[T17509]", "[    C1]": printk's "[%6s]" of T<pid> or C<cpu> */
static void put_caller(struct out *o, char kind, uint32_t id)
{
	char tmp[16];

	snprintf(tmp, sizeof tmp, "%c%" PRIu32, kind, id);
	out_printf(o, "[%6s]", tmp);
}

/* The caller a console with CONFIG_PRINTK_CALLER would show: the
 * line's own when the input had one, else the task named by the last
 * "PID: N" (the task reporting), C0 before any. */
static void caller_of(const struct line *l, char *kind, uint32_t *id)
{
	static char k = 'C';
	static uint32_t cur;
	const char *p;

	if (l->caller_kind) {
		*kind = l->caller_kind;
		*id = l->caller;
		return;
	}
	p = starts(l, "CPU: ") ? strstr(l->text, " PID: ") : NULL;   /* the line ends at '\n' or NUL */
	if (p && p < l->text + l->len) {
		k = 'T';
		cur = (uint32_t)strtoul(p + 6, NULL, 10);
	}
	*kind = k;
	*id = cur;
}

/* Other programs' syslog lines; each '#' becomes a number.  Some say
 * things a kernel says: they must still not count as kernel lines. */
static const char *const daemons[] = {
	"systemd[1]: Started session-#.scope - Session # of User root.",
	"sshd[#]: Accepted publickey for root from 192.0.2.# port 52144 ssh2",
	"CRON[#]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
	"rsyslogd: -- MARK --",
	"containerd[#]: time=\"2024-03-04T10:00:00Z\" level=error msg=\"BUG: task # exited\"",
	"myapp[#]: Kernel panic - not syncing: not a kernel message (#)",
	"systemd-logind[#]: Watchdog timeout (limit #s)!",
};

static void put_daemon(struct out *o)
{
	const char *s = daemons[rnd(sizeof daemons / sizeof daemons[0])];

	for (; *s; s++) {
		if (*s == '#')
			out_printf(o, "%u", 1 + rnd(250));
		else
			out_put(o, s, 1);
	}
}

enum form {
	F_PLAIN, F_NOTIME, F_RAW, F_LEVEL, F_KMSG, F_KMSG_CALLER, F_CALLERS,
	F_SYSLOG, F_SYSLOG_NOTS, F_SYSLOG_NOSPACE, F_SYSLOG_ISO, F_SYSLOG_ISO_TS, F_SYSLOG_MIXED,
	F_KERNEL_TAG,
	F_JOURNAL_SHORT, F_JOURNAL_PRECISE, F_JOURNAL_ISO, F_JOURNAL_ISO_PRECISE, F_JOURNAL_FULL,
	F_JOURNAL_MONOTONIC, F_JOURNAL_DELTA, F_JOURNAL_UNIX, F_JOURNAL_CAT,
	F_DMESG_T, F_DMESG_H, F_DMESG_X, F_DMESG_D, F_DMESG_ISO, F_DOUBLED,
	F_JOURNAL_JSON, F_JOURNAL_PRETTY, F_JOURNAL_VERBOSE, F_DMESG_JSON, F_NFORMS
};

static const struct {
	const char *name, *what;
} forms[F_NFORMS] = {
	[F_PLAIN] = { "plain", "[    5.123456] text  (dmesg)" },
	[F_NOTIME] = { "notime", "text  (dmesg -t: no timestamps at all)" },
	[F_RAW] = { "raw", "<6>[    5.123456] text  (dmesg -r)" },
	[F_LEVEL] = { "level", "<6>text  (console levels, no timestamps)" },
	[F_KMSG] = { "kmsg", "6,123,5123456,-;text  (/dev/kmsg records, ' KEY=value' lines after some)" },
	[F_KMSG_CALLER] = { "kmsg-caller", "6,123,5123456,-,caller=T42;text  (/dev/kmsg, CONFIG_PRINTK_CALLER)" },
	[F_CALLERS] = { "callers", "[    5.123456][   T42] text  (console with caller ids)" },
	[F_SYSLOG] = { "syslog", "Mar  4 10:11:12 host kernel: [    5.123456] text  (rsyslog/sysklogd)" },
	[F_SYSLOG_NOTS] = { "syslog-nots", "Mar  4 10:11:12 host kernel: text  (syslog fed by the journal)" },
	[F_SYSLOG_NOSPACE] = { "syslog-nospace", "Mar  4 10:11:12 host kernel:[    5.123456] text" },
	[F_SYSLOG_ISO] = { "syslog-iso", "2024-03-04T10:11:12.123456+01:00 host kernel: text  (RFC 5424 time)" },
	[F_SYSLOG_ISO_TS] = { "syslog-iso-ts", "2024-03-04T10:11:12.123456+01:00 host kernel: [    5.123456] text" },
	[F_SYSLOG_MIXED] = { "syslog-mixed", "syslog with other programs' lines between the kernel's" },
	[F_KERNEL_TAG] = { "kernel-tag", "kernel: [    5.123456] text  (syslog lines cut after the host)" },
	[F_JOURNAL_SHORT] = { "journal-short", "Mar 04 10:11:12 host kernel: text  (journalctl -k, '-- Boot --' lines)" },
	[F_JOURNAL_PRECISE] = { "journal-precise", "Mar 04 10:11:12.123456 host kernel: text  (-o short-precise)" },
	[F_JOURNAL_ISO] = { "journal-iso", "2024-03-04T10:11:12+0100 host kernel: text  (-o short-iso)" },
	[F_JOURNAL_ISO_PRECISE] = { "journal-iso-precise", "2024-03-04T10:11:12.123456+01:00 host kernel: text" },
	[F_JOURNAL_FULL] = { "journal-full", "Mon 2024-03-04 10:11:12 CET host kernel: text  (-o short-full)" },
	[F_JOURNAL_MONOTONIC] = { "journal-monotonic", "[    5.123456] host kernel: text  (-o short-monotonic)" },
	[F_JOURNAL_DELTA] = { "journal-delta", "[    5.123456 <    0.000123>] host kernel: text  (-o short-delta)" },
	[F_JOURNAL_UNIX] = { "journal-unix", "1709546712.123456 host kernel: text  (-o short-unix)" },
	[F_JOURNAL_CAT] = { "journal-cat", "text  (-o cat)" },
	[F_DMESG_T] = { "dmesg-T", "[Mon Mar  4 10:11:12 2024] text  (dmesg -T)" },
	[F_DMESG_H] = { "dmesg-H", "[Mar 4 10:11] text, then [  +0.000123] text  (dmesg -H)" },
	[F_DMESG_X] = { "dmesg-x", "kern  :info  : [    5.123456] text  (dmesg -x)" },
	[F_DMESG_D] = { "dmesg-d", "[    5.123456 <    0.000123>] text  (dmesg -d)" },
	[F_DMESG_ISO] = { "dmesg-iso", "2024-03-04T10:11:12,123456+01:00 text  (dmesg --time-format iso)" },
	[F_DOUBLED] = { "doubled", "console lines, and syslog's copies of them in bursts (console + syslog)" },
	[F_JOURNAL_JSON] = { "journal-json", "{\"__MONOTONIC_TIMESTAMP\":\"5123456\",...,\"MESSAGE\":\"text\"}  (-o json, others' too)" },
	[F_JOURNAL_PRETTY] = { "journal-pretty", "{, then '\t\"MESSAGE\" : \"text\",' a field a line, then }  (-o json-pretty)" },
	[F_JOURNAL_VERBOSE] = { "journal-verbose", "Mon 2024-03-04 10:11:12.123456 CET [s=..;m=4e2d40;..], '    MESSAGE=text'  (-o verbose)" },
	[F_DMESG_JSON] = { "dmesg-json", "      {\"pri\": 6, \"time\":     5.123456, \"msg\": \"text\"},  (dmesg --json)" },
};

static const struct {
	const char *name, *what;
} wrappers[] = {
	{ "glued", "some lines glued to the one before (two CPUs printing at once)" },
	{ "wrapped", "lines cut at --width columns (a console that wraps)" },
	{ "quoted", "'> ' before every line (mail)" },
	{ "quoted2", "'>> ' before every line (mail, quoted twice)" },
	{ "crlf", "CR LF line ends" },
	{ "serial", "CR LF ends, some lines CR CR LF, some with overwritten junk before a CR" },
};
#define NWRAPPERS (sizeof wrappers / sizeof wrappers[0])

static void syslog_line(struct out *o, const struct opts *op, const struct line *l, int kts)
{
	put_bsd(o, op, l->ts_us, 0, 0);
	out_printf(o, " %s kernel: ", op->host);
	if (kts) {
		put_kts(o, l->ts_us);
		out_put(o, " ", 1);
	}
}

/* ---- the journal's and dmesg's JSON, journalctl -o verbose ---- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t k, len;
	uint32_t u;

	if (s[0] < 0x80)
		return 1;
	len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	if (!len || len > n)
		return 0;
	u = s[0] & (0x7f >> len);
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		u = u << 6 | (s[k] & 0x3f);
	}
	if ((len == 3 && (u < 0x800 || (u >= 0xd800 && u <= 0xdfff))) || (len == 4 && (u < 0x10000 || u > 0x10ffff)))
		return 0;
	return len;
}

/* A JSON string of the text: '"' and '\' escaped, '\n' and '\t' by
 * name, other control bytes as \u00XX, UTF-8 as it is.  When the text
 * is not UTF-8 and `bytes` is set, the journal's array of byte values
 * instead; else bytes that are not UTF-8 go out as they are (dmesg). */
static void put_json_text(struct out *o, const struct line *l, int bytes)
{
	const unsigned char *t = (const unsigned char *)l->text;
	size_t i, k;

	for (i = 0; bytes && i < l->len; i += k)
		if (!(k = utf8_seq(t + i, l->len - i)))
			break;
	if (bytes && i < l->len) {   /* 2: json-pretty's, a value a line */
		out_put(o, "[", 1);
		for (i = 0; i < l->len; i++)
			out_printf(o, bytes == 2 ? "%s\n\t\t%u" : "%s%u", i ? "," : "", t[i]);
		out_put(o, bytes == 2 ? "\n\t]" : "]", bytes == 2 ? 3 : 1);
		return;
	}
	out_put(o, "\"", 1);
	for (i = 0; i < l->len; i++) {
		if (t[i] == '"' || t[i] == '\\')
			out_printf(o, "\\%c", t[i]);
		else if (t[i] == '\n')
			out_put(o, "\\n", 2);
		else if (t[i] == '\t')
			out_put(o, "\\t", 2);
		else if (t[i] < 0x20 || t[i] == 0x7f)
			out_printf(o, "\\u%04x", t[i]);
		else
			out_put(o, l->text + i, 1);
	}
	out_put(o, "\"", 1);
}

/* The ids of one boot's journal: boot id, machine id, sequence id. */
struct journal_ids {
	uint64_t boot[2], machine[2], seqnum_id[2];
};

static void journal_ids(struct journal_ids *j, const struct opts *op)
{
	j->boot[0] = op->seed * 0x9e3779b97f4a7c15ull;
	j->boot[1] = op->seed ^ 0x5bd1e995u;
	j->machine[0] = 0x6f1c0d3a29e84b57ull;
	j->machine[1] = 0xa3d2c1b0f9e8d7c6ull;
	j->seqnum_id[0] = j->boot[1] * 0x2545f4914f6cdd1dull;
	j->seqnum_id[1] = j->boot[0] ^ 0x1234567u;
}

/* __CURSOR / the verbose header's "s=..;i=..;b=..;m=..;t=..;x=.." */
static void put_cursor(struct out *o, const struct journal_ids *j, const struct opts *op, size_t seq, uint64_t ts)
{
	uint64_t realtime = (uint64_t)op->boot * 1000000u + ts;

	out_printf(o, "s=%016" PRIx64 "%016" PRIx64 ";i=%zx;b=%016" PRIx64 "%016" PRIx64 ";m=%" PRIx64 ";t=%" PRIx64
		   ";x=%016" PRIx64, j->seqnum_id[0], j->seqnum_id[1], seq, j->boot[0], j->boot[1], ts, realtime,
		   (uint64_t)(realtime * 0x9e3779b97f4a7c15ull ^ seq));
}

/* One "KEY":"value" of a journal JSON object, compact or pretty
 * (-o json-pretty: a field a line, tab-indented, " : "). */
static void jkey(struct out *o, int pretty, int *first, const char *key)
{
	if (pretty)
		out_printf(o, "%s\t\"%s\" : ", *first ? "{\n" : ",\n", key);
	else
		out_printf(o, "%s\"%s\":", *first ? "{" : ",", key);
	*first = 0;
}

static void jfield(struct out *o, int pretty, int *first, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void jfield(struct out *o, int pretty, int *first, const char *key, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	jkey(o, pretty, first, key);
	out_printf(o, "\"%s\"", tmp);
}

/* journalctl -o json (one object a line) or -o json-pretty: the fields
 * of a kernel record as journald stores them (the source time before or
 * after MESSAGE, or not there: __MONOTONIC_TIMESTAMP is the kernel's
 * time then); now and then another program's record (journalctl
 * without -k). */
static void journal_json(struct out *o, const struct journal_ids *j, const struct opts *op, const struct line *l,
			 size_t seq, int lvl, int pretty)
{
	uint64_t ts = l->ts_us, rt = (uint64_t)op->boot * 1000000u + ts;
	uint32_t where = rnd(5);   /* 0: no source time, 1: after MESSAGE */
	struct out c = { 0 };
	int first = 1, other = rnd(6) == 0;
	const char *end = pretty ? "\n}\n" : "}\n";

	put_cursor(&c, j, op, seq, ts);
	out_put(&c, "", 1);
	if (other) {
		jfield(o, pretty, &first, "__CURSOR", "%s", c.p);
		jfield(o, pretty, &first, "__REALTIME_TIMESTAMP", "%" PRIu64, rt);
		jfield(o, pretty, &first, "__MONOTONIC_TIMESTAMP", "%" PRIu64, ts);
		jfield(o, pretty, &first, "_BOOT_ID", "%016" PRIx64 "%016" PRIx64, j->boot[0], j->boot[1]);
		jfield(o, pretty, &first, "_TRANSPORT", "syslog");
		jfield(o, pretty, &first, "PRIORITY", "3");
		jfield(o, pretty, &first, "SYSLOG_IDENTIFIER", "myapp");
		jfield(o, pretty, &first, "_PID", "%u", 100 + rnd(900));
		jfield(o, pretty, &first, "MESSAGE", "Kernel panic - not syncing: not a kernel message");
		jfield(o, pretty, &first, "_HOSTNAME", "%s", op->host);
		out_str(o, end);
		first = 1;
		seq++;
		c.len = 0;
		put_cursor(&c, j, op, seq, ts);
		out_put(&c, "", 1);
	}
	jfield(o, pretty, &first, "__CURSOR", "%s", c.p);
	jfield(o, pretty, &first, "__REALTIME_TIMESTAMP", "%" PRIu64, rt + 1000u * rnd(50));
	jfield(o, pretty, &first, "__MONOTONIC_TIMESTAMP", "%" PRIu64, where ? ts + 1000u * rnd(50) : ts);
	jfield(o, pretty, &first, "_BOOT_ID", "%016" PRIx64 "%016" PRIx64, j->boot[0], j->boot[1]);
	jfield(o, pretty, &first, "_MACHINE_ID", "%016" PRIx64 "%016" PRIx64, j->machine[0], j->machine[1]);
	jfield(o, pretty, &first, "_HOSTNAME", "%s", op->host);
	jfield(o, pretty, &first, "_RUNTIME_SCOPE", "system");
	jfield(o, pretty, &first, "_TRANSPORT", "kernel");
	jfield(o, pretty, &first, "PRIORITY", "%d", lvl);
	jfield(o, pretty, &first, "SYSLOG_FACILITY", "0");
	jfield(o, pretty, &first, "SYSLOG_IDENTIFIER", "kernel");
	if (where > 1)
		jfield(o, pretty, &first, "_SOURCE_MONOTONIC_TIMESTAMP", "%" PRIu64, ts);
	jkey(o, pretty, &first, "MESSAGE");
	put_json_text(o, l, pretty ? 2 : 1);
	if (where == 1)
		jfield(o, pretty, &first, "_SOURCE_MONOTONIC_TIMESTAMP", "%" PRIu64, ts);
	out_str(o, end);
	free(c.p);
}

/* journalctl -o verbose: the header line, then the fields. */
static void journal_verbose(struct out *o, const struct journal_ids *j, const struct opts *op, const struct line *l,
			    size_t seq, int lvl)
{
	struct tm_ t = local_time(op, l->ts_us);
	uint32_t where = rnd(5);   /* 0: no source time (m= is the kernel's time), 1: after MESSAGE */
	uint64_t m = where ? l->ts_us + 1000u * rnd(50) : l->ts_us;

	out_printf(o, "%s %04d-%02d-%02d %02d:%02d:%02d.%06u %s [", day_names[t.wday], t.year, t.mon + 1, t.mday,
		   t.hour, t.min, t.sec, t.us, op->tz_min == 60 ? "CET" : "UTC");
	put_cursor(o, j, op, seq, m);
	out_printf(o, "]\n    _BOOT_ID=%016" PRIx64 "%016" PRIx64 "\n    _MACHINE_ID=%016" PRIx64 "%016" PRIx64
		   "\n    _HOSTNAME=%s\n    _RUNTIME_SCOPE=system\n    _TRANSPORT=kernel\n    PRIORITY=%d\n"
		   "    SYSLOG_FACILITY=0\n    SYSLOG_IDENTIFIER=kernel\n", j->boot[0], j->boot[1], j->machine[0],
		   j->machine[1], op->host, lvl);
	if (where > 1)
		out_printf(o, "    _SOURCE_MONOTONIC_TIMESTAMP=%" PRIu64 "\n", l->ts_us);
	out_put(o, "    MESSAGE=", 12);
	put_text(o, l);
	out_put(o, "\n", 1);
	if (where == 1)
		out_printf(o, "    _SOURCE_MONOTONIC_TIMESTAMP=%" PRIu64 "\n", l->ts_us);
}

/* dmesg --json (util-linux 2.37+): one object a line in "dmesg": [ ];
 * the level as pri (facility << 3 | level), or as names (--decode), or
 * not at all, by seed; the caller when the console showed one. */
static void dmesg_json(struct out *o, const struct opts *op, const struct line *l, int first, int lvl)
{
	if (!first)
		out_put(o, ",\n", 2);
	out_put(o, "      {", 7);
	if (op->seed % 3 == 0)
		out_printf(o, "\"pri\": %d, ", lvl);
	else if (op->seed % 3 == 1)
		out_printf(o, "\"fac\": \"kern\", \"pri\": \"%s\", ", level_names[lvl]);
	out_printf(o, "\"time\": %5" PRIu64 ".%06" PRIu64 ", ", l->ts_us / 1000000u, l->ts_us % 1000000u);
	if (l->caller_kind)
		out_printf(o, "\"caller\": \"%c%" PRIu32 "\", ", l->caller_kind, l->caller);
	out_put(o, "\"msg\": ", 7);
	put_json_text(o, l, 0);
	out_put(o, "}", 1);
}

static void render(struct out *o, enum form f, const struct line *v, size_t n, const struct opts *op)
{
	size_t i, pending = 0, *burst = NULL;
	uint64_t prev = 0;
	int last_min = -1, first = 1;
	struct journal_ids jids;

	if (f == F_JOURNAL_SHORT)
		out_printf(o, "-- Boot %016" PRIx64 "%016" PRIx64 " --\n", (uint64_t)(op->seed * 0x9e3779b97f4a7c15ull),
			   (uint64_t)(op->seed ^ 0x5bd1e995u));
	if (f == F_DOUBLED && !(burst = calloc(n ? n : 1, sizeof *burst)))
		die(PS_EXIT_NOMEM, "out of memory");
	journal_ids(&jids, op);
	if (f == F_DMESG_JSON)
		out_str(o, "{\n   \"dmesg\": [\n");
	for (i = 0; i < n; i++) {
		const struct line *l = &v[i];
		uint64_t ts = l->ts_us, delta = ts >= prev ? ts - prev : 0;
		int lvl = level_of(l);
		char kind;
		uint32_t id;
		struct tm_ t;

		if (!l->has_ts && !l->len) {   /* blank lines stay blank */
			if (f != F_DMESG_JSON)
				out_put(o, "\n", 1);
			continue;
		}
		if (f == F_JOURNAL_JSON || f == F_JOURNAL_PRETTY || f == F_JOURNAL_VERBOSE || f == F_DMESG_JSON) {
			if (f == F_JOURNAL_JSON || f == F_JOURNAL_PRETTY)
				journal_json(o, &jids, op, l, 2 * i + 1, lvl, f == F_JOURNAL_PRETTY);
			else if (f == F_JOURNAL_VERBOSE)
				journal_verbose(o, &jids, op, l, i + 1, lvl);
			else
				dmesg_json(o, op, l, first, lvl);
			first = 0;
			prev = ts;
			continue;
		}
		switch (f) {
		case F_PLAIN:
			put_kts(o, ts);
			out_put(o, " ", 1);
			break;
		case F_NOTIME:
		case F_JOURNAL_CAT:
			break;
		case F_RAW:
			out_printf(o, "<%d>", lvl);
			put_kts(o, ts);
			out_put(o, " ", 1);
			break;
		case F_LEVEL:
			out_printf(o, "<%d>", lvl);
			break;
		case F_KMSG:
		case F_KMSG_CALLER:
			out_printf(o, "%d,%zu,%" PRIu64 ",%c", lvl, i + 1000, ts, i && rnd(17) == 0 ? 'c' : '-');
			if (f == F_KMSG_CALLER) {
				caller_of(l, &kind, &id);
				out_printf(o, ",caller=%c%" PRIu32, kind, id);
			}
			out_put(o, ";", 1);
			break;
		case F_CALLERS:
			put_kts(o, ts);
			caller_of(l, &kind, &id);
			put_caller(o, kind, id);
			out_put(o, " ", 1);
			break;
		case F_SYSLOG:
			syslog_line(o, op, l, 1);
			break;
		case F_DOUBLED:   /* below */
			break;
		case F_SYSLOG_NOTS:
			syslog_line(o, op, l, 0);
			break;
		case F_SYSLOG_MIXED:
			while (rnd(4) == 0) {
				put_bsd(o, op, ts, 0, 0);
				out_printf(o, " %s ", op->host);
				put_daemon(o);
				out_put(o, "\n", 1);
			}
			syslog_line(o, op, l, 1);
			break;
		case F_SYSLOG_NOSPACE:
			put_bsd(o, op, ts, 0, 0);
			out_printf(o, " %s kernel:", op->host);
			put_kts(o, ts);
			out_put(o, " ", 1);
			break;
		case F_SYSLOG_ISO:
		case F_SYSLOG_ISO_TS:
		case F_JOURNAL_ISO_PRECISE:
			put_iso(o, op, ts, '.', 1);
			out_printf(o, " %s kernel: ", op->host);
			if (f == F_SYSLOG_ISO_TS) {
				put_kts(o, ts);
				out_put(o, " ", 1);
			}
			break;
		case F_KERNEL_TAG:
			out_put(o, "kernel: ", 8);
			put_kts(o, ts);
			out_put(o, " ", 1);
			break;
		case F_JOURNAL_SHORT:
		case F_JOURNAL_PRECISE:
			put_bsd(o, op, ts, 1, f == F_JOURNAL_PRECISE);
			out_printf(o, " %s kernel: ", op->host);
			break;
		case F_JOURNAL_ISO:
			put_iso(o, op, ts, 0, 0);
			out_printf(o, " %s kernel: ", op->host);
			break;
		case F_JOURNAL_FULL:
			t = local_time(op, ts);
			out_printf(o, "%s %04d-%02d-%02d %02d:%02d:%02d ", day_names[t.wday], t.year, t.mon + 1,
				   t.mday, t.hour, t.min, t.sec);
			if (op->tz_min == 60)
				out_put(o, "CET", 3);
			else if (op->tz_min == 0)
				out_put(o, "UTC", 3);
			else
				put_zone(o, op, 0);
			out_printf(o, " %s kernel: ", op->host);
			break;
		case F_JOURNAL_MONOTONIC:
			put_kts(o, ts);
			out_printf(o, " %s kernel: ", op->host);
			break;
		case F_JOURNAL_DELTA:
		case F_DMESG_D:
			out_printf(o, "[%5" PRIu64 ".%06" PRIu64 " <%5" PRIu64 ".%06" PRIu64 ">]", ts / 1000000u,
				   ts % 1000000u, delta / 1000000u, delta % 1000000u);
			if (f == F_JOURNAL_DELTA)
				out_printf(o, " %s kernel:", op->host);
			out_put(o, " ", 1);
			break;
		case F_JOURNAL_UNIX:
			out_printf(o, "%" PRId64 ".%06" PRIu64 " %s kernel: ", op->boot + (int64_t)(ts / 1000000u),
				   ts % 1000000u, op->host);
			break;
		case F_DMESG_T:
			t = local_time(op, ts);
			out_printf(o, "[%s %s %2d %02d:%02d:%02d %04d] ", day_names[t.wday], mon_names[t.mon], t.mday,
				   t.hour, t.min, t.sec, t.year);
			break;
		case F_DMESG_H:
			t = local_time(op, ts);
			if (t.min + 60 * (t.hour + 24 * t.mday) != last_min) {
				last_min = t.min + 60 * (t.hour + 24 * t.mday);
				out_printf(o, "[%s%2d %02d:%02d] ", mon_names[t.mon], t.mday, t.hour, t.min);
			} else {
				out_printf(o, delta < 10000000u ? "[  +%" PRIu64 ".%06" PRIu64 "] " :
					   "[ +%" PRIu64 ".%06" PRIu64 "] ", delta / 1000000u, delta % 1000000u);
			}
			break;
		case F_DMESG_X:
			out_printf(o, "kern  :%-6s: ", level_names[lvl]);
			put_kts(o, ts);
			out_put(o, " ", 1);
			break;
		case F_DMESG_ISO:
			put_iso(o, op, ts, ',', 1);
			out_put(o, " ", 1);
			break;
		case F_JOURNAL_JSON:
		case F_JOURNAL_PRETTY:
		case F_JOURNAL_VERBOSE:
		case F_DMESG_JSON:
		case F_NFORMS:
			break;
		}
		if (f == F_DOUBLED) {
			size_t k;

			/* the console shows the line at once; syslog writes its
			 * copy later, several at a time, with the kernel
			 * timestamp (klogd) or without (forwarded by the
			 * journal) */
			put_kts(o, ts);
			out_put(o, " ", 1);
			put_text(o, l);
			out_put(o, "\n", 1);
			burst[pending++] = i;
			if (rnd(4) == 0 || pending > 8) {
				int kts = (int)rnd(2);

				for (k = 0; k < pending; k++) {
					syslog_line(o, op, &v[burst[k]], kts);
					put_text(o, &v[burst[k]]);
					out_put(o, "\n", 1);
				}
				pending = 0;
			}
			prev = ts;
			continue;
		}
		put_text(o, l);
		out_put(o, "\n", 1);
		if (f == F_KMSG || f == F_KMSG_CALLER) {
			if (starts(l, "pci ") && l->len > 16) {
				out_str(o, " SUBSYSTEM=pci\n DEVICE=+pci:");
				out_put(o, l->text + 4, 12);
				out_put(o, "\n", 1);
			} else if (rnd(9) == 0) {
				out_str(o, " SUBSYSTEM=platform\n DEVICE=+platform:serial8250\n");
			}
		}
		prev = ts;
	}
	/* the last burst of syslog copies never reaches the disk: the
	 * machine died */
	free(burst);
	if (f == F_DMESG_JSON)
		out_str(o, first ? "   ]\n}\n" : "\n   ]\n}\n");
}

/* ---- wrappers: rewrite the rendered text line by line ---- */

static void wrap_lines(struct out *o, const char *w, const struct opts *op)
{
	struct out r = { 0 };
	size_t pos = 0;
	int glued = 0;

	while (pos < o->len) {
		const char *nl = memchr(o->p + pos, '\n', o->len - pos);
		size_t end = nl ? (size_t)(nl - o->p) : o->len, n = end - pos;
		const char *s = o->p + pos;

		if (!strcmp(w, "glued")) {
			/* glue the next line to this one when both carry a
			 * kernel timestamp: the newline of this one is lost */
			int next_ts = nl && end + 1 < o->len && o->p[end + 1] == '[';

			out_put(&r, s, n);
			if (!(next_ts && n && s[0] == '[' && !glued && rnd(6) == 0)) {
				out_put(&r, "\n", 1);
				glued = 0;
			} else {
				glued = 1;
			}
		} else if (!strcmp(w, "wrapped")) {
			size_t k = 0;

			do {
				size_t m = n - k > op->width ? op->width : n - k;

				out_put(&r, s + k, m);
				out_put(&r, "\n", 1);
				k += m;
			} while (k < n);
		} else if (!strcmp(w, "quoted") || !strcmp(w, "quoted2")) {
			const char *q = w[6] ? ">>" : ">";

			out_put(&r, q, strlen(q));
			if (n)
				out_put(&r, " ", 1);
			out_put(&r, s, n);
			out_put(&r, "\n", 1);
		} else if (!strcmp(w, "crlf")) {
			out_put(&r, s, n);
			out_put(&r, "\r\n", 2);
		} else if (!strcmp(w, "serial")) {
			uint32_t c = rnd(12);

			if (c == 0)
				out_put(&r, "\r", 1);
			else if (c == 1)
				out_put(&r, "host login: \r", 13);
			out_put(&r, s, n);
			out_put(&r, c == 2 ? "\r\r\n" : "\r\n", c == 2 ? 3 : 2);
		}
		pos = end + 1;
	}
	free(o->p);
	*o = r;
	if (!o->p)
		out_put(o, "", 0);
}

static int find_form(const char *name, size_t n)
{
	int f;

	for (f = 0; f < F_NFORMS; f++)
		if (strlen(forms[f].name) == n && !memcmp(forms[f].name, name, n))
			return f;
	return -1;
}

static int find_wrapper(const char *name, size_t n)
{
	size_t k;

	for (k = 0; k < NWRAPPERS; k++)
		if (strlen(wrappers[k].name) == n && !memcmp(wrappers[k].name, name, n))
			return (int)k;
	return -1;
}

static void usage(FILE *f)
{
	fputs("usage: panicsage logform [OPTIONS] FORM[+WRAPPER...] [FILE|-]\n"
	      "       panicsage logform --list\n"
	      "Renders a plain kernel log ('[ts] text' lines, dmesg's default output; a case\n"
	      "file's header is copied through) in FORM on stdout, then applies each WRAPPER\n"
	      "in order.  FILE defaults to stdin.\n"
	      "  --seed N      choices that vary (default 1): same input, form, seed = same output\n"
	      "  --boot EPOCH  UTC seconds at timestamp 0 (default 1709542800, 2024-03-04 09:00:00)\n"
	      "  --tz +HH:MM   local time zone of the wall-clock forms (default +01:00)\n"
	      "  --host NAME   host name in syslog and journal lines (default node7)\n"
	      "  --width N     columns of the wrapped wrapper (default 80)\n"
	      "  --list        print the forms and wrappers\n"
	      "Exit: 0 written, 2 usage, 3 input unreadable or output unwritable.\n", f);
}

static void list(void)
{
	size_t k;

	puts("forms:");
	for (k = 0; k < F_NFORMS; k++)
		printf("  %-20s %s\n", forms[k].name, forms[k].what);
	puts("wrappers (FORM+WRAPPER...):");
	for (k = 0; k < NWRAPPERS; k++)
		printf("  %-20s %s\n", wrappers[k].name, wrappers[k].what);
}

/* --tz +HH:MM: minutes east of UTC into *(int *)dst */
static int parse_tz(void *dst, const char *name, char **vals)
{
	const char *z = vals[0];
	int m;

	if (strlen(z) != 6 || (z[0] != '+' && z[0] != '-') || !digit(z[1]) || !digit(z[2]) || z[3] != ':' ||
	    !digit(z[4]) || !digit(z[5])) {
		cli_error("logform: %s: +HH:MM or -HH:MM, not '%s'", name, z);
		return PS_EXIT_USAGE;
	}
	m = ((z[1] - '0') * 10 + (z[2] - '0')) * 60 + (z[4] - '0') * 10 + (z[5] - '0');
	if (m > 14 * 60) {
		cli_error("logform: %s: at most 14 hours", name);
		return PS_EXIT_USAGE;
	}
	*(int *)dst = z[0] == '-' ? -m : m;
	return PS_EXIT_OK;
}

int cmd_logform(int argc, char **argv)
{
	struct opts op = { 1, 1709542800, 60, "node7", 80 };
	uint32_t seed = 1, boot = 1709542800, width = 80;
	int show_list = 0, nargs = 0, f, rc;
	char *args[2];
	const struct cli_opt opts[] = {
		CLI_FLAG("--list", &show_list),
		CLI_U32("--seed", &seed, 0, 0x7fffffff),
		CLI_U32("--boot", &boot, 0, 4102444800.0),
		CLI_STR("--host", &op.host),
		CLI_U32("--width", &width, 8, 100000),
		CLI_CALL("--tz", parse_tz, &op.tz_min),
		CLI_END
	};
	const struct cli_spec cs = { "logform", opts, usage, 0, 2 };
	const char *spec, *path, *p;
	struct out o = { 0 };
	struct line *v;
	size_t len, hdr, n;
	char *buf;

	if ((rc = cli_parse(&cs, argc, argv, args, &nargs)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	if (show_list) {
		list();
		return PS_EXIT_OK;
	}
	if (nargs < 1) {
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	if (!*op.host || strpbrk(op.host, " :\n")) {
		cli_error("logform: --host: a name without spaces or colons");
		return PS_EXIT_USAGE;
	}
	op.seed = seed;
	op.boot = boot;
	op.width = width;
	spec = args[0];
	path = nargs > 1 ? args[1] : "-";
	p = strchr(spec, '+');
	f = find_form(spec, p ? (size_t)(p - spec) : strlen(spec));
	if (f < 0)
		die(PS_EXIT_USAGE, "unknown form '%.*s' (--list shows them)", (int)(p ? p - spec : (long)strlen(spec)), spec);
	for (const char *w = p; w; w = strchr(w + 1, '+')) {
		const char *e = strchr(w + 1, '+');

		if (find_wrapper(w + 1, e ? (size_t)(e - w - 1) : strlen(w + 1)) < 0)
			die(PS_EXIT_USAGE, "unknown wrapper '%.*s' (--list shows them)", (int)(e ? e - w - 1 : (long)strlen(w + 1)),
			    w + 1);
	}
	rng_state = op.seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;

	if ((rc = cli_read_file(path, &buf, &len)) != PS_EXIT_OK)
		return rc;
	hdr = case_header(buf, len);
	v = read_lines(buf + hdr, len - hdr, &n);
	render(&o, (enum form)f, v, n, &op);
	for (const char *w = p; w; w = strchr(w + 1, '+')) {
		const char *e = strchr(w + 1, '+');
		char name[16];
		size_t k = e ? (size_t)(e - w - 1) : strlen(w + 1);

		memcpy(name, w + 1, k);
		name[k] = 0;
		wrap_lines(&o, name, &op);
	}
	if (fwrite(buf, 1, hdr, stdout) != hdr || (o.len && fwrite(o.p, 1, o.len, stdout) != o.len) ||
	    fflush(stdout))
		die(PS_EXIT_IO, "write error: %s", strerror(errno));
	free(o.p);
	free(v);
	free(buf);
	return 0;
}
