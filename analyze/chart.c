/* chart.c - sparklines, axes with round ticks, and the SVG line chart.
 * No libm: the few roundings are done on int64, numbers are printed
 * without printf's locale-dependent %f. */
#include "chart.h"
#include "util.h"
#include "when.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define US_SEC INT64_C(1000000)
#define US_MIN (60 * US_SEC)
#define US_HOUR (60 * US_MIN)
#define US_DAY (24 * US_HOUR)
#define TIME_LIMIT (INT64_C(1) << 60)	/* us: 36,000 years either way */
/* Never more ticks than this, whatever the rounding did (a belt to the
 * braces of the step choice: an axis must not become a million lines). */
#define MAX_TICKS 64

static double dfloor(double x)
{
	int64_t i;

	if (x >= 9e18 || x <= -9e18)
		return x;
	i = (int64_t)x;
	return (double)i > x ? (double)(i - 1) : (double)i;
}

static double dceil(double x)
{
	return -dfloor(-x);
}

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

/* ---- sparkline ---- */

static const char *const bars[] = {
	"\u2581", "\u2582", "\u2583", "\u2584",
	"\u2585", "\u2586", "\u2587", "\u2588",
};

/* The largest known value of v[lo..hi), or CHART_GAP. */
static int64_t bucket_max(const int64_t *v, size_t lo, size_t hi)
{
	int64_t m = CHART_GAP;

	for (; lo < hi; lo++)
		if (v[lo] != CHART_GAP && (m == CHART_GAP || v[lo] > m))
			m = v[lo];
	return m;
}

char *chart_sparkline(const int64_t *v, size_t n, size_t width)
{
	size_t cols = width && n > width ? width : n, i;
	int64_t *b = xcalloc(cols ? cols : 1, sizeof(*b));
	int64_t lo = CHART_GAP, hi = CHART_GAP;
	char *s = xcalloc(cols + 1, 3), *p = s;	/* 3 bytes a bar */

	for (i = 0; i < cols; i++) {
		/* bucket i covers [i * n / cols, (i + 1) * n / cols) */
		b[i] = bucket_max(v, i * n / cols, (i + 1) * n / cols);
		if (b[i] == CHART_GAP)
			continue;
		if (lo == CHART_GAP || b[i] < lo)
			lo = b[i];
		if (hi == CHART_GAP || b[i] > hi)
			hi = b[i];
	}
	for (i = 0; i < cols; i++) {
		size_t level = 3;	/* flat: the middle */

		if (b[i] == CHART_GAP) {
			*p++ = ' ';
			continue;
		}
		if (hi > lo)	/* in double: kB from a stranger's file may be huge */
			level = (size_t)(((double)b[i] - (double)lo) * 7.0 /
					 ((double)hi - (double)lo) + 0.5);
		memcpy(p, bars[level > 7 ? 7 : level], 3);
		p += 3;
	}
	*p = '\0';
	free(b);
	return s;
}

/* ---- axes ---- */

double chart_nice_step(double raw)
{
	double p = 1, f;

	if (!(raw > 1e-12))
		raw = 1e-12;
	if (raw > 1e18)
		raw = 1e18;
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw)
		p /= 10;
	f = raw / p;	/* in [1, 10) */
	/* a hair of tolerance: 2.0000000001 from a division is still 2 */
	if (f <= 1 + 1e-9)
		return p;
	if (f <= 2 + 1e-9)
		return 2 * p;
	if (f <= 5 + 1e-9)
		return 5 * p;
	return 10 * p;
}

