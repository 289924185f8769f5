/* filter.c - the process filters of every reader: pids, a regex on comm
 * or command line, a user by name or uid. */
#include "filter.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void filters_release(struct filters *f)
{
	if (f->has_re)
		regfree(&f->re);
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
