#include "tools/collector/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "kdump/tls_io.h"
#include "port/port.h"
#include "tools/collector/tlsutil.h"

#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

int http_parse_url(const char *url, struct http_url *u, char *err, size_t errlen)
{
	const char *p, *host, *hend, *slash;
	unsigned long port;

	memset(u, 0, sizeof *u);
	if (!strncmp(url, "http://", 7)) {
		p = url + 7;
		u->port = 80;
	} else if (!strncmp(url, "https://", 8)) {
		p = url + 8;
		u->tls = 1;
		u->port = 443;
	} else {
		snprintf(err, errlen, "endpoint '%s': must start with http:// or https://", url);
		return -1;
	}
	slash = strchr(p, '/');
	if (!slash)
		slash = p + strlen(p);
	host = p;
	if (*host == '[') {
		hend = memchr(host, ']', (size_t)(slash - host));
		if (!hend)
			goto bad;
		host++;
		p = hend + 1;
	} else {
		hend = memchr(host, ':', (size_t)(slash - host));
		if (!hend)
			hend = slash;
		p = hend;
	}
	if (hend == host || (size_t)(hend - host) >= sizeof u->host)
		goto bad;
	memcpy(u->host, host, (size_t)(hend - host));
	if (*p == ':') {
		char *end;
		errno = 0;
		port = strtoul(p + 1, &end, 10);
		if (errno || end != slash || port < 1 || port > 65535)
			goto bad;
		u->port = (uint16_t)port;
	} else if (p != slash) {
		goto bad;
	}
	if (snprintf(u->path, sizeof u->path, "%s", *slash ? slash : "/") >= (int)sizeof u->path)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "endpoint '%s': not a valid URL", url);
	return -1;
}

struct conn {
	struct tls_io io;
	int tls;
	mbedtls_ssl_context ssl;
};

