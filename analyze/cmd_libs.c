/* cmd_libs.c - `libs`: per-mapping totals across the processes of one
 * snapshot, like smem -m; --per-process breaks each down like librank. */
#include "analyze.h"
#include "mapagg.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/*
 * smem -m's columns. Names are kept whole (smem cuts them at the first
 * blank), so the table never cuts them either: two libraries that differ
 * only in their last characters must stay apart. Totals as smem's, but
 * the map column says "total", and avgpss has none (smem sums averages).
 */
static const struct col libs_cols[] = {
	{ "map", COL_TEXT, 0, TOTAL_AUTO, 0 },
	{ "pids", COL_INT, 0, TOTAL_SUM, 0 },
	{ "count", COL_INT, 0, TOTAL_SUM, 0 },
	{ "avgpss", COL_KB, 0, TOTAL_NONE, 0 },
	{ "pss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "uss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "rss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "vss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "swap", COL_KB, 0, TOTAL_SUM, COLF_SWAP },
};
enum { L_MAP, L_PIDS, L_COUNT, L_AVGPSS, L_PSS, L_USS, L_RSS, L_VSS, L_SWAP };

/*
 * --per-process: one row per (map, process). Sorting by map ties on the
 * columns from the left, so pss comes second: each map's processes stand
 * together, smallest first, and the command, long, comes last.
 */
