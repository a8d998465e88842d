/* Host-side mbedTLS helpers shared by serve, pki and the LLM client
 * (Debian's libmbedtls). */
#ifndef PS_TOOLS_TLSUTIL_H
#define PS_TOOLS_TLSUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

struct tls_rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

/* Seeds a CTR_DRBG from the system's entropy; 0 or an mbedTLS error. */
int tls_rng_init(struct tls_rng *r, const char *personalisation);
void tls_rng_free(struct tls_rng *r);

/* "description (-0xNNNN)" into buf: kdump/tls_io.c's text for the errors
 * a person can act on, else mbedTLS's own. */
const char *tls_err(char *buf, size_t cap, int ret);

/* SHA-256 of a certificate's public key (SubjectPublicKeyInfo DER): the
 * server_pin of the kdump configuration. */
int tls_pin_of_cert(const mbedtls_x509_crt *crt, uint8_t pin[32]);
void tls_hex(const uint8_t *p, size_t n, char *out);

#endif
