/* cmd_check.c - `check FILE`: is a file whole? SQLite's own check, types,
 * references, counts, every blob against its hash, figures against texts. */
#include "analyze.h"
#include "blob.h"
#include "progress.h"
#include "smaps.h"
#include "util.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char schema_sql[];

/* What a blob's text sums to, for the rows that refer to it. */
struct blob_sum {
	int64_t id;
	int parsed;		/* 1: maps or smaps text; 0: another; -1: unread */
	struct smaps_totals t;
};

struct check {
	struct store st;
	sqlite3 *ref;		/* schema.sql run in memory: the declared layout */
	int64_t problems;
	struct blob_sum *sums;	/* by id, ascending */
	size_t nsums, sums_alloc;
	struct progress progress;	/* on a terminal, without -q */
};

/* One problem, one line on stderr: "mapsnap-analyze: 'FILE': ...". */
static void problem(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void problem(struct check *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT(1 << 16);
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	error("'%s': %s", c->st.path, b.data ? b.data : "");
	buf_release(&b);
	c->problems++;
}

/* The file's last SQLite error as a problem: a damaged page, mostly. */
static void sql_problem(struct check *c, const char *what)
{
	problem(c, "cannot %s: %s", what, sqlite3_errmsg(c->st.db));
}

/*
 * Run `sql` (built with sqlite3_mprintf; freed here) on the file; each row
 * is one problem, its first column the text. SQLite's errors are problems
 * too: the checks after this one still run.
 */
static void rows_are_problems(struct check *c, char *sql, const char *what)
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

static void integrity(struct check *c)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(c->st.db, "PRAGMA integrity_check", -1, &q,
			       NULL) != SQLITE_OK) {
		sql_problem(c, "run SQLite's integrity check");
		return;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);

		if (s && strcmp(s, "ok"))
			problem(c, "integrity check: %s", s);
	}
	if (rc != SQLITE_DONE)
		sql_problem(c, "run SQLite's integrity check");
	sqlite3_finalize(q);
}

/* What typeof() says of a value of declared type `decl`; NULL: any. */
static const char *type_name(const char *decl)
{
	static const char *const names[] = { "integer", "text", "blob", "real" };
	size_t i;

	for (i = 0; decl && i < sizeof(names) / sizeof(names[0]); i++)
		if (!sqlite3_stricmp(decl, names[i]))
			return names[i];
	return NULL;
}

/* The table a column refers to, by schema.sql's naming; NULL: none. */
static const char *ref_target(const char *col)
{
	size_t n = strlen(col);

	if (n > 5 && !strcmp(col + n - 5, "_blob"))
		return "blobs";
	if (!strcmp(col, "snapshot_id"))
		return "snapshots";
	if (!strcmp(col, "host_id"))
		return "hosts";
	return NULL;
}

/* Counts and sizes, which are never below 0 (uid: -1 is stored as NULL). */
static const char *const non_negative[] = {
	"snapshots.page_size", "snapshots.procs_seen", "snapshots.procs_captured",
	"snapshots.procs_skipped", "snapshots.bytes_read", "skips.count",
	"meminfo.value", "processes.pid", "processes.ppid",
	"processes.start_time", "processes.uid", "processes.threads",
	"processes.nmaps", "processes.size_kb", "processes.rss_kb",
	"processes.pss_kb", "processes.uss_kb", "processes.shared_kb",
	"processes.swap_kb", "processes.swap_pss_kb", "processes.anon_kb",
	"processes.locked_kb", "blobs.raw_size", "processes.nspid",
	"processes.pidns", "cgroups.current_bytes", "cgroups.max_bytes",
	"cgroups.high_bytes", "cgroups.swap_bytes", "cgroups.anon_bytes",
	"cgroups.file_bytes", "cgroups.kernel_bytes", "cgroups.sock_bytes",
	"cgroups.oom", "cgroups.oom_kill",
};

static int is_non_negative(const char *table, const char *col)
{
	size_t i, n = strlen(table);

	for (i = 0; i < sizeof(non_negative) / sizeof(non_negative[0]); i++)
		if (!strncmp(non_negative[i], table, n) &&
		    non_negative[i][n] == '.' && !strcmp(non_negative[i] + n + 1, col))
			return 1;
	return 0;
}

