/* cmd_check.c - `check FILE`: is a file whole? SQLite's own check, types,
 * keys, CHECKs, references, counts, blobs by hash, figures against texts. */
#include "analyze.h"
#include "blob.h"
#include "progress.h"
#include "smaps.h"
#include "util.h"

#include <assert.h>
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* What a blob's text sums to, for the rows that refer to it. */
struct blob_sum {
	int64_t id;
	int parsed;		/* 1: maps or smaps text; 0: another; -1: unread */
	struct smaps_totals t;
};

struct check {
	struct store st;
	sqlite3 *ref;		/* schema.sql run in memory: the declared layout */
	sqlite3_stmt *key_cols;	/* on ref: the columns of a key (key_sql_make) */
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

/* Counts and sizes, which are never below 0 (uid: -1 is stored as NULL).
 * blobs.raw_size is not here: schema.sql's CHECK says it (check_checks). */
static const char *const non_negative[] = {
	"snapshots.page_size", "snapshots.procs_seen", "snapshots.procs_captured",
	"snapshots.procs_skipped", "snapshots.bytes_read", "skips.count",
	"meminfo.value", "processes.pid", "processes.ppid",
	"processes.start_time", "processes.uid", "processes.threads",
	"processes.nmaps", "processes.size_kb", "processes.rss_kb",
	"processes.pss_kb", "processes.uss_kb", "processes.shared_kb",
	"processes.swap_kb", "processes.swap_pss_kb", "processes.anon_kb",
	"processes.locked_kb",
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
 * NULL only where allowed, the row it refers to, its range.
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
	else if (notnull)
		rows_are_problems(c, sqlite3_mprintf(
			"SELECT %s || ': %q is null' FROM \"%w\" WHERE \"%w\" IS NULL",
			who, col, table, col), "check the types of rows");
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

/*
 * SQL about one key of `table` in the reference, the columns of unique
 * index `index` in order (NULL: of the primary key, else the rowid):
 * `name` names a row by them, as 'processes (snapshot_id ' ||
 * quote("snapshot_id") || ', pid ' || quote("pid") || ')'; `group` lists
 * them for GROUP BY, each with its collation; `present` holds when none
 * is NULL. The names are schema.sql's.
 */
struct key_sql {
	char *name, *group, *present;	/* sqlite3_free() them */
};

static void key_sql_release(struct key_sql *k)
{
	sqlite3_free(k->name);
	sqlite3_free(k->group);
	sqlite3_free(k->present);
	memset(k, 0, sizeof(*k));
}

/* 0, or -1 when out of memory or the key has no column (not printed). */
static int key_sql_make(struct check *c, const char *table, const char *index,
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

/* How messages name a row of `table`: by its primary key. NULL when out
 * of memory; sqlite3_free() it. */
static char *row_name(struct check *c, const char *table)
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

/*
 * Every column of every table of schema.sql (the store checked that the
 * file has them all), with the names made from schema.sql: no quoting of
 * a stranger's names is ever needed. A primary key is never NULL there (a
 * rowid alias cannot be, WITHOUT ROWID makes it NOT NULL), but may be in
 * a stranger's table that declares none.
 */
static void check_rows(struct check *c)
{
	sqlite3_stmt *q = NULL;
	char *who = NULL, *table = NULL;

	sqlite3_prepare_v2(c->ref, "SELECT m.name, p.name, p.type,"
			   " p.\"notnull\" OR p.pk > 0 FROM sqlite_schema AS m,"
			   " pragma_table_info(m.name) AS p WHERE m.type = 'table'"
			   " ORDER BY m.rowid, p.cid", -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);

		if (!table || strcmp(table, t)) {
			free(table);
			sqlite3_free(who);
			table = xstrdup(t);
			who = row_name(c, t);
		}
		if (!who)
			rows_are_problems(c, NULL, "check rows");
		else
			check_column(c, table, who,
				     (const char *)sqlite3_column_text(q, 1),
				     (const char *)sqlite3_column_text(q, 2),
				     sqlite3_column_int(q, 3));
	}
	sqlite3_finalize(q);
	free(table);
	sqlite3_free(who);
}

/*
 * Every unique key of schema.sql, which a stranger's table may not
 * declare: the unique indexes of the reference (UNIQUE, and the primary
 * keys of WITHOUT ROWID tables) and its rowid aliases. One GROUP BY per
 * key, which walks the file's own index when it has one. Rows with a NULL
 * in the key are apart, as SQLite's UNIQUE has them (check_rows reports
 * the NULL where it is not allowed).
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
		struct key_sql k;

		if (key_sql_make(c, table, (const char *)sqlite3_column_text(q, 2),
				 &k) < 0)
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
static const char *skip_blank(const char *p)
{
	for (;;) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

static int is_word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '$';
}

/* The end of the SQL token at p: a quoted string or name, a run of word
 * characters, or one character. */
static const char *token_end(const char *p)
{
	char close = *p == '[' ? ']' : *p;

	if (*p && strchr("'\"`[", *p)) {
		for (p++; *p; p++) {
			if (*p != close)
				continue;
			if (close != ']' && p[1] == close)
				p++;	/* a doubled quote stands for itself */
			else
				return p + 1;
		}
		return p;
	}
	if (!is_word_char(*p))
		return *p ? p + 1 : p;
	while (is_word_char(*p))
		p++;
	return p;
}

static int token_is(const char *p, const char *end, const char *word)
{
	return (size_t)(end - p) == strlen(word) &&
	       !sqlite3_strnicmp(p, word, (int)(end - p));
}

/* Does the token start a table constraint, not a column definition? */
static int starts_constraint(const char *p, const char *end)
{
	return token_is(p, end, "CONSTRAINT") || token_is(p, end, "PRIMARY") ||
	       token_is(p, end, "UNIQUE") || token_is(p, end, "CHECK") ||
	       token_is(p, end, "FOREIGN");
}

/*
 * The CHECK whose parenthesised expression follows p, in the definition
 * of column `col` (NULL: a table constraint): every row of `table` for
 * which it is false breaks it (NULL passes, as in SQLite). Returns the
 * end of the expression's ")".
 */
static const char *check_expr(struct check *c, const char *table,
			      const char *who, const char *col, const char *p)
{
	const char *open = skip_blank(p), *close;
	int depth = 0;
	char *expr;

	assert(*open == '(');	/* SQLite ran schema.sql */
	for (close = open; *close; close = skip_blank(token_end(close)))
		if (*close == '(')
			depth++;
		else if (*close == ')' && --depth == 0)
			break;
	expr = sqlite3_mprintf("%.*s", (int)(close - open - 1), open + 1);
	if (!expr)
		rows_are_problems(c, NULL, "check CHECKs");
	else if (col)
		rows_are_problems(c, sqlite3_mprintf("SELECT %s || ': %q ' ||"
			" quote(\"%w\") || ' fails CHECK (%q)' FROM \"%w\""
			" WHERE NOT (%s)", who, col, col, expr, table, expr),
			"check CHECKs");
	else
		rows_are_problems(c, sqlite3_mprintf("SELECT %s || ': fails"
			" CHECK (%q)' FROM \"%w\" WHERE NOT (%s)", who, expr,
			table, expr), "check CHECKs");
	sqlite3_free(expr);
	return *close ? close + 1 : close;
}

/*
 * The CHECKs of one CREATE TABLE text of the reference. SQLite lists no
 * CHECK constraint, so they are read from that text: schema.sql's own,
 * compiled in (no stranger's text is parsed here). Each CHECK at the
 * depth of the column list, with the column whose definition holds it,
 * so that a CHECK added to schema.sql is checked with no change here.
 */
static void check_table_checks(struct check *c, const char *table,
			       const char *who, const char *sql)
{
	const char *p, *end;
	char *col = NULL;
	int depth = 0, starts = 0;	/* starts: a definition begins */

	for (p = skip_blank(sql); *p; p = skip_blank(end)) {
		end = token_end(p);
		if (*p == '(' || *p == ')') {
			depth += *p == '(' ? 1 : -1;
			starts = depth == 1 && *p == '(';
		} else if (depth != 1) {
			continue;
		} else if (*p == ',') {
			starts = 1;
		} else if (token_is(p, end, "CHECK")) {
			end = check_expr(c, table, who, starts ? NULL : col, end);
			starts = 0;
		} else if (starts) {
			sqlite3_free(col);
			col = starts_constraint(p, end) || !is_word_char(*p) ? NULL
				: sqlite3_mprintf("%.*s", (int)(end - p), p);
			starts = 0;
		}
	}
	sqlite3_free(col);
}

/* Every CHECK of schema.sql, which a stranger's table may not declare. */
static void check_checks(struct check *c)
{
	sqlite3_stmt *q = NULL;

	sqlite3_prepare_v2(c->ref, "SELECT name, sql FROM sqlite_schema"
			   " WHERE type = 'table' ORDER BY rowid", -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(q, 0);
		char *who = row_name(c, table);

		if (who)
			check_table_checks(c, table, who,
					   (const char *)sqlite3_column_text(q, 1));
		else
			rows_are_problems(c, NULL, "check CHECKs");
		sqlite3_free(who);
	}
	sqlite3_finalize(q);
}

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
/*
 * check judges the stored values themselves, their types and NULLs,
 * which lib/rows.h's readers map to unknowns; so it reads processes raw.
 * The columns of that read, named once: TC_* is each one's position.
 */
static const char *const total_cols[] = {
	"snapshot_id", "pid", "text_kind", "text_blob", "rollup_blob", "nmaps",
	"size_kb", "rss_kb", "pss_kb", "uss_kb", "shared_kb", "swap_kb",
	"swap_pss_kb", "anon_kb", "locked_kb",
};
enum { TC_SNAP, TC_PID, TC_KIND, TC_TEXT, TC_ROLLUP, TC_NMAPS, TC_SIZE,
       TC_USAGE };

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
		" text sums to %llu", (long long)sqlite3_column_int64(q, TC_SNAP),
		(long long)sqlite3_column_int64(q, TC_PID), total_cols[col],
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
		compare(c, q, TC_USAGE + i, v[i]);
}

/*
 * The figures of each process row are summed from its text at capture
 * (from its smaps_rollup text with --rollup): they must still be, or the
 * row points at another text than its own, or a figure changed.
 */
static void check_totals(struct check *c)
{
	struct buf sql = BUF_INIT(1 << 12);
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(total_cols) / sizeof(total_cols[0]); i++)
		buf_addf(&sql, "%s%s", i ? ", " : "SELECT ", total_cols[i]);
	buf_addstr(&sql, " FROM processes");
	rc = sqlite3_prepare_v2(c->st.db, sql.data, -1, &q, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK) {
		sql_problem(c, "read processes");
		return;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const struct blob_sum *text = find_sum(c, q, TC_TEXT), *use = text;
		const char *kind = (const char *)sqlite3_column_text(q, TC_KIND);
		int rollup = kind && !strcmp(kind, "rollup");

		if (!text)
			continue;	/* none, or already a problem */
		if (!text->parsed) {
			if (sqlite3_column_int64(q, TC_NMAPS) != 0)
				problem(c, "processes (snapshot_id %lld, pid %lld):"
					" its text is not maps or smaps, yet nmaps"
					" is %lld",
					(long long)sqlite3_column_int64(q, TC_SNAP),
					(long long)sqlite3_column_int64(q, TC_PID),
					(long long)sqlite3_column_int64(q, TC_NMAPS));
			continue;
		}
		compare(c, q, TC_NMAPS, rollup ? 0 : text->t.nmaps);
		compare(c, q, TC_SIZE, rollup ? 0 : text->t.size);
		if (sqlite3_column_type(q, TC_ROLLUP) != SQLITE_NULL)
			use = find_sum(c, q, TC_ROLLUP);
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
	/* one read transaction: every check sees the same file */
	if (sqlite3_exec(c.st.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		sql_problem(&c, "read");
	integrity(&c);
	check_rows(&c);
	check_keys(&c);
	check_checks(&c);
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
	sqlite3_finalize(c.key_cols);
	sqlite3_close(c.ref);
	free(c.sums);
	return c.problems ? 1 : 0;
}

const struct command cmd_check = {
	"check", "check [-q] FILE", run_check, 0, OUTPUT_NONE,
};
