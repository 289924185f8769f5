/* cmd_timeline.c - `timeline`: the figures of chosen processes in every
 * snapshot, a sparkline each, and optionally an SVG chart of them. */
#include "analyze.h"
#include "cgtime.h"
#include "chart.h"
#include "legend.h"
#include "namecut.h"
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
	{ "command", COL_TEXT, 0, TOTAL_NONE, COLF_NAME },
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
	int cgroups;		/* --cgroups: the cgroups, not processes */
	enum cgs_field cgfield;	/* --field with --cgroups */
	const char *field_arg;	/* --field's, read once --cgroups is known */
	const char *svg;	/* --svg OUT, or NULL */
	const char *match;	/* --match's text, for the chart's title */
	const char *file;
	const struct out_opts *out;
	long top;		/* --top N, or 0: every process */
};

/* The processes shown: all of the set's, or --top's, in the set's order. */
struct chosen {
	const struct series **v;
	size_t n, of;		/* of: how many matched */
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

/* s padded to width characters, as a table shows it: a control
 * character or a byte that is not UTF-8 as '?' (a name may be hostile). */
static void put_name(const char *s, size_t width)
{
	struct buf b = BUF_INIT(1 << 24);
	size_t n = name_chars(s);

	sink_shown(&b, s);
	for (; n < width; n++)
		buf_addch(&b, ' ');
	fwrite(b.data ? b.data : "", 1, b.len, stdout);
	buf_release(&b);
}

/* The width of the sparklines' names: the longest, within what the
 * terminal leaves beside the sparklines (24 at least). */
static size_t spark_name_width(const struct chosen *c, const struct out_opts *o)
{
	size_t screen = out_opts_columns(o), w = 0, i, n;
	size_t room = screen > 86 + 24 ? screen - 86 : 24;

	for (i = 0; i < c->n; i++) {
		n = name_chars(c->v[i]->command);
		w = n > w ? n : w;
	}
	return screen && w > room ? room : w;
}

/* "  100 /usr/bin/leaky --run   pss ▁▂▃▅▆█ min 2612 max 7764 kB" */
static void print_sparklines(const struct chosen *c, enum series_field fld,
			     const struct out_opts *o)
{
	size_t width = spark_name_width(c, o), npoints = 1, i, k;
	int64_t *v;

	for (i = 0; i < c->n; i++)
		npoints = c->v[i]->npoints > npoints ? c->v[i]->npoints : npoints;
	v = xreallocarray(NULL, npoints, sizeof(*v));
	putchar('\n');
	for (i = 0; i < c->n; i++) {
		const struct series *s = c->v[i];
		int64_t lo = SERIES_UNKNOWN, hi = SERIES_UNKNOWN;
		char *spark, *name;

		for (k = 0; k < s->npoints; k++) {
			v[k] = series_value(&s->points[k], fld);
			if (v[k] == SERIES_UNKNOWN)
				continue;
			lo = lo == SERIES_UNKNOWN || v[k] < lo ? v[k] : lo;
			hi = hi == SERIES_UNKNOWN || v[k] > hi ? v[k] : hi;
		}
		spark = chart_sparkline(v, s->npoints, SPARK_WIDTH);
		name = name_cut(s->command, width, "...", 3);
		printf("%7lld ", (long long)s->pid);
		put_name(name, width);
		printf(" %s %s", series_field_name(fld), spark);
		if (lo == SERIES_UNKNOWN)
			printf(" unknown\n");
		else
			printf(" min %lld max %lld%s\n", (long long)lo,
			       (long long)hi, series_field_is_size(fld) ? " kB"
			       : "");
		free(name);
		free(spark);
	}
	free(v);
}

static char *chart_title(const struct timeline_args *a,
			 const struct chosen *c)
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
	if (c->n < c->of)
		buf_addf(&b, ": the %zu largest of %zu (%zu left out)", c->n,
			 c->of, c->of - c->n);
	return buf_detach(&b, NULL);
}

