#include "core/log.h"

#include <string.h>

#include "core/status.h"
#include "core/word.h"

#define US 1000000

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }

/* Parses decimal digits at s[*i], at most `max` of them; returns how
 * many were read and stores the value (saturating) in *v. */
static size_t digits(const char *s, size_t n, size_t *i, size_t max, uint64_t *v)
{
	size_t k = 0;

	*v = 0;
	while (*i < n && k < max && is_digit(s[*i])) {
		if (*v < UINT64_MAX / 10)
			*v = *v * 10 + (uint64_t)(s[*i] - '0');
		(*i)++;
		k++;
	}
	return k;
}

static void skip_spaces(const char *s, size_t n, size_t *i)
{
	while (*i < n && s[*i] == ' ')
		(*i)++;
}

static int has(const char *s, size_t n, size_t i, const char *lit, size_t k)
{
	return i <= n && n - i >= k && memcmp(s + i, lit, k) == 0;
}

/* Index of the first ' ' in s[0..n), or n; a word at a time. */
static size_t first_space(const char *s, size_t n)
{
	size_t i = 0;

	while (i + 8 <= n) {
		uint64_t m = ps_word_eq(ps_load64(s + i), ' ');

		if (m) {
#if PS_LOWEST_FLAG_EXACT
			return i + (size_t)__builtin_ctzll(m) / 8;
#else
			break;
#endif
		}
		i += 8;
	}
	while (i < n && s[i] != ' ')
		i++;
	return i;
}

/* ---- time ---- */

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (m 1..12). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* "Jan".."Dec" at s[i] → 1..12, or 0. */
static unsigned month(const char *s, size_t n, size_t i)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	unsigned m;

	if (i > n || n - i < 3 || !is_upper(s[i]))
		return 0;
	for (m = 0; m < 12; m++)
		if (memcmp(s + i, names + 3 * m, 3) == 0)
			return m + 1;
	return 0;
}

/* "Sun".."Sat" at s[i]. */
static int weekday(const char *s, size_t n, size_t i)
{
	static const char names[] = "SunMonTueWedThuFriSat";
	unsigned d;

	if (i > n || n - i < 3 || !is_upper(s[i]))
		return 0;
	for (d = 0; d < 7; d++)
		if (memcmp(s + i, names + 3 * d, 3) == 0)
			return 1;
	return 0;
}

/* "hh:mm" or "hh:mm:ss" at s[*i] → seconds of the day. */
static int clock_time(const char *s, size_t n, size_t *i, int with_sec, int64_t *secs)
{
	size_t j = *i, len = with_sec ? 8 : 5;
	int h, m, sec = 0;

	if (j + len > n || !is_digit(s[j]) || !is_digit(s[j + 1]) || s[j + 2] != ':' ||
	    !is_digit(s[j + 3]) || !is_digit(s[j + 4]))
		return 0;
	h = (s[j] - '0') * 10 + (s[j + 1] - '0');
	m = (s[j + 3] - '0') * 10 + (s[j + 4] - '0');
	if (with_sec) {
		if (s[j + 5] != ':' || !is_digit(s[j + 6]) || !is_digit(s[j + 7]))
			return 0;
		sec = (s[j + 6] - '0') * 10 + (s[j + 7] - '0');
	}
	if (h > 23 || m > 59 || sec > 60)
		return 0;
	*secs = (int64_t)h * 3600 + m * 60 + sec;
	*i = j + len;
	return 1;
}

/* An optional fraction of a second after '.' (or ',' when comma is set)
 * at s[*i] → µs.  Returns the number of digits (0: none there). */
static size_t fraction(const char *s, size_t n, size_t *i, int comma, int64_t *us)
{
	size_t j = *i + 1, k;
	uint64_t v;

	*us = 0;
	if (*i >= n || (s[*i] != '.' && !(comma && s[*i] == ',')))
		return 0;
	k = digits(s, n, &j, 9, &v);
	if (!k)
		return 0;
	*i = j;
	for (j = k; j < 6; j++)
		v *= 10;
	for (; j > 6; j--)
		v /= 10;
	*us = (int64_t)v;
	return k;
}

