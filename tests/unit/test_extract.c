/* FILE extraction on synthetic logs whose right answer is known by
 * construction: where the crash report is, which line is its header. */
#include "tests/unit/check.h"

#include <stdlib.h>

#include "core/arena.h"
#include "core/catalogue.h"
#include "core/pipeline.h"
#include "core/sort.h"
#include "core/status.h"

static unsigned char mem[64 << 20];
static char text[4 << 20];

struct built {
	size_t len;
	uint32_t header_line, panic_line, first_report_line, last_report_line;
	uint32_t lines;
};

static void put(struct built *b, const char *ts_fmt_line)
{
	size_t n = strlen(ts_fmt_line);

	memcpy(text + b->len, ts_fmt_line, n);
	b->len += n;
	text[b->len++] = '\n';
	b->lines++;
}

/* `noise` lines two seconds apart, then a crash report in one burst,
 * optionally followed by a panic line. */
static struct built build(uint32_t noise, int with_ts, int with_panic, uint32_t frames)
{
	struct built b = { 0 };
	char line[256];
	uint32_t i;
	double t = 5.0;

	for (i = 0; i < noise; i++, t += 2.0) {
		if (with_ts)
			snprintf(line, sizeof line, "[%12.6f] e1000e: eth%u NIC Link is Up 1000 Mbps Full Duplex", t, i % 3);
		else
			snprintf(line, sizeof line, "systemd[1]: Started session %u of user root.", i);
		put(&b, line);
	}
#define L(s) do { \
	if (with_ts) snprintf(line, sizeof line, "[%12.6f] %s", t, s); \
	else snprintf(line, sizeof line, "%s", s); \
	put(&b, line); t += 0.000013; } while (0)
	b.first_report_line = b.lines + 1;
	L("BUG: kernel NULL pointer dereference, address: 0000000000000008");
	b.header_line = b.lines;
	L("#PF: supervisor read access in kernel mode");
	L("Oops: 0000 [#1] PREEMPT SMP NOPTI");
	L("CPU: 1 PID: 412 Comm: insmod Tainted: G           OE      6.1.0-13-amd64 #1");
	L("RIP: 0010:faultmod_write+0x2a/0x90 [faultmod]");
	L("RSP: 0018:ffffb3c0c05f7e08 EFLAGS: 00010246");
	L("Call Trace:");
	L(" <TASK>");
	for (i = 0; i < frames; i++) {
		char f[96];
		snprintf(f, sizeof f, " frame_function_%u+0x%x/0x200", i, 16 + i);
		L(f);
	}
	L(" </TASK>");
	L("Modules linked in: faultmod(OE) ext4 crc16 mbcache jbd2");
	L("CR2: 0000000000000008");
	if (with_panic) {
		L("Kernel panic - not syncing: Fatal exception");
		b.panic_line = b.lines;
	}
#undef L
	b.last_report_line = b.lines;
	return b;
}

static struct ps_analysis an;

static int analyse(const struct built *b, struct ps_params *p)
{
	struct ps_arena a;

	ps_arena_init(&a, mem, sizeof mem);
	return ps_analyze(&an, p, NULL, text, b->len, 1, &a, NULL);
}

static int in_segment(uint32_t line)
{
	uint32_t k;

	for (k = 0; k < an.nsegment; k++)
		if (an.lines[an.segment[k]].rec->line == line)
			return 1;
	return 0;
}

static void check_report(const struct built *b, const struct ps_params *p, int expect_whole)
{
	uint32_t k, line;

	CHECK(an.nsegment > 0 && an.nsegment <= p->extract.max_lines);
	CHECK(an.header != PS_NONE);
	if (an.header != PS_NONE)
		CHECK_EQ_INT(an.lines[an.header].rec->line, b->header_line);
	CHECK(in_segment(b->header_line));
	if (b->panic_line) {
		CHECK(an.panic != PS_NONE);
		CHECK(in_segment(b->panic_line));
	}
	CHECK(an.nculprits > 0);
	if (an.nculprits)
		CHECK_EQ_INT(an.lines[an.culprits[0].line].rec->line, b->header_line);
	for (k = 1; k < an.nculprits; k++)
		CHECK(an.culprits[k - 1].score >= an.culprits[k].score);
	/* ascending, no duplicates */
	for (k = 1; k < an.nsegment; k++)
		CHECK(an.segment[k - 1] < an.segment[k]);
	if (expect_whole)
		for (line = b->first_report_line; line <= b->last_report_line; line++)
			CHECK(in_segment(line));
}

