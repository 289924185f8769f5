/* sink.c - the writers of sink.h: what a cell looks like in each format,
 * and how a format frames rows (CSV quoting, JSON escapes, the table). */
#include "sink.h"
#include "blob.h"
#include "namecut.h"
#include "util.h"
#include "when.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What a cell is, as far as a format cares. */
enum vkind {
	V_NULL,		/* unknown */
	V_NA,		/* a percentage of nothing (no SwapTotal) */
	V_NUMBER,	/* a JSON number */
	V_STRING,	/* a JSON string */
};

/* One format: how it frames and shows cells. A NULL hook does nothing. */
struct sink_writer {
	void (*begin)(struct sink *s);
	void (*put)(struct sink *s, enum vkind k, const char *p, size_t n);
	void (*end_row)(struct sink *s);
	void (*finish)(struct sink *s);
	unsigned iso_time : 1;		/* times as ISO 8601, else as a table */
	unsigned text_sizes : 1;	/* sizes are text here: -H applies */
	unsigned percent_sign : 1;	/* -p's figures end in '%' */
};

static void write_line(struct sink *s)
{
	fwrite(s->line.data ? s->line.data : "", 1, s->line.len, s->out);
	buf_reset(&s->line);
}

/* --- CSV ---------------------------------------------------------------- */

/* RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
static void csv_field(struct buf *b, const char *p, size_t n)
{
	size_t i;

	if (!memchr(p, ',', n) && !memchr(p, '"', n) && !memchr(p, '\r', n) &&
	    !memchr(p, '\n', n)) {
		buf_add(b, p, n);
		return;
	}
	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, p[i]);
	}
	buf_addch(b, '"');
}

static void csv_begin(struct sink *s)
{
	size_t c;

	for (c = 0; c < s->ncols; c++) {
		if (c)
			buf_addch(&s->line, ',');
		csv_field(&s->line, s->cols[c].name, strlen(s->cols[c].name));
	}
	buf_addstr(&s->line, "\r\n");
	write_line(s);
}

static void csv_put(struct sink *s, enum vkind k, const char *p, size_t n)
{
	if (s->col)
		buf_addch(&s->line, ',');
	if (k == V_NUMBER || k == V_STRING)
		csv_field(&s->line, p, n);
}

static void csv_end_row(struct sink *s)
{
	buf_addstr(&s->line, "\r\n");
	write_line(s);
}

/* --- JSON and JSON lines -------------------------------------------------- */

/* A JSON string: '"', '\\' and control bytes (NUL too) escaped, U+FFFD
 * for each byte that does not begin well-formed UTF-8: valid whatever
 * the bytes. */
static void json_quote(struct buf *b, const void *p, size_t n)
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

/* "name": value, after a ", " but for the first cell of the row. */
static void json_put(struct sink *s, enum vkind k, const char *p, size_t n)
{
	const char *name = s->cols[s->col].name;

	if (s->col)
		buf_addstr(&s->line, ", ");
	json_quote(&s->line, name, strlen(name));
	buf_addstr(&s->line, ": ");
	if (k == V_NUMBER)
		buf_add(&s->line, p, n);
	else if (k == V_STRING)
		json_quote(&s->line, p, n);
	else
		buf_addstr(&s->line, "null");
}

static void json_begin(struct sink *s)
{
	fputc('[', s->out);
}

/* An element of the array, one a line, indented by one blank. */
static void json_end_row(struct sink *s)
{
	fputs(s->nrows ? ",\n {" : "\n {", s->out);
	write_line(s);
	fputc('}', s->out);
}

static void json_finish(struct sink *s)
{
	fputs(s->nrows ? "\n]\n" : "]\n", s->out);
}

static void jsonl_end_row(struct sink *s)
{
	fputc('{', s->out);
	write_line(s);
	fputs("}\n", s->out);
}

/* --- the aligned table ---------------------------------------------------- */

static void table_put(struct sink *s, enum vkind k, const char *p, size_t n)
{
	char **cell;

	if (s->col == 0 && s->nrows == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 64;
		s->cells = xreallocarray(s->cells, s->alloc,
					 s->ncols * sizeof(*s->cells));
	}
	cell = &s->cells[s->nrows * s->ncols + s->col];
	if (k == V_NULL)
		*cell = xstrdup("-");
	else if (k == V_NA)
		*cell = xstrdup("N/A");
	else
		*cell = xmemdup(p, n);
}

/*
 * Characters a terminal would act on rather than show: C0, DEL and C1
 * (U+0080-U+009F: CSI and the rest, which a terminal honours too), and
 * the bidirectional format controls, which reorder what a line shows.
 */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The table's view of a cell: one character per well-formed UTF-8
 * sequence, a '?' for a control character and for each byte that does
 * not begin one (a raw 0x9b is CSI to a terminal of 8-bit characters);
 * cut to `max` characters (0: never), the last three of them "...", so
 * a sequence is never split. Appends it to b (may be NULL) and returns
 * how many characters it is: what the column's width counts.
 */
