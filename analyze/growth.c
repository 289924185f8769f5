/* growth.c - leak suspects: every process's points summed into at most
 * GROWTH_BUCKETS buckets as the rows stream by, then judged by trend.c. */
#include "growth.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* What a bucket sums: the judged field, then the counts, then vss (what
 * a maps-only capture knows instead of anon+swap). */
enum { SIG_FIELD, SIG_THREADS, SIG_MAPS, SIG_VSS, NSIG };

/* Consecutive points of one process. */
struct bucket {
	double t;		/* sum of times, us after the process's first */
	double v[NSIG];		/* sums of the known values */
	uint32_t n, known[NSIG];
	int64_t first_us;	/* its first point's time and snapshot */
	int64_t snapshot;
};

struct growth_proc {
	struct bucket *b;
	uint32_t nb, cap;
	uint32_t width;		/* points a full bucket holds: 1, 2, 4... */
	int64_t t0;		/* the first point's time */
	int64_t last_us, last_snapshot;
};

/* The stream's state: which field goes into SIG_FIELD. */
struct acc {
	struct growth *g;
	enum series_field field;
};

static const enum series_field sig_field[NSIG] = { SERIES_MEM,
	SERIES_THREADS, SERIES_MAPS, SERIES_VSS };

/* Halve the buckets: each pair becomes one of twice the width. */
static void compact(struct growth_proc *p)
{
	uint32_t i, k;

	for (i = 0; i < p->nb / 2; i++) {
		struct bucket *a = &p->b[2 * i], *b = &p->b[2 * i + 1];

		a->t += b->t;
		a->n += b->n;
		for (k = 0; k < NSIG; k++) {
			a->v[k] += b->v[k];
			a->known[k] += b->known[k];
		}
		p->b[i] = *a;
	}
	p->nb /= 2;
	p->width *= 2;
}

/* The bucket the next point goes into. */
static struct bucket *next_bucket(struct growth_proc *p, int64_t time_us,
				  const struct series_point *pt)
{
	struct bucket *b;

	if (p->nb && p->b[p->nb - 1].n < p->width)
		return &p->b[p->nb - 1];
	if (p->nb == GROWTH_BUCKETS)
		compact(p);
	if (p->nb == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->b = xreallocarray(p->b, p->cap, sizeof(*p->b));
	}
	b = &p->b[p->nb++];
	memset(b, 0, sizeof(*b));
	b->first_us = time_us;
	b->snapshot = pt->snapshot;
	return b;
}

/* series_stream's hook: one point of process `key`. */
static void add_point(void *arg, size_t key, const struct series_point *pt)
{
	struct acc *a = arg;
	struct growth *g = a->g;
	struct growth_proc *p;
	struct bucket *b;
	size_t k;

	if (key >= g->nprocs) {
		size_t n = g->nprocs ? g->nprocs : 64;

		while (n <= key)
			n *= 2;
		g->procs = xreallocarray(g->procs, n, sizeof(*g->procs));
		memset(g->procs + g->nprocs, 0, (n - g->nprocs) * sizeof(*g->procs));
		g->nprocs = n;
	}
	p = &g->procs[key];
	if (!p->nb) {
		p->t0 = pt->time_us;
		p->width = 1;
	}
	b = next_bucket(p, pt->time_us, pt);
	b->n++;
	b->t += (double)pt->time_us - (double)p->t0;
	for (k = 0; k < NSIG; k++) {
		int64_t v = series_value(pt, k == SIG_FIELD ? a->field
					 : sig_field[k]);

		if (v != SERIES_UNKNOWN) {
			b->v[k] += (double)v;
			b->known[k]++;
		}
	}
	p->last_us = pt->time_us;
	p->last_snapshot = pt->snapshot;
}

/* The known bucket means of signal k of p: into t and y; how many. */
static size_t means(const struct growth_proc *p, int k, double *t, double *y,
		    size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < p->nb; i++) {
		const struct bucket *b = &p->b[i];

		if (!b->known[k])
			continue;
		t[n] = (double)p->t0 + b->t / b->n;
		y[n] = b->v[k] / b->known[k];
		idx[n++] = i;
	}
	return n;
}

