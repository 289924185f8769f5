/* viewhead.c - the line over a view on a terminal: which snapshot, of
 * which host, when; and the hosts of a file, for diff's refusal. */
#include "viewhead.h"
#include "util.h"
#include "when.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Is the hostname h among names' "a, b, c"? */
static int listed(const struct buf *names, const char *h)
{
	const char *p = names->data, *end;
	size_t n = strlen(h);

	while (p && *p) {
		end = strstr(p, ", ");
		if ((end ? (size_t)(end - p) : strlen(p)) == n && !memcmp(p, h, n))
			return 1;
		p = end ? end + 2 : NULL;
	}
	return 0;
}

int file_hosts(struct store *st, struct buf *names, size_t *n)
{
	const struct snapshot_query q = { 0 };
	struct snapshot_iter it;
	int rc;

	buf_reset(names);
	*n = 0;
	if ((rc = snapshot_iter_start(&it, st, &q)) == 0)
		while ((rc = snapshot_iter_next(&it)) > 0)
			if (!listed(names, it.row.hostname) &&
			    buf_addf(names, "%s%s", *n ? ", " : "",
				     it.row.hostname) == 0)
				++*n;
	snapshot_iter_release(&it);
	return rc < 0 ? -1 : 0;
}

int ref_is_per_host(const char *ref)
{
	return !ref || !strcmp(ref, "first") || !strcmp(ref, "latest") ||
		when_is_time(ref);
}

int view_head(struct store *st, int64_t snap, const char *role,
	      const struct out_opts *out)
{
	struct buf hosts = BUF_INIT(1 << 20);
	struct snapshot_iter it;
	char when[64];
	size_t nhosts = 0;
	int rc;

	if (out->format != OUT_TABLE || !isatty(STDOUT_FILENO))
		return 0;
	if ((rc = snapshot_get(&it, st, snap)) == 0 &&
	    (rc = file_hosts(st, &hosts, &nhosts)) == 0) {
		sink_table_time(when, sizeof(when), it.row.time_us);
		printf("%ssnapshot %lld (%.8s) of host %s, %s", role ? role : "",
		       (long long)snap, it.row.uuid, it.row.hostname, when);
		if (nhosts > 1)
			printf(", 1 of %zu hosts in the file", nhosts);
		putchar('\n');
	}
	snapshot_iter_release(&it);
	buf_release(&hosts);
	return rc < 0 ? -1 : 0;
}

int print_view_table(struct table *t, const struct out_opts *o,
		     struct store *st, int64_t snap)
{
	if (view_head(st, snap, NULL, o) < 0) {
		table_release(t);
		return 1;
	}
	return print_snapshot_table(t, o, st, snap);
}
