/* render.c - the table of render.h: its rows sorted, limited and
 * totalled, then handed cell by cell to a sink (sink.c writes them). */
#include "render.h"
#include "util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void table_init(struct table *t, const struct col *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].s);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->alloc = 0;
}

size_t table_add_row(struct table *t)
{
	size_t i;

	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 64;
		t->cells = xreallocarray(t->cells, t->alloc,
					 t->ncols * sizeof(*t->cells));
	}
	for (i = 0; i < t->ncols; i++) {
		struct cell *c = &t->cells[t->nrows * t->ncols + i];

		c->i = 0;
		c->s = NULL;
		c->null = 1;
	}
	return t->nrows++;
}

void table_set_int(struct table *t, size_t row, size_t col, int64_t v)
{
	struct cell *c = &t->cells[row * t->ncols + col];

	c->i = v;
	c->null = 0;
}

void table_set_text(struct table *t, size_t row, size_t col, const char *s,
		    size_t len)
{
	struct cell *c = &t->cells[row * t->ncols + col];

	free(c->s);
	c->s = xmemdup(s, len);
	c->null = 0;
}

int table_col(const struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return (int)i;
	return -1;
}

/* qsort has no context argument: the sort key lives here for one call. */
static const struct table *sort_table;
static size_t sort_col;
static int sort_desc;
static enum col_kind sort_kind;	/* for cmp_one */

static int cmp_cell(const struct cell *x, const struct cell *y,
		    enum col_kind kind)
{
	if (x->null != y->null)
		return x->null ? -1 : 1;
	if (kind == COL_TEXT)
		return strcmp(x->s ? x->s : "", y->s ? y->s : "");
	return (x->i > y->i) - (x->i < y->i);
}

/* Single cells of kind sort_kind. */
static int cmp_one(const void *a, const void *b)
{
	return cmp_cell(a, b, sort_kind);
}

/* By the sort column, then by every column left to right, so that the
 * order never depends on qsort's whims. */
static int cmp_rows(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;
	size_t i;
	int r = cmp_cell(x + sort_col, y + sort_col,
			 sort_table->cols[sort_col].kind);

	for (i = 0; r == 0 && i < sort_table->ncols; i++)
		r = cmp_cell(x + i, y + i, sort_table->cols[i].kind);
	return sort_desc ? -r : r;
}

static void swap_rows(struct table *t, size_t a, size_t b)
{
	size_t c;

	for (c = 0; c < t->ncols; c++) {
		struct cell tmp = t->cells[a * t->ncols + c];

		t->cells[a * t->ncols + c] = t->cells[b * t->ncols + c];
		t->cells[b * t->ncols + c] = tmp;
	}
}

static int sort_rows(struct table *t, const struct out_opts *o)
{
	const char *name = o->sort ? o->sort : t->sort;
	int col;
	size_t i;

	if (!name) {	/* rows in the order given; -r reverses it */
		for (i = 0; o->reverse && i < t->nrows / 2; i++)
			swap_rows(t, i, t->nrows - 1 - i);
		return 0;
	}
	col = table_col(t, name);
	if (col < 0) {
		fprintf(stderr, "%s: no column '%s' to sort by; columns:", progname, name);
		for (i = 0; i < t->ncols; i++)
			fprintf(stderr, " %s", t->cols[i].name);
		fprintf(stderr, "\ntry '%s --help'\n", progname);
		return 2;
	}
	sort_table = t;
	sort_col = (size_t)col;
	/* ascending, as smem sorts; -r flips */
	sort_desc = (o->sort ? 0 : t->reverse) ^ (o->reverse != 0);
	/* an empty table may have no cells at all: qsort must not get NULL */
	if (t->nrows > 1)
		qsort(t->cells, t->nrows, t->ncols * sizeof(*t->cells), cmp_rows);
	return 0;
}

/* The -p base of a column: MemTotal, or SwapTotal for swap; 0 unknown. */
static int64_t percent_base(const struct table *t, const struct col *col)
{
	return col->flags & COLF_SWAP ? t->swaptotal_kb : t->memtotal_kb;
}

/* One cell, as its column's kind says. */
static void put_cell(struct sink *s, const struct table *t, size_t c,
		     const struct cell *cell)
{
	const struct col *col = &t->cols[c];

	if (cell->null) {
		sink_null(s);
		return;
	}
	switch (col->kind) {
	case COL_INT:
		sink_int(s, cell->i);
		break;
	case COL_KB:
		sink_kb(s, cell->i, percent_base(t, col));
		break;
	case COL_TEXT:
		sink_text(s, cell->s, strlen(cell->s));
		break;
	case COL_TIME:
		sink_time(s, cell->i);
		break;
	case COL_DURATION:
		sink_duration(s, cell->i);
		break;
	case COL_CENTI:
		sink_centi(s, cell->i);
		break;
	}
}