/*
 * The checks of one column of `table`, whose rows are named by `who` (an
 * SQL expression such as 'processes (snapshot_id 1, pid 42)'): its type,
 * the row it refers to, its range.
 */
static void check_column(struct check *c, const char *table, const char *who,
			 const char *col, const char *decl, int notnull)
{
	const char *type = type_name(decl), *target = ref_target(col);

	if (type)
		rows_are_problems(c, sqlite3_mprintf(
			"SELECT %s || ': %q is ' || typeof(\"%w\") || ', not %s'"
			" FROM \"%w\" WHERE typeof(\"%w\") NOT IN ('%s', '%s')",
			who, col, col, type, table, col, type,
			notnull ? type : "null"), "check the types of rows");
	if (target && strcmp(table, target))
		rows_are_problems(c, sqlite3_mprintf(
			"SELECT %s || ': %q ' || quote(\"%w\") || ' is not in %q'"
			" FROM \"%w\" AS t WHERE \"%w\" IS NOT NULL AND NOT EXISTS"
			" (SELECT 1 FROM \"%w\" WHERE id = t.\"%w\")",
			who, col, col, target, table, col, target, col),
			"resolve references");
	if (is_non_negative(table, col))
		rows_are_problems(c, sqlite3_mprintf(
			"SELECT %s || ': %q is ' || quote(\"%w\") || ', below 0'"
			" FROM \"%w\" WHERE \"%w\" < 0", who, col, col, table, col),
			"check the ranges of rows");
}

/* "'table (k1 ' || quote(k1) || ', k2 ' || quote(k2) || ')'": names a row
 * by its primary key, as schema.sql declares it. */
static char *row_name(struct check *c, const char *table)
{
	struct buf b = BUF_INIT(1 << 16);
	sqlite3_stmt *q = NULL;
	int n = 0;

	sqlite3_prepare_v2(c->ref, "SELECT name FROM pragma_table_info(?1)"
			   " WHERE pk > 0 ORDER BY pk", -1, &q, NULL);
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	buf_addf(&b, "'%s (", table);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(q, 0);

		buf_addf(&b, "%s%s ' || quote(\"%s\") || '", n++ ? ", " : "",
			 k, k);
	}
	buf_addstr(&b, ")'");
	sqlite3_finalize(q);
	return buf_detach(&b, NULL);
}

/* Every column of every table of schema.sql that the file's format has
 * (the store checked that it has them all), with the names made from
 * schema.sql: no quoting of a stranger's names is ever needed. */
static void check_rows(struct check *c)
{
	sqlite3_stmt *q = NULL;
	char *who = NULL, *table = NULL;

	sqlite3_prepare_v2(c->ref, "SELECT m.name, p.name, p.type, p.\"notnull\""
			   " FROM sqlite_schema AS m, pragma_table_info(m.name)"
			   " AS p WHERE m.type = 'table' ORDER BY m.rowid, p.cid",
			   -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		const char *col = (const char *)sqlite3_column_text(q, 1);

		/* an older format's file lacks a later step's columns */
		if (!store_has(&c->st, t, col))
			continue;
		if (!table || strcmp(table, t)) {
			free(table);
			free(who);
			table = xstrdup(t);
			who = row_name(c, t);
		}
		check_column(c, table, who, col,
			     (const char *)sqlite3_column_text(q, 2),
			     sqlite3_column_int(q, 3));
	}
	sqlite3_finalize(q);
	free(table);
	free(who);
}

