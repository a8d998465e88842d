/* Crash buckets: see core/bucket.h for what a signature is made of. */
#include "core/bucket.h"

#include <string.h>

#include "core/buf.h"
#include "core/mask.h"
#include "core/catalogue.h"

/* ---- the generic frames ----
 *
 * Functions that appear in the traces of every crash of a kind, whatever
 * the bug: they say how the kernel reported or reached the crash, not
 * where the bug is.  Names are matched after the clone suffix is cut
 * (".isra.0", ".cold" ...); an entry ending in '*' matches every name it
 * starts.  Kinds:
 *
 *   REPORT  printing the report and panicking: the stack dumper, panic,
 *           the WARN/BUG machinery, the sanitizers' and SLUB's report
 *           functions, filesystems' error reporters
 *   TRAP    trap and exception entry and the fault handlers that end in
 *           an oops (x86 and arm64)
 *   CHECK   debug checkers that detect a corruption someone else caused
 *           (list debugging, refcount, SLUB object checks, lockdep,
 *           might_sleep): the caller is the suspect
 *   SLEEP   scheduling, sleeping and lock primitives: a hung or
 *           atomic-sleeping task is stuck in them, the caller decides
 *   HELPER  memory and string helpers and the allocators, which a bad
 *           pointer or size is passed to
 *   IRQ     interrupt, softirq and timer dispatch, idle loops, the
 *           unwinder (which can be what an interrupt hit)
 *   ENTRY   where a thread or a syscall enters the kernel: the start
 *           of a stack.  After a meaningful frame, an ENTRY frame ends
 *           the trace that is read.
 *   IRQ_ENTRY  where an interrupt or NMI enters: what follows is the
 *           interrupted context, which has nothing to do with the bug,
 *           so the trace read ends there even before a meaningful
 *           frame; except for CPU lockups and stalls
 *           (catalogue label cpu-lockup), where the interrupted code is
 *           the code that got stuck.
 */
enum { REPORT = 1, TRAP, CHECK, SLEEP, HELPER, IRQ, ENTRY, IRQ_ENTRY };

struct generic {
	const char *name;
	unsigned char kind;
};

