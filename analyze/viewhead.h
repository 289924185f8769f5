/* viewhead.h - the line a terminal gets over a view of one snapshot:
 * which snapshot it shows, of which host, taken when; a file's hosts. */
#ifndef MAPSNAP_VIEWHEAD_H
#define MAPSNAP_VIEWHEAD_H

#include "analyze.h"

/* The hostnames of st's snapshots, each once, as "a, b, c" into names
 * (reset first), and their number in *n. 0, or -1 (printed). */
int file_hosts(struct store *st, struct buf *names, size_t *n);

/* Does ref ("first", "latest", a time; NULL is latest) pick a snapshot
 * by its place in time, which in a file of many hosts is any host's? */
int ref_is_per_host(const char *ref);

/*
 * On a terminal, over a table, one line: "snapshot 12 (3f2a9c1e) of
 * host web-1, 2026-12-06 10:00:00 UTC", after `role` ("from ", "to ";
 * NULL: none), and ", 1 of 5 hosts in the file" when it holds several.
 * Nothing in CSV or JSON, nor when stdout is no terminal: what scripts
 * and goldens read stays as it was. 0, or -1 (printed).
 */
int view_head(struct store *st, int64_t snap, const char *role,
	      const struct out_opts *out);

/* view_head, then print_snapshot_table: the exit status. */
int print_view_table(struct table *t, const struct out_opts *o,
		     struct store *st, int64_t snap);

#endif
