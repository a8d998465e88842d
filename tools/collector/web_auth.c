#include "tools/collector/web_auth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "tools/collector/tlsutil.h"

int web_auth_token(struct web_auth *a, const char *path, char *err, size_t errlen)
{
	char buf[WEB_TOKEN_MAX + 3];
	size_t n, i;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "--token-file %s: cannot open it", path);
		return -1;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] <= 0x20 || buf[i] >= 0x7f)
			break;
	if (n < WEB_TOKEN_MIN || n > WEB_TOKEN_MAX || i < n) {
		snprintf(err, errlen, "--token-file %s: the token must be one line of %d to %d printable ASCII"
			 " characters without spaces", path, WEB_TOKEN_MIN, WEB_TOKEN_MAX);
		return -1;
	}
	memcpy(a->token, buf, n + 1);
	a->token_len = n;
	return 0;
}

int web_hmac_hex(const void *key, size_t kn, const char *msg, char out[WEB_HEX])
{
	unsigned char mac[32];
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

	if (!md || mbedtls_md_hmac(md, key, kn, (const unsigned char *)msg, strlen(msg), mac)) {
		out[0] = '\0';
		return -1;
	}
	tls_hex(mac, sizeof mac, out);
	return 0;
}

int web_same(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i;
	unsigned char d = na != nb;

	for (i = 0; i < na; i++)
		d |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
	return d == 0 && na == nb;
}

int web_token_ok(const struct web_auth *a, const char *s)
{
	char h1[WEB_HEX], h2[WEB_HEX];

	/* compare MACs: equal lengths, nothing learnt from timing */
	if (!a->token_len || web_hmac_hex(a->secret, sizeof a->secret, s, h1) ||
	    web_hmac_hex(a->secret, sizeof a->secret, a->token, h2))
		return 0;
	return web_same(h1, h2);
}

static int session_mac(const struct web_auth *a, int64_t expiry, char out[WEB_HEX])
{
	char msg[64];

	snprintf(msg, sizeof msg, "session %" PRId64, expiry);
	return web_hmac_hex(a->token, a->token_len, msg, out);
}

int web_session_make(const struct web_auth *a, int64_t now, char *out, size_t cap)
{
	char mac[WEB_HEX];
	int64_t expiry = now + WEB_SESSION_S;

	if (!a->token_len || session_mac(a, expiry, mac))
		return -1;
	return snprintf(out, cap, "v1.%" PRId64 ".%s", expiry, mac) < (int)cap ? 0 : -1;
}

int web_session_ok(const struct web_auth *a, const char *v, int64_t now)
{
	char mac[WEB_HEX], *end;
	long long expiry;

	if (!a->token_len || strncmp(v, "v1.", 3) || v[3] < '0' || v[3] > '9')
		return 0;
	expiry = strtoll(v + 3, &end, 10);
	if (*end != '.' || expiry < now || expiry > now + WEB_SESSION_S || session_mac(a, expiry, mac))
		return 0;
	return web_same(end + 1, mac);
}

int web_csrf(const struct web_auth *a, const char *identity, char out[WEB_HEX])
{
	char msg[600];

	if (snprintf(msg, sizeof msg, "csrf %s", identity) >= (int)sizeof msg)
		return -1;
	return web_hmac_hex(a->secret, sizeof a->secret, msg, out);
}
