#include "core/taxonomy.h"

#include <string.h>

/* An on-call engineer should not need the table at 03:00: the gloss is
 * printed under the label. */
const struct ps_taxon ps_taxonomy[PS_TAXONOMY_NLABELS] = {
	{ "manual", "an operator forced the crash (sysrq, crash command)" },
	{ "hardware", "the hardware reported a fatal error (machine check, PCIe AER, EDAC)" },
	{ "null-deref", "the kernel dereferenced a NULL or near-NULL pointer" },
	{ "stack-corruption", "a kernel stack overflowed or was overwritten" },
	{ "memory-corruption", "heap or page memory misused: use-after-free, overflow, double free" },
	{ "out-of-memory", "memory ran out or leaked" },
	{ "cpu-lockup", "a CPU stopped making progress (soft or hard lockup, RCU stall)" },
	{ "hung-task", "tasks stayed blocked too long (I/O or lock waits)" },
	{ "locking", "lock or context rules broken (deadlock, sleeping in atomic context)" },
	{ "boot-failure", "the system could not come up or lost init" },
	{ "filesystem", "a filesystem found corruption or an error that forced a panic" },
	{ "driver", "a device or its driver malfunctioned" },
	{ "bad-access", "the kernel accessed invalid (non-NULL) memory" },
	{ "kernel-bug", "a kernel assertion, warning or CPU exception (BUG, WARN, UBSAN)" },
};

int ps_taxonomy_index(const char *s, size_t n)
{
	int i;

	for (i = 0; i < PS_TAXONOMY_NLABELS; i++) {
		const char *l = ps_taxonomy[i].label;
		size_t k = 0;

		while (k < n && l[k] && l[k] == s[k])
			k++;
		if (k == n && !l[k])
			return i;
	}
	return -1;
}
