/* store.h - the mapsnap file: open an SQLite database laid out by
 * schema/schema.sql (format.h checks it), transactions, and blobs.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. Rows in and out are
 * rows.h's; this is the common path under them. */
#ifndef MAPSNAP_STORE_H
#define MAPSNAP_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "buf.h"
#include "format.h"
#include "when.h"

/* The default compression level (libdeflate's scale), and the one of the
 * cheap capture modes (maps text: small, and deflate is most of their own
 * work): bench/README.md has the measurements. */
#define STORE_LEVEL 4
#define STORE_LEVEL_CHEAP 1

/*
 * The page cache of a cheap capture, in KiB (SQLite's default is 2000).
 * A snapshot is one transaction; once its new pages outgrow the cache,
 * SQLite writes them to the WAL early, some more than once, and reads
 * them back at the checkpoint, which in the cheap modes cost as much as
 * a fifth of their own time. SQLite spills well before the cache is full:
 * the bench's 200 processes (1,380 pages) needed 6000 KiB, so 8 MiB keeps
 * about 270 such processes whole. A full capture keeps the default: its
 * pages are a smaller part of its time, and its peak RSS stays flat as
 * processes are added.
 */
#define STORE_CACHE_CHEAP_KIB 8192

enum store_mode {
	STORE_READ,	/* read-only, defensive: for files from strangers */
	STORE_WRITE,	/* read-write, created with the schema if missing,
			   upgraded to this build's format if older */
	/*
	 * STORE_WRITE without the switch to WAL: for one long transaction
	 * that adds much (merge, redact). A page added is written once, not
	 * to the WAL and then again, and a rollback leaves the file byte for
	 * byte as it was (WAL on and off again bumps the header's counters).
	 */
	STORE_BULK,
	/*
	 * STORE_WRITE for a file no other process opens (capture -o -, whose
	 * file is unlinked once it is open): the journal in memory and the
	 * file locked for this connection alone, so SQLite never makes a
	 * file beside it nor needs its name again.
	 */
	STORE_PRIVATE,
};

struct store {
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	struct format_file format;	/* the file's version and columns */
	int level;			/* compression level for new blobs */
	sqlite3_stmt *blob_find;	/* prepared once, reused per blob */
	sqlite3_stmt *blob_insert;
	sqlite3_stmt *blob_get;
	sqlite3_stmt *blob_hash;
	sqlite3_stmt *proc_insert;
	sqlite3_stmt *cgroup_insert;
	struct buf zbuf;		/* deflate scratch */
	struct blob_deflater zd;	/* set up at the first blob */
};

/*
 * Open `path`. STORE_READ opens read-only with SQLite's defensive
 * settings (no trusted schema, no extensions) and fails on a missing
 * file. STORE_WRITE and STORE_BULK create the file and its schema when
 * missing or empty, and upgrade an older file (format_upgrade). All
 * check the format (format_check). Returns 0, or -1 with a message
 * naming the file; *s is then released.
 */
int store_open(struct store *s, const char *path, enum store_mode mode);
/* Finalize statements and close. Safe on a released or failed store. */
void store_close(struct store *s);

/*
 * store_open in two parts, for an opener with a connection of its own
 * (merge reads a file from a copy in memory, builds a new one there):
 * store_connect opens `uri` (a path, or with SQLITE_OPEN_URI in
 * `flags`, an SQLite URI; NULL: path) for `mode`, with the settings of
 * that mode, and checks nothing; store_settle applies those settings
 * again (to a connection the opener put in s->db), and store_validate
 * checks the format (and for a writer, creates or upgrades the file).
 * Each returns 0 or -1 (printed; release s with store_close).
 */
int store_connect(struct store *s, const char *path, enum store_mode mode,
		  const char *uri, int flags);
int store_settle(struct store *s);
int store_validate(struct store *s);

/* Does the file have column `column` of `table` (NULL: the table)?
 * (Older files lack the tables and columns of later format steps.) */
int store_has(const struct store *s, const char *table, const char *column);

/* Let the page cache grow to kib KiB. 0 or -1 (printed). */
int store_cache(struct store *s, int kib);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1 (printed). */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Report the connection's last error: "cannot <what> 'path': msg". -1. */
int store_error(struct store *s, const char *what);

