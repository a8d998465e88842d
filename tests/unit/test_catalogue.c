/* core/catalogue.c: the pattern language, the parser's errors, and the
 * shipped model/catalogue.tsv (labels by TAXONOMY precedence, lines of
 * every architecture in their printed form, address-aware entries). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/arena.h"
#include "core/catalogue.h"
#include "core/status.h"

static unsigned char arena_buf[16 << 20];
static struct ps_arena arena;

/* The 14 labels of model/TAXONOMY.md, written here independently of the code. */
static const char *const taxonomy[14] = {
	"manual", "hardware", "null-deref", "stack-corruption", "memory-corruption",
	"out-of-memory", "cpu-lockup", "hung-task", "locking", "boot-failure",
	"filesystem", "driver", "bad-access", "kernel-bug",
};

static int parse(struct ps_catalogue *cat, const char *text, struct ps_cat_error *err)
{
	ps_arena_init(&arena, arena_buf, sizeof arena_buf);
	return ps_catalogue_parse(cat, text, strlen(text), &arena, err);
}

#define HDR "# panicsage catalogue v1\n"
#define ROW(id, label, pat) id "\t" label "\theader\tno\tany\tany\t6.1\t-\tsrc.c:1\t" pat "\n"

static const struct ps_cat_entry *match(const struct ps_catalogue *cat, const char *line,
					struct ps_cat_match *m)
{
	return ps_catalogue_match(cat, line, strlen(line), m) ? m->entry : NULL;
}

static int id_is(const struct ps_cat_entry *e, const char *id)
{
	return e && e->id.n == strlen(id) && memcmp(e->id.p, id, e->id.n) == 0;
}

static void test_language(void)
{
	struct ps_catalogue cat;
	struct ps_cat_match m;
	struct ps_cat_error err;
	const char *text = HDR
		ROW("int", "kernel-bug", "value is %d and %lu units")
		ROW("hex", "kernel-bug", "register at %016lx now")
		ROW("ptr", "kernel-bug", "object pointer %p freed")
		ROW("sym", "kernel-bug", "called from %pS by task")
		ROW("str", "kernel-bug", "device %s: lost contact")
		ROW("chr", "kernel-bug", "flagged state %c here")
		ROW("pct", "kernel-bug", "usage at %d%% of budget")
		"start\tkernel-bug\tevidence\tyes\tstart\tx86\t2.6.0-4.20\t1<4096:null-deref\tsrc.c:f\tfaulting near %x exactly\n";

	CHECK_EQ_INT(parse(&cat, text, &err), PS_OK);
	CHECK_EQ_INT(cat.n, 8);
	CHECK(id_is(match(&cat, "value is -12 and 3000 units", &m), "int"));
	CHECK(!match(&cat, "value is x and 3000 units", &m));
	CHECK(id_is(match(&cat, "register at ffff800012345678 now", &m), "hex"));
	CHECK(id_is(match(&cat, "register at 0xdeadbeef now", &m), "hex"));
	CHECK(!match(&cat, "register at zz now", &m));
	CHECK(id_is(match(&cat, "object pointer 00000000a1b2c3d4 freed", &m), "ptr"));
	CHECK(id_is(match(&cat, "object pointer (____ptrval____) freed", &m), "ptr"));
	CHECK(id_is(match(&cat, "called from ext4_map_blocks+0x1a/0x40 by task", &m), "sym"));
	CHECK(id_is(match(&cat, "called from nvme_timeout+0x1a/0x40 [nvme] by task", &m), "sym"));
	CHECK(id_is(match(&cat, "called from 0xffffffffc0001234 by task", &m), "sym"));
	CHECK(!match(&cat, "called from +0x1a by task", &m));
	CHECK(id_is(match(&cat, "device sda: 1: lost contact", &m), "str"));
	CHECK(id_is(match(&cat, "[  12.5] device eth0: lost contact, retrying", &m), "str"));
	CHECK(m.start > 0);
	CHECK(id_is(match(&cat, "flagged state R here", &m), "chr"));
	CHECK(id_is(match(&cat, "usage at 95% of budget", &m), "pct"));
	CHECK(!match(&cat, "usage at 95 of budget", &m));
	/* anchored: at the start only; address rule and flags */
	CHECK(id_is(match(&cat, "faulting near 0x10 exactly", &m), "start"));
	CHECK_EQ_INT(m.label, 2);       /* null-deref below 4096 */
	CHECK_EQ_INT(m.has_addr, 1);
	CHECK_EQ_INT(m.addr, 0x10);
	CHECK_EQ_INT(m.entry->harmless, 1);
	CHECK_EQ_INT(m.entry->strength, PS_CAT_EVIDENCE);
	CHECK_EQ_INT(m.entry->anchored, 1);
	CHECK_EQ_STR(ps_cat_arch_name(m.entry->arch), "x86");
	CHECK(id_is(match(&cat, "faulting near 1000 exactly", &m), "start"));
	CHECK_EQ_INT(m.label, 13);      /* 0x1000 is not below 4096 */
	CHECK(!match(&cat, "x faulting near 0x10 exactly", &m));
	/* trailing CR/LF ignored; too short lines */
	CHECK(id_is(match(&cat, "object pointer 0x10 freed\r\n", &m), "ptr"));
	CHECK(!match(&cat, "", &m));
	CHECK(!match(&cat, "abc", &m));
}

