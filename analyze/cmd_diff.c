/* cmd_diff.c - `diff`: what changed between two snapshots, of one file
 * (over time) or of two (across hosts): per process from the stored
 * figures, then per mapping from the texts of the processes that changed. */
#include "analyze.h"
#include "blob.h"
#include "cgpath.h"
#include "diff_cgroups.h"
#include "mapagg.h"
#include "util.h"
#include "viewhead.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The four figures diffed, in the order of the columns. */
enum { F_RSS, F_PSS, F_USS, F_SWAP, NFIG };

static const struct col proc_cols[] = {
	{ "pid", COL_INT, 0, TOTAL_ROWS, 0 },
	{ "command", COL_TEXT, 0, TOTAL_AUTO, COLF_NAME },
	{ "status", COL_TEXT, 0, TOTAL_NONE, 0 },
#define TRIPLE(x, f) \
	{ x "_from", COL_KB, 0, TOTAL_SUM, f }, \
	{ x "_to", COL_KB, 0, TOTAL_SUM, f }, \
	{ x "_delta", COL_KB, 0, TOTAL_SUM, f }
	TRIPLE("rss", 0), TRIPLE("pss", 0), TRIPLE("uss", 0),
	TRIPLE("swap", COLF_SWAP),
	{ "pid_from", COL_INT, 0, TOTAL_NONE, 0 },
};
enum { PC_PID, PC_CMD, PC_STATUS, PC_FIG, PC_PID_FROM = PC_FIG + 3 * NFIG };

static const struct col map_cols[] = {
	{ "pid", COL_INT, 0, TOTAL_NONE, 0 },
	{ "command", COL_TEXT, 0, TOTAL_NONE, COLF_NAME },
	{ "map", COL_TEXT, 0, TOTAL_AUTO, 0 },
	{ "perms", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "offset", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "status", COL_TEXT, 0, TOTAL_NONE, 0 },
	TRIPLE("size", 0), TRIPLE("rss", 0), TRIPLE("pss", 0),
	TRIPLE("uss", 0), TRIPLE("swap", COLF_SWAP),
#undef TRIPLE
	{ "range_from", COL_TEXT, 0, TOTAL_NONE, 0 },
	{ "range_to", COL_TEXT, 0, TOTAL_NONE, 0 },
};
enum { MC_PID, MC_CMD, MC_MAP, MC_PERMS, MC_OFFSET, MC_STATUS, MC_FIG,
       MC_RANGE_FROM = MC_FIG + 3 * (NFIG + 1), MC_RANGE_TO };

/* How many of the processes that changed most get their mappings shown
 * in the table view when no --pid names them. */
#define TOP_MAPPED 3

/*
 * Of those, without --threshold, a region is shown when its memory moved
 * by MAP_FLOOR_KB, and by 1/MAP_SHARE of its process's change: the PSS
 * of shared libraries drifts by a few pages whenever another process
 * maps or leaves them, which explains nothing; a region that holds less
 * than 2% of what its process gained or lost does not explain it either.
 */
#define MAP_FLOOR_KB 64
#define MAP_SHARE 50

enum match_by { BY_DEFAULT, BY_PID, BY_COMM, BY_EXE, BY_CMDLINE, BY_CGROUP };

/* One process of one side, as stored. */
struct dproc {
	int64_t pid, start_time;
	char *comm, *cmd, *exe;	/* cmd: as shown, NULs as blanks (what
				   --by cmdline compares) */
	char *cgkey;		/* its memory cgroup's path but for container
				   ids, and its comm (--by cgroup); NULL:
				   the file does not say */
	int64_t fig[NFIG];
	unsigned has_fig : 1;	/* fig known (not a maps-only capture) */
	int64_t text_blob;	/* 0: none */
	enum text_kind kind;
	unsigned char hash[16];	/* of the text, to skip equal texts */
	ssize_t other;		/* index of its match on the other side, or -1 */
};

/* One snapshot: where it is and its processes, by pid. */
struct dside {
	struct store st;
	int open;
	int64_t snap;
	char *boot_id;
	struct dproc *v;
	size_t n;
};

/* A process row of the output: a pair, or one side alone. */
struct drow {
	const struct dproc *from, *to;	/* NULL: new, or gone */
	int64_t delta[NFIG];
};

/* The rows not shown, by why: counted for the line under the table. */
struct hidden {
	size_t unchanged;		/* paired, every figure the same */
	size_t changed, new, gone;	/* moved by less than --threshold */
};

/* The figures diffed, by column (F_RSS...). */
static const enum proc_fig diff_figs[NFIG] = { FIG_RSS, FIG_PSS, FIG_USS,
	FIG_SWAP };

/* What --by cgroup pairs: what of the process's cgroup path survives a
 * container's restart (cg_stable_key), with its comm. NULL: unknown. */