/* Name, tooltip name (the pid and the whole command line) and points of
 * every series for chart_svg, into cs. */
static void chart_input(const struct timeline_args *a, const struct chosen *c,
			char **labels, struct chart_series *cs,
			struct chart_point *pts)
{
	size_t i, k, at = 0;

	for (i = 0; i < c->n; i++) {
		const struct series *s = c->v[i];

		struct buf tip = BUF_INIT(1 << 20);

		buf_addf(&tip, "%lld %s", (long long)s->pid, s->command);
		cs[i].tip = buf_detach(&tip, NULL);
		cs[i].name = labels[i];
		cs[i].points = pts + at;
		cs[i].npoints = s->npoints;
		for (k = 0; k < s->npoints; k++, at++) {
			int64_t v = series_value(&s->points[k], a->field);

			pts[at].time_us = s->points[k].time_us;
			pts[at].kb = v == SERIES_UNKNOWN ? CHART_GAP : v;
		}
	}
}

/* The chart of the chosen series to a->svg, written beside it and
 * renamed. 0, or -1 (printed). */
static int write_svg(const struct timeline_args *a, const struct chosen *c)
{
	struct chart_series *cs;
	struct chart_point *pts;
	struct chart_opts o = { 0 };
	struct outfile of;
	FILE *out = outfile_fopen(&of, a->svg);
	char **labels;
	size_t i, npoints = 0;
	int r;

	if (!out)
		return -1;
	for (i = 0; i < c->n; i++)
		npoints += c->v[i]->npoints;
	cs = xcalloc(c->n ? c->n : 1, sizeof(*cs));
	pts = xcalloc(npoints ? npoints : 1, sizeof(*pts));
	labels = legend_labels(c->v, c->n, CHART_LEGEND_CHARS);
	chart_input(a, c, labels, cs, pts);
	o.title = chart_title(a, c);
	o.y_title = series_field_name(a->field);
	o.counts = !series_field_is_size(a->field);
	chart_svg(out, &o, cs, c->n);	/* an error stays in ferror(out) */
	r = outfile_fclose(&of, out, 1);
	outfile_release(&of);
	legend_labels_free(labels, c->n);
	for (i = 0; i < c->n; i++)
		free((char *)cs[i].tip);
	free((char *)o.title);
	free(pts);
	free(cs);
	return r;
}

/* The largest value of fld in s; SERIES_UNKNOWN when none is known. */
static int64_t peak(const struct series *s, enum series_field fld)
{
	int64_t hi = SERIES_UNKNOWN, v;
	size_t k;

	for (k = 0; k < s->npoints; k++)
		if ((v = series_value(&s->points[k], fld)) > hi)
			hi = v;
	return hi;
}

struct by_peak {
	const struct series *s;
	int64_t peak;
};

/* Largest peak first, then the set's order. */
static int cmp_peak(const void *pa, const void *pb)
{
	const struct by_peak *x = pa, *y = pb;

	if (x->peak != y->peak)
		return x->peak < y->peak ? 1 : -1;
	return (x->s > y->s) - (x->s < y->s);
}

static int cmp_order(const void *pa, const void *pb)
{
	const struct series *x = *(const struct series *const *)pa;
	const struct series *y = *(const struct series *const *)pb;

	return (x > y) - (x < y);
}

/* The processes to show: every one, or --top's N largest by their peak
 * of the field, in the set's order. */
static void choose(const struct timeline_args *a, const struct series_set *set,
		   struct chosen *c)
{
	struct by_peak *v = xcalloc(set->n ? set->n : 1, sizeof(*v));
	size_t i;

	for (i = 0; i < set->n; i++) {
		v[i].s = &set->v[i];
		v[i].peak = peak(&set->v[i], a->field);
	}
	c->of = set->n;
	c->n = a->top > 0 && (size_t)a->top < set->n ? (size_t)a->top : set->n;
	if (c->n < set->n)
		qsort(v, set->n, sizeof(*v), cmp_peak);
	c->v = xcalloc(c->n ? c->n : 1, sizeof(*c->v));
	for (i = 0; i < c->n; i++)
		c->v[i] = v[i].s;
	qsort(c->v, c->n, sizeof(*c->v), cmp_order);
	free(v);
}