static void test_specific_wins(void)
{
	struct ps_catalogue cat;
	struct ps_cat_match m;
	const char *text = HDR
		ROW("generic", "kernel-bug", "Kernel panic - not syncing: %s")
		ROW("oom", "out-of-memory", "Kernel panic - not syncing: Out of memory")
		ROW("oom2", "hung-task", "Kernel panic - not syncing: Out of memory");

	CHECK_EQ_INT(parse(&cat, text, NULL), PS_OK);
	CHECK(id_is(match(&cat, "Kernel panic - not syncing: Out of memory: system-wide", &m), "oom"));
	CHECK(id_is(match(&cat, "Kernel panic - not syncing: Fatal exception", &m), "generic"));
	CHECK_EQ_INT(cat.counts[5], 1);
	CHECK_EQ_INT(cat.counts[13], 1);
}

struct bad { const char *text; uint32_t line; };

static void test_malformed(void)
{
	static const struct bad cases[] = {
		{ "", 1 },
		{ "# not the header\n", 1 },
		{ HDR, 1 },                                       /* no entries */
		{ HDR "# only a comment\n\n", 3 },
		{ HDR "a\tb\n", 2 },                              /* too few columns */
		{ HDR ROW("x", "no-such-label", "some text here"), 2 },
		{ HDR "x\tkernel-bug\tstrong\tno\tany\tany\t6.1\t-\ts.c\tsome text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tmaybe\tany\tany\t6.1\t-\ts.c\tsome text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tleft\tany\t6.1\t-\ts.c\tsome text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tvax\t6.1\t-\ts.c\tsome text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\tsoon\t-\ts.c\tsome text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t-\t\tsome text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t-\ts.c\t\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t-\ts.c\tsome\ttext\n", 2 },
		{ HDR ROW("x", "kernel-bug", "ab %d c"), 2 },     /* no 4-byte literal */
		{ HDR ROW("x", "kernel-bug", "some text %q"), 2 },
		{ HDR ROW("x", "kernel-bug", "some text %pZ here"), 2 },
		{ HDR ROW("x", "kernel-bug", "some text %"), 2 },
		{ HDR ROW("x y", "kernel-bug", "some text here"), 2 },
		{ HDR ROW("dup", "kernel-bug", "some text here") ROW("dup", "driver", "other text here"), 3 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t2\ts.c\tsome %d text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t1\ts.c\tsome %s text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t1<abc:null-deref\ts.c\tsome %x text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t1<4096:nil\ts.c\tsome %x text\n", 2 },
		{ HDR "x\tkernel-bug\theader\tno\tany\tany\t6.1\t1>4096:null-deref\ts.c\tsome %x text\n", 2 },
	};
	struct ps_catalogue cat;
	struct ps_cat_error err;
	size_t i;
	char *big;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&err, 0, sizeof err);
		CHECK_EQ_INT(parse(&cat, cases[i].text, &err), PS_EFORMAT);
		CHECK_EQ_INT(err.line, cases[i].line);
		CHECK(err.msg != NULL && strlen(err.msg) > 5);
		CHECK_EQ_INT(cat.n, 0);
		CHECK_EQ_INT(arena.used, 0);   /* nothing left allocated */
	}
	/* a line longer than PS_CAT_MAX_LINE */
	big = malloc(8192);
	memcpy(big, HDR, strlen(HDR));
	memset(big + strlen(HDR), 'a', 6000);
	big[strlen(HDR) + 6000] = 0;
	CHECK_EQ_INT(parse(&cat, big, &err), PS_EFORMAT);
	CHECK_EQ_INT(err.line, 2);
	free(big);
	/* an arena too small: PS_ENOMEM, said in the message */
	{
		static unsigned char small[512];
		const char *t = HDR ROW("x", "kernel-bug", "some text here");

		ps_arena_init(&arena, small, sizeof small);
		CHECK_EQ_INT(ps_catalogue_parse(&cat, t, strlen(t), &arena, &err), PS_ENOMEM);
		CHECK(err.msg != NULL);
		CHECK_EQ_INT(arena.used, 0);
	}
}

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = 0;
	*n = (size_t)len;
	return buf;
}

static int span_has(struct ps_cat_span s, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= s.n; i++)
		if (memcmp(s.p + i, needle, k) == 0)
			return 1;
	return 0;
}

static const char *label_name(unsigned l) { return l < 14 ? taxonomy[l] : "?"; }