static char *cgroup_key(const struct process_row *r)
{
	struct buf b = BUF_INIT(2 * CG_PATH_MAX + 128);
	const char *path;
	int v1;

	if (!(path = process_memcg(r, &v1)) ||
	    cg_stable_key(path, strlen(path), &b) < 0 ||
	    buf_addf(&b, "\n%d\n%s", v1, r->comm) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static void load_row(struct dproc *p, const struct process_row *r,
		     const char *cmd)
{
	int c;

	memset(p, 0, sizeof(*p));
	p->pid = r->pid;
	p->comm = xstrdup(r->comm);
	p->cmd = xstrdup(cmd);
	p->start_time = r->start_time;
	p->exe = r->exe ? xstrdup(r->exe) : NULL;
	p->cgkey = cgroup_key(r);
	p->has_fig = r->fig[FIG_PSS] != FIG_UNKNOWN;
	for (c = 0; c < NFIG; c++)
		p->fig[c] = r->fig[diff_figs[c]] == FIG_UNKNOWN ? 0
			: r->fig[diff_figs[c]];
	p->text_blob = r->text_blob;
	p->kind = r->kind;
	p->other = -1;
}

/*
 * Is ref, in s's file, a snapshot of any host? "first", "latest" and a
 * time name one per host: without --host, in a file of several hosts,
 * they would pair one host's snapshot with another's. 1 when so
 * (printed, a usage error), 0, or -1 (printed).
 */
static int any_host(struct dside *s, const char *ref, const struct filters *f)
{
	struct buf names = BUF_INIT(1 << 20);
	size_t n = 0;
	int rc = 0;

	if (f->host || !ref_is_per_host(ref))
		return 0;
	if (file_hosts(&s->st, &names, &n) < 0)
		rc = -1;
	else if (n > 1)
		rc = !!usage_error("'%s' holds snapshots of %zu hosts (%s): name"
				   " one with --host, or the snapshots with"
				   " --from and --to", s->st.path, n, names.data);
	buf_release(&names);
	return rc;
}

/* Open one side, refusing (1, printed) a snapshot of any host, and load
 * the processes that pass the filters. 0, 1, or -1 (printed). */
static int side_load(struct dside *s, const char *file, const char *ref,
		     const struct filters *f)
{
	struct process_query q = {
		.f = f, .fields = PROC_ALL,
	};
	struct process_iter it;
	struct snapshot_iter si;
	size_t alloc = 0, i;
	int64_t lo, hi;
	int rc;

	if (store_open(&s->st, file, STORE_READ) < 0)
		return -1;
	s->open = 1;
	if ((rc = any_host(s, ref, f)) != 0)
		return rc;
	/* --since and --until: REF among the window's snapshots */
	if (host_check(&s->st, f->host) < 0 ||
	    store_window(&s->st, f->host, &f->since, &f->until, &lo, &hi) < 0 ||
	    store_resolve_in(&s->st, ref, f->host, lo, hi, &s->snap) < 0)
		return -1;
	if ((rc = snapshot_get(&si, &s->st, s->snap)) == 0)
		s->boot_id = xstrdup(si.row.boot_id);
	snapshot_iter_release(&si);
	if (rc < 0)
		return -1;
	q.snapshot = s->snap;
	if (process_iter_start(&it, &s->st, &q) == 0)
		while ((rc = process_iter_next(&it)) > 0) {
			if (s->n == alloc) {
				alloc = alloc ? alloc * 2 : 256;
				s->v = xreallocarray(s->v, alloc, sizeof(*s->v));
			}
			load_row(&s->v[s->n++], &it.row, process_iter_command(&it));
		}
	process_iter_release(&it);
	/* the texts' hashes, to skip the mappings of equal texts */
	for (i = 0; rc == 0 && i < s->n; i++)
		if (s->v[i].text_blob &&
		    store_blob_hash(&s->st, s->v[i].text_blob, s->v[i].hash) < 0)
			rc = -1;
	return rc;
}

static void side_release(struct dside *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].comm);
		free(s->v[i].cmd);
		free(s->v[i].exe);
		free(s->v[i].cgkey);
	}
	free(s->v);
	free(s->boot_id);
	if (s->open)
		store_close(&s->st);
}

/* ---- matching processes ---------------------------------------------- */

/* Within one boot a process is its pid and start time. Both sides are
 * in pid order: walk them together. */
static void match_same_boot(struct dside *a, struct dside *b)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		struct dproc *x = &a->v[i], *y = &b->v[j];

		if (x->pid < y->pid) {
			i++;
		} else if (x->pid > y->pid) {
			j++;
		} else {
			if (x->start_time == y->start_time) {
				x->other = (ssize_t)j;
				y->other = (ssize_t)i;
			}
			i++, j++;
		}
	}
}

