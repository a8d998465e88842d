/* core/bucket.c: crash-bucket signatures of hand-written logs.  The
 * expected kinds, titles, frames and modules are written here from the
 * rules of core/bucket.h, not taken from the code. */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/bucket.h"
#include "core/pipeline.h"
#include "core/status.h"
#include "tests/unit/check.h"

static unsigned char mem[8u << 20];

static void sig_of(const char *log, struct ps_bucket_sig *sig)
{
	struct ps_params p;
	struct ps_arena a;
	struct ps_analysis an;
	int st;

	ps_params_defaults(&p);
	ps_arena_init(&a, mem, sizeof mem);
	st = ps_analyze(&an, &p, NULL, log, strlen(log), 1, &a, NULL);
	CHECK_EQ_INT(st, PS_OK);
	if (st == PS_OK)
		ps_bucket_compute(&an, sig);
	else
		memset(sig, 0, sizeof *sig);
}

static void frames_are(const struct ps_bucket_sig *s, const char *want)
{
	char got[400];

	ps_bucket_frames_str(s, got, sizeof got);
	CHECK_EQ_STR(got, want);
}

/* A NULL dereference in psdev_process: from a syscall on one machine
 * (comm dd, pid 176, CPU 1, one kernel build, one address) ... */
static const char null_syscall[] =
	"[   30.022478] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	"[   30.023271] #PF: supervisor write access in kernel mode\n"
	"[   30.023782] Oops: 0002 [#1] PREEMPT SMP NOPTI\n"
	"[   30.023956] CPU: 1 PID: 176 Comm: dd Kdump: loaded Tainted: G           OE      6.1.0-56-amd64 #1\n"
	"[   30.024365] RIP: 0010:psdev_process+0x99c/0xd10 [psdev]\n"
	"[   30.025065] RSP: 0018:ffffc900005abb20 EFLAGS: 00000246\n"
	"[   30.025065] Call Trace:\n"
	"[   30.025065]  <TASK>\n"
	"[   30.025065]  psdev_ctl_write+0xd0/0x220 [psdev]\n"
	"[   30.025065]  full_proxy_write+0x53/0x80\n"
	"[   30.025065]  ? _copy_to_iter+0xba/0x650\n"
	"[   30.025065]  vfs_write+0xc7/0x3f0\n"
	"[   30.025065]  ksys_write+0x6b/0xf0\n"
	"[   30.025065]  do_syscall_64+0x5d/0xb0\n"
	"[   30.025065]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
	"[   30.025065]  </TASK>\n"
	"[   30.025065] Kernel panic - not syncing: Fatal exception\n";

/* ... and from a workqueue on another (kworker, another kernel build, a
 * .isra clone, an unreliable frame first). */
static const char null_work[] =
	"[   19.011606] BUG: kernel NULL pointer dereference, address: 0000000000000054\n"
	"[   19.013295] Oops: 0000 [#1] SMP PTI\n"
	"[   19.013295] CPU: 0 PID: 17 Comm: kworker/0:1 Not tainted 6.1.0-57-amd64 #1\n"
	"[   19.013295] Workqueue: events psdev_work_fn [psdev]\n"
	"[   19.013295] RIP: 0010:psdev_process.isra.0+0xb9b/0xd30 [psdev]\n"
	"[   19.013295] Call Trace:\n"
	"[   19.013295]  <TASK>\n"
	"[   19.013295]  ? finish_task_switch.isra.0+0x90/0x2d0\n"
	"[   19.013295]  psdev_work_fn+0x14/0x1d [psdev]\n"
	"[   19.013295]  process_one_work+0x1c7/0x380\n"
	"[   19.013295]  worker_thread+0x4d/0x380\n"
	"[   19.013295]  kthread+0xda/0x100\n"
	"[   19.013295]  ret_from_fork+0x22/0x30\n"
	"[   19.013295]  </TASK>\n";

/* The same header, another function: another bug. */
static const char null_other[] =
	"BUG: kernel NULL pointer dereference, address: 0000000000000010\n"
	"RIP: 0010:psdev_reset+0x12/0x40 [psdev]\n"
	"Call Trace:\n"
	" psdev_ctl_write+0xd0/0x220 [psdev]\n"
	" full_proxy_write+0x53/0x80\n"
	" vfs_write+0xc7/0x3f0\n";

/* A task stuck in the sleeping primitives: the caller decides; the
 * khungtaskd trace after it is not read. */