/* Precedence rules checked on every entry of the shipped file. */
static void test_shipped_rules(const struct ps_catalogue *cat)
{
	unsigned counts[14] = { 0 }, archs[32] = { 0 };
	uint32_t i, j;

	CHECK(cat->n >= 500);
	for (i = 0; i < cat->n; i++) {
		const struct ps_cat_entry *e = &cat->entry[i];
		struct ps_cat_span p = e->pattern;
		int ok = 1;

		CHECK(e->label < 14);
		CHECK_EQ_STR(ps_cat_label_name(e->label), taxonomy[e->label]);
		counts[e->label]++;
		archs[e->arch < 32 ? e->arch : 31]++;
		/* the text names a NULL pointer: null-deref (ubsan's "null pointer
		   of type" included), unless a sysrq/manual row precedes; parisc's
		   "Bad Address (null pointer deref?)" is a guess it prints for any
		   address: its address rule settles it where the line has one,
		   and the panic line that repeats it says bad-access */
		if ((span_has(p, "NULL pointer") || span_has(p, "null-ptr-deref") ||
		     span_has(p, "null pointer")) && e->label != 2 &&
		    !(span_has(p, "null pointer deref?") &&
		      (e->low_label == 2 || (e->label == 12 && e->panic))))
			ok = 0;
		if ((span_has(p, "sysrq") || span_has(p, "SysRq")) && e->label != 0)
			ok = 0;
		if ((span_has(p, "KASAN: use-after-free") || span_has(p, "KFENCE: ") ||
		     span_has(p, "KMSAN: ") || span_has(p, "list_add corruption") ||
		     span_has(p, "list_del corruption") || span_has(p, "refcount_t: ") ||
		     span_has(p, "slab-out-of-bounds")) && e->label != 4)
			ok = 0;
		if ((span_has(p, "soft lockup") || span_has(p, "hard LOCKUP") ||
		     span_has(p, "detected stalls on") || span_has(p, "self-detected stall") ||
		     span_has(p, "lockup suspected")) &&
		    e->label != 6)
			ok = 0;
		if (span_has(p, "blocked for more than") && e->label != 7)
			ok = 0;
		if ((span_has(p, "[Hardware Error]") || span_has(p, "Machine check") ||
		     span_has(p, "machine check") || span_has(p, "EDAC ")) && e->label != 1)
			ok = 0;
		if ((span_has(p, "circular locking") || span_has(p, "recursive locking") ||
		     span_has(p, "scheduling while atomic") || span_has(p, "invalid context")) &&
		    e->label != 8)
			ok = 0;
		if ((span_has(p, "Unable to mount root") || span_has(p, "No working init") ||
		     span_has(p, "kill init")) && e->label != 9)
			ok = 0;
		if ((span_has(p, "stack guard page") || span_has(p, "stack-protector") ||
		     span_has(p, "double fault")) && e->label != 3)
			ok = 0;
		if (span_has(p, "Out of memory") && e->label != 5)
			ok = 0;
		if (!ok)
			fprintf(stderr, "catalogue line %u (%.*s): label %s breaks a precedence rule\n",
				e->line, (int)e->id.n, e->id.p, label_name(e->label));
		CHECK(ok);
		/* an address rule always says null-deref below the first page */
		if (e->low_label != PS_CAT_NO_LABEL) {
			CHECK_EQ_INT(e->low_label, 2);
			CHECK_EQ_INT(e->addr_limit, 4096);
		}
	}
	/* no two entries with the same pattern and anchor (one would be dead) */
	for (i = 0; i < cat->n; i++)
		for (j = i + 1; j < cat->n; j++) {
			const struct ps_cat_entry *a = &cat->entry[i], *b = &cat->entry[j];

			if (a->pattern.n == b->pattern.n && a->anchored == b->anchored &&
			    a->arch == b->arch &&
			    memcmp(a->pattern.p, b->pattern.p, a->pattern.n) == 0) {
				fprintf(stderr, "catalogue lines %u and %u: same pattern\n", a->line, b->line);
				CHECK(0);
			}
		}
	printf("catalogue: %u entries;", cat->n);
	for (i = 0; i < 14; i++)
		printf(" %s %u", taxonomy[i], counts[i]);
	printf("\n");
	for (i = 0; i < 14; i++)
		CHECK(counts[i] > 0);
	for (i = 1; i <= 7; i++)     /* x86 arm64 arm powerpc s390 mips riscv */
		CHECK(archs[i] >= 5);
}

struct sample {
	const char *line;     /* written here from the format and typical values */
	const char *label;
	const char *arch;     /* expected arch of the entry, or NULL */
	int has_addr;
	uint64_t addr;
};

