#include "tools/collector/web_req.h"

#include <string.h>
#include <strings.h>

size_t web_head_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i++)
		if (buf[i] == '\r' && !memcmp(buf + i, "\r\n\r\n", 4))
			return i + 4;
	return 0;
}

/* RFC 9110 token characters (header names, methods). */
static int tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A header value's characters: visible ASCII, space, tab, and bytes
 * from 0x80 (obs-text); no other control bytes. */
static int vchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Stores one header of interest; -1 when it repeats a unique one. */
static int take_header(struct web_req *r, const char *name, const char *value)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ "Host", offsetof(struct web_req, host) },
		{ "Authorization", offsetof(struct web_req, authorization) },
		{ "Cookie", offsetof(struct web_req, cookie) },
		{ "Origin", offsetof(struct web_req, origin) },
		{ "Sec-Fetch-Site", offsetof(struct web_req, fetch_site) },
		{ "Content-Type", offsetof(struct web_req, content_type) },
	};
	size_t i;

	if (!strcasecmp(name, "Content-Length")) {
		size_t v = 0;
		const char *p = value;

		if (r->has_length || !*p)
			return -1;
		for (; *p; p++) {
			if (*p < '0' || *p > '9' || v > WEB_BODY_MAX)
				return -1;
			v = v * 10 + (size_t)(*p - '0');
		}
		r->has_length = 1;
		r->content_length = v;   /* > WEB_BODY_MAX means "too large" */
		return 0;
	}
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		const char **slot = (const char **)((char *)r + known[i].off);

		if (strcasecmp(name, known[i].name))
			continue;
		if (*slot)
			return -1;   /* one of each: no smuggling by repetition */
		*slot = value;
	}
	return 0;
}

int web_req_parse(char *buf, size_t head_len, struct web_req *r)
{
	char *line, *end, *sp1, *sp2, *q;
	size_t tlen;

	memset(r, 0, sizeof *r);
	if (head_len < 4 || head_len > WEB_HEAD_MAX || memcmp(buf + head_len - 4, "\r\n\r\n", 4))
		return 400;
	/* the request line */
	end = memchr(buf, '\r', head_len);
	if (!end || end[1] != '\n')
		return 400;
	*end = '\0';
	if (memchr(buf, '\0', (size_t)(end - buf)))
		return 400;
	sp1 = strchr(buf, ' ');
	if (!sp1)
		return 400;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2 || strchr(sp2 + 1, ' '))
		return 400;
	*sp1 = *sp2 = '\0';
	for (q = buf; *q; q++)
		if (!tchar((unsigned char)*q))
			return 400;
	if (strcmp(sp2 + 1, "HTTP/1.1") && strcmp(sp2 + 1, "HTTP/1.0"))
		return strncmp(sp2 + 1, "HTTP/", 5) ? 400 : 505;
	tlen = (size_t)(sp2 - sp1 - 1);
	if (tlen > WEB_TARGET_MAX)
		return 414;
	if (sp1[1] != '/')
		return 400;   /* origin-form only */
	for (q = sp1 + 1; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f || *q == '#')
			return 400;
	r->path = sp1 + 1;
	q = strchr(sp1 + 1, '?');
	if (q) {
		*q = '\0';
		r->query = q + 1;
	} else {
		r->query = sp2;   /* the NUL where the space was: "" */
	}
	/* the header lines */
	line = end + 2;
	while (line < buf + head_len - 2) {
		char *colon, *v, *e;

		end = memchr(line, '\r', (size_t)(buf + head_len - line));
		if (!end || end[1] != '\n')
			return 400;
		*end = '\0';
		if (*line == ' ' || *line == '\t')
			return 400;   /* obsolete line folding */
		colon = strchr(line, ':');
		if (!colon || colon == line)
			return 400;
		*colon = '\0';
		for (q = line; *q; q++)
			if (!tchar((unsigned char)*q))
				return 400;
		v = colon + 1;
		if (strlen(v) != (size_t)(end - v))
			return 400;   /* a NUL inside */
		while (*v == ' ' || *v == '\t')
			v++;
		for (e = end; e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		for (q = v; *q; q++)
			if (!vchar((unsigned char)*q))
				return 400;
		if (!strcasecmp(line, "Transfer-Encoding"))
			return 501;
		if (take_header(r, line, v))
			return 400;
		line = end + 2;
	}
	if (!strcmp(buf, "GET"))
		r->method = WEB_GET;
	else if (!strcmp(buf, "POST"))
		r->method = WEB_POST;
	else
		return 405;
	if (!r->host && !strcmp(sp2 + 1, "HTTP/1.1"))
		return 400;
	if (r->method == WEB_POST && !r->has_length)
		return 411;
	if (r->has_length && r->content_length > WEB_BODY_MAX)
		return 413;
	if (r->method == WEB_GET && r->has_length && r->content_length)
		return 400;
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes s[0..n) into out[cap] (NUL-terminated): its length, or -2. */
static int decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				return -2;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -2;
			c = hi << 4 | lo;
			i += 2;
		} else if (c <= 0x20 || c == 0x7f) {
			return -2;   /* raw controls and spaces are not form data */
		}
		if (c < 0x20 || c == 0x7f)
			return -2;
		if (w + 1 >= cap)
			return -2;
		out[w++] = (char)c;
	}
	if (!cap)
		return -2;
	out[w] = '\0';
	return (int)w;
}

