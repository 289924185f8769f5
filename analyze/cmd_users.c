/* cmd_users.c - `users`: per-user totals of one snapshot, like smem -u,
 * summed from the stored per-process figures without inflating a blob. */
#include "analyze.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * smem -u's columns, and vss, which smem's users view fills with pss (a
 * bug not copied). The user column's total says "total".
 */
static const struct col users_cols[] = {
	{ "user", COL_TEXT, 0, TOTAL_AUTO, 0 },
	{ "count", COL_INT, 0, TOTAL_SUM, 0 },
	{ "swap", COL_KB, 0, TOTAL_SUM, COLF_SWAP },
	{ "uss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "pss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "rss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "vss", COL_KB, 0, TOTAL_SUM, 0 },
};
/* Columns 2.. of users_cols: the figures they sum. */
static const enum proc_fig sum_figs[] = {
	FIG_SWAP, FIG_USS, FIG_PSS, FIG_RSS, FIG_VSS,
};
#define NSUMS (sizeof(sum_figs) / sizeof(sum_figs[0]))

/* One user's processes; who is as process_user() shows it. */
struct user_sum {
	char *who;		/* NULL: neither name nor uid is known */
	int64_t count;
	int64_t sum[NSUMS];
	int unknown[NSUMS];	/* some process has no such figure */
};

struct users {
	struct user_sum *v;
	size_t n;
};

static struct user_sum *find_user(struct users *u, const char *who)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (!u->v[i].who ? !who : who && !strcmp(u->v[i].who, who))
			return &u->v[i];
	u->v = xreallocarray(u->v, u->n + 1, sizeof(*u->v));
	memset(&u->v[u->n], 0, sizeof(*u->v));
	u->v[u->n].who = who ? xstrdup(who) : NULL;
	return &u->v[u->n++];
}

/* Add a process's figures; a sum overflowing int64 is an error. */
static int add(struct user_sum *u, const struct process_row *p)
{
	size_t i;

	u->count++;
	for (i = 0; i < NSUMS; i++) {
		int64_t v = p->fig[sum_figs[i]];

		if (v == FIG_UNKNOWN)
			u->unknown[i] = 1;
		else if (fig_add(&u->sum[i], v) < 0)
			return error("the %s of user '%s' overflows: its"
				     " processes' figures are absurd",
				     users_cols[2 + i].name, u->who ? u->who : "-");
	}
	return 0;
}

/* One row per user; a partial sum would pass for the whole: unknown
 * stays unknown. */
static void add_rows(struct table *t, const struct users *u)
{
	size_t i, c, r;

	for (i = 0; i < u->n; i++) {
		r = table_add_row(t);
		if (u->v[i].who)
			table_set_text(t, r, 0, u->v[i].who, strlen(u->v[i].who));
		table_set_int(t, r, 1, u->v[i].count);
		for (c = 0; c < NSUMS; c++)
			if (!u->v[i].unknown[c])
				table_set_int(t, r, 2 + c, u->v[i].sum[c]);
	}
}

static int fill(struct store *st, int64_t snap, const struct filters *f,
		struct table *t)
{
	const struct process_query q = {
		.snapshot = snap, .f = f, .fields = PROC_NAMES | PROC_FIGS,
	};
	struct process_iter it;
	struct users u = { 0 };
	char uid[24];
	size_t i;
	int rc;

	if (process_iter_start(&it, st, &q) < 0) {
		process_iter_release(&it);
		return -1;
	}
	while ((rc = process_iter_next(&it)) > 0)
		if (add(find_user(&u, process_user(&it.row, uid, sizeof(uid))),
			&it.row) < 0) {
			rc = -1;
			break;
		}
	if (rc == 0)
		add_rows(t, &u);
	for (i = 0; i < u.n; i++)
		free(u.v[i].who);
	free(u.v);
	process_iter_release(&it);
	return rc;
}

static const struct snapshot_view users_view = {
	&cmd_users, users_cols, sizeof(users_cols) / sizeof(users_cols[0]),
	"pss", fill,
};

static int run_users(int argc, char **argv, const struct out_opts *out)
{
	return snapshot_view_run(&users_view, argc, argv, out);
}

const struct command cmd_users = {
	"users", "users FILE [--snapshot REF] [filters]",
	run_users, 0, OUTPUT_ALL,
};
