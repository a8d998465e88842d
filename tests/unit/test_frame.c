/* Upload frames: round trips, every rejection, and a mutation sweep
 * that must never crash (ASan/UBSan builds turn UB into failures). */
#include "check.h"

#include <stdlib.h>

#include "core/frame.h"

static uint8_t buf[PS_FRAME_MAX + 64];

static struct ps_span span(const char *s)
{
	struct ps_span v = { s, (uint32_t)strlen(s) };
	return v;
}

static size_t make_case(uint8_t *out, size_t cap, const char *report)
{
	struct ps_case_meta m;
	size_t len = 0;
	uint8_t id[PS_FRAME_ID_LEN];

	memset(&m, 0, sizeof m);
	m.capture_us = 1700000000123456ull;
	m.confidence_ppm = 970000;
	m.release = span("6.1.0-18-amd64");
	m.machine = span("0123456789abcdef0123456789abcdef");
	m.label = span("hung-task");
	m.report = span(report);
	CHECK_EQ_INT(ps_case_encode(out, cap, &m, &len), PS_FRAME_OK);
	memset(id, 0xab, sizeof id);
	ps_case_set_id(out, len, id);
	return len;
}

static void test_crc(void)
{
	CHECK_EQ_INT(ps_crc32c(0, "123456789", 9), 0xe3069283u);
	CHECK_EQ_INT(ps_crc32c(0, "", 0), 0);
	/* incremental == one shot */
	CHECK_EQ_INT(ps_crc32c(ps_crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
}

static void test_case_roundtrip(void)
{
	const char *report = "{\"label\":\"hung-task\",\"text\":\"caf\xc3\xa9\"}";
	size_t len = make_case(buf, sizeof buf, report), need;
	struct ps_frame f;
	struct ps_case_meta m;
	const uint8_t *hp;
	size_t hn;

	CHECK(len > PS_FRAME_HEADER);
	CHECK_EQ_INT(ps_frame_decode(buf, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(need, len);
	CHECK_EQ_INT(f.type, PS_FRAME_CASE);
	CHECK_EQ_INT(ps_case_decode(&f, &m), PS_FRAME_OK);
	CHECK_EQ_INT(m.id[0], 0xab);
	CHECK_EQ_INT(m.capture_us, 1700000000123456ull);
	CHECK_EQ_INT(m.confidence_ppm, 970000);
	CHECK_SPAN(m.release.p, m.release.n, "6.1.0-18-amd64");
	CHECK_SPAN(m.label.p, m.label.n, "hung-task");
	CHECK_SPAN(m.report.p, m.report.n, report);
	ps_case_hashed_part(buf, len, &hp, &hn);
	CHECK(hp == buf + PS_FRAME_HEADER + PS_FRAME_ID_LEN);
	CHECK_EQ_INT(hn, len - PS_FRAME_HEADER - PS_FRAME_ID_LEN);

	/* every prefix is SHORT, never OK or an error */
	for (size_t i = 0; i < len; i++) {
		int r = ps_frame_decode(buf, i, &f, &need);
		if (r != PS_FRAME_SHORT) {
			CHECK_EQ_INT(r, PS_FRAME_SHORT);
			break;
		}
	}
	/* a frame followed by more bytes decodes with its own size */
	CHECK_EQ_INT(ps_frame_decode(buf, len + 10, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(need, len);
}

static void test_rejections(void)
{
	size_t len = make_case(buf, sizeof buf, "{}"), need;
	struct ps_frame f;
	struct ps_case_meta m;
	uint8_t copy[256];

	memcpy(copy, buf, len);
	copy[0] = 'X';
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_EMAGIC);
	CHECK_EQ_INT(ps_frame_decode("GET / HTTP/1.1\r\n", 16, &f, &need), PS_FRAME_EMAGIC);
	CHECK_EQ_INT(ps_frame_decode("P", 1, &f, &need), PS_FRAME_SHORT);
	CHECK_EQ_INT(ps_frame_decode("PX", 2, &f, &need), PS_FRAME_EMAGIC);

	memcpy(copy, buf, len); copy[4] = 3;
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_EVERSION);
	memcpy(copy, buf, len); copy[4] = 0;
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_EVERSION);
	memcpy(copy, buf, len); copy[5] = 9;
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_ETYPE);
	memcpy(copy, buf, len); copy[6] = 1;
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_EFLAGS);
	memcpy(copy, buf, len); copy[11] = 0x7f;   /* 2 GiB payload */
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_ETOOBIG);
	memcpy(copy, buf, len); copy[8] = 3; copy[9] = copy[10] = copy[11] = 0;
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_ETOOSMALL);
	memcpy(copy, buf, len); copy[len - 1] ^= 1;
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_ECRC);

	/* a payload with a lying inner length but a correct CRC */
	memcpy(copy, buf, len);
	copy[PS_FRAME_HEADER + PS_FRAME_ID_LEN + 12] = 0xff;   /* release length */
	ps_frame_seal(copy, sizeof copy, PS_FRAME_CASE, len - PS_FRAME_HEADER, &need);
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(ps_case_decode(&f, &m), PS_FRAME_EFIELD);

	/* confidence over 100% */
	memcpy(copy, buf, len);
	copy[PS_FRAME_HEADER + PS_FRAME_ID_LEN + 11] = 0xff;
	ps_frame_seal(copy, sizeof copy, PS_FRAME_CASE, len - PS_FRAME_HEADER, &need);
	CHECK_EQ_INT(ps_frame_decode(copy, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(ps_case_decode(&f, &m), PS_FRAME_EFIELD);

	/* invalid UTF-8 and NUL in the report, empty report */
	{
		struct ps_case_meta in;
		size_t n;
		memset(&in, 0, sizeof in);
		in.report = span("{\"x\":\"\xc0\xaf\"}");
		CHECK_EQ_INT(ps_case_encode(copy, sizeof copy, &in, &n), PS_FRAME_EOUTPUT);
		in.report = span("\xed\xa0\x80");      /* surrogate */
		CHECK_EQ_INT(ps_case_encode(copy, sizeof copy, &in, &n), PS_FRAME_EOUTPUT);
		in.report = span("\xf4\x90\x80\x80");  /* > U+10FFFF */
		CHECK_EQ_INT(ps_case_encode(copy, sizeof copy, &in, &n), PS_FRAME_EOUTPUT);
		in.report.p = "a\0b"; in.report.n = 3;
		CHECK_EQ_INT(ps_case_encode(copy, sizeof copy, &in, &n), PS_FRAME_EOUTPUT);
		in.report = span("");
		CHECK_EQ_INT(ps_case_encode(copy, sizeof copy, &in, &n), PS_FRAME_OK);
		CHECK_EQ_INT(ps_frame_decode(copy, n, &f, &need), PS_FRAME_OK);
		CHECK_EQ_INT(ps_case_decode(&f, &m), PS_FRAME_EFIELD);
		in.report = span("{}");
		in.label = span("bad\nlabel");
		CHECK_EQ_INT(ps_case_encode(copy, sizeof copy, &in, &n), PS_FRAME_EOUTPUT);
		/* too small a buffer */
		in.label = span("ok");
		CHECK_EQ_INT(ps_case_encode(copy, 20, &in, &n), PS_FRAME_EOUTPUT);
	}
}

static void test_ack_error(void)
{
	struct ps_ack a, b;
	struct ps_frame f;
	struct ps_frame_error e;
	struct ps_case_meta m;
	size_t len, need;
	char hex[2 * PS_FRAME_ID_LEN + 1];

	memset(&a, 0, sizeof a);
	for (unsigned i = 0; i < PS_FRAME_ID_LEN; i++)
		a.id[i] = (uint8_t)i;
	a.duplicate = 1;
	CHECK_EQ_INT(ps_ack_encode(buf, sizeof buf, &a, &len), PS_FRAME_EOUTPUT);   /* no version */
	a.version = 1;
	CHECK_EQ_INT(ps_ack_encode(buf, sizeof buf, &a, &len), PS_FRAME_OK);
	CHECK_EQ_INT(len, PS_FRAME_HEADER + PS_FRAME_ACK_LEN);
	CHECK_EQ_INT(ps_frame_decode(buf, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(ps_ack_decode(&f, &b), PS_FRAME_OK);
	CHECK(memcmp(a.id, b.id, sizeof a.id) == 0);
	CHECK_EQ_INT(b.duplicate, 1);
	CHECK_EQ_INT(b.version, 1);
	CHECK_EQ_INT(buf[4], 1);
	CHECK_EQ_INT(ps_error_decode(&f, &e), PS_FRAME_ETYPE);
	CHECK_EQ_INT(ps_case_decode(&f, &m), PS_FRAME_ETYPE);
	ps_id_hex(a.id, hex);
	CHECK_EQ_STR(hex, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

	CHECK_EQ_INT(ps_error_encode(buf, sizeof buf, PS_FRAME_ERR_RETRY, "disk\tfull", &len), PS_FRAME_OK);
	CHECK_EQ_INT(ps_frame_decode(buf, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(ps_error_decode(&f, &e), PS_FRAME_OK);
	CHECK_EQ_INT(e.code, PS_FRAME_ERR_RETRY);
	CHECK_SPAN(e.msg.p, e.msg.n, "disk?full");
	CHECK_EQ_INT(ps_ack_decode(&f, &b), PS_FRAME_ETYPE);
	{
		char longmsg[400];
		memset(longmsg, 'x', sizeof longmsg - 1);
		longmsg[sizeof longmsg - 1] = 0;
		CHECK_EQ_INT(ps_error_encode(buf, sizeof buf, 1, longmsg, &len), PS_FRAME_OK);
		CHECK_EQ_INT(len, PS_FRAME_HEADER + 4 + PS_FRAME_MAX_ERRMSG);
	}
}

static struct ps_span sp(const char *s)
{
	struct ps_span r = { s, (uint32_t)strlen(s) };
	return r;
}

/* Version 2: the ACK with a bucket and a resolution; a version 2 CASE
 * keeps its payload and id; ERROR stays version 1. */
static void test_version2(void)
{
	struct ps_ack a, b;
	struct ps_frame f;
	struct ps_frame_error e;
	struct ps_case_meta m;
	uint8_t big[PS_FRAME_HEADER + PS_FRAME_MAX_ACK2 + 64], c1[512], c2[512];
	char advice[PS_FRAME_MAX_ADVICE + 2];
	size_t len, need, n1;

	memset(&a, 0, sizeof a);
	a.version = 2;
	memset(a.id, 7, sizeof a.id);
	a.bucket = sp("0123456789abcdef");
	a.bucket_cases = 12;
	a.bucket_machines = 5;
	a.cause = sp("psdev frees its buffer twice (caf\xc3\xa9)");
	a.advice = sp("update psdev to 1.2");
	a.url = sp("https://example.org/kb/1");
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_OK);
	CHECK_EQ_INT(big[4], 2);
	CHECK_EQ_INT(len, PS_FRAME_HEADER + PS_FRAME_MIN_ACK2 + a.bucket.n + a.cause.n + a.advice.n + a.url.n);
	CHECK_EQ_INT(ps_frame_decode(big, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(ps_ack_decode(&f, &b), PS_FRAME_OK);
	CHECK_EQ_INT(b.version, 2);
	CHECK_EQ_INT(b.bucket_cases, 12);
	CHECK_EQ_INT(b.bucket_machines, 5);
	CHECK_SPAN(b.bucket.p, b.bucket.n, "0123456789abcdef");
	CHECK_SPAN(b.cause.p, b.cause.n, "psdev frees its buffer twice (caf\xc3\xa9)");
	CHECK_SPAN(b.advice.p, b.advice.n, "update psdev to 1.2");
	CHECK_SPAN(b.url.p, b.url.n, "https://example.org/kb/1");
	/* control characters, an escape sequence, advice without a cause,
	 * oversized fields: refused by the encoder */
	a.cause = sp("red \x1b[31m");
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_EOUTPUT);
	a.cause = sp("C1 \xc2\x9b" "31m");
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_EOUTPUT);
	a.cause = sp("");
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_EOUTPUT);
	a.cause = sp("x");
	memset(advice, 'a', sizeof advice - 1);
	advice[sizeof advice - 1] = 0;
	a.advice = sp(advice);
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_EOUTPUT);
	advice[PS_FRAME_MAX_ADVICE] = 0;
	a.advice = sp(advice);
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_OK);
	a.url = sp("https://example.org/a b\n");
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_EOUTPUT);
	/* an unknown problem: no resolution at all */
	a.cause = a.advice = a.url = sp("");
	a.bucket = sp("");
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_OK);
	CHECK_EQ_INT(len, PS_FRAME_HEADER + PS_FRAME_MIN_ACK2);
	CHECK_EQ_INT(ps_frame_decode(big, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(ps_ack_decode(&f, &b), PS_FRAME_OK);
	CHECK_EQ_INT(b.cause.n, 0);
	/* a decoded control character is refused: hand-made frame */
	a.cause = sp("abc");
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_OK);
	big[len - 2 - 2 - 2] = 0x1b;                     /* the 'c' of the cause */
	CHECK_EQ_INT(ps_frame_seal_version(big, sizeof big, 2, PS_FRAME_ACK, len - PS_FRAME_HEADER, &need),
		     PS_FRAME_OK);
	CHECK_EQ_INT(ps_frame_decode(big, len, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(ps_ack_decode(&f, &b), PS_FRAME_EFIELD);
	/* a version 1 ACK's length under version 2 is too short */
	a.version = 1;
	CHECK_EQ_INT(ps_ack_encode(big, sizeof big, &a, &len), PS_FRAME_OK);
	big[4] = 2;
	CHECK_EQ_INT(ps_frame_decode(big, len, &f, &need), PS_FRAME_ETOOSMALL);

	/* CASE version 2: same payload and id, only the header differs */
	n1 = make_case(c1, sizeof c1, "{\"label\":\"oops\"}");
	memcpy(c2, c1, n1);
	CHECK_EQ_INT(ps_case_set_version(c2, n1, 2), PS_FRAME_OK);
	CHECK_EQ_INT(c2[4], 2);
	CHECK(memcmp(c1 + PS_FRAME_HEADER, c2 + PS_FRAME_HEADER, n1 - PS_FRAME_HEADER) == 0);
	CHECK_EQ_INT(ps_frame_decode(c2, n1, &f, &need), PS_FRAME_OK);
	CHECK_EQ_INT(f.version, 2);
	CHECK_EQ_INT(ps_case_decode(&f, &m), PS_FRAME_OK);
	CHECK_EQ_INT(ps_case_set_version(c2, n1, 1), PS_FRAME_OK);
	CHECK(memcmp(c1, c2, n1) == 0);
	CHECK_EQ_INT(ps_case_set_version(c2, n1, 3), PS_FRAME_EOUTPUT);
	/* version 3 and a version 2 ERROR are refused by the header decoder */
	c2[4] = 3;
	CHECK_EQ_INT(ps_frame_decode(c2, n1, &f, &need), PS_FRAME_EVERSION);
	CHECK_EQ_INT(ps_error_encode(big, sizeof big, 1, "x", &len), PS_FRAME_OK);
	CHECK_EQ_INT(big[4], 1);
	big[4] = 2;
	CHECK_EQ_INT(ps_frame_decode(big, len, &f, &need), PS_FRAME_EVERSION);
	(void)e;
}

/* Random bit flips, truncations and pure noise: decoders must return
 * something for every input. */
static void test_mutations(void)
{
	uint8_t orig[512], copy[512];
	size_t len = make_case(orig, sizeof orig, "{\"label\":\"oops\",\"segment\":[]}"), need;
	struct ps_frame f;
	struct ps_case_meta m;
	struct ps_ack a;
	struct ps_frame_error e;
	unsigned seed = 12345, ok = 0;

	for (int iter = 0; iter < 200000; iter++) {
		size_t n = len;
		memcpy(copy, orig, len);
		seed = seed * 1103515245u + 12345u;
		switch (seed >> 28 & 3) {
		case 0: copy[(seed >> 8) % len] ^= (uint8_t)(1u << (seed >> 4 & 7)); break;
		case 1: n = (seed >> 8) % len; break;
		case 2: for (size_t i = 0; i < len; i++) { seed = seed * 1103515245u + 12345u; copy[i] = (uint8_t)(seed >> 16); } break;
		case 3: copy[(seed >> 8) % len] = (uint8_t)(seed >> 20); break;
		}
		if (ps_frame_decode(copy, n, &f, &need) == PS_FRAME_OK) {
			ok++;
			ps_case_decode(&f, &m);
			ps_ack_decode(&f, &a);
			ps_error_decode(&f, &e);
			/* re-seal with a correct CRC so field decoding is exercised */
		}
		if (n >= PS_FRAME_HEADER + PS_FRAME_MIN_CASE && copy[5] == PS_FRAME_CASE) {
			copy[0] = 'P'; copy[1] = 'S'; copy[2] = 'G'; copy[3] = 'F'; copy[4] = 1;
			copy[6] = copy[7] = 0;
			if (ps_frame_seal(copy, n, PS_FRAME_CASE, n - PS_FRAME_HEADER, &need) == PS_FRAME_OK &&
			    ps_frame_decode(copy, n, &f, &need) == PS_FRAME_OK)
				ps_case_decode(&f, &m);
		}
	}
	CHECK(ok > 0);   /* unmutated cases (e.g. flips of a no-op) still decode */
}

int main(void)
{
	test_crc();
	test_case_roundtrip();
	test_rejections();
	test_ack_error();
	test_version2();
	test_mutations();
	return check_summary("test_frame");
}
