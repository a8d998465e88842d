/* Drain: behaviour of the reference algorithm on hand-worked cases,
 * and every capacity-full path. */
#include "tests/unit/check.h"

#include "core/arena.h"
#include "core/drain.h"
#include "core/status.h"

static unsigned char mem[8 << 20];
static char tbuf[1024];

static struct ps_drain *make(struct ps_drain_params *p)
{
	static struct ps_arena a;
	struct ps_drain *d = NULL;

	ps_arena_init(&a, mem, sizeof mem);
	CHECK_EQ_INT(ps_drain_init(&d, &a, p), PS_OK);
	return d;
}

static uint32_t add(struct ps_drain *d, const char *s)
{
	return ps_drain_add(d, s, strlen(s));
}

static const char *tpl(struct ps_drain *d, uint32_t id)
{
	struct ps_buf b;

	ps_buf_init(&b, tbuf, sizeof tbuf);
	ps_drain_template(d, id, &b);
	return tbuf;
}

static void test_reference_behaviour(void)
{
	struct ps_drain_params p;
	struct ps_drain *d;
	uint32_t a, b, c, e, f, g, h;

	ps_drain_defaults(&p);           /* st 0.4, depth 4 */
	d = make(&p);
	a = add(d, "a b c");
	b = add(d, "a b c");
	CHECK_EQ_INT(a, b);
	c = add(d, "a b d");             /* 2 of 3 tokens equal: 0.67 >= 0.4 */
	CHECK_EQ_INT(c, a);
	CHECK_EQ_STR(tpl(d, a), "a b <*>");
	CHECK_EQ_INT(ps_drain_size(d, a), 3);

	e = add(d, "a x y z w");         /* other length: other cluster */
	f = add(d, "a q r s t");         /* 1 of 5: 0.2 < 0.4 */
	CHECK(e != f);
	CHECK_EQ_STR(tpl(d, e), "a x y z w");

	/* tokens with digits go down the <*> branch together */
	g = add(d, "1st b c d");
	h = add(d, "2nd b c d");
	CHECK_EQ_INT(g, h);
	CHECK_EQ_STR(tpl(d, g), "<*> b c d");

	/* like the reference, a line shorter than depth-2 tokens is never
	 * filed in a leaf, so an identical line starts a new cluster */
	a = add(d, "single");
	b = add(d, "single");
	CHECK(a != b);
	CHECK_EQ_STR(tpl(d, b), "single");

	CHECK_EQ_INT(ps_drain_count(d), 6);
	CHECK_EQ_INT(ps_drain_overflows(d), 0);
}

static void test_max_children(void)
{
	struct ps_drain_params p;
	struct ps_drain *d;
	uint32_t a, b, c;

	ps_drain_defaults(&p);
	p.max_children = 2;
	d = make(&p);
	a = add(d, "a k l");     /* child 'a' */
	b = add(d, "b k l");     /* second child becomes <*> */
	c = add(d, "c k l");     /* full: down <*> with 'b', merges */
	CHECK(a != b);
	CHECK_EQ_INT(b, c);
	CHECK_EQ_STR(tpl(d, b), "<*> k l");
	CHECK_EQ_STR(tpl(d, a), "a k l");
}

static void test_depth_and_threshold(void)
{
	struct ps_drain_params p;
	struct ps_drain *d;

	ps_drain_defaults(&p);
	p.depth = 5;             /* leaves after two tokens */
	p.st = 0.9;
	d = make(&p);
	CHECK(add(d, "a b c d e") != add(d, "a c c d e"));      /* second token differs */
	CHECK(add(d, "a b x y z") != add(d, "a b x y q"));      /* 0.8 < 0.9 */
	CHECK_EQ_INT(add(d, "a b x y z"), add(d, "a b x y z"));

	ps_drain_defaults(&p);
	p.depth = 2;
	CHECK(ps_drain_init(&d, &(struct ps_arena){ 0 }, &p) == PS_ERANGE);
	ps_drain_defaults(&p);
	p.st = 1.5;
	CHECK(ps_drain_init(&d, &(struct ps_arena){ 0 }, &p) == PS_ERANGE);
	/* found by fuzz_drain: the vocabulary must hold the wildcard */
	ps_drain_defaults(&p);
	p.vocab_bytes = 2;
	CHECK(ps_drain_init(&d, &(struct ps_arena){ 0 }, &p) == PS_ERANGE);
}

