/* format.c - the format versions, the ordered list of upgrade steps, and
 * the checks of a file's schema against the layout of its version. */
#include "format.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char schema_sql[];

/*
 * What each minor step added to the layout of the one before. schema.sql
 * is the layout of FORMAT_MINOR; the layout of an older minor is that,
 * less what later steps added (format_reference), and an older file is
 * upgraded by adding it (format_upgrade). A step only adds: a column (its
 * definition, as ALTER TABLE ADD COLUMN takes it, and as schema.sql
 * spells it, at the end of its table), a table or an index (created as
 * schema.sql creates it), or runs SQL that fills what old rows lack.
 * The entries are in step order; a zeroed entry ends the list.
 */
enum change_kind { ADD_COLUMN = 1, ADD_OBJECT, RUN_SQL };

struct format_change {
	int minor;		/* the step that made it */
	enum change_kind kind;
	const char *table;	/* ADD_COLUMN: its table; ADD_OBJECT: its name */
	const char *text;	/* ADD_COLUMN: its definition; RUN_SQL: SQL */
};

static const struct format_change changes[] = {
	/* 1.1 (mapsnap 0.2.0): appended below as they come */
	{ 1, ADD_OBJECT, "skipped_pids", NULL },
	/* capture --reuse: 1 when text_blob is an earlier read's */
	{ 1, ADD_COLUMN, "processes",
	  "text_reused INTEGER CHECK (text_reused IN (0, 1))" },
	/* whose memory: cgroups, containers, namespaces (issue 18) */
	{ 1, ADD_COLUMN, "processes", "cgroup TEXT" },
	{ 1, ADD_COLUMN, "processes", "cgroup_memory TEXT" },
	{ 1, ADD_COLUMN, "processes", "unit TEXT" },
	{ 1, ADD_COLUMN, "processes", "slice TEXT" },
	{ 1, ADD_COLUMN, "processes", "container_runtime TEXT" },
	{ 1, ADD_COLUMN, "processes", "container_id TEXT" },
	{ 1, ADD_COLUMN, "processes", "pod_uid TEXT" },
	{ 1, ADD_COLUMN, "processes", "container_name TEXT" },
	{ 1, ADD_COLUMN, "processes", "nspid INTEGER" },
	{ 1, ADD_COLUMN, "processes", "pidns INTEGER" },
	{ 1, ADD_COLUMN, "processes", "oom_score_adj INTEGER" },
	{ 1, ADD_OBJECT, "cgroups", NULL },
#ifdef MAPSNAP_FORMAT_TEST_STEP
	/* in test builds only: a step as a later release may take */
	{ FORMAT_MINOR, ADD_COLUMN, "processes", "future_kb INTEGER" },
	{ FORMAT_MINOR, ADD_OBJECT, "future", NULL },
	{ FORMAT_MINOR, ADD_OBJECT, "future_by_note", NULL },
	{ FORMAT_MINOR, RUN_SQL, NULL, "INSERT INTO future SELECT id,"
	  " 'upgraded' FROM snapshots" },
#endif
	{ 0, 0, NULL, NULL },
};

#ifdef MAPSNAP_FORMAT_TEST_STEP
/* What the test step's schema.sql would hold besides. */
static const char test_step_sql[] =
	"CREATE TABLE future (snapshot_id INTEGER NOT NULL REFERENCES"
	" snapshots (id) ON DELETE CASCADE, note TEXT NOT NULL);"
	"CREATE INDEX future_by_note ON future (note);"
	"ALTER TABLE processes ADD COLUMN future_kb INTEGER;";
#else
static const char test_step_sql[] = "";
#endif

const char *format_version(void)
{
	static char v[24];

	if (!v[0])
		snprintf(v, sizeof(v), "%d.%d", FORMAT_MAJOR, FORMAT_MINOR);
	return v;
}

/*
 * The errno behind a failed write: SQLite keeps it per file (the
 * database, its journal or WAL), and sqlite3_system_errno() misses a
 * write that failed at COMMIT. 0 when unknown.
 */