static const char *key_of(const struct dproc *p, enum match_by by)
{
	switch (by) {
	case BY_COMM:
		return p->comm;
	case BY_EXE:
		return p->exe && *p->exe ? p->exe : NULL;
	case BY_CMDLINE:
		return p->cmd;
	case BY_CGROUP:
		return p->cgkey;
	default:
		return NULL;
	}
}

/* qsort has no context argument: the key is set before each sort. */
static enum match_by sort_by;
static const struct dproc *sort_v;

static int cmp_key(const void *pa, const void *pb)
{
	const struct dproc *x = &sort_v[*(const size_t *)pa];
	const struct dproc *y = &sort_v[*(const size_t *)pb];
	int c;

	if (sort_by != BY_PID &&
	    (c = strcmp(key_of(x, sort_by), key_of(y, sort_by))) != 0)
		return c;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The unmatched processes of s that have a key, sorted by (key, pid). */
static size_t *unmatched(const struct dside *s, enum match_by by, size_t *n)
{
	size_t *idx = xcalloc(s->n + 1, sizeof(*idx)), i;

	*n = 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].other < 0 && (by == BY_PID || key_of(&s->v[i], by)))
			idx[(*n)++] = i;
	sort_by = by;
	sort_v = s->v;
	qsort(idx, *n, sizeof(*idx), cmp_key);
	return idx;
}

/*
 * Across boots and hosts, processes with equal keys are paired in pid
 * order: of three nginx workers before and two after, the two lowest
 * pids are paired and the third is gone.
 */
static void match_by_key(struct dside *a, struct dside *b, enum match_by by)
{
	size_t na, nb, i = 0, j = 0;
	size_t *ia = unmatched(a, by, &na), *ib = unmatched(b, by, &nb);

	while (i < na && j < nb) {
		struct dproc *x = &a->v[ia[i]], *y = &b->v[ib[j]];
		int c = by == BY_PID ? (x->pid > y->pid) - (x->pid < y->pid)
			: strcmp(key_of(x, by), key_of(y, by));

		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			x->other = (ssize_t)ib[j++];
			y->other = (ssize_t)ia[i++];
		}
	}
	free(ia);
	free(ib);
}

static void match(struct dside *a, struct dside *b, enum match_by by)
{
	int same_boot = a->boot_id && b->boot_id && *a->boot_id &&
		!strcmp(a->boot_id, b->boot_id);

	if (same_boot)
		match_same_boot(a, b);
	if (same_boot && by == BY_DEFAULT)
		return;
	if (by == BY_DEFAULT) {
		match_by_key(a, b, BY_COMM);
		match_by_key(a, b, BY_EXE);
	} else {
		match_by_key(a, b, by);
	}
}

/* ---- the process table ----------------------------------------------- */

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct drow *x = pa, *y = pb;
	int64_t dx = abs64(x->delta[F_PSS]), dy = abs64(y->delta[F_PSS]);
	const struct dproc *px = x->to ? x->to : x->from;
	const struct dproc *py = y->to ? y->to : y->from;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	dx = abs64(x->delta[F_RSS]);
	dy = abs64(y->delta[F_RSS]);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return (px->pid > py->pid) - (px->pid < py->pid);
}

/* A row is shown when it is new or gone, or a figure moved by at least
 * the threshold (and at all). */
static int worth_showing(const int64_t *delta, size_t n, int paired,
			 int64_t threshold)
{
	int64_t most = 0;
	size_t c;

	for (c = 0; c < n; c++)
		if (abs64(delta[c]) > most)
			most = abs64(delta[c]);
	if (!paired)
		return most >= threshold;
	return most > 0 && most >= threshold;
}

/* Row r's deltas, exact: 0, or -1 when one overflows (printed, naming
 * the column and the process). */
static int set_deltas(struct drow *r)
{
	const struct dproc *p = r->to ? r->to : r->from;
	int c;

	for (c = 0; c < NFIG; c++)
		if (fig_sub(&r->delta[c], r->to && r->to->has_fig ? r->to->fig[c] : 0,
			    r->from && r->from->has_fig ? r->from->fig[c] : 0) < 0)
			return error("the %s of process %lld overflows: its figures"
				     " are absurd", proc_cols[PC_FIG + 3 * c + 2].name,
				     (long long)p->pid);
	return 0;
}

/* Count row r, not shown, in h by why. */
static void count_hidden(struct hidden *h, const struct drow *r)
{
	if (!r->from)
		h->new++;
	else if (!r->to)
		h->gone++;
	else if (worth_showing(r->delta, NFIG, 1, 0))
		h->changed++;
	else
		h->unchanged++;
}

/* The rows worth showing, sorted by the absolute PSS delta, largest
 * first; NULL when a delta overflows (printed). */