static const char hung[] =
	"[  250.1] INFO: task sh:178 blocked for more than 122 seconds.\n"
	"[  250.1]       Tainted: G           OE      6.1.0-56-amd64 #1\n"
	"[  250.1] Call Trace:\n"
	"[  250.1]  <TASK>\n"
	"[  250.1]  __schedule+0x34d/0x9e0\n"
	"[  250.1]  schedule+0x5a/0xd0\n"
	"[  250.1]  schedule_timeout+0x118/0x150\n"
	"[  250.1]  __down_common+0x106/0x1f0\n"
	"[  250.1]  down+0x43/0x60\n"
	"[  250.1]  psdev_lock_all+0x3b/0x60 [psdev]\n"
	"[  250.1]  </TASK>\n"
	"[  250.2] Kernel panic - not syncing: hung_task: blocked tasks\n"
	"[  250.2] Call Trace:\n"
	"[  250.2]  dump_stack_lvl+0x44/0x5c\n"
	"[  250.2]  panic+0x118/0x2f4\n"
	"[  250.2]  check_hung_uninterruptible_tasks+0x2b1/0x2e0\n"
	"[  250.2]  khungtaskd_helper+0x10/0x20\n";
static const char hung2[] =
	"INFO: task kworker/1:2:4242 blocked for more than 30 seconds.\n"
	"Call Trace:\n"
	" __schedule+0x34d/0x9e0\n"
	" schedule+0x5a/0xd0\n"
	" psdev_lock_all+0x3b/0x60 [psdev]\n"
	" psdev_work_fn+0x14/0x1d [psdev]\n";

/* A WARN from a timer: after the interrupt entry comes the interrupted
 * context, which has nothing to do with the bug. */
static const char warn_irq[] =
	"WARNING: CPU: 1 PID: 212 at drivers/misc/psdev/psdev.c:160 psdev_validate+0x29/0x50 [psdev]\n"
	"RIP: 0010:psdev_validate+0x29/0x50 [psdev]\n"
	"Call Trace:\n"
	" <IRQ>\n"
	" call_timer_fn+0x27/0x130\n"
	" __run_timers+0x222/0x2c0\n"
	" sysvec_apic_timer_interrupt+0x6e/0x90\n"
	" </IRQ>\n"
	" <TASK>\n"
	" asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
	"RIP: 0010:__cgroup_rstat_updated+0x0/0xc0\n"
	" __mod_memcg_lruvec_state+0x41/0x90\n";

/* A warning raised in a timer whose own frame is unreliable: nothing
 * meaningful before the interrupt entry, and the interrupted context is
 * not read. */
static const char warn_timer_only[] =
	"refcount_t: addition on 0; use-after-free.\n"
	"Call Trace:\n"
	" <IRQ>\n"
	" ? psdev_ctl_write+0x220/0x220 [psdev]\n"
	" call_timer_fn+0x27/0x130\n"
	" sysvec_apic_timer_interrupt+0x6e/0x90\n"
	" </IRQ>\n"
	" <TASK>\n"
	" asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
	"RIP: 0010:unwind_next_frame+0x390/0x620\n"
	" exit_mmap+0x41/0x90\n";

/* The same from a kernel that prints no <IRQ> markers: the interrupt
 * entry frame ends the trace read. */
static const char warn_timer_old[] =
	"refcount_t: addition on 0; use-after-free.\n"
	"Call Trace:\n"
	" ? psdev_ctl_write+0x220/0x220 [psdev]\n"
	" call_timer_fn+0x27/0x130\n"
	" apic_timer_interrupt+0x6e/0x90\n"
	" exit_mmap+0x41/0x90\n";

/* An RCU stall detected on the CPU itself: the interrupted code is
 * what got stuck, so it is read. */
static const char stall[] =
	"rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	"Call Trace:\n"
	" <IRQ>\n"
	" dump_stack_lvl+0x44/0x5c\n"
	" rcu_sched_clock_irq+0x9e/0x100\n"
	" update_process_times+0x5d/0x90\n"
	" sysvec_apic_timer_interrupt+0x6e/0x90\n"
	" </IRQ>\n"
	" <TASK>\n"
	" asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
	"RIP: 0010:psdev_spin+0x44/0x70 [psdev]\n"
	" psdev_thread_fn+0x10/0x20 [psdev]\n";

