/* cmd_libs.c - `libs`: per-mapping totals across the processes of one
 * snapshot, like smem -m; --per-process breaks each down like librank. */
#include "analyze.h"
#include "mapagg.h"
#include "partcache.h"
#include "util.h"
#include "viewhead.h"

#include <getopt.h>
#include <stdio.h>
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
	{ "command", COL_TEXT, 0, TOTAL_NONE, COLF_NAME },
};
enum { P_MAP, P_PSS, P_USS, P_RSS, P_VSS, P_SWAP, P_COUNT, P_PID, P_CMD };

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
 * One process's text as the main thread hands it to a worker: the stored
 * blob copied out of the database (SQLite stays in the main thread), to
 * be inflated, checked and parsed in the worker; or a note for done().
 */
enum libs_kind { LIBS_TEXT, LIBS_ROLLUP, LIBS_BAD, LIBS_SHARED };

struct libs_blob {
	enum libs_kind kind;	/* LIBS_SHARED: parsed by an earlier job */
	int64_t id;		/* the blob */
	int cached;		/* this job's part goes to the cache */
	int64_t raw_size;
	char codec[16];		/* cut: a longer one is unknown anyway */
	int has_codec;
	uint8_t hash[BLOB_HASH_LEN];
	size_t hash_len;	/* as stored: blob_unpack wants 16 */
	struct buf data;
	char why[200];		/* LIBS_BAD, or the decode failed */
};

/* The bytes of texts in flight, inflated and stored, whatever the
 * number of workers (one larger text goes alone). */
#define LIBS_INFLIGHT_MAX ((size_t)256 << 20)
/* A slot's stored copy kept for the next job at most. */
#define LIBS_KEEP ((size_t)4 << 20)

/* What the pool's callbacks share: the jobs' blobs (by slot), the sums,
 * the texts that several processes share, parsed once. */
struct libs_run {
	struct table *t;
	struct store *st;
	int per_process;
	struct mapagg a;
	struct part_cache cache;
	sqlite3_stmt *blob_q;
	struct libs_blob in[MAPAGG_POOL_SLOTS];
	uint64_t proc;		/* processes handed over, in every snapshot */
	int bad;
};

/* In a worker: inflate and check the text (prepare() of the pool). */
static int decode(void *arg, struct mapagg_job *j)
{
	struct libs_run *run = arg;
	struct libs_blob *l = &run->in[j->index];
	struct blob_stored b = {
		l->raw_size, l->has_codec ? l->codec : NULL, l->data.data,
		l->data.len, l->hash_len ? l->hash : NULL, l->hash_len,
	};

	if (l->kind != LIBS_TEXT)
		return 1;
	return blob_unpack(&b, &j->t.text, l->why, sizeof(l->why));
}

/* A process's mappings, `part`, to the totals or rows of its own. */
static void use_part(struct libs_run *run, const struct mapagg_text *t,
		     struct mapagg *part)
{
	if (run->per_process) {
		add_process_rows(run->t, part, t->pid, t->label);
	} else {
		mapagg_set_proc(part, t->proc);
		mapagg_merge(&run->a, part);
	}
}

/*
 * In the main thread, in the order of the processes: say what went
 * wrong, then give the text's mappings to the totals or rows of its own.
 * A text that other processes share goes to the cache first; theirs
 * comes from there (the job that parses it is done before them).
 */
static void text_done(void *arg, struct mapagg_job *j)
{
	struct libs_run *run = arg;
	struct libs_blob *l = &run->in[j->index];
	const struct mapagg_text *t = &j->t;
	struct part_entry *e = NULL;

	if (l->data.alloc > LIBS_KEEP)	/* kept no longer than its job */
		buf_release(&l->data);

	if (l->kind == LIBS_ROLLUP) {
		warn("'%s': process %lld stored only smaps_rollup: it has no"
		     " per-mapping figures", run->st->path, (long long)t->pid);
		return;
	}
	if (l->kind == LIBS_SHARED || l->cached)
		e = part_cache_find(&run->cache, l->id, t->usage);
	if (e && e->state == PART_PENDING && (l->kind == LIBS_BAD || j->prepared < 0))
		part_cache_bad(e, l->why);
	else if (e && e->state == PART_PENDING)
		part_cache_ready(&run->cache, e, &j->part, t->bad, t->err);
	if (e ? e->state == PART_BAD : l->kind == LIBS_BAD || j->prepared < 0) {
		error("'%s': blob %lld %s", run->st->path, (long long)l->id,
		      e ? e->why : l->why);
		run->bad = 1;
		return;
	}
	if (e ? e->bad : t->bad) {
		error("'%s': smaps of process %lld: %s (%zu bad record%s left"
		      " out)", run->st->path, (long long)t->pid, e ? e->why : t->err,
		      e ? e->bad : t->bad, (e ? e->bad : t->bad) == 1 ? "" : "s");
		run->bad = 1;
	}
	if ((e ? &e->part : &j->part)->overflow) {
		error("'%s': the figures of process %lld's text overflow: they"
		      " are absurd", run->st->path, (long long)t->pid);
		run->bad = 1;
		return;
	}
	use_part(run, t, e ? &e->part : &j->part);
}