static int write_errno(sqlite3 *db)
{
	sqlite3_file *f = NULL;
	int e = 0;

	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
				 &f) == SQLITE_OK && f && f->pMethods &&
	    f->pMethods->xFileControl(f, SQLITE_FCNTL_LAST_ERRNO, &e) ==
	    SQLITE_OK && e > 0)
		return e;
	e = 0;
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &e) !=
	    SQLITE_OK)
		return 0;
	return e > 0 ? e : 0;
}

int format_error(sqlite3 *db, const char *path, const char *what)
{
	int rc = db ? sqlite3_errcode(db) & 0xff : SQLITE_NOMEM;
	int sys = db ? sqlite3_system_errno(db) : 0;

	/* "disk I/O error" alone hides a full disk or a file size limit */
	if (!sys && (rc == SQLITE_IOERR || rc == SQLITE_FULL))
		sys = write_errno(db);
	if ((rc == SQLITE_IOERR || rc == SQLITE_FULL || rc == SQLITE_CANTOPEN) &&
	    sys > 0)
		return error("cannot %s '%s': %s (%s)", what, path,
			     sqlite3_errmsg(db), strerror(sys));
	return error("cannot %s '%s': %s", what, path,
		     db ? sqlite3_errmsg(db) : "out of memory");
}

