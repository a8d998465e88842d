/* The markers of a report's stack dumps.  Which lines open a report,
 * end it and what kind they name is the catalogue's job
 * (core/catalogue.h, model/catalogue.tsv). */
#include "core/oops.h"

#include <string.h>

#include "core/mask.h"

static int starts(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++)
		if (i >= n || s[i] != p[i])
			return 0;
	return 1;
}

int ps_is_trace_marker(const char *s, size_t n)
{
	while (n && ps_is_space((unsigned char)*s))
		s++, n--;
	/* every marker starts with one of these */
	if (!n || (*s != 'C' && *s != '<' && *s != 'S' && *s != 'B' && *s != 'A' && *s != 'F' &&
		   *s != 'L'))
		return 0;
	return starts(s, n, "Call Trace:") || starts(s, n, "Call trace:") ||
	       starts(s, n, "<TASK>") || starts(s, n, "</TASK>") ||
	       starts(s, n, "<IRQ>") || starts(s, n, "</IRQ>") ||
	       starts(s, n, "<NMI>") || starts(s, n, "</NMI>") ||
	       starts(s, n, "Stack:") || starts(s, n, "Backtrace:") ||
	       starts(s, n, "Allocated by task") || starts(s, n, "Freed by task") ||
	       starts(s, n, "Last potentially related work creation:");
}
