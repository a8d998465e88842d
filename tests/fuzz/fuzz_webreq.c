/* fuzz_webreq: the web page's request parser (tools/collector/web_req.c)
 * on whatever a browser, or anyone else who can reach the port, sends.
 *
 * The input is a request: its head goes to web_req_parse, what follows
 * (or the whole input when there is no head) to the form decoder and the
 * cookie reader.  Invariants: a parsed request's path starts with '/'
 * and its strings lie in the buffer; a decoded value fits its buffer,
 * holds no control byte, and encoded again decodes to itself; a form
 * web_form_check accepts has every value web_form_get can read. */
#include "tests/fuzz/fuzz.h"

#include "tools/collector/web_req.h"

static int inside(const char *p, const char *buf, size_t n)
{
	return p && p >= buf && p + strlen(p) <= buf + n;
}

static void check_value(const char *out, int len, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3 * 64 + 3], back[64];
	int i, k = 2;

	if (len < 0)
		return;
	FUZZ_ASSERT((size_t)len < cap && strlen(out) == (size_t)len);
	enc[0] = 'a';
	enc[1] = '=';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		FUZZ_ASSERT(c >= 0x20 && c != 0x7f);
		enc[k++] = '%';
		enc[k++] = hex[c >> 4];
		enc[k++] = hex[c & 15];
	}
	FUZZ_ASSERT(web_form_get(enc, (size_t)k, "a", back, sizeof back) == len);
	FUZZ_ASSERT(memcmp(back, out, (size_t)len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "a", "b", "csrf", NULL };
	char *buf = (char *)fuzz_copy(data, size), *body, out[64], *str;
	size_t head = web_head_end(buf, size), blen;
	struct web_req r;
	int st, len, ok;

	if (head && head <= WEB_HEAD_MAX) {
		st = web_req_parse(buf, head, &r);
		FUZZ_ASSERT(st == 0 || (st >= 400 && st < 600));
		if (st == 0) {
			FUZZ_ASSERT(inside(r.path, buf, head) && r.path[0] == '/');
			FUZZ_ASSERT(inside(r.query, buf, head));
			FUZZ_ASSERT(!r.host || inside(r.host, buf, head));
			FUZZ_ASSERT(!r.cookie || inside(r.cookie, buf, head));
			FUZZ_ASSERT(!r.origin || inside(r.origin, buf, head));
			FUZZ_ASSERT(!r.content_type || inside(r.content_type, buf, head));
			FUZZ_ASSERT(r.content_length <= WEB_BODY_MAX);
			FUZZ_ASSERT(r.method == WEB_POST || !r.content_length);
			len = web_form_get(r.query, strlen(r.query), "a", out, sizeof out);
			check_value(out, len, sizeof out);
		}
	}
	body = buf + (head && head <= size ? head : 0);
	blen = size - (size_t)(body - buf);
	ok = web_form_check(body, blen, keys) == 0;
	len = web_form_get(body, blen, "a", out, sizeof out);
	check_value(out, len, sizeof out);
	FUZZ_ASSERT(!ok || len != -2 || blen >= sizeof out);
	len = web_form_get(body, blen, "csrf", out, sizeof out);
	check_value(out, len, sizeof out);
	/* the cookie reader on the body as a NUL-terminated header */
	str = malloc(blen + 1);
	FUZZ_ASSERT(str != NULL);
	memcpy(str, body, blen);
	str[blen] = '\0';
	len = web_cookie_get(str, "ps_session", out, sizeof out);
	FUZZ_ASSERT(len >= -2 && len < (int)sizeof out && (len < 0 || strlen(out) <= (size_t)len));
	free(str);
	free(buf);
	return 0;
}
