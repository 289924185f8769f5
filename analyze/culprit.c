/* culprit.c - which regions a leak suspect grew in: a few of its texts
 * summed by region (mapagg), each region's part of the growth. */
#include "culprit.h"
#include "blob.h"
#include "mapagg.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A region followed through the texts read. */
struct track {
	char *key;		/* mapagg's key: the name, then for files
				   NUL, perms and offset */
	size_t key_len, label_len;
	char perms[5];
	uint64_t offset, lo, hi;
	int64_t v[CULPRIT_TEXTS];	/* its figure in each text; 0: absent */
	int64_t maps[CULPRIT_TEXTS];	/* its mappings in each */
	size_t last;		/* the last text it was in, + 1 */
	double part;		/* its part of the growth */
};

struct tracker {
	struct track *t;
	size_t n, alloc;
	struct buf tmp;		/* a key made up for mappings by kind */
};

/* A region's figure of field f, in kB (or its mappings). */
static int64_t region_value(const struct mapagg_entry *e, enum series_field f)
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
	case SERIES_VSS:
		return (int64_t)e->size;
	case SERIES_ANON:
		return (int64_t)e->anon;
	case SERIES_MAPS:
		return (int64_t)e->count;
	case SERIES_MEM:
		return (int64_t)(e->anon + e->swap);
	default:
		return 0;
	}
}

/* The key of a region: diff's (e's own), or for counting mappings, a
 * file's directory and a star ("/var/lib/app/" then "*"), so that a
 * thousand files mapped one after another show as one kind that grew.
 * Its length in *len, that of its name in *label. */
static const char *key_of(const struct mapagg *a, const struct mapagg_entry *e,
			  int by_dir, struct buf *tmp, size_t *len,
			  size_t *label)
{
	const char *key = a->names + e->name_off, *slash;

	*len = e->name_len;
	*label = e->label_len;
	if (!by_dir || !e->perms[0] ||
	    !(slash = memrchr(key, '/', e->label_len)))
		return key;
	buf_reset(tmp);
	buf_add(tmp, key, (size_t)(slash - key) + 1);
	buf_addch(tmp, '*');
	*len = *label = tmp->len;
	return tmp->data;
}

/* The track of entry e of a, added (absent so far: 0s) when new. */
static struct track *track_of(struct tracker *tr, const struct mapagg *a,
			      const struct mapagg_entry *e, int by_dir)
{
	size_t len, label, i;
	const char *key = key_of(a, e, by_dir, &tr->tmp, &len, &label);
	struct track *t;

	for (i = 0; i < tr->n; i++)
		if (tr->t[i].key_len == len && !memcmp(tr->t[i].key, key, len))
			return &tr->t[i];
	if (tr->n == tr->alloc) {
		tr->alloc = tr->alloc ? tr->alloc * 2 : 64;
		tr->t = xreallocarray(tr->t, tr->alloc, sizeof(*tr->t));
	}
	t = &tr->t[tr->n++];
	memset(t, 0, sizeof(*t));
	t->key = xmemdup(key, len);
	t->key_len = len;
	t->label_len = label;
	if (key == a->names + e->name_off) {
		memcpy(t->perms, e->perms, sizeof(t->perms));
		t->offset = e->offset;
	}
	return t;
}

/* The stored text of s's process in snapshot x: 1 with *blob and
 * *kind, 0 when there is none, -1 (printed). */
static int text_of(struct store *st, const struct growth_suspect *s,
		   const struct growth_text *x, int64_t *blob,
		   enum text_kind *kind)
{
	struct process_iter it;
	int r = process_get(&it, st, x->snapshot, s->s->pid, PROC_TEXT);

	if (r == 0) {
		*blob = it.row.text_blob;
		*kind = it.row.kind;
	}
	process_iter_release(&it);
	return r < 0 ? -1 : r == 0 && *blob;
}

/*
 * Read the text of suspect s in snapshot x into column j of tr. 1 when
 * it counted, 0 when it tells nothing of the field (no text, no smaps
 * figures), -1 when it could not be read (printed; whatever parsed still
 * counts).
 */