/* What holds between rows: counts that must agree, values in a set. */
static const char *const rules[] = {
	"SELECT 'snapshots (id ' || id || '): procs_captured is '"
	" || quote(procs_captured) || ' but it has ' || n || ' processes'"
	" FROM (SELECT id, procs_captured, (SELECT count(*) FROM processes"
	" WHERE snapshot_id = s.id) AS n FROM snapshots AS s)"
	" WHERE procs_captured IS NOT n",
	"SELECT 'snapshots (id ' || id || '): procs_skipped is '"
	" || quote(procs_skipped) || ' but its skips add up to '"
	" || CAST(n AS INTEGER) FROM (SELECT id, procs_skipped,"
	" (SELECT total(count) FROM skips"
	" WHERE snapshot_id = s.id) AS n FROM snapshots AS s)"
	" WHERE procs_skipped IS NOT CAST(n AS INTEGER)",
	"SELECT 'snapshots (id ' || id || '): source ' || quote(source)"
	" || ' is not smaps, maps or rollup' FROM snapshots"
	" WHERE source NOT IN ('smaps', 'maps', 'rollup')",
	"SELECT 'processes (snapshot_id ' || snapshot_id || ', pid ' || pid"
	" || '): text_kind ' || quote(text_kind) || ' is not smaps, maps or"
	" rollup' FROM processes WHERE text_kind NOT IN ('smaps', 'maps', 'rollup')",
	"SELECT 'meta: format is not ''mapsnap''' WHERE NOT EXISTS"
	" (SELECT 1 FROM meta WHERE key = 'format' AND value = 'mapsnap')",
};

/* Every blob, one at a time, through the decoder every reader uses. */
static void check_blobs(struct check *c, int64_t *nblobs, int64_t *bytes)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	sqlite3_stmt *ids = NULL, *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(c->st.db, "SELECT id FROM blobs ORDER BY id",
			       -1, &ids, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->st.db, "SELECT raw_size, codec, data, hash"
			       " FROM blobs WHERE id = ?1", -1, &q,
			       NULL) != SQLITE_OK) {
		sql_problem(c, "read blobs");
		goto out;
	}
	while ((rc = sqlite3_step(ids)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(ids, 0);
		struct blob_sum *sum;
		char why[160];
		int r;

		if (c->nsums == c->sums_alloc) {
			c->sums_alloc = c->sums_alloc ? 2 * c->sums_alloc : 256;
			c->sums = xreallocarray(c->sums, c->sums_alloc,
						sizeof(*c->sums));
		}
		progress_show(&c->progress, "%zu blobs checked", c->nsums);
		sum = &c->sums[c->nsums++];
		memset(sum, 0, sizeof(*sum));
		sum->id = id;
		sum->parsed = -1;
		sqlite3_bind_int64(q, 1, id);
		r = sqlite3_step(q);
		if (r == SQLITE_ROW) {
			const struct blob_stored b = store_blob_row(q);

			buf_reset(&text);
			if (blob_unpack(&b, &text, why, sizeof(why)) < 0) {
				problem(c, "blob %lld %s", (long long)id, why);
			} else {
				*bytes += (int64_t)text.len;
				sum->parsed = smaps_sum(text.data ? text.data : "",
							text.len, &sum->t, why,
							sizeof(why)) == 0;
			}
		} else {
			problem(c, "blob %lld cannot be read: %s", (long long)id,
				sqlite3_errmsg(c->st.db));
		}
		sqlite3_reset(q);
		++*nblobs;
	}
	if (rc != SQLITE_DONE)
		sql_problem(c, "list blobs");
out:
	sqlite3_finalize(ids);
	sqlite3_finalize(q);
	buf_release(&text);
}

/* The sums of the blob whose id is column `col` of q's row; NULL when there
 * is none or it could not be read (a problem said so already). */
