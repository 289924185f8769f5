/* trend.c - the leak test of trend.h: Mann–Kendall for "is it rising",
 * Theil–Sen for "how fast", a least-squares change point for "since
 * when", and three guards against what rises without leaking. */
#include "trend.h"
#include "util.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A change point leaves at least this share of the points after it. */
#define SEGMENT_SHARE 2
/* Growth must be this many times the noise around the fitted line. */
#define NOISE_TIMES 3.0
/* A fall of the running median beyond this many noise units is memory
 * given back; more than GIVEBACK_SHARE of the growth given back is no
 * leak. */
#define FALL_NOISE 3.0
#define GIVEBACK_SHARE 0.5
/* Slowing down: the second half's rate under FADE_SHARE of the first
 * half's, by more than FADE_Z standard errors (one-sided 0.1 %). */
#define FADE_SHARE 0.25
#define FADE_Z 3.09
/* MAD to a normal standard deviation */
#define MAD_SD 1.4826

/* The k-th smallest of v[0..n) (0-based), by partitioning around a
 * guess until the guess is it; v is reordered so that no value before
 * v[k] is larger and none after it smaller. */
static double select_kth(double *v, size_t n, size_t k)
{
	long lo = 0, hi = (long)n - 1, i, j, want = (long)k;
	double pivot, tmp;

	while (lo < hi) {
		pivot = v[want];
		i = lo;
		j = hi;
		do {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i <= j) {
				tmp = v[i];
				v[i++] = v[j];
				v[j--] = tmp;
			}
		} while (i <= j);
		if (j < want)
			lo = i;
		if (want < i)
			hi = j;
	}
	return v[k];
}

/* The median of v[0..n) (n > 0); v is reordered. */
static double median(double *v, size_t n)
{
	double a = select_kth(v, n, n / 2), b;
	size_t i;

	if (n % 2)
		return a;
	/* the other middle one is the largest of the lower half */
	b = v[0];
	for (i = 1; i < n / 2; i++)
		b = v[i] > b ? v[i] : b;
	return (a + b) / 2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double trend_mk_p(const double *y, size_t n)
{
	double s = 0, var, z, *v, ties = 0;
	size_t i, j, run;

	if (n < 3)
		return 1;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			s += (y[j] > y[i]) - (y[j] < y[i]);
	/* equal values make S's variance smaller */
	v = xmalloc(n * sizeof(*v));
	memcpy(v, y, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j] == v[i]; j++)
			;
		run = j - i;
		ties += (double)run * (double)(run - 1) * (double)(2 * run + 5);
	}
	free(v);
	var = ((double)n * (double)(n - 1) * (double)(2 * n + 5) - ties) / 18;
	if (!(var > 0) || s <= 0)
		return s > 0 ? 0 : 1;
	z = (s - 1) / sqrt(var);
	return 0.5 * erfc(z / sqrt(2));
}

double trend_theil_sen(const double *t, const double *y, size_t n,
		       double *scratch)
{
	size_t i, j, m = 0;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (t[j] != t[i])
				scratch[m++] = (y[j] - y[i]) / (t[j] - t[i]);
	return m ? median(scratch, m) : 0;
}

/* Least squares: SSE of the line through (x, y)[0..n). */
static double line_sse(const double *x, const double *y, size_t n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, d, b, a;
	size_t i;

	for (i = 0; i < n; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
		syy += y[i] * y[i];
	}
	d = (double)n * sxx - sx * sx;
	b = d > 0 ? ((double)n * sxy - sx * sy) / d : 0;
	a = (sy - b * sx) / (double)n;
	return syy - a * sy - b * sxy;
}

/* Solve the symmetric 3 x 3 system m x = r by Cramer's rule; 0, or -1
 * when it is singular. */
static int solve3(const double m[3][3], const double r[3], double x[3])
{
	double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
		m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
		m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
	int c, i;

	if (!(fabs(det) > 1e-12))
		return -1;
	for (c = 0; c < 3; c++) {
		double a[3][3];

		memcpy(a, m, sizeof(a));
		for (i = 0; i < 3; i++)
			a[i][c] = r[i];
		x[c] = (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
			a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
			a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])) / det;
	}
	return 0;
}

/* Sums over points c..n-1 of x, x², y, xy: suffix sums, filled once. */
struct suffix {
	double *x, *xx, *y, *xy;
};