static int exec_on(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The name a column definition starts with, into name[n]. */
static void column_name(const char *def, char *name, size_t n)
{
	size_t len = strcspn(def, " \t");

	snprintf(name, n, "%.*s", (int)len, def);
}

/* Undo change c in the reference database db: drop what it added. */
static int undo_change(sqlite3 *db, const struct format_change *c)
{
	sqlite3_stmt *q = NULL;
	char *sql = NULL, name[64];
	int r = -1;

	if (c->kind == ADD_COLUMN) {
		column_name(c->text, name, sizeof(name));
		sql = sqlite3_mprintf("ALTER TABLE \"%w\" DROP COLUMN \"%w\"",
				      c->table, name);
	} else if (c->kind == ADD_OBJECT) {
		if (sqlite3_prepare_v2(db, "SELECT upper(type) FROM sqlite_schema"
				       " WHERE name = ?1", -1, &q, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(q, 1, c->table, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW)
			sql = sqlite3_mprintf("DROP %s \"%w\"",
					      sqlite3_column_text(q, 0), c->table);
		sqlite3_finalize(q);
	} else {
		return 0;
	}
	if (sql)
		r = exec_on(db, sql);
	sqlite3_free(sql);
	return r;
}

static sqlite3 *refs[FORMAT_MINOR + 1];
/* The schema of each layout as schema_text() writes it, and its shape
 * (table_shapes()), once made: known_layout() and check_columns()
 * compare files with them. */
static struct buf ref_text[FORMAT_MINOR + 1], ref_shapes[FORMAT_MINOR + 1];

static void refs_close(void)
{
	size_t i;

	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		sqlite3_close(refs[i]);
		refs[i] = NULL;
		buf_release(&ref_text[i]);
		buf_release(&ref_shapes[i]);
	}
}

sqlite3 *format_layout(int m)
{
	sqlite3 *db = NULL;
	size_t n = 0;

	if (m > FORMAT_MINOR)
		m = FORMAT_MINOR;
	while (changes[n].minor)
		n++;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || exec_on(db, schema_sql) < 0 ||
	    exec_on(db, test_step_sql) < 0)
		goto fail;
	while (n-- > 0)
		if (changes[n].minor > m && undo_change(db, &changes[n]) < 0)
			goto fail;
	return db;
fail:
	error("cannot build the layout of format %d.%d: %s", FORMAT_MAJOR, m,
	      db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_close(db);
	return NULL;
}

/*
 * format_layout(m), made once per process and minor (it costs about what
 * opening a file does, and merge opens many), closed at exit; used by the
 * thread that opens stores. NULL (printed) when it cannot be made.
 */
static sqlite3 *format_reference(int m)
{
	static int registered;

	if (refs[m])
		return refs[m];
	if (!registered++)
		atexit(refs_close);
	return refs[m] = format_layout(m);
}

/* The columns of every table of db, as "\ntable.column\n" lines (the
 * leading newline lets a search for "\nt.c\n" match whole names only). */
static int table_shapes(sqlite3 *db, struct buf *out)
{
	static const char sql[] =
		"SELECT m.name, p.name FROM sqlite_schema AS m,"
		" pragma_table_info(m.name) AS p WHERE m.type = 'table'"
		" AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid";
	sqlite3_stmt *st = NULL;
	int rc;

	buf_reset(out);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    buf_addch(out, '\n') < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (buf_addf(out, "%s.%s\n", sqlite3_column_text(st, 0),
			     sqlite3_column_text(st, 1)) < 0)
			rc = SQLITE_NOMEM;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Does the file have table `table`? (Every table has a column.) */
static int format_has_table(const struct format_file *ff, const char *table)
{
	char key[80];
	int n = snprintf(key, sizeof(key), "\n%s.", table);

	return n > 0 && (size_t)n < sizeof(key) && ff->shape.data &&
		memmem(ff->shape.data, ff->shape.len, key, (size_t)n) != NULL;
}

/* The rows of `sql` (one text column) as "\nrow\n" lines into out. */
static int query_lines(sqlite3 *db, const char *sql, struct buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (!out->len)
		buf_addch(out, '\n');
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_addf(out, "%s\n", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int format_has(const struct format_file *ff, const char *table,
	       const char *column)
{
	char key[160];
	int n;

	if (!column)
		return format_has_table(ff, table);
	n = snprintf(key, sizeof(key), "\n%s.%s\n", table, column);
	return n > 0 && (size_t)n < sizeof(key) && ff->shape.data &&
		memmem(ff->shape.data, ff->shape.len, key, (size_t)n) != NULL;
}

void format_file_release(struct format_file *ff)
{
	buf_release(&ff->shape);
	ff->minor = 0;
}

/* The message of a failed read of the schema. -1. */
static int schema_error(sqlite3 *db, const char *path)
{
	return error("cannot read the schema of '%s': %s", path,
		     sqlite3_errmsg(db));
}

/* Does `sql` on db return a row? Its first two columns go to a and b.
 * 1, 0 (none), or -1 (printed). */
static int first_row(sqlite3 *db, const char *path, const char *sql,
		     char *a, char *b, size_t n)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return schema_error(db, path);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		snprintf(a, n, "%s", sqlite3_column_text(q, 0));
		snprintf(b, n, "%s", sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return schema_error(db, path);
	return rc == SQLITE_ROW;
}

/*
 * A stranger's schema may hold more than tables: a view or a trigger that
 * calls load_extension(), an index on an expression, a generated column,
 * a virtual table whose module would parse hostile shadow tables.
 * trusted_schema=OFF keeps SQLite from calling such functions, but none of
 * it belongs in a mapsnap file of any version: a minor step only adds
 * ordinary tables, columns and indexes. Checked before anything reads a
 * table of the file; indexes are checked against the layout's
 * (check_objects, check_new_index). 0 or -1 (printed).
 */
static int check_safe(sqlite3 *db, const char *path)
{
	char a[128], b[128];
	int r;

	if ((r = first_row(db, path, "SELECT type, name FROM sqlite_schema"
			   " WHERE type NOT IN ('table', 'index')", a, b,
			   sizeof(a))) > 0)
		return error("cannot open '%s': its schema has %s '%s', which"
			     " mapsnap does not make", path, a, b);
	if (r == 0 && (r = first_row(db, path, "SELECT type, name FROM"
			   " sqlite_schema WHERE type = 'table' AND (sql IS NULL"
			   " OR sql LIKE 'CREATE VIRTUAL%')", a, b, sizeof(a))) > 0)
		return error("cannot open '%s': its %s '%s' is not the one"
			     " mapsnap makes", path, a, b);
	if (r == 0 && (r = first_row(db, path, "SELECT m.name, p.name FROM"
			   " sqlite_schema AS m, pragma_table_xinfo(m.name) AS p"
			   " WHERE m.type = 'table' AND p.hidden != 0", a, b,
			   sizeof(a))) > 0)
		return error("cannot open '%s': its column %s.%s is generated,"
			     " which mapsnap does not make", path, a, b);
	return r < 0 ? -1 : 0;
}

/*
 * An index that the layout does not know, in a file of a newer minor:
 * one on plain columns, as a minor step may add, or refused (an
 * expression or a WHERE in it is SQL run on read). The known ones have
 * the SQL mapsnap writes, which holds neither. 0 or -1 (printed).
 */
static int check_new_index(sqlite3 *db, const char *path, const char *name)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT l.partial FROM sqlite_schema AS m,"
			       " pragma_index_list(m.tbl_name) AS l WHERE"
			       " m.name = ?1 AND l.name = m.name AND (l.partial"
			       " OR EXISTS (SELECT 1 FROM pragma_index_xinfo(m.name)"
			       " WHERE cid = -2))", -1, &q, NULL) != SQLITE_OK)
		return schema_error(db, path);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		error("cannot open '%s': its index '%s' is %s, which mapsnap"
		      " does not make", path, name, sqlite3_column_int(q, 0)
		      ? "partial" : "on an expression");
	else if (rc != SQLITE_DONE)
		schema_error(db, path);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Every object of the file must be one that the layout ref makes, of the
 * same type and table, an index with the same SQL; a file of a newer
 * minor (`newer`) may hold more, its steps' additions, which check_safe
 * found harmless. SQLite's statistics tables may be there (someone ran
 * ANALYZE). 0 or -1 (printed).
 */
static int check_objects(sqlite3 *db, const char *path, sqlite3 *ref,
			 int newer)
{
	sqlite3_stmt *have = NULL, *want = NULL;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql"
			       " FROM sqlite_schema WHERE NOT (type = 'table' AND"
			       " name IN ('sqlite_stat1', 'sqlite_stat4',"
			       " 'sqlite_sequence'))", -1, &have, NULL) ||
	    sqlite3_prepare_v2(ref, "SELECT type, tbl_name, sql FROM"
			       " sqlite_schema WHERE name = ?1", -1, &want, NULL)) {
		schema_error(db, path);
		goto out;
	}
	while ((rc = sqlite3_step(have)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(have, 0);
		const char *name = (const char *)sqlite3_column_text(have, 1);
		const char *sql = (const char *)sqlite3_column_text(have, 3);
		const char *tbl, *wtype, *wtbl, *wsql;

		sqlite3_reset(want);
		sqlite3_bind_value(want, 1, sqlite3_column_value(have, 1));
		if (sqlite3_step(want) != SQLITE_ROW) {
			if (newer && (strcmp(type, "index") ||
				      check_new_index(db, path, name) == 0))
				continue;
			if (newer)
				goto out;
			error("cannot open '%s': its schema has %s '%s', which"
			      " mapsnap does not make", path, type ? type : "?",
			      name ? name : "?");
			goto out;
		}
		tbl = (const char *)sqlite3_column_text(have, 2);
		wtype = (const char *)sqlite3_column_text(want, 0);
		wtbl = (const char *)sqlite3_column_text(want, 1);
		wsql = (const char *)sqlite3_column_text(want, 2);
		if (!type || !tbl || strcmp(type, wtype) || strcmp(tbl, wtbl) ||
		    (!strcmp(type, "index") &&
		     (!sql != !wsql || (sql && strcmp(sql, wsql))))) {
			error("cannot open '%s': its %s '%s' is not the one"
			      " mapsnap makes", path, type, name);
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		schema_error(db, path);
	else
		ret = 0;
out:
	sqlite3_finalize(have);
	sqlite3_finalize(want);
	return ret;
}

static int table_shapes(sqlite3 *db, struct buf *out);

/* The columns of minor m's layout as table_shapes() gives them, made
 * once per process (merge opens many files). NULL (printed) on failure. */
static const struct buf *reference_shape(int m)
{
	sqlite3 *ref = format_reference(m);

	if (!ref)
		return NULL;
	if (ref_shapes[m].len)
		return &ref_shapes[m];
	buf_init(&ref_shapes[m], 1 << 20);
	if (table_shapes(ref, &ref_shapes[m]) < 0) {
		error("cannot build the reference schema: %s", sqlite3_errmsg(ref));
		buf_release(&ref_shapes[m]);
		return NULL;
	}
	return &ref_shapes[m];
}

/*
 * The file must hold every column of every table of a layout, whose
 * shape is want (reference_shape): its own shape in ff->shape, checked
 * against want. 0 or -1.
 */
static int check_columns(sqlite3 *db, const char *path, const struct buf *want,
			 struct format_file *ff)
{
	const char *p, *nl;

	if (!want)
		return -1;
	if (!ff->shape.cap)
		buf_init(&ff->shape, 1 << 20);
	if (table_shapes(db, &ff->shape) < 0)
		return schema_error(db, path);
	/* each line of want, with the newline before it */
	for (p = want->data; (nl = strchr(p + 1, '\n')); p = nl)
		if (!memmem(ff->shape.data, ff->shape.len, p,
			    (size_t)(nl - p + 1)))
			return error("'%s' is damaged: it lacks %.*s", path,
				     (int)(nl - p - 1), p + 1);
	return 0;
}

/* The file's minor: meta's 'format_minor', 0 without one. A file with
 * no meta table reads as 0, and the layout check says what it lacks.
 * 0, or -1 (printed) when the value is not a number. */
static int read_minor(sqlite3 *db, const char *path, int *minor)
{
	sqlite3_stmt *q = NULL;
	uint64_t v = 0;
	int rc, ret = 0;

	*minor = 0;
	if (sqlite3_prepare_v2(db, "SELECT CAST(value AS TEXT) FROM meta"
			       " WHERE key = 'format_minor'", -1, &q, NULL) !=
	    SQLITE_OK)
		return 0;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);

		if (!s || parse_u64_str(s, &v) < 0 || v == 0 || v > 1000000)
			ret = error("'%s' is damaged: its format_minor is '%s',"
				    " not a number", path, s ? s : "");
		*minor = (int)v;
	} else if (rc != SQLITE_DONE) {
		ret = schema_error(db, path);
	}
	sqlite3_finalize(q);
	return ret;
}

/* Make the current layout in an empty file: 0, 1 when another writer
 * made it first (check it again), or -1 (printed). */
static int create_schema(sqlite3 *db, const char *path)
{
	sqlite3_stmt *q = NULL;
	int64_t ntables = -1;
	char *sql;
	int r;

	/*
	 * 1 KiB pages: a blob's last overflow page is half empty on average,
	 * and with 4 KiB pages that slack was a fifth of a compressed file.
	 */
	if (exec_on(db, "PRAGMA page_size = 1024") < 0 ||
	    exec_on(db, "BEGIN IMMEDIATE") < 0)
		return format_error(db, path, "create");
	/*
	 * Two captures started at once on a new file both saw it empty: the
	 * one that got the write lock second finds the schema made, and
	 * checks it as any existing file.
	 */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1,
			       &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		ntables = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (ntables != 0) {
		r = ntables > 0 ? 1 : format_error(db, path, "create");
		exec_on(db, "ROLLBACK");
		return r;
	}
	sql = sqlite3_mprintf("%s%s PRAGMA user_version = %d;"
			      " INSERT INTO meta VALUES ('format', 'mapsnap'),"
			      " ('created_by', 'mapsnap %q');"
			      " INSERT INTO meta SELECT 'format_minor', %d WHERE %d;",
			      schema_sql, test_step_sql, FORMAT_MAJOR,
			      MAPSNAP_VERSION, FORMAT_MINOR, FORMAT_MINOR);
	r = sql ? exec_on(db, sql) : -1;
	sqlite3_free(sql);
	if (r < 0 || exec_on(db, "COMMIT") < 0) {
		format_error(db, path, "create the schema in");
		exec_on(db, "ROLLBACK");
		return -1;
	}
	return 0;
}

/* The major and the number of schema objects, read in one statement: a
 * capture creating the file meanwhile is seen before or after, never
 * with tables and no version yet. 0 or -1 (printed). */
static int read_major(sqlite3 *db, const char *path, int64_t *major,
		      int64_t *nobjects)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT user_version, (SELECT count(*)"
			       " FROM sqlite_schema) FROM pragma_user_version",
			       -1, &q, NULL) != SQLITE_OK)
		return format_error(db, path, "read");
	rc = sqlite3_step(q);
	*major = sqlite3_column_int64(q, 0);
	*nobjects = sqlite3_column_int64(q, 1);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : format_error(db, path, "read");
}

