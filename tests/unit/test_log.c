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

	/* another program's syslog line is no kernel message */
	CHECK_EQ_INT(ps_log_parse_line(&r, "Nov 23 17:56:52 node7 systemd[1]: Started foo.", 47), 0);
	CHECK_EQ_INT(r.len, 0);

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

#define SEC 1000000LL

/* Every prefix of the forms in log.h, one line at a time. */
static void test_forms(void)
{
	struct ps_record r;

	/* syslog files: rsyslog / sysklogd, with and without the kernel's
	 * own timestamp, "kernel:" with no space, busybox's facility */
	r = one("Mar  4 10:11:12 node7 kernel: [  123.000100] Oops: 0002 [#1] SMP");
	CHECK_SPAN(r.text, r.len, "Oops: 0002 [#1] SMP");
	CHECK_EQ_INT(r.ts_us, 123000100);
	CHECK_EQ_INT(r.flags, PS_REC_SYSLOG);
	r = one("Mar  4 10:11:12 node7 kernel:[  123.000100] Oops: 0002 [#1] SMP");
	CHECK_SPAN(r.text, r.len, "Oops: 0002 [#1] SMP");
	CHECK_EQ_INT(r.ts_us, 123000100);
	r = one("Mar  4 10:11:12 router kern.warn kernel: [  123.000100] Oops");
	CHECK_SPAN(r.text, r.len, "Oops");
	CHECK_EQ_INT(r.ts_us, 123000100);
	/* wall clock only: a syslog time has no year; alone, a line's is
	 * absolute (2000-03-04 10:11:12, µs since 1970) */
	r = one("Mar  4 10:11:12 node7 kernel: BUG: soft lockup");
	CHECK_SPAN(r.text, r.len, "BUG: soft lockup");
	CHECK_EQ_INT(r.ts_us, 952164672 * SEC);
	CHECK_EQ_INT(r.flags, PS_REC_SYSLOG | PS_REC_WALL);
	/* journalctl: short (day with a zero), short-precise, short-iso,
	 * short-iso-precise / rsyslog's RFC 5424 time, short-full, short-unix */
	r = one("Mar 04 10:11:12 node7 kernel: BUG: soft lockup");
	CHECK_SPAN(r.text, r.len, "BUG: soft lockup");
	CHECK_EQ_INT(r.ts_us, 952164672 * SEC);
	r = one("Mar 04 10:11:12.250000 node7 kernel: x");
	CHECK_EQ_INT(r.ts_us, 952164672 * SEC + 250000);
	r = one("2024-03-04T10:11:12+0100 node7 kernel: x");
	CHECK_SPAN(r.text, r.len, "x");
	CHECK_EQ_INT(r.ts_us, 1709543472 * SEC);
	r = one("2024-03-01T10:11:12.123456+01:00 node7 kernel: EXT4-fs error");
	CHECK_SPAN(r.text, r.len, "EXT4-fs error");
	CHECK_EQ_INT(r.ts_us, 1709284272 * SEC + 123456);
	r = one("2024-03-04T09:11:12Z node7 kernel: x");
	CHECK_EQ_INT(r.ts_us, 1709543472 * SEC);
	r = one("Mon 2024-03-04 10:11:12 CET node7 kernel: x y");
	CHECK_SPAN(r.text, r.len, "x y");
	CHECK_EQ_INT(r.ts_us, 1709547072 * SEC);   /* the zone's name says no offset */
	r = one("1709547072.500000 node7 kernel: x");
	CHECK_SPAN(r.text, r.len, "x");
	CHECK_EQ_INT(r.ts_us, 1709547072 * SEC + 500000);
	/* short-monotonic and short-delta: the kernel's clock */
	r = one("[  123.456789] node7 kernel: usb 1-1: new device");
	CHECK_SPAN(r.text, r.len, "usb 1-1: new device");
	CHECK_EQ_INT(r.ts_us, 123456789);
	CHECK_EQ_INT(r.flags, PS_REC_SYSLOG);
	r = one("[  123.456789 <    0.000123>] node7 kernel:  <TASK>");
	CHECK_SPAN(r.text, r.len, " <TASK>");
	CHECK_EQ_INT(r.ts_us, 123456789);
	/* ... but a kernel line whose second word is not "kernel:" stays */
	r = one("[  123.456789] usb 1-1: new device");
	CHECK_SPAN(r.text, r.len, "usb 1-1: new device");
	CHECK_EQ_INT(r.flags, 0);
	/* journal markers and other programs are none */
	CHECK_EQ_INT(ps_log_parse_line(&r, "-- Boot 9e3779b97f4a7c15 --", 27), 0);
	CHECK_EQ_INT(ps_log_parse_line(&r, "-- No entries --", 16), 0);
	CHECK_EQ_INT(ps_log_parse_line(&r, "Mar  4 10:11:12 node7 rsyslogd: -- MARK --", 42), 0);
	CHECK_EQ_INT(ps_log_parse_line(&r, "Mar  4 10:11:12 node7 myapp[7]: Kernel panic - not syncing: x", 62), 0);
	/* syslog packets as a remote receiver shows them: the priority
	 * (its severity is the level) before an RFC 3164 or RFC 5424 line */
	r = one("<4>Mar  4 10:11:12 node7 kernel: [  123.000100] Oops: 0002 [#1] SMP");
	CHECK_SPAN(r.text, r.len, "Oops: 0002 [#1] SMP");
	CHECK_EQ_INT(r.ts_us, 123000100);
	CHECK_EQ_INT(r.level, 4);
	CHECK_EQ_INT(r.flags, PS_REC_SYSLOG);
	r = one("<12>1 2024-03-01T10:11:12.123456+01:00 node7.example.org kernel - - - EXT4-fs error");
	CHECK_SPAN(r.text, r.len, "EXT4-fs error");
	CHECK_EQ_INT(r.ts_us, 1709284272 * SEC + 123456);
	CHECK_EQ_INT(r.level, 4);
	r = one("<0>1 2024-03-01T10:11:12Z node7 kernel 0 MSG [meta sequenceId=\"7\"] BUG: x");
	CHECK_SPAN(r.text, r.len, "BUG: x");
	CHECK_EQ_INT(ps_log_parse_line(&r, "<30>Mar  4 10:11:12 node7 sshd[42]: Kernel panic - not syncing: x", 65), 0);
	CHECK_EQ_INT(ps_log_parse_line(&r, "<30>1 2024-03-01T10:11:12Z node7 sshd 42 - - Kernel panic", 57), 0);
	r = one("<4>March is not a syslog time");          /* a level, then text */
	CHECK_SPAN(r.text, r.len, "March is not a syslog time");
	/* a syslog line cut after the host */
	r = one("kernel: [  12.300000] BUG: x");
	CHECK_SPAN(r.text, r.len, "BUG: x");
	CHECK_EQ_INT(r.ts_us, 12300000);
	r = one("kernel: panic_on_warn set");
	CHECK_SPAN(r.text, r.len, "kernel: panic_on_warn set");

	/* dmesg's options: -T, -x, -d, --time-format iso, -r */
	r = one("[Mon Mar  4 10:11:12 2024] BUG: x");
	CHECK_SPAN(r.text, r.len, "BUG: x");
	CHECK_EQ_INT(r.ts_us, 1709547072 * SEC);
	CHECK_EQ_INT(r.flags, PS_REC_WALL);
	r = one("kern  :warn  : [    1.500000] WARNING: x");
	CHECK_SPAN(r.text, r.len, "WARNING: x");
	CHECK_EQ_INT(r.level, 4);
	CHECK_EQ_INT(r.ts_us, 1500000);
	r = one("kern  :notice: [    0.000000] Linux version");
	CHECK_EQ_INT(r.level, 5);
	CHECK_SPAN(r.text, r.len, "Linux version");
	r = one("user  :info  : [    9.000000] systemd[1]: hi");
	CHECK_EQ_INT(r.level, 6);
	CHECK_SPAN(r.text, r.len, "systemd[1]: hi");
	r = one("cachefs: registered cache device");    /* not a facility */
	CHECK_SPAN(r.text, r.len, "cachefs: registered cache device");
	r = one("[    1.500000 <    0.000123>] x");
	CHECK_EQ_INT(r.ts_us, 1500000);
	CHECK_SPAN(r.text, r.len, "x");
	r = one("2024-03-04T10:11:12,123456+01:00 usb 1-1: new device");
	CHECK_SPAN(r.text, r.len, "usb 1-1: new device");
	CHECK_EQ_INT(r.ts_us, 1709543472 * SEC + 123456);
	CHECK_EQ_INT(r.flags, PS_REC_WALL);

	/* /dev/kmsg with a caller; the text starts right after ';' */
	r = one("4,1044,3611042683,-,caller=T42; <TASK>");
	CHECK_SPAN(r.text, r.len, " <TASK>");
	CHECK_EQ_INT(r.ts_us, 3611042683);
	CHECK(r.caller == 42);
	r = one("6,7,8,c,caller=C3;x");
	CHECK(r.caller == (3 | PS_CALLER_CPU));

	/* mail quoting, at any depth, before any prefix */
	r = one("> [  12.000001] BUG: x");
	CHECK_SPAN(r.text, r.len, "BUG: x");
	CHECK_EQ_INT(r.ts_us, 12000001);
	r = one(">> > Mar  4 10:11:12 node7 kernel: [  12.000001] BUG: x");
	CHECK_SPAN(r.text, r.len, "BUG: x");
	r = one(">[  12.000001] BUG: x");
	CHECK_SPAN(r.text, r.len, "BUG: x");
	CHECK_EQ_INT(ps_log_parse_line(&r, "> ", 2), 0);
	CHECK_EQ_INT(ps_log_parse_line(&r, ">>", 2), 0);
	/* KASAN's marker of the bad row of a shadow dump is no quote */
	r = one(">ffff888012acfc00: fb fb fc fc");
	CHECK_SPAN(r.text, r.len, ">ffff888012acfc00: fb fb fc fc");
	r = one("> >ffff888012acfc00: fb fb fc fc");
	CHECK_SPAN(r.text, r.len, ">ffff888012acfc00: fb fb fc fc");

	/* newer dmesg's caller ids, after a space */
	r = one("[    0.000000] [      T0] Linux version");
	CHECK(r.caller == 0);
	CHECK_SPAN(r.text, r.len, "Linux version");
	r = one("[    5.000000] [T1234] x");
	CHECK(r.caller == 1234);
	/* the caller alone */
	r = one("[    C1] rcu: stall");
	CHECK(r.caller == (1 | PS_CALLER_CPU));
	CHECK_SPAN(r.text, r.len, "rcu: stall");
}

