/* core/utf8.c: the strict UTF-8 validator the frame, JSON output and
 * the collector's texts share.  Expected answers are from RFC 3629's
 * table, written out by hand. */
#include "tests/unit/check.h"

#include "core/utf8.h"

#define OK(lit, nul)  CHECK(ps_utf8_valid(lit, sizeof lit - 1, nul) == 1)
#define BAD(lit, nul) CHECK(ps_utf8_valid(lit, sizeof lit - 1, nul) == 0)
#define BOTH_OK(lit)  do { OK(lit, PS_UTF8_NUL_OK); OK(lit, PS_UTF8_NUL_REJECT); } while (0)
#define BOTH_BAD(lit) do { BAD(lit, PS_UTF8_NUL_OK); BAD(lit, PS_UTF8_NUL_REJECT); } while (0)

static void test_valid(void)
{
	BOTH_OK("");
	BOTH_OK("plain ASCII ~\x7f");
	BOTH_OK("\xc2\x80");                 /* U+0080, the smallest 2-byte */
	BOTH_OK("\xc3\xa9t\xc3\xa9");        /* été */
	BOTH_OK("\xdf\xbf");                 /* U+07FF */
	BOTH_OK("\xe0\xa0\x80");             /* U+0800, the smallest 3-byte */
	BOTH_OK("\xe2\x82\xac");             /* € */
	BOTH_OK("\xed\x9f\xbf");             /* U+D7FF, just below the surrogates */
	BOTH_OK("\xee\x80\x80");             /* U+E000, just above them */
	BOTH_OK("\xef\xbf\xbf");             /* U+FFFF */
	BOTH_OK("\xf0\x90\x80\x80");         /* U+10000, the smallest 4-byte */
	BOTH_OK("\xf0\x9f\x98\x80");         /* an emoji */
	BOTH_OK("\xf4\x8f\xbf\xbf");         /* U+10FFFF, the largest */
}

static void test_invalid(void)
{
	/* overlong forms */
	BOTH_BAD("\xc0\x80");                /* NUL in two bytes */
	BOTH_BAD("\xc1\xbf");
	BOTH_BAD("\xe0\x80\x80");
	BOTH_BAD("\xe0\x9f\xbf");            /* U+07FF in three bytes */
	BOTH_BAD("\xf0\x80\x80\x80");
	BOTH_BAD("\xf0\x8f\xbf\xbf");        /* U+FFFF in four bytes */
	/* surrogates */
	BOTH_BAD("\xed\xa0\x80");            /* U+D800 */
	BOTH_BAD("\xed\xbf\xbf");            /* U+DFFF */
	BOTH_BAD("\xed\xa0\xbd\xed\xb8\x80");   /* a CESU-8 pair */
	/* past U+10FFFF */
	BOTH_BAD("\xf4\x90\x80\x80");        /* U+110000 */
	BOTH_BAD("\xf5\x80\x80\x80");
	BOTH_BAD("\xf8\x88\x80\x80\x80");    /* old 5-byte form */
	BOTH_BAD("\xff");
	BOTH_BAD("\xfe");
	/* truncated sequences, at the end and in the middle */
	BOTH_BAD("\xc3");
	BOTH_BAD("ab\xe2\x82");
	BOTH_BAD("\xf0\x9f\x98");
	BOTH_BAD("\xe2\x82x");
	BOTH_BAD("\xf0\x9f\x98 ");
	/* a lone continuation byte */
	BOTH_BAD("\x80");
	BOTH_BAD("a\xbf" "b");
	/* a valid sequence does not rescue an invalid one after it */
	BOTH_BAD("\xc3\xa9\xff");
}

static void test_nul(void)
{
	OK("\0", PS_UTF8_NUL_OK);
	BAD("\0", PS_UTF8_NUL_REJECT);
	OK("a\0b\xc3\xa9", PS_UTF8_NUL_OK);
	BAD("a\0b\xc3\xa9", PS_UTF8_NUL_REJECT);
	BAD("\xc3\xa9\0", PS_UTF8_NUL_REJECT);
	/* n counts: bytes past n are not looked at */
	CHECK(ps_utf8_valid("ab\0", 2, PS_UTF8_NUL_REJECT) == 1);
	CHECK(ps_utf8_valid("ab\xff", 2, PS_UTF8_NUL_OK) == 1);
	CHECK(ps_utf8_valid("\xc3\xa9", 1, PS_UTF8_NUL_OK) == 0);
}

static void test_seq(void)
{
	CHECK_EQ_INT(ps_utf8_seq("", 0), 0);
	CHECK_EQ_INT(ps_utf8_seq("a", 1), 1);
	CHECK_EQ_INT(ps_utf8_seq("\0", 1), 1);
	CHECK_EQ_INT(ps_utf8_seq("\xc3\xa9x", 3), 2);
	CHECK_EQ_INT(ps_utf8_seq("\xe2\x82\xac", 3), 3);
	CHECK_EQ_INT(ps_utf8_seq("\xf4\x8f\xbf\xbf", 4), 4);
	CHECK_EQ_INT(ps_utf8_seq("\xf4\x8f\xbf\xbf", 3), 0);   /* cut by n */
	CHECK_EQ_INT(ps_utf8_seq("\xed\xa0\x80", 3), 0);
	CHECK_EQ_INT(ps_utf8_seq("\xc0\xaf", 2), 0);
	CHECK_EQ_INT(ps_utf8_seq("\x80", 1), 0);
}

int main(void)
{
	test_valid();
	test_invalid();
	test_nul();
	test_seq();
	return check_summary("test_utf8");
}
