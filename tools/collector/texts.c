#include "tools/collector/texts.h"

#include <string.h>

int text_utf8_ok(const char *str, size_t n)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], need, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
		else return 0;
		if (n - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

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
		return text_utf8_ok(s, n) ? NULL : "not UTF-8";
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
	return text_utf8_ok(s, n) ? NULL : "not UTF-8";
}
