/* render.h - one table type for every analyzer command: sorted, limited
 * and totalled as the output options say, then written through a sink. */
#ifndef MAPSNAP_RENDER_H
#define MAPSNAP_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "outopts.h"
#include "sink.h"

enum col_kind {
	COL_INT,	/* a plain number (pid, count) */
	COL_KB,		/* a size in kB: -H shows it as 1.5M */
	COL_TEXT,	/* text, left-aligned; any bytes */
	COL_TIME,	/* microseconds since the epoch, shown in UTC */
	COL_DURATION,	/* seconds: "2d 03h" in a table, the number else */
	COL_CENTI,	/* hundredths: 9997 shows as 99.97 */
};

/* What a column shows in the totals row (-t). */
enum col_total {
	TOTAL_AUTO,	/* COL_KB: the sum; the first such COL_TEXT: "total" */
	TOTAL_SUM,	/* the sum (counts) */
	TOTAL_ROWS,	/* the number of rows (smem's pid column) */
	TOTAL_DISTINCT,	/* the number of distinct values (smem's user) */
	TOTAL_NONE,	/* nothing (averages, ids, times) */
};

#define COLF_SWAP 1	/* -p: a percentage of SwapTotal, not MemTotal */
/* A name (a command line): the table cuts it to what the other columns
 * leave of the terminal's width (out_opts_columns), keeping its end
 * (namecut.h); whole with -w, in a pipe, in CSV and JSON. */
#define COLF_NAME 2

struct col {
	const char *name;	/* lowercase; the CSV/JSON name, the table
				   header in upper case */
	enum col_kind kind;
	unsigned width;		/* table view only: cut longer text to this
				   many characters, ending in "..." (0: never) */
	enum col_total total;
	unsigned flags;		/* COLF_* */
};

struct cell {
	int64_t i;
	char *s;		/* COL_TEXT: owned, NUL-terminated */
	unsigned null : 1;	/* unknown: "-" in tables, empty in CSV */
};

struct table {
	const struct col *cols;
	size_t ncols;
	struct cell *cells;	/* nrows x ncols */
	size_t nrows, alloc;
	const char *sort;	/* default sort column, or NULL (row order) */
	int reverse;		/* default direction: 1 = descending */
	int64_t memtotal_kb;	/* -p's bases, from meminfo; 0: unknown */
	int64_t swaptotal_kb;
};

void table_init(struct table *t, const struct col *cols, size_t ncols);
void table_release(struct table *t);
/* Add a row of NULL cells; returns its index. */
size_t table_add_row(struct table *t);
void table_set_int(struct table *t, size_t row, size_t col, int64_t v);
/* Copies (s, len). */
void table_set_text(struct table *t, size_t row, size_t col, const char *s,
		    size_t len);
/* Index of the column named `name`, or -1. */
int table_col(const struct table *t, const char *name);

/*
 * Sort, limit, add the totals row (-t: sums exact, fig_add()) and write
 * to out in o's format (sink.h). Returns 0, 1 when -p has no MemTotal to
 * work from or a total overflows (printed, nothing written), or 2
 * (printed, as a usage error) when --sort names no column of this table.
 * A write error is left in ferror(out).
 */
int table_print(struct table *t, const struct out_opts *o, FILE *out);

#endif
