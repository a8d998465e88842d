/* Log input forms: every line form DESIGN.md lists, and the edges. */
#include "tests/unit/check.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/status.h"

static unsigned char mem[1 << 20];

static struct ps_record one(const char *line)
{
	struct ps_record r;

	ps_log_parse_line(&r, line, strlen(line));
	return r;
}

static void test_line_forms(void)
{
	struct ps_record r;

	r = one("BUG: unable to handle page fault");
	CHECK_SPAN(r.text, r.len, "BUG: unable to handle page fault");
	CHECK_EQ_INT(r.ts_us, PS_NO_TS);
	CHECK_EQ_INT(r.level, PS_NO_LEVEL);
	CHECK(r.caller == PS_NO_CALLER);

	r = one("[   12.345678] usb 1-1: new device");
	CHECK_SPAN(r.text, r.len, "usb 1-1: new device");
	CHECK_EQ_INT(r.ts_us, 12345678);

	r = one("[12.5] short fraction");
	CHECK_EQ_INT(r.ts_us, 12500000);
	CHECK_SPAN(r.text, r.len, "short fraction");

	r = one("<4>[ 1019.110825] WARNING: CPU: 0 PID: 1 at x");
	CHECK_EQ_INT(r.level, 4);
	CHECK_EQ_INT(r.ts_us, 1019110825);
	CHECK_SPAN(r.text, r.len, "WARNING: CPU: 0 PID: 1 at x");

	r = one("<12>no timestamp, facility 1 level 4");
	CHECK_EQ_INT(r.level, 4);
	CHECK_SPAN(r.text, r.len, "no timestamp, facility 1 level 4");

	r = one("[   39.546482][ T5855] BUG: KASAN: use-after-free");
	CHECK_EQ_INT(r.ts_us, 39546482);
	CHECK(r.caller == 5855);
	CHECK_SPAN(r.text, r.len, "BUG: KASAN: use-after-free");

	r = one("[  414.269022][T17509] ====");
	CHECK(r.caller == 17509);
	CHECK_SPAN(r.text, r.len, "====");

	r = one("[  100.000001][    C1] rcu: INFO: stall");
	CHECK(r.caller == (1 | PS_CALLER_CPU));
	CHECK_SPAN(r.text, r.len, "rcu: INFO: stall");

	r = one("6,339,5140900,-;NET: Registered protocol family 10");
	CHECK_EQ_INT(r.level, 6);
	CHECK_EQ_INT(r.ts_us, 5140900);
	CHECK_SPAN(r.text, r.len, "NET: Registered protocol family 10");

	r = one("Nov 23 17:56:52 node7 kernel: [  123.000100] Oops: 0002 [#1] SMP");
	CHECK_EQ_INT(r.ts_us, 123000100);
	CHECK_SPAN(r.text, r.len, "Oops: 0002 [#1] SMP");

	r = one("Nov  3 07:06:05 node7 kernel: no kernel timestamp");
	CHECK_SPAN(r.text, r.len, "no kernel timestamp");

	r = one("Nov 23 17:56:52 node7 systemd[1]: Started foo.");
	CHECK_SPAN(r.text, r.len, "systemd[1]: Started foo.");

	r = one("2026-11-23T17:56:52.123456+00:00 node7 kernel: EXT4-fs error (device vda)");
	CHECK_SPAN(r.text, r.len, "EXT4-fs error (device vda)");

	r = one("2018/01/09 14:28:48 BUG: memory leak");
	CHECK_SPAN(r.text, r.len, "BUG: memory leak");

	/* serial captures */
	r = one("[    1.000000] hello\r\r");
	CHECK_SPAN(r.text, r.len, "hello");
	r = one("progress 10%\rprogress 100%\r");
	CHECK_SPAN(r.text, r.len, "progress 100%");

	/* another writer's fragment glued in front of a kernel line */
	r = one("syzkaller login: [   16.305150] INFO: trying to register non-static key.");
	CHECK_EQ_INT(r.ts_us, 16305150);
	CHECK_SPAN(r.text, r.len, "INFO: trying to register non-static key.");
	r = one("** 93 printk messages dropped ** [  322.962139] BUG: KASAN: slab-out-of-bounds");
	CHECK_SPAN(r.text, r.len, "BUG: KASAN: slab-out-of-bounds");
	/* but a bracketed number inside ordinary text is not a timestamp */
	r = one("version [1.2] of foo");
	CHECK_SPAN(r.text, r.len, "version [1.2] of foo");

	/* things that look like prefixes but are not */
	r = one("[ not a timestamp] text");
	CHECK_SPAN(r.text, r.len, "[ not a timestamp] text");
	CHECK_EQ_INT(r.ts_us, PS_NO_TS);
	r = one("<abc> not a level");
	CHECK_SPAN(r.text, r.len, "<abc> not a level");
	r = one("[  1.5");
	CHECK_SPAN(r.text, r.len, "[  1.5");
	r = one("[99999999999999999999.000000] overflowing seconds");
	CHECK_SPAN(r.text, r.len, "[99999999999999999999.000000] overflowing seconds");
}