/* "YYYY-MM-DD" at s[*i] → days since 1970. */
static int iso_date(const char *s, size_t n, size_t *i, int64_t *days)
{
	size_t j = *i;
	uint64_t y, m, d;

	if (digits(s, n, &j, 4, &y) != 4 || j >= n || s[j++] != '-' ||
	    digits(s, n, &j, 2, &m) != 2 || j >= n || s[j++] != '-' ||
	    digits(s, n, &j, 2, &d) != 2 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	*days = days_from_civil((int64_t)y, (unsigned)m, (unsigned)d);
	*i = j;
	return 1;
}

/* "Z", "+01:00", "+0100", "+01" at s[*i] → seconds east of UTC. */
static void zone(const char *s, size_t n, size_t *i, int64_t *east)
{
	size_t j = *i + 1;
	uint64_t h, m = 0;
	int neg;

	*east = 0;
	if (*i < n && s[*i] == 'Z') {
		(*i)++;
		return;
	}
	if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
		return;
	neg = s[*i] == '-';
	if (digits(s, n, &j, 2, &h) != 2)
		return;
	if (j < n && s[j] == ':')
		j++;
	if (j < n && is_digit(s[j]) && digits(s, n, &j, 2, &m) != 2)
		return;
	*east = (int64_t)(h * 3600 + m * 60) * (neg ? -1 : 1);
	*i = j;
}

/* ---- per-log state ---- */

/* dmesg -H's running time stops growing here (about 3000 years). */
#define H_MAX ((int64_t)1 << 56)

struct ctx {
	int64_t h_prev;      /* dmesg -H: time of the line before, or PS_NO_TS */
	int64_t bsd_prev;    /* the last time without a year, to notice New Year */
	int64_t bsd_year;    /* year given to those (2000 first: a leap year) */
	const char *host;    /* host of the journal's "[ts] host kernel:" lines */
	size_t hostlen;
	int kmsg;            /* the line before was a /dev/kmsg record */
	struct ps_arena *a;  /* for decoded JSON strings; NULL: left as printed */
	const char *end;     /* the end of the log text, or NULL (one line alone) */
	int dmesg_json;      /* inside dmesg --json's "dmesg": [ ... ] */
};

static void ctx_init(struct ctx *c)
{
	c->h_prev = PS_NO_TS;
	c->bsd_prev = PS_NO_TS;
	c->bsd_year = 2000;
	c->host = NULL;
	c->hostlen = 0;
	c->kmsg = 0;
	c->a = NULL;
	c->end = NULL;
	c->dmesg_json = 0;
}

/* A time of day on month m, day d of a year the line does not say:
 * the year before's, until the months wrap around (New Year). */
static int64_t yearless(struct ctx *c, unsigned m, unsigned d, int64_t secs)
{
	int64_t t = (days_from_civil(c->bsd_year, m, d) * 86400 + secs) * US;

	if (c->bsd_prev != PS_NO_TS && t < c->bsd_prev - (int64_t)183 * 86400 * US && c->bsd_year < 2400) {
		c->bsd_year++;     /* (a log of 400 New Years is not one: no further) */
		t = (days_from_civil(c->bsd_year, m, d) * 86400 + secs) * US;
	}
	c->bsd_prev = t;
	return t;
}

/* ---- prefixes ---- */

/* "[  12.345678]" (any number of fraction digits) or dmesg -d's
 * "[  12.345678 <    0.000123>]" → µs.  Returns the length, or 0. */
static size_t parse_ts(const char *s, size_t n, int64_t *ts)
{
	size_t i = 1, k, d;
	uint64_t sec = 0, frac = 0;

	if (n < 4 || s[0] != '[')
		return 0;
	/* digits() written out, every line of a dmesg comes here: at most
	 * 12 and 9 digits, which never overflow */
	while (i < n && s[i] == ' ')
		i++;
	for (d = i; i < n && i - d < 12 && is_digit(s[i]); i++)
		sec = sec * 10 + (uint64_t)(s[i] - '0');
	if (i == d || i >= n || s[i] != '.')
		return 0;
	for (d = ++i; i < n && i - d < 9 && is_digit(s[i]); i++)
		frac = frac * 10 + (uint64_t)(s[i] - '0');
	k = i - d;
	if (!k || i >= n)
		return 0;
	if (s[i] == ' ' && i + 1 < n && s[i + 1] == '<') {   /* dmesg -d's delta */
		for (i += 2; i < n && i < 64 && s[i] != '>'; i++)
			if (s[i] != ' ' && s[i] != '.' && !is_digit(s[i]))
				return 0;
		if (i >= n || s[i] != '>')
			return 0;
		i++;
	}
	if (i >= n || s[i] != ']')
		return 0;
	for (; k < 6; k++)
		frac *= 10;
	for (; k > 6; k--)
		frac /= 10;
	*ts = (int64_t)(sec * US + frac);
	return i + 1;
}

/* Where a kernel timestamp ("[  12.345678]", six fraction digits)
 * starts inside s[from..n), or n.  Serial consoles glue a fragment of
 * another writer's output ("syzkaller login: ", "** 12 printk messages
 * dropped ** ") or of another CPU's line in front of a kernel line. */
static size_t embedded_ts(const char *s, size_t from, size_t n)
{
	size_t i, j, k;

	for (i = from; i + 10 <= n; i++) {
		if (s[i] != '[') {
			/* to the next '[', eight bytes at a time */
			while (i + 8 <= n) {
				if (ps_word_eq(ps_load64(s + i), '['))
					break;
				i += 8;
			}
			while (i < n && s[i] != '[')
				i++;
			if (i + 10 > n)
				break;
		}
		j = i + 1;
		while (j < n && s[j] == ' ')
			j++;
		for (k = j; k < n && is_digit(s[k]); k++)
			;
		if (k == j || k >= n || s[k] != '.')
			continue;
		for (j = ++k; k < n && is_digit(s[k]); k++)
			;
		if (k - j == 6 && k < n && s[k] == ']')
			return i;
	}
	return n;
}

/* "[ T123]" or "[    C1]" → caller id.  Returns the length consumed, or 0. */
static size_t parse_caller(const char *s, size_t n, uint32_t *caller)
{
	size_t i = 1;
	uint64_t id;
	int cpu;

	if (n < 4 || s[0] != '[')
		return 0;
	skip_spaces(s, n, &i);
	if (i >= n || (s[i] != 'T' && s[i] != 'C'))
		return 0;
	cpu = s[i] == 'C';
	i++;
	if (!digits(s, n, &i, 9, &id) || i >= n || s[i] != ']')
		return 0;
	*caller = (uint32_t)id | (cpu ? PS_CALLER_CPU : 0);
	return i + 1;
}

/* After a "[ts]": a caller id ("[ts][ T42] ", the console's, or
 * "[ts] [    T42] ", newer dmesg's) and one space.  Returns the length. */
static size_t after_ts(const char *s, size_t n, uint32_t *caller)
{
	size_t k = n && s[0] == '[' ? parse_caller(s, n, caller) : 0;

	if (!k && n > 4 && s[0] == ' ' && s[1] == '[' && (k = parse_caller(s + 1, n - 1, caller)) != 0)
		k++;
	return k + (k < n && s[k] == ' ');
}

/* "<6>" → level.  Returns the length consumed, or 0. */
static size_t parse_level(const char *s, size_t n, int16_t *level)
{
	size_t i = 1;
	uint64_t v;

	if (n < 3 || s[0] != '<')
		return 0;
	if (!digits(s, n, &i, 4, &v) || i >= n || s[i] != '>')
		return 0;
	*level = (int16_t)(v & 7);
	return i + 1;
}

/* A syslog packet's priority before its time, as a remote syslog
 * receiver or a network capture shows it: "<4>Mar  4 10:11:12 host
 * kernel: " (RFC 3164) or "<4>1 2024-03-04T10:11:12.123456+01:00 host
 * kernel - - - " (RFC 5424, with its version).  The length of "<4>" or
 * "<4>1 ", the severity in *level; 0 for anything else ("<4>[ts]"). */
static size_t parse_syslog_pri(const char *s, size_t n, int16_t *level)
{
	size_t i = 1;
	uint64_t v;

	if (n < 8 || s[0] != '<' || !digits(s, n, &i, 3, &v) || v > 191 || i + 3 >= n || s[i] != '>')
		return 0;
	i++;
	if (is_upper(s[i]) && month(s, n, i) && s[i + 3] == ' ')
		;
	else if (s[i] == '1' && s[i + 1] == ' ' && is_digit(s[i + 2]))
		i += 2;
	else
		return 0;
	*level = (int16_t)(v & 7);
	return i;
}

/* /dev/kmsg: "6,1234,5678901,-;text" (prio,seq,µs,flags[,caller=T42]...;) */
static size_t parse_kmsg(const char *s, size_t n, int16_t *level, int64_t *ts, uint32_t *caller)
{
	size_t i = 0;
	uint64_t prio, seq, us;
	uint32_t who = PS_NO_CALLER;

	if (!digits(s, n, &i, 4, &prio) || i >= n || s[i++] != ',')
		return 0;
	if (!digits(s, n, &i, 20, &seq) || i >= n || s[i++] != ',')
		return 0;
	if (!digits(s, n, &i, 18, &us) || i >= n || s[i++] != ',')
		return 0;
	for (; i < n && i < 128 && s[i] != ';' && s[i] != ' '; i++) {
		if (has(s, n, i, ",caller=", 8) && i + 9 < n && (s[i + 8] == 'T' || s[i + 8] == 'C')) {
			size_t d = i + 9;
			uint64_t id;

			if (digits(s, n, &d, 9, &id))
				who = (uint32_t)id | (s[i + 8] == 'C' ? PS_CALLER_CPU : 0);
		}
	}
	if (i >= n || s[i] != ';')
		return 0;
	*level = (int16_t)(prio & 7);
	*ts = (int64_t)us;
	*caller = who;
	return i + 1;
}

/* dmesg -x: "kern  :info  : " (facility, level, each padded to six). */
static size_t parse_facility(const char *s, size_t n, int16_t *level)
{
	static const char names[8][7] = { "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug" };
	static const unsigned char lens[8] = { 5, 5, 4, 3, 4, 6, 4, 5 };
	size_t i = 0, l;
	int k;

	while (i < n && i < 8 && (is_lower(s[i]) || is_digit(s[i])))
		i++;
	if (i == 0)
		return 0;
	skip_spaces(s, n, &i);
	if (i >= n || s[i] != ':')
		return 0;
	l = ++i;
	while (i < n && is_lower(s[i]))
		i++;
	for (k = 0; k < 8; k++)
		if (i - l == lens[k] && memcmp(s + l, names[k], i - l) == 0)
			break;
	if (k == 8)
		return 0;
	skip_spaces(s, n, &i);
	if (i + 1 >= n || s[i] != ':' || s[i + 1] != ' ')
		return 0;
	*level = (int16_t)k;
	return i + 2;
}

enum { TAG_NONE, TAG_KERNEL, TAG_OTHER };

/* "host kernel: " (or "host kern.warn kernel: ", busybox) after a
 * syslog or journal time at s[*i]; another program's "host tag[42]: "
 * is TAG_OTHER.  On TAG_KERNEL *i is at the message. */
static int syslog_tag(const char *s, size_t n, size_t *i, const char **host, size_t *hostlen)
{
	size_t h = *i, t;

	while (*i < n && *i - h < 256 && s[*i] != ' ' && s[*i] != ':')
		(*i)++;
	if (*i == h || *i >= n || s[*i] != ' ')
		return has(s, n, h, "kernel:", 7) ? (*i = h + 7 + has(s, n, h + 7, " ", 1), TAG_KERNEL) : TAG_NONE;
	*host = s + h;
	*hostlen = *i - h;
	t = ++*i;
	/* busybox syslogd: "kern.warn " between host and tag */
	while (t < n && t - *i < 12 && is_lower(s[t]))
		t++;
	if (t > *i && t < n && s[t] == '.') {
		size_t u = t + 1;

		while (u < n && u - t < 12 && is_lower(s[u]))
			u++;
		if (u > t + 1 && u < n && s[u] == ' ')
			*i = u + 1;
	}
	if (has(s, n, *i, "kernel:", 7)) {
		*i += 7;
		if (*i < n && s[*i] == ' ')
			(*i)++;
		return TAG_KERNEL;
	}
	/* RFC 5424: "kernel PROCID MSGID SD " ("kernel - - - "); an SD
	 * element "[id key="v"]" has no ']' inside in practice */
	if (has(s, n, *i, "kernel ", 7)) {
		int f;

		t = *i + 7;
		for (f = 0; f < 3; f++) {
			size_t u = t;

			if (f == 2 && t < n && s[t] == '[')
				while (t < n && t - u < 1024 && s[t] != ']')
					t++;
			while (t < n && t - u < 1024 && s[t] != ' ')
				t++;
			if (t == u || t >= n)
				return TAG_NONE;
			t++;
		}
		*i = t;
		return TAG_KERNEL;
	}
	/* "tag: " or "tag[pid]: " */
	for (t = *i; t < n && t - *i < 128 && s[t] != ' ' && s[t] != ':' && s[t] != '['; t++)
		;
	if (t == *i || t >= n)
		return TAG_NONE;
	if (s[t] == '[') {
		uint64_t pid;

		t++;
		if (!digits(s, n, &t, 10, &pid) || t >= n || s[t] != ']')
			return TAG_NONE;
		t++;
	}
	return t < n && s[t] == ':' ? TAG_OTHER : TAG_NONE;
}

/* What a line's wall-clock prefix said. */
struct wall {
	int64_t us;          /* PS_NO_TS: none */
	int tag;             /* TAG_*: a syslog or journal line */
};

/* Wall-clock prefixes (see log.h): syslog, journal, dmesg -T/-H/iso.
 * Returns the length consumed, or 0. */
static size_t parse_wall(struct ctx *c, const char *s, size_t n, struct wall *w)
{
	size_t i = 0;
	int64_t secs, frac = 0, east = 0, days;
	uint64_t v;
	unsigned m, d;

	w->us = PS_NO_TS;
	w->tag = TAG_NONE;
	if (n < 12)
		return 0;
	if (is_upper(s[0]) && (m = month(s, n, 0)) != 0 && s[3] == ' ') {
		/* syslog and journalctl: "Mar  4 10:11:12[.123456] host tag: " */
		i = 4;
		skip_spaces(s, n, &i);
		if (!digits(s, n, &i, 2, &v) || v < 1 || v > 31 || i >= n || s[i++] != ' ' ||
		    !clock_time(s, n, &i, 1, &secs))
			return 0;
		d = (unsigned)v;
		fraction(s, n, &i, 0, &frac);
		if (i >= n || s[i++] != ' ')
			return 0;
		w->us = yearless(c, m, d, secs) + frac;
	} else if (is_upper(s[0]) && weekday(s, n, 0) && s[3] == ' ' && is_digit(s[4])) {
		/* journalctl -o short-full: "Mon 2024-03-04 10:11:12 CET host tag: " */
		i = 4;
		if (!iso_date(s, n, &i, &days) || i >= n || s[i++] != ' ' || !clock_time(s, n, &i, 1, &secs))
			return 0;
		fraction(s, n, &i, 0, &frac);
		if (i >= n || s[i++] != ' ')
			return 0;
		while (i < n && s[i] != ' ' && i < 40)   /* the zone's name: unknown offset */
			i++;
		if (i >= n || s[i++] != ' ')
			return 0;
		w->us = (days * 86400 + secs) * US + frac;
	} else if (is_digit(s[0]) && n > 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T') {
		/* "2024-03-04T10:11:12.123456+01:00 host tag: " (rsyslog, journalctl
		 * -o short-iso[-precise]) or "2024-03-04T10:11:12,123456+01:00 "
		 * (dmesg --time-format iso: no host, no tag) */
		int comma;

		if (!iso_date(s, n, &i, &days) || s[i++] != 'T' || !clock_time(s, n, &i, 1, &secs))
			return 0;
		comma = i < n && s[i] == ',';
		fraction(s, n, &i, 1, &frac);
		zone(s, n, &i, &east);
		if (i >= n || s[i++] != ' ')
			return 0;
		w->us = (days * 86400 + secs - east) * US + frac;
		if (comma)
			return i;
	} else if (is_digit(s[0]) && n > 20 && s[4] == '/' && s[7] == '/' && s[10] == ' ') {
		/* "2018/01/09 14:28:48 text": a fuzzer's or Go program's log
		 * prefix, no host or tag after it, no time kept */
		i = 11;
		if (!clock_time(s, n, &i, 1, &secs) || i >= n || s[i] != ' ')
			return 0;
		return i + 1;
	} else if (is_digit(s[0])) {
		/* journalctl -o short-unix: "1709546712.123456 host tag: " */
		size_t k = digits(s, n, &i, 12, &v);

		if (k < 9 || i >= n || s[i] != '.' || !fraction(s, n, &i, 0, &frac) || i >= n || s[i++] != ' ')
			return 0;
		w->us = (int64_t)v * US + frac;
		{
			size_t j = i;
			const char *h;
			size_t hl;

			if (syslog_tag(s, n, &j, &h, &hl) == TAG_NONE)
				return 0;
		}
	} else if (s[0] == '[' && is_upper(s[1]) && (month(s, n, 1) || weekday(s, n, 1))) {
		/* dmesg -T: "[Mon Mar  4 10:11:12 2024] "
		 * dmesg -H: "[Mar 4 10:11] ", "[Mar14 10:11] " */
		if (weekday(s, n, 1)) {
			i = 5;
			if (s[4] != ' ' || !(m = month(s, n, 5)) || s[8] != ' ')
				return 0;
			i = 9;
			skip_spaces(s, n, &i);
			if (!digits(s, n, &i, 2, &v) || v < 1 || v > 31 || i >= n || s[i++] != ' ' ||
			    !clock_time(s, n, &i, 1, &secs) || i >= n || s[i++] != ' ')
				return 0;
			d = (unsigned)v;
			if (digits(s, n, &i, 4, &v) != 4 || i + 1 >= n || s[i] != ']' || s[i + 1] != ' ')
				return 0;
			w->us = (days_from_civil((int64_t)v, m, d) * 86400 + secs) * US;
			return i + 2;
		}
		m = month(s, n, 1);
		i = 4;
		skip_spaces(s, n, &i);
		if (!digits(s, n, &i, 2, &v) || v < 1 || v > 31 || i >= n || s[i++] != ' ' ||
		    !clock_time(s, n, &i, 0, &secs) || i + 1 >= n || s[i] != ']' || s[i + 1] != ' ')
			return 0;
		/* The minute is all it says.  The first one stands for its
		 * start; the times after it are then early by e < 60 s, so a
		 * later minute M says the time is at least M - 60 s on that
		 * scale, and it is at least the line before's (its own delta
		 * is not printed). */
		w->us = yearless(c, m, (unsigned)v, secs);
		if (c->h_prev != PS_NO_TS) {
			w->us -= 60 * (int64_t)US;
			if (w->us < c->h_prev)
				w->us = c->h_prev;
		}
		c->h_prev = w->us;
		return i + 2;
	} else if (s[0] == '[' && (s[1] == ' ' || s[1] == '+')) {
		/* dmesg -H: "[  +0.000123] " after the line it is relative to */
		i = 1;
		skip_spaces(s, n, &i);
		if (i >= n || s[i++] != '+' || !digits(s, n, &i, 12, &v) || !fraction(s, n, &i, 0, &frac) ||
		    i + 1 >= n || s[i] != ']' || s[i + 1] != ' ')
			return 0;
		w->us = c->h_prev == PS_NO_TS ? 0 : c->h_prev;
		if (w->us < H_MAX)          /* deltas of junk could add up past int64 */
			w->us += (int64_t)v * US + frac;
		c->h_prev = w->us;
		return i + 2;
	} else {
		return 0;
	}
	w->tag = syslog_tag(s, n, &i, &c->host, &c->hostlen);
	if (w->tag == TAG_NONE)
		w->tag = TAG_OTHER;     /* a syslog time, but not the kernel's line */
	return i;
}

/* Index just past the last '\r' of s[0..n), or 0 when there is none,
 * eight bytes at a time from the end. */
static size_t after_last_cr(const char *s, size_t n)
{
	size_t i = n;

	while (i >= 8) {
		if (ps_word_eq(ps_load64(s + i - 8), '\r'))
			break;
		i -= 8;
	}
	while (i > 0 && s[i - 1] != '\r')
		i--;
	return i;
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* A mail quote's '>' at s[0]: then a space, another '>', the end, or
 * a prefix ("[ts]", "<4>") right after it. */
static int quote_mark(const char *s, size_t n)
{
	return n && s[0] == '>' && (n == 1 || s[1] == ' ' || s[1] == '>' || s[1] == '[' || s[1] == '<');
}

enum { LINE_KEEP, LINE_BLANK, LINE_DROP, LINE_NONE, LINE_NOMEM };

static void rec_init(struct ps_record *r, const char *s)
{
	r->text = s;
	r->len = 0;
	r->ts_us = PS_NO_TS;
	r->level = PS_NO_LEVEL;
	r->caller = PS_NO_CALLER;
	r->flags = 0;
}

/* ---- journal and dmesg JSON records, journalctl -o verbose ---- */

static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static unsigned hex4(const char *s)
{
	unsigned v = 0, k;

	for (k = 0; k < 4; k++)
		v = v * 16 + (unsigned)(is_digit(s[k]) ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10);
	return v;
}

/* JSON's white space (line ends: -o json-pretty's objects span lines) */
static void skip_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\n' || s[*i] == '\r'))
		(*i)++;
}

/* Is s[0..n) the NUL-terminated lit? */
static int same(const char *s, size_t n, const char *lit)
{
	size_t k;

	for (k = 0; k < n && lit[k]; k++)
		if (s[k] != lit[k])
			return 0;
	return k == n && !lit[k];
}

/* A JSON value: a string (p..n its bytes between the quotes, escapes
 * not decoded), an array of byte values 0..255 (p..n between the
 * brackets), a number (p..n its text), or anything else valid. */
enum { J_OTHER, J_STR, J_BYTES, J_NUM };
struct jval {
	const char *p;
	size_t n;
	int kind;
	int esc;             /* J_STR: has a '\' escape */
};

/* The string at s[*i] == '"'; checks its escapes (a \u surrogate must
 * come in a pair).  0 when malformed. */
static int json_string(const char *s, size_t n, size_t *i, struct jval *v)
{
	size_t j = *i + 1;

	v->kind = J_STR;
	v->esc = 0;
	v->p = s + j;
	for (; j < n && s[j] != '"'; j++) {
		if ((unsigned char)s[j] < 0x20)
			return 0;
		if (s[j] != '\\')
			continue;
		v->esc = 1;
		if (++j >= n)
			return 0;
		if (s[j] == 'u') {
			unsigned u;

			if (n - j < 5 || !is_hex(s[j + 1]) || !is_hex(s[j + 2]) || !is_hex(s[j + 3]) || !is_hex(s[j + 4]))
				return 0;
			u = hex4(s + j + 1);
			j += 4;
			if (u >= 0xdc00 && u <= 0xdfff)
				return 0;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (n - j < 7 || s[j + 1] != '\\' || s[j + 2] != 'u' || !is_hex(s[j + 3]) ||
				    !is_hex(s[j + 4]) || !is_hex(s[j + 5]) || !is_hex(s[j + 6]))
					return 0;
				u = hex4(s + j + 3);
				if (u < 0xdc00 || u > 0xdfff)
					return 0;
				j += 6;
			}
		} else if (s[j] != '"' && s[j] != '\\' && s[j] != '/' && s[j] != 'b' && s[j] != 'f' && s[j] != 'n' &&
			   s[j] != 'r' && s[j] != 't') {
			return 0;
		}
	}
	if (j >= n)
		return 0;
	v->n = (size_t)(s + j - v->p);
	*i = j + 1;
	return 1;
}