/* A soft lockup: the header's task and CPU, a delay loop first. */
static const char lockup_a[] =
	"watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:123]\n"
	"RIP: 0010:delay_tsc+0x2a/0x60\n"
	"Call Trace:\n"
	" psdev_spin+0x41/0x70 [psdev]\n"
	" psdev_thread_fn+0x10/0x20 [psdev]\n";
static const char lockup_b[] =
	"watchdog: BUG: soft lockup - CPU#1 stuck for 48s! [psnic/1:2048]\n"
	"RIP: 0010:psdev_spin+0x44/0x70 [psdev]\n"
	"Call Trace:\n"
	" psdev_ctl_write+0xd0/0x220 [psdev]\n";

/* An OOM kill: the asking process and its sizes vary. */
static const char oom_a[] =
	"java invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0\n";
static const char oom_b[] =
	"postgres invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0\n";

/* SLUB: taint flags and cache sizes vary. */
static const char slub_a[] =
	"BUG kmalloc-64 (Tainted: G    B      OE     ): Poison overwritten\n"
	" __kmalloc+0x49/0x150\n"
	" psdev_process+0x5e9/0xd30 [psdev]\n";
static const char slub_b[] =
	"BUG kmalloc-1k (Not tainted): Poison overwritten\n"
	" __kmalloc+0x49/0x150\n"
	" psdev_process+0x5e9/0xd30 [psdev]\n";
static const char slub_c[] =
	"BUG kmalloc-64 (Not tainted): Object already free\n"
	" psdev_process+0x5e9/0xd30 [psdev]\n";

static void test_same_bug(void)
{
	struct ps_bucket_sig a, b, c;

	sig_of(null_syscall, &a);
	sig_of(null_work, &b);
	CHECK_EQ_STR(a.kind, "null.x86");   /* the catalogue entry (model/catalogue.tsv) */
	CHECK_EQ_STR(a.title, "BUG: kernel NULL pointer dereference, address: <*>");
	CHECK_EQ_STR(a.module, "psdev");
	frames_are(&a, "psdev_process psdev_ctl_write full_proxy_write");
	frames_are(&b, "psdev_process psdev_work_fn");
	CHECK_EQ_STR(b.title, a.title);
	CHECK_EQ_STR(a.id, b.id);                 /* one bucket */
	CHECK(a.key == b.key);
	CHECK_EQ_INT(strlen(a.id), PS_BUCKET_ID_LEN);

	sig_of(null_other, &c);
	frames_are(&c, "psdev_reset psdev_ctl_write full_proxy_write");
	CHECK(strcmp(c.id, a.id) != 0);           /* another bug */
	CHECK(!ps_bucket_similar(&a, &c));        /* not even near: the crash site differs */

	sig_of(hung, &a);
	sig_of(hung2, &b);
	CHECK_EQ_STR(a.kind, "hung.task");
	CHECK_EQ_STR(a.title, "INFO: task <*> blocked for more than <*> seconds.");
	frames_are(&a, "psdev_lock_all");          /* the trace ends at </TASK> */
	frames_are(&b, "psdev_lock_all psdev_work_fn");
	CHECK_EQ_STR(a.id, b.id);

	sig_of(warn_irq, &a);
	CHECK_EQ_STR(a.title, "WARNING: CPU: <*> PID: <*> at drivers/misc/psdev/psdev.c:<*> psdev_validate [psdev]");
	frames_are(&a, "psdev_validate");          /* no interrupted context */

	sig_of(warn_timer_only, &a);
	CHECK_EQ_INT(a.nframes, 0);
	sig_of(warn_timer_old, &b);
	CHECK_EQ_INT(b.nframes, 0);
	CHECK_EQ_STR(a.id, b.id);
	sig_of(stall, &a);
	frames_are(&a, "psdev_spin psdev_thread_fn");

	sig_of(lockup_a, &a);
	sig_of(lockup_b, &b);
	CHECK_EQ_STR(a.title, "watchdog: BUG: soft lockup - CPU#<*> stuck for <*>! <*>");
	CHECK_EQ_STR(a.title, b.title);
	frames_are(&a, "psdev_spin psdev_thread_fn");
	CHECK_EQ_STR(a.id, b.id);

	sig_of(oom_a, &a);
	sig_of(oom_b, &b);
	CHECK_EQ_STR(a.title, b.title);
	CHECK_EQ_INT(a.nframes, 0);
	CHECK_EQ_STR(a.module, "");
	CHECK_EQ_STR(a.id, b.id);

	sig_of(slub_a, &a);
	sig_of(slub_b, &b);
	sig_of(slub_c, &c);
	CHECK_EQ_STR(a.title, "BUG kmalloc-<*> Poison overwritten");
	CHECK_EQ_STR(a.id, b.id);
	CHECK_EQ_STR(c.title, "BUG kmalloc-<*> Object already free");
	CHECK(strcmp(a.id, c.id) != 0);
}