/* SSE of the continuous two-piece line bending at x[c]. */
static double hinge_sse(const double *x, size_t n, size_t c,
			const struct suffix *sf, double syy)
{
	double k = (double)(n - c), xc = x[c];
	double sh = sf->x[c] - k * xc;
	double shh = sf->xx[c] - 2 * xc * sf->x[c] + k * xc * xc;
	double sxh = sf->xx[c] - xc * sf->x[c];
	double shy = sf->xy[c] - xc * sf->y[c];
	const double m[3][3] = { { (double)n, sf->x[0], sh },
				 { sf->x[0], sf->xx[0], sxh },
				 { sh, sxh, shh } };
	const double r[3] = { sf->y[0], sf->xy[0], shy };
	double b[3];

	if (solve3(m, r, b) < 0)
		return INFINITY;
	return syy - b[0] * r[0] - b[1] * r[1] - b[2] * r[2];
}

/*
 * Where the final segment starts: the bend of the continuous two-piece
 * line that fits best, when the BIC prefers it to one straight line
 * (two parameters more: n ln(SSE_line / SSE_bent) > 2 ln n), else 0;
 * *tries gets the number of places tried. Times are scaled to [0, 1]
 * and values centred, for the sums' sake.
 */
static size_t change_point(const double *t, const double *y, size_t n,
			   size_t *tries)
{
	double *x = xmalloc(6 * n * sizeof(*x)), *yc = x + n;
	struct suffix sf = { yc + n, yc + 2 * n, yc + 3 * n, yc + 4 * n };
	double span = t[n - 1] - t[0], mean = 0, lo = y[0], hi = y[0];
	double syy = 0, floor, best, sse;
	size_t i, c, at = 0, last = n - (n + SEGMENT_SHARE - 1) / SEGMENT_SHARE;

	for (i = 0; i < n; i++) {
		mean += y[i] / (double)n;
		lo = y[i] < lo ? y[i] : lo;
		hi = y[i] > hi ? y[i] : hi;
	}
	for (i = n; i-- > 0;) {
		x[i] = span > 0 ? (t[i] - t[0]) / span : (double)i / (double)n;
		yc[i] = y[i] - mean;
		syy += yc[i] * yc[i];
		sf.x[i] = x[i] + (i + 1 < n ? sf.x[i + 1] : 0);
		sf.xx[i] = x[i] * x[i] + (i + 1 < n ? sf.xx[i + 1] : 0);
		sf.y[i] = yc[i] + (i + 1 < n ? sf.y[i + 1] : 0);
		sf.xy[i] = x[i] * yc[i] + (i + 1 < n ? sf.xy[i + 1] : 0);
	}
	/* exact data fits exactly: the floor keeps the logarithms finite */
	floor = (double)n * ((hi - lo) * 1e-6) * ((hi - lo) * 1e-6) + 1e-12;
	best = line_sse(x, yc, n);
	best = best > floor ? best : floor;
	sse = best;
	*tries = n >= 2 * TREND_MIN_POINTS && last >= 3 ? last - 2 : 1;
	for (c = 3; c <= last && n >= 2 * TREND_MIN_POINTS; c++) {
		double s = hinge_sse(x, n, c, &sf, syy);

		s = s > floor ? s : floor;
		if (s < best) {
			best = s;
			at = c;
		}
	}
	if (at && !((double)n * log(sse / best) > 2 * log((double)n)))
		at = 0;
	free(x);
	return at;
}

/* The OLS slope of (t, y)[0..n) and the sum of squares of t about its
 * mean (0 when the times are all one). */
static double ols_slope(const double *t, const double *y, size_t n,
			double *sxx)
{
	double mt = 0, my = 0, sxy = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		mt += t[i] / (double)n;
		my += y[i] / (double)n;
	}
	*sxx = 0;
	for (i = 0; i < n; i++) {
		*sxx += (t[i] - mt) * (t[i] - mt);
		sxy += (t[i] - mt) * (y[i] - my);
	}
	return *sxx > 0 ? sxy / *sxx : 0;
}

/* The largest fall of the running median of three, over y[0..n). */
static double giveback(const double *y, size_t n)
{
	double peak = -INFINITY, fall = 0, m;
	size_t i;

	for (i = 0; i < n; i++) {
		double w[3] = { y[i ? i - 1 : 0], y[i], y[i + 1 < n ? i + 1 : i] };

		m = i && i + 1 < n ? median(w, 3) : y[i];
		peak = m > peak ? m : peak;
		fall = peak - m > fall ? peak - m : fall;
	}
	return fall;
}

