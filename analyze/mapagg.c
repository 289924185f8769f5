/* mapagg.c - per-mapping figures summed by name: open addressing over an
 * array of entries, XXH3-64 of the name, names copied once into one arena;
 * a worker thread that sums one text while the next is inflated, and a
 * pool of workers that each inflate and parse whole texts. */
#include "mapagg.h"
#include "blob.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define HAS(m, id) ((m)->present & UINT64_C(1) << (id))

void mapagg_init(struct mapagg *a)
{
	memset(a, 0, sizeof(*a));
}

void mapagg_release(struct mapagg *a)
{
	free(a->v);
	free(a->slot);
	free(a->names);
	mapagg_init(a);
}

void mapagg_reset(struct mapagg *a)
{
	if (a->n)
		memset(a->slot, 0, a->nslot * sizeof(*a->slot));
	a->n = 0;
	a->names_len = 0;
	a->overflow = 0;
}

/* *sum += v, stopping at INT64_MAX (and saying so in a->overflow): no
 * sum of kB is that big but a file's lie, and none may wrap. */
static void add_kb(struct mapagg *a, uint64_t *sum, uint64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum) || *sum > INT64_MAX) {
		*sum = INT64_MAX;
		a->overflow = 1;
	}
}

const char *mapagg_name(const struct mapagg *a, const struct mapagg_entry *e)
{
	return e->name_len ? a->names + e->name_off : MAPAGG_ANON;
}

/* The slot holding (name, len, h), or the empty slot where it would go. */
static uint32_t *lookup(const struct mapagg *a, const char *name, size_t len,
			uint64_t h)
{
	size_t mask = a->nslot - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t *s = &a->slot[i];
		const struct mapagg_entry *e;

		if (!*s)
			return s;
		e = &a->v[*s - 1];
		if (e->hash == h && e->name_len == len &&
		    !memcmp(a->names + e->name_off, name, len))
			return s;
	}
}

/* Double the index and put every entry back: kept at most half full. */
static void grow_slots(struct mapagg *a)
{
	size_t i, n = a->nslot ? a->nslot * 2 : 64;

	if (n > (size_t)UINT32_MAX) {
		fprintf(stderr, "%s: too many mapping names\n", progname);
		abort();
	}
	free(a->slot);
	a->slot = xcalloc(n, sizeof(*a->slot));
	a->nslot = n;
	for (i = 0; i < a->n; i++) {
		const struct mapagg_entry *e = &a->v[i];

		*lookup(a, a->names + e->name_off, e->name_len, e->hash) =
			(uint32_t)(i + 1);
	}
}

/* The entry of key (name, len) whose hash is h, added with zero figures
 * when new. */
static struct mapagg_entry *find_or_add_hashed(struct mapagg *a,
					       const char *name, size_t len,
					       uint64_t h)
{
	struct mapagg_entry *e;
	uint32_t *s;

	if ((a->n + 1) * 2 > a->nslot)
		grow_slots(a);
	s = lookup(a, name, len, h);
	if (*s)
		return &a->v[*s - 1];
	if (a->n == a->alloc) {
		a->alloc = a->alloc ? a->alloc * 2 : 64;
		a->v = xreallocarray(a->v, a->alloc, sizeof(*a->v));
	}
	if (len + 1 > a->names_alloc - a->names_len) {
		size_t want = a->names_len + len + 1;

		a->names_alloc = a->names_alloc ? a->names_alloc : 4096;
		while (a->names_alloc < want)
			a->names_alloc *= 2;
		a->names = xreallocarray(a->names, a->names_alloc, 1);
	}
	e = &a->v[a->n];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->name_off = a->names_len;
	e->name_len = len;
	e->label_len = len;
	e->lo = UINT64_MAX;
	memcpy(a->names + a->names_len, name, len);
	a->names[a->names_len + len] = '\0';
	a->names_len += len + 1;
	*s = (uint32_t)++a->n;
	return e;
}

