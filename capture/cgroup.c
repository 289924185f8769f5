/* cgroup.c - the memory cgroups of a snapshot: the set its processes are
 * in (with their ancestors), and each one's charge, limits, memory.stat
 * and memory.events, read under --sys (or a frozen tree's stand-in). */
#include "capture.h"
#include "memcg.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cgroup file is a line or a page of "key value" lines (memory.stat
 * of Linux 6.x: about 1.5 kB); more is not a cgroup file. */
#define SYS_FILE_CAP ((size_t)64 << 10)

/*
 * Every read of /sys or its stand-in goes through here: rel ("fs/cgroup/
 * a.slice") then name under sys, into b (reset first), each component
 * opened as tree_open does: no link is followed, and a FIFO or anything
 * larger than a cgroup file is refused (warned). The stand-in of a
 * frozen tree is someone's files. 0, or -1 (nothing printed for a file
 * that is not there).
 */
static int sys_read(struct buf *b, const char *sys, const char *rel,
		    const char *name)
{
	char path[2 * CG_PATH_MAX];
	const char *why = NULL;
	int n = snprintf(path, sizeof(path), "%s/%s", rel, name), r;

	buf_reset(b);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	r = tree_read(b, sys, path, SYS_FILE_CAP, &why);
	if (r == -2)
		warn("refused '%s/%s': %s", sys, path, why);
	return r < 0 ? -1 : 0;
}

static void push(struct memcgs *m, char *s)
{
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 64;
		m->v = xreallocarray(m->v, m->alloc, sizeof(*m->v));
	}
	m->v[m->n++] = s;
}

/* "1/path" (v1) or "2/path" (v2): one string sorts and compares. */
static char *key_of(int v1, const char *path, size_t n)
{
	char *k = xmalloc(n + 2);

	k[0] = v1 ? '1' : '2';
	memcpy(k + 1, path, n);
	k[n + 1] = '\0';
	return k;
}

void memcgs_add(struct memcgs *m, const struct proc_read *p)
{
	int v1;
	const char *path = proc_memcg(p, &v1);

	if (path && cg_path_readable(path, strlen(path)))
		push(m, key_of(v1, path, strlen(path)));
}

