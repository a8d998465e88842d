#include "core/utf8.h"

#include <stdint.h>

size_t ps_utf8_seq(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		cp = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		cp = u[0] & 0x07;
	} else {
		return 0;       /* a continuation byte, 0xc0/0xc1 (overlong) or 0xf5.. */
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (u[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

int ps_utf8_valid(const char *s, size_t n, enum ps_utf8_nul nul)
{
	size_t i = 0;

	while (i < n) {
		size_t len = ps_utf8_seq(s + i, n - i);

		if (len == 0 || (nul == PS_UTF8_NUL_REJECT && s[i] == 0))
			return 0;
		i += len;
	}
	return 1;
}