static const struct col proc_cols[] = {
	{ "map", COL_TEXT, 0, TOTAL_AUTO, 0 },
	{ "pss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "uss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "rss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "vss", COL_KB, 0, TOTAL_SUM, 0 },
	{ "swap", COL_KB, 0, TOTAL_SUM, COLF_SWAP },
	{ "count", COL_INT, 0, TOTAL_SUM, 0 },
	{ "pid", COL_INT, 0, TOTAL_NONE, 0 },
	{ "command", COL_TEXT, 40, TOTAL_NONE, 0 },
};
enum { P_MAP, P_PSS, P_USS, P_RSS, P_VSS, P_SWAP, P_COUNT, P_PID, P_CMD };

static const char procs_sql[] =
	"SELECT pid, user, uid, comm, cmdline, text_blob, text_kind"
	" FROM processes WHERE snapshot_id = ?1 ORDER BY pid";

/* A figure that a maps text cannot give stays NULL ("-"), never 0. */
static void set_usage(struct table *t, size_t r, size_t c,
		      const struct mapagg_entry *e, uint64_t v)
{
	if (!e->nousage)
		table_set_int(t, r, c, (int64_t)v);
}

static void set_name(struct table *t, size_t r, size_t c,
		     const struct mapagg *a, const struct mapagg_entry *e)
{
	const char *name = mapagg_name(a, e);

	table_set_text(t, r, c, name, e->name_len ? e->name_len : strlen(name));
}

static void add_libs_rows(struct table *t, const struct mapagg *a)
{
	size_t i, r;

	for (i = 0; i < a->n; i++) {
		const struct mapagg_entry *e = &a->v[i];

		r = table_add_row(t);
		set_name(t, r, L_MAP, a, e);
		table_set_int(t, r, L_PIDS, (int64_t)e->pids);
		table_set_int(t, r, L_COUNT, (int64_t)e->count);
		/* truncated, as smem's int(pss / pids) */
		set_usage(t, r, L_AVGPSS, e, e->pss / e->pids);
		set_usage(t, r, L_PSS, e, e->pss);
		set_usage(t, r, L_USS, e, e->uss);
		set_usage(t, r, L_RSS, e, e->rss);
		table_set_int(t, r, L_VSS, (int64_t)e->size);
		set_usage(t, r, L_SWAP, e, e->swap);
	}
}

static void add_process_rows(struct table *t, const struct mapagg *a,
			     int64_t pid, const char *cmd)
{
	size_t i, r;

	for (i = 0; i < a->n; i++) {
		const struct mapagg_entry *e = &a->v[i];

		r = table_add_row(t);
		set_name(t, r, P_MAP, a, e);
		set_usage(t, r, P_PSS, e, e->pss);
		set_usage(t, r, P_USS, e, e->uss);
		set_usage(t, r, P_RSS, e, e->rss);
		table_set_int(t, r, P_VSS, (int64_t)e->size);
		set_usage(t, r, P_SWAP, e, e->swap);
		table_set_int(t, r, P_COUNT, (int64_t)e->count);
		table_set_int(t, r, P_PID, pid);
		table_set_text(t, r, P_CMD, cmd, strlen(cmd));
	}
}

/*
 * What the worker's done() needs, and what it found. Its messages wait in
 * `msgs`, one a line, for the main thread: two threads printing at once
 * could mix their lines.
 */
struct libs_run {
	struct table *t;
	const char *path;
	int per_process;
	struct buf msgs;
};

/* In the worker, after each text: note its bad records, give it rows. */
static void text_done(void *arg, struct mapagg *a, const struct mapagg_text *t)
{
	struct libs_run *run = arg;

	if (t->bad)
		buf_addf(&run->msgs, "'%s': smaps of process %lld: %s (%zu bad"
			 " record%s left out)\n", run->path, (long long)t->pid,
			 t->err, t->bad, t->bad == 1 ? "" : "s");
	if (run->per_process) {
		add_process_rows(run->t, a, t->pid, t->label);
		mapagg_reset(a);
	}
}

/*
 * Inflate the text of process row q into slot t. 1 when there is a text
 * to sum, 0 when there is none (maps-less rollup), -1 when its blob is
 * bad (printed, by its id).
 */
static int load_text(struct store *st, sqlite3_stmt *q, struct mapagg_text *t)
{
	const char *kind = (const char *)sqlite3_column_text(q, 6);

	if (sqlite3_column_type(q, 5) == SQLITE_NULL)
		return 0;
	if (kind && !strcmp(kind, "rollup")) {
		warn("'%s': process %lld stored only smaps_rollup: it has no"
		     " per-mapping figures", st->path,
		     (long long)sqlite3_column_int64(q, 0));
		return 0;
	}
	if (store_blob_get(st, sqlite3_column_int64(q, 5), &t->text) < 0)
		return -1;
	t->usage = kind && !strcmp(kind, "smaps");
	return 1;
}

/*
 * Every process of the snapshot that passes the filters, in one pass over
 * its text, parsed in a worker while the next one is inflated. 0, or -1
 * when the processes cannot be read (printed). A text that cannot be
 * used is reported and sets *bad: the rows of the others are still there.
 */
static int fill(struct store *st, int64_t snap, const struct filters *f,
		int per_process, struct table *t, int *bad)
{
	struct libs_run run = { t, st->path, per_process, BUF_INIT(1 << 20) };
	struct mapagg_pipe pipe;
	struct mapagg a;
	sqlite3_stmt *q = NULL;
	uint64_t proc = 0;
	const char *p, *nl;
	int rc, r;

	if (sqlite3_prepare_v2(st->db, procs_sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, "read processes from");
	sqlite3_bind_int64(q, 1, snap);
	mapagg_init(&a);
	mapagg_pipe_start(&pipe, &a, text_done, &run);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *cmd = filters_pass_row(f, q);
		struct mapagg_text *slot;

		if (!cmd)
			continue;
		slot = mapagg_pipe_slot(&pipe);
		if ((r = load_text(st, q, slot)) < 0)
			*bad = 1;
		if (r <= 0) {
			free(cmd);
			continue;
		}
		slot->proc = ++proc;
		slot->pid = sqlite3_column_int64(q, 0);
		slot->label = cmd;
		mapagg_pipe_submit(&pipe);
	}
	mapagg_pipe_finish(&pipe);
	for (p = run.msgs.data; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		error("%.*s", (int)(nl - p), p);
		*bad = 1;
	}
	buf_release(&run.msgs);
	if (rc == SQLITE_DONE && !per_process)
		add_libs_rows(t, &a);
	sqlite3_finalize(q);
	mapagg_release(&a);
	return rc == SQLITE_DONE ? 0 : store_error(st, "read processes from");
}

static int run_libs(int argc, char **argv, const struct out_opts *out)
{
	static int per_process;
	static const struct option extra[] = {
		{ "per-process", no_argument, &per_process, 1 },
		{ NULL, 0, NULL, 0 }
	};
	struct filters f = { 0 };
	int ret, bad = 0;
	struct table t;
	struct store st;
	int64_t snap;

	per_process = 0;
	ret = snapshot_args(argc, argv, &cmd_libs, extra, &f, &st, &snap);
	if (ret >= 0)
		goto out;
	if (per_process) {
		table_init(&t, proc_cols, sizeof(proc_cols) / sizeof(proc_cols[0]));
		t.sort = "map";
	} else {
		table_init(&t, libs_cols, sizeof(libs_cols) / sizeof(libs_cols[0]));
		t.sort = "pss";
	}
	if (fill(&st, snap, &f, per_process, &t, &bad) < 0)
		ret = 1;
	else if ((ret = print_snapshot_table(&t, out, &st, snap)) == 0)
		ret = bad;	/* a bad text was left out: say so at exit */
	table_release(&t);
	store_close(&st);
out:
	filters_release(&f);
	return ret;
}

const struct command cmd_libs = {
	"libs", "libs FILE [--snapshot REF] [filters] [--per-process]",
	run_libs, 0,
};