/* Calls fn for each pair of s[0..n): key and value as raw spans. */
static int each_pair(const char *s, size_t n,
		     int (*fn)(const char *k, size_t kn, const char *v, size_t vn, void *ctx), void *ctx)
{
	size_t i = 0;

	while (i < n) {
		const char *p = s + i, *amp = memchr(p, '&', n - i), *eq;
		size_t len = amp ? (size_t)(amp - p) : n - i;
		int r;

		eq = memchr(p, '=', len);
		if (!len || !eq || eq == p)
			return -2;   /* "&&", "key" without '=', "=value" */
		r = fn(p, (size_t)(eq - p), eq + 1, len - (size_t)(eq - p) - 1, ctx);
		if (r)
			return r;
		i += len + (amp ? 1 : 0);
		if (amp && i == n)
			return -2;   /* a trailing '&' */
	}
	return 0;
}

struct get_ctx {
	const char *key;
	char *out;
	size_t cap;
	int found;
};

static int get_one(const char *k, size_t kn, const char *v, size_t vn, void *ctx)
{
	struct get_ctx *g = ctx;
	char name[64];
	int len;

	if (decode(k, kn, name, sizeof name) < 0)
		return -2;
	if (strcmp(name, g->key))
		return 0;
	if (g->found >= 0)
		return -2;   /* twice */
	len = decode(v, vn, g->out, g->cap);
	if (len < 0)
		return -2;
	g->found = len;
	return 0;
}

int web_form_get(const char *s, size_t n, const char *key, char *out, size_t cap)
{
	struct get_ctx g = { key, out, cap, -1 };
	int r = each_pair(s, n, get_one, &g);

	if (cap)
		out[r ? 0 : g.found >= 0 ? (size_t)g.found : 0] = '\0';
	return r ? -2 : g.found;
}

struct check_ctx {
	const char *const *keys;
	unsigned seen;
};

static int check_one(const char *k, size_t kn, const char *v, size_t vn, void *ctx)
{
	struct check_ctx *c = ctx;
	char name[64], val[WEB_BODY_MAX + 1];
	unsigned i;

	if (decode(k, kn, name, sizeof name) < 0 || decode(v, vn, val, sizeof val) < 0)
		return -1;
	for (i = 0; c->keys[i]; i++)
		if (!strcmp(name, c->keys[i]))
			break;
	if (!c->keys[i] || i >= 32 || (c->seen & 1u << i))
		return -1;
	c->seen |= 1u << i;
	return 0;
}

int web_form_check(const char *s, size_t n, const char *const *keys)
{
	struct check_ctx c = { keys, 0 };

	return each_pair(s, n, check_one, &c) ? -1 : 0;
}

int web_cookie_get(const char *h, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);

	while (h && *h) {
		const char *semi;
		size_t len;

		while (*h == ' ' || *h == '\t')
			h++;
		semi = strchr(h, ';');
		len = semi ? (size_t)(semi - h) : strlen(h);
		if (len > nl && !strncmp(h, name, nl) && h[nl] == '=') {
			len -= nl + 1;
			if (len + 1 > cap)
				return -2;
			memcpy(out, h + nl + 1, len);
			out[len] = '\0';
			return (int)len;
		}
		h = semi ? semi + 1 : NULL;
	}
	return -1;
}
