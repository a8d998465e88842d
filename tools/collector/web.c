/* panicsage web: the triage page over HTTPS (mbedTLS).
 *
 * One thread per connection, at most --max-clients at once (more are
 * closed at once), one request per connection (Connection: close), the
 * TLS handshake, the request and the answer all within --timeout.  A
 * request is read whole first (web_req.h: a head of at most 8 KiB, a
 * form of at most 16 KiB), then answered: only to a client certificate
 * of the CA, the operator's token (Authorization: Bearer) or a session
 * cookie made from it; anyone else gets 401 and the sign-in form.  The
 * store is used by one request at a time (the pages are short reads;
 * the forms one IMMEDIATE transaction each, beside `panicsage serve`). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>

#include "kdump/tls_io.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"
#include "tools/collector/listener.h"
#include "tools/collector/tlsutil.h"
#include "tools/collector/web.h"
#include "tools/store/store.h"

struct web_server {
	struct server_tls tls;
	pthread_attr_t attr;     /* of the connections' threads */
	struct web_auth auth;
	struct store *db;
	pthread_mutex_t db_lock, log_lock;
	uint32_t timeout_ms, max_clients;
	int quiet;
	atomic_uint active;
};

struct web_conn {
	struct web_server *srv;
	struct tls_io io;
	mbedtls_ssl_context ssl;
	char peer[64];
};

static void log_line(struct web_server *s, const char *peer, const char *what, const char *path, int status)
{
	char line[300], t[32];
	time_t now = time(NULL);
	struct tm tm;

	if (s->quiet)
		return;
	gmtime_r(&now, &tm);
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&s->log_lock);
	fprintf(stderr, "%s web: %s: %s %s -> %d\n", t, peer, what, cli_text(line, sizeof line, path), status);
	pthread_mutex_unlock(&s->log_lock);
}

static void respond(struct web_conn *k, struct web_ctx *c)
{
	char h[1400];
	int n;

	if (c->out.failed)
		web_error(c, 500, "the page is too large or the server is out of memory");
	n = snprintf(h, sizeof h,
		     "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\nCache-Control: no-store\r\n"
		     "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
		     " form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
		     "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: same-origin\r\n"
		     "%s%s%s%s%s%s%s%s\r\n",
		     c->status, web_status_text(c->status), c->out.len,
		     c->location[0] ? "Location: " : "", c->location, c->location[0] ? "\r\n" : "",
		     c->status == 401 ? "WWW-Authenticate: Bearer realm=\"panicsage\"\r\n" : "",
		     c->status == 405 ? "Allow: GET, POST\r\n" : "",
		     c->cookie[0] ? "Set-Cookie: ps_session=" : "",
		     c->cookie[0] ? (strcmp(c->cookie, "-") ? c->cookie : "") : "",
		     c->cookie[0] ? (strcmp(c->cookie, "-") ? "; Path=/; Max-Age=43200; Secure; HttpOnly; SameSite=Strict\r\n"
				     : "; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict\r\n") : "");
	if (n < 0 || (size_t)n >= sizeof h)
		return;
	if (tls_io_write(&k->ssl, h, (size_t)n) == 0 && c->out.len)
		tls_io_write(&k->ssl, c->out.p, c->out.len);
}

/* Who is asking: the certificate, the bearer token or the cookie. */
static void authenticate(struct web_conn *k, struct web_ctx *c)
{
	const struct web_auth *a = &k->srv->auth;
	const struct web_req *q = c->req;
	const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&k->ssl);
	char identity[300], v[200];

	if (peer && mbedtls_ssl_get_verify_result(&k->ssl) == 0) {
		unsigned char h[32];
		char hex[WEB_HEX];

		if (mbedtls_x509_dn_gets(c->who, sizeof c->who, &peer->subject) < 0 ||
		    mbedtls_sha256_ret(peer->raw.p, peer->raw.len, h, 0))
			return;
		tls_hex(h, sizeof h, hex);
		snprintf(identity, sizeof identity, "cert %s", hex);
		c->by_cert = 1;
	} else if (q->authorization) {
		if (strncasecmp(q->authorization, "Bearer ", 7) || !web_token_ok(a, q->authorization + 7))
			return;
		snprintf(c->who, sizeof c->who, "web (token)");
		snprintf(identity, sizeof identity, "bearer");
	} else if (q->cookie && web_cookie_get(q->cookie, "ps_session", v, sizeof v) > 0 &&
		   web_session_ok(a, v, c->now)) {
		snprintf(c->who, sizeof c->who, "web (token)");
		snprintf(identity, sizeof identity, "cookie %s", v);
	} else {
		return;
	}
	c->authed = web_csrf(a, identity, c->csrf) == 0;
}

/* Reads a request into buf (cap bytes): 0 and the head's and body's
 * lengths, a status to answer, or -1 to just close. */
