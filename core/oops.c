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
	if (!n)
		return 0;
	/* only the markers that start with the line's first byte */
	switch (*s) {
	case 'C':
		return ps_starts(s, n, "Call Trace:") || ps_starts(s, n, "Call trace:");
	case '<':
		return ps_starts(s, n, "<TASK>") || ps_starts(s, n, "</TASK>") ||
		       ps_starts(s, n, "<IRQ>") || ps_starts(s, n, "</IRQ>") ||
		       ps_starts(s, n, "<NMI>") || ps_starts(s, n, "</NMI>");
	case 'S':
		return ps_starts(s, n, "Stack:");
	case 'B':
		return ps_starts(s, n, "Backtrace:");
	case 'A':
		return ps_starts(s, n, "Allocated by task");
	case 'F':
		return ps_starts(s, n, "Freed by task");
	case 'L':
		return ps_starts(s, n, "Last potentially related work creation:");
	}
	return 0;
}