/* Writes everything; 0 or a negative mbedTLS code. */
static int conn_write(struct conn *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (c->tls)
		return tls_io_write(&c->ssl, buf, len);
	while (len) {
		int n = tls_io_send(&c->io, p, len);

		if (n <= 0)
			return n ? n : MBEDTLS_ERR_NET_SEND_FAILED;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads some bytes: their count, 0 at the end of the stream, or a
 * negative mbedTLS code. */
static int conn_read(struct conn *c, void *buf, size_t len)
{
	return c->tls ? tls_io_read_some(&c->ssl, buf, len) : tls_io_recv(&c->io, buf, len);
}

static int tcp_connect(const struct http_url *u, struct conn *c, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8], ip[INET6_ADDRSTRLEN];
	int rc, e = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof port, "%u", u->port);
	rc = getaddrinfo(u->host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "%s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET ?
			(const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
			(const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		if (!inet_ntop(ai->ai_family, a, ip, sizeof ip))
			continue;
		e = port_tcp_connect(&c->io.fd, ip, u->port, tls_io_wait_ms(&c->io));
		if (!e)
			break;
	}
	freeaddrinfo(res);
	if (c->io.fd < 0) {
		snprintf(err, errlen, "connect to %s:%u: %s", u->host, u->port,
			 e ? port_strerror(e) : "no address");
		return -1;
	}
	return 0;
}

int http_post(const struct http_url *u, const char *extra_header, const char *body, size_t len,
	      uint32_t timeout_ms, const char *ca_file, struct http_response *resp,
	      char *err, size_t errlen)
{
	struct conn c;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	struct tls_rng rng;
	char head[2048], e[200];
	char *buf = NULL, *p;
	size_t cap = 1 << 16, used = 0, blen;
	struct http_reader rd = { 0, 0, 0, 0, 0 };
	const char *bad;
	int rc = -1, ret, n;

	memset(resp, 0, sizeof *resp);
	memset(&c, 0, sizeof c);
	c.io.fd = -1;
	c.tls = u->tls;
	c.io.deadline_us = port_now_us() + (uint64_t)timeout_ms * 1000u;
	mbedtls_ssl_init(&c.ssl);
	mbedtls_ssl_config_init(&conf);
	mbedtls_x509_crt_init(&ca);
	memset(&rng, 0, sizeof rng);
	if (u->tls) {
		const char *bundle = ca_file && *ca_file ? ca_file : SYSTEM_CA_BUNDLE;
		if ((ret = tls_rng_init(&rng, "panicsage http"))) {
			snprintf(err, errlen, "random generator: %s", tls_err(e, sizeof e, ret));
			goto out;
		}
		if ((ret = mbedtls_x509_crt_parse_file(&ca, bundle)) < 0) {
			snprintf(err, errlen, "CA bundle %s: %s", bundle, tls_err(e, sizeof e, ret));
			goto out;
		}
		ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
						  MBEDTLS_SSL_PRESET_DEFAULT);
		if (ret) {
			snprintf(err, errlen, "TLS: %s", tls_err(e, sizeof e, ret));
			goto out;
		}
		mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &rng.drbg);
		mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
		mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
		if ((ret = mbedtls_ssl_setup(&c.ssl, &conf)) || (ret = mbedtls_ssl_set_hostname(&c.ssl, u->host))) {
			snprintf(err, errlen, "TLS: %s", tls_err(e, sizeof e, ret));
			goto out;
		}
	}
	if (tcp_connect(u, &c, err, errlen))
		goto out;
	if (u->tls) {
		mbedtls_ssl_set_bio(&c.ssl, &c.io, tls_io_send, tls_io_recv, NULL);
		ret = tls_io_handshake(&c.ssl);
		if (ret) {
			uint32_t flags = mbedtls_ssl_get_verify_result(&c.ssl);
			char why[200] = "";
			if (flags && flags != (uint32_t)-1)
				mbedtls_x509_crt_verify_info(why, sizeof why, "", flags);
			if ((p = strchr(why, '\n')))
				*p = '\0';
			snprintf(err, errlen, "TLS handshake with %s: %s%s%s", u->host, tls_err(e, sizeof e, ret),
				 why[0] ? ": " : "", why);
			goto out;
		}
	}
	{
		/* Host header: the port only when it is not the default. */
		char hostport[300];
		int v6 = strchr(u->host, ':') != NULL;
		if (u->port == (u->tls ? 443 : 80))
			snprintf(hostport, sizeof hostport, v6 ? "[%s]" : "%s", u->host);
		else
			snprintf(hostport, sizeof hostport, v6 ? "[%s]:%u" : "%s:%u", u->host, u->port);
		n = snprintf(head, sizeof head,
			     "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: panicsage\r\n"
			     "Content-Type: application/json\r\nAccept: application/json\r\n"
			     "Content-Length: %zu\r\nConnection: close\r\n%s%s\r\n",
			     u->path, hostport, len,
			     extra_header ? extra_header : "", extra_header ? "\r\n" : "");
	}
	if (n < 0 || (size_t)n >= sizeof head) {
		snprintf(err, errlen, "request header too long");
		goto out;
	}
	if ((ret = conn_write(&c, head, (size_t)n)) != 0 || (ret = conn_write(&c, body, len)) != 0) {
		snprintf(err, errlen, "sending the request to %s: %s", u->host, tls_err(e, sizeof e, ret));
		goto out;
	}
	buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (;;) {
		if (used + 1 >= cap) {
			char *q;
			if (cap >= HTTP_MAX_BODY) {
				snprintf(err, errlen, "response larger than %u bytes", HTTP_MAX_BODY);
				goto out;
			}
			q = realloc(buf, cap * 2);
			if (!q) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = q;
			cap *= 2;
		}
		n = conn_read(&c, buf + used, cap - 1 - used);
		if (n == 0)
			break;
		if (n < 0) {
			snprintf(err, errlen, "reading the response from %s: %s", u->host, tls_err(e, sizeof e, n));
			goto out;
		}
		used += (size_t)n;
		if (http_reader_feed(&rd, buf, used))
			break;   /* a Content-Length body is complete */
	}
	if ((bad = http_reader_finish(&rd, buf, used, &resp->status, &blen)) != NULL) {
		snprintf(err, errlen, "%s from %s", bad, u->host);
		goto out;
	}
	resp->body = buf;
	resp->body_len = blen;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (c.tls && c.io.fd >= 0) {
		c.io.deadline_us = port_now_us() + 100000u;
		mbedtls_ssl_close_notify(&c.ssl);
	}
	port_sock_close(c.io.fd);
	mbedtls_ssl_free(&c.ssl);
	mbedtls_ssl_config_free(&conf);
	mbedtls_x509_crt_free(&ca);
	if (u->tls)
		tls_rng_free(&rng);
	return rc;
}

void http_response_free(struct http_response *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof *resp);
}
