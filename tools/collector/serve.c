/* panicsage serve: the collector.  An mbedTLS server that requires
 * client certificates from the project's CA, reads CASE frames
 * (core/frame.h), validates everything, stores each case once in SQLite
 * (WAL, synchronous=FULL) in its crash bucket (tools/store) and only then
 * acknowledges it: a version 2 CASE with a version 2 ACK that carries
 * the bucket and its resolution, a version 1 CASE with a version 1 ACK.
 *
 * One thread per connection, at most --max-clients at once (further
 * connections are closed at once).  Every read and write has a
 * deadline: the handshake and each frame must complete within
 * --timeout seconds, and an idle connection is closed after that long,
 * so slow, half-open and garbage connections cost one thread for a
 * bounded time and never a case. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/net_sockets.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "core/frame.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"
#include "tools/store/store.h"
#include "tools/collector/tlsutil.h"

struct server {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca, cert;
	mbedtls_pk_context key;
	struct tls_rng rng;
	sqlite3 *db;
	uint32_t timeout_ms;
	uint32_t max_clients;
	int quiet;
	atomic_uint active;
	atomic_ulong stored, duplicates, rejected, refused;
	pthread_mutex_t log_lock;
};

struct conn {
	struct server *srv;
	int fd;
	char peer[64];
	char client[160];
	uint64_t deadline;
	mbedtls_ssl_context ssl;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void logf_(struct server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct server *s, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	if (s->quiet)
		return;
	gmtime_r(&now, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ serve: ", &tm);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->log_lock);
	fprintf(stderr, "%s\n", line);
	pthread_mutex_unlock(&s->log_lock);
}

static uint32_t left_ms(const struct conn *c)
{
	uint64_t now = port_now_us();

	return now >= c->deadline ? 0 : (uint32_t)((c->deadline - now + 999) / 1000);
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	size_t sent;
	int err = port_send(c->fd, buf, len, &sent, left_ms(c));

	if (err == ETIMEDOUT)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	if (err)
		return err == EPIPE || err == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
	return (int)sent;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	size_t got;
	int err = port_recv(c->fd, buf, len, &got, left_ms(c));

	if (err == ETIMEDOUT)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	if (err)
		return err == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
	return (int)got;
}

/* Reads exactly len bytes; 1 = ok, 0 = clean close before the first
 * byte (when allow_eof), -1 = error or timeout. */
static int read_exact(struct conn *c, unsigned char *p, size_t len, int allow_eof, int *ret_out)
{
	size_t done = 0;

	while (done < len) {
		int ret = mbedtls_ssl_read(&c->ssl, p + done, len - done);

		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if ((ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF) &&
		    done == 0 && allow_eof)
			return 0;
		if (ret <= 0) {
			*ret_out = ret ? ret : MBEDTLS_ERR_SSL_CONN_EOF;
			return -1;
		}
		done += (size_t)ret;
	}
	return 1;
}

static int write_all(struct conn *c, const unsigned char *p, size_t len)
{
	while (len) {
		int ret = mbedtls_ssl_write(&c->ssl, p, len);

		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (ret <= 0)
			return -1;
		p += ret;
		len -= (size_t)ret;
	}
	return 0;
}

static void send_error(struct conn *c, unsigned code, const char *msg)
{
	unsigned char out[PS_FRAME_HEADER + 4 + PS_FRAME_MAX_ERRMSG];
	size_t len;

	c->deadline = port_now_us() + 1000u * c->srv->timeout_ms;
	if (ps_error_encode(out, sizeof out, code, msg, &len) == PS_FRAME_OK)
		write_all(c, out, len);
}

/* Handles one CASE frame already read into buf; 0 to go on, -1 to
 * close the connection. */