static const struct generic generic_frames[] = {
	/* REPORT */
	{ "dump_stack", REPORT }, { "dump_stack_lvl", REPORT }, { "show_stack", REPORT },
	{ "show_trace_log_lvl", REPORT }, { "show_regs", REPORT }, { "__show_regs", REPORT },
	{ "show_regs_if_kernel", REPORT }, { "dump_backtrace", REPORT }, { "show_opcodes", REPORT },
	{ "panic", REPORT }, { "vpanic", REPORT }, { "nmi_panic", REPORT }, { "__stack_chk_fail", REPORT },
	{ "__warn", REPORT }, { "__warn_printk", REPORT }, { "warn_slowpath_fmt", REPORT },
	{ "warn_slowpath_null", REPORT }, { "warn_slowpath_common", REPORT }, { "report_bug", REPORT },
	{ "check_panic_on_warn", REPORT }, { "add_taint", REPORT }, { "print_tainted", REPORT },
	{ "die", REPORT }, { "__die", REPORT }, { "__die_body", REPORT }, { "die_addr", REPORT },
	{ "oops_begin", REPORT }, { "oops_end", REPORT }, { "arm64_notify_die", REPORT },
	{ "bug_handler", REPORT }, { "bug_brk_handler", REPORT },
	{ "kasan_report*", REPORT }, { "__kasan_report", REPORT }, { "print_report", REPORT },
	{ "print_address_description*", REPORT }, { "end_report", REPORT }, { "start_report", REPORT },
	{ "kasan_check_range", REPORT }, { "check_memory_region*", REPORT }, { "__asan_*", REPORT },
	{ "__kasan_*", REPORT }, { "kfence_report_error", REPORT }, { "kfence_handle_page_fault", REPORT },
	{ "kmsan_report", REPORT }, { "__msan_*", REPORT }, { "kcsan_report*", REPORT },
	{ "__tsan_*", REPORT }, { "__ubsan_handle_*", REPORT }, { "ubsan_epilogue", REPORT },
	{ "ubsan_prologue", REPORT }, { "slab_err", REPORT }, { "slab_bug", REPORT },
	{ "object_err", REPORT }, { "print_trailer", REPORT }, { "print_section", REPORT },
	{ "slab_fix", REPORT }, { "bad_page", REPORT }, { "dump_page", REPORT }, { "__dump_page", REPORT },
	{ "dump_header", REPORT }, { "dump_tasks", REPORT }, { "warn_alloc", REPORT },
	{ "ext4_handle_error", REPORT }, { "__ext4_error", REPORT }, { "__ext4_error_inode", REPORT },
	{ "__ext4_error_file", REPORT }, { "__ext4_std_error", REPORT }, { "__ext4_abort", REPORT },
	{ "ext4_error_*", REPORT }, { "btrfs_handle_fs_error", REPORT }, { "__btrfs_handle_fs_error", REPORT },
	{ "xfs_corruption_error", REPORT }, { "xfs_error_report", REPORT }, { "xfs_do_force_shutdown", REPORT },
	{ "watchdog", REPORT }, { "watchdog_timer_fn", REPORT }, { "check_hung_uninterruptible_tasks", REPORT },
	{ "check_hung_task", REPORT }, { "nmi_cpu_backtrace*", REPORT }, { "nmi_trigger_cpumask_backtrace", REPORT },
	{ "arch_trigger_cpumask_backtrace", REPORT }, { "rcu_dump_cpu_stacks", REPORT },
	{ "print_cpu_stall", REPORT }, { "check_cpu_stall", REPORT }, { "rcu_sched_clock_irq", REPORT },
	{ "rcu_pending", REPORT }, { "watchdog_overflow_callback", REPORT }, { "mce_panic", REPORT },
	{ "oom_kill_process", REPORT }, { "out_of_memory", REPORT }, { "__oom_kill_process", REPORT },
	{ "oom_killer_*", REPORT }, { "check_panic_on_oom", REPORT }, { "sched_show_task", REPORT },
	{ "dump_cpu_task", REPORT }, { "print_other_cpu_stall", REPORT }, { "rcu_check_callbacks", REPORT },
	{ "print_cpu_stall_info", REPORT }, { "rcu_check_gp_kthread_starvation", REPORT },
	{ "rcu_gp_kthread", REPORT }, { "rcu_gp_fqs_loop", REPORT }, { "rcu_gp_fqs", REPORT },
	{ "force_qs_rnp", REPORT }, { "rcu_implicit_dynticks_qs", REPORT }, { "kmemleak_alloc*", REPORT },
	{ "skb_panic", REPORT }, { "skb_over_panic", REPORT }, { "skb_under_panic", REPORT },
	{ "fortify_panic", REPORT }, { "__fortify_panic", REPORT }, { "__fortify_report", REPORT },
	{ "should_fail*", REPORT }, { "fail_dump", REPORT }, { "__should_failslab", REPORT },
	/* TRAP (x86, arm64) */
	{ "do_trap", TRAP }, { "do_error_trap", TRAP }, { "handle_invalid_op", TRAP }, { "handle_bug", TRAP },
	{ "do_invalid_op", TRAP }, { "do_divide_error", TRAP }, { "do_general_protection", TRAP },
	{ "do_page_fault", TRAP }, { "__do_page_fault", TRAP }, { "do_user_addr_fault", TRAP },
	{ "do_kern_addr_fault", TRAP }, { "page_fault_oops", TRAP }, { "no_context", TRAP },
	{ "__bad_area_nosemaphore", TRAP }, { "bad_area_nosemaphore", TRAP }, { "bad_area", TRAP },
	{ "__bad_area", TRAP }, { "kernelmode_fixup_or_oops", TRAP }, { "handle_page_fault", TRAP },
	{ "spurious_kernel_fault", TRAP }, { "fixup_exception", TRAP }, { "exc_*", TRAP }, { "asm_exc_*", TRAP },
	{ "page_fault", TRAP }, { "async_page_fault", TRAP }, { "general_protection", TRAP },
	{ "invalid_op", TRAP }, { "divide_error", TRAP }, { "error_entry", TRAP }, { "do_int3", TRAP },
	{ "do_double_fault", TRAP }, { "handle_stack_overflow", TRAP }, { "do_machine_check", TRAP },
	{ "machine_check", TRAP }, { "do_mem_abort", TRAP }, { "do_translation_fault", TRAP },
	{ "do_bad_area", TRAP }, { "__do_kernel_fault", TRAP }, { "die_kernel_fault", TRAP },
	{ "el1_abort", TRAP }, { "el1_da", TRAP }, { "el1_ia", TRAP }, { "el1_sync", TRAP },
	{ "el1_dbg", TRAP }, { "el1_undef", TRAP }, { "el1_inv", TRAP }, { "el1h_64_sync*", TRAP },
	{ "el1h_64_error*", TRAP }, { "do_debug_exception", TRAP }, { "call_break_hook", TRAP },
	{ "brk_handler", TRAP }, { "do_undefinstr", TRAP }, { "do_el1_undef", TRAP },
	{ "do_sp_pc_abort", TRAP }, { "do_serror", TRAP }, { "arm64_serror_panic", TRAP },
	{ "handle_mm_fault", TRAP }, { "__handle_mm_fault", TRAP }, { "handle_pte_fault", TRAP },
	{ "do_anonymous_page", TRAP }, { "do_huge_pmd_anonymous_page", TRAP }, { "__do_fault", TRAP },
	{ "do_fault", TRAP }, { "do_read_fault", TRAP }, { "do_cow_fault", TRAP }, { "do_shared_fault", TRAP },
	{ "do_wp_page", TRAP }, { "wp_page_copy", TRAP }, { "do_swap_page", TRAP },
	/* CHECK */
	{ "__list_add_valid*", CHECK }, { "__list_del_entry_valid*", CHECK }, { "__list_del_entry", CHECK },
	{ "list_del", CHECK }, { "__list_add", CHECK }, { "list_add", CHECK }, { "list_add_tail", CHECK },
	{ "refcount_warn_saturate", CHECK }, { "refcount_*", CHECK }, { "__refcount_*", CHECK },
	{ "check_bytes_and_report", CHECK }, { "check_object", CHECK }, { "check_slab", CHECK },
	{ "check_pad_bytes", CHECK }, { "slab_pad_check", CHECK }, { "on_freelist", CHECK },
	{ "free_debug_processing", CHECK }, { "alloc_debug_processing", CHECK },
	{ "free_consistency_checks", CHECK }, { "alloc_consistency_checks", CHECK },
	{ "free_to_partial_list", CHECK }, { "__check_object_size", CHECK }, { "check_heap_object", CHECK },
	{ "usercopy_abort", CHECK }, { "__might_sleep", CHECK }, { "___might_sleep", CHECK },
	{ "__might_resched", CHECK }, { "__might_fault", CHECK }, { "might_fault", CHECK },
	{ "__schedule_bug", CHECK }, { "schedule_debug", CHECK }, { "lockdep_*", CHECK },
	{ "lock_acquire", CHECK }, { "lock_release", CHECK }, { "__lock_acquire", CHECK },
	{ "__lock_release", CHECK }, { "lock_acquired", CHECK }, { "lock_contended", CHECK },
	{ "validate_chain", CHECK }, { "check_prev_add", CHECK }, { "check_prevs_add", CHECK },
	{ "check_noncircular", CHECK }, { "print_circular_bug", CHECK }, { "check_deadlock", CHECK },
	{ "print_deadlock_bug", CHECK }, { "mark_lock", CHECK }, { "mark_usage", CHECK },
	{ "print_usage_bug", CHECK }, { "valid_state", CHECK }, { "print_unlock_imbalance_bug", CHECK },
	{ "debug_object_*", CHECK }, { "debug_print_object", CHECK }, { "debug_check_no_*", CHECK },
	{ "check_preemption_disabled", CHECK }, { "__this_cpu_preempt_check", CHECK },
	{ "debug_smp_processor_id", CHECK }, { "register_lock_class", CHECK }, { "look_up_lock_class", CHECK },
	{ "spin_bug", CHECK }, { "spin_dump", CHECK }, { "do_raw_spin_*", CHECK }, { "rwlock_bug", CHECK },
	/* SLEEP */
	{ "__schedule", SLEEP }, { "schedule", SLEEP }, { "schedule_timeout*", SLEEP },
	{ "schedule_preempt_disabled", SLEEP }, { "schedule_hrtimeout*", SLEEP }, { "io_schedule*", SLEEP },
	{ "preempt_schedule*", SLEEP }, { "__cond_resched*", SLEEP }, { "_cond_resched", SLEEP },
	{ "msleep", SLEEP }, { "msleep_interruptible", SLEEP }, { "usleep_range*", SLEEP },
	{ "ssleep", SLEEP }, { "do_nanosleep", SLEEP }, { "hrtimer_nanosleep", SLEEP },
	{ "__mutex_lock*", SLEEP }, { "mutex_lock*", SLEEP }, { "__mutex_unlock_slowpath", SLEEP },
	{ "mutex_unlock", SLEEP }, { "__down*", SLEEP }, { "down", SLEEP }, { "down_interruptible", SLEEP },
	{ "down_killable", SLEEP }, { "down_timeout", SLEEP }, { "down_read*", SLEEP }, { "down_write*", SLEEP },
	{ "up", SLEEP }, { "up_read", SLEEP }, { "up_write", SLEEP }, { "rwsem_down_*", SLEEP },
	{ "__rwsem_*", SLEEP }, { "rt_mutex_*", SLEEP }, { "__rt_mutex_*", SLEEP },
	{ "rt_spin_lock*", SLEEP }, { "__wait_for_common", SLEEP }, { "wait_for_common*", SLEEP },
	{ "wait_for_completion*", SLEEP }, { "do_wait_for_common", SLEEP }, { "__wait_on_bit*", SLEEP },
	{ "out_of_line_wait_on_bit*", SLEEP }, { "wait_on_bit*", SLEEP }, { "bit_wait*", SLEEP },
	{ "__flush_work", SLEEP }, { "flush_work", SLEEP }, { "__flush_workqueue", SLEEP },
	{ "synchronize_rcu*", SLEEP }, { "__synchronize_srcu", SLEEP }, { "wait_rcu_gp", SLEEP },
	{ "__wait_rcu_gp", SLEEP }, { "_raw_spin_lock*", SLEEP }, { "_raw_spin_unlock*", SLEEP },
	{ "_raw_read_lock*", SLEEP }, { "_raw_write_lock*", SLEEP }, { "_raw_read_unlock*", SLEEP },
	{ "_raw_write_unlock*", SLEEP }, { "queued_spin_lock_slowpath", SLEEP },
	{ "native_queued_spin_lock_slowpath", SLEEP }, { "__pv_queued_spin_lock_slowpath", SLEEP },
	{ "pv_queued_spin_lock_slowpath", SLEEP }, { "queued_read_lock_slowpath", SLEEP },
	{ "queued_write_lock_slowpath", SLEEP }, { "__raw_spin_lock*", SLEEP }, { "spin_lock*", SLEEP },
	{ "delay_tsc", SLEEP }, { "delay_loop", SLEEP }, { "delay_halt*", SLEEP }, { "__delay", SLEEP },
	{ "__const_udelay", SLEEP }, { "__udelay", SLEEP }, { "__ndelay", SLEEP }, { "udelay", SLEEP },
	{ "mdelay", SLEEP }, { "prepare_to_wait*", SLEEP }, { "finish_wait", SLEEP }, { "__wake_up*", SLEEP },
	{ "try_to_wake_up", SLEEP }, { "wake_up_process", SLEEP }, { "context_switch", SLEEP },
	{ "finish_task_switch", SLEEP },
	/* HELPER */
	{ "memcpy*", HELPER }, { "__memcpy*", HELPER }, { "memset*", HELPER }, { "__memset*", HELPER },
	{ "memmove*", HELPER }, { "__memmove*", HELPER }, { "memcmp", HELPER }, { "__memcmp", HELPER },
	{ "bcmp", HELPER }, { "memchr*", HELPER }, { "memscan", HELPER }, { "strlen", HELPER },
	{ "strnlen*", HELPER }, { "strcmp", HELPER }, { "strncmp", HELPER }, { "strcpy", HELPER },
	{ "strncpy*", HELPER }, { "strscpy*", HELPER }, { "strlcpy", HELPER }, { "strcat", HELPER },
	{ "strlcat", HELPER }, { "strncat", HELPER }, { "strchr", HELPER }, { "strrchr", HELPER },
	{ "strstr", HELPER }, { "strsep", HELPER }, { "kstrdup*", HELPER }, { "kmemdup*", HELPER },
	{ "memdup_user*", HELPER }, { "strndup_user", HELPER }, { "sprintf", HELPER }, { "snprintf", HELPER },
	{ "vsnprintf", HELPER }, { "scnprintf", HELPER }, { "vscnprintf", HELPER }, { "kasprintf", HELPER },
	{ "kvasprintf", HELPER }, { "copy_user_*", HELPER }, { "__copy_user*", HELPER },
	{ "_copy_to_user", HELPER }, { "_copy_from_user", HELPER }, { "copy_to_user*", HELPER },
	{ "copy_from_user*", HELPER }, { "raw_copy_*", HELPER }, { "rep_movs_alternative", HELPER },
	{ "rep_stos_alternative", HELPER }, { "__arch_copy_*", HELPER }, { "__get_user_*", HELPER },
	{ "__put_user_*", HELPER }, { "strncpy_from_user", HELPER }, { "clear_user", HELPER },
	{ "__clear_user", HELPER }, { "kfree", HELPER }, { "kvfree", HELPER }, { "kfree_sensitive", HELPER },
	{ "kzfree", HELPER }, { "kmem_cache_free*", HELPER }, { "__kmem_cache_free", HELPER },
	{ "slab_free*", HELPER }, { "do_slab_free", HELPER }, { "__slab_free", HELPER },
	{ "___cache_free", HELPER }, { "__cache_free", HELPER }, { "kmalloc*", HELPER },
	{ "__kmalloc*", HELPER }, { "kzalloc*", HELPER }, { "kcalloc*", HELPER }, { "krealloc*", HELPER },
	{ "__krealloc", HELPER }, { "kvmalloc*", HELPER }, { "kvzalloc*", HELPER }, { "kmem_cache_alloc*", HELPER },
	{ "__kmem_cache_alloc*", HELPER }, { "__kmalloc_large*", HELPER }, { "___kmalloc_large*", HELPER },
	{ "kmalloc_large*", HELPER }, { "__kvmalloc*", HELPER }, { "__alloc_frozen_pages*", HELPER }, { "slab_alloc*", HELPER }, { "___slab_alloc", HELPER },
	{ "__slab_alloc*", HELPER }, { "get_partial_node", HELPER }, { "get_partial", HELPER },
	{ "new_slab", HELPER }, { "allocate_slab", HELPER }, { "__alloc_pages*", HELPER },
	{ "alloc_pages*", HELPER }, { "__alloc_pages_slowpath", HELPER }, { "__get_free_pages", HELPER },
	{ "get_zeroed_page", HELPER }, { "__folio_alloc*", HELPER }, { "folio_alloc*", HELPER },
	{ "vma_alloc_folio", HELPER }, { "__vmalloc*", HELPER }, { "vmalloc*", HELPER }, { "vzalloc*", HELPER },
	{ "vfree", HELPER }, { "__vfree", HELPER }, { "free_pages", HELPER }, { "__free_pages", HELPER },
	{ "free_unref_page*", HELPER }, { "__free_one_page", HELPER },
	/* IRQ */
	{ "__irq_exit_rcu", IRQ }, { "irq_exit_rcu", IRQ }, { "irq_exit", IRQ }, { "__do_softirq", IRQ },
	{ "handle_softirqs", IRQ }, { "do_softirq*", IRQ }, { "__local_bh_enable_ip", IRQ },
	{ "local_bh_enable", IRQ }, { "run_ksoftirqd", IRQ }, { "__run_timers", IRQ }, { "run_timer_softirq", IRQ },
	{ "call_timer_fn", IRQ }, { "expire_timers", IRQ }, { "__run_timer_base", IRQ },
	{ "run_timer_base", IRQ }, { "__hrtimer_run_queues", IRQ }, { "hrtimer_interrupt", IRQ },
	{ "__run_hrtimer", IRQ }, { "hrtimer_run_queues", IRQ }, { "tick_sched_timer", IRQ },
	{ "tick_sched_handle", IRQ }, { "tick_nohz_handler", IRQ }, { "tick_handle_periodic", IRQ },
	{ "update_process_times", IRQ }, { "local_apic_timer_interrupt", IRQ },
	{ "smp_apic_timer_interrupt", IRQ }, { "handle_irq_event*", IRQ }, { "__handle_irq_event_percpu", IRQ },
	{ "handle_edge_irq", IRQ }, { "handle_fasteoi_irq", IRQ }, { "handle_level_irq", IRQ },
	{ "handle_irq", IRQ }, { "__handle_domain_irq", IRQ }, { "generic_handle_irq*", IRQ },
	{ "generic_handle_domain_irq", IRQ }, { "gic_handle_irq", IRQ }, { "do_IRQ", IRQ },
	{ "tasklet_action*", IRQ }, { "net_rx_action", IRQ }, { "net_tx_action", IRQ }, { "rcu_core", IRQ },
	{ "rcu_core_si", IRQ }, { "rcu_do_batch", IRQ }, { "rcu_process_callbacks", IRQ },
	{ "flush_smp_call_function_queue", IRQ }, { "__flush_smp_call_function_queue", IRQ },
	{ "generic_smp_call_function_single_interrupt", IRQ }, { "nmi_handle", IRQ },
	{ "default_do_nmi", IRQ }, { "perf_event_nmi_handler", IRQ }, { "__perf_event_overflow", IRQ },
	{ "do_idle", IRQ }, { "cpu_startup_entry", IRQ }, { "default_idle", IRQ }, { "default_idle_call", IRQ },
	{ "arch_cpu_idle", IRQ }, { "native_safe_halt", IRQ }, { "amd_e400_idle", IRQ }, { "cpuidle_enter*", IRQ },
	{ "acpi_idle_*", IRQ }, { "intel_idle*", IRQ }, { "mwait_idle*", IRQ }, { "cpu_idle_poll", IRQ },
	{ "unwind_next_frame", IRQ }, { "__unwind_start", IRQ }, { "unwind_start", IRQ },
	{ "arch_stack_walk*", IRQ }, { "stack_trace_save*", IRQ }, { "__orc_find", IRQ },
	{ "orc_find", IRQ }, { "stack_access_ok", IRQ }, { "deref_stack_reg", IRQ },
	{ "walk_stackframe", IRQ }, { "kernel_text_address", IRQ }, { "__kernel_text_address", IRQ },
	{ "set_track_prepare", IRQ }, { "set_track*", IRQ }, { "save_stack", IRQ },
	{ "kasan_save_stack", IRQ }, { "kasan_set_track", IRQ }, { "____kasan_kmalloc", IRQ },
	/* ENTRY */
	{ "ret_from_fork*", ENTRY }, { "kthread", ENTRY }, { "worker_thread", ENTRY },
	{ "process_one_work", ENTRY }, { "process_scheduled_works", ENTRY }, { "rescuer_thread", ENTRY },
	{ "smpboot_thread_fn", ENTRY }, { "kthread_worker_fn", ENTRY }, { "irq_thread", ENTRY },
	{ "irq_thread_fn", ENTRY }, { "irq_forced_thread_fn", ENTRY }, { "do_syscall_64", ENTRY },
	{ "do_syscall_x64", ENTRY }, { "do_syscall_32_irqs_on", ENTRY }, { "do_fast_syscall_32", ENTRY },
	{ "do_int80_syscall_32", ENTRY }, { "__do_fast_syscall_32", ENTRY }, { "entry_SYSCALL*", ENTRY },
	{ "entry_SYSENTER*", ENTRY }, { "entry_INT80*", ENTRY }, { "syscall_exit_to_user_mode*", ENTRY },
	{ "exit_to_user_mode*", ENTRY }, { "irqentry_exit*", ENTRY }, { "irqentry_enter*", ENTRY },
	{ "el0_svc*", ENTRY }, { "el0t_64_sync*", ENTRY }, { "el0t_32_sync*", ENTRY },
	{ "invoke_syscall", ENTRY }, { "do_el0_svc*", ENTRY }, { "el0_da", ENTRY }, { "el0_ia", ENTRY },
	{ "el1_interrupt", IRQ_ENTRY }, { "el1h_64_irq*", IRQ_ENTRY }, { "el0_interrupt", IRQ_ENTRY },
	{ "el0t_64_irq*", IRQ_ENTRY }, { "asm_sysvec_*", IRQ_ENTRY }, { "sysvec_*", IRQ_ENTRY },
	{ "__sysvec_*", IRQ_ENTRY }, { "asm_common_interrupt", IRQ_ENTRY }, { "common_interrupt", IRQ_ENTRY },
	{ "apic_timer_interrupt", IRQ_ENTRY }, { "smp_apic_timer_interrupt", IRQ_ENTRY },
	{ "asm_exc_nmi", IRQ_ENTRY }, { "exc_nmi", IRQ_ENTRY }, { "nmi", IRQ_ENTRY },
	{ "end_repeat_nmi", IRQ_ENTRY },
	{ "secondary_startup_64*", ENTRY }, { "start_secondary", ENTRY }, { "start_kernel", ENTRY },
	{ "rest_init", ENTRY }, { "arch_call_rest_init", ENTRY }, { "x86_64_start_*", ENTRY },
	{ "secondary_start_kernel", ENTRY }, { "__primary_switched", ENTRY }, { "kernel_init", ENTRY },
};

