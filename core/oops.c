/* The markers of a report's stack dumps.  Which lines open a report,
 * end it and what kind they name is the catalogue's job
 * (core/catalogue.h, model/catalogue.tsv). */
#include "core/oops.h"

#include <string.h>

#include "core/buf.h"
#include "core/mask.h"

int ps_is_trace_marker(const char *s, size_t n)
{
	while (n && ps_is_space((unsigned char)*s))
		s++, n--;
	/* every marker starts with one of these */
	if (!n || (*s != 'C' && *s != '<' && *s != 'S' && *s != 'B' && *s != 'A' && *s != 'F' &&
		   *s != 'L'))
		return 0;
	return ps_starts(s, n, "Call Trace:") || ps_starts(s, n, "Call trace:") ||
	       ps_starts(s, n, "<TASK>") || ps_starts(s, n, "</TASK>") ||
	       ps_starts(s, n, "<IRQ>") || ps_starts(s, n, "</IRQ>") ||
	       ps_starts(s, n, "<NMI>") || ps_starts(s, n, "</NMI>") ||
	       ps_starts(s, n, "Stack:") || ps_starts(s, n, "Backtrace:") ||
	       ps_starts(s, n, "Allocated by task") || ps_starts(s, n, "Freed by task") ||
	       ps_starts(s, n, "Last potentially related work creation:");
}
