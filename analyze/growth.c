/* growth.c - runs of strict growth in the processes' summary figures,
 * then, inside each, in the figures of their mapping regions. */
#include "growth.h"
#include "blob.h"
#include "mapagg.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define US_HOUR 3600e6

int growth_next_run(const int64_t *v, size_t n, size_t min_steps,
		    size_t *pos, size_t *first, size_t *last)
{
	size_t i = *pos, start;

	min_steps = min_steps ? min_steps : 1;
	while (i < n) {
		start = i;
		while (i + 1 < n && v[i] != SERIES_UNKNOWN &&
		       v[i + 1] != SERIES_UNKNOWN && v[i + 1] > v[i])
			i++;
		/* start..i is as long as it gets: the next begins after it */
		if (i - start >= min_steps) {
			*first = start;
			*last = i;
			*pos = i + 1;
			return 1;
		}
		i++;
	}
	*pos = n;
	return 0;
}

/* to - from, held at INT64_MAX: figures from a stranger's file may be
 * anything, and a strictly rising run has to > from. */
static int64_t rise(int64_t from, int64_t to)
{
	int64_t d;

	return __builtin_sub_overflow(to, from, &d) ? INT64_MAX : d;
}

/* Growth per hour between two times; 0 (and *timed 0) without time. */
static double rate(int64_t growth, int64_t from_us, int64_t to_us, int *timed)
{
	*timed = to_us > from_us;
	return *timed ? (double)growth * US_HOUR /
		((double)to_us - (double)from_us) : 0;
}

size_t growth_find(const struct series_set *set, enum series_field fld,
		   size_t min_steps, struct growth_run **runs)
{
	int64_t *v = NULL;
	size_t nv = 0, i, k, n = 0, alloc = 0, pos, first, last;

	*runs = NULL;
	for (i = 0; i < set->n; i++) {
		const struct series *s = &set->v[i];

		if (s->npoints > nv) {
			nv = s->npoints;
			v = xreallocarray(v, nv, sizeof(*v));
		}
		for (k = 0; k < s->npoints; k++)
			v[k] = series_value(&s->points[k], fld);
		pos = 0;
		while (growth_next_run(v, s->npoints, min_steps, &pos, &first,
				       &last)) {
			struct growth_run *r;

			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				*runs = xreallocarray(*runs, alloc, sizeof(**runs));
			}
			r = &(*runs)[n++];
			r->s = s;
			r->field = fld;
			r->first = first;
			r->last = last;
			r->steps = last - first;
			r->from = v[first];
			r->to = v[last];
			r->growth = rise(v[first], v[last]);
			r->per_hour = rate(r->growth, s->points[first].time_us,
					   s->points[last].time_us, &r->timed);
		}
	}
	free(v);
	return n;
}

/* A region followed through the snapshots of one run. */
struct track {
	char *key;		/* mapagg's key: the name, then for files
				   NUL, perms and offset */
	size_t key_len, label_len;
	char perms[5];
	uint64_t offset, lo, hi;
	int64_t *v;		/* one value per snapshot of the run */
};

struct tracker {
	struct track *t;
	size_t n, alloc;
	size_t width;		/* snapshots in the run */
	unsigned char *seen;	/* scratch: entries of the text found */
	size_t nseen;
};

static int64_t entry_value(const struct mapagg_entry *e, enum series_field f)
{
	switch (f) {
	case SERIES_RSS:
		return (int64_t)e->rss;
	case SERIES_PSS:
		return (int64_t)e->pss;
	case SERIES_USS:
		return (int64_t)e->uss;
	case SERIES_SWAP:
		return (int64_t)e->swap;
	case SERIES_SIZE:
		return (int64_t)e->size;
	}
	return SERIES_UNKNOWN;
}

static void track_add(struct tracker *tr, const struct mapagg *a,
		      const struct mapagg_entry *e)
{
	struct track *t;
	size_t j;

	if (tr->n == tr->alloc) {
		tr->alloc = tr->alloc ? tr->alloc * 2 : 64;
		tr->t = xreallocarray(tr->t, tr->alloc, sizeof(*tr->t));
	}
	t = &tr->t[tr->n++];
	t->key = xmemdup(a->names + e->name_off, e->name_len);
	t->key_len = e->name_len;
	t->label_len = e->label_len;
	memcpy(t->perms, e->perms, sizeof(t->perms));
	t->offset = e->offset;
	t->v = xreallocarray(NULL, tr->width, sizeof(*t->v));
	for (j = 0; j < tr->width; j++)
		t->v[j] = SERIES_UNKNOWN;
}

/* Note the figures of the text summed in a as those of snapshot j. */
static void track_text(struct tracker *tr, const struct mapagg *a, size_t j,
		       enum series_field f)
{
	size_t i, n = tr->n;

