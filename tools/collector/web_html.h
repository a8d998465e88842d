/* HTML and SVG written from C for the web page: a growing buffer and
 * the escaping every string from the store goes through. */
#ifndef PS_TOOLS_COLLECTOR_WEB_HTML_H
#define PS_TOOLS_COLLECTOR_WEB_HTML_H

#include <stddef.h>
#include <stdint.h>

#define WEB_OUT_MAX (8u << 20)   /* a page larger than this is an error (500) */

struct web_out {
	char *p;
	size_t len, cap;
	int failed;              /* out of memory or over WEB_OUT_MAX: nothing more is added */
};

void html_free(struct web_out *o);
void html_raw(struct web_out *o, const char *s, size_t n);
void html_puts(struct web_out *o, const char *s);
void html_printf(struct web_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text as HTML (also inside a quoted attribute): & < > " ' as entities;
 * valid UTF-8 as is; control characters and bytes that are not UTF-8
 * as the visible text \xNN.  NULL writes nothing. */
void html_text(struct web_out *o, const char *s);
void html_textn(struct web_out *o, const char *s, size_t n);
/* 1 when s is an http:// or https:// URL that may be a link (printable
 * ASCII, no spaces, no quotes or angle brackets). */
int web_url_ok(const char *s);

/* An SVG sparkline of n daily counts (n >= 1). */
void svg_sparkline(struct web_out *o, const uint32_t *counts, uint32_t n);

/* An SVG plot of stacked daily bars: nseries series of ndays counts
 * (counts[s * ndays + d]), named and coloured, day 0 = `first` (days
 * since the epoch); a legend of the series that have cases. */
void svg_stacked(struct web_out *o, int64_t first, uint32_t ndays, const uint32_t *counts, uint32_t nseries,
		 const char *const *names, const char *const *colours);

#endif