/* An axis of sizes (scaled to MB, GB... with `sizes`) or of counts. */
static void value_axis(int64_t min_kb, int64_t max_kb, unsigned target,
		       int sizes, struct chart_axis *a)
{
	double lo = (double)min_kb, hi = (double)max_kb, big, scale = 1, step;
	int u = CHART_KB;

	if (lo > hi) {
		big = lo;
		lo = hi;
		hi = big;
	}
	if (hi == lo) {
		double pad = dabs(hi) / 10 < 1 ? 1 : dabs(hi) / 10;

		lo -= pad;
		hi += pad;
		if (min_kb >= 0 && lo < 0)
			lo = 0;
	}
	big = dabs(lo) > dabs(hi) ? dabs(lo) : dabs(hi);
	while (sizes && u < CHART_TB && big / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	step = chart_nice_step((hi - lo) / scale / (target ? target : 1)) * scale;
	if (step < 1)
		step = 1;
	memset(a, 0, sizeof(*a));
	a->unit = sizes ? (enum chart_unit)u : CHART_COUNT;
	a->step = step;
	a->lo = a->first = dfloor(lo / step + 1e-9) * step;
	a->hi = dceil(hi / step - 1e-9) * step;
	if (a->hi <= a->lo)
		a->hi = a->lo + step;
	a->nticks = (size_t)((a->hi - a->lo) / step + 0.5) + 1;
	a->nticks = a->nticks > MAX_TICKS ? MAX_TICKS : a->nticks;
	for (step /= scale; step < 0.999999 && a->decimals < 6; step *= 10)
		a->decimals++;
}

void chart_size_axis(int64_t min_kb, int64_t max_kb, unsigned target,
		     struct chart_axis *a)
{
	value_axis(min_kb, max_kb, target, 1, a);
}

void chart_count_axis(int64_t min, int64_t max, unsigned target,
		      struct chart_axis *a)
{
	value_axis(min, max, target, 0, a);
}

/* Round times for ticks, shortest first. */
static const int64_t time_steps[] = {
	1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000,
	US_SEC, 2 * US_SEC, 5 * US_SEC, 10 * US_SEC, 15 * US_SEC, 30 * US_SEC,
	US_MIN, 2 * US_MIN, 5 * US_MIN, 10 * US_MIN, 15 * US_MIN, 30 * US_MIN,
	US_HOUR, 2 * US_HOUR, 3 * US_HOUR, 6 * US_HOUR, 12 * US_HOUR,
	US_DAY, 2 * US_DAY, 7 * US_DAY, 14 * US_DAY, 30 * US_DAY, 60 * US_DAY,
	90 * US_DAY, 180 * US_DAY, 365 * US_DAY,
};

static int64_t time_step(int64_t span, unsigned target)
{
	size_t i, n = sizeof(time_steps) / sizeof(time_steps[0]);

	for (i = 0; i < n; i++)
		if (span / time_steps[i] <= (int64_t)target)
			return time_steps[i];
	/* centuries of snapshots: whole numbers of 365-day years */
	return (int64_t)chart_nice_step((double)span / 365 / (double)US_DAY /
					target) * 365 * US_DAY;
}

static int64_t clamp_time(int64_t us)
{
	return us < -TIME_LIMIT ? -TIME_LIMIT : us > TIME_LIMIT ? TIME_LIMIT : us;
}

void chart_time_axis(int64_t min_us, int64_t max_us, unsigned target,
		     struct chart_axis *a)
{
	int64_t step, first, rem;

	if (min_us > max_us) {
		step = min_us;
		min_us = max_us;
		max_us = step;
	}
	/* times from a stranger's file may be anything: keep spans in range */
	min_us = clamp_time(min_us);
	max_us = clamp_time(max_us);
	if (min_us == max_us) {
		min_us -= US_MIN;
		max_us += US_MIN;
	}
	target = target ? target : 1;
	step = time_step(max_us - min_us, target);
	rem = min_us % step;
	first = min_us - rem + (rem > 0 ? step : 0);	/* round up */
	memset(a, 0, sizeof(*a));
	a->lo = (double)min_us;
	a->hi = (double)max_us;
	a->first = (double)first;
	a->step = (double)step;
	a->nticks = first <= max_us ? (size_t)((max_us - first) / step) + 1 : 0;
	a->nticks = a->nticks > MAX_TICKS ? MAX_TICKS : a->nticks;
	a->unit = step < US_SEC ? CHART_MSEC : step < US_MIN ? CHART_SEC
		: step < US_DAY ? CHART_MIN : CHART_DAY;
}

/* v with `decimals` digits after the point, whatever the locale. */
static void put_fixed(char *out, size_t n, double v, int decimals)
{
	int64_t scale = 1, x;
	int d;

	for (d = 0; d < decimals; d++)
		scale *= 10;
	if (v * (double)scale >= 9e18 || v * (double)scale <= -9e18) {
		snprintf(out, n, "%s", v < 0 ? "-inf" : "inf");
		return;
	}
	x = (int64_t)(dabs(v) * (double)scale + 0.5);
	if (decimals)
		snprintf(out, n, "%s%" PRId64 ".%0*" PRId64, v < 0 && x ? "-" : "",
			 x / scale, decimals, x % scale);
	else
		snprintf(out, n, "%s%" PRId64, v < 0 && x ? "-" : "", x);
}

static void time_label(enum chart_unit unit, double v, char *out, size_t n)
{
	int64_t us = (int64_t)v, secs = us / US_SEC, frac = us % US_SEC;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += US_SEC;
		secs--;
	}
	t = (time_t)secs;
	if (!localtime_r(&t, &tm)) {	/* TZ's, as the caption says */
		snprintf(out, n, "%" PRId64, us);
		return;
	}
	if (unit == CHART_DAY || (unit == CHART_MIN && !tm.tm_hour && !tm.tm_min))
		snprintf(out, n, "%04d-%02d-%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday);
	else if (unit == CHART_MIN)
		snprintf(out, n, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else if (unit == CHART_SEC)
		snprintf(out, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
	else
		snprintf(out, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)(frac / 1000));
}

void chart_label(const struct chart_axis *a, double v, char *out, size_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double scale = 1;
	char num[32];
	int u;

	if (a->unit == CHART_COUNT) {
		put_fixed(out, n, v, a->decimals);
		return;
	}
	if (a->unit > CHART_TB) {
		time_label(a->unit, v, out, n);
		return;
	}
	for (u = CHART_KB; u < (int)a->unit; u++)
		scale *= 1024;
	put_fixed(num, sizeof(num), v / scale, a->decimals);
	snprintf(out, n, "%s %s", num, units[a->unit]);
}

/* ---- colours and text ---- */

void chart_color(size_t i, char out[8])
{
	static const char *const tableau[] = {
		"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
		"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
	};
	double h, c, x, m, r, g, b, hm;

	if (i < 10) {
		memcpy(out, tableau[i], 8);
		return;
	}
	/* HSL(golden-angle hue, 65%, 45%), the usual six sextants */
	h = (double)((i * 137508 / 1000) % 360) / 60;
	c = (1 - dabs(2 * 0.45 - 1)) * 0.65;
	hm = h - 2 * dfloor(h / 2);
	x = c * (1 - dabs(hm - 1));
	m = 0.45 - c / 2;
	switch ((int)h) {
	case 0: r = c, g = x, b = 0; break;
	case 1: r = x, g = c, b = 0; break;
	case 2: r = 0, g = c, b = x; break;
	case 3: r = 0, g = x, b = c; break;
	case 4: r = x, g = 0, b = c; break;
	default: r = c, g = 0, b = x; break;
	}
	snprintf(out, 8, "#%02x%02x%02x", (unsigned)((r + m) * 255 + 0.5),
		 (unsigned)((g + m) * 255 + 0.5), (unsigned)((b + m) * 255 + 0.5));
}

/* Length of the UTF-8 sequence at s that XML 1.0 allows as a character
 * (tab, LF, CR or >= U+0020, no surrogates, not U+FFFE/U+FFFF); 0 if not. */
static size_t xml_char_len(const unsigned char *s)
{
	uint32_t cp = 0;	/* stays 0 for a bad sequence: refused below */
	size_t n = utf8_decode(s, SIZE_MAX, &cp);

	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r' ? n : 0;
	return n && cp != 0xfffe && cp != 0xffff ? n : 0;
}

static size_t xml_chars(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = 0, k;

	for (; *s; s += k ? k : 1, n++)
		k = xml_char_len(s);
	return n;
}

void chart_put_xml(FILE *out, const char *str, size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = max_chars && xml_chars(str) > max_chars ? max_chars - 1
		: SIZE_MAX, k;

	for (; *s && left; s += k ? k : 1, left--) {
		k = xml_char_len(s);
		if (!k)
			fputs("\xef\xbf\xbd", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else if (*s == '\'')
			fputs("&apos;", out);
		else if (*s < 0x20)	/* tab, CR, LF: kept, as a reference */
			fprintf(out, "&#%d;", *s);
		else
			fwrite(s, 1, k, out);
	}
	if (*s)
		fputs("\u2026", out);
}

/* ---- the SVG chart ---- */

#define M_LEFT 76	/* room for "1023.5 MiB" and the y title */
#define M_RIGHT 24
#define M_TOP 40	/* the title */
#define M_BOTTOM 54	/* tick labels and the time caption */
#define LEGEND_ROW 18
#define LEGEND_ITEM 230	/* px per legend entry: about 32 characters */
#define MARKERS_MAX 60	/* series this short get a marker per point */

/* The plot area (px) and its axes. */
struct frame {
	double x0, x1, y0, y1;
	struct chart_axis xa, ya;
	int empty;	/* no known value to draw */
};

static void put_num(FILE *out, double v)
{
	char s[32];

	put_fixed(s, sizeof(s), v, 1);
	fputs(s, out);
}

static double px_x(const struct frame *f, double t)
{
	return f->x0 + (t - f->xa.lo) / (f->xa.hi - f->xa.lo) * (f->x1 - f->x0);
}

static double px_y(const struct frame *f, double kb)
{
	return f->y1 - (kb - f->ya.lo) / (f->ya.hi - f->ya.lo) * (f->y1 - f->y0);
}

/* "2023-11-14 22:13:20 UTC": local time, with its zone */
static void full_time(char *out, size_t n, int64_t us)
{
	when_format(out, n, us, WHEN_TABLE);
}

static void frame_init(struct frame *f, unsigned w, unsigned h,
		       const struct chart_series *s, size_t n, int counts)
{
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	int64_t vmin = INT64_MAX, vmax = INT64_MIN;
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < s[i].npoints; k++) {
			const struct chart_point *p = &s[i].points[k];

			if (p->kb == CHART_GAP)
				continue;
			tmin = p->time_us < tmin ? p->time_us : tmin;
			tmax = p->time_us > tmax ? p->time_us : tmax;
			vmin = p->kb < vmin ? p->kb : vmin;
			vmax = p->kb > vmax ? p->kb : vmax;
		}
	f->empty = vmin > vmax;
	if (f->empty)
		tmin = tmax = vmin = vmax = 0;
	f->x0 = M_LEFT;
	f->x1 = (double)w - M_RIGHT;
	f->y0 = M_TOP;
	f->y1 = (double)h - M_BOTTOM;
	chart_time_axis(tmin, tmax, (unsigned)((f->x1 - f->x0) / 110), &f->xa);
	value_axis(vmin, vmax, (unsigned)((f->y1 - f->y0) / 60), !counts,
		   &f->ya);
}

static void put_head(FILE *out, const struct chart_opts *o, unsigned w,
		     unsigned h)
{
	if (!o->fragment)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\""
		" height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"sans-serif\""
		" font-size=\"11\" role=\"img\">\n", w, h, w, h);
	fputs("<title>", out);
	chart_put_xml(out, o->title ? o->title : "memory over time", 0);
	fputs("</title>\n", out);
	fprintf(out, "<rect width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n", w, h);
	if (o->title) {
		fprintf(out, "<text class=\"title\" x=\"%u\" y=\"24\""
			" text-anchor=\"middle\" font-size=\"14\""
			" font-weight=\"bold\">", w / 2);
		chart_put_xml(out, o->title, 0);
		fputs("</text>\n", out);
	}
}

static void put_line(FILE *out, double x1, double y1, double x2, double y2)
{
	fputs("<line x1=\"", out);
	put_num(out, x1);
	fputs("\" y1=\"", out);
	put_num(out, y1);
	fputs("\" x2=\"", out);
	put_num(out, x2);
	fputs("\" y2=\"", out);
	put_num(out, y2);
	fputs("\"/>\n", out);
}

static void put_text(FILE *out, double x, double y, const char *anchor,
		     const char *text)
{
	fputs("<text x=\"", out);
	put_num(out, x);
	fputs("\" y=\"", out);
	put_num(out, y);
	fprintf(out, "\" text-anchor=\"%s\">", anchor);
	chart_put_xml(out, text, 0);
	fputs("</text>\n", out);
}

/* Grid lines and tick labels of both axes, the axis lines, captions. */
static void put_axes(FILE *out, const struct frame *f, const char *y_title)
{
	char label[80], from[80], to[80];
	size_t i;

	fputs("<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n", out);
	for (i = 0; i < f->ya.nticks; i++)
		put_line(out, f->x0, px_y(f, f->ya.first + (double)i * f->ya.step),
			 f->x1, px_y(f, f->ya.first + (double)i * f->ya.step));
	for (i = 0; !f->empty && i < f->xa.nticks; i++)
		put_line(out, px_x(f, f->xa.first + (double)i * f->xa.step), f->y0,
			 px_x(f, f->xa.first + (double)i * f->xa.step), f->y1);
	fputs("</g>\n<g class=\"y-axis\" fill=\"#333333\">\n", out);
	for (i = 0; i < f->ya.nticks; i++) {
		double v = f->ya.first + (double)i * f->ya.step;

		chart_label(&f->ya, v, label, sizeof(label));
		put_text(out, f->x0 - 6, px_y(f, v) + 4, "end", label);
	}
	fputs("</g>\n<g class=\"x-axis\" fill=\"#333333\">\n", out);
	for (i = 0; !f->empty && i < f->xa.nticks; i++) {
		double v = f->xa.first + (double)i * f->xa.step;

		chart_label(&f->xa, v, label, sizeof(label));
		put_text(out, px_x(f, v), f->y1 + 16, "middle", label);
	}
	fputs("</g>\n<g stroke=\"#333333\" stroke-width=\"1\">\n", out);
	put_line(out, f->x0, f->y0, f->x0, f->y1);
	put_line(out, f->x0, f->y1, f->x1, f->y1);
	fputs("</g>\n<g class=\"caption\" fill=\"#555555\">\n", out);
	if (f->empty) {
		put_text(out, (f->x0 + f->x1) / 2, (f->y0 + f->y1) / 2, "middle",
			 "no data");
	} else {
		full_time(from, sizeof(from), (int64_t)f->xa.lo);
		full_time(to, sizeof(to), (int64_t)f->xa.hi);
		fputs("<text x=\"", out);
		put_num(out, (f->x0 + f->x1) / 2);
		fputs("\" y=\"", out);
		put_num(out, f->y1 + 36);
		fprintf(out, "\" text-anchor=\"middle\">time, %s to %s</text>\n",
			from, to);
	}
	if (y_title) {
		fputs("<text x=\"14\" y=\"", out);
		put_num(out, (f->y0 + f->y1) / 2);
		fputs("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ", out);
		put_num(out, (f->y0 + f->y1) / 2);
		fputs(")\">", out);
		chart_put_xml(out, y_title, 0);
		fputs("</text>\n", out);
	}
	fputs("</g>\n", out);
}

/* What the tooltips of series s call it. */
static const char *tip(const struct chart_series *s)
{
	return s->tip ? s->tip : s->name ? s->name : "";
}

/* One <path> for the series: a gap lifts the pen. */
static void put_series(FILE *out, const struct frame *f,
		       const struct chart_series *s, const char *color)
{
	size_t k;
	int pen = 0;

	fprintf(out, "<path class=\"%s\" stroke=\"%s\"%s d=\"",
		s->dashed ? "trend" : "series", color,
		s->dashed ? " stroke-dasharray=\"6 4\"" : "");
	for (k = 0; k < s->npoints; k++) {
		const struct chart_point *p = &s->points[k];

		if (p->kb == CHART_GAP) {
			pen = 0;
			continue;
		}
		fputs(k && pen ? " L" : k ? " M" : "M", out);
		put_num(out, px_x(f, (double)p->time_us));
		fputc(' ', out);
		put_num(out, px_y(f, (double)p->kb));
		pen = 1;
	}
	fputs("\"><title>", out);
	chart_put_xml(out, tip(s), 0);
	fputs("</title></path>\n", out);
}

/* A dot per point of a short series, its value in a tooltip. */
static void put_markers(FILE *out, const struct frame *f,
			const struct chart_series *s, const char *color,
			const char *unit)
{
	char when[80];
	size_t k;

	if (s->npoints > MARKERS_MAX || s->dashed)
		return;
	fprintf(out, "<g class=\"markers\" fill=\"%s\">\n", color);
	for (k = 0; k < s->npoints; k++) {
		const struct chart_point *p = &s->points[k];

		if (p->kb == CHART_GAP)
			continue;
		full_time(when, sizeof(when), p->time_us);
		fputs("<circle r=\"2.5\" cx=\"", out);
		put_num(out, px_x(f, (double)p->time_us));
		fputs("\" cy=\"", out);
		put_num(out, px_y(f, (double)p->kb));
		fputs("\"><title>", out);
		chart_put_xml(out, tip(s), 0);
		fprintf(out, ": %" PRId64 "%s at %s</title></circle>\n",
			p->kb, unit, when);
	}
	fputs("</g>\n", out);
}

static size_t legend_per_row(unsigned w)
{
	size_t n = (w - M_LEFT - M_RIGHT) / LEGEND_ITEM;

	return n ? n : 1;
}

static void put_legend(FILE *out, const struct chart_series *s, size_t n,
		       unsigned w, unsigned top)
{
	size_t per = legend_per_row(w), i;
	char color[8];

	fputs("<g class=\"legend\">\n", out);
	for (i = 0; i < n; i++) {
		unsigned x = M_LEFT + (unsigned)(i % per) * LEGEND_ITEM;
		unsigned y = top + (unsigned)(i / per) * LEGEND_ROW;

		chart_color(i, color);
		fprintf(out, "<rect x=\"%u\" y=\"%u\" width=\"16\" height=\"4\""
			" fill=\"%s\"/>\n", x, y + 7, color);
		fprintf(out, "<text x=\"%u\" y=\"%u\">", x + 22, y + 13);
		chart_put_xml(out, s[i].name ? s[i].name : "", CHART_LEGEND_CHARS);
		fputs("</text>\n", out);
	}
	fputs("</g>\n", out);
}

int chart_svg(FILE *out, const struct chart_opts *o,
	      const struct chart_series *s, size_t n)
{
	static const struct chart_opts defaults;
	unsigned w, h;
	size_t rows, i;
	struct frame f;
	char color[8];

	o = o ? o : &defaults;
	w = o->width ? o->width : 800;
	h = o->height ? o->height : 400;
	/* smaller than this, the labels would overlap the plot */
	w = w < 240 ? 240 : w;
	h = h < 160 ? 160 : h;
	rows = (n + legend_per_row(w) - 1) / legend_per_row(w);
	frame_init(&f, w, h, s, n, o->counts);
	put_head(out, o, w, h + (unsigned)(rows * LEGEND_ROW) + (rows ? 8 : 0));
	put_axes(out, &f, o->y_title);
	fputs("<g fill=\"none\" stroke-width=\"1.5\" stroke-linejoin=\"round\">\n",
	      out);
	for (i = 0; i < n; i++) {
		chart_color(i, color);
		put_series(out, &f, &s[i], color);
	}
	fputs("</g>\n", out);
	for (i = 0; i < n; i++) {
		chart_color(i, color);
		put_markers(out, &f, &s[i], color, o->counts ? "" : " KiB");
	}
	if (n)
		put_legend(out, s, n, w, h);
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
