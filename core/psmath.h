/* The little floating-point math core/ needs, without libm: exp and
 * log for softmax and feature weights, sqrt for norms.  Accurate to a
 * few ulp over the ranges the classifier uses; see test_psmath.c. */
#ifndef PS_PSMATH_H
#define PS_PSMATH_H

/* e^x; 0 below -87.3, +inf-free: saturates at FLT_MAX above 88.7. */
float ps_expf(float x);
/* natural log; -FLT_MAX for x <= 0 (never NaN, never -inf). */
float ps_logf(float x);
/* square root; 0 for x <= 0 or NaN. */
float ps_sqrtf(float x);
/* v rounded half away from zero and clamped to [-127, 127], for int8
 * quantisation; NaN gives 0.  (Converting NaN or an out-of-range float
 * to an integer type is undefined behaviour, and a damaged model can
 * hold any float.) */
int ps_round_q8(float v);

#endif
