/* panicsage serve: the collector.  An mbedTLS server that requires
 * client certificates from the project's CA, reads CASE frames
 * (core/frame.h), validates everything, stores each case once in its
 * crash bucket (tools/store: a SQLite file, WAL and synchronous=FULL, or a
 * PostgreSQL database other collectors may share) and only then
 * acknowledges it: a version 2 CASE with a version 2 ACK that carries
 * the bucket and its resolution, a version 1 CASE with a version 1 ACK.
 *
 * One thread per connection.  Anyone who can reach the port can open
 * connections, so those that have not finished the TLS handshake are
 * kept apart from the authenticated sessions: they must finish it
 * within --handshake-timeout (default 5 s), at most --max-handshakes of
 * them are open at once, and a new one takes the place of the oldest
 * that has not sent a byte yet (a real client sends its ClientHello at
 * once), or, when all have, of the oldest from the address with the
 * most.  Only an authenticated session counts against --max-clients.
 * Every read and write has a deadline: each frame must complete within
 * --timeout seconds, and an idle session is closed after that long, so
 * slow, half-open and garbage connections cost one thread for a bounded
 * time and never a case.  Refusals and failed handshakes are logged at
 * most once per kind every LOG_EVERY_S seconds, with the count of the
 * lines left out. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/net_sockets.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "core/frame.h"
#include "kdump/tls_io.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/collector/commands.h"
#include "tools/collector/listener.h"
#include "tools/collector/tlsutil.h"
#include "tools/store/store.h"

#define LOG_EVERY_S 10

/* What is logged at most once every LOG_EVERY_S seconds. */
enum log_kind { LOG_REFUSED, LOG_DROPPED, LOG_HANDSHAKE, LOG_BADCERT, LOG_ACCEPT, LOG_NKINDS };

struct conn;

struct server {
	struct server_tls tls;
	pthread_attr_t attr;     /* of the connections' threads */
	struct store *db;
	uint32_t timeout_ms;
	uint32_t handshake_ms;
	uint32_t max_clients;
	uint32_t max_handshakes;
	int quiet;
	atomic_uint active;      /* authenticated sessions */
	atomic_uint threads;     /* every connection's thread */
	atomic_ulong stored, duplicates, rejected, refused, dropped, failed;
	/* the connections still in the handshake, oldest first */
	pthread_mutex_t pending_lock;
	struct conn *oldest, *newest;
	uint32_t npending;
	pthread_mutex_t log_lock;
	struct {
		uint64_t last_us;
		unsigned long left_out;
	} rate[LOG_NKINDS];
};

struct conn {
	struct server *srv;
	struct tls_io io;        /* the socket and the current deadline */
	struct conn *prev, *next;   /* in the pending list */
	int pending, dropped;    /* under srv->pending_lock */
	atomic_int spoke;        /* a byte arrived from the peer */
	char peer[64];           /* ip:port */
	char addr[64];           /* ip */
	char client[160];
	mbedtls_ssl_context ssl;
};

/* Prints one log line, with " (N more like this not logged ...)" when
 * left_out is not 0. */