#define NGENERIC (sizeof generic_frames / sizeof generic_frames[0])

/* The kind of a generic frame, 0 when it is meaningful. */
static unsigned generic_kind(const char *sym, size_t n)
{
	size_t i, k;

	for (i = 0; i < NGENERIC; i++) {
		const char *g = generic_frames[i].name;

		for (k = 0; k < n && g[k] && g[k] != '*' && g[k] == sym[k]; k++)
			;
		if ((g[k] == '*' && g[k + 1] == '\0') || (k == n && g[k] == '\0'))
			return generic_frames[i].kind;
	}
	return 0;
}

int ps_bucket_generic_frame(const char *sym, size_t n)
{
	return generic_kind(sym, n) != 0;
}

/* ---- text helpers ---- */

static int equal(const char *s, size_t n, const char *p)
{
	return ps_strlen(p) == n && ps_starts(s, n, p);
}

/* Copies n bytes of s into dst[cap] as printable ASCII, NUL-terminated. */
static void put(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (n > cap - 1)
		n = cap - 1;
	for (i = 0; i < n; i++)
		dst[i] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
	dst[n] = '\0';
}

/* ---- the title ---- */

struct title {
	char *p;
	size_t cap, len;
	int full;
};

static void title_token(struct title *t, const char *s, size_t n)
{
	size_t need = n + (t->len ? 1 : 0);

	if (t->full)
		return;
	if (n == 3 && ps_starts(s, 3, PS_WILDCARD) && t->len >= 3 &&
	    ps_starts(t->p + t->len - 3, 3, PS_WILDCARD))
		return;                                   /* runs of <*> become one */
	if (t->len + need > t->cap - 1) {
		t->full = 1;                              /* cut at a token boundary */
		return;
	}
	if (t->len)
		t->p[t->len++] = ' ';
	put(t->p + t->len, t->cap - t->len, s, n);
	t->len += n;
}

