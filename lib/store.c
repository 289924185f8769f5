/* store.c - open, check and write a mapsnap file (schema/schema.sql), and
 * read its blobs back verified. Every SQL value is bound, never pasted. */
#include "store.h"
#include "blob.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char schema_sql[];

#define BUSY_TIMEOUT_MS 10000

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

int store_error(struct store *s, const char *what)
{
	int rc = s->db ? sqlite3_errcode(s->db) & 0xff : SQLITE_NOMEM;
	int sys = s->db ? sqlite3_system_errno(s->db) : 0;

	/* "disk I/O error" alone hides a full disk or a file size limit */
	if (!sys && (rc == SQLITE_IOERR || rc == SQLITE_FULL))
		sys = write_errno(s->db);
	if ((rc == SQLITE_IOERR || rc == SQLITE_FULL || rc == SQLITE_CANTOPEN) &&
	    sys > 0)
		return error("cannot %s '%s': %s (%s)", what, s->path,
			     sqlite3_errmsg(s->db), strerror(sys));
	return error("cannot %s '%s': %s", what, s->path,
		     s->db ? sqlite3_errmsg(s->db) : "out of memory");
}

static int exec(struct store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, what);
	return 0;
}

static int prepare(struct store *s, sqlite3_stmt **st, const char *sql)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK)
		return store_error(s, "prepare a statement for");
	return 0;
}

/* Ask for one integer, e.g. a PRAGMA. -1 (printed) on failure. */
static int query_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "read");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "read");
	if (rc == SQLITE_DONE)
		*out = 0;
	return 0;
}

static sqlite3 *reference;

static void reference_close(void)
{
	sqlite3_close(reference);
	reference = NULL;
}

/*
 * schema.sql run in an in-memory database: what a file should hold.
 * Made once per process (it costs about what opening a file does, and
 * merge opens many) and closed at exit; used by the thread that opens
 * stores. NULL (printed) when it cannot be made.
 */
