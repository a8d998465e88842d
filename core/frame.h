/* The upload wire format between panicsage-kdump and the collector.
 * Pure, zero-allocation encoders and total decoders: every input gives
 * a result or an error, never undefined behaviour (fuzzed).
 *
 * A frame is a 16-byte header followed by `length` payload bytes:
 *
 *   offset size  field
 *   0      4     magic "PSGF"
 *   4      1     version: 1 or 2 (below)
 *   5      1     type: 1 CASE, 2 ACK, 3 ERROR
 *   6      2     flags, must be 0
 *   8      4     payload length, little-endian, <= the type's maximum
 *   12     4     CRC-32C (Castagnoli) of header bytes 0..11 and the
 *                payload, little-endian
 *
 * Payloads (all integers little-endian):
 *
 *   CASE   (client -> collector, 58 .. PS_FRAME_MAX_CASE bytes)
 *          32  case id: SHA-256 of every payload byte after these 32
 *           8  capture time, microseconds since the Unix epoch
 *           4  confidence of the label, parts per million (0..1000000)
 *           2+n kernel release   (n <= 64,  printable ASCII)
 *           2+n machine id       (n <= 64,  printable ASCII)
 *           2+n label            (n <= 64,  printable ASCII, may be empty)
 *           4+n report           (n <= PS_FRAME_MAX_REPORT, UTF-8 JSON without NUL,
 *                                 the `panicsage classify --json` report)
 *          nothing may follow the report.
 *   ACK    (collector -> client), version 1: 33 bytes
 *          32  case id that is now stored durably
 *           1  0 = stored now, 1 = was already stored (duplicate)
 *          version 2: the same 33 bytes, then what the collector knows of
 *          the case's crash bucket (tools/store: the cases of one bug):
 *           2+n bucket id        (n <= 32, printable ASCII; empty when the
 *                                 case has no bucket)
 *           4  cases in the bucket, this one included
 *           4  machines the bucket's cases came from
 *           2+n cause            (n <= 256, UTF-8 without control characters)
 *           2+n advice           (n <= 512, UTF-8 without control characters)
 *           2+n url              (n <= 256, printable ASCII)
 *          nothing may follow.  A non-empty cause means a person attached
 *          a resolution to the bucket (panicsage label --resolve): a known
 *          problem; cause, advice and url are then empty or all as set.
 *   ERROR  (collector -> client, 4 .. 4+PS_FRAME_MAX_ERRMSG bytes), version 1
 *           2  code (PS_FRAME_ERR_*)
 *           2+n message (printable ASCII)
 *
 * Versions.  Version 1 is the first format.  Version 2 adds only the ACK
 * above: a client that can read a version 2 ACK sends its CASE frames
 * with version 2 (the payload and so the case id are those of version
 * 1), and a collector answers a version 2 CASE with a version 2 ACK and
 * a version 1 CASE with a version 1 ACK.  ERROR frames are version 1
 * whatever the CASE was.  So an old client (version 1 only) gets what it
 * always got.  An old collector answers a version 2 CASE with ERROR
 * PS_FRAME_ERR_FRAME ("unsupported frame version") and closes the
 * connection; the client then sends its cases as version 1 on a new
 * connection (kdump/upload.c).  Spool files hold version 1 frames.
 *
 * A session: the client sends one CASE at a time and waits for its ACK
 * or ERROR before the next.  The collector answers a frame it cannot
 * read with ERROR and closes the connection. */
#ifndef PS_FRAME_H
#define PS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define PS_FRAME_MAGIC0 'P'
#define PS_FRAME_MAGIC1 'S'
#define PS_FRAME_MAGIC2 'G'
#define PS_FRAME_MAGIC3 'F'
#define PS_FRAME_VERSION 2u        /* the newest version this code speaks */
#define PS_FRAME_VERSION_MIN 1u
#define PS_FRAME_HEADER 16u

#define PS_FRAME_CASE  1u
#define PS_FRAME_ACK   2u
#define PS_FRAME_ERROR 3u

#define PS_FRAME_ID_LEN      32u
#define PS_FRAME_MAX_META    64u           /* release, machine id, label */
#define PS_FRAME_MAX_REPORT  (240u * 1024u)
#define PS_FRAME_MAX_CASE    (PS_FRAME_ID_LEN + 8u + 4u + 3u * (2u + PS_FRAME_MAX_META) + \
			      4u + PS_FRAME_MAX_REPORT)
#define PS_FRAME_MIN_CASE    (PS_FRAME_ID_LEN + 8u + 4u + 3u * 2u + 4u)
#define PS_FRAME_ACK_LEN     (PS_FRAME_ID_LEN + 1u)      /* version 1 */
#define PS_FRAME_MAX_BUCKET  32u
#define PS_FRAME_MAX_CAUSE   256u
#define PS_FRAME_MAX_ADVICE  512u
#define PS_FRAME_MAX_URL     256u
#define PS_FRAME_MIN_ACK2    (PS_FRAME_ACK_LEN + 2u + 8u + 3u * 2u)
#define PS_FRAME_MAX_ACK2    (PS_FRAME_MIN_ACK2 + PS_FRAME_MAX_BUCKET + PS_FRAME_MAX_CAUSE + \
			      PS_FRAME_MAX_ADVICE + PS_FRAME_MAX_URL)
