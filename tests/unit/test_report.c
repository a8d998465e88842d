/* Report writers: the size bound holds for worst-case text (every byte
 * escaped), and a too-small buffer is flagged, never overrun. */
#include "tests/unit/check.h"

#include "core/arena.h"
#include "core/pipeline.h"
#include "core/report.h"
#include "core/status.h"

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
	return check_summary("test_report");
}
