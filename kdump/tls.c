/* The mbedTLS client of panicsage-kdump: mutual TLS 1.2 with a pinned
 * server key, over our own socket BIO with deadlines.  All mbedTLS
 * memory comes from a static buffer (kdump/tls_config.h). */
#include "kdump/tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecp.h"
#include "mbedtls/entropy.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/net_sockets.h"   /* MBEDTLS_ERR_NET_* codes only */
#include "mbedtls/pk.h"
#include "mbedtls/sha256.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#include "kdump/tls_io.h"
#include "port/port.h"

#ifndef KDUMP_TLS_HEAP
/* A handshake needs about 32 KiB (measured); the rest is margin. */
#define KDUMP_TLS_HEAP (48 * 1024)
#endif

/* The default mbedtls_calloc/free before mbedtls_memory_buffer_alloc_init
 * takes over: never libc's. */
void *kdump_tls_no_calloc(size_t n, size_t size)
{
	(void)n; (void)size;
	return NULL;
}

void kdump_tls_no_free(void *p)
{
	(void)p;
}

/* Entropy for mbedTLS (MBEDTLS_ENTROPY_HARDWARE_ALT). */
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen);
int mbedtls_hardware_poll(void *data, unsigned char *out, size_t len, size_t *olen)
{
	(void)data;
	*olen = 0;
	if (port_getrandom(out, len) != 0)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	*olen = len;
	return 0;
}

static unsigned char heap[KDUMP_TLS_HEAP] __attribute__((aligned(16)));
static unsigned char pem[8192];

static struct {
	int ready;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt cert;
	mbedtls_pk_context key;
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	int open;
	struct tls_io io;
	uint8_t pin[32];
} T;

static int fail(char *msg, size_t msglen, int code, const char *what, int ret)
{
	const char *why = tls_io_strerror(ret);

	snprintf(msg, msglen, "%s: %s%s (mbedtls -0x%04x)", what, why ? why : "TLS error",
		 tls_io_kind(ret) == TLS_IO_MEMORY ? " (KDUMP_TLS_HEAP)" : "", (unsigned)-ret);
	return code;
}

static int load_pem(const char *path, size_t *len, char *msg, size_t msglen)
{
	int err = port_read_file(path, pem, sizeof pem - 1, len);

	if (err) {
		snprintf(msg, msglen, "%s: %s", path, err == EFBIG ? "file too large" : port_strerror(err));
		return KDUMP_TLS_ECONFIG;
	}
	pem[*len] = '\0';
	/* PEM input is parsed as a C string; its length includes the NUL. */
	if (strstr((const char *)pem, "-----BEGIN"))
		(*len)++;
	return 0;
}