static int read_request(struct web_conn *k, char *buf, size_t cap, struct web_req *r, size_t *head)
{
	size_t used = 0;
	int n, st;

	*head = 0;
	while (!*head) {
		if (used >= WEB_HEAD_MAX)
			return 431;
		n = tls_io_read_some(&k->ssl, buf + used, WEB_HEAD_MAX - used);
		if (n <= 0)
			return n == MBEDTLS_ERR_SSL_TIMEOUT && used ? 408 : -1;
		used += (size_t)n;
		*head = web_head_end(buf, used);
	}
	if ((st = web_req_parse(buf, *head, r)) != 0)
		return st;
	if (used - *head > r->content_length)
		return 400;   /* more than announced: no pipelining */
	while (used - *head < r->content_length) {
		if (used >= cap)
			return 413;
		n = tls_io_read_some(&k->ssl, buf + used, *head + r->content_length - used);
		if (n <= 0)
			return n == MBEDTLS_ERR_SSL_TIMEOUT ? 408 : -1;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return 0;
}

static void serve_one(struct web_conn *k)
{
	struct web_server *s = k->srv;
	struct web_req req;
	struct web_ctx c;
	size_t head;
	char *buf = malloc(WEB_HEAD_MAX + WEB_BODY_MAX + 1);
	int st;

	memset(&c, 0, sizeof c);
	c.db = s->db;
	c.auth = &s->auth;
	c.req = &req;
	c.now = (int64_t)time(NULL);
	memset(&req, 0, sizeof req);
	req.path = req.query = "";
	if (!buf)
		return;
	st = read_request(k, buf, WEB_HEAD_MAX + WEB_BODY_MAX, &req, &head);
	if (st < 0) {
		free(buf);
		return;
	}
	if (st) {
		web_error(&c, st, "the request is malformed or too large");
	} else {
		c.body = buf + head;
		c.body_len = req.content_length;
		authenticate(k, &c);
		pthread_mutex_lock(&s->db_lock);
		web_route(&c);
		pthread_mutex_unlock(&s->db_lock);
	}
	log_line(s, k->peer, st ? "bad request" : req.method == WEB_POST ? "POST" : "GET", req.path, c.status);
	respond(k, &c);
	html_free(&c.out);
	free(buf);
}

static int conn_send(void *ctx, const unsigned char *buf, size_t len)
{
	return tls_io_send(&((struct web_conn *)ctx)->io, buf, len);
}

static int conn_recv(void *ctx, unsigned char *buf, size_t len)
{
	return tls_io_recv(&((struct web_conn *)ctx)->io, buf, len);
}

static void *worker(void *arg)
{
	struct web_conn *k = arg;
	struct web_server *s = k->srv;

	k->io.deadline_us = port_now_us() + 1000u * (uint64_t)s->timeout_ms;
	mbedtls_ssl_set_bio(&k->ssl, k, conn_send, conn_recv, NULL);
	if (tls_io_handshake(&k->ssl) == 0) {
		serve_one(k);
		k->io.deadline_us = port_now_us() + 200000u;
		mbedtls_ssl_close_notify(&k->ssl);
	}
	mbedtls_ssl_free(&k->ssl);
	port_sock_close(k->io.fd);
	free(k);
	atomic_fetch_sub(&s->active, 1);
	return NULL;
}

static void start(void *arg, int fd, const char *peer)
{
	struct web_server *s = arg;
	struct web_conn *k;
	pthread_t th;

	if (atomic_fetch_add(&s->active, 1) >= s->max_clients || !(k = calloc(1, sizeof *k))) {
		atomic_fetch_sub(&s->active, 1);
		port_sock_close(fd);
		return;
	}
	k->srv = s;
	k->io.fd = fd;
	snprintf(k->peer, sizeof k->peer, "%s", peer);
	mbedtls_ssl_init(&k->ssl);
	if (mbedtls_ssl_setup(&k->ssl, &s->tls.conf) == 0 && pthread_create(&th, &s->attr, worker, k) == 0)
		return;
	mbedtls_ssl_free(&k->ssl);
	port_sock_close(fd);
	free(k);
	atomic_fetch_sub(&s->active, 1);
}

/* The TLS server; with a token, a browser without a certificate may sign
 * in with it, but a certificate it does present must still be the CA's.
 * Then the secret of the session cookies and CSRF tokens (web_auth.h). */
static int setup_tls(struct web_server *s, const char *ca, const char *cert, const char *key)
{
	char err[200];
	int ret = server_tls_setup(&s->tls, "web", ca, cert, key,
				   s->auth.token_len ? MBEDTLS_SSL_VERIFY_OPTIONAL : MBEDTLS_SSL_VERIFY_REQUIRED);

	if (ret != PS_EXIT_OK)
		return ret;
	if ((ret = mbedtls_ctr_drbg_random(&s->tls.rng.drbg, s->auth.secret, sizeof s->auth.secret))) {
		cli_error("web: random generator: %s", tls_err(err, sizeof err, ret));
		return PS_EXIT_FAILURE;
	}
	return PS_EXIT_OK;
}

static void usage(FILE *f)
{
	fputs("usage: panicsage web --listen IP:PORT --db STORE --ca CA.crt --cert SERVER.crt\n"
	      "                     --key SERVER.key [--token-file FILE] [--timeout SEC]\n"
	      "                     [--max-clients N] [--port-file FILE] [--quiet]\n\n"
	      "The triage web page of a collector's store, over HTTPS: the crash buckets\n"
	      "with their counts and a sparkline, crashes per day by label, a bucket's\n"
	      "cases, machines, kernels, best case (its segment with the culprit lines\n"
	      "highlighted), summary and similar buckets, and the labelling queue with\n"
	      "forms that set a bucket's label or resolution as `panicsage label` does.\n"
	      "Plain HTML and SVG, no JavaScript.\n\n"
	      "Who may see it: a client certificate signed by CA.crt (panicsage pki\n"
	      "client), or, with --token-file, the token in FILE (one line of 16 to 256\n"
	      "printable characters), sent as \"Authorization: Bearer TOKEN\" or typed\n"
	      "into the sign-in form, which sets a session cookie for 12 hours.  Without\n"
	      "either, every page answers 401.  Forms carry a CSRF token of the session\n"
	      "and are refused from other origins (Origin, Sec-Fetch-Site).\n"
	      "  --timeout SEC      the handshake, request and answer of a connection\n"
	      "                     (default 10)\n"
	      "  --max-clients N    connections at once (default 32; more are closed)\n"
	      "PORT 0 picks a free port (written to --port-file).  SIGINT/SIGTERM stop it.\n\n"
	      "exit codes: 2 bad usage, a bad token file or a key that does not match\n"
	      "            the certificate, 3 a file or the store unusable, or the\n"
	      "            address cannot be bound\n", f);
}

int cmd_web(int argc, char **argv)
{
	static struct web_server s;
	const char *listen_at = NULL, *dbpath = NULL, *ca = NULL, *cert = NULL, *key = NULL, *token = NULL;
	const char *port_file = NULL;
	uint32_t timeout_s = 10;
	char ip[64], err[400];
	uint16_t port, bound;
	int i, lfd, rc;
	const struct cli_opt opts[] = {
		CLI_STR("--listen", &listen_at),
		CLI_STR("--db", &dbpath),
		CLI_STR("--ca", &ca),
		CLI_STR("--cert", &cert),
		CLI_STR("--key", &key),
		CLI_STR("--token-file", &token),
		CLI_STR("--port-file", &port_file),
		CLI_U32("--timeout", &timeout_s, 1, 600),
		CLI_U32("--max-clients", &s.max_clients, 1, 1000),
		CLI_FLAG("--quiet", &s.quiet),
		CLI_END
	};
	const struct cli_spec spec = { "web", opts, usage, 0, 0 };

	s.max_clients = 32;
	if ((rc = cli_parse(&spec, argc, argv, NULL, &i)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	if (!listen_at || !dbpath || !ca || !cert || !key) {
		cli_error("web: --listen, --db, --ca, --cert and --key are required");
		usage(stderr);
		return PS_EXIT_USAGE;
	}
	if ((rc = collector_parse_listen("web", listen_at, ip, sizeof ip, &port)) != PS_EXIT_OK)
		return rc;
	if (token) {
		struct stat sb;

		if (web_auth_token(&s.auth, token, err, sizeof err)) {
			cli_error("web: %s", err);
			return PS_EXIT_USAGE;
		}
		if (stat(token, &sb) == 0 && (sb.st_mode & 077))
			cli_error("web: warning: --token-file %s is mode %04o: other users can read the token", token,
				  (unsigned)(sb.st_mode & 07777));
	}
	s.timeout_ms = timeout_s * 1000u;
	pthread_mutex_init(&s.db_lock, NULL);
	pthread_mutex_init(&s.log_lock, NULL);
	if ((rc = setup_tls(&s, ca, cert, key)) != PS_EXIT_OK)
		return rc;
	if (store_open_existing(&s.db, dbpath, err, sizeof err)) {
		cli_error("web: %s", err);
		return PS_EXIT_IO;
	}
	if ((rc = collector_listen("web", listen_at, ip, port, 64, port_file, &lfd, &bound)) != PS_EXIT_OK) {
		store_close(s.db);
		return rc;
	}
	collector_catch_signals();
	collector_thread_attr(&s.attr, 512 * 1024);
	if (!s.quiet)
		fprintf(stderr, "web: listening on https://%s%s%s:%u/, store %s, %s\n", strchr(ip, ':') ? "[" : "", ip,
			strchr(ip, ':') ? "]" : "", bound, dbpath,
			s.auth.token_len ? "client certificates or the token" : "client certificates only");
	collector_accept(lfd, start, NULL, &s);
	if (collector_drain(&s.active, timeout_s))
		return PS_EXIT_FAILURE;   /* do not close the store under a live thread */
	store_close(s.db);
	return PS_EXIT_OK;
}