int64_t growth_round(double v)
{
	if (!(v == v))
		return 0;
	if (v >= 9.2e18 || v <= -9.2e18)
		return v < 0 ? INT64_MIN + 1 : INT64_MAX;
	return (int64_t)(v + (v < 0 ? -0.5 : 0.5));
}

static int64_t min_growth(const struct growth_opts *o, enum series_field f,
			  int is_field)
{
	if (is_field && o->min_growth > 0)
		return o->min_growth;
	return f == SERIES_THREADS ? GROWTH_MIN_THREADS
		: f == SERIES_MAPS ? GROWTH_MIN_MAPS : GROWTH_MIN_KB;
}

/* Judge signal k of process i as field f; a suspect when it leaks. */
static void judge(struct growth *g, size_t i, int k, enum series_field f,
		  const struct growth_opts *o, double *t, double *y,
		  size_t *idx)
{
	const struct series *s = &g->set.v[i];
	const struct growth_proc *p = &g->procs[s->key];
	struct trend_params tp = { o->confidence, 0 };
	struct growth_suspect *x;
	struct trend tr;
	size_t n = means(p, k, t, y, idx), j;

	tp.min_growth = (double)min_growth(o, f, k == SIG_FIELD ||
					   k == SIG_VSS);
	trend_test(t, y, n, &tp, &tr);
	if (!tr.leak)
		return;
	g->v = xreallocarray(g->v, g->n + 1, sizeof(*g->v));
	x = &g->v[g->n++];
	memset(x, 0, sizeof(*x));
	x->s = s;
	x->field = f;
	x->proc = s->key;
	x->sum = k;
	x->tr = tr;
	x->tr.first = idx[tr.first];	/* from a known mean to a bucket */
	x->first_us = p->b[x->tr.first].first_us;
	x->last_us = p->last_us;
	for (j = x->tr.first; j < p->nb; j++)
		x->snapshots += p->b[j].n;
	x->per_hour = tr.slope * GROWTH_US_HOUR;
	x->from = growth_round(tr.from);
	x->growth = growth_round(tr.growth);
	x->to = growth_round(tr.from + tr.growth);
	x->available = -1;
	x->hours_left = -1;
}

/* Judge every process of the set, as o says. */
static void judge_all(struct growth *g, const struct growth_opts *o)
{
	double t[GROWTH_BUCKETS], y[GROWTH_BUCKETS];
	size_t idx[GROWTH_BUCKETS], i;

	for (i = 0; i < g->set.n; i++) {
		const struct growth_proc *p = &g->procs[g->set.v[i].key];
		uint32_t known = 0, all = 0, b;

		for (b = 0; b < p->nb; b++) {
			known += p->b[b].known[SIG_FIELD];
			all += p->b[b].n;
		}
		/* a maps-only capture knows no anon+swap: its address space
		 * is what it tells */
		if (o->field == SERIES_MEM && known * 2 < all) {
			g->novalue++;
			judge(g, i, SIG_VSS, SERIES_VSS, o, t, y, idx);
		} else {
			judge(g, i, SIG_FIELD, o->field, o, t, y, idx);
		}
		if (o->counts_too) {
			judge(g, i, SIG_THREADS, SERIES_THREADS, o, t, y, idx);
			judge(g, i, SIG_MAPS, SERIES_MAPS, o, t, y, idx);
		}
	}
}

/* MemAvailable of the latest snapshot of each suspect's host (in the
 * window), and how long it lasts at the suspect's rate. */
static int time_left(struct growth *g, struct store *st,
		     const struct filters *f)
{
	int64_t lo, hi, snap, avail;
	size_t i, j;
	int r;

	if (store_window(st, f ? f->host : NULL, f ? &f->since : NULL,
			 f ? &f->until : NULL, &lo, &hi) < 0)
		return -1;
	for (i = 0; i < g->n; i++) {
		struct growth_suspect *x = &g->v[i];

		for (j = 0; j < i && strcmp(g->v[j].s->host, x->s->host); j++)
			;
		if (j < i) {
			x->available = g->v[j].available;
		} else {
			if (store_resolve_in(st, "latest", x->s->host, lo, hi,
					     &snap) < 0)
				return -1;
			r = snapshot_meminfo(st, snap, "MemAvailable", &avail);
			if (r < 0)
				return -1;
			x->available = r == 0 ? avail : -1;
		}
		if (x->available >= 0 && series_field_is_size(x->field) &&
		    x->per_hour > 0)
			x->hours_left = (double)x->available / x->per_hour;
	}
	return 0;
}

