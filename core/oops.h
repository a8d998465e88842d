/* The markers of a kernel report's stack dumps ("Call Trace:",
 * "<TASK>", "<IRQ>", "Allocated by task ...").  The lines that open or
 * end a report and the kind they name are recognised by the fault
 * message catalogue (core/catalogue.h); stack frames by ps_frame_symbol
 * (core/mask.h). */
#ifndef PS_OOPS_H
#define PS_OOPS_H

#include <stddef.h>

/* "Call Trace:", "<TASK>", "<IRQ>" and similar markers. */
int ps_is_trace_marker(const char *s, size_t n);

#endif