static const struct sample samples[] = {
	/* Wording shared by several architectures matches the first entry in
	   file order, so those lines expect no particular arch (NULL). */
	/* x86 */
	{ "BUG: kernel NULL pointer dereference, address: 0000000000000010", "null-deref", "x86", 1, 0x10 },
	{ "BUG: unable to handle page fault for address: ffffc90000a3f000", "bad-access", "x86", 1, 0xffffc90000a3f000ull },
	{ "BUG: unable to handle page fault for address: 0000000000000010", "null-deref", "x86", 1, 0x10 },
	{ "BUG: unable to handle kernel NULL pointer dereference at 0000000000000008", "null-deref", "x86", 1, 8 },
	{ "BUG: unable to handle kernel paging request at ffff880012345678", "bad-access", "x86", 1, 0xffff880012345678ull },
	{ "general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP KASAN", "bad-access", "x86", 1, 0xdead000000000100ull },
	{ "general protection fault: 0000 [#1] SMP", "bad-access", "x86", 0, 0 },
	{ "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI", "kernel-bug", "x86", 0, 0 },
	{ "divide error: 0000 [#1] SMP PTI", "kernel-bug", "x86", 0, 0 },
	{ "traps: PANIC: double fault, error_code: 0x0", "stack-corruption", "x86", 0, 0 },
	{ "mce: [Hardware Error]: CPU 2: Machine Check Exception: 5 Bank 4: b200000000070f0f", "hardware", "x86", 0, 0 },
	{ "NMI: PCI system error (SERR) for reason b1 on CPU 0.", "hardware", "x86", 0, 0 },
	{ "IP: [<ffffffff81234567>] ext4_map_blocks+0x25/0x470", "bad-access", "x86", 0, 0 },
	/* x86_64 before the 2.6.24 merge, i386 double fault before 5.8, kmemcheck */
	{ "Unable to handle kernel NULL pointer dereference at 0000000000000028 RIP: ", "null-deref", "x86", 0, 0 },
	{ "Unable to handle kernel paging request at ffff81007d2c4018 RIP: ", "bad-access", "x86", 1, 0xffff81007d2c4018ull },
	{ "Unable to handle kernel paging request at 0000000000000ff8 RIP: ", "null-deref", "x86", 1, 0xff8 },
	{ "PANIC: double fault, gdt at c1805000 [255 bytes]", "stack-corruption", "x86", 0, 0 },
	{ "WARNING: kmemcheck: Caught 32-bit read from uninitialized memory (ffff88007a02c818)", "memory-corruption", "x86", 0, 0 },
	{ "BUG: Bad rss-counter state mm:00000000b2a8c1e3 idx:1 val:-3", "memory-corruption", "any", 0, 0 },
	{ "BUG: spinlock lockup suspected on CPU#2, kworker/2:0/19823", "cpu-lockup", "any", 0, 0 },
	{ "Kernel BUG at fs/ext3/inode.c:1234", "kernel-bug", "x86", 0, 0 },
	{ "invalid opcode: 0000 [1] SMP ", "kernel-bug", "x86", 0, 0 },
	{ "invalid operand: 0000 [#1]", "kernel-bug", "x86", 0, 0 },
	/* arm64 */
	{ "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010", "null-deref", NULL, 1, 0x10 },
	{ "Unable to handle kernel paging request at virtual address ffff800012345678", "bad-access", NULL, 1, 0xffff800012345678ull },
	{ "Unable to handle kernel paging request at virtual address 0000000000000010", "null-deref", NULL, 1, 0x10 },
	{ "Unable to handle kernel write to read-only memory at virtual address ffff800011223344", "bad-access", "arm64", 1, 0xffff800011223344ull },
	{ "Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP", "bad-access", "arm64", 0, 0 },
	{ "Internal error: Oops: 96000005 [#1] SMP", "bad-access", NULL, 0, 0 },
	{ "Internal error: Oops - BUG: 00000000f2000800 [#1] SMP", "kernel-bug", "arm64", 0, 0 },
	{ "Internal error: Oops - Undefined instruction: 0000000002000000 [#1] SMP", "kernel-bug", "arm64", 0, 0 },
	{ "SError Interrupt on CPU3, code 0x00000000bf000002 -- SError", "hardware", "arm64", 0, 0 },
	{ "Kernel panic - not syncing: Asynchronous SError Interrupt", "hardware", "arm64", 0, 0 },
	{ "Internal error: synchronous external abort: 0000000096000210 [#1] SMP", "kernel-bug", "arm64", 0, 0 },
	/* arm */
	{ "Unable to handle kernel NULL pointer dereference at virtual address 00000004", "null-deref", NULL, 1, 4 },
	{ "Unable to handle kernel paging request at virtual address e0801000", "bad-access", NULL, 1, 0xe0801000ull },
	{ "Internal error: Oops: 17 [#1] SMP ARM", "bad-access", NULL, 0, 0 },
	{ "PC is at ext4_map_blocks+0x1c/0x2a0", "kernel-bug", "arm", 0, 0 },
	/* powerpc */
	{ "BUG: Kernel NULL pointer dereference on read at 0x00000010", "null-deref", "powerpc", 1, 0x10 },
	{ "BUG: Unable to handle kernel data access on write at 0xc00800000abc0000", "bad-access", "powerpc", 1, 0xc00800000abc0000ull },
	{ "BUG: Unable to handle kernel data access on read at 0x00000010", "null-deref", "powerpc", 1, 0x10 },
	{ "Unable to handle kernel paging request for data at address 0x00000010", "null-deref", "powerpc", 1, 0x10 },
	{ "Unable to handle kernel paging request for data at address 0xd000000012345678", "bad-access", "powerpc", 1, 0xd000000012345678ull },
	{ "Kernel attempted to read user page (10) - exploit attempt? (uid: 0)", "null-deref", "powerpc", 1, 0x10 },
	{ "Kernel attempted to write user page (7fffabcd0000) - exploit attempt? (uid: 1000)", "bad-access", "powerpc", 1, 0x7fffabcd0000ull },
	{ "Faulting instruction address: 0xc000000000123456", "bad-access", "powerpc", 0, 0 },
	{ "Oops: Kernel access of bad area, sig: 11 [#1]", "bad-access", "powerpc", 0, 0 },
	/* s390 */
	/* any kernel address, low-address protection (a NULL write) too:
	 * the label follows the "Failing address:" line (test_extract) */
	{ "Unable to handle kernel pointer dereference in virtual kernel address space", "bad-access", "s390", 0, 0 },
	{ "Unable to handle kernel paging request in virtual user address space", "bad-access", "s390", 0, 0 },
	{ "Failing address: 0000000000000000 TEID: 0000000000000483", "null-deref", "s390", 1, 0 },
	{ "Failing address: 000003ff80123000 TEID: 000003ff80123803", "bad-access", "s390", 1, 0x3ff80123000ull },
	{ "Krnl PSW : 0704c00180000000 000000000012345a (ext4_map_blocks+0x2a/0x4a0)", "bad-access", "s390", 0, 0 },
	{ "Oops: 0004 ilc:3 [#1] SMP", "bad-access", "s390", 0, 0 },
	{ "Kernel stack overflow.", "stack-corruption", "s390", 0, 0 },
	/* mips */
	{ "CPU 0 Unable to handle kernel paging request at virtual address 00000010, epc == 80123456, ra == 80123400", "null-deref", "mips", 1, 0x10 },
	{ "CPU 1 Unable to handle kernel paging request at virtual address c0001000, epc == 80123456, ra == 80123400", "bad-access", "mips", 1, 0xc0001000ull },
	{ "Oops[#1]:", "bad-access", "mips", 0, 0 },
	{ "Kernel bug detected[#1]:", "kernel-bug", "mips", 0, 0 },
	/* riscv */
	{ "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010", "null-deref", NULL, 1, 0x10 },
	{ "Unable to handle kernel paging request at virtual address ffffffd800123000", "bad-access", NULL, 1, 0xffffffd800123000ull },
	{ "Oops - illegal instruction [#1]", "kernel-bug", "riscv", 0, 0 },
	{ "Kernel BUG [#1]", "kernel-bug", "riscv", 0, 0 },
	{ "Insufficient stack space to handle exception!", "stack-corruption", NULL, 0, 0 },
	/* s390 program checks through die() */
	{ "specification exception: 0006 ilc:2 [#1] SMP", "kernel-bug", "s390", 0, 0 },
	{ "addressing exception: 0005 ilc:3 [#1] SMP", "bad-access", "s390", 0, 0 },
	/* sparc64: no address below the first page */
	{ "Unable to handle kernel NULL pointer dereference", "null-deref", "sparc", 0, 0 },
	{ "tsk->{mm,active_mm}->context = 0000000000000000", "bad-access", "sparc", 0, 0 },
	{ "Unable to handle kernel paging request at virtual address 0000000000002000", "bad-access", NULL, 1, 0x2000 },
	/* parisc */
	{ "Bad Address (null pointer deref?): Code=15 (Data TLB miss fault) at addr 0000000000000010", "null-deref", "parisc", 1, 0x10 },
	{ "Bad Address (null pointer deref?): Code=15 (Data TLB miss fault) at addr 00000000f8e01000", "bad-access", "parisc", 1, 0xf8e01000ull },
	{ "Kernel panic - not syncing: Bad Address (null pointer deref?)", "bad-access", "parisc", 0, 0 },
	{ "Page fault: bad address: Code=26 (Data memory access rights trap) at addr 0000000000000008", "null-deref", "parisc", 1, 0x8 },
	{ "High Priority Machine Check (HPMC): Code=1 regs=00000000404d5000 (Addr=0000000000000000)", "hardware", "parisc", 0, 0 },
	/* loongarch and other architectures' generic wording: a low address is NULL */
	{ "Unable to handle kernel paging request at virtual address 00000010", "null-deref", NULL, 1, 0x10 },
	/* any architecture */
	{ "sysrq: Trigger a crash", "manual", "any", 0, 0 },
	{ "Kernel panic - not syncing: sysrq triggered crash", "manual", "any", 0, 0 },
	{ "SysRq : Trigger a crash", "manual", "any", 0, 0 },
	{ "BUG: KASAN: use-after-free in ext4_map_blocks+0x1a/0x40", "memory-corruption", "any", 0, 0 },
	{ "BUG: KASAN: null-ptr-deref in ext4_map_blocks+0x1a/0x40", "null-deref", "any", 0, 0 },
	{ "BUG: KASan: use after free in ext4_map_blocks+0x1a/0x40 at addr ffff8800", "memory-corruption", "any", 0, 0 },
	{ "KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]", "null-deref", "any", 0, 0 },
	{ "BUG: KFENCE: use-after-free read in test_func+0x10/0x20", "memory-corruption", "any", 0, 0 },
	{ "BUG kmalloc-64 (Not tainted): Object already free", "memory-corruption", "any", 0, 0 },
	{ "list_add corruption. prev->next should be next (ffff888012345678), but was 0000000000000000. (prev=ffff888012345600).", "memory-corruption", "any", 0, 0 },
	{ "refcount_t: underflow; use-after-free.", "memory-corruption", "any", 0, 0 },
	{ "WARNING: CPU: 1 PID: 42 at lib/refcount.c:28 refcount_warn_saturate+0x8a/0x110", "memory-corruption", "any", 0, 0 },
	{ "WARNING: CPU: 0 PID: 0 at net/sched/sch_generic.c:525 dev_watchdog+0x21f/0x230", "driver", "any", 0, 0 },
	{ "WARNING: CPU: 3 PID: 100 at kernel/locking/lockdep.c:4000 check_flags+0x1/0x2", "locking", "any", 0, 0 },
	{ "WARNING: CPU: 2 PID: 7 at mm/page_alloc.c:5000 __alloc_pages+0x1/0x2", "kernel-bug", "any", 0, 0 },
	{ "WARNING: at fs/ext4/inode.c:3000 ext4_da_update_reserve_space+0x1/0x2()", "kernel-bug", "any", 0, 0 },
	/* TAXONOMY's own example of kernel-bug: a BUG_ON in the slab
	   allocator is an assertion; only the checkers' reports (KASAN, SLUB
	   debug "Object already free", list/refcount debugging) say
	   memory-corruption */
	{ "kernel BUG at mm/slub.c:4080!", "kernel-bug", "any", 0, 0 },
	/* an assertion in a filesystem is kernel-bug, as the syzkaller corpus
	   labels "kernel BUG at fs/btrfs|reiserfs|buffer.c" */
	{ "kernel BUG at fs/ext4/inode.c:2000!", "kernel-bug", "any", 0, 0 },
	{ "kernel BUG at kernel/sched/core.c:100!", "kernel-bug", "any", 0, 0 },
	{ "UBSAN: shift-out-of-bounds in net/core/skbuff.c:10:20", "kernel-bug", "any", 0, 0 },
	{ "BUG: KCSAN: data-race in foo / bar", "kernel-bug", "any", 0, 0 },
	{ "watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:123]", "cpu-lockup", "any", 0, 0 },
	{ "NMI watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [swapper/0:1]", "cpu-lockup", "any", 0, 0 },
	{ "BUG: soft lockup - CPU#1 stuck for 61s! [java:4242]", "cpu-lockup", "any", 0, 0 },
	{ "Watchdog detected hard LOCKUP on cpu 2", "cpu-lockup", "any", 0, 0 },
	{ "rcu: INFO: rcu_sched self-detected stall on CPU", "cpu-lockup", "any", 0, 0 },
	{ "INFO: rcu_sched detected stalls on CPUs/tasks:", "cpu-lockup", "any", 0, 0 },
	{ "INFO: rcu_preempt self-detected stall on CPU", "cpu-lockup", "any", 0, 0 },
	{ "BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 30s!", "cpu-lockup", "any", 0, 0 },
	{ "INFO: task kworker/0:1:42 blocked for more than 120 seconds.", "hung-task", "any", 0, 0 },
	{ "Kernel panic - not syncing: hung_task: blocked tasks", "hung-task", "any", 0, 0 },
	{ "WARNING: possible circular locking dependency detected", "locking", "any", 0, 0 },
	{ "BUG: MAX_STACK_TRACE_ENTRIES too low!", "locking", "any", 0, 0 },
	{ "BUG: MAX_LOCKDEP_CHAINS too low!", "locking", "any", 0, 0 },
	{ "[ INFO: possible circular locking dependency detected ]", "locking", "any", 0, 0 },
	{ "BUG: sleeping function called from invalid context at mm/slab.h:500", "locking", "any", 0, 0 },
	{ "BUG: scheduling while atomic: swapper/0/0/0x00000002", "locking", "any", 0, 0 },
	{ "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)", "boot-failure", "any", 0, 0 },
	{ "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009", "boot-failure", "any", 0, 0 },
	{ "Kernel panic - not syncing: No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.", "boot-failure", "any", 0, 0 },
	{ "EXT4-fs error (device vda1): ext4_lookup:1700: inode #2: comm ls: iget: bad extra_isize", "filesystem", "any", 0, 0 },
	{ "EXT4-fs (vda1): Remounting filesystem read-only", "filesystem", "any", 0, 0 },
	{ "Kernel panic - not syncing: EXT4-fs (device vda1): panic forced after error", "filesystem", "any", 0, 0 },
	{ "XFS (sda1): Corruption detected. Unmount and run xfs_repair", "filesystem", "any", 0, 0 },
	{ "Aborting journal on device sda1-8.", "filesystem", "any", 0, 0 },
	{ "BTRFS: error (device sdb1: state A) in btrfs_run_delayed_refs:2150: errno=-5 IO failure", "filesystem", "any", 0, 0 },
	{ "e1000e 0000:00:19.0 eth0: NETDEV WATCHDOG: CPU: 2: transmit queue 0 timed out 5120 ms", "driver", "any", 0, 0 },
	{ "NETDEV WATCHDOG: eth0 (e1000): transmit queue 0 timed out", "driver", "any", 0, 0 },
	{ "nvme nvme0: controller is down; will reset: CSTS=0x3, PCI_STATUS=0x10", "driver", "any", 0, 0 },
	{ "nvme nvme0: I/O 12 QID 3 timeout, reset controller", "driver", "any", 0, 0 },
	{ "blk_update_request: I/O error, dev sda, sector 12345 op 0x1:(WRITE) flags 0x0", "driver", "any", 0, 0 },
	{ "{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0", "hardware", "any", 0, 0 },
	{ "Kernel panic - not syncing: Fatal machine check", "hardware", "x86", 0, 0 },
	{ "EDAC MC0: 1 UE memory read error on CPU_SrcID#0_Ha#0_Chan#0_DIMM#0", "hardware", "any", 0, 0 },
	{ "pcieport 0000:00:1c.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0", "hardware", "any", 0, 0 },
	{ "pcieport 0000:00:1c.0: AER: Uncorrected (Fatal) error message received from 0000:03:00.0", "hardware", "any", 0, 0 },
	{ "pcieport 0000:00:01.1: AER: Multiple Uncorrected (Non-Fatal) error message received from 0000:02:00.0", "hardware", "any", 0, 0 },
	{ "pcieport 0000:00:1c.0: AER: Uncorrectable (Fatal) error message received from 0000:03:00.0", "hardware", "any", 0, 0 },
	{ "nvme 0000:03:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Inaccessible, (Unregistered Agent ID)", "hardware", "any", 0, 0 },
	{ "nvme 0000:03:00.0: PCIe Bus Error: severity=Uncorrectable (Fatal), type=Transaction Layer, (Requester ID)", "hardware", "any", 0, 0 },
	{ "Out of memory: Killed process 1234 (stress) total-vm:1000kB, anon-rss:900kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:100kB oom_score_adj:0", "out-of-memory", "any", 0, 0 },
	{ "stress invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0", "out-of-memory", "any", 0, 0 },
	/* parisc_terminate("Kernel Fault") of handle_interruption: the
	   address decides, as for its "Bad Address" */
	{ "Kernel Fault: Code=26 (Data memory access rights trap) at addr 00000000fffff008", "bad-access", "parisc", 1, 0xfffff008 },
	{ "Kernel Fault: Code=15 (Data TLB miss fault) at addr 0000000000000010", "null-deref", "parisc", 1, 0x10 },
	{ "Kernel Fault: Code=15 regs=000000004f340a80 (Addr=0000000000000000)", "null-deref", "parisc", 1, 0 },
	{ "Bad Address (null pointer deref?): Code=26 regs=000000004f340a80 (Addr=00000000fffff008)", "bad-access", "parisc", 1, 0xfffff008 },
	/* the 2.6.18-era OOM killer (RHEL5, CentOS 5) */
	{ "oom-killer: gfp_mask=0x201d2, order=0", "out-of-memory", "any", 0, 0 },
	{ "Out of memory: Killed process 4711 (httpd).", "out-of-memory", "any", 0, 0 },
	{ "Out of Memory: Kill process 4711 (httpd) score 183420 and children.", "out-of-memory", "any", 0, 0 },
	{ "Kernel panic - not syncing: System is deadlocked on memory", "out-of-memory", "any", 0, 0 },
	{ "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: do_sys_open+0x1a/0x20", "stack-corruption", "any", 0, 0 },
	{ "Kernel panic - not syncing: Fatal exception", "kernel-bug", NULL, 0, 0 },
	{ "Kernel panic - not syncing: 00: An NMI occurred. Depending on your system the reason for the NMI is logged in any one of the following resources:", "hardware", "x86", 0, 0 },
	{ "Kernel panic - not syncing: An NMI occurred, please see the Integrated Management Log for details.", "hardware", "x86", 0, 0 },
	{ "Kernel panic - not syncing: No init found.  Try passing init= option to kernel. See Linux Documentation/init.txt for guidance.", "boot-failure", "any", 0, 0 },
	{ "xhci_hcd 0000:00:14.0: xHCI host controller not responding, assume dead", "driver", "any", 0, 0 },
	{ "ehci-pci 0000:00:1d.0: HC died; cleaning up", "driver", "any", 0, 0 },
	{ "ath11k_pci 0000:01:00.0: firmware crashed: MHI_CB_SYS_ERROR", "driver", "any", 0, 0 },
	{ "ath10k_sdio mmc1:0001:1: firmware crashed", "driver", "any", 0, 0 },
	/* GPU, wifi and HBA reports of bug trackers; OpenZFS's assertions */
	{ "nouveau 0000:01:00.0: fifo: fault 01 [WRITE] at 0000000000402000 engine 00 [GR] client 0f [GPC0/PROP_0] reason 02 [PTE] on channel 3 [00ffb2c000 Xorg[1021]]", "driver", "any", 0, 0 },
	{ "nouveau 0000:01:00.0: fifo: read fault at 0002a3f000 engine 00 [GR] client 05 [GPC0/PE_0] reason 02 [PTE] on channel 4 [007f9e5000 firefox[2311]]", "driver", "any", 0, 0 },
	{ "NVRM: Xid (PCI:0000:41:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.", "driver", "any", 0, 0 },
	{ "rtw_8822ce 0000:02:00.0: firmware failed to leave lps state", "driver", "any", 0, 0 },
	{ "mpt3sas_cm0: fault_state(0x2622)!", "driver", "any", 0, 0 },
	{ "mlx5_core 0000:3b:00.0: wait_func:1136:(pid 311): ACCESS_REG(0x805) timeout. Will cause a leak of a command resource", "driver", "any", 0, 0 },
	{ "mlx5_core 0000:3b:00.0: cmd[0]: QUERY_VPORT_COUNTER(0x770) Async, timeout. Will cause a leak of a command resource", "driver", "any", 0, 0 },
	{ "mpt2sas0: fault_state(0x265d)!", "driver", "any", 0, 0 },
	{ "PANIC at dsl_dir.c:951:dsl_dir_create_sync()", "kernel-bug", "any", 0, 0 },
	{ "VERIFY3(0 == zap_add(mos, obj, name, 8, 1, &v, tx)) failed (0 == 17)", "kernel-bug", "any", 0, 0 },
	{ "VERIFY(zio->io_error == 0) failed", "kernel-bug", "any", 0, 0 },
	{ "iwlwifi 0000:00:14.3: Microcode SW error detected. Restarting 0x0.", "driver", "any", 0, 0 },
	{ "F2FS-fs (dm-5): inconsistent node block, nid:4242, node_footer[nid:4242,ino:4240,ofs:0,cpver:12,blkaddr:99]", "filesystem", "any", 0, 0 },
	{ "F2FS-fs (sda3): Inconsistent segment (712) type [0, 1] in SSA and SIT", "filesystem", "any", 0, 0 },
	{ "F2FS-fs (sda3): f2fs_do_read_inline_data: corrupted inline inode ino=1a2b, i_addr[0]:0x1, run fsck to fix.", "filesystem", "any", 0, 0 },
	{ "Kernel panic - not syncing: something only this test says", "kernel-bug", "any", 0, 0 },
};

