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

/*
 * The per-process figures a series carries: sizes in kB, then counts.
 * SERIES_MEM is not stored but summed: anon + swap, the memory only a
 * free() or an exit gives back (page cache and shared pages come and go
 * with other processes).
 */
enum series_field { SERIES_RSS, SERIES_PSS, SERIES_USS, SERIES_SWAP,
	SERIES_VSS, SERIES_ANON, SERIES_THREADS, SERIES_MAPS,
	SERIES_STORED,			/* how many a point holds */
	SERIES_MEM = SERIES_STORED,
	SERIES_NFIELDS };

/* One process in one snapshot. */
struct series_point {
	int64_t snapshot;	/* snapshots.id */
	int64_t time_us;	/* the snapshot's time, UTC */
	const char *label;	/* the snapshot's label, or NULL; the set's */
	int64_t v[SERIES_STORED];	/* by series_field, or SERIES_UNKNOWN */
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
	const struct series_point *points;	/* npoints, oldest first;
						   NULL from series_stream */
	size_t npoints;
	int64_t first_us;	/* the time of its first point */
	size_t key;		/* what series_stream's hook called it */
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
 * Read the series of every process of st that passes f (NULL: all), of
 * the snapshots in f's window (f->since, f->until), in
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

/* Where series_stream hands each point as it reads it. */
struct series_hook {
	/* A point of the process that series_stream's set will hold as
	 * the series whose key is `key` (keys are below the number of
	 * processes read, not of the set's). Processes come interleaved,
	 * each one's points oldest first; p->label lives for the call. */
	void (*point)(void *arg, size_t key, const struct series_point *p);
	void *arg;
	unsigned figs;	/* FIG_BIT()s of the figures it needs (the rest
			   read as SERIES_UNKNOWN); 0: every one */
	int no_text;	/* it needs no text_blob nor kind (0, maps) */
};

/*
 * series_load without holding the points, for a command over every row
 * of a long history (growth, report): each point of a process that
 * passes f goes to hook->point as it is read (with filters on names,
 * only in a second pass over the rows, once the names are known). The
 * set then has every series with its npoints and key, and no points.
 * Memory grows with the processes and snapshots, not with the rows.
 */
int series_stream(struct series_set *set, struct store *st,
		  const struct filters *f, const struct series_hook *hook);

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

/* The value of field `fld` at point p (SERIES_UNKNOWN, kB or a count). */
int64_t series_value(const struct series_point *p, enum series_field fld);
/* Is fld a size in kB (else a count: threads, maps)? */
int series_field_is_size(enum series_field fld);
/* "rss", "pss", "uss", "swap", "vss", "anon", "threads", "maps",
 * "anon+swap" to a field: 0, or -1 (nothing printed) when name is none
 * of them. */
int series_field_parse(const char *name, enum series_field *fld);
/* --field's argument: 0, or 2 (a usage error, printed). */
int series_field_arg(const char *arg, enum series_field *fld);
const char *series_field_name(enum series_field fld);
/* What --help and usage errors list: "rss|pss|...". */
#define SERIES_FIELDS "anon+swap|pss|rss|uss|anon|swap|vss|threads|maps"

#endif