/* fastMatch: equal similarity goes to the template with more <*> */
static void test_ties(void)
{
	struct ps_drain_params p;
	struct ps_drain *d;
	uint32_t t2, t1;

	ps_drain_defaults(&p);
	p.st = 0.6;
	d = make(&p);
	t2 = add(d, "a b c e");
	t1 = add(d, "a b x d");           /* 0.5 against t2: new cluster */
	CHECK(t1 != t2);
	CHECK_EQ_INT(add(d, "a b y d"), t1);
	CHECK_EQ_STR(tpl(d, t1), "a b <*> d");
	/* 3 of 4 against both; t1 has a parameter, so it wins */
	CHECK_EQ_INT(add(d, "a b c d"), t1);
	CHECK_EQ_STR(tpl(d, t2), "a b c e");
}

/* Lines exactly on the similarity threshold join (the reference's
 * "maxSim >= st", with st and the division in double), through the
 * identical-line shortcut and through the tree search alike; among
 * equal similarity and equal parameters the oldest cluster wins.  None
 * of these needs ../shared: t_drain_conformance, which does, was the
 * only test to notice "> st". */
static void test_boundary(void)
{
	struct ps_drain_params p;
	struct ps_drain *d;
	uint32_t a, b, c;
	int shortcut;

	for (shortcut = 0; shortcut < 2; shortcut++) {
		ps_drain_defaults(&p);
		p.no_shortcut = !shortcut;
		p.st = 0.5;
		d = make(&p);
		a = add(d, "a b c d");
		CHECK_EQ_INT(add(d, "a b x y"), a);          /* 2 of 4 = 0.5 */
		CHECK_EQ_STR(tpl(d, a), "a b <*> <*>");
		/* an identical line with <*> in it: 2 of 4 tokens are not <*> */
		b = add(d, "p q <*> <*>");
		CHECK(b != a);
		CHECK_EQ_INT(add(d, "p q <*> <*>"), b);
		CHECK_EQ_INT(ps_drain_size(d, b), 2);
		/* 1 of 4: below, so even the identical line starts a new one */
		c = add(d, "r <*> <*> <*>");
		CHECK(add(d, "r <*> <*> <*>") != c);

		/* the default 0.4 is not exact in binary: 2 of 5 still joins */
		ps_drain_defaults(&p);
		p.no_shortcut = !shortcut;
		d = make(&p);
		a = add(d, "a b c d e");
		CHECK_EQ_INT(add(d, "a b x y z"), a);
		CHECK_EQ_STR(tpl(d, a), "a b <*> <*> <*>");
		b = add(d, "f g <*> <*> <*>");
		CHECK_EQ_INT(add(d, "f g <*> <*> <*>"), b);

		/* 0.6: 3 of 5 joins, 2 of 5 does not */
		p.st = 0.6;
		d = make(&p);
		a = add(d, "a b c d e");
		CHECK_EQ_INT(add(d, "a b c y z"), a);
		CHECK(add(d, "a b q r s") != a);

		/* 3 of 4 against two clusters with no parameter: the older wins */
		p.st = 0.75;
		d = make(&p);
		a = add(d, "a b c d");
		b = add(d, "a b e f");                       /* 0.5: its own */
		CHECK(a != b);
		CHECK_EQ_INT(add(d, "a b c f"), a);
		CHECK_EQ_STR(tpl(d, a), "a b c <*>");
		CHECK_EQ_STR(tpl(d, b), "a b e f");
	}
}

static void test_capacity(void)
{
	struct ps_drain_params p;
	struct ps_drain *d;
	struct ps_arena a;
	uint32_t id;

	ps_drain_defaults(&p);
	p.max_clusters = 2;
	d = make(&p);
	CHECK_EQ_INT(add(d, "one two three"), 0);
	CHECK_EQ_INT(add(d, "four five six"), 1);
	CHECK_EQ_INT(add(d, "seven eight nine"), PS_DRAIN_OVERFLOW);
	CHECK_EQ_INT(add(d, "one two ten"), 0);       /* existing ones still match */
	CHECK_EQ_INT(ps_drain_overflows(d), 1);

	ps_drain_defaults(&p);
	p.max_tokens = 3;
	d = make(&p);
	id = add(d, "a b c d e");
	CHECK_EQ_STR(tpl(d, id), "a b c");
	CHECK_EQ_INT(ps_drain_overflows(d), 1);

	ps_drain_defaults(&p);
	p.max_vocab = 4;         /* <*> plus three tokens */
	d = make(&p);
	id = add(d, "a b c d e");
	CHECK_EQ_STR(tpl(d, id), "a b c <?> <?>");
	CHECK(ps_drain_overflows(d) >= 1);
	/* unknown tokens never equal each other */
	CHECK(add(d, "a b x y z") != PS_DRAIN_OVERFLOW);

	ps_drain_defaults(&p);
	p.max_nodes = 3;         /* root, one length node, one child */
	d = make(&p);
	CHECK(add(d, "a b c") != PS_DRAIN_OVERFLOW);
	CHECK(add(d, "x y z w") != PS_DRAIN_OVERFLOW);
	CHECK(ps_drain_overflows(d) >= 1);

	/* an arena too small */
	ps_drain_defaults(&p);
	ps_arena_init(&a, mem, 4096);
	CHECK_EQ_INT(ps_drain_init(&d, &a, &p), PS_ENOMEM);
}