/* A task named as comm:pid, comm/pid/..., comm[pid] or [comm/cpu:pid]:
 * after masking, a name followed only by wildcard parts, each after a
 * '/', ':' or '['.  A source file ("psdev.c:<*>") is not a task. */
static int task_token(const char *s, size_t n)
{
	size_t i = 0, name, groups = 0;

	if (i < n && (s[i] == '[' || s[i] == '('))
		i++;
	name = i;
	while (i < n && s[i] != '/' && s[i] != ':' && s[i] != '[' && s[i] != ']' && s[i] != '(' &&
	       s[i] != ')' && s[i] != '<')
		i++;
	if (i == name)
		return 0;
	if (i - name >= 2 && s[i - 2] == '.' && (s[i - 1] == 'c' || s[i - 1] == 'h'))
		return 0;
	while (i < n && (s[i] == '/' || s[i] == ':' || s[i] == '[') && n - i >= 4 &&
	       ps_starts(s + i + 1, n - i - 1, PS_WILDCARD)) {
		i += 4;
		if (i < n && s[i] == ']')
			i++;
		groups++;
	}
	if (!groups)
		return 0;
	while (i < n && (s[i] == ']' || s[i] == ')' || s[i] == ':' || s[i] == ',' || s[i] == ';' ||
			 s[i] == '!' || s[i] == '.'))
		i++;
	return i == n;
}

