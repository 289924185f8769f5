/* outopts.c - the output options of outopts.h: one table says each one's
 * names and value; taking them from argv and the usage texts read it. */
#include "outopts.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const struct output_option {
	unsigned bit;
	const char *short_name;	/* or NULL */
	const char *long_name;
	const char *value;	/* its value in a usage, or NULL: a flag */
	int alternative;	/* excludes the option before it */
} options[OUTPUT_COUNT] = {
	{ OUTPUT_CSV, NULL, "--csv", NULL, 0 },
	{ OUTPUT_JSON, NULL, "--json", NULL, 1 },
	{ OUTPUT_HUMAN, "-H", "--human", NULL, 0 },
	{ OUTPUT_PERCENT, "-p", "--percent", NULL, 0 },
	{ OUTPUT_TOTALS, "-t", "--totals", NULL, 0 },
	{ OUTPUT_SORT, NULL, "--sort", "COL", 0 },
	{ OUTPUT_REVERSE, "-r", "--reverse", NULL, 0 },
	{ OUTPUT_LIMIT, NULL, "--limit", "N", 0 },
	{ OUTPUT_WIDE, "-w", "--wide", NULL, 0 },
};

/* Set what the option of `bit` says, with its value v. 0, or -1
 * (printed). */
static int set(struct out_opts *o, unsigned bit, const char *v)
{
	uint64_t lim;

	switch (bit) {
	case OUTPUT_CSV:
		o->format = OUT_CSV;
		break;
	case OUTPUT_JSON:
		o->format = OUT_JSON;
		break;
	case OUTPUT_HUMAN:
		o->human = 1;
		break;
	case OUTPUT_PERCENT:
		o->percent = 1;
		break;
	case OUTPUT_TOTALS:
		o->totals = 1;
		break;
	case OUTPUT_SORT:
		o->sort = v;
		break;
	case OUTPUT_REVERSE:
		o->reverse = 1;
		break;
	case OUTPUT_LIMIT:
		if (parse_u64_str(v, &lim) < 0 || lim > 1000000000) {
			usage_error("bad --limit '%s'", v);
			return -1;
		}
		o->limit = (long)lim;
		break;
	case OUTPUT_WIDE:
		o->wide = 1;
		break;
	}
	return 0;
}

int out_opts_take(struct out_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = NULL, *name;
	size_t k, n;

	for (k = 0; k < OUTPUT_COUNT; k++) {
		const struct output_option *opt = &options[k];

		n = strlen(opt->long_name);
		if (opt->short_name && !strcmp(a, opt->short_name))
			name = opt->short_name;
		else if (!strcmp(a, opt->long_name))
			name = opt->long_name;
		else if (opt->value && !strncmp(a, opt->long_name, n) && a[n] == '=')
			name = opt->long_name, v = a + n + 1;
		else
			continue;
		if (opt->value && !v) {
			if (*i + 1 >= argc) {
				usage_error("option '%s' needs a value", name);
				return -1;
			}
			v = argv[++*i];
		}
		o->given[k] = name;
		return set(o, opt->bit, v) < 0 ? -1 : 1;
	}
	return 0;
}

const char *out_opts_refused(const struct out_opts *o, unsigned honoured)
{
	size_t k;

	for (k = 0; k < OUTPUT_COUNT; k++)
		if (o->given[k] && !(honoured & options[k].bit))
			return o->given[k];
	return NULL;
}

/* Append item to b after a blank, or on a new line when it would reach
 * column 79; *col is the column b's last line ends at. */
static void put_item(struct buf *b, const struct buf *item, size_t *col,
		     size_t indent)
{
	if (!item->len)
		return;
	if (*col > indent && *col + 1 + item->len > 78) {
		buf_addch(b, '\n');
		for (*col = 0; *col < indent; (*col)++)
			buf_addch(b, ' ');
	} else if (*col > indent) {
		buf_addch(b, ' ');
		(*col)++;
	}
	buf_add(b, item->data, item->len);
	*col += item->len;
}

void out_opts_usage(struct buf *b, unsigned mask, size_t indent)
{
	struct buf item = BUF_INIT(256);
	size_t k, col = indent;

	for (k = 0; k < OUTPUT_COUNT; k++) {
		const struct output_option *opt = &options[k];

		if (!(mask & opt->bit))
			continue;
		if (opt->alternative && (mask & options[k - 1].bit)) {
			/* one item of the two: "[--csv | --json]" */
			item.data[--item.len] = '\0';
			buf_addstr(&item, " | ");
		} else {
			put_item(b, &item, &col, indent);
			buf_reset(&item);
			buf_addch(&item, '[');
		}
		if (opt->short_name)
			buf_addf(&item, "%s|", opt->short_name);
		buf_addstr(&item, opt->long_name);
		if (opt->value)
			buf_addf(&item, " %s", opt->value);
		buf_addch(&item, ']');
	}
	put_item(b, &item, &col, indent);
	if (col == indent)
		buf_addstr(b, "none");
	buf_release(&item);
}

void out_opts_names(struct buf *b, unsigned mask)
{
	size_t k, n = 0;

	for (k = 0; k < OUTPUT_COUNT; k++)
		if (mask & options[k].bit)
			buf_addf(b, "%s%s", n++ ? " " : "", options[k].short_name
				 ? options[k].short_name : options[k].long_name);
	if (!n)
		buf_addstr(b, "none");
}

size_t out_opts_columns(const struct out_opts *o)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	uint64_t n;

	if (o->wide)
		return 0;
	if (env && parse_u64_str(env, &n) == 0 && n >= 1 && n <= 100000)
		return (size_t)n;
	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}
