/* Spool and upload of a condensed case from the capture kernel.
 *
 *   struct kdump_config cfg;
 *   kdump_config_load(&cfg, NULL, NULL, msg, sizeof msg);   // defaults,
 *           // /etc/panicsage/kdump.conf, then /proc/cmdline
 *   struct kdump_case c = { .report = json, .report_len = n,
 *                           .label = "hung-task", .confidence = 0.97,
 *                           .release = osrelease };  // VMCOREINFO, or the log's
 *   rc = kdump_deliver(&cfg, &c, port_now_us() + 20 * 1000000, msg, sizeof msg);
 *
 * With a collector configured, kdump_deliver writes the case to the
 * spool first (temp file, fsync, rename, fsync of the directory), then
 * uploads it and every older spooled case over mutual TLS with a pinned
 * server key, with bounded retries and backoff inside the deadline, then
 * keeps the spool within its bound.  A spool file is deleted after the
 * collector's ACK, or by the bound (said on stderr).  Without a
 * collector nothing is spooled: the case is on the console (and, with
 * the capture-boot integration, beside the dump).  No malloc: all
 * memory is static.
 *
 * Configuration (file lines `key = value`, `#` comments; kernel command
 * line `panicsage.KEY=value`, which wins over the file):
 *   collector   IP:PORT or [IPv6]:PORT (IP literals only, no DNS)
 *   cert, key   client certificate and its private key (PEM or DER)
 *   server_pin  64 hex digits: SHA-256 of the collector's public key
 *               (SubjectPublicKeyInfo DER); `panicsage pki pin` prints it
 *   spool       spool directory (default /var/spool/panicsage if
 *               writable, else /run/panicsage); used only with a collector
 *   spool_max_cases, spool_max_bytes
 *               the spool's bound (default 32 cases, 8388608 bytes): over
 *               it the entries set aside, then the oldest cases, are
 *               dropped, each said on stderr
 *   machine_id  default: /etc/machine-id, else DMI product_uuid
 *   retries     connection attempts (default 4, 1..20)
 *   backoff_ms  first pause between attempts, doubled each time (200)
 *   timeout_ms  per network wait (default 5000)
 *   upload      0 holds uploads back (with a collector, cases are still
 *               spooled, for a later run) */
#ifndef PS_KDUMP_UPLOAD_H
#define PS_KDUMP_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"

#define KDUMP_CONFIG_PATH "/etc/panicsage/kdump.conf"
#define KDUMP_PATH_LEN 256

struct kdump_config {
	char collector_ip[64];
	uint16_t collector_port;     /* 0: no collector configured */
	char cert[KDUMP_PATH_LEN];
	char key[KDUMP_PATH_LEN];
	uint8_t server_pin[32];
	int have_pin;
	char spool[KDUMP_PATH_LEN];  /* empty: choose the default */
	char machine_id[65];
	uint32_t retries;
	uint32_t backoff_ms;
	uint32_t timeout_ms;
	int upload;
	uint32_t spool_max_cases;
	uint32_t spool_max_bytes;
};

struct kdump_case {
	const char *report;          /* the classify --json report (UTF-8) */
	size_t report_len;
	const char *label;           /* predicted label, NULL if none */
	double confidence;           /* 0..1 */
	const char *release;         /* crashed kernel's release; NULL: "unknown" */
	uint64_t capture_us;         /* 0: now (wall clock) */
};

/* Loads defaults, then the file at `path` (NULL: KDUMP_CONFIG_PATH; a
 * missing file is fine), then the kernel command line text `cmdline`
 * (NULL: read /proc/cmdline).  Returns 0, or PS_EXIT_USAGE with a
 * message about the first malformed setting.  Bad settings are skipped
 * and everything else is still loaded, so after printing the message
 * the caller should call kdump_deliver anyway: the case is then at
 * least spooled. */
int kdump_config_load(struct kdump_config *cfg, const char *path, const char *cmdline,
		      char *msg, size_t msglen);

/* Spools `c` (NULL: nothing new, only send what the spool holds) and
 * uploads the spool before `deadline_us` (port_now_us() time), then
 * bounds it.  Returns PS_EXIT_OK when the new case is acknowledged, or
 * when no collector is configured (nothing is kept) or upload = 0 and
 * the case is spooled; PS_EXIT_UPLOAD when it stays in the spool,
 * PS_EXIT_IO when it could be neither spooled nor sent.  `msg` says
 * what happened in one line; each case the bound drops is said on
 * stderr ("panicsage: spool over its bound ...: dropped case ..."). */
int kdump_deliver(const struct kdump_config *cfg, const struct kdump_case *c,
		  uint64_t deadline_us, char *msg, size_t msglen);

/* Counters of the last kdump_deliver, for tests and the console. */
struct kdump_stats {
	unsigned spooled, sent, duplicates, rejected, left, attempts;
	unsigned moved;              /* from the tmpfs spool to the disk spool */
	unsigned dropped;            /* removed by the spool's bound */
	char spool_dir[KDUMP_PATH_LEN];
	char case_id[65];
};
void kdump_last_stats(struct kdump_stats *s);

/* What the collector said of the new case of the last kdump_deliver in
 * its version 2 ACK (core/frame.h): the case's crash bucket and, when a
 * person attached one, the known problem's resolution.  have is 0 when
 * the case was not acknowledged, or by a collector that speaks version
 * 1 only.  Strings are NUL-terminated, as the collector sent them
 * (printable ASCII or UTF-8 without control characters); escape them
 * before printing anyway. */
struct kdump_answer {
	int have;
	char bucket[PS_FRAME_MAX_BUCKET + 1];
	uint32_t cases, machines;
	char cause[PS_FRAME_MAX_CAUSE + 1];
	char advice[PS_FRAME_MAX_ADVICE + 1];
	char url[PS_FRAME_MAX_URL + 1];
};
void kdump_last_answer(struct kdump_answer *a);

#endif
