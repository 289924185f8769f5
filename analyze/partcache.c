/* partcache.c - parts of shared texts by blob id: open addressing over
 * an array of entries, and a byte count that bounds what is kept. */
#include "partcache.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void part_cache_init(struct part_cache *c, size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->max = max_bytes;
}

void part_cache_release(struct part_cache *c)
{
	size_t i, max = c->max;

	for (i = 0; i < c->n; i++) {
		mapagg_release(&c->v[i].part);
		free(c->v[i].why);
	}
	free(c->v);
	free(c->slot);
	part_cache_init(c, max);
}

/* The slot of (blob, usage), or the empty one where it would go. */
static uint32_t *lookup(const struct part_cache *c, int64_t blob, int usage)
{
	size_t mask = c->nslot - 1;
	size_t i = (size_t)((((uint64_t)blob * 2 + (usage != 0)) *
			     UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;
	const struct part_entry *e;

	for (; c->slot[i]; i = (i + 1) & mask) {
		e = &c->v[c->slot[i] - 1];
		if (e->blob == blob && e->usage == (usage != 0))
			break;
	}
	return &c->slot[i];
}

struct part_entry *part_cache_find(const struct part_cache *c, int64_t blob,
				   int usage)
{
	uint32_t *s;

	if (!c->nslot)
		return NULL;
	s = lookup(c, blob, usage);
	return *s ? &c->v[*s - 1] : NULL;
}

/* Double the index, kept at most half full, and put every entry back. */
static void grow(struct part_cache *c)
{
	size_t i;

	free(c->slot);
	c->nslot = c->nslot ? 2 * c->nslot : 64;
	c->slot = xcalloc(c->nslot, sizeof(*c->slot));
	for (i = 0; i < c->n; i++)
		*lookup(c, c->v[i].blob, c->v[i].usage) = (uint32_t)(i + 1);
}

struct part_entry *part_cache_add(struct part_cache *c, int64_t blob,
				  int usage)
{
	struct part_entry *e;

	if (c->bytes >= c->max || c->n >= UINT32_MAX / 2)
		return NULL;
	if ((c->n + 1) * 2 > c->nslot)
		grow(c);
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->v = xreallocarray(c->v, c->alloc, sizeof(*c->v));
	}
	e = &c->v[c->n];
	memset(e, 0, sizeof(*e));
	e->blob = blob;
	e->usage = usage != 0;
	e->state = PART_PENDING;
	mapagg_init(&e->part);
	*lookup(c, blob, usage) = (uint32_t)++c->n;
	return e;
}

void part_cache_ready(struct part_cache *c, struct part_entry *e,
		      struct mapagg *part, size_t bad, const char *err)
{
	enum mapagg_key key = part->key;

	e->part = *part;
	mapagg_init(part);
	part->key = key;
	e->state = PART_READY;
	e->bad = bad;
	e->why = bad ? xstrdup(err) : NULL;
	c->bytes += e->part.alloc * sizeof(*e->part.v) + e->part.names_alloc +
		e->part.nslot * sizeof(*e->part.slot);
}

void part_cache_bad(struct part_entry *e, const char *why)
{
	e->state = PART_BAD;
	free(e->why);
	e->why = xstrdup(why);
}