static int handle_case(struct conn *c, const unsigned char *buf, size_t len)
{
	struct server *s = c->srv;
	struct ps_frame f;
	struct ps_case_meta m;
	struct ps_ack ack;
	struct store_bucket_info info;
	const uint8_t *hp;
	size_t hn, need, olen;
	uint8_t id[PS_FRAME_ID_LEN];
	unsigned char out[PS_FRAME_HEADER + PS_FRAME_MAX_ACK2];
	char hex[2 * PS_FRAME_ID_LEN + 1], err[200];
	int r;

	r = ps_frame_decode(buf, len, &f, &need);
	if (r != PS_FRAME_OK) {
		logf_(s, "%s: %s", c->peer, ps_frame_result_str(r));
		send_error(c, PS_FRAME_ERR_FRAME, ps_frame_result_str(r));
		return -1;
	}
	r = ps_case_decode(&f, &m);
	ps_case_hashed_part(buf, len, &hp, &hn);
	if (r == PS_FRAME_OK && (mbedtls_sha256_ret(hp, hn, id, 0) != 0 || memcmp(id, m.id, sizeof id) != 0))
		r = -1;
	if (r != PS_FRAME_OK) {
		const char *why = r < 0 ? "case id is not the SHA-256 of the case" : ps_frame_result_str(r);
		atomic_fetch_add(&s->rejected, 1);
		logf_(s, "%s: rejected a case: %s", c->peer, why);
		send_error(c, PS_FRAME_ERR_CASE, why);
		return 0;   /* the framing is intact: the session can go on */
	}
	ps_id_hex(m.id, hex);
	r = store_put_case(s->db, &m, c->peer, c->client, &info, err, sizeof err);
	if (r == STORE_BADCASE) {
		atomic_fetch_add(&s->rejected, 1);
		logf_(s, "%s: rejected case %.16s: %s", c->peer, hex, err);
		send_error(c, PS_FRAME_ERR_CASE, err);
		return 0;
	}
	if (r == STORE_RETRY) {
		logf_(s, "%s: cannot store case %.16s: %s", c->peer, hex, err);
		send_error(c, PS_FRAME_ERR_RETRY, "collector cannot store now, retry later");
		return -1;
	}
	memset(&ack, 0, sizeof ack);
	memcpy(ack.id, m.id, sizeof ack.id);
	ack.duplicate = r == STORE_DUPLICATE;
	/* a client that sent a version 2 CASE reads a version 2 ACK: the
	 * case's bucket and, for a known problem, its resolution */
	ack.version = f.version >= 2 ? 2 : 1;
	if (ack.version == 2) {
		ack.bucket = (struct ps_span){ info.bucket, (uint32_t)strlen(info.bucket) };
		ack.bucket_cases = info.cases;
		ack.bucket_machines = info.machines;
		ack.cause = (struct ps_span){ info.cause, (uint32_t)strlen(info.cause) };
		ack.advice = (struct ps_span){ info.advice, (uint32_t)strlen(info.advice) };
		ack.url = (struct ps_span){ info.url, (uint32_t)strlen(info.url) };
	}
	atomic_fetch_add(ack.duplicate ? &s->duplicates : &s->stored, 1);
	logf_(s, "%s: %s case %.16s label=%.*s confidence=%.3f release=%.*s machine=%.*s client=\"%s\""
	      " bucket=%s%s", c->peer, ack.duplicate ? "duplicate" : "stored", hex, (int)m.label.n, m.label.p,
	      m.confidence_ppm / 1e6, (int)m.release.n, m.release.p, (int)m.machine.n, m.machine.p, c->client,
	      info.bucket[0] ? info.bucket : "-", info.cause[0] ? " (known problem)" : "");
	if (ps_ack_encode(out, sizeof out, &ack, &olen) != PS_FRAME_OK && ack.version == 2) {
		/* a resolution the frame cannot carry (set by hand in the
		 * store): the acknowledgement matters more */
		logf_(s, "%s: bucket %s: its resolution does not fit an ACK; sent without it", c->peer, info.bucket);
		ack.cause = ack.advice = ack.url = (struct ps_span){ "", 0 };
		if (ps_ack_encode(out, sizeof out, &ack, &olen) != PS_FRAME_OK)
			return -1;
	} else if (olen == 0) {
		return -1;
	}
	c->deadline = port_now_us() + 1000u * s->timeout_ms;
	return write_all(c, out, olen);
}

