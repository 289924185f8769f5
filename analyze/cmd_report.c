/* cmd_report.c - `report`: one self-contained HTML page for a person who
 * opens it from a bug report: hosts and snapshots, memory over time, the
 * top processes, the leak suspects with their charts, the largest
 * mappings. No script, no network: styles inline, charts inline SVG. */
#include "analyze.h"
#include "bars.h"
#include "blob.h"
#include "cgreport.h"
#include "chart.h"
#include "culprit.h"
#include "growth.h"
#include "kindreport.h"
#include "kindsum.h"
#include "mapagg.h"
#include "namecut.h"
#include "outfile.h"
#include "partcache.h"
#include "series.h"
#include "util.h"
#include "when.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Rows of each ranked table, unless --top says otherwise. */
#define REPORT_TOP 20
/* Snapshots listed before the list is cut (the chart shows them all). */
#define REPORT_SNAPSHOTS 50

struct report {
	FILE *out;
	struct store *st;
	const char *file;	/* as named on the command line */
	const char *host;	/* --host, or NULL */
	long top;
	struct growth_opts growth;	/* --confidence, --min-growth */
	int bad;		/* a text could not be read: exit 1 at the end */
};

static void put(struct report *r, const char *s)
{
	fputs(s, r->out);
}

/* Text from the file (untrusted): escaped, cut at max_chars when > 0. */
static void text(struct report *r, const char *s, size_t max_chars)
{
	chart_put_xml(r->out, s ? s : "", max_chars);
}

static void put_time(struct report *r, int64_t us)
{
	char s[64];

	when_format(s, sizeof(s), us, WHEN_TABLE);	/* with its zone */
	text(r, s, 0);
}

/* A size in kB (KiB: /proc's kB are 1024 bytes) as a person reads it:
 * 812 KiB, 1.5 MiB. */
static void put_kb_value(struct report *r, int64_t kb)
{
	char s[32];

	bars_size(s, sizeof(s), kb);
	fputs(s, r->out);
}

/* A figure as a size cell; "-" when unknown. */
static void put_kb(struct report *r, int64_t kb)
{
	if (kb == FIG_UNKNOWN) {
		put(r, "<td class=n>-</td>");
		return;
	}
	put(r, "<td class=n>");
	put_kb_value(r, kb);
	put(r, "</td>");
}

static void head(struct report *r, const char *const *cols)
{
	put(r, "<table><thead><tr>");
	for (; *cols; cols++)
		fprintf(r->out, "<th>%s</th>", *cols);
	put(r, "</tr></thead><tbody>\n");
}

static void cell_text(struct report *r, const char *s, size_t max_chars)
{
	put(r, "<td>");
	text(r, s, max_chars);
	put(r, "</td>");
}

static void cell_int(struct report *r, int64_t v)
{
	fprintf(r->out, "<td class=n>%lld</td>", (long long)v);
}

static int prepare(struct report *r, const char *sql, sqlite3_stmt **q)
{
	if (sqlite3_prepare_v2(r->st->db, sql, -1, q, NULL) != SQLITE_OK)
		return store_error(r->st, "read");
	if (r->host)
		sqlite3_bind_text(*q, 1, r->host, -1, SQLITE_STATIC);
	return 0;
}

static int step_done(struct report *r, sqlite3_stmt *q, int rc)
{
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(r->st, "read");
}

/* ---- the page's frame ------------------------------------------------ */

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;"
	"max-width:1100px;padding:0 1em;color:#222}"
	"h1{font-size:1.6em;margin-bottom:.2em}"
	"h2{border-bottom:2px solid #4e79a7;padding-bottom:.2em;margin-top:2em}"
	"h3{margin-bottom:.3em}"
	"p.meta{color:#666;margin-top:0}"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}"
	"th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;"
	"vertical-align:top}"
	"th{background:#f2f4f7}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}"
	"td.cmd{max-width:32em;overflow-wrap:anywhere}"
	"tr.up td.n.d{color:#b00020}"
	".none{color:#666;font-style:italic}"
	"figure{margin:.5em 0 1.5em}"
	"nav a{margin-right:1em}";

