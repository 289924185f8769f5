/* cgreport.h - the report's containers section for one snapshot: the
 * memory cgroups that hold captured processes, and their charge over
 * time, as HTML with inline SVG. */
#ifndef MAPSNAP_CGREPORT_H
#define MAPSNAP_CGREPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

/*
 * Write to out the cgroups of snapshot snap that hold captured
 * processes, in tree order (cgview.h): charge, limit and headroom, the
 * anon/file/kernel split, OOM kills, the processes in it and below and
 * their PSS, the names of those right in it; sizes in KiB, MiB, GiB
 * with the exact KiB in a tooltip. When the snapshot's host has more
 * snapshots with cgroup figures, a chart of the charge over time of the
 * at most `top` (8 at most) largest that hold processes and have no
 * such child: containers, services, scopes. A snapshot without cgroup
 * figures (a file of format 1.0, a frozen tree captured without --sys)
 * gets a one-line note instead. Returns 0, or -1 (printed).
 */
int cgreport_write(FILE *out, struct store *st, int64_t snap, size_t top);

#endif