/* Forms that need the lines around: the state of ps_log_parse. */
static const struct ps_record *parse(struct ps_log *log, const char *text)
{
	static struct ps_arena a;

	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(log, &a, text, strlen(text), 1, 1000), PS_OK);
	return log->rec;
}

static void test_log_forms(void)
{
	struct ps_log log;
	const struct ps_record *r;

	/* a syslog file: other programs' lines and markers are dropped;
	 * wall-clock times become seconds from the first */
	r = parse(&log,
		  "Mar  4 10:11:12 node7 systemd[1]: Starting foo...\n"
		  "Mar  4 10:11:12 node7 kernel: usb 1-1: new device\n"
		  "Mar  4 10:11:13 node7 sshd[812]: Accepted publickey\n"
		  "Mar  4 10:11:14 node7 rsyslogd: -- MARK --\n"
		  "Mar  4 10:11:15 node7 kernel: BUG: soft lockup\n"
		  "Mar  4 10:11:15 node7 myapp[9]: BUG: not a kernel line\n");
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(log.dropped, 4);
	CHECK_SPAN(r[0].text, r[0].len, "usb 1-1: new device");
	CHECK_EQ_INT(r[0].line, 2);
	CHECK_EQ_INT(r[0].ts_us, 0);
	CHECK_SPAN(r[1].text, r[1].len, "BUG: soft lockup");
	CHECK_EQ_INT(r[1].line, 5);
	CHECK_EQ_INT(r[1].ts_us, 3 * SEC);
	CHECK_EQ_INT(log.with_ts, 2);

	/* New Year between two lines without a year */
	r = parse(&log, "Dec 31 23:59:59 h kernel: a\nJan  1 00:00:01 h kernel: b\n");
	CHECK_EQ_INT(r[1].ts_us - r[0].ts_us, 2 * SEC);

	/* only other programs: nothing usable */
	{
		struct ps_arena a;
		static const char t[] = "Mar  4 10:11:12 node7 systemd[1]: x\n-- Boot 1 --\n";

		ps_arena_init(&a, mem, sizeof mem);
		CHECK_EQ_INT(ps_log_parse(&log, &a, t, sizeof t - 1, 1, 10), PS_EINPUT);
		CHECK_EQ_INT(log.dropped, 2);
	}

	/* journalctl -o short-monotonic without -k: once the host is known
	 * from a kernel line, its other programs' lines are dropped */
	r = parse(&log,
		  "[    1.000000] node7 kernel: Linux version 6.1\n"
		  "[    5.000000] node7 systemd[1]: Started foo.\n"
		  "[    6.000000] node7 kernel: BUG: x\n");
	CHECK_EQ_INT(log.n, 2);
	CHECK_SPAN(r[1].text, r[1].len, "BUG: x");
	CHECK_EQ_INT(r[1].ts_us, 6 * SEC);

	/* /dev/kmsg: the KEY=value lines after a record are dropped, a
	 * text line that starts with a space is not */
	r = parse(&log,
		  "6,1,100,-;pci 0000:00:01.0: BAR 0\n"
		  " SUBSYSTEM=pci\n"
		  " DEVICE=+pci:0000:00:01.0\n"
		  "4,2,200,-; <TASK>\n");
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(log.dropped, 2);
	CHECK_SPAN(r[1].text, r[1].len, " <TASK>");
	CHECK_EQ_INT(r[1].line, 4);
	r = parse(&log, "[    1.000000] a\n SUBSYSTEM=pci\n");   /* no kmsg record before */
	CHECK_EQ_INT(log.n, 2);

	/* dmesg -H: a minute, then deltas from the line before */
	r = parse(&log,
		  "[Mar 4 10:11] Linux version\n"
		  "[  +0.500000] second\n"
		  "[  +1.250000] third\n"
		  "[Mar 4 10:14] after a gap of minutes\n"
		  "[  +0.000100] fifth\n");
	CHECK_EQ_INT(log.n, 5);
	CHECK_EQ_INT(r[0].ts_us, 0);
	CHECK_EQ_INT(r[1].ts_us, 500000);
	CHECK_EQ_INT(r[2].ts_us, 1750000);
	CHECK_EQ_INT(r[3].ts_us, 120 * SEC);    /* at least 10:14 - 1 min on this scale */
	CHECK_EQ_INT(r[4].ts_us, 120 * SEC + 100);
	CHECK_SPAN(r[3].text, r[3].len, "after a gap of minutes");
	r = parse(&log, "[Mar14 10:11] a\n[  +0.500000] b\n[Mar14 10:12] c\n");
	CHECK_EQ_INT(r[2].ts_us, 500000);      /* the next minute: no earlier than b */

	/* console + syslog: the copy is dropped; wall-clock lines printed
	 * only by syslog go onto the kernel's clock */
	r = parse(&log,
		  "[  100.500000] first\n"
		  "[  100.600000] BUG: x\n"
		  "Mar  4 10:01:40 node7 kernel: first\n"
		  "Mar  4 10:01:40 node7 kernel: [  100.600000] BUG: x\n"
		  "Mar  4 10:01:45 node7 kernel: only in syslog\n"
		  "[  105.900000] first\n");
	CHECK_EQ_INT(log.doubled, 2);
	CHECK_EQ_INT(log.n, 4);
	CHECK_SPAN(r[2].text, r[2].len, "only in syslog");
	CHECK_EQ_INT(r[2].ts_us, 105500000);     /* 10:01:45 - (10:01:40 - 100.5 s) */
	CHECK_EQ_INT(r[2].flags, PS_REC_SYSLOG);
	CHECK_SPAN(r[3].text, r[3].len, "first");  /* a console line again: kept */
	/* the same text with another kernel timestamp is no copy */
	r = parse(&log, "[    1.000000] x\nMar  4 10:00:00 h kernel: [    2.000000] x\n");
	CHECK_EQ_INT(log.n, 2);
	/* nor is a repeat from the same source */
	r = parse(&log, "[    1.000000] x\n[    1.000000] x\n");
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(log.doubled, 0);
	/* without a pair to tie the clocks, syslog's times are dropped */
	r = parse(&log, "[    1.000000] a\nMar  4 10:00:00 h kernel: b\n");
	CHECK_EQ_INT(r[1].ts_us, PS_NO_TS);
	CHECK_EQ_INT(log.with_ts, 1);

	/* two CPUs' lines glued together, with caller ids */
	r = parse(&log,
		  "[   50.100000][ T100] Modules linked in: a b[   50.100001][    C1] rcu: stall[   50.100002][ T100]  c\n"
		  "[   50.200000][ T100] next\n");
	CHECK_EQ_INT(log.n, 4);
	CHECK_EQ_INT(log.split, 2);
	CHECK_SPAN(r[0].text, r[0].len, "Modules linked in: a b");
	CHECK_SPAN(r[1].text, r[1].len, "rcu: stall");
	CHECK(r[1].caller == (1 | PS_CALLER_CPU));
	CHECK_EQ_INT(r[1].ts_us, 50100001);
	CHECK_SPAN(r[2].text, r[2].len, " c");
	CHECK_EQ_INT(r[0].line, 1);
	CHECK_EQ_INT(r[2].line, 1);
	CHECK_EQ_INT(r[3].line, 2);

	/* a console wrapping at 40 columns: the rest of a line has no prefix */
	r = parse(&log,
		  "[    1.000000] 0123456789012345678901234\n"
		  "[    2.000000] abcdefghijklmnopqrstuvwxy\n"
		  "zABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#\n"
		  "$%^\n"
		  "[    3.000000] short\n");
	CHECK_EQ_INT(log.n, 3);
	CHECK_EQ_INT(log.joined, 2);
	CHECK_SPAN(r[1].text, r[1].len, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^");
	CHECK_SPAN(r[2].text, r[2].len, "short");
	/* not when only one line is that wide (a long line, and a message
	 * without a timestamp after it) */
	r = parse(&log,
		  "[    1.000000] 0123456789012345678901234\n"
		  "no prefix\n"
		  "[    2.000000] short\n");
	CHECK_EQ_INT(log.n, 3);
	CHECK_EQ_INT(log.joined, 0);
	/* nor after a line that is not the widest */
	r = parse(&log,
		  "[    1.000000] 0123456789012345678901234\n"
		  "[    2.000000] 0123456789012345678901234\n"
		  "[    3.000000] 01234567\n"
		  "no prefix\n");
	CHECK_EQ_INT(log.n, 4);
}

/* Many records glued on one line, and lines that look glued but are
 * not: the record array is never overrun (PS_ARENA_POISON builds check
 * the arena too). */
static void test_glued_capacity(void)
{
	static char text[200000];
	struct ps_arena a;
	struct ps_log log;
	size_t len = 0, i, k;

	for (i = 0; i < 500; i++) {
		for (k = 0; k < 9; k++)
			len += (size_t)snprintf(text + len, sizeof text - len, "[%5zu.%06zu] t%zu", i, k, k);
		text[len++] = '\n';
	}
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, len, 1, 100000), PS_OK);
	CHECK_EQ_INT(log.n, 4500);
	CHECK_EQ_INT(log.split, 4000);
	CHECK_SPAN(log.rec[4499].text, log.rec[4499].len, "t8");
	/* only the last 10 lines, and at most as many glued records as that */
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, len, 1, 10), PS_OK);
	CHECK_EQ_INT(log.skipped_lines, 490);
	CHECK_EQ_INT(log.n, 20);
	CHECK(log.rec[19].len > 100);    /* the rest stays glued on */
}

