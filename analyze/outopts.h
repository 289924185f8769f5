/* outopts.h - the output options (--csv, --json, -H, -p, -t, --sort, -r,
 * --limit, -w): one table of their names, what they set, which a command
 * takes; and the width a table may fill. */
#ifndef MAPSNAP_OUTOPTS_H
#define MAPSNAP_OUTOPTS_H

#include "buf.h"
#include "sink.h"

/* Each output option as a bit, for the options a command honours
 * (struct command's `output`), in the order --help lists them. */
enum {
	OUTPUT_CSV = 1u << 0,
	OUTPUT_JSON = 1u << 1,
	OUTPUT_HUMAN = 1u << 2,
	OUTPUT_PERCENT = 1u << 3,
	OUTPUT_TOTALS = 1u << 4,
	OUTPUT_SORT = 1u << 5,
	OUTPUT_REVERSE = 1u << 6,
	OUTPUT_LIMIT = 1u << 7,
	OUTPUT_WIDE = 1u << 8,
};
#define OUTPUT_COUNT 9
#define OUTPUT_NONE 0u
/* every option but -w, which only the commands that show names take */
#define OUTPUT_ALL (((1u << OUTPUT_COUNT) - 1) & ~OUTPUT_WIDE)

struct out_opts {
	enum out_format format;	/* OUT_TABLE unless --csv or --json */
	int human;		/* -H */
	const char *sort;	/* --sort, or NULL for the table's default */
	int reverse;		/* -r: flip the direction */
	long limit;		/* --limit, or -1 */
	int totals;		/* -t: end with a totals row */
	int percent;		/* -p: sizes as a percentage of MemTotal */
	int wide;		/* -w: names whole, whatever the width */
	/* each option as it was typed ("-H" or "--human", no value), by
	 * the position of its bit; NULL when not given */
	const char *given[OUTPUT_COUNT];
};

#define OUT_OPTS_INIT { .format = OUT_TABLE, .limit = -1 }

/*
 * If argv[*i] is an output option, take it into o, with its value
 * ("--sort COL" or "--sort=COL"; *i is then moved onto the value).
 * Returns 1 when taken, 0 when argv[*i] is no output option, or -1 on a
 * usage error (printed: a missing or bad value).
 */
int out_opts_take(struct out_opts *o, int argc, char **argv, int *i);

/* The first option given in o that is not among `honoured` (OUTPUT_*
 * bits), as it was typed; NULL when o has none such. */
const char *out_opts_refused(const struct out_opts *o, unsigned honoured);

/*
 * Append the options of mask to b as a usage shows them: "[--csv |
 * --json] [-H|--human] ... [--limit N]", wrapped before column 79 with
 * `indent` blanks before each new line, the first line taken to start
 * at column `indent`; "none" for none.
 */
void out_opts_usage(struct buf *b, unsigned mask, size_t indent);

/*
 * The width, in characters, a table's names are cut to fit (as ps
 * does): COLUMNS when it holds a number from 1 to 100000; else the
 * terminal's width when stdout is a terminal (TIOCGWINSZ; 80 when it
 * says none); else 0, no limit: a file or a pipe gets whole names. 0
 * too with -w.
 */
size_t out_opts_columns(const struct out_opts *o);

/* Append the names of mask's options, the short one where there is one:
 * "--csv --json -H -t --sort -r --limit"; "none" for none. */
void out_opts_names(struct buf *b, unsigned mask);

#endif
