/* tools/train/calib.c: temperature scaling finds the temperature a
 * synthetic set of logits was drawn at, lowers the NLL on held-out
 * cases; ECE and the confident-wrong rate on hand-made answers. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "core/model.h"
#include "tools/train/calib.h"

#define NL 5u
#define N 20000u

static uint64_t st = 88172645463325252ull;

static double unif(void)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return (double)(st >> 11) / 9007199254740992.0;
}

/* logits z ~ 3 * (uniform - 0.5) per class, class 0 favoured; the
 * model says softmax(z); the truth is drawn from softmax(z / t_true). */
static void make_set(double t_true, float *probs, int *truth)
{
	uint32_t i, j;

	for (i = 0; i < N; i++) {
		double z[NL], q[NL], s1 = 0, s2 = 0, u, acc = 0;

		for (j = 0; j < NL; j++) {
			z[j] = 6 * (unif() - 0.5) + (j == 0 ? 2 : 0);
			s1 += exp(z[j]);
			s2 += exp(z[j] / t_true);
		}
		for (j = 0; j < NL; j++) {
			probs[i * NL + j] = (float)(exp(z[j]) / s1);
			q[j] = exp(z[j] / t_true) / s2;
		}
		u = unif();
		truth[i] = NL - 1;
		for (j = 0; j < NL; j++) {
			acc += q[j];
			if (u < acc) {
				truth[i] = (int)j;
				break;
			}
		}
	}
}

int main(void)
{
	static float probs[N * NL];
	static int truth[N], pred[4];
	static const double temps[] = { 2.0, 0.5, 1.0 };
	uint32_t k;

	for (k = 0; k < 3; k++) {
		double t, nll_fit, nll_one;

		make_set(temps[k], probs, truth);
		/* fitted on the first half, judged on the second */
		t = calib_fit_temperature(probs, truth, N / 2, NL);
		printf("true T %.2f fitted T %.3f\n", temps[k], t);
		CHECK(fabs(t - temps[k]) < 0.1 * temps[k]);
		nll_fit = calib_nll(probs + (N / 2) * NL, truth + N / 2, N / 2, NL, t);
		nll_one = calib_nll(probs + (N / 2) * NL, truth + N / 2, N / 2, NL, 1.0);
		printf("held-out NLL at T=1 %.4f, at fitted T %.4f\n", nll_one, nll_fit);
		if (temps[k] != 1.0)
			CHECK(nll_fit < nll_one - 0.01);
		else
			CHECK(nll_fit <= nll_one + 0.002);
		/* a minimum: neighbours are no better on the fitted half */
		CHECK(calib_nll(probs, truth, N / 2, NL, t) <= calib_nll(probs, truth, N / 2, NL, t * 1.05));
		CHECK(calib_nll(probs, truth, N / 2, NL, t) <= calib_nll(probs, truth, N / 2, NL, t / 1.05));
	}
	/* apply: T = 1 changes nothing, the rows still sum to 1 */
	{
		float p[NL] = { 0.5f, 0.2f, 0.1f, 0.1f, 0.1f }, s = 0;

		calib_apply(p, 1, NL, 1.0);
		CHECK(fabsf(p[0] - 0.5f) < 1e-6f && fabsf(p[1] - 0.2f) < 1e-6f);
		calib_apply(p, 1, NL, 2.0);
		for (k = 0; k < NL; k++)
			s += p[k];
		CHECK(fabsf(s - 1) < 1e-5f);
		CHECK(fabsf(p[0] / p[1] - sqrtf(2.5f)) < 1e-4f);
	}
	/* no truth: T = 1 */
	{
		int none[2] = { -1, -1 };

		CHECK(calib_fit_temperature(probs, none, 2, NL) == 1.0);
	}
	/* ECE and confident-wrong, by hand: four answers at 0.95, two right
	 * (bin 14: |0.5 - 0.95|), four at 0.35, all right (bin 5: 0.65);
	 * ECE = 0.5 * 0.45 + 0.5 * 0.65 = 0.55 */
	{
		int tr[9] = { 0, 0, 1, 1, 2, 2, 2, 2, -1 }, pr[9] = { 0, 1, 1, 0, 2, 2, 2, 2, 0 };
		float cf[9] = { 0.95f, 0.95f, 0.95f, 0.95f, 0.35f, 0.35f, 0.35f, 0.35f, 0.99f };
		struct calib_stats s;

		calib_stats(tr, pr, cf, 9, &s);
		CHECK_EQ_INT(s.n, 8);
		CHECK_EQ_INT(s.confident, 4);
		CHECK_EQ_INT(s.confident_wrong, 2);
		CHECK_EQ_INT(s.bin[14].n, 4);
		CHECK_EQ_INT(s.bin[5].n, 4);
		CHECK(fabs(s.ece - 0.55) < 1e-6);
		CHECK(fabs(s.bin[14].acc - 0.5) < 1e-9 && fabs(s.bin[5].conf - 0.35) < 1e-6);
	}
	(void)pred;
	return check_summary("test_calib");
}