/* Copy blob `id` into l. 0, or -1 when it cannot be read (printed). */
static int fetch_blob(struct libs_run *run, int64_t id, struct libs_blob *l)
{
	sqlite3_stmt *q = run->blob_q;
	const void *hash, *data;
	const char *codec;
	int rc, ret = 0;

	l->id = id;
	l->kind = LIBS_TEXT;
	buf_reset(&l->data);
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		l->raw_size = sqlite3_column_int64(q, 0);
		codec = (const char *)sqlite3_column_text(q, 1);
		l->has_codec = codec != NULL;
		snprintf(l->codec, sizeof(l->codec), "%s", codec ? codec : "");
		hash = sqlite3_column_blob(q, 3);
		l->hash_len = hash ? (size_t)sqlite3_column_bytes(q, 3) : 0;
		if (hash)
			memcpy(l->hash, hash, l->hash_len < BLOB_HASH_LEN
			       ? l->hash_len : BLOB_HASH_LEN);
		data = sqlite3_column_blob(q, 2);
		if (buf_add(&l->data, data, data ? (size_t)
			    sqlite3_column_bytes(q, 2) : 0) < 0) {
			l->kind = LIBS_BAD;
			snprintf(l->why, sizeof(l->why), "is too large");
		}
	} else if (rc == SQLITE_DONE) {
		l->kind = LIBS_BAD;
		snprintf(l->why, sizeof(l->why), "is missing");
	} else {
		ret = store_error(run->st, "read a blob from");
	}
	sqlite3_reset(q);
	return ret;
}

/*
 * Hand the text of process p to the pool in job j. 1 when handed over,
 * 0 when it has none (a maps-less row), -1 when its blob cannot be read
 * (printed).
 */
static int load_text(struct libs_run *run, const struct process_row *p,
		     struct mapagg_job *j)
{
	struct libs_blob *l = &run->in[j->index];
	int usage = p->kind == TEXT_SMAPS;

	if (!p->text_blob)
		return 0;
	l->id = p->text_blob;
	l->cached = 0;
	if (p->kind == TEXT_ROLLUP) {
		l->kind = LIBS_ROLLUP;
	} else if (part_cache_find(&run->cache, p->text_blob, usage)) {
		l->kind = LIBS_SHARED;	/* parsed once, by an earlier job */
	} else if (fetch_blob(run, p->text_blob, l) < 0) {
		return -1;
	} else {
		l->cached = part_cache_add(&run->cache, p->text_blob, usage) != NULL;
		/* what the job will hold: the stored bytes and the text */
		j->weight = l->data.len + (l->raw_size > 0 && (uint64_t)l->raw_size
					   <= BLOB_MAX_RAW ? (size_t)l->raw_size : 0);
	}
	j->t.usage = usage;
	j->t.pid = p->pid;
	return 1;
}

/*
 * Hand every process of the iterator that passes the filters to a pool
 * of workers (one per core) that inflate and parse whole texts, each
 * into a table of its own, given back in process order: rows and
 * messages come out as from one thread. 0, or -1 (printed).
 */
static int feed(struct libs_run *run, struct process_iter *it)
{
	struct mapagg_pool pool;
	int rc, r;

	mapagg_pool_start(&pool, MAPAGG_BY_NAME, 0, decode, text_done, run);
	pool.budget = LIBS_INFLIGHT_MAX;
	while ((rc = process_iter_next(it)) > 0) {
		struct mapagg_job *j = mapagg_pool_slot(&pool);

		if ((r = load_text(run, &it->row, j)) < 0)
			run->bad = 1;
		if (r <= 0)
			continue;
		j->t.proc = ++run->proc;
		j->t.label = xstrdup(process_iter_command(it));
		mapagg_pool_submit(&pool);
	}
	mapagg_pool_finish(&pool);
	return rc;
}

/*
 * Every process of the snapshots that passes the filters, in one pass over
 * its text. 0, or -1 when the processes cannot be read (printed). A text
 * that cannot be used is reported and sets *bad: the rows of the others
 * are still there.
 */
