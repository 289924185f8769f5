/* test_trend.c - the leak test's statistics: Mann–Kendall's p against
 * values worked by hand, Theil–Sen's slope, and the verdict on shapes
 * that leak and shapes that only move, with and without noise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trend.h"

#define HOUR 3600e6	/* the times are microseconds */

static const struct trend_params params = { 0.99, 1024 };

/* A fixed pseudo-random normal: the same noise on every run. */
static double noise(unsigned *seed)
{
	double u = 0;
	int i;

	for (i = 0; i < 12; i++) {	/* Irwin-Hall: close enough */
		*seed = *seed * 1103515245u + 12345u;
		u += (double)((*seed >> 8) & 0xffff) / 65536.0;
	}
	return u - 6;
}

static void test_mk_p(void **state)
{
	double up[10], flat[8], down[6];
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++)
		up[i] = (double)i;
	/* S = 45, var = 10 * 9 * 25 / 18 = 125, z = 44 / sqrt(125) */
	assert_true(fabs(trend_mk_p(up, 10) - 0.5 * erfc(44 / sqrt(125) /
							  sqrt(2))) < 1e-12);
	for (i = 0; i < 8; i++)
		flat[i] = 7;
	assert_true(trend_mk_p(flat, 8) == 1);
	for (i = 0; i < 6; i++)
		down[i] = -(double)i;
	assert_true(trend_mk_p(down, 6) == 1);
	assert_true(trend_mk_p(up, 2) == 1);
	/* ties: 1 1 2 2 3 3, S = 12, var = (6*5*17 - 3*2*1*9) / 18 = 25.33 */
	{
		const double y[] = { 1, 1, 2, 2, 3, 3 };
		double z = 11 / sqrt((6.0 * 5 * 17 - 3 * 18) / 18);

		assert_true(fabs(trend_mk_p(y, 6) - 0.5 * erfc(z / sqrt(2))) <
			    1e-12);
	}
}

static void test_theil_sen(void **state)
{
	/* a line of slope 2 with one wild point: the median ignores it */
	const double t[] = { 0, 1, 2, 3, 4, 5, 6 };
	const double y[] = { 0, 2, 4, 1000, 8, 10, 12 };
	const double same[] = { 5, 5, 5 };
	double scratch[21];

	(void)state;
	assert_true(trend_theil_sen(t, y, 7, scratch) == 2);
	/* no two times differ: no slope at all */
	assert_true(trend_theil_sen(same, y, 3, scratch) == 0);
	/* an even count of slopes: the mean of the middle two */
	assert_true(trend_theil_sen(t, (const double[]){ 0, 1, 4 }, 3,
				    scratch) == 2);
}

enum shape { STEADY, SAWTOOTH, STEPWISE, LATE, WARMUP, FLAT, FILL,
	PERIODIC, SPIKE, SHRINK };

/* n points of shape every 10 minutes, in kB, noise of sd `sd`. */
static void make(enum shape s, size_t n, double sd, unsigned seed,
		 double *t, double *y)
{
	static const double saw[] = { 6, 6, -4 };
	double v = 50 * 1024;
	size_t i;

	for (i = 0; i < n; i++) {
		t[i] = (double)i * HOUR / 6;
		switch (s) {
		case STEADY:
			y[i] = v + 1024.0 * (double)i;
			break;
		case SAWTOOTH:
			y[i] = v;
			v += saw[i % 3] * 1024;
			break;
		case STEPWISE:
			y[i] = v + 16 * 1024.0 * (double)(i / 4);
			break;
		case LATE:
			y[i] = v + (i > n / 2 ? 2048.0 * (double)(i - n / 2) : 0);
			break;
		case WARMUP:
			y[i] = v + 40 * 1024.0 * (i < n / 4 ? (double)i /
						   (double)(n / 4) : 1);
			break;
		case FLAT:
			y[i] = v;
			break;
		case FILL:
			y[i] = v + 6 * 1024.0 * (double)(i % 6);
			break;
		case PERIODIC:
			y[i] = v + 20 * 1024 * sin((double)i * 2 * M_PI / 8);
			break;
		case SPIKE:
			y[i] = v + (i == n / 3 ? 50 * 1024 : 0);
			break;
		case SHRINK:
			y[i] = v + 100 * 1024 - 1024.0 * (double)i;
			break;
		}
		y[i] += sd * noise(&seed);
	}
}

static void test_verdicts(void **state)
{
	static const struct {
		enum shape s;
		int leak;
	} t[] = {
		{ STEADY, 1 }, { SAWTOOTH, 1 }, { STEPWISE, 1 }, { LATE, 1 },
		{ WARMUP, 0 }, { FLAT, 0 }, { FILL, 0 }, { PERIODIC, 0 },
		{ SPIKE, 0 }, { SHRINK, 0 },
	};
	static const double sds[] = { 0, 100, 500 };
	double tm[48], y[48];
	size_t i, k, n;
	struct trend r;

	(void)state;
	for (n = 24; n <= 48; n += 24)
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			for (k = 0; k < sizeof(sds) / sizeof(sds[0]); k++) {
				make(t[i].s, n, sds[k], (unsigned)(i + 7 * k), tm, y);
				trend_test(tm, y, n, &params, &r);
				if (r.leak != t[i].leak)
					fail_msg("shape %zu, %zu points, noise %g:"
						 " leak %d (%s)", i, n, sds[k],
						 r.leak, r.why ? r.why : "-");
			}
}

/* The figures of a leak: exact on exact data. */
static void test_figures(void **state)
{
	double tm[24], y[24];
	struct trend r;

	(void)state;
	make(STEADY, 24, 0, 1, tm, y);
	trend_test(tm, y, 24, &params, &r);
	assert_true(r.leak && r.first == 0 && !r.why);
	assert_true(fabs(r.slope * HOUR - 6 * 1024) < 1e-6);
	assert_true(fabs(r.growth - 23 * 1024) < 1e-6);
	assert_true(fabs(r.from - 50 * 1024) < 1e-6);
	assert_true(r.noise == 0 && r.giveback == 0);
	assert_true(r.confidence > 0.9999);
	/* a late onset is measured from where it started */
	make(LATE, 24, 0, 1, tm, y);
	trend_test(tm, y, 24, &params, &r);
	assert_true(r.leak && r.first >= 10 && r.first <= 12);
	assert_true(fabs(r.slope * HOUR - 12 * 1024) < 1e-6);
}

static void test_edges(void **state)
{
	double tm[6] = { 0, 0, 0, 0, 0, 0 }, y[6] = { 1, 2e4, 3e4, 4e4, 5e4, 6e4 };
	struct trend r;

	(void)state;
	trend_test(tm, y, 0, &params, &r);
	assert_false(r.leak);
	assert_string_equal(r.why, "too few snapshots");
	trend_test(tm, y, 5, &params, &r);
	assert_false(r.leak);
	/* one time for all: no rate, no leak */
	trend_test(tm, y, 6, &params, &r);
	assert_false(r.leak);
	/* six points rising at every step are just enough at 99 % */
	tm[1] = 1, tm[2] = 2, tm[3] = 3, tm[4] = 4, tm[5] = 5;
	trend_test(tm, y, 6, &params, &r);
	assert_true(r.leak);
	/* huge values: no overflow into a verdict */
	y[0] = -9.2e18;
	y[5] = 9.2e18;
	trend_test(tm, y, 6, &params, &r);
	assert_true(r.leak == 0 || r.leak == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mk_p),
		cmocka_unit_test(test_theil_sen),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
