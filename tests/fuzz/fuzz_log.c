/* fuzz_log: the whole capture-side analysis of arbitrary "log" text.
 *
 * Case-file header, log parser, masking, Drain, catalogue matching and
 * header marking (the built-in catalogue, parsed once), DBSCAN
 * extraction, culprits, both report writers and the crash-bucket
 * signature (core/bucket.c), once with a large
 * arena and once with a small one whose size the input chooses, so
 * that every out-of-memory path runs too.  Invariants: no crash, no
 * access outside the arena's allocations (PS_ARENA_POISON), every
 * index in the result inside the log, reports that fit the bound
 * ps_report_bound promised, record line numbers that never go back
 * (a glued line split in two gives two records of one line), only
 * documented statuses, a kernel release (ps_log_release) that is one
 * printable word, and a signature of NUL-terminated printable fields
 * that is similar to itself and survives its own text form. */
#include "tests/fuzz/fuzz.h"

#include "core/arena.h"
#include "core/bucket.h"
#include "core/buf.h"
#include "core/catalogue.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "core/report.h"
#include "core/status.h"

/* Enough for any log: 1 MiB plus 32 bytes per input byte (the
 * capture kernel has 6 per byte), so PS_ENOMEM here is a bug. */
#define LARGE_ARENA(n) ((1u << 20) + 32u * (n))
#define SMALL_ARENA_MAX (256u << 10)

