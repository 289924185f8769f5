/* procgroup.c - a snapshot's processes grouped by user, comm, cgroup,
 * container or unit, their stored figures summed without inflating a blob
 * (the users view of smem -u, and ps_mem's grouping). */
#include "procgroup.h"
#include "analyze.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The key column, then smem -u's columns and vss, which smem's users view
 * fills with pss (a bug not copied). The key's total says "total". */
#define GROUP_COLS(key) { \
	{ key, COL_TEXT, 0, TOTAL_AUTO, 0 }, \
	{ "count", COL_INT, 0, TOTAL_SUM, 0 }, \
	{ "swap", COL_KB, 0, TOTAL_SUM, COLF_SWAP }, \
	{ "uss", COL_KB, 0, TOTAL_SUM, 0 }, \
	{ "pss", COL_KB, 0, TOTAL_SUM, 0 }, \
	{ "rss", COL_KB, 0, TOTAL_SUM, 0 }, \
	{ "vss", COL_KB, 0, TOTAL_SUM, 0 }, \
}
static const struct col cols[][7] = {
	GROUP_COLS("user"), GROUP_COLS("comm"), GROUP_COLS("cgroup"),
	GROUP_COLS("container"), GROUP_COLS("unit"),
};
#define NCOLS (sizeof(cols[0]) / sizeof(cols[0][0]))

/* Columns 2.. of a group's table: the figures they sum. */
static const enum proc_fig sum_figs[] = {
	FIG_SWAP, FIG_USS, FIG_PSS, FIG_RSS, FIG_VSS,
};
#define NSUMS (sizeof(sum_figs) / sizeof(sum_figs[0]))

int group_by_parse(const char *arg, enum group_by *by)
{
	size_t i;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (!strcmp(arg, cols[i][0].name)) {
			*by = (enum group_by)i;
			return 0;
		}
	return usage_error("--by takes comm, cgroup, container, unit or user,"
			   " not '%s'", arg);
}

const struct col *group_cols(enum group_by by, size_t *n)
{
	*n = NCOLS;
	return cols[by];
}

/* One group's processes; key NULL: the key could not name them. */
struct group {
	char *key;
	int64_t count;
	int64_t sum[NSUMS];
	int unknown[NSUMS];	/* some process has no such figure */
};

struct groups {
	struct group *v;
	size_t n;
};

static struct group *find_group(struct groups *g, const char *key)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (!g->v[i].key ? !key : key && !strcmp(g->v[i].key, key))
			return &g->v[i];
	g->v = xreallocarray(g->v, g->n + 1, sizeof(*g->v));
	memset(&g->v[g->n], 0, sizeof(*g->v));
	g->v[g->n].key = key ? xstrdup(key) : NULL;
	return &g->v[g->n++];
}

/* Add a process's figures; a sum overflowing int64 is an error. */
static int add(struct group *g, const struct process_row *p,
	       enum group_by by)
{
	size_t i;

	g->count++;
	for (i = 0; i < NSUMS; i++) {
		int64_t v = p->fig[sum_figs[i]];

		if (v == FIG_UNKNOWN)
			g->unknown[i] = 1;
		else if (fig_add(&g->sum[i], v) < 0)
			return error("the %s of %s '%s' overflows: its processes'"
				     " figures are absurd", cols[by][2 + i].name,
				     cols[by][0].name, g->key ? g->key : "-");
	}
	return 0;
}

/* The key of row p, into tmp[n] when made; NULL when it has none. */
static const char *key_of(const struct process_row *p, enum group_by by,
			  char *tmp, size_t n)
{
	int v1;

	switch (by) {
	case GROUP_USER:
		return process_user(p, tmp, n);
	case GROUP_COMM:
		return p->comm;
	case GROUP_CGROUP:
		return process_memcg(p, &v1);
	case GROUP_UNIT:
		return p->unit;
	case GROUP_CONTAINER:
		if (p->container_name)
			return p->container_name;
		if (!p->container_id)
			return NULL;
		snprintf(tmp, n, "%.12s", p->container_id);
		return tmp;
	}
	return NULL;
}

/* One row per group; a partial sum would pass for the whole: unknown
 * stays unknown. */
static void add_rows(struct table *t, const struct groups *g)
{
	size_t i, c, r;

	for (i = 0; i < g->n; i++) {
		r = table_add_row(t);
		if (g->v[i].key)
			table_set_text(t, r, 0, g->v[i].key, strlen(g->v[i].key));
		table_set_int(t, r, 1, g->v[i].count);
		for (c = 0; c < NSUMS; c++)
			if (!g->v[i].unknown[c])
				table_set_int(t, r, 2 + c, g->v[i].sum[c]);
	}
}

int group_fill(struct store *st, int64_t snap, const struct filters *f,
	       enum group_by by, struct table *t)
{
	const struct process_query q = {
		.snapshot = snap, .f = f, .fields = PROC_NAMES | PROC_FIGS |
		(by >= GROUP_CGROUP ? PROC_CGROUP : 0),
	};
	struct process_iter it;
	struct groups g = { 0 };
	char tmp[64];
	size_t i;
	int rc;

	if (process_iter_start(&it, st, &q) < 0) {
		process_iter_release(&it);
		return -1;
	}
	while ((rc = process_iter_next(&it)) > 0)
		if (add(find_group(&g, key_of(&it.row, by, tmp, sizeof(tmp))),
			&it.row, by) < 0) {
			rc = -1;
			break;
		}
	if (rc == 0)
		add_rows(t, &g);
	for (i = 0; i < g.n; i++)
		free(g.v[i].key);
	free(g.v);
	process_iter_release(&it);
	return rc;
}