static size_t shown(struct buf *b, const char *str, size_t max)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t total = 0, n = 0, k, keep;
	uint32_t cp;

	for (k = 0; p[k]; k += n ? n : 1, total++)
		n = utf8_decode(p + k, SIZE_MAX, &cp);
	keep = max && total > max ? (max > 3 ? max - 3 : 0) : total;
	for (k = 0; b && keep > 0; keep--, k += n ? n : 1) {
		n = utf8_decode(p + k, SIZE_MAX, &cp);
		if (n == 0 || is_control(cp))
			buf_addch(b, '?');
		else
			buf_add(b, p + k, n);
	}
	if (max && total > max) {
		if (b)
			buf_add(b, "...", max > 3 ? 3 : max);
		return max;
	}
	return total;
}

void sink_shown(struct buf *b, const char *str)
{
	shown(b, str, 0);
}

/* Blanks from len up to width. */
static void pad(struct buf *b, size_t len, size_t width)
{
	for (; len < width; len++)
		buf_addch(b, ' ');
}

/* A cell padded to width (in characters), as shown() shows it. */
static void table_cell(struct buf *b, const struct sink_col *col,
		       const char *str, size_t width)
{
	size_t len = shown(NULL, str, col->width);

	if (col->figure)
		pad(b, len, width);
	shown(b, str, col->width);
	if (!col->figure)
		pad(b, len, width);
}

/* One line of cells: the last one unpadded when it is left-aligned. */
static void table_line(struct sink *s, char *const *cells, const size_t *w)
{
	size_t c;

	for (c = 0; c < s->ncols; c++) {
		const struct sink_col *col = &s->cols[c];

		if (c)
			buf_addch(&s->line, ' ');
		table_cell(&s->line, col, cells[c],
			   col->figure || c + 1 < s->ncols ? w[c] : 0);
	}
	buf_addch(&s->line, '\n');
	write_line(s);
}

/* The header: the column names in upper case. */
static void table_header(struct sink *s, const size_t *w)
{
	char **names = xcalloc(s->ncols, sizeof(*names));
	size_t c, i;

	for (c = 0; c < s->ncols; c++) {
		names[c] = xstrdup(s->cols[c].name);
		for (i = 0; names[c][i]; i++)
			if (names[c][i] >= 'a' && names[c][i] <= 'z')
				names[c][i] = (char)(names[c][i] - 'a' + 'A');
	}
	table_line(s, names, w);
	for (c = 0; c < s->ncols; c++)
		free(names[c]);
	free(names);
}

/* The widths of the cells as they are now, at least their names'. */
static void natural_widths(const struct sink *s, size_t *w)
{
	size_t r, c, len;

	for (c = 0; c < s->ncols; c++) {
		w[c] = strlen(s->cols[c].name);
		for (r = 0; r < s->nrows; r++) {
			len = shown(NULL, s->cells[r * s->ncols + c],
				    s->cols[c].width);
			if (len > w[c])
				w[c] = len;
		}
	}
}

/*
 * The name columns' share of `screen`: what the other columns and the
 * blanks between leave, split evenly, a narrow column giving what it
 * does not need to the others; never under SINK_NAME_MIN. Caps w.
 */
static void share_screen(const struct sink *s, size_t *w)
{
	size_t used = s->ncols - 1, left, names = 0, share, c;
	int moved = 1;

	for (c = 0; c < s->ncols; c++)
		if (s->cols[c].width == SINK_FIT)
			names++;
		else
			used += w[c];
	left = s->screen > used ? s->screen - used : 0;
	while (names && moved) {	/* settle the narrow ones first */
		moved = 0;
		share = left / names;
		for (c = 0; c < s->ncols; c++)
			if (s->cols[c].width == SINK_FIT && w[c] <= share && w[c] != SIZE_MAX) {
				left -= w[c];
				w[c] = SIZE_MAX;	/* settled, as it is */
				names--;
				moved = 1;
			}
	}
	share = names ? left / names : 0;
	for (c = 0; c < s->ncols; c++)
		if (s->cols[c].width == SINK_FIT && w[c] != SIZE_MAX)
			w[c] = share < SINK_NAME_MIN ? SINK_NAME_MIN : share;
}

/* Cut each cell of the name columns to its share of `screen`. */
static void fit_names(struct sink *s)
{
	size_t *w = xcalloc(s->ncols, sizeof(*w)), r, c;

	natural_widths(s, w);
	share_screen(s, w);
	for (c = 0; c < s->ncols; c++)
		for (r = 0; s->cols[c].width == SINK_FIT && w[c] != SIZE_MAX &&
		     r < s->nrows; r++) {
			char **cell = &s->cells[r * s->ncols + c];
			char *cut = name_cut(*cell, w[c], "...", 3);

			free(*cell);
			*cell = cut;
		}
	free(w);
}

static void table_finish(struct sink *s)
{
	size_t *w = xcalloc(s->ncols, sizeof(*w));
	size_t r, c, len;

	if (s->screen)
		fit_names(s);
	natural_widths(s, w);
	table_header(s, w);
	for (r = 0; r < s->nrows; r++) {
		if (r == s->rule) {	/* as wide as the table */
			for (len = s->ncols - 1, c = 0; c < s->ncols; c++)
				len += w[c];
			while (len--)
				buf_addch(&s->line, '-');
			buf_addch(&s->line, '\n');
			write_line(s);
		}
		table_line(s, s->cells + r * s->ncols, w);
	}
	free(w);
}

