/* "No crash found" (core/extract.c: an->no_crash): a log without any
 * fault line of the catalogue gets no header, no segment and no label;
 * a crash log never does.
 *
 *   test_nocrash                  the fixtures of tests/data/nocrash (no
 *                                 crash) against every crash log of
 *                                 tests/data, tests/data/cases and
 *                                 model/corpus/lab
 *   test_nocrash --crashes DIR    only: every *.log of DIR is a crash
 *                                 (prints how many; t_nocrash_corpus.sh
 *                                 runs it on ../shared/corpus/syzkaller)
 *
 * Independent of the extractor's own verdict, the fixture of harmless
 * warnings is checked line by line: each line matches a catalogue entry
 * marked harmless. */
#include <dirent.h>
#include <stdlib.h>

#include "check.h"
#include "core/arena.h"
#include "core/catalogue.h"
#include "core/log.h"
#include "core/pipeline.h"
#include "core/status.h"
#include "tools/cli/cli.h"

static struct ps_catalogue cat;

/* Analyses one file (a case file's header skipped); 0 or -1. */
static int analyse(const char *path, struct ps_analysis *an, unsigned char **mem, char **text)
{
	struct ps_params p;
	struct ps_arena a;
	size_t len, hdr, size;
	uint32_t hdr_lines = 0;

	if (cli_read_file(path, text, &len) != 0)
		return -1;
	size = 24 * len + ((size_t)40 << 20);
	*mem = malloc(size);
	if (!*mem)
		return -1;
	ps_arena_init(&a, *mem, size);
	ps_params_defaults(&p);
	p.catalogue = &cat;
	hdr = ps_casefile_header(*text, len, &hdr_lines);
	return ps_analyze(an, &p, NULL, *text + hdr, len - hdr, hdr_lines + 1, &a, NULL) == PS_OK ? 0 : -1;
}

/* Checks every *.log of dir; expect_crash 1: a crash, 0: none.
 * Returns the number of logs. */
static unsigned check_dir(const char *dir, int expect_crash)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	CHECK(d != NULL);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char path[4096];
		struct ps_analysis an;
		unsigned char *mem = NULL;
		char *text = NULL;

		if (l < 5 || strcmp(de->d_name + l - 4, ".log"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		n++;
		if (analyse(path, &an, &mem, &text) != 0) {
			fprintf(stderr, "%s: cannot analyse\n", path);
			CHECK(0);
		} else if (expect_crash && an.no_crash) {
			fprintf(stderr, "%s: a crash log called \"no crash\"\n", path);
			CHECK(0);
		} else if (expect_crash) {
			CHECK(an.header != PS_NONE && an.nsegment > 0 && an.fault_lines > 0);
		} else if (!an.no_crash) {
			fprintf(stderr, "%s: a crash found at line %u\n", path,
				an.header != PS_NONE ? an.lines[an.header].rec->line : 0);
			CHECK(0);
		} else {
			CHECK(an.header == PS_NONE && an.panic == PS_NONE && an.nsegment == 0 &&
			      an.nculprits == 0);
		}
		free(mem);
		free(text);
	}
	closedir(d);
	return n;
}

/* Every line of the file matches a catalogue entry marked harmless;
 * returns how many lines do (all of them, or the check fails). */
static unsigned harmless_lines(const char *path)
{
	char *text = NULL;
	size_t len, pos = 0;
	unsigned n = 0, lines = 0;

	CHECK(cli_read_file(path, &text, &len) == 0);
	while (text && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct ps_record r;
		struct ps_cat_match m;

		ps_log_parse_line(&r, text + pos, end - pos);
		lines++;
		if (ps_catalogue_match(&cat, r.text, r.len, &m) && m.entry->harmless)
			n++;
		else
			fprintf(stderr, "%s:%u: not a harmless catalogue line: %.*s\n", path, lines,
				(int)r.len, r.text);
		pos = end + 1;
	}
	CHECK(lines > 0 && n == lines);
	free(text);
	return n;
}

int main(int argc, char **argv)
{
	static unsigned char cmem[16 << 20];
	struct ps_arena a;
	unsigned n;

	ps_arena_init(&a, cmem, sizeof cmem);
	if (ps_catalogue_builtin(&cat, &a, NULL) != PS_OK) {
		fprintf(stderr, "test_nocrash: no built-in catalogue\n");
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "--crashes")) {
		n = check_dir(argv[2], 1);
		printf("%s: %u crash logs, %d called \"no crash\" or failed\n", argv[2], n, check_failures);
		CHECK(n > 0);
		return check_summary("test_nocrash");
	}
	CHECK(check_dir("tests/data/nocrash", 0) >= 3);
	CHECK(harmless_lines("tests/data/nocrash/harmless-warnings.log") >= 20);
	n = check_dir("tests/data", 1);
	n += check_dir("tests/data/cases", 1);
	n += check_dir("model/corpus/lab", 1);
	printf("%u crash logs of tests/data, tests/data/cases and model/corpus/lab: none called \"no crash\"\n", n);
	CHECK(n >= 400);
	return check_summary("test_nocrash");
}
