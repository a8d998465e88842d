/* The vmcore reader alone, linked statically with musl exactly as in
 * panicsage-kdump, with no heap and no stdio: what reading the log
 * costs in the capture kernel.  Used by tests/bench/vmcore_dmesg.sh to
 * compare memory and time with vmcore-dmesg.
 *
 *   vmcore-dmesg-static VMCORE      (exit codes as panicsage dmesg) */
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/exitcode.h"
#include "core/status.h"
#include "kdump/vmcore/vmcore.h"
#include "port/port.h"

static unsigned char scratch[VMCORE_SCRATCH_SIZE];

/* stdout in 64 KiB writes, as panicsage dmesg does */
static char obuf[65536];
static size_t olen;

static int flush_out(void)
{
	int err = olen ? port_write_all(STDOUT_FILENO, obuf, olen) : 0;

	olen = 0;
	return err ? PS_EOUTPUT : 0;
}

static int to_stdout(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (olen + n > sizeof obuf && flush_out())
		return PS_EOUTPUT;
	if (n >= sizeof obuf)
		return port_write_all(STDOUT_FILENO, s, n) ? PS_EOUTPUT : 0;
	memcpy(obuf + olen, s, n);
	olen += n;
	return 0;
}

static void say(const char *a, const char *b)
{
	port_write_all(STDERR_FILENO, a, strlen(a));
	port_write_all(STDERR_FILENO, ": ", 2);
	port_write_all(STDERR_FILENO, b, strlen(b));
	port_write_all(STDERR_FILENO, "\n", 1);
}

int main(int argc, char **argv)
{
	struct port_file f;
	struct ps_arena a;
	struct vmcore_stats st;
	int rc, err;

	if (argc != 2) {
		say("usage", "vmcore-dmesg-static VMCORE");
		return PS_EXIT_USAGE;
	}
	err = port_open(&f, argv[1]);
	if (err) {
		say(argv[1], port_strerror(err));
		return PS_EXIT_IO;
	}
	ps_arena_init(&a, scratch, sizeof scratch);
	rc = vmcore_dmesg_stream(&f, &a, to_stdout, NULL, &st);
	if (flush_out() && rc == PS_OK)
		rc = PS_EOUTPUT;
	port_close(&f);
	if (rc == PS_EOUTPUT)
		return PS_EXIT_IO;
	if (rc) {
		say(argv[1], st.error);
		return ps_exit_for_status(rc);
	}
	if (st.warning[0])
		say(argv[1], st.warning);
	return PS_EXIT_OK;
}
