/* sink.h - one writer per output format, shared by every table and by
 * export: an aligned table, RFC 4180 CSV, a JSON array, JSON lines. */
#ifndef MAPSNAP_SINK_H
#define MAPSNAP_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>

#include "buf.h"

enum out_format {
	OUT_TABLE,	/* aligned, a header in capitals; every row kept */
	OUT_CSV,	/* RFC 4180: a header row, CRLF, quoted as needed */
	OUT_JSON,	/* one array of objects */
	OUT_JSONL,	/* one object a line (export) */
};

struct sink_col {
	const char *name;	/* the CSV header and the JSON key; upper case
				   in the table's header */
	int figure;		/* a number, size or time: right-aligned in
				   the table; else text, left-aligned */
	unsigned width;		/* table: a longer cell is cut to this many
				   characters, ending in "..." (0: never);
				   SINK_FIT: a name, cut to fit `screen` */
};

#define SINK_FIT UINT_MAX

/*
 * A sink writes rows of cells to `out` in one format. Rows are given a
 * cell at a time, left to right, each row ended by sink_end_row(); a row
 * has exactly as many cells as there are columns (an assert says so).
 * CSV and JSON lines write each row when it ends; the table keeps every
 * row (its widths need them all) until sink_finish(). A write error is
 * left in ferror(out), for close_stdout() to report. cols, ncols and col
 * may be read, never written.
 */
struct sink {
	int human;	/* -H: sizes as 1.5M where they are text (table, CSV) */
	int percent;	/* -p: sizes as a percentage of their base */
	/* table: the width its lines may fill (0: no limit); the name
	   columns share what the others leave of it, each cut as
	   name_cut() cuts (namecut.h), never under SINK_NAME_MIN */
	size_t screen;
	const struct sink_col *cols;
	size_t ncols;
	size_t col;		/* the next cell of the row being built */
	/* the rest is the sink's own */
	const struct sink_writer *w;
	FILE *out;
	size_t nrows;		/* rows ended */
	struct buf line;	/* the row being built (CSV, JSON) */
	char **cells;		/* table: every cell as shown, nrows x ncols */
	size_t alloc;		/* rows cells has room for */
	size_t rule;		/* table: the row a rule goes above, or SIZE_MAX */
};

#define SINK_NAME_MIN 20

/*
 * Start a sink of `format` over cols (at least one; they must outlive
 * it); CSV writes its header now, JSON its "[". A format the sink has no
 * writer for is a programming error (assert). human and percent start
 * at 0.
 */
void sink_init(struct sink *s, enum out_format format, FILE *out,
	       const struct sink_col *cols, size_t ncols);

/* Unknown: "-" in the table, an empty CSV field, JSON null. */
void sink_null(struct sink *s);
/* An integer, as printf's %lld writes it; a JSON number. */
void sink_int(struct sink *s, int64_t v);
/* Any n bytes: the table shows a control character (C0, DEL, C1, a
 * bidirectional control) and each byte that is not UTF-8 as '?', and
 * cuts to the column's width in characters; CSV quotes; JSON escapes and
 * turns bytes that are not UTF-8 into U+FFFD. A table cell ends at its
 * first NUL. */
void sink_text(struct sink *s, const void *p, size_t n);
/* Append str to b as a table shows it (sink_text): each control
 * character and each byte that is not UTF-8 as '?'; never cut. For
 * text a command prints beside a table (timeline's sparklines). */
void sink_shown(struct buf *b, const char *str);

/* Microseconds since the epoch as when_format writes them: local time
 * with its zone in the table ("2026-11-22 06:07:59 UTC"), ISO 8601 with
 * microseconds and Z (or the offset, --local) in CSV and JSON (a string). */
void sink_time(struct sink *s, int64_t us);
/* The table's form of that time, into tmp[n], for a line outside a
 * table that must read as the table does. */
void sink_table_time(char *tmp, size_t n, int64_t us);
/*
 * A size in kB. With `human` and where sizes are text (table, CSV):
 * "1.5M"; else with `percent`: kb as a percentage of base kB, "12.34%"
 * in the table, 12.34 in CSV and JSON, and, when base <= 0, "N/A" in the
 * table, empty in CSV, null in JSON; else the number.
 */
void sink_kb(struct sink *s, int64_t kb, int64_t base);

/* A span of seconds: "2d 03h", "5h 20m", "12m 05s", "45s" in the table
 * (the two largest units), the number of seconds in CSV and JSON. */
void sink_duration(struct sink *s, int64_t secs);
/* A number in hundredths, with two decimals: 9997 is 99.97, a number
 * in every format. */
void sink_centi(struct sink *s, int64_t v);

/* Table: a rule of dashes above the next row (the totals). Nothing in
 * the other formats. */
void sink_rule(struct sink *s);
/* End the row being built; CSV and JSON lines write it. */
void sink_end_row(struct sink *s);
/* Write what is still to write: the whole table, JSON's "]". Once. */
void sink_finish(struct sink *s);
/* Free what the sink holds; it writes nothing. */
void sink_release(struct sink *s);

#endif