/* The noise of y[0..n) from its steps: MAD of the differences, as a
 * standard deviation of one value (a trend only shifts the steps). */
static double step_noise(const double *y, size_t n, double *scratch)
{
	double mid;
	size_t i;

	if (n < 3)
		return 0;
	for (i = 0; i + 1 < n; i++)
		scratch[i] = y[i + 1] - y[i];
	mid = median(scratch, n - 1);
	for (i = 0; i + 1 < n; i++)
		scratch[i] = fabs(y[i + 1] - y[i] - mid);
	return MAD_SD * median(scratch, n - 1) / sqrt(2);
}

/* Did the second half of the segment slow down, beyond the noise? */
static int faded(const double *t, const double *y, size_t n, double noise)
{
	size_t h = n / 2;
	double s1, s2, b1 = ols_slope(t, y, h, &s1),
		b2 = ols_slope(t + h, y + h, n - h, &s2), se;

	if (!(s1 > 0) || !(s2 > 0))
		return 0;
	se = noise * sqrt(1 / s1 + 1 / s2);
	return b2 < FADE_SHARE * b1 && b1 - b2 > FADE_Z * se;
}

/* What the whole series says, shared by the segments judged. */
struct whole {
	double giveback, step_noise;
	double *scratch;
};

/* Judge points c..n-1 into r; the segment was chosen among `tries`
 * (its p-value must be that many times smaller: Bonferroni). */
static void judge(const double *t, const double *y, size_t n, size_t c,
		  size_t tries, const struct trend_params *p,
		  const struct whole *w, struct trend *r)
{
	const double *ts = t + c, *ys = y + c;
	size_t m = n - c, i;

	memset(r, 0, sizeof(*r));
	r->first = c;
	r->giveback = w->giveback;
	r->confidence = 1 - trend_mk_p(ys, m);
	r->slope = trend_theil_sen(ts, ys, m, w->scratch);
	for (i = 0; i < m; i++)
		w->scratch[i] = ys[i] - r->slope * (ts[i] - ts[0]);
	r->from = median(w->scratch, m);
	for (i = 0; i < m; i++)
		w->scratch[i] = fabs(ys[i] - r->from - r->slope * (ts[i] - ts[0]));
	r->noise = MAD_SD * median(w->scratch, m);
	r->growth = r->slope * (ts[m - 1] - ts[0]);
	/* MAD of 24 values may come out at half the noise: the steps'
	 * estimate as well, whichever is larger */
	if (w->step_noise > r->noise)
		r->noise = w->step_noise;
	if (!(1 - r->confidence <= (1 - p->confidence) / (double)tries))
		r->why = "not rising at that confidence";
	else if (!(r->growth >= p->min_growth))
		r->why = "grew less than the minimum";
	else if (!(r->growth >= NOISE_TIMES * r->noise))
		r->why = "growth within the noise";
	else if (w->giveback - FALL_NOISE * w->step_noise >
		 GIVEBACK_SHARE * r->growth)
		r->why = "gives memory back";
	else if (faded(ts, ys, m, w->step_noise))
		r->why = "levelled off";
	else
		r->leak = 1;
}

void trend_test(const double *t, const double *y, size_t n,
		const struct trend_params *p, struct trend *r)
{
	struct whole w;
	struct trend seg;
	size_t c, tries;

	assert(n <= TREND_MAX_POINTS);
	memset(r, 0, sizeof(*r));
	if (n < TREND_MIN_POINTS) {
		r->why = "too few snapshots";
		return;
	}
	w.scratch = xmalloc((n * (n - 1) / 2 + n) * sizeof(*w.scratch));
	w.giveback = giveback(y, n);
	w.step_noise = step_noise(y, n, w.scratch);
	c = change_point(t, y, n, &tries);
	/* a leak that started late is judged since it started; a warm-up
	 * that levelled off is judged whole, where it slows down */
	if (c)
		judge(t, y, n, c, tries, p, &w, &seg);
	if (c && seg.leak)
		*r = seg;
	else
		judge(t, y, n, 0, 1, p, &w, r);
	free(w.scratch);
}
