/* store.c - open a mapsnap file (format.c checks it), transactions, and
 * its blobs, stored once and read back verified. */
#include "store.h"
#include "when.h"
#include "blob.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 10000

int store_error(struct store *s, const char *what)
{
	return format_error(s->db, s->path, what);
}

int store_exec(struct store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(s, what);
	return 0;
}

int store_prepare(struct store *s, sqlite3_stmt **st, const char *sql)
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

int store_settle(struct store *s)
{
	int off = 0, on = 1;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, off, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, off, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL);
	if (s->mode == STORE_READ)
		/* cell_size_check: SQLite's advice for files from strangers */
		return store_exec(s, "PRAGMA query_only = ON;"
			    " PRAGMA cell_size_check = ON", "open");
	if (s->mode == STORE_PRIVATE &&
	    store_exec(s, "PRAGMA journal_mode = MEMORY;"
		       " PRAGMA locking_mode = EXCLUSIVE", "open") < 0)
		return -1;
	return store_exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
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

/* "./" before a relative path, so that SQLite cannot take it for a URI. */
static char *dot_slash(const char *path)
{
	char *p = xmalloc(strlen(path) + 3);

	memcpy(p, "./", 2);
	memcpy(p + 2, path, strlen(path) + 1);
	return p;
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

int store_connect(struct store *s, const char *path, enum store_mode mode,
		  const char *uri, int flags)
{
	struct stat st;
	char *own = NULL;
	int r = -1;

	flags |= mode == STORE_READ ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	s->mode = mode;
	s->level = STORE_LEVEL;
	buf_init(&s->zbuf, BLOB_MAX_RAW + (BLOB_MAX_RAW >> 8) + 64);
	if (mode == STORE_READ && !uri && stat(path, &st) < 0)
		return error("cannot open '%s': %s", path, strerror(errno));
	if (mode == STORE_READ && !uri && !S_ISREG(st.st_mode))
		return error("cannot open '%s': not a regular file", path);
	/*
	 * A reader and a bulk writer use their connection from one thread
	 * at a time: SQLite's mutex around each call is waste, and was a
	 * sixth of the instructions of a growth over 200,000 rows. (A
	 * capture's connection passes between its threads.)
	 */
	if (mode != STORE_WRITE && mode != STORE_PRIVATE)
		flags |= SQLITE_OPEN_NOMUTEX;
	if (!uri && mode == STORE_READ && wal_without_log(path) &&
	    (uri = own = immutable_uri(path)))
		flags |= SQLITE_OPEN_URI;
	if (!uri)
		uri = path;
	/* SQLite as Debian builds it reads a name starting with "file:" as
	 * a URI, whatever the flags: a path is a path */
	if (!(flags & SQLITE_OPEN_URI) && !strncmp(uri, "file:", 5))
		uri = own = dot_slash(uri);
	if (sqlite3_open_v2(uri, &s->db, flags, NULL) != SQLITE_OK)
		store_error(s, "open");
	else
		r = store_settle(s);
	free(own);
	return r;
}

int store_validate(struct store *s)
{
	if (format_check(s->db, s->path, s->mode != STORE_READ, &s->format) < 0)
		return -1;
	return s->mode == STORE_READ ? 0
		: format_upgrade(s->db, s->path, &s->format);
}

int store_has(const struct store *s, const char *table, const char *column)
{
	return format_has(&s->format, table, column);
}

int store_open(struct store *s, const char *path, enum store_mode mode)
{
	if (store_connect(s, path, mode, NULL, 0) < 0 || store_validate(s) < 0 ||
	    (mode == STORE_WRITE && set_wal(s) < 0)) {
		store_close(s);
		return -1;
	}
	return 0;
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
	sqlite3_finalize(s->blob_hash);
	sqlite3_finalize(s->proc_insert);
	sqlite3_finalize(s->cgroup_insert);
	sqlite3_close(s->db);
	free(s->path);
	format_file_release(&s->format);
	buf_release(&s->zbuf);
	blob_deflater_release(&s->zd);
	memset(s, 0, sizeof(*s));
}

int store_cache(struct store *s, int kib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	return store_exec(s, sql, "set the page cache of");
}

int store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE", "start a transaction in");
}