static void test_parse(void)
{
	struct ps_arena a;
	struct ps_log log;
	static const char text[] =
		"[    0.000000] Linux version 6.1.0\n"
		"\n"
		"   \r\n"
		"[    1.000000] second\r\n"
		"bytes \xff\xfe\x00 inside\n"
		"[    2.000000] last line without newline";

	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, sizeof text - 1, 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 4);
	CHECK_EQ_INT(log.rec[0].line, 1);
	CHECK_EQ_INT(log.rec[1].line, 4);
	CHECK_SPAN(log.rec[1].text, log.rec[1].len, "second");
	CHECK_EQ_INT(log.rec[2].line, 5);
	CHECK_EQ_INT(log.rec[2].len, 16);         /* NUL and bad bytes kept */
	CHECK_EQ_INT(log.rec[3].line, 6);
	CHECK_SPAN(log.rec[3].text, log.rec[3].len, "last line without newline");
	CHECK_EQ_INT(log.with_ts, 3);

	/* keep only the newest lines; numbers still count from the top */
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, sizeof text - 1, 10, 2), PS_OK);
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(log.skipped_lines, 2);
	CHECK_EQ_INT(log.rec[0].line, 14);
	CHECK_EQ_INT(log.rec[1].line, 15);

	/* nothing usable */
	CHECK_EQ_INT(ps_log_parse(&log, &a, "", 0, 1, 10), PS_EINPUT);
	CHECK_EQ_INT(ps_log_parse(&log, &a, "\n\n \r\n\t\n", 6, 1, 10), PS_EINPUT);
	CHECK_EQ_INT(ps_log_parse(&log, &a, "x", 1, 1, 0), PS_ERANGE);

	/* an arena too small */
	ps_arena_init(&a, mem, 16);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, sizeof text - 1, 1, 100), PS_ENOMEM);
	CHECK(a.failed > 16);
}

static void test_long_and_binary(void)
{
	static char big[3 * PS_MAX_LINE];
	struct ps_arena a;
	struct ps_log log;
	size_t i;

	memset(big, 'x', sizeof big);
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, big, sizeof big, 1, 10), PS_OK);
	CHECK_EQ_INT(log.n, 1);
	CHECK_EQ_INT(log.rec[0].len, PS_MAX_LINE);
	CHECK_EQ_INT(log.cut_lines, 1);

	/* every byte value, many short lines: no crash, lines counted */
	for (i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7 + (i >> 8));
	ps_arena_init(&a, mem, sizeof mem);
	CHECK(ps_log_parse(&log, &a, big, sizeof big, 1, 1000000) == PS_OK);
	CHECK(log.n > 0);
	for (i = 0; i < log.n; i++)
		CHECK(log.rec[i].text >= big && log.rec[i].text + log.rec[i].len <= big + sizeof big);
}

static void test_casefile(void)
{
	static const char cf[] = "LABEL: hung-task\nTITLE: INFO: task hung\n\n[ 1.0] log\n";
	const char *v;
	uint32_t lines;
	size_t h = ps_casefile_header(cf, sizeof cf - 1, &lines);

	CHECK_EQ_INT(h, 41);
	CHECK_EQ_INT(lines, 3);
	CHECK_EQ_INT(ps_casefile_get(cf, h, "LABEL", &v), 9);
	CHECK(memcmp(v, "hung-task", 9) == 0);
	CHECK_EQ_INT(ps_casefile_get(cf, h, "TITLE", &v), 15);
	CHECK_EQ_INT(ps_casefile_get(cf, h, "SEED", &v), 0);

	/* not case files */
	CHECK_EQ_INT(ps_casefile_header("[ 1.0] BUG: x\n\nmore\n", 20, &lines), 0);
	CHECK_EQ_INT(ps_casefile_header("BUG: soft lockup\n\n", 18, &lines), 0);
	CHECK_EQ_INT(ps_casefile_header("WARNING: x\nRIP: y\n\n", 20, &lines), 0);
	CHECK_EQ_INT(ps_casefile_header("SOURCE: lab\n\nx\n", 16, &lines), 13);
	CHECK_EQ_INT(ps_casefile_header("\nLABEL: x\n\n", 11, &lines), 0);
	CHECK_EQ_INT(ps_casefile_header("LABEL: x\nno blank line", 22, &lines), 0);
	CHECK_EQ_INT(ps_casefile_header("", 0, &lines), 0);
}