/* The checks of a file of this major, in one read transaction. */
/*
 * A writer relies on what the file's constraints refuse (a second
 * snapshot of one uuid, a NULL key): a file made without them, which a
 * reader may still read (check reports its rows), is not written to.
 * Every index of the layout ref, those SQLite makes for UNIQUE and
 * PRIMARY KEY included, must be there, on its table; every column of
 * ref NOT NULL and in the primary key as it is there. 0 or -1 (printed).
 */
static int check_constraints(sqlite3 *db, const char *path, sqlite3 *ref)
{
	static const char idx_sql[] = "SELECT 'index ' || name || ' on '"
		" || tbl_name FROM sqlite_schema WHERE type = 'index' ORDER BY 1";
	static const char col_sql[] = "SELECT m.name || '.' || p.name ||"
		" iif(p.\"notnull\", ' NOT NULL', '') ||"
		" iif(p.pk, ' in the primary key', '') FROM sqlite_schema AS m,"
		" pragma_table_info(m.name) AS p WHERE m.type = 'table' ORDER BY 1";
	struct buf want = BUF_INIT(1 << 20), have = BUF_INIT(1 << 20);
	const char *p, *nl;
	int ret = -1;

	if (query_lines(ref, idx_sql, &want) < 0 ||
	    query_lines(ref, col_sql, &want) < 0) {
		error("cannot build the reference schema: %s", sqlite3_errmsg(ref));
		goto out;
	}
	if (query_lines(db, idx_sql, &have) < 0 ||
	    query_lines(db, col_sql, &have) < 0) {
		schema_error(db, path);
		goto out;
	}
	for (p = want.data; (nl = strchr(p + 1, '\n')); p = nl)
		if (!memmem(have.data, have.len, p, (size_t)(nl - p + 1))) {
			error("cannot write to '%s': it lacks what mapsnap's"
			      " writers rely on, %.*s: write to a new file",
			      path, (int)(nl - p - 1), p + 1);
			goto out;
		}
	ret = 0;
out:
	buf_release(&want);
	buf_release(&have);
	return ret;
}

