/* series.c - per-process series from the processes table: snapshots in
 * (host, boot, time) order, rows grouped by a hash of each identity. */
#include "series.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX	/* a NULL string's offset */

/* A snapshot, and the boot (host and boot_id) it belongs to. */
struct snap {
	int64_t id, time_us;
	size_t label;		/* offset in the pool, or NONE */
	uint32_t boot;
};

struct boot {
	size_t host, boot_id;	/* offsets in the pool */
};

/*
 * A process while loading. Until it passes the filters, what it was last
 * called (comm, cmdline, user, uid: offsets in the pool) is kept, so the
 * filters run again only when that changes.
 */
struct ident {
	uint32_t boot, first_snap, last_snap;
	int64_t pid, start;
	size_t comm, comm_len, cmdline, cmdline_len, user, user_len;
	int64_t uid;
	int pass;
	size_t npoints;
	size_t command;		/* as shown, from its last point: at the end */
};

/* A point while loading: its process and snapshot by index. */
struct staged {
	uint32_t ident, snap;
	int64_t v[SERIES_STORED];	/* by series_field */
	int64_t blob;
	enum text_kind kind;
};

/* A row of the first of two passes: which process, in which snapshot. */
struct seen {
	uint32_t ident, snap;
};

/* Who a row says a process is; strings are SQLite's, for one step. */
struct who {
	int64_t uid;
	const char *comm, *user;	/* user may be NULL */
	const char *cmdline;
	size_t comm_len, user_len, cmdline_len;
};

struct loader {
	struct store *st;
	const struct filters *f;
	int need_who;		/* the filters look at names, not pids only */
	struct buf pool;	/* every string, NUL-terminated, back to back */
	struct buf shown;	/* scratch: a command line as shown */
	struct snap *snaps;
	size_t nsnaps, asnaps;
	struct boot *boots;
	size_t nboots, aboots;
	struct ident *ids;
	size_t nids, aids;
	uint32_t *slot;		/* open addressing: ident index + 1 */
	size_t nslot;
	struct staged *pts;
	size_t npts, apts;
	struct seen *seen;	/* two passes: the rows of the first */
	size_t nseen, aseen;
	const struct series_hook *hook;	/* series_stream's: no staging */
	unsigned figs;			/* the figures read: FIG_BIT()s */
	unsigned fields;		/* and the fields: PROC_TEXT or 0 */
	int64_t since_us, until_us;	/* the window */
	int window;
};

/* The figures of a point, in series_field's order, and what the points
 * pass reads of a row. */
static const enum proc_fig point_figs[SERIES_STORED] = { FIG_RSS, FIG_PSS,
	FIG_USS, FIG_SWAP, FIG_VSS, FIG_ANON, FIG_THREADS, FIG_MAPS };
#define POINT_FIGS (FIG_BIT(FIG_RSS) | FIG_BIT(FIG_PSS) | FIG_BIT(FIG_USS) | \
		    FIG_BIT(FIG_SWAP) | FIG_BIT(FIG_VSS) | FIG_BIT(FIG_ANON) | \
		    FIG_BIT(FIG_THREADS) | FIG_BIT(FIG_MAPS))

/* Grow an array to hold one more element. */
static void *grow(void *v, size_t n, size_t *alloc, size_t size)
{
	if (n < *alloc)
		return v;
	*alloc = *alloc ? *alloc * 2 : 64;
	return xreallocarray(v, *alloc, size);
}

/* Copy (s, n) and a NUL into the pool; its offset, or NONE for NULL. */
static size_t pool_add(struct loader *l, const void *s, size_t n)
{
	size_t off = l->pool.len;

	if (!s)
		return NONE;
	if (buf_add(&l->pool, s, n) < 0 || buf_addch(&l->pool, '\0') < 0) {
		fprintf(stderr, "%s: too much text in the process table\n",
			progname);
		abort();
	}
	return off;
}

