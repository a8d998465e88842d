#include "core/oops.h"

#include <string.h>

#include "core/mask.h"

#define P(t, k, h) { t, 0, PS_OOPS_##k, h }
#define A(t, k, h) { t, 1, PS_OOPS_##k, h }

/* Order matters: the first match wins, so specific patterns come
 * before the general ones they share a prefix with. */
static const struct ps_oops_pattern patterns[] = {
	A("Kernel panic - not syncing: sysrq triggered crash", PANIC, "manual"),
	A("Kernel panic - not syncing: Fatal machine check", PANIC, "hardware"),
	A("Kernel panic - not syncing: Fatal local machine check", PANIC, "hardware"),
	A("Kernel panic - not syncing: Machine check", PANIC, "hardware"),
	A("Kernel panic - not syncing: Out of memory", PANIC, "out-of-memory"),
	A("Kernel panic - not syncing: System is deadlocked on memory", PANIC, "out-of-memory"),
	A("Kernel panic - not syncing: hung_task", PANIC, "hung-task"),
	A("Kernel panic - not syncing: softlockup", PANIC, "cpu-lockup"),
	A("Kernel panic - not syncing: Hard LOCKUP", PANIC, "cpu-lockup"),
	A("Kernel panic - not syncing: Attempted to kill init", PANIC, "boot-failure"),
	A("Kernel panic - not syncing: VFS: Unable to mount root", PANIC, "boot-failure"),
	A("Kernel panic - not syncing: No working init", PANIC, "boot-failure"),
	A("Kernel panic - not syncing: stack-protector", PANIC, "stack-corruption"),
	A("Kernel panic - not syncing: corrupted stack end", PANIC, "stack-corruption"),
	A("Kernel panic - not syncing: EXT4-fs", PANIC, "filesystem"),
	A("Kernel panic - not syncing", PANIC, "kernel-bug"),

	P("BUG: KASAN: null-ptr-deref", PRIMARY, "null-deref"),
	P("BUG: KASAN: ", PRIMARY, "memory-corruption"),
	P("BUG: KFENCE: ", PRIMARY, "memory-corruption"),
	P("BUG: KMSAN: ", PRIMARY, "memory-corruption"),
	P("BUG: KCSAN: ", PRIMARY, "kernel-bug"),
	P("BUG: kernel NULL pointer dereference", PRIMARY, "null-deref"),
	P("BUG: unable to handle kernel NULL pointer dereference", PRIMARY, "null-deref"),
	P("BUG: unable to handle ", PRIMARY, "bad-access"),
	P("BUG: soft lockup", PRIMARY, "cpu-lockup"),
	P("BUG: workqueue lockup", PRIMARY, "cpu-lockup"),
	P("BUG: sleeping function called from invalid context", PRIMARY, "locking"),
	P("BUG: scheduling while atomic", PRIMARY, "locking"),
	P("BUG: spinlock ", PRIMARY, "locking"),
	P("BUG: rwlock ", PRIMARY, "locking"),
	P("BUG: bad unlock balance", PRIMARY, "locking"),
	P("BUG: held lock freed", PRIMARY, "locking"),
	P("BUG: workqueue leaked lock", PRIMARY, "locking"),
	P("BUG: using smp_processor_id() in preemptible", PRIMARY, "locking"),
	P("BUG: using __this_cpu_", PRIMARY, "locking"),
	P("BUG: looking up invalid subclass", PRIMARY, "locking"),
	P("BUG: TASK stack guard page was hit", PRIMARY, "stack-corruption"),
	P("BUG: IRQ stack guard page was hit", PRIMARY, "stack-corruption"),
	P("BUG: stack guard page was hit", PRIMARY, "stack-corruption"),
	P("BUG: memory leak", PRIMARY, "out-of-memory"),
	P("BUG: Bad page ", PRIMARY, "memory-corruption"),
	P("BUG: Bad rss-counter", PRIMARY, "memory-corruption"),
	P("BUG: bad usercopy", PRIMARY, "memory-corruption"),
	P("BUG: corrupted list", PRIMARY, "memory-corruption"),
	P("BUG: ", PRIMARY, "kernel-bug"),
	P("BUG ", PRIMARY, "memory-corruption"),          /* slub: "BUG kmalloc-64 (...): ..." */
	P("kernel BUG at ", PRIMARY, "kernel-bug"),
	P("------------[ cut here ]", FOLLOWUP, "kernel-bug"),

	P("WARNING: possible circular locking dependency", PRIMARY, "locking"),
	P("WARNING: possible recursive locking", PRIMARY, "locking"),
	P("WARNING: inconsistent lock state", PRIMARY, "locking"),
	P("WARNING: suspicious RCU usage", PRIMARY, "locking"),
	P("WARNING: bad unlock balance", PRIMARY, "locking"),
	P("WARNING: held lock freed", PRIMARY, "locking"),
	P("WARNING: lock held when returning to user space", PRIMARY, "locking"),
	P("WARNING: possible irq lock inversion", PRIMARY, "locking"),
	P("WARNING: nested lock was not taken", PRIMARY, "locking"),
	P("WARNING: still has locks held", PRIMARY, "locking"),
	P("WARNING: HARDIRQ-", PRIMARY, "locking"),
	P("WARNING: SOFTIRQ-", PRIMARY, "locking"),
	P("WARNING: ", PRIMARY, "kernel-bug"),

	P("INFO: task ", PRIMARY, "hung-task"),
	P("INFO: rcu", PRIMARY, "cpu-lockup"),
	P("rcu: INFO: rcu", PRIMARY, "cpu-lockup"),
	P("INFO: possible circular locking", PRIMARY, "locking"),
	P("INFO: possible recursive locking", PRIMARY, "locking"),
	P("INFO: inconsistent lock state", PRIMARY, "locking"),
	P("INFO: trying to register non-static key", PRIMARY, "locking"),
	P("INFO: suspicious RCU usage", PRIMARY, "locking"),
	P("INFO: possible irq lock inversion", PRIMARY, "locking"),
	P("INFO: Allocated in ", PRIMARY, "memory-corruption"),
	P("INFO: Freed in ", PRIMARY, "memory-corruption"),

	A("general protection fault", PRIMARY, "bad-access"),
	P("stack segment: ", PRIMARY, "bad-access"),
	P("Unable to handle kernel NULL pointer dereference", PRIMARY, "null-deref"),
	P("Unable to handle kernel ", PRIMARY, "bad-access"),
	P("unable to handle kernel NULL pointer dereference", PRIMARY, "null-deref"),
	P("unable to handle kernel ", PRIMARY, "bad-access"),
	P("Internal error: ", PRIMARY, "bad-access"),
	P("divide error: ", PRIMARY, "kernel-bug"),
	P("PANIC: double fault", PRIMARY, "stack-corruption"),
	P("double fault: ", PRIMARY, "stack-corruption"),
	P("kernel stack overflow", PRIMARY, "stack-corruption"),
	P("UBSAN: ", PRIMARY, "kernel-bug"),
	P("KASAN: null-ptr-deref", FOLLOWUP, "null-deref"),
	P("KASAN: ", FOLLOWUP, "memory-corruption"),
	P("Oops: ", FOLLOWUP, "bad-access"),
	P("invalid opcode: ", FOLLOWUP, "kernel-bug"),
	P("kernel tried to execute NX-protected page", FOLLOWUP, "bad-access"),

	P("list_add corruption", PRIMARY, "memory-corruption"),
	P("list_del corruption", PRIMARY, "memory-corruption"),
	P("refcount_t: ", PRIMARY, "memory-corruption"),
	P("usercopy: ", PRIMARY, "memory-corruption"),
	P("Bad or missing usercopy whitelist", PRIMARY, "memory-corruption"),
	P("VFS: Close: file count is", PRIMARY, "memory-corruption"),
	P("Bad page state", PRIMARY, "memory-corruption"),
	P("ODEBUG: ", PRIMARY, "kernel-bug"),
	P("DEBUG_LOCKS_WARN_ON", PRIMARY, "locking"),

	A("invoked oom-killer", PRIMARY, "out-of-memory"),
	A("page allocation failure", PRIMARY, "out-of-memory"),
	P("Out of memory", FOLLOWUP, "out-of-memory"),
	P("Memory cgroup out of memory", FOLLOWUP, "out-of-memory"),
	P("unreferenced object ", PRIMARY, "out-of-memory"),

	A("Watchdog detected hard LOCKUP", PRIMARY, "cpu-lockup"),
	A("BUG: soft lockup", PRIMARY, "cpu-lockup"),
	A("self-detected stall on CPU", PRIMARY, "cpu-lockup"),
	A("detected stall on CPU", PRIMARY, "cpu-lockup"),
	A("workqueue lockup", PRIMARY, "cpu-lockup"),

	A("sysrq: Trigger a crash", PRIMARY, "manual"),
	A("SysRq : Trigger a crash", PRIMARY, "manual"),

	A("[Hardware Error]", PRIMARY, "hardware"),
	A("Machine Check Exception", PRIMARY, "hardware"),
	A("Machine check", PRIMARY, "hardware"),
	A("NMI: PCI system error", PRIMARY, "hardware"),
	A("AER: Uncorrected (Fatal)", PRIMARY, "hardware"),
	A("Uhhuh. NMI received", PRIMARY, "hardware"),

	A("EXT4-fs error", WEAK, "filesystem"),
	A("panic forced after error", FOLLOWUP, "filesystem"),
	A("Corruption detected", WEAK, "filesystem"),
	A("BTRFS critical", WEAK, "filesystem"),
	A("Aborting journal", FOLLOWUP, "filesystem"),

	A("NETDEV WATCHDOG", PRIMARY, "driver"),
	A("controller is down", WEAK, "driver"),
	A("firmware crashed", WEAK, "driver"),
	A("I/O error, dev ", WEAK, "driver"),
	A("blk_update_request: I/O error", WEAK, "driver"),

	A("VFS: Unable to mount root fs", PRIMARY, "boot-failure"),
	A("No working init found", PRIMARY, "boot-failure"),
	A("Attempted to kill init", PRIMARY, "boot-failure"),
};

