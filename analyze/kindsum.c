/* kindsum.c - the sums of kindsum.h: each chosen process's text parsed
 * by mapagg (by mapping name), then each name put in its kind. */
#include "kindsum.h"
#include "blob.h"
#include "mapagg.h"
#include "rows.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int cmp_lib(const void *pa, const void *pb)
{
	const struct kind_lib *x = pa, *y = pb;

	if (x->pss != y->pss)
		return x->pss < y->pss ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* p's sums from the mappings of a, by name. */
static void sum_part(struct kind_proc *p, const struct mapagg *a)
{
	size_t i;

	p->libs = xcalloc(a->n ? a->n : 1, sizeof(*p->libs));
	for (i = 0; i < a->n; i++) {
		const struct mapagg_entry *e = &a->v[i];
		const char *name = mapagg_name(a, e);
		enum map_kind k = map_kind_of(name, e->label_len);

		p->pss[k] += (int64_t)e->pss;
		if (k != KIND_LIB)
			continue;
		p->libs[p->nlibs].name = xmemdup(name, e->label_len);
		p->libs[p->nlibs++].pss = (int64_t)e->pss;
	}
	if (p->nlibs > 1)
		qsort(p->libs, p->nlibs, sizeof(*p->libs), cmp_lib);
	p->known = 1;
}

/* The sums of process row `row` into p: 0, or -1 (printed). */
static int load_one(struct store *st, const struct process_row *row,
		    struct kind_proc *p, struct buf *text)
{
	struct mapagg a;
	char err[160];
	size_t bad;
	int ret = -1;

	if (!row->text_blob || row->kind != TEXT_SMAPS)
		return 0;	/* no per-mapping figures: known stays 0 */
	buf_reset(text);
	if (store_blob_get(st, row->text_blob, text) < 0)
		return -1;
	mapagg_init(&a);
	bad = mapagg_add_text(&a, text->data, text->len, 1, 1, err, sizeof(err));
	if (bad)
		error("'%s': smaps of process %lld: %s", st->path,
		      (long long)row->pid, err);
	else if (a.overflow)
		error("'%s': the figures of process %lld's text overflow: they"
		      " are absurd", st->path, (long long)row->pid);
	else {
		sum_part(p, &a);
		ret = 0;
	}
	mapagg_release(&a);
	return ret;
}

/* p's sums are those of q, which read the same text. */
static void copy_sums(struct kind_proc *p, const struct kind_proc *q)
{
	size_t k;

	memcpy(p->pss, q->pss, sizeof(p->pss));
	p->libs = xcalloc(q->nlibs + 1, sizeof(*p->libs));
	for (k = 0; k < q->nlibs; k++) {
		p->libs[k] = q->libs[k];
		p->libs[k].name = xstrdup(q->libs[k].name);
	}
	p->nlibs = q->nlibs;
	p->known = 1;
}

/* Sum row into v[i], or copy the sums of another of v that read the same
 * text: 0, or -1 (printed). */
static int load_row(struct store *st, const struct process_row *row,
		    struct kind_proc *v, size_t n, size_t i, struct buf *text)
{
	size_t j;

	v[i].text_blob = row->text_blob;
	for (j = 0; row->text_blob && j < n; j++)
		if (j != i && v[j].known && v[j].text_blob == row->text_blob) {
			copy_sums(&v[i], &v[j]);
			return 0;
		}
	return load_one(st, row, &v[i], text);
}

int kindsum_load(struct store *st, int64_t snap, const int64_t *pids,
		 size_t n, struct kind_proc *v)
{
	struct filters f = { 0 };
	const struct process_query q = { .snapshot = snap, .f = &f,
					 .fields = PROC_TEXT };
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct process_iter it;
	size_t i;
	int rc = -1, bad = 0;

	memset(v, 0, n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i].pid = pids[i];
	f.pids = (int64_t *)pids;	/* read only */
	f.npids = n;
	if (n && process_iter_start(&it, st, &q) == 0)
		while ((rc = process_iter_next(&it)) > 0)
			for (i = 0; i < n; i++)
				if (v[i].pid == it.row.pid && !v[i].known &&
				    load_row(st, &it.row, v, n, i, &text) < 0)
					bad = 1;
	if (n)
		process_iter_release(&it);
	buf_release(&text);
	return n && (rc < 0 || bad) ? -1 : 0;
}

void kindsum_release(struct kind_proc *v, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < v[i].nlibs; k++)
			free(v[i].libs[k].name);
		free(v[i].libs);
		v[i].libs = NULL;
		v[i].nlibs = 0;
	}
}

int64_t kindsum_lib(const struct kind_proc *p, const char *name)
{
	size_t k;

	for (k = 0; k < p->nlibs; k++)
		if (!strcmp(p->libs[k].name, name))
			return p->libs[k].pss;
	return 0;
}

const char **kindsum_top_libs(const struct kind_proc *v, size_t n,
			      size_t max, size_t *count)
{
	struct kind_lib *all = NULL;
	const char **names;
	size_t nall = 0, i, k, j;

	for (i = 0; i < n; i++)
		for (k = 0; k < v[i].nlibs; k++) {
			for (j = 0; j < nall && strcmp(all[j].name,
						       v[i].libs[k].name); j++)
				;
			if (j == nall) {
				all = xreallocarray(all, nall + 1, sizeof(*all));
				all[nall].name = v[i].libs[k].name;
				all[nall++].pss = 0;
			}
			all[j].pss += v[i].libs[k].pss;
		}
	if (nall > 1)
		qsort(all, nall, sizeof(*all), cmp_lib);
	*count = nall < max ? nall : max;
	names = *count ? xcalloc(*count, sizeof(*names)) : NULL;
	for (i = 0; i < *count; i++)
		names[i] = all[i].name;
	free(all);
	return names;
}
