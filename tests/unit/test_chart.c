/* test_chart.c - table-driven tests of the charts: round tick steps, size
 * and time axes and their labels, sparklines, XML escaping, colours, and
 * the SVG writer's shape. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

#define T0 INT64_C(1700000000000000)	/* 2023-11-14 22:13:20 UTC */
#define SEC INT64_C(1000000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static void test_nice_step(void **state)
{
	static const struct { double raw, want; } t[] = {
		{ 1, 1 }, { 1.01, 2 }, { 2, 2 }, { 2.5, 5 }, { 5, 5 },
		{ 7, 10 }, { 10, 10 }, { 0.3, 0.5 }, { 0.0049, 0.005 },
		{ 1234, 2000 }, { 999999, 1000000 }, { 0, 1e-12 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double got = chart_nice_step(t[i].raw);

		if (got < t[i].want * 0.999999 || got > t[i].want * 1.000001)
			fail_msg("nice_step(%g) = %g, want %g", t[i].raw, got,
				 t[i].want);
	}
}

/* Every tick label of axis a, joined by '|'. */
static void labels(const struct chart_axis *a, char *out, size_t n)
{
	char l[64];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < a->nticks; i++) {
		chart_label(a, a->first + (double)i * a->step, l, sizeof(l));
		if (i)
			strncat(out, "|", n - strlen(out) - 1);
		strncat(out, l, n - strlen(out) - 1);
	}
}

static void test_size_axis(void **state)
{
	static const struct {
		int64_t min, max;
		unsigned target;
		const char *want;
	} t[] = {
		/* the leaky fixture: 2612..7764 kB */
		{ 2612, 7764, 5, "2 MiB|4 MiB|6 MiB|8 MiB" },
		{ 0, 500, 5, "0 KiB|100 KiB|200 KiB|300 KiB|400 KiB|500 KiB" },
		{ 1000, 1300, 5, "0.9 MiB|1.0 MiB|1.1 MiB|1.2 MiB|1.3 MiB" },
		{ 3 * 1048576, 7 * 1048576, 4, "3 GiB|4 GiB|5 GiB|6 GiB|7 GiB" },
		{ 0, 3, 5, "0 KiB|1 KiB|2 KiB|3 KiB" },	/* never under 1 KiB */
		{ 0, 0, 5, "0 KiB|1 KiB" },		/* flat at 0: not below 0 */
		/* flat: widened by a tenth each way */
		{ 1000, 1000, 5, "0.85 MiB|0.90 MiB|0.95 MiB|1.00 MiB|1.05 MiB|1.10 MiB" },
		{ 2 * INT64_C(1073741824), 5 * INT64_C(1073741824), 3,
		  "2 TiB|3 TiB|4 TiB|5 TiB" },
	};
	struct chart_axis a;
	char got[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		chart_size_axis(t[i].min, t[i].max, t[i].target, &a);
		labels(&a, got, sizeof(got));
		if (strcmp(got, t[i].want))
			fail_msg("size axis %lld..%lld: '%s', want '%s'",
				 (long long)t[i].min, (long long)t[i].max, got,
				 t[i].want);
		/* the axis holds the data, from tick to tick */
		assert_true(a.lo <= (double)t[i].min && a.hi >= (double)t[i].max);
		assert_true(a.first == a.lo);
	}
}

