/* cgseries.c - the memory cgroups of every snapshot, each paired with its
 * twin in the previous snapshot of its host (cgview_pair), into series. */
#include "cgseries.h"
#include "analyze.h"
#include "buf.h"
#include "cgview.h"
#include "memcg.h"
#include "rows.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const field_names[CGS_NFIELDS] = { "charge", "anon+swap",
	"anon", "file", "kernel", "swap", "limit", "procs", "pss" };

int cgs_field_arg(const char *arg, enum cgs_field *fld)
{
	size_t i;

	for (i = 0; i < CGS_NFIELDS; i++)
		if (i != CGS_LIMIT && !strcmp(arg, field_names[i])) {
			*fld = (enum cgs_field)i;
			return 0;
		}
	return usage_error("--field takes %s with --cgroups, not '%s'",
			   CGS_FIELDS, arg);
}

const char *cgs_field_name(enum cgs_field fld)
{
	return field_names[fld];
}

const char *cgs_name(const struct cgs_series *s, struct buf *b)
{
	buf_reset(b);
	buf_addstr(b, s->path);
	if (s->first_path)
		buf_addf(b, " (was %s)", s->first_path);
	return b->data;
}

/* One snapshot to read. */
struct snap {
	int64_t id, time_us;
	char *host;
};

/* A host's last view, and the series each of its cgroups went to. */
struct host_state {
	const char *host;	/* the snaps' */
	struct cgview cv;
	ssize_t *series;
};

static int64_t kb(int64_t bytes)
{
	return bytes == FIG_UNKNOWN ? CGS_UNKNOWN : bytes / 1024;
}

static void point_of(const struct cgnode *c, int64_t snapshot,
		     int64_t time_us, struct cgs_point *p)
{
	p->snapshot = snapshot;
	p->time_us = time_us;
	p->v[CGS_CHARGE] = kb(c->current);
	p->v[CGS_ANON] = kb(c->anon);
	p->v[CGS_FILE] = kb(c->file);
	p->v[CGS_KERNEL] = kb(c->kernel);
	p->v[CGS_SWAP] = kb(c->swap);
	p->v[CGS_MEM] = c->anon == FIG_UNKNOWN ? CGS_UNKNOWN
		: kb(c->anon) + (c->swap == FIG_UNKNOWN ? 0 : kb(c->swap));
	p->v[CGS_LIMIT] = c->limit >= MEMCG_NO_LIMIT ? CGS_UNKNOWN : kb(c->limit);
	p->headroom = c->headroom >= MEMCG_NO_LIMIT ? CGS_UNKNOWN
		: kb(c->headroom);
	p->v[CGS_PROCS] = c->procs;
	p->v[CGS_PSS] = c->pss == FIG_UNKNOWN ? CGS_UNKNOWN : c->pss;
}

static size_t new_series(struct cgs_set *set, const char *host,
			 const struct cgnode *c)
{
	struct cgs_series *s;

	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
	s = &set->v[set->n];
	memset(s, 0, sizeof(*s));
	s->host = xstrdup(host);
	s->path = xstrdup(c->path);
	s->v1 = c->v1;
	return set->n++;
}

static void add_point(struct cgs_series *s, const struct cgnode *c,
		      const struct snap *sn)
{
	if (s->npoints == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->points = xreallocarray(s->points, s->cap, sizeof(*s->points));
	}
	point_of(c, sn->id, sn->time_us, &s->points[s->npoints++]);
	if (strcmp(s->path, c->path)) {
		/* restarted under a new path: the row names both */
		if (!s->first_path)
			s->first_path = s->path;
		else
			free(s->path);
		s->path = xstrdup(c->path);
	}
}

/* Snapshot sn's cgroups, each to the series of its twin in the host's
 * last view, or to a new one. */
static void add_view(struct cgs_set *set, struct host_state *h,
		     struct cgview *cv, const struct snap *sn)
{
	ssize_t *prev = xcalloc(h->cv.n + 1, sizeof(*prev));
	ssize_t *twin = xcalloc(cv->n + 1, sizeof(*twin));
	ssize_t *series = xcalloc(cv->n + 1, sizeof(*series));
	size_t i;

