/* cmd_growth.c - `growth`: leak suspects, the processes whose memory grew
 * at every step of a run of snapshots, and the mappings that grew in them. */
#include "analyze.h"
#include "growth.h"
#include "series.h"
#include "util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The columns a process run and a region run share, last in both
 * tables, in the order set_figures fills them. */
#define FIGURE_COLS \
	{ "field", COL_TEXT, 0, TOTAL_NONE, 0 }, \
	{ "steps", COL_INT, 0, TOTAL_NONE, 0 }, \
	{ "from", COL_KB, 0, TOTAL_SUM, 0 }, \
	{ "to", COL_KB, 0, TOTAL_SUM, 0 }, \
	{ "growth", COL_KB, 0, TOTAL_SUM, 0 }, \
	{ "per_hour", COL_KB, 0, TOTAL_SUM, 0 }, \
	{ "first", COL_TIME, 0, TOTAL_NONE, 0 }, \
	{ "last", COL_TIME, 0, TOTAL_NONE, 0 }, \
	{ "host", COL_TEXT, 0, TOTAL_NONE, 0 }

/* A run of one process. Sorted by growth: the largest ends next to the
 * prompt, as every view here; -r puts it first. */
static const struct col proc_cols[] = {
	{ "pid", COL_INT, 0, TOTAL_ROWS, 0 },
	{ "command", COL_TEXT, 40, TOTAL_AUTO, 0 },
	FIGURE_COLS,
};
enum { P_PID, P_CMD, P_FIELD, P_STEPS, P_FROM, P_TO, P_GROWTH, P_RATE,
	P_FIRST, P_LAST, P_HOST };

/* A run of one mapping region inside a process's run (--mappings). */
static const struct col map_cols[] = {
	{ "pid", COL_INT, 0, TOTAL_NONE, 0 },
	{ "command", COL_TEXT, 24, TOTAL_AUTO, 0 },
	{ "map", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "perms", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "offset", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "range", COL_TEXT, 0, TOTAL_NONE, 0 },
	FIGURE_COLS,
};
enum { M_PID, M_CMD, M_MAP, M_PERMS, M_OFFSET, M_RANGE, M_FIELD, M_STEPS,
	M_FROM, M_TO, M_GROWTH, M_RATE, M_FIRST, M_LAST, M_HOST };

struct growth_args {
	struct filters f;
	enum series_field field;
	size_t min_steps;
	int mappings;		/* --mappings: the region table alone */
	const char *file;
	const struct out_opts *out;
};

static void set_str(struct table *t, size_t r, size_t c, const char *s)
{
	table_set_text(t, r, c, s, strlen(s));
}

/* kB per hour to the nearest kB, held within int64. */
static int64_t round_rate(double v)
{
	if (v >= 9.2e18 || v <= -9.2e18)
		return v < 0 ? INT64_MIN + 1 : INT64_MAX;
	return (int64_t)(v + (v < 0 ? -0.5 : 0.5));
}

/* The columns a process run and a region run share, from `col` on:
 * field, steps, from, to, growth, per_hour, first, last, host. */
static void set_figures(struct table *t, size_t r, size_t col,
			const struct growth_region *g)
{
	const struct series *s = g->run->s;

	set_str(t, r, col, series_field_name(g->run->field));
	table_set_int(t, r, col + 1, (int64_t)g->steps);
	table_set_int(t, r, col + 2, g->from);
	table_set_int(t, r, col + 3, g->to);
	table_set_int(t, r, col + 4, g->growth);
	if (g->timed)
		table_set_int(t, r, col + 5, round_rate(g->per_hour));
	table_set_int(t, r, col + 6, s->points[g->first].time_us);
	table_set_int(t, r, col + 7, s->points[g->last].time_us);
	set_str(t, r, col + 8, s->host);
}

static void add_run(struct table *t, const struct growth_run *run)
{
	/* a run's figures are a region's: the whole process */
	const struct growth_region g = {
		.run = run, .first = run->first, .last = run->last,
		.steps = run->steps, .from = run->from, .to = run->to,
		.growth = run->growth, .per_hour = run->per_hour,
		.timed = run->timed,
	};
	size_t r = table_add_row(t);

	table_set_int(t, r, P_PID, run->s->pid);
	set_str(t, r, P_CMD, run->s->command);
	set_figures(t, r, P_FIELD, &g);
}