void memcgs_release(struct memcgs *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, each once. */
static void settle(struct memcgs *m)
{
	size_t i, k = 0;

	qsort(m->v, m->n, sizeof(*m->v), cmp_key);
	for (i = 0; i < m->n; i++) {
		if (k && !strcmp(m->v[k - 1], m->v[i]))
			free(m->v[i]);
		else
			m->v[k++] = m->v[i];
	}
	m->n = k;
}

/* Each cgroup's ancestors too: their limits bound it, and the tree view
 * shows the way down to it. */
static void add_ancestors(struct memcgs *m)
{
	size_t i, n = m->n, len;

	for (i = 0; i < n; i++) {
		len = strlen(m->v[i] + 1);
		while ((len = cg_parent_len(m->v[i] + 1, len)) > 0)
			push(m, key_of(m->v[i][0] == '1', m->v[i] + 1, len));
	}
	settle(m);
}

/* Where each hierarchy is mounted, relative to sys. */
struct mounts {
	const char *sys;
	const char *v2, *v1;
};

/* The unified hierarchy is sys/fs/cgroup on a v2 host and
 * sys/fs/cgroup/unified on a hybrid one (systemd's layouts); v1's memory
 * controller is at sys/fs/cgroup/memory. */
static void find_mounts(const char *sys, struct mounts *mt, struct buf *b)
{
	mt->sys = sys;
	mt->v2 = "fs/cgroup";
	if (sys_read(b, sys, mt->v2, "cgroup.controllers") < 0)
		mt->v2 = "fs/cgroup/unified";
	mt->v1 = "fs/cgroup/memory";
}

/* A cgroup's directory: rel under sys. */
struct cgdir {
	const char *sys;
	char rel[2 * CG_PATH_MAX];
};

static int dir_read(struct buf *b, const struct cgdir *dir, const char *name)
{
	return sys_read(b, dir->sys, dir->rel, name);
}

/* The value of dir/name into *v (limit: "max" is none). 1 when read. */
static int read_value(struct buf *b, const struct cgdir *dir, const char *name,
		      int limit, int64_t *v)
{
	return dir_read(b, dir, name) == 0 && b->data &&
		memcg_value(b->data, b->len, limit, v) == 0;
}

/* The v1 figures that have no file of their own in v2. */
static void read_v1_extras(struct buf *b, const struct cgdir *dir,
			   struct cgroup_row *c)
{
	int64_t memsw;

	read_value(b, dir, "memory.kmem.usage_in_bytes", 0, &c->kernel);
	read_value(b, dir, "memory.kmem.tcp.usage_in_bytes", 0, &c->sock);
	if (c->current != FIG_UNKNOWN &&
	    read_value(b, dir, "memory.memsw.usage_in_bytes", 0, &memsw) &&
	    memsw >= c->current)
		c->swap = memsw - c->current;
}

/* The single-value files of a cgroup: 1 when its charge was read. */
static int read_values(struct buf *b, const struct cgdir *dir, int v1,
		       struct cgroup_row *c)
{
	int got = read_value(b, dir, v1 ? "memory.usage_in_bytes"
			     : "memory.current", 0, &c->current);

	read_value(b, dir, v1 ? "memory.limit_in_bytes" : "memory.max", 1,
		   &c->max);
	if (v1) {
		read_v1_extras(b, dir, c);
	} else {
		read_value(b, dir, "memory.high", 1, &c->high);
		read_value(b, dir, "memory.swap.current", 0, &c->swap);
	}
	return got;
}

/* A split figure, or FIG_UNKNOWN: memcg.h's unknown is another value. */
static int64_t fig(int64_t v)
{
	return v == MEMCG_UNKNOWN ? FIG_UNKNOWN : v;
}

/* memory.stat and memory.events (v1: memory.oom_control), stored as
 * blobs and read for their figures. 1 when memory.stat was read. */
static int read_texts(struct run *r, struct buf *b, const struct cgdir *dir, int v1,
		      struct cgroup_row *c, int *failed)
{
	struct memcg_split sp;
	int64_t oom, kill;
	int got = 0;

	if (dir_read(b, dir, "memory.stat") == 0 && b->len) {
		memcg_parse_stat(b->data, b->len, v1, &sp);
		c->anon = fig(sp.anon);
		c->file = fig(sp.file);
		if (!v1) {
			c->kernel = fig(sp.kernel);
			c->sock = fig(sp.sock);
		}
		*failed |= run_put(r, b, &c->stat_blob) < 0;
		got = 1;
	}
	if (dir_read(b, dir, v1 ? "memory.oom_control" : "memory.events") == 0 &&
	    b->len) {
		memcg_parse_events(b->data, b->len, v1, &oom, &kill);
		c->oom = fig(oom);
		c->oom_kill = fig(kill);
		*failed |= run_put(r, b, &c->events_blob) < 0;
	}
	return got;
}

/* Read and store the cgroup named by key ("1/path" or "2/path"). */
static int store_one(struct run *r, const struct mounts *mt, const char *key,
		     struct buf *b)
{
	struct cgroup_row c;
	struct cgdir dir;
	int v1 = key[0] == '1', failed = 0, got;

	cgroup_row_init(&c);
	c.hierarchy = v1 ? "v1" : "v2";
	c.path = key + 1;
	/* "/" is the mount itself */
	dir.sys = mt->sys;
	snprintf(dir.rel, sizeof(dir.rel), "%s%s", v1 ? mt->v1 : mt->v2,
		 strcmp(key + 1, "/") ? key + 1 : "");
	got = read_values(b, &dir, v1, &c);
	got |= read_texts(r, b, &dir, v1, &c, &failed);
	if (failed)
		return -1;
	if (!got)
		return 0;	/* not there (gone, or another namespace's) */
	return store_cgroup_add(r->st, r->snapshot_id, &c);
}

int store_memcgs(struct run *r)
{
	struct buf b = BUF_INIT(SYS_FILE_CAP);
	struct mounts mt;
	size_t i;
	int ret = 0;

	if (!r->o->sys || !r->memcgs.n)
		return 0;
	settle(&r->memcgs);
	add_ancestors(&r->memcgs);
	find_mounts(r->o->sys, &mt, &b);
	for (i = 0; i < r->memcgs.n && ret == 0; i++)
		ret = store_one(r, &mt, r->memcgs.v[i], &b);
	buf_release(&b);
	return ret;
}
