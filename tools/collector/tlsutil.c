#include "tools/collector/tlsutil.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/sha256.h>

#include "kdump/tls_io.h"

int tls_rng_init(struct tls_rng *r, const char *personalisation)
{
	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
				     (const unsigned char *)personalisation, strlen(personalisation));
}

void tls_rng_free(struct tls_rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}

const char *tls_err(char *buf, size_t cap, int ret)
{
	const char *why = tls_io_strerror(ret);
	char e[160];

	if (!why) {
		mbedtls_strerror(ret, e, sizeof e);
		why = e;
	}
	snprintf(buf, cap, "%s (-0x%04x)", why, (unsigned)(ret < 0 ? -ret : ret));
	return buf;
}

int tls_pin_of_cert(const mbedtls_x509_crt *crt, uint8_t pin[32])
{
	unsigned char der[1024];
	mbedtls_pk_context pk = crt->pk;   /* shallow copy: the writer only reads */
	int n = mbedtls_pk_write_pubkey_der(&pk, der, sizeof der);

	if (n <= 0)
		return n ? n : -1;
	return mbedtls_sha256_ret(der + sizeof der - n, (size_t)n, pin, 0);
}

void tls_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}