static void test_time_axis(void **state)
{
	static const struct {
		int64_t from, span;
		unsigned target;
		enum chart_unit unit;
		const char *want;
	} t[] = {
		/* 2.5 h from 22:13:20: half hours, midnight shows its date */
		{ T0, 5 * 30 * MIN, 6, CHART_MIN,
		  "22:30|23:00|23:30|2023-11-15|00:30" },
		{ T0, 10 * SEC, 5, CHART_SEC,
		  "22:13:20|22:13:22|22:13:24|22:13:26|22:13:28|22:13:30" },
		{ T0, 500000, 5, CHART_MSEC,
		  "22:13:20.000|22:13:20.100|22:13:20.200|22:13:20.300|"
		  "22:13:20.400|22:13:20.500" },
		{ T0, 3 * DAY, 6, CHART_MIN,
		  "2023-11-15|12:00|2023-11-16|12:00|2023-11-17|12:00" },
		/* weeks counted from 1970-01-01, a Thursday */
		{ T0, 30 * DAY, 6, CHART_DAY,
		  "2023-11-16|2023-11-23|2023-11-30|2023-12-07|2023-12-14" },
		/* one snapshot: a minute either side */
		{ T0, 0, 4, CHART_SEC, "22:12:30|22:13:00|22:13:30|22:14:00" },
	};
	struct chart_axis a;
	char got[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		chart_time_axis(t[i].from, t[i].from + t[i].span, t[i].target, &a);
		labels(&a, got, sizeof(got));
		if (strcmp(got, t[i].want) || a.unit != t[i].unit)
			fail_msg("time axis %zu: '%s' (unit %d), want '%s' (%d)",
				 i, got, a.unit, t[i].want, t[i].unit);
		assert_true(a.nticks <= t[i].target + 1);
		assert_true(a.first >= a.lo && a.first < a.lo + a.step);
	}
}

static void test_sparkline(void **state)
{
	static const int64_t up[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const int64_t leaky[] = { 2612, 3636, 4660, 5716, 6740, 7764 };
	static const int64_t flat[] = { 5, 5, 5 };
	static const int64_t gap[] = { 1, CHART_GAP, 3 };
	static const int64_t peak[] = { 1, 9, 1, 1, 1, 1 };
	static const struct {
		const int64_t *v;
		size_t n, width;
		const char *want;
	} t[] = {
		{ up, 8, 0, "▁▂▃▄▅▆▇█" },
		{ up, 8, 8, "▁▂▃▄▅▆▇█" },
		{ leaky, 6, 60, "▁▂▄▅▇█" },
		{ flat, 3, 0, "▄▄▄" },
		{ gap, 3, 0, "▁ █" },
		/* buckets of two show their largest: the peak survives */
		{ peak, 6, 3, "█▁▁" },
		{ up, 8, 4, "▁▃▆█" },
		{ up, 0, 10, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *s = chart_sparkline(t[i].v, t[i].n, t[i].width);

		if (strcmp(s, t[i].want))
			fail_msg("sparkline %zu: '%s', want '%s'", i, s, t[i].want);
		free(s);
	}
}

/* What chart_put_xml writes for s, in a buffer the caller frees. */
static char *xml(const char *s, size_t max)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	chart_put_xml(f, s, max);
	fclose(f);
	return out;
}

static void test_put_xml(void **state)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} t[] = {
		{ "plain", 0, "plain" },
		{ "a<b&c\"d'e>f", 0, "a&lt;b&amp;c&quot;d&apos;e&gt;f" },
		{ "</text><script>", 0, "&lt;/text&gt;&lt;script&gt;" },
		{ "bad \xff byte", 0, "bad \xef\xbf\xbd byte" },
		{ "ctl\x01\x1b", 0, "ctl\xef\xbf\xbd\xef\xbf\xbd" },
		{ "tab\there\n", 0, "tab&#9;here&#10;" },
		{ "\xed\xa0\x80", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "caf\xc3\xa9", 0, "caf\xc3\xa9" },
		{ "abcdef", 4, "abc\xe2\x80\xa6" },
		{ "abcd", 4, "abcd" },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3, "\xc3\xa9\xc3\xa9\xe2\x80\xa6" },
		{ "<<<<<", 3, "&lt;&lt;\xe2\x80\xa6" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = xml(t[i].in, t[i].max);

		if (strcmp(got, t[i].want))
			fail_msg("put_xml %zu: '%s', want '%s'", i, got, t[i].want);
		free(got);
	}
}

