/* Upload frames: see core/frame.h for the format. */
#include "core/frame.h"
#include "core/utf8.h"

#include <string.h>

const char *ps_frame_result_str(int r)
{
	switch (r) {
	case PS_FRAME_OK:        return "ok";
	case PS_FRAME_SHORT:     return "frame truncated";
	case PS_FRAME_EMAGIC:    return "not a panicsage frame (bad magic)";
	case PS_FRAME_EVERSION:  return "unsupported frame version";
	case PS_FRAME_ETYPE:     return "unknown frame type";
	case PS_FRAME_EFLAGS:    return "unknown frame flags";
	case PS_FRAME_ETOOBIG:   return "frame payload too large";
	case PS_FRAME_ETOOSMALL: return "frame payload too small";
	case PS_FRAME_ECRC:      return "frame checksum mismatch";
	case PS_FRAME_EFIELD:    return "malformed frame payload";
	case PS_FRAME_EOUTPUT:   return "frame does not fit the buffer";
	}
	return "unknown frame error";
}

/* CRC-32C, reflected polynomial 0x82F63B78, four bits at a time. */
static const uint32_t crc32c_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1,
	0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t ps_crc32c(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *s = p;

	crc = ~crc;
	while (n--) {
		crc ^= *s++;
		crc = (crc >> 4) ^ crc32c_nibble[crc & 15];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 15];
	}
	return ~crc;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void type_limits(unsigned version, unsigned type, uint32_t *min, uint32_t *max)
{
	switch (type) {
	case PS_FRAME_CASE:
		*min = PS_FRAME_MIN_CASE;
		*max = PS_FRAME_MAX_CASE;
		return;
	case PS_FRAME_ACK:
		*min = version >= 2 ? PS_FRAME_MIN_ACK2 : PS_FRAME_ACK_LEN;
		*max = version >= 2 ? PS_FRAME_MAX_ACK2 : PS_FRAME_ACK_LEN;
		return;
	case PS_FRAME_ERROR:
		*min = 4;
		*max = 4 + PS_FRAME_MAX_ERRMSG;
		return;
	}
	*min = 1;
	*max = 0;
}

/* Versions a frame of `type` may have: ERROR frames are version 1 only. */
static int version_ok(unsigned version, unsigned type)
{
	if (version < PS_FRAME_VERSION_MIN || version > PS_FRAME_VERSION)
		return 0;
	return type != PS_FRAME_ERROR || version == 1;
}

int ps_frame_header_decode(const void *buf, size_t n, struct ps_frame *f, size_t *need)
{
	const uint8_t *h = buf;
	uint32_t min, max;

	memset(f, 0, sizeof *f);
	*need = PS_FRAME_HEADER;
	/* Reject garbage as early as possible: the magic needs 4 bytes,
	 * but a wrong first byte is already wrong. */
	if (n >= 1 && h[0] != PS_FRAME_MAGIC0) return PS_FRAME_EMAGIC;
	if (n >= 2 && h[1] != PS_FRAME_MAGIC1) return PS_FRAME_EMAGIC;
	if (n >= 3 && h[2] != PS_FRAME_MAGIC2) return PS_FRAME_EMAGIC;
	if (n >= 4 && h[3] != PS_FRAME_MAGIC3) return PS_FRAME_EMAGIC;
	if (n < PS_FRAME_HEADER)
		return PS_FRAME_SHORT;
	f->version = h[4];
	f->type = h[5];
	f->flags = get16(h + 6);
	f->length = get32(h + 8);
	f->crc = get32(h + 12);
	if (f->version < PS_FRAME_VERSION_MIN || f->version > PS_FRAME_VERSION)
		return PS_FRAME_EVERSION;
	type_limits(f->version, f->type, &min, &max);
	if (max == 0)
		return PS_FRAME_ETYPE;
	if (!version_ok(f->version, f->type))
		return PS_FRAME_EVERSION;
	if (f->flags != 0)
		return PS_FRAME_EFLAGS;
	if (f->length > max)
		return PS_FRAME_ETOOBIG;
	if (f->length < min)
		return PS_FRAME_ETOOSMALL;
	*need = PS_FRAME_HEADER + (size_t)f->length;
	return PS_FRAME_OK;
}

