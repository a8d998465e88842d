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

#endif
