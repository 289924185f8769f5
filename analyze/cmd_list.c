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
	{ "rss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "pss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "uss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "swap", COL_KB, 0, TOTAL_SUM, 0 },
};

static const char list_sql[] =
	"SELECT s.id, s.uuid, h.hostname, s.time_us, s.label, s.procs_captured,"
	" sum(p.rss_kb), sum(p.pss_kb), sum(p.uss_kb), sum(p.swap_kb)"
	" FROM snapshots AS s JOIN hosts AS h ON h.id = s.host_id"
	" LEFT JOIN processes AS p ON p.snapshot_id = s.id"
	" WHERE ?1 IS NULL OR h.hostname = ?1"
	" GROUP BY s.id ORDER BY s.time_us, s.id";

/* Add the rows of one file; `first` is 1 when the table has a file column. */
static int add_file(struct table *t, const char *file, size_t first,
		    const char *host)
{
	sqlite3_stmt *q = NULL;
	struct store st;
	int rc, c;

	if (store_open(&st, file, STORE_READ) < 0)
		return -1;
	if (sqlite3_prepare_v2(st.db, list_sql, -1, &q, NULL) != SQLITE_OK) {
		store_error(&st, "read snapshots from");
		store_close(&st);
		return -1;
	}
	if (host)
		sqlite3_bind_text(q, 1, host, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t r = table_add_row(t);

		if (first)
			table_set_text(t, r, 0, file, strlen(file));
		for (c = 0; c < 10; c++) {
			size_t col = first + (size_t)c;

			if (sqlite3_column_type(q, c) == SQLITE_NULL)
				continue;
			if (t->cols[col].kind == COL_TEXT)
				table_set_text(t, r, col,
					       (const char *)sqlite3_column_text(q, c),
					       (size_t)sqlite3_column_bytes(q, c));
			else
				table_set_int(t, r, col, sqlite3_column_int64(q, c));
		}
	}
	if (rc != SQLITE_DONE)
		store_error(&st, "read snapshots from");
	sqlite3_finalize(q);
	store_close(&st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int run_list(int argc, char **argv, const struct out_opts *out)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		HELP_OPTION, { NULL, 0, NULL, 0 }
	};
	const char *host = NULL;
	struct table t;
	size_t first;
	int c, i, ret = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return command_help(&cmd_list);
		if (c != OPT_HOST)
			return usage_error("see 'list --help'");
		host = optarg;
	}
	if (optind == argc)
		return usage_error("list takes at least one FILE");
	/* a file column only when there are several files */
	first = argc - optind > 1;
	table_init(&t, list_cols + 1 - first,
		   sizeof(list_cols) / sizeof(list_cols[0]) - 1 + first);
	t.sort = "time";
	for (i = optind; i < argc; i++)
		if (add_file(&t, argv[i], first, host) < 0)
			ret = 1;
	if (ret && !t.nrows) {	/* nothing to show: no empty header */
		table_release(&t);
		return ret;
	}
	c = print_table(&t, out);
	return c ? c : ret;
}

const struct command cmd_list = {
	"list", "list [--host NAME] FILE...",
	run_list, 0, OUTPUT_ALL & ~OUTPUT_PERCENT,
};
