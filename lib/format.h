/* format.h - the versions of the mapsnap file: the steps that upgrade an
 * older file, and the checks every file passes before a row is read.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/; this module knows
 * the store only through the connection and path it is handed.
 *
 * A file's format is MAJOR.MINOR: PRAGMA user_version holds the major,
 * the meta row 'format_minor' the minor (no row: 0, the files of mapsnap
 * 0.1.0). A minor step only adds: columns, tables, indexes, and what
 * fills them in old rows. So a file of a newer minor is read by this
 * build, which ignores what it does not know; any other change is a new
 * major, refused by every build that does not know it.
 */
#ifndef MAPSNAP_FORMAT_H
#define MAPSNAP_FORMAT_H

#include <sqlite3.h>

#include "buf.h"

/* The format this build writes, and reads in full. */
#define FORMAT_MAJOR 1
#ifdef MAPSNAP_FORMAT_TEST_STEP
/* A build one step ahead, for the compatibility tests (t-compat.sh). */
#define FORMAT_MINOR 2
#else
#define FORMAT_MINOR 1
#endif

/* A file as the checks found it: its minor, and its tables' columns. */
struct format_file {
	int minor;		/* may exceed FORMAT_MINOR (a newer file) */
	struct buf shape;	/* "\ntable.column\n" lines, for format_has */
};

/*
 * Check the file open on db (named path in messages): its major, every
 * object of its schema (only tables and indexes that cannot run code:
 * no view, trigger, virtual table, generated column, index on an
 * expression or partial index), and that it has every table and column
 * of its minor's layout, and, unless its minor is newer than this
 * build's, nothing else. Creates the schema in an empty database when
 * `writable`. Fills *ff. 0, or -1 (printed, naming path).
 */
int format_check(sqlite3 *db, const char *path, int writable,
		 struct format_file *ff);

/*
 * Bring a file older than this build up to FORMAT_MINOR, in one
 * transaction of its own that adds every step's columns, tables and
 * indexes and records the new minor: every old row stays as it was.
 * A newer file is refused (a writer would leave what it does not know
 * unset), naming both versions. Nothing to do for a current file.
 * 0, or -1 (printed; the file is as it was).
 */
int format_upgrade(sqlite3 *db, const char *path, struct format_file *ff);

/*
 * A new in-memory database laid out as format minor m (FORMAT_MINOR at
 * most): schema.sql, less what the steps after m added. The caller
 * closes it. NULL (printed) when it cannot be made.
 */
sqlite3 *format_layout(int minor);

/* Does the file have column `column` of `table` (NULL: the table)? */
int format_has(const struct format_file *ff, const char *table,
	       const char *column);

void format_file_release(struct format_file *ff);

/*
 * A SELECT of every blob id the file's rows refer to: a column named
 * *_blob holds one (schema.sql's rule), in any table. sqlite3_free() it;
 * NULL when out of memory.
 */
char *format_blob_refs(const struct format_file *ff);

/*
 * For a file older than this build: SQL that makes TEMP views showing
 * each table of this build's layout that the file lacks in part or
 * whole, with NULL for what it lacks, under the table's own name (an
 * unqualified name finds TEMP first). "" for a current or newer file.
 * sqlite3_free() it; NULL when out of memory.
 */
char *format_compat_views(const struct format_file *ff);

/*
 * Report a failed SQLite call on the file db has open, named path:
 * "cannot <what> 'path': <SQLite's message> (<errno's>)". Returns -1.
 */
int format_error(sqlite3 *db, const char *path, const char *what);

/* "1.0": this build's format, for --version and messages. */
const char *format_version(void);

#endif