/* ps_sort_u64_desc_first: the k largest first, in the order a full
 * sort gives, for every k and sizes around the heap's levels */
static void check_partial_sort(void)
{
	static uint64_t orig[300], full[300], part[300];
	uint32_t seed = 7, bad = 0;
	size_t n, k, i;

	for (n = 0; n < 300; n += 1 + n / 8) {
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			orig[i] = (uint64_t)(seed >> 8) % (n + 1) << 32 | (uint32_t)~(uint32_t)i;
		}
		memcpy(full, orig, n * sizeof *orig);
		ps_sort_u64_desc(full, n);
		for (k = 0; k <= n + 1; k++) {
			memcpy(part, orig, n * sizeof *orig);
			ps_sort_u64_desc_first(part, n, k);
			for (i = 0; i < k && i < n; i++)
				bad += part[i] != full[i];
		}
	}
	CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	struct ps_params p;
	struct built b;
	uint32_t k;

	check_partial_sort();
	ps_params_defaults(&p);

	/* timestamps: the burst is one cluster, the noise is not in it */
	b = build(200, 1, 1, 10);
	CHECK_EQ_INT(analyse(&b, &p), PS_OK);
	check_report(&b, &p, 1);
	for (k = 0; k < an.nsegment; k++)
		CHECK(an.lines[an.segment[k]].rec->line >= b.first_report_line);

	/* no timestamps: position alone; the cap keeps header and trace */
	b = build(200, 0, 1, 10);
	CHECK_EQ_INT(analyse(&b, &p), PS_OK);
	check_report(&b, &p, 1);

	/* no panic line (panic_on_oops: the log ends with the oops) */
	b = build(50, 1, 0, 5);
	CHECK_EQ_INT(analyse(&b, &p), PS_OK);
	check_report(&b, &p, 1);
	CHECK(an.panic == PS_NONE);

	/* a report longer than the cap: header, panic and the first frames
	 * survive; the segment is exactly max_lines long */
	b = build(20, 1, 1, 200);
	CHECK_EQ_INT(analyse(&b, &p), PS_OK);
	check_report(&b, &p, 0);
	CHECK_EQ_INT(an.nsegment, p.extract.max_lines);
	CHECK(in_segment(b.header_line + 8));      /* first frame */
	CHECK(an.cluster_size > p.extract.max_lines);

	/* a tiny cap */
	p.extract.max_lines = 2;
	b = build(20, 1, 1, 3);
	CHECK_EQ_INT(analyse(&b, &p), PS_OK);
	CHECK_EQ_INT(an.nsegment, 2);
	CHECK(in_segment(b.header_line) && in_segment(b.panic_line));
	ps_params_defaults(&p);

	/* only noise: no header, no crash, nothing extracted */
	{
		struct built nb = { 0 };
		uint32_t i;
		for (i = 0; i < 100; i++)
			put(&nb, "[    1.000000] random: crng init done");
		CHECK_EQ_INT(analyse(&nb, &p), PS_OK);
		CHECK(an.header == PS_NONE);
		CHECK(an.no_crash);
		CHECK_EQ_INT(an.nsegment, 0);
		CHECK_EQ_INT(an.nculprits, 0);
	}

	/* the crash that ends the log: a WARNING the machine survived at
	 * boot, normal lines for an hour, then an oops and a panic: the
	 * header is the oops, not the early WARNING; the catalogue entry
	 * of each is known from model/catalogue.tsv */
	{
		static const char *const tail[] = {
			"[ 3600.100000] BUG: kernel NULL pointer dereference, address: 0000000000000010",
			"[ 3600.100010] #PF: supervisor read access in kernel mode",
			"[ 3600.100020] Oops: 0000 [#1] PREEMPT SMP NOPTI",
			"[ 3600.100030] Call Trace:",
			"[ 3600.100040]  faultmod_write+0x2a/0x90 [faultmod]",
			"[ 3600.100050] Kernel panic - not syncing: Fatal exception",
		};
		struct built w = { 0 };
		char line[128];
		uint32_t i;

		put(&w, "[    5.000000] ------------[ cut here ]------------");
		put(&w, "[    5.000010] WARNING: CPU: 0 PID: 1 at drivers/gpu/drm/drm_edid.c:1234 drm_edid_block_valid+0x1a/0x100");
		put(&w, "[    5.000020] Call Trace:");
		put(&w, "[    5.000030]  drm_edid_block_valid+0x1a/0x100");
		put(&w, "[    5.000040] ---[ end trace 0000000000000000 ]---");
		for (i = 0; i < 40; i++) {
			snprintf(line, sizeof line, "[%5u.000000] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex", 100 + 80 * i);
			put(&w, line);
		}
		for (i = 0; i < sizeof tail / sizeof tail[0]; i++)
			put(&w, tail[i]);
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(!an.no_crash);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 46);
		CHECK(an.panic != PS_NONE && an.lines[an.panic].rec->line == 51);
		CHECK(an.crash_start != PS_NONE && an.lines[an.crash_start].rec->line == 46);
		CHECK(!in_segment(2));
		/* the same report right after the WARNING: one crash; the
		 * WARNING did not stop the machine (no panic_on_warn), the
		 * NULL dereference did, so it is the header */
		w.len = 0;
		w.lines = 0;
		put(&w, "[    5.000000] ------------[ cut here ]------------");
		put(&w, "[    5.000010] WARNING: CPU: 0 PID: 1 at drivers/gpu/drm/drm_edid.c:1234 drm_edid_block_valid+0x1a/0x100");
		put(&w, "[    5.000020] Call Trace:");
		put(&w, "[    5.000030]  drm_edid_block_valid+0x1a/0x100");
		put(&w, "[    5.100000] BUG: kernel NULL pointer dereference, address: 0000000000000010");
		put(&w, "[    5.100050] Kernel panic - not syncing: Fatal exception");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 5);
		CHECK(an.panic != PS_NONE && an.lines[an.panic].rec->line == 6);
		/* ... and so when the two CPUs' lines interleave, the oops's
		 * own "Internal error: Oops" line (kernel-bug) not counting */
		w.len = 0;
		w.lines = 0;
		put(&w, "[ 7781.202433] WARNING: CPU: 0 PID: 87 at drivers/gpu/drm/vc4/vc4_hdmi.c:1231 vc4_hdmi_audio_prepare+0x2a4/0x2e0 [vc4]");
		put(&w, "[ 7781.202446] 8<--- cut here ---");
		put(&w, "[ 7781.202451] Modules linked in: vc4 drm");
		put(&w, "[ 7781.202462] Unable to handle kernel NULL pointer dereference at virtual address 00000004");
		put(&w, "[ 7781.202470] CPU: 0 PID: 87 Comm: kworker/0:2 Tainted: G         C        5.4.83-v7+ #1379");
		put(&w, "[ 7781.202502] Internal error: Oops: 5 [#1] SMP ARM");
		put(&w, "[ 7781.202668] ---[ end trace 2b8e0f0c63a1d4e5 ]---");
		put(&w, "[ 7781.202755] Kernel panic - not syncing: Fatal exception in interrupt");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 4);
		/* a WARNING whose site names its kind (refcount: memory
		 * corruption) keeps the header before a later oops */
		w.len = 0;
		w.lines = 0;
		put(&w, "[    5.000010] WARNING: CPU: 1 PID: 42 at lib/refcount.c:28 refcount_warn_saturate+0x8a/0x110");
		put(&w, "[    5.000030] BUG: kernel NULL pointer dereference, address: 0000000000000010");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		/* a WARN() of 3.x: the generic WARNING line first, its message
		 * (a header of another kind) on the next line is the header */
		w.len = 0;
		w.lines = 0;
		put(&w, "[    5.000000] ------------[ cut here ]------------");
		put(&w, "[    5.000010] WARNING: at kernel/watchdog.c:293 watchdog_overflow_callback+0xa8/0xd0()");
		put(&w, "[    5.000020] Watchdog detected hard LOCKUP on cpu 14");
		put(&w, "[    5.000030] Call Trace:");
		put(&w, "[    5.000040] Kernel panic - not syncing: Hard LOCKUP");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 3);
		/* a header of its own kind first keeps it (a KASAN report is
		 * not re-labelled by a line after it) */
		w.len = 0;
		w.lines = 0;
		put(&w, "[    5.000000] BUG: KASAN: use-after-free in f+0x1/0x2");
		put(&w, "[    5.000010] Watchdog detected hard LOCKUP on cpu 1");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		/* a device that stopped answering, then the NULL dereference
		 * it caused in its driver: null-deref's row comes before
		 * driver's, so the oops is the header */
		w.len = 0;
		w.lines = 0;
		put(&w, "[  900.000000] xhci_hcd 0000:00:14.0: xHCI host controller not responding, assume dead");
		put(&w, "[  900.000010] xhci_hcd 0000:00:14.0: HC died; cleaning up");
		put(&w, "[  900.000500] BUG: kernel NULL pointer dereference, address: 0000000000000010");
		put(&w, "[  900.000510] Oops: 0000 [#1] PREEMPT SMP NOPTI");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 3);
		/* ... but a page fault (bad-access, a later row) leaves the
		 * device's own report the header ... */
		w.len = 0;
		w.lines = 0;
		put(&w, "[  900.000000] xhci_hcd 0000:00:14.0: xHCI host controller not responding, assume dead");
		put(&w, "[  900.000500] BUG: unable to handle page fault for address: ffffc90000a3f000");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		/* s390: the fault address on the line after the report; below
		 * the first page the header is a NULL dereference, above it a
		 * bad access */
		w.len = 0;
		w.lines = 0;
		put(&w, "[  700.000000] Unable to handle kernel pointer dereference in virtual kernel address space");
		put(&w, "[  700.000010] Failing address: 0000000000000000 TEID: 0000000000000483");
		put(&w, "[  700.000020] Oops: 0004 ilc:3 [#1] SMP");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		CHECK_EQ_STR(ps_cat_label_name(an.lines[an.header].cat_label), "null-deref");
		w.len = 0;
		w.lines = 0;
		put(&w, "[  700.000000] Unable to handle kernel pointer dereference in virtual kernel address space");
		put(&w, "[  700.000010] Failing address: 6b6b6b6b6b6b6000 TEID: 6b6b6b6b6b6b6803");
		put(&w, "[  700.000020] Oops: 0038 ilc:3 [#1] SMP");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		CHECK_EQ_STR(ps_cat_label_name(an.lines[an.header].cat_label), "bad-access");
		/* ... and so do the filesystem's errors it causes */
		w.len = 0;
		w.lines = 0;
		put(&w, "[  900.000000] nvme nvme0: controller is down; will reset: CSTS=0xffffffff, PCI_STATUS=0xffff");
		put(&w, "[  900.000100] Aborting journal on device nvme0n1p2-8.");
		put(&w, "[  900.000200] EXT4-fs error (device nvme0n1p2): ext4_journal_check_start:83: comm a: Detected aborted journal");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		/* tasks blocked after a controller went down: the hung task
		 * report ends the log, but the controller's report 190 s
		 * before it (within 2 x 120 s) is the first fault, the header;
		 * the same report 10 minutes before is a crash of its own and
		 * the hung task the one that ends the log */
		for (i = 0; i < 2; i++) {
			w.len = 0;
			w.lines = 0;
			put(&w, i ? "[  300.000000] nvme nvme0: controller is down; will reset: CSTS=0xffffffff, PCI_STATUS=0xffff"
				  : "[  710.000000] nvme nvme0: controller is down; will reset: CSTS=0xffffffff, PCI_STATUS=0xffff");
			put(&w, i ? "[  300.000100] EXT4-fs (nvme0n1p2): Remounting filesystem read-only"
				  : "[  710.000100] EXT4-fs (nvme0n1p2): Remounting filesystem read-only");
			put(&w, "[  900.000000] INFO: task kworker/u16:1:31207 blocked for more than 120 seconds.");
			put(&w, "[  900.000010] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.");
			put(&w, "[  900.000020] Call Trace:");
			put(&w, "[  900.000030]  io_schedule+0x42/0x70");
			CHECK_EQ_INT(analyse(&w, &p), PS_OK);
			CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == (i ? 3u : 1u));
			CHECK(an.crash_start != PS_NONE && an.lines[an.crash_start].rec->line == (i ? 3u : 1u));
		}
		/* a hung task report between them is followed back; a longer
		 * timeout (480 s) widens the window */
		w.len = 0;
		w.lines = 0;
		put(&w, "[  100.000000] nvme nvme0: controller is down; will reset: CSTS=0xffffffff, PCI_STATUS=0xffff");
		put(&w, "[  800.000000] INFO: task jbd2/nvme0n1p2-8:412 blocked for more than 480 seconds.");
		put(&w, "[  800.000010] Call Trace:");
		put(&w, "[ 1300.000000] INFO: task kworker/u16:1:31207 blocked for more than 480 seconds.");
		put(&w, "[ 1300.000010] Call Trace:");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		/* no timestamps: a slab report, a long object dump (not report
		 * lines), then a generic panic reason: the panic ends the slab
		 * report, whose BUG line is the header; a panic reason that
		 * names its own kind (out of memory) is a crash of its own */
		w.len = 0;
		w.lines = 0;
		put(&w, "BUG kmalloc-512 (Tainted: G           OE     ): Left Redzone overwritten");
		for (i = 0; i < 150; i++)
			put(&w, "Redzone  ffff888003a1c1f0: bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb  ................");
		put(&w, "Disabling lock debugging due to kernel taint");
		put(&w, "Kernel panic - not syncing: panic_on_taint set ...");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 1);
		CHECK(an.crash_start != PS_NONE && an.lines[an.crash_start].rec->line == 1);
		w.len = 0;
		w.lines = 0;
		put(&w, "WARNING: CPU: 0 PID: 1 at drivers/gpu/drm/drm_edid.c:1234 drm_edid_block_valid+0x1a/0x100");
		for (i = 0; i < 150; i++)
			put(&w, "e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex");
		put(&w, "Kernel panic - not syncing: System is deadlocked on memory");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 152);
		/* no header-strength line at all: evidence that names a kind
		 * ("Oops: ..." says bad-access) before the panic line */
		w.len = 0;
		w.lines = 0;
		put(&w, "[    9.000000] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex");
		put(&w, "[   10.000000] Oops: 0000 [#1] PREEMPT SMP NOPTI");
		put(&w, "[   10.000010] Call Trace:");
		put(&w, "[   10.000020] Kernel panic - not syncing: Fatal exception");
		CHECK_EQ_INT(analyse(&w, &p), PS_OK);
		CHECK(an.header != PS_NONE && an.lines[an.header].rec->line == 2);
		CHECK(an.panic != PS_NONE && an.lines[an.panic].rec->line == 4);
	}

	/* one line */
	{
		struct built one = { 0 };
		put(&one, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009");
		CHECK_EQ_INT(analyse(&one, &p), PS_OK);
		CHECK_EQ_INT(an.nsegment, 1);
		CHECK(an.header == 0 && an.panic == 0);
	}

	/* parameters out of range */
	b = build(10, 1, 1, 3);
	p.extract.eps = 0;
	CHECK_EQ_INT(analyse(&b, &p), PS_ERANGE);
	ps_params_defaults(&p);
	p.extract.max_lines = 0;
	CHECK_EQ_INT(analyse(&b, &p), PS_ERANGE);
	ps_params_defaults(&p);

	/* an arena too small, at every size up to what it needs: always a
	 * clean PS_ENOMEM, never a crash */
	b = build(30, 1, 1, 5);
	{
		struct ps_arena a;
		size_t need, sz;
		int st;

		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_analyze(&an, &p, NULL, text, b.len, 1, &a, NULL), PS_OK);
		need = a.peak;
		for (sz = 0; sz < need; sz += need / 97 + 1) {
			ps_arena_init(&a, mem, sz);
			st = ps_analyze(&an, &p, NULL, text, b.len, 1, &a, NULL);
			CHECK_EQ_INT(st, PS_ENOMEM);
		}
	}
	return check_summary("test_extract");
}
