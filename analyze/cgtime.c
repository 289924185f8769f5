/* cgtime.c - cgroups over time: `timeline --cgroups` (every snapshot's
 * figures, a sparkline each) and `growth --cgroups` (the cgroups whose
 * memory grows as a leak does, and how long until their limit). */
#include "cgtime.h"
#include "chart.h"
#include "trend.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SPARK_WIDTH 60

static const struct col timeline_cols[] = {
	{ "time", COL_TIME, 0, TOTAL_NONE, 0 },
	{ "snapshot", COL_INT, 0, TOTAL_NONE, 0 },
	{ "cgroup", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "charge", COL_KB, 0, TOTAL_NONE, 0 },
	{ "limit", COL_KB, 0, TOTAL_NONE, 0 },
	{ "anon", COL_KB, 0, TOTAL_NONE, 0 },
	{ "file", COL_KB, 0, TOTAL_NONE, 0 },
	{ "kernel", COL_KB, 0, TOTAL_NONE, 0 },
	{ "swap", COL_KB, 0, TOTAL_NONE, COLF_SWAP },
	{ "procs", COL_INT, 0, TOTAL_NONE, 0 },
	{ "pss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "host", COL_TEXT, 0, TOTAL_NONE, 0 },
};
/* The figures of timeline_cols' columns 3 to 10. */
static const enum cgs_field row_fields[] = { CGS_CHARGE, CGS_LIMIT,
	CGS_ANON, CGS_FILE, CGS_KERNEL, CGS_SWAP, CGS_PROCS, CGS_PSS };

static void set_text(struct table *t, size_t r, size_t c, const char *s)
{
	table_set_text(t, r, c, s, strlen(s));
}

/* The set of file, or 1 when it cannot be read (printed). A file with no
 * cgroup figures is said so, and its set is empty, as a filter that
 * matches nothing leaves it: an empty table, exit status 0. */
static int load(const char *file, const struct filters *f,
		struct store *st, struct cgs_set *set)
{
	memset(set, 0, sizeof(*set));
	if (store_open(st, file, STORE_READ) < 0)
		return 1;
	if (host_check(st, f->host) < 0 || cgs_load(set, st, f) < 0) {
		cgs_release(set);
		store_close(st);
		return 1;
	}
	if (!set->stored)
		warn("'%s': no cgroup figures%s%s (a capture without --sys, or"
		     " of format 1.0, has none)", file, f->host ? " on host " : "",
		     f->host ? f->host : "");
	return 0;
}

/* "  /system.slice/app.service  charge ▁▂▃▅▆█ min 2612 max 7764 kB" */
static void print_sparklines(const struct cgs_set *set, enum cgs_field fld)
{
	struct buf name = BUF_INIT(1 << 20);
	size_t i, k;

	putchar('\n');
	for (i = 0; i < set->n; i++) {
		const struct cgs_series *s = &set->v[i];
		int64_t *v = xcalloc(s->npoints, sizeof(*v));
		int64_t lo = CGS_UNKNOWN, hi = CGS_UNKNOWN;
		char *spark;

		for (k = 0; k < s->npoints; k++) {
			v[k] = s->points[k].v[fld];
			if (v[k] == CGS_UNKNOWN)
				continue;
			lo = lo == CGS_UNKNOWN || v[k] < lo ? v[k] : lo;
			hi = hi == CGS_UNKNOWN || v[k] > hi ? v[k] : hi;
		}
		spark = chart_sparkline(v, s->npoints, SPARK_WIDTH);
		printf("%s %s %s", cgs_name(s, &name), cgs_field_name(fld), spark);
		if (lo == CGS_UNKNOWN)
			printf(" unknown\n");
		else
			printf(" min %lld max %lld%s\n", (long long)lo,
			       (long long)hi, fld == CGS_PROCS ? "" : " kB");
		free(spark);
		free(v);
	}
	buf_release(&name);
}

int cg_timeline(const char *file, const struct filters *f,
		enum cgs_field fld, const struct out_opts *out)
{
	struct buf name = BUF_INIT(1 << 20);
	struct cgs_set set;
	struct store st;
	struct table t;
	size_t i, k, c, r;
	int ret;

	if ((ret = load(file, f, &st, &set)) != 0)
		return ret;
	table_init(&t, timeline_cols, sizeof(timeline_cols) / sizeof(timeline_cols[0]));
	t.sort = NULL;		/* cgroup by cgroup, oldest first */
	for (i = 0; i < set.n; i++) {
		const struct cgs_series *s = &set.v[i];

		cgs_name(s, &name);
		for (k = 0; k < s->npoints; k++) {
			const struct cgs_point *p = &s->points[k];

			r = table_add_row(&t);
			table_set_int(&t, r, 0, p->time_us);
			table_set_int(&t, r, 1, p->snapshot);
			set_text(&t, r, 2, name.data);
			for (c = 0; c < sizeof(row_fields) / sizeof(row_fields[0]); c++)
				if (p->v[row_fields[c]] != CGS_UNKNOWN)
					table_set_int(&t, r, 3 + c, p->v[row_fields[c]]);
			set_text(&t, r, 11, s->host);
		}
	}
	ret = print_table(&t, out);
	if (ret == 0 && out->format == OUT_TABLE)
		print_sparklines(&set, fld);
	buf_release(&name);
	cgs_release(&set);
	store_close(&st);
	return ret;
}

/* --- growth --cgroups ---------------------------------------------------- */

static const struct col growth_cols[] = {
	{ "cgroup", COL_TEXT, 0, TOTAL_ROWS, 0 },
	{ "field", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "per_hour", COL_KB, 0, TOTAL_SUM, 0 },
	{ "growth", COL_KB, 0, TOTAL_SUM, 0 },
	{ "confidence", COL_CENTI, 0, TOTAL_NONE, 0 },
	{ "from", COL_KB, 0, TOTAL_NONE, 0 },
	{ "to", COL_KB, 0, TOTAL_NONE, 0 },
	{ "first", COL_TIME, 0, TOTAL_NONE, 0 },
	{ "last", COL_TIME, 0, TOTAL_NONE, 0 },
	{ "snapshots", COL_INT, 0, TOTAL_NONE, 0 },
	{ "headroom", COL_KB, 0, TOTAL_NONE, 0 },
	{ "time_left", COL_DURATION, 0, TOTAL_NONE, 0 },
	{ "host", COL_TEXT, 0, TOTAL_NONE, 0 },
};
enum { G_CGROUP, G_FIELD, G_RATE, G_GROWTH, G_CONF, G_FROM, G_TO, G_FIRST,
	G_LAST, G_SNAPS, G_ROOM, G_LEFT, G_HOST };

/*
 * The known values of fld in s, averaged in runs of equal length when
 * there are more than GROWTH_BUCKETS (as growth does for processes):
 * into t, y and start (each mean's first point); how many.
 */
static size_t means(const struct cgs_series *s, enum cgs_field fld,
		    double *t, double *y, size_t *start)
{
	size_t width = (s->npoints + GROWTH_BUCKETS - 1) / GROWTH_BUCKETS;
	size_t i, k, n = 0;

	for (i = 0; i < s->npoints; i += width) {
		double st = 0, sv = 0;
		size_t known = 0;

		for (k = i; k < i + width && k < s->npoints; k++)
			if (s->points[k].v[fld] != CGS_UNKNOWN) {
				st += (double)s->points[k].time_us;
				sv += (double)s->points[k].v[fld];
				known++;
			}
		if (!known)
			continue;
		t[n] = st / (double)known;
		y[n] = sv / (double)known;
		start[n++] = i;
	}
	return n;
}

/* Judge s; a row of t when it grows as a leak does. */
static void judge(const struct cgs_series *s, enum cgs_field fld,
		  const struct growth_opts *o, struct table *t,
		  struct buf *name)
{
	double tt[GROWTH_BUCKETS], y[GROWTH_BUCKETS], conf, per_hour;
	size_t start[GROWTH_BUCKETS], n = means(s, fld, tt, y, start), r;
	struct trend_params tp = { o->confidence, (double)(o->min_growth > 0
		? o->min_growth : fld == CGS_PROCS ? GROWTH_MIN_THREADS
		: GROWTH_MIN_KB) };
	const struct cgs_point *last = &s->points[s->npoints - 1];
	struct trend tr;

	trend_test(tt, y, n, &tp, &tr);
	if (!tr.leak)
		return;
	per_hour = tr.slope * GROWTH_US_HOUR;
	/* 99.99 shows a confidence that is not 100 % as not 100 % */
	conf = floor(tr.confidence * 10000) / 100;
	r = table_add_row(t);
	set_text(t, r, G_CGROUP, cgs_name(s, name));
	set_text(t, r, G_FIELD, cgs_field_name(fld));
	table_set_int(t, r, G_RATE, growth_round(per_hour));
	table_set_int(t, r, G_GROWTH, growth_round(tr.growth));
	table_set_int(t, r, G_CONF, growth_round(conf * 100));
	table_set_int(t, r, G_FROM, growth_round(tr.from));
	table_set_int(t, r, G_TO, growth_round(tr.from + tr.growth));
	table_set_int(t, r, G_FIRST, s->points[start[tr.first]].time_us);
	table_set_int(t, r, G_LAST, last->time_us);
	table_set_int(t, r, G_SNAPS, (int64_t)(s->npoints - start[tr.first]));
	if (last->headroom != CGS_UNKNOWN) {
		table_set_int(t, r, G_ROOM, last->headroom);
		/* the charge meets the limit first: what grows is part of it */
		if (per_hour > 0 && fld != CGS_PROCS)
			table_set_int(t, r, G_LEFT, growth_round(
				(double)last->headroom / per_hour * 3600));
	}
	set_text(t, r, G_HOST, s->host);
}

int cg_growth(const char *file, const struct filters *f, enum cgs_field fld,
	      const struct growth_opts *o, const struct out_opts *out)
{
	struct buf name = BUF_INIT(1 << 20);
	struct cgs_set set;
	struct store st;
	struct table t;
	size_t i;
	int ret;

	if ((ret = load(file, f, &st, &set)) != 0)
		return ret;
	table_init(&t, growth_cols, sizeof(growth_cols) / sizeof(growth_cols[0]));
	t.sort = "per_hour";
	for (i = 0; i < set.n; i++)
		judge(&set.v[i], fld, o, &t, &name);
	i = t.nrows;
	ret = print_table(&t, out);
	if (ret == 0 && i)
		ret = 3;	/* growth's "suspects found" */
	buf_release(&name);
	cgs_release(&set);
	store_close(&st);
	return ret;
}
