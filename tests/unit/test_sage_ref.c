/* The float forward pass (h0 projection, top-k, GraphSAGE layers,
 * softmax) against an independent numpy implementation that parses the
 * model file on its own (tests/unit/sage_ref.py), to 1e-5.  Skips (77)
 * when /usr/bin/python3 has no numpy. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/arena.h"
#include "core/features.h"
#include "core/sage.h"
#include "randmodel.h"

#define NQUERY 40

static void run_model(FILE *f, const struct ps_model *m, const char *path)
{
	static unsigned char mem[1 << 20];
	struct ps_arena a;
	uint32_t q, i, nnz;

	fprintf(f, "model %s\n", path);
	for (q = 0; q < NQUERY; q++) {
		uint32_t idx[64];
		float val[64];
		struct ps_sparse x = { idx, val, 0 };
		struct ps_sage_result r;
		float h0[PS_MODEL_MAX_DIM];

		ps_arena_init(&a, mem, sizeof mem);
		nnz = 1 + rm_u32() % 40;
		for (i = 0; i < nnz; i++) {
			uint32_t b = rm_u32() % m->p.nbuckets, j;

			for (j = 0; j < x.n && idx[j] != b; j++)
				;
			if (j == x.n) {
				idx[x.n] = b;
				val[x.n++] = (float)(1 + rm_u32() % 5) * 0.5f;
			}
		}
		fprintf(f, "query %u", x.n);
		for (i = 0; i < x.n; i++)
			fprintf(f, " %u %.9g", idx[i], (double)val[i]);
		fputc('\n', f);
		ps_features_weight(&x, m->idf);
		ps_embed_f32(&m->proj, &x, h0);
		CHECK(ps_sage_forward(m, h0, PS_NUM_F32, &a, &r) == 0);
		fprintf(f, "h0");
		for (i = 0; i < m->p.dim; i++)
			fprintf(f, " %.9g", (double)h0[i]);
		fprintf(f, "\nnbr %u %u", r.nnbr, r.nagg);
		for (i = 0; i < r.nnbr; i++)
			fprintf(f, " %u %.9g", r.nbr[i], (double)r.nbr_sim[i]);
		fprintf(f, "\nh");
		for (i = 0; i < m->p.dims[m->p.nlayers]; i++)
			fprintf(f, " %.9g", (double)r.h[i]);
		fprintf(f, "\nprobs");
		for (i = 0; i < m->p.nlabels; i++)
			fprintf(f, " %.9g", (double)r.probs[i]);
		fputc('\n', f);
	}
}

int main(void)
{
	static const uint32_t dims2[] = { 32, 24, 16 };
	static const uint32_t dims3[] = { 48, 40, 40, 20 };
	static const uint32_t dims1[] = { 16, 8 };
	char dir[] = "/tmp/ps_sage_ref.XXXXXX", path[256], cmd[1024];
	struct ps_model m, loaded;
	unsigned char *img;
	size_t len;
	FILE *f;
	int rc, t;
	char err[256];

	if (system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
		printf("skip: /usr/bin/python3 with numpy (python3-numpy) not available\n");
		return 77;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/cases.txt", dir);
	f = fopen(path, "w");
	for (t = 0; t < 4; t++) {
		char mpath[256];
		const uint32_t *dims = t == 0 ? dims2 : t == 1 ? dims3 : dims1;
		uint32_t nl = t == 0 ? 2 : t == 1 ? 3 : 1;
		float tau = t == 2 ? 0.99f : t == 3 ? -1.0f : 0.05f;

		rand_model(&m, t == 1 ? 1024 : 256, nl, dims, t == 3 ? 5 : 60, t == 1 ? 8 : 5,
			   t == 3 ? 12 : 7, tau, PS_MODEL_F_F32 | PS_MODEL_F_INT8);
		img = rand_model_image(&m, &len);
		rc = ps_model_load(&loaded, img, len, err, sizeof err);
		if (rc)
			fprintf(stderr, "load: %s\n", err);
		CHECK(rc == 0);
		snprintf(mpath, sizeof mpath, "%s/m%d.psm", dir, t);
		{
			FILE *mf = fopen(mpath, "wb");
			fwrite(img, 1, len, mf);
			fclose(mf);
		}
		if (rc == 0)
			run_model(f, &loaded, mpath);
		free(img);
	}
	fclose(f);
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/sage_ref.py %s", path);
	rc = system(cmd);
	CHECK(rc == 0);
	if (rc == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		(void)system(cmd);
	} else {
		fprintf(stderr, "inputs kept in %s\n", dir);
	}
	return check_summary("test_sage_ref");
}