/* Junk that would add times up past int64 (caught by UBSan in
 * t_sanitizers): huge dmesg -H deltas, a New Year on every line. */
static void test_time_overflow(void)
{
	static char text[400000];
	struct ps_arena a;
	struct ps_log log;
	size_t len = 0, i;

	for (i = 0; i < 4000; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "[+999999999999.999999] x\n%s",
					i % 2 ? "Dec 31 23:59:59 h kernel: y\n" : "Jan  1 00:00:00 h kernel: y\n");
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, len, 1, 100000), PS_OK);
	CHECK_EQ_INT(log.n, 8000);
	for (i = 1; i < log.n; i += 2)
		CHECK(log.rec[i].ts_us != PS_NO_TS);
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

/* journalctl -o json, dmesg --json: one record a line, strings decoded */
static void test_json(void)
{
	struct ps_arena a;
	struct ps_log log;
	static const char text[] =
		"{\"__CURSOR\":\"s=1;i=2\",\"__REALTIME_TIMESTAMP\":\"1709546712123456\",\"__MONOTONIC_TIMESTAMP\":\"5123456\","
		"\"_TRANSPORT\":\"kernel\",\"PRIORITY\":\"4\",\"SYSLOG_IDENTIFIER\":\"kernel\",\"MESSAGE\":\"plain text\"}\n"
		/* 2: escapes, the source time wins over the journal's */
		"{\"__MONOTONIC_TIMESTAMP\":\"6000000\",\"_TRANSPORT\":\"kernel\",\"MESSAGE\":"
		"\"q\\\"b\\\\s\\/n\\nt\\te\\u00e9c\\u20acg\\ud83d\\ude00\\u0001\",\"_SOURCE_MONOTONIC_TIMESTAMP\":\"5999000\"}\n"
		/* 3: another program's record; 4: a record of no program said */
		"{\"__MONOTONIC_TIMESTAMP\":\"6500000\",\"_TRANSPORT\":\"syslog\",\"SYSLOG_IDENTIFIER\":\"sshd\","
		"\"MESSAGE\":\"Kernel panic - not syncing: sshd\"}\n"
		"{\"__MONOTONIC_TIMESTAMP\":\"6600000\", \"MESSAGE\" : \"fields not shown\" }\n"
		/* 5: not UTF-8: an array of byte values */
		"{\"__MONOTONIC_TIMESTAMP\":\"7000000\",\"SYSLOG_IDENTIFIER\":\"kernel\",\"MESSAGE\":[66,85, 71,255,0,33]}\n"
		/* 6-9: malformed: plain text */
		"{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"bad \\x escape\"}\n"
		"{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"lone \\udc00 surrogate\"}\n"
		"{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"cut short\n"
		"{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":[1,2,],\"x\":1}\n"
		/* 10: a byte array out of range is no message; 11: null: dropped */
		"{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":[1,256]}\n"
		"{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":null}\n"
		/* 12-17: dmesg --json */
		"{\n"
		"   \"dmesg\": [\n"
		"      {\"pri\": 6, \"time\":     0.000000, \"msg\": \"Linux version 6.1\"},\n"
		"      {\"fac\": \"kern\", \"pri\": \"warn\", \"time\":    12.500000, \"caller\": \"T42\", \"msg\": \"a \\\"b\\\"\"},\n"
		"      {\"time\":    13.000001, \"caller\": \"C3\", \"msg\": \"no pri\"}\n"
		"   ]\n"
		"}\n"
		"]\n";
	static const char dm[] = "[1.0] x\n   \"dmesg\": [\n{\"time\": 13.000001, \"caller\": \"C3\", \"msg\": \"no pri\"},\n]\n";
	const struct ps_record *r;
	struct ps_record one_rec;
	const char *line;

	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, sizeof text - 1, 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 12);
	r = log.rec;
	CHECK_SPAN(r[0].text, r[0].len, "plain text");
	CHECK(r[0].text > text && r[0].text < text + sizeof text);   /* nothing to decode: in place */
	CHECK_EQ_INT(r[0].ts_us, 5123456);
	CHECK_EQ_INT(r[0].level, 4);
	CHECK(r[0].flags & PS_REC_SYSLOG);
	CHECK_SPAN(r[1].text, r[1].len, "q\"b\\s/n\nt\te\xc3\xa9" "c\xe2\x82\xac" "g\xf0\x9f\x98\x80\x01");
	CHECK_EQ_INT(r[1].ts_us, 5999000);
	CHECK_EQ_INT(r[1].line, 2);
	CHECK_SPAN(r[2].text, r[2].len, "fields not shown");
	CHECK_EQ_INT(r[2].line, 4);
	CHECK(r[3].len == 6 && memcmp(r[3].text, "BUG\xff\x00!", 6) == 0);
	CHECK_EQ_INT(r[3].ts_us, 7000000);
	CHECK_SPAN(r[4].text, r[4].len, "{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"bad \\x escape\"}");
	CHECK_EQ_INT(r[4].ts_us, PS_NO_TS);
	CHECK_EQ_INT(r[5].line, 7);
	CHECK_EQ_INT(r[6].line, 8);
	CHECK_EQ_INT(r[7].line, 9);
	CHECK_EQ_INT(r[8].line, 10);
	CHECK_SPAN(r[8].text, r[8].len, "{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":[1,256]}");
	CHECK_SPAN(r[9].text, r[9].len, "Linux version 6.1");
	CHECK_EQ_INT(r[9].line, 14);
	CHECK_EQ_INT(r[9].level, 6);
	CHECK_EQ_INT(r[9].ts_us, 0);
	CHECK(!(r[9].flags & PS_REC_SYSLOG));
	CHECK_SPAN(r[10].text, r[10].len, "a \"b\"");
	CHECK_EQ_INT(r[10].level, 4);
	CHECK_EQ_INT(r[10].ts_us, 12500000);
	CHECK(r[10].caller == 42);
	CHECK_EQ_INT(log.dropped, 2 + 4 + 1);   /* sshd, null; dmesg's frame; the last "]" */
	CHECK_SPAN(r[11].text, r[11].len, "no pri");
	/* the same, "{" cut off, after a console line */
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, dm, sizeof dm - 1, 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 2);
	CHECK_SPAN(log.rec[1].text, log.rec[1].len, "no pri");
	CHECK_EQ_INT(log.rec[1].ts_us, 13000001);
	CHECK_EQ_INT(log.rec[1].level, PS_NO_LEVEL);
	CHECK(log.rec[1].caller == (3 | PS_CALLER_CPU));

	/* a lone "]" or "}" outside dmesg's array, and "{" not before it, are text */
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, "{\n]\n}\n", 6, 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 3);

	/* "{" on the last line, no newline after it (fuzz_log found a read past the end) */
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, "x\n{", 3, 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 2);

	/* an empty byte array is an empty message */
	ps_arena_init(&a, mem, sizeof mem);
	line = "{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":[ ]}\n[1.0] x\n";
	CHECK_EQ_INT(ps_log_parse(&log, &a, line, strlen(line), 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 2);
	CHECK_EQ_INT(log.rec[0].len, 0);

	/* decoding needs the arena */
	ps_arena_init(&a, mem, 64);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, sizeof text - 1, 1, 100), PS_ENOMEM);

	/* one line alone (no arena): the string as printed */
	line = "{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"a\\tb\"}";
	CHECK_EQ_INT(ps_log_parse_line(&one_rec, line, strlen(line)), 1);
	CHECK_SPAN(one_rec.text, one_rec.len, "a\\tb");
	line = "{\"SYSLOG_IDENTIFIER\":\"cron\",\"MESSAGE\":\"x\"}";
	CHECK_EQ_INT(ps_log_parse_line(&one_rec, line, strlen(line)), 0);
}