#undef P
#undef A

static int starts(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++)
		if (i >= n || s[i] != p[i])
			return 0;
	return 1;
}

#define NPATTERNS (sizeof patterns / sizeof patterns[0])

static unsigned pair(const char *p)
{
	return (unsigned)(unsigned char)p[0] << 8 | (unsigned char)p[1];
}

/* A 16-bit hash of three bytes. */
static unsigned triple(const char *p)
{
	uint32_t t = (uint32_t)(unsigned char)p[0] << 16 | (uint32_t)(unsigned char)p[1] << 8 |
		     (unsigned char)p[2];

	return (unsigned)((t * 0x9e3779b1u) >> 16);
}

void ps_oops_matcher_init(struct ps_oops_matcher *m)
{
	uint16_t tail_p[256], tail_a[256];
	size_t i;

	_Static_assert(NPATTERNS < 256, "pattern ids must fit the chains");
	memset(m->prefix_pairs, 0, sizeof m->prefix_pairs);
	memset(m->pairs, 0, sizeof m->pairs);
	memset(m->inner, 0, sizeof m->inner);
	m->shortest = UINT32_MAX;
	for (i = 0; i < NPATTERNS; i++) {
		uint32_t len = 0;

		while (patterns[i].anywhere && patterns[i].text[len])
			len++;
		if (patterns[i].anywhere && len < m->shortest)
			m->shortest = len < 3 ? 3 : len;
	}
	for (i = 0; i < 256; i++)
		m->prefix_head[i] = m->anywhere_head[i] = tail_p[i] = tail_a[i] = PS_OOPS_END;
	for (i = 0; i < NPATTERNS; i++) {
		unsigned c = (unsigned char)patterns[i].text[0];
		uint16_t *head = patterns[i].anywhere ? m->anywhere_head : m->prefix_head;
		uint16_t *tail = patterns[i].anywhere ? tail_a : tail_p;

		if (patterns[i].anywhere) {
			unsigned k = pair(patterns[i].text);
			size_t j;

			m->pairs[k >> 6] |= (uint64_t)1 << (k & 63);
			for (j = 0; j + 2 < m->shortest; j++) {
				k = triple(patterns[i].text + j);
				m->inner[k >> 6] |= (uint64_t)1 << (k & 63);
			}
		}
		if (!patterns[i].anywhere) {
			unsigned k = pair(patterns[i].text);
			m->prefix_pairs[k >> 6] |= (uint64_t)1 << (k & 63);
		}
		m->next[i] = PS_OOPS_END;
		if (tail[c] == PS_OOPS_END)
			head[c] = (uint16_t)i;
		else
			m->next[tail[c]] = (uint16_t)i;
		tail[c] = (uint16_t)i;
	}
}

