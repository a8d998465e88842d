/* The socket under an mbedTLS session, every wait bounded by a deadline,
 * and the one mapping from socket and mbedTLS errors to what happened.
 *
 * One source, compiled twice: into panicsage-kdump against its musl
 * mbedTLS (kdump/tls_config.h) and into panicsage-collector (serve, the
 * LLM client) against Debian's libmbedtls.  It lives in kdump/ because
 * the capture side is the constrained one (no heap, no stdio here) and
 * the host may use kdump/ code (as it uses kdump/vmcore), not the
 * reverse; port/ is linked into every program, also the front end that
 * must load no TLS library. */
#ifndef PS_KDUMP_TLS_IO_H
#define PS_KDUMP_TLS_IO_H

#include <stddef.h>
#include <stdint.h>

#include "mbedtls/ssl.h"

struct tls_io {
	int fd;
	uint64_t deadline_us;   /* port_now_us() clock: no wait goes past it */
	uint32_t wait_ms;       /* and no single wait is longer (0: the deadline alone) */
};

/* Milliseconds the next wait may take: what is left before the deadline,
 * at most wait_ms; 0 once the deadline passed. */
uint32_t tls_io_wait_ms(const struct tls_io *io);

/* mbedTLS's f_send and f_recv: mbedtls_ssl_set_bio(ssl, io, tls_io_send,
 * tls_io_recv, NULL); also usable on a plain socket.  The byte count, 0
 * from tls_io_recv when the peer closed, or a negative mbedTLS code:
 *   the deadline passed (ETIMEDOUT)   MBEDTLS_ERR_SSL_TIMEOUT
 *   EPIPE, ECONNRESET                 MBEDTLS_ERR_NET_CONN_RESET
 *   any other socket error            MBEDTLS_ERR_NET_SEND_FAILED / _RECV_FAILED */
int tls_io_send(void *io, const unsigned char *buf, size_t len);
int tls_io_recv(void *io, unsigned char *buf, size_t len);

/* The handshake, until done or failed: 0 or a negative mbedTLS code. */
int tls_io_handshake(mbedtls_ssl_context *ssl);
/* Writes all of buf: 0 or a negative mbedTLS code. */
int tls_io_write(mbedtls_ssl_context *ssl, const void *buf, size_t len);
/* Reads exactly len bytes: 0, TLS_IO_EOF when allow_eof and the peer
 * closed (close_notify or end of stream) before the first byte, or a
 * negative mbedTLS code (MBEDTLS_ERR_SSL_CONN_EOF for a close midway). */
#define TLS_IO_EOF 1
int tls_io_read(mbedtls_ssl_context *ssl, void *buf, size_t len, int allow_eof);
/* Reads some bytes: their count, 0 at the end of the stream
 * (close_notify or end of stream), or a negative mbedTLS code. */
int tls_io_read_some(mbedtls_ssl_context *ssl, void *buf, size_t len);

/* What an error means, for retry decisions and messages. */
enum tls_io_kind {
	TLS_IO_OK,
	TLS_IO_TIMEOUT,    /* the deadline passed */
	TLS_IO_CLOSED,     /* the peer closed the connection */
	TLS_IO_RESET,      /* the connection was reset */
	TLS_IO_NET,        /* another socket error */
	TLS_IO_REFUSED,    /* the peer sent a fatal alert (e.g. refused our certificate) */
	TLS_IO_MEMORY,     /* mbedTLS ran out of memory */
	TLS_IO_TLS         /* any other TLS failure: certificates, protocol */
};
enum tls_io_kind tls_io_kind(int ret);
/* A short text for an error a person can act on ("timed out", ...), or
 * NULL for a TLS_IO_TLS error without one (then say the code). */
const char *tls_io_strerror(int ret);

#endif