/* release of the newest "CPU: ... <release>" record; "" when none */
static const char *release(const char *text)
{
	static char out[80];
	struct ps_arena a;
	struct ps_log log;

	ps_arena_init(&a, mem, sizeof mem);
	out[0] = 'x';
	out[1] = '\0';
	if (ps_log_parse(&log, &a, text, strlen(text), 1, 100) != PS_OK)
		return "(parse failed)";
	CHECK_EQ_INT(ps_log_release(&log, out, sizeof out), strlen(out));
	return out;
}

static void test_release(void)
{
	struct ps_arena a;
	struct ps_log log;
	char small[8];
	const char *two = "CPU: 0 PID: 1 Comm: a Not tainted 5.10.0-old #1\n"
			  "CPU: 1 PID: 2 Comm: b Not tainted 6.1.0-new #1\n";

	CHECK_EQ_STR(release("[   12.345678] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-13-amd64 "
			     "#1 Debian 6.1.55-1\n"), "6.1.0-13-amd64");
	/* tainted: the flags, one capital or a space each; 6.10+ has UID: */
	CHECK_EQ_STR(release("CPU: 1 UID: 0 PID: 42 Comm: bash Tainted: G        W  O       "
			     "6.12.0-rc1+ #3 PREEMPT(voluntary)\n"), "6.12.0-rc1+");
	CHECK_EQ_STR(release("<4>[ 3.1][ T42] CPU: 2 PID: 9 Comm: kworker/2:1 Kdump: loaded Tainted: "
			     "G    B             N 6.6.0-rc4-syzkaller-00085-gdeadbeef #0\n"),
		     "6.6.0-rc4-syzkaller-00085-gdeadbeef");
	CHECK_EQ_STR(release("Nov 23 17:56:52 host kernel: CPU: 0 PID: 1 Comm: init Not tainted "
			     "3.10.0-1160.el7.x86_64 #1\n"), "3.10.0-1160.el7.x86_64");
	/* a task named after the marker does not fool it: the last marker wins */
	CHECK_EQ_STR(release("CPU: 3 PID: 7 Comm: Not tainted 9 Tainted: G    B 5.15.0 #1\n"), "5.15.0");
	/* the newest record wins */
	CHECK_EQ_STR(release(two), "6.1.0-new");
	/* no release: wrong start, no marker, nothing after it, no digit,
	 * no dot, over 64 bytes, a control byte inside */
	CHECK_EQ_STR(release("Hardware name: QEMU Standard PC, Not tainted 6.1.0 #1\n"), "");
	CHECK_EQ_STR(release("CPU: 0 PID: 1 Comm: swapper/0 6.1.0 #1\n"), "");
	CHECK_EQ_STR(release("CPU: 0 PID: 1 Comm: swapper/0 Not tainted \n"), "");
	CHECK_EQ_STR(release("CPU: 0 PID: 1 Comm: swapper/0 Not tainted v6.1.0 #1\n"), "");
	CHECK_EQ_STR(release("CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6 #1\n"), "");
	CHECK_EQ_STR(release("CPU: 0 PID: 1 Comm: x Not tainted 6.1.0-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa #1\n"), "");
	CHECK_EQ_STR(release("CPU: 0 PID: 1 Comm: x Not tainted 6.1.0\x01x #1\n"), "");
	CHECK_EQ_STR(release("BUG: kernel NULL pointer dereference\n"), "");
	/* a buffer too small for it: nothing, not a cut release */
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, two, strlen(two), 1, 10), PS_OK);
	CHECK_EQ_INT(ps_log_release(&log, small, sizeof small), 0);
	CHECK_EQ_STR(small, "");
}

int main(void)
{
	test_release();
	test_line_forms();
	test_parse();
	test_long_and_binary();
	test_casefile();
	return check_summary("test_log");
}
