/* cgreport.c - the containers section of cgreport.h: a table from
 * cgview, a chart from each snapshot's cgroups rows of the same host. */
#include "cgreport.h"
#include "bars.h"
#include "cgview.h"
#include "chart.h"
#include "memcg.h"
#include "namecut.h"
#include "rows.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CHART_MAX 8	/* lines in the chart of charges */

/* Bytes as a size cell, the exact KiB in its tooltip; "-" unknown. */
static void put_bytes(FILE *out, int64_t v)
{
	char s[32];

	if (v == FIG_UNKNOWN) {
		fputs("<td class=n>-</td>", out);
		return;
	}
	bars_size(s, sizeof(s), v / 1024);
	fprintf(out, "<td class=n title=\"%lld KiB\">%s</td>",
		(long long)(v / 1024), s);
}

/* kB as a size cell, the exact figure in its tooltip; "-" unknown. */
static void put_kb(FILE *out, int64_t kb)
{
	put_bytes(out, kb == FIG_UNKNOWN ? FIG_UNKNOWN : kb * 1024);
}

static void put_count(FILE *out, int64_t v)
{
	if (v == FIG_UNKNOWN)
		fputs("<td class=n>-</td>", out);
	else
		fprintf(out, "<td class=n>%lld</td>", (long long)v);
}

/* The names of the processes right in c: "a, b, c". */
static void put_comms(FILE *out, const struct cgnode *c)
{
	const char *p = c->comms ? c->comms : "", *nl;

	fputs("<td>", out);
	for (; (nl = strchr(p, '\n')); p = nl + 1) {
		char *one = xmemdup(p, (size_t)(nl - p));

		chart_put_xml(out, one, 0);
		fputs(nl[1] ? ", " : "", out);
		free(one);
	}
	fputs("</td>", out);
}

/* The last component of a cgroup's path ("/" for the root), cut to n
 * characters (caller frees). */
static char *short_name(const char *path, size_t n)
{
	const char *slash = strrchr(path, '/');

	return name_cut(slash && slash[1] ? slash + 1 : path, n, "\u2026", 1);
}

/* A row: the name indented by its depth, the whole path its tooltip. */
static void put_row(FILE *out, const struct cgnode *c)
{
	char *name = short_name(c->path, 40);

	fprintf(out, "<tr><td class=cmd style=\"padding-left:%.1fem\" title=\"",
		0.5 + 1.2 * c->depth);
	chart_put_xml(out, c->path, 0);
	fputs("\">", out);
	chart_put_xml(out, name, 0);
	fputs("</td>", out);
	free(name);
	put_bytes(out, c->current);
	if (c->limit >= MEMCG_NO_LIMIT)
		fputs("<td class=n>none</td><td class=n>-</td>", out);
	else {
		put_bytes(out, c->limit);
		put_bytes(out, c->headroom < MEMCG_NO_LIMIT ? c->headroom
			  : FIG_UNKNOWN);
	}
	put_bytes(out, c->anon);
	put_bytes(out, c->file);
	put_bytes(out, c->kernel);
	put_count(out, c->oom_kill);
	put_count(out, c->procs);
	put_kb(out, c->pss);
	put_comms(out, c);
	fputs("</tr>\n", out);
}

static void put_table(FILE *out, const struct cgview *cv)
{
	static const char *const cols[] = { "cgroup", "charge", "limit",
		"headroom", "anon", "file", "kernel", "oom kills", "processes",
		"their pss", "commands", NULL };
	const char *const *c;
	size_t i;

	fputs("<table class=cgroups><thead><tr>", out);
	for (c = cols; *c; c++)
		fprintf(out, "<th>%s</th>", *c);
	fputs("</tr></thead><tbody>\n", out);
	for (i = 0; i < cv->n; i++)
		if (cv->v[i].procs > 0)
			put_row(out, &cv->v[i]);
	fputs("</tbody></table>\n", out);
}

/* The cgroups to chart: those that hold processes, have figures, and
 * have no child that holds any; the largest first, at most max. Their
 * indexes into cv in *out (caller frees); returns how many. */
