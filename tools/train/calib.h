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

/* Is answer `pred` against the oops header's catalogue label `hdr`
 * (both corpus label indices, -1 none)? */
#define CALIB_DISAGREES(pred, hdr) ((hdr) >= 0 && (pred) >= 0 && (pred) != (hdr))

/* Fewest answers against the header's label that get a temperature of
 * their own. */
#define CALIB_MIN_DISAGREE 10u

/* Temperature scaling in two groups (core/classify.h, CALIB's
 * temperature_disagree): *t fitted on the answers pred[i] that agree
 * with the header's label hdr[i] or have none, *t2 on those against it
 * when at least CALIB_MIN_DISAGREE of them have a truth, else 0 (the
 * same temperature).  *ndis: how many are against it (with a truth). */
void calib_fit_split(const float *probs, const int *truth, const int *pred, const int *hdr, uint32_t n,
		     uint32_t nl, double *t, double *t2, uint32_t *ndis);

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
