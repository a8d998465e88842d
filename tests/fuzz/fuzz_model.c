/* fuzz_model: the frozen-model loader, and what the capture kernel does
 * with a model that loaded: seed Drain with its templates, analyse a
 * fixed crash log with that Drain, classify it on every numeric path
 * the model has, write the reports.
 *
 * Invariants: ps_model_load either refuses with a reason or gives a
 * model that the classifier can use without reading outside the file
 * or the arena; labels, neighbours and culprits are in range; the
 * reports fit their bound.  Each input is loaded as it is and again
 * with its file-size and checksum fields made to match. */
#include "tests/fuzz/fuzz.h"

#include "core/arena.h"
#include "core/catalogue.h"
#include "core/diagnose.h"
#include "core/buf.h"
#include "core/classify.h"
#include "core/drain.h"
#include "core/pipeline.h"
#include "core/report.h"
#include "core/status.h"
#include "core/model.h"

#define ARENA (16u << 20)

static const char crash_log[] =
	"[  118.402211] audit: type=1400 audit(1700043322.471:27): apparmor=\"STATUS\"\n"
	"[ 2210.331902] nfs: server fileserver01 not responding, still trying\n"
	"[ 3611.034187] BUG: kernel NULL pointer dereference, address: 0000000000000028\n"
	"[ 3611.034633] #PF: supervisor read access in kernel mode\n"
	"[ 3611.034955] #PF: error_code(0x0000) - not-present page\n"
	"[ 3611.035432] Oops: 0000 [#1] PREEMPT SMP PTI\n"
	"[ 3611.035691] CPU: 1 PID: 23817 Comm: kworker/u4:2 Tainted: G OE 6.1.0-13-amd64 #1\n"
	"[ 3611.036511] RIP: 0010:cfs_flush_work+0x3b/0x1a0 [cachefs]\n"
	"[ 3611.040111] Call Trace:\n"
	"[ 3611.040201]  <TASK>\n"
	"[ 3611.040311]  process_one_work+0x1c4/0x380\n"
	"[ 3611.040421]  worker_thread+0x4d/0x380\n"
	"[ 3611.040531]  kthread+0xe9/0x110\n"
	"[ 3611.040641]  ret_from_fork+0x22/0x30\n"
	"[ 3611.040751]  </TASK>\n"
	"[ 3611.050863] Kernel panic - not syncing: Fatal exception\n";

static unsigned char *mem;

static void classify_and_report(const struct ps_model *m, enum ps_numeric num)
{
	struct ps_classify_opts opts = { num, 0 };
	struct ps_params p;
	struct ps_drain_params dp;
	struct ps_drain *d;
	struct ps_analysis an;
	struct ps_arena a;
	struct ps_buf b;
	uint32_t i;
	size_t bound;
	char *rep;
	int st;

	ps_arena_init(&a, mem, ARENA);
	ps_params_defaults(&p);
	{
		/* the model's own catalogue (the built-in one without): a
		 * damaged one is refused with a reason, never a crash */
		struct ps_catalogue *cat = PS_ALLOC(&a, struct ps_catalogue, 1);
		struct ps_cat_error err;

		FUZZ_ASSERT(cat != NULL);
		st = ps_model_catalogue(cat, m, &a, &err);
		FUZZ_ASSERT(st == PS_OK || st == PS_EFORMAT || st == PS_ENOMEM);
		if (st != PS_OK) {
			FUZZ_ASSERT(err.msg != NULL);
			return;
		}
		p.catalogue = cat;
	}
	dp = p.drain;
	dp.max_clusters = 4096;
	dp.max_nodes = 16384;
	dp.max_vocab = 16384;
	dp.vocab_bytes = 1u << 18;
	dp.template_tokens = 1u << 16;
	FUZZ_ASSERT(ps_drain_init(&d, &a, &dp) == PS_OK);
	st = ps_model_seed_drain(m, d);
	FUZZ_ASSERT(st == PS_OK || st == PS_EFULL);
	if (st != PS_OK)
		return;
	st = ps_analyze(&an, &p, d, crash_log, sizeof crash_log - 1, 1, &a, NULL);
	FUZZ_ASSERT(st == PS_OK || st == PS_ENOMEM);
	if (st != PS_OK)
		return;
	st = ps_classify_ex(m, &an, &a, &opts);
	FUZZ_ASSERT(st == PS_OK || st == PS_ENOMEM || st == PS_ERANGE);
	if (st != PS_OK)
		return;
	FUZZ_ASSERT(an.labelled && an.label < m->p.nlabels && an.nlabels == m->p.nlabels);
	FUZZ_ASSERT(an.nranking <= m->p.nlabels);
	for (i = 0; i < an.nranking; i++)
		FUZZ_ASSERT(an.ranking[i].label < m->p.nlabels);
	FUZZ_ASSERT(an.nneighbors <= m->p.ncases);
	for (i = 0; i < an.nneighbors; i++)
		FUZZ_ASSERT(an.neighbors[i].case_index < m->p.ncases &&
			    an.neighbors[i].label < m->p.nlabels);
	for (i = 0; i < an.nculprits; i++)
		FUZZ_ASSERT(an.culprits[i].line < an.nlines);
	bound = ps_report_bound(&an);
	rep = malloc(bound);
	FUZZ_ASSERT(rep != NULL);
	ps_buf_init(&b, rep, bound);
	ps_report_json(&an, &b);
	FUZZ_ASSERT(!b.overflow);
	ps_buf_init(&b, rep, bound);
	ps_report_console(&an, &b);
	FUZZ_ASSERT(!b.overflow);
	free(rep);
}

static void load_and_use(unsigned char *img, size_t size)
{
	struct ps_model m;
	char err[256];
	uint32_t i;
	int rc;

	err[0] = '\0';
	rc = ps_model_load(&m, img, size, err, sizeof err);
	if (rc != PS_OK) {
		FUZZ_ASSERT(rc == PS_EMODEL && err[0] != '\0' && memchr(err, '\0', sizeof err));
		return;
	}
	FUZZ_ASSERT(m.p.nlabels >= 1 && m.p.nlabels <= PS_MODEL_MAX_LABELS);
	FUZZ_ASSERT(m.p.nlayers >= 1 && m.p.nlayers <= PS_MODEL_MAX_LAYERS);
	for (i = 0; i < m.templates.count; i++) {
		struct ps_str s = ps_strtab_get(&m.templates, i);
		FUZZ_ASSERT(s.n == 0 || ((const unsigned char *)s.p >= img &&
					 (const unsigned char *)s.p + s.n <= img + size));
	}
	if (m.flags & PS_MODEL_F_F32)
		classify_and_report(&m, PS_NUM_F32);
	if (m.flags & PS_MODEL_F_INT8)
		classify_and_report(&m, PS_NUM_INT8);
}

static void put_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *img = fuzz_copy(data, size);

	if (!mem) {
		mem = malloc(ARENA);
		FUZZ_ASSERT(mem != NULL);
	}
	/* the bytes as they are: the checks of size and checksum */
	load_and_use(img, size);
	/* and with the file size and checksum made to match, so mutations
	 * reach the section table, the sections and the classifier */
	if (size >= PS_MODEL_HEADER) {
		put_le64(img + 16, size);
		put_le64(img + 32, ps_model_checksum(img, size));
		load_and_use(img, size);
	}
	free(img);
	return 0;
}