int store_commit(struct store *s)
{
	return store_exec(s, "COMMIT", "write to");
}

void store_rollback(struct store *s)
{
	if (s->db && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_error(s, what);
	return 0;
}

int store_blob_find(struct store *s, const struct blob_hash *h, int64_t *id)
{
	int rc;

	if (store_prepare(s, &s->blob_find,
		    "SELECT id FROM blobs WHERE hash = ?1") < 0)
		return -1;
	sqlite3_bind_blob(s->blob_find, 1, h->b, BLOB_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s->blob_find);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s->blob_find, 0);
	sqlite3_reset(s->blob_find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, "look up a blob in");
	return rc == SQLITE_DONE;
}

/* A new blob: text of n bytes with hash h, compressed into (z, zn). */
static int blob_insert(struct store *s, const struct blob_hash *h, size_t n,
		       const void *z, size_t zn, int64_t *id)
{
	if (store_prepare(s, &s->blob_insert,
		    "INSERT INTO blobs (hash, raw_size, codec, data)"
		    " VALUES (?1, ?2, 'zlib', ?3)") < 0)
		return -1;
	sqlite3_bind_blob(s->blob_insert, 1, h->b, BLOB_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s->blob_insert, 2, (sqlite3_int64)n);
	sqlite3_bind_blob64(s->blob_insert, 3, z, zn, SQLITE_STATIC);
	if (store_step_done(s, s->blob_insert, "store a blob in") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_blob_put(struct store *s, const void *raw, size_t n, int64_t *id,
		   size_t *added)
{
	struct blob_hash h;

	blob_hash(raw, n, &h);
	return store_blob_put_hashed(s, &h, raw, n, id, added);
}

int store_blob_put_hashed(struct store *s, const struct blob_hash *h,
			  const void *raw, size_t n, int64_t *id, size_t *added)
{
	int r;

	*added = 0;
	if ((r = store_blob_find(s, h, id)) <= 0)
		return r;
	buf_reset(&s->zbuf);
	if (!s->zd.c && blob_deflater_init(&s->zd, s->level) < 0)
		return -1;
	if (blob_deflate(&s->zd, raw, n, s->level, &s->zbuf) < 0 ||
	    blob_insert(s, h, n, s->zbuf.data, s->zbuf.len, id) < 0)
		return -1;
	*added = s->zbuf.len;
	return 0;
}

int store_blob_put_packed(struct store *s, const struct blob_hash *h,
			  size_t n, const void *z, size_t zn, int64_t *id,
			  size_t *added)
{
	int r;

	*added = 0;
	if ((r = store_blob_find(s, h, id)) <= 0)
		return r;
	if (blob_insert(s, h, n, z, zn, id) < 0)
		return -1;
	*added = zn;
	return 0;
}

int store_blob_hash(struct store *s, int64_t id,
		    unsigned char hash[BLOB_HASH_LEN])
{
	int rc, r = 1;

	if (store_prepare(s, &s->blob_hash, "SELECT hash FROM blobs"
			  " WHERE id = ?1") < 0)
		return -1;
	sqlite3_bind_int64(s->blob_hash, 1, id);
	rc = sqlite3_step(s->blob_hash);
	if (rc == SQLITE_ROW &&
	    sqlite3_column_bytes(s->blob_hash, 0) == BLOB_HASH_LEN) {
		memcpy(hash, sqlite3_column_blob(s->blob_hash, 0), BLOB_HASH_LEN);
		r = 0;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		r = store_error(s, "read a blob from");
	}
	sqlite3_reset(s->blob_hash);
	return r;
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

	if (store_prepare(s, &s->blob_get, "SELECT raw_size, codec, data, hash"
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

/* Where a lookup of snapshots binds what it is given. */
struct resolve_args {
	const char *arg;	/* ?1, as text; NULL: unbound */
	const char *host;	/* ?2; NULL: any host */
	int64_t lo, hi;		/* ?3, ?4: the window */
};

/*
 * The one snapshot id that `sql` selects with a's values bound. Returns
 * 0, 1 when none matches, 2 when several do, -1 (printed).
 */
static int resolve_one(struct store *s, const char *sql,
		       const struct resolve_args *a, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "look up snapshots in");
	if (a->arg)
		sqlite3_bind_text(st, 1, a->arg, -1, SQLITE_TRANSIENT);
	if (a->host)
		sqlite3_bind_text(st, 2, a->host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, a->lo);
	sqlite3_bind_int64(st, 4, a->hi);
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
	" (SELECT id FROM hosts WHERE hostname = ?2))" \
	" AND time_us BETWEEN ?3 AND ?4"

enum { REF_LATEST, REF_FIRST, REF_LABEL, REF_ID, REF_UUID, REF_TIME };

static const char *const by_ref[] = {
	"SELECT id FROM snapshots WHERE" ON_HOST
	" ORDER BY time_us DESC, id DESC LIMIT 1",
	"SELECT id FROM snapshots WHERE" ON_HOST " ORDER BY time_us, id LIMIT 1",
	"SELECT id FROM snapshots WHERE label = ?1 AND" ON_HOST
	" ORDER BY time_us DESC, id DESC LIMIT 1",
	"SELECT id FROM snapshots WHERE id = CAST(?1 AS INTEGER) AND" ON_HOST,
	"SELECT id FROM snapshots WHERE replace(uuid, '-', '') GLOB ?1 || '*'"
	" AND" ON_HOST,
	"SELECT id FROM snapshots WHERE time_us <= CAST(?1 AS INTEGER) AND"
	ON_HOST " ORDER BY time_us DESC, id DESC LIMIT 1",
};

/* The time of the latest snapshot of host (NULL: any) in *us; 0 when
 * there is none. 0 or -1 (printed). */
static int latest_time(struct store *s, const char *host, int64_t *us)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*us = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT max(time_us) FROM snapshots"
			       " WHERE ?1 IS NULL OR host_id IN (SELECT id FROM"
			       " hosts WHERE hostname = ?1)", -1, &st,
			       NULL) != SQLITE_OK)
		return store_error(s, "look up snapshots in");
	if (host)
		sqlite3_bind_text(st, 1, host, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*us = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, "look up snapshots in");
}

int store_window(struct store *s, const char *host, const struct when *since,
		 const struct when *until, int64_t *lo, int64_t *hi)
{
	int64_t ref = 0;

	*lo = INT64_MIN;
	*hi = INT64_MAX;
	if (((since && since->set && since->relative) ||
	     (until && until->set && until->relative)) &&
	    latest_time(s, host, &ref) < 0)
		return -1;
	if (since && since->set)
		*lo = when_at(since, ref);
	if (until && until->set)
		*hi = when_at(until, ref);
	return 0;
}

/* A time REF: the last snapshot taken at or before it. */
static int resolve_time(struct store *s, const char *ref,
			struct resolve_args *a, int64_t *id)
{
	struct when w;
	int64_t base = 0;
	char num[24];

	if (when_parse(ref, &w) < 0)
		return 1;
	if (w.relative && latest_time(s, a->host, &base) < 0)
		return -1;
	snprintf(num, sizeof(num), "%lld", (long long)when_at(&w, base));
	a->arg = num;
	return resolve_one(s, by_ref[REF_TIME], a, id);
}

/* Which form ref has, as by_ref's index; -1 when none. */
static int ref_form(const char *ref, const char *hex, size_t len, int tail)
{
	uint64_t n;

	if (!strcmp(ref, "latest"))
		return REF_LATEST;
	if (!strcmp(ref, "first"))
		return REF_FIRST;
	if (ref[0] == '@')
		return REF_LABEL;
	if (parse_u64_str(ref, &n) == 0)
		return REF_ID;
	/* a time before a uuid: "2026-12-06" is hex digits too */
	if (when_is_time(ref))
		return REF_TIME;
	if (tail || len < REF_UUID_MIN || strspn(hex, "0123456789abcdef") != len)
		return -1;
	return REF_UUID;
}

/* ref's form (ref_form), with its hex digits, hyphens left out and
 * lowercased, in hex[33] and their count in *len. */
static int ref_parse(const char *ref, char hex[33], size_t *len)
{
	const char *p;
	size_t n = 0;

	for (p = ref; *p && n < 32; p++)
		if (*p != '-')
			hex[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	hex[n] = '\0';
	*len = n;
	return ref_form(ref, hex, n, *p != '\0');
}

/* Why a ref of no form is none: a uuid prefix too short, or nothing. */
static const char *ref_problem(const char *hex, size_t len)
{
	if (len > 0 && len < REF_UUID_MIN &&
	    strspn(hex, "0123456789abcdef") == len)
		return "a uuid prefix needs at least " REF_UUID_MIN_TEXT
		       " hex digits";
	return "expected an id, a uuid (or a prefix of at least "
	       REF_UUID_MIN_TEXT " hex digits), 'first', 'latest', '@label'"
	       " or a time";
}

const char *store_ref_check(const char *ref)
{
	char hex[33];
	size_t len;

	if (!ref || ref_parse(ref, hex, &len) >= 0)
		return NULL;
	return ref_problem(hex, len);
}

int store_has_host(struct store *s, const char *host, struct buf *hosts)
{
	sqlite3_stmt *st = NULL;
	int rc, found = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT hostname, hostname = ?1 FROM"
			       " hosts GROUP BY hostname ORDER BY hostname",
			       -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "look up hosts in");
	sqlite3_bind_text(st, 1, host, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found |= sqlite3_column_int(st, 1);
		if (hosts && hosts->len < 200)
			buf_addf(hosts, "%s'%s'", hosts->len ? ", " : "",
				 (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, "look up hosts in");
	return found;
}

int store_resolve_in(struct store *s, const char *ref, const char *host,
		     int64_t lo, int64_t hi, int64_t *id)
{
	struct resolve_args a = { NULL, host, lo, hi };
	char hex[33];
	size_t len;
	int r, form;

	if (!ref)
		ref = "latest";
	form = ref_parse(ref, hex, &len);
	if (form < 0)
		return error("bad snapshot reference '%s': %s", ref,
			     ref_problem(hex, len));
	if (form == REF_TIME)
		r = resolve_time(s, ref, &a, id);
	else {
		a.arg = form == REF_LABEL ? ref + 1 : form == REF_UUID ? hex
			: form == REF_ID ? ref : NULL;
		r = resolve_one(s, by_ref[form], &a, id);
	}
	/* digits only may also be the start of a uuid */
	if (r == 1 && form == REF_ID && len >= REF_UUID_MIN) {
		a.arg = hex;
		r = resolve_one(s, by_ref[REF_UUID], &a, id);
	}
	if (r == 1)
		return error("'%s': no snapshot%s%s%s matches '%s'%s", s->path,
			     host ? " of host '" : "", host ? host : "",
			     host ? "'" : "", ref, lo != INT64_MIN ||
			     hi != INT64_MAX ? " in the --since/--until window"
			     : "");
	if (r == 2)
		return error("'%s': snapshot '%s' is ambiguous", s->path, ref);
	return r;
}

int store_resolve(struct store *s, const char *ref, const char *host,
		  int64_t *id)
{
	return store_resolve_in(s, ref, host, INT64_MIN, INT64_MAX, id);
}
