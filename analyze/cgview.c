/* cgview.c - one snapshot's memory cgroups as a tree: the stored rows,
 * the cgroups its processes name, the limits down each branch and the
 * sums of the processes under each cgroup. */
#include "cgview.h"
#include "cgpath.h"
#include "memcg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A process as the view needs it. */
struct cgproc {
	int v1;
	char *path, *comm;
	int64_t pss, uss, anon;
	int pass;		/* it passed the filters */
};

struct loader {
	struct cgview *cv;
	struct cgproc *p;
	size_t np, ap, an;	/* an: nodes allocated */
};

/* Tree order: v2 first; then paths compared with '/' below every other
 * byte, so "/a/b" follows "/a" and comes before "/a-b". */
static int cmp_tree(int v1a, const char *a, int v1b, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	if (v1a != v1b)
		return v1a - v1b;
	while (*x && *x == *y)
		x++, y++;
	if (*x == *y)
		return 0;
	if (!*x || !*y)
		return *x ? 1 : -1;
	return (*x == '/' ? 0 : *x) - (*y == '/' ? 0 : *y);
}

int cgnode_cmp(const struct cgnode *a, const struct cgnode *b)
{
	return cmp_tree(a->v1, a->path, b->v1, b->path);
}

static int cmp_node(const void *a, const void *b)
{
	return cgnode_cmp(a, b);
}