int ps_frame_decode(const void *buf, size_t n, struct ps_frame *f, size_t *need)
{
	const uint8_t *h = buf;
	uint32_t crc;
	int r = ps_frame_header_decode(buf, n, f, need);

	if (r != PS_FRAME_OK)
		return r;
	if (n < *need)
		return PS_FRAME_SHORT;
	crc = ps_crc32c(0, h, 12);
	crc = ps_crc32c(crc, h + PS_FRAME_HEADER, f->length);
	if (crc != f->crc)
		return PS_FRAME_ECRC;
	f->payload = h + PS_FRAME_HEADER;
	return PS_FRAME_OK;
}

int ps_frame_seal_version(uint8_t *out, size_t cap, unsigned version, unsigned type,
			  size_t payload_len, size_t *frame_len)
{
	uint32_t min, max, crc;

	*frame_len = 0;
	type_limits(version, type, &min, &max);
	if (max == 0 || !version_ok(version, type) || payload_len < min || payload_len > max)
		return PS_FRAME_EOUTPUT;
	if (cap < PS_FRAME_HEADER || cap - PS_FRAME_HEADER < payload_len)
		return PS_FRAME_EOUTPUT;
	out[0] = PS_FRAME_MAGIC0;
	out[1] = PS_FRAME_MAGIC1;
	out[2] = PS_FRAME_MAGIC2;
	out[3] = PS_FRAME_MAGIC3;
	out[4] = (uint8_t)version;
	out[5] = (uint8_t)type;
	put16(out + 6, 0);
	put32(out + 8, (uint32_t)payload_len);
	crc = ps_crc32c(0, out, 12);
	crc = ps_crc32c(crc, out + PS_FRAME_HEADER, payload_len);
	put32(out + 12, crc);
	*frame_len = PS_FRAME_HEADER + payload_len;
	return PS_FRAME_OK;
}

int ps_frame_seal(uint8_t *out, size_t cap, unsigned type, size_t payload_len, size_t *frame_len)
{
	return ps_frame_seal_version(out, cap, 1, type, payload_len, frame_len);
}

int ps_case_set_version(uint8_t *frame, size_t frame_len, unsigned version)
{
	size_t len;

	if (frame_len < PS_FRAME_HEADER + PS_FRAME_MIN_CASE || frame[5] != PS_FRAME_CASE)
		return PS_FRAME_EOUTPUT;
	return ps_frame_seal_version(frame, frame_len, version, PS_FRAME_CASE,
				     frame_len - PS_FRAME_HEADER, &len);
}

static int printable(const char *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			return 0;
	return 1;
}

/* UTF-8 without control characters: no NUL or other C0, DEL or C1
 * (U+0080..U+009F, which terminals also obey). */
static int text_valid(const char *s, uint32_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t i;

	if (!ps_utf8_valid(s, n, PS_UTF8_NUL_REJECT))
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xc2 && i + 1 < n && p[i + 1] < 0xa0))
			return 0;
	return 1;
}

static size_t case_payload_len(const struct ps_case_meta *m)
{
	return PS_FRAME_ID_LEN + 8 + 4 + 2 + m->release.n + 2 + m->machine.n +
	       2 + m->label.n + 4 + (size_t)m->report.n;
}

static uint8_t *put_str16(uint8_t *w, struct ps_span s)
{
	put16(w, s.n);
	if (s.n)
		memcpy(w + 2, s.p, s.n);
	return w + 2 + s.n;
}

int ps_case_encode(uint8_t *out, size_t cap, const struct ps_case_meta *m, size_t *frame_len)
{
	uint8_t *w;
	size_t len;

	*frame_len = 0;
	if (m->release.n > PS_FRAME_MAX_META || m->machine.n > PS_FRAME_MAX_META ||
	    m->label.n > PS_FRAME_MAX_META || m->report.n > PS_FRAME_MAX_REPORT ||
	    m->confidence_ppm > 1000000u ||
	    !printable(m->release.p, m->release.n) || !printable(m->machine.p, m->machine.n) ||
	    !printable(m->label.p, m->label.n) ||
	    !ps_utf8_valid(m->report.p, m->report.n, PS_UTF8_NUL_REJECT))
		return PS_FRAME_EOUTPUT;
	len = case_payload_len(m);
	if (cap < PS_FRAME_HEADER || cap - PS_FRAME_HEADER < len)
		return PS_FRAME_EOUTPUT;
	w = out + PS_FRAME_HEADER;
	memcpy(w, m->id, PS_FRAME_ID_LEN);
	w += PS_FRAME_ID_LEN;
	put64(w, m->capture_us);
	put32(w + 8, m->confidence_ppm);
	w += 12;
	w = put_str16(w, m->release);
	w = put_str16(w, m->machine);
	w = put_str16(w, m->label);
	put32(w, m->report.n);
	if (m->report.n)
		memcpy(w + 4, m->report.p, m->report.n);
	return ps_frame_seal(out, cap, PS_FRAME_CASE, len, frame_len);
}