/* Every object of db's schema, sorted by name: "type name table sql"
 * lines, to compare schemas byte for byte. 0 or -1. */
static int schema_text(sqlite3 *db, struct buf *out)
{
	static const char sql[] = "SELECT type || ' ' || name || ' ' ||"
		" tbl_name || ' ' || ifnull(sql, '-') FROM sqlite_schema"
		" ORDER BY name";

	buf_reset(out);
	return query_lines(db, sql, out);
}

/*
 * The minor whose layout db's schema is, object for object and byte for
 * byte, or -1. Such a schema is one this build makes: nothing in it can
 * run code or lack a column or a constraint, so opening needs none of
 * the checks below; they cost as much as the rest of opening a small
 * file, which merge does for each of its inputs (bench/README.md).
 */
static int known_layout(sqlite3 *db)
{
	struct buf have = BUF_INIT(1 << 20);
	int m, r = -1;

	if (schema_text(db, &have) < 0)
		goto out;
	for (m = 0; m <= FORMAT_MINOR && r < 0; m++) {
		if (!ref_text[m].data) {
			sqlite3 *ref = format_reference(m);

			buf_init(&ref_text[m], 1 << 20);
			if (!ref || schema_text(ref, &ref_text[m]) < 0) {
				buf_release(&ref_text[m]);
				goto out;
			}
		}
		if (have.len == ref_text[m].len &&
		    !memcmp(have.data, ref_text[m].data, have.len))
			r = m;
	}
out:
	buf_release(&have);
	return r;
}

