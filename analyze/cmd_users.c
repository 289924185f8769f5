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
#define NSUMS 5		/* swap uss pss rss vss: columns 2.., query 5.. */

/*
 * A process's user is its stored name, or its uid in digits when the
 * capturing machine had no name for it (as smem shows it); ordered by
 * that, so that each user's processes come in one run.
 */
static const char users_sql[] =
	"SELECT pid, user, uid, comm, cmdline, swap_kb, uss_kb, pss_kb,"
	" rss_kb, size_kb, coalesce(user, CAST(uid AS TEXT)) AS who"
	" FROM processes WHERE snapshot_id = ?1 ORDER BY who, pid";

/* One user's run of processes. */
struct user_sum {
	char *who;		/* NULL: neither name nor uid is known */
	int64_t count;
	int64_t sum[NSUMS];
	int unknown[NSUMS];	/* some process has no such figure */
};

static void flush(struct table *t, struct user_sum *u)
{
	size_t r, i;

	if (!u->count)
		return;
	r = table_add_row(t);
	if (u->who)
		table_set_text(t, r, 0, u->who, strlen(u->who));
	table_set_int(t, r, 1, u->count);
	/* a partial sum would pass for the whole: unknown stays unknown */
	for (i = 0; i < NSUMS; i++)
		if (!u->unknown[i])
			table_set_int(t, r, 2 + i, u->sum[i]);
	free(u->who);
	memset(u, 0, sizeof(*u));
}

static int same_user(const struct user_sum *u, const char *who)
{
	if (!u->who || !who)
		return !u->who && !who;
	return !strcmp(u->who, who);
}

static void add(struct user_sum *u, sqlite3_stmt *q, const char *who)
{
	size_t i;

	if (!u->count)
		u->who = who ? xstrdup(who) : NULL;
	u->count++;
	for (i = 0; i < NSUMS; i++) {
		if (sqlite3_column_type(q, 5 + (int)i) == SQLITE_NULL)
			u->unknown[i] = 1;
		else
			u->sum[i] += sqlite3_column_int64(q, 5 + (int)i);
	}
}

static int fill(struct store *st, int64_t snap, const struct filters *f,
		struct table *t)
{
	struct user_sum u = { 0 };
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, users_sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, "read processes from");
	sqlite3_bind_int64(q, 1, snap);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(q, 10);
		char *cmd = filters_pass_row(f, q);

		if (cmd) {
			if (!same_user(&u, who))
				flush(t, &u);
			add(&u, q, who);
		}
		free(cmd);
	}
	flush(t, &u);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, "read processes from");
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
