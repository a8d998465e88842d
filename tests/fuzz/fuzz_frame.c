/* fuzz_frame: the upload wire format (core/frame.h) as the collector
 * and the kdump client read it from the network.
 *
 * The bytes are one frame, or the start of one.  Invariants: the header
 * decoder agrees with the whole-frame decoder, asks for more only when
 * there is less than it needs, never points outside the input; every
 * field span of a decoded CASE, ACK (versions 1 and 2) or ERROR lies
 * inside the payload; a version 2 ACK's texts have no control character;
 * and a frame that decodes re-encodes to exactly the same bytes (the
 * encoders and decoders describe one format).  Each input is tried as
 * it is and, when only its CRC is wrong, with the CRC fixed. */
#include "tests/fuzz/fuzz.h"

#include "core/frame.h"

static uint8_t out[PS_FRAME_MAX];

static void check_span(const struct ps_frame *f, const struct ps_span *s)
{
	FUZZ_ASSERT(s->n == 0 || ((const uint8_t *)s->p >= f->payload &&
				  (const uint8_t *)s->p + s->n <= f->payload + f->length));
}

static void roundtrip(const struct ps_frame *f, const uint8_t *in, size_t need)
{
	struct ps_case_meta m;
	struct ps_ack ack;
	struct ps_frame_error e;
	size_t len = 0;
	char msg[PS_FRAME_MAX_ERRMSG + 1];

	switch (f->type) {
	case PS_FRAME_CASE:
		if (ps_case_decode(f, &m) != PS_FRAME_OK)
			return;
		check_span(f, &m.release);
		check_span(f, &m.machine);
		check_span(f, &m.label);
		check_span(f, &m.report);
		FUZZ_ASSERT(m.confidence_ppm <= 1000000u);
		FUZZ_ASSERT(ps_case_encode(out, sizeof out, &m, &len) == PS_FRAME_OK);
		ps_case_set_id(out, len, m.id);
		FUZZ_ASSERT(ps_case_set_version(out, len, f->version) == PS_FRAME_OK);
		break;
	case PS_FRAME_ACK:
		if (ps_ack_decode(f, &ack) != PS_FRAME_OK)
			return;
		FUZZ_ASSERT(ack.version == f->version);
		check_span(f, &ack.bucket);
		check_span(f, &ack.cause);
		check_span(f, &ack.advice);
		check_span(f, &ack.url);
		for (uint32_t i = 0; i < ack.cause.n; i++)
			FUZZ_ASSERT((uint8_t)ack.cause.p[i] >= 0x20 && ack.cause.p[i] != 0x7f);
		for (uint32_t i = 0; i < ack.advice.n; i++)
			FUZZ_ASSERT((uint8_t)ack.advice.p[i] >= 0x20 && ack.advice.p[i] != 0x7f);
		FUZZ_ASSERT(ps_ack_encode(out, sizeof out, &ack, &len) == PS_FRAME_OK);
		break;
	case PS_FRAME_ERROR:
		if (ps_error_decode(f, &e) != PS_FRAME_OK)
			return;
		check_span(f, &e.msg);
		FUZZ_ASSERT(e.msg.n <= PS_FRAME_MAX_ERRMSG);
		memcpy(msg, e.msg.p, e.msg.n);
		msg[e.msg.n] = '\0';
		FUZZ_ASSERT(ps_error_encode(out, sizeof out, e.code, msg, &len) == PS_FRAME_OK);
		break;
	default:
		FUZZ_ASSERT(0 && "decoder accepted an unknown type");
	}
	FUZZ_ASSERT(len == need && memcmp(out, in, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = fuzz_copy(data, size);
	struct ps_frame h, f;
	size_t hneed = 0, need = 0;
	int hr, r;

	hr = ps_frame_header_decode(in, size, &h, &hneed);
	r = ps_frame_decode(in, size, &f, &need);
	if (size < PS_FRAME_HEADER) {
		/* a wrong magic byte may be refused before the header is complete */
		FUZZ_ASSERT(hr == PS_FRAME_SHORT || hr == PS_FRAME_EMAGIC);
		FUZZ_ASSERT(hneed == PS_FRAME_HEADER && r == hr);
	}
	if (hr == PS_FRAME_OK) {
		/* the header alone fixes the frame's size */
		FUZZ_ASSERT(hneed == PS_FRAME_HEADER + (size_t)h.length && hneed <= PS_FRAME_MAX);
		if (size < hneed)
			FUZZ_ASSERT(r == PS_FRAME_SHORT && need == hneed);
		else
			FUZZ_ASSERT(r == PS_FRAME_OK || r == PS_FRAME_ECRC);
	} else if (hr != PS_FRAME_SHORT) {
		FUZZ_ASSERT(r == hr);
	}
	if (r == PS_FRAME_OK) {
		FUZZ_ASSERT(need == hneed && need <= size);
		FUZZ_ASSERT(f.payload == in + PS_FRAME_HEADER);
		FUZZ_ASSERT(f.type == h.type && f.length == h.length);
		roundtrip(&f, in, need);
	}
	(void)ps_frame_result_str(r);

	/* With the CRC made to match, mutations reach the payload decoders. */
	if (hr == PS_FRAME_OK && size >= hneed && r == PS_FRAME_ECRC) {
		uint32_t crc = ps_crc32c(ps_crc32c(0, in, 12), in + PS_FRAME_HEADER, h.length);

		in[12] = (uint8_t)crc;
		in[13] = (uint8_t)(crc >> 8);
		in[14] = (uint8_t)(crc >> 16);
		in[15] = (uint8_t)(crc >> 24);
		r = ps_frame_decode(in, size, &f, &need);
		FUZZ_ASSERT(r == PS_FRAME_OK && need == hneed);
		roundtrip(&f, in, need);
	}
	free(in);
	return 0;
}