/* Lines that are not crashes: the matching entry is marked harmless. */
static const char *const harmless_lines[] = {
	"EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.",
	"EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#0_DIMM#0",
	"mce: [Hardware Error]: Machine check events logged",
	"e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
	"rcu: Hierarchical RCU implementation.",
	"Run /sbin/init as init process",
	"ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PCI0], AE_NOT_FOUND",
	"ata1: SATA link down (SStatus 0 SControl 300)",
	"XFS (sda1): Ending clean mount",
	"pcieport 0000:00:03.0:   device [8086:6f08] error status/mask=00000001/00002000",
	"nfs: server nas2 not responding, still trying",
	"Kernel command line: BOOT_IMAGE=/vmlinuz root=/dev/vda1 panic=10",
	"F2FS-fs (dm-48): Mounted with checkpoint version = 7b2c1d0e",
	"nfs: server filer1 not responding, still trying",
	"nvme 0000:01:00.0:   device [144d:a808] error status/mask=00000001/0000e000",
	"pcieport 0000:00:1c.5: AER: Corrected error message received from 0000:02:00.0",
	"pcieport 0000:00:1c.5: AER: Correctable error message received from 0000:02:00.0",
	"r8169 0000:02:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)",
	"r8169 0000:02:00.0: PCIe Bus Error: severity=Correctable, type=Physical Layer, (Receiver ID)",
	"pcieport 0000:00:1c.5: AER: Corrected error received: 0000:02:00.0",
	/* a user program's fault, reported with its registers: not the kernel's */
	"gst-launch-1.0[9120]: unhandled exception: DABT (lower EL), ESR 0x0000000092000006, level 2 translation fault in libgstvideo4linux2.so[ffff8a210000+60000]",
	"mpv[2211]: unhandled level 3 translation fault (11) at 0x00000008, esr 0x92000007, in libc-2.31.so[ffff9a2b0000+13a000]",
	"node[812]: unhandled signal 11 code 0x1 at 0x0000000000000010 in node[2aaaa00000+1e61000]",
};

