/* cgseries.h - each memory cgroup's figures across the snapshots of a
 * file, a container restarted under a new id followed as one: what
 * `timeline --cgroups` and `growth --cgroups` show. */
#ifndef MAPSNAP_CGSERIES_H
#define MAPSNAP_CGSERIES_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "store.h"

/* A cgroup's figures at one snapshot, kB (counts for procs), or
 * CGS_UNKNOWN. CGS_MEM is anon + swap: what only a free or an exit gives
 * back, as growth judges processes by. */
enum cgs_field { CGS_CHARGE, CGS_MEM, CGS_ANON, CGS_FILE, CGS_KERNEL,
	CGS_SWAP, CGS_LIMIT, CGS_PROCS, CGS_PSS, CGS_NFIELDS };
#define CGS_UNKNOWN INT64_MIN

/* What --field takes with --cgroups. */
#define CGS_FIELDS "charge|anon+swap|anon|file|kernel|swap|pss|procs"

struct cgs_point {
	int64_t snapshot, time_us;
	int64_t v[CGS_NFIELDS];
	int64_t headroom;	/* kB under the lowest limit on its way up,
				   CGS_UNKNOWN: no limit known */
};

/* One cgroup, followed from snapshot to snapshot of its host: by its path,
 * or across a restart by what cgview_pair pairs. */
struct cgs_series {
	char *host;
	char *path;		/* its path in its last snapshot */
	char *first_path;	/* in its first, when another (a restart) */
	int v1;			/* of the v1 memory hierarchy */
	struct cgs_point *points;	/* oldest first */
	size_t npoints, cap;
};

struct cgs_set {
	struct cgs_series *v;	/* by host, then path */
	size_t n;
	size_t snapshots;	/* how many were read */
	size_t stored;		/* how many of their cgroups had figures,
				   whether they passed the filters or not */
};

/*
 * Every cgroup of st's snapshots (of f->host, in f's window) that has
 * stored figures (a capture with --sys) and holds a process that passes
 * f, or is an ancestor of one (every cgroup when f looks at no process).
 * Returns 0 (set filled, maybe empty) or -1 (printed). Release either way.
 */
int cgs_load(struct cgs_set *set, struct store *st, const struct filters *f);
void cgs_release(struct cgs_set *set);

/* --field's argument with --cgroups: 0, or 2 (a usage error, printed). */
int cgs_field_arg(const char *arg, enum cgs_field *fld);
const char *cgs_field_name(enum cgs_field fld);
/* The name a row shows: its path, "(was OLD)" after it when it restarted
 * under another; into b (reset first). */
const char *cgs_name(const struct cgs_series *s, struct buf *b);

#endif
