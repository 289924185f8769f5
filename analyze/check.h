/* check.h - the parts of `check`: the command, the integrity check beside
 * it and the blobs (cmd_check.c), and every row of every table checked
 * in one pass per table (check_rows.c). */
#ifndef MAPSNAP_CHECK_H
#define MAPSNAP_CHECK_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "analyze.h"
#include "buf.h"
#include "progress.h"
#include "smaps.h"

/* What a blob's text sums to, for the rows that refer to it. */
struct blob_sum {
	int64_t id;
	int parsed;		/* 1: maps or smaps text; 0: another; -1: unread */
	struct smaps_totals t;
};

struct table_rules;

/* The tables a column may refer to (schema.sql's naming: check_ref). */
enum { REF_HOSTS, REF_SNAPSHOTS, REF_BLOBS, NREFS };

/*
 * The ids of a table that references name, read once: a reference is
 * then a search in memory, not a B-tree lookup per row. A value that is
 * not a plain integer id, or a table whose ids are not all integers,
 * asks the file itself (`probe`), as SQLite would compare them.
 */
struct id_set {
	int64_t *id;		/* sorted */
	size_t n;
	uint64_t *bits;		/* or, when they are few to their span, a bit
				   per id from id[0] on */
	uint64_t span;
	int all_int;
	sqlite3_stmt *probe;	/* SELECT 1 FROM table WHERE id = ?1 */
};

struct check {
	struct store st;
	sqlite3 *ref;		/* the layout of the file's format, in memory */
	sqlite3_stmt *key_cols;	/* on ref: the columns of a key (key_sql_make) */
	int64_t problems;
	struct blob_sum *sums;	/* by id, ascending */
	size_t nsums, sums_alloc;
	struct id_set ids[NREFS];
	const struct table_rules *scan;	/* check_tables': the table read */
	struct progress progress;	/* on a terminal, without -q */
	/*
	 * PRAGMA integrity_check, run meanwhile on a connection and a thread
	 * of its own: until it is done, other problems wait in `held`, so
	 * that its lines come first, as when it ran first.
	 */
	int sidecar;		/* the thread runs */
	pthread_t thread;
	struct store side;	/* its connection */
	struct buf side_lines;	/* its problems, one a line */
	int64_t side_problems;
	struct buf held;
};

/* One problem, one line on stderr: "mapsnap-analyze: 'FILE': ...". */
void problem(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The file's last SQLite error as a problem: a damaged page, mostly. */
void sql_problem(struct check *c, const char *what);
/*
 * Run `sql` (built with sqlite3_mprintf; freed here) on the file; each row
 * is one problem, its first column the text. SQLite's errors are problems
 * too: the checks after this one still run.
 */
void rows_are_problems(struct check *c, char *sql, const char *what);

/*
 * SQL about one key of `table` in the reference, the columns of unique
 * index `index` in order (NULL: of the primary key, else the rowid):
 * `name` names a row by them, as 'processes (snapshot_id ' ||
 * quote("snapshot_id") || ', pid ' || quote("pid") || ')'; `group` lists
 * them for GROUP BY, each with its collation; `present` holds when none
 * is NULL. The names are schema.sql's. 0, or -1 when out of memory or the
 * key has no column (not printed).
 */
struct key_sql {
	char *name, *group, *present;	/* sqlite3_free() them */
};
int key_sql_make(struct check *c, const char *table, const char *index,
		 struct key_sql *k);
void key_sql_release(struct key_sql *k);
/* How messages name a row of `table`: key_sql's name of its primary key.
 * NULL when out of memory; sqlite3_free() it. */
char *row_name(struct check *c, const char *table);

/*
 * Every row of every table of the reference, one query per table: each
 * value of the type schema.sql declares (NULL only where it may be), the
 * rows it refers to there, counts and sizes not below 0, every CHECK of
 * schema.sql, and each process's figures against what its text sums to
 * (c->sums, made first). SQL finds the rows that break any; C says how.
 * The SQL functions it needs are registered on the file's connection.
 */
void check_tables(struct check *c);

#endif