static void add_region(struct table *t, const struct growth_region *g)
{
	size_t r = table_add_row(t);
	char s[64];

	table_set_int(t, r, M_PID, g->run->s->pid);
	set_str(t, r, M_CMD, g->run->s->command);
	set_str(t, r, M_MAP, g->name);
	if (g->perms[0]) {
		set_str(t, r, M_PERMS, g->perms);
		snprintf(s, sizeof(s), "%08" PRIx64, g->offset);
		set_str(t, r, M_OFFSET, s);
	}
	snprintf(s, sizeof(s), "%08" PRIx64 "-%08" PRIx64, g->lo, g->hi);
	set_str(t, r, M_RANGE, s);
	set_figures(t, r, M_FIELD, g);
}

/* Options and FILE; -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct growth_args *a)
{
	enum { OPT_MIN_STEPS = OPT_HELP + 1, OPT_FIELD, OPT_MAPPINGS };
	static const struct option opts[] = {
		FILTER_OPTIONS, HELP_OPTION,
		{ "min-steps", required_argument, NULL, OPT_MIN_STEPS },
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "mappings", no_argument, NULL, OPT_MAPPINGS },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t n;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return command_help(&cmd_growth);
		if (c == OPT_MIN_STEPS) {
			if (parse_u64_str(optarg, &n) < 0 || n < 1 || n > 1000000000)
				return usage_error("bad --min-steps '%s' (a number"
						   " of rises, at least 1)", optarg);
			a->min_steps = (size_t)n;
		} else if (c == OPT_FIELD) {
			if ((r = series_field_arg(optarg, &a->field)) != 0)
				return r;
		} else if (c == OPT_MAPPINGS) {
			a->mappings = 1;
		} else if ((r = filters_option(&a->f, c, optarg)) != 0) {
			return r;
		}
	}
	if (argc - optind != 1)
		return usage_error("growth takes one FILE");
	a->file = argv[optind];
	return -1;
}

/* The regions that grew within each run, into a table. 0, or 1 when a
 * text could not be read (printed; the rest is still there). */
static int region_table(struct store *st, const struct growth_args *a,
			const struct growth_run *runs, size_t nruns,
			struct table *t)
{
	struct growth_regions g = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; i < nruns; i++)
		if (growth_regions_find(st, &runs[i], a->min_steps, &g) < 0)
			ret = 1;
	table_init(t, map_cols, sizeof(map_cols) / sizeof(map_cols[0]));
	t->sort = "growth";
	for (i = 0; i < g.n; i++)
		add_region(t, &g.v[i]);
	growth_regions_release(&g);
	return ret;
}

static int show(struct store *st, const struct growth_args *a,
		const struct growth_run *runs, size_t nruns)
{
	const struct out_opts *out = a->out;
	struct table t;
	size_t i;
	int bad = 0, ret;

	if (a->mappings) {
		bad = region_table(st, a, runs, nruns, &t);
		ret = print_table(&t, out);
		return ret ? ret : bad;
	}
	table_init(&t, proc_cols, sizeof(proc_cols) / sizeof(proc_cols[0]));
	t.sort = "growth";
	for (i = 0; i < nruns; i++)
		add_run(&t, &runs[i]);
	if ((ret = print_table(&t, out)) != 0 || out->format != OUT_TABLE ||
	    !nruns)
		return ret;
	/* the table view goes on with where in those processes it grew */
	bad = region_table(st, a, runs, nruns, &t);
	printf("\nmappings whose %s grew at every step (%zu step%s or more):\n",
	       series_field_name(a->field), a->min_steps,
	       a->min_steps == 1 ? "" : "s");
	ret = print_table(&t, out);
	return ret ? ret : bad;
}

/* For series_run: the runs of growth in set, shown. */
static int show_runs(struct store *st, const struct series_set *set,
		     const void *arg)
{
	const struct growth_args *a = arg;
	struct growth_run *runs = NULL;
	size_t nruns = growth_find(set, a->field, a->min_steps, &runs);
	int ret = show(st, a, runs, nruns);

	free(runs);
	return ret;
}

static int run_growth(int argc, char **argv, const struct out_opts *out)
{
	struct growth_args a = { .field = SERIES_PSS,
				 .min_steps = GROWTH_MIN_STEPS, .out = out };
	int ret;

	if ((ret = parse_args(argc, argv, &a)) < 0)
		ret = series_run(a.file, &a.f, show_runs, &a);
	filters_release(&a.f);
	return ret;
}

const struct command cmd_growth = {
	"growth",
	"growth FILE [--min-steps N] [--field rss|pss|uss|swap] [--mappings]"
	" [filters]",
	run_growth, 0, OUTPUT_ALL & ~OUTPUT_PERCENT,
};
