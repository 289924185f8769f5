/* cmd_ps.c - `ps`: per-process figures of one snapshot, like smem's
 * process view, read from the stored totals without inflating a blob. */
#include "analyze.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* smem's columns, and its totals: the pid column counts the processes,
 * the user column the distinct users. */
static const struct col ps_cols[] = {
	{ "pid", COL_INT, 0, TOTAL_ROWS, 0 },
	{ "user", COL_TEXT, 0, TOTAL_DISTINCT, 0 },
	{ "command", COL_TEXT, 40, TOTAL_AUTO, 0 },
	{ "swap", COL_KB, 0, TOTAL_SUM, COLF_SWAP },
	{ "uss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "pss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "rss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "vss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "maps", COL_INT, 0, TOTAL_SUM, 0 },
};

static const char ps_sql[] =
	"SELECT pid, user, uid, comm, cmdline, swap_kb, uss_kb, pss_kb,"
	" rss_kb, size_kb, nmaps FROM processes WHERE snapshot_id = ?1"
	" ORDER BY pid";

static void add_row(struct table *t, sqlite3_stmt *q, const char *cmd)
{
	const char *user = (const char *)sqlite3_column_text(q, 1);
	size_t r = table_add_row(t), c;

	table_set_int(t, r, 0, sqlite3_column_int64(q, 0));
	if (user)
		table_set_text(t, r, 1, user, strlen(user));
	else if (sqlite3_column_type(q, 2) != SQLITE_NULL)
		table_set_text(t, r, 1, (const char *)sqlite3_column_text(q, 2),
			       (size_t)sqlite3_column_bytes(q, 2));
	table_set_text(t, r, 2, cmd, strlen(cmd));
	for (c = 3; c < 9; c++)
		if (sqlite3_column_type(q, (int)c + 2) != SQLITE_NULL)
			table_set_int(t, r, c, sqlite3_column_int64(q, (int)c + 2));
}

static int fill(struct store *st, int64_t snap, const struct filters *f,
		struct table *t)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, ps_sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, "read processes from");
	sqlite3_bind_int64(q, 1, snap);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *cmd = filters_pass_row(f, q);

		if (cmd)
			add_row(t, q, cmd);
		free(cmd);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, "read processes from");
}

static const struct snapshot_view ps_view = {
	&cmd_ps, ps_cols, sizeof(ps_cols) / sizeof(ps_cols[0]), "pss", fill,
};

static int run_ps(int argc, char **argv, const struct out_opts *out)
{
	return snapshot_view_run(&ps_view, argc, argv, out);
}

const struct command cmd_ps = {
	"ps", "ps FILE [--snapshot REF] [filters]",
	run_ps, 0, OUTPUT_ALL,
};
