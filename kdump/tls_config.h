/* mbedTLS 2.28 configuration for panicsage-kdump (MBEDTLS_CONFIG_FILE).
 *
 * Just enough for one thing: a TLS 1.2 client doing mutual
 * authentication with ECDHE-ECDSA on P-256, AES-128-GCM and SHA-256,
 * with a pinned server key.  No heap: every mbedtls_calloc goes to a
 * static buffer (MEMORY_BUFFER_ALLOC_C); the default allocator hooks are
 * functions that always fail, so libc's malloc is never linked in.  No
 * files, no sockets, no time: kdump/tls.c reads the PEM files, owns the
 * socket BIO and feeds entropy from getrandom(2) through
 * mbedtls_hardware_poll. */
#ifndef PS_KDUMP_TLS_CONFIG_H
#define PS_KDUMP_TLS_CONFIG_H

#include <stddef.h>

/* system */
#define MBEDTLS_HAVE_ASM

/* platform: memory from a static buffer only */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
void *kdump_tls_no_calloc(size_t n, size_t size);
void kdump_tls_no_free(void *p);
#define MBEDTLS_PLATFORM_STD_CALLOC kdump_tls_no_calloc
#define MBEDTLS_PLATFORM_STD_FREE   kdump_tls_no_free

/* entropy: getrandom via mbedtls_hardware_poll (kdump/tls.c) */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_FORCE_SHA256
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_CTR_DRBG_C

/* symmetric crypto and hashes */
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C

/* public key: ECDSA and ECDH on P-256 */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C          /* the server key pin is over its DER */
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C

/* certificates */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

/* TLS 1.2 client, one cipher suite */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_CIPHERSUITES MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

/* sizes: small RAM footprint for a capture kernel */
#define MBEDTLS_MPI_WINDOW_SIZE        2
#define MBEDTLS_MPI_MAX_SIZE           64
#define MBEDTLS_ECP_MAX_BITS           256
#define MBEDTLS_ECP_WINDOW_SIZE        2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM  0
#define MBEDTLS_SSL_IN_CONTENT_LEN     16384   /* whatever the server sends */
#define MBEDTLS_SSL_OUT_CONTENT_LEN    4096    /* our records can be small */

#include "mbedtls/check_config.h"

#endif