static void page_start(struct report *r)
{
	char s[64];

	when_format(s, sizeof(s), (int64_t)time(NULL) * 1000000, WHEN_TABLE);
	put(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    /* nothing may be fetched: a page from a bug report stays offline */
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
	    "<title>mapsnap report: ");
	text(r, r->file, 0);
	fprintf(r->out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
	put(r, "<h1>mapsnap report</h1>\n<p class=meta>");
	text(r, r->file, 0);
	if (r->host) {
		put(r, ", host ");
		text(r, r->host, 0);
	}
	fprintf(r->out, "; made %s by mapsnap-analyze %s</p>\n", s,
		MAPSNAP_VERSION);
	put(r, "<nav><a href=\"#hosts\">Hosts and snapshots</a>"
	    "<a href=\"#top-processes\">Top processes</a>"
	    "<a href=\"#memory-kinds\">Memory by kind</a>"
	    "<a href=\"#growth\">Leak suspects</a>"
	    "<a href=\"#largest-mappings\">Largest mappings</a>"
	    "<a href=\"#containers\">Containers</a></nav>\n");
}

/* ---- hosts and snapshots --------------------------------------------- */

static const char hosts_sql[] =
	"SELECT h.hostname, h.machine_id, count(s.id), min(s.time_us),"
	" max(s.time_us), group_concat(DISTINCT s.kernel)"
	" FROM hosts AS h JOIN snapshots AS s ON s.host_id = h.id"
	" WHERE ?1 IS NULL OR h.hostname = ?1"
	" GROUP BY h.id ORDER BY h.hostname, h.machine_id";

static int hosts_table(struct report *r)
{
	static const char *const cols[] = { "host", "machine-id", "snapshots",
		"first", "last", "kernel", NULL };
	sqlite3_stmt *q;
	int rc;

	if (prepare(r, hosts_sql, &q) < 0)
		return -1;
	head(r, cols);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		put(r, "<tr>");
		cell_text(r, (const char *)sqlite3_column_text(q, 0), 0);
		cell_text(r, (const char *)sqlite3_column_text(q, 1), 0);
		cell_int(r, sqlite3_column_int64(q, 2));
		put(r, "<td>");
		put_time(r, sqlite3_column_int64(q, 3));
		put(r, "</td><td>");
		put_time(r, sqlite3_column_int64(q, 4));
		put(r, "</td>");
		cell_text(r, (const char *)sqlite3_column_text(q, 5), 0);
		put(r, "</tr>\n");
	}
	put(r, "</tbody></table>\n");
	return step_done(r, q, rc);
}

/* One host's line of the total chart. */
struct host_line {
	char *name;
	struct chart_point *v;
	size_t n;
};

/* The line of host h, added when new. */
static struct host_line *host_line(struct host_line **lines, size_t *n,
				   const char *h)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*lines)[i].name, h))
			return &(*lines)[i];
	*lines = xreallocarray(*lines, *n + 1, sizeof(**lines));
	(*lines)[*n].name = xstrdup(h);
	(*lines)[*n].v = NULL;
	(*lines)[*n].n = 0;
	return &(*lines)[(*n)++];
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(((const struct host_line *)a)->name,
		      ((const struct host_line *)b)->name);
}

/* The largest known value of l. */
static int64_t line_peak(const struct host_line *l)
{
	int64_t hi = INT64_MIN;
	size_t k;

	for (k = 0; k < l->n; k++)
		if (l->v[k].kb != CHART_GAP && l->v[k].kb > hi)
			hi = l->v[k].kb;
	return hi;
}

/* The largest peak first, then by name. */
static int cmp_peaks(const void *a, const void *b)
{
	int64_t x = line_peak(a), y = line_peak(b);

	return x != y ? (x < y ? 1 : -1) : cmp_lines(a, b);
}

/* Total PSS of each host over time: one line per host, in name order;
 * of the --top N hosts of the largest peak when there are more. */
static int total_chart(struct report *r)
{
	const struct snapshot_query q = { .host = r->host,
					  .sums = FIG_BIT(FIG_PSS) };
	struct chart_opts o = { "Total PSS of the processes captured, per host",
				"pss", 0, 0, 1, 0 };
	struct host_line *lines = NULL, *l;
	struct chart_series *sv;
	struct snapshot_iter it;
	size_t n = 0, i, shown = (size_t)r->top;
	char title[160];
	int rc = -1;

	if (snapshot_iter_start(&it, r->st, &q) == 0)
		while ((rc = snapshot_iter_next(&it)) > 0) {
			if (!it.row.captured)
				continue;	/* nothing to sum */
			l = host_line(&lines, &n, it.row.hostname);
			l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
			l->v[l->n].time_us = it.row.time_us;
			l->v[l->n++].kb = it.row.sum[FIG_PSS] == FIG_UNKNOWN
				? CHART_GAP : it.row.sum[FIG_PSS];
		}
	snapshot_iter_release(&it);
	if (n > shown) {
		qsort(lines, n, sizeof(*lines), cmp_peaks);
		snprintf(title, sizeof(title), "Total PSS of the processes"
			 " captured, per host: the %zu of the largest peak of %zu"
			 " (%zu left out)", shown, n, n - shown);
		o.title = title;
	}
	shown = n < shown ? n : shown;
	if (shown)
		qsort(lines, shown, sizeof(*lines), cmp_lines);
	sv = xcalloc(shown + 1, sizeof(*sv));
	for (i = 0; i < shown; i++) {
		sv[i].name = lines[i].name;
		sv[i].points = lines[i].v;
		sv[i].npoints = lines[i].n;
	}
	if (rc == 0 && shown) {
		put(r, "<figure>");
		chart_svg(r->out, &o, sv, shown);
		put(r, "</figure>\n");
	}
	for (i = 0; i < n; i++) {
		free(lines[i].name);
		free(lines[i].v);
	}
	free(lines);
	free(sv);
	return rc;
}

