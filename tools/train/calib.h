/* Calibration of the classifier's probabilities (temperature scaling,
 * Guo et al. 2017) and the figures that say how well a confidence
 * means what it says: expected calibration error, reliability bins,
 * the confident-wrong rate. */
#ifndef PS_TOOLS_CALIB_H
#define PS_TOOLS_CALIB_H

#include <stdint.h>

#define CALIB_BINS 15u

/* Mean negative log-likelihood of the labels truth[i] (cases with
 * truth < 0 skipped) when the probabilities probs[i][0..nl) of a model
 * at temperature 1 are re-scaled to temperature T: softmax(log p / T). */
double calib_nll(const float *probs, const int *truth, uint32_t n, uint32_t nl, double T);

/* The temperature in [PS_CALIB_T_MIN, PS_CALIB_T_MAX] that minimises
 * calib_nll (the NLL is convex in 1/T: golden-section search on 1/T).
 * 1 when no case has a truth. */
double calib_fit_temperature(const float *probs, const int *truth, uint32_t n, uint32_t nl);

/* probs[i][*] re-scaled in place to temperature T. */
void calib_apply(float *probs, uint32_t n, uint32_t nl, double T);

struct calib_bin {
	uint32_t n;
	double conf, acc;       /* mean confidence, accuracy of the bin's answers */
};

struct calib_stats {
	uint32_t n;                       /* answers counted (truth >= 0) */
	double ece;                       /* expected calibration error, CALIB_BINS equal-width bins */
	uint32_t confident, confident_wrong;   /* answers with confidence >= 0.9, of them wrong */
	struct calib_bin bin[CALIB_BINS];
};

/* Figures of answers pred[i] with confidence conf[i] against truth[i]
 * (truth < 0 skipped). */
void calib_stats(const int *truth, const int *pred, const float *conf, uint32_t n, struct calib_stats *s);

#endif
