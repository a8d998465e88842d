/* Writes the binary seed inputs of the fuzz targets into
 * tests/fuzz/corpus/<target>/ (run by `make fuzz-seeds`; the results
 * are committed, so the fuzz runs need nothing generated):
 *   fuzz_model  small random models (float, int8, both; 1-3 layers),
 *               written by the real model writer (tests/unit/randmodel.h)
 *   fuzz_frame  CASE, ACK and ERROR frames from the real encoders, and
 *               a CASE cut short
 * The text seeds (fuzz_log, fuzz_drain) are plain files in the corpus. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/frame.h"
#include "core/model.h"
#include "tests/unit/randmodel.h"

static const char *outdir;

static void put(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static struct ps_span span(const char *s)
{
	struct ps_span sp = { s, (uint32_t)strlen(s) };
	return sp;
}

static void models(void)
{
	static const struct {
		const char *name;
		uint32_t nbuckets, nlayers, dims[4], ncases, nlabels, k, flags;
	} v[] = {
		{ "f32-1layer.psm", 16, 1, { 8, 4 }, 6, 3, 3, PS_MODEL_F_F32 },
		{ "int8-2layer.psm", 32, 2, { 8, 8, 4 }, 10, 4, 4, PS_MODEL_F_INT8 },
		{ "both-3layer.psm", 16, 3, { 4, 4, 4, 4 }, 5, 2, 2, PS_MODEL_F_F32 | PS_MODEL_F_INT8 },
		{ "both-2layer.psm", 64, 2, { 16, 8, 8 }, 12, 5, 5, PS_MODEL_F_F32 | PS_MODEL_F_INT8 },
		{ "int8-catalogue.psm", 32, 2, { 8, 8, 4 }, 10, 4, 4,
		  PS_MODEL_F_INT8 | PS_MODEL_F_CATALOGUE },
		{ "calib-2layer.psm", 32, 2, { 8, 8, 4 }, 10, 4, 4,
		  PS_MODEL_F_F32 | PS_MODEL_F_INT8 | PS_MODEL_F_CALIB },
		{ "backoff-catalogue.psm", 32, 2, { 8, 8, 4 }, 10, 4, 4,
		  PS_MODEL_F_INT8 | PS_MODEL_F_CATALOGUE | PS_MODEL_F_BACKOFF },
	};
	/* a model's own catalogue (a CATALOGUE section): two entries */
	static const char cat[] =
		"# panicsage catalogue v1\n"
		"null.x\tnull-deref\theader\tno\tany\tx86\t6.1\t1<4096:null-deref\tf.c:1\t"
		"BUG: kernel NULL pointer dereference, address: %px\n"
		"kb.panic\tkernel-bug\tevidence\tno\tany\tany\t6.1\t-\tf.c:2\t"
		"Kernel panic - not syncing: Fatal exception\n";
	size_t i, len;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct ps_model m;
		unsigned char *img;

		rand_model(&m, v[i].nbuckets, v[i].nlayers, v[i].dims, v[i].ncases, v[i].nlabels,
			   v[i].k, 0.1f, v[i].flags);
		if (v[i].flags & PS_MODEL_F_CATALOGUE) {
			m.catalogue.p = cat;
			m.catalogue.n = sizeof cat - 1;
		}
		m.temperature = 1.5f;          /* written only with PS_MODEL_F_CALIB */
		m.uncertain_below = 0.6f;
		m.backoff = ps_backoff_default;  /* written only with PS_MODEL_F_BACKOFF */
		img = rand_model_image(&m, &len);
		put("fuzz_model", v[i].name, img, len);
		free(img);
	}
}

static void frames(void)
{
	static uint8_t out[PS_FRAME_MAX];
	static const char report[] =
		"{\"label\":\"null-deref\",\"confidence\":0.97,\"ranking\":[],\"segment\":"
		"[{\"line\":25,\"ts\":3611.034187,\"text\":\"BUG: kernel NULL pointer dereference\"}],"
		"\"culprits\":[],\"neighbors\":[],\"timing_us\":{}}";
	struct ps_case_meta m;
	struct ps_ack a;
	size_t len;
	uint8_t id[PS_FRAME_ID_LEN];

	memset(&m, 0, sizeof m);
	memset(id, 0xab, sizeof id);
	m.capture_us = 1700000000000000ull;
	m.confidence_ppm = 970000;
	m.release = span("6.1.0-13-amd64");
	m.machine = span("3f2a9c1e7d414c559a0b2f1e6c8d9b10");
	m.label = span("null-deref");
	m.report = span(report);
	if (ps_case_encode(out, sizeof out, &m, &len) != PS_FRAME_OK)
		exit(1);
	ps_case_set_id(out, len, id);
	put("fuzz_frame", "case", out, len);
	put("fuzz_frame", "case-cut", out, len / 2);
	m.label = span("");
	m.report = span("{}");
	if (ps_case_encode(out, sizeof out, &m, &len) != PS_FRAME_OK)
		exit(1);
	put("fuzz_frame", "case-unlabelled", out, len);
	m.label = span("null-deref");
	m.report = span(report);
	if (ps_case_encode(out, sizeof out, &m, &len) != PS_FRAME_OK ||
	    ps_case_set_version(out, len, 2) != PS_FRAME_OK)
		exit(1);
	put("fuzz_frame", "case-v2", out, len);
	memset(&a, 0, sizeof a);
	a.version = 1;
	memcpy(a.id, id, sizeof id);
	a.duplicate = 1;
	if (ps_ack_encode(out, sizeof out, &a, &len) != PS_FRAME_OK)
		exit(1);
	put("fuzz_frame", "ack", out, len);
	a.version = 2;
	a.duplicate = 0;
	a.bucket = span("9c1e2a907d41f3b2");
	a.bucket_cases = 14;
	a.bucket_machines = 9;
	if (ps_ack_encode(out, sizeof out, &a, &len) != PS_FRAME_OK)
		exit(1);
	put("fuzz_frame", "ack-v2-unknown", out, len);
	a.cause = span("psdev 1.1 dereferences a NULL queue on reset");
	a.advice = span("update psdev to 1.2 or set psdev.reset=0");
	a.url = span("https://wiki.example.org/kb/psdev-reset");
	if (ps_ack_encode(out, sizeof out, &a, &len) != PS_FRAME_OK)
		exit(1);
	put("fuzz_frame", "ack-v2-known", out, len);
	if (ps_error_encode(out, sizeof out, PS_FRAME_ERR_RETRY, "database is locked", &len) != PS_FRAME_OK)
		exit(1);
	put("fuzz_frame", "error", out, len);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds CORPUS_DIR\n");
		return 2;
	}
	outdir = argv[1];
	models();
	frames();
	return 0;
}