/* A number with a unit after masking ("<*>k" of kmalloc-1k, "<*>ms",
 * "<*>KB"): the unit goes, as the number did ("kmalloc-<*>").  Returns
 * the offset of the unit's first byte and its length in *ulen, or 0. */
static size_t unit_at(const char *s, size_t n, size_t *ulen)
{
	size_t i, k;

	for (i = 0; i + 3 <= n; i++) {
		if (!ps_starts(s + i, n - i, PS_WILDCARD))
			continue;
		for (k = i + 3; k < n && k < i + 5 && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z'));
		     k++)
			;
		if (k > i + 3 && (k == n || s[k] == ',' || s[k] == ':' || s[k] == ')' || s[k] == '!')) {
			*ulen = k - (i + 3);
			return i + 3;
		}
	}
	return 0;
}

static int has_byte(const char *s, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == c)
			return 1;
	return 0;
}

/* "comm", "(device", "Comm:" ...: the next token names a process or a
 * device. */
static int names_next(const char *s, size_t n)
{
	while (n && (*s == '(' || *s == '['))
		s++, n--;
	while (n && (s[n - 1] == ':' || s[n - 1] == ','))
		n--;
	return equal(s, n, "comm") || equal(s, n, "Comm") || equal(s, n, "task") ||
	       equal(s, n, "process") || equal(s, n, "device") || equal(s, n, "dev");
}

