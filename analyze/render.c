/* render.c - print a struct table as an aligned table, CSV (RFC 4180
 * quoting) or JSON (valid UTF-8, control bytes escaped). */
#include "render.h"
#include "blob.h"
#include "util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* "1.5M" for a size in kB, as smem -k prints it. */
static void human_kb(char *out, size_t n, int64_t kb)
{
	static const char units[] = "KMGTP";
	double v = (double)kb;
	int i = 0;

	if (kb == 0) {
		snprintf(out, n, "0");
		return;
	}
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, n, "%.1f%c", v, units[i]);
}

static void format_time(char *out, size_t n, int64_t us, int iso)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, n, "%" PRId64, us);
		return;
	}
	if (iso)
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
	else
		snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The -p base of a column: MemTotal, or SwapTotal for swap; 0 unknown. */
static int64_t percent_base(const struct table *t, const struct col *col)
{
	return col->flags & COLF_SWAP ? t->swaptotal_kb : t->memtotal_kb;
}

/* A cell as it is shown; "" for NULL in CSV and JSON. */
static const char *cell_text(const struct table *t, size_t c,
			     const struct cell *cell, const struct out_opts *o,
			     char *tmp, size_t n)
{
	const struct col *col = &t->cols[c];

	if (cell->null)
		return o->format == OUT_TABLE ? "-" : "";
	switch (col->kind) {
	case COL_TEXT:
		return cell->s;
	case COL_KB:
		if (o->human && o->format != OUT_JSON) {
			human_kb(tmp, n, cell->i);
			return tmp;
		}
		if (o->percent) {	/* as smem -p: 12.34%, N/A */
			int64_t base = percent_base(t, col);

			if (base <= 0)
				return o->format == OUT_TABLE ? "N/A" : "";
			snprintf(tmp, n, o->format == OUT_TABLE ? "%.2f%%" : "%.2f",
				 100.0 * (double)cell->i / (double)base);
			return tmp;
		}
		break;
	case COL_TIME:
		format_time(tmp, n, cell->i, o->format != OUT_TABLE);
		return tmp;
	case COL_INT:
		break;
	}
	snprintf(tmp, n, "%" PRId64, cell->i);
	return tmp;
}

/* The width a cell takes in the table view. */
static size_t shown_len(const struct col *col, const char *s)
{
	size_t len = strlen(s);

	return col->width && len > col->width ? col->width : len;
}

/* Table text: control bytes shown as '?', so a hostile name cannot
 * drive the terminal; cut to the column's width with "...". */
static void put_safe(FILE *out, const struct col *col, const char *s,
		     size_t width, int right)
{
	size_t len = shown_len(col, s), i;
	int cut = len < strlen(s);

	if (right)
		for (i = len; i < width; i++)
			fputc(' ', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (cut && i + 3 >= len)
			c = '.';
		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
	if (!right)
		for (i = len; i < width; i++)
			fputc(' ', out);
}

static void print_aligned(const struct table *t, const struct out_opts *o,
			  FILE *out, size_t nrows)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	char tmp[64];
	size_t r, c;

	for (c = 0; c < t->ncols; c++)
		w[c] = strlen(t->cols[c].name);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t len = shown_len(&t->cols[c], cell_text(t, c, &t->cells[r * t->ncols + c], o,
					tmp, sizeof(tmp)));
			if (len > w[c])
				w[c] = len;
		}
	for (c = 0; c < t->ncols; c++) {
		int right = t->cols[c].kind != COL_TEXT;
		size_t i, len = strlen(t->cols[c].name);

		if (c)
			fputc(' ', out);
		if (right)
			for (i = len; i < w[c]; i++)
				fputc(' ', out);
		for (i = 0; i < len; i++)
			fputc(t->cols[c].name[i] - 32 * (t->cols[c].name[i] >= 'a' &&
							  t->cols[c].name[i] <= 'z'), out);
		if (!right && c + 1 < t->ncols)
			for (i = len; i < w[c]; i++)
				fputc(' ', out);
	}
	fputc('\n', out);
	for (r = 0; r < nrows; r++) {
		if (o->totals && r + 1 == nrows) {	/* a rule over the totals */
			size_t len = t->ncols - 1;

			for (c = 0; c < t->ncols; c++)
				len += w[c];
			while (len--)
				fputc('-', out);
			fputc('\n', out);
		}
		for (c = 0; c < t->ncols; c++) {
			const char *s = cell_text(t, c, &t->cells[r * t->ncols + c], o,
					tmp, sizeof(tmp));
			int right = t->cols[c].kind != COL_TEXT;

			if (c)
				fputc(' ', out);
			put_safe(out, &t->cols[c], s,
				 right || c + 1 < t->ncols ? w[c] : 0, right);
		}
		fputc('\n', out);
	}
	free(w);
}

