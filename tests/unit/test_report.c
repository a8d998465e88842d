/* Report writers: the size bound holds for worst-case text (every byte
 * escaped), and a too-small buffer is flagged, never overrun. */
#include "tests/unit/check.h"

#include "core/arena.h"
#include "core/pipeline.h"
#include "core/report.h"
#include "core/status.h"
#include "core/default_model.h"
#include "core/model.h"

#include <string.h>

static unsigned char mem[32 << 20];
static char text[1 << 20];
static char out[4 << 20];

int main(void)
{
	struct ps_params p;
	struct ps_analysis an;
	struct ps_arena a;
	struct ps_buf b;
	size_t len = 0, bound;
	int i, j;

	/* 80 long lines of control bytes (six bytes each in JSON) around a
	 * header, so the segment is at its cap of long lines */
	for (i = 0; i < 80; i++) {
		if (i == 40)
			len += (size_t)sprintf(text + len, "BUG: kernel NULL pointer dereference ");
		for (j = 0; j < 3000; j++)
			text[len++] = (char)(1 + (i + j) % 8);
		text[len++] = '\n';
	}
	ps_params_defaults(&p);
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_analyze(&an, &p, NULL, text, len, 1, &a, NULL), PS_OK);
	CHECK_EQ_INT(an.nsegment, 64);
	bound = ps_report_bound(&an);
	CHECK(bound < sizeof out);

	ps_buf_init(&b, out, bound);
	ps_report_json(&an, &b);
	CHECK(!b.overflow);
	CHECK(b.len > 64 * 3000 * 6);
	CHECK(out[0] == '{' && out[b.len - 2] == '}' && out[b.len - 1] == '\n');

	ps_buf_init(&b, out, bound);
	ps_report_console(&an, &b);
	CHECK(!b.overflow);
	CHECK(b.len > 64 * 3000 * 4);
	CHECK(memcmp(out, "panicsage: unlabelled - 64 lines", 32) == 0);

	/* too small: flagged, NUL-terminated, nothing written past it */
	memset(out, 'Z', sizeof out);
	ps_buf_init(&b, out, 100);
	ps_report_json(&an, &b);
	CHECK(b.overflow);
	CHECK_EQ_INT(b.len, 99);
	CHECK(out[99] == '\0' && out[100] == 'Z');
	/* the label's meaning under the label, for model/TAXONOMY.md's labels only */
	{
		static const struct ps_str names[2] = { { "null-deref", 10 }, { "custom-label", 12 } };
		static struct ps_model m;
		const unsigned char *img;
		size_t n;
		char err[200], want[200];
		const char *nl;
		uint32_t k;

		CHECK(ps_report_gloss(names[1]) == NULL);
		CHECK(ps_report_gloss((struct ps_str){ "null", 4 }) == NULL);
		CHECK(ps_report_gloss((struct ps_str){ "null-deref-x", 12 }) == NULL);
		an.labelled = 1;
		an.label_names = names;
		an.nlabels = 2;
		an.nranking = 0;
		an.nneighbors = 0;
		an.label = 0;
		ps_buf_init(&b, out, ps_report_bound(&an));
		ps_report_console(&an, &b);
		nl = strchr(out, '\n');
		snprintf(want, sizeof want, "panicsage: null-deref: %s\n", ps_report_gloss(names[0]));
		CHECK(nl && strncmp(nl + 1, want, strlen(want)) == 0);
		an.label = 1;
		ps_buf_init(&b, out, ps_report_bound(&an));
		ps_report_console(&an, &b);
		nl = strchr(out, '\n');
		CHECK(nl && strncmp(nl + 1, "panicsage: custom-label:", 24) != 0);
		/* uncertain: the second line names the two best labels; JSON says so */
		{
			struct ps_ranked_label rk[2] = { { 0, 0.45f }, { 1, 0.31f } };
			static const char line2[] = "panicsage: uncertain: null-deref (0.45) or custom-label (0.31)\n";

			an.label = 0;
			an.confidence = 0.45f;
			an.ranking = rk;
			an.nranking = 2;
			an.uncertain = 1;
			ps_buf_init(&b, out, ps_report_bound(&an));
			ps_report_console(&an, &b);
			nl = strchr(out, '\n');
			CHECK(nl && strncmp(nl + 1, line2, strlen(line2)) == 0);
			ps_buf_init(&b, out, ps_report_bound(&an));
			ps_report_json(&an, &b);
			CHECK(strstr(out, "\"confidence\":0.4500,\"uncertain\":true,") != NULL);
			an.uncertain = 0;
			ps_buf_init(&b, out, ps_report_bound(&an));
			ps_report_console(&an, &b);
			CHECK(strstr(out, "uncertain") == NULL);
			ps_buf_init(&b, out, ps_report_bound(&an));
			ps_report_json(&an, &b);
			CHECK(strstr(out, "\"uncertain\":false,") != NULL);
			an.nranking = 0;
			an.ranking = NULL;
		}
		/* every label of the shipped model has one, short enough for a console */
		if ((img = ps_default_model(&n)) != NULL) {
			CHECK_EQ_INT(ps_model_load(&m, img, n, err, sizeof err), PS_OK);
			CHECK_EQ_INT(m.p.nlabels, 14);
			for (k = 0; k < m.p.nlabels; k++) {
				const char *g = ps_report_gloss(m.labels[k]);

				CHECK(g != NULL);
				CHECK(g && strlen("panicsage: ") + m.labels[k].n + 2 + strlen(g) <= 100);
			}
		}
	}
	return check_summary("test_report");
}
