#include "core/log.h"

#include <string.h>

#include "core/status.h"

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

/* Where a kernel timestamp ("[  12.345678]", six fraction digits) starts
 * inside a line, or n.  Serial consoles glue a fragment of another
 * writer's output ("syzkaller login: ", "** 12 printk messages dropped
 * ** ") in front of a kernel line. */
static size_t embedded_ts(const char *s, size_t n)
{
	size_t i, j, k;

	for (i = 1; i + 10 <= n; i++) {
		if (s[i] != '[')
			continue;
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

/* "[  12.345678]" → µs.  Returns the length consumed, or 0. */
static size_t parse_ts(const char *s, size_t n, int64_t *ts)
{
	size_t i = 1, k;
	uint64_t sec, frac;

	if (n < 4 || s[0] != '[')
		return 0;
	skip_spaces(s, n, &i);
	if (!digits(s, n, &i, 12, &sec) || i >= n || s[i] != '.')
		return 0;
	i++;
	k = digits(s, n, &i, 9, &frac);
	if (!k || i >= n || s[i] != ']')
		return 0;
	while (k < 6) {
		frac *= 10;
		k++;
	}
	while (k > 6) {
		frac /= 10;
		k--;
	}
	*ts = (int64_t)(sec * 1000000u + frac);
	return i + 1;
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

/* "<6>" → level.  Returns the length consumed, or 0. */
static size_t parse_level(const char *s, size_t n, int32_t *level)
{
	size_t i = 1;
	uint64_t v;

	if (n < 3 || s[0] != '<')
		return 0;
	if (!digits(s, n, &i, 4, &v) || i >= n || s[i] != '>')
		return 0;
	*level = (int32_t)(v & 7);
	return i + 1;
}

/* /dev/kmsg: "6,1234,5678901,-;text" (prio,seq,µs,flags[,more];) */
static size_t parse_kmsg(const char *s, size_t n, int32_t *level, int64_t *ts)
{
	size_t i = 0;
	uint64_t prio, seq, us;

	if (!digits(s, n, &i, 4, &prio) || i >= n || s[i++] != ',')
		return 0;
	if (!digits(s, n, &i, 20, &seq) || i >= n || s[i++] != ',')
		return 0;
	if (!digits(s, n, &i, 20, &us) || i >= n || s[i++] != ',')
		return 0;
	while (i < n && i < 64 && s[i] != ';' && s[i] != ' ')
		i++;
	if (i >= n || s[i] != ';')
		return 0;
	*level = (int32_t)(prio & 7);
	*ts = (int64_t)us;
	return i + 1;
}

/* "hh:mm:ss" at s[*i]. */
static int clock_time(const char *s, size_t n, size_t *i)
{
	size_t j = *i;

	if (j + 8 > n || !is_digit(s[j]) || !is_digit(s[j + 1]) || s[j + 2] != ':' ||
	    !is_digit(s[j + 3]) || !is_digit(s[j + 4]) || s[j + 5] != ':' ||
	    !is_digit(s[j + 6]) || !is_digit(s[j + 7]))
		return 0;
	*i = j + 8;
	return 1;
}

/* Syslog / journal prefixes:
 *   "Nov 23 17:56:52 host kernel: "
 *   "2026-11-23T17:56:52.123456+00:00 host kernel: "
 * For the kernel's own lines the whole prefix goes; for other programs
 * the "tag[pid]: " part stays in the text.  Returns the length consumed. */
static size_t parse_syslog(const char *s, size_t n)
{
	size_t i = 0, host, tag;

	if (n > 16 && is_upper(s[0]) && is_lower(s[1]) && is_lower(s[2]) && s[3] == ' ') {
		i = 4;
		skip_spaces(s, n, &i);
		while (i < n && is_digit(s[i]))
			i++;
		if (i >= n || s[i] != ' ')
			return 0;
		i++;
		if (!clock_time(s, n, &i))
			return 0;
	} else if (n > 20 && is_digit(s[0]) && is_digit(s[3]) && s[4] == '-' && s[7] == '-' &&
		   s[10] == 'T') {
		i = 11;
		if (!clock_time(s, n, &i))
			return 0;
		while (i < n && s[i] != ' ')   /* fraction and zone */
			i++;
	} else if (n > 20 && is_digit(s[0]) && is_digit(s[3]) && s[4] == '/' && s[7] == '/' &&
		   s[10] == ' ') {
		/* "2018/01/09 14:28:48 text": a fuzzer's or Go program's log
		 * prefix, no host or tag after it */
		i = 11;
		if (!clock_time(s, n, &i) || i >= n || s[i] != ' ')
			return 0;
		return i + 1;
	} else {
		return 0;
	}
	if (i >= n || s[i] != ' ')
		return 0;
	i++;
	host = i;
	while (i < n && s[i] != ' ' && s[i] != ':')
		i++;
	if (i == host || i >= n || s[i] != ' ')
		return 0;
	i++;
	tag = i;
	if (n - tag >= 8 && memcmp(s + tag, "kernel: ", 8) == 0)
		return tag + 8;
	if (n - tag >= 7 && memcmp(s + tag, "kernel:", 7) == 0)
		return tag + 7;
	return tag;
}

/* Index just past the last '\r' of s[0..n), or 0 when there is none.
 * Eight bytes at a time from the end while a word holds no '\r' (the
 * has-zero-byte test on the word XOR '\r'), then byte by byte within
 * the word that does. */
static size_t after_last_cr(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = n;

	while (i >= 8) {
		uint64_t w;

		memcpy(&w, s + i - 8, 8);
		w ^= ones * '\r';
		if ((w - ones) & ~w & highs)
			break;
		i -= 8;
	}
	while (i > 0 && s[i - 1] != '\r')
		i--;
	return i;
}

/* ps_log_parse_line; `cr` 0 says the line holds no '\r'. */
static void parse_line(struct ps_record *r, const char *s, size_t n, int cr)
{
	size_t k, i;

	r->ts_us = PS_NO_TS;
	r->level = PS_NO_LEVEL;
	r->caller = PS_NO_CALLER;

	/* Carriage returns: drop trailing ones; after an interior one, the
	 * terminal showed the text that followed. */
	if (cr) {
		while (n && s[n - 1] == '\r')
			n--;
		i = after_last_cr(s, n);
		s += i;
		n -= i;
	}

	s += (k = parse_syslog(s, n));
	n -= k;
	if ((k = parse_kmsg(s, n, &r->level, &r->ts_us)) != 0) {
		s += k;
		n -= k;
	} else {
		s += (k = parse_level(s, n, &r->level));
		n -= k;
	}
	if ((k = parse_ts(s, n, &r->ts_us)) == 0 && r->level == PS_NO_LEVEL &&
	    (i = embedded_ts(s, n)) < n) {
		s += i;
		n -= i;
		k = parse_ts(s, n, &r->ts_us);
	}
	if (k) {
		s += k;
		n -= k;
	}
	if ((k = parse_caller(s, n, &r->caller)) != 0) {
		s += k;
		n -= k;
	}
	if (n && s[0] == ' ' && (r->ts_us != PS_NO_TS || r->caller != PS_NO_CALLER))
		s++, n--;
	r->text = s;
	r->len = (uint32_t)n;
}

void ps_log_parse_line(struct ps_record *r, const char *s, size_t n)
{
	parse_line(r, s, n, 1);
}

/* Index of the newline ending the line that starts at pos, or len. */
static size_t line_end(const char *buf, size_t pos, size_t len)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	const uint64_t nl = ones * '\n';

	/* eight bytes at a time: a word holds a '\n' when one of its bytes
	 * XOR '\n' is zero (the classic has-zero-byte test) */
	while (len - pos >= 8) {
		uint64_t w;

		memcpy(&w, buf + pos, 8);
		w ^= nl;
		if ((w - ones) & ~w & highs)
			break;
		pos += 8;
	}
	while (pos < len && buf[pos] != '\n')
		pos++;
	return pos;
}

/* line_end, and in *cr whether the line may hold a '\r': the words
 * it reads are tested for one too (a '\r' just after the newline, in
 * the next line, only costs that line a needless search). */
static size_t line_end_cr(const char *buf, size_t pos, size_t len, int *cr)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t seen = 0;

	while (len - pos >= 8) {
		uint64_t w, a, b;

		memcpy(&w, buf + pos, 8);
		a = w ^ ones * '\n';
		b = w ^ ones * '\r';
		seen |= (b - ones) & ~b & highs;
		if ((a - ones) & ~a & highs)
			break;
		pos += 8;
	}
	while (pos < len && buf[pos] != '\n') {
		seen |= buf[pos] == '\r';
		pos++;
	}
	*cr = seen != 0;
	return pos;
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int ps_log_parse(struct ps_log *log, struct ps_arena *a, const char *buf,
		 size_t len, uint32_t first_line, uint32_t max_records)
{
	size_t pos, lines = 0, skip;
	uint32_t line = first_line;

	memset(log, 0, sizeof *log);
	if (!max_records)
		return PS_ERANGE;
	for (pos = 0; pos < len;) {
		size_t end = line_end(buf, pos, len);

		if (!blank(buf + pos, end - pos))
			lines++;
		pos = end + 1;
	}
	skip = lines > max_records ? lines - max_records : 0;
	log->rec = PS_ALLOC(a, struct ps_record, lines - skip);
	if (!log->rec && lines - skip)
		return PS_ENOMEM;
	log->skipped_lines = (uint32_t)skip;

	for (pos = 0; pos < len; line++) {
		int cr = 1;    /* a line to skip needs no '\r' test */
		size_t end = skip ? line_end(buf, pos, len) : line_end_cr(buf, pos, len, &cr);
		struct ps_record *r;

		if (blank(buf + pos, end - pos)) {
			pos = end + 1;
			continue;
		}
		if (skip) {
			skip--;
			pos = end + 1;
			continue;
		}
		r = &log->rec[log->n++];
		parse_line(r, buf + pos, end - pos, cr);
		r->line = line;
		if (r->len > PS_MAX_LINE) {
			r->len = PS_MAX_LINE;
			log->cut_lines++;
		}
		if (r->ts_us != PS_NO_TS)
			log->with_ts++;
		pos = end + 1;
	}
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
