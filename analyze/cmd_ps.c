/* cmd_ps.c - `ps`: per-process figures of one snapshot, like smem's
 * process view, read from the stored totals without inflating a blob. */
#include "analyze.h"
#include "procgroup.h"
#include "util.h"
#include "viewhead.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* smem's columns, and its totals: the pid column counts the processes,
 * the user column the distinct users. */
static const struct col ps_cols[] = {
	{ "pid", COL_INT, 0, TOTAL_ROWS, 0 },
	{ "user", COL_TEXT, 0, TOTAL_DISTINCT, 0 },
	{ "command", COL_TEXT, 0, TOTAL_AUTO, COLF_NAME },
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

/* --by KEY: the processes grouped, as ps_mem groups them. */
struct ps_args {
	int grouped;
	enum group_by by;
};

static int own_option(void *ctx, int val, const char *arg)
{
	struct ps_args *a = ctx;

	(void)val;	/* --by is the only one */
	a->grouped = 1;
	return group_by_parse(arg, &a->by);
}

static int run_ps(int argc, char **argv, const struct out_opts *out)
{
	static const struct option extra[] = {
		{ "by", required_argument, NULL, OPT_OWN }, { NULL, 0, NULL, 0 }
	};
	struct ps_args a = { 0, GROUP_COMM };
	struct filters f = { 0 };
	const struct col *cols = ps_cols;
	size_t ncols = sizeof(ps_cols) / sizeof(ps_cols[0]);
	struct table t;
	struct store st;
	int64_t snap;
	int ret;

	ret = snapshot_args_own(argc, argv, &cmd_ps, extra, &f, &st, &snap,
				own_option, &a);
	if (ret < 0) {
		if (a.grouped)
			cols = group_cols(a.by, &ncols);
		table_init(&t, cols, ncols);
		t.sort = "pss";
		ret = (a.grouped ? group_fill(&st, snap, &f, a.by, &t)
		       : fill(&st, snap, &f, &t)) == 0
			? print_view_table(&t, out, &st, snap) : 1;
		table_release(&t);
		store_close(&st);
	}
	filters_release(&f);
	return ret;
}

const struct command cmd_ps = {
	"ps", "ps FILE [--snapshot REF] [--by comm|cgroup|container|unit|user]"
	" [filters]",
	run_ps, 0, OUTPUT_ALL | OUTPUT_WIDE,
};
