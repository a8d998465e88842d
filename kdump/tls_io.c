#include "kdump/tls_io.h"

#include <errno.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ecp.h"
#include "mbedtls/net_sockets.h"   /* MBEDTLS_ERR_NET_* codes only */
#include "mbedtls/x509.h"

#include "port/port.h"

uint32_t tls_io_wait_ms(const struct tls_io *io)
{
	uint64_t now = port_now_us(), left;

	if (now >= io->deadline_us)
		return 0;
	left = (io->deadline_us - now + 999) / 1000;
	if (io->wait_ms && left > io->wait_ms)
		left = io->wait_ms;
	return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

static int net_error(int err, int other)
{
	if (err == ETIMEDOUT)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	if (err == EPIPE || err == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return other;
}

int tls_io_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_io *io = ctx;
	size_t sent;
	int err;

	if (len > INT32_MAX)
		len = INT32_MAX;
	err = port_send(io->fd, buf, len, &sent, tls_io_wait_ms(io));
	return err ? net_error(err, MBEDTLS_ERR_NET_SEND_FAILED) : (int)sent;
}

int tls_io_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls_io *io = ctx;
	size_t got;
	int err;

	if (len > INT32_MAX)
		len = INT32_MAX;
	err = port_recv(io->fd, buf, len, &got, tls_io_wait_ms(io));
	return err ? net_error(err, MBEDTLS_ERR_NET_RECV_FAILED) : (int)got;
}

static int again(int ret)
{
	return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

int tls_io_handshake(mbedtls_ssl_context *ssl)
{
	int ret;

	do
		ret = mbedtls_ssl_handshake(ssl);
	while (again(ret));
	return ret;
}

int tls_io_write(mbedtls_ssl_context *ssl, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		int ret = mbedtls_ssl_write(ssl, p, len);

		if (again(ret))
			continue;
		if (ret <= 0)
			return ret ? ret : MBEDTLS_ERR_NET_SEND_FAILED;
		p += ret;
		len -= (size_t)ret;
	}
	return 0;
}

static int closed(int ret)
{
	return ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF;
}

int tls_io_read_some(mbedtls_ssl_context *ssl, void *buf, size_t len)
{
	int ret;

	do
		ret = mbedtls_ssl_read(ssl, buf, len);
	while (again(ret));
	return closed(ret) ? 0 : ret;
}

int tls_io_read(mbedtls_ssl_context *ssl, void *buf, size_t len, int allow_eof)
{
	unsigned char *p = buf;
	size_t done = 0;

	while (done < len) {
		int ret = tls_io_read_some(ssl, p + done, len - done);

		if (ret == 0)
			return done == 0 && allow_eof ? TLS_IO_EOF : MBEDTLS_ERR_SSL_CONN_EOF;
		if (ret < 0)
			return ret;
		done += (size_t)ret;
	}
	return 0;
}

enum tls_io_kind tls_io_kind(int ret)
{
	switch (ret) {
	case 0:
		return TLS_IO_OK;
	case MBEDTLS_ERR_SSL_TIMEOUT:
		return TLS_IO_TIMEOUT;
	case MBEDTLS_ERR_SSL_CONN_EOF:
	case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
		return TLS_IO_CLOSED;
	case MBEDTLS_ERR_NET_CONN_RESET:
		return TLS_IO_RESET;
	case MBEDTLS_ERR_NET_SEND_FAILED:
	case MBEDTLS_ERR_NET_RECV_FAILED:
		return TLS_IO_NET;
	case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
		return TLS_IO_REFUSED;
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
	case MBEDTLS_ERR_MPI_ALLOC_FAILED:
	case MBEDTLS_ERR_ECP_ALLOC_FAILED:
	case MBEDTLS_ERR_X509_ALLOC_FAILED:
		return TLS_IO_MEMORY;
	}
	return TLS_IO_TLS;
}

const char *tls_io_strerror(int ret)
{
	switch (tls_io_kind(ret)) {
	case TLS_IO_OK:      return "no error";
	case TLS_IO_TIMEOUT: return "timed out";
	case TLS_IO_CLOSED:  return "the peer closed the connection";
	case TLS_IO_RESET:   return "connection reset by the peer";
	case TLS_IO_NET:     return ret == MBEDTLS_ERR_NET_SEND_FAILED ? "send failed" : "receive failed";
	case TLS_IO_REFUSED: return "the peer refused the handshake (certificate not accepted?)";
	case TLS_IO_MEMORY:  return "TLS memory exhausted";
	case TLS_IO_TLS:     break;
	}
	switch (ret) {
	case MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN:
	case MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO:
		return "no common cipher suite";
	case MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE:
		return "bad certificate from the peer";
	}
	return NULL;
}