static int check_schema(sqlite3 *db, const char *path, int writable,
			struct format_file *ff)
{
	int began = sqlite3_get_autocommit(db), ret = -1, m, known;
	const struct buf *shape;
	sqlite3 *ref;

	if (began && exec_on(db, "BEGIN") < 0)
		return format_error(db, path, "read");
	known = known_layout(db);
	if ((known < 0 && check_safe(db, path) < 0) ||
	    read_minor(db, path, &ff->minor) < 0)
		goto out;
	m = ff->minor < FORMAT_MINOR ? ff->minor : FORMAT_MINOR;
	if (known >= 0 && known == ff->minor) {
		if (!ff->shape.cap)
			buf_init(&ff->shape, 1 << 20);
		buf_reset(&ff->shape);
		if ((shape = reference_shape(m)) &&
		    buf_add(&ff->shape, shape->data, shape->len) == 0)
			ret = 0;
		goto out;
	}
	ref = format_reference(m);
	if (ref && check_objects(db, path, ref, ff->minor > FORMAT_MINOR) == 0 &&
	    check_columns(db, path, reference_shape(m), ff) == 0 &&
	    (!writable || check_constraints(db, path, ref) == 0))
		ret = 0;
out:
	if (began)
		exec_on(db, "COMMIT");
	return ret;
}

