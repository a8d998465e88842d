/* The arena and the output buffer: the two pieces every stage uses. */
#include "tests/unit/check.h"

#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

static _Alignas(64) unsigned char mem[256];

static void test_arena(void)
{
	struct ps_arena a;
	void *p, *q;
	size_t m;

	ps_arena_init(&a, mem, sizeof mem);
	p = ps_arena_alloc(&a, 3, 1);
	q = ps_arena_alloc(&a, 8, 8);
	CHECK(p == mem);
	CHECK(q != NULL && (uintptr_t)q % 8 == 0);
	CHECK_EQ_INT(a.used, 16);
	m = ps_arena_mark(&a);
	CHECK(ps_arena_alloc(&a, 240, 1) != NULL);
	CHECK_EQ_INT(a.used, 256);
	CHECK(ps_arena_alloc(&a, 1, 1) == NULL);          /* full */
	CHECK_EQ_INT(a.failed, 1);
	ps_arena_release(&a, m);
	CHECK_EQ_INT(a.used, 16);
	CHECK_EQ_INT(a.peak, 256);
	CHECK(ps_arena_alloc(&a, SIZE_MAX, 1) == NULL);    /* no wrap-around */
	CHECK(ps_arena_alloc(&a, SIZE_MAX - 8, 64) == NULL);
	CHECK(ps_arena_zalloc(&a, SIZE_MAX / 2, 4, 4) == NULL);  /* n * elem overflows */
	CHECK_EQ_INT(a.failed, 1);                        /* the first failure is kept */
	p = ps_arena_zalloc(&a, 4, 4, 4);
	CHECK(p != NULL && ((uint32_t *)p)[3] == 0);

	ps_arena_init(&a, NULL, 100);                     /* no memory at all */
	CHECK(ps_arena_alloc(&a, 1, 1) == NULL);
	CHECK(ps_arena_alloc(&a, 0, 1) != NULL || a.size == 0);
}

static void test_buf(void)
{
	char mem2[16];
	char big[256];
	struct ps_buf b;

	ps_buf_init(&b, mem2, sizeof mem2);
	ps_buf_puts(&b, "0123456789");
	ps_buf_u64(&b, 12345);
	CHECK_EQ_STR(b.p, "012345678912345");
	CHECK(!b.overflow);
	ps_buf_putc(&b, 'x');
	CHECK(b.overflow);
	CHECK_EQ_INT(b.len, 15);
	CHECK_EQ_STR(b.p, "012345678912345");

	ps_buf_init(&b, big, sizeof big);
	ps_buf_i64(&b, INT64_MIN);
	ps_buf_putc(&b, ' ');
	ps_buf_u64(&b, UINT64_MAX);
	ps_buf_putc(&b, ' ');
	ps_buf_u64w(&b, 42, 6);
	ps_buf_putc(&b, ' ');
	ps_buf_fixed(&b, 0.96875, 2);
	ps_buf_putc(&b, ' ');
	ps_buf_fixed(&b, -1.5, 0);
	ps_buf_putc(&b, ' ');
	ps_buf_fixed(&b, 0.0 / 0.0, 3);
	CHECK_EQ_STR(b.p, "-9223372036854775808 18446744073709551615 000042 0.97 -2 0.000");

	ps_buf_init(&b, big, sizeof big);
	ps_buf_printable(&b, "a\tb\x01\xff\\c", 7);
	CHECK_EQ_STR(b.p, "a\\x09b\\x01\\xff\\c");

	ps_buf_init(&b, big, sizeof big);
	ps_buf_json_str(&b, "q\"b\\n\n\x01\x7f", 8);
	CHECK_EQ_STR(b.p, "\"q\\\"b\\\\n\\u000a\\u0001\\u007f\"");
	ps_buf_init(&b, big, sizeof big);
	/* valid UTF-8 passes, invalid bytes and surrogates become U+FFFD */
	ps_buf_json_str(&b, "\xc3\xa9|\xff|\xed\xa0\x80|\xf0\x9f\x98\x80|\xc3", 15);
	CHECK_EQ_STR(b.p, "\"\xc3\xa9|\\ufffd|\\ufffd\\ufffd\\ufffd|\xf0\x9f\x98\x80|\\ufffd\"");

	ps_buf_init(&b, big, 0);
	ps_buf_puts(&b, "x");
	CHECK(b.overflow && b.len == 0);

	CHECK_EQ_INT(ps_strlen("abc"), 3);
	CHECK(ps_streq("abc", "abc") && !ps_streq("abc", "abd") && !ps_streq("ab", "abc"));
	CHECK(ps_starts("Call Trace:", 11, "Call") && ps_starts("abc", 3, "abc") && ps_starts("x", 1, ""));
	CHECK(!ps_starts("Call Trace:", 3, "Call"));      /* only n bytes count */
	CHECK(!ps_starts("ab", 2, "abc") && !ps_starts("abd", 3, "abc"));
}

int main(void)
{
	test_arena();
	test_buf();
	return check_summary("test_arena_buf");
}