static void test_match_only(void)
{
	struct ps_drain_params p;
	struct ps_drain *d;
	uint32_t a;

	ps_drain_defaults(&p);
	d = make(&p);
	a = add(d, "disk sda failed");
	CHECK_EQ_INT(ps_drain_match(d, "disk sdb failed", 15), a);
	CHECK_EQ_STR(tpl(d, a), "disk sda failed");          /* unchanged */
	CHECK_EQ_INT(ps_drain_match(d, "q r s", 5), PS_DRAIN_OVERFLOW);
	CHECK_EQ_INT(ps_drain_match(d, "", 0), PS_DRAIN_OVERFLOW);
	CHECK_EQ_INT(ps_drain_count(d), 1);
	CHECK_EQ_INT(ps_drain_template_len(d, a), 3);
	CHECK_EQ_INT(ps_drain_template_len(d, 99), 0);
	CHECK_EQ_STR(tpl(d, 99), "");
}

/* The exact-match shortcut and the tree-search memo must change
 * nothing: random workloads with repeated lines, <*> tokens, numbers
 * and short lines give the same cluster for every line and the same
 * templates with and without them (no_shortcut turns both off).  Every
 * third round has a small cluster table, so its memo has few slots
 * that lines keep taking from each other, and the table fills up. */
static void test_shortcut_equivalence(void)
{
	static const char *const words[] = { "a", "b", "c", "<*>", "x1", "disk", "sda", "9", "to", "<*>" };
	static unsigned char mem2[8 << 20];
	static char lines[3000][64];
	struct ps_drain_params p;
	struct ps_drain *fast, *slow;
	struct ps_arena a1, a2;
	uint32_t seed = 12345, i, k, round, mismatches = 0;
	char t1[256], t2[256];
	struct ps_buf b1, b2;

	for (round = 0; round < 12; round++) {
		ps_drain_defaults(&p);
		p.st = (double)(round % 4) * 0.25 + 0.1;
		p.depth = 3 + round % 4;
		p.max_children = 2 + round;
		if (round % 3 == 2)
			p.max_clusters = 40 + round;
		ps_arena_init(&a1, mem, sizeof mem);
		ps_arena_init(&a2, mem2, sizeof mem2);
		CHECK_EQ_INT(ps_drain_init(&fast, &a1, &p), PS_OK);
		p.no_shortcut = 1;
		CHECK_EQ_INT(ps_drain_init(&slow, &a2, &p), PS_OK);
		for (i = 0; i < 3000; i++) {
			size_t len = 0;
			uint32_t n;

			seed = seed * 1103515245u + 12345u;
			if (i > 10 && seed % 3 == 0) {          /* repeat an earlier line */
				memcpy(lines[i], lines[(seed >> 8) % i], sizeof lines[i]);
			} else {
				n = 1 + (seed >> 16) % 6;
				for (k = 0; k < n; k++) {
					seed = seed * 1103515245u + 12345u;
					len += (size_t)sprintf(lines[i] + len, "%s ", words[(seed >> 16) % 10]);
				}
			}
			if (ps_drain_add(fast, lines[i], strlen(lines[i])) !=
			    ps_drain_add(slow, lines[i], strlen(lines[i])))
				mismatches++;
		}
		CHECK_EQ_INT(ps_drain_count(fast), ps_drain_count(slow));
		for (k = 0; k < ps_drain_count(fast); k++) {
			ps_buf_init(&b1, t1, sizeof t1);
			ps_buf_init(&b2, t2, sizeof t2);
			ps_drain_template(fast, k, &b1);
			ps_drain_template(slow, k, &b2);
			if (strcmp(t1, t2) != 0)
				mismatches++;
		}
		for (i = 0; i < 200; i++)
			if (ps_drain_match(fast, lines[i], strlen(lines[i])) !=
			    ps_drain_match(slow, lines[i], strlen(lines[i])))
				mismatches++;
	}
	CHECK_EQ_INT(mismatches, 0);
}

int main(void)
{
	test_reference_behaviour();
	test_max_children();
	test_ties();
	test_boundary();
	test_depth_and_threshold();
	test_capacity();
	test_match_only();
	test_shortcut_equivalence();
	return check_summary("test_drain");
}
