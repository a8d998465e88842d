/* A small HTTP/1.1 client for the LLM endpoint: one POST per
 * connection (Connection: close), http:// or https:// (mbedTLS,
 * certificates checked against the system CA bundle or a given file),
 * Content-Length or chunked responses, an overall deadline. */
#ifndef PS_TOOLS_HTTP_H
#define PS_TOOLS_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct http_url {
	int tls;
	char host[256];
	uint16_t port;
	char path[1024];
};

struct http_response {
	int status;              /* e.g. 200; 0 if no response */
	char *body;              /* malloc'ed, NUL-terminated */
	size_t body_len;
};

#define HTTP_MAX_BODY (8u << 20)

/* Parses http://HOST[:PORT]/PATH or https://...; 0 or -1 with err. */
int http_parse_url(const char *url, struct http_url *u, char *err, size_t errlen);

/* POSTs `body` (application/json) to u; extra_header is one
 * "Name: value" line without CRLF, or NULL.  0 when a response arrived
 * (any status), -1 on a network/TLS/protocol error or timeout. */
int http_post(const struct http_url *u, const char *extra_header, const char *body, size_t len,
	      uint32_t timeout_ms, const char *ca_file, struct http_response *resp,
	      char *err, size_t errlen);
void http_response_free(struct http_response *resp);

/* Reading a response as it arrives (http_reader.c: no I/O, fuzzed by
 * tests/fuzz/fuzz_http.c).  Zero-initialise, then after each read: */
struct http_reader {
	size_t scanned;          /* bytes already searched for the header's end */
	size_t body_at;          /* where the body starts; 0 until the header is whole */
	int chunked, have_length;
	unsigned long length;    /* Content-Length */
};
/* buf[0..used) is what arrived so far (the header's end is looked for
 * in the new bytes only).  1 when the response is complete (its
 * Content-Length body is whole), else 0: read on until the end of the
 * stream. */
int http_reader_feed(struct http_reader *r, char *buf, size_t used);
/* At the end: the status, and the body (chunked decoded, cut to its
 * Content-Length) moved to buf[0..*body_len) and NUL-terminated; buf
 * must have room for used + 1 bytes.  NULL, or why the response is
 * unusable ("no HTTP response", "malformed chunked response",
 * "truncated response"). */
const char *http_reader_finish(const struct http_reader *r, char *buf, size_t used, int *status,
			       size_t *body_len);

#endif