/* Run SQL that returns no rows: 0 or -1 (printed, "cannot <what>"). */
int store_exec(struct store *s, const char *sql, const char *what);
/* Prepare *st once (SQLITE_PREPARE_PERSISTENT), or reset and clear it
 * for reuse: 0 or -1 (printed). */
int store_prepare(struct store *s, sqlite3_stmt **st, const char *sql);
/* Step a statement that returns no row, then reset it: 0 or -1. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);

/*
 * Store a text once: if a blob with the same hash exists its id is
 * returned and *added is 0; else it is compressed, inserted, and *added
 * is the compressed size. 0 or -1 (printed).
 */
int store_blob_put(struct store *s, const void *raw, size_t n, int64_t *id,
		   size_t *added);

/* store_blob_put for a caller that has the text's hash (blob_hash) h. */
int store_blob_put_hashed(struct store *s, const struct blob_hash *h,
			  const void *raw, size_t n, int64_t *id, size_t *added);

/* The id of the blob whose text has hash h: 0, 1 when there is none,
 * -1 (printed). */
int store_blob_find(struct store *s, const struct blob_hash *h, int64_t *id);

/*
 * store_blob_put for a text already compressed (into the zlib format,
 * as blob_stream does) and hashed: (z, zn) is stored as the text of n
 * bytes with hash h, unless a blob with that hash exists. 0 or -1.
 */
int store_blob_put_packed(struct store *s, const struct blob_hash *h,
			  size_t n, const void *z, size_t zn, int64_t *id,
			  size_t *added);

/*
 * Append blob `id`'s raw text to out, checking its stored size, the
 * inflate and the hash. -1 with a message naming the blob on any fault.
 */
int store_blob_get(struct store *s, int64_t id, struct buf *out);

/* The stored hash of blob `id` (what it claims; store_blob_get checks
 * it): 0, 1 when there is no such blob or its hash is malformed, -1
 * (printed). */
int store_blob_hash(struct store *s, int64_t id,
		    unsigned char hash[BLOB_HASH_LEN]);

/*
 * The blob in the current row of st, whose first columns are raw_size,
 * codec, data and hash, for blob_unpack(): valid until st moves on.
 */
struct blob_stored store_blob_row(sqlite3_stmt *st);

/*
 * Resolve a snapshot reference: a number (the id), a uuid or a unique
 * prefix of one (at least REF_UUID_MIN hex digits), "first", "latest",
 * "@label" (the latest with that label), or a time (when.h: the last snapshot
 * taken at or before it; a span counts back from the latest snapshot).
 * A time is tried before a uuid prefix: "2026-12-06" is hex digits too.
 * NULL means "latest". With a host name, only that host's snapshots
 * count. 0 or -1 (printed).
 */
int store_resolve(struct store *s, const char *ref, const char *host,
		  int64_t *id);

/* The shortest uuid prefix a REF may be: 3 hex digits would match one
 * snapshot in 4096, and a reader cannot tell it from a typo. */
#define REF_UUID_MIN 4
#define REF_UUID_MIN_TEXT "4"

/* Is ref a REF of some form (store_resolve's)? NULL when it is (or is
 * NULL), else why not, for a usage error: a static string. The file is
 * not read: whether a snapshot matches is store_resolve's to say. */
const char *store_ref_check(const char *ref);

/* Does the file hold a host named host? 1 or 0, or -1 (printed). With
 * hosts, its host names are appended, quoted, ", " between them (cut
 * after about 200 bytes), for the message that names them. */
int store_has_host(struct store *s, const char *host, struct buf *hosts);

/* store_resolve among the snapshots taken in [lo, hi] only: "first" and
 * "latest" are the window's. */
int store_resolve_in(struct store *s, const char *ref, const char *host,
		     int64_t lo, int64_t hi, int64_t *id);

/*
 * The window [*lo, *hi] that since and until name (either may be NULL
 * or unset: no bound, INT64_MIN or INT64_MAX); a span counts back from
 * the latest snapshot of host (NULL: of any host). 0, or -1 (printed).
 */
int store_window(struct store *s, const char *host, const struct when *since,
		 const struct when *until, int64_t *lo, int64_t *hi);

#endif
