/* cmd_cgroups.c - `cgroups`: one row per memory cgroup of a snapshot, flat
 * or as a tree: what it is charged, its limit and headroom, the split of
 * its charge, its OOM counts, and what its processes account for. */
#include "analyze.h"
#include "cgpath.h"
#include "cgview.h"
#include "memcg.h"
#include "util.h"
#include "viewhead.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* Hierarchical figures: a total would count a child in each ancestor,
 * so there is none (the command does not take -t). */
static const struct col cg_cols[] = {
	{ "cgroup", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "charge", COL_KB, 0, TOTAL_NONE, 0 },
	{ "limit", COL_KB, 0, TOTAL_NONE, 0 },
	{ "headroom", COL_KB, 0, TOTAL_NONE, 0 },
	{ "anon", COL_KB, 0, TOTAL_NONE, 0 },
	{ "file", COL_KB, 0, TOTAL_NONE, 0 },
	{ "kernel", COL_KB, 0, TOTAL_NONE, 0 },
	{ "sock", COL_KB, 0, TOTAL_NONE, 0 },
	{ "swap", COL_KB, 0, TOTAL_NONE, COLF_SWAP },
	{ "oom", COL_INT, 0, TOTAL_NONE, 0 },
	{ "oom_kill", COL_INT, 0, TOTAL_NONE, 0 },
	{ "procs", COL_INT, 0, TOTAL_NONE, 0 },
	{ "pss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "uss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "proc_anon", COL_KB, 0, TOTAL_NONE, 0 },
	{ "other", COL_KB, 0, TOTAL_NONE, 0 },
};
enum { C_NAME, C_CHARGE, C_LIMIT, C_HEADROOM, C_ANON, C_FILE, C_KERNEL,
       C_SOCK, C_SWAP, C_OOM, C_OOM_KILL, C_PROCS, C_PSS, C_USS, C_PANON,
       C_OTHER };

/* Bytes as kB (cut toward zero), or NULL when unknown. */
static void set_bytes(struct table *t, size_t r, size_t c, int64_t v)
{
	if (v != FIG_UNKNOWN)
		table_set_int(t, r, c, v / 1024);
}

static void add_row(struct table *t, const struct cgnode *c, int tree)
{
	size_t r = table_add_row(t);
	char name[CG_PATH_MAX + 64];
	const char *s = tree ? cgnode_tree_name(c, name, sizeof(name)) : c->path;

	table_set_text(t, r, C_NAME, s, strlen(s));
	set_bytes(t, r, C_CHARGE, c->current);
	if (c->limit < MEMCG_NO_LIMIT) {
		set_bytes(t, r, C_LIMIT, c->limit);
		if (c->headroom < MEMCG_NO_LIMIT)
			set_bytes(t, r, C_HEADROOM, c->headroom);
	}
	set_bytes(t, r, C_ANON, c->anon);
	set_bytes(t, r, C_FILE, c->file);
	set_bytes(t, r, C_KERNEL, c->kernel);
	set_bytes(t, r, C_SOCK, c->sock);
	set_bytes(t, r, C_SWAP, c->swap);
	table_set_fig(t, r, C_OOM, c->oom);
	table_set_fig(t, r, C_OOM_KILL, c->oom_kill);
	table_set_int(t, r, C_PROCS, c->procs);
	table_set_fig(t, r, C_PSS, c->pss);
	table_set_fig(t, r, C_USS, c->uss);
	table_set_fig(t, r, C_PANON, c->panon);
	if (c->current != FIG_UNKNOWN && c->pss != FIG_UNKNOWN)
		table_set_int(t, r, C_OTHER, c->current / 1024 - c->pss);
}

/* The rows of the cgroups that hold a process that passed f. */
static int fill(struct store *st, int64_t snap, const struct filters *f,
		int tree, struct table *t)
{
	struct cgview cv;
	size_t i;
	int r = cgview_load(&cv, st, snap, f);

	for (i = 0; r == 0 && i < cv.n; i++)
		if (cv.v[i].shown)
			add_row(t, &cv.v[i], tree);
	if (r == 0 && !cv.n)
		warn("'%s': snapshot %lld has no cgroups (a capture of a file"
		     " older than format 1.1, or of a tree without them)",
		     st->path, (long long)snap);
	cgview_release(&cv);
	return r;
}

static int run_cgroups(int argc, char **argv, const struct out_opts *out)
{
	static int tree;
	static const struct option extra[] = {
		{ "tree", no_argument, &tree, 1 }, { NULL, 0, NULL, 0 }
	};
	struct filters f = { 0 };
	struct table t;
	struct store st;
	int64_t snap;
	int ret;

	tree = 0;
	ret = snapshot_args(argc, argv, &cmd_cgroups, extra, &f, &st, &snap);
	if (ret >= 0)
		goto out;
	if (tree && (out->sort || out->reverse)) {
		ret = usage_error("--tree keeps the tree's order: no --sort or -r");
		store_close(&st);
		goto out;
	}
	table_init(&t, cg_cols, sizeof(cg_cols) / sizeof(cg_cols[0]));
	t.sort = tree ? NULL : "charge";
	ret = fill(&st, snap, &f, tree, &t) == 0
		? print_view_table(&t, out, &st, snap) : 1;
	table_release(&t);
	store_close(&st);
out:
	filters_release(&f);
	return ret;
}

const struct command cmd_cgroups = {
	"cgroups", "cgroups FILE [--snapshot REF] [--tree] [filters]",
	run_cgroups, 0, OUTPUT_ALL & ~OUTPUT_TOTALS,
};
