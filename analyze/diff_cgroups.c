/* diff_cgroups.c - `diff --cgroups`: the memory cgroups of two snapshots,
 * paired by path, or by what survives a restart (stable key and comms),
 * and how their charge and its parts moved. */
#include "diff_cgroups.h"
#include "analyze.h"
#include "cgview.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define TRIPLE(x) \
	{ x "_from", COL_KB, 0, TOTAL_NONE, 0 }, \
	{ x "_to", COL_KB, 0, TOTAL_NONE, 0 }, \
	{ x "_delta", COL_KB, 0, TOTAL_NONE, 0 }
static const struct col cols[] = {
	{ "cgroup", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "status", COL_TEXT, 0, TOTAL_NONE, 0 },
	TRIPLE("charge"), TRIPLE("anon"), TRIPLE("file"), TRIPLE("kernel"),
	TRIPLE("pss"),
	{ "procs_from", COL_INT, 0, TOTAL_NONE, 0 },
	{ "procs_to", COL_INT, 0, TOTAL_NONE, 0 },
	{ "cgroup_from", COL_TEXT, 0, TOTAL_NONE, 0 },
};
#undef TRIPLE
enum { NFIG = 5 };
enum { DC_CGROUP, DC_STATUS, DC_FIG, DC_PROCS_FROM = DC_FIG + 3 * NFIG,
       DC_PROCS_TO, DC_CGROUP_FROM };

const struct col *diff_cgroup_cols(size_t *n)
{
	*n = sizeof(cols) / sizeof(cols[0]);
	return cols;
}

/* A cgroup's figures in kB, the columns' order; FIG_UNKNOWN unknown. */
static void figures(const struct cgnode *c, int64_t *v)
{
	const int64_t bytes[] = { c->current, c->anon, c->file, c->kernel };
	size_t i;

	for (i = 0; i < 4; i++)
		v[i] = bytes[i] == FIG_UNKNOWN ? FIG_UNKNOWN : bytes[i] / 1024;
	v[4] = c->pss;
}

/* A pair, or one side alone. */
struct dpair {
	const struct cgnode *from, *to;
	int64_t f[NFIG], t[NFIG], d[NFIG];	/* d unknown: FIG_UNKNOWN */
	int64_t most;				/* the largest |d| */
};

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* The figures of a pair and how they moved; 1 when worth a row. */
static int measure(struct dpair *p, int64_t threshold)
{
	int i;

	for (i = 0; i < NFIG; i++) {
		p->f[i] = p->t[i] = FIG_UNKNOWN;
	}
	if (p->from)
		figures(p->from, p->f);
	if (p->to)
		figures(p->to, p->t);
	p->most = 0;
	for (i = 0; i < NFIG; i++) {
		int64_t x = p->from ? p->f[i] : 0, y = p->to ? p->t[i] : 0;

		p->d[i] = x == FIG_UNKNOWN || y == FIG_UNKNOWN ? FIG_UNKNOWN
			: y - x;
		if (p->d[i] != FIG_UNKNOWN && abs64(p->d[i]) > p->most)
			p->most = abs64(p->d[i]);
	}
	if (p->from && p->to)
		return p->most > 0 && p->most >= threshold;
	return p->most >= threshold;
}

/* The largest charge delta first (unknown last), then tree order. */
static int cmp_pairs(const void *pa, const void *pb)
{
	const struct dpair *x = pa, *y = pb;
	int64_t dx = x->d[0] == FIG_UNKNOWN ? -1 : abs64(x->d[0]);
	int64_t dy = y->d[0] == FIG_UNKNOWN ? -1 : abs64(y->d[0]);

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return cgnode_cmp(x->to ? x->to : x->from, y->to ? y->to : y->from);
}

static void add_row(struct table *t, const struct dpair *p)
{
	const struct cgnode *c = p->to ? p->to : p->from;
	const char *st = !p->from ? "new" : !p->to ? "gone" : "changed";
	size_t r = table_add_row(t), col;
	int i;

	table_set_text(t, r, DC_CGROUP, c->path, strlen(c->path));
	table_set_text(t, r, DC_STATUS, st, strlen(st));
	for (i = 0; i < NFIG; i++) {
		col = DC_FIG + 3 * (size_t)i;
		if (p->from)
			table_set_fig(t, r, col, p->f[i]);
		if (p->to)
			table_set_fig(t, r, col + 1, p->t[i]);
		table_set_fig(t, r, col + 2, p->d[i]);
	}
	if (p->from)
		table_set_int(t, r, DC_PROCS_FROM, p->from->procs);
	if (p->to)
		table_set_int(t, r, DC_PROCS_TO, p->to->procs);
	if (p->from && p->to && strcmp(p->from->path, p->to->path))
		table_set_text(t, r, DC_CGROUP_FROM, p->from->path,
			       strlen(p->from->path));
}

struct side {
	const struct cgview *cv;
	ssize_t *other;		/* the index of its twin, or -1 */
};

static void side_init(struct side *s, const struct cgview *cv)
{
	s->cv = cv;
	s->other = xcalloc(cv->n + 1, sizeof(*s->other));
}

/* The pairs and lone cgroups worth a row, sorted. */
static struct dpair *build(const struct side *a, const struct side *b,
			   int64_t threshold, size_t *n, size_t *same)
{
	struct dpair *v = xcalloc(a->cv->n + b->cv->n + 1, sizeof(*v));
	size_t i;

	*n = *same = 0;
	for (i = 0; i < a->cv->n + b->cv->n; i++) {
		struct dpair *p = &v[*n];

		memset(p, 0, sizeof(*p));
		if (i < a->cv->n) {
			p->from = &a->cv->v[i];
			p->to = a->other[i] >= 0 ? &b->cv->v[a->other[i]] : NULL;
		} else if (b->other[i - a->cv->n] < 0) {
			p->to = &b->cv->v[i - a->cv->n];
		} else {
			continue;	/* paired: done from the first side */
		}
		if (!(p->from ? p->from->shown : 0) && !(p->to ? p->to->shown : 0))
			continue;
		if (measure(p, threshold))
			++*n;
		else
			*same += p->from && p->to;
	}
	qsort(v, *n, sizeof(*v), cmp_pairs);
	return v;
}

int diff_cgroups_fill(struct store *sa, int64_t a, struct store *sb,
		      int64_t b, const struct filters *f, int64_t threshold,
		      struct table *t, size_t *same)
{
	struct cgview va = { NULL, 0 }, vb = { NULL, 0 };
	struct side x, y;
	struct dpair *rows;
	size_t i, n;
	int ret = -1;

	if (cgview_load(&va, sa, a, f) < 0 || cgview_load(&vb, sb, b, f) < 0)
		goto out;
	side_init(&x, &va);
	side_init(&y, &vb);
	cgview_pair(&va, &vb, x.other, y.other);
	rows = build(&x, &y, threshold, &n, same);
	for (i = 0; i < n; i++)
		add_row(t, &rows[i]);
	free(rows);
	free(x.other);
	free(y.other);
	ret = 0;
out:
	cgview_release(&va);
	cgview_release(&vb);
	return ret;
}