void ps_case_hashed_part(const uint8_t *frame, size_t frame_len, const uint8_t **p, size_t *n)
{
	size_t skip = PS_FRAME_HEADER + PS_FRAME_ID_LEN;

	*p = frame + (frame_len < skip ? frame_len : skip);
	*n = frame_len < skip ? 0 : frame_len - skip;
}

void ps_case_set_id(uint8_t *frame, size_t frame_len, const uint8_t id[PS_FRAME_ID_LEN])
{
	size_t ignored;

	if (frame_len < PS_FRAME_HEADER + PS_FRAME_MIN_CASE)
		return;
	memcpy(frame + PS_FRAME_HEADER, id, PS_FRAME_ID_LEN);
	ps_frame_seal_version(frame, frame_len, frame[4], PS_FRAME_CASE, frame_len - PS_FRAME_HEADER,
			      &ignored);
}

/* Reads a length-prefixed field; *off advances.  Total: checks every
 * length against what is left. */
static int get_field(const uint8_t *p, uint32_t len, uint32_t *off, unsigned width,
		     uint32_t max, struct ps_span *s)
{
	uint32_t n;

	if (len - *off < width)
		return 0;
	n = width == 2 ? get16(p + *off) : get32(p + *off);
	*off += width;
	if (n > max || len - *off < n)
		return 0;
	s->p = (const char *)p + *off;
	s->n = n;
	*off += n;
	return 1;
}

int ps_case_decode(const struct ps_frame *f, struct ps_case_meta *m)
{
	const uint8_t *p = f->payload;
	uint32_t len = f->length, off;

	memset(m, 0, sizeof *m);
	if (f->type != PS_FRAME_CASE || !p)
		return PS_FRAME_ETYPE;
	if (len < PS_FRAME_MIN_CASE)
		return PS_FRAME_ETOOSMALL;
	if (len > PS_FRAME_MAX_CASE)
		return PS_FRAME_ETOOBIG;
	memcpy(m->id, p, PS_FRAME_ID_LEN);
	m->capture_us = get64(p + PS_FRAME_ID_LEN);
	m->confidence_ppm = get32(p + PS_FRAME_ID_LEN + 8);
	off = PS_FRAME_ID_LEN + 12;
	if (m->confidence_ppm > 1000000u ||
	    !get_field(p, len, &off, 2, PS_FRAME_MAX_META, &m->release) ||
	    !get_field(p, len, &off, 2, PS_FRAME_MAX_META, &m->machine) ||
	    !get_field(p, len, &off, 2, PS_FRAME_MAX_META, &m->label) ||
	    !get_field(p, len, &off, 4, PS_FRAME_MAX_REPORT, &m->report) ||
	    off != len ||
	    !printable(m->release.p, m->release.n) || !printable(m->machine.p, m->machine.n) ||
	    !printable(m->label.p, m->label.n) || m->report.n == 0 ||
	    !ps_utf8_valid(m->report.p, m->report.n, PS_UTF8_NUL_REJECT)) {
		memset(m, 0, sizeof *m);
		return PS_FRAME_EFIELD;
	}
	return PS_FRAME_OK;
}

static int ack2_fields_ok(const struct ps_ack *a)
{
	return a->bucket.n <= PS_FRAME_MAX_BUCKET && printable(a->bucket.p, a->bucket.n) &&
	       a->cause.n <= PS_FRAME_MAX_CAUSE && text_valid(a->cause.p, a->cause.n) &&
	       a->advice.n <= PS_FRAME_MAX_ADVICE && text_valid(a->advice.p, a->advice.n) &&
	       a->url.n <= PS_FRAME_MAX_URL && printable(a->url.p, a->url.n) &&
	       (a->cause.n || (!a->advice.n && !a->url.n));
}