static const char *pool_str(const struct loader *l, size_t off)
{
	return off == NONE ? NULL : l->pool.data + off;
}

/* Is (s, n) the pool string at off (NULL matching NONE)? */
static int pool_eq(const struct loader *l, size_t off, size_t len,
		   const void *s, size_t n)
{
	if (!s || off == NONE)
		return !s && off == NONE;
	return len == n && !memcmp(l->pool.data + off, s, n);
}

static int load_snaps(struct loader *l)
{
	const struct snapshot_query q = { .host = l->f ? l->f->host : NULL,
					  .by_boot = 1, .window = l->window,
					  .since_us = l->since_us,
					  .until_us = l->until_us };
	struct snapshot_iter it;
	int rc = -1;

	if (snapshot_iter_start(&it, l->st, &q) == 0)
		while ((rc = snapshot_iter_next(&it)) > 0) {
			const struct snapshot_row *r = &it.row;
			const struct boot *last = l->nboots ?
				&l->boots[l->nboots - 1] : NULL;
			struct snap *s;

			/* sorted by host and boot: a new boot starts a new run */
			if (!last || strcmp(pool_str(l, last->host), r->hostname) ||
			    strcmp(pool_str(l, last->boot_id), r->boot_id)) {
				l->boots = grow(l->boots, l->nboots, &l->aboots,
						sizeof(*l->boots));
				l->boots[l->nboots].host = pool_add(l, r->hostname,
					strlen(r->hostname));
				l->boots[l->nboots].boot_id = pool_add(l, r->boot_id,
					strlen(r->boot_id));
				l->nboots++;
			}
			l->snaps = grow(l->snaps, l->nsnaps, &l->asnaps,
					sizeof(*l->snaps));
			s = &l->snaps[l->nsnaps++];
			s->id = r->id;
			s->time_us = r->time_us;
			s->label = pool_add(l, r->label, r->label ?
					    strlen(r->label) : 0);
			s->boot = (uint32_t)(l->nboots - 1);
		}
	snapshot_iter_release(&it);
	return rc;
}

static size_t ident_hash(uint32_t boot, int64_t pid, int64_t start)
{
	uint64_t h = (uint64_t)pid * UINT64_C(0x9e3779b97f4a7c15) ^
		(uint64_t)start * UINT64_C(0xc2b2ae3d27d4eb4f) ^ boot;

	h ^= h >> 31;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	return (size_t)(h ^ h >> 29);
}

/* The slot of (boot, pid, start), or the empty one where it would go. */
static uint32_t *ident_slot(struct loader *l, uint32_t boot, int64_t pid,
			    int64_t start)
{
	size_t mask = l->nslot - 1, i = ident_hash(boot, pid, start) & mask;

	for (;; i = (i + 1) & mask) {
		const struct ident *id;

		if (!l->slot[i])
			return &l->slot[i];
		id = &l->ids[l->slot[i] - 1];
		if (id->pid == pid && id->start == start && id->boot == boot)
			return &l->slot[i];
	}
}

/* Keep the index at most half full. */
static void grow_slots(struct loader *l)
{
	size_t i;

	free(l->slot);
	l->nslot = l->nslot ? l->nslot * 2 : 1024;
	l->slot = xcalloc(l->nslot, sizeof(*l->slot));
	for (i = 0; i < l->nids; i++)
		*ident_slot(l, l->ids[i].boot, l->ids[i].pid, l->ids[i].start) =
			(uint32_t)(i + 1);
}

/* The index of process (boot, pid, start), added when new (*added). */
static uint32_t ident_get(struct loader *l, uint32_t boot, int64_t pid,
			  int64_t start, int *added)
{
	uint32_t *s;
	struct ident *id;

	if ((l->nids + 1) * 2 > l->nslot)
		grow_slots(l);
	s = ident_slot(l, boot, pid, start);
	*added = !*s;
	if (*s)
		return *s - 1;
	l->ids = grow(l->ids, l->nids, &l->aids, sizeof(*l->ids));
	id = &l->ids[l->nids];
	memset(id, 0, sizeof(*id));
	id->boot = boot;
	id->pid = pid;
	id->start = start;
	*s = (uint32_t)++l->nids;
	return *s - 1;
}