static int snapshots_table(struct report *r)
{
	static const char *const cols[] = { "id", "uuid", "host", "time",
		"label", "text", "processes", "skipped", "rss", "pss", "uss",
		"swap", NULL };
	static const enum proc_fig sums[] = { FIG_RSS, FIG_PSS, FIG_USS, FIG_SWAP };
	const struct snapshot_query q = {
		.host = r->host, .newest_first = 1,
		.sums = FIG_BIT(FIG_RSS) | FIG_BIT(FIG_PSS) | FIG_BIT(FIG_USS) |
			FIG_BIT(FIG_SWAP),
	};
	const struct snapshot_row *s;
	struct snapshot_iter it;
	long n = 0;
	size_t i;
	int rc = -1;

	head(r, cols);
	if (snapshot_iter_start(&it, r->st, &q) == 0)
		while ((rc = snapshot_iter_next(&it)) > 0) {
			if (++n > REPORT_SNAPSHOTS)
				continue;
			s = &it.row;
			put(r, "<tr>");
			cell_int(r, s->id);
			cell_text(r, s->uuid, 0);
			cell_text(r, s->hostname, 0);
			put(r, "<td>");
			put_time(r, s->time_us);
			put(r, "</td>");
			cell_text(r, s->label, 0);
			cell_text(r, text_kind_name(s->source), 0);
			cell_int(r, s->captured);
			cell_int(r, s->skipped);
			for (i = 0; i < sizeof(sums) / sizeof(sums[0]); i++)
				put_kb(r, s->sum[sums[i]]);
			put(r, "</tr>\n");
		}
	snapshot_iter_release(&it);
	put(r, "</tbody></table>\n");
	if (n > REPORT_SNAPSHOTS)
		fprintf(r->out, "<p class=none>The %d latest of %ld snapshots;"
			" <code>mapsnap-analyze list</code> shows them all.</p>\n",
			REPORT_SNAPSHOTS, n);
	return rc;
}

static int section_hosts(struct report *r)
{
	put(r, "<section id=\"hosts\">\n<h2>Hosts and snapshots</h2>\n");
	if (hosts_table(r) < 0 || total_chart(r) < 0 || snapshots_table(r) < 0)
		return -1;
	put(r, "</section>\n");
	return 0;
}

/* ---- the latest snapshot of each host -------------------------------- */

/* The latest snapshot of every host (of --host), newest host first. */
static int64_t *latest_snapshots(struct report *r, size_t *n)
{
	static const char sql[] =
		"SELECT s.id FROM snapshots AS s JOIN hosts AS h"
		" ON h.id = s.host_id WHERE (?1 IS NULL OR h.hostname = ?1)"
		" AND s.id = (SELECT t.id FROM snapshots AS t"
		" WHERE t.host_id = s.host_id ORDER BY t.time_us DESC, t.id DESC"
		" LIMIT 1) ORDER BY h.hostname, h.id";
	int64_t *v = NULL;
	sqlite3_stmt *q;
	int rc;

	*n = 0;
	if (prepare(r, sql, &q) < 0)
		return NULL;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = sqlite3_column_int64(q, 0);
	}
	if (step_done(r, q, rc) < 0) {
		free(v);
		*n = 0;
		return NULL;
	}
	return v;
}

/* "host, snapshot 12 (2026-11-22 05:01:51 UTC, @label)" as an h3. */
static int snapshot_heading(struct report *r, int64_t snap)
{
	struct snapshot_iter it;
	int rc = snapshot_get(&it, r->st, snap);

	if (rc == 0) {
		put(r, "<h3>");
		text(r, it.row.hostname, 0);
		fprintf(r->out, ", snapshot %lld (", (long long)snap);
		put_time(r, it.row.time_us);
		if (it.row.label) {
			put(r, ", ");
			text(r, it.row.label, 0);
		}
		put(r, ")</h3>\n");
	}
	snapshot_iter_release(&it);
	return rc < 0 ? -1 : 0;
}

/* A process of the top table. */
struct top_proc {
	int64_t pid;
	char *user, *command;
	int64_t fig[5];		/* swap uss pss rss vss */
};

