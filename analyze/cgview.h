/* cgview.h - the memory cgroups of one snapshot as a tree: each one's
 * stored figures, the limit and headroom its ancestors leave it, and the
 * sums of the captured processes in it and below it. */
#ifndef MAPSNAP_CGVIEW_H
#define MAPSNAP_CGVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter.h"
#include "rows.h"
#include "store.h"

/* One cgroup. Amounts in bytes as stored, FIG_UNKNOWN where unknown. */
struct cgnode {
	int v1;			/* of the v1 memory hierarchy, else v2 */
	char *path;
	int depth;		/* "/" is 0 */
	ssize_t parent;		/* its index, or -1 */
	int stored;		/* it has a row in cgroups (else only
				   processes named it: no figures) */
	int64_t current, max, high, swap;
	int64_t anon, file, kernel, sock;
	int64_t oom, oom_kill;
	/* the lowest limit of it and its ancestors (MEMCG_NO_LIMIT for
	 * none) and the least room under any of them */
	int64_t limit, headroom;
	/* its processes and those below it that passed the filters: their
	 * number, and their PSS, USS and Anonymous summed (kB; FIG_UNKNOWN
	 * when one of them does not know it) */
	int64_t procs, pss, uss, panon;
	char *key;		/* cg_stable_key of its path */
	char *comms;		/* the distinct comms of the processes right
				   in it, sorted, "\n" after each */
	int shown;		/* holds a process that passed, or the filters
				   look at no process */
};

struct cgview {
	struct cgnode *v;	/* in tree order: v2 before v1, a parent
				   before its children */
	size_t n;
};

/*
 * The cgroups of snapshot snap of st, with the processes that pass f
 * (NULL: all) summed into them. A cgroup that processes name but that has
 * no row (a capture without --sys) is there with unknown figures. 0, or
 * -1 (printed; release cv anyway).
 */
int cgview_load(struct cgview *cv, struct store *st, int64_t snap,
		const struct filters *f);
void cgview_release(struct cgview *cv);

/* The tree order of two cgroups: <0, 0 (the same cgroup), >0. */
int cgnode_cmp(const struct cgnode *a, const struct cgnode *b);

/*
 * Pair the cgroups of two views (of two snapshots): by path, else a
 * container restarted under a new id with its old self, by what of its
 * path survives a restart (cg_stable_key: the unit's kind, the pod, the
 * container's name) and the comms of its processes. ao[i] gets the index
 * in b of a's i-th cgroup's twin, bo[j] that in a of b's j-th, -1 when
 * none; ao holds a->n, bo b->n.
 */
void cgview_pair(const struct cgview *a, const struct cgview *b,
		 ssize_t *ao, ssize_t *bo);

/* The name a tree view shows: the path's last component ("/" for the
 * root), after 2 blanks a level. Into a caller's buffer of n bytes. */
const char *cgnode_tree_name(const struct cgnode *c, char *out, size_t n);

#endif
