/* export.h - what `export` shares between its two outputs: rows for other
 * engines (cmd_export.c) and a proc-like tree for smem (export_tree.c). */
#ifndef MAPSNAP_EXPORT_H
#define MAPSNAP_EXPORT_H

#include <stdint.h>

#include "analyze.h"

/*
 * Write snapshot `snap` of st as DIR/proc/<pid>/{smaps or maps, maps,
 * cmdline, comm, stat, status} and DIR/proc/meminfo (plus the kernel
 * release, boot id and uptime it knows), for the processes passing f:
 * what `smem -S DIR` and `mapsnap-capture --proc DIR/proc` read. DIR is
 * created when missing; DIR/proc must not exist (nothing is overwritten).
 * Returns 0, 1 when some text could not be read (printed, the others
 * written), or -1 (printed) when the tree could not be written.
 */
int export_proc_tree(struct store *st, int64_t snap, const struct filters *f,
		     const char *dir);

#endif