/* By PSS, then RSS, both descending (unknown last), then pid. */
static int cmp_top(const void *pa, const void *pb)
{
	const struct top_proc *x = pa, *y = pb;

	if (x->fig[2] != y->fig[2])
		return x->fig[2] < y->fig[2] ? 1 : -1;
	if (x->fig[3] != y->fig[3])
		return x->fig[3] < y->fig[3] ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The processes of snap, best first, in *v (caller frees). 0 or -1. */
static int load_top(struct report *r, int64_t snap, struct top_proc **v,
		    size_t *n)
{
	static const enum proc_fig figs[] = { FIG_SWAP, FIG_USS, FIG_PSS,
		FIG_RSS, FIG_VSS };
	const struct process_query q = {
		.snapshot = snap, .fields = PROC_NAMES | PROC_FIGS,
	};
	struct process_iter it;
	const char *user;
	char uid[24];
	size_t k;
	int rc = -1;

	*v = NULL;
	*n = 0;
	if (process_iter_start(&it, r->st, &q) == 0)
		while ((rc = process_iter_next(&it)) > 0) {
			struct top_proc *t;

			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			t = &(*v)[(*n)++];
			t->pid = it.row.pid;
			user = process_user(&it.row, uid, sizeof(uid));
			t->user = user ? xstrdup(user) : NULL;
			t->command = xstrdup(process_iter_command(&it));
			for (k = 0; k < 5; k++)
				t->fig[k] = it.row.fig[figs[k]];
		}
	process_iter_release(&it);
	if (*n)
		qsort(*v, *n, sizeof(**v), cmp_top);
	return rc;
}

static int top_processes(struct report *r, int64_t snap)
{
	static const char *const cols[] = { "pid", "user", "command", "swap",
		"uss", "pss", "rss", "vss", NULL };
	struct top_proc *v;
	size_t n, i, k;
	int rc;

	if (snapshot_heading(r, snap) < 0)
		return -1;
	rc = load_top(r, snap, &v, &n);
	head(r, cols);
	for (i = 0; rc == 0 && i < n && i < (size_t)r->top; i++) {
		put(r, "<tr>");
		cell_int(r, v[i].pid);
		cell_text(r, v[i].user, 0);
		put(r, "<td class=cmd>");
		text(r, v[i].command, 200);
		put(r, "</td>");
		for (k = 0; k < 5; k++)
			put_kb(r, v[i].fig[k]);
		put(r, "</tr>\n");
	}
	put(r, "</tbody></table>\n");
	for (i = 0; i < n; i++) {
		free(v[i].user);
		free(v[i].command);
	}
	free(v);
	return rc;
}

static int section_top(struct report *r, const int64_t *snaps, size_t n)
{
	size_t i;

	put(r, "<section id=\"top-processes\">\n<h2>Top processes</h2>\n"
	    "<p>By PSS, in the latest snapshot of each host.</p>\n");
	for (i = 0; i < n; i++)
		if (top_processes(r, snaps[i]) < 0)
			return -1;
	if (!n)
		put(r, "<p class=none>No snapshots.</p>\n");
	put(r, "</section>\n");
	return 0;
}

/* ---- memory by kind and by library ----------------------------------- */

/* The pids of the first k of t, and their labels for kindreport_bars: "PID
 * COMMAND" with the command cut as a table cuts it, and whole. */
static void top_labels(const struct top_proc *t, size_t k, int64_t *pids,
		       char **labels)
{
	size_t i;

	for (i = 0; i < k; i++) {
		struct buf l = BUF_INIT(1 << 20);
		char *cut = name_cut(t[i].command, 32, "\u2026", 1);

		pids[i] = t[i].pid;
		buf_addf(&l, "%lld %s", (long long)t[i].pid, cut);
		labels[2 * i] = buf_detach(&l, NULL);
		buf_addf(&l, "%lld %s", (long long)t[i].pid, t[i].command);
		labels[2 * i + 1] = buf_detach(&l, NULL);
		free(cut);
	}
}

/* The kinds and libraries of the (at most ten) largest processes of snap. */
static int kinds_pictures(struct report *r, int64_t snap)
{
	struct top_proc *t;
	struct kind_proc *v;
	size_t n, k, i, known = 0;
	int64_t *pids;
	char **labels;

	if (snapshot_heading(r, snap) < 0 || load_top(r, snap, &t, &n) < 0)
		return -1;
	k = n < (size_t)r->top ? n : (size_t)r->top;
	k = k < 10 ? k : 10;
	pids = xcalloc(k + 1, sizeof(*pids));
	labels = xcalloc(2 * k + 1, sizeof(*labels));
	v = xcalloc(k + 1, sizeof(*v));
	top_labels(t, k, pids, labels);
	if (kindsum_load(r->st, snap, pids, k, v) < 0)
		r->bad = 1;
	for (i = 0; i < k; i++)
		known += v[i].known;
	if (known) {
		fprintf(r->out, "<p>%zu of the %zu processes, the largest by PSS,"
			" their mappings summed as <code>showmap</code> and"
			" <code>libs --per-process</code> sum them; a part's"
			" tooltip has its figure.</p>\n", known, n);
		kindreport_bars(r->out, v, labels, k);
	} else {
		put(r, "<p class=none>No per-mapping texts of its largest"
		    " processes (a --rollup or --maps-only capture).</p>\n");
	}
	kindsum_release(v, k);
	for (i = 0; i < n; i++) {
		free(t[i].user);
		free(t[i].command);
	}
	for (i = 0; i < 2 * k; i++)
		free(labels[i]);
	free(t);
	free(v);
	free(labels);
	free(pids);
	return 0;
}

static int section_kinds(struct report *r, const int64_t *snaps, size_t n)
{
	size_t i;

	put(r, "<section id=\"memory-kinds\">\n<h2>Memory by kind</h2>\n"
	    "<p>What the largest processes' PSS is made of: heap, stack,"
	    " other anonymous memory, libraries, shared memory (SysV, POSIX,"
	    " memfd), other files and the kernel's own mappings; then which"
	    " libraries. In the latest snapshot of each host.</p>\n");
	for (i = 0; i < n; i++)
		if (kinds_pictures(r, snaps[i]) < 0)
			return -1;
	if (!n)
		put(r, "<p class=none>No snapshots.</p>\n");
	put(r, "</section>\n");
	return 0;
}

/* ---- largest mappings ------------------------------------------------ */

static int cmp_pss(const void *pa, const void *pb)
{
	const struct mapagg_entry *x = *(const struct mapagg_entry *const *)pa;
	const struct mapagg_entry *y = *(const struct mapagg_entry *const *)pb;

	if (x->pss != y->pss)
		return x->pss < y->pss ? 1 : -1;
	return (x->rss < y->rss) - (x->rss > y->rss);
}

/*
 * The mappings of row p's text: from the cache when an earlier row named
 * it, else inflated and parsed into `part`, and kept in the cache when it
 * has room. *bad counts its bad records, the first in err. NULL when the
 * text cannot be read (said once, by store_blob_get).
 */
static struct mapagg *row_part(struct report *r, const struct process_row *p,
			       struct part_cache *cache, struct buf *text,
			       struct mapagg *part, size_t *bad, char *err,
			       size_t errlen)
{
	int usage = p->kind == TEXT_SMAPS;
	struct part_entry *e = part_cache_find(cache, p->text_blob, usage);

	if (e && e->state != PART_READY)
		return NULL;
	if (e) {
		*bad = e->bad;
		snprintf(err, errlen, "%s", e->why ? e->why : "");
		return &e->part;
	}
	buf_reset(text);
	mapagg_reset(part);
	e = part_cache_add(cache, p->text_blob, usage);
	if (store_blob_get(r->st, p->text_blob, text) < 0) {
		if (e)
			part_cache_bad(e, "unreadable");
		return NULL;
	}
	*bad = mapagg_add_text(part, text->data, text->len, usage, 1, err,
			       errlen);
	if (!e)
		return part;
	part_cache_ready(cache, e, part, *bad, err);
	return &e->part;
}

/* Every text of snapshot snap summed by mapping name, as libs does; a
 * text several processes share is inflated and parsed once. */
static int sum_mappings(struct report *r, int64_t snap, struct mapagg *a)
{
	const struct process_query q = {
		.snapshot = snap, .fields = PROC_TEXT,
	};
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct part_cache cache;
	struct process_iter it;
	struct mapagg part, *m;
	uint64_t proc = 0;
	char err[160];
	size_t bad = 0;
	int rc = -1;

	part_cache_init(&cache, PART_CACHE_MAX);
	mapagg_init(&part);
	if (process_iter_start(&it, r->st, &q) == 0)
		while ((rc = process_iter_next(&it)) > 0) {
			if (!it.row.text_blob || it.row.kind == TEXT_ROLLUP)
				continue;
			m = row_part(r, &it.row, &cache, &text, &part, &bad, err,
				     sizeof(err));
			if (!m || bad) {
				if (m)
					error("'%s': smaps of process %lld: %s (%zu"
					      " bad record%s left out)", r->st->path,
					      (long long)it.row.pid, err, bad,
					      bad == 1 ? "" : "s");
				r->bad = 1;
			}
			if (m && m->overflow) {
				error("'%s': the figures of process %lld's text"
				      " overflow: they are absurd", r->st->path,
				      (long long)it.row.pid);
				r->bad = 1;
			}
			if (!m || m->overflow)
				continue;
			mapagg_set_proc(m, ++proc);
			mapagg_merge(a, m);
		}
	process_iter_release(&it);
	part_cache_release(&cache);
	mapagg_release(&part);
	buf_release(&text);
	return rc;
}

static int largest_mappings(struct report *r, int64_t snap)
{
	static const char *const cols[] = { "map", "pids", "count", "pss",
		"uss", "rss", "vss", "swap", NULL };
	const struct mapagg_entry **v;
	struct mapagg a;
	size_t i, n;

	if (snapshot_heading(r, snap) < 0)
		return -1;
	mapagg_init(&a);
	if (sum_mappings(r, snap, &a) < 0) {
		mapagg_release(&a);
		return -1;
	}
	if (a.overflow) {	/* each text fine, their sums absurd */
		error("'%s': the sums of the mappings of snapshot %lld overflow:"
		      " its figures are absurd", r->st->path, (long long)snap);
		r->bad = 1;
		mapagg_reset(&a);
	}
	v = xcalloc(a.n + 1, sizeof(*v));
	for (i = 0; i < a.n; i++)
		v[i] = &a.v[i];
	qsort(v, a.n, sizeof(*v), cmp_pss);
	n = a.n < (size_t)r->top ? a.n : (size_t)r->top;
	if (!n)
		put(r, "<p class=none>No per-mapping texts in this snapshot"
		    " (a --rollup capture).</p>\n");
	else
		head(r, cols);
	for (i = 0; i < n; i++) {
		const struct mapagg_entry *e = v[i];
		const uint64_t f[] = { e->pss, e->uss, e->rss, e->size, e->swap };
		size_t k;

		put(r, "<tr><td class=cmd>");
		text(r, mapagg_name(&a, e), 0);
		put(r, "</td>");
		cell_int(r, (int64_t)e->pids);
		cell_int(r, (int64_t)e->count);
		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			put(r, "<td class=n>");
			if (e->nousage && k != 3)
				put(r, "-");
			else
				put_kb_value(r, (int64_t)f[k]);
			put(r, "</td>");
		}
		put(r, "</tr>\n");
	}
	if (n)
		put(r, "</tbody></table>\n");
	free(v);
	mapagg_release(&a);
	return 0;
}