static void session(struct conn *c)
{
	struct server *s = c->srv;
	unsigned char *buf = NULL;
	char err[200];
	int ret = 0;

	c->deadline = port_now_us() + 1000u * s->timeout_ms;
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	do
		ret = mbedtls_ssl_handshake(&c->ssl);
	while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (ret) {
		uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
		char why[256] = "";
		if (flags && flags != (uint32_t)-1)
			mbedtls_x509_crt_verify_info(why, sizeof why, "", flags);
		for (char *p = why; *p; p++)
			if (*p == '\n')
				*p = ' ';
		logf_(s, "%s: handshake failed: %s%s%s", c->peer, tls_err(err, sizeof err, ret),
		      why[0] ? "; client certificate: " : "", why);
		return;
	}
	{
		const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
		if (peer && mbedtls_x509_dn_gets(c->client, sizeof c->client, &peer->subject) < 0)
			c->client[0] = '\0';
	}
	buf = malloc(PS_FRAME_MAX);
	if (!buf) {
		send_error(c, PS_FRAME_ERR_RETRY, "collector out of memory");
		return;
	}
	for (;;) {
		struct ps_frame f;
		size_t need;
		int r;

		/* idle: the next frame must start within the timeout, and
		 * then arrive whole within the timeout */
		c->deadline = port_now_us() + 1000u * s->timeout_ms;
		r = read_exact(c, buf, PS_FRAME_HEADER, 1, &ret);
		if (r == 0)
			break;
		if (r < 0) {
			if (ret != MBEDTLS_ERR_SSL_CONN_EOF)
				logf_(s, "%s: closing: %s", c->peer, tls_err(err, sizeof err, ret));
			break;
		}
		r = ps_frame_header_decode(buf, PS_FRAME_HEADER, &f, &need);
		if (r == PS_FRAME_OK && f.type != PS_FRAME_CASE)
			r = PS_FRAME_ETYPE;
		if (r != PS_FRAME_OK) {
			atomic_fetch_add(&s->rejected, 1);
			logf_(s, "%s: bad frame: %s", c->peer, ps_frame_result_str(r));
			send_error(c, r == PS_FRAME_ETYPE ? PS_FRAME_ERR_TYPE : PS_FRAME_ERR_FRAME,
				   ps_frame_result_str(r));
			break;
		}
		if (read_exact(c, buf + PS_FRAME_HEADER, need - PS_FRAME_HEADER, 0, &ret) < 0) {
			logf_(s, "%s: truncated frame: %s", c->peer, tls_err(err, sizeof err, ret));
			break;
		}
		if (handle_case(c, buf, need) != 0)
			break;
	}
	c->deadline = port_now_us() + 200000u;
	mbedtls_ssl_close_notify(&c->ssl);
	free(buf);
}

static void *worker(void *arg)
{
	struct conn *c = arg;
	struct server *s = c->srv;

	session(c);
	mbedtls_ssl_free(&c->ssl);
	port_sock_close(c->fd);
	free(c);
	atomic_fetch_sub(&s->active, 1);
	return NULL;
}

