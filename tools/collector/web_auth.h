/* Who may see the web page (tools/collector/web.c): a client
 * certificate of the project's CA, or the operator's token, given as
 * "Authorization: Bearer TOKEN" or traded on the login form for a
 * session cookie; and the CSRF tokens of its forms.
 *
 *   session cookie  "v1.EXPIRY.MAC": MAC = HMAC-SHA-256(token,
 *                   "session " EXPIRY) in hex; EXPIRY in Unix seconds.
 *                   Valid until EXPIRY and while the token is the same.
 *   CSRF token      HMAC-SHA-256(secret, "csrf " IDENTITY) in hex: the
 *                   secret is random for each run of the server, the
 *                   identity is the session's (the cookie, the bearer
 *                   token's hash, the client certificate's hash), so a
 *                   form's token is good only for the session it was
 *                   made for. */
#ifndef PS_TOOLS_COLLECTOR_WEB_AUTH_H
#define PS_TOOLS_COLLECTOR_WEB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define WEB_TOKEN_MIN 16
#define WEB_TOKEN_MAX 256
#define WEB_SESSION_S (12 * 3600)
#define WEB_HEX 65               /* 64 hex digits and a NUL */

struct web_auth {
	unsigned char secret[32];
	char token[WEB_TOKEN_MAX + 1];
	size_t token_len;            /* 0: no token, certificates only */
};

/* Reads the token from `path` (one line: WEB_TOKEN_MIN to WEB_TOKEN_MAX
 * printable ASCII characters without spaces; a final newline is
 * dropped).  0, or -1 with a message. */
int web_auth_token(struct web_auth *a, const char *path, char *err, size_t errlen);

/* HMAC-SHA-256(key, msg) as 64 hex digits. */
int web_hmac_hex(const void *key, size_t kn, const char *msg, char out[WEB_HEX]);
/* 1 when a and b are the same string; time independent of where they
 * differ. */
int web_same(const char *a, const char *b);

/* 1 when `s` is the token (constant time). */
int web_token_ok(const struct web_auth *a, const char *s);
/* A session cookie value valid until now + WEB_SESSION_S; 0 or -1. */
int web_session_make(const struct web_auth *a, int64_t now, char *out, size_t cap);
/* 1 when `v` is a session cookie of the current token, not expired. */
int web_session_ok(const struct web_auth *a, const char *v, int64_t now);
/* The CSRF token of a session identity. */
int web_csrf(const struct web_auth *a, const char *identity, char out[WEB_HEX]);

#endif