int format_check(sqlite3 *db, const char *path, int writable,
		 struct format_file *ff)
{
	int64_t major, nobjects;
	int r;

	for (;;) {
		if (read_major(db, path, &major, &nobjects) < 0)
			return -1;
		if (major != 0 || nobjects != 0)
			break;
		if (!writable)
			return error("'%s' is an empty database, not a mapsnap"
				     " file", path);
		if ((r = create_schema(db, path)) < 0)
			return -1;
	}
	if (major > FORMAT_MAJOR)
		return error("'%s' has format %lld, newer than this mapsnap"
			     " (%s) reads (%s): upgrade mapsnap", path,
			     (long long)major, MAPSNAP_VERSION, format_version());
	if (major != FORMAT_MAJOR)
		return error("'%s' is not a mapsnap file (user_version %lld)",
			     path, (long long)major);
	return check_schema(db, path, writable, ff);
}

/* Make change c in the file db, whose current layout ref knows. */
static int apply_change(sqlite3 *db, sqlite3 *ref, const struct format_change *c)
{
	sqlite3_stmt *q = NULL;
	char *sql = NULL;
	int r = -1;

	switch (c->kind) {
	case ADD_COLUMN:
		sql = sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN %s",
				      c->table, c->text);
		break;
	case ADD_OBJECT:
		if (sqlite3_prepare_v2(ref, "SELECT sql FROM sqlite_schema"
				       " WHERE name = ?1", -1, &q, NULL) == SQLITE_OK) {
			sqlite3_bind_text(q, 1, c->table, -1, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW)
				sql = sqlite3_mprintf("%s",
						      sqlite3_column_text(q, 0));
		}
		sqlite3_finalize(q);
		break;
	case RUN_SQL:
		return exec_on(db, c->text);
	}
	if (sql)
		r = exec_on(db, sql);
	sqlite3_free(sql);
	return r;
}

int format_upgrade(sqlite3 *db, const char *path, struct format_file *ff)
{
	sqlite3 *ref = format_reference(FORMAT_MINOR);
	char *sql = NULL;
	int from, r = -1;
	size_t i;

	if (ff->minor == FORMAT_MINOR)
		return 0;
	if (ff->minor > FORMAT_MINOR)
		return error("'%s' has format %d.%d, newer than this mapsnap (%s)"
			     " writes (%s): upgrade mapsnap, or write to another"
			     " file", path, FORMAT_MAJOR, ff->minor,
			     MAPSNAP_VERSION, format_version());
	if (!ref || exec_on(db, "BEGIN IMMEDIATE") < 0)
		return ref ? format_error(db, path, "upgrade") : -1;
	/* another writer may have upgraded it since it was checked */
	if (read_minor(db, path, &from) < 0)
		goto out;
	for (i = 0; changes[i].minor; i++)
		if (changes[i].minor > from &&
		    apply_change(db, ref, &changes[i]) < 0)
			goto fail;
	sql = sqlite3_mprintf("INSERT OR REPLACE INTO meta VALUES"
			      " ('format_minor', %d), ('upgraded_by',"
			      " 'mapsnap %q from format %d.%d')", FORMAT_MINOR,
			      MAPSNAP_VERSION, FORMAT_MAJOR, from);
	if (from < FORMAT_MINOR && (!sql || exec_on(db, sql) < 0))
		goto fail;
	if (check_columns(db, path, reference_shape(FORMAT_MINOR), ff) < 0 ||
	    exec_on(db, "COMMIT") < 0)
		goto fail;
	ff->minor = FORMAT_MINOR;
	r = 0;
	goto out;
fail:
	error("cannot upgrade '%s' from format %d.%d to %s: %s", path,
	      FORMAT_MAJOR, from, format_version(), sqlite3_errmsg(db));
out:
	sqlite3_free(sql);
	if (r < 0)
		exec_on(db, "ROLLBACK");
	return r;
}

