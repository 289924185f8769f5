/* filter.h - which processes a reader wants: by pid, by a regex on the
 * name or command line, by user; and which host's snapshots.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. The analyzer's
 * options fill a struct filters; rows.c applies it, in one place.
 */
#ifndef MAPSNAP_FILTER_H
#define MAPSNAP_FILTER_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "when.h"

struct filters {
	int64_t *pids;		/* any of these; none: any pid */
	size_t npids;
	regex_t re;		/* with has_re: comm or command line */
	int has_re;
	const char *user;	/* a name, or a uid in digits; NULL: any */
	const char *host;	/* snapshots of this hostname only; NULL: any */
	/* snapshots taken in [since, until] only (each unset: no bound); a
	 * span counts back from the latest snapshot (of host): store_window */
	struct when since, until;
	/* on what a process's cgroup says (format 1.1): a process whose file
	 * does not say (an older file) passes none of them */
	regex_t cgroup_re;	/* with has_cgroup_re: its v2 or v1 memory path */
	int has_cgroup_re;
	const char *container;	/* a container id or a prefix of one, a
				   container name, or a pod UID or prefix */
	const char *unit;	/* a unit or slice on its path ("nginx" is
				   nginx.service too) */
};

/* What a process's cgroup says, for the cgroup filters: NULL where unknown. */
struct filter_cgroup {
	const char *cgroup, *cgroup_memory;	/* its v2 and v1 memory paths */
	const char *container_id, *container_name, *pod_uid;
};

/* Free what the filters hold; they then pass everything. */
void filters_release(struct filters *f);

/* Do the filters look at names (comm, command line, user), or only at
 * pids and hosts? */
int filters_need_names(const struct filters *f);

/* Do the filters look at cgroups? */
int filters_need_cgroup(const struct filters *f);

/* Does a process whose cgroup says c pass the cgroup filters? f may be
 * NULL (everything passes). */
int filters_pass_cgroup(const struct filters *f, const struct filter_cgroup *c);

/*
 * The filters of f that an iterator applies row by row (pids and
 * cgroups), without those on names and hosts: a shallow copy, which is
 * not released (f owns what it points to).
 */
struct filters filters_by_row(const struct filters *f);

/* Does pid pass the pid filter? */
int filters_pass_pid(const struct filters *f, int64_t pid);

/*
 * Does a process pass every filter but the host's? command is its
 * command line as shown (cmdline_show), user NULL and uid -1 when
 * unknown. f may be NULL (everything passes).
 */
int filters_pass(const struct filters *f, int64_t pid, const char *comm,
		 const char *command, const char *user, int64_t uid);

#endif
