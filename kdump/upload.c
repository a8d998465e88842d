/* kdump_deliver: spool the new case, then upload the spool. */
#include "kdump/upload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/exitcode.h"
#include "core/frame.h"
#include "kdump/spool.h"
#include "kdump/tls.h"
#include "mbedtls/sha256.h"
#include "port/port.h"

static uint8_t frame[PS_FRAME_MAX];
/* the largest answer: a version 2 ACK (an ERROR is smaller) */
static uint8_t answer[PS_FRAME_HEADER + PS_FRAME_MAX_ACK2];
static struct kdump_spool spool;
static struct kdump_stats stats;
static struct kdump_answer reply;
/* The collector answered a version 2 CASE with a frame error: it speaks
 * version 1 only (core/frame.h), so this delivery sends version 1. */
static int collector_v1;

/* send_all's answer when the collector needs version 1 frames: connect
 * again at once and resend */
#define SEND_DOWNGRADE 100

void kdump_last_stats(struct kdump_stats *s)
{
	*s = stats;
}

void kdump_last_answer(struct kdump_answer *a)
{
	*a = reply;
}

static void copy_span(char *dst, size_t cap, struct ps_span s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;

	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* What a version 2 ACK says of the new case's bucket. */
static void keep_reply(const struct ps_ack *ack)
{
	memset(&reply, 0, sizeof reply);
	reply.have = 1;
	copy_span(reply.bucket, sizeof reply.bucket, ack->bucket);
	reply.cases = ack->bucket_cases;
	reply.machines = ack->bucket_machines;
	copy_span(reply.cause, sizeof reply.cause, ack->cause);
	copy_span(reply.advice, sizeof reply.advice, ack->advice);
	copy_span(reply.url, sizeof reply.url, ack->url);
}

/* Encodes the case into `frame` and names it by its SHA-256. */
static int encode_case(const struct kdump_config *cfg, const struct kdump_case *c, size_t *len,
		       char name[64 + 5 + 1], char *msg, size_t msglen)
{
	static char release[65];
	struct ps_case_meta m;
	const uint8_t *hp;
	size_t hn;
	double conf = c->confidence;
	int r;

	memset(&m, 0, sizeof m);
	/* the crashed kernel's, which the running one (a capture kernel, a
	 * host reading a log file) need not be: unknown rather than wrong */
	snprintf(release, sizeof release, "%s", c->release && c->release[0] ? c->release : "unknown");
	/* Fields must be printable: replace anything else. */
	for (char *p = release; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	m.capture_us = c->capture_us ? c->capture_us : port_wall_us();
	if (!(conf >= 0.0))
		conf = 0.0;
	if (conf > 1.0)
		conf = 1.0;
	m.confidence_ppm = (uint32_t)(conf * 1000000.0 + 0.5);
	m.release.p = release;
	m.release.n = (uint32_t)strlen(release);
	m.machine.p = cfg->machine_id;
	m.machine.n = (uint32_t)strlen(cfg->machine_id);
	m.label.p = c->label ? c->label : "";
	m.label.n = c->label ? (uint32_t)strnlen(c->label, PS_FRAME_MAX_META + 1) : 0;
	m.report.p = c->report;
	m.report.n = c->report_len > PS_FRAME_MAX_REPORT ? PS_FRAME_MAX_REPORT + 1 : (uint32_t)c->report_len;
	r = ps_case_encode(frame, sizeof frame, &m, len);
	if (r != PS_FRAME_OK) {
		snprintf(msg, msglen, "cannot encode the case: report over %u bytes, not UTF-8, "
			 "or a label over %u characters", PS_FRAME_MAX_REPORT, PS_FRAME_MAX_META);
		return PS_EXIT_INPUT;
	}
	ps_case_hashed_part(frame, *len, &hp, &hn);
	if (mbedtls_sha256_ret(hp, hn, m.id, 0) != 0) {
		snprintf(msg, msglen, "SHA-256 failed");
		return PS_EXIT_FAILURE;
	}
	ps_case_set_id(frame, *len, m.id);
	ps_id_hex(m.id, name);
	memcpy(stats.case_id, name, 65);
	memcpy(name + 64, ".case", 6);
	return 0;
}

/* One pending case: a spool file and/or the new case in `frame`. */
struct pending {
	int dir;                 /* spool dir index, -1 if only in memory */
	const char *name;
	int in_memory;
	int done;
	int acked;
};

static struct pending items[KDUMP_SPOOL_MAX + 1];

/* Loads item `it` into `frame`; 0, or -1 if the file is unusable (it is
 * then set aside as .bad). */
static int load(struct pending *it, size_t *len, uint8_t id[PS_FRAME_ID_LEN])
{
	char path[KDUMP_PATH_LEN + 80];
	struct ps_frame f;
	struct ps_case_meta m;
	size_t need;

	if (!it->in_memory) {
		if (kdump_spool_path(&spool, it->dir, it->name, path, sizeof path) ||
		    port_read_file(path, frame, sizeof frame, len) != 0) {
			it->done = 1;     /* vanished or unreadable: leave it where it is */
			return -1;
		}
	}
	if (ps_frame_decode(frame, *len, &f, &need) != PS_FRAME_OK || need != *len ||
	    ps_case_decode(&f, &m) != PS_FRAME_OK) {
		if (it->dir >= 0)
			kdump_spool_set_aside(&spool, it->dir, it->name, ".bad");
		it->done = 1;
		return -1;
	}
	memcpy(id, m.id, PS_FRAME_ID_LEN);
	return 0;
}

/* Sends every pending case on the open connection.  Returns 0 when all
 * are resolved, KDUMP_TLS_ENET/EPROTO to reconnect later. */
static int send_all(int nitems, size_t new_len, char *msg, size_t msglen)
{
	int i;

	for (i = 0; i < nitems; i++) {
		struct pending *it = &items[i];
		struct ps_frame f;
		struct ps_ack ack;
		struct ps_frame_error e;
		uint8_t id[PS_FRAME_ID_LEN];
		size_t len = new_len;
		int ret;

		if (it->done)
			continue;
		if (load(it, &len, id) != 0)
			continue;
		/* spooled frames are version 1; ask for a version 2 ACK unless
		 * the collector is an older one */
		if (ps_case_set_version(frame, len, collector_v1 ? 1 : 2) != PS_FRAME_OK)
			return KDUMP_TLS_EPROTO;
		if ((ret = kdump_tls_write(frame, len, msg, msglen)) ||
		    (ret = kdump_tls_read_frame(answer, sizeof answer, &f, msg, msglen)))
			return ret;
		if (f.type == PS_FRAME_ACK && ps_ack_decode(&f, &ack) == PS_FRAME_OK) {
			if (memcmp(ack.id, id, sizeof id) != 0) {
				snprintf(msg, msglen, "the collector acknowledged a different case");
				return KDUMP_TLS_EPROTO;
			}
			if (ack.version == 2 && it->in_memory)
				keep_reply(&ack);
			if (it->dir >= 0)
				kdump_spool_remove(&spool, it->dir, it->name);
			it->done = 1;
			it->acked = 1;
			stats.sent++;
			stats.duplicates += ack.duplicate;
			continue;
		}
		if (f.type == PS_FRAME_ERROR && ps_error_decode(&f, &e) == PS_FRAME_OK) {
			snprintf(msg, msglen, "the collector answered: %.*s", (int)e.msg.n, e.msg.p);
			/* a frame error for a well-formed version 2 frame: an
			 * older collector, which has closed the connection */
			if (e.code == PS_FRAME_ERR_FRAME && !collector_v1) {
				collector_v1 = 1;
				return SEND_DOWNGRADE;
			}
			if (e.code == PS_FRAME_ERR_RETRY)
				return KDUMP_TLS_ENET;
			/* It will never take this case: keep it aside, go on. */
			if (it->dir >= 0)
				kdump_spool_set_aside(&spool, it->dir, it->name, ".rejected");
			it->done = 1;
			stats.rejected++;
			continue;
		}
		snprintf(msg, msglen, "unexpected answer from the collector");
		return KDUMP_TLS_EPROTO;
	}
	return 0;
}

static int count_left(int nitems)
{
	int i, left = 0;

	for (i = 0; i < nitems; i++)
		left += !items[i].done;
	return left;
}

static void upload(const struct kdump_config *cfg, int nitems, size_t new_len, uint64_t deadline_us,
		   char *msg, size_t msglen)
{
	uint32_t attempt;
	int ret = kdump_tls_init(cfg, msg, msglen), again_now = 0;

	if (ret)
		return;
	for (attempt = 0; attempt < cfg->retries && count_left(nitems); attempt++) {
		uint64_t now = port_now_us();

		if (attempt && !again_now) {
			uint64_t pause = (uint64_t)cfg->backoff_ms * 1000u << (attempt - 1 < 5 ? attempt - 1 : 5);
			if (pause > 5000000u)
				pause = 5000000u;
			if (now + pause >= deadline_us)
				break;
			port_sleep_us(pause);
		}
		if (port_now_us() >= deadline_us)
			break;
		stats.attempts++;
		ret = kdump_tls_connect(cfg, deadline_us, msg, msglen);
		if (ret == KDUMP_TLS_EAUTH || ret == KDUMP_TLS_ECONFIG)
			break;     /* the same keys will fail the same way */
		if (ret)
			continue;
		/* what is still pending decides whether to try again */
		ret = send_all(nitems, new_len, msg, msglen);
		kdump_tls_close();
		/* an older collector: once more at once, in version 1, and
		 * not counted as a failed attempt */
		again_now = ret == SEND_DOWNGRADE;
		if (again_now)
			attempt--;
	}
}

/* Cases spooled on tmpfs (the kdump initramfs stage, which has no disk)
 * move to the disk spool when it takes them, so the reboot after the
 * dump does not lose them.  Only with both default directories: a
 * configured spool is the caller's choice.  A case that cannot move
 * stays where it is. */
static void persist_tmpfs_cases(void)
{
	char path[KDUMP_PATH_LEN + 80];
	size_t len;
	int i;

	if (spool.ndirs < 2 || port_mkdir(spool.dir[0], 0700) != 0)
		return;
	kdump_spool_list(&spool, NULL);
	for (i = 0; i < spool.nfiles; i++) {
		const struct kdump_spool_file *f = &spool.files[i];

		if (f->dir != 1 || kdump_spool_path(&spool, 1, f->name, path, sizeof path) ||
		    port_read_file(path, frame, sizeof frame, &len) ||
		    port_write_durable(spool.dir[0], f->name, frame, len))
			continue;
		if (kdump_spool_remove(&spool, 1, f->name) == 0)
			stats.moved++;
	}
}

/* Says on stderr that the bound dropped entry e. */
static void say_dropped(const void *ctx, const struct kdump_spool_entry *e, uint64_t cases,
			uint64_t bytes)
{
	const struct kdump_config *cfg = ctx;
	char line[600], when[32] = "at an unknown time";
	time_t t = (time_t)(e->capture_us / 1000000u);
	struct tm tm;
	int n;

	stats.dropped++;
	if (e->capture_us && gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof line,
		     "panicsage: spool over its bound (%llu cases, %llu bytes; at most %u cases, %u bytes): "
		     "dropped %s case %.16s captured %s, from %s\n",
		     (unsigned long long)cases, (unsigned long long)bytes, cfg->spool_max_cases,
		     cfg->spool_max_bytes,
		     !e->aside ? "the oldest" : strstr(e->name, ".bad") ? "the unreadable" : "the rejected",
		     e->name, when, spool.dir[e->dir]);
	if (n > 0)
		port_write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

int kdump_deliver(const struct kdump_config *cfg, const struct kdump_case *c,
		  uint64_t deadline_us, char *msg, size_t msglen)
{
	char name[64 + 5 + 1] = "";
	size_t len = 0;
	int nitems = 0, dir = -1, i, rc, new_ok;
	char spool_msg[200] = "";

	memset(&stats, 0, sizeof stats);
	memset(&reply, 0, sizeof reply);
	collector_v1 = 0;
	if (msglen)
		msg[0] = '\0';
	kdump_spool_dirs(cfg, &spool);
	persist_tmpfs_cases();
	if (!cfg->collector_port) {
		/* nowhere to send it: a spool would only grow */
		if (!c) {
			kdump_spool_list(&spool, NULL);
			snprintf(msg, msglen, "no collector configured; %d%s case(s) in the spool", spool.nfiles,
				 spool.more ? "+" : "");
			return PS_EXIT_OK;
		}
		snprintf(msg, msglen, "no collector configured (%s): the case is not spooled",
			 KDUMP_CONFIG_PATH);
		return PS_EXIT_OK;
	}
	if (c) {
		rc = encode_case(cfg, c, &len, name, msg, msglen);
		if (rc)
			return rc;
		if (kdump_spool_write(&spool, name, frame, len, &dir, spool_msg, sizeof spool_msg) == 0) {
			stats.spooled = 1;
			snprintf(stats.spool_dir, sizeof stats.spool_dir, "%s", spool.dir[dir]);
		}
		items[nitems++] = (struct pending){ dir, name, 1, 0, 0 };
	}
	if (!cfg->upload) {
		kdump_spool_bound(&spool, cfg->spool_max_cases, cfg->spool_max_bytes, dir >= 0 ? name : NULL,
				  say_dropped, cfg);
		if (!c) {
			kdump_spool_list(&spool, NULL);
			snprintf(msg, msglen, "upload = 0; %d%s case(s) in the spool", spool.nfiles,
				 spool.more ? "+" : "");
			return PS_EXIT_OK;
		}
		if (dir < 0) {
			snprintf(msg, msglen, "%s; upload = 0: case not kept", spool_msg);
			return PS_EXIT_IO;
		}
		snprintf(msg, msglen, "case %.16s spooled in %s; upload = 0", name, spool.dir[dir]);
		return PS_EXIT_OK;
	}
	kdump_spool_list(&spool, c ? name : NULL);
	for (i = 0; i < spool.nfiles; i++)
		items[nitems++] = (struct pending){ spool.files[i].dir, spool.files[i].name, 0, 0, 0 };

	upload(cfg, nitems, len, deadline_us, msg, msglen);
	new_ok = c && items[0].acked;
	/* what could not go stays, within the bound; the new case always */
	kdump_spool_bound(&spool, cfg->spool_max_cases, cfg->spool_max_bytes,
			  dir >= 0 && !new_ok ? name : NULL, say_dropped, cfg);
	kdump_spool_list(&spool, NULL);     /* items[] point into the old list: done with them */
	stats.left = (unsigned)spool.nfiles + (spool.more ? 1u : 0u);
	if (!c) {
		if (stats.left) {
			char why[300];
			snprintf(why, sizeof why, "%s", msg);
			snprintf(msg, msglen, "%u case(s) still spooled: %s", stats.left, why);
			return PS_EXIT_UPLOAD;
		}
		snprintf(msg, msglen, "%u spooled case(s) sent", stats.sent);
		return PS_EXIT_OK;
	}
	if (new_ok) {
		snprintf(msg, msglen, "case %.16s stored by %s:%u%s", name, cfg->collector_ip, cfg->collector_port,
			 stats.left ? " (older cases still spooled)" : "");
		return PS_EXIT_OK;
	}
	if (dir < 0) {
		char why[300];
		snprintf(why, sizeof why, "%s", msg);
		snprintf(msg, msglen, "case lost: %s; upload failed: %s", spool_msg, why);
		return PS_EXIT_IO;
	}
	{
		char why[300];
		snprintf(why, sizeof why, "%s", msg);
		snprintf(msg, msglen, "case %.16s kept in %s: %s", name, spool.dir[dir], why);
	}
	return PS_EXIT_UPLOAD;
}