static struct drow *build_rows(const struct dside *a, const struct dside *b,
			       int64_t threshold, size_t *n, struct hidden *h)
{
	struct drow *rows = xcalloc(a->n + b->n + 1, sizeof(*rows));
	size_t i;

	*n = 0;
	for (i = 0; i < a->n + b->n; i++) {
		const struct dproc *p = i < a->n ? &a->v[i] : &b->v[i - a->n];
		struct drow r = { NULL, NULL, { 0 } };

		if (i < a->n) {
			r.from = p;
			r.to = p->other >= 0 ? &b->v[p->other] : NULL;
		} else if (p->other < 0) {
			r.to = p;
		} else {
			continue;	/* paired: done from the first side */
		}
		if (set_deltas(&r) < 0) {
			free(rows);
			return NULL;
		}
		if (!worth_showing(r.delta, NFIG, r.from && r.to, threshold)) {
			count_hidden(h, &r);
			continue;
		}
		rows[(*n)++] = r;
	}
	qsort(rows, *n, sizeof(*rows), cmp_rows);
	return rows;
}

static const char *status_of(const struct drow *r)
{
	return !r->from ? "new" : !r->to ? "gone" : "changed";
}

static void add_proc_row(struct table *t, const struct drow *d)
{
	const struct dproc *p = d->to ? d->to : d->from;
	size_t r = table_add_row(t);
	const char *st = status_of(d);
	int c;

	table_set_int(t, r, PC_PID, p->pid);
	table_set_text(t, r, PC_CMD, p->cmd, strlen(p->cmd));
	table_set_text(t, r, PC_STATUS, st, strlen(st));
	for (c = 0; c < NFIG; c++) {
		size_t col = PC_FIG + 3 * (size_t)c;

		if (d->from && d->from->has_fig)
			table_set_int(t, r, col, d->from->fig[c]);
		if (d->to && d->to->has_fig)
			table_set_int(t, r, col + 1, d->to->fig[c]);
		if ((!d->from || d->from->has_fig) && (!d->to || d->to->has_fig))
			table_set_int(t, r, col + 2, d->delta[c]);
	}
	if (d->from)
		table_set_int(t, r, PC_PID_FROM, d->from->pid);
}

/* ---- per-mapping deltas ---------------------------------------------- */

/*
 * The mappings of each pair are diffed in the worker of a mapagg_pipe:
 * the caller inflates the next text while the worker parses this one.
 * Texts go in pairs, from then to; proc numbers them 2k + 1 and 2k + 2
 * for pair k, so done() knows which it has.
 */
struct map_run {
	struct table *t;
	const struct drow *rows;
	int64_t threshold;	/* --threshold; -1: each pair's own (pair_min) */
	size_t hidden;		/* regions that moved, not shown */
	struct mapagg prev;	/* the from side of the pair in hand */
	unsigned char *failed;	/* by pair: its to side could not be read */
	struct buf msgs;	/* the worker's messages, for the main thread */
	const char *from_path, *to_path;
};

/* One region of a pair: x on the from side, y on the to side (either
 * may be NULL), and how its figures moved. */
struct dmap {
	const struct mapagg_entry *x, *y;
	uint64_t fx[NFIG + 1], fy[NFIG + 1];	/* size, rss, pss, uss, swap */
	int64_t delta[NFIG + 1];
};

static void figures(const struct mapagg_entry *e, uint64_t *f)
{
	if (e) {
		f[0] = e->size;
		f[1] = e->rss;
		f[2] = e->pss;
		f[3] = e->uss;
		f[4] = e->swap;
	}
}

/* Without --threshold, what a region of pair d must move by to be
 * shown: MAP_FLOOR_KB, or 1/MAP_SHARE of the pair's largest change. */
static int64_t pair_min(const struct drow *d)
{
	int64_t most = 0;
	int c;

	for (c = 0; c < NFIG; c++)
		if (abs64(d->delta[c]) > most)
			most = abs64(d->delta[c]);
	return most / MAP_SHARE > MAP_FLOOR_KB ? most / MAP_SHARE : MAP_FLOOR_KB;
}

/*
 * Is region m of pair d shown? 1, else 0 when it did not change, -1 when
 * it changed too little. With --threshold, when it is new or gone, or a
 * figure moved by at least that (and at all); else when its memory (all
 * but size, unless the texts hold no usage: maps) moved by pair_min. A
 * region that only moved (another boot's addresses) is the same region.
 */
static int map_worth_showing(const struct map_run *run, const struct drow *d,
			     const struct dmap *m)
{
	int paired = m->x && m->y;

	if (!worth_showing(m->delta, NFIG + 1, paired, 0))
		return 0;
	if (run->threshold >= 0)
		return worth_showing(m->delta, NFIG + 1, paired,
				     run->threshold) ? 1 : -1;
	if ((m->x && m->x->nousage) || (m->y && m->y->nousage))
		return worth_showing(m->delta, 1, paired, pair_min(d)) ? 1 : -1;
	return worth_showing(m->delta + 1, NFIG, paired, pair_min(d)) ? 1 : -1;
}

