/* The web page's HTTP/1.1 request parser: no I/O and no TLS here, so
 * tests/fuzz/fuzz_webreq.c feeds it arbitrary bytes.
 *
 * A request is read whole before anything is done with it: a head of at
 * most WEB_HEAD_MAX bytes and, for a POST, a body of at most
 * WEB_BODY_MAX bytes (Content-Length; no chunked bodies).  Every answer
 * the parser gives is an HTTP status: 0 for a request to serve, else the
 * 4xx/5xx to send back. */
#ifndef PS_TOOLS_COLLECTOR_WEB_REQ_H
#define PS_TOOLS_COLLECTOR_WEB_REQ_H

#include <stddef.h>

#define WEB_HEAD_MAX 8192
#define WEB_BODY_MAX 16384
#define WEB_TARGET_MAX 2048

enum web_method { WEB_GET, WEB_POST };

struct web_req {
	enum web_method method;
	/* into the parsed buffer, NUL-terminated */
	const char *path;            /* "/bucket/9c1e...": up to '?' */
	const char *query;           /* after '?', "" when none */
	const char *host, *authorization, *cookie, *origin, *fetch_site, *content_type;
	size_t content_length;
	int has_length;
};

/* The length of the head (through the blank line after it) when
 * buf[0..len) holds all of it, else 0. */
size_t web_head_end(const char *buf, size_t len);

/* Parses the head buf[0..head_len) in place (its line ends become
 * NULs; buf[head_len - 1] is the last '\n').  0 with r filled, or the
 * status to answer: 400 malformed, 405 a method other than GET or POST,
 * 411 a POST without Content-Length, 413 a body over WEB_BODY_MAX, 414
 * a target over WEB_TARGET_MAX, 501 Transfer-Encoding, 505 not
 * HTTP/1.0 or 1.1. */
int web_req_parse(char *buf, size_t head_len, struct web_req *r);

/* The value of `key` in an application/x-www-form-urlencoded string
 * s[0..n) ("a=1&b=x+y%21", also a query), decoded ('+' is a space, %XX
 * a byte) into out[cap] and NUL-terminated: its length, -1 when the key
 * is absent, -2 when the string or the value is malformed (a bad
 * escape, a decoded control byte, a value that does not fit). */
int web_form_get(const char *s, size_t n, const char *key, char *out, size_t cap);

/* 0 when every key of s[0..n) is one of `keys` (NULL-terminated), each
 * at most once, and every pair is well formed; else -1. */
int web_form_check(const char *s, size_t n, const char *const *keys);

/* The value of cookie `name` in a Cookie header (NULL when absent) into
 * out[cap]: its length, -1 absent, -2 too long. */
int web_cookie_get(const char *header, const char *name, char *out, size_t cap);

#endif