static struct mapagg_entry *find_or_add(struct mapagg *a, const char *name,
					size_t len)
{
	return find_or_add_hashed(a, name, len, XXH3_64bits(name, len));
}

/*
 * A file region's key: the name, a NUL (no name holds one: the kernel
 * escapes nothing else, but a path never has a NUL), the permissions
 * and the offset in hex. At most len + 22 bytes.
 */
static size_t file_key(char *key, const char *name, size_t len,
		       const char *perms, uint64_t offset)
{
	memcpy(key, name, len);
	key[len] = '\0';
	return len + 1 + (size_t)sprintf(key + len + 1, "%.4s%" PRIx64, perms,
					 offset);
}

/* The entry m adds to. A mapping names a file when it has an inode. */
static struct mapagg_entry *entry_of(struct mapagg *a, const struct smaps_map *m)
{
	struct mapagg_entry *e;
	char stack[512], *key;
	size_t n;

	if (a->key == MAPAGG_BY_NAME || !m->inode || !m->name_len)
		return find_or_add(a, m->name, m->name_len);
	key = m->name_len + 32 <= sizeof(stack) ? stack
		: xmalloc(m->name_len + 32);
	n = file_key(key, m->name, m->name_len, m->perms, m->offset);
	e = find_or_add(a, key, n);
	if (!e->count) {	/* new */
		e->label_len = m->name_len;
		memcpy(e->perms, m->perms, sizeof(e->perms));
		e->offset = m->offset;
	}
	if (key != stack)
		free(key);
	return e;
}

void mapagg_add(struct mapagg *a, const struct smaps_map *m, int usage,
		uint64_t proc)
{
	struct mapagg_entry *e = entry_of(a, m);
	const uint64_t *v = m->val;

	e->count++;
	if (m->start < e->lo)
		e->lo = m->start;
	if (m->end > e->hi)
		e->hi = m->end;
	if (e->last_proc != proc) {
		e->last_proc = proc;
		e->pids++;
	}
	add_kb(a, &e->size, HAS(m, SF_SIZE) ? v[SF_SIZE]
	       : (m->end - m->start) / 1024);
	if (!usage) {
		e->nousage++;
		return;
	}
	/* a field an older kernel does not print adds 0, as smem sums it */
	add_kb(a, &e->rss, v[SF_RSS]);
	add_kb(a, &e->pss, v[SF_PSS]);
	add_kb(a, &e->uss, v[SF_PRIVATE_CLEAN]);
	add_kb(a, &e->uss, v[SF_PRIVATE_DIRTY]);
	add_kb(a, &e->swap, v[SF_SWAP]);
	add_kb(a, &e->swap_pss, v[SF_SWAPPSS]);
	add_kb(a, &e->shared_clean, v[SF_SHARED_CLEAN]);
	add_kb(a, &e->shared_dirty, v[SF_SHARED_DIRTY]);
	add_kb(a, &e->private_clean, v[SF_PRIVATE_CLEAN]);
	add_kb(a, &e->private_dirty, v[SF_PRIVATE_DIRTY]);
	add_kb(a, &e->anon, v[SF_ANONYMOUS]);
}

size_t mapagg_add_text(struct mapagg *a, const char *text, size_t len,
		       int usage, uint64_t proc, char *err, size_t errlen)
{
	struct smaps_parser ps;
	struct smaps_map m;
	size_t bad = 0;
	int r;

	smaps_parser_init(&ps, text, len);
	while ((r = smaps_next(&ps, &m)) != 0) {
		if (r > 0) {
			mapagg_add(a, &m, usage, proc);
			continue;
		}
		if (!bad++ && errlen)
			snprintf(err, errlen, "%s", ps.err);
	}
	return bad;
}