int ps_ack_encode(uint8_t *out, size_t cap, const struct ps_ack *a, size_t *frame_len)
{
	uint8_t *w = out + PS_FRAME_HEADER;
	size_t len = PS_FRAME_ACK_LEN;

	*frame_len = 0;
	if (a->version != 1 && a->version != 2)
		return PS_FRAME_EOUTPUT;
	if (a->version == 2) {
		if (!ack2_fields_ok(a))
			return PS_FRAME_EOUTPUT;
		len = PS_FRAME_MIN_ACK2 + a->bucket.n + a->cause.n + a->advice.n + a->url.n;
	}
	if (cap < PS_FRAME_HEADER || cap - PS_FRAME_HEADER < len)
		return PS_FRAME_EOUTPUT;
	memcpy(w, a->id, PS_FRAME_ID_LEN);
	w[PS_FRAME_ID_LEN] = a->duplicate ? 1 : 0;
	if (a->version == 2) {
		w = put_str16(w + PS_FRAME_ACK_LEN, a->bucket);
		put32(w, a->bucket_cases);
		put32(w + 4, a->bucket_machines);
		w = put_str16(w + 8, a->cause);
		w = put_str16(w, a->advice);
		put_str16(w, a->url);
	}
	return ps_frame_seal_version(out, cap, a->version, PS_FRAME_ACK, len, frame_len);
}

int ps_ack_decode(const struct ps_frame *f, struct ps_ack *a)
{
	const uint8_t *p = f->payload;
	uint32_t off;

	memset(a, 0, sizeof *a);
	if (f->type != PS_FRAME_ACK || !p)
		return PS_FRAME_ETYPE;
	if (f->version < 1 || f->version > 2)
		return PS_FRAME_EVERSION;
	if (f->version == 1 ? f->length != PS_FRAME_ACK_LEN :
	    f->length < PS_FRAME_MIN_ACK2 || f->length > PS_FRAME_MAX_ACK2)
		return PS_FRAME_EFIELD;
	if (p[PS_FRAME_ID_LEN] > 1)
		return PS_FRAME_EFIELD;
	a->version = f->version;
	memcpy(a->id, p, PS_FRAME_ID_LEN);
	a->duplicate = p[PS_FRAME_ID_LEN];
	if (f->version == 1)
		return PS_FRAME_OK;
	off = PS_FRAME_ACK_LEN;
	if (!get_field(p, f->length, &off, 2, PS_FRAME_MAX_BUCKET, &a->bucket) || f->length - off < 8)
		goto bad;
	a->bucket_cases = get32(p + off);
	a->bucket_machines = get32(p + off + 4);
	off += 8;
	if (!get_field(p, f->length, &off, 2, PS_FRAME_MAX_CAUSE, &a->cause) ||
	    !get_field(p, f->length, &off, 2, PS_FRAME_MAX_ADVICE, &a->advice) ||
	    !get_field(p, f->length, &off, 2, PS_FRAME_MAX_URL, &a->url) ||
	    off != f->length || !ack2_fields_ok(a))
		goto bad;
	return PS_FRAME_OK;
bad:
	memset(a, 0, sizeof *a);
	return PS_FRAME_EFIELD;
}

int ps_error_encode(uint8_t *out, size_t cap, unsigned code, const char *msg, size_t *frame_len)
{
	uint8_t *w = out + PS_FRAME_HEADER;
	uint32_t n = 0;

	*frame_len = 0;
	if (cap < PS_FRAME_HEADER + 4 + PS_FRAME_MAX_ERRMSG || code > 0xffff)
		return PS_FRAME_EOUTPUT;
	/* Copy at most the maximum, replacing what is not printable. */
	while (msg && msg[n] && n < PS_FRAME_MAX_ERRMSG) {
		unsigned char c = (unsigned char)msg[n];
		w[4 + n] = c >= 0x20 && c <= 0x7e ? c : '?';
		n++;
	}
	put16(w, code);
	put16(w + 2, n);
	return ps_frame_seal(out, cap, PS_FRAME_ERROR, 4 + n, frame_len);
}

int ps_error_decode(const struct ps_frame *f, struct ps_frame_error *e)
{
	uint32_t off = 2;

	memset(e, 0, sizeof *e);
	if (f->type != PS_FRAME_ERROR || !f->payload)
		return PS_FRAME_ETYPE;
	if (f->length < 4)
		return PS_FRAME_ETOOSMALL;
	e->code = get16(f->payload);
	if (!get_field(f->payload, f->length, &off, 2, PS_FRAME_MAX_ERRMSG, &e->msg) ||
	    off != f->length || !printable(e->msg.p, e->msg.n)) {
		memset(e, 0, sizeof *e);
		return PS_FRAME_EFIELD;
	}
	return PS_FRAME_OK;
}

void ps_id_hex(const uint8_t id[PS_FRAME_ID_LEN], char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < PS_FRAME_ID_LEN; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
	}
	out[2 * PS_FRAME_ID_LEN] = '\0';
}
