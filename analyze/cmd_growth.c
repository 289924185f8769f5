/* cmd_growth.c - `growth`: leak suspects, the processes whose memory (or
 * threads, or mappings) grows as a leak does, and the regions it grows in. */
#include "analyze.h"
#include "cgtime.h"
#include "culprit.h"
#include "growth.h"
#include "series.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The exit status when suspects are found: not 1 (an error), not 2 (a
 * usage error), so that cron and CI can alert on it. */
#define EXIT_SUSPECTS 3

/* One suspect a row. In the table view, the sizes and the counts are two
 * tables (so that -H shows sizes as sizes); --csv and --json have one,
 * numbers in the unit of `field`. */
#define SUSPECT_COLS(unit) \
	{ "pid", COL_INT, 0, TOTAL_ROWS, 0 }, \
	{ "command", COL_TEXT, 0, TOTAL_AUTO, COLF_NAME }, \
	{ "field", COL_TEXT, 0, TOTAL_NONE, 0 }, \
	{ "per_hour", unit, 0, TOTAL_SUM, 0 }, \
	{ "growth", unit, 0, TOTAL_SUM, 0 }, \
	{ "confidence", COL_CENTI, 0, TOTAL_NONE, 0 }, \
	{ "from", unit, 0, TOTAL_NONE, 0 }, \
	{ "to", unit, 0, TOTAL_NONE, 0 }, \
	{ "first", COL_TIME, 0, TOTAL_NONE, 0 }, \
	{ "last", COL_TIME, 0, TOTAL_NONE, 0 }, \
	{ "snapshots", COL_INT, 0, TOTAL_NONE, 0 }, \
	{ "time_left", COL_DURATION, 0, TOTAL_NONE, 0 }, \
	{ "host", COL_TEXT, 0, TOTAL_NONE, 0 }

static const struct col size_cols[] = { SUSPECT_COLS(COL_KB) };
static const struct col count_cols[] = { SUSPECT_COLS(COL_INT) };
enum { S_PID, S_CMD, S_FIELD, S_RATE, S_GROWTH, S_CONF, S_FROM, S_TO,
	S_FIRST, S_LAST, S_SNAPS, S_LEFT, S_HOST, NSCOLS };

/* The regions that explain each suspect (--mappings). */
static const struct col region_cols[] = {
	{ "pid", COL_INT, 0, TOTAL_NONE, 0 },
	{ "command", COL_TEXT, 0, TOTAL_AUTO, COLF_NAME },
	{ "field", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "map", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "perms", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "offset", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "range", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "from", COL_INT, 0, TOTAL_NONE, 0 },
	{ "to", COL_INT, 0, TOTAL_NONE, 0 },
	{ "growth", COL_INT, 0, TOTAL_SUM, 0 },
	{ "share", COL_CENTI, 0, TOTAL_SUM, 0 },
	{ "maps_from", COL_INT, 0, TOTAL_SUM, 0 },
	{ "maps_to", COL_INT, 0, TOTAL_SUM, 0 },
	{ "host", COL_TEXT, 0, TOTAL_NONE, 0 },
};
enum { R_PID, R_CMD, R_FIELD, R_MAP, R_PERMS, R_OFFSET, R_RANGE, R_FROM,
	R_TO, R_GROWTH, R_SHARE, R_MAPS_FROM, R_MAPS_TO, R_HOST };

struct growth_args {
	struct filters f;
	struct growth_opts o;
	int mappings;		/* --mappings: the region table alone */
	int cgroups;		/* --cgroups: the cgroups, not processes */
	const char *field_arg;	/* --field's, read once --cgroups is known */
	enum cgs_field cgfield;
	const char *file;
	const struct out_opts *out;
};

static void set_str(struct table *t, size_t r, size_t c, const char *s)
{
	table_set_text(t, r, c, s, strlen(s));
}

