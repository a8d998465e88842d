/* fuzz_http: the LLM client's HTTP response reader
 * (tools/collector/http_reader.c), on whatever an endpoint, or anything
 * pretending to be one, sends back.
 *
 * The first byte is the size of the pieces the response arrives in
 * (1 to 256 bytes), the rest the response.  It is read twice: whole,
 * and piece by piece as http_post reads it.  Invariants: both readers
 * find the same header end and fields, say the same thing at the end
 * (the same status and body, or the same reason), and a body stays
 * within the bytes read, NUL-terminated. */
#include "tests/fuzz/fuzz.h"

#include "tools/collector/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_reader whole, piecewise;
	size_t piece, used = 0, n, len1 = 0, len2 = 0;
	const char *why1, *why2;
	int st1 = -1, st2 = -1, done1, done2 = 0;
	char *a, *b;

	if (size == 0)
		return 0;
	piece = (size_t)data[0] + 1;
	data++;
	size--;
	a = malloc(size + 1);
	b = malloc(size + 1);
	FUZZ_ASSERT(a && b);
	memset(&whole, 0, sizeof whole);
	memset(&piecewise, 0, sizeof piecewise);

	if (size)
		memcpy(a, data, size);
	done1 = http_reader_feed(&whole, a, size);
	while (used < size && !done2) {
		n = size - used < piece ? size - used : piece;
		memcpy(b + used, data + used, n);
		used += n;
		done2 = http_reader_feed(&piecewise, b, used);
	}
	FUZZ_ASSERT(whole.body_at == piecewise.body_at);
	FUZZ_ASSERT(whole.body_at <= size);
	FUZZ_ASSERT(whole.chunked == piecewise.chunked && whole.have_length == piecewise.have_length &&
		    whole.length == piecewise.length);
	FUZZ_ASSERT(!done2 || used - piecewise.body_at >= piecewise.length);
	FUZZ_ASSERT(done1 || !done2);

	why1 = http_reader_finish(&whole, a, size, &st1, &len1);
	why2 = http_reader_finish(&piecewise, b, used, &st2, &len2);
	FUZZ_ASSERT((why1 == NULL) == (why2 == NULL));
	if (why1) {
		FUZZ_ASSERT(!strcmp(why1, why2));
	} else {
		FUZZ_ASSERT(st1 == st2 && len1 == len2 && len1 <= size);
		FUZZ_ASSERT(a[len1] == '\0' && b[len2] == '\0');
		FUZZ_ASSERT(memcmp(a, b, len1) == 0);
	}
	free(a);
	free(b);
	return 0;
}