static int cmp_maps(const void *pa, const void *pb)
{
	const struct dmap *x = pa, *y = pb;
	int64_t dx = abs64(x->delta[2]), dy = abs64(y->delta[2]);

	if (dx != dy)
		return dx < dy ? 1 : -1;
	dx = abs64(x->delta[0]);
	dy = abs64(y->delta[0]);
	return (dx < dy) - (dx > dy);
}

static void set_range(struct table *t, size_t r, size_t c,
		      const struct mapagg_entry *e)
{
	char s[64];
	int n = snprintf(s, sizeof(s), "%" PRIx64 "-%" PRIx64, e->lo, e->hi);

	table_set_text(t, r, c, s, (size_t)n);
}

static void add_map_row(struct table *t, const struct drow *d,
			const struct mapagg *a, const struct mapagg *b,
			const struct dmap *m)
{
	const struct mapagg_entry *e = m->x ? m->x : m->y;
	const char *name = mapagg_name(m->x ? a : b, e);
	const char *st = !m->x ? "new" : !m->y ? "gone" : "changed";
	const struct dproc *p = d->to ? d->to : d->from;
	size_t r = table_add_row(t), c;
	char off[24];

	table_set_int(t, r, MC_PID, p->pid);
	table_set_text(t, r, MC_CMD, p->cmd, strlen(p->cmd));
	table_set_text(t, r, MC_MAP, name, e->name_len ? e->label_len : strlen(name));
	if (e->perms[0]) {
		table_set_text(t, r, MC_PERMS, e->perms, strlen(e->perms));
		snprintf(off, sizeof(off), "%08" PRIx64, e->offset);
		table_set_text(t, r, MC_OFFSET, off, strlen(off));
	}
	table_set_text(t, r, MC_STATUS, st, strlen(st));
	for (c = 0; c <= NFIG; c++) {
		size_t col = MC_FIG + 3 * c;
		/* size is known from a maps text too; the rest is not */
		int kx = m->x && (c == 0 || !m->x->nousage);
		int ky = m->y && (c == 0 || !m->y->nousage);

		if (kx)
			table_set_int(t, r, col, (int64_t)m->fx[c]);
		if (ky)
			table_set_int(t, r, col + 1, (int64_t)m->fy[c]);
		if ((kx || !m->x) && (ky || !m->y))
			table_set_int(t, r, col + 2, m->delta[c]);
	}
	/* where a region moved or grew (a heap), say from where to where;
	 * unnamed memory is a group all over the address space */
	if (m->x && m->y && e->name_len &&
	    (m->x->lo != m->y->lo || m->x->hi != m->y->hi)) {
		set_range(t, r, MC_RANGE_FROM, m->x);
		set_range(t, r, MC_RANGE_TO, m->y);
	}
}

/* m's deltas, exact: 0, or -1 when a figure or delta does not fit
 * (the message kept for the main thread). */
static int map_deltas(struct map_run *run, const struct drow *d,
		      struct dmap *m)
{
	const struct dproc *p = d->to ? d->to : d->from;
	size_t c;

	for (c = 0; c <= NFIG; c++)
		if (m->fx[c] > INT64_MAX || m->fy[c] > INT64_MAX ||
		    fig_sub(&m->delta[c], (int64_t)m->fy[c], (int64_t)m->fx[c]) < 0) {
			buf_addf(&run->msgs, "the %s of a mapping of process %lld"
				 " overflows: its figures are absurd\n",
				 map_cols[MC_FIG + 3 * c + 2].name,
				 (long long)p->pid);
			return -1;
		}
	return 0;
}

/* Rows for pair d: the regions of either side worth showing, the one
 * whose PSS moved most first. */
static void diff_maps(struct map_run *run, const struct drow *d,
		      const struct mapagg *a, const struct mapagg *b)
{
	struct dmap *v = xcalloc(a->n + b->n + 1, sizeof(*v));
	size_t i, n = 0;
	int shown;

	for (i = 0; i < a->n + b->n; i++) {
		struct dmap *m = &v[n];

		if (i < a->n) {
			m->x = &a->v[i];
			m->y = mapagg_find(b, a->names + m->x->name_off,
					   m->x->name_len);
		} else {
			m->y = &b->v[i - a->n];
			if (mapagg_find(a, b->names + m->y->name_off,
					m->y->name_len))
				continue;	/* paired above */
		}
		figures(m->x, m->fx);
		figures(m->y, m->fy);
		shown = map_deltas(run, d, m) < 0 ? 0 : map_worth_showing(run, d, m);
		run->hidden += shown < 0;
		if (shown > 0)
			n++;
		else
			memset(m, 0, sizeof(*m));
	}
	qsort(v, n, sizeof(*v), cmp_maps);
	for (i = 0; i < n; i++)
		add_map_row(run->t, d, a, b, &v[i]);
	free(v);
}

