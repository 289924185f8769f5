/* series.h - each process's summary figures across the snapshots of a
 * file, read from the processes table (never from the stored texts). */
#ifndef MAPSNAP_SERIES_H
#define MAPSNAP_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "analyze.h"

/* A figure the stored text could not tell (a maps-only capture has no
 * Rss): never 0, which would read as a real value. */
#define SERIES_UNKNOWN INT64_MIN

/* The per-process figures a series carries, in kB. */
enum series_field { SERIES_RSS, SERIES_PSS, SERIES_USS, SERIES_SWAP,
	SERIES_SIZE };

/* One process in one snapshot. */
struct series_point {
	int64_t snapshot;	/* snapshots.id */
	int64_t time_us;	/* the snapshot's time, UTC */
	const char *label;	/* the snapshot's label, or NULL; the set's */
	int64_t rss, pss, uss, swap, size;	/* or SERIES_UNKNOWN */
	int64_t text_blob;	/* the stored text's blob id; 0: none */
	enum text_kind kind;	/* what that text is */
};

/*
 * One process: what tells it from every other is (host, boot_id, pid,
 * start_time), so a reused pid is another series. comm, command and user
 * are those of its last point (an exec may change them).
 */
struct series {
	const char *host, *boot_id;
	int64_t pid, start_time;
	const char *comm;
	const char *command;	/* as ps shows it: NULs as spaces, "[comm]"
				   when empty */
	const char *user;	/* NULL when the capture could not tell */
	int64_t uid;		/* -1 when unknown */
	const struct series_point *points;	/* npoints, oldest first */
	size_t npoints;
};

/*
 * Every series that passed the filters, by pid, then start time, then
 * host. All strings and points belong to the set (a few allocations in
 * all, whatever the number of rows).
 */
struct series_set {
	struct series *v;
	size_t n;
	struct series_point *points;	/* all of them, series after series */
	size_t npoints;
	char *strings;
};

/*
 * Read the series of every process of st that passes f (NULL: all), in
 * one read transaction: the processes table is read snapshot by snapshot
 * (with f->pids, only those rows, by primary key); filters on names take
 * a first pass over the names alone, and the regex runs once per process
 * and name, not per row. A process passes when any of its points passes
 * (so --match finds a process by a name it had at some time), and then
 * all its points are kept. f->host limits the snapshots to that host's.
 * Returns 0 (set filled, maybe empty) or -1 (printed; set empty).
 * Release with series_set_release in either case.
 */
int series_load(struct series_set *set, struct store *st,
		const struct filters *f);
/* Free everything; the set is then empty. Safe on an empty set. */
void series_set_release(struct series_set *set);

/*
 * The body of a command over every snapshot of a file (timeline,
 * growth): open `file` read-only, load the series that pass f, and
 * return what show(st, set, arg) returns; 1 when the file or its series
 * cannot be read (printed). Everything is released on return.
 */
int series_run(const char *file, const struct filters *f,
	       int (*show)(struct store *st, const struct series_set *set,
			   const void *arg),
	       const void *arg);

/* The value of field `fld` at point p (SERIES_UNKNOWN or kB). */
int64_t series_value(const struct series_point *p, enum series_field fld);
/* "rss", "pss", "uss", "swap", "size" to a field: 0, or -1 (nothing
 * printed) when name is none of them. */
int series_field_parse(const char *name, enum series_field *fld);
/* --field's argument, one of the fields that can grow (not size): 0, or
 * 2 (a usage error, printed). */
int series_field_arg(const char *arg, enum series_field *fld);
const char *series_field_name(enum series_field fld);

#endif