static int cmp_rate(const void *a, const void *b)
{
	const struct growth_suspect *x = a, *y = b;

	if (x->per_hour != y->per_hour)
		return x->per_hour < y->per_hour ? 1 : -1;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return (x->field > y->field) - (x->field < y->field);
}

int growth_find(struct growth *g, struct store *st, const struct filters *f,
		const struct growth_opts *o)
{
	static const enum proc_fig figs[SERIES_STORED] = { FIG_RSS, FIG_PSS,
		FIG_USS, FIG_SWAP, FIG_VSS, FIG_ANON, FIG_THREADS, FIG_MAPS };
	struct acc a = { g, o->field };
	struct series_hook hook = { add_point, &a,
		FIG_BIT(FIG_THREADS) | FIG_BIT(FIG_MAPS) | FIG_BIT(FIG_VSS), 1 };

	/* only the columns judged: the scan's time is SQLite's, per column;
	 * the few texts culprit.c reads are looked up by their snapshot */
	if (o->field == SERIES_MEM)
		hook.figs |= FIG_BIT(FIG_ANON) | FIG_BIT(FIG_SWAP);
	else
		hook.figs |= FIG_BIT(figs[o->field]);
	memset(g, 0, sizeof(*g));
	if (series_stream(&g->set, st, f, &hook) < 0)
		return -1;
	judge_all(g, o);
	if (g->n > 1)
		qsort(g->v, g->n, sizeof(*g->v), cmp_rate);
	return time_left(g, st, f);
}

void growth_release(struct growth *g)
{
	size_t i;

	for (i = 0; i < g->nprocs; i++)
		free(g->procs[i].b);
	free(g->procs);
	free(g->v);
	series_set_release(&g->set);
	memset(g, 0, sizeof(*g));
}

size_t growth_points(const struct growth *g, const struct growth_suspect *s,
		     int64_t *time_us, int64_t *value, size_t max)
{
	const struct growth_proc *p = &g->procs[s->proc];
	int k = s->sum;
	size_t i, n = 0;

	for (i = 0; i < p->nb; i++) {
		const struct bucket *b = &p->b[i];

		if (n < max) {
			time_us[n] = p->t0 + growth_round(b->t / b->n);
			value[n] = b->known[k] ? growth_round(b->v[k] / b->known[k])
				: SERIES_UNKNOWN;
		}
		n++;
	}
	return n;
}

size_t growth_texts(const struct growth *g, const struct growth_suspect *s,
		    struct growth_text *v, size_t max)
{
	const struct growth_proc *p = &g->procs[s->proc];
	size_t first = s->tr.first, span = p->nb - first, i, n = 0;

	for (i = 0; i + 1 < max && i < span; i++) {
		/* buckets first .. nb-1, evenly, the last point after them */
		const struct bucket *b = &p->b[first + i * span / (max - 1)];

		if (n && v[n - 1].snapshot == b->snapshot)
			continue;
		v[n].snapshot = b->snapshot;
		v[n++].time_us = b->first_us;
	}
	if (!n || v[n - 1].snapshot != p->last_snapshot) {
		v[n].snapshot = p->last_snapshot;
		v[n++].time_us = p->last_us;
	}
	return n;
}

int growth_confidence_arg(const char *arg, struct growth_opts *o)
{
	char *end;
	double d = strtod(arg, &end);

	if (end == arg || *end || !(d > 50 && d < 100))
		return usage_error("bad --confidence '%s' (a percentage, above"
				   " 50 and below 100)", arg);
	o->confidence = d / 100;
	return 0;
}

int growth_min_arg(const char *arg, struct growth_opts *o)
{
	uint64_t n;

	if (parse_u64_str(arg, &n) < 0 || n < 1 || n > (UINT64_C(1) << 50))
		return usage_error("bad --min-growth '%s' (kB, or a count for"
				   " threads and maps)", arg);
	o->min_growth = (int64_t)n;
	return 0;
}