static void text_done(void *arg, struct mapagg *a, const struct mapagg_text *t)
{
	struct map_run *run = arg;
	const struct drow *d = &run->rows[(t->proc - 1) / 2];
	struct mapagg swap;

	if (t->bad)
		buf_addf(&run->msgs, "'%s': smaps of process %lld: %s (%zu bad"
			 " record%s left out)\n", t->proc % 2 ? run->from_path
			 : run->to_path, (long long)t->pid, t->err, t->bad,
			 t->bad == 1 ? "" : "s");
	if (t->proc % 2) {
		/* the from side: keep it for its pair, start the next */
		swap = run->prev;
		run->prev = *a;
		*a = swap;
		mapagg_reset(a);
		return;
	}
	if (run->prev.overflow || a->overflow)
		buf_addf(&run->msgs, "the figures of process %lld's text overflow:"
			 " they are absurd\n", (long long)t->pid);
	else if (!run->failed[(t->proc - 1) / 2])
		diff_maps(run, d, &run->prev, a);
	mapagg_reset(a);
	mapagg_reset(&run->prev);
}

/* Inflate side s's text of row d into slot t: the row's process there,
 * or none (an empty text) for a new or gone one. 0, or -1 (printed, by
 * blob id). */
static int load_side(struct dside *s, const struct drow *d,
		     const struct dproc *p, struct mapagg_text *t, uint64_t proc)
{
	const struct dproc *any = p ? p : d->from ? d->from : d->to;

	t->usage = any->kind == TEXT_SMAPS;
	t->proc = proc;
	t->pid = any->pid;
	if (p && p->text_blob && store_blob_get(&s->st, p->text_blob, &t->text) < 0)
		return -1;
	return 0;
}

/* Is process p (of either side, or none) one of those --pid names? */
static int named(const struct filters *f, const struct dproc *p)
{
	size_t i;

	for (i = 0; p && i < f->npids; i++)
		if (f->pids[i] == p->pid)
			return 1;
	return 0;
}

/* Does row d get its mappings diffed? A new or gone process's regions
 * are all new or gone. */
static int wants_maps(const struct drow *d, const struct filters *f,
		      int all, size_t *top)
{
	if ((d->from && d->from->kind == TEXT_ROLLUP) ||
	    (d->to && d->to->kind == TEXT_ROLLUP))
		return 0;
	/* equal texts: no mapping changed (the figures may not either) */
	if (d->from && d->to &&
	    !memcmp(d->from->hash, d->to->hash, sizeof(d->from->hash)))
		return 0;
	if (all || named(f, d->from) || named(f, d->to))
		return 1;
	if (f->npids || *top >= TOP_MAPPED)
		return 0;
	++*top;
	return 1;
}

/*
 * The mapping rows of the rows chosen: every one with `all`, those of
 * --pid, else the TOP_MAPPED that changed most; regions under threshold
 * (-1: pair_min) are counted in *hidden. 0, or 1 when a text could not
 * be used (printed; the others are still diffed).
 */
static int fill_maps(struct dside *a, struct dside *b, const struct drow *rows,
		     size_t n, const struct filters *f, int all,
		     int64_t threshold, struct table *t, size_t *hidden)
{
	struct map_run run = { t, rows, threshold, 0, { 0 }, xcalloc(n + 1, 1),
			       BUF_INIT(1 << 20), a->st.path, b->st.path };
	struct mapagg_pipe pipe;
	struct mapagg agg;
	size_t i, top = 0;
	const char *p, *nl;
	int bad = 0;

	mapagg_init(&agg);
	mapagg_init(&run.prev);
	agg.key = run.prev.key = MAPAGG_BY_REGION;
	mapagg_pipe_start(&pipe, &agg, text_done, &run);
	for (i = 0; i < n; i++) {
		const struct drow *d = &rows[i];
		struct mapagg_text *s;

		if (!wants_maps(d, f, all, &top))
			continue;
		s = mapagg_pipe_slot(&pipe);
		if (load_side(a, d, d->from, s, 2 * i + 1) < 0) {
			bad = 1;
			continue;
		}
		mapagg_pipe_submit(&pipe);
		s = mapagg_pipe_slot(&pipe);
		if (load_side(b, d, d->to, s, 2 * i + 2) < 0) {
			/* a pair is diffed whole or not at all: an empty to
			 * side would make every mapping "gone" */
			bad = 1;
			run.failed[i] = 1;
			buf_reset(&s->text);
		}
		mapagg_pipe_submit(&pipe);
	}
	mapagg_pipe_finish(&pipe);
	for (p = run.msgs.data; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		error("%.*s", (int)(nl - p), p);
		bad = 1;
	}
	buf_release(&run.msgs);
	*hidden = run.hidden;
	free(run.failed);
	mapagg_release(&agg);
	mapagg_release(&run.prev);
	return bad;
}

