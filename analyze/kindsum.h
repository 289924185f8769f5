/* kindsum.h - a few processes' mappings summed by kind (heap, stack,
 * libraries...) and by library, from their stored smaps texts, for the
 * report's pictures: the same figures showmap and libs print. */
#ifndef MAPSNAP_KINDSUM_H
#define MAPSNAP_KINDSUM_H

#include <stddef.h>
#include <stdint.h>

#include "mapkind.h"
#include "store.h"

/* A library's PSS in one process. */
struct kind_lib {
	char *name;
	int64_t pss;
};

/* One process: its PSS (kB) by kind, and by library (KIND_LIB split by
 * mapping name, largest first). */
struct kind_proc {
	int64_t pid;
	int known;		/* its stored text has smaps figures */
	int64_t text_blob;	/* that text's blob: a text many rows share
				   (a --reuse history, a hostile file) is
				   summed once */
	int64_t pss[KIND_COUNT];
	struct kind_lib *libs;
	size_t nlibs;
};

/*
 * The processes pids[0..n) of snapshot snap, summed into v[0..n) (in the
 * order of pids) from their stored texts, mapping by mapping name, as
 * showmap and libs sum them. A process whose text is maps or
 * smaps_rollup, or that has none, has known 0. Returns 0, or -1 when the
 * file cannot be read or a text is corrupt or absurd (printed; v holds
 * what was read and must be released).
 */
int kindsum_load(struct store *st, int64_t snap, const int64_t *pids,
		 size_t n, struct kind_proc *v);
void kindsum_release(struct kind_proc *v, size_t n);

/*
 * The names of the at most max libraries whose PSS summed over v[0..n)
 * is the largest, largest first (ties by name). *count gets how many;
 * the strings are v's (valid until kindsum_release); caller frees the
 * array (NULL when none).
 */
const char **kindsum_top_libs(const struct kind_proc *v, size_t n,
			      size_t max, size_t *count);

/* The PSS of library `name` in p (0 when it maps none of it). */
int64_t kindsum_lib(const struct kind_proc *p, const char *name);

#endif
