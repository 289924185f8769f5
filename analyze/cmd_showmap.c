/* cmd_showmap.c - `showmap`: one process's mappings merged by name, as
 * Android's showmap shows them, with the figures summed per name. */
#include "analyze.h"
#include "mapagg.h"
#include "util.h"
#include "viewhead.h"

#include <string.h>

/*
 * showmap's columns (its "object" is map, first here as in libs). Sorted
 * by pss, ascending like every view here: the largest ends next to the
 * prompt, and -r puts it first.
 */
static const struct col showmap_cols[] = {
	{ "map", COL_TEXT, 0, TOTAL_AUTO, 0 },
	{ "size", COL_KB, 0, TOTAL_SUM, 0 },
	{ "rss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "pss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "shared_clean", COL_KB, 0, TOTAL_SUM, 0 },
	{ "shared_dirty", COL_KB, 0, TOTAL_SUM, 0 },
	{ "private_clean", COL_KB, 0, TOTAL_SUM, 0 },
	{ "private_dirty", COL_KB, 0, TOTAL_SUM, 0 },
	{ "swap", COL_KB, 0, TOTAL_SUM, COLF_SWAP },
	{ "swap_pss", COL_KB, 0, TOTAL_SUM, COLF_SWAP },
	{ "count", COL_INT, 0, TOTAL_SUM, 0 },
};

static void add_rows(struct table *t, const struct mapagg *a)
{
	size_t i, r, c;

	for (i = 0; i < a->n; i++) {
		const struct mapagg_entry *e = &a->v[i];
		const char *name = mapagg_name(a, e);
		const uint64_t v[] = {
			e->rss, e->pss, e->shared_clean, e->shared_dirty,
			e->private_clean, e->private_dirty, e->swap, e->swap_pss,
		};

		r = table_add_row(t);
		table_set_text(t, r, 0, name, e->name_len ? e->name_len : strlen(name));
		table_set_int(t, r, 1, (int64_t)e->size);
		/* a maps text gives sizes only: the rest is unknown, not 0 */
		for (c = 0; !e->nousage && c < sizeof(v) / sizeof(v[0]); c++)
			table_set_int(t, r, 2 + c, (int64_t)v[c]);
		table_set_int(t, r, 10, (int64_t)e->count);
	}
}

static int run_showmap(int argc, char **argv, const struct out_opts *out)
{
	struct process_text p;
	struct mapagg a;
	struct table t;
	char err[160];
	size_t bad = 0;
	int ret;

	if ((ret = process_text_open(&p, argc, argv, &cmd_showmap)) >= 0)
		return ret;
	ret = 1;
	mapagg_init(&a);
	if (p.kind == TEXT_ROLLUP) {
		error("'%s': process %lld of snapshot %lld is an imported"
		      " smaps_rollup: it has no per-mapping figures", p.st.path,
		      (long long)p.pid, (long long)p.snap);
		goto out;
	}
	if (p.text.len)
		bad = mapagg_add_text(&a, p.text.data, p.text.len,
				      p.kind == TEXT_SMAPS, 1, err, sizeof(err));
	if (bad)
		error("'%s': smaps of process %lld: %s (%zu bad record%s left"
		      " out)", p.st.path, (long long)p.pid, err, bad,
		      bad == 1 ? "" : "s");
	if (a.overflow) {
		error("'%s': the figures of process %lld's text overflow: they"
		      " are absurd", p.st.path, (long long)p.pid);
		goto out;
	}
	table_init(&t, showmap_cols, sizeof(showmap_cols) / sizeof(showmap_cols[0]));
	t.sort = "pss";
	add_rows(&t, &a);
	if ((ret = print_view_table(&t, out, &p.st, p.snap)) == 0)
		ret = bad != 0;
out:
	mapagg_release(&a);
	process_text_release(&p);
	return ret;
}

const struct command cmd_showmap = {
	"showmap", "showmap FILE [--snapshot REF] [--host NAME] PID",
	run_showmap, 0, OUTPUT_ALL,
};
