/* store.h - the mapsnap file: create or open an SQLite database laid out by
 * schema/schema.sql, write snapshots in one transaction, read blobs back. */
#ifndef MAPSNAP_STORE_H
#define MAPSNAP_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "buf.h"

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

/* The format this build reads and writes (PRAGMA user_version). */
#define STORE_VERSION 1

enum store_mode {
	STORE_READ,	/* read-only, defensive: for files from strangers */
	STORE_WRITE,	/* read-write, created with the schema if missing */
	/*
	 * STORE_WRITE without the switch to WAL: for one long transaction
	 * that adds much (merge). A page added is written once, not to the
	 * WAL and then again, and a rollback leaves the file byte for byte
	 * as it was (WAL on and off again bumps the header's counters).
	 */
	STORE_BULK,
	/*
	 * STORE_BULK for a new file built in memory (SQLite's memdb) and
	 * written whole by store_save_image(): one large write instead of
	 * one write per 1 KiB page, which was half of merge's time.
	 */
	STORE_MEMORY,
	/*
	 * STORE_READ from a private copy of the file in memory, read in one
	 * call under SQLite's read lock, for a reader of every page (merge):
	 * one read instead of one per 1 KiB page, and pages used in place.
	 * A file in WAL mode or bigger than STORE_IMAGE_MAX is read as
	 * STORE_READ reads it. The store's mode is then STORE_READ.
	 */
	STORE_IMAGE,
};

/* The largest file STORE_IMAGE copies into memory. */
#define STORE_IMAGE_MAX ((sqlite3_int64)256 << 20)

struct store {
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	int level;			/* compression level for new blobs */
	sqlite3_stmt *blob_find;	/* prepared once, reused per blob */
	sqlite3_stmt *blob_insert;
	sqlite3_stmt *blob_get;
	sqlite3_stmt *proc_insert;
	struct buf zbuf;		/* deflate scratch */
	struct blob_deflater zd;	/* set up at the first blob */
};

/*
 * Open `path`. STORE_READ opens read-only with SQLite's defensive
 * settings (no trusted schema, no extensions) and fails on a missing
 * file. STORE_WRITE and STORE_BULK create the file and its schema when
 * missing or empty. All check the format version and that every table
 * and column of the schema is there. Returns 0, or -1 with a message
 * naming the file; *s is then released.
 */
int store_open(struct store *s, const char *path, enum store_mode mode);
/* Finalize statements and close. Safe on a released or failed store. */
void store_close(struct store *s);

/*
 * Write a STORE_MEMORY database's file image to fd, a new empty file the
 * caller made (O_EXCL) and closes; no fsync, as cp writes a copy. 0 or
 * -1 (printed, naming s->path).
 */
int store_save_image(struct store *s, int fd);

/* Let the page cache grow to kib KiB. 0 or -1 (printed). */
int store_cache(struct store *s, int kib);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1 (printed). */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Report the connection's last error: "cannot <what> 'path': msg". -1. */
int store_error(struct store *s, const char *what);

/* Find or add the host (hostname, machine_id). 0 or -1. */
int store_host(struct store *s, const char *hostname, const char *machine_id,
	       int64_t *id);

/*
 * Store a text once: if a blob with the same hash exists its id is
 * returned and *added is 0; else it is compressed, inserted, and *added
 * is the compressed size. 0 or -1 (printed).
 */
int store_blob_put(struct store *s, const void *raw, size_t n, int64_t *id,
		   size_t *added);

/*
 * Append blob `id`'s raw text to out, checking its stored size, the
 * inflate and the hash. -1 with a message naming the blob on any fault.
 */
int store_blob_get(struct store *s, int64_t id, struct buf *out);

/*
 * The blob in the current row of st, whose first columns are raw_size,
 * codec, data and hash, for blob_unpack(): valid until st moves on.
 */
struct blob_stored store_blob_row(sqlite3_stmt *st);

struct snapshot_row {
	const char *uuid;
	int64_t host_id;
	const char *boot_id, *kernel, *arch;
	int64_t page_size;
	int64_t time_us;
	double uptime;		/* < 0: unknown */
	const char *label;	/* may be NULL */
	const char *options;
	const char *source;	/* "smaps", "maps", "rollup" */
	int64_t meminfo_blob;	/* 0: none */
};
int store_snapshot_add(struct store *s, const struct snapshot_row *r,
		       int64_t *id);

struct skip_count {
	const char *reason;
	int64_t count;
};
/* Record the final counts of a snapshot and its skips (count > 0 only). */
int store_snapshot_finish(struct store *s, int64_t id, int64_t seen,
			  int64_t captured, int64_t bytes_read,
			  const struct skip_count *skips, size_t nskips);

/* Parse meminfo text and store its "Name: N kB" lines. 0 or -1. */
int store_meminfo_add(struct store *s, int64_t snapshot_id,
		      const char *text, size_t len);

struct process_row {
	int64_t pid, ppid, start_time;
	int64_t uid;			/* < 0: unknown */
	const char *user;		/* may be NULL */
	const char *comm;
	const char *cmdline;		/* NUL separators kept */
	size_t cmdline_len;
	const char *exe;		/* may be NULL */
	int64_t threads;		/* < 0: unknown */
	int64_t stat_blob, status_blob, text_blob, rollup_blob; /* 0: none */
	const char *text_kind;		/* "smaps" or "maps" */
	int has_usage;			/* the rss..locked figures are known */
	int64_t nmaps, size_kb, rss_kb, pss_kb, uss_kb, shared_kb;
	int64_t swap_kb, swap_pss_kb, anon_kb, locked_kb;
};
int store_process_add(struct store *s, int64_t snapshot_id,
		      const struct process_row *p);

/*
 * Keep only the newest `keep` snapshots (by time): delete the others with
 * their rows, then every blob no remaining row refers to. Freed pages are
 * reused by later snapshots, so a ring stops growing. *removed gets the
 * number of snapshots deleted. Call inside a transaction. 0 or -1.
 */
int store_prune(struct store *s, int64_t keep, int64_t *removed);

/*
 * Resolve a snapshot reference: a number (the id), a uuid or a unique
 * prefix of one (at least 4 hex digits), "first", "latest", or "@label"
 * (the latest with that label). NULL means "latest". With a host name,
 * only that host's snapshots count. 0 or -1 (printed).
 */
int store_resolve(struct store *s, const char *ref, const char *host,
		  int64_t *id);

#endif
