/* The result of analysing one crash log: every stage writes its part
 * here, the report writers read it.  All arrays live in the caller's
 * arena. */
#ifndef PS_ANALYSIS_H
#define PS_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "core/log.h"

struct ps_catalogue;

#define PS_NONE UINT32_MAX

/* ps_line.flags */
#define PS_LINE_HEADER   0x01u   /* a header-strength catalogue match ("BUG: ...",
				    "WARNING: ..."), harmless ones excepted */
#define PS_LINE_PANIC    0x02u   /* "Kernel panic - not syncing: ..." */
#define PS_LINE_FRAME    0x04u   /* a stack frame ("func+0x1f/0x80") */
#define PS_LINE_TRACE    0x08u   /* "Call Trace:" and friends */
#define PS_LINE_PRIMARY  0x10u   /* a header that is not a panic line: opens a report */
#define PS_LINE_EVIDENCE 0x20u   /* an evidence-strength catalogue match that
				    is not harmless ("Oops: ...", "I/O error") */
#define PS_LINE_HARMLESS 0x40u   /* a catalogue match marked harmless */

/* One input record after masking and the Drain stage. */
struct ps_line {
	const struct ps_record *rec;
	const char *masked;      /* masked text, tokens separated by one space */
	uint32_t mlen;
	uint32_t tpl;            /* Drain template id (PS_NONE if overflowed) */
	uint16_t cat;            /* catalogue entry index + 1, 0 = no match */
	uint8_t cat_label;       /* the match's label (address-adjusted, core/catalogue.h) */
	uint8_t reserved;
	uint16_t flags;          /* PS_LINE_* */
	const char *sym;         /* frame function name, if PS_LINE_FRAME */
	uint32_t symlen;
};

/* A string that need not be NUL-terminated (e.g. inside a model file). */
struct ps_str {
	const char *p;
	uint32_t n;
};

struct ps_culprit {
	uint32_t line;           /* index into lines[] */
	float score;             /* higher explains the crash better, 0..1 */
};

struct ps_ranked_label {
	uint16_t label;          /* index into the model's label names */
	float p;
};

struct ps_neighbor {
	uint32_t case_index;     /* stored case in the model */
	uint16_t label;
	float similarity;
};

enum ps_stage {
	PS_STAGE_PARSE, PS_STAGE_DRAIN, PS_STAGE_EXTRACT, PS_STAGE_EMBED,
	PS_STAGE_CLASSIFY, PS_STAGE_TOTAL, PS_NSTAGES
};

/* ps_analysis.backoff_why: the catalogue label's weight came from the
 * nearest stored case's distance, from the header's address rule, or
 * from the model answering the catch-all kernel-bug (core/classify.h) */
#define PS_BACKOFF_NONE     0u
#define PS_BACKOFF_DISTANCE 1u
#define PS_BACKOFF_ADDRESS  2u
#define PS_BACKOFF_CATCHALL 3u

struct ps_analysis {
	struct ps_log log;
	struct ps_line *lines;   /* log.n entries, same order as log.rec */
	uint32_t nlines;

	/* the fault-indicating segment: indexes into lines[], ascending */
	uint32_t *segment;
	uint32_t nsegment;
	uint32_t cluster_size;   /* lines in the chosen DBSCAN cluster before the cap */
	uint32_t header;         /* line index of the oops header, or PS_NONE */
	uint32_t panic;          /* line index of the panic line, or PS_NONE */
	uint32_t crash_start;    /* first line of the crash that ends the log, or PS_NONE */
	uint32_t fault_lines;    /* lines with a catalogue match that is not harmless */
	int no_crash;            /* 1: no fault line that shows a fault (a header,
				    a panic line, evidence of a kind other than
				    kernel-bug): "no crash found", no label */
	const struct ps_catalogue *catalogue;   /* what lines[].cat refers to */

	struct ps_culprit *culprits;   /* best first */
	uint32_t nculprits;

	/* filled by the classifier when a model is loaded */
	int labelled;
	uint16_t label;
	float confidence;                  /* calibrated (the model's temperature) */
	int uncertain;                     /* confidence below the model's uncertain_below, or
					      model and catalogue differ below its conflict_below */
	uint16_t model_label;              /* the model's own answer, before the back-off */
	float model_confidence;
	float backoff;                     /* weight the catalogue label got (0: none) */
	uint8_t backoff_why;               /* PS_BACKOFF_*: what set that weight */
	float shrunk;                      /* weight "any label" got: no entry names the kind */
	float nearest;                     /* cosine of the most similar stored case */
	struct ps_ranked_label *ranking;   /* best first */
	uint32_t nranking;
	struct ps_neighbor *neighbors;     /* most similar first */
	uint32_t nneighbors;
	const struct ps_str *label_names;  /* the model's label names */
	uint32_t nlabels;

	uint32_t drain_overflows;
	uint64_t timing_us[PS_NSTAGES];
};

#endif
