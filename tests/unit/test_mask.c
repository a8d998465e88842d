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

	/* the token memo and its shapes change nothing: tokens alike but
	 * for their digits 1-9 share a masked form only where it kept none
	 * of them ("pid=629", "pid=471"; not "ext4_fill", "ext5_fill") */
	{
		static const char *const lines[] = {
			"ext4_fill pid=629 i446FX sda1 0x1f at 12:34 CPU#3 7e 1x1f",
			"ext5_fill pid=471 i447FX sda2 1x1f at 98:76 CPU#9 8e 0x1f",
			"ext4_fill pid=905 i446FX sda9 0x2e at 10:01 CPU#0 0e 9x9f",
			"ext9_fill_super+0x1a/0x40 pid=111 i999FX sda5 12ab 34cd 56ef78ab",
		};
		static struct ps_mask_memo memo;
		char want[256];
		size_t k, n, r;
		int round;

		for (round = 0; round < 2; round++) {
			for (k = 0; k < sizeof lines / sizeof lines[0]; k++) {
				n = ps_mask_kernel(lines[k], strlen(lines[k]), want, sizeof want);
				r = ps_mask_line(&memo, lines[k], strlen(lines[k]), out, sizeof out);
				CHECK_EQ_INT(r, n);
				CHECK_EQ_STR(out, want);
			}
		}
		mask_is(lines[1], "ext5_fill pid=<*> i447FX sda<*> <*>x1f at <*> CPU#<*> <*>e <*>");
	}

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

	/* the class table says what the comparisons it replaced said */
	{
		int c, bad = 0;

		for (c = 0; c < 256; c++) {
			int digit = c >= '0' && c <= '9';
			int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			int hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
			int space = c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
			int sym = digit || alpha || c == '_' || c == '.' || c == '$';

			bad += !ps_is_space((unsigned char)c) != !space;
			bad += !(ps_ctype[c] & PS_CH_DIGIT) != !digit;
			bad += !(ps_ctype[c] & PS_CH_ALPHA) != !alpha;
			bad += !(ps_ctype[c] & PS_CH_ALNUM) != !(digit || alpha);
			bad += !(ps_ctype[c] & PS_CH_HEX) != !hex;
			bad += !(ps_ctype[c] & PS_CH_SYM) != !sym;
			bad += !(ps_ctype[c] & PS_CH_PLUS) != !(c == '+');
		}
		CHECK_EQ_INT(bad, 0);
	}
	/* ps_bytes_eq is memcmp() == 0, ps_hash_fast depends on the bytes
	 * only (not on where they are), for every length around the steps */
	{
		char a[80], b[90];
		size_t n, k, bad = 0;

		for (k = 0; k < sizeof a; k++)
			a[k] = (char)(k * 7 + 1);
		for (n = 0; n <= 40; n++) {
			memcpy(b + 3, a + 5, n);
			bad += !ps_bytes_eq(a + 5, b + 3, n);
			bad += ps_hash_fast(a + 5, n, 9) != ps_hash_fast(b + 3, n, 9);
			for (k = 0; k < n; k++) {
				b[3 + k] ^= 0x20;
				bad += ps_bytes_eq(a + 5, b + 3, n);
				b[3 + k] ^= 0x20;
			}
		}
		CHECK_EQ_INT(bad, 0);
		CHECK(ps_hash_fast("abc", 3, 0) != ps_hash_fast("abd", 3, 0));
		CHECK(ps_hash_fast("ab", 2, 0) != ps_hash_fast("ab\0", 3, 0));
	}

	CHECK(ps_hash("abc", 3, 0) != ps_hash("abd", 3, 0));
	CHECK(ps_hash("abc", 3, 0) != ps_hash("abc", 3, 1));
	CHECK(ps_hash("abc", 3, 7) == ps_hash("abc", 3, 7));
	return check_summary("test_mask");
}