int kdump_tls_init(const struct kdump_config *cfg, char *msg, size_t msglen)
{
	static const char pers[] = "panicsage-kdump";
	size_t len;
	int ret;

	if (T.ready)
		return 0;
	if (!cfg->cert[0] || !cfg->key[0] || !cfg->have_pin) {
		snprintf(msg, msglen, "upload needs cert, key and server_pin in the configuration");
		return KDUMP_TLS_ECONFIG;
	}
	mbedtls_memory_buffer_alloc_init(heap, sizeof heap);
	mbedtls_entropy_init(&T.entropy);
	mbedtls_ctr_drbg_init(&T.drbg);
	mbedtls_x509_crt_init(&T.cert);
	mbedtls_pk_init(&T.key);
	mbedtls_ssl_config_init(&T.conf);
	mbedtls_ssl_init(&T.ssl);
	T.io.fd = -1;

	ret = mbedtls_ctr_drbg_seed(&T.drbg, mbedtls_entropy_func, &T.entropy,
				    (const unsigned char *)pers, sizeof pers - 1);
	if (ret) {
		snprintf(msg, msglen, "cannot seed the random generator from getrandom (mbedtls -0x%04x)",
			 (unsigned)-ret);
		return KDUMP_TLS_ECONFIG;
	}
	if ((ret = load_pem(cfg->cert, &len, msg, msglen)))
		return ret;
	ret = mbedtls_x509_crt_parse(&T.cert, pem, len);
	if (ret) {
		snprintf(msg, msglen, "%s: not a usable certificate (mbedtls -0x%04x)", cfg->cert, (unsigned)-ret);
		return KDUMP_TLS_ECONFIG;
	}
	if ((ret = load_pem(cfg->key, &len, msg, msglen)))
		return ret;
	ret = mbedtls_pk_parse_key(&T.key, pem, len, NULL, 0);
	mbedtls_platform_zeroize(pem, sizeof pem);
	if (ret) {
		snprintf(msg, msglen, "%s: not a usable P-256 private key (mbedtls -0x%04x)", cfg->key,
			 (unsigned)-ret);
		return KDUMP_TLS_ECONFIG;
	}
	ret = mbedtls_ssl_config_defaults(&T.conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (!ret)
		ret = mbedtls_ssl_conf_own_cert(&T.conf, &T.cert, &T.key);
	if (ret)
		return fail(msg, msglen, KDUMP_TLS_ECONFIG, "TLS configuration", ret);
	mbedtls_ssl_conf_rng(&T.conf, mbedtls_ctr_drbg_random, &T.drbg);
	/* The server is authenticated by its pinned key after the
	 * handshake, not by a CA chain (the capture kernel's clock cannot
	 * be trusted for validity dates anyway). */
	mbedtls_ssl_conf_authmode(&T.conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
	mbedtls_ssl_conf_min_version(&T.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	ret = mbedtls_ssl_setup(&T.ssl, &T.conf);
	if (ret)
		return fail(msg, msglen, KDUMP_TLS_ECONFIG, "TLS setup", ret);
	memcpy(T.pin, cfg->server_pin, sizeof T.pin);
	T.io.wait_ms = cfg->timeout_ms;   /* no single wait longer than timeout_ms */
	T.ready = 1;
	return 0;
}

static int pin_of(const mbedtls_x509_crt *crt, uint8_t out[32])
{
	unsigned char der[256];
	mbedtls_pk_context pk = crt->pk;   /* shallow copy: the writer only reads */
	int n = mbedtls_pk_write_pubkey_der(&pk, der, sizeof der);

	if (n <= 0)
		return -1;
	return mbedtls_sha256_ret(der + sizeof der - n, (size_t)n, out, 0) ? -1 : 0;
}

int kdump_tls_connect(const struct kdump_config *cfg, uint64_t deadline_us, char *msg, size_t msglen)
{
	const mbedtls_x509_crt *peer;
	uint8_t pin[32];
	uint32_t ms;
	int ret, err;

	if (!T.ready)
		return KDUMP_TLS_ECONFIG;
	kdump_tls_close();
	T.io.deadline_us = deadline_us;
	if ((ms = tls_io_wait_ms(&T.io)) == 0) {
		snprintf(msg, msglen, "no time left to connect");
		return KDUMP_TLS_ENET;
	}
	err = port_tcp_connect(&T.io.fd, cfg->collector_ip, cfg->collector_port, ms);
	if (err) {
		snprintf(msg, msglen, "connect to %s:%u: %s", cfg->collector_ip, cfg->collector_port,
			 port_strerror(err));
		return KDUMP_TLS_ENET;
	}
	T.open = 1;
	ret = mbedtls_ssl_session_reset(&T.ssl);
	if (ret)
		return fail(msg, msglen, KDUMP_TLS_ENET, "TLS reset", ret);
	mbedtls_ssl_set_bio(&T.ssl, &T.io, tls_io_send, tls_io_recv, NULL);
	ret = tls_io_handshake(&T.ssl);
	if (ret) {
		kdump_tls_close();
		return fail(msg, msglen, ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE ? KDUMP_TLS_EAUTH
			    : KDUMP_TLS_ENET, "TLS handshake", ret);
	}
	peer = mbedtls_ssl_get_peer_cert(&T.ssl);
	if (!peer || pin_of(peer, pin) != 0 || memcmp(pin, T.pin, sizeof pin) != 0) {
		kdump_tls_close();
		snprintf(msg, msglen, "the collector's public key does not match server_pin: refusing to send");
		return KDUMP_TLS_EAUTH;
	}
	return 0;
}

int kdump_tls_write(const void *buf, size_t len, char *msg, size_t msglen)
{
	int ret = tls_io_write(&T.ssl, buf, len);

	return ret ? fail(msg, msglen, KDUMP_TLS_ENET, "send", ret) : 0;
}

static int read_exact(unsigned char *p, size_t len, char *msg, size_t msglen)
{
	int ret = tls_io_read(&T.ssl, p, len, 0);

	return ret ? fail(msg, msglen, KDUMP_TLS_ENET, "waiting for the collector's answer", ret) : 0;
}

int kdump_tls_read_frame(uint8_t *buf, size_t cap, struct ps_frame *f, char *msg, size_t msglen)
{
	size_t need;
	int r, ret;

	if (cap < PS_FRAME_HEADER)
		return KDUMP_TLS_EPROTO;
	if ((ret = read_exact(buf, PS_FRAME_HEADER, msg, msglen)))
		return ret;
	r = ps_frame_header_decode(buf, PS_FRAME_HEADER, f, &need);
	if (r == PS_FRAME_OK && need > cap)
		r = PS_FRAME_ETOOBIG;
	if (r != PS_FRAME_OK) {
		snprintf(msg, msglen, "bad answer from the collector: %s", ps_frame_result_str(r));
		return KDUMP_TLS_EPROTO;
	}
	if ((ret = read_exact(buf + PS_FRAME_HEADER, need - PS_FRAME_HEADER, msg, msglen)))
		return ret;
	r = ps_frame_decode(buf, need, f, &need);
	if (r != PS_FRAME_OK) {
		snprintf(msg, msglen, "bad answer from the collector: %s", ps_frame_result_str(r));
		return KDUMP_TLS_EPROTO;
	}
	return 0;
}

void kdump_tls_close(void)
{
	if (!T.open)
		return;
	/* Best effort: a close_notify with a short deadline. */
	if (port_now_us() < T.io.deadline_us)
		mbedtls_ssl_close_notify(&T.ssl);
	port_sock_close(T.io.fd);
	T.io.fd = -1;
	T.open = 0;
	mbedtls_ssl_session_reset(&T.ssl);
}
