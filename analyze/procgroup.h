/* procgroup.h - one snapshot's processes grouped by a key (user, comm,
 * cgroup, container, unit), their figures summed: `users` and `ps --by`,
 * as smem -u and ps_mem group them. */
#ifndef MAPSNAP_PROCGROUP_H
#define MAPSNAP_PROCGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "render.h"
#include "store.h"

enum group_by {
	GROUP_USER,		/* its user's name, or uid (smem -u) */
	GROUP_COMM,		/* its comm (ps_mem) */
	GROUP_CGROUP,		/* the path of its memory cgroup */
	GROUP_CONTAINER,	/* its container's name, or its id cut to 12
				   digits as docker ps and crictl ps show it */
	GROUP_UNIT,		/* its systemd unit */
};

/* Parse --by's argument: 0, or 2 (printed as a usage error). */
int group_by_parse(const char *arg, enum group_by *by);

/* The table's columns: the key (named as --by names it), then
 * count,swap,uss,pss,rss,vss. *n gets their number. */
const struct col *group_cols(enum group_by by, size_t *n);

/*
 * One row per key of the processes of snapshot snap that pass f: their
 * number and figures summed (unknown when a process does not know one).
 * A process the key cannot name (no user, no container...) goes in a row
 * whose key is NULL ("-"). 0, or -1 (printed).
 */
int group_fill(struct store *st, int64_t snap, const struct filters *f,
	       enum group_by by, struct table *t);

#endif