static size_t chart_leaves(const struct cgview *cv, size_t max, size_t **out,
			   size_t *of)
{
	unsigned char *inner = xcalloc(cv->n + 1, 1);
	size_t *v = xcalloc(cv->n + 1, sizeof(*v)), n = 0, i, j, t;

	for (i = 0; i < cv->n; i++)
		if (cv->v[i].procs > 0 && cv->v[i].parent >= 0)
			inner[cv->v[i].parent] = 1;
	for (i = 0; i < cv->n; i++)
		if (cv->v[i].procs > 0 && !inner[i] && cv->v[i].stored &&
		    cv->v[i].current != FIG_UNKNOWN)
			v[n++] = i;
	for (i = 1; i < n; i++)	/* insertion sort, largest charge first */
		for (j = i; j > 0 && cv->v[v[j]].current > cv->v[v[j - 1]].current; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	free(inner);
	*of = n;
	*out = v;
	return n < max ? n : max;
}

/* The snapshots of snap's host, oldest first: ids and times (caller
 * frees both). Returns how many, or -1 (printed). */
static long host_snapshots(struct store *st, int64_t snap, int64_t **ids,
			   int64_t **times)
{
	struct snapshot_iter it;
	struct snapshot_query q = { 0 };
	char *host = NULL;
	long n = 0;
	int rc = snapshot_get(&it, st, snap);

	if (rc == 0)
		host = xstrdup(it.row.hostname);
	snapshot_iter_release(&it);
	*ids = *times = NULL;
	if (rc < 0)
		return -1;
	q.host = host;
	if (snapshot_iter_start(&it, st, &q) == 0)
		while ((rc = snapshot_iter_next(&it)) > 0) {
			*ids = xreallocarray(*ids, (size_t)n + 1, sizeof(**ids));
			*times = xreallocarray(*times, (size_t)n + 1, sizeof(**times));
			(*ids)[n] = it.row.id;
			(*times)[n++] = it.row.time_us;
		}
	snapshot_iter_release(&it);
	free(host);
	return rc < 0 ? -1 : n;
}

/* The charge (kB) of the chosen cgroups in snapshot id, into pts at
 * column j of rows of nsnap points. 1 when it has cgroup rows, 0 when
 * not, -1 (printed). */
static int charges_at(struct store *st, int64_t id, const struct cgview *cv,
		      const size_t *pick, size_t k, struct chart_point *pts,
		      size_t j, size_t nsnap)
{
	struct cgroup_iter ci;
	size_t i;
	int rc, any = 0;

	if (cgroup_iter_start(&ci, st, id) == 0)
		while ((rc = cgroup_iter_next(&ci)) > 0) {
			any = 1;
			for (i = 0; i < k; i++)
				if (!strcmp(ci.row.path, cv->v[pick[i]].path) &&
				    !strcmp(ci.row.hierarchy, cv->v[pick[i]].v1
					    ? "v1" : "v2") &&
				    ci.row.current != FIG_UNKNOWN)
					pts[i * nsnap + j].kb = ci.row.current / 1024;
		}
	else
		rc = -1;
	cgroup_iter_release(&ci);
	return rc < 0 ? -1 : any;
}

/* The chart of the charges of cv's pick[0..k) over the snapshots of
 * snap's host, when at least two of them have cgroup rows. */
static int charge_chart(FILE *out, struct store *st, int64_t snap,
			const struct cgview *cv, const size_t *pick, size_t k,
			size_t of)
{
	int64_t *ids, *times;
	long nsnap = host_snapshots(st, snap, &ids, &times);
	struct chart_point *pts;
	struct chart_series *cs = xcalloc(k + 1, sizeof(*cs));
	struct chart_opts o = { NULL, "charge", 760, 300, 1, 0 };
	char title[160];
	size_t i, j, with = 0;
	int r = 0;

	pts = xcalloc(nsnap > 0 ? (size_t)nsnap * k + 1 : 1, sizeof(*pts));
	for (j = 0; nsnap > 0 && j < (size_t)nsnap && r >= 0; j++) {
		for (i = 0; i < k; i++) {
			pts[i * (size_t)nsnap + j].time_us = times[j];
			pts[i * (size_t)nsnap + j].kb = CHART_GAP;
		}
		r = charges_at(st, ids[j], cv, pick, k, pts, j, (size_t)nsnap);
		with += r > 0;
	}
	if (nsnap >= 0 && r >= 0 && with >= 2) {
		for (i = 0; i < k; i++) {
			cs[i].name = short_name(cv->v[pick[i]].path,
						CHART_LEGEND_CHARS);
			cs[i].tip = cv->v[pick[i]].path;
			cs[i].points = pts + i * (size_t)nsnap;
			cs[i].npoints = (size_t)nsnap;
		}
		snprintf(title, sizeof(title), "Charge of the %zu cgroups"
			 " that hold processes", k);
		if (of > k)
			snprintf(title, sizeof(title), "Charge of the %zu largest"
				 " of %zu cgroups that hold processes (%zu left"
				 " out)", k, of, of - k);
		o.title = title;
		fputs("<figure class=charges>", out);
		chart_svg(out, &o, cs, k);
		fputs("</figure>\n", out);
	}
	for (i = 0; i < k; i++)
		free((char *)cs[i].name);
	free(cs);
	free(pts);
	free(ids);
	free(times);
	return nsnap < 0 || r < 0 ? -1 : 0;
}

/* Does any cgroup of cv have stored figures? */
static int has_figures(const struct cgview *cv)
{
	size_t i;

	for (i = 0; i < cv->n; i++)
		if (cv->v[i].stored)
			return 1;
	return 0;
}

int cgreport_write(FILE *out, struct store *st, int64_t snap, size_t top)
{
	struct cgview cv;
	size_t *pick = NULL, k, of;
	int r = cgview_load(&cv, st, snap, NULL);

	if (r == 0 && !has_figures(&cv)) {
		fputs("<p class=none>No cgroup figures in this snapshot: a file"
		      " of format 1.0, or a frozen tree captured without"
		      " --sys.</p>\n", out);
	} else if (r == 0) {
		put_table(out, &cv);
		k = chart_leaves(&cv, top < CHART_MAX ? top : CHART_MAX, &pick, &of);
		if (k)
			r = charge_chart(out, st, snap, &cv, pick, k, of);
	}
	free(pick);
	cgview_release(&cv);
	return r;
}