#define PS_FRAME_MAX_ERRMSG  200u
/* The largest frame of any type, header included. */
#define PS_FRAME_MAX         (PS_FRAME_HEADER + PS_FRAME_MAX_CASE)

/* ERROR codes.  RETRY means "not your fault, send it again later". */
#define PS_FRAME_ERR_FRAME   1u   /* header, size or checksum wrong */
#define PS_FRAME_ERR_CASE    2u   /* CASE payload malformed or id mismatch */
#define PS_FRAME_ERR_RETRY   3u   /* collector cannot store now */
#define PS_FRAME_ERR_TYPE    4u   /* unexpected frame type */

/* Results of the decoders (0 = success). */
enum ps_frame_result {
	PS_FRAME_OK = 0,
	PS_FRAME_SHORT,      /* need more bytes; see *need */
	PS_FRAME_EMAGIC,
	PS_FRAME_EVERSION,
	PS_FRAME_ETYPE,
	PS_FRAME_EFLAGS,
	PS_FRAME_ETOOBIG,    /* length over the type's maximum */
	PS_FRAME_ETOOSMALL,  /* length under the type's minimum */
	PS_FRAME_ECRC,
	PS_FRAME_EFIELD,     /* a payload field is malformed */
	PS_FRAME_EOUTPUT,    /* encoder: output buffer too small / bad input */
};

const char *ps_frame_result_str(int r);

struct ps_frame {
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t length;           /* payload bytes */
	uint32_t crc;
	const uint8_t *payload;    /* set by ps_frame_decode only */
};

/* A span of bytes inside a payload (not NUL-terminated). */
struct ps_span {
	const char *p;
	uint32_t n;
};

struct ps_case_meta {
	uint8_t id[PS_FRAME_ID_LEN];
	uint64_t capture_us;
	uint32_t confidence_ppm;
	struct ps_span release, machine, label, report;
};

struct ps_ack {
	uint8_t version;           /* 1 or 2; the encoder writes this version */
	uint8_t id[PS_FRAME_ID_LEN];
	uint8_t duplicate;
	/* version 2 only (zero for version 1) */
	struct ps_span bucket;
	uint32_t bucket_cases, bucket_machines;
	struct ps_span cause, advice, url;
};

struct ps_frame_error {
	uint16_t code;
	struct ps_span msg;
};

uint32_t ps_crc32c(uint32_t crc, const void *p, size_t n);

/* Checks the first PS_FRAME_HEADER bytes of `buf` (n may be smaller:
 * PS_FRAME_SHORT, *need = PS_FRAME_HEADER).  On success the payload
 * length is known and checked against its type's limits, so a reader
 * can fetch exactly that many bytes; *need = header + payload. */
int ps_frame_header_decode(const void *buf, size_t n, struct ps_frame *f, size_t *need);

/* Decodes one whole frame at the start of `buf` (n bytes): header,
 * size limits and CRC.  f->payload points into buf.  PS_FRAME_SHORT
 * with *need when more bytes are required; on success *need is the
 * frame's total size. */
int ps_frame_decode(const void *buf, size_t n, struct ps_frame *f, size_t *need);

/* Writes a version 1 header for `type` and a payload that is already at
 * out + PS_FRAME_HEADER (zero-copy): computes length and CRC. */
int ps_frame_seal(uint8_t *out, size_t cap, unsigned type, size_t payload_len, size_t *frame_len);
/* The same with the given version. */
int ps_frame_seal_version(uint8_t *out, size_t cap, unsigned version, unsigned type,
			  size_t payload_len, size_t *frame_len);
/* Re-seals a whole valid CASE frame (frame_len bytes) as `version`;
 * PS_FRAME_OK, or PS_FRAME_EOUTPUT when it is not a CASE frame or the
 * version is not one this code speaks. */
int ps_case_set_version(uint8_t *frame, size_t frame_len, unsigned version);

/* Encodes a CASE payload at out + PS_FRAME_HEADER and seals the frame.
 * The id is NOT computed here (core has no SHA-256): the caller hashes
 * ps_case_hashed_part() and calls ps_case_set_id(), which re-seals. */
int ps_case_encode(uint8_t *out, size_t cap, const struct ps_case_meta *m, size_t *frame_len);
/* The bytes a case id is the SHA-256 of, inside an encoded CASE frame. */
void ps_case_hashed_part(const uint8_t *frame, size_t frame_len, const uint8_t **p, size_t *n);
void ps_case_set_id(uint8_t *frame, size_t frame_len, const uint8_t id[PS_FRAME_ID_LEN]);

/* Field-level validation of a CASE payload (after ps_frame_decode). */
int ps_case_decode(const struct ps_frame *f, struct ps_case_meta *m);

/* Encodes a->version's ACK (version 2 fields are checked as the
 * decoder checks them); decodes either version, by the frame's. */
int ps_ack_encode(uint8_t *out, size_t cap, const struct ps_ack *a, size_t *frame_len);
int ps_ack_decode(const struct ps_frame *f, struct ps_ack *a);

int ps_error_encode(uint8_t *out, size_t cap, unsigned code, const char *msg, size_t *frame_len);
int ps_error_decode(const struct ps_frame *f, struct ps_frame_error *e);

/* Lower-case hex of an id into out[2*PS_FRAME_ID_LEN+1]. */
void ps_id_hex(const uint8_t id[PS_FRAME_ID_LEN], char *out);

#endif