static void make_title(const char *m, size_t n, char *out, size_t cap)
{
	struct title t = { out, cap, 0, 0 };
	size_t i = 0, u, ulen;
	int wild_next = 0, taint = 0;

	out[0] = '\0';
	while (i < n) {
		size_t s, e;

		while (i < n && m[i] == ' ')
			i++;
		s = i;
		while (i < n && m[i] != ' ')
			i++;
		e = i;
		if (e == s)
			break;
		if (taint) {                       /* inside "(Tainted: ... )" */
			taint = !has_byte(m + s, e - s, ')');
			continue;
		}
		if (ps_starts(m + s, e - s, "(Tainted:")) {
			taint = !has_byte(m + s, e - s, ')');
			continue;
		}
		if (equal(m + s, e - s, "(Not") && e < n && ps_starts(m + e + 1, n - e - 1, "tainted)")) {
			for (i = e + 1; i < n && m[i] != ' '; i++)
				;                      /* "tainted)" and what is glued to it */
			continue;
		}
		if (wild_next || task_token(m + s, e - s) ||
		    (i < n && ps_starts(m + i + 1, n - i - 1, "invoked oom-killer"))) {
			title_token(&t, PS_WILDCARD, 3);
			wild_next = 0;
			continue;
		}
		if ((u = unit_at(m + s, e - s, &ulen)) != 0) {
			char tok[PS_BUCKET_TITLE];
			size_t k = e - s - ulen;

			if (k < sizeof tok) {
				memcpy(tok, m + s, u);
				memcpy(tok + u, m + s + u + ulen, e - s - u - ulen);
				title_token(&t, tok, k);
				wild_next = 0;
				continue;
			}
		}
		wild_next = names_next(m + s, e - s);
		title_token(&t, m + s, e - s);
	}
}

