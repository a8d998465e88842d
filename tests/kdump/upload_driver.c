/* Test driver for the kdump upload path: the same objects as
 * panicsage-kdump (static musl, no malloc) around a tiny main.
 *
 *   kdump-upload --config FILE [--cmdline TEXT] [--report FILE]
 *                [--label L] [--confidence X] [--release R]
 *                [--deadline-ms N]
 *
 * Without --report it only sends what the spool holds.  Prints the
 * message and counters, and what a version 2 ACK said of the new case
 * ("answer: ..." with control bytes as \xNN); exits with kdump_deliver's
 * code. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "core/exitcode.h"
#include "core/frame.h"
#include "kdump/upload.h"
#include "port/port.h"

/* a little more than a frame takes, to test the oversize path */
static char report[2 * PS_FRAME_MAX_REPORT];

static void out(const char *s)
{
	port_write_all(STDOUT_FILENO, s, strlen(s));
}

static void escaped(const char *title, const char *s)
{
	char buf[4 * 600 + 80];
	size_t n = 0;

	n += (size_t)snprintf(buf, sizeof buf, "%s", title);
	for (; *s && n + 6 < sizeof buf; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, sizeof buf - n, "\\x%02x", c);
	}
	buf[n++] = '\n';
	port_write_all(STDOUT_FILENO, buf, n);
}

int main(int argc, char **argv)
{
	static struct kdump_config cfg;
	struct kdump_case c;
	struct kdump_stats st;
	struct kdump_answer ans;
	const char *config = NULL, *cmdline = "", *report_path = NULL;
	char msg[512], line[1024];
	unsigned long deadline_ms = 20000;
	size_t len = 0;
	int i, rc, err;

	memset(&c, 0, sizeof c);
	for (i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		if (!strcmp(o, "--config")) config = v;
		else if (!strcmp(o, "--cmdline")) cmdline = v;
		else if (!strcmp(o, "--report")) report_path = v;
		else if (!strcmp(o, "--label")) c.label = v;
		else if (!strcmp(o, "--confidence")) c.confidence = strtod(v, NULL);
		else if (!strcmp(o, "--release")) c.release = v;
		else if (!strcmp(o, "--capture-us")) c.capture_us = strtoull(v, NULL, 10);
		else if (!strcmp(o, "--deadline-ms")) deadline_ms = strtoul(v, NULL, 10);
		else { out("kdump-upload: unknown option\n"); return PS_EXIT_USAGE; }
	}
	if (i != argc) {
		out("kdump-upload: option without value\n");
		return PS_EXIT_USAGE;
	}
	/* As panicsage-kdump does: a bad setting is reported, the rest of
	 * the configuration still spools the case. */
	rc = kdump_config_load(&cfg, config, cmdline, msg, sizeof msg);
	if (rc) {
		snprintf(line, sizeof line, "kdump-upload: configuration: %s\n", msg);
		out(line);
	}
	snprintf(line, sizeof line, "config: collector=%s:%u machine=%s spool=%s retries=%u\n",
		 cfg.collector_ip, cfg.collector_port, cfg.machine_id, cfg.spool, cfg.retries);
	out(line);
	if (report_path) {
		err = port_read_file(report_path, report, sizeof report, &len);
		if (err) {
			snprintf(line, sizeof line, "kdump-upload: %s: %s\n", report_path, port_strerror(err));
			out(line);
			return PS_EXIT_IO;
		}
		c.report = report;
		c.report_len = len;
	}
	rc = kdump_deliver(&cfg, report_path ? &c : NULL, port_now_us() + deadline_ms * 1000u,
			   msg, sizeof msg);
	kdump_last_stats(&st);
	snprintf(line, sizeof line,
		 "kdump-upload: %s\nrc=%d spooled=%u sent=%u duplicates=%u rejected=%u left=%u attempts=%u id=%s\n",
		 msg, rc, st.spooled, st.sent, st.duplicates, st.rejected, st.left, st.attempts, st.case_id);
	out(line);
	kdump_last_answer(&ans);
	if (ans.have) {
		snprintf(line, sizeof line, "answer: bucket=%s cases=%u machines=%u\n", ans.bucket, ans.cases,
			 ans.machines);
		out(line);
		escaped("answer: cause=", ans.cause);
		escaped("answer: advice=", ans.advice);
		escaped("answer: url=", ans.url);
	}
	return rc;
}