static int read_text(struct store *st, const struct growth_suspect *s,
		     const struct growth_text *x, size_t j, struct tracker *tr)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	enum text_kind kind = TEXT_MAPS;
	int64_t blob = 0;
	struct mapagg a;
	char err[160];
	size_t bad = 0, i;
	int ret;

	if ((ret = text_of(st, s, x, &blob, &kind)) <= 0)
		return ret;
	if (kind == TEXT_ROLLUP || (kind != TEXT_SMAPS &&
	    s->field != SERIES_MAPS && s->field != SERIES_VSS))
		return 0;
	if (store_blob_get(st, blob, &text) < 0) {
		buf_release(&text);
		return -1;
	}
	mapagg_init(&a);
	a.key = MAPAGG_BY_REGION;
	bad = mapagg_add_text(&a, text.data ? text.data : "", text.len,
			      kind == TEXT_SMAPS, 1, err, sizeof(err));
	for (i = 0; i < a.n; i++) {
		struct track *t = track_of(tr, &a, &a.v[i],
					   s->field == SERIES_MAPS);

		/* several regions may go to one track: they add up */
		t->v[j] += region_value(&a.v[i], s->field);
		t->maps[j] += (int64_t)a.v[i].count;
		if (t->last != j + 1) {		/* the span of the latest */
			t->last = j + 1;
			t->lo = a.v[i].lo;
			t->hi = a.v[i].hi;
		}
		t->lo = t->lo < a.v[i].lo ? t->lo : a.v[i].lo;
		t->hi = t->hi > a.v[i].hi ? t->hi : a.v[i].hi;
	}
	if (bad)
		ret = error("'%s': smaps of process %lld in snapshot %lld: %s"
			    " (%zu bad record%s left out)", st->path,
			    (long long)s->s->pid, (long long)x->snapshot, err,
			    bad, bad == 1 ? "" : "s");
	mapagg_release(&a);
	buf_release(&text);
	return ret;
}

/* Region t's part: its later half's mean over its earlier half's, of
 * the m texts that counted (the mappings that appeared, for maps). */
static double part_of(const struct track *t, const size_t *col, size_t m,
		      enum series_field f)
{
	double early = 0, late = 0;
	size_t i, h = m / 2;

	if (f == SERIES_MAPS)
		return (double)(t->v[col[m - 1]] - t->v[col[0]]);
	for (i = 0; i < h; i++) {
		early += (double)t->v[col[i]] / (double)h;
		late += (double)t->v[col[m - 1 - i]] / (double)h;
	}
	return late - early;
}

static int cmp_part(const void *a, const void *b)
{
	const struct track *x = a, *y = b;

	if (x->part != y->part)
		return x->part < y->part ? 1 : -1;
	return x->key_len != y->key_len ? (x->key_len > y->key_len) -
		(x->key_len < y->key_len) : memcmp(x->key, y->key, x->key_len);
}

static void add_region(struct growth_regions *out, const struct growth_suspect *s,
		       const struct track *t, const size_t *col, size_t m,
		       double total)
{
	struct growth_region *r;

	if (out->n == out->alloc) {
		out->alloc = out->alloc ? out->alloc * 2 : 16;
		out->v = xreallocarray(out->v, out->alloc, sizeof(*out->v));
	}
	r = &out->v[out->n++];
	memset(r, 0, sizeof(*r));
	r->sus = s;
	r->name = t->key_len ? xmemdup(t->key, t->label_len)
		: xstrdup(MAPAGG_ANON);
	memcpy(r->perms, t->perms, sizeof(r->perms));
	r->offset = t->offset;
	r->lo = t->lo;
	r->hi = t->hi;
	r->from = t->v[col[0]];
	r->to = t->v[col[m - 1]];
	r->maps_from = t->maps[col[0]];
	r->maps_to = t->maps[col[m - 1]];
	r->share = t->part / total;
	r->growth = s->field == SERIES_MAPS ? (int64_t)t->part
		: (int64_t)(r->share * (double)s->growth);
}

int growth_regions_find(struct store *st, const struct growth *g,
			const struct growth_suspect *s,
			struct growth_regions *out)
{
	struct growth_text x[CULPRIT_TEXTS];
	struct tracker tr = { NULL, 0, 0, BUF_INIT(1 << 20) };
	size_t col[CULPRIT_TEXTS], n, m = 0, j;
	double total = 0, told = 0;
	int ret = 0, r;

	if (s->field == SERIES_THREADS)
		return 0;
	n = growth_texts(g, s, x, CULPRIT_TEXTS);
	for (j = 0; j < n; j++) {
		if ((r = read_text(st, s, &x[j], j, &tr)) < 0)
			ret = -1;
		if (r)
			col[m++] = j;
	}
	for (j = 0; m >= 2 && j < tr.n; j++) {
		tr.t[j].part = part_of(&tr.t[j], col, m, s->field);
		total += tr.t[j].part;
	}
	if (total > 0)
		qsort(tr.t, tr.n, sizeof(*tr.t), cmp_part);
	for (j = 0; total > 0 && j < tr.n && j < CULPRIT_MAX &&
	     tr.t[j].part > 0 && told < CULPRIT_EXPLAINED * total; j++) {
		add_region(out, s, &tr.t[j], col, m, total);
		told += tr.t[j].part;
	}
	for (j = 0; j < tr.n; j++)
		free(tr.t[j].key);
	free(tr.t);
	buf_release(&tr.tmp);
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