static void vlog(struct server *s, unsigned long left_out, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void vlog(struct server *s, unsigned long left_out, const char *fmt, va_list ap)
{
	char line[700];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	gmtime_r(&now, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ serve: ", &tm);
	vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (left_out) {
		n = strlen(line);
		snprintf(line + n, sizeof line - n, " (%lu more like this not logged in the last %u s)",
			 left_out, LOG_EVERY_S);
	}
	pthread_mutex_lock(&s->log_lock);
	fprintf(stderr, "%s\n", line);
	pthread_mutex_unlock(&s->log_lock);
}

static void logf_(struct server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct server *s, const char *fmt, ...)
{
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	vlog(s, 0, fmt, ap);
	va_end(ap);
}

/* A line of a kind that strangers can cause at will: at most one every
 * LOG_EVERY_S seconds; the next one says how many were left out. */
static void log_rate(struct server *s, enum log_kind k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void log_rate(struct server *s, enum log_kind k, const char *fmt, ...)
{
	uint64_t now = port_now_us();
	unsigned long left_out;
	va_list ap;

	if (s->quiet)
		return;
	pthread_mutex_lock(&s->log_lock);
	if (s->rate[k].last_us && now - s->rate[k].last_us < LOG_EVERY_S * 1000000ull) {
		s->rate[k].left_out++;
		pthread_mutex_unlock(&s->log_lock);
		return;
	}
	left_out = s->rate[k].left_out;
	s->rate[k].left_out = 0;
	s->rate[k].last_us = now;
	pthread_mutex_unlock(&s->log_lock);
	va_start(ap, fmt);
	vlog(s, left_out, fmt, ap);
	va_end(ap);
}

/* Every read and write of the session must end within ms from now. */
static void set_deadline(struct conn *c, uint32_t ms)
{
	c->io.deadline_us = port_now_us() + 1000u * (uint64_t)ms;
}

static void send_error(struct conn *c, unsigned code, const char *msg)
{
	unsigned char out[PS_FRAME_HEADER + 4 + PS_FRAME_MAX_ERRMSG];
	size_t len;

	set_deadline(c, c->srv->timeout_ms);
	if (ps_error_encode(out, sizeof out, code, msg, &len) == PS_FRAME_OK)
		tls_io_write(&c->ssl, out, len);
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
	set_deadline(c, s->timeout_ms);
	return tls_io_write(&c->ssl, out, olen) ? -1 : 0;
}

/* ---- connections without a finished handshake ---- */

static void pending_unlink(struct server *s, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->oldest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		s->newest = c->prev;
	c->prev = c->next = NULL;
	c->pending = 0;
	s->npending--;
}

/* Whether the peer has sent anything yet: a byte read, or one waiting. */
static int spoke(struct conn *c)
{
	char b;

	if (atomic_load(&c->spoke))
		return 1;
	if (recv(c->io.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
		atomic_store(&c->spoke, 1);
		return 1;
	}
	return 0;
}

/* The connection that gives way to a new one: the oldest that has not
 * sent a byte; if all have, the oldest from the address with the most. */
static struct conn *pick_victim(struct server *s)
{
	struct conn *c, *o, *best = NULL;
	uint32_t most = 0, n;

	for (c = s->oldest; c; c = c->next)
		if (!spoke(c))
			return c;
	for (c = s->oldest; c; c = c->next) {
		for (n = 0, o = s->oldest; o; o = o->next)
			n += !strcmp(o->addr, c->addr);
		if (n > most) {
			most = n;
			best = c;
		}
	}
	return best;
}

/* "ip:port" or "[ip6]:port" without the port. */
static void peer_addr(char *out, size_t cap, const char *peer)
{
	const char *colon = strrchr(peer, ':');

	snprintf(out, cap, "%.*s", (int)(colon ? (size_t)(colon - peer) : strlen(peer)), peer);
}

/* Adds a new connection to the pending ones, making room at the cap. */
static void pending_admit(struct server *s, struct conn *c)
{
	struct conn *v = NULL;
	char victim[64] = "";

	pthread_mutex_lock(&s->pending_lock);
	if (s->npending >= s->max_handshakes && (v = pick_victim(s)) != NULL) {
		pending_unlink(s, v);
		v->dropped = 1;
		snprintf(victim, sizeof victim, "%s", v->peer);
		shutdown(v->io.fd, SHUT_RDWR);   /* its thread wakes up and ends */
	}
	c->prev = s->newest;
	if (s->newest)
		s->newest->next = c;
	else
		s->oldest = c;
	s->newest = c;
	c->pending = 1;
	s->npending++;
	pthread_mutex_unlock(&s->pending_lock);
	if (v) {
		atomic_fetch_add(&s->dropped, 1);
		log_rate(s, LOG_DROPPED, "%s: dropped to make room for %s: %u connections without a finished TLS"
			 " handshake (--max-handshakes)", victim, c->peer, s->max_handshakes);
	}
}

/* One more authenticated session, unless --max-clients are open. */
static int take_slot(struct server *s)
{
	unsigned n = atomic_load(&s->active);

	do
		if (n >= s->max_clients)
			return 0;
	while (!atomic_compare_exchange_weak(&s->active, &n, n + 1));
	return 1;
}

/* ---- one connection ---- */

static int conn_send(void *ctx, const unsigned char *buf, size_t len)
{
	return tls_io_send(&((struct conn *)ctx)->io, buf, len);
}

static int conn_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	int n = tls_io_recv(&c->io, buf, len);

	if (n > 0)
		atomic_store(&c->spoke, 1);
	return n;
}

static void log_handshake(struct conn *c, int ret)
{
	struct server *s = c->srv;
	uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
	char why[256] = "", err[200];
	int badcert = flags && flags != (uint32_t)-1;

	atomic_fetch_add(&s->failed, 1);
	if (badcert)
		mbedtls_x509_crt_verify_info(why, sizeof why, "", flags);
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = ' ';
	log_rate(s, badcert ? LOG_BADCERT : LOG_HANDSHAKE, "%s: handshake failed: %s%s%s", c->peer,
		 tls_err(err, sizeof err, ret), why[0] ? "; client certificate: " : "", why);
}

/* The frames of an authenticated session, until it ends. */
static void session(struct conn *c)
{
	struct server *s = c->srv;
	unsigned char *buf = NULL;
	char err[200];
	int ret = 0;

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
		set_deadline(c, s->timeout_ms);
		ret = tls_io_read(&c->ssl, buf, PS_FRAME_HEADER, 1);
		if (ret == TLS_IO_EOF)
			break;
		if (ret < 0) {
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
		if ((ret = tls_io_read(&c->ssl, buf + PS_FRAME_HEADER, need - PS_FRAME_HEADER, 0)) != 0) {
			logf_(s, "%s: truncated frame: %s", c->peer, tls_err(err, sizeof err, ret));
			break;
		}
		if (handle_case(c, buf, need) != 0)
			break;
	}
	set_deadline(c, 200);
	mbedtls_ssl_close_notify(&c->ssl);
	free(buf);
}

static void *worker(void *arg)
{
	struct conn *c = arg;
	struct server *s = c->srv;
	int ret, dropped;

	set_deadline(c, s->handshake_ms);
	mbedtls_ssl_set_bio(&c->ssl, c, conn_send, conn_recv, NULL);
	ret = tls_io_handshake(&c->ssl);
	pthread_mutex_lock(&s->pending_lock);
	dropped = c->dropped;
	if (c->pending)
		pending_unlink(s, c);
	pthread_mutex_unlock(&s->pending_lock);
	if (dropped) {
		/* counted and logged when it was dropped */
	} else if (ret) {
		log_handshake(c, ret);
	} else if (!take_slot(s)) {
		atomic_fetch_add(&s->refused, 1);
		log_rate(s, LOG_REFUSED, "%s: refused after its handshake: %u clients already connected",
			 c->peer, s->max_clients);
		set_deadline(c, 200);
		mbedtls_ssl_close_notify(&c->ssl);
	} else {
		session(c);
		/* the slot is free before the socket closes: a client that
		 * reconnects at once is not refused */
		atomic_fetch_sub(&s->active, 1);
	}
	mbedtls_ssl_free(&c->ssl);
	port_sock_close(c->io.fd);
	free(c);
	atomic_fetch_sub(&s->threads, 1);
	return NULL;
}

/* A new connection: refused when --max-clients sessions are open, else
 * pending (making room at --max-handshakes) in a thread of its own. */
static void start_connection(void *arg, int fd, const char *peer)
{
	struct server *s = arg;
	struct conn *c;
	pthread_t th;

	if (atomic_load(&s->active) >= s->max_clients) {
		atomic_fetch_add(&s->refused, 1);
		log_rate(s, LOG_REFUSED, "%s: refused: %u clients already connected", peer, s->max_clients);
		port_sock_close(fd);
		return;
	}
	if (!(c = calloc(1, sizeof *c))) {
		port_sock_close(fd);
		return;
	}
	c->srv = s;
	c->io.fd = fd;
	snprintf(c->peer, sizeof c->peer, "%s", peer);
	peer_addr(c->addr, sizeof c->addr, peer);
	mbedtls_ssl_init(&c->ssl);
	if (mbedtls_ssl_setup(&c->ssl, &s->tls.conf) != 0)
		goto fail;
	pending_admit(s, c);
	atomic_fetch_add(&s->threads, 1);
	if (pthread_create(&th, &s->attr, worker, c) == 0)
		return;
	atomic_fetch_sub(&s->threads, 1);
	pthread_mutex_lock(&s->pending_lock);
	pending_unlink(s, c);
	pthread_mutex_unlock(&s->pending_lock);
fail:
	mbedtls_ssl_free(&c->ssl);
	port_sock_close(fd);
	free(c);
}

static void serve_usage(FILE *f)
{
	fputs("usage: panicsage serve --listen IP:PORT --db STORE --ca CA.crt --cert SERVER.crt\n"
	      "                       --key SERVER.key [--timeout SEC] [--max-clients N]\n"
	      "                       [--handshake-timeout SEC] [--max-handshakes N]\n"
	      "                       [--port-file FILE] [--quiet]\n\n"
	      "The collector: receives cases from panicsage-kdump over mutual TLS (client\n"
	      "certificates signed by CA.crt are required) and stores each once in STORE,\n"
	      "each in its crash bucket (panicsage buckets); a capture kernel of this version\n"
	      "is told the bucket and a known problem's resolution (panicsage label\n"
	      "--resolve).  STORE is a SQLite file (WAL; created mode 0600), or a\n"
	      "PostgreSQL database, postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DB[?...]\n"
	      "(libpq's URI; the database must exist, the tables are created), which\n"
	      "several collectors may share: each case is still stored once.  PORT 0 picks\n"
	      "a free port (written to --port-file).\n"
	      "  --timeout SEC          each frame and idle time of a session (default 15)\n"
	      "  --max-clients N        authenticated sessions at once (default 64)\n"
	      "  --handshake-timeout SEC  a new connection must finish the TLS handshake in\n"
	      "                         this long (default 5, at most --timeout)\n"
	      "  --max-handshakes N     connections still in the handshake at once (default 64);\n"
	      "                         a new one takes the place of the oldest that has sent\n"
	      "                         nothing (else the oldest from the busiest address)\n"
	      "Refusals and failed handshakes are logged at most once per kind every 10 s.\n"
	      "SIGINT/SIGTERM stop it.\n\n"
	      "exit codes: 2 bad usage or a key that does not match the certificate,\n"
	      "            3 a file or the store unusable, or the address cannot be bound\n", f);
}

static void accept_failed(void *arg, int err)
{
	log_rate(arg, LOG_ACCEPT, "accept: %s", port_strerror(err));
}

int cmd_serve(int argc, char **argv)
{
	static struct server s;
	const char *listen_at = NULL, *dbpath = NULL, *ca = NULL, *cert = NULL, *key = NULL, *port_file = NULL;
	char ip[64], err[300];
	uint16_t port, bound;
	uint32_t timeout_s = 15, handshake_s = 5;
	int i, lfd, idle, rc = PS_EXIT_OK;
	struct stat sb;

	memset(&s, 0, sizeof s);
	s.max_clients = 64;
	s.max_handshakes = 64;
	{
		const struct cli_opt opts[] = {
			CLI_STR("--listen", &listen_at),
			CLI_STR("--db", &dbpath),
			CLI_STR("--ca", &ca),
			CLI_STR("--cert", &cert),
			CLI_STR("--key", &key),
			CLI_STR("--port-file", &port_file),
			CLI_U32("--timeout", &timeout_s, 1, 3600),
			CLI_U32("--max-clients", &s.max_clients, 1, 10000),
			CLI_U32("--handshake-timeout", &handshake_s, 1, 3600),
			CLI_U32("--max-handshakes", &s.max_handshakes, 1, 1024),
			CLI_FLAG("--quiet", &s.quiet),
			CLI_END
		};
		const struct cli_spec spec = { "serve", opts, serve_usage, 0, 0 };

		if ((rc = cli_parse(&spec, argc, argv, NULL, &i)) != PS_EXIT_OK)
			return rc == CLI_HELP ? PS_EXIT_OK : rc;
	}
	if (!listen_at || !dbpath || !ca || !cert || !key) {
		serve_usage(stderr);
		return PS_EXIT_USAGE;
	}
	if ((rc = collector_parse_listen("serve", listen_at, ip, sizeof ip, &port)) != PS_EXIT_OK)
		return rc;
	s.timeout_ms = timeout_s * 1000u;
	s.handshake_ms = (handshake_s < timeout_s ? handshake_s : timeout_s) * 1000u;
	pthread_mutex_init(&s.log_lock, NULL);
	pthread_mutex_init(&s.pending_lock, NULL);
	if ((rc = server_tls_setup(&s.tls, "serve", ca, cert, key, MBEDTLS_SSL_VERIFY_REQUIRED)) != PS_EXIT_OK)
		return rc;
	if (store_open(&s.db, dbpath, err, sizeof err)) {
		cli_error("serve: %s", err);
		return PS_EXIT_IO;
	}
	if (!store_is_url(dbpath) && stat(dbpath, &sb) == 0 && (sb.st_mode & 077))
		logf_(&s, "warning: %s is mode %04o: other users can read the cases (chmod 600 it, its -wal and -shm)",
		      dbpath, (unsigned)(sb.st_mode & 07777));
	if ((rc = collector_listen("serve", listen_at, ip, port, 128, port_file, &lfd, &bound)) != PS_EXIT_OK) {
		store_close(s.db);
		return rc;
	}
	collector_catch_signals();
	collector_thread_attr(&s.attr, 256 * 1024);
	logf_(&s, "listening on %s%s%s:%u, store %s, timeout %us, max %u clients, handshakes %u at most"
	      " and within %us",
	      strchr(ip, ':') ? "[" : "", ip, strchr(ip, ':') ? "]" : "", bound, store_name(s.db), timeout_s,
	      s.max_clients, s.max_handshakes, s.handshake_ms / 1000u);

	collector_accept(lfd, start_connection, accept_failed, &s);
	/* Let running connections finish (each is bounded by the timeouts). */
	idle = collector_drain(&s.threads, timeout_s) == 0;
	logf_(&s, "stopping: %lu stored, %lu duplicates, %lu rejected, %lu refused, %lu dropped"
	      " before their handshake, %lu failed handshakes",
	      atomic_load(&s.stored), atomic_load(&s.duplicates), atomic_load(&s.rejected),
	      atomic_load(&s.refused), atomic_load(&s.dropped), atomic_load(&s.failed));
	if (!idle)
		return PS_EXIT_FAILURE;   /* do not close the store under a live thread */
	store_close(s.db);
	return PS_EXIT_OK;
}
