/* cmd_check.c - `check FILE`: is a file whole? SQLite's own check (on a
 * thread of its own), every blob by hash, every row (check_rows.c), the
 * unique keys the file does not enforce itself, counts that must agree. */
#include "check.h"
#include "blob.h"
#include "pool.h"
#include "util.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Problems held while the integrity check runs, at most: past that, the
 * rest waits for it instead. */
#define HELD_MAX ((size_t)1 << 20)

static void side_join(struct check *c);

void problem(struct check *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT(1 << 16);
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->sidecar && c->held.len < HELD_MAX)	/* each with its NUL */
		buf_add(&c->held, b.data ? b.data : "", b.len + 1);
	else {
		side_join(c);
		error("'%s': %s", c->st.path, b.data ? b.data : "");
	}
	buf_release(&b);
}

/* The file's last SQLite error as a problem: a damaged page, mostly. */
void sql_problem(struct check *c, const char *what)
{
	problem(c, "cannot %s: %s", what, sqlite3_errmsg(c->st.db));
}

/*
 * Run `sql` (built with sqlite3_mprintf; freed here) on the file; each row
 * is one problem, its first column the text. SQLite's errors are problems
 * too: the checks after this one still run.
 */
void rows_are_problems(struct check *c, char *sql, const char *what)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (!sql) {
		error("out of memory");
		c->problems++;
		return;
	}
	if (sqlite3_prepare_v2(c->st.db, sql, -1, &q, NULL) != SQLITE_OK) {
		sql_problem(c, what);
		goto out;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);

		problem(c, "%s", s ? s : "a row with no key");
	}
	if (rc != SQLITE_DONE)
		sql_problem(c, what);
out:
	sqlite3_finalize(q);
	sqlite3_free(sql);
}

/* The lines of PRAGMA integrity_check on db, appended to out, each with
 * its NUL; their number, or -1 with out holding SQLite's message when it
 * cannot run. */
static int64_t integrity_lines(sqlite3 *db, struct buf *out)
{
	sqlite3_stmt *q = NULL;
	int64_t n = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q,
			       NULL) != SQLITE_OK) {
		buf_addstr(out, sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);

		if (s && strcmp(s, "ok")) {
			buf_addf(out, "integrity check: %s", s);
			buf_addch(out, '\0');
			n++;
		}
	}
	if (rc != SQLITE_DONE) {
		buf_reset(out);
		buf_addstr(out, sqlite3_errmsg(db));
		n = -1;
	}
	sqlite3_finalize(q);
	return n;
}

/* Report integrity_lines' result: its lines, or why it could not run. */
static void say_integrity(struct check *c, int64_t n, const struct buf *lines)
{
	const char *p = lines->data ? lines->data : "";

	if (n < 0) {
		problem(c, "cannot run SQLite's integrity check: %s", p);
		return;
	}
	for (; lines->data && p < lines->data + lines->len; p += strlen(p) + 1)
		problem(c, "%s", p);
}

/* The sidecar: integrity_check on a connection of its own, opened for
 * it by the main thread; it prints nothing. */
static void *side_main(void *arg)
{
	struct check *c = arg;

	c->side_problems = integrity_lines(c->side.db, &c->side_lines);
	return NULL;
}

/*
 * SQLite's integrity check reads every page: about as long as the rest
 * of check together, so it runs on another core meanwhile. Only where
 * both connections see the same file: in rollback mode, once this one
 * holds its read lock no writer can commit; a file in WAL mode may move
 * on between the two, so there it runs here first.
 */