void mapagg_merge(struct mapagg *dst, const struct mapagg *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		const struct mapagg_entry *s = &src->v[i];
		struct mapagg_entry *e = find_or_add_hashed(dst,
			src->names + s->name_off, s->name_len, s->hash);

		if (!e->count) {	/* new: what entry_of notes */
			e->label_len = s->label_len;
			memcpy(e->perms, s->perms, sizeof(e->perms));
			e->offset = s->offset;
		}
		e->count += s->count;
		if (s->lo < e->lo)
			e->lo = s->lo;
		if (s->hi > e->hi)
			e->hi = s->hi;
		/* one process in both, the last of dst: counted once */
		e->pids += s->pids;
		if (s->pids == 1 && e->last_proc == s->last_proc)
			e->pids--;
		e->last_proc = s->last_proc;
		e->nousage += s->nousage;
		add_kb(dst, &e->size, s->size);
		add_kb(dst, &e->rss, s->rss);
		add_kb(dst, &e->pss, s->pss);
		add_kb(dst, &e->uss, s->uss);
		add_kb(dst, &e->swap, s->swap);
		add_kb(dst, &e->swap_pss, s->swap_pss);
		add_kb(dst, &e->shared_clean, s->shared_clean);
		add_kb(dst, &e->shared_dirty, s->shared_dirty);
		add_kb(dst, &e->private_clean, s->private_clean);
		add_kb(dst, &e->private_dirty, s->private_dirty);
		add_kb(dst, &e->anon, s->anon);
	}
	dst->overflow |= src->overflow;
}

void mapagg_set_proc(struct mapagg *a, uint64_t proc)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		a->v[i].last_proc = proc;
}

const struct mapagg_entry *mapagg_find(const struct mapagg *a,
				       const char *name, size_t len)
{
	uint32_t *s;

	if (!a->nslot)
		return NULL;
	s = lookup(a, name, len, XXH3_64bits(name, len));
	return *s ? &a->v[*s - 1] : NULL;
}

const struct mapagg_entry *mapagg_find_file(const struct mapagg *a,
					    const char *name, size_t len,
					    const char *perms, uint64_t offset)
{
	const struct mapagg_entry *e;
	char *key = xmalloc(len + 32);

	e = mapagg_find(a, key, file_key(key, name, len, perms, offset));
	free(key);
	return e;
}

/* In the pipe's worker: sum the text into the pipe's table. */
static void sum_text(void *ctx, void *job)
{
	struct mapagg_pipe *p = ctx;
	struct mapagg_text *t = job;

	t->bad = 0;
	t->err[0] = '\0';
	if (t->text.len)
		t->bad = mapagg_add_text(p->a, t->text.data, t->text.len,
					 t->usage, t->proc, t->err,
					 sizeof(t->err));
	if (p->done)
		p->done(p->arg, p->a, t);
}

void mapagg_pipe_start(struct mapagg_pipe *p, struct mapagg *a,
		       void (*done)(void *arg, struct mapagg *a,
				    const struct mapagg_text *t),
		       void *arg)
{
	void *jobs[MAPAGG_SLOTS];
	size_t i;

	memset(p, 0, sizeof(*p));
	p->a = a;
	p->done = done;
	p->arg = arg;
	for (i = 0; i < MAPAGG_SLOTS; i++) {
		buf_init(&p->slot[i].text, BLOB_MAX_RAW);
		jobs[i] = &p->slot[i];
	}
	/* one core, or no thread to be had: the caller sums, a bit slower */
	pool_start(&p->pool, 1, jobs, MAPAGG_SLOTS, sum_text, p);
}

struct mapagg_text *mapagg_pipe_slot(struct mapagg_pipe *p)
{
	struct mapagg_text *t;

	while (!(t = pool_job(&p->pool)))
		pool_take(&p->pool);
	buf_reset(&t->text);
	free(t->label);
	t->label = NULL;
	return t;
}

void mapagg_pipe_submit(struct mapagg_pipe *p)
{
	pool_submit(&p->pool);
}

void mapagg_pipe_finish(struct mapagg_pipe *p)
{
	size_t i;

	while (pool_take(&p->pool))
		;
	pool_finish(&p->pool);
	for (i = 0; i < MAPAGG_SLOTS; i++) {
		buf_release(&p->slot[i].text);
		free(p->slot[i].label);
	}
	memset(p, 0, sizeof(*p));
}