/* ---- the command ----------------------------------------------------- */

struct diff_args {
	const char *file[2];
	size_t nfiles;
	const char *from, *to;
	enum match_by by;
	int64_t threshold;	/* -1: none given */
	int mappings;
	int cgroups;		/* --cgroups: the cgroups' table alone */
	struct filters f;
};

static int parse_by(const char *s, enum match_by *by)
{
	static const char *const names[] = { "pid", "comm", "exe", "cmdline",
					     "cgroup" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*by = (enum match_by)(BY_PID + i);
			return 0;
		}
	return usage_error("--by takes pid, comm, exe, cmdline or cgroup, not"
			   " '%s'", s);
}

/* -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct diff_args *d)
{
	enum { OPT_FROM = 300, OPT_TO, OPT_BY, OPT_THRESHOLD, OPT_MAPPINGS,
	       OPT_CGROUPS };
	static const struct option opts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "by", required_argument, NULL, OPT_BY },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "mappings", no_argument, NULL, OPT_MAPPINGS },
		{ "cgroups", no_argument, NULL, OPT_CGROUPS },
		FILTER_OPTIONS, WINDOW_OPTIONS, HELP_OPTION, { NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM:
		case OPT_TO:
			if ((ret = ref_arg(c == OPT_FROM ? "--from" : "--to",
					   optarg)) != 0)
				return ret;
			*(c == OPT_FROM ? &d->from : &d->to) = optarg;
			break;
		case OPT_BY:
			if (parse_by(optarg, &d->by) != 0)
				return 2;
			break;
		case OPT_THRESHOLD:
			if (parse_u64_str(optarg, &v) < 0 || v > INT64_MAX)
				return usage_error("bad --threshold '%s'", optarg);
			d->threshold = (int64_t)v;
			break;
		case OPT_MAPPINGS:
			d->mappings = 1;
			break;
		case OPT_CGROUPS:
			d->cgroups = 1;
			break;
		case OPT_HELP:
			return command_help(&cmd_diff);
		default:
			if ((ret = filters_option(&d->f, c, optarg)) != 0)
				return ret;
		}
	}
	d->nfiles = (size_t)(argc - optind);
	if (d->nfiles < 1 || d->nfiles > 2)
		return usage_error("diff takes FILE, or FILE and FILE2");
	if (d->cgroups && (d->mappings || d->by != BY_DEFAULT))
		return usage_error("--cgroups diffs cgroups: no --mappings or"
				   " --by");
	d->file[0] = argv[optind];
	d->file[1] = argv[argc - 1];
	/* one file: from the first snapshot to the latest */
	if (!d->from)
		d->from = d->nfiles == 1 ? "first" : "latest";
	return -1;
}

/* The line under the process table: every row not shown, by why. */
static void print_hidden(const struct hidden *h, int64_t threshold)
{
	struct buf b = BUF_INIT(512);
	long long kb = (long long)threshold;

	if (h->changed)
		buf_addf(&b, "%zu process%s changed less than %lld kB",
			 h->changed, h->changed == 1 ? "" : "es", kb);
	if (h->new || h->gone) {
		buf_addf(&b, "%s", b.len ? ", " : "");
		if (h->new)
			buf_addf(&b, "%zu new%s", h->new, h->gone ? " and " : "");
		if (h->gone)
			buf_addf(&b, "%zu gone", h->gone);
		buf_addf(&b, " under %lld kB", kb);
	}
	if (h->unchanged)
		buf_addf(&b, "%s%zu %sunchanged", b.len ? ", " : "", h->unchanged,
			 b.len ? "" : h->unchanged == 1 ? "process " : "processes ");
	if (b.len)
		printf("(%s)\n", b.data);
	buf_release(&b);
}

/* The mapping table, in the table view: after the processes, under a
 * line saying whose mappings these are, over one counting those hidden
 * (threshold -1: pair_min's). */
static int print_maps_table(struct table *mt, const struct out_opts *out,
			    size_t nproc, int named, size_t hidden,
			    int64_t threshold)
{
	struct out_opts o = *out;
	int ret = 0;

	if (o.sort && table_col(mt, o.sort) < 0)
		o.sort = NULL;		/* a process column: not here */
	o.totals = 0;
	if (mt->nrows) {
		printf("\n%s:\n", named ? "mappings of the processes named"
		       : nproc > TOP_MAPPED ? "mappings of the processes that"
		       " changed most (--pid PID for others, --mappings for all)"
		       : "mappings");
		ret = table_print(mt, &o, stdout);
	}
	if (ret || !hidden)
		return ret;
	if (threshold >= 0)
		printf("(%zu mapping change%s under %lld kB hidden)\n", hidden,
		       hidden == 1 ? "" : "s", (long long)threshold);
	else
		printf("(%zu mapping change%s under %d kB or %d%% of its"
		       " process's change hidden: --threshold KB for them)\n",
		       hidden, hidden == 1 ? "" : "s", MAP_FLOOR_KB,
		       100 / MAP_SHARE);
	return 0;
}