static int setup_tls(struct server *s, const char *ca, const char *cert, const char *key)
{
	char err[200];
	int ret;

	mbedtls_ssl_config_init(&s->conf);
	mbedtls_x509_crt_init(&s->ca);
	mbedtls_x509_crt_init(&s->cert);
	mbedtls_pk_init(&s->key);
	if ((ret = tls_rng_init(&s->rng, "panicsage serve"))) {
		cli_error("serve: random generator: %s", tls_err(err, sizeof err, ret));
		return -1;
	}
	if ((ret = mbedtls_x509_crt_parse_file(&s->ca, ca))) {
		cli_error("serve: --ca %s: %s", ca, tls_err(err, sizeof err, ret));
		return -1;
	}
	if ((ret = mbedtls_x509_crt_parse_file(&s->cert, cert))) {
		cli_error("serve: --cert %s: %s", cert, tls_err(err, sizeof err, ret));
		return -1;
	}
	if ((ret = mbedtls_pk_parse_keyfile(&s->key, key, NULL))) {
		cli_error("serve: --key %s: %s", key, tls_err(err, sizeof err, ret));
		return -1;
	}
	ret = mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (!ret)
		ret = mbedtls_ssl_conf_own_cert(&s->conf, &s->cert, &s->key);
	if (ret) {
		cli_error("serve: TLS configuration: %s", tls_err(err, sizeof err, ret));
		return -1;
	}
	mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->rng.drbg);
	mbedtls_ssl_conf_ca_chain(&s->conf, &s->ca, NULL);
	mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_min_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	return 0;
}