static int section_mappings(struct report *r, const int64_t *snaps, size_t n)
{
	size_t i;

	put(r, "<section id=\"largest-mappings\">\n<h2>Largest mappings</h2>\n"
	    "<p>Summed by name over every process (as <code>libs</code>"
	    " shows them), by PSS, in the latest snapshot of each host.</p>\n");
	for (i = 0; i < n; i++)
		if (largest_mappings(r, snaps[i]) < 0)
			return -1;
	if (!n)
		put(r, "<p class=none>No snapshots.</p>\n");
	put(r, "</section>\n");
	return 0;
}

/* ---- leak suspects --------------------------------------------------- */

/* The suspect's field over time (the points it was judged on) and,
 * dashed, the trend fitted to its judged segment. */
static void growth_chart(struct report *r, const struct growth *g,
			 const struct growth_suspect *x)
{
	size_t n = growth_points(g, x, NULL, NULL, 0), k;
	int64_t *t = xcalloc(n + 1, sizeof(*t)), *v = xcalloc(n + 1, sizeof(*v));
	struct chart_point *pv = xcalloc(n + 2, sizeof(*pv)), *fit = pv + n;
	struct chart_series sv[2] = { { NULL, pv, n, 0, NULL },
				       { "trend", fit, 2, 1, NULL } };
	struct chart_opts o = { NULL, NULL, 760, 260, 1,
				!series_field_is_size(x->field) };
	char title[160];

	growth_points(g, x, t, v, n);
	snprintf(title, sizeof(title), "pid %lld: %s over %zu snapshots",
		 (long long)x->s->pid, series_field_name(x->field),
		 x->s->npoints);
	o.title = title;
	sv[0].name = series_field_name(x->field);
	for (k = 0; k < n; k++) {
		pv[k].time_us = t[k];
		pv[k].kb = v[k] == SERIES_UNKNOWN ? CHART_GAP : v[k];
	}
	if (n) {	/* the fit is a line: its two ends draw it */
		fit[0].time_us = t[x->tr.first];
		fit[0].kb = x->from;
		fit[1].time_us = t[n - 1];
		fit[1].kb = growth_round(x->tr.from + x->tr.slope *
			((double)t[n - 1] - (double)t[x->tr.first]));
	}
	put(r, "<figure>");
	chart_svg(r->out, &o, sv, 2);
	put(r, "</figure>\n");
	free(pv);
	free(t);
	free(v);
}