/* --cgroups: one table, the cgroups that changed. */
static int print_cgroups(struct dside *a, struct dside *b,
			 const struct diff_args *d, const struct out_opts *out)
{
	struct table t;
	size_t ncols, same = 0;
	const struct col *cols = diff_cgroup_cols(&ncols);
	int ret;

	table_init(&t, cols, ncols);
	t.sort = NULL;		/* ours: by the absolute charge delta */
	if (diff_cgroups_fill(&a->st, a->snap, &b->st, b->snap, &d->f,
			      d->threshold < 0 ? 0 : d->threshold, &t,
			      &same) < 0) {
		table_release(&t);
		return 1;
	}
	ret = print_snapshot_table(&t, out, &b->st, b->snap);
	if (ret == 0 && out->format == OUT_TABLE && same)
		printf("(%zu cgroup%s unchanged)\n", same, same == 1 ? "" : "s");
	return ret;
}

/* The tables of a diff of the processes of a and b, matched. Returns
 * the exit status. */
static int print_diff(struct dside *a, struct dside *b,
		      const struct diff_args *d, const struct out_opts *out)
{
	struct hidden h = { 0 };
	struct table pt, mt;
	struct drow *rows;
	size_t n, i, mhidden = 0;
	/* without --threshold, the default view's regions get pair_min */
	int64_t pthr = d->threshold < 0 ? 0 : d->threshold;
	int64_t mthr = d->threshold >= 0 || d->mappings || d->f.npids
		? pthr : -1;
	int ret, bad = 0, maps_only;

	if (!(rows = build_rows(a, b, pthr, &n, &h)))
		return 1;
	table_init(&pt, proc_cols, sizeof(proc_cols) / sizeof(proc_cols[0]));
	table_init(&mt, map_cols, sizeof(map_cols) / sizeof(map_cols[0]));
	pt.sort = mt.sort = NULL;	/* ours: by the absolute PSS delta */
	for (i = 0; i < n; i++)
		add_proc_row(&pt, &rows[i]);
	/* --csv and --json print one table: the mappings when asked for */
	maps_only = out->format != OUT_TABLE && (d->f.npids || d->mappings);
	if (out->format == OUT_TABLE || maps_only)
		bad = fill_maps(a, b, rows, n, &d->f, d->mappings, mthr, &mt,
				&mhidden);
	if (maps_only) {
		ret = print_snapshot_table(&mt, out, &b->st, b->snap);
	} else {
		ret = print_snapshot_table(&pt, out, &b->st, b->snap);
		if (ret == 0 && out->format == OUT_TABLE) {
			print_hidden(&h, pthr);
			mt.memtotal_kb = pt.memtotal_kb;
			mt.swaptotal_kb = pt.swaptotal_kb;
			ret = print_maps_table(&mt, out, n, d->f.npids != 0,
					       mhidden, mthr);
		}
	}
	table_release(&pt);
	table_release(&mt);
	free(rows);
	return ret ? ret : bad;
}

static int run_diff(int argc, char **argv, const struct out_opts *out)
{
	struct diff_args d = { .by = BY_DEFAULT, .threshold = -1 };
	struct dside a = { 0 }, b = { 0 };
	int ret;

	ret = parse_args(argc, argv, &d);
	if (ret >= 0)
		goto out;
	if ((ret = side_load(&a, d.file[0], d.from, &d.f)) != 0 ||
	    (ret = side_load(&b, d.file[1], d.to, &d.f)) != 0) {
		ret = ret > 0 ? 2 : 1;
		goto out;
	}
	ret = 1;
	if (view_head(&a.st, a.snap, "from ", out) < 0 ||
	    view_head(&b.st, b.snap, "to ", out) < 0)
		goto out;
	if (d.cgroups) {
		ret = print_cgroups(&a, &b, &d, out);
		goto out;
	}
	match(&a, &b, d.by);
	ret = print_diff(&a, &b, &d, out);
out:
	side_release(&a);
	side_release(&b);
	filters_release(&d.f);
	return ret;
}

const struct command cmd_diff = {
	"diff", "diff FILE [FILE2] [--from REF] [--to REF]"
	" [--by pid|comm|exe|cmdline|cgroup] [filters] [--threshold KB]"
	" [--mappings | --cgroups] [--since WHEN] [--until WHEN]",
	run_diff, 0, OUTPUT_ALL | OUTPUT_WIDE,
};
