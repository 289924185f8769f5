/* growth.h - leak suspects: runs of consecutive snapshots over which a
 * process's memory, then one of its mappings', grew at every step. */
#ifndef MAPSNAP_GROWTH_H
#define MAPSNAP_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "series.h"

/*
 * Steps and runs. A step is one snapshot to the next one in which the
 * process was captured; a run of N steps spans N + 1 snapshots, and the
 * value is strictly higher at each of its N steps. A run is as long as
 * it can be: it ends where the value stays, falls or is unknown.
 */
#define GROWTH_MIN_STEPS 3	/* the default: three rises in a row */

/*
 * The next run of at least min_steps steps (0 counts as 1) in v[*pos..n),
 * where SERIES_UNKNOWN breaks runs. Returns 1 with *first and *last (v
 * indexes; steps = *last - *first) and *pos moved past it, or 0 when
 * there is none. Start with *pos = 0.
 */
int growth_next_run(const int64_t *v, size_t n, size_t min_steps,
		    size_t *pos, size_t *first, size_t *last);

/* One run of one process. */
struct growth_run {
	const struct series *s;	/* the process: the set's */
	enum series_field field;
	size_t first, last;	/* indexes into s->points */
	size_t steps;		/* last - first */
	int64_t from, to;	/* kB at the first and the last point */
	int64_t growth;		/* to - from */
	double per_hour;	/* growth per hour of the snapshots' time */
	int timed;		/* 0: the run's snapshots share one time, so
				   per_hour is meaningless (left 0) */
};

/*
 * Every run of at least min_steps steps of field `fld`, series by series
 * in the set's order (a process may have several). Returns their number
 * and *runs (caller frees; valid while the set is). Reads nothing from
 * the file, so it cannot fail.
 */
size_t growth_find(const struct series_set *set, enum series_field fld,
		   size_t min_steps, struct growth_run **runs);

/* One mapping region of a process that grew within one of its runs. */
struct growth_region {
	const struct growth_run *run;	/* the process's run it lies in */
	char *name;		/* as libs shows it ("<anonymous>" for the
				   unnamed group); owned by the list */
	char perms[5];		/* a file region's permissions; else "" */
	uint64_t offset;	/* a file region's file offset */
	uint64_t lo, hi;	/* its address span when last seen */
	size_t first, last;	/* indexes into run->s->points */
	size_t steps;
	int64_t from, to, growth;
	double per_hour;
	int timed;
};

struct growth_regions {
	struct growth_region *v;
	size_t n, alloc;
};

/*
 * Within `run`, the regions of its process (files by path, permissions
 * and offset; named regions by name; unnamed anonymous memory as one
 * group: mapagg's MAPAGG_BY_REGION) whose run->field grew at every step
 * for at least min_steps steps: the process's stored text of each
 * snapshot of the run is inflated and summed by region (a text the
 * previous snapshot shares is summed once). A region missing from a
 * snapshot breaks its runs there, as does a snapshot whose text cannot
 * be read or is not smaps (maps or smaps_rollup texts have no
 * per-mapping figures). Appends to out. Returns 0, or -1 when a blob
 * could not be read or held bad records (each printed, naming it) -
 * what could be read is still used.
 */
int growth_regions_find(struct store *st, const struct growth_run *run,
			size_t min_steps, struct growth_regions *out);
/* Free the list's names and array; it is then empty. */
void growth_regions_release(struct growth_regions *r);

#endif
