/* A minimal test harness: CHECK records a failure and carries on, so
 * one run reports every broken expectation.  main() returns
 * check_summary(). */
#ifndef PS_CHECK_H
#define PS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do { \
	check_count++; \
	if (!(cond)) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	check_count++; \
	if (a_ != b_) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
	} \
} while (0)

#define CHECK_EQ_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	check_count++; \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", \
			__FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} \
} while (0)

/* Compares a (pointer, length) span with a C string. */
#define CHECK_SPAN(p, n, s) do { \
	const char *s_ = (s); size_t n_ = (size_t)(n); \
	check_count++; \
	if (strlen(s_) != n_ || memcmp((p), s_, n_) != 0) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: \"%.*s\" == \"%s\"\n", \
			__FILE__, __LINE__, (int)n_, (const char *)(p), s_); \
	} \
} while (0)

static inline int check_summary(const char *name)
{
	if (check_count == 0) {
		fprintf(stderr, "%s: no checks ran\n", name);
		return 1;
	}
	if (check_failures) {
		fprintf(stderr, "%s: %d of %d checks failed\n", name, check_failures, check_count);
		return 1;
	}
	printf("%s: %d checks passed\n", name, check_count);
	return 0;
}

#endif
