/* partcache.h - the mappings of each text that several processes share,
 * parsed once per command: a capture stores a text once however many
 * processes print it, and a file may name one text from any number of
 * rows (64 rows of one 1 GiB text took libs 6 GB and minutes). */
#ifndef MAPSNAP_PARTCACHE_H
#define MAPSNAP_PARTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "mapagg.h"

/* What the cache holds by default: parts beyond it are not kept (their
 * texts are then parsed again for each row naming them). */
#define PART_CACHE_MAX ((size_t)64 << 20)

enum part_state {
	PART_PENDING,	/* being parsed: the parse that will fill it is
			   under way (a pool's job in flight) */
	PART_READY,	/* part holds the text's mappings */
	PART_BAD,	/* the text cannot be used: why says why */
};

struct part_entry {
	int64_t blob;
	int usage;		/* parsed with smaps figures (mapagg_add) */
	enum part_state state;
	struct mapagg part;	/* PART_READY: the text's mappings, as one
				   process (renumber with mapagg_set_proc) */
	size_t bad;		/* PART_READY: records left out of it */
	char *why;		/* PART_BAD: the cause; PART_READY with bad:
				   the first bad record ("line 3: ...") */
};

/*
 * Entries by blob id, found in O(1); a pointer to an entry is valid
 * until the next part_cache_add(). `bytes` is what the ready parts take.
 */
struct part_cache {
	struct part_entry *v;
	size_t n, alloc;
	uint32_t *slot;		/* entry index + 1; 0: empty */
	size_t nslot;
	size_t bytes, max;
};

void part_cache_init(struct part_cache *c, size_t max_bytes);
/* Free every part and the index; c is then empty, with the same max. */
void part_cache_release(struct part_cache *c);

/* The entry of blob parsed with `usage` or without (a row may call a
 * text maps that another calls smaps), or NULL. */
struct part_entry *part_cache_find(const struct part_cache *c, int64_t blob,
				   int usage);

/* A new PART_PENDING entry for (blob, usage), which has none; NULL when
 * the cache already holds its max: that text is not kept. */
struct part_entry *part_cache_add(struct part_cache *c, int64_t blob,
				  int usage);

/* Make e ready with *part, which is taken (left empty, with its key),
 * and the bad records mapagg_add_text() counted, err the first one. */
void part_cache_ready(struct part_cache *c, struct part_entry *e,
		      struct mapagg *part, size_t bad, const char *err);

/* Make e bad: its text cannot be used, for the reason `why`. */
void part_cache_bad(struct part_entry *e, const char *why);

#endif