/* The node of (v1, path[n]) among the first n sorted nodes, or -1. */
static ssize_t find(const struct cgnode *v, size_t count, int v1,
		    const char *path, size_t n)
{
	size_t lo = 0, hi = count;
	char *key = xmemdup(path, n);
	ssize_t r = -1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_tree(v[mid].v1, v[mid].path, v1, key);

		if (c == 0) {
			r = (ssize_t)mid;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	free(key);
	return r;
}

static struct cgnode *add_node(struct loader *l, int v1, const char *path,
			       size_t n)
{
	struct cgview *cv = l->cv;
	struct cgnode *c;

	if (cv->n == l->an) {
		l->an = l->an ? 2 * l->an : 64;
		cv->v = xreallocarray(cv->v, l->an, sizeof(*cv->v));
	}
	c = &cv->v[cv->n++];
	memset(c, 0, sizeof(*c));
	c->v1 = v1;
	c->path = xmemdup(path, n);
	c->parent = -1;
	c->current = c->max = c->high = c->swap = FIG_UNKNOWN;
	c->anon = c->file = c->kernel = c->sock = FIG_UNKNOWN;
	c->oom = c->oom_kill = FIG_UNKNOWN;
	return c;
}

/* The stored rows. 0 or -1. */
static int load_rows(struct loader *l, struct store *st, int64_t snap)
{
	struct cgroup_iter it;
	struct cgnode *c;
	int rc;

	if (cgroup_iter_start(&it, st, snap) < 0) {
		cgroup_iter_release(&it);
		return -1;
	}
	while ((rc = cgroup_iter_next(&it)) > 0) {
		const struct cgroup_row *r = &it.row;

		c = add_node(l, !strcmp(r->hierarchy, "v1"), r->path,
			     strlen(r->path));
		c->stored = 1;
		c->current = r->current;
		c->max = r->max;
		c->high = r->high;
		c->swap = r->swap;
		c->anon = r->anon;
		c->file = r->file;
		c->kernel = r->kernel;
		c->sock = r->sock;
		c->oom = r->oom;
		c->oom_kill = r->oom_kill;
	}
	cgroup_iter_release(&it);
	return rc;
}

/* The snapshot's processes that name a cgroup, and whether each passed. */
static int load_procs(struct loader *l, struct store *st, int64_t snap,
		      const struct filters *f)
{
	const struct process_query q = {
		.snapshot = snap, .fields = PROC_NAMES | PROC_CGROUP |
		PROC_FIGS,
	};
	struct process_iter it;
	const char *path;
	int rc, v1;

	if (process_iter_start(&it, st, &q) < 0) {
		process_iter_release(&it);
		return -1;
	}
	while ((rc = process_iter_next(&it)) > 0) {
		const struct process_row *p = &it.row;
		const struct filter_cgroup fc = {
			p->cgroup, p->cgroup_memory, p->container_id,
			p->container_name, p->pod_uid,
		};
		struct cgproc *cp;

		if (!(path = process_memcg(p, &v1)) || *path != '/')
			continue;
		if (l->np == l->ap) {
			l->ap = l->ap ? 2 * l->ap : 64;
			l->p = xreallocarray(l->p, l->ap, sizeof(*l->p));
		}
		cp = &l->p[l->np++];
		cp->v1 = v1;
		cp->path = xstrdup(path);
		cp->comm = xstrdup(p->comm);
		cp->pss = p->fig[FIG_PSS];
		cp->uss = p->fig[FIG_USS];
		cp->anon = p->fig[FIG_ANON];
		cp->pass = filters_pass_pid(f, p->pid) &&
			filters_pass_cgroup(f, &fc) &&
			(!filters_need_names(f) ||
			 filters_pass(f, p->pid, p->comm,
				      process_iter_command(&it), p->user, p->uid));
	}
	process_iter_release(&it);
	return rc;
}

/* Sorted, each cgroup once (a stored row sorts before a node processes
 * named: the stored one is kept). */
static void settle(struct cgview *cv)
{
	size_t i, k = 0;

	if (cv->n > 1)	/* none may be NULL, which qsort must not get */
		qsort(cv->v, cv->n, sizeof(*cv->v), cmp_node);
	for (i = 0; i < cv->n; i++) {
		if (k && !cmp_node(&cv->v[k - 1], &cv->v[i])) {
			free(cv->v[i].path);
			continue;
		}
		cv->v[k++] = cv->v[i];
	}
	cv->n = k;
}

/* A node for every cgroup a process names and each of its ancestors,
 * where the snapshot stored none (no --sys, or a cgroup gone). */
static void add_named(struct loader *l)
{
	size_t i, n, stored;
	const char *path;

	settle(l->cv);
	stored = l->cv->n;
	for (i = 0; i < l->np; i++) {
		path = l->p[i].path;
		if (!cg_path_readable(path, strlen(path)))
			continue;
		for (n = strlen(path); n > 0; n = cg_parent_len(path, n))
			if (find(l->cv->v, stored, l->p[i].v1, path, n) < 0)
				add_node(l, l->p[i].v1, path, n);
	}
	settle(l->cv);
}

/* Parents, depths, keys; limits and headroom down each branch. */
static void link_nodes(struct cgview *cv)
{
	struct buf key = BUF_INIT(2 * CG_PATH_MAX);
	size_t i, n;

	for (i = 0; i < cv->n; i++) {
		struct cgnode *c = &cv->v[i];
		int64_t room;

		n = cg_parent_len(c->path, strlen(c->path));
		c->parent = n ? find(cv->v, i, c->v1, c->path, n) : -1;
		c->depth = c->parent >= 0 ? cv->v[c->parent].depth + 1 : 0;
		buf_reset(&key);
		cg_stable_key(c->path, strlen(c->path), &key);
		c->key = xstrdup(key.data ? key.data : "");
		c->limit = c->parent >= 0 ? cv->v[c->parent].limit
			: MEMCG_NO_LIMIT;
		c->headroom = c->parent >= 0 ? cv->v[c->parent].headroom
			: MEMCG_NO_LIMIT;
		if (c->max == FIG_UNKNOWN || c->max >= MEMCG_NO_LIMIT)
			continue;
		if (c->max < c->limit)
			c->limit = c->max;
		if (c->current != FIG_UNKNOWN && c->current >= 0 &&
		    (room = c->max - c->current) < c->headroom)
			c->headroom = room;
	}
	buf_release(&key);
}

/* Add v to *sum; unknown stays unknown, an overflow too. */
static void add_fig(int64_t *sum, int64_t v)
{
	if (*sum == FIG_UNKNOWN || v == FIG_UNKNOWN ||
	    __builtin_add_overflow(*sum, v, sum))
		*sum = FIG_UNKNOWN;
}

/* A comm and the node whose process has it, for the comm sets. */
struct comm_of {
	ssize_t node;
	const char *comm;
};

static int cmp_comm_of(const void *a, const void *b)
{
	const struct comm_of *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return strcmp(x->comm, y->comm);
}

/* Each node's comms: sorted, each once, "\n" after each. */
static void set_comms(struct cgview *cv, struct comm_of *v, size_t n)
{
	struct buf b = BUF_INIT(1 << 20);
	size_t i;

	qsort(v, n, sizeof(*v), cmp_comm_of);
	for (i = 0; i < n; i++) {
		if (!i || v[i].node != v[i - 1].node ||
		    strcmp(v[i].comm, v[i - 1].comm))
			buf_addf(&b, "%s\n", v[i].comm);
		if (i + 1 == n || v[i + 1].node != v[i].node)
			cv->v[v[i].node].comms = buf_detach(&b, NULL);
	}
	buf_release(&b);
}

/* Each process into its cgroup and every ancestor of it. */
static void sum_procs(struct loader *l, int any_filter)
{
	struct cgview *cv = l->cv;
	struct comm_of *comms = xcalloc(l->np + 1, sizeof(*comms));
	size_t i, ncomms = 0;
	ssize_t k;

	for (i = 0; i < cv->n; i++)
		cv->v[i].shown = !any_filter;
	for (i = 0; i < l->np; i++) {
		const struct cgproc *p = &l->p[i];

		k = find(cv->v, cv->n, p->v1, p->path, strlen(p->path));
		if (k >= 0) {
			comms[ncomms].node = k;
			comms[ncomms++].comm = p->comm;
		}
		for (; k >= 0 && p->pass; k = cv->v[k].parent) {
			struct cgnode *c = &cv->v[k];

			c->shown = 1;
			c->procs++;
			add_fig(&c->pss, p->pss);
			add_fig(&c->uss, p->uss);
			add_fig(&c->panon, p->anon);
		}
	}
	set_comms(cv, comms, ncomms);
	free(comms);
}

int cgview_load(struct cgview *cv, struct store *st, int64_t snap,
		const struct filters *f)
{
	struct loader l = { cv, NULL, 0, 0, 0 };
	int ret = -1, any = f && (f->npids || filters_need_names(f) ||
				  filters_need_cgroup(f));
	size_t i;

	memset(cv, 0, sizeof(*cv));
	if (load_rows(&l, st, snap) == 0 && load_procs(&l, st, snap, f) == 0) {
		add_named(&l);
		link_nodes(cv);
		sum_procs(&l, any);
		ret = 0;
	}
	for (i = 0; i < l.np; i++) {
		free(l.p[i].path);
		free(l.p[i].comm);
	}
	free(l.p);
	return ret;
}

void cgview_release(struct cgview *cv)
{
	size_t i;

	for (i = 0; i < cv->n; i++) {
		free(cv->v[i].path);
		free(cv->v[i].key);
		free(cv->v[i].comms);
	}
	free(cv->v);
	memset(cv, 0, sizeof(*cv));
}

const char *cgnode_tree_name(const struct cgnode *c, char *out, size_t n)
{
	const char *slash = strrchr(c->path, '/');
	const char *name = slash && slash[1] ? slash + 1 : c->path;

	snprintf(out, n, "%*s%s", 2 * c->depth, "", name);
	return out;
}

/* What pairs cgroups that have no twin by path: their kind, and whose
 * processes they hold. NULL for a cgroup with no process: only its path
 * pairs it. */
static char *restart_key(const struct cgnode *c)
{
	struct buf b = BUF_INIT(1 << 20);

	if (!c->comms)
		return NULL;
	buf_addf(&b, "%d%s\n%s", c->v1, c->key, c->comms);
	return buf_detach(&b, NULL);
}

/* Pair by path: both views are in tree order, walked together. */
static void pair_paths(const struct cgview *a, const struct cgview *b,
		       ssize_t *ao, ssize_t *bo)
{
	size_t i = 0, j = 0;
	int c;

	while (i < a->n && j < b->n) {
		c = cgnode_cmp(&a->v[i], &b->v[j]);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			ao[i] = (ssize_t)j;
			bo[j++] = (ssize_t)i++;
		}
	}
}