/* Every row of t, through a sink of o's format; a rule over the totals. */
static void write_rows(const struct table *t, const struct out_opts *o,
		       FILE *out)
{
	struct sink_col *cols = xcalloc(t->ncols, sizeof(*cols));
	struct sink s;
	size_t r, c;

	for (c = 0; c < t->ncols; c++) {
		cols[c].name = t->cols[c].name;
		cols[c].figure = t->cols[c].kind != COL_TEXT;
		cols[c].width = t->cols[c].flags & COLF_NAME ? SINK_FIT
			: t->cols[c].width;
	}
	sink_init(&s, o->format, out, cols, t->ncols);
	s.screen = out_opts_columns(o);
	s.human = o->human;
	s.percent = o->percent;
	for (r = 0; r < t->nrows; r++) {
		if (o->totals && r + 1 == t->nrows)
			sink_rule(&s);
		for (c = 0; c < t->ncols; c++)
			put_cell(&s, t, c, &t->cells[r * t->ncols + c]);
		sink_end_row(&s);
	}
	sink_finish(&s);
	sink_release(&s);
	free(cols);
}

/* The number of distinct values in column c of the first n rows:
 * sorted copies of the cells, counted at each change. */
static int64_t count_distinct(const struct table *t, size_t c, size_t n)
{
	struct cell *v = xcalloc(n ? n : 1, sizeof(*v));
	size_t r, k = 0;
	int64_t count = 0;

	for (r = 0; r < n; r++)
		if (!t->cells[r * t->ncols + c].null)
			v[k++] = t->cells[r * t->ncols + c];
	sort_kind = t->cols[c].kind;
	qsort(v, k, sizeof(*v), cmp_one);
	for (r = 0; r < k; r++)
		count += r == 0 || cmp_cell(&v[r - 1], &v[r], sort_kind) != 0;
	free(v);	/* the strings still belong to the table */
	return count;
}

/* A count in the totals row, as text in a text column. */
static void set_count(struct table *t, size_t r, size_t c, int64_t v)
{
	char num[24];

	if (t->cols[c].kind != COL_TEXT) {
		table_set_int(t, r, c, v);
		return;
	}
	snprintf(num, sizeof(num), "%" PRId64, v);
	table_set_text(t, r, c, num, strlen(num));
}

/* The sum of column c over the first n rows into *sum: exact, or -1
 * (printed, naming the column). */
static int column_sum(const struct table *t, size_t c, size_t n, int64_t *sum)
{
	size_t k;

	*sum = 0;
	for (k = 0; k < n; k++)
		if (fig_add(sum, t->cells[k * t->ncols + c].i) < 0)
			return error("the total of %s overflows: its figures are"
				     " absurd", t->cols[c].name);
	return 0;
}

/* Append the totals row of the rows before it, as smem -t does. 0, or
 * -1 when a sum overflows (printed). */
static int add_totals(struct table *t)
{
	size_t n = t->nrows, r = table_add_row(t), c;
	int labelled = 0;

	for (c = 0; c < t->ncols; c++) {
		const struct col *col = &t->cols[c];
		enum col_total how = col->total;
		int64_t sum = 0;

		if (how == TOTAL_AUTO && col->kind == COL_KB)
			how = TOTAL_SUM;
		switch (how) {
		case TOTAL_AUTO:
			if (col->kind == COL_TEXT && !labelled) {
				table_set_text(t, r, c, "total", 5);
				labelled = 1;
			}
			break;
		case TOTAL_SUM:
			if (column_sum(t, c, n, &sum) < 0)
				return -1;
			table_set_int(t, r, c, sum);
			break;
		case TOTAL_ROWS:
			set_count(t, r, c, (int64_t)n);
			break;
		case TOTAL_DISTINCT:
			set_count(t, r, c, count_distinct(t, c, n));
			break;
		case TOTAL_NONE:
			break;
		}
	}
	return 0;
}

int table_print(struct table *t, const struct out_opts *o, FILE *out)
{
	size_t i;

	if (sort_rows(t, o))
		return 2;
	if (o->percent && t->memtotal_kb <= 0) {
		error("-p: the snapshot has no MemTotal in its meminfo");
		return 1;
	}
	if (o->limit >= 0 && (size_t)o->limit < t->nrows) {
		for (i = (size_t)o->limit * t->ncols; i < t->nrows * t->ncols; i++)
			free(t->cells[i].s);
		t->nrows = (size_t)o->limit;
	}
	if (o->totals && add_totals(t) < 0)
		return 1;
	write_rows(t, o, out);
	return 0;
}
