/* Report writers: the console text an on-call engineer reads on a
 * serial console, and the JSON that tools and the collector consume.
 * Both write into a caller-provided buffer (core/buf.h); check
 * out->overflow for truncation. */
#ifndef PS_REPORT_H
#define PS_REPORT_H

#include "core/analysis.h"
#include "core/buf.h"

/* JSON object with the keys documented in README.md: label,
 * confidence, crash, catalogue, ranking, segment, culprits, neighbors,
 * timing_us. */
void ps_report_json(const struct ps_analysis *an, struct ps_buf *out);

/* Console text.  Every line starts with "panicsage: " or two spaces,
 * so it stands out among kernel messages. */
void ps_report_console(const struct ps_analysis *an, struct ps_buf *out);

/* Bytes that always suffice for either report of this analysis (JSON
 * escapes make a byte up to six); size the output buffer with it. */
size_t ps_report_bound(const struct ps_analysis *an);

/* The catalogue entry the oops header matched, or NULL (no crash, no
 * header, or a header the catalogue does not know). */
struct ps_cat_entry;
const struct ps_cat_entry *ps_report_entry(const struct ps_analysis *an);

/* Label name of the analysis, or "unlabelled". */
struct ps_str ps_report_label(const struct ps_analysis *an);

/* One line on what a label of model/TAXONOMY.md means, or NULL for any other
 * label name.  The console report prints it under the label. */
const char *ps_report_gloss(struct ps_str label);

#endif