/* A value of the suspect's field: a size, or a count. */
static void put_value(struct report *r, const struct growth_suspect *x,
		      int64_t v)
{
	if (series_field_is_size(x->field))
		put_kb_value(r, v);
	else
		fprintf(r->out, "%lld", (long long)v);
}

/* "3d 04h": the time until MemAvailable is gone at the suspect's rate. */
static void put_left(struct report *r, double hours)
{
	if (hours >= 48)
		fprintf(r->out, "%.0f days", hours / 24);
	else if (hours >= 2)
		fprintf(r->out, "%.0f hours", hours);
	else
		fprintf(r->out, "%.0f minutes", hours * 60);
}

static void suspect_summary(struct report *r, const struct growth_suspect *x)
{
	fprintf(r->out, "<p>%s grows by <b>", series_field_name(x->field));
	put_value(r, x, growth_round(x->per_hour));
	fprintf(r->out, " per hour</b> (confidence %.2f %%): from ",
		floor(x->tr.confidence * 10000) / 100);
	put_value(r, x, x->from);
	put(r, " to ");
	put_value(r, x, x->to);
	put(r, " between ");
	put_time(r, x->first_us);
	put(r, " and ");
	put_time(r, x->last_us);
	fprintf(r->out, " (%zu snapshots)", x->snapshots);
	if (x->hours_left >= 0) {
		put(r, "; at this rate the host's MemAvailable (");
		put_kb_value(r, x->available);
		put(r, ") is gone in ");
		put_left(r, x->hours_left);
	}
	put(r, ".</p>\n");
}

