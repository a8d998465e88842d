/* kdump/tls_io.c, the socket under every mbedTLS session of
 * panicsage-kdump and the collector: each socket outcome on a real TCP
 * connection on 127.0.0.1 maps to one mbedTLS code, and each code to one
 * kind and text. */
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"

#include "kdump/tls_io.h"
#include "port/port.h"
#include "tests/unit/check.h"

/* A connected pair: *a the client, *b the accepted end. */
static int tcp_pair(int *a, int *b)
{
	int l;
	uint16_t port;
	char peer[64];

	if (port_tcp_listen(&l, "127.0.0.1", 0, 4, &port))
		return -1;
	if (port_tcp_connect(a, "127.0.0.1", port, 2000) || port_tcp_accept(l, b, peer, sizeof peer, 2000)) {
		port_sock_close(l);
		return -1;
	}
	port_sock_close(l);
	return 0;
}

/* Closes fd with a reset instead of a FIN. */
static void reset_close(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
}

static void test_mapping(void)
{
	static const struct { int ret; enum tls_io_kind kind; const char *text; } t[] = {
		{ 0, TLS_IO_OK, "no error" },
		{ MBEDTLS_ERR_SSL_TIMEOUT, TLS_IO_TIMEOUT, "timed out" },
		{ MBEDTLS_ERR_SSL_CONN_EOF, TLS_IO_CLOSED, "the peer closed the connection" },
		{ MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY, TLS_IO_CLOSED, "the peer closed the connection" },
		{ MBEDTLS_ERR_NET_CONN_RESET, TLS_IO_RESET, "connection reset by the peer" },
		{ MBEDTLS_ERR_NET_SEND_FAILED, TLS_IO_NET, "send failed" },
		{ MBEDTLS_ERR_NET_RECV_FAILED, TLS_IO_NET, "receive failed" },
		{ MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, TLS_IO_REFUSED,
		  "the peer refused the handshake (certificate not accepted?)" },
		{ MBEDTLS_ERR_SSL_ALLOC_FAILED, TLS_IO_MEMORY, "TLS memory exhausted" },
		{ MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN, TLS_IO_TLS, "no common cipher suite" },
		{ MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE, TLS_IO_TLS, "bad certificate from the peer" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		CHECK_EQ_INT(tls_io_kind(t[i].ret), t[i].kind);
		CHECK_EQ_STR(tls_io_strerror(t[i].ret), t[i].text);
	}
	CHECK_EQ_INT(tls_io_kind(MBEDTLS_ERR_SSL_BAD_INPUT_DATA), TLS_IO_TLS);
	CHECK(tls_io_strerror(MBEDTLS_ERR_SSL_BAD_INPUT_DATA) == NULL);
}

static void test_socket(void)
{
	struct tls_io io;
	unsigned char buf[64];
	uint64_t t0;
	int a, b, fd;

	if (tcp_pair(&a, &b)) {
		CHECK(!"a TCP connection on 127.0.0.1");
		return;
	}
	io.fd = a;
	io.wait_ms = 0;
	io.deadline_us = port_now_us() + 5000000u;

	/* bytes both ways */
	CHECK_EQ_INT(tls_io_send(&io, (const unsigned char *)"hello", 5), 5);
	io.fd = b;
	CHECK_EQ_INT(tls_io_recv(&io, buf, sizeof buf), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);

	/* the wait: what is left of the deadline, at most wait_ms, 0 after it */
	io.deadline_us = port_now_us() + 10000000u;
	CHECK(tls_io_wait_ms(&io) > 9000 && tls_io_wait_ms(&io) <= 10000);
	io.wait_ms = 50;
	CHECK_EQ_INT(tls_io_wait_ms(&io), 50);
	io.wait_ms = 0;

	/* nothing to read: the deadline, once passed, is a timeout at once */
	io.deadline_us = port_now_us() - 1;
	CHECK_EQ_INT(tls_io_wait_ms(&io), 0);
	CHECK_EQ_INT(tls_io_recv(&io, buf, sizeof buf), MBEDTLS_ERR_SSL_TIMEOUT);
	/* and wait_ms bounds one wait below a far deadline */
	io.deadline_us = port_now_us() + 60000000u;
	io.wait_ms = 50;
	t0 = port_now_us();
	CHECK_EQ_INT(tls_io_recv(&io, buf, sizeof buf), MBEDTLS_ERR_SSL_TIMEOUT);
	CHECK(port_now_us() - t0 < 30000000u);
	io.wait_ms = 0;
	io.deadline_us = port_now_us() + 5000000u;

	/* an orderly close reads as 0 */
	close(a);
	CHECK_EQ_INT(tls_io_recv(&io, buf, sizeof buf), 0);
	close(b);

	/* a reset: receiving and sending both say CONN_RESET (ECONNRESET, EPIPE) */
	if (tcp_pair(&a, &b)) {
		CHECK(!"a second TCP connection");
		return;
	}
	reset_close(a);
	io.fd = b;
	CHECK_EQ_INT(tls_io_recv(&io, buf, sizeof buf), MBEDTLS_ERR_NET_CONN_RESET);
	CHECK_EQ_INT(tls_io_send(&io, (const unsigned char *)"x", 1), MBEDTLS_ERR_NET_CONN_RESET);
	close(b);

	/* any other failure (not a socket): SEND_FAILED / RECV_FAILED */
	fd = open("/dev/null", O_RDWR);
	io.fd = fd;
	CHECK_EQ_INT(tls_io_recv(&io, buf, sizeof buf), MBEDTLS_ERR_NET_RECV_FAILED);
	CHECK_EQ_INT(tls_io_send(&io, (const unsigned char *)"x", 1), MBEDTLS_ERR_NET_SEND_FAILED);
	close(fd);
}

int main(void)
{
	test_mapping();
	test_socket();
	return check_summary("test_tls_io");
}
