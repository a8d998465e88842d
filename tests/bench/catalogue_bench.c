/* Catalogue matching speed: every line of a ~1 MiB log against all
 * entries of model/catalogue.tsv.  The log is tests/data/example.log
 * repeated (or the file given) up to 1 MiB.  Prints the time per MiB
 * and the parse time; no assertion on the numbers. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/catalogue.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)len + 1);
	if (!b || fread(b, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	*n = (size_t)len;
	return b;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	const char *cpath = argc > 1 ? argv[1] : "model/catalogue.tsv";
	const char *lpath = argc > 2 ? argv[2] : "tests/data/example.log";
	static unsigned char abuf[8 << 20];
	struct ps_arena a;
	struct ps_catalogue cat;
	struct ps_cat_error err;
	struct ps_cat_match m;
	size_t cn, ln, total = 0, i, lines = 0, hits = 0;
	char *ctext = slurp(cpath, &cn), *ltext = slurp(lpath, &ln), *log;
	double t0, t1, best = 1e9;
	int round;

	if (!ctext || !ltext || ln == 0) {
		fprintf(stderr, "catalogue-bench: cannot read %s or %s\n", cpath, lpath);
		return 1;
	}
	log = malloc((1u << 20) + ln);
	while (total < (1u << 20)) {
		memcpy(log + total, ltext, ln);
		total += ln;
	}
	ps_arena_init(&a, abuf, sizeof abuf);
	t0 = now();
	if (ps_catalogue_parse(&cat, ctext, cn, &a, &err) != 0) {
		fprintf(stderr, "catalogue-bench: %s:%u: %s\n", cpath, err.line, err.msg);
		return 1;
	}
	t1 = now();
	for (round = 0; round < 20; round++) {
		double s = now(), e;

		lines = hits = 0;
		for (i = 0; i < total;) {
			size_t j = i;

			while (j < total && log[j] != '\n')
				j++;
			lines++;
			hits += (size_t)ps_catalogue_match(&cat, log + i, j - i, &m);
			i = j + 1;
		}
		e = now() - s;
		if (e < best)
			best = e;
	}
	printf("catalogue: %u entries, key %u bytes, parse %.2f ms, index %zu KiB (arena peak %zu KiB)\n",
	       cat.n, cat.keylen, (t1 - t0) * 1e3, a.used >> 10, a.peak >> 10);
	printf("catalogue: %zu bytes, %zu lines, %zu matched: %.3f ms per MiB (best of 20)\n",
	       total, lines, hits, best * 1e3 * (double)(1u << 20) / (double)total);
	free(log);
	free(ltext);
	free(ctext);
	return 0;
}