void cgview_pair(const struct cgview *a, const struct cgview *b,
		 ssize_t *ao, ssize_t *bo)
{
	char **ka = xcalloc(a->n + 1, sizeof(*ka));
	char **kb = xcalloc(b->n + 1, sizeof(*kb));
	size_t i, j;

	for (i = 0; i < a->n; i++)
		ao[i] = -1;
	for (j = 0; j < b->n; j++)
		bo[j] = -1;
	pair_paths(a, b, ao, bo);
	/* then the restarts: the first unpaired of each side with the same
	 * key, in tree order */
	for (i = 0; i < a->n; i++)
		if (ao[i] < 0)
			ka[i] = restart_key(&a->v[i]);
	for (j = 0; j < b->n; j++)
		if (bo[j] < 0)
			kb[j] = restart_key(&b->v[j]);
	for (i = 0; i < a->n; i++) {
		if (!ka[i])
			continue;
		for (j = 0; j < b->n; j++)
			if (bo[j] < 0 && kb[j] && !strcmp(ka[i], kb[j])) {
				ao[i] = (ssize_t)j;
				bo[j] = (ssize_t)i;
				break;
			}
	}
	for (i = 0; i < a->n; i++)
		free(ka[i]);
	for (j = 0; j < b->n; j++)
		free(kb[j]);
	free(ka);
	free(kb);
}