static void add_suspect(struct table *t, const struct growth_suspect *x)
{
	size_t r = table_add_row(t);
	/* 99.99 shows a confidence that is not 100 % as not 100 % */
	double conf = floor(x->tr.confidence * 10000) / 100;

	table_set_int(t, r, S_PID, x->s->pid);
	set_str(t, r, S_CMD, x->s->command);
	set_str(t, r, S_FIELD, series_field_name(x->field));
	table_set_int(t, r, S_RATE, growth_round(x->per_hour));
	table_set_int(t, r, S_GROWTH, x->growth);
	table_set_int(t, r, S_CONF, growth_round(conf * 100));
	table_set_int(t, r, S_FROM, x->from);
	table_set_int(t, r, S_TO, x->to);
	table_set_int(t, r, S_FIRST, x->first_us);
	table_set_int(t, r, S_LAST, x->last_us);
	table_set_int(t, r, S_SNAPS, (int64_t)x->snapshots);
	if (x->hours_left >= 0)
		table_set_int(t, r, S_LEFT, growth_round(x->hours_left * 3600));
	set_str(t, r, S_HOST, x->s->host);
}

static void add_region(struct table *t, const struct growth_region *g)
{
	const struct growth_suspect *x = g->sus;
	size_t r = table_add_row(t);
	char s[64];

	table_set_int(t, r, R_PID, x->s->pid);
	set_str(t, r, R_CMD, x->s->command);
	set_str(t, r, R_FIELD, series_field_name(x->field));
	set_str(t, r, R_MAP, g->name);
	if (g->perms[0]) {
		set_str(t, r, R_PERMS, g->perms);
		snprintf(s, sizeof(s), "%08" PRIx64, g->offset);
		set_str(t, r, R_OFFSET, s);
	}
	snprintf(s, sizeof(s), "%08" PRIx64 "-%08" PRIx64, g->lo, g->hi);
	set_str(t, r, R_RANGE, s);
	table_set_int(t, r, R_FROM, g->from);
	table_set_int(t, r, R_TO, g->to);
	table_set_int(t, r, R_GROWTH, g->growth);
	table_set_int(t, r, R_SHARE, growth_round(g->share * 10000));
	table_set_int(t, r, R_MAPS_FROM, g->maps_from);
	table_set_int(t, r, R_MAPS_TO, g->maps_to);
	set_str(t, r, R_HOST, x->s->host);
}

/* The regions of every suspect, into t. 0, or 1 when a text could not
 * be read (printed; the rest is still there). */
static int region_table(struct store *st, const struct growth *g,
			struct table *t)
{
	struct growth_regions rv = { 0 };
	size_t i;
	int ret = 0;

	/* suspect by suspect, as the suspects' table: the fastest last */
	for (i = g->n; i-- > 0;)
		if (growth_regions_find(st, g, &g->v[i], &rv) < 0)
			ret = 1;
	table_init(t, region_cols, sizeof(region_cols) / sizeof(region_cols[0]));
	t->sort = NULL;		/* the largest part first within each */
	for (i = 0; i < rv.n; i++)
		add_region(t, &rv.v[i]);
	growth_regions_release(&rv);
	return ret;
}

/* The suspects whose field is a size (sizes 1) or a count (0), or all
 * of them (-1), into t, with columns cols. */
static void suspect_table(const struct growth *g, int sizes,
			  const struct col *cols, struct table *t)
{
	size_t i;

	/* by rate, ascending as smem sorts (the fastest last, by the
	 * prompt): growth_find's order read from its end, so that -r, and
	 * the report's page, list them exactly as growth_find ranks them */
	table_init(t, cols, NSCOLS);
	t->sort = NULL;
	for (i = g->n; i-- > 0;)
		if (sizes < 0 || series_field_is_size(g->v[i].field) == sizes)
			add_suspect(t, &g->v[i]);
}

/* The table view: sizes, counts, then the regions, each but the first
 * under a line saying what it is. */
static int show_tables(struct store *st, const struct growth *g,
		       const struct out_opts *out)
{
	struct table t;
	size_t i, counts = 0;
	int ret, bad;

	for (i = 0; i < g->n; i++)
		counts += !series_field_is_size(g->v[i].field);
	suspect_table(g, 1, size_cols, &t);
	if ((ret = print_table(&t, out)) != 0)
		return ret;
	if (counts) {
		printf("\nthreads and mappings that grow:\n");
		suspect_table(g, 0, count_cols, &t);
		if ((ret = print_table(&t, out)) != 0)
			return ret;
	}
	if (!g->n)
		return 0;
	bad = region_table(st, g, &t);
	printf("\nregions they grow in (each one's part of the growth):\n");
	if (t.nrows) {
		ret = print_table(&t, out);
	} else {
		printf("(none that a stored smaps text tells)\n");
		table_release(&t);
	}
	return ret ? ret : bad;
}