/* The value at s[*i]; arrays (journal byte arrays, several values of a
 * field) nest at most `depth` deep, objects are not values here. */
static int json_value(const char *s, size_t n, size_t *i, struct jval *v, int depth)
{
	size_t j = *i;

	if (j >= n)
		return 0;
	v->p = s + j;
	v->esc = 0;
	if (s[j] == '"')
		return json_string(s, n, i, v);
	if (s[j] == '[') {
		int bytes = 1;
		struct jval e;
		size_t k;

		if (!depth)
			return 0;
		j++;
		skip_ws(s, n, &j);
		while (j < n && s[j] != ']') {
			if (!json_value(s, n, &j, &e, depth - 1))
				return 0;
			if (e.kind != J_NUM || e.n > 3 || (e.n == 3 && memcmp(e.p, "255", 3) > 0))
				bytes = 0;
			for (k = 0; k < e.n; k++)
				bytes &= is_digit(e.p[k]);
			skip_ws(s, n, &j);
			if (j < n && s[j] == ',') {
				j++;
				skip_ws(s, n, &j);
				if (j < n && s[j] == ']')
					return 0;
			} else if (j < n && s[j] != ']') {
				return 0;
			}
		}
		if (j >= n)
			return 0;
		v->p = s + *i + 1;
		v->n = j - *i - 1;
		v->kind = bytes ? J_BYTES : J_OTHER;
		*i = j + 1;
		return 1;
	}
	if (s[j] == '-' || is_digit(s[j])) {
		j += s[j] == '-';
		if (j >= n || !is_digit(s[j]))
			return 0;
		while (j < n && (is_digit(s[j]) || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-'))
			j++;
		v->n = j - *i;
		v->kind = J_NUM;
		*i = j;
		return 1;
	}
	if (has(s, n, j, "null", 4) || has(s, n, j, "true", 4) || has(s, n, j, "false", 5)) {
		v->n = s[j] == 'f' ? 5 : 4;
		v->kind = J_OTHER;
		*i = j + v->n;
		return 1;
	}
	return 0;
}

/* The fields of a journal or dmesg JSON record that are read. */
enum { JF_MESSAGE, JF_MONO, JF_SRC_MONO, JF_TRANSPORT, JF_IDENT, JF_PRIORITY,
       JF_MSG, JF_TIME, JF_PRI, JF_CALLER, JF_N };
static const char *const jf_names[JF_N] = {
	"MESSAGE", "__MONOTONIC_TIMESTAMP", "_SOURCE_MONOTONIC_TIMESTAMP", "_TRANSPORT",
	"SYSLOG_IDENTIFIER", "PRIORITY", "msg", "time", "pri", "caller",
};

/* One flat object "{ "key": value, ... }" taking all of s[0..n) but a
 * ',' after it (dmesg's array); the values of the fields above in f
 * (kind J_OTHER when absent).  0 when s is no such object. */
static int json_object(const char *s, size_t n, struct jval f[JF_N])
{
	size_t i = 1;
	int k;

	for (k = 0; k < JF_N; k++)
		f[k].kind = J_OTHER, f[k].p = NULL, f[k].n = 0;
	skip_ws(s, n, &i);
	while (i < n && s[i] != '}') {
		struct jval key, val;

		if (s[i] != '"' || !json_string(s, n, &i, &key))
			return 0;
		skip_ws(s, n, &i);
		if (i >= n || s[i++] != ':')
			return 0;
		skip_ws(s, n, &i);
		if (!json_value(s, n, &i, &val, 2))
			return 0;
		for (k = 0; k < JF_N; k++)
			if (!key.esc && same(key.p, key.n, jf_names[k]))
				f[k] = val;
		skip_ws(s, n, &i);
		if (i < n && s[i] == ',') {
			i++;
			skip_ws(s, n, &i);
			if (i >= n || s[i] != '"')
				return 0;
		} else if (i < n && s[i] != '}') {
			return 0;
		}
	}
	if (i >= n)
		return 0;
	i++;
	skip_ws(s, n, &i);
	i += i < n && s[i] == ',';
	skip_ws(s, n, &i);
	return i == n;
}

/* Appends code point u as UTF-8 at t. */
static size_t put_utf8(char *t, unsigned u)
{
	if (u < 0x80) {
		t[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		t[0] = (char)(0xc0 | u >> 6);
		t[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		t[0] = (char)(0xe0 | u >> 12);
		t[1] = (char)(0x80 | (u >> 6 & 0x3f));
		t[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	t[0] = (char)(0xf0 | u >> 18);
	t[1] = (char)(0x80 | (u >> 12 & 0x3f));
	t[2] = (char)(0x80 | (u >> 6 & 0x3f));
	t[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/* A message value (a string, checked by json_string, or a byte array)
 * → r->text: the bytes themselves when there is nothing to decode or
 * no arena (ps_log_parse_line: left as printed), else decoded into the
 * arena, at most PS_MAX_LINE + 1 bytes (the caller cuts and counts). */
static int json_text(struct ctx *c, const struct jval *v, struct ps_record *r)
{
	size_t i, at = 0, cap = v->n < PS_MAX_LINE + 1 ? v->n : PS_MAX_LINE + 1;
	char *t;

	r->text = v->p;
	r->len = (uint32_t)cap;
	if ((v->kind == J_STR && !v->esc) || !c->a)
		return 1;
	if (!(t = PS_ALLOC_RAW(c->a, char, cap + 4)))   /* (4: the most a step writes) */
		return 0;
	for (i = 0; i < v->n && at < cap;) {
		char e;

		if (v->kind == J_BYTES) {
			uint64_t b;

			skip_ws(v->p, v->n, &i);
			if (i >= v->n)    /* "[ ]" */
				break;
			digits(v->p, v->n, &i, 3, &b);
			t[at++] = (char)b;
			skip_ws(v->p, v->n, &i);
			i++;     /* the ',' */
			continue;
		}
		if (v->p[i] != '\\') {
			t[at++] = v->p[i++];
			continue;
		}
		e = v->p[i + 1];
		i += 2;
		if (e == 'u') {
			unsigned u = hex4(v->p + i);

			i += 4;
			if (u >= 0xd800 && u <= 0xdbff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (hex4(v->p + i + 2) - 0xdc00);
				i += 6;
			}
			at += put_utf8(t + at, u);
			continue;
		}
		t[at++] = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
	}
	r->text = t;
	r->len = (uint32_t)(at < cap ? at : cap);
	return 1;
}

/* A string value holding only digits (journal timestamps) → value. */
static int json_uint(const struct jval *v, uint64_t *x)
{
	size_t i = 0;

	return v->kind == J_STR && v->n && digits(v->p, v->n, &i, 19, x) == v->n;
}

static int json_is(const struct jval *v, const char *lit)
{
	return v->kind == J_STR && same(v->p, v->n, lit);
}

/* A journal record's other fields: the kernel's, or another program's. */
static int journal_kernel(const struct jval *transport, const struct jval *ident)
{
	if (json_is(transport, "kernel") || json_is(ident, "kernel"))
		return 1;
	return transport->kind != J_STR && ident->kind != J_STR;   /* fields not shown */
}

/* journalctl -o json: {"__MONOTONIC_TIMESTAMP":"12345678", ...,
 * "MESSAGE":"text" or [byte, ...], "_TRANSPORT":"kernel", ...}. */
static int journal_json(struct ctx *c, struct ps_record *r, const struct jval *f)
{
	uint64_t us, lvl;

	if (f[JF_MESSAGE].kind == J_OTHER && f[JF_MESSAGE].p[0] != 'n')
		return LINE_NONE;     /* not a string, bytes or null */
	if (!journal_kernel(&f[JF_TRANSPORT], &f[JF_IDENT]) || f[JF_MESSAGE].kind == J_OTHER)
		return LINE_DROP;
	if (json_uint(&f[JF_SRC_MONO], &us) || json_uint(&f[JF_MONO], &us))
		r->ts_us = (int64_t)(us < (uint64_t)INT64_MAX ? us : (uint64_t)INT64_MAX);
	if (json_uint(&f[JF_PRIORITY], &lvl))
		r->level = (int16_t)(lvl & 7);
	r->flags |= PS_REC_SYSLOG;
	return json_text(c, &f[JF_MESSAGE], r) ? LINE_KEEP : LINE_NOMEM;
}

/* dmesg --json: {"pri": 6, "time":     0.123456, "caller": "T1", "msg": "text"},
 * "pri" a level name with --decode ("fac": "kern", "pri": "info"), or not there. */
static int dmesg_json(struct ctx *c, struct ps_record *r, const struct jval *f)
{
	static const char levels[] = "emerg alert crit  err   warn  noticeinfo  debug ";
	size_t i = 0;
	int64_t frac;
	uint64_t v;
	int k;

	if (f[JF_MSG].kind != J_STR)
		return f[JF_MSG].p[0] == 'n' ? LINE_DROP : LINE_NONE;
	if ((f[JF_TIME].kind == J_NUM || f[JF_TIME].kind == J_STR) && digits(f[JF_TIME].p, f[JF_TIME].n, &i, 12, &v) &&
	    fraction(f[JF_TIME].p, f[JF_TIME].n, &i, 0, &frac) && i == f[JF_TIME].n)
		r->ts_us = (int64_t)v * US + frac;
	i = 0;
	if (f[JF_PRI].kind == J_NUM && digits(f[JF_PRI].p, f[JF_PRI].n, &i, 4, &v) && i == f[JF_PRI].n)
		r->level = (int16_t)(v & 7);
	for (k = 0; k < 8 && f[JF_PRI].kind == J_STR && f[JF_PRI].n <= 6; k++)
		if (memcmp(levels + 6 * k, f[JF_PRI].p, f[JF_PRI].n) == 0 &&
		    (f[JF_PRI].n == 6 || levels[6 * k + f[JF_PRI].n] == ' '))
			r->level = (int16_t)k;
	if (f[JF_CALLER].kind == J_STR && f[JF_CALLER].n > 1) {
		const char *p = f[JF_CALLER].p;
		size_t m = f[JF_CALLER].n;

		i = 1;
		if ((p[0] == 'T' || p[0] == 'C') && digits(p, m, &i, 9, &v) && i == m)
			r->caller = (uint32_t)v | (p[0] == 'C' ? PS_CALLER_CPU : 0);
	}
	return json_text(c, &f[JF_MSG], r) ? LINE_KEEP : LINE_NOMEM;
}

/* A line of JSON, leading spaces and all: a record of journalctl -o
 * json or dmesg --json, or dmesg's frame around them ("{", "\"dmesg\": [",
 * "]", "}").  LINE_NONE when it is neither (malformed: plain text). */
static int json_line(struct ctx *c, struct ps_record *r, const char *s, size_t n)
{
	struct jval f[JF_N];
	size_t i = 0;

	skip_ws(s, n, &i);
	s += i;
	n -= i;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 10 && has(s, n, 0, "\"dmesg\":", 8) && s[n - 1] == '[') {
		c->dmesg_json = 1;
		return LINE_DROP;
	}
	if (n == 1 && s[0] == '{' && c->end) {   /* dmesg's first line, if "dmesg": [ follows */
		const char *q = s + 1;

		while (q < c->end && *q != '\n')
			q++;
		for (q += q < c->end; q < c->end && (*q == ' ' || *q == '\t'); q++)
			;
		if (has(q, (size_t)(c->end - q), 0, "\"dmesg\":", 8))   /* (q <= c->end) */
			return LINE_DROP;
	}
	if (c->dmesg_json && ((n == 1 && (s[0] == '}' || s[0] == ']')) || (n == 2 && s[0] == ']' && s[1] == ',')))
		return LINE_DROP;
	if (n < 2 || s[0] != '{' || !json_object(s, n, f))
		return LINE_NONE;
	if (f[JF_MESSAGE].p)
		return journal_json(c, r, f);
	if (f[JF_MSG].p)
		return dmesg_json(c, r, f);
	return LINE_NONE;
}


/* What parse_line found besides the record. */
struct parsed {
	const char *rest;    /* another record glued on after the text, or NULL */
	size_t rest_len;
	int prefixed;        /* the line had a prefix of any kind */
};

/* One line (or the rest of one) → *r.  `cr` 0 says it holds no '\r';
 * `split` 0 leaves glued records in the text. */
static int parse_line(struct ctx *c, struct ps_record *r, const char *s, size_t n, int cr, int split,
		      struct parsed *p)
{
	size_t k, i;
	int64_t kts = PS_NO_TS;
	struct wall w = { PS_NO_TS, TAG_NONE };
	int kmsg = 0, kind;

	rec_init(r, s);      /* no text for a line that is none (blank, dropped) */
	p->rest = NULL;
	p->rest_len = 0;
	p->prefixed = 0;

	/* Carriage returns: drop trailing ones; after an interior one, the
	 * terminal showed the text that followed. */
	if (cr) {
		while (n && s[n - 1] == '\r')
			n--;
		i = after_last_cr(s, n);
		s += i;
		n -= i;
	}
	/* mail quoting: "> ", ">> ", "> > ", ">[ts]"; not KASAN's
	 * ">ffff888012acfc00: fb fb" marking the row of a shadow dump */
	if (quote_mark(s, n)) {
		do {
			s++, n--;
			if (n && s[0] == ' ')
				s++, n--;
		} while (quote_mark(s, n));
		if (blank(s, n))
			return LINE_BLANK;
	}
	/* /dev/kmsg's " KEY=value" lines after a record */
	if (c->kmsg && n > 2 && s[0] == ' ' && (is_upper(s[1]) || s[1] == '_')) {
		for (i = 1; i < n && (is_upper(s[i]) || is_digit(s[i]) || s[i] == '_'); i++)
			;
		if (i < n && s[i] == '=')
			return LINE_DROP;
	}
	c->kmsg = 0;
	/* journalctl's "-- Boot 0123abcd... --", "-- No entries --" */
	if (n >= 6 && s[0] == '-' && s[1] == '-' && s[2] == ' ' && s[n - 3] == ' ' && s[n - 2] == '-' &&
	    s[n - 1] == '-')
		return LINE_DROP;
	/* journalctl -o json, dmesg --json */
	for (i = 0; i < n && s[i] == ' '; i++)
		;
	if (i < n && (s[i] == '{' || s[i] == '}' || s[i] == ']' || s[i] == '"') &&
	    (kind = json_line(c, r, s, n)) != LINE_NONE) {
		p->prefixed = 1;
		return kind;
	}

	/* most lines are dmesg's "[  12.345678] text": try that first */
	if (n && s[0] == '[' && (k = parse_ts(s, n, &kts)) != 0) {
		s += k;
		n -= k;
	} else {
		if (n && s[0] == '<' && (k = parse_syslog_pri(s, n, &r->level)) != 0) {
			s += k;
			n -= k;
		}
		if (n && is_lower(s[0]) && (k = parse_facility(s, n, &r->level)) != 0) {
			s += k;
			n -= k;
			p->prefixed = 1;
		}
		if (n && s[0] != '<' && (k = parse_wall(c, s, n, &w)) != 0) {
			if (w.tag == TAG_OTHER)
				return LINE_DROP;
			s += k;
			n -= k;
			p->prefixed = w.us != PS_NO_TS || w.tag != TAG_NONE;   /* not the fuzzer's prefix */
			if (w.tag == TAG_KERNEL)
				r->flags |= PS_REC_SYSLOG;
		} else if (n > 8 && s[0] == 'k' && has(s, n, 0, "kernel:", 7)) {
			/* a syslog line cut after the host: "kernel: [  12.3] text" */
			i = 7 + (s[7] == ' ');
			if (i < n && (s[i] == '[' || s[i] == '<') && (parse_ts(s + i, n - i, &kts) || s[i] == '<')) {
				s += i;
				n -= i;
				p->prefixed = 1;
				r->flags |= PS_REC_SYSLOG;
			}
			kts = PS_NO_TS;
		}
		if (n && is_digit(s[0]) && (k = parse_kmsg(s, n, &r->level, &kts, &r->caller)) != 0) {
			s += k;
			n -= k;
			kmsg = c->kmsg = 1;
		} else if (n && s[0] == '<' && (k = parse_level(s, n, &r->level)) != 0) {
			s += k;
			n -= k;
		}
		if (!kmsg && n && s[0] == '[' && (k = parse_ts(s, n, &kts)) != 0) {
			s += k;
			n -= k;
		}
	}
	if (!kmsg && kts != PS_NO_TS) {
		k = after_ts(s, n, &r->caller);
		s += k;
		n -= k;
		/* journalctl -o short-monotonic: "[  12.345678] host kernel: " */
		if (!(r->flags & PS_REC_SYSLOG) && n > 8 && r->caller == PS_NO_CALLER) {
			const char *h = NULL;
			size_t hl = 0, j = 0;
			int tag;

			i = first_space(s, n < 65 ? n : 65);
			if (i + 1 < n && s[i] == ' ' && ((s[i + 1] == 'k' && has(s, n, i + 1, "kernel:", 7)) ||
						      (c->host && i == c->hostlen && memcmp(s, c->host, i) == 0))) {
				tag = syslog_tag(s, n, &j, &h, &hl);
				if (tag == TAG_KERNEL) {
					c->host = h;
					c->hostlen = hl;
					s += j;
					n -= j;
					r->flags |= PS_REC_SYSLOG;
				} else if (tag == TAG_OTHER) {
					return LINE_DROP;
				}
			}
		}
	} else if (!kmsg && r->level == PS_NO_LEVEL && !p->prefixed && (i = embedded_ts(s, 1, n)) < n) {
		/* another writer's fragment glued in front of a kernel line */
		s += i;
		n -= i;
		k = parse_ts(s, n, &kts);
		k += after_ts(s + k, n - k, &r->caller);
		s += k;
		n -= k;
	} else if (!kmsg && n && s[0] == '[' && (k = parse_caller(s, n, &r->caller)) != 0) {
		s += k;
		n -= k;
		if (n && s[0] == ' ')
			s++, n--;
	}
	if (kts != PS_NO_TS || r->caller != PS_NO_CALLER || r->level != PS_NO_LEVEL)
		p->prefixed = 1;
	if (kts != PS_NO_TS) {
		r->ts_us = kts;
		/* "[ts] text[ts] text": two lines glued together */
		if (split && !kmsg && n > 10 && (i = embedded_ts(s, 1, n)) < n) {
			p->rest = s + i;
			p->rest_len = n - i;
			n = i;
		}
	} else if (w.us != PS_NO_TS) {
		r->ts_us = w.us;
		r->flags |= PS_REC_WALL;
	}
	r->text = s;
	r->len = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
	return LINE_KEEP;
}

int ps_log_parse_line(struct ps_record *r, const char *s, size_t n)
{
	struct ctx c;
	struct parsed p;

	ctx_init(&c);
	return parse_line(&c, r, s, n, 1, 0, &p) == LINE_KEEP;
}

/* Index of the newline ending the line that starts at pos, or len. */
static size_t line_end(const char *buf, size_t pos, size_t len)
{
	while (len - pos >= 8) {
		if (ps_word_eq(ps_load64(buf + pos), '\n'))
			break;
		pos += 8;
	}
	while (pos < len && buf[pos] != '\n')
		pos++;
	return pos;
}

/* journalctl -o verbose: a line "Thu 2024-03-04 10:11:12.123456 UTC
 * [s=...;i=...;b=...;m=12ab;t=...;x=...]" (m: the monotonic time in
 * hex µs), then the fields, "    KEY=value".  The record at buf[pos]:
 * *next is where the lines after it start, *lines how many it spans,
 * *at the line of its MESSAGE.  LINE_NONE when buf[pos] is no header. */
static int journal_verbose(struct ps_record *r, const char *buf, size_t pos, size_t end, size_t len,
			   size_t *next, uint32_t *lines, uint32_t *at)
{
	const char *s = buf + pos, *msg = NULL;
	size_t n = end - pos, i, msglen = 0;
	uint64_t m = 0, v;
	struct jval transport = { NULL, 0, J_OTHER, 0 }, ident = transport;
	int64_t src = PS_NO_TS;
	int hexd = 0;

	rec_init(r, s);
	while (n && s[n - 1] == '\r')
		n--;
	if (n < 40 || !weekday(s, n, 0) || s[3] != ' ' || !is_digit(s[4]) || s[n - 1] != ']')
		return LINE_NONE;
	for (i = 5; i < 64 && i + 4 < n && !has(s, n, i, " [s=", 4); i++)
		;
	if (!has(s, n, i, " [s=", 4))
		return LINE_NONE;
	for (; i < n && !has(s, n, i, ";m=", 3); i++)
		;
	for (i += 3; i < n && is_hex(s[i]) && hexd < 15; i++, hexd++)
		m = m * 16 + (is_digit(s[i]) ? (uint64_t)(s[i] - '0') : (uint64_t)((s[i] | 0x20) - 'a' + 10));
	if (!hexd || i >= n || (s[i] != ';' && s[i] != ']'))
		return LINE_NONE;
	*lines = 1;
	*at = 0;
	for (pos = end + 1; pos < len && len - pos >= 4 && memcmp(buf + pos, "    ", 4) == 0; pos = end + 1) {
		end = line_end(buf, pos, len);
		s = buf + pos + 4;
		n = end - pos - 4;
		while (n && s[n - 1] == '\r')
			n--;
		if (has(s, n, 0, "MESSAGE=", 8)) {
			msg = s + 8;
			msglen = n - 8;
			*at = *lines;
		} else if (has(s, n, 0, "_SOURCE_MONOTONIC_TIMESTAMP=", 28)) {
			i = 28;
			if (digits(s, n, &i, 18, &v) && i == n)
				src = (int64_t)v;
		} else if (has(s, n, 0, "_TRANSPORT=", 11)) {
			transport = (struct jval){ s + 11, n - 11, J_STR, 0 };
		} else if (has(s, n, 0, "SYSLOG_IDENTIFIER=", 18)) {
			ident = (struct jval){ s + 18, n - 18, J_STR, 0 };
		} else if (has(s, n, 0, "PRIORITY=", 9) && n == 10 && is_digit(s[9])) {
			r->level = (int16_t)((s[9] - '0') & 7);
		}
		++*lines;
	}
	*next = pos;
	if (!msg || !journal_kernel(&transport, &ident))
		return LINE_DROP;
	r->text = msg;
	r->len = (uint32_t)(msglen > UINT32_MAX ? UINT32_MAX : msglen);
	r->ts_us = src != PS_NO_TS ? src : (int64_t)m;
	r->flags |= PS_REC_SYSLOG;
	return LINE_KEEP;
}

/* journalctl -o json-pretty: a record's object over several lines, "{"
 * alone, "\t\"KEY\" : value," lines (an array's values a line each),
 * "}" alone.  The record at buf[pos]; *next, *lines and *at as for
 * journal_verbose.  LINE_NONE when buf[pos] starts no such object. */
static int journal_pretty(struct ctx *c, struct ps_record *r, const char *buf, size_t pos, size_t end, size_t len,
			  size_t *next, uint32_t *lines, uint32_t *at)
{
	struct jval f[JF_N];
	size_t i = end + 1, e = end, k;
	int kind, found = 0;

	rec_init(r, buf + pos);
	if (!blank(buf + pos + 1, end - pos - 1) || i >= len)
		return LINE_NONE;
	skip_ws(buf, len < i + 64 ? len : i + 64, &i);
	if (i >= len || buf[i] != '"' || has(buf, len, i, "\"dmesg\"", 7))
		return LINE_NONE;
	/* to the "}" line, over indented ones (so no line is read twice) */
	for (*lines = 1; !found && e < len && *lines < 4096;) {
		k = e + 1;
		e = line_end(buf, k, len);
		found = k < e && buf[k] == '}' && blank(buf + k + 1, e - k - 1);
		++*lines;
		if (!found && (k >= e || (buf[k] != '\t' && buf[k] != ' ')))
			break;
	}
	if (!found)
		return LINE_NONE;
	if (!json_object(buf + pos, e - pos, f) || !f[JF_MESSAGE].p)
		return LINE_NONE;
	for (*at = 0, k = pos; k < (size_t)(f[JF_MESSAGE].p - buf); k++)
		*at += buf[k] == '\n';
	kind = journal_json(c, r, f);
	*next = e + 1;
	return kind;
}

/* line_end, and in *bracket whether the line holds a '[' after its
 * first byte (where a record glued on could start). */
static size_t line_end_bracket(const char *buf, size_t pos, size_t len, int *bracket)
{
	uint64_t seen = 0;

	*bracket = 0;
	if (pos >= len || buf[pos] == '\n')
		return pos;
	for (pos++; len - pos >= 8; pos += 8) {
		uint64_t w = ps_load64(buf + pos), nl = ps_word_eq(w, '\n'), b = ps_word_eq(w, '[');

		if (nl) {
#if PS_LOWEST_FLAG_EXACT
			/* the flags below the newline's, all exact then */
			seen |= b & ((nl & -nl) - 1);
			*bracket = seen != 0;
			return pos + (size_t)__builtin_ctzll(nl) / 8;
#else
			break;
#endif
		}
		seen |= b;
	}
	while (pos < len && buf[pos] != '\n') {
		seen |= buf[pos] == '[';
		pos++;
	}
	*bracket = seen != 0;
	return pos;
}

/* line_end, and in *cr whether the line may hold a '\r': the words
 * it reads are tested for one too (a '\r' just after the newline, in
 * the next line, only costs that line a needless search). */
static size_t line_end_cr(const char *buf, size_t pos, size_t len, int *cr)
{
	uint64_t seen = 0;

	while (len - pos >= 8) {
		uint64_t w = ps_load64(buf + pos), nl = ps_word_eq(w, '\n');

		seen |= ps_word_eq(w, '\r');
		if (nl) {
#if PS_LOWEST_FLAG_EXACT
			*cr = seen != 0;
			return pos + (size_t)__builtin_ctzll(nl) / 8;
#else
			break;
#endif
		}
		pos += 8;
	}
	while (pos < len && buf[pos] != '\n') {
		seen |= buf[pos] == '\r';
		pos++;
	}
	*cr = seen != 0;
	return pos;
}

/* The wrapped lines of one record: joined when the record is done. */
#define MAX_SPANS 32
struct join {
	uint32_t rec;        /* the record they continue, or UINT32_MAX */
	uint32_t n;
	size_t total;
	const char *p[MAX_SPANS];
	uint32_t len[MAX_SPANS];
};

static int join_flush(struct ps_log *log, struct join *j, struct ps_arena *a)
{
	struct ps_record *r;
	char *t;
	size_t total, k, at;

	if (j->rec == UINT32_MAX || !j->n) {
		j->rec = UINT32_MAX;
		return PS_OK;
	}
	r = &log->rec[j->rec];
	total = r->len + j->total;
	if (total > PS_MAX_LINE)
		total = PS_MAX_LINE;
	if (!(t = PS_ALLOC_RAW(a, char, total ? total : 1)))
		return PS_ENOMEM;
	at = r->len < total ? r->len : total;
	memcpy(t, r->text, at);
	for (k = 0; k < j->n && at < total; k++) {
		size_t m = j->len[k] < total - at ? j->len[k] : total - at;

		memcpy(t + at, j->p[k], m);
		at += m;
	}
	if (r->len + j->total > PS_MAX_LINE)
		log->cut_lines++;
	r->text = t;
	r->len = (uint32_t)at;
	j->rec = UINT32_MAX;
	j->n = 0;
	j->total = 0;
	return PS_OK;
}

/* Drops syslog's copies of console lines (see log.h).  The copy comes
 * after the console's line: each syslog record is matched with the
 * oldest console record of the last PS_DOUBLE_WINDOW that has the same
 * text and, when both carry a kernel timestamp, the same one.  Returns
 * the least (wall - kernel) time of a matched pair, or INT64_MAX. */
static int64_t drop_doubles(struct ps_log *log)
{
	uint32_t q[PS_DOUBLE_WINDOW], head = 0, cnt = 0, i, out = 0, k;
	int64_t offset = INT64_MAX;

	for (i = 0; i < log->n; i++) {
		struct ps_record r = log->rec[i];

		if (r.flags & PS_REC_SYSLOG) {
			for (k = 0; k < cnt; k++) {
				uint32_t j = q[(head + k) % PS_DOUBLE_WINDOW];
				const struct ps_record *o = &log->rec[j];

				if (j != UINT32_MAX && o->len == r.len &&
				    (o->ts_us == r.ts_us || o->ts_us == PS_NO_TS || r.ts_us == PS_NO_TS ||
				     (o->flags | r.flags) & PS_REC_WALL) &&
				    memcmp(o->text, r.text, r.len) == 0)
					break;
			}
			if (k < cnt) {
				uint32_t *slot = &q[(head + k) % PS_DOUBLE_WINDOW];
				const struct ps_record *o = &log->rec[*slot];

				if (r.flags & PS_REC_WALL && o->ts_us != PS_NO_TS && !(o->flags & PS_REC_WALL) &&
				    r.ts_us - o->ts_us < offset)
					offset = r.ts_us - o->ts_us;
				*slot = UINT32_MAX;
				while (cnt && q[head] == UINT32_MAX) {
					head = (head + 1) % PS_DOUBLE_WINDOW;
					cnt--;
				}
				log->doubled++;
				continue;
			}
		} else {
			if (cnt == PS_DOUBLE_WINDOW) {
				head = (head + 1) % PS_DOUBLE_WINDOW;
				cnt--;
			}
			q[(head + cnt++) % PS_DOUBLE_WINDOW] = out;
		}
		log->rec[out++] = r;
	}
	log->n = out;
	return offset;
}

/* Wall-clock times → seconds from the log's first one, or onto the
 * kernel's clock when the log has kernel timestamps too (see log.h). */
static void settle_times(struct ps_log *log, int64_t offset)
{
	int64_t base = PS_NO_TS;
	int kernel = 0;
	uint32_t i;

	for (i = 0; i < log->n; i++) {
		const struct ps_record *r = &log->rec[i];

		if (r->ts_us == PS_NO_TS)
			continue;
		if (!(r->flags & PS_REC_WALL))
			kernel = 1;
		else if (base == PS_NO_TS)
			base = r->ts_us;
	}
	if (base == PS_NO_TS)
		return;
	for (i = 0; i < log->n; i++) {
		struct ps_record *r = &log->rec[i];

		if (!(r->flags & PS_REC_WALL))
			continue;
		if (!kernel) {
			r->ts_us -= base;
		} else if (offset != INT64_MAX) {
			r->ts_us -= offset;
			r->flags &= (uint16_t)~PS_REC_WALL;
		} else {
			r->ts_us = PS_NO_TS;
			r->flags &= (uint16_t)~PS_REC_WALL;
		}
	}
}

static struct ps_record *add_record(struct ps_log *log, const struct ps_record *tmp, uint32_t line)
{
	struct ps_record *r = &log->rec[log->n++];

	*r = *tmp;
	r->line = line;
	if (r->len > PS_MAX_LINE) {
		r->len = PS_MAX_LINE;
		log->cut_lines++;
	}
	return r;
}

int ps_log_parse(struct ps_log *log, struct ps_arena *a, const char *buf,
		 size_t len, uint32_t first_line, uint32_t max_records)
{
	size_t pos, lines = 0, glued = 0, spare, skip, cap, widest = 0, nwidest = 0, prev_width = 0, next;
	uint32_t line = first_line, extend = UINT32_MAX, n_syslog = 0, n_wall = 0, i, nl, at;
	int64_t offset = INT64_MAX;
	struct join j;
	struct ctx c;
	int st;

	memset(log, 0, sizeof *log);
	if (!max_records)
		return PS_ERANGE;
	/* count the lines and the records glued onto others, and find how
	 * wide the widest lines are: a console that wraps its lines makes
	 * many exactly that wide */
	for (pos = 0; pos < len;) {
		int bracket;
		size_t end = line_end_bracket(buf, pos, len, &bracket), w = end - pos, k;

		while (w && buf[pos + w - 1] == '\r')
			w--;
		if (!blank(buf + pos, end - pos)) {
			lines++;
			if (w > widest) {
				widest = w;
				nwidest = 0;
			}
			nwidest += w == widest;
			for (k = bracket ? embedded_ts(buf + pos, 1, w) : w; k < w; k = embedded_ts(buf + pos, k + 1, w))
				glued++;
		}
		pos = end + 1;
	}
	skip = lines > max_records ? lines - max_records : 0;
	spare = glued < max_records ? glued : max_records;
	cap = lines - skip + spare;
	log->rec = PS_ALLOC_RAW(a, struct ps_record, cap ? cap : 1);
	if (!log->rec)
		return PS_ENOMEM;
	log->skipped_lines = (uint32_t)skip;
	if (widest < 40 || widest > 1024 || nwidest < 2)
		widest = 0;      /* not a wrapped log */

	ctx_init(&c);
	c.a = a;
	c.end = buf + len;
	j.rec = UINT32_MAX;
	j.n = 0;
	j.total = 0;
	for (pos = 0; pos < len; line++) {
		int cr = 1;    /* a line to skip needs no '\r' test */
		size_t end = skip ? line_end(buf, pos, len) : line_end_cr(buf, pos, len, &cr), width = end - pos;
		struct ps_record *r, tmp;
		struct parsed p;
		int kind;

		while (width && buf[pos + width - 1] == '\r')
			width--;
		if (blank(buf + pos, end - pos)) {
			pos = end + 1;
			prev_width = 0;
			continue;
		}
		if (skip) {
			skip--;
			pos = end + 1;
			continue;
		}
		/* journalctl -o verbose, -o json-pretty: a record of several lines */
		if ((is_upper(buf[pos]) && (kind = journal_verbose(&tmp, buf, pos, end, len, &next, &nl, &at)) != LINE_NONE) ||
		    (buf[pos] == '{' && (kind = journal_pretty(&c, &tmp, buf, pos, end, len, &next, &nl, &at)) != LINE_NONE)) {
			if (kind == LINE_NOMEM)
				return PS_ENOMEM;
			if (j.n && (st = join_flush(log, &j, a)) != PS_OK)
				return st;
			if (kind == LINE_KEEP)
				add_record(log, &tmp, line + at);
			log->dropped += nl - (kind == LINE_KEEP);
			line += nl - 1;
			pos = next;
			prev_width = 0;
			extend = UINT32_MAX;
			continue;
		}
		kind = parse_line(&c, &tmp, buf + pos, end - pos, cr, glued != 0, &p);
		pos = end + 1;
		if (kind == LINE_NOMEM)
			return PS_ENOMEM;
		if (kind == LINE_BLANK) {
			prev_width = 0;
			continue;
		}
		/* the rest of a line the console wrapped: no prefix of its
		 * own, after a line exactly as wide as the widest */
		if (kind == LINE_KEEP && !p.prefixed && widest && prev_width == widest && extend != UINT32_MAX) {
			if (j.rec != extend) {
				if ((st = join_flush(log, &j, a)) != PS_OK)
					return st;
				j.rec = extend;
			}
			if (j.n < MAX_SPANS) {
				j.p[j.n] = tmp.text;
				j.len[j.n++] = tmp.len;
				j.total += tmp.len;
			} else {
				j.total += tmp.len;   /* counted as cut */
			}
			log->joined++;
			prev_width = width;
			continue;
		}
		if (j.n && (st = join_flush(log, &j, a)) != PS_OK)
			return st;
		prev_width = width;
		extend = UINT32_MAX;
		if (kind == LINE_DROP) {
			log->dropped++;
			continue;
		}
		for (;;) {
			r = add_record(log, &tmp, line);
			extend = p.prefixed ? log->n - 1 : UINT32_MAX;
			if (!p.rest)
				break;
			if (!spare) {   /* more glued lines than max_records: the rest stays on */
				r->len = (uint32_t)(p.rest + p.rest_len - r->text);
				if (r->len > PS_MAX_LINE)
					r->len = PS_MAX_LINE;
				break;
			}
			spare--;
			parse_line(&c, &tmp, p.rest, p.rest_len, 0, 1, &p);
			log->split++;
		}
	}
	if ((st = join_flush(log, &j, a)) != PS_OK)
		return st;
	for (i = 0; i < log->n; i++) {
		n_syslog += (log->rec[i].flags & PS_REC_SYSLOG) != 0;
		n_wall += (log->rec[i].flags & PS_REC_WALL) != 0;
	}
	if (n_syslog && n_syslog < log->n)
		offset = drop_doubles(log);
	if (n_wall)
		settle_times(log, offset);
	for (i = 0; i < log->n; i++)
		log->with_ts += log->rec[i].ts_us != PS_NO_TS;
	return log->n ? PS_OK : PS_EINPUT;
}

size_t ps_casefile_header(const char *buf, size_t len, uint32_t *lines)
{
	size_t pos = 0;
	uint32_t count = 0;
	int known = 0;

	*lines = 0;
	while (pos < len) {
		size_t end = line_end(buf, pos, len), i = pos;

		if (end == len)
			return 0;
		count++;
		if (blank(buf + pos, end - pos)) {
			if (count == 1 || !known)
				return 0;
			*lines = count;
			return end + 1;
		}
		if ((end - pos > 6 && memcmp(buf + pos, "LABEL:", 6) == 0) ||
		    (end - pos > 7 && memcmp(buf + pos, "SOURCE:", 7) == 0))
			known = 1;
		/* KEY: value, KEY in [A-Z][A-Z0-9_-]* */
		if (!is_upper(buf[i]))
			return 0;
		while (i < end && (is_upper(buf[i]) || is_digit(buf[i]) || buf[i] == '_' || buf[i] == '-'))
			i++;
		if (i + 1 > end || buf[i] != ':' || (i + 1 < end && buf[i + 1] != ' '))
			return 0;
		pos = end + 1;
	}
	return 0;
}

size_t ps_casefile_get(const char *hdr, size_t hdr_len, const char *key,
		       const char **val)
{
	size_t pos = 0, klen = 0;

	while (key[klen])
		klen++;
	while (pos < hdr_len) {
		size_t end = line_end(hdr, pos, hdr_len);

		if (end - pos > klen && memcmp(hdr + pos, key, klen) == 0 && hdr[pos + klen] == ':') {
			size_t v = pos + klen + 1;

			while (v < end && hdr[v] == ' ')
				v++;
			while (end > v && (hdr[end - 1] == ' ' || hdr[end - 1] == '\r'))
				end--;
			*val = hdr + v;
			return end - v;
		}
		pos = end + 1;
	}
	return 0;
}

/* Start of the last occurrence of w (length wn) in s[0..n), or NULL. */
static const char *last_word(const char *s, size_t n, const char *w, size_t wn)
{
	size_t i = n >= wn ? n - wn + 1 : 0;

	while (i-- > 0)
		if (s[i] == w[0] && memcmp(s + i, w, wn) == 0)
			return s + i;
	return NULL;
}

/* The release in one record's text, or 0. */
static size_t release_of(const char *s, size_t n, const char **rel)
{
	static const char clean[] = " Not tainted ", dirty[] = " Tainted: ";
	const char *p, *e = s + n, *a = NULL, *b;
	int dot = 0;

	if (n < 5 || memcmp(s, "CPU: ", 5) != 0)
		return 0;
	/* the last marker: a task may call itself "Not tainted" */
	p = last_word(s, n, clean, sizeof clean - 1);
	b = last_word(s, n, dirty, sizeof dirty - 1);
	if (b && (!p || b > p)) {
		p = b + sizeof dirty - 1;
		while (p < e && (*p == ' ' || (*p >= 'A' && *p <= 'Z')))
			p++;    /* the taint flags: one capital or a space each */
	} else if (p) {
		p += sizeof clean - 1;
	} else {
		return 0;
	}
	if (p >= e || *p < '0' || *p > '9')
		return 0;
	for (a = p; p < e && *p > ' ' && *p < 0x7f; p++)
		dot |= *p == '.';
	if (!dot || (size_t)(p - a) > 64 || (p < e && *p != ' '))
		return 0;
	*rel = a;
	return (size_t)(p - a);
}

size_t ps_log_release(const struct ps_log *log, char *out, size_t cap)
{
	uint32_t i = log->n;

	if (!cap)
		return 0;
	out[0] = '\0';
	while (i-- > 0) {
		const char *rel;
		size_t n = release_of(log->rec[i].text, log->rec[i].len, &rel);

		if (n && n < cap) {
			memcpy(out, rel, n);
			out[n] = '\0';
			return n;
		}
	}
	return 0;
}
