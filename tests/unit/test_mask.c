/* Built-in kernel masking and stack-frame recognition. */
#include "tests/unit/check.h"

#include "core/mask.h"

static char out[4096];

static void mask_is(const char *in, const char *want)
{
	size_t n = ps_mask_kernel(in, strlen(in), out, sizeof out);

	CHECK_EQ_INT(n, strlen(out));
	CHECK_EQ_STR(out, want);
}

static void frame_is(const char *line, const char *want)
{
	const char *sym = NULL;
	size_t n = ps_frame_symbol(line, strlen(line), &sym);

	if (!want) {
		CHECK_EQ_INT(n, 0);
		return;
	}
	CHECK(n > 0);
	if (n)
		CHECK_SPAN(sym, n, want);
}

int main(void)
{
	mask_is("CPU: 1 PID: 18769 Comm: syz-executor2 Not tainted 4.3.5+ #10",
		"CPU: <*> PID: <*> Comm: syz-executor<*> Not tainted <*> <*>");
	mask_is("RIP: 0010:__call_rcu.constprop.76+0x1f/0x280 kernel/rcu/tree.c:3046",
		"RIP: __call_rcu kernel/rcu/tree.c:<*>");
	mask_is(" [<ffffffff810a376f>] ? ext4_fill_super+0x1a/0x40 [ext4]",
		"<*> ? ext4_fill_super [ext<*>]");
	mask_is("watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [kworker/0:1:42]",
		"watchdog: BUG: soft lockup - CPU#<*> stuck for <*>s! [kworker/<*>:<*>:<*>]");
	mask_is("EXT4-fs error (device sda1): bad block 0x1f, deadbeef cafe",
		"EXT<*>-fs error (device sda<*>): bad block <*> <*> cafe");
	mask_is("x86_64 ipv6_rcv pid=1234 addr=ffff8801daf06c10 (0x6)",
		"x86_<*> ipv6_rcv pid=<*> addr=<*> <*>");
	mask_is("   lots   of\t\tspace  ", "lots of space");
	mask_is("", "");
	mask_is("<*> already masked", "<*> already masked");

	/* never writes past the capacity */
	memset(out, 'Z', sizeof out);
	CHECK_EQ_INT(ps_mask_kernel("1 2 3 4 5", 9, out, 6), 5);
	CHECK_EQ_STR(out, "<*> <");
	CHECK(out[6] == 'Z');

	frame_is(" dump_stack+0x194/0x24d", "dump_stack");
	frame_is(" ? __call_rcu.constprop.76+0x1f/0x280 kernel/rcu/tree.c:3046", "__call_rcu");
	frame_is("RIP: 0010:usercopy_abort+0xbd/0xbf", "usercopy_abort");
	frame_is("IP: [<ffffffff810a376f>] __call_rcu.constprop.76+0x1f/0x280", "__call_rcu");
	frame_is(" [<ffffffff81475701>] ? __might_fault+0x11/0x20", "__might_fault");
	frame_is("LR is at do_futex+0x158/0xf14", NULL);
	frame_is(" do_futex+0x158/0xf14 [futex]", "do_futex");
	frame_is("CPU: 0 PID: 1 Comm: init", NULL);
	frame_is("a+b", NULL);
	frame_is("", NULL);
	frame_is("+0x10/0x20", NULL);

	CHECK(ps_hash("abc", 3, 0) != ps_hash("abd", 3, 0));
	CHECK(ps_hash("abc", 3, 0) != ps_hash("abc", 3, 1));
	CHECK(ps_hash("abc", 3, 7) == ps_hash("abc", 3, 7));
	return check_summary("test_mask");
}
