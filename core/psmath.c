#include "core/psmath.h"

#include <float.h>
#include <stdint.h>
#include <string.h>

static float from_bits(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static uint32_t to_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

/* exp(x) = 2^k * exp(r), x = k ln2 + r, |r| <= ln2/2; exp(r) by a
 * degree-6 Taylor polynomial (error < 2e-8 relative on that range). */
float ps_expf(float x)
{
	const float ln2_hi = 0.693145752f, ln2_lo = 1.42860677e-6f;
	float kf, r, p;
	int32_t k;

	if (!(x == x))
		return 0;
	if (x < -87.3f)
		return 0;
	if (x > 88.7f)
		return FLT_MAX;
	kf = x * 1.44269504f;
	k = (int32_t)(kf < 0 ? kf - 0.5f : kf + 0.5f);
	r = x - (float)k * ln2_hi - (float)k * ln2_lo;
	p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 +
		r * (1.0f / 120 + r * (1.0f / 720))))));
	/* 2^k in two steps so that k = 128 or k = -126.. stay representable */
	if (k > 127) {
		p *= 2.0f;
		k--;
	}
	if (k < -126) {
		p *= from_bits((uint32_t)(127 - 64) << 23);   /* 2^-64 */
		k += 64;
	}
	return p * from_bits((uint32_t)(k + 127) << 23);
}

/* log(x) = e ln2 + log(m), m in [sqrt(1/2), sqrt(2)); log(m) through
 * s = (m-1)/(m+1), log(m) = 2 atanh(s) = 2(s + s^3/3 + s^5/5 + ...). */
float ps_logf(float x)
{
	uint32_t u;
	int32_t e;
	float m, s, s2, t;

	if (!(x > 0))
		return -FLT_MAX;
	if (x > FLT_MAX)
		return 88.7228391f;
	u = to_bits(x);
	if ((u >> 23) == 0) {            /* subnormal: scale up by 2^25 */
		x *= 33554432.0f;
		u = to_bits(x);
		e = -25;
	} else {
		e = 0;
	}
	e += (int32_t)(u >> 23) - 127;
	m = from_bits((u & 0x007fffffu) | 0x3f800000u);   /* [1, 2) */
	if (m > 1.41421356f) {
		m *= 0.5f;
		e++;
	}
	s = (m - 1.0f) / (m + 1.0f);
	s2 = s * s;
	t = s * (2.0f + s2 * (2.0f / 3 + s2 * (2.0f / 5 + s2 * (2.0f / 7 +
		s2 * (2.0f / 9 + s2 * (2.0f / 11))))));
	return (float)e * 0.693147181f + t;
}

float ps_sqrtf(float x)
{
	if (!(x > 0))
		return 0;
	return __builtin_sqrtf(x);
}

int ps_round_q8(float v)
{
	if (!(v > -127.0f))        /* also NaN */
		return v == v ? -127 : 0;
	if (v >= 127.0f)
		return 127;
	return (int)(v < 0 ? v - 0.5f : v + 0.5f);
}
