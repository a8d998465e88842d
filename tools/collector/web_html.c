#include "tools/collector/web_html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void html_free(struct web_out *o)
{
	free(o->p);
	memset(o, 0, sizeof *o);
}

void html_raw(struct web_out *o, const char *s, size_t n)
{
	if (o->failed || !n)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t c = o->cap ? o->cap : 8192;
		char *q;

		while (c < o->len + n + 1)
			c *= 2;
		if (c > WEB_OUT_MAX || !(q = realloc(o->p, c))) {
			o->failed = 1;
			return;
		}
		o->p = q;
		o->cap = c;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

void html_puts(struct web_out *o, const char *s)
{
	html_raw(o, s, strlen(s));
}

void html_printf(struct web_out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf)
		o->failed = 1;   /* formats here are short: a longer one is a bug */
	else
		html_raw(o, buf, (size_t)n);
}

/* Bytes of the UTF-8 character at p shown as text (1-4), or 0 for a
 * control character (C0, DEL, C1) or a byte that is not UTF-8. */
static size_t shown(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;

	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xc2 && p[1] < 0xa0) || (c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

void html_textn(struct web_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, k;

	while (i < n) {
		const char *ent = NULL;
		char esc[5];

		k = shown(p + i, n - i);
		if (k == 1) {
			switch (p[i]) {
			case '&': ent = "&amp;"; break;
			case '<': ent = "&lt;"; break;
			case '>': ent = "&gt;"; break;
			case '"': ent = "&quot;"; break;
			case '\'': ent = "&#39;"; break;
			}
		}
		if (k && !ent) {
			i += k;
			continue;
		}
		html_raw(o, s + run, i - run);
		if (ent) {
			html_puts(o, ent);
		} else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[p[i] >> 4];
			esc[3] = hex[p[i] & 15];
			html_raw(o, esc, 4);
		}
		run = ++i;
	}
	html_raw(o, s + run, n - run);
}

void html_text(struct web_out *o, const char *s)
{
	if (s)
		html_textn(o, s, strlen(s));
}

int web_url_ok(const char *s)
{
	const char *p;

	if (!s || (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) || strlen(s) > 2048)
		return 0;
	for (p = s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"'<>`\\", *p))
			return 0;
	return 1;
}

void svg_sparkline(struct web_out *o, const uint32_t *counts, uint32_t n)
{
	const unsigned w = 120, h = 24;
	uint32_t max = 1, total = 0, i;

	for (i = 0; i < n; i++) {
		if (counts[i] > max)
			max = counts[i];
		total += counts[i];
	}
	html_printf(o, "<svg class=\"spark\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\">"
		   "<title>%u cases in the last %u days, at most %u a day</title><polyline points=\"",
		   w, h, w, h, total, n, max);
	for (i = 0; i < n; i++)
		html_printf(o, "%s%.1f,%.1f", i ? " " : "", n > 1 ? (double)i * (w - 2) / (n - 1) + 1 : w / 2.0,
			   h - 2 - (double)counts[i] * (h - 4) / max);
	html_puts(o, "\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\"/></svg>");
}

static void day_str(int64_t day, char out[16])
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 16, "%m-%d", &tm))
		snprintf(out, 16, "?");
}

void svg_stacked(struct web_out *o, int64_t first, uint32_t ndays, const uint32_t *counts, uint32_t nseries,
		 const char *const *names, const char *const *colours)
{
	const unsigned left = 40, top = 10, ph = 180, bw = ndays > 60 ? 8 : 16, pw = bw * ndays;
	uint32_t max = 1, d, s, ticks, shown_series = 0;
	char day[16];

	for (d = 0; d < ndays; d++) {
		uint32_t sum = 0;

		for (s = 0; s < nseries; s++)
			sum += counts[s * ndays + d];
		if (sum > max)
			max = sum;
	}
	for (s = 0; s < nseries; s++)
		for (d = 0; d < ndays; d++)
			if (counts[s * ndays + d]) {
				shown_series++;
				break;
			}
	html_printf(o, "<svg class=\"plot\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\">"
		   "<title>cases per day by label</title>", left + pw + 200, top + ph + 30 + 0, left + pw + 200,
		   top + ph + 30);
	/* axis and ticks: 0, max/2, max */
	for (ticks = 0; ticks <= 2; ticks++) {
		unsigned y = top + ph - ph * ticks / 2;

		html_printf(o, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#ddd\"/>"
			   "<text x=\"%u\" y=\"%u\" font-size=\"10\" text-anchor=\"end\">%g</text>",
			   left, y, left + pw, y, left - 4, y + 3, max * ticks / 2.0);
	}
	for (d = 0; d < ndays; d++) {
		double y = top + ph;

		for (s = 0; s < nseries; s++) {
			uint32_t c = counts[s * ndays + d];
			double hh = (double)c * ph / max;

			if (!c)
				continue;
			y -= hh;
			day_str(first + d, day);
			html_printf(o, "<rect x=\"%u\" y=\"%.1f\" width=\"%u\" height=\"%.1f\" fill=\"%s\"><title>",
				   left + d * bw + 1, y, bw - 2, hh, colours[s]);
			html_printf(o, "%s: %u ", day, c);
			html_text(o, names[s]);
			html_puts(o, "</title></rect>");
		}
		if (d % 7 == 0 || d == ndays - 1) {
			day_str(first + d, day);
			html_printf(o, "<text x=\"%u\" y=\"%u\" font-size=\"10\" text-anchor=\"middle\">%s</text>",
				   left + d * bw + bw / 2, top + ph + 14, day);
		}
	}
	/* the legend: the series that have cases */
	for (s = 0, d = 0; s < nseries; s++) {
		uint32_t k, any = 0;

		for (k = 0; k < ndays; k++)
			any |= counts[s * ndays + k];
		if (!any)
			continue;
		html_printf(o, "<rect x=\"%u\" y=\"%u\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			   "<text x=\"%u\" y=\"%u\" font-size=\"11\">", left + pw + 12, top + d * 14, colours[s],
			   left + pw + 26, top + d * 14 + 9);
		html_text(o, names[s]);
		html_puts(o, "</text>");
		d++;
	}
	if (!shown_series)
		html_printf(o, "<text x=\"%u\" y=\"%u\" font-size=\"12\">no cases in these days</text>", left + 10,
			   top + ph / 2);
	html_puts(o, "</svg>");
}
