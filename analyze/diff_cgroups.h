/* diff_cgroups.h - `diff --cgroups`: the memory cgroups of two snapshots
 * paired, a container restarted under a new id with its old self. */
#ifndef MAPSNAP_DIFF_CGROUPS_H
#define MAPSNAP_DIFF_CGROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "render.h"
#include "store.h"

/* The table's columns: cgroup,status, X_from,X_to,X_delta for charge,
 * anon, file, kernel and pss (its processes'), procs_from,procs_to,
 * cgroup_from. *n gets their number. */
const struct col *diff_cgroup_cols(size_t *n);

/*
 * One row per cgroup of snapshot a of sa and b of sb that changed, is new
 * or is gone, the largest charge delta first; rows whose figures all
 * moved by less than threshold kB are left out. Cgroups are the same
 * cgroup when their paths are; else when their paths but for container
 * ids (cg_stable_key: the unit's kind, the pod, the container's name)
 * and the comms of their processes are: a container restarted. With f,
 * only the cgroups holding a process that passes. *same counts the pairs
 * left out. 0, or -1 (printed).
 */
int diff_cgroups_fill(struct store *sa, int64_t a, struct store *sb,
		      int64_t b, const struct filters *f, int64_t threshold,
		      struct table *t, size_t *same);

#endif
