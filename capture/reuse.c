/* reuse.c - --reuse: what each process looked like at its last full read
 * (its cheap counters, a hash of its maps, its smaps text's hash and
 * figures), kept from one snapshot of a run to the next. */
#include "capture.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void reuse_init(struct reuse *u)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->mu, NULL);
}

void reuse_release(struct reuse *u)
{
	free(u->last);
	free(u->next);
	pthread_mutex_destroy(&u->mu);
	memset(u, 0, sizeof(*u));
}

/* The status lines whose values are the cheap counters, in order. */
static const char *const counter_names[REUSE_COUNTERS] = {
	"\nRssAnon:", "\nRssFile:", "\nRssShmem:", "\nVmSwap:",
};

int reuse_counters(const struct buf *status, uint64_t out[REUSE_COUNTERS])
{
	const char *s;
	size_t i, n;

	for (i = 0; i < REUSE_COUNTERS; i++) {
		s = status->data ? strstr(status->data, counter_names[i]) : NULL;
		if (!s)
			return -1;	/* a kernel before 4.5: never reused */
		s += strlen(counter_names[i]);
		s += strspn(s, " \t");
		n = strspn(s, "0123456789");
		if (parse_u64(s, n, 10, &out[i]) < 0)
			return -1;
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct reuse_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int reuse_find(struct reuse *u, const struct proc_read *p,
	       struct reuse_entry *e)
{
	struct reuse_entry key, *hit;
	int found = 0;

	key.pid = p->pid;
	if (reuse_counters(&p->status, key.counters) < 0)
		return 0;
	pthread_mutex_lock(&u->mu);
	hit = u->nlast ? bsearch(&key, u->last, u->nlast, sizeof(key),
				 cmp_entry) : NULL;
	if (hit && hit->start_time == p->start_time &&
	    hit->threads == p->threads &&
	    !memcmp(hit->counters, key.counters, sizeof(key.counters))) {
		*e = *hit;
		found = 1;
	}
	pthread_mutex_unlock(&u->mu);
	return found;
}

void reuse_keep(struct reuse *u, const struct reuse_entry *e)
{
	pthread_mutex_lock(&u->mu);
	if (u->nnext == u->anext) {
		u->anext = u->anext ? 2 * u->anext : 256;
		u->next = xreallocarray(u->next, u->anext, sizeof(*u->next));
	}
	u->next[u->nnext++] = *e;
	pthread_mutex_unlock(&u->mu);
}

void reuse_turn(struct reuse *u, int committed)
{
	struct reuse_entry *t;
	size_t a;

	if (committed) {
		qsort(u->next, u->nnext, sizeof(*u->next), cmp_entry);
		t = u->last;
		a = u->alast;
		u->last = u->next;
		u->nlast = u->nnext;
		u->alast = u->anext;
		u->next = t;
		u->anext = a;
	}
	u->nnext = 0;	/* rolled back: its texts are gone with it */
}

int reuse_read_body(const struct run *r, struct slot *sl)
{
	struct proc_read *p = &sl->pr;
	struct blob_hash h;
	int skip;

	sl->reused = 0;
	if (r->o->reuse && reuse_find(r->o->reuse, p, &sl->was)) {
		if ((skip = proc_read_body(p, r->o->proc, MODE_MAPS)))
			return skip;
		if (p->streamed)
			h = p->hash;
		else
			blob_hash(p->text.data ? p->text.data : "", p->text.len,
				  &h);
		if (!memcmp(h.b, sl->was.maps.b, BLOB_HASH_LEN)) {
			sl->reused = 1;
			return 0;
		}
	}
	return proc_read_body(p, r->o->proc, r->o->mode);
}

int reuse_row(struct run *r, struct slot *sl)
{
	struct process_row *row = &sl->row;
	int rc = store_blob_find(r->st, &sl->was.text, &row->text_blob);

	if (rc != 0)
		return rc;
	memcpy(row->fig, sl->was.fig, sizeof(row->fig));
	row->text_reused = 1;
	r->bytes_read += sl->pr.streamed ? sl->pr.stream.raw : sl->pr.text.len;
	reuse_keep(r->o->reuse, &sl->was);
	return 0;
}

void reuse_note(struct run *r, const struct slot *sl,
		const struct blob_hash *text)
{
	const struct proc_read *p = &sl->pr;
	struct reuse_entry e;

	if (!r->o->reuse || p->sum.err[0] ||
	    reuse_counters(&p->status, e.counters) < 0)
		return;
	e.pid = p->pid;
	e.start_time = p->start_time;
	e.threads = p->threads;
	e.maps = p->maps_hash;
	e.text = *text;
	memcpy(e.fig, sl->row.fig, sizeof(e.fig));
	reuse_keep(r->o->reuse, &e);
}