/* Two signatures without frames have no frames in common: similarity 0
 * (not 100), while the fallback still joins them by kind, title and
 * module. */
static void test_no_frames(void)
{
	struct ps_bucket_sig a, b;

	memset(&a, 0, sizeof a);
	memcpy(a.kind, "BUG: ", 6);
	memcpy(a.title, "BUG: x", 7);
	b = a;
	ps_bucket_set_frames(&a, "", 0);
	ps_bucket_set_frames(&b, "", 0);
	CHECK_EQ_INT(a.nframes, 0);
	CHECK_EQ_INT(ps_bucket_frame_similarity(&a, &b), 0);
	CHECK_EQ_INT(ps_bucket_frame_similarity(&a, &a), 0);
	CHECK(ps_bucket_similar(&a, &b));
	ps_bucket_set_frames(&b, "foo", 3);
	CHECK_EQ_INT(ps_bucket_frame_similarity(&a, &b), 0);
	CHECK_EQ_INT(ps_bucket_frame_similarity(&b, &a), 0);
	CHECK(!ps_bucket_similar(&a, &b));
	CHECK_EQ_INT(ps_bucket_frame_similarity(&b, &b), 100);
}

/* The fallback: one frame more or less (inlining), not another site. */
static void test_similar(void)
{
	struct ps_bucket_sig a, b;

	memset(&a, 0, sizeof a);
	memcpy(a.kind, "BUG: ", 6);
	memcpy(a.title, "BUG: x", 7);
	memcpy(a.module, "m", 2);
	b = a;
	ps_bucket_set_frames(&a, "foo baz qux", 11);
	ps_bucket_set_frames(&b, "bar foo baz", 11);
	ps_bucket_rekey(&a);
	ps_bucket_rekey(&b);
	CHECK(strcmp(a.id, b.id) != 0);
	CHECK_EQ_INT(ps_bucket_frame_similarity(&a, &b), 50);
	CHECK(ps_bucket_similar(&a, &b));         /* foo inlined into bar's caller */
	CHECK(ps_bucket_similar(&b, &a));
	ps_bucket_set_frames(&b, "bar baz qux", 11);
	CHECK(!ps_bucket_similar(&a, &b));        /* the crash site differs: not merged */
	ps_bucket_set_frames(&b, "bar foo zap", 11);
	CHECK_EQ_INT(ps_bucket_frame_similarity(&a, &b), 20);
	CHECK(!ps_bucket_similar(&a, &b));        /* too little in common */
	ps_bucket_set_frames(&b, "bar foo baz", 11);
	memcpy(b.module, "n", 2);
	CHECK(!ps_bucket_similar(&a, &b));        /* another module */
	memcpy(b.module, "m", 2);
	memcpy(b.title, "BUG: y", 7);
	CHECK(!ps_bucket_similar(&a, &b));        /* another title */
	/* text round trip of the frames */
	{
		char s[300];
		struct ps_bucket_sig c = a;

		ps_bucket_frames_str(&a, s, sizeof s);
		CHECK_EQ_STR(s, "foo baz qux");
		ps_bucket_set_frames(&c, s, strlen(s));
		ps_bucket_rekey(&c);
		CHECK_EQ_STR(c.id, a.id);
	}
}

static void test_generic(void)
{
	CHECK(ps_bucket_generic_frame("dump_stack_lvl", 14));
	CHECK(ps_bucket_generic_frame("asm_sysvec_apic_timer_interrupt", 31));   /* prefix entry */
	CHECK(ps_bucket_generic_frame("__kmalloc_node_track_caller", 27));
	CHECK(!ps_bucket_generic_frame("psdev_process", 13));
	CHECK(!ps_bucket_generic_frame("dump_stackx", 11));   /* exact names are exact */
	CHECK(!ps_bucket_generic_frame("panic_notifier", 14));
	CHECK(!ps_bucket_generic_frame("", 0));
}

int main(void)
{
	test_same_bug();
	test_similar();
	test_no_frames();
	test_generic();
	return check_summary("test_bucket");
}
