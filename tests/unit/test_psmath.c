/* core/psmath against libm (the test may use libm; core may not). */
#include <math.h>

#include "check.h"
#include "core/psmath.h"

static double rel(double a, double b)
{
	double d = fabs(a - b), m = fabs(b);

	return m > 1e-30 ? d / m : d;
}

int main(void)
{
	double worst_exp = 0, worst_log = 0, worst_sqrt = 0;
	float x;
	int i;

	for (i = 0; i <= 200000; i++) {
		x = -87.0f + 175.0f * (float)i / 200000.0f;
		if (rel(ps_expf(x), exp((double)x)) > worst_exp)
			worst_exp = rel(ps_expf(x), exp((double)x));
	}
	for (i = 1; i <= 200000; i++) {
		x = (float)pow(10.0, -37.0 + 74.0 * i / 200000.0);
		double ref = log((double)x);
		double err = fabs(ps_logf(x) - ref) / (fabs(ref) > 1 ? fabs(ref) : 1);
		if (err > worst_log)
			worst_log = err;
		if (rel(ps_sqrtf(x), sqrt((double)x)) > worst_sqrt)
			worst_sqrt = rel(ps_sqrtf(x), sqrt((double)x));
	}
	printf("worst relative error: exp %.3g log %.3g sqrt %.3g\n", worst_exp, worst_log, worst_sqrt);
	CHECK(worst_exp < 1e-6);
	CHECK(worst_log < 1e-6);
	CHECK(worst_sqrt < 1e-7);
	/* edges: never NaN or inf */
	CHECK(ps_expf(-1000.0f) == 0.0f);
	CHECK(ps_expf(1000.0f) > 1e38f && isfinite(ps_expf(1000.0f)));
	CHECK(ps_expf(NAN) == 0.0f);
	CHECK(fabsf(ps_expf(0.0f) - 1.0f) < 1e-7f);
	CHECK(ps_logf(0.0f) < -1e38f && isfinite(ps_logf(0.0f)));
	CHECK(ps_logf(-1.0f) < -1e38f);
	CHECK(fabsf(ps_logf(1.0f)) < 1e-7f);
	CHECK(fabs(ps_logf(1e-40f) - log(1e-40)) < 1e-4);   /* subnormal */
	CHECK(ps_sqrtf(-4.0f) == 0.0f);
	CHECK(ps_sqrtf(NAN) == 0.0f);
	CHECK(ps_sqrtf(16.0f) == 4.0f);
	/* int8 rounding: half away from zero, clamped, NaN to 0 (a NaN
	 * from a damaged model once reached a float-to-int conversion) */
	CHECK_EQ_INT(ps_round_q8(0.49f), 0);
	CHECK_EQ_INT(ps_round_q8(0.5f), 1);
	CHECK_EQ_INT(ps_round_q8(-0.5f), -1);
	CHECK_EQ_INT(ps_round_q8(126.6f), 127);
	CHECK_EQ_INT(ps_round_q8(-126.4f), -126);
	CHECK_EQ_INT(ps_round_q8(1e30f), 127);
	CHECK_EQ_INT(ps_round_q8(-1e30f), -127);
	CHECK_EQ_INT(ps_round_q8((float)INFINITY), 127);
	CHECK_EQ_INT(ps_round_q8(-(float)INFINITY), -127);
	CHECK_EQ_INT(ps_round_q8((float)NAN), 0);
	return check_summary("test_psmath");
}
