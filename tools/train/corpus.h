/* Case files for training and evaluation (DESIGN.md "Case file"), and
 * the analysis of one case as the capture kernel would do it. */
#ifndef PS_TOOLS_CORPUS_H
#define PS_TOOLS_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "core/analysis.h"
#include "core/arena.h"
#include "core/model.h"

struct case_rec {
	char *path;
	const char *name;       /* file name without directories */
	char *text;             /* whole file, NUL-terminated */
	const char *log;        /* the log after the header */
	size_t loglen;
	uint32_t first_line;    /* line number of log[0] in the file */
	int label;              /* index into corpus labels, -1 = none */
	char *title;            /* TITLE: header, for culprit evaluation only */
	/* SOURCE:, ARCH:, FORM:, ERA: headers (synthetic cases), for the
	 * evaluation's per-slice tables only; NULL when absent */
	char *source, *arch, *form, *era;
};

struct corpus {
	struct case_rec *c;
	uint32_t n;
	uint32_t nstore;        /* of which from a case store */
	char *labels[PS_MODEL_MAX_LABELS];
	uint32_t nlabels;
};

/* Reads the *.log files of the directories given (and any file named
 * explicitly), sorted by path; then, when `store` is not NULL, every
 * case of that case store (tools/store.h) with a human label, oldest
 * first: its log is its stored segment (a line "[%5lu.%06lu] text" per
 * entry, the text alone when ts is null), its label the human label,
 * its path "STORE:ID".  Labels: the 14 of model/TAXONOMY.md in its order, then
 * any other label found, in order of appearance.  Prints errors; returns
 * an exit code (nothing to free unless PS_EXIT_OK). */
int corpus_load(struct corpus *cp, char **paths, int npaths, const char *store);
void corpus_free(struct corpus *cp);

/* The records of a case's log as the capture side reads them:
 * core/log.h's ps_log_parse (every rendered form -- syslog, journal,
 * /dev/kmsg, dmesg options, quoting --, other programs' lines and
 * syslog's copies of console lines dropped, glued lines split, wrapped
 * ones joined), with the analysis's record limit.  cl->mem is malloc'ed
 * (case_log_free).  Returns a PS_ status; PS_EINPUT when the log has no
 * record at all (cl->log.n is 0 then, nothing to free). */
struct case_log {
	struct ps_log log;
	unsigned char *mem;
};
int case_log_read(const struct case_rec *c, struct case_log *cl);
void case_log_free(struct case_log *cl);

/* Arena size that analyze_case needs for a log of `len` bytes. */
size_t analyze_arena_size(size_t len);

/* The pipeline up to the segment: log records, masking, Drain ids from
 * a Drain seeded with the model's templates, frame symbols, catalogue
 * matches, oops header and panic line, fault-indicating segment.  Only
 * m->templates is used, and `cat`, the parsed catalogue of the model.
 * Returns a PS_ status. */
struct ps_catalogue;
int analyze_case(const struct ps_model *m, const struct ps_catalogue *cat, const char *log,
		 size_t len, uint32_t first_line, struct ps_arena *a, struct ps_analysis *an);

/* The catalogue `text` (NULL: the built-in one) parsed into *cat with
 * memory *mem (malloc'ed, for free()); PS_OK, or a PS_ status after
 * saying why, prefixed by `what`. */
int catalogue_load(struct ps_catalogue *cat, unsigned char **mem, const char *text, size_t len,
		   const char *what);

/* The oops header line of a case found from its TITLE: header (eval
 * only, never used for classification): the first line whose text
 * starts with the title's leading words; PS_NONE if none. */
uint32_t title_header_line(const struct case_rec *c, const struct ps_analysis *an);

#endif
