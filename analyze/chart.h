/* chart.h - memory over time, drawn: a sparkline for a terminal, and a
 * standalone SVG line chart for a file or for inlining in an HTML page. */
#ifndef MAPSNAP_CHART_H
#define MAPSNAP_CHART_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A value not known (a maps-only capture has no Pss): a blank in a
 * sparkline, a gap in a chart's line. Never drawn as 0. */
#define CHART_GAP INT64_MIN

/*
 * A sparkline of v[0..n): one of "▁▂▃▄▅▆▇█" per value, scaled from the
 * smallest value (▁) to the largest (█); a flat series is all ▄, a
 * CHART_GAP a blank. With width > 0 and n > width, the values are cut
 * into `width` consecutive buckets of (nearly) equal size and each shows
 * its largest value, so a short peak is never averaged away. Returns a
 * NUL-terminated UTF-8 string (caller frees; "" when n is 0).
 */
char *chart_sparkline(const int64_t *v, size_t n, size_t width);

/* How an axis labels its ticks. */
enum chart_unit {
	CHART_KB, CHART_MB, CHART_GB, CHART_TB,	/* sizes, powers of 1024:
						   KiB, MiB, GiB, TiB */
	CHART_MSEC,	/* times: 23:59:59.250 */
	CHART_SEC,	/* 23:59:59 */
	CHART_MIN,	/* 23:59 (a tick at midnight shows the date) */
	CHART_DAY,	/* 2023-11-15 */
	CHART_COUNT,	/* plain numbers: threads, mappings */
};

/*
 * An axis from lo to hi (kB or microseconds since the epoch, UTC) with
 * nticks ticks at first + i * step. A size axis starts and ends on a
 * tick; a time axis spans the data exactly and ticks fall on round
 * times (whole minutes, hours, days UTC; steps of a day and more are
 * counted from 1970-01-01, not from month starts).
 */
struct chart_axis {
	double lo, hi;
	double first, step;
	size_t nticks;
	enum chart_unit unit;
	int decimals;		/* digits after the point in size labels */
};

/* The smallest 1, 2 or 5 times a power of ten that is >= raw (> 0). */
double chart_nice_step(double raw);

/*
 * A size axis holding min..max kB with about `target` ticks of a round
 * size (1, 2 or 5 times a power of ten, in the largest of kB, MB, GB,
 * TB that keeps the labels above 1; never under 1 kB). A flat range is
 * widened by a tenth each way (never below 0 when the data is not).
 */
void chart_size_axis(int64_t min_kb, int64_t max_kb, unsigned target,
		     struct chart_axis *a);
/* The same for counts (threads, mappings): plain numbers, no units,
 * whole steps. */
void chart_count_axis(int64_t min, int64_t max, unsigned target,
		      struct chart_axis *a);
/* A time axis over min..max us with at most about `target` ticks (a
 * single time is widened by a minute each way). */
void chart_time_axis(int64_t min_us, int64_t max_us, unsigned target,
		     struct chart_axis *a);
/* The label of value v on axis a ("1.5 MiB", "22:30", "2023-11-15"),
 * NUL-terminated in out (n bytes; 32 is always enough). */
void chart_label(const struct chart_axis *a, double v, char *out, size_t n);

/* The colour of the i-th series, "#rrggbb" in out: ten well-told-apart
 * colours first (Tableau 10), then hues spread by the golden angle. */
void chart_color(size_t i, char out[8]);

/*
 * Write s to out escaped for XML text and attribute values: & < > " '
 * as entities, bytes that are not UTF-8 and control characters (which
 * XML 1.0 forbids) as U+FFFD. With max_chars > 0, at most that many
 * characters, the last one "…" when s is longer.
 */
void chart_put_xml(FILE *out, const char *s, size_t max_chars);

/* The characters of a legend entry; a longer name ends in "…". */
#define CHART_LEGEND_CHARS 32

struct chart_point {
	int64_t time_us;	/* microseconds since the epoch, UTC */
	int64_t kb;		/* or CHART_GAP */
};

struct chart_series {
	const char *name;	/* for the legend; any bytes (escaped) */
	const struct chart_point *points;	/* npoints, in time order */
	size_t npoints;
	int dashed;		/* a fitted line rather than data: dashed,
				   without dots */
	const char *tip;	/* its name in tooltips (whole, say with a
				   pid), or NULL: name */
};

struct chart_opts {
	const char *title;	/* may be NULL */
	const char *y_title;	/* beside the y axis ("pss"), may be NULL */
	unsigned width;		/* of the image, px; 0: 800; at least 240 */
	unsigned height;	/* of the plot with its axes and title, px;
				   0: 400; at least 160. The legend below
				   adds 18 px per row of names. */
	int fragment;		/* 1: no XML prolog, to inline in HTML */
	int counts;		/* the values are counts, not kB */
};

/*
 * Write a line chart of the n series to out: an <svg> element with
 * xmlns, width, height and viewBox; a <title>; a y axis of sizes and an
 * x axis of times (UTC) with grid lines, both from the known values of
 * all series; one <path class="series"> per series in chart_color(i)
 * (a gap in the data starts a new subpath); a dot per point, whose
 * <title> says name, value and time, for series of up to 60 points; a
 * legend (<g class="legend">) of every name, cut to CHART_LEGEND_CHARS
 * characters (legend.h makes labels that fit). With
 * no known value at all, the axes frame "no data". Every text is
 * XML-escaped. o may be NULL (all defaults). Returns 0, or -1 when out
 * has an error (nothing printed: the caller names the file).
 */
int chart_svg(FILE *out, const struct chart_opts *o,
	      const struct chart_series *s, size_t n);

#endif
