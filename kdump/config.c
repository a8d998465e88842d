/* kdump upload configuration: defaults, /etc/panicsage/kdump.conf and
 * panicsage.* options on the kernel command line.  No allocation. */
#include "kdump/upload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/exitcode.h"
#include "port/port.h"

static char conf_text[8192];
static char cmdline_text[4096];

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int parse_u32(const char *v, size_t n, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 10)
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x < lo || x > hi)
		return 0;
	*out = (uint32_t)x;
	return 1;
}

static int copy_str(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return 0;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 1;
}

/* Keeps only characters that are safe in a frame's printable field. */
static void set_machine_id(struct kdump_config *cfg, const char *v, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n && w < sizeof cfg->machine_id - 1; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c > 0x20 && c < 0x7f)
			cfg->machine_id[w++] = (char)c;
	}
	cfg->machine_id[w] = '\0';
}

/* Applies one setting; 0 = unknown key or bad value. */
static int apply(struct kdump_config *cfg, const char *k, size_t kn, const char *v, size_t vn,
		 char *msg, size_t msglen, const char *where)
{
	char tmp[KDUMP_PATH_LEN];
	uint32_t u;

#define KEY(s) (kn == sizeof(s) - 1 && memcmp(k, s, kn) == 0)
	if (KEY("collector")) {
		if (!copy_str(tmp, sizeof tmp, v, vn) ||
		    port_parse_addr(tmp, cfg->collector_ip, sizeof cfg->collector_ip, &cfg->collector_port)) {
			snprintf(msg, msglen, "%s: collector must be IP:PORT (an IP literal, no host names), got '%.*s'",
				 where, (int)(vn > 80 ? 80 : vn), v);
			return 0;
		}
		return 1;
	}
	if (KEY("cert") || KEY("key") || KEY("spool")) {
		char *dst = KEY("cert") ? cfg->cert : KEY("key") ? cfg->key : cfg->spool;
		if (!copy_str(dst, KDUMP_PATH_LEN, v, vn)) {
			snprintf(msg, msglen, "%s: %.*s: path too long", where, (int)kn, k);
			return 0;
		}
		return 1;
	}
	if (KEY("server_pin")) {
		size_t i;
		if (vn != 64)
			goto bad_pin;
		for (i = 0; i < 32; i++) {
			int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
			if (hi < 0 || lo < 0)
				goto bad_pin;
			cfg->server_pin[i] = (uint8_t)(hi << 4 | lo);
		}
		cfg->have_pin = 1;
		return 1;
bad_pin:
		snprintf(msg, msglen, "%s: server_pin must be 64 hex digits (SHA-256 of the server's public key)", where);
		return 0;
	}
	if (KEY("machine_id")) {
		set_machine_id(cfg, v, vn);
		return 1;
	}
	if (KEY("retries") || KEY("backoff_ms") || KEY("timeout_ms") || KEY("upload") ||
	    KEY("spool_max_cases") || KEY("spool_max_bytes")) {
		uint32_t lo = 0, hi = 600000;
		if (KEY("retries")) { lo = 1; hi = 20; }
		if (KEY("timeout_ms")) { lo = 10; }
		if (KEY("upload")) { hi = 1; }
		if (KEY("spool_max_cases")) { lo = 1; hi = 100000; }
		if (KEY("spool_max_bytes")) { lo = 1; hi = UINT32_MAX; }
		if (!parse_u32(v, vn, lo, hi, &u)) {
			snprintf(msg, msglen, "%s: %.*s: expected an integer from %u to %u", where,
				 (int)kn, k, lo, hi);
			return 0;
		}
		if (KEY("retries")) cfg->retries = u;
		else if (KEY("backoff_ms")) cfg->backoff_ms = u;
		else if (KEY("timeout_ms")) cfg->timeout_ms = u;
		else if (KEY("spool_max_cases")) cfg->spool_max_cases = u;
		else if (KEY("spool_max_bytes")) cfg->spool_max_bytes = u;
		else cfg->upload = (int)u;
		return 1;
	}
#undef KEY
	snprintf(msg, msglen, "%s: unknown setting '%.*s'", where, (int)(kn > 40 ? 40 : kn), k);
	return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Keeps the first error message; later ones are only counted. */
static void note(char *msg, size_t msglen, const char *e)
{
	if (msglen && !msg[0])
		snprintf(msg, msglen, "%s", e);
}

static int parse_file(struct kdump_config *cfg, const char *path, char *msg, size_t msglen)
{
	size_t len, pos = 0;
	unsigned lineno = 0;
	char where[KDUMP_PATH_LEN + 32], e[400];
	int err = port_read_file(path, conf_text, sizeof conf_text, &len), rc = 0;

	if (err == ENOENT)
		return 0;
	if (err) {
		snprintf(msg, msglen, "%s: %s", path, err == EFBIG ? "file too large" : port_strerror(err));
		return PS_EXIT_USAGE;
	}
	while (pos < len) {
		const char *line = conf_text + pos, *k, *v, *eq;
		size_t n = 0, kn, vn;

		while (pos + n < len && line[n] != '\n')
			n++;
		pos += n + 1;
		lineno++;
		while (n && is_space(*line)) { line++; n--; }
		while (n && is_space(line[n - 1])) n--;
		if (n == 0 || line[0] == '#')
			continue;
		eq = memchr(line, '=', n);
		snprintf(where, sizeof where, "%s:%u", path, lineno);
		if (!eq) {
			snprintf(e, sizeof e, "%s: expected 'key = value'", where);
			note(msg, msglen, e);
			rc = PS_EXIT_USAGE;
			continue;
		}
		k = line;
		kn = (size_t)(eq - line);
		while (kn && is_space(k[kn - 1])) kn--;
		v = eq + 1;
		vn = n - (size_t)(v - line);
		while (vn && is_space(*v)) { v++; vn--; }
		if (!apply(cfg, k, kn, v, vn, e, sizeof e, where)) {
			note(msg, msglen, e);
			rc = PS_EXIT_USAGE;
		}
	}
	return rc;
}

static int parse_cmdline(struct kdump_config *cfg, const char *s, char *msg, size_t msglen)
{
	static const char prefix[] = "panicsage.";
	char e[300];
	int rc = 0;

	while (*s) {
		const char *w, *eq;
		size_t n;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		w = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
		n = (size_t)(s - w);
		if (n <= sizeof prefix - 1 || memcmp(w, prefix, sizeof prefix - 1) != 0)
			continue;
		w += sizeof prefix - 1;
		n -= sizeof prefix - 1;
		eq = memchr(w, '=', n);
		if (!eq)
			continue;
		if (!apply(cfg, w, (size_t)(eq - w), eq + 1, n - (size_t)(eq - w) - 1, e, sizeof e,
			   "kernel command line")) {
			note(msg, msglen, e);
			rc = PS_EXIT_USAGE;
		}
	}
	return rc;
}

static void default_machine_id(struct kdump_config *cfg)
{
	static const char *const files[] = { "/etc/machine-id", "/sys/class/dmi/id/product_uuid" };
	char id[128];
	size_t i, len;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (port_read_file(files[i], id, sizeof id, &len) == 0 && len) {
			set_machine_id(cfg, id, len);
			if (cfg->machine_id[0])
				return;
		}
	}
	memcpy(cfg->machine_id, "unknown", 8);
}

int kdump_config_load(struct kdump_config *cfg, const char *path, const char *cmdline,
		      char *msg, size_t msglen)
{
	int rc, rc2;

	memset(cfg, 0, sizeof *cfg);
	cfg->retries = 4;
	cfg->backoff_ms = 200;
	cfg->timeout_ms = 5000;
	cfg->upload = 1;
	cfg->spool_max_cases = 32;
	cfg->spool_max_bytes = 8u << 20;
	if (msglen)
		msg[0] = '\0';
	rc = parse_file(cfg, path ? path : KDUMP_CONFIG_PATH, msg, msglen);
	if (!cmdline) {
		size_t len = 0;
		if (port_read_file("/proc/cmdline", cmdline_text, sizeof cmdline_text - 1, &len) != 0)
			len = 0;
		cmdline_text[len] = '\0';
		cmdline = cmdline_text;
	}
	rc2 = parse_cmdline(cfg, cmdline, msg, msglen);
	if (!cfg->machine_id[0])
		default_machine_id(cfg);
	return rc ? rc : rc2;
}