static void test_shipped_samples(const struct ps_catalogue *cat)
{
	struct ps_cat_match m;
	size_t i;
	unsigned has[32] = { 0 }, sampled[32] = { 0 }, a;

	for (i = 0; i < cat->n; i++)
		has[cat->entry[i].arch < 32 ? cat->entry[i].arch : 31]++;

	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		const struct sample *s = &samples[i];
		int ok = ps_catalogue_match(cat, s->line, strlen(s->line), &m);

		CHECK(ok);
		if (!ok) {
			fprintf(stderr, "  no entry matches: %s\n", s->line);
			continue;
		}
		sampled[m.entry->arch < 32 ? m.entry->arch : 31]++;
		if (strcmp(label_name(m.label), s->label) != 0 ||
		    (s->arch && strcmp(ps_cat_arch_name(m.entry->arch), s->arch) != 0) ||
		    m.has_addr != s->has_addr || (s->has_addr && m.addr != s->addr) ||
		    m.entry->harmless) {
			fprintf(stderr, "  %s\n  -> %.*s label %s arch %s addr %d:%llx harmless %d\n",
				s->line, (int)m.entry->id.n, m.entry->id.p, label_name(m.label),
				ps_cat_arch_name(m.entry->arch), m.has_addr,
				(unsigned long long)m.addr, m.entry->harmless);
			CHECK(0);
		}
	}
	for (i = 0; i < sizeof harmless_lines / sizeof harmless_lines[0]; i++) {
		int ok = ps_catalogue_match(cat, harmless_lines[i], strlen(harmless_lines[i]), &m);

		CHECK(ok && m.entry->harmless);
		if (!ok || !m.entry->harmless)
			fprintf(stderr, "  not harmless: %s\n", harmless_lines[i]);
	}
	/* every architecture that has entries has a sample matched, in its
	   printed form, by an entry of that architecture */
	for (a = 1; a < 32; a++)
		if (has[a] && !sampled[a]) {
			fprintf(stderr, "  no sample line matched by a %s entry\n", ps_cat_arch_name(a));
			CHECK(0);
		}
	/* ordinary lines match nothing */
	CHECK(!ps_catalogue_match(cat, "systemd[1]: Started Journal Service.", 36, &m));
	CHECK(!ps_catalogue_match(cat, "x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'", 72, &m));
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "model/catalogue.tsv";
	struct ps_catalogue cat;
	struct ps_cat_error err;
	size_t n;
	char *text;

	test_language();
	test_specific_wins();
	test_malformed();
	text = read_file(path, &n);
	CHECK(text != NULL);
	if (text) {
		ps_arena_init(&arena, arena_buf, sizeof arena_buf);
		CHECK_EQ_INT(ps_catalogue_parse(&cat, text, n, &arena, &err), PS_OK);
		if (err.msg)
			fprintf(stderr, "%s:%u: %s\n", path, err.line, err.msg);
		if (cat.n) {
			test_shipped_rules(&cat);
			test_shipped_samples(&cat);
		}
		free(text);
	}
	return check_summary("test_catalogue");
}
