#include "tools/collector/texts.h"

#include "core/utf8.h"

#include <string.h>

/* The first control character (C0, DEL, C1 as UTF-8) of s[0..n), or n. */
static size_t control_at(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f))
			return i;
	return n;
}

const char *text_check(const char *s, size_t max, int url)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i;

	if (n > max)
		return "too long";
	if (control_at(p, n) < n)
		return "control characters";
	if (!url)
		return ps_utf8_valid(s, n, PS_UTF8_NUL_REJECT) ? NULL : "not UTF-8";
	for (i = 0; i < n; i++)
		if (p[i] == ' ' || p[i] > 0x7e)
			return "a space or a byte that is not printable ASCII";
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return "not an http:// or https:// URL";
	return NULL;
}

const char *text_check_by(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TEXT_BY_MAX)
		return "empty or too long";
	if (control_at((const unsigned char *)s, n) < n)
		return "control characters";
	return ps_utf8_valid(s, n, PS_UTF8_NUL_REJECT) ? NULL : "not UTF-8";
}