/* In a worker: make the text, then parse it into the job's own table. */
static void run_job(void *ctx, void *job)
{
	struct mapagg_pool *p = ctx;
	struct mapagg_job *j = job;
	struct mapagg_text *t = &j->t;

	t->bad = 0;
	t->err[0] = '\0';
	j->prepared = p->prepare ? p->prepare(p->arg, j) : 0;
	if (!j->prepared && t->text.len)
		t->bad = mapagg_add_text(&j->part, t->text.data, t->text.len,
					 t->usage, t->proc, t->err,
					 sizeof(t->err));
}

void mapagg_pool_start(struct mapagg_pool *p, enum mapagg_key key,
		       size_t workers,
		       int (*prepare)(void *arg, struct mapagg_job *j),
		       void (*done)(void *arg, struct mapagg_job *j),
		       void *arg)
{
	void *jobs[MAPAGG_POOL_SLOTS];
	size_t i;

	memset(p, 0, sizeof(*p));
	p->prepare = prepare;
	p->done = done;
	p->arg = arg;
	if (!workers)
		workers = pool_cores();
	if (workers > MAPAGG_POOL_WORKERS)
		workers = MAPAGG_POOL_WORKERS;
	for (i = 0; i < MAPAGG_POOL_SLOTS; i++) {
		struct mapagg_job *j = &p->slot[i];

		buf_init(&j->t.text, BLOB_MAX_RAW);
		mapagg_init(&j->part);
		j->part.key = key;
		j->index = i;
		jobs[i] = j;
	}
	/* enough queued that no worker waits for the caller's next text;
	 * no thread to be had: the caller parses each text as it comes */
	pool_start(&p->pool, workers, jobs, 2 * workers + 2, run_job, p);
}

/* A job's memory kept for the next one at most: a large text's is given
 * back, so that what the slots hold does not grow with their number. */
#define POOL_KEEP ((size_t)4 << 20)

/* Wait for the oldest job in flight and give it to done(). */
static void fold_oldest(struct mapagg_pool *p)
{
	struct mapagg_job *j = pool_take(&p->pool);
	enum mapagg_key key;

	if (!j)
		return;
	p->done(p->arg, j);
	p->inflight -= j->weight;
	key = j->part.key;
	if (j->t.text.alloc > POOL_KEEP)
		buf_release(&j->t.text);
	if (j->part.names_alloc + j->part.alloc * sizeof(*j->part.v) > POOL_KEEP) {
		mapagg_release(&j->part);
		j->part.key = key;
	}
}

struct mapagg_job *mapagg_pool_slot(struct mapagg_pool *p)
{
	struct mapagg_job *j;

	while (!(j = pool_job(&p->pool)))	/* the ring is full */
		fold_oldest(p);
	buf_reset(&j->t.text);
	free(j->t.label);
	j->t.label = NULL;
	mapagg_reset(&j->part);
	j->prepared = 0;
	j->weight = 0;
	p->filling = j;
	return j;
}

void mapagg_pool_submit(struct mapagg_pool *p)
{
	struct mapagg_job *j = p->filling;

	/* the jobs in flight hold at most budget bytes, but for one alone */
	while (p->budget && pool_pending(&p->pool) &&
	       p->inflight + j->weight > p->budget)
		fold_oldest(p);
	p->inflight += j->weight;
	pool_submit(&p->pool);
}

void mapagg_pool_finish(struct mapagg_pool *p)
{
	size_t i;

	while (pool_pending(&p->pool))
		fold_oldest(p);
	pool_finish(&p->pool);
	for (i = 0; i < MAPAGG_POOL_SLOTS; i++) {
		buf_release(&p->slot[i].t.text);
		free(p->slot[i].t.label);
		mapagg_release(&p->slot[i].part);
	}
	memset(p, 0, sizeof(*p));
}
