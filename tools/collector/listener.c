#include "tools/collector/listener.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>

#include "port/port.h"
#include "tools/cli/cli.h"

int server_tls_setup(struct server_tls *t, const char *who, const char *ca, const char *cert, const char *key,
		     int authmode)
{
	char err[200], pers[64];
	int ret;

	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_x509_crt_init(&t->cert);
	mbedtls_pk_init(&t->key);
	snprintf(pers, sizeof pers, "panicsage %s", who);
	if ((ret = tls_rng_init(&t->rng, pers))) {
		cli_error("%s: random generator: %s", who, tls_err(err, sizeof err, ret));
		return PS_EXIT_FAILURE;
	}
	if ((ret = mbedtls_x509_crt_parse_file(&t->ca, ca))) {
		cli_error("%s: --ca %s: %s", who, ca, tls_err(err, sizeof err, ret));
		return PS_EXIT_IO;
	}
	if ((ret = mbedtls_x509_crt_parse_file(&t->cert, cert))) {
		cli_error("%s: --cert %s: %s", who, cert, tls_err(err, sizeof err, ret));
		return PS_EXIT_IO;
	}
	if ((ret = mbedtls_pk_parse_keyfile(&t->key, key, NULL))) {
		cli_error("%s: --key %s: %s", who, key, tls_err(err, sizeof err, ret));
		return PS_EXIT_IO;
	}
	/* A key that is not the certificate's would fail every handshake. */
	if ((ret = mbedtls_pk_check_pair(&t->cert.pk, &t->key))) {
		cli_error("%s: --key %s does not match the certificate --cert %s (%s)", who, key, cert,
			  tls_err(err, sizeof err, ret));
		return PS_EXIT_USAGE;
	}
	ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (!ret)
		ret = mbedtls_ssl_conf_own_cert(&t->conf, &t->cert, &t->key);
	if (ret) {
		cli_error("%s: TLS configuration: %s", who, tls_err(err, sizeof err, ret));
		return PS_EXIT_FAILURE;
	}
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->rng.drbg);
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_authmode(&t->conf, authmode);
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	return PS_EXIT_OK;
}

int collector_parse_listen(const char *who, const char *listen_at, char *ip, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(listen_at, ':');
	char tmp[80];
	int bad;

	/* port_parse_addr refuses port 0: parse with a placeholder */
	if (colon && !strcmp(colon, ":0") && (size_t)(colon - listen_at) < sizeof tmp - 3) {
		snprintf(tmp, sizeof tmp, "%.*s:1", (int)(colon - listen_at), listen_at);
		bad = port_parse_addr(tmp, ip, cap, port);
		*port = 0;
	} else {
		bad = port_parse_addr(listen_at, ip, cap, port);
	}
	if (bad) {
		cli_error("%s: --listen needs IP:PORT with an IP literal, got '%s'", who, listen_at);
		return PS_EXIT_USAGE;
	}
	return PS_EXIT_OK;
}

static int write_port_file(const char *path, uint16_t port)
{
	char tmp[4200], text[16];
	FILE *f;
	int n = snprintf(text, sizeof text, "%u\n", port);

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (fwrite(text, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

int collector_listen(const char *who, const char *listen_at, const char *ip, uint16_t port, int backlog,
		     const char *port_file, int *lfd, uint16_t *bound)
{
	int e = port_tcp_listen(lfd, ip, port, backlog, bound);

	if (e) {
		cli_error("%s: listen on %s: %s", who, listen_at, port_strerror(e));
		return PS_EXIT_IO;
	}
	if (port_file && write_port_file(port_file, *bound)) {
		cli_error("%s: cannot write %s: %s", who, port_file, strerror(errno));
		port_sock_close(*lfd);
		return PS_EXIT_IO;
	}
	return PS_EXIT_OK;
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

void collector_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void collector_thread_attr(pthread_attr_t *attr, size_t stack)
{
	pthread_attr_init(attr);
	pthread_attr_setdetachstate(attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(attr, stack);
}

void collector_accept(int lfd, void (*conn)(void *arg, int fd, const char *peer),
		      void (*on_error)(void *arg, int err), void *arg)
{
	while (!stopping) {
		char peer[64];
		int fd, e = port_tcp_accept(lfd, &fd, peer, sizeof peer, 250);

		if (e == ETIMEDOUT || e == EINTR || e == ECONNABORTED)
			continue;
		if (e) {
			if (on_error)
				on_error(arg, e);
			port_sleep_us(100000);
			continue;
		}
		conn(arg, fd, peer);
	}
	port_sock_close(lfd);
}

int collector_drain(atomic_uint *running, uint32_t timeout_s)
{
	uint32_t i;

	for (i = 0; i < timeout_s * 20 + 20 && atomic_load(running); i++)
		port_sleep_us(50000);
	return atomic_load(running) ? -1 : 0;
}