	if (a->n > tr->nseen) {
		tr->nseen = a->n;
		tr->seen = xreallocarray(tr->seen, tr->nseen, 1);
	}
	memset(tr->seen, 0, a->n);
	for (i = 0; i < n; i++) {
		struct track *t = &tr->t[i];
		const struct mapagg_entry *e = mapagg_find(a, t->key, t->key_len);

		if (!e)
			continue;
		tr->seen[e - a->v] = 1;
		t->v[j] = entry_value(e, f);
		t->lo = e->lo;
		t->hi = e->hi;
	}
	for (i = 0; i < a->n; i++)
		if (!tr->seen[i]) {
			track_add(tr, a, &a->v[i]);
			tr->t[tr->n - 1].v[j] = entry_value(&a->v[i], f);
			tr->t[tr->n - 1].lo = a->v[i].lo;
			tr->t[tr->n - 1].hi = a->v[i].hi;
		}
}

/* The same text as snapshot j - 1: the same figures, nothing parsed. */
static void track_same(struct tracker *tr, size_t j)
{
	size_t i;

	for (i = 0; i < tr->n; i++)
		tr->t[i].v[j] = tr->t[i].v[j - 1];
}

static void tracker_release(struct tracker *tr)
{
	size_t i;

	for (i = 0; i < tr->n; i++) {
		free(tr->t[i].key);
		free(tr->t[i].v);
	}
	free(tr->t);
	free(tr->seen);
	memset(tr, 0, sizeof(*tr));
}

/*
 * Sum the text of point p into a (emptied first). 0, or -1 when its
 * blob cannot be read (printed by the store) or holds bad records
 * (printed here; the good ones are summed, *usable stays 1).
 */
static int sum_point(struct store *st, const struct series *s,
		     const struct series_point *p, struct mapagg *a,
		     struct buf *text, int *usable)
{
	char err[160];
	size_t bad;

	mapagg_reset(a);
	buf_reset(text);
	*usable = 0;
	if (!p->text_blob)
		return 0;	/* nothing stored: unknown, not an error */
	if (store_blob_get(st, p->text_blob, text) < 0)
		return -1;
	*usable = 1;
	bad = mapagg_add_text(a, text->data ? text->data : "", text->len, 1, 1,
			      err, sizeof(err));
	if (a->overflow) {
		mapagg_reset(a);
		*usable = 0;
		return error("'%s': the figures of process %lld's text in snapshot"
			     " %lld overflow: they are absurd", st->path,
			     (long long)s->pid, (long long)p->snapshot);
	}
	if (!bad)
		return 0;
	return error("'%s': smaps of process %lld in snapshot %lld: %s (%zu"
		     " bad record%s left out)", st->path, (long long)s->pid,
		     (long long)p->snapshot, err, bad, bad == 1 ? "" : "s");
}

static void add_region(struct growth_regions *out, const struct growth_run *run,
		       const struct track *t, size_t first, size_t last)
{
	const struct series_point *pts = run->s->points + run->first;
	struct growth_region *g;

	if (out->n == out->alloc) {
		out->alloc = out->alloc ? out->alloc * 2 : 16;
		out->v = xreallocarray(out->v, out->alloc, sizeof(*out->v));
	}
	g = &out->v[out->n++];
	memset(g, 0, sizeof(*g));
	g->run = run;
	g->name = t->key_len ? xmemdup(t->key, t->label_len) : xstrdup(MAPAGG_ANON);
	memcpy(g->perms, t->perms, sizeof(g->perms));
	g->offset = t->offset;
	g->lo = t->lo;
	g->hi = t->hi;
	g->first = run->first + first;
	g->last = run->first + last;
	g->steps = last - first;
	g->from = t->v[first];
	g->to = t->v[last];
	g->growth = rise(g->from, g->to);
	g->per_hour = rate(g->growth, pts[first].time_us, pts[last].time_us,
			   &g->timed);
}

int growth_regions_find(struct store *st, const struct growth_run *run,
			size_t min_steps, struct growth_regions *out)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct tracker tr = { 0 };
	struct mapagg a;
	int64_t last_blob = -1;
	size_t j, i, pos, first, last, nosmaps = 0;
	int ret = 0, usable = 0;

	mapagg_init(&a);
	a.key = MAPAGG_BY_REGION;
	tr.width = run->last - run->first + 1;
	for (j = 0; j < tr.width; j++) {
		const struct series_point *p = &run->s->points[run->first + j];

		if (p->kind != TEXT_SMAPS) {
			nosmaps++;
			last_blob = -1;
			continue;
		}
		if (j && p->text_blob == last_blob) {	/* read once, said once */
			if (usable)
				track_same(&tr, j);
			continue;
		}
		if (sum_point(st, run->s, p, &a, &text, &usable) < 0)
			ret = -1;
		last_blob = p->text_blob;
		if (usable)
			track_text(&tr, &a, j, run->field);
	}
	if (nosmaps)
		warn("'%s': process %lld: %zu of the %zu snapshots of its run"
		     " hold no smaps text, so no per-mapping figures", st->path,
		     (long long)run->s->pid, nosmaps, tr.width);
	for (i = 0; i < tr.n; i++)
		for (pos = 0; growth_next_run(tr.t[i].v, tr.width, min_steps,
					      &pos, &first, &last);)
			add_region(out, run, &tr.t[i], first, last);
	tracker_release(&tr);
	mapagg_release(&a);
	buf_release(&text);
	return ret;
}

void growth_regions_release(struct growth_regions *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
