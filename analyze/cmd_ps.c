/* cmd_ps.c - `ps`: per-process figures of one snapshot, like smem's
 * process view, read from the stored totals without inflating a blob. */
#include "analyze.h"
#include "util.h"

#include <stdio.h>
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

/* Columns 3.. of ps_cols: the figures they show. */
static const enum proc_fig ps_figs[] = {
	FIG_SWAP, FIG_USS, FIG_PSS, FIG_RSS, FIG_VSS, FIG_MAPS,
};

static int fill(struct store *st, int64_t snap, const struct filters *f,
		struct table *t)
{
	const struct process_query q = {
		.snapshot = snap, .f = f, .fields = PROC_NAMES | PROC_FIGS,
	};
	struct process_iter it;
	const char *user, *cmd;
	char uid[24];
	size_t r, c;
	int rc;

	if (process_iter_start(&it, st, &q) < 0) {
		process_iter_release(&it);
		return -1;
	}
	while ((rc = process_iter_next(&it)) > 0) {
		r = table_add_row(t);
		table_set_int(t, r, 0, it.row.pid);
		if ((user = process_user(&it.row, uid, sizeof(uid))))
			table_set_text(t, r, 1, user, strlen(user));
		cmd = process_iter_command(&it);
		table_set_text(t, r, 2, cmd, strlen(cmd));
		for (c = 0; c < sizeof(ps_figs) / sizeof(ps_figs[0]); c++)
			table_set_fig(t, r, 3 + c, it.row.fig[ps_figs[c]]);
	}
	process_iter_release(&it);
	return rc;
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
