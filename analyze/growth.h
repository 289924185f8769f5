/* growth.h - leak suspects: each process's memory, threads and mappings
 * across a file's snapshots, judged as a trend (trend.h) on a summary of
 * bounded size (culprit.h names the regions that explain one). */
#ifndef MAPSNAP_GROWTH_H
#define MAPSNAP_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "series.h"
#include "trend.h"

/*
 * A process's series is judged on at most this many points: when it has
 * more, consecutive points are averaged in buckets of 2, 4, 8... (the
 * mean of each), so memory stays bounded whatever the history's length.
 */
#define GROWTH_BUCKETS 256

/* The defaults of the options. */
#define GROWTH_CONFIDENCE 0.99
#define GROWTH_MIN_KB 1024	/* a size field's least growth */
#define GROWTH_MIN_THREADS 4
#define GROWTH_MIN_MAPS 8

/* Microseconds in an hour: trend slopes are per microsecond. */
#define GROWTH_US_HOUR 3600e6

struct growth_opts {
	enum series_field field;	/* what is judged (SERIES_MEM by
					   default) */
	int counts_too;			/* and threads and maps, each its own
					   suspect (the default view) */
	double confidence;		/* in (0, 1) */
	int64_t min_growth;		/* of field; 0: its default */
};

/* One suspect: a process whose field grew as a leak does. */
struct growth_suspect {
	const struct series *s;		/* the process: the result's set's */
	enum series_field field;	/* may be SERIES_VSS where the
					   files know no anon+swap */
	struct trend tr;		/* tr.first is a bucket index */
	size_t proc;			/* its summary: growth_points' arg */
	int sum;			/* which of the summary's sums */
	int64_t first_us, last_us;	/* the judged segment's first and
					   last snapshot */
	size_t snapshots;		/* the process's snapshots in it */
	int64_t from, to, growth;	/* fitted, in field's unit */
	double per_hour;
	int64_t available;		/* MemAvailable of the host's latest
					   snapshot, kB; -1: unknown */
	double hours_left;		/* until it is gone at per_hour; < 0:
					   unknown (or not a size) */
};

struct growth_proc;

struct growth {
	struct series_set set;
	struct growth_proc *procs;	/* by series key */
	size_t nprocs;
	struct growth_suspect *v;	/* by per_hour, fastest first */
	size_t n;
	size_t novalue;		/* processes judged on vss: no anon+swap */
};

/* v to the nearest int64, held within int64 (figures from a stranger's
 * file may be anything); 0 for NaN. */
int64_t growth_round(double v);

/* The options of growth and report: --confidence PCT (a percentage
 * above 50 and below 100) and --min-growth N (kB, or a count): 0, or 2
 * (a usage error, printed). */
int growth_confidence_arg(const char *arg, struct growth_opts *o);
int growth_min_arg(const char *arg, struct growth_opts *o);

/*
 * Read the processes of st that pass f (and its window) once, without
 * keeping their rows, and judge each as o says. Fills g (release it
 * either way). Returns 0, or -1 (printed).
 */
int growth_find(struct growth *g, struct store *st, const struct filters *f,
		const struct growth_opts *o);
void growth_release(struct growth *g);

/*
 * The points the suspect was judged on (bucket means), oldest first:
 * at most max of them into time_us and value; returns how many there
 * are. The fitted line is tr.from + tr.slope * (t - time_us[tr.first]).
 */
size_t growth_points(const struct growth *g, const struct growth_suspect *s,
		     int64_t *time_us, int64_t *value, size_t max);

/* A snapshot of a suspect's process, whose text culprit.c reads. */
struct growth_text {
	int64_t snapshot, time_us;
};

/*
 * Up to max (at least 2) of the suspect's snapshots, spread evenly over
 * its judged segment from its first to its last, oldest first, none
 * twice: into v; how many.
 */
size_t growth_texts(const struct growth *g, const struct growth_suspect *s,
		    struct growth_text *v, size_t max);

#endif