static int fill(struct store *st, const int64_t *snaps, size_t nsnaps,
		const struct filters *f, int per_process, struct table *t,
		int *bad)
{
	struct libs_run *run = xcalloc(1, sizeof(*run));
	struct process_query pq = {
		.f = f, .fields = PROC_NAMES | PROC_TEXT,
	};
	struct process_iter it = { 0 };
	int ret = -1;
	size_t i;

	run->t = t;
	run->st = st;
	run->per_process = per_process;
	mapagg_init(&run->a);
	part_cache_init(&run->cache, PART_CACHE_MAX);
	for (i = 0; i < MAPAGG_POOL_SLOTS; i++)
		buf_init(&run->in[i].data, BLOB_MAX_RAW);
	if (sqlite3_prepare_v2(st->db, "SELECT raw_size, codec, data, hash"
			       " FROM blobs WHERE id = ?1", -1, &run->blob_q,
			       NULL) != SQLITE_OK) {
		store_error(st, "read a blob from");
		goto out;
	}
	pq.snapshot = nsnaps ? snaps[0] : 0;
	if (nsnaps && process_iter_start(&it, st, &pq) < 0)
		goto out;
	for (i = 0; i < nsnaps; i++) {
		process_iter_seek(&it, snaps[i], 0);
		if (feed(run, &it) < 0)
			goto out;
	}
	if (!per_process && run->a.overflow) {
		error("'%s': the sums of its mappings overflow: its figures are"
		      " absurd", st->path);
		goto out;
	}
	if (!per_process)
		add_libs_rows(t, &run->a);
	ret = 0;
out:
	*bad |= run->bad;
	process_iter_release(&it);
	sqlite3_finalize(run->blob_q);
	for (i = 0; i < MAPAGG_POOL_SLOTS; i++)
		buf_release(&run->in[i].data);
	mapagg_release(&run->a);
	part_cache_release(&run->cache);
	free(run);
	return ret;
}

/*
 * --all-hosts: the latest snapshot of every host of the file, as `latest`
 * means for --host NAME (by time, then id), in *snaps (caller frees).
 * 0 or -1 (printed).
 */
static int latest_of_hosts(struct store *st, int64_t **snaps, size_t *n)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*snaps = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT s.id FROM snapshots AS s"
			       " WHERE s.id = (SELECT s2.id FROM snapshots AS s2"
			       " WHERE s2.host_id = s.host_id ORDER BY"
			       " s2.time_us DESC, s2.id DESC LIMIT 1)"
			       " ORDER BY s.host_id", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, "read snapshots from");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*snaps = xreallocarray(*snaps, *n + 1, sizeof(**snaps));
		(*snaps)[(*n)++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, "read snapshots from");
}

/* --all-hosts excludes what names one snapshot or host. 0 or 2 (printed). */
static int all_hosts_usage(int argc, char **argv, const struct filters *f,
			   const struct out_opts *out)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strncmp(argv[i], "--snapshot", 10) || f->host)
			return usage_error("--all-hosts takes the latest snapshot"
					   " of every host: no --snapshot or"
					   " --host");
	if (out->percent)
		return usage_error("--all-hosts sums many hosts: -p needs one"
				   " snapshot's MemTotal");
	return 0;
}

static int run_libs(int argc, char **argv, const struct out_opts *out)
{
	static int per_process, all_hosts;
	static const struct option extra[] = {
		{ "per-process", no_argument, &per_process, 1 },
		{ "all-hosts", no_argument, &all_hosts, 1 },
		{ NULL, 0, NULL, 0 }
	};
	struct filters f = { 0 };
	int ret, bad = 0;
	struct table t;
	struct store st;
	int64_t snap, *snaps = NULL;
	size_t nsnaps = 1;

	per_process = all_hosts = 0;
	ret = snapshot_args(argc, argv, &cmd_libs, extra, &f, &st, &snap);
	if (ret >= 0)
		goto out;
	if (all_hosts && ((ret = all_hosts_usage(argc, argv, &f, out)) ||
			  (ret = latest_of_hosts(&st, &snaps, &nsnaps) ? 1 : 0))) {
		store_close(&st);
		goto out;
	}
	if (!all_hosts) {
		snaps = xmalloc(sizeof(*snaps));
		snaps[0] = snap;
	}
	if (per_process) {
		table_init(&t, proc_cols, sizeof(proc_cols) / sizeof(proc_cols[0]));
		t.sort = "map";
	} else {
		table_init(&t, libs_cols, sizeof(libs_cols) / sizeof(libs_cols[0]));
		t.sort = "pss";
	}
	if (fill(&st, snaps, nsnaps, &f, per_process, &t, &bad) < 0)
		ret = 1;
	else if ((ret = all_hosts ? print_snapshot_table(&t, out, &st, snap)
		  : print_view_table(&t, out, &st, snap)) == 0)
		ret = bad;	/* a bad text was left out: say so at exit */
	table_release(&t);
	store_close(&st);
out:
	free(snaps);
	filters_release(&f);
	return ret;
}

const struct command cmd_libs = {
	"libs", "libs FILE [--snapshot REF | --all-hosts] [filters]"
	" [--per-process]",
	run_libs, 0, OUTPUT_ALL | OUTPUT_WIDE,
};
