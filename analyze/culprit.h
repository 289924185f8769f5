/* culprit.h - the regions whose growth explains a leak suspect, from a
 * few of its stored texts, grouped as diff groups mappings. */
#ifndef MAPSNAP_CULPRIT_H
#define MAPSNAP_CULPRIT_H

#include <stddef.h>
#include <stdint.h>

#include "growth.h"

/* Most regions named for one suspect: the largest parts, until they
 * explain CULPRIT_EXPLAINED of its growth. */
#define CULPRIT_MAX 5
#define CULPRIT_EXPLAINED 0.9
/* Texts read per suspect, spread over its judged segment. */
#define CULPRIT_TEXTS 6

/* A region of a suspect's texts (files by path, permissions and offset,
 * named regions by name, unnamed anonymous memory as one group: as diff
 * groups them) whose growth explains part of the suspect's. */
struct growth_region {
	const struct growth_suspect *sus;
	char *name;		/* as libs shows it; owned by the list */
	char perms[5];		/* a file region's; else "" */
	uint64_t offset;	/* a file region's */
	uint64_t lo, hi;	/* its address span in the last text */
	int64_t from, to;	/* its figure in the first and last text read */
	int64_t growth;		/* its part of the suspect's growth */
	double share;		/* that part, of 1 */
	int64_t maps_from, maps_to;	/* its mappings then and now */
};

struct growth_regions {
	struct growth_region *v;
	size_t n, alloc;
};

/*
 * The regions that explain suspect s: a few of its texts, spread over
 * the judged segment, are inflated and summed by region; a region's part
 * is how much its mean over the later half of them exceeds its mean over
 * the earlier half (the mappings that appeared, for a maps suspect). The
 * largest parts are appended to out, until they explain
 * CULPRIT_EXPLAINED of the whole (CULPRIT_MAX at most). A threads
 * suspect has none. Returns 0, or -1 when a text could not be read or
 * held bad records (each printed): what could be read is still used.
 */
int growth_regions_find(struct store *st, const struct growth *g,
			const struct growth_suspect *s,
			struct growth_regions *out);
/* Free the list's names and array; it is then empty. */
void growth_regions_release(struct growth_regions *r);

#endif