/* Who row p says a process is. */
static void read_who(const struct process_row *p, struct who *w)
{
	w->uid = p->uid;
	w->comm = p->comm;
	w->comm_len = strlen(w->comm);
	w->user = p->user;
	w->user_len = w->user ? strlen(w->user) : 0;
	w->cmdline = p->cmdline ? p->cmdline : "";
	w->cmdline_len = p->cmdline_len;
}

/*
 * Does process ix pass the filters in this row? Only the filters on
 * names need the row's names, and they run again only when those
 * changed: a process seen in 1,000 snapshots under one name is matched
 * against the regex once, not 1,000 times.
 */
static void check_filters(struct loader *l, uint32_t ix, int added,
			  const struct process_row *p)
{
	struct ident *id = &l->ids[ix];
	struct who w;

	read_who(p, &w);
	if (!added && id->uid == w.uid &&
	    pool_eq(l, id->comm, id->comm_len, w.comm, w.comm_len) &&
	    pool_eq(l, id->cmdline, id->cmdline_len, w.cmdline, w.cmdline_len) &&
	    pool_eq(l, id->user, id->user_len, w.user, w.user_len))
		return;
	id->comm = pool_add(l, w.comm, w.comm_len);
	id->comm_len = w.comm_len;
	id->cmdline = pool_add(l, w.cmdline, w.cmdline_len);
	id->cmdline_len = w.cmdline_len;
	id->user = pool_add(l, w.user, w.user_len);
	id->user_len = w.user_len;
	id->uid = w.uid;
	id->pass = filters_pass(l->f, id->pid, w.comm,
				cmdline_show(&l->shown, w.cmdline, w.cmdline_len,
					     w.comm), w.user, w.uid);
}

static void set_point(struct series_point *p, const struct staged *sp,
		      const struct snap *sn, const char *pool);

/* Stage the figures of row p, of process ix in snapshot snap; or hand
 * them to the hook. */
static void add_point(struct loader *l, const struct process_row *p,
		      uint32_t ix, uint32_t snap)
{
	struct staged one, *sp = &one;
	struct series_point pt;
	int c;

	if (!l->ids[ix].npoints++)
		l->ids[ix].first_snap = snap;
	l->ids[ix].last_snap = snap;
	if (!l->hook) {
		l->pts = grow(l->pts, l->npts, &l->apts, sizeof(*l->pts));
		sp = &l->pts[l->npts++];
	}
	sp->ident = ix;
	sp->snap = snap;
	for (c = 0; c < SERIES_STORED; c++)
		sp->v[c] = p->fig[point_figs[c]];
	sp->blob = p->text_blob;
	sp->kind = p->kind;
	if (l->hook) {
		set_point(&pt, sp, &l->snaps[snap], l->pool.data);
		l->hook->point(l->hook->arg, ix, &pt);
	}
}

/* One pass: filters on pids only (the iterator's), so every row is kept. */
static void row_point(struct loader *l, const struct process_row *p,
		      uint32_t snap)
{
	int added;
	uint32_t ix = ident_get(l, l->snaps[snap].boot, p->pid, p->start_time,
				&added);

	l->ids[ix].pass = 1;
	add_point(l, p, ix, snap);
}

/* First of two passes: who passes the filters on names, and where. */
static void row_names(struct loader *l, const struct process_row *p,
		      uint32_t snap)
{
	int added;
	uint32_t ix = ident_get(l, l->snaps[snap].boot, p->pid, p->start_time,
				&added);

	if (!l->ids[ix].pass)
		check_filters(l, ix, added, p);
	if (l->hook)
		return;		/* a second scan follows: nothing to remember */
	l->seen = grow(l->seen, l->nseen, &l->aseen, sizeof(*l->seen));
	l->seen[l->nseen].ident = ix;
	l->seen[l->nseen++].snap = snap;
}