/* Options and FILE; -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct timeline_args *a)
{
	enum { OPT_FIELD = OPT_HELP + 1, OPT_SVG, OPT_CGROUPS,
		OPT_TOP = OPT_OWN };
	static const struct option opts[] = {
		FILTER_OPTIONS, WINDOW_OPTIONS, HELP_OPTION,
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "cgroups", no_argument, NULL, OPT_CGROUPS },
		{ "top", required_argument, NULL, OPT_TOP },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t top;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return command_help(&cmd_timeline);
		if (c == OPT_FIELD) {
			a->field_arg = optarg;
			continue;
		}
		if (c == OPT_CGROUPS) {
			a->cgroups = 1;
			continue;
		}
		if (c == OPT_SVG) {
			a->svg = optarg;
			continue;
		}
		if (c == OPT_TOP) {
			if (parse_u64_str(optarg, &top) < 0 || top < 1 ||
			    top > 1000000)
				return usage_error("bad --top '%s'", optarg);
			a->top = (long)top;
			continue;
		}
		if (c == OPT_MATCH)
			a->match = optarg;
		if ((r = filters_option(&a->f, c, optarg)) != 0)
			return r;
	}
	if (argc - optind != 1)
		return usage_error("timeline takes one FILE");
	if (a->cgroups && (a->svg || a->top))
		return usage_error("--svg and --top chart processes: not with"
				   " --cgroups");
	if (a->cgroups)
		a->cgfield = CGS_CHARGE;
	if (a->field_arg && (r = a->cgroups
			     ? cgs_field_arg(a->field_arg, &a->cgfield)
			     : series_field_arg(a->field_arg, &a->field)) != 0)
		return r;
	if (!a->cgroups && !a->f.npids && !a->f.has_re)
		return usage_error("timeline needs --pid PID or --match REGEX"
				   " (or --cgroups)");
	a->file = argv[optind];
	return -1;
}

/* For series_run: the table, the sparklines, the chart. */
static int show(struct store *st, const struct series_set *set,
		const void *arg)
{
	const struct timeline_args *a = arg;
	const struct out_opts *out = a->out;
	struct chosen c;
	struct table t;
	size_t i;
	int ret = 1;

	(void)st;
	/* no process matches: an empty table (and chart), exit 0, as
	 * every command answers a filter that matches nothing */
	choose(a, set, &c);
	if (a->svg && write_svg(a, &c) < 0)
		goto out;
	table_init(&t, timeline_cols, sizeof(timeline_cols) / sizeof(timeline_cols[0]));
	for (i = 0; i < c.n; i++)
		add_rows(&t, c.v[i]);
	ret = print_table(&t, out);
	if (ret == 0 && out->format == OUT_TABLE && c.n)
		print_sparklines(&c, a->field, out);
out:
	free(c.v);
	return ret;
}

static int run_timeline(int argc, char **argv, const struct out_opts *out)
{
	struct timeline_args a = { .field = SERIES_PSS, .out = out };
	int ret;

	if ((ret = parse_args(argc, argv, &a)) < 0)
		ret = a.cgroups ? cg_timeline(a.file, &a.f, a.cgfield, out)
			: series_run(a.file, &a.f, show, &a);
	filters_release(&a.f);
	return ret;
}

const struct command cmd_timeline = {
	"timeline",
	"timeline FILE (--pid PID | --match REGEX | --cgroups) [--field FIELD]"
	" [--svg OUT] [--top N] [--user USER] [--host NAME] [--cgroup REGEX]"
	" [--container ID] [--unit NAME] [--since WHEN] [--until WHEN]",
	run_timeline, 0, (OUTPUT_ALL | OUTPUT_WIDE) &
	~(OUTPUT_PERCENT | OUTPUT_TOTALS),
};