/* ---- the frames ---- */

/* 1 when the frame's symbol is marked unreliable: a '?' just before it
 * ("? foo+0x1/0x2", "[<ffffffff8100>] ? foo+0x1/0x2"). */
static int unreliable(const struct ps_line *l)
{
	const char *t = l->rec->text, *p = l->sym;

	if (p < t || p > t + l->rec->len)
		return 0;
	while (p > t && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	return p > t && p[-1] == '?';
}

/* The module in "foo+0x1/0x2 [mod]" or "[mod buildid]", into out. */
static void frame_module(const struct ps_line *l, char *out, size_t cap)
{
	const char *t = l->rec->text, *end = t + l->rec->len, *p = l->sym + l->symlen, *m;

	out[0] = '\0';
	if (p < t || p > end)
		return;
	while (p < end && *p != ' ' && *p != '\t')
		p++;                               /* the rest of "+0x1/0x2" */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '[' || (p + 1 < end && p[1] == '<'))
		return;
	m = ++p;
	while (p < end && *p != ']' && *p != ' ' && *p != '\t')
		p++;
	if (p < end && p > m)
		put(out, cap, m, (size_t)(p - m));
}

static int trace_end_marker(const struct ps_line *l)
{
	const char *s = l->rec->text;
	size_t n = l->rec->len;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	return ps_starts(s, n, "</TASK>") || ps_starts(s, n, "</IRQ>") || ps_starts(s, n, "</NMI>");
}

static int trace_start_marker(const struct ps_line *l)
{
	const char *s = l->rec->text;
	size_t n = l->rec->len;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	return ps_starts(s, n, "Call Trace:") || ps_starts(s, n, "Call trace:") || ps_starts(s, n, "Backtrace:");
}

/* Lines read after the header at most: a trace is far shorter. */
#define SCAN_LINES 512u

/* Frames from line `from` on (the line after the header); `stuck`: a
 * CPU lockup or stall, whose interrupted context is read too. */
static void collect_frames(const struct ps_analysis *an, uint32_t from, int stuck, struct ps_bucket_sig *sig)
{
	uint32_t i, end = an->nlines, traces = 0;

	if (from > end)
		return;
	if (end - from > SCAN_LINES)
		end = from + SCAN_LINES;
	for (i = from; i < end && sig->nframes < PS_BUCKET_FRAMES; i++) {
		const struct ps_line *l = &an->lines[i];
		unsigned kind;
		uint32_t k;
		int dup = 0;

		if (l->flags & (PS_LINE_PRIMARY | PS_LINE_PANIC)) {
			if (sig->nframes)
				break;                 /* the next report */
			continue;
		}
		if (l->flags & PS_LINE_TRACE) {
			if (sig->nframes && (trace_end_marker(l) || (trace_start_marker(l) && traces++)))
				break;
			if (trace_start_marker(l) && !sig->nframes)
				traces = 1;
			continue;
		}
		if (!(l->flags & PS_LINE_FRAME) || !l->sym || !l->symlen || unreliable(l))
			continue;
		kind = generic_kind(l->sym, l->symlen);
		if ((kind == ENTRY || kind == IRQ_ENTRY) && sig->nframes)
			break;
		if (kind == IRQ_ENTRY && !stuck)
			break;
		if (kind)
			continue;
		for (k = 0; k < sig->nframes; k++)
			if (ps_strlen(sig->frames[k]) == l->symlen && memcmp(sig->frames[k], l->sym, l->symlen) == 0)
				dup = 1;
		if (dup)
			continue;                      /* recursion: one entry */
		if (sig->nframes == 0)
			frame_module(l, sig->module, sizeof sig->module);
		put(sig->frames[sig->nframes++], PS_BUCKET_SYM, l->sym, l->symlen);
	}
}