/* --- cells ---------------------------------------------------------------- */

static const struct sink_writer writers[] = {
	[OUT_TABLE] = { NULL, table_put, NULL, table_finish, 0, 1, 1 },
	[OUT_CSV] = { csv_begin, csv_put, csv_end_row, NULL, 1, 1, 0 },
	[OUT_JSON] = { json_begin, json_put, json_end_row, json_finish, 1, 0, 0 },
	[OUT_JSONL] = { NULL, json_put, jsonl_end_row, NULL, 1, 0, 0 },
};

void sink_init(struct sink *s, enum out_format format, FILE *out,
	       const struct sink_col *cols, size_t ncols)
{
	assert((size_t)format < sizeof(writers) / sizeof(writers[0]) &&
	       writers[format].put);
	assert(ncols > 0);
	memset(s, 0, sizeof(*s));
	s->w = &writers[format];
	s->out = out;
	s->cols = cols;
	s->ncols = ncols;
	s->rule = SIZE_MAX;
	buf_init(&s->line, BLOB_MAX_RAW);
	if (s->w->begin)
		s->w->begin(s);
}

static void put(struct sink *s, enum vkind k, const char *p, size_t n)
{
	assert(s->col < s->ncols);
	s->w->put(s, k, p, n);
	s->col++;
}

void sink_null(struct sink *s)
{
	put(s, V_NULL, NULL, 0);
}

void sink_int(struct sink *s, int64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	put(s, V_NUMBER, tmp, strlen(tmp));
}

void sink_text(struct sink *s, const void *p, size_t n)
{
	put(s, V_STRING, n ? p : "", n);
}

void sink_table_time(char *tmp, size_t n, int64_t us)
{
	when_format(tmp, n, us, WHEN_TABLE);
}

void sink_time(struct sink *s, int64_t us)
{
	char tmp[64];

	when_format(tmp, sizeof(tmp), us, s->w->iso_time ? WHEN_ISO : WHEN_TABLE);
	put(s, V_STRING, tmp, strlen(tmp));
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

void sink_kb(struct sink *s, int64_t kb, int64_t base)
{
	char tmp[64];

	if (s->human && s->w->text_sizes) {
		human_kb(tmp, sizeof(tmp), kb);
		put(s, V_STRING, tmp, strlen(tmp));
	} else if (!s->percent) {
		sink_int(s, kb);
	} else if (base <= 0) {
		put(s, V_NA, NULL, 0);
	} else {	/* as smem -p: 12.34% */
		snprintf(tmp, sizeof(tmp), "%.2f%s",
			 100.0 * (double)kb / (double)base,
			 s->w->percent_sign ? "%" : "");
		put(s, V_NUMBER, tmp, strlen(tmp));
	}
}

void sink_duration(struct sink *s, int64_t secs)
{
	static const struct { int64_t secs; char unit; } u[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	char tmp[64];
	size_t i;

	if (s->w->iso_time || secs < 0) {	/* scripts get the number */
		sink_int(s, secs);
		return;
	}
	for (i = 0; i + 1 < sizeof(u) / sizeof(u[0]) && secs < u[i].secs; i++)
		;
	if (i + 1 == sizeof(u) / sizeof(u[0]))
		snprintf(tmp, sizeof(tmp), "%" PRId64 "s", secs);
	else
		snprintf(tmp, sizeof(tmp), "%" PRId64 "%c %02" PRId64 "%c",
			 secs / u[i].secs, u[i].unit,
			 secs % u[i].secs / u[i + 1].secs, u[i + 1].unit);
	put(s, V_NUMBER, tmp, strlen(tmp));
}

void sink_centi(struct sink *s, int64_t v)
{
	char tmp[48];
	uint64_t a = v < 0 ? -(uint64_t)v : (uint64_t)v;

	snprintf(tmp, sizeof(tmp), "%s%" PRIu64 ".%02u", v < 0 ? "-" : "",
		 a / 100, (unsigned)(a % 100));
	put(s, V_NUMBER, tmp, strlen(tmp));
}

void sink_rule(struct sink *s)
{
	s->rule = s->nrows;
}

void sink_end_row(struct sink *s)
{
	assert(s->col == s->ncols);
	if (s->w->end_row)
		s->w->end_row(s);
	s->nrows++;
	s->col = 0;
}

void sink_finish(struct sink *s)
{
	assert(s->col == 0);
	if (s->w->finish)
		s->w->finish(s);
}

void sink_release(struct sink *s)
{
	size_t i;

	/* a row left half built has its cells too */
	for (i = 0; s->cells && i < s->nrows * s->ncols + s->col; i++)
		free(s->cells[i]);
	free(s->cells);
	s->cells = NULL;
	s->nrows = s->alloc = 0;
	buf_release(&s->line);
}
