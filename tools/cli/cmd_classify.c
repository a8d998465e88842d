/* panicsage classify: analyse a kernel log (or, once the vmcore reader
 * is in, a vmcore) and print the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/catalogue.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "core/report.h"
#include "core/status.h"
#include "core/diagnose.h"
#include "core/default_model.h"
#include "port/port.h"
#include "tools/cli/cli.h"
#include "tools/cli/modelfile.h"

static const char classify_usage[] =
	"usage: panicsage classify [--json] [--model MODEL] FILE\n\n"
	"Extracts the fault-indicating lines of a vmcore or a kernel log (dmesg in\n"
	"any of its forms, /dev/kmsg records, a syslog file, journalctl output,\n"
	"mail-quoted or from a serial console: README.md \"Log forms\"; other\n"
	"programs' syslog lines are ignored; '-' for stdin; a case file's\n"
	"KEY: value header is skipped) and prints the\n"
	"oops header, the catalogue entry it matches, the culprit lines and the\n"
	"segment, and with a model the root-cause label; a log without any fault\n"
	"line of the catalogue gets \"no crash found\" and no label (exit 0).\n\n"
	"  --json          print one JSON object instead of the console text\n"
	"  --model MODEL   frozen model to label with (default: the model built\n"
	"                  into this binary, if any; without one, no label)\n";

static void usage(FILE *f)
{
	fputs(classify_usage, f);
}

int cmd_classify(int argc, char **argv)
{
	struct ps_params params;
	struct ps_analysis an;
	struct ps_arena arena;
	struct ps_buf out;
	const char *model_path = NULL;
	char *path = NULL;
	struct model_file mf;
	struct ps_catalogue cat;
	struct ps_cat_error cerr;
	uint64_t t_cat;
	int have_model = 0, vmcore = 0;
	char *buf = NULL, *mem = NULL, *text = NULL;
	size_t len, hdr, arena_size, out_size;
	uint32_t hdr_lines = 0;
	int json = 0, nargs, rc, st;
	const struct cli_opt opts[] = {
		CLI_FLAG("--json", &json),
		CLI_STR("--model", &model_path),
		CLI_END
	};
	const struct cli_spec spec = { "classify", opts, usage, 1, 1 };

	if ((rc = cli_parse(&spec, argc, argv, &path, &nargs)) != PS_EXIT_OK)
		return rc == CLI_HELP ? PS_EXIT_OK : rc;
	if (model_path || ps_default_model(&len)) {
		if ((rc = model_file_open(&mf, model_path)))
			return rc;
		have_model = 1;
	}
	if ((rc = cli_read_log(path, &buf, &len, &vmcore)))
		goto out;

	ps_params_defaults(&params);
	hdr = vmcore ? 0 : ps_casefile_header(buf, len, &hdr_lines);
	arena_size = (32u << 20) + 8 * len;
	mem = malloc(arena_size);
	if (!mem) {
		cli_error("%s: out of memory", path);
		rc = PS_EXIT_NOMEM;
		goto out;
	}
	ps_arena_init(&arena, mem, arena_size);
	/* the model's catalogue (the built-in one for a model without) */
	t_cat = port_now_us();
	st = ps_model_catalogue(&cat, have_model ? &mf.m : NULL, &arena, &cerr);
	if (st != PS_OK) {
		if (st == PS_EFORMAT)
			cli_error("%s: catalogue line %u: %s", mf.name, cerr.line, cerr.msg);
		else
			cli_error("catalogue: %s", cerr.msg ? cerr.msg : ps_status_str(st));
		rc = st == PS_EFORMAT ? PS_EXIT_MODEL : ps_exit_for_status(st);
		goto out;
	}
	t_cat = port_now_us() - t_cat;
	params.catalogue = &cat;
	st = ps_diagnose(&an, &params, have_model ? &mf.m : NULL, buf + hdr, len - hdr,
			 hdr_lines + 1, &arena, port_now_us);
	if (st != PS_OK) {
		cli_error("%s: %s", path, ps_status_str(st));
		rc = ps_exit_for_status(st);
		goto out;
	}
	an.timing_us[PS_STAGE_PARSE] += t_cat;
	an.timing_us[PS_STAGE_TOTAL] += t_cat;
	if (an.log.skipped_lines)
		cli_error("warning: %s: only the last %u lines were analysed", path, an.log.n);
	out_size = ps_report_bound(&an);
	if (!(text = malloc(out_size))) {
		cli_error("%s: out of memory", path);
		rc = PS_EXIT_NOMEM;
		goto out;
	}
	ps_buf_init(&out, text, out_size);
	if (json)
		ps_report_json(&an, &out);
	else
		ps_report_console(&an, &out);
	fwrite(out.p, 1, out.len, stdout);
	if (fflush(stdout) != 0) {
		cli_error("writing the report failed");
		rc = PS_EXIT_IO;
	} else {
		rc = PS_EXIT_OK;
	}
out:
	if (have_model)
		model_file_close(&mf);
	free(text);
	free(mem);
	free(buf);
	return rc;
}