/* journalctl -o verbose: a header line, then "    KEY=value" fields */
static void test_verbose(void)
{
	struct ps_arena a;
	struct ps_log log;
	static const char text[] =
		"Mon 2024-03-04 10:11:12.123456 CET [s=0a1b;i=1f;b=2c3d;m=4c4b40;t=613f0c2d;x=99]\n"
		"    _BOOT_ID=2c3d\n"
		"    _TRANSPORT=kernel\n"
		"    PRIORITY=3\n"
		"    MESSAGE=BUG: first\n"
		"    _SOURCE_MONOTONIC_TIMESTAMP=4999000\n"
		"Mon 2024-03-04 10:11:13.000000 CET [s=0a1b;i=20;b=2c3d;m=5b8d80;t=613f0c2e;x=9a]\r\n"
		"    MESSAGE=second, from m=\r\n"
		"Mon 2024-03-04 10:11:13.000000 CET [s=0a1b;i=21;b=2c3d;m=5b8d81;t=613f0c2e;x=9b]\n"
		"    _TRANSPORT=syslog\n"
		"    SYSLOG_IDENTIFIER=sshd\n"
		"    MESSAGE=Kernel panic - not syncing: sshd\n"
		"Mon 2024-03-04 10:11:13.000000 CET [s=0a1b;i=22;b=2c3d;m=zz;t=613f0c2e;x=9c]\n"
		"    MESSAGE=no m=: text\n"
		"Mon 2024-03-04 10:11:14.000000 CET [s=0a1b;i=23;b=2c3d;m=5b8d82;t=613f0c2e;x=9d]\n"
		"    _TRANSPORT=kernel\n"
		"[    7.000000] console line\n";
	const struct ps_record *r;

	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, sizeof text - 1, 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 4);
	r = log.rec;
	CHECK_SPAN(r[0].text, r[0].len, "BUG: first");
	CHECK_EQ_INT(r[0].ts_us, 4999000);
	CHECK_EQ_INT(r[0].level, 3);
	CHECK_EQ_INT(r[0].line, 5);
	CHECK(r[0].flags & PS_REC_SYSLOG);
	CHECK_SPAN(r[1].text, r[1].len, "second, from m=");
	CHECK_EQ_INT(r[1].ts_us, 6000000);
	CHECK_EQ_INT(r[1].line, 8);
	/* sshd's record dropped; a malformed header is dropped as before
	 * (the journal's short-full time, no kernel tag), its fields are text */
	CHECK_SPAN(r[2].text, r[2].len, "    MESSAGE=no m=: text");
	CHECK_EQ_INT(r[2].line, 14);
	CHECK_SPAN(r[3].text, r[3].len, "console line");
	CHECK_EQ_INT(r[3].line, 17);
	CHECK_EQ_INT(log.dropped, 5 + 1 + 4 + 1 + 2);
}