char *format_blob_refs(const struct format_file *ff)
{
	struct buf sql = BUF_INIT(1 << 20);
	const char *p, *nl, *dot;
	char *out, *table, *col;

	for (p = ff->shape.data; p && (nl = strchr(p + 1, '\n')); p = nl) {
		dot = memchr(p + 1, '.', (size_t)(nl - p - 1));
		if (!dot || nl - dot <= 5 || memcmp(nl - 5, "_blob", 5))
			continue;
		table = xmemdup(p + 1, (size_t)(dot - p - 1));
		col = xmemdup(dot + 1, (size_t)(nl - dot - 1));
		out = sqlite3_mprintf("%sSELECT \"%w\" FROM \"%w\" WHERE \"%w\""
				      " NOT NULL", sql.len ? " UNION " : "", col,
				      table, col);
		if (out)
			buf_addstr(&sql, out);
		sqlite3_free(out);
		free(table);
		free(col);
	}
	out = sqlite3_mprintf("%s", sql.len ? sql.data : "SELECT NULL WHERE 0");
	buf_release(&sql);
	return out;
}

/* The CREATE TEMP VIEW that shows table `table` of the current layout
 * (ref) over a file that lacks some of its columns, or all of it. */
static void compat_view(sqlite3 *ref, const struct format_file *ff,
			const char *table, struct buf *out)
{
	sqlite3_stmt *q = NULL;
	int has_table, n = 0, missing = 0;
	char *part;

	if (sqlite3_prepare_v2(ref, "SELECT name FROM pragma_table_info(?1)"
			       " ORDER BY cid", -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
	has_table = format_has_table(ff, table);
	part = sqlite3_mprintf("CREATE TEMP VIEW \"%w\" AS SELECT ", table);
	buf_addstr(out, part ? part : "");
	sqlite3_free(part);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(q, 0);
		int has = format_has(ff, table, col);

		missing |= !has;
		part = has ? sqlite3_mprintf("%s\"%w\"", n ? ", " : "", col)
			: sqlite3_mprintf("%sNULL AS \"%w\"", n ? ", " : "", col);
		buf_addstr(out, part ? part : "");
		sqlite3_free(part);
		n++;
	}
	sqlite3_finalize(q);
	part = has_table ? sqlite3_mprintf(" FROM main.\"%w\";", table)
		: sqlite3_mprintf(" WHERE 0;");
	buf_addstr(out, part ? part : "");
	sqlite3_free(part);
	if (!missing)	/* the file's own table is the layout's */
		buf_reset(out);
}

char *format_compat_views(const struct format_file *ff)
{
	struct buf sql = BUF_INIT(1 << 20), one = BUF_INIT(1 << 20);
	sqlite3 *ref = format_reference(FORMAT_MINOR);
	sqlite3_stmt *q = NULL;
	char *out;

	if (!ref || ff->minor >= FORMAT_MINOR)
		return sqlite3_mprintf("");
	if (sqlite3_prepare_v2(ref, "SELECT name FROM sqlite_schema WHERE"
			       " type = 'table' ORDER BY name", -1, &q,
			       NULL) == SQLITE_OK)
		while (sqlite3_step(q) == SQLITE_ROW) {
			buf_reset(&one);
			compat_view(ref, ff, (const char *)sqlite3_column_text(q, 0),
				    &one);
			if (one.len)
				buf_add(&sql, one.data, one.len);
		}
	sqlite3_finalize(q);
	out = sqlite3_mprintf("%s", sql.len ? sql.data : "");
	buf_release(&sql);
	buf_release(&one);
	return out;
}
