/* core/catalogue.c: the bytes before the first NUL are parsed as a
 * catalogue; the rest is matched line by line against it (or against a
 * small fixed catalogue when the first part does not parse). */
#include "tests/fuzz/fuzz.h"

#include "core/arena.h"
#include "core/catalogue.h"

static unsigned char arena_buf[4 << 20];

static const char fixed[] = "# panicsage catalogue v1\n"
	"a\tbad-access\theader\tno\tany\tany\t6.1\t2<4096:null-deref\ts.c:1\tUnable to handle kernel %s at virtual address %016lx\n"
	"b\tkernel-bug\theader\tno\tany\tany\t6.1\t-\ts.c:2\tKernel panic - not syncing: %s\n"
	"c\tkernel-bug\tevidence\tno\tstart\tany\t6.1\t-\ts.c:3\tRIP: %04x:%pS\n"
	"d\tmemory-corruption\theader\tno\tany\tany\t6.1\t-\ts.c:4\tBUG: KASAN: %s in %pS\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *in = fuzz_copy(data, size);
	struct ps_arena a;
	struct ps_catalogue cat;
	struct ps_cat_error err;
	struct ps_cat_match m;
	size_t cut = 0, i;

	while (cut < size && in[cut])
		cut++;
	ps_arena_init(&a, arena_buf, sizeof arena_buf);
	if (ps_catalogue_parse(&cat, (const char *)in, cut, &a, &err) != 0) {
		FUZZ_ASSERT(err.msg != NULL);
		FUZZ_ASSERT(a.used == 0);
		ps_arena_init(&a, arena_buf, sizeof arena_buf);
		FUZZ_ASSERT(ps_catalogue_parse(&cat, fixed, sizeof fixed - 1, &a, &err) == 0);
	}
	for (i = cut + 1; i < size;) {
		size_t j = i;

		while (j < size && in[j] != '\n')
			j++;
		if (ps_catalogue_match(&cat, (const char *)in + i, j - i, &m)) {
			FUZZ_ASSERT(m.entry >= cat.entry && m.entry < cat.entry + cat.n);
			FUZZ_ASSERT(m.label < PS_CAT_NLABELS);
			FUZZ_ASSERT(m.end <= j - i && m.start <= m.end);
			FUZZ_ASSERT(ps_cat_entry_match(&cat, m.entry, (const char *)in + i, j - i, NULL));
		}
		i = j + 1;
	}
	free(in);
	return 0;
}