static const struct blob_sum *find_sum(const struct check *c, sqlite3_stmt *q,
				       int col)
{
	int64_t id = sqlite3_column_int64(q, col);
	size_t lo = 0, hi = c->nsums;

	if (sqlite3_column_type(q, col) != SQLITE_INTEGER)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->sums[mid].id == id)
			return c->sums[mid].parsed >= 0 ? &c->sums[mid] : NULL;
		if (c->sums[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One figure of a process row against what its text sums to. */
static void compare(struct check *c, sqlite3_stmt *q, int col, uint64_t want)
{
	if (sqlite3_column_type(q, col) != SQLITE_INTEGER ||
	    (uint64_t)sqlite3_column_int64(q, col) == want)
		return;
	problem(c, "processes (snapshot_id %lld, pid %lld): %s is %lld but its"
		" text sums to %llu", (long long)sqlite3_column_int64(q, 0),
		(long long)sqlite3_column_int64(q, 1), sqlite3_column_name(q, col),
		(long long)sqlite3_column_int64(q, col), (unsigned long long)want);
}

/* Columns 7 to 14 of check_totals' query: rss_kb to locked_kb. */
static void compare_usage(struct check *c, sqlite3_stmt *q,
			  const struct smaps_totals *t)
{
	const uint64_t v[] = { t->rss, t->pss, t->uss, t->shared, t->swap,
			       t->swap_pss, t->anonymous, t->locked };
	int i;

	for (i = 0; i < 8; i++)
		compare(c, q, 7 + i, v[i]);
}

/*
 * The figures of each process row are summed from its text at capture
 * (from its smaps_rollup text with --rollup): they must still be, or the
 * row points at another text than its own, or a figure changed.
 */
static void check_totals(struct check *c)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(c->st.db, "SELECT snapshot_id, pid, text_kind,"
			       " text_blob, rollup_blob, nmaps, size_kb, rss_kb,"
			       " pss_kb, uss_kb, shared_kb, swap_kb, swap_pss_kb,"
			       " anon_kb, locked_kb FROM processes", -1, &q,
			       NULL) != SQLITE_OK) {
		sql_problem(c, "read processes");
		return;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const struct blob_sum *text = find_sum(c, q, 3), *use = text;
		const char *kind = (const char *)sqlite3_column_text(q, 2);
		int rollup = kind && !strcmp(kind, "rollup");

		if (!text)
			continue;	/* none, or already a problem */
		if (!text->parsed) {
			if (sqlite3_column_int64(q, 5) != 0)
				problem(c, "processes (snapshot_id %lld, pid %lld):"
					" its text is not maps or smaps, yet nmaps"
					" is %lld", (long long)sqlite3_column_int64(q, 0),
					(long long)sqlite3_column_int64(q, 1),
					(long long)sqlite3_column_int64(q, 5));
			continue;
		}
		compare(c, q, 5, rollup ? 0 : text->t.nmaps);
		compare(c, q, 6, rollup ? 0 : text->t.size);
		if (sqlite3_column_type(q, 4) != SQLITE_NULL)
			use = find_sum(c, q, 4);
		else if (!rollup && (!kind || strcmp(kind, "smaps")))
			use = NULL;	/* maps only: no usage figures */
		if (use && use->parsed == 1)
			compare_usage(c, q, &use->t);
	}
	if (rc != SQLITE_DONE)
		sql_problem(c, "read processes");
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
		if (ch == OPT_HELP) {
			command_help(&cmd_check);
			printf("  -q, --quiet   print nothing when FILE is whole\n");
			return 0;
		}
		if (ch != 'q')
			return usage_error("see 'check --help'");
		quiet = 1;
	}
	if (argc - optind != 1)
		return usage_error("check takes one FILE");
	if (sqlite3_open_v2(":memory:", &c.ref, SQLITE_OPEN_READWRITE, NULL) ||
	    sqlite3_exec(c.ref, schema_sql, NULL, NULL, NULL)) {
		error("cannot build the reference schema: %s",
		      sqlite3_errmsg(c.ref));
		sqlite3_close(c.ref);
		return 1;
	}
	if (store_open(&c.st, argv[optind], STORE_READ) < 0) {
		sqlite3_close(c.ref);
		return 1;
	}
	progress_init(&c.progress);
	c.progress.enabled &= !quiet;
	/* one read transaction: every check sees the same file */
	if (sqlite3_exec(c.st.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		sql_problem(&c, "read");
	integrity(&c);
	check_rows(&c);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		rows_are_problems(&c, sqlite3_mprintf("%s", rules[i]),
				  "check how rows agree");
	check_blobs(&c, &nblobs, &bytes);
	check_totals(&c);
	nsnaps = count(&c, "snapshots");
	nprocs = count(&c, "processes");
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
	sqlite3_close(c.ref);
	free(c.sums);
	return c.problems ? 1 : 0;
}

const struct command cmd_check = {
	"check", "check [-q] FILE", run_check, 0, OUTPUT_NONE,
};