/* The regions the suspect grows in, with their parts. */
static void suspect_regions(struct report *r, const struct growth *g,
			    const struct growth_suspect *x)
{
	static const char *const cols[] = { "mapping", "perms", "from", "to",
		"part of the growth", "share", "mappings", NULL };
	struct growth_regions rv = { 0 };
	size_t i;

	if (x->field == SERIES_THREADS)
		return;
	if (growth_regions_find(r->st, g, x, &rv) < 0)
		r->bad = 1;
	if (!rv.n) {
		put(r, "<p class=none>No stored smaps text tells where.</p>\n");
		return;
	}
	head(r, cols);
	for (i = 0; i < rv.n; i++) {
		const struct growth_region *e = &rv.v[i];

		put(r, "<tr class=up><td class=cmd>");
		text(r, e->name, 0);
		put(r, "</td>");
		cell_text(r, e->perms, 0);
		put(r, "<td class=n>");
		put_value(r, x, e->from);
		put(r, "</td><td class=n>");
		put_value(r, x, e->to);
		put(r, "</td><td class=\"n d\">");
		put_value(r, x, e->growth);
		fprintf(r->out, "</td><td class=n>%.0f %%</td>"
			"<td class=n>%lld &#8594; %lld</td></tr>\n",
			e->share * 100, (long long)e->maps_from,
			(long long)e->maps_to);
	}
	put(r, "</tbody></table>\n");
	growth_regions_release(&rv);
}

static void suspect(struct report *r, const struct growth *g,
		    const struct growth_suspect *x)
{
	fprintf(r->out, "<h3>%lld ", (long long)x->s->pid);
	text(r, x->s->command, 200);
	put(r, " <small>on ");
	text(r, x->s->host, 0);
	put(r, "</small></h3>\n");
	suspect_summary(r, x);
	growth_chart(r, g, x);
	suspect_regions(r, g, x);
}

static int section_growth(struct report *r)
{
	struct filters f = { 0 };
	struct growth g;
	size_t i, shown;
	int sizes;

	f.host = r->host;
	put(r, "<section id=\"growth\">\n<h2>Leak suspects</h2>\n");
	fprintf(r->out, "<p>Processes whose memory that only a free or an exit"
		" gives back (anonymous and swapped), whose threads or whose"
		" mappings grow as a leak does: a rising trend at %.4g %%"
		" confidence that is not a warm-up levelling off nor a load"
		" or a cache that comes and goes, as"
		" <code>mapsnap-analyze growth -r</code> lists them: sizes, then"
		" threads and mappings, each fastest first. The dashed"
		" line is the fitted trend.</p>\n", r->growth.confidence * 100);
	if (growth_find(&g, r->st, &f, &r->growth) < 0) {
		growth_release(&g);
		return -1;
	}
	/* as growth -r lists them: the sizes, then the counts, each
	 * fastest first */
	for (sizes = 1, shown = 0; sizes >= 0; sizes--)
		for (i = 0; i < g.n && shown < (size_t)r->top; i++)
			if (series_field_is_size(g.v[i].field) == sizes) {
				suspect(r, &g, &g.v[i]);
				shown++;
			}
	if (!g.n)
		put(r, "<p class=none>No process grows as a leak does.</p>\n");
	else if (g.n > (size_t)r->top)
		fprintf(r->out, "<p class=none>%zu more: <code>mapsnap-analyze"
			" growth</code> lists them all.</p>\n",
			g.n - (size_t)r->top);
	put(r, "</section>\n");
	growth_release(&g);
	return 0;
}

