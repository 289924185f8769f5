/* trend.h - is a series of (time, value) points growing, and how fast:
 * robust statistics for leak suspects. Pure arithmetic: reads no file. */
#ifndef MAPSNAP_TREND_H
#define MAPSNAP_TREND_H

#include <stddef.h>

/* Fewer points than this are never a trend: at 99 % confidence, Mann–
 * Kendall needs six values rising at every step to say so. */
#define TREND_MIN_POINTS 6
/* At most this many points (callers bucket longer series): the pairwise
 * statistics cost n² / 2 slopes. */
#define TREND_MAX_POINTS 512

struct trend_params {
	double confidence;	/* one-sided Mann–Kendall level, in (0, 1) */
	double min_growth;	/* the least growth over the segment that
				   counts, in the values' unit */
};

struct trend {
	int leak;		/* every rule held */
	size_t first;		/* the segment judged: points first..n-1 */
	double slope;		/* Theil–Sen: value per unit of time */
	double from;		/* the fitted value at t[first] */
	double growth;		/* slope * (t[n-1] - t[first]) */
	double confidence;	/* 1 - the one-sided p of Mann–Kendall */
	double noise;		/* robust scale of the values around the fit */
	double giveback;	/* the largest fall of the 3-point running
				   median over all n points */
	const char *why;	/* the first rule the segment failed, or NULL */
};

/*
 * Judge the n points (t ascending; equal times are allowed) as the
 * README's "Leak suspects: how growth decides" says: a change point (a
 * continuous two-piece line fitted by least squares, kept when the BIC
 * prefers it, the second piece holding at least half the points) splits
 * off a final segment; the final segment, or else the whole series, is a
 * leak when
 *   - Mann–Kendall finds it rising at p->confidence (a final segment at
 *     a p-value as many times smaller as there were places to bend),
 *   - it grew (Theil–Sen slope times its duration) by p->min_growth and
 *     by three times its noise (the larger of the values' MAD around the
 *     fit and their steps'),
 *   - no fall of the whole series' running median gave back half of
 *     that, beyond the noise (fill-and-flush, a periodic load), and
 *   - its later half did not slow down to a quarter of its earlier
 *     half's rate, significantly (a warm-up that levels off).
 * r is filled either way (why says which rule failed). n may be 0;
 * n <= TREND_MAX_POINTS (asserted). Never fails.
 */
void trend_test(const double *t, const double *y, size_t n,
		const struct trend_params *p, struct trend *r);

/* The one-sided p-value of Mann–Kendall's S for an upward trend in
 * y[0..n) (ties corrected, continuity corrected; 1 when n < 3). */
double trend_mk_p(const double *y, size_t n);

/* The Theil–Sen slope of (t, y)[0..n): the median of the slopes between
 * every two points of different times; 0 when there is no such pair.
 * scratch holds n * (n - 1) / 2 doubles. */
double trend_theil_sen(const double *t, const double *y, size_t n,
		       double *scratch);

#endif