/* RFC 4180: quote a field holding a comma, quote, CR or LF; double quotes. */
static void put_csv(FILE *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void print_csv(const struct table *t, const struct out_opts *o,
		      FILE *out, size_t nrows)
{
	char tmp[64];
	size_t r, c;

	for (c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', out);
		put_csv(out, t->cols[c].name);
	}
	fputs("\r\n", out);
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', out);
			put_csv(out, cell_text(t, c, &t->cells[r * t->ncols + c],
					       o, tmp, sizeof(tmp)));
		}
		fputs("\r\n", out);
	}
}

void json_quote(struct buf *b, const void *p, size_t n)
{
	const unsigned char *s = p, *end = s + n;
	uint32_t cp;
	size_t k;

	buf_addch(b, '"');
	while (s < end) {
		k = utf8_decode(s, (size_t)(end - s), &cp);
		if (k == 0) {
			buf_addstr(b, "\\ufffd");
			s++;
		} else if (*s == '"' || *s == '\\') {
			buf_addf(b, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			buf_addf(b, "\\u%04x", *s++);
		} else {
			buf_add(b, s, k);
			s += k;
		}
	}
	buf_addch(b, '"');
}

static void put_json_string(FILE *out, const char *str)
{
	struct buf b = BUF_INIT(BLOB_MAX_RAW);

	json_quote(&b, str, strlen(str));
	fwrite(b.data, 1, b.len, out);
	buf_release(&b);
}

static void print_json(const struct table *t, const struct out_opts *o,
		       FILE *out, size_t nrows)
{
	const char *s;
	char tmp[64];
	size_t r, c;

	fputc('[', out);
	for (r = 0; r < nrows; r++) {
		fputs(r ? ",\n {" : "\n {", out);
		for (c = 0; c < t->ncols; c++) {
			const struct cell *cell = &t->cells[r * t->ncols + c];
			enum col_kind k = t->cols[c].kind;

			if (c)
				fputs(", ", out);
			put_json_string(out, t->cols[c].name);
			fputs(": ", out);
			s = cell_text(t, c, cell, o, tmp, sizeof(tmp));
			if (cell->null || (k == COL_KB && !*s))	/* no -p base */
				fputs("null", out);
			else if (k == COL_TEXT || k == COL_TIME)
				put_json_string(out, s);
			else
				fputs(s, out);
		}
		fputc('}', out);
	}
	fputs(nrows ? "\n]\n" : "]\n", out);
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

/* Append the totals row of the rows before it, as smem -t does. */
static void add_totals(struct table *t)
{
	size_t n = t->nrows, r = table_add_row(t), c, k;
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
			for (k = 0; k < n; k++)
				sum += t->cells[k * t->ncols + c].i;
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
	if (o->totals)
		add_totals(t);
	if (o->format == OUT_CSV)
		print_csv(t, o, out, t->nrows);
	else if (o->format == OUT_JSON)
		print_json(t, o, out, t->nrows);
	else
		print_aligned(t, o, out, t->nrows);
	return 0;
}