/* journalctl -o json-pretty: an object over several lines */
static void test_json_pretty(void)
{
	struct ps_arena a;
	struct ps_log log;
	static const char text[] =
		"{\n"
		"\t\"__MONOTONIC_TIMESTAMP\" : \"5123456\",\n"
		"\t\"_TRANSPORT\" : \"kernel\",\n"
		"\t\"MESSAGE\" : \"BUG: \\\"x\\\"\",\n"
		"\t\"PRIORITY\" : \"1\"\n"
		"}\n"
		"{\r\n"
		"\t\"__MONOTONIC_TIMESTAMP\" : \"6000000\",\r\n"
		"\t\"MESSAGE\" : [\r\n"
		"\t\t79,\r\n"
		"\t\t107\r\n"
		"\t],\r\n"
		"\t\"SYSLOG_IDENTIFIER\" : \"kernel\"\r\n"
		"}\r\n"
		"{\n"
		"\t\"SYSLOG_IDENTIFIER\" : \"cron\",\n"
		"\t\"MESSAGE\" : \"Kernel panic - not syncing: cron\"\n"
		"}\n"
		/* malformed (a missing ','): every line is text */
		"{\n"
		"\t\"_TRANSPORT\" : \"kernel\"\n"
		"\t\"MESSAGE\" : \"no comma\"\n"
		"}\n"
		"[    7.000000] console line\n";
	const struct ps_record *r;

	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, sizeof text - 1, 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 7);
	r = log.rec;
	CHECK_SPAN(r[0].text, r[0].len, "BUG: \"x\"");
	CHECK_EQ_INT(r[0].ts_us, 5123456);
	CHECK_EQ_INT(r[0].level, 1);
	CHECK_EQ_INT(r[0].line, 4);
	CHECK_SPAN(r[1].text, r[1].len, "Ok");
	CHECK_EQ_INT(r[1].ts_us, 6000000);
	CHECK_EQ_INT(r[1].line, 9);
	CHECK_SPAN(r[2].text, r[2].len, "{");
	CHECK_EQ_INT(r[2].line, 19);
	CHECK_SPAN(r[4].text, r[4].len, "\t\"MESSAGE\" : \"no comma\"");
	CHECK_SPAN(r[6].text, r[6].len, "console line");
	CHECK_EQ_INT(r[6].line, 23);
	CHECK_EQ_INT(log.dropped, 5 + 7 + 4);

	/* no closing "}": text too */
	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_log_parse(&log, &a, text, (size_t)(strstr(text, "\t\"PRIORITY") - text), 1, 100), PS_OK);
	CHECK_EQ_INT(log.n, 4);
	CHECK_SPAN(log.rec[0].text, log.rec[0].len, "{");
}

int main(void)
{
	test_release();
	test_line_forms();
	test_forms();
	test_log_forms();
	test_glued_capacity();
	test_time_overflow();
	test_parse();
	test_long_and_binary();
	test_casefile();
	test_json();
	test_verbose();
	test_json_pretty();
	return check_summary("test_log");
}