/* Second pass, over every row: the figures of the processes that passed. */
static void row_passed(struct loader *l, const struct process_row *p,
		       uint32_t snap)
{
	uint32_t *s = ident_slot(l, l->snaps[snap].boot, p->pid, p->start_time);

	if (*s && l->ids[*s - 1].pass)
		add_point(l, p, *s - 1, snap);
}

/*
 * Run row() over every row of every snapshot that the pid filter keeps,
 * with the fields and figures asked for: one statement, sought to each
 * snapshot (with --pid, to those pids' rows, by the primary key).
 */
static int scan(struct loader *l, unsigned fields, unsigned figs,
		void (*row)(struct loader *, const struct process_row *, uint32_t))
{
	struct filters pids = { 0 };
	struct process_query q = { .f = &pids, .fields = fields, .figs = figs };
	struct process_iter it;
	size_t i;
	int rc = 0;

	if (l->f)	/* pids and cgroups: the iterator applies them */
		pids = filters_by_row(l->f);
	q.snapshot = l->nsnaps ? l->snaps[0].id : -1;
	if (process_iter_start(&it, l->st, &q) < 0)
		rc = -1;
	for (i = 0; i < l->nsnaps && rc == 0; i++) {
		process_iter_seek(&it, l->snaps[i].id, 0);
		while ((rc = process_iter_next(&it)) > 0)
			row(l, &it.row, (uint32_t)i);
	}
	process_iter_release(&it);
	return rc;
}

/* Second pass, for few rows: each looked up by its primary key. */
static int fetch_passed(struct loader *l)
{
	const struct process_query q = { .snapshot = -1, .fields = PROC_TEXT,
					 .figs = POINT_FIGS, .one_pid = 1 };
	struct process_iter it;
	size_t i;
	int rc = process_iter_start(&it, l->st, &q);

	for (i = 0; rc == 0 && i < l->nseen; i++) {
		const struct seen *sn = &l->seen[i];

		if (!l->ids[sn->ident].pass)
			continue;
		process_iter_seek(&it, l->snaps[sn->snap].id,
				  l->ids[sn->ident].pid);
		if ((rc = process_iter_next(&it)) > 0)
			add_point(l, &it.row, sn->ident, sn->snap);
		rc = rc < 0 ? -1 : 0;
	}
	process_iter_release(&it);
	return rc;
}

/*
 * Every row's figures that the filters keep. Filters on pids only: one
 * pass. Filters on names: a first pass reads the names alone (half the
 * work of a row), then the figures of the processes that passed are
 * looked up one by one when they are few (timeline --match), else read
 * in a second pass.
 */
static int load_rows(struct loader *l)
{
	size_t i, passed = 0;

	if (!l->need_who)
		return scan(l, l->fields, l->figs, row_point);
	if (scan(l, PROC_NAMES, 0, row_names) < 0)
		return -1;
	for (i = 0; i < l->nseen; i++)
		passed += l->ids[l->seen[i].ident].pass;
	/* a lookup costs about what four rows of a scan do */
	if (!l->hook && passed * 4 < l->nseen)
		return fetch_passed(l);
	return scan(l, l->fields, l->figs, row_passed);
}

/*
 * Each passing process's names as at its last point, into the pool: one
 * lookup by primary key per process, not a copy per row.
 */
