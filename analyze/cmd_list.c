/* cmd_list.c - `list`: the snapshots in one or more files, with host,
 * time, label, process count and memory totals. */
#include "analyze.h"
#include "util.h"

#include <getopt.h>
#include <string.h>

static const struct col list_cols[] = {
	{ "file", COL_TEXT, 0, TOTAL_DISTINCT, 0 },
	{ "id", COL_INT, 0, TOTAL_ROWS, 0 },
	{ "uuid", COL_TEXT, 0, TOTAL_AUTO, 0 },
	{ "host", COL_TEXT, 0, TOTAL_DISTINCT, 0 },
	{ "time", COL_TIME, 0, TOTAL_NONE, 0 },
	{ "label", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "processes", COL_INT, 0, TOTAL_SUM, 0 },
	/* each row is another snapshot: -t counts them and their processes,
	 * but memory of different moments does not add up */
	{ "rss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "pss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "uss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "swap", COL_KB, 0, TOTAL_NONE, 0 },
};

/* Columns 6.. of list_cols (after the file column): the sums they show. */
static const enum proc_fig list_sums[] = { FIG_RSS, FIG_PSS, FIG_USS, FIG_SWAP };

static void add_row(struct table *t, const struct snapshot_row *s,
		    const char *file, size_t first)
{
	size_t r = table_add_row(t), i;

	if (first)
		table_set_text(t, r, 0, file, strlen(file));
	table_set_int(t, r, first, s->id);
	table_set_text(t, r, first + 1, s->uuid, strlen(s->uuid));
	table_set_text(t, r, first + 2, s->hostname, strlen(s->hostname));
	table_set_int(t, r, first + 3, s->time_us);
	if (s->label)
		table_set_text(t, r, first + 4, s->label, strlen(s->label));
	table_set_int(t, r, first + 5, s->captured);
	for (i = 0; i < sizeof(list_sums) / sizeof(list_sums[0]); i++)
		table_set_fig(t, r, first + 6 + i, s->sum[list_sums[i]]);
}

/* Add the rows of one file, of the host and window of f; `first` is 1
 * when the table has a file column. *hosted is set when the file holds
 * --host's host (a host in none of the files is an error). */
static int add_file(struct table *t, const char *file, size_t first,
		    const struct filters *f, int *hosted)
{
	struct snapshot_query q = { .host = f->host, .sums = FIG_BIT(FIG_RSS) |
		FIG_BIT(FIG_PSS) | FIG_BIT(FIG_USS) | FIG_BIT(FIG_SWAP),
		.window = f->since.set || f->until.set };
	struct snapshot_iter it = { 0 };
	struct store st;
	int rc = -1, has;

	if (store_open(&st, file, STORE_READ) < 0)
		return -1;
	has = f->host ? store_has_host(&st, f->host, NULL) : 1;
	*hosted |= has > 0;
	if (has >= 0 &&
	    store_window(&st, f->host, &f->since, &f->until, &q.since_us,
			 &q.until_us) == 0 &&
	    snapshot_iter_start(&it, &st, &q) == 0)
		while ((rc = snapshot_iter_next(&it)) > 0)
			add_row(t, &it.row, file, first);
	snapshot_iter_release(&it);
	store_close(&st);
	return rc;
}

static int run_list(int argc, char **argv, const struct out_opts *out)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, OPT_HOST }, WINDOW_OPTIONS,
		HELP_OPTION, { NULL, 0, NULL, 0 }
	};
	struct filters f = { 0 };
	struct table t;
	size_t first;
	int c, i, ret = 0, hosted = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return command_help(&cmd_list);
		if (c != OPT_HOST && c != OPT_SINCE && c != OPT_UNTIL)
			return usage_error("see 'list --help'");
		if ((ret = filters_option(&f, c, optarg)) != 0)
			return ret;
	}
	if (optind == argc)
		return usage_error("list takes at least one FILE");
	/* a file column only when there are several files */
	first = argc - optind > 1;
	table_init(&t, list_cols + 1 - first,
		   sizeof(list_cols) / sizeof(list_cols[0]) - 1 + first);
	t.sort = "time";
	for (i = optind; i < argc; i++)
		if (add_file(&t, argv[i], first, &f, &hosted) < 0)
			ret = 1;
	if (f.host && !hosted && !ret) {
		if (first)
			error("no host '%s' in any of the files", f.host);
		else
			error("'%s': no host '%s' in the file", argv[optind],
			      f.host);
		ret = 1;
	}
	if (ret && !t.nrows) {	/* nothing to show: no empty header */
		table_release(&t);
		return ret;
	}
	c = print_table(&t, out);
	return c ? c : ret;
}

const struct command cmd_list = {
	"list", "list [--host NAME] [--since WHEN] [--until WHEN] FILE...",
	run_list, 0, OUTPUT_ALL & ~OUTPUT_PERCENT,
};