static void integrity(struct check *c)
{
	struct buf lines = BUF_INIT(1 << 20);
	sqlite3_stmt *q = NULL;
	int wal = 0;

	if (sqlite3_prepare_v2(c->st.db, "PRAGMA journal_mode", -1, &q,
			       NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		wal = !sqlite3_stricmp((const char *)sqlite3_column_text(q, 0),
				       "wal");
	sqlite3_finalize(q);
	buf_init(&c->side_lines, 1 << 20);
	buf_init(&c->held, HELD_MAX + (1 << 16));
	if (!wal && store_open(&c->side, c->st.path, STORE_READ) == 0) {
		if (pthread_create(&c->thread, NULL, side_main, c) == 0) {
			c->sidecar = 1;
			return;
		}
		store_close(&c->side);
	}
	say_integrity(c, integrity_lines(c->st.db, &lines), &lines);
	buf_release(&lines);
}

/* Wait for the sidecar, say what it found, then what was held. */
static void side_join(struct check *c)
{
	const char *p;

	if (!c->sidecar)
		return;
	pthread_join(c->thread, NULL);
	store_close(&c->side);
	c->sidecar = 0;
	say_integrity(c, c->side_problems, &c->side_lines);
	for (p = c->held.data; p && p < c->held.data + c->held.len;
	     p += strlen(p) + 1)
		error("'%s': %s", c->st.path, p);
	buf_release(&c->held);
	buf_release(&c->side_lines);
}

void key_sql_release(struct key_sql *k)
{
	sqlite3_free(k->name);
	sqlite3_free(k->group);
	sqlite3_free(k->present);
	memset(k, 0, sizeof(*k));
}

int key_sql_make(struct check *c, const char *table, const char *index,
		 struct key_sql *k)
{
	sqlite3_str *name, *group, *present;
	int n = 0;

	memset(k, 0, sizeof(*k));
	if (!c->key_cols &&
	    sqlite3_prepare_v2(c->ref, "SELECT seqno, name, coll"
			       " FROM pragma_index_xinfo(?2) WHERE key"
			       " UNION ALL SELECT pk, name, 'BINARY'"
			       " FROM pragma_table_info(?1) WHERE pk > 0"
			       " AND ?2 IS NULL UNION ALL SELECT 0, 'rowid',"
			       " 'BINARY' WHERE ?2 IS NULL AND NOT EXISTS"
			       " (SELECT 1 FROM pragma_table_info(?1) WHERE pk > 0)"
			       " ORDER BY 1", -1, &c->key_cols, NULL) != SQLITE_OK)
		return -1;
	name = sqlite3_str_new(NULL);
	group = sqlite3_str_new(NULL);
	present = sqlite3_str_new(NULL);
	sqlite3_bind_text(c->key_cols, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->key_cols, 2, index, -1, SQLITE_STATIC);
	sqlite3_str_appendf(name, "'%q (", table);
	while (sqlite3_step(c->key_cols) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(c->key_cols, 1);
		const char *coll = (const char *)sqlite3_column_text(c->key_cols, 2);

		sqlite3_str_appendf(name, "%s%q ' || quote(\"%w\") || '",
				    n ? ", " : "", col, col);
		sqlite3_str_appendf(group, "%s\"%w\" COLLATE \"%w\"",
				    n ? ", " : "", col, coll);
		sqlite3_str_appendf(present, "%s\"%w\" IS NOT NULL",
				    n ? " AND " : "", col);
		n++;
	}
	sqlite3_reset(c->key_cols);
	sqlite3_str_appendall(name, ")'");
	k->name = sqlite3_str_finish(name);
	k->group = sqlite3_str_finish(group);
	k->present = sqlite3_str_finish(present);
	return n && k->name && k->group && k->present ? 0 : -1;
}

char *row_name(struct check *c, const char *table)
{
	struct key_sql k;
	char *name;

	if (key_sql_make(c, table, NULL, &k) < 0) {
		key_sql_release(&k);
		return NULL;
	}
	name = k.name;
	k.name = NULL;
	key_sql_release(&k);
	return name;
}

/* The key columns of index `index` of db, with their collations, as
 * "name coll," lines in out (reset first). */
static void key_list(sqlite3 *db, const char *index, struct buf *out)
{
	sqlite3_stmt *q = NULL;

	buf_reset(out);
	buf_addstr(out, "");
	if (sqlite3_prepare_v2(db, "SELECT name, coll FROM pragma_index_xinfo(?1)"
			       " WHERE key ORDER BY seqno", -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, index, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW)
		buf_addf(out, "%s %s,", sqlite3_column_text(q, 0),
			 sqlite3_column_text(q, 1));
	sqlite3_finalize(q);
}

/* Is the file's `table` a rowid table whose primary key is one INTEGER
 * column: a rowid alias, as schema.sql's own are? */
static int file_rowid_alias(struct check *c, const char *table)
{
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(c->st.db, "SELECT count(*) = 1 AND"
			       " sum(upper(type) = 'INTEGER') = 1 AND NOT EXISTS"
			       " (SELECT 1 FROM pragma_index_list(?1) WHERE"
			       " origin = 'pk') FROM pragma_table_info(?1)"
			       " WHERE pk > 0", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
		r = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
	}
	sqlite3_finalize(q);
	return r;
}

/*
 * Does the file itself keep key `index` of `table` (NULL: the rowid
 * alias) unique: with a UNIQUE index of its own on the same columns in
 * the same order and collations (a WITHOUT ROWID primary key is one), or
 * a rowid alias as well? Then SQLite keeps it so, and the integrity check
 * finds a page where it is not ("row not in PRIMARY KEY order",
 * "non-unique entry in index", "Rowid out of order"): no GROUP BY needed.
 */
static int file_enforces(struct check *c, const char *table, const char *index)
{
	struct buf want = BUF_INIT(1 << 16), have = BUF_INIT(1 << 16);
	sqlite3_stmt *q = NULL;
	int r = 0;

	if (!index)
		return file_rowid_alias(c, table);
	key_list(c->ref, index, &want);
	if (sqlite3_prepare_v2(c->st.db, "SELECT name FROM pragma_index_list(?1)"
			       " WHERE \"unique\"", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
		while (!r && sqlite3_step(q) == SQLITE_ROW) {
			key_list(c->st.db, (const char *)sqlite3_column_text(q, 0),
				 &have);
			r = want.len && !strcmp(want.data, have.data);
		}
	}
	sqlite3_finalize(q);
	buf_release(&want);
	buf_release(&have);
	return r;
}

/*
 * Every unique key of schema.sql that a stranger's table does not keep
 * itself: the unique indexes of the reference (UNIQUE, and the primary
 * keys of WITHOUT ROWID tables) and its rowid aliases. One GROUP BY per
 * such key. Rows with a NULL in the key are apart, as SQLite's UNIQUE has
 * them (check_tables reports the NULL where it is not allowed).
 */
static void check_keys(struct check *c)
{
	sqlite3_stmt *q = NULL;

	sqlite3_prepare_v2(c->ref, "SELECT m.rowid, m.name, l.name FROM"
			   " sqlite_schema AS m, pragma_index_list(m.name) AS l"
			   " WHERE m.type = 'table' AND l.\"unique\" UNION ALL"
			   " SELECT m.rowid, m.name, NULL FROM sqlite_schema AS m"
			   " WHERE m.type = 'table' AND NOT EXISTS (SELECT 1 FROM"
			   " pragma_index_list(m.name) WHERE origin = 'pk') AND"
			   " EXISTS (SELECT 1 FROM pragma_table_info(m.name)"
			   " WHERE pk > 0) ORDER BY 1, 3", -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(q, 1);
		const char *index = (const char *)sqlite3_column_text(q, 2);
		struct key_sql k;

		if (file_enforces(c, table, index))
			continue;
		if (key_sql_make(c, table, index, &k) < 0)
			rows_are_problems(c, NULL, "check unique keys");
		else
			rows_are_problems(c, sqlite3_mprintf(
				"SELECT %s || ': ' || count(*) || ' rows have this"
				" key, which must be unique' FROM \"%w\" WHERE %s"
				" GROUP BY %s HAVING count(*) > 1", k.name, table,
				k.present, k.group), "check unique keys");
		key_sql_release(&k);
	}
	sqlite3_finalize(q);
}

/* p past spaces and comments of SQL text. */
#define HEX4 "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]"

/*
 * What holds between rows (counts that must agree) and what schema.sql
 * only says in words: the format of the file, the form of a uuid (merge
 * tells snapshots apart by its text, and `--snapshot` finds one by its
 * lowercase hex digits).
 */
static const char *const rules[] = {
	"SELECT 'snapshots (id ' || quote(id) || '): procs_captured is '"
	" || quote(procs_captured) || ' but it has ' || n || ' processes'"
	" FROM (SELECT id, procs_captured, (SELECT count(*) FROM processes"
	" WHERE snapshot_id = s.id) AS n FROM snapshots AS s)"
	" WHERE procs_captured IS NOT n",
	"SELECT 'snapshots (id ' || quote(id) || '): procs_skipped is '"
	" || quote(procs_skipped) || ' but its skips add up to '"
	" || CAST(n AS INTEGER) FROM (SELECT id, procs_skipped,"
	" (SELECT total(count) FROM skips"
	" WHERE snapshot_id = s.id) AS n FROM snapshots AS s)"
	" WHERE procs_skipped IS NOT CAST(n AS INTEGER)",
	"SELECT 'snapshots (id ' || quote(id) || '): uuid ' || quote(uuid)"
	" || ' is not a UUID in lowercase with hyphens' FROM snapshots"
	" WHERE typeof(uuid) = 'text' AND uuid NOT GLOB '" HEX4 HEX4 "-" HEX4
	"-" HEX4 "-" HEX4 "-" HEX4 HEX4 HEX4 "'",
	"SELECT 'meta: format is not ''mapsnap''' WHERE NOT EXISTS"
	" (SELECT 1 FROM meta WHERE key = 'format' AND value = 'mapsnap')",
};

/* Rules on a table of a later format step: run when the file has it. */
static const struct {
	const char *table, *sql;
} step_rules[] = {
	{ "skipped_pids",
	  "SELECT 'snapshots (id ' || k.snapshot_id || '): ' || count(*) || ' '"
	  " || k.reason || ' skips named in skipped_pids, but skips counts '"
	  " || ifnull(s.count, 0) FROM skipped_pids AS k LEFT JOIN skips AS s"
	  " ON s.snapshot_id = k.snapshot_id AND s.reason = k.reason GROUP BY"
	  " k.snapshot_id, k.reason HAVING count(*) > ifnull(s.count, 0)" },
};

/* One blob to check, for a worker: its row copied, what it found. */
struct blob_job {
	int64_t id;
	int read;		/* the row could be read (else why says why) */
	struct blob_copy row;
	struct buf text;
	struct blob_sum sum;
	char why[160];		/* "" when it decoded */
};

/* In a worker: decode the row as every reader does, and sum its text. */
static void run_blob(void *ctx, void *job)
{
	struct blob_job *j = job;
	const struct blob_stored b = blob_copy_view(&j->row);
	char err[160];

	(void)ctx;
	memset(&j->sum, 0, sizeof(j->sum));
	j->sum.id = j->id;
	j->sum.parsed = -1;
	if (!j->read)
		return;
	buf_reset(&j->text);
	j->why[0] = '\0';
	if (blob_unpack(&b, &j->text, j->why, sizeof(j->why)) == 0)
		j->sum.parsed = smaps_sum(j->text.data ? j->text.data : "",
					  j->text.len, &j->sum.t, err,
					  sizeof(err)) == 0;
}

/* A job done, in id order: its sums kept, its problem said. */
static void blob_done(struct check *c, struct blob_job *j, int64_t *bytes)
{
	if (c->nsums == c->sums_alloc) {
		c->sums_alloc = c->sums_alloc ? 2 * c->sums_alloc : 256;
		c->sums = xreallocarray(c->sums, c->sums_alloc, sizeof(*c->sums));
	}
	c->sums[c->nsums++] = j->sum;
	progress_show(&c->progress, "%zu blobs checked", c->nsums);
	if (!j->read)
		problem(c, "blob %lld cannot be read: %s", (long long)j->id, j->why);
	else if (j->sum.parsed < 0)
		problem(c, "blob %lld %s", (long long)j->id, j->why);
	else
		*bytes += (int64_t)j->text.len;
}

/* Copy blob id's row into j (or why it cannot be read). */
static void blob_fetch(struct check *c, sqlite3_stmt *q, int64_t id,
		       struct blob_job *j)
{
	struct blob_stored b;

	j->id = id;
	sqlite3_bind_int64(q, 1, id);
	j->read = sqlite3_step(q) == SQLITE_ROW;
	if (!j->read) {
		snprintf(j->why, sizeof(j->why), "%s", sqlite3_errmsg(c->st.db));
	} else {
		b = store_blob_row(q);
		if (blob_copy_set(&j->row, &b) < 0) {
			snprintf(j->why, sizeof(j->why), "%zu bytes do not fit"
				 " the buffer limit", b.n);
			j->read = 0;
		}
	}
	sqlite3_reset(q);
}

/*
 * Every blob once, through the decoder every reader uses, on every core:
 * SQLite's thread copies each row out, workers decode, check and sum
 * them, and they are taken back in id order (c->sums stays sorted).
 */
static void check_blobs(struct check *c, int64_t *nblobs, int64_t *bytes)
{
	struct blob_job jobs[POOL_MAX_JOBS], *j;
	void *v[POOL_MAX_JOBS];
	size_t workers = pool_cores(), n = 2 * workers + 2, i;
	sqlite3_stmt *ids = NULL, *q = NULL;
	struct pool pool;
	int rc = SQLITE_OK;

	for (i = 0; i < n; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		blob_copy_init(&jobs[i].row);
		buf_init(&jobs[i].text, BLOB_MAX_RAW);
		v[i] = &jobs[i];
	}
	pool_start(&pool, workers > 1 ? workers : 0, v, n, run_blob, NULL);
	if (sqlite3_prepare_v2(c->st.db, "SELECT id FROM blobs ORDER BY id",
			       -1, &ids, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->st.db, "SELECT raw_size, codec, data, hash"
			       " FROM blobs WHERE id = ?1", -1, &q,
			       NULL) != SQLITE_OK) {
		sql_problem(c, "read blobs");
		goto out;
	}
	while ((rc = sqlite3_step(ids)) == SQLITE_ROW) {
		while (!(j = pool_job(&pool)))
			blob_done(c, pool_take(&pool), bytes);
		blob_fetch(c, q, sqlite3_column_int64(ids, 0), j);
		pool_submit(&pool);
		++*nblobs;
	}
	while ((j = pool_take(&pool)))
		blob_done(c, j, bytes);
	if (rc != SQLITE_DONE)
		sql_problem(c, "list blobs");
out:
	pool_finish(&pool);
	for (i = 0; i < n; i++) {
		blob_copy_release(&jobs[i].row);
		buf_release(&jobs[i].text);
	}
	sqlite3_finalize(ids);
	sqlite3_finalize(q);
}

static int64_t count(struct check *c, const char *table)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	sqlite3_stmt *q = NULL;
	int64_t n = 0;

	if (sql && sqlite3_prepare_v2(c->st.db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	else
		sql_problem(c, "count rows");
	sqlite3_finalize(q);
	sqlite3_free(sql);
	return n;
}

static int run_check(int argc, char **argv, const struct out_opts *out)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' }, HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	struct check c = { .problems = 0 };
	int64_t nsnaps, nprocs, nblobs = 0, bytes = 0;
	int ch, quiet = 0;
	size_t i;

	(void)out;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		if (ch == OPT_HELP)
			return command_help(&cmd_check);
		if (ch != 'q')
			return usage_error("see 'check --help'");
		quiet = 1;
	}
	if (argc - optind != 1)
		return usage_error("check takes one FILE");
	if (store_open(&c.st, argv[optind], STORE_READ) < 0)
		return 1;
	/* the layout of the file's own format: what an older file lacks is
	 * not a problem of it */
	if (!(c.ref = format_layout(c.st.format.minor))) {
		store_close(&c.st);
		return 1;
	}
	progress_init(&c.progress);
	c.progress.enabled &= !quiet;
	/* one read transaction, its lock taken at once: every check sees the
	 * same file, and so does the integrity check's connection */
	if (sqlite3_exec(c.st.db, "BEGIN; SELECT 1 FROM sqlite_schema", NULL,
			 NULL, NULL) != SQLITE_OK)
		sql_problem(&c, "read");
	integrity(&c);
	check_blobs(&c, &nblobs, &bytes);
	check_tables(&c);
	check_keys(&c);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		rows_are_problems(&c, sqlite3_mprintf("%s", rules[i]),
				  "check how rows agree");
	for (i = 0; i < sizeof(step_rules) / sizeof(step_rules[0]); i++)
		if (store_has(&c.st, step_rules[i].table, NULL))
			rows_are_problems(&c, sqlite3_mprintf("%s",
					  step_rules[i].sql), "check how rows agree");
	nsnaps = count(&c, "snapshots");
	nprocs = count(&c, "processes");
	side_join(&c);
	sqlite3_exec(c.st.db, "COMMIT", NULL, NULL, NULL);
	progress_done(&c.progress);
	if (c.problems)
		error("'%s': %lld problem%s found (%lld snapshots, %lld processes,"
		      " %lld blobs checked)", c.st.path, (long long)c.problems,
		      c.problems == 1 ? "" : "s", (long long)nsnaps,
		      (long long)nprocs, (long long)nblobs);
	else if (!quiet)
		printf("%s: ok: %lld snapshots, %lld processes, %lld blobs"
		       " (%lld bytes of text) checked\n", c.st.path,
		       (long long)nsnaps, (long long)nprocs, (long long)nblobs,
		       (long long)bytes);
	store_close(&c.st);
	sqlite3_finalize(c.key_cols);
	sqlite3_close(c.ref);
	free(c.sums);
	return c.problems ? 1 : 0;
}

const struct command cmd_check = {
	"check", "check [-q] FILE", run_check, 0, OUTPUT_NONE,
};

