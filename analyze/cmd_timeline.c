/* cmd_timeline.c - `timeline`: the figures of chosen processes in every
 * snapshot, a sparkline each, and optionally an SVG chart of them. */
#include "analyze.h"
#include "chart.h"
#include "outfile.h"
#include "series.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One row per snapshot per process, oldest first, process by process. */
static const struct col timeline_cols[] = {
	{ "time", COL_TIME, 0, TOTAL_NONE, 0 },
	{ "snapshot", COL_INT, 0, TOTAL_NONE, 0 },
	{ "label", COL_TEXT, 20, TOTAL_NONE, 0 },
	{ "pid", COL_INT, 0, TOTAL_NONE, 0 },
	{ "command", COL_TEXT, 40, TOTAL_NONE, 0 },
	{ "rss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "pss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "uss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "swap", COL_KB, 0, TOTAL_NONE, COLF_SWAP },
	{ "vss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "host", COL_TEXT, 0, TOTAL_NONE, 0 },
};

/* The figures of timeline_cols' columns 5 to 9. */
static const enum series_field row_fields[] = { SERIES_RSS, SERIES_PSS,
	SERIES_USS, SERIES_SWAP, SERIES_VSS };

#define SPARK_WIDTH 60	/* columns of a sparkline; longer series are bucketed */

struct timeline_args {
	struct filters f;
	enum series_field field;
	const char *svg;	/* --svg OUT, or NULL */
	const char *match;	/* --match's text, for the chart's title */
	const char *file;
	const struct out_opts *out;
};

static void set_kb(struct table *t, size_t r, size_t c, int64_t v)
{
	if (v != SERIES_UNKNOWN)
		table_set_int(t, r, c, v);
}

static void add_rows(struct table *t, const struct series *s)
{
	size_t k, r, c;

	for (k = 0; k < s->npoints; k++) {
		const struct series_point *p = &s->points[k];

		r = table_add_row(t);
		table_set_int(t, r, 0, p->time_us);
		table_set_int(t, r, 1, p->snapshot);
		if (p->label)
			table_set_text(t, r, 2, p->label, strlen(p->label));
		table_set_int(t, r, 3, s->pid);
		table_set_text(t, r, 4, s->command, strlen(s->command));
		for (c = 0; c < sizeof(row_fields) / sizeof(row_fields[0]); c++)
			set_kb(t, r, 5 + c, series_value(p, row_fields[c]));
		table_set_text(t, r, 10, s->host, strlen(s->host));
	}
}

/* At most n bytes of s, control bytes as '?' (a name may be hostile). */
static void put_cut(const char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i < n; i++)
		putchar((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	for (; i < n; i++)
		putchar(' ');
}

/* "  100 /usr/bin/leaky --run   pss ▁▂▃▅▆█ min 2612 max 7764 kB" */
static void print_sparklines(const struct series_set *set,
			     enum series_field fld)
{
	int64_t *v = xreallocarray(NULL, set->npoints ? set->npoints : 1,
				   sizeof(*v));
	size_t i, k;

	putchar('\n');
	for (i = 0; i < set->n; i++) {
		const struct series *s = &set->v[i];
		int64_t lo = SERIES_UNKNOWN, hi = SERIES_UNKNOWN;
		char *spark;

		for (k = 0; k < s->npoints; k++) {
			v[k] = series_value(&s->points[k], fld);
			if (v[k] == SERIES_UNKNOWN)
				continue;
			lo = lo == SERIES_UNKNOWN || v[k] < lo ? v[k] : lo;
			hi = hi == SERIES_UNKNOWN || v[k] > hi ? v[k] : hi;
		}
		spark = chart_sparkline(v, s->npoints, SPARK_WIDTH);
		printf("%7lld ", (long long)s->pid);
		put_cut(s->command, 24);
		printf(" %s %s", series_field_name(fld), spark);
		if (lo == SERIES_UNKNOWN)
			printf(" unknown\n");
		else
			printf(" min %lld max %lld%s\n", (long long)lo,
			       (long long)hi, series_field_is_size(fld) ? " kB"
			       : "");
		free(spark);
	}
	free(v);
}

static char *chart_title(const struct timeline_args *a)
{
	struct buf b = BUF_INIT(1 << 20);
	size_t i;

	buf_addf(&b, "%s of ", series_field_name(a->field));
	for (i = 0; i < a->f.npids; i++)
		buf_addf(&b, "%spid %lld", i ? ", " : "", (long long)a->f.pids[i]);
	if (a->match)
		buf_addf(&b, "%sprocesses matching '%s'", a->f.npids ? ", " : "",
			 a->match);
	if (a->f.host)
		buf_addf(&b, " on %s", a->f.host);
	return buf_detach(&b, NULL);
}

/* Name, title and points of every series for chart_svg, into cs. */
static void chart_input(const struct timeline_args *a,
			const struct series_set *set, struct chart_series *cs,
			struct chart_point *pts)
{
	size_t i, k, at = 0;

	for (i = 0; i < set->n; i++) {
		const struct series *s = &set->v[i];
		struct buf name = BUF_INIT(1 << 20);

		buf_addf(&name, "%lld %s", (long long)s->pid, s->command);
		cs[i].name = buf_detach(&name, NULL);
		cs[i].points = pts + at;
		cs[i].npoints = s->npoints;
		for (k = 0; k < s->npoints; k++, at++) {
			int64_t v = series_value(&s->points[k], a->field);

			pts[at].time_us = s->points[k].time_us;
			pts[at].kb = v == SERIES_UNKNOWN ? CHART_GAP : v;
		}
	}
}

/* The chart of every series to a->svg, written beside it and renamed.
 * 0, or -1 (printed). */
static int write_svg(const struct timeline_args *a, const struct series_set *set)
{
	struct chart_series *cs;
	struct chart_point *pts;
	struct chart_opts o = { 0 };
	struct outfile of;
	FILE *out = outfile_fopen(&of, a->svg);
	size_t i;
	int r;

	if (!out)
		return -1;
	cs = xcalloc(set->n ? set->n : 1, sizeof(*cs));
	pts = xcalloc(set->npoints ? set->npoints : 1, sizeof(*pts));
	chart_input(a, set, cs, pts);
	o.title = chart_title(a);
	o.y_title = series_field_name(a->field);
	o.counts = !series_field_is_size(a->field);
	chart_svg(out, &o, cs, set->n);	/* an error stays in ferror(out) */
	r = outfile_fclose(&of, out, 1);
	outfile_release(&of);
	for (i = 0; i < set->n; i++)
		free((char *)cs[i].name);
	free((char *)o.title);
	free(pts);
	free(cs);
	return r;
}

/* Options and FILE; -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct timeline_args *a)
{
	enum { OPT_FIELD = OPT_HELP + 1, OPT_SVG };
	static const struct option opts[] = {
		FILTER_OPTIONS, WINDOW_OPTIONS, HELP_OPTION,
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return command_help(&cmd_timeline);
		if (c == OPT_FIELD) {
			if ((r = series_field_arg(optarg, &a->field)) != 0)
				return r;
			continue;
		}
		if (c == OPT_SVG) {
			a->svg = optarg;
			continue;
		}
		if (c == OPT_MATCH)
			a->match = optarg;
		if ((r = filters_option(&a->f, c, optarg)) != 0)
			return r;
	}
	if (argc - optind != 1)
		return usage_error("timeline takes one FILE");
	if (!a->f.npids && !a->f.has_re)
		return usage_error("timeline needs --pid PID or --match REGEX");
	a->file = argv[optind];
	return -1;
}

/* For series_run: the table, the sparklines, the chart. */
static int show(struct store *st, const struct series_set *set,
		const void *arg)
{
	const struct timeline_args *a = arg;
	const struct out_opts *out = a->out;
	struct table t;
	size_t i;
	int ret;

	(void)st;
	/* no process matches: an empty table (and chart), exit 0, as
	 * every command answers a filter that matches nothing */
	if (a->svg && write_svg(a, set) < 0)
		return 1;
	table_init(&t, timeline_cols, sizeof(timeline_cols) / sizeof(timeline_cols[0]));
	for (i = 0; i < set->n; i++)
		add_rows(&t, &set->v[i]);
	ret = print_table(&t, out);
	if (ret == 0 && out->format == OUT_TABLE && set->n)
		print_sparklines(set, a->field);
	return ret;
}

static int run_timeline(int argc, char **argv, const struct out_opts *out)
{
	struct timeline_args a = { .field = SERIES_PSS, .out = out };
	int ret;

	if ((ret = parse_args(argc, argv, &a)) < 0)
		ret = series_run(a.file, &a.f, show, &a);
	filters_release(&a.f);
	return ret;
}

const struct command cmd_timeline = {
	"timeline",
	"timeline FILE (--pid PID | --match REGEX) [--field FIELD]"
	" [--svg OUT] [--user USER] [--host NAME] [--cgroup REGEX]"
	" [--container ID] [--unit NAME] [--since WHEN] [--until WHEN]",
	run_timeline, 0, OUTPUT_ALL & ~(OUTPUT_PERCENT | OUTPUT_TOTALS),
};