/* Judge, show, and say by the exit status whether there are suspects. */
static int show(struct store *st, const struct growth_args *a)
{
	struct growth g;
	struct table t;
	int ret = 1;

	if (growth_find(&g, st, &a->f, &a->o) < 0)
		goto out;
	if (g.novalue)
		warn("'%s': %zu process%s without anon+swap figures (a"
		     " --maps-only capture): judged on vss instead", a->file,
		     g.novalue, g.novalue == 1 ? "" : "es");
	if (a->out->format == OUT_TABLE && !a->mappings) {
		ret = show_tables(st, &g, a->out);
	} else if (a->mappings) {
		int bad = region_table(st, &g, &t);

		ret = print_table(&t, a->out);
		ret = ret ? ret : bad;
	} else {
		/* one table: numbers in each row's field's unit */
		suspect_table(&g, -1, count_cols, &t);
		ret = print_table(&t, a->out);
	}
	if (ret == 0 && g.n)
		ret = EXIT_SUSPECTS;
out:
	growth_release(&g);
	return ret;
}

/* Options and FILE; -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct growth_args *a)
{
	enum { OPT_FIELD = OPT_HELP + 1, OPT_MAPPINGS, OPT_CONFIDENCE,
		OPT_MIN_GROWTH, OPT_CGROUPS };
	static const struct option opts[] = {
		FILTER_OPTIONS, WINDOW_OPTIONS, HELP_OPTION,
		{ "field", required_argument, NULL, OPT_FIELD },
		{ "mappings", no_argument, NULL, OPT_MAPPINGS },
		{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
		{ "min-growth", required_argument, NULL, OPT_MIN_GROWTH },
		{ "cgroups", no_argument, NULL, OPT_CGROUPS },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return command_help(&cmd_growth);
		if (c == OPT_FIELD) {
			a->field_arg = optarg;
			a->o.counts_too = 0;
		} else if (c == OPT_CGROUPS) {
			a->cgroups = 1;
		} else if (c == OPT_MAPPINGS) {
			a->mappings = 1;
		} else if (c == OPT_CONFIDENCE) {
			if ((r = growth_confidence_arg(optarg, &a->o)) != 0)
				return r;
		} else if (c == OPT_MIN_GROWTH) {
			if ((r = growth_min_arg(optarg, &a->o)) != 0)
				return r;
		} else if ((r = filters_option(&a->f, c, optarg)) != 0) {
			return r;
		}
	}
	if (argc - optind != 1)
		return usage_error("growth takes one FILE");
	if (a->cgroups && a->mappings)
		return usage_error("--mappings tells a process's regions: not"
				   " with --cgroups");
	a->cgfield = CGS_MEM;
	if (a->field_arg && (r = a->cgroups
			     ? cgs_field_arg(a->field_arg, &a->cgfield)
			     : series_field_arg(a->field_arg, &a->o.field)) != 0)
		return r;
	a->file = argv[optind];
	return -1;
}

static int run_growth(int argc, char **argv, const struct out_opts *out)
{
	struct growth_args a = { .o = { SERIES_MEM, 1, GROWTH_CONFIDENCE, 0 },
				 .out = out };
	struct store st;
	int ret;

	if ((ret = parse_args(argc, argv, &a)) < 0 && a.cgroups) {
		ret = cg_growth(a.file, &a.f, a.cgfield, &a.o, out);
	} else if (ret < 0) {
		ret = 1;
		if (store_open(&st, a.file, STORE_READ) == 0) {
			if (host_check(&st, a.f.host) == 0)
				ret = show(&st, &a);
			store_close(&st);
		}
	}
	filters_release(&a.f);
	return ret;
}

const struct command cmd_growth = {
	"growth",
	"growth FILE [--field FIELD] [--confidence PCT] [--min-growth N]"
	" [--mappings | --cgroups] [--since WHEN] [--until WHEN] [filters]",
	run_growth, 0, (OUTPUT_ALL | OUTPUT_WIDE) & ~OUTPUT_PERCENT,
};