static int add_names(struct loader *l)
{
	const struct process_query q = { .snapshot = -1, .fields = PROC_NAMES,
					 .one_pid = 1 };
	struct process_iter it;
	const char *cmd;
	struct who w;
	size_t i;
	int rc = process_iter_start(&it, l->st, &q);

	for (i = 0; rc == 0 && i < l->nids; i++) {
		struct ident *id = &l->ids[i];

		if (!id->pass || !id->npoints)
			continue;
		process_iter_seek(&it, l->snaps[id->last_snap].id, id->pid);
		if ((rc = process_iter_next(&it)) <= 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		read_who(&it.row, &w);
		id->uid = w.uid;
		id->comm = pool_add(l, w.comm, w.comm_len);
		id->user = pool_add(l, w.user, w.user_len);
		cmd = process_iter_command(&it);
		id->command = pool_add(l, cmd, strlen(cmd));
		rc = 0;
	}
	process_iter_release(&it);
	return rc;
}

static int cmp_series(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	int r;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	if ((r = strcmp(x->host, y->host)) != 0)
		return r;
	return strcmp(x->boot_id, y->boot_id);
}

static void fill_series(struct series *s, const struct loader *l,
			const struct ident *id, const char *pool)
{
	const struct boot *b = &l->boots[id->boot];

	s->host = pool + b->host;
	s->boot_id = pool + b->boot_id;
	s->pid = id->pid;
	s->start_time = id->start;
	s->comm = pool + id->comm;
	s->command = pool + id->command;
	s->user = id->user == NONE ? NULL : pool + id->user;
	s->uid = id->uid;
	s->npoints = 0;
	s->key = (size_t)(id - l->ids);
	s->first_us = l->snaps[id->first_snap].time_us;
}

static void set_point(struct series_point *p, const struct staged *sp,
		      const struct snap *sn, const char *pool)
{
	p->snapshot = sn->id;
	p->time_us = sn->time_us;
	p->label = sn->label == NONE ? NULL : pool + sn->label;
	memcpy(p->v, sp->v, sizeof(p->v));
	p->text_blob = sp->blob;
	p->kind = sp->kind;
}

/*
 * Hand the passing processes over to the set: their points are placed
 * series after series (a counting sort: staged order is time order
 * within each process), the strings become pointers.
 */
static void build(struct loader *l, struct series_set *set)
{
	size_t *at = xcalloc(l->nids ? l->nids : 1, sizeof(*at));
	size_t *next, i, n = 0, np = 0;
	const char *pool;

	pool = l->pool.data;
	for (i = 0; i < l->nids; i++) {
		l->ids[i].pass = l->ids[i].pass && l->ids[i].npoints;
		if (l->ids[i].pass)
			at[i] = n++;
	}
	set->v = xcalloc(n ? n : 1, sizeof(*set->v));
	next = xcalloc(n ? n : 1, sizeof(*next));
	for (i = 0; i < l->nids; i++)
		if (l->ids[i].pass) {
			fill_series(&set->v[at[i]], l, &l->ids[i], pool);
			next[at[i]] = np;
			np += l->ids[i].npoints;
			if (l->hook)	/* the points went by */
				set->v[at[i]].npoints = l->ids[i].npoints;
		}
	set->points = l->hook ? NULL : xcalloc(np ? np : 1, sizeof(*set->points));
	for (i = 0; i < n && set->points; i++)
		set->v[i].points = set->points + next[i];
	for (i = 0; i < l->npts; i++) {
		const struct staged *sp = &l->pts[i];
		size_t s = at[sp->ident];

		if (!l->ids[sp->ident].pass)
			continue;
		set_point(&set->points[next[s]++], sp, &l->snaps[sp->snap], pool);
		set->v[s].npoints++;
	}
	set->n = n;
	set->npoints = np;
	free(next);
	free(at);
	qsort(set->v, set->n, sizeof(*set->v), cmp_series);
}

/* Load (or, with a hook, stream) the series of st that pass f. */
static int load(struct series_set *set, struct store *st,
		const struct filters *f, const struct series_hook *hook)
{
	struct loader l;
	int ret;

	memset(set, 0, sizeof(*set));
	memset(&l, 0, sizeof(l));
	l.st = st;
	l.f = f;
	l.hook = hook;
	l.figs = hook && hook->figs ? hook->figs : POINT_FIGS;
	l.fields = hook && hook->no_text ? 0 : PROC_TEXT;
	buf_init(&l.pool, SIZE_MAX / 4);
	buf_init(&l.shown, SIZE_MAX / 4);
	pool_add(&l, "", 0);	/* data is never NULL from here on */
	l.need_who = f && (f->has_re || f->user);
	l.window = f && (f->since.set || f->until.set);
	/* one read transaction: the passes see the same rows even while a
	 * capture --keep N drops old snapshots from the file */
	if (sqlite3_exec(st->db, "SAVEPOINT series_load", NULL, NULL, NULL))
		ret = store_error(st, "read");
	else
		ret = (!l.window || store_window(st, f->host, &f->since,
						 &f->until, &l.since_us,
						 &l.until_us) == 0) &&
			load_snaps(&l) == 0 && load_rows(&l) == 0 &&
			add_names(&l) == 0 ? 0 : -1;
	sqlite3_exec(st->db, "RELEASE series_load", NULL, NULL, NULL);
	if (ret == 0) {
		build(&l, set);
		set->strings = buf_detach(&l.pool, NULL);
	}
	buf_release(&l.pool);
	buf_release(&l.shown);
	free(l.snaps);
	free(l.boots);
	free(l.ids);
	free(l.slot);
	free(l.pts);
	free(l.seen);
	return ret;
}

int series_load(struct series_set *set, struct store *st,
		const struct filters *f)
{
	return load(set, st, f, NULL);
}

int series_stream(struct series_set *set, struct store *st,
		  const struct filters *f, const struct series_hook *hook)
{
	return load(set, st, f, hook);
}

void series_set_release(struct series_set *set)
{
	free(set->v);
	free(set->points);
	free(set->strings);
	memset(set, 0, sizeof(*set));
}

int series_run(const char *file, const struct filters *f,
	       int (*show)(struct store *st, const struct series_set *set,
			   const void *arg),
	       const void *arg)
{
	struct series_set set = { 0 };
	struct store st;
	int ret;

	if (store_open(&st, file, STORE_READ) < 0)
		return 1;
	ret = host_check(&st, f->host) < 0 || series_load(&set, &st, f) < 0
		? 1 : show(&st, &set, arg);
	series_set_release(&set);
	store_close(&st);
	return ret;
}

int64_t series_value(const struct series_point *p, enum series_field fld)
{
	int64_t a, b, sum;

	if ((unsigned)fld < SERIES_STORED)
		return p->v[fld];
	if (fld != SERIES_MEM)
		return SERIES_UNKNOWN;
	a = p->v[SERIES_ANON];
	b = p->v[SERIES_SWAP];
	if (a == SERIES_UNKNOWN || b == SERIES_UNKNOWN)
		return SERIES_UNKNOWN;
	/* figures from a stranger's file may be anything */
	return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

int series_field_is_size(enum series_field fld)
{
	return fld != SERIES_THREADS && fld != SERIES_MAPS;
}

static const char *const field_names[SERIES_NFIELDS] = { "rss", "pss", "uss",
	"swap", "vss", "anon", "threads", "maps", "anon+swap" };

int series_field_parse(const char *name, enum series_field *fld)
{
	size_t i;

	for (i = 0; i < SERIES_NFIELDS; i++)
		if (!strcmp(name, field_names[i])) {
			*fld = (enum series_field)i;
			return 0;
		}
	return -1;
}

int series_field_arg(const char *arg, enum series_field *fld)
{
	if (series_field_parse(arg, fld) < 0)
		return usage_error("bad --field '%s' (%s)", arg, SERIES_FIELDS);
	return 0;
}

const char *series_field_name(enum series_field fld)
{
	return (unsigned)fld < SERIES_NFIELDS ? field_names[fld] : "?";
}