static sqlite3 *reference_schema(void)
{
	if (reference)
		return reference;
	if (sqlite3_open_v2(":memory:", &reference, SQLITE_OPEN_READWRITE,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(reference, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		error("cannot build the reference schema: %s", reference ?
		      sqlite3_errmsg(reference) : "out of memory");
		reference_close();
		return NULL;
	}
	atexit(reference_close);
	return reference;
}

/* The columns of every table of the schema, as "table.column\n" lines. */
static int table_shapes(sqlite3 *db, struct buf *out)
{
	static const char sql[] =
		"SELECT m.name, p.name FROM sqlite_schema AS m,"
		" pragma_table_info(m.name) AS p WHERE m.type = 'table'"
		" AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid";
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		buf_addf(out, "%s.%s\n", sqlite3_column_text(st, 0),
			 sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * A stranger's schema may hold more than tables: a view or a trigger that
 * calls load_extension(), an index on an expression, a generated column,
 * a virtual table whose module would parse hostile shadow tables.
 * trusted_schema=OFF keeps SQLite from calling such functions, but none of
 * it belongs in a mapsnap file: every object must be one schema.sql (run
 * in `mem`) makes, of the same type, an index with the same SQL, a table
 * an ordinary one without hidden columns. Checked before any pragma
 * touches the file's tables. SQLite's own statistics tables may be there
 * (someone ran ANALYZE). 0 or -1 (printed).
 */
static int check_objects(struct store *s, sqlite3 *mem)
{
	sqlite3_stmt *have = NULL, *want = NULL, *hidden = NULL;
	int i, rc, ret = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT type, name, tbl_name, sql"
			       " FROM sqlite_schema WHERE NOT (type = 'table' AND"
			       " name IN ('sqlite_stat1', 'sqlite_stat4',"
			       " 'sqlite_sequence'))", -1, &have, NULL) ||
	    sqlite3_prepare_v2(mem, "SELECT sql FROM sqlite_schema WHERE"
			       " type = ?1 AND name = ?2 AND tbl_name = ?3", -1,
			       &want, NULL)) {
		store_error(s, "read the schema of");
		goto out;
	}
	while ((rc = sqlite3_step(have)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(have, 0);
		const char *name = (const char *)sqlite3_column_text(have, 1);
		const char *sql = (const char *)sqlite3_column_text(have, 3);
		const char *wsql;

		for (i = 0; i < 3; i++)
			sqlite3_bind_value(want, i + 1, sqlite3_column_value(have, i));
		if (sqlite3_step(want) != SQLITE_ROW) {
			error("cannot open '%s': its schema has %s '%s', which"
			      " mapsnap does not make", s->path,
			      type ? type : "?", name ? name : "?");
			goto out;
		}
		wsql = (const char *)sqlite3_column_text(want, 0);
		if ((!strcmp(type, "index") && (!sql != !wsql ||
						(sql && strcmp(sql, wsql)))) ||
		    (!strcmp(type, "table") &&
		     (!sql || !sqlite3_strnicmp(sql, "CREATE VIRTUAL", 14)))) {
			error("cannot open '%s': its %s '%s' is not the one"
			      " mapsnap makes", s->path, type, name);
			goto out;
		}
		sqlite3_reset(want);
	}
	if (rc != SQLITE_DONE ||
	    sqlite3_prepare_v2(s->db, "SELECT m.name, p.name FROM sqlite_schema"
			       " AS m, pragma_table_xinfo(m.name) AS p WHERE"
			       " m.type = 'table' AND p.hidden != 0", -1, &hidden,
			       NULL)) {
		store_error(s, "read the schema of");
		goto out;
	}
	if ((rc = sqlite3_step(hidden)) == SQLITE_ROW) {
		error("cannot open '%s': its column %s.%s is generated, which"
		      " mapsnap does not make", s->path,
		      sqlite3_column_text(hidden, 0), sqlite3_column_text(hidden, 1));
		goto out;
	}
	if (rc != SQLITE_DONE) {
		store_error(s, "read the schema of");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(have);
	sqlite3_finalize(want);
	sqlite3_finalize(hidden);
	return ret;
}

/*
 * The file must hold every table and column that schema.sql makes. The
 * expected shape comes from running schema.sql in memory, so the check
 * can never drift from the schema.
 */
static int check_tables(struct store *s)
{
	struct buf want = BUF_INIT(1 << 20), have = BUF_INIT(1 << 20);
	sqlite3 *mem = reference_schema();
	const char *p, *nl;
	int ret = -1;

	if (!mem)
		goto out;
	if (table_shapes(mem, &want) < 0) {
		error("cannot build the reference schema: %s",
		      sqlite3_errmsg(mem));
		goto out;
	}
	if (check_objects(s, mem) < 0)
		goto out;
	if (table_shapes(s->db, &have) < 0) {
		store_error(s, "read the tables of");
		goto out;
	}
	for (p = want.data; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!memmem(have.data ? have.data : "", have.len, p,
			    (size_t)(nl - p + 1))) {
			error("'%s' is damaged: it lacks %.*s", s->path,
			      (int)(nl - p), p);
			goto out;
		}
	}
	ret = 0;
out:
	buf_release(&want);
	buf_release(&have);
	return ret;
}

/* Make the schema in an empty file: 0, 1 when another writer made it
 * first (check it again), or -1 (printed). */
static int create_schema(struct store *s)
{
	int64_t ntables = 0;
	char *sql;
	int r;

	/*
	 * 1 KiB pages: a blob's last overflow page is half empty on average,
	 * and with 4 KiB pages that slack was a fifth of a compressed file.
	 */
	if (exec(s, "PRAGMA page_size = 1024", "create") < 0 || store_begin(s) < 0)
		return -1;
	/*
	 * Two captures started at once on a new file both saw it empty: the
	 * one that got the write lock second finds the schema made, and
	 * checks it as any existing file.
	 */
	if (query_int(s, "SELECT count(*) FROM sqlite_schema", &ntables) < 0 ||
	    ntables > 0) {
		store_rollback(s);
		return ntables > 0 ? 1 : -1;
	}
	sql = sqlite3_mprintf("%s PRAGMA user_version = %d;"
			      "INSERT INTO meta VALUES ('format', 'mapsnap'),"
			      " ('created_by', 'mapsnap %q');",
			      schema_sql, STORE_VERSION, MAPSNAP_VERSION);
	r = sql ? exec(s, sql, "create the schema in") : -1;
	sqlite3_free(sql);
	if (r < 0 || store_commit(s) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

static int check_version(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int64_t version, ntables;
	int r;

	/* one statement, one read: a capture creating the file meanwhile
	 * is seen before or after, never with tables and no version yet */
	if (sqlite3_prepare_v2(s->db, "SELECT user_version, (SELECT count(*)"
			       " FROM sqlite_schema) FROM pragma_user_version",
			       -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "read");
	r = sqlite3_step(st);
	version = sqlite3_column_int64(st, 0);
	ntables = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW)
		return store_error(s, "read");
	if (version == 0 && ntables == 0) {
		if (s->mode != STORE_READ)
			return (r = create_schema(s)) > 0 ? check_version(s) : r;
		return error("'%s' is an empty database, not a mapsnap file",
			     s->path);
	}
	if (version > STORE_VERSION)
		return error("'%s' has format %lld, newer than this mapsnap "
			     "(%s) reads (%d): upgrade mapsnap", s->path,
			     (long long)version, MAPSNAP_VERSION, STORE_VERSION);
	if (version != STORE_VERSION)
		return error("'%s' is not a mapsnap file (user_version %lld)",
			     s->path, (long long)version);
	return check_tables(s);
}

static int configure(struct store *s)
{
	int off = 0, on = 1;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, off, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, off, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL);
	if (s->mode == STORE_READ)
		/* cell_size_check: SQLite's advice for files from strangers */
		return exec(s, "PRAGMA query_only = ON;"
			    " PRAGMA cell_size_check = ON", "open");
	return exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
		    "open");
}

/*
 * A file whose header says WAL mode (bytes 18 and 19 are 2) with no -wal
 * beside it, as a copy of a file taken while it was being written: to
 * read it SQLite would create -wal and -shm beside it, and leave them
 * there. 1 for such a file, else 0 (a file with its -wal is read through
 * it, as a capture under way is).
 */
static int wal_without_log(const char *path)
{
	unsigned char h[100];
	struct buf wal = BUF_INIT(strlen(path) + 8);
	struct stat st;
	int fd, r = 0;

	/* O_NONBLOCK: a FIFO put in the file's place must not hang us */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	if (pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	    !memcmp(h, "SQLite format 3", 16) && h[18] == 2 && h[19] == 2 &&
	    buf_addf(&wal, "%s-wal", path) == 0)
		r = lstat(wal.data, &st) < 0 && errno == ENOENT;
	close(fd);
	buf_release(&wal);
	return r;
}

/*
 * The URI that opens path immutable: SQLite then takes no lock and makes
 * no file beside it, and reads only the file, all there is of such a
 * copy. Every byte but letters, digits, "-._~" and a '/' after the first
 * is %-escaped, so nothing in the path reads as URI syntax.
 */
static char *immutable_uri(const char *path)
{
	struct buf u = BUF_INIT(3 * strlen(path) + 32);	/* every byte escaped */
	const unsigned char *p;
	int r;

	r = buf_addstr(&u, "file:");
	for (p = (const unsigned char *)path; *p && r == 0; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) ||
		    (*p == '/' && p != (const unsigned char *)path))
			r = buf_addch(&u, (char)*p);
		else
			r = buf_addf(&u, "%%%02X", *p);
	if (r < 0 || buf_addstr(&u, "?immutable=1") < 0) {
		buf_release(&u);
		return NULL;	/* opened by its path then, side files and all */
	}
	return buf_detach(&u, NULL);
}

/*
 * Switch to WAL mode. Two writers switching one file at once (two
 * captures starting on it) can each hold what the other waits for: SQLite
 * then tells one SQLITE_BUSY at once instead of waiting, and that one has
 * let go of its lock by the time it returns. So a busy switch is tried
 * again, every 10 ms, for as long as the busy timeout.
 */
static int set_wal(struct store *s)
{
	int waited = 0, rc;

	while ((rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL,
				  NULL, NULL)) != SQLITE_OK &&
	       (rc & 0xff) == SQLITE_BUSY && waited < BUSY_TIMEOUT_MS) {
		sqlite3_sleep(10);
		waited += 10;
	}
	return rc == SQLITE_OK ? 0 : store_error(s, "set WAL mode on");
}

/*
 * Put a connection on a private copy of s's file in memory in place of
 * the file's own (STORE_IMAGE). The copy is read in one call through
 * SQLite's own handle on the file while SQLite holds its read lock: it is
 * one state of the file, whoever writes to it, and a hot journal has
 * been dealt with as for any read. No other process can change the copy,
 * which makes SQLite's memory-mapped reads of it safe, and they spare a
 * copy of every page read. A file in WAL mode (pages of it may be in its
 * -wal) or bigger than STORE_IMAGE_MAX stays read from the file. 0 or -1.
 */
static int load_image(struct store *s)
{
	static const char size_sql[] = "SELECT page_count * page_size"
		" FROM pragma_page_count, pragma_page_size";
	unsigned char head[100], *image = NULL;
	sqlite3_int64 size = 0;
	sqlite3_file *f = NULL;
	sqlite3_stmt *st = NULL;
	char sql[64];
	int rc;

	if (exec(s, "BEGIN", "read") < 0)
		return -1;
	if ((rc = sqlite3_prepare_v2(s->db, size_sql, -1, &st, NULL)) == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		size = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW || sqlite3_file_control(s->db, "main",
			SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods)
		goto fail;
	if (size < (sqlite3_int64)sizeof(head) || size > STORE_IMAGE_MAX ||
	    f->pMethods->xRead(f, head, sizeof(head), 0) != SQLITE_OK ||
	    head[18] == 2 || head[19] == 2)
		return exec(s, "COMMIT", "read");
	if (!(image = sqlite3_malloc64((sqlite3_uint64)size))) {
		store_rollback(s);
		return error("cannot read '%s': out of memory", s->path);
	}
	/* a short read is zero-filled, as SQLite reads past the end */
	rc = f->pMethods->xRead(f, image, (int)size, 0);
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
		sqlite3_free(image);
		goto fail;
	}
	sqlite3_close(s->db);
	if (sqlite3_open_v2("file:image?vfs=memdb", &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		sqlite3_free(image);
		return store_error(s, "open");
	}
	/* on failure too, SQLite frees the image (FREEONCLOSE) */
	if (sqlite3_deserialize(s->db, "main", image, size, size,
				SQLITE_DESERIALIZE_FREEONCLOSE |
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
		return store_error(s, "read");
	snprintf(sql, sizeof(sql), "PRAGMA mmap_size = %lld", (long long)size);
	return configure(s) < 0 ? -1 : exec(s, sql, "read");
fail:
	store_error(s, "read");
	store_rollback(s);
	return -1;
}

int store_open(struct store *s, const char *path, enum store_mode mode)
{
	int image = mode == STORE_IMAGE, flags;
	struct stat st;
	char *uri = NULL;

	if (image)
		mode = STORE_READ;	/* but from a copy, when load_image can */
	flags = mode == STORE_READ ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	s->mode = mode;
	s->level = STORE_LEVEL;
	buf_init(&s->zbuf, BLOB_MAX_RAW + (BLOB_MAX_RAW >> 8) + 64);
	if (mode == STORE_READ && stat(path, &st) < 0) {
		error("cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (mode == STORE_READ && !S_ISREG(st.st_mode)) {
		error("cannot open '%s': not a regular file", path);
		goto fail;
	}
	/* merge's OUT is one thread's: SQLite's per-call mutexes are waste */
	if (mode == STORE_BULK || mode == STORE_MEMORY)
		flags |= SQLITE_OPEN_NOMUTEX;
	if (mode == STORE_MEMORY)
		uri = xstrdup("file:out?vfs=memdb");
	else if (mode == STORE_READ && wal_without_log(path))
		uri = immutable_uri(path);
	if (sqlite3_open_v2(uri ? uri : path, &s->db,
			    flags | (uri ? SQLITE_OPEN_URI : 0), NULL) != SQLITE_OK) {
		store_error(s, "open");
		goto fail;
	}
	if (configure(s) < 0 || (image && load_image(s) < 0) ||
	    check_version(s) < 0)
		goto fail;
	if (mode == STORE_WRITE && set_wal(s) < 0)
		goto fail;
	free(uri);
	return 0;
fail:
	free(uri);
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	/*
	 * A writer works in WAL mode (readers go on while it writes), then
	 * leaves the file in rollback mode: a file copied to a laptop is then
	 * one file, and opening it read-only creates no -wal/-shm beside it.
	 * If another connection still has it open this fails and it stays WAL.
	 */
	if (s->db && s->mode == STORE_WRITE)
		sqlite3_exec(s->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_finalize(s->blob_find);
	sqlite3_finalize(s->blob_insert);
	sqlite3_finalize(s->blob_get);
	sqlite3_finalize(s->proc_insert);
	sqlite3_close(s->db);
	free(s->path);
	buf_release(&s->zbuf);
	blob_deflater_release(&s->zd);
	memset(s, 0, sizeof(*s));
}

int store_cache(struct store *s, int kib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	return exec(s, sql, "set the page cache of");
}

int store_begin(struct store *s)
{
	return exec(s, "BEGIN IMMEDIATE", "start a transaction in");
}

int store_commit(struct store *s)
{
	return exec(s, "COMMIT", "write to");
}

void store_rollback(struct store *s)
{
	if (s->db && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Bind text, or NULL when the pointer is NULL. */
static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Bind an id, or NULL when it is 0 (none). */
static void bind_ref(sqlite3_stmt *st, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Run a statement that returns no row. */
static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(s, what);
	return 0;
}

int store_host(struct store *s, const char *hostname, const char *machine_id,
	       int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO hosts (hostname, machine_id) VALUES (?1, ?2)"
			       " ON CONFLICT DO UPDATE SET hostname = excluded.hostname"
			       " RETURNING id", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "add the host to");
	bind_text(st, 1, hostname);
	bind_text(st, 2, machine_id ? machine_id : "");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, "add the host to");
}

int store_blob_put(struct store *s, const void *raw, size_t n, int64_t *id,
		   size_t *added)
{
	struct blob_hash h;
	int rc;

	*added = 0;
	blob_hash(raw, n, &h);
	if (prepare(s, &s->blob_find,
		    "SELECT id FROM blobs WHERE hash = ?1") < 0)
		return -1;
	sqlite3_bind_blob(s->blob_find, 1, h.b, BLOB_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s->blob_find);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s->blob_find, 0);
		sqlite3_reset(s->blob_find);
		return 0;
	}
	sqlite3_reset(s->blob_find);
	if (rc != SQLITE_DONE)
		return store_error(s, "look up a blob in");

	buf_reset(&s->zbuf);
	if (!s->zd.c && blob_deflater_init(&s->zd, s->level) < 0)
		return -1;
	if (blob_deflate(&s->zd, raw, n, s->level, &s->zbuf) < 0 ||
	    prepare(s, &s->blob_insert,
		    "INSERT INTO blobs (hash, raw_size, codec, data)"
		    " VALUES (?1, ?2, 'zlib', ?3)") < 0)
		return -1;
	sqlite3_bind_blob(s->blob_insert, 1, h.b, BLOB_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s->blob_insert, 2, (sqlite3_int64)n);
	sqlite3_bind_blob64(s->blob_insert, 3, s->zbuf.data, s->zbuf.len,
			    SQLITE_STATIC);
	if (step_done(s, s->blob_insert, "store a blob in") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	*added = s->zbuf.len;
	return 0;
}

struct blob_stored store_blob_row(sqlite3_stmt *st)
{
	const struct blob_stored b = {
		sqlite3_column_int64(st, 0),
		(const char *)sqlite3_column_text(st, 1),
		sqlite3_column_blob(st, 2),
		(size_t)sqlite3_column_bytes(st, 2),
		sqlite3_column_blob(st, 3),
		(size_t)sqlite3_column_bytes(st, 3),
	};

	return b;
}

/* Decode the row of blob `id` at st (raw_size, codec, data, hash): every
 * check is blob_unpack's; the message names the file and the blob. */
static int blob_decode(struct store *s, int64_t id, sqlite3_stmt *st,
		       struct buf *out)
{
	const struct blob_stored b = store_blob_row(st);
	char why[160];

	if (blob_unpack(&b, out, why, sizeof(why)) < 0)
		return error("'%s': blob %lld %s", s->path, (long long)id, why);
	return 0;
}

int store_blob_get(struct store *s, int64_t id, struct buf *out)
{
	int rc, r;

	if (prepare(s, &s->blob_get, "SELECT raw_size, codec, data, hash"
		    " FROM blobs WHERE id = ?1") < 0)
		return -1;
	sqlite3_bind_int64(s->blob_get, 1, id);
	rc = sqlite3_step(s->blob_get);
	if (rc == SQLITE_ROW)
		r = blob_decode(s, id, s->blob_get, out);
	else if (rc == SQLITE_DONE)
		r = error("'%s': blob %lld is missing", s->path, (long long)id);
	else
		r = store_error(s, "read a blob from");
	sqlite3_reset(s->blob_get);
	return r;
}

int store_snapshot_add(struct store *s, const struct snapshot_row *r,
		       int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int ret;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO snapshots (uuid, host_id, boot_id, kernel, arch,"
			       " page_size, time_us, uptime, label, tool_version, options,"
			       " source, meminfo_blob) VALUES"
			       " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
			       -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "add a snapshot to");
	bind_text(st, 1, r->uuid);
	sqlite3_bind_int64(st, 2, r->host_id);
	bind_text(st, 3, r->boot_id ? r->boot_id : "");
	bind_text(st, 4, r->kernel ? r->kernel : "");
	bind_text(st, 5, r->arch ? r->arch : "");
	sqlite3_bind_int64(st, 6, r->page_size);
	sqlite3_bind_int64(st, 7, r->time_us);
	if (r->uptime >= 0)
		sqlite3_bind_double(st, 8, r->uptime);
	bind_text(st, 9, r->label);
	bind_text(st, 10, MAPSNAP_VERSION);
	bind_text(st, 11, r->options ? r->options : "");
	bind_text(st, 12, r->source);
	bind_ref(st, 13, r->meminfo_blob);
	ret = step_done(s, st, "add a snapshot to");
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

int store_snapshot_finish(struct store *s, int64_t id, int64_t seen,
			  int64_t captured, int64_t bytes_read,
			  const struct skip_count *skips, size_t nskips)
{
	sqlite3_stmt *up = NULL, *sk = NULL;
	int64_t skipped = 0;
	int ret = -1;
	size_t i;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO skips VALUES (?1, ?2, ?3)",
			       -1, &sk, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE snapshots SET procs_seen = ?2,"
			       " procs_captured = ?3, procs_skipped = ?4,"
			       " bytes_read = ?5 WHERE id = ?1", -1, &up,
			       NULL) != SQLITE_OK) {
		store_error(s, "finish a snapshot in");
		goto out;
	}
	for (i = 0; i < nskips; i++) {
		if (skips[i].count <= 0)
			continue;
		skipped += skips[i].count;
		sqlite3_bind_int64(sk, 1, id);
		bind_text(sk, 2, skips[i].reason);
		sqlite3_bind_int64(sk, 3, skips[i].count);
		if (step_done(s, sk, "count skips in") < 0)
			goto out;
	}
	sqlite3_bind_int64(up, 1, id);
	sqlite3_bind_int64(up, 2, seen);
	sqlite3_bind_int64(up, 3, captured);
	sqlite3_bind_int64(up, 4, skipped);
	sqlite3_bind_int64(up, 5, bytes_read);
	ret = step_done(s, up, "finish a snapshot in");
out:
	sqlite3_finalize(up);
	sqlite3_finalize(sk);
	return ret;
}

int store_meminfo_add(struct store *s, int64_t snapshot_id, const char *text,
		      size_t len)
{
	const char *p = text, *end = text + len;
	sqlite3_stmt *st = NULL;
	int ret = 0;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meminfo"
			       " VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "store meminfo in");
	while (p < end && ret == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *colon, *v, *ve;
		uint64_t kb;

		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon) {
			for (v = colon + 1; v < eol && *v == ' '; v++)
				;
			for (ve = v; ve < eol && *ve >= '0' && *ve <= '9'; ve++)
				;
			if (parse_u64(v, (size_t)(ve - v), 10, &kb) == 0) {
				sqlite3_bind_int64(st, 1, snapshot_id);
				sqlite3_bind_text(st, 2, p, (int)(colon - p),
						  SQLITE_TRANSIENT);
				sqlite3_bind_int64(st, 3, (sqlite3_int64)kb);
				ret = step_done(s, st, "store meminfo in");
			}
		}
		p = nl ? nl + 1 : end;
	}
	sqlite3_finalize(st);
	return ret;
}

int store_process_add(struct store *s, int64_t snapshot_id,
		      const struct process_row *p)
{
	sqlite3_stmt *st;
	const int64_t usage[] = { p->rss_kb, p->pss_kb, p->uss_kb, p->shared_kb,
				  p->swap_kb, p->swap_pss_kb, p->anon_kb,
				  p->locked_kb };
	size_t i;

	if (prepare(s, &s->proc_insert,
		    "INSERT INTO processes (snapshot_id, pid, ppid, start_time,"
		    " uid, user, comm, cmdline, exe, threads, stat_blob,"
		    " status_blob, text_blob, text_kind, rollup_blob, nmaps,"
		    " size_kb, rss_kb, pss_kb, uss_kb, shared_kb, swap_kb,"
		    " swap_pss_kb, anon_kb, locked_kb) VALUES (?1, ?2, ?3, ?4,"
		    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		    " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)") < 0)
		return -1;
	st = s->proc_insert;
	sqlite3_bind_int64(st, 1, snapshot_id);
	sqlite3_bind_int64(st, 2, p->pid);
	sqlite3_bind_int64(st, 3, p->ppid);
	sqlite3_bind_int64(st, 4, p->start_time);
	if (p->uid >= 0)
		sqlite3_bind_int64(st, 5, p->uid);
	bind_text(st, 6, p->user);
	bind_text(st, 7, p->comm ? p->comm : "");
	if (p->cmdline)
		sqlite3_bind_blob64(st, 8, p->cmdline, p->cmdline_len,
				    SQLITE_TRANSIENT);
	bind_text(st, 9, p->exe);
	if (p->threads >= 0)
		sqlite3_bind_int64(st, 10, p->threads);
	bind_ref(st, 11, p->stat_blob);
	bind_ref(st, 12, p->status_blob);
	bind_ref(st, 13, p->text_blob);
	bind_text(st, 14, p->text_kind);
	bind_ref(st, 15, p->rollup_blob);
	sqlite3_bind_int64(st, 16, p->nmaps);
	sqlite3_bind_int64(st, 17, p->size_kb);
	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++)
		if (p->has_usage)
			sqlite3_bind_int64(st, 18 + (int)i, usage[i]);
	return step_done(s, st, "add a process to");
}

int store_prune(struct store *s, int64_t keep, int64_t *removed)
{
	sqlite3_stmt *st = NULL;
	int ret;

	*removed = 0;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM snapshots WHERE id NOT IN"
			       " (SELECT id FROM snapshots ORDER BY time_us DESC,"
			       " id DESC LIMIT ?1)", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "drop old snapshots from");
	sqlite3_bind_int64(st, 1, keep);
	ret = step_done(s, st, "drop old snapshots from");
	sqlite3_finalize(st);
	if (ret < 0)
		return -1;
	*removed = sqlite3_changes64(s->db);
	if (*removed == 0)
		return 0;
	return exec(s, "DELETE FROM blobs WHERE id NOT IN ("
		    " SELECT text_blob FROM processes WHERE text_blob NOT NULL"
		    " UNION SELECT stat_blob FROM processes WHERE stat_blob NOT NULL"
		    " UNION SELECT status_blob FROM processes WHERE status_blob NOT NULL"
		    " UNION SELECT rollup_blob FROM processes WHERE rollup_blob NOT NULL"
		    " UNION SELECT meminfo_blob FROM snapshots"
		    " WHERE meminfo_blob NOT NULL)", "drop unused blobs from");
}

/*
 * The one snapshot id that `sql` selects with `arg` bound as ?1 and
 * `host` (NULL: any) as ?2. Returns 0, 1 when none matches, 2 when
 * several do, -1 (printed).
 */
static int resolve_one(struct store *s, const char *sql, const char *arg,
		       const char *host, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "look up snapshots in");
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	if (host)
		sqlite3_bind_text(st, 2, host, -1, SQLITE_TRANSIENT);
	while (n < 2 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n++ == 0)
			*id = sqlite3_column_int64(st, 0);
	if (n == 2)
		rc = SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "look up snapshots in");
	return n == 0 ? 1 : n == 1 ? 0 : 2;
}