static void serve_usage(FILE *f)
{
	fputs("usage: panicsage serve --listen IP:PORT --db FILE --ca CA.crt --cert SERVER.crt\n"
	      "                       --key SERVER.key [--timeout SEC] [--max-clients N]\n"
	      "                       [--port-file FILE] [--quiet]\n\n"
	      "The collector: receives cases from panicsage-kdump over mutual TLS (client\n"
	      "certificates signed by CA.crt are required) and stores each once in the SQLite\n"
	      "database FILE (WAL), each in its crash bucket (panicsage buckets); a capture\n"
	      "kernel of this version is told the bucket and a known problem's resolution\n"
	      "(panicsage label --resolve).  PORT 0 picks a free port (written to --port-file).\n"
	      "--timeout (default 15) bounds the handshake, each frame and idle time;\n"
	      "--max-clients (default 64) bounds concurrent connections.  SIGINT/SIGTERM stop it.\n", f);
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
	if (fwrite(text, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static struct server s;
	const char *listen_at = NULL, *dbpath = NULL, *ca = NULL, *cert = NULL, *key = NULL, *port_file = NULL;
	char ip[64], err[300];
	uint16_t port, bound;
	uint32_t timeout_s = 15;
	int i, lfd, rc = PS_EXIT_OK;
	struct sigaction sa;
	pthread_attr_t attr;

	memset(&s, 0, sizeof s);
	s.max_clients = 64;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			serve_usage(stdout);
			return PS_EXIT_OK;
		}
		if (!strcmp(o, "--quiet")) {
			s.quiet = 1;
			continue;
		}
		if (i + 1 >= argc) {
			cli_error("serve: %s needs a value", o);
			return PS_EXIT_USAGE;
		}
		if (!strcmp(o, "--listen")) listen_at = argv[++i];
		else if (!strcmp(o, "--db")) dbpath = argv[++i];
		else if (!strcmp(o, "--ca")) ca = argv[++i];
		else if (!strcmp(o, "--cert")) cert = argv[++i];
		else if (!strcmp(o, "--key")) key = argv[++i];
		else if (!strcmp(o, "--port-file")) port_file = argv[++i];
		else if (!strcmp(o, "--timeout")) {
			if (cli_parse_u32("--timeout", argv[++i], 1, 3600, &timeout_s))
				return PS_EXIT_USAGE;
		} else if (!strcmp(o, "--max-clients")) {
			if (cli_parse_u32("--max-clients", argv[++i], 1, 10000, &s.max_clients))
				return PS_EXIT_USAGE;
		} else {
			cli_error("serve: unknown option '%s'", o);
			serve_usage(stderr);
			return PS_EXIT_USAGE;
		}
	}
	if (!listen_at || !dbpath || !ca || !cert || !key) {
		serve_usage(stderr);
		return PS_EXIT_USAGE;
	}
	{
		/* port 0 is allowed here: parse with a placeholder */
		char tmp[80];
		const char *colon = strrchr(listen_at, ':');
		if (colon && !strcmp(colon, ":0") && (size_t)(colon - listen_at) < sizeof tmp - 3) {
			snprintf(tmp, sizeof tmp, "%.*s:1", (int)(colon - listen_at), listen_at);
			if (port_parse_addr(tmp, ip, sizeof ip, &port) == 0)
				port = 0;
			else
				goto bad_listen;
		} else if (port_parse_addr(listen_at, ip, sizeof ip, &port)) {
bad_listen:
			cli_error("serve: --listen needs IP:PORT with an IP literal, got '%s'", listen_at);
			return PS_EXIT_USAGE;
		}
	}
	s.timeout_ms = timeout_s * 1000u;
	pthread_mutex_init(&s.log_lock, NULL);
	if (setup_tls(&s, ca, cert, key))
		return PS_EXIT_IO;
	if (store_open(&s.db, dbpath, err, sizeof err)) {
		cli_error("serve: %s", err);
		return PS_EXIT_IO;
	}
	if ((i = port_tcp_listen(&lfd, ip, port, 128, &bound))) {
		cli_error("serve: listen on %s: %s", listen_at, port_strerror(i));
		store_close(s.db);
		return PS_EXIT_IO;
	}
	if (port_file && write_port_file(port_file, bound)) {
		cli_error("serve: cannot write %s: %s", port_file, strerror(errno));
		store_close(s.db);
		return PS_EXIT_IO;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	logf_(&s, "listening on %s%s%s:%u, store %s, timeout %us, max %u clients",
	      strchr(ip, ':') ? "[" : "", ip, strchr(ip, ':') ? "]" : "", bound, dbpath, timeout_s,
	      s.max_clients);

	while (!stopping) {
		struct conn *c;
		pthread_t th;
		char peer[64];
		int fd, err2 = port_tcp_accept(lfd, &fd, peer, sizeof peer, 250);

		if (err2 == ETIMEDOUT || err2 == EINTR || err2 == ECONNABORTED)
			continue;
		if (err2) {
			logf_(&s, "accept: %s", port_strerror(err2));
			port_sleep_us(100000);   /* EMFILE and friends: do not spin */
			continue;
		}
		if (atomic_load(&s.active) >= s.max_clients) {
			atomic_fetch_add(&s.refused, 1);
			logf_(&s, "%s: refused: %u clients already connected", peer, s.max_clients);
			port_sock_close(fd);
			continue;
		}
		c = calloc(1, sizeof *c);
		if (!c) {
			port_sock_close(fd);
			continue;
		}
		c->srv = &s;
		c->fd = fd;
		snprintf(c->peer, sizeof c->peer, "%s", peer);
		mbedtls_ssl_init(&c->ssl);
		if (mbedtls_ssl_setup(&c->ssl, &s.conf) != 0) {
			mbedtls_ssl_free(&c->ssl);
			port_sock_close(fd);
			free(c);
			continue;
		}
		atomic_fetch_add(&s.active, 1);
		if (pthread_create(&th, &attr, worker, c) != 0) {
			atomic_fetch_sub(&s.active, 1);
			mbedtls_ssl_free(&c->ssl);
			port_sock_close(fd);
			free(c);
		}
	}
	port_sock_close(lfd);
	/* Let running sessions finish (each is bounded by the timeout). */
	for (i = 0; i < (int)(timeout_s * 20 + 20) && atomic_load(&s.active); i++)
		port_sleep_us(50000);
	logf_(&s, "stopping: %lu stored, %lu duplicates, %lu rejected, %lu refused",
	      atomic_load(&s.stored), atomic_load(&s.duplicates), atomic_load(&s.rejected),
	      atomic_load(&s.refused));
	if (atomic_load(&s.active))
		rc = PS_EXIT_FAILURE;   /* do not close the store under a live thread */
	else
		store_close(s.db);
	return rc;
}