	cgview_pair(&h->cv, cv, prev, twin);
	for (i = 0; i < cv->n; i++) {
		const struct cgnode *c = &cv->v[i];

		series[i] = -1;
		set->stored += c->stored != 0;
		if (!c->stored || !c->shown)
			continue;
		if (twin[i] >= 0 && h->series[twin[i]] >= 0)
			series[i] = h->series[twin[i]];
		else
			series[i] = (ssize_t)new_series(set, sn->host, c);
		add_point(&set->v[series[i]], c, sn);
	}
	cgview_release(&h->cv);
	free(h->series);
	h->cv = *cv;
	h->series = series;
	free(prev);
	free(twin);
}

/* The snapshots to read, oldest first. 0, or -1 (printed). */
static int list_snaps(struct store *st, const struct filters *f,
		      struct snap **out, size_t *n)
{
	struct snapshot_query q = { .host = f ? f->host : NULL };
	struct snapshot_iter it;
	int rc;

	*out = NULL;
	*n = 0;
	if (f && (f->since.set || f->until.set)) {
		q.window = 1;
		if (store_window(st, f->host, &f->since, &f->until, &q.since_us,
				 &q.until_us) < 0)
			return -1;
	}
	if (snapshot_iter_start(&it, st, &q) < 0) {
		snapshot_iter_release(&it);
		return -1;
	}
	while ((rc = snapshot_iter_next(&it)) > 0) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].id = it.row.id;
		(*out)[*n].time_us = it.row.time_us;
		(*out)[(*n)++].host = xstrdup(it.row.hostname);
	}
	snapshot_iter_release(&it);
	return rc;
}

static struct host_state *host_of(struct host_state **hs, size_t *n,
				  const char *host)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*hs)[i].host, host))
			return &(*hs)[i];
	*hs = xreallocarray(*hs, *n + 1, sizeof(**hs));
	memset(&(*hs)[*n], 0, sizeof(**hs));
	(*hs)[*n].host = host;
	return &(*hs)[(*n)++];
}

static int cmp_series(const void *pa, const void *pb)
{
	const struct cgs_series *a = pa, *b = pb;
	int c = strcmp(a->host, b->host);

	if (c)
		return c;
	if (a->v1 != b->v1)
		return a->v1 - b->v1;
	return (c = strcmp(a->path, b->path)) ? c
		: a->points[0].time_us < b->points[0].time_us ? -1 : 1;
}

int cgs_load(struct cgs_set *set, struct store *st, const struct filters *f)
{
	struct host_state *hs = NULL;
	struct snap *sn = NULL;
	size_t i, nsn = 0, nhs = 0;
	int ret = -1;

	memset(set, 0, sizeof(*set));
	if (sqlite3_exec(st->db, "SAVEPOINT cgs_load", NULL, NULL, NULL)) {
		store_error(st, "read");
		return -1;
	}
	if (list_snaps(st, f, &sn, &nsn) < 0)
		goto out;
	for (i = 0; i < nsn; i++) {
		struct cgview cv;

		if (cgview_load(&cv, st, sn[i].id, f) < 0) {
			cgview_release(&cv);
			goto out;
		}
		add_view(set, host_of(&hs, &nhs, sn[i].host), &cv, &sn[i]);
	}
	set->snapshots = nsn;
	if (set->n)
		qsort(set->v, set->n, sizeof(*set->v), cmp_series);
	ret = 0;
out:
	sqlite3_exec(st->db, "RELEASE cgs_load", NULL, NULL, NULL);
	for (i = 0; i < nhs; i++) {
		cgview_release(&hs[i].cv);
		free(hs[i].series);
	}
	free(hs);
	for (i = 0; i < nsn; i++)
		free(sn[i].host);
	free(sn);
	return ret;
}

void cgs_release(struct cgs_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i].host);
		free(set->v[i].path);
		free(set->v[i].first_path);
		free(set->v[i].points);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}