#define ON_HOST " (?2 IS NULL OR host_id IN" \
	" (SELECT id FROM hosts WHERE hostname = ?2))"

static const char *const by_ref[] = {
	"SELECT id FROM snapshots WHERE" ON_HOST
	" ORDER BY time_us DESC, id DESC LIMIT 1",
	"SELECT id FROM snapshots WHERE" ON_HOST " ORDER BY time_us, id LIMIT 1",
	"SELECT id FROM snapshots WHERE label = ?1 AND" ON_HOST
	" ORDER BY time_us DESC, id DESC LIMIT 1",
	"SELECT id FROM snapshots WHERE id = CAST(?1 AS INTEGER) AND" ON_HOST,
	"SELECT id FROM snapshots WHERE replace(uuid, '-', '') GLOB ?1 || '*'"
	" AND" ON_HOST,
};

int store_resolve(struct store *s, const char *ref, const char *host,
		  int64_t *id)
{
	char hex[33];
	size_t len = 0;
	uint64_t n;
	const char *p;
	int r = 1;

	if (!ref)
		ref = "latest";
	for (p = ref; *p && len < sizeof(hex) - 1; p++)
		if (*p != '-')
			hex[len++] = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	hex[len] = '\0';

	if (!strcmp(ref, "latest"))
		r = resolve_one(s, by_ref[0], NULL, host, id);
	else if (!strcmp(ref, "first"))
		r = resolve_one(s, by_ref[1], NULL, host, id);
	else if (ref[0] == '@')
		r = resolve_one(s, by_ref[2], ref + 1, host, id);
	else if (parse_u64_str(ref, &n) == 0)
		r = resolve_one(s, by_ref[3], ref, host, id);
	else if (*p || len < 4 || strspn(hex, "0123456789abcdef") != len)
		return error("bad snapshot reference '%s': expected an id, a"
			     " uuid, 'first', 'latest' or '@label'", ref);
	/* digits only may also be the start of a uuid */
	if (r == 1 && len >= 4 && strspn(hex, "0123456789abcdef") == len)
		r = resolve_one(s, by_ref[4], hex, host, id);
	if (r == 1 && host)
		return error("'%s': no snapshot of host '%s' matches '%s'",
			     s->path, host, ref);
	if (r == 1)
		return error("'%s': no snapshot matches '%s'", s->path, ref);
	if (r == 2)
		return error("'%s': snapshot '%s' is ambiguous", s->path, ref);
	return r;
}

int store_save_image(struct store *s, int fd)
{
	sqlite3_int64 size = 0;
	unsigned char *image, *copy = NULL;
	size_t done = 0;
	ssize_t n = 1;

	image = sqlite3_serialize(s->db, "main", &size, SQLITE_SERIALIZE_NOCOPY);
	if (!image)
		image = copy = sqlite3_serialize(s->db, "main", &size, 0);
	if (!image)
		return store_error(s, "write");
	while (done < (size_t)size) {
		n = write(fd, image + done, (size_t)size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (n == 0)
		errno = ENOSPC;		/* write() made no progress */
	sqlite3_free(copy);
	if (done < (size_t)size)
		return error("cannot write '%s': %s", s->path, strerror(errno));
	return 0;
}