/* ---- containers ------------------------------------------------------ */

static int section_containers(struct report *r, const int64_t *snaps,
			      size_t n)
{
	size_t i;

	put(r, "<section id=\"containers\">\n<h2>Containers</h2>\n"
	    "<p>The memory cgroups that hold captured processes (containers,"
	    " pods, services, scopes, and the slices above them), as"
	    " <code>cgroups --tree</code> shows them: the charge is the"
	    " kernel's (page cache and kernel memory included), PSS is their"
	    " processes' share. In the latest snapshot of each host; a"
	    " size's tooltip has its exact figure.</p>\n");
	for (i = 0; i < n; i++)
		if (snapshot_heading(r, snaps[i]) < 0 ||
		    cgreport_write(r->out, r->st, snaps[i], (size_t)r->top) < 0)
			return -1;
	if (!n)
		put(r, "<p class=none>No snapshots.</p>\n");
	put(r, "</section>\n");
	return 0;
}

/* ---- the command ----------------------------------------------------- */

static int write_report(struct report *r)
{
	int64_t *snaps;
	size_t n;
	int ret = -1;

	page_start(r);
	snaps = latest_snapshots(r, &n);
	if (section_hosts(r) == 0 && section_top(r, snaps, n) == 0 &&
	    section_kinds(r, snaps, n) == 0 && section_growth(r) == 0 &&
	    section_mappings(r, snaps, n) == 0 &&
	    section_containers(r, snaps, n) == 0)
		ret = 0;
	put(r, "</body>\n</html>\n");
	free(snaps);
	return ret;
}

static int parse_long(const char *opt, const char *arg, long min, long *v)
{
	uint64_t n;

	if (parse_u64_str(arg, &n) < 0 || n > 1000000 || (long)n < min)
		return usage_error("bad %s '%s'", opt, arg);
	*v = (long)n;
	return 0;
}

static int run_report(int argc, char **argv, const struct out_opts *out)
{
	enum { OPT_HTML = 300, OPT_TOP, OPT_CONFIDENCE, OPT_MIN_GROWTH };
	static const struct option opts[] = {
		{ "html", required_argument, NULL, OPT_HTML },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
		{ "min-growth", required_argument, NULL, OPT_MIN_GROWTH },
		{ "host", required_argument, NULL, OPT_HOST },
		HELP_OPTION, { NULL, 0, NULL, 0 }
	};
	struct report r = { .top = REPORT_TOP, .growth = { SERIES_MEM, 1,
		GROWTH_CONFIDENCE, 0 } };
	const char *html = NULL;
	struct store st;
	struct outfile of = { .fd = -1, .dirfd = -1 };
	int c, ret;

	(void)out;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HTML:
			html = optarg;
			break;
		case OPT_TOP:
			if (parse_long("--top", optarg, 1, &r.top) != 0)
				return 2;
			break;
		case OPT_CONFIDENCE:
			if (growth_confidence_arg(optarg, &r.growth) != 0)
				return 2;
			break;
		case OPT_MIN_GROWTH:
			if (growth_min_arg(optarg, &r.growth) != 0)
				return 2;
			break;
		case OPT_HOST:
			r.host = optarg;
			break;
		case OPT_HELP:
			return command_help(&cmd_report);
		default:
			return usage_error("see 'report --help'");
		}
	}
	if (argc - optind != 1)
		return usage_error("report takes one FILE");
	if (!html)
		return usage_error("report needs --html OUT");
	r.file = argv[optind];
	if (store_open(&st, r.file, STORE_READ) < 0)
		return 1;
	r.st = &st;
	if (host_check(&st, r.host) < 0) {
		ret = 1;
		goto out;
	}
	/* written beside OUT and renamed: never half a page under its name */
	if (!(r.out = outfile_fopen(&of, html))) {
		ret = 1;
		goto out;
	}
	ret = write_report(&r) < 0;
	if (outfile_fclose(&of, r.out, !ret) < 0)
		ret = 1;
	else if (!ret)
		ret = r.bad;
out:
	outfile_release(&of);
	store_close(&st);
	return ret ? 1 : 0;
}

const struct command cmd_report = {
	"report", "report FILE --html OUT [--host NAME] [--top N]"
	" [--confidence PCT] [--min-growth N]",
	run_report, 0, OUTPUT_NONE,
};
