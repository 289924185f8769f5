/* filter.c - the process filters of every reader: pids, a regex on comm
 * or command line, a user by name or uid. */
#include "filter.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void filters_release(struct filters *f)
{
	if (f->has_re)
		regfree(&f->re);
	if (f->has_cgroup_re)
		regfree(&f->cgroup_re);
	free(f->pids);
	memset(f, 0, sizeof(*f));
}

int filters_need_names(const struct filters *f)
{
	return f && (f->has_re || f->user);
}

int filters_pass_pid(const struct filters *f, int64_t pid)
{
	size_t i;

	if (!f || !f->npids)
		return 1;
	for (i = 0; i < f->npids; i++)
		if (f->pids[i] == pid)
			return 1;
	return 0;
}

int filters_pass(const struct filters *f, int64_t pid, const char *comm,
		 const char *command, const char *user, int64_t uid)
{
	uint64_t n;

	if (!f)
		return 1;
	if (!filters_pass_pid(f, pid))
		return 0;
	if (f->user && !(user && !strcmp(user, f->user)) &&
	    !(parse_u64_str(f->user, &n) == 0 && uid >= 0 && (uint64_t)uid == n))
		return 0;
	if (f->has_re && regexec(&f->re, comm, 0, NULL, 0) != 0 &&
	    regexec(&f->re, command, 0, NULL, 0) != 0)
		return 0;
	return 1;
}

int filters_need_cgroup(const struct filters *f)
{
	return f && (f->has_cgroup_re || f->container || f->unit);
}

struct filters filters_by_row(const struct filters *f)
{
	struct filters r = *f;

	r.has_re = 0;
	r.user = NULL;
	r.host = NULL;
	return r;
}

/* Is NAME a component of path? */
static int has_component(const char *path, const char *name, size_t n)
{
	const char *p = path;

	while (p && *p) {
		const char *slash = strchr(p + 1, '/');
		size_t len = (size_t)((slash ? slash : p + strlen(p)) - p - 1);

		if (*p == '/' && len == n && !memcmp(p + 1, name, n))
			return 1;
		p = slash;
	}
	return 0;
}

/* Is `unit` (or unit.service, for a name without a suffix) on a path? */
static int on_unit(const char *path, const char *unit)
{
	char svc[512];
	int n;

	if (!path)
		return 0;
	if (has_component(path, unit, strlen(unit)))
		return 1;
	n = snprintf(svc, sizeof(svc), "%s.service", unit);
	return !strchr(unit, '.') && n > 0 && (size_t)n < sizeof(svc) &&
		has_component(path, svc, (size_t)n);
}

static int begins_with(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

int filters_pass_cgroup(const struct filters *f, const struct filter_cgroup *c)
{
	if (!f)
		return 1;
	if (f->has_cgroup_re &&
	    !(c->cgroup && regexec(&f->cgroup_re, c->cgroup, 0, NULL, 0) == 0) &&
	    !(c->cgroup_memory &&
	      regexec(&f->cgroup_re, c->cgroup_memory, 0, NULL, 0) == 0))
		return 0;
	if (f->unit && !on_unit(c->cgroup, f->unit) &&
	    !on_unit(c->cgroup_memory, f->unit))
		return 0;
	if (f->container && !begins_with(c->container_id, f->container) &&
	    !begins_with(c->pod_uid, f->container) &&
	    !(c->container_name && !strcmp(c->container_name, f->container)))
		return 0;
	return 1;
}