static void test_colors(void **state)
{
	char c[64][8];
	size_t i, j;

	(void)state;
	chart_color(0, c[0]);
	assert_string_equal(c[0], "#4e79a7");
	for (i = 0; i < 64; i++) {
		chart_color(i, c[i]);
		assert_int_equal(strlen(c[i]), 7);
		assert_int_equal(strspn(c[i] + 1, "0123456789abcdef"), 6);
		for (j = 0; j < i; j++)
			if (!strcmp(c[i], c[j]))
				fail_msg("series %zu and %zu share %s", i, j, c[i]);
	}
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

static char *svg(const struct chart_opts *o, const struct chart_series *s,
		 size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(chart_svg(f, o, s, n), 0);
	fclose(f);
	return out;
}

static void test_svg(void **state)
{
	const struct chart_point a[] = {
		{ T0, 2612 }, { T0 + 30 * MIN, 3636 }, { T0 + 60 * MIN, 4660 },
	};
	const struct chart_point b[] = {
		{ T0, 1000 }, { T0 + 30 * MIN, CHART_GAP }, { T0 + 60 * MIN, 1200 },
	};
	const struct chart_series s[] = {
		{ "100 leaky", a, 3, 0, NULL },
		{ "200 <evil> & \"co\"", b, 3, 0, NULL },
	};
	struct chart_opts o = { "pss of a & b", "pss", 0, 0, 0, 0 };
	char *out;
	FILE *full;

	(void)state;
	out = svg(&o, s, 2);
	assert_true(!strncmp(out, "<?xml version=\"1.0\"", 19));
	assert_non_null(strstr(out, "<svg xmlns=\"http://www.w3.org/2000/svg\""
			       " width=\"800\" height=\""));
	assert_non_null(strstr(out, "viewBox=\"0 0 800 "));
	assert_int_equal(count(out, "<path class=\"series\""), 2);
	/* the gap lifts the pen: b's path has two subpaths */
	assert_non_null(strstr(out, " M776.0 "));
	assert_non_null(strstr(out, "pss of a &amp; b"));
	assert_non_null(strstr(out, ">200 &lt;evil&gt; &amp; &quot;co&quot;<"));
	assert_null(strstr(out, "<evil>"));
	assert_non_null(strstr(out, ">22:30<"));
	assert_non_null(strstr(out, " MiB<"));
	assert_int_equal(count(out, "<circle "), 5);	/* a gap has no dot */
	assert_non_null(strstr(out, "100 leaky: 4660 KiB at 2023-11-14 23:13:20 UTC"));
	free(out);

	o.fragment = 1;		/* inline: no prolog; nothing to draw */
	out = svg(&o, NULL, 0);
	assert_true(!strncmp(out, "<svg ", 5));
	assert_non_null(strstr(out, ">no data<"));
	assert_int_equal(count(out, "<path"), 0);
	free(out);

	/* a write error is reported, not ignored */
	full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		assert_int_equal(chart_svg(full, &o, s, 2), -1);
		fclose(full);
	}
}

/* Figures from a stranger's file: anything at all, never a crash. */
static void test_hostile(void **state)
{
	const struct chart_point p[] = {
		{ INT64_MIN, INT64_MAX }, { INT64_MAX, INT64_MIN + 1 },
		{ 0, -5 }, { -1, 0 },
	};
	const struct chart_series s[] = { { NULL, p, 4, 0, NULL }, { "", p, 1, 0, NULL } };
	struct chart_axis a;
	char l[64], *out, *spark;

	(void)state;
	chart_time_axis(INT64_MIN, INT64_MAX, 6, &a);
	assert_true(a.nticks <= 7);
	chart_label(&a, a.first, l, sizeof(l));
	chart_time_axis(INT64_MAX, INT64_MAX, 6, &a);
	chart_size_axis(INT64_MIN + 1, INT64_MAX, 5, &a);
	assert_true(a.nticks <= 7);
	chart_label(&a, a.hi, l, sizeof(l));
	chart_size_axis(-5, -5, 5, &a);
	assert_true(a.lo < -5 && a.hi > -5);
	spark = chart_sparkline((const int64_t[]){ INT64_MAX, INT64_MIN + 1, 0 },
				3, 0);
	assert_string_equal(spark, "█▁▅");	/* 0 is half way: 3.5 rounds up */
	free(spark);
	out = svg(NULL, s, 2);
	assert_non_null(strstr(out, "</svg>"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_step),
		cmocka_unit_test(test_size_axis),
		cmocka_unit_test(test_time_axis),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_put_xml),
		cmocka_unit_test(test_colors),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_hostile),
	};

	/* time labels are local time: UTC's here, on any machine */
	if (setenv("TZ", "UTC", 1) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