uint16_t ps_oops_match(const struct ps_oops_matcher *m, const char *s, size_t n)
{
	size_t pos, best = NPATTERNS;
	uint16_t i;

	while (n && ps_is_space((unsigned char)*s))
		s++, n--;
	/* old lockdep banners: "[ INFO: possible recursive locking detected ]" */
	if (n > 3 && s[0] == '[' && s[1] == ' ' && s[2] >= 'A' && s[2] <= 'Z')
		s += 2, n -= 2;
	if (starts(s, n, "watchdog: "))
		s += 10, n -= 10;
	else if (starts(s, n, "NMI watchdog: "))
		s += 14, n -= 14;
	if (n == 0)
		return 0;
	/* prefix patterns: only when the first two bytes start one (every
	 * pattern has at least two) */
	if (n >= 2 && m->prefix_pairs[pair(s) >> 6] >> (pair(s) & 63) & 1) {
		for (i = m->prefix_head[(unsigned char)s[0]]; i != PS_OOPS_END; i = m->next[i]) {
			if (starts(s, n, patterns[i].text)) {
				best = i;
				break;
			}
		}
	}
	/* Anywhere-patterns: only where the byte pair can start one, and
	 * only those earlier in the table than the best match so far.
	 * An occurrence starting at pos is at least `shortest` bytes long,
	 * so the three bytes at p = pos + shortest - 3 are one of the
	 * triples in the first `shortest` bytes of a pattern, whose hashes
	 * m->inner marks.  When their hash is not marked, no occurrence
	 * starts anywhere in pos..p (each would hold those bytes within its
	 * first `shortest`), and the scan goes on at p + 1: Horspool's skip,
	 * on byte triples.  (Two triples with one hash only mean a skip
	 * missed, never a match.) */
	for (pos = 0; pos + m->shortest <= n; pos++) {
		size_t p = pos + m->shortest - 3;
		unsigned k = triple(s + p);

		if (!(m->inner[k >> 6] >> (k & 63) & 1)) {
			pos = p;
			continue;
		}
		k = pair(s + pos);
		if (!(m->pairs[k >> 6] >> (k & 63) & 1))
			continue;
		for (i = m->anywhere_head[(unsigned char)s[pos]]; i != PS_OOPS_END && i < best;
		     i = m->next[i]) {
			if (starts(s + pos, n - pos, patterns[i].text)) {
				best = i;
				break;
			}
		}
	}
	return best < NPATTERNS ? (uint16_t)(best + 1) : 0;
}

const struct ps_oops_pattern *ps_oops_pattern(uint16_t id)
{
	if (id == 0 || id > NPATTERNS)
		return NULL;
	return &patterns[id - 1];
}

uint16_t ps_oops_count(void)
{
	return (uint16_t)NPATTERNS;
}

int ps_is_trace_marker(const char *s, size_t n)
{
	while (n && ps_is_space((unsigned char)*s))
		s++, n--;
	/* every marker starts with one of these */
	if (!n || (*s != 'C' && *s != '<' && *s != 'S' && *s != 'B' && *s != 'A' && *s != 'F' &&
		   *s != 'L'))
		return 0;
	return starts(s, n, "Call Trace:") || starts(s, n, "Call trace:") ||
	       starts(s, n, "<TASK>") || starts(s, n, "</TASK>") ||
	       starts(s, n, "<IRQ>") || starts(s, n, "</IRQ>") ||
	       starts(s, n, "<NMI>") || starts(s, n, "</NMI>") ||
	       starts(s, n, "Stack:") || starts(s, n, "Backtrace:") ||
	       starts(s, n, "Allocated by task") || starts(s, n, "Freed by task") ||
	       starts(s, n, "Last potentially related work creation:");
}
