/* panicsage dmesg: the kernel log out of a vmcore, byte-identical to
 * kexec-tools' vmcore-dmesg, streamed to stdout in bounded memory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/status.h"
#include "kdump/vmcore/vmcore.h"
#include "port/port.h"
#include "tools/cli/cli.h"

static const char dmesg_usage[] =
	"usage: panicsage dmesg [--vmcoreinfo] [--stats] VMCORE\n\n"
	"Prints the kernel log held in VMCORE, an ELF crash dump (/proc/vmcore in\n"
	"a kdump capture kernel, a copy of it, or makedumpfile -E output), exactly\n"
	"as kexec-tools' vmcore-dmesg does.  All three printk formats are read:\n"
	"the lockless ring of Linux 5.10+, the structured log_buf of 3.5-5.9 and\n"
	"the plain ring before.  A corrupted ring or truncated dump gives the part\n"
	"that could be read, and a warning on stderr.\n\n"
	"  --vmcoreinfo   print the VMCOREINFO note (KEY=value lines) instead\n"
	"  --stats        print format, record counts and peak memory to stderr\n\n"
	"exit codes: 0 ok (also with a warning), 2 usage, 3 VMCORE unreadable or\n"
	"            output not writable, 4 not a usable vmcore, 6 out of memory\n";

/* The reader needs no more than this, whatever the size of the log. */
static unsigned char scratch_mem[VMCORE_SCRATCH_SIZE];

/* stdout in 64 KiB writes */
struct stdout_sink {
	int err;
	size_t len;
	char buf[65536];
};

static int flush_stdout(struct stdout_sink *o)
{
	if (o->len && !o->err)
		o->err = port_write_all(STDOUT_FILENO, o->buf, o->len);
	o->len = 0;
	return o->err ? PS_EOUTPUT : 0;
}

static int write_stdout(void *ctx, const char *s, size_t n)
{
	struct stdout_sink *o = ctx;

	if (o->len + n > sizeof o->buf && flush_stdout(o))
		return PS_EOUTPUT;
	if (n >= sizeof o->buf) {
		o->err = port_write_all(STDOUT_FILENO, s, n);
		return o->err ? PS_EOUTPUT : 0;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

static const char *format_name(int f)
{
	switch (f) {
	case VMCORE_FMT_LOCKLESS: return "lockless printk_ringbuffer (5.10+)";
	case VMCORE_FMT_STRUCTURED: return "structured log_buf (3.5-5.9)";
	case VMCORE_FMT_PLAIN: return "plain log_buf (before 3.5)";
	}
	return "none";
}

static void usage(FILE *f)
{
	fputs(dmesg_usage, f);
}

int cmd_dmesg(int argc, char **argv)
{
	struct ps_arena arena;
	struct port_file f;
	struct vmcore_stats st;
	static struct stdout_sink sink;
	char *path = NULL;
	int nargs, rc, err, want_info = 0, want_stats = 0;
	const struct cli_opt opts[] = {
		CLI_FLAG("--vmcoreinfo", &want_info),
		CLI_FLAG("--stats", &want_stats),
		CLI_END
	};
	const struct cli_spec spec = { "dmesg", opts, usage, 1, 1 };

	if ((rc = cli_parse(&spec, argc, argv, &path, &nargs)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	err = port_open(&f, path);
	if (err) {
		cli_error("%s: %s", path, port_strerror(err));
		return PS_EXIT_IO;
	}
	ps_arena_init(&arena, scratch_mem, sizeof scratch_mem);
	if (want_info) {
		static char info[16384 + 1];
		size_t len;

		rc = vmcore_vmcoreinfo(&f, &arena, info, sizeof info, &len, &st);
		if (rc == PS_OK) {
			/* the crashed kernel's text: escaped, line by line */
			size_t at = 0;

			while (at < len) {
				const char *nl = memchr(info + at, '\n', len - at);
				size_t n = nl ? (size_t)(nl - info) - at : len - at;

				cli_put_textn(stdout, info + at, n);
				putchar('\n');
				at += n + 1;
			}
			if (fflush(stdout) != 0) {
				cli_error("writing the output: %s", strerror(errno));
				port_close(&f);
				return PS_EXIT_IO;
			}
		}
	} else {
		rc = vmcore_dmesg_stream(&f, &arena, write_stdout, &sink, &st);
		if (flush_stdout(&sink) && rc == PS_OK)
			rc = PS_EOUTPUT;
	}
	port_close(&f);
	if (rc == PS_EOUTPUT && sink.err) {
		cli_error("writing the output: %s", port_strerror(sink.err));
		return PS_EXIT_IO;
	}
	if (rc != PS_OK) {
		/* an unreadable file shows up as a read error in st.error */
		cli_error("%s: %s", path, st.error[0] ? st.error : ps_status_str(rc));
		return rc == PS_EFORMAT && !memcmp(st.error, "cannot read the file", 20)
		       ? PS_EXIT_IO : ps_exit_for_status(rc);
	}
	if (st.warning[0])
		cli_error("warning: %s: %s", path, st.warning);
	if (want_stats) {
		char release[4 * sizeof st.release];

		fprintf(stderr, "panicsage: %s: kernel %s, %s, %u records, %u skipped, "
			"scratch %zu bytes, peak RSS %llu KiB\n", path,
			st.release[0] ? cli_text(release, sizeof release, st.release) : "?",
			format_name(st.format), st.records, st.skipped, arena.peak,
			(unsigned long long)port_peak_rss_kib());
	}
	return PS_EXIT_OK;
}