/* ---- the signature ---- */

static uint64_t hash_field(uint64_t h, const char *s)
{
	size_t n = ps_strlen(s);

	/* each field followed by a 0 byte: fields cannot run into each other */
	h = ps_hash(s, n, h);
	return ps_hash("", 1, h);
}

void ps_bucket_rekey(struct ps_bucket_sig *sig)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = 0;
	int i;

	h = hash_field(h, "panicsage-bucket-1");
	h = hash_field(h, sig->kind);
	h = hash_field(h, sig->title);
	h = hash_field(h, sig->module);
	h = hash_field(h, sig->nframes ? sig->frames[0] : "");
	sig->key = h;
	for (i = 0; i < PS_BUCKET_ID_LEN; i++)
		sig->id[i] = hex[(h >> (60 - 4 * i)) & 15];
	sig->id[PS_BUCKET_ID_LEN] = '\0';
}

void ps_bucket_compute(const struct ps_analysis *an, struct ps_bucket_sig *sig)
{
	uint32_t start = an->header != PS_NONE ? an->header : an->panic;

	memset(sig, 0, sizeof *sig);
	if (start != PS_NONE && start < an->nlines) {
		const struct ps_line *l = &an->lines[start];
		const char *label = l->cat ? ps_cat_label_name(l->cat_label) : NULL;
		int stuck = label && ps_strlen(label) == 10 && ps_starts(label, 10, "cpu-lockup");

		/* the kind: the catalogue entry the header matched */
		if (an->catalogue && l->cat && l->cat <= an->catalogue->n) {
			const struct ps_cat_entry *e = &an->catalogue->entry[l->cat - 1];

			put(sig->kind, sizeof sig->kind, e->id.p, e->id.n);
		}
		if (l->masked)
			make_title(l->masked, l->mlen, sig->title, sizeof sig->title);
		collect_frames(an, start + 1, stuck, sig);
	} else if (an->nsegment) {
		/* no report: the frames of the fault-indicating segment */
		collect_frames(an, an->segment[0], 0, sig);
	}
	ps_bucket_rekey(sig);
}

/* ---- comparing signatures ---- */

static int has_frame(const struct ps_bucket_sig *s, const char *f)
{
	uint32_t i;
	size_t n = ps_strlen(f);

	for (i = 0; i < s->nframes; i++)
		if (ps_strlen(s->frames[i]) == n && memcmp(s->frames[i], f, n) == 0)
			return 1;
	return 0;
}

unsigned ps_bucket_frame_similarity(const struct ps_bucket_sig *a, const struct ps_bucket_sig *b)
{
	uint32_t i, common = 0, uni;

	for (i = 0; i < a->nframes; i++)
		common += (unsigned)has_frame(b, a->frames[i]);
	uni = a->nframes + b->nframes - common;
	return uni ? (unsigned)(100u * common / uni) : 0u;    /* no frames: nothing shared */
}

int ps_bucket_similar(const struct ps_bucket_sig *a, const struct ps_bucket_sig *b)
{
	if (!ps_streq(a->kind, b->kind) || !ps_streq(a->title, b->title) || !ps_streq(a->module, b->module))
		return 0;
	if (!a->nframes || !b->nframes)
		return a->nframes == b->nframes;
	if (!has_frame(b, a->frames[0]) && !has_frame(a, b->frames[0]))
		return 0;
	return ps_bucket_frame_similarity(a, b) >= PS_BUCKET_SIMILARITY;
}

size_t ps_bucket_frames_str(const struct ps_bucket_sig *sig, char *out, size_t cap)
{
	size_t len = 0, n;
	uint32_t i;

	if (!cap)
		return 0;
	out[0] = '\0';
	for (i = 0; i < sig->nframes; i++) {
		n = ps_strlen(sig->frames[i]);
		if (len + (i ? 1 : 0) + n > cap - 1)
			break;
		if (i)
			out[len++] = ' ';
		memcpy(out + len, sig->frames[i], n);
		len += n;
		out[len] = '\0';
	}
	return len;
}

void ps_bucket_set_frames(struct ps_bucket_sig *sig, const char *s, size_t n)
{
	size_t i = 0;

	sig->nframes = 0;
	while (i < n && sig->nframes < PS_BUCKET_FRAMES) {
		size_t b;

		while (i < n && s[i] == ' ')
			i++;
		b = i;
		while (i < n && s[i] != ' ')
			i++;
		if (i > b)
			put(sig->frames[sig->nframes++], PS_BUCKET_SYM, s + b, i - b);
	}
}