static void check_field(const char *s, size_t cap)
{
	size_t i;

	for (i = 0; i < cap && s[i]; i++)
		FUZZ_ASSERT((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f);
	FUZZ_ASSERT(i < cap);
}

static void check_signature(const struct ps_analysis *an)
{
	struct ps_bucket_sig sig, copy;
	char frames[PS_BUCKET_FRAMES * PS_BUCKET_SYM];
	size_t n;
	uint32_t i;

	ps_bucket_compute(an, &sig);
	check_field(sig.kind, sizeof sig.kind);
	check_field(sig.title, sizeof sig.title);
	check_field(sig.module, sizeof sig.module);
	FUZZ_ASSERT(sig.nframes <= PS_BUCKET_FRAMES);
	for (i = 0; i < sig.nframes; i++) {
		check_field(sig.frames[i], sizeof sig.frames[i]);
		FUZZ_ASSERT(sig.frames[i][0] != '\0');
	}
	check_field(sig.id, sizeof sig.id);
	FUZZ_ASSERT(strlen(sig.id) == PS_BUCKET_ID_LEN);
	FUZZ_ASSERT(ps_bucket_similar(&sig, &sig));
	FUZZ_ASSERT(ps_bucket_frame_similarity(&sig, &sig) == (sig.nframes ? 100u : 0u));
	/* the store keeps frames as text: they must come back the same */
	copy = sig;
	n = ps_bucket_frames_str(&sig, frames, sizeof frames);
	FUZZ_ASSERT(n == strlen(frames));
	ps_bucket_set_frames(&copy, frames, n);
	ps_bucket_rekey(&copy);
	FUZZ_ASSERT(copy.nframes == sig.nframes && copy.key == sig.key && !strcmp(copy.id, sig.id));
}

static void check_analysis(const struct ps_analysis *an, const struct ps_arena *a)
{
	uint32_t i;
	size_t bound;
	char *rep;
	struct ps_buf b;

	FUZZ_ASSERT(a->used <= a->size && a->peak <= a->size);
	FUZZ_ASSERT(an->nlines == an->log.n && an->nlines > 0);
	for (i = 0; i < an->log.n; i++) {
		FUZZ_ASSERT(an->log.rec[i].len <= PS_MAX_LINE);
		/* the records of a line split in two share its number */
		FUZZ_ASSERT(i == 0 || an->log.rec[i].line >= an->log.rec[i - 1].line);
		FUZZ_ASSERT(an->log.rec[i].level >= PS_NO_LEVEL && an->log.rec[i].level <= 7);
	}
	FUZZ_ASSERT(an->header == PS_NONE || an->header < an->nlines);
	/* "no crash": no header, no segment, and no line that shows a fault
	 * (a header or a panic line; scaffolding such as "Call Trace:" may
	 * match the catalogue in a log without a crash) */
	FUZZ_ASSERT(!an->no_crash || (an->header == PS_NONE && an->nsegment == 0));
	for (i = 0; an->no_crash && i < an->nlines; i++)
		FUZZ_ASSERT(!(an->lines[i].flags & (PS_LINE_HEADER | PS_LINE_PANIC)));
	FUZZ_ASSERT(an->no_crash || an->header != PS_NONE);
	FUZZ_ASSERT(an->panic == PS_NONE || an->panic < an->nlines);
	for (i = 0; i < an->nsegment; i++) {
		FUZZ_ASSERT(an->segment[i] < an->nlines);
		FUZZ_ASSERT(i == 0 || an->segment[i] > an->segment[i - 1]);
	}
	for (i = 0; i < an->nculprits; i++) {
		FUZZ_ASSERT(an->culprits[i].line < an->nlines);
		FUZZ_ASSERT(an->culprits[i].score >= 0.0f && an->culprits[i].score <= 1.0f);
	}

	/* the crashed kernel's release, when a record names one: NUL-ended,
	 * printable, starting with a digit, at most 64 bytes */
	{
		char rel[80];
		size_t rn = ps_log_release(&an->log, rel, sizeof rel), k;

		FUZZ_ASSERT(rn <= 64 && rel[rn] == '\0');
		FUZZ_ASSERT(rn == 0 || (rel[0] >= '0' && rel[0] <= '9'));
		for (k = 0; k < rn; k++)
			FUZZ_ASSERT(rel[k] > ' ' && rel[k] < 0x7f);
	}

	/* both report writers, into exactly the promised bound */
	bound = ps_report_bound(an);
	rep = malloc(bound);
	FUZZ_ASSERT(rep != NULL);
	ps_buf_init(&b, rep, bound);
	ps_report_json(an, &b);
	FUZZ_ASSERT(!b.overflow && b.len > 0 && rep[0] == '{' && rep[b.len - 1] != ',');
	ps_buf_init(&b, rep, bound);
	ps_report_console(an, &b);
	FUZZ_ASSERT(!b.overflow && b.len > 0);
	free(rep);
	check_signature(an);
}

static struct ps_catalogue catalogue;

static int analyze(const char *text, size_t len, struct ps_arena *a, struct ps_analysis *an)
{
	struct ps_params p;
	uint32_t hdr_lines = 0;
	size_t hdr = ps_casefile_header(text, len, &hdr_lines);
	const char *val;
	size_t vlen;

	FUZZ_ASSERT(hdr <= len);
	vlen = ps_casefile_get(text, hdr, "LABEL", &val);
	FUZZ_ASSERT(vlen == 0 || (val >= text && val + vlen <= text + hdr));
	ps_params_defaults(&p);
	if (!catalogue.n) {
		static unsigned char cmem[4 << 20];
		struct ps_arena ca;

		ps_arena_init(&ca, cmem, sizeof cmem);
		FUZZ_ASSERT(ps_catalogue_builtin(&catalogue, &ca, NULL) == PS_OK);
	}
	p.catalogue = &catalogue;
	return ps_analyze(an, &p, NULL, text + hdr, len - hdr, hdr_lines + 1, a, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = (char *)fuzz_copy(data, size);
	struct ps_analysis an;
	struct ps_arena a;
	unsigned char *large, *small;
	size_t small_size;
	int st;

	large = malloc(LARGE_ARENA(size));
	FUZZ_ASSERT(large != NULL);
	ps_arena_init(&a, large, LARGE_ARENA(size));
	st = analyze(text, size, &a, &an);
	FUZZ_ASSERT(st == PS_OK || st == PS_EINPUT);
	if (st == PS_OK)
		check_analysis(&an, &a);
	free(large);

	/* small arena, sized by the input: out of memory is an answer,
	 * never a crash or a write past the end */
	small_size = size ? ((size_t)data[0] << 10 | data[size - 1]) % SMALL_ARENA_MAX : 0;
	small = malloc(small_size ? small_size : 1);
	FUZZ_ASSERT(small != NULL);
	ps_arena_init(&a, small, small_size);
	st = analyze(text, size, &a, &an);
	FUZZ_ASSERT(st == PS_OK || st == PS_EINPUT || st == PS_ENOMEM);
	if (st == PS_ENOMEM)
		FUZZ_ASSERT(a.failed > 0);
	if (st == PS_OK)
		check_analysis(&an, &a);
	free(small);
	free(text);
	return 0;
}
