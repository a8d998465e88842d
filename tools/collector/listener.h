/* The TLS listening side that `panicsage serve` and `panicsage web`
 * share: the certificate files and the server's TLS configuration, the
 * --listen address and --port-file, the signals that stop them, the
 * accept loop and the wait for running connections at the end.  Every
 * function that can fail prints "WHO: what" (cli_error) and returns an
 * exit code (core/exitcode.h). */
#ifndef PS_TOOLS_COLLECTOR_LISTENER_H
#define PS_TOOLS_COLLECTOR_LISTENER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "tools/collector/tlsutil.h"

struct server_tls {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca, cert;
	mbedtls_pk_context key;
	struct tls_rng rng;
};

/* A TLS 1.2+ server configuration: --ca (the client certificates'
 * issuer), --cert and its --key, checked to be a pair, and authmode
 * (MBEDTLS_SSL_VERIFY_REQUIRED or _OPTIONAL) for client certificates.
 * 3 a file unreadable or unusable, 2 a key that is not the
 * certificate's, 1 mbedTLS itself failed. */
int server_tls_setup(struct server_tls *t, const char *who, const char *ca, const char *cert, const char *key,
		     int authmode);

/* --listen IP:PORT with an IP literal (IPv6 in brackets); PORT 0 picks
 * a free port when listening.  0, or 2 with a message. */
int collector_parse_listen(const char *who, const char *listen_at, char *ip, size_t cap, uint16_t *port);

/* Listens on ip:port (listen_at names it in messages) and, with a
 * port_file, writes the bound port to it (written whole, then renamed
 * into place).  0, or 3 with a message and nothing left open. */
int collector_listen(const char *who, const char *listen_at, const char *ip, uint16_t port, int backlog,
		     const char *port_file, int *lfd, uint16_t *bound);

/* SIGINT and SIGTERM stop collector_accept; SIGPIPE is ignored. */
void collector_catch_signals(void);

/* Attributes of the connections' threads: detached, `stack` bytes of
 * stack. */
void collector_thread_attr(pthread_attr_t *attr, size_t stack);

/* Accepts connections on lfd until SIGINT or SIGTERM, handing each to
 * conn (which owns fd from then on).  Any accept error but a timeout,
 * EINTR or ECONNABORTED goes to on_error (NULL: none) and pauses 100 ms
 * (EMFILE and friends: do not spin).  Closes lfd. */
void collector_accept(int lfd, void (*conn)(void *arg, int fd, const char *peer),
		      void (*on_error)(void *arg, int err), void *arg);

/* Waits until *running is 0 or timeout_s + 1 seconds have passed (each
 * connection is bounded by its own deadlines).  0 when none is left. */
int collector_drain(atomic_uint *running, uint32_t timeout_s);

#endif
