#include "tools/train/calib.h"

#include <math.h>
#include <string.h>

#include "core/model.h"

/* log p, floored so that a probability of 0 stays finite */
static double logp(float p)
{
	return log(p > 1e-30f ? (double)p : 1e-30);
}

double calib_nll(const float *probs, const int *truth, uint32_t n, uint32_t nl, double T)
{
	double sum = 0;
	uint32_t i, j, cnt = 0;

	for (i = 0; i < n; i++) {
		const float *p = probs + (size_t)i * nl;
		double mx = -INFINITY, z = 0;

		if (truth[i] < 0 || (uint32_t)truth[i] >= nl)
			continue;
		for (j = 0; j < nl; j++)
			if (logp(p[j]) / T > mx)
				mx = logp(p[j]) / T;
		for (j = 0; j < nl; j++)
			z += exp(logp(p[j]) / T - mx);
		sum += mx + log(z) - logp(p[truth[i]]) / T;
		cnt++;
	}
	return cnt ? sum / cnt : 0;
}

double calib_fit_temperature(const float *probs, const int *truth, uint32_t n, uint32_t nl)
{
	const double g = 0.6180339887498949;
	double lo = 1.0 / PS_CALIB_T_MAX, hi = 1.0 / PS_CALIB_T_MIN, a, b, fa, fb;
	uint32_t i, any = 0;

	for (i = 0; i < n; i++)
		any |= truth[i] >= 0;
	if (!any)
		return 1;
	/* on beta = 1/T */
	a = hi - g * (hi - lo);
	b = lo + g * (hi - lo);
	fa = calib_nll(probs, truth, n, nl, 1 / a);
	fb = calib_nll(probs, truth, n, nl, 1 / b);
	for (i = 0; i < 80; i++) {
		if (fa < fb) {
			hi = b;
			b = a;
			fb = fa;
			a = hi - g * (hi - lo);
			fa = calib_nll(probs, truth, n, nl, 1 / a);
		} else {
			lo = a;
			a = b;
			fa = fb;
			b = lo + g * (hi - lo);
			fb = calib_nll(probs, truth, n, nl, 1 / b);
		}
	}
	return 2 / (lo + hi);
}

void calib_apply(float *probs, uint32_t n, uint32_t nl, double T)
{
	uint32_t i, j;

	for (i = 0; i < n; i++) {
		float *p = probs + (size_t)i * nl;
		double mx = -INFINITY, z = 0, l;

		for (j = 0; j < nl; j++)
			if (logp(p[j]) / T > mx)
				mx = logp(p[j]) / T;
		for (j = 0; j < nl; j++)
			z += exp(logp(p[j]) / T - mx);
		for (j = 0; j < nl; j++) {
			l = logp(p[j]) / T - mx;
			p[j] = (float)(exp(l) / z);
		}
	}
}

void calib_stats(const int *truth, const int *pred, const float *conf, uint32_t n, struct calib_stats *s)
{
	uint32_t i, b;

	memset(s, 0, sizeof *s);
	for (i = 0; i < n; i++) {
		double c = conf[i];
		int ok = pred[i] == truth[i];

		if (truth[i] < 0)
			continue;
		b = c >= 1 ? CALIB_BINS - 1 : c <= 0 ? 0 : (uint32_t)(c * CALIB_BINS);
		s->bin[b].n++;
		s->bin[b].conf += c;
		s->bin[b].acc += ok;
		s->n++;
		if (c >= 0.9) {
			s->confident++;
			s->confident_wrong += !ok;
		}
	}
	for (b = 0; b < CALIB_BINS; b++) {
		if (!s->bin[b].n)
			continue;
		s->bin[b].conf /= s->bin[b].n;
		s->bin[b].acc /= s->bin[b].n;
		s->ece += (double)s->bin[b].n / s->n * fabs(s->bin[b].acc - s->bin[b].conf);
	}
}
