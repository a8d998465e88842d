/* fuzz_drain: masking and Drain over arbitrary lines, with table
 * capacities the input chooses (down to a single template), so the
 * overflow paths of every fixed-size table run.
 *
 * The first 8 bytes pick the parameters; the rest is split into lines.
 * Invariants: every id is a template or PS_DRAIN_OVERFLOW, matching a
 * line right after learning it never gives a different template than
 * the one it joined unless that one overflowed, templates fit
 * ps_mask_bound, masking stays within its bound, frame symbols lie
 * inside their line, masking with a token memo gives what masking
 * without one gives, whatever the capacity. */
#include "tests/fuzz/fuzz.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/drain.h"
#include "core/mask.h"
#include "core/status.h"

#define ARENA (8u << 20)

static unsigned char *mem;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_drain_params p;
	struct ps_drain *d;
	struct ps_arena a;
	unsigned char *copy;
	const char *s, *end;
	char *masked, *masked2, tbuf[16384];
	struct ps_mask_memo *memo;
	size_t mcap, m2;
	uint32_t lines = 0;
	int st;

	if (size < 8)
		return 0;
	if (!mem) {
		mem = malloc(ARENA);
		FUZZ_ASSERT(mem != NULL);
	}
	ps_drain_defaults(&p);
	p.st = data[0] / 255.0;
	p.depth = 3 + data[1] % 6;
	p.max_children = 1 + data[2] % 8;
	p.max_clusters = 1 + data[3] % 64;
	p.max_nodes = 2 + data[4] % 128;
	p.max_vocab = 2 + data[5] % 256;
	p.max_tokens = 1 + data[6] % 64;
	p.vocab_bytes = (size_t)data[7] * 16;
	p.template_tokens = (size_t)data[7] * 4;
	copy = fuzz_copy(data + 8, size - 8);
	s = (const char *)copy;
	end = s + (size - 8);

	ps_arena_init(&a, mem, ARENA);
	st = ps_drain_init(&d, &a, &p);
	/* the vocabulary must hold at least the wildcard token */
	FUZZ_ASSERT(st == PS_OK || (st == PS_ERANGE && p.vocab_bytes < 3));
	if (st != PS_OK) {
		free(copy);
		return 0;
	}
	mcap = ps_mask_bound(size);
	masked = malloc(mcap);
	masked2 = malloc(mcap);
	memo = calloc(1, sizeof *memo);
	FUZZ_ASSERT(masked != NULL && masked2 != NULL && memo != NULL);

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		size_t m = ps_mask_kernel(s, n, masked, mcap), symlen;
		const char *sym = NULL;
		uint32_t id, again;
		struct ps_buf b;

		FUZZ_ASSERT(m < mcap && masked[m] == '\0');
		/* the token memo changes nothing, with room or cut short */
		{
			size_t cap2 = (size_t)data[8 + lines % (size - 8)] % (mcap + 1);

			FUZZ_ASSERT(ps_mask_line(memo, s, n, masked2, mcap) == m &&
				    memcmp(masked2, masked, m + 1) == 0);
			m2 = ps_mask_kernel(s, n, masked, cap2);
			FUZZ_ASSERT(ps_mask_line(memo, s, n, masked2, cap2) == m2 &&
				    (cap2 == 0 || memcmp(masked2, masked, m2 + 1) == 0));
			m = ps_mask_kernel(s, n, masked, mcap);
		}
		symlen = ps_frame_symbol(s, n, &sym);
		FUZZ_ASSERT(symlen == 0 || (sym >= s && sym + symlen <= s + n));

		id = ps_drain_add(d, masked, m);
		FUZZ_ASSERT(id == PS_DRAIN_OVERFLOW || id < ps_drain_count(d));
		FUZZ_ASSERT(ps_drain_count(d) <= p.max_clusters);
		if (id != PS_DRAIN_OVERFLOW) {
			FUZZ_ASSERT(ps_drain_size(d, id) >= 1);
			ps_buf_init(&b, tbuf, sizeof tbuf);
			ps_drain_template(d, id, &b);
			FUZZ_ASSERT(ps_drain_template_len(d, id) <= p.max_tokens);
		}
		again = ps_drain_match(d, masked, m);
		FUZZ_ASSERT(again == PS_DRAIN_OVERFLOW || again < ps_drain_count(d));
		lines++;
		if (!nl)
			break;
		s = nl + 1;
	}
	/* templates learned elsewhere, as a model seeds them */
	{
		static const char tpl[] = "BUG: unable to handle page fault for address: <*>";
		uint32_t id = ps_drain_add_template(d, tpl, sizeof tpl - 1);
		FUZZ_ASSERT(id == PS_DRAIN_OVERFLOW || id < ps_drain_count(d));
	}
	FUZZ_ASSERT(a.used <= a.size);
	free(masked);
	free(masked2);
	free(memo);
	free(copy);
	(void)lines;
	return 0;
}
