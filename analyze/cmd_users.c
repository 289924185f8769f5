/* cmd_users.c - `users`: per-user totals of one snapshot, like smem -u,
 * summed from the stored per-process figures without inflating a blob. */
#include "analyze.h"
#include "procgroup.h"

static int fill(struct store *st, int64_t snap, const struct filters *f,
		struct table *t)
{
	return group_fill(st, snap, f, GROUP_USER, t);
}

static int run_users(int argc, char **argv, const struct out_opts *out)
{
	struct snapshot_view v = { &cmd_users, NULL, 0, "pss", fill };

	v.cols = group_cols(GROUP_USER, &v.ncols);
	return snapshot_view_run(&v, argc, argv, out);
}

const struct command cmd_users = {
	"users", "users FILE [--snapshot REF] [filters]",
	run_users, 0, OUTPUT_ALL,
};
