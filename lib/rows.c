/* rows.c - rows in and out of a mapsnap file: one list of columns per
 * table, from which both the INSERT and every reader's SELECT are made. */
#include "rows.h"
#include "blob.h"
#include "util.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How a column maps to a field. Readers get NULL as the field's unknown
 * value, mapped in SQL (ifnull) where sqlite3_column_* would not read it
 * so, so that every column costs one sqlite3_column_* call: with 200,000
 * rows, each counts.
 */
enum col_type {
	T_INT,		/* int64_t; NULL reads as dflt */
	T_FIG,		/* int64_t; NULL reads as FIG_UNKNOWN */
	T_TEXT,		/* const char *; NULL stays NULL */
	T_TEXT0,	/* const char *; NULL reads (and is written) as "" */
	T_BYTES,	/* const char * and the size_t at len_off */
	T_KIND,		/* enum text_kind, stored as its name */
	T_REAL,		/* double; NULL reads as -1 */
};

enum {
	F_NULL_DFLT = 1,	/* dflt (or FIG_UNKNOWN) is written as NULL */
	F_READ_ONLY = 2,	/* not written by the table's writer */
};

struct rows_col {
	const char *table, *alias;	/* the table, as the SELECT names it */
	const char *name;
	enum col_type type;
	unsigned group;			/* PROC_* of processes; 0: always */
	int fig;			/* a figure's enum proc_fig, or -1 */
	size_t off, len_off;		/* the field (and a T_BYTES length) */
	int64_t dflt;			/* T_INT: what NULL reads as */
	unsigned flags;
};

#define PCOL(name, type, group, field, dflt, flags) \
	{ "processes", "p", name, type, group, -1, \
	  offsetof(struct process_row, field), 0, dflt, flags }
#define PFIG(name, which, flags) \
	{ "processes", "p", name, T_FIG, PROC_FIGS, which, \
	  offsetof(struct process_row, fig[which]), 0, 0, flags }

static const struct rows_col process_cols[] = {
	PCOL("snapshot_id", T_INT, 0, snapshot_id, 0, 0),
	PCOL("pid", T_INT, 0, pid, 0, 0),
	PCOL("ppid", T_INT, PROC_CONTEXT, ppid, 0, 0),
	PCOL("start_time", T_INT, 0, start_time, 0, 0),
	PCOL("uid", T_INT, PROC_NAMES, uid, -1, F_NULL_DFLT),
	PCOL("user", T_TEXT, PROC_NAMES, user, 0, 0),
	PCOL("comm", T_TEXT0, PROC_NAMES, comm, 0, 0),
	{ "processes", "p", "cmdline", T_BYTES, PROC_NAMES, -1,
	  offsetof(struct process_row, cmdline),
	  offsetof(struct process_row, cmdline_len), 0, 0 },
	PCOL("exe", T_TEXT, PROC_CONTEXT, exe, 0, 0),
	PFIG("threads", FIG_THREADS, F_NULL_DFLT),
	PCOL("stat_blob", T_INT, PROC_BLOBS, stat_blob, 0, F_NULL_DFLT),
	PCOL("status_blob", T_INT, PROC_BLOBS, status_blob, 0, F_NULL_DFLT),
	PCOL("text_blob", T_INT, PROC_TEXT, text_blob, 0, F_NULL_DFLT),
	PCOL("text_kind", T_KIND, PROC_TEXT, kind, 0, 0),
	PCOL("rollup_blob", T_INT, PROC_BLOBS, rollup_blob, 0, F_NULL_DFLT),
	PFIG("nmaps", FIG_MAPS, 0),
	PFIG("size_kb", FIG_VSS, 0),
	PFIG("rss_kb", FIG_RSS, F_NULL_DFLT),
	PFIG("pss_kb", FIG_PSS, F_NULL_DFLT),
	PFIG("uss_kb", FIG_USS, F_NULL_DFLT),
	PFIG("shared_kb", FIG_SHARED, F_NULL_DFLT),
	PFIG("swap_kb", FIG_SWAP, F_NULL_DFLT),
	PFIG("swap_pss_kb", FIG_SWAP_PSS, F_NULL_DFLT),
	PFIG("anon_kb", FIG_ANON, F_NULL_DFLT),
	PFIG("locked_kb", FIG_LOCKED, F_NULL_DFLT),
	PCOL("text_reused", T_INT, PROC_TEXT, text_reused, -1, F_NULL_DFLT),
	PCOL("cgroup", T_TEXT, PROC_CGROUP, cgroup, 0, 0),
	PCOL("cgroup_memory", T_TEXT, PROC_CGROUP, cgroup_memory, 0, 0),
	PCOL("unit", T_TEXT, PROC_CGROUP, unit, 0, 0),
	PCOL("slice", T_TEXT, PROC_CGROUP, slice, 0, 0),
	PCOL("container_runtime", T_TEXT, PROC_CGROUP, container_runtime, 0, 0),
	PCOL("container_id", T_TEXT, PROC_CGROUP, container_id, 0, 0),
	PCOL("pod_uid", T_TEXT, PROC_CGROUP, pod_uid, 0, 0),
	PCOL("container_name", T_TEXT, PROC_CGROUP, container_name, 0, 0),
	PCOL("nspid", T_INT, PROC_CGROUP, nspid, FIG_UNKNOWN, F_NULL_DFLT),
	PCOL("pidns", T_INT, PROC_CGROUP, pidns, FIG_UNKNOWN, F_NULL_DFLT),
	PCOL("oom_score_adj", T_INT, PROC_CGROUP, oom_score_adj, FIG_UNKNOWN,
	     F_NULL_DFLT),
};
#define NPROCESS_COLS (sizeof(process_cols) / sizeof(process_cols[0]))

#define SCOL(name, type, field, dflt, flags) \
	{ "snapshots", "s", name, type, 0, -1, \
	  offsetof(struct snapshot_row, field), 0, dflt, flags }

static const struct rows_col snapshot_cols[] = {
	SCOL("id", T_INT, id, 0, F_READ_ONLY),
	SCOL("uuid", T_TEXT0, uuid, 0, 0),
	SCOL("host_id", T_INT, host_id, 0, 0),
	{ "hosts", "h", "hostname", T_TEXT0, 0, -1,
	  offsetof(struct snapshot_row, hostname), 0, 0, F_READ_ONLY },
	{ "hosts", "h", "machine_id", T_TEXT0, 0, -1,
	  offsetof(struct snapshot_row, machine_id), 0, 0, F_READ_ONLY },
	SCOL("boot_id", T_TEXT0, boot_id, 0, 0),
	SCOL("kernel", T_TEXT0, kernel, 0, 0),
	SCOL("arch", T_TEXT0, arch, 0, 0),
	SCOL("page_size", T_INT, page_size, 0, 0),
	SCOL("time_us", T_INT, time_us, 0, 0),
	SCOL("uptime", T_REAL, uptime, 0, 0),
	SCOL("label", T_TEXT, label, 0, 0),
	SCOL("tool_version", T_TEXT0, tool_version, 0, 0),
	SCOL("options", T_TEXT0, options, 0, 0),
	SCOL("source", T_KIND, source, 0, 0),
	SCOL("meminfo_blob", T_INT, meminfo_blob, 0, F_NULL_DFLT),
	SCOL("procs_seen", T_INT, seen, 0, 0),
	SCOL("procs_captured", T_INT, captured, 0, 0),
	SCOL("procs_skipped", T_INT, skipped, 0, 0),
	SCOL("bytes_read", T_INT, bytes_read, 0, 0),
};
#define NSNAPSHOT_COLS (sizeof(snapshot_cols) / sizeof(snapshot_cols[0]))

/* skipped_pids, written with the snapshot id at ?1 */
#define KCOL(name, type, field) \
	{ "skipped_pids", "k", name, type, 0, -1, \
	  offsetof(struct skipped_row, field), 0, 0, 0 }

static const struct rows_col skipped_cols[] = {
	KCOL("pid", T_INT, pid),
	KCOL("reason", T_TEXT0, reason),
	KCOL("comm", T_TEXT, comm),
};
#define NSKIPPED_COLS (sizeof(skipped_cols) / sizeof(skipped_cols[0]))
#define CCOL(name, type, field, flags) \
	{ "cgroups", "c", name, type, 0, -1, \
	  offsetof(struct cgroup_row, field), 0, 0, flags }

static const struct rows_col cgroup_cols[] = {
	CCOL("snapshot_id", T_INT, snapshot_id, 0),
	CCOL("hierarchy", T_TEXT0, hierarchy, 0),
	CCOL("path", T_TEXT0, path, 0),
	CCOL("current_bytes", T_FIG, current, F_NULL_DFLT),
	CCOL("max_bytes", T_FIG, max, F_NULL_DFLT),
	CCOL("high_bytes", T_FIG, high, F_NULL_DFLT),
	CCOL("swap_bytes", T_FIG, swap, F_NULL_DFLT),
	CCOL("anon_bytes", T_FIG, anon, F_NULL_DFLT),
	CCOL("file_bytes", T_FIG, file, F_NULL_DFLT),
	CCOL("kernel_bytes", T_FIG, kernel, F_NULL_DFLT),
	CCOL("sock_bytes", T_FIG, sock, F_NULL_DFLT),
	CCOL("oom", T_FIG, oom, F_NULL_DFLT),
	CCOL("oom_kill", T_FIG, oom_kill, F_NULL_DFLT),
	CCOL("memory_stat_blob", T_INT, stat_blob, F_NULL_DFLT),
	CCOL("memory_events_blob", T_INT, events_blob, F_NULL_DFLT),
};
#define NCGROUP_COLS (sizeof(cgroup_cols) / sizeof(cgroup_cols[0]))

static const char *const kind_names[] = { "maps", "smaps", "rollup" };

const char *text_kind_name(enum text_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "maps";
}

void process_row_init(struct process_row *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->uid = -1;
	p->text_reused = -1;
	for (i = 0; i < NFIGS; i++)
		p->fig[i] = FIG_UNKNOWN;
	p->nspid = p->pidns = p->oom_score_adj = FIG_UNKNOWN;
}

void cgroup_row_init(struct cgroup_row *c)
{
	memset(c, 0, sizeof(*c));
	c->current = c->max = c->high = c->swap = FIG_UNKNOWN;
	c->anon = c->file = c->kernel = c->sock = FIG_UNKNOWN;
	c->oom = c->oom_kill = FIG_UNKNOWN;
}

const char *process_memcg(const struct process_row *p, int *v1)
{
	*v1 = p->cgroup_memory != NULL;
	return p->cgroup_memory ? p->cgroup_memory : p->cgroup;
}

/* Are s[0..n) exactly a token of `redact` (a prefix, REDACT_HEX digits)? */
static int is_redacted(const char *s, size_t n)
{
	static const char *const prefix[] = { REDACT_PREFIX, REDACT_PATH_PREFIX };
	size_t i, k;

	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		k = strlen(prefix[i]);
		if (n == k + REDACT_HEX && !memcmp(s, prefix[i], k))
			break;
	}
	if (i == sizeof(prefix) / sizeof(prefix[0]))
		return 0;
	for (; k < n; k++)	/* s may not end in a NUL */
		if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f')))
			return 0;
	return 1;
}

const char *cmdline_show(struct buf *b, const char *cmdline, size_t len,
			 const char *comm)
{
	const char *nul;
	size_t i, at;

	buf_reset(b);
	if (len && cmdline[len - 1] == '\0')
		len--;
	nul = len ? memchr(cmdline, '\0', len) : NULL;
	if (len && comm && is_redacted(cmdline, nul ? (size_t)(nul - cmdline) : len) &&
	    !is_redacted(comm, strlen(comm)))
		buf_addf(b, "[%s] ", comm);
	at = b->len;
	if (!len)
		buf_addf(b, "[%s]", comm);
	else if (buf_add(b, cmdline, len) == 0)
		for (i = at; i < at + len; i++)
			if (b->data[i] == '\0')
				b->data[i] = ' ';
	return b->data ? b->data : "";
}

/* Writing. */

/* Bind text, or NULL when the pointer is NULL. */
static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Bind field c of row to ?i of st. */
static void bind_col(sqlite3_stmt *st, int i, const struct rows_col *c,
		     const void *row)
{
	const char *f = (const char *)row + c->off;
	int64_t v;

	switch (c->type) {
	case T_INT:
	case T_FIG:
		memcpy(&v, f, sizeof(v));
		if ((c->flags & F_NULL_DFLT) &&
		    v == (c->type == T_FIG ? FIG_UNKNOWN : c->dflt))
			sqlite3_bind_null(st, i);
		else	/* a NOT NULL figure the text could not tell is 0 */
			sqlite3_bind_int64(st, i, v == FIG_UNKNOWN &&
					   c->type == T_FIG ? 0 : v);
		return;
	case T_TEXT:
	case T_TEXT0: {
		const char *s;

		memcpy(&s, f, sizeof(s));
		if (!s && c->type == T_TEXT)
			sqlite3_bind_null(st, i);
		else
			sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
		return;
	}
	case T_BYTES: {
		const char *s;
		size_t n;

		memcpy(&s, f, sizeof(s));
		memcpy(&n, (const char *)row + c->len_off, sizeof(n));
		if (s)
			sqlite3_bind_blob64(st, i, s, n, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, i);
		return;
	}
	case T_KIND: {
		enum text_kind k;

		memcpy(&k, f, sizeof(k));
		sqlite3_bind_text(st, i, text_kind_name(k), -1, SQLITE_STATIC);
		return;
	}
	case T_REAL: {
		double d;

		memcpy(&d, f, sizeof(d));
		if (d < 0)
			sqlite3_bind_null(st, i);
		else
			sqlite3_bind_double(st, i, d);
		return;
	}
	}
}

/* "INSERT INTO table (cols) VALUES (?1, ...)" for the written columns
 * of cols[n] in `table`. sqlite3_free() it; NULL when out of memory. */
static char *insert_sql(const char *table, const struct rows_col *cols,
			size_t n)
{
	struct buf names = BUF_INIT(1 << 16), vals = BUF_INIT(1 << 16);
	char *sql;
	size_t i;
	int k = 0;

	for (i = 0; i < n; i++) {
		if ((cols[i].flags & F_READ_ONLY) || strcmp(cols[i].table, table))
			continue;
		buf_addf(&names, "%s\"%s\"", k ? ", " : "", cols[i].name);
		buf_addf(&vals, "%s?%d", k ? ", " : "", k + 1);
		k++;
	}
	sql = sqlite3_mprintf("INSERT INTO \"%w\" (%s) VALUES (%s)", table,
			      names.data, vals.data);
	buf_release(&names);
	buf_release(&vals);
	return sql;
}

/* Insert row through *st (prepared on first use from cols). 0 or -1. */
static int insert_row(struct store *s, sqlite3_stmt **st, const char *table,
		      const struct rows_col *cols, size_t n, const void *row)
{
	size_t i;
	int k = 0, rc;

	if (!*st) {
		char *sql = insert_sql(table, cols, n);

		rc = sql ? store_prepare(s, st, sql) : error("out of memory");
		sqlite3_free(sql);
		if (rc < 0)
			return -1;
	}
	for (i = 0; i < n; i++)
		if (!(cols[i].flags & F_READ_ONLY) && !strcmp(cols[i].table, table))
			bind_col(*st, ++k, &cols[i], row);
	rc = sqlite3_step(*st);
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
	if (rc != SQLITE_DONE)
		return store_error(s, table[0] == 'p' ? "add a process to"
				   : table[0] == 'c' ? "add a cgroup to"
				   : "add a snapshot to");
	return 0;
}

int store_cgroup_add(struct store *s, int64_t snapshot_id,
		     const struct cgroup_row *c)
{
	struct cgroup_row row = *c;

	row.snapshot_id = snapshot_id;
	return insert_row(s, &s->cgroup_insert, "cgroups", cgroup_cols,
			  NCGROUP_COLS, &row);
}

int store_process_add(struct store *s, int64_t snapshot_id,
		      const struct process_row *p)
{
	struct process_row row = *p;

	row.snapshot_id = snapshot_id;
	return insert_row(s, &s->proc_insert, "processes", process_cols,
			  NPROCESS_COLS, &row);
}

int store_snapshot_add(struct store *s, const struct snapshot_row *r,
		       int64_t *id)
{
	struct snapshot_row row = *r;
	sqlite3_stmt *st = NULL;
	int ret;

	row.tool_version = MAPSNAP_VERSION;
	row.seen = row.captured = row.skipped = row.bytes_read = 0;
	ret = insert_row(s, &st, "snapshots", snapshot_cols, NSNAPSHOT_COLS,
			 &row);
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

int store_host(struct store *s, const char *hostname, const char *machine_id,
	       int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO hosts (hostname, machine_id) VALUES (?1, ?2)"
			       " ON CONFLICT DO UPDATE SET hostname = excluded.hostname"
			       " RETURNING id", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "add the host to");
	bind_text(st, 1, hostname);
	bind_text(st, 2, machine_id ? machine_id : "");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_error(s, "add the host to");
}

int store_snapshot_finish(struct store *s, int64_t id, int64_t seen,
			  int64_t captured, int64_t bytes_read,
			  const struct skip_count *skips, size_t nskips)
{
	sqlite3_stmt *up = NULL, *sk = NULL;
	int64_t skipped = 0;
	int ret = -1;
	size_t i;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO skips VALUES (?1, ?2, ?3)",
			       -1, &sk, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE snapshots SET procs_seen = ?2,"
			       " procs_captured = ?3, procs_skipped = ?4,"
			       " bytes_read = ?5 WHERE id = ?1", -1, &up,
			       NULL) != SQLITE_OK) {
		store_error(s, "finish a snapshot in");
		goto out;
	}
	for (i = 0; i < nskips; i++) {
		if (skips[i].count <= 0)
			continue;
		skipped += skips[i].count;
		sqlite3_bind_int64(sk, 1, id);
		bind_text(sk, 2, skips[i].reason);
		sqlite3_bind_int64(sk, 3, skips[i].count);
		if (store_step_done(s, sk, "count skips in") < 0)
			goto out;
	}
	sqlite3_bind_int64(up, 1, id);
	sqlite3_bind_int64(up, 2, seen);
	sqlite3_bind_int64(up, 3, captured);
	sqlite3_bind_int64(up, 4, skipped);
	sqlite3_bind_int64(up, 5, bytes_read);
	ret = store_step_done(s, up, "finish a snapshot in");
out:
	sqlite3_finalize(up);
	sqlite3_finalize(sk);
	return ret;
}

int store_skipped_add(struct store *s, int64_t id,
		      const struct skipped_row *rows, size_t n)
{
	sqlite3_stmt *st = NULL;
	size_t i, k;
	int rc = SQLITE_DONE;

	if (!n)
		return 0;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO skipped_pids (snapshot_id,"
			       " pid, reason, comm) VALUES (?1, ?2, ?3, ?4)", -1,
			       &st, NULL) != SQLITE_OK)
		return store_error(s, "record skipped processes in");
	for (i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(st, 1, id);
		for (k = 0; k < NSKIPPED_COLS; k++)
			bind_col(st, (int)k + 2, &skipped_cols[k], &rows[i]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0
		: store_error(s, "record skipped processes in");
}

int store_meminfo_add(struct store *s, int64_t snapshot_id, const char *text,
		      size_t len)
{
	const char *p = text, *end = text + len;
	sqlite3_stmt *st = NULL;
	int ret = 0;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meminfo"
			       " VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "store meminfo in");
	while (p < end && ret == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *colon, *v, *ve;
		uint64_t kb;

		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon) {
			for (v = colon + 1; v < eol && *v == ' '; v++)
				;
			for (ve = v; ve < eol && *ve >= '0' && *ve <= '9'; ve++)
				;
			if (parse_u64(v, (size_t)(ve - v), 10, &kb) == 0) {
				sqlite3_bind_int64(st, 1, snapshot_id);
				sqlite3_bind_text(st, 2, p, (int)(colon - p),
						  SQLITE_TRANSIENT);
				sqlite3_bind_int64(st, 3, (sqlite3_int64)kb);
				ret = store_step_done(s, st, "store meminfo in");
			}
		}
		p = nl ? nl + 1 : end;
	}
	sqlite3_finalize(st);
	return ret;
}

/* Delete the blobs no row refers to any more: every column named *_blob
 * holds a blob id (schema.sql). 0 or -1 (printed). */
static int drop_unused_blobs(struct store *s)
{
	char *sql = format_blob_refs(&s->format), *del;
	int ret;

	if (!sql)
		return error("out of memory");
	del = sqlite3_mprintf("DELETE FROM blobs WHERE id NOT IN (%s)", sql);
	ret = del ? store_exec(s, del, "drop unused blobs from")
		: error("out of memory");
	sqlite3_free(del);
	sqlite3_free(sql);
	return ret;
}

/* Delete the snapshots `sql` selects with `arg` bound to ?1, then the
 * blobs only they used; *removed counts them. 0 or -1 (printed). */
static int prune_where(struct store *s, const char *sql, int64_t arg,
		       int64_t *removed)
{
	sqlite3_stmt *st = NULL;
	int ret;

	*removed = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_error(s, "drop old snapshots from");
	sqlite3_bind_int64(st, 1, arg);
	ret = store_step_done(s, st, "drop old snapshots from");
	sqlite3_finalize(st);
	if (ret < 0)
		return -1;
	*removed = sqlite3_changes64(s->db);
	return *removed ? drop_unused_blobs(s) : 0;
}

int store_prune(struct store *s, int64_t keep, int64_t *removed)
{
	return prune_where(s, "DELETE FROM snapshots WHERE id NOT IN"
			   " (SELECT id FROM snapshots ORDER BY time_us DESC,"
			   " id DESC LIMIT ?1)", keep, removed);
}

int store_prune_before(struct store *s, int64_t before_us, int64_t *removed)
{
	/* the newest snapshot stays, even one from a clock set wrong */
	return prune_where(s, "DELETE FROM snapshots WHERE time_us < ?1 AND id"
			   " NOT IN (SELECT id FROM snapshots ORDER BY time_us"
			   " DESC, id DESC LIMIT 1)", before_us, removed);
}

/* The bytes of the pages in use (not on the freelist): what the file
 * would hold were it written again, and what it grows past. */
static int used_bytes(struct store *s, int64_t *bytes)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT (p.page_count - f.freelist_count)"
			       " * z.page_size FROM pragma_page_count AS p,"
			       " pragma_freelist_count AS f, pragma_page_size"
			       " AS z", -1, &q, NULL) != SQLITE_OK)
		return store_error(s, "measure");
	rc = sqlite3_step(q);
	*bytes = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : store_error(s, "measure");
}

int store_prune_size(struct store *s, int64_t max_bytes, int64_t *removed,
		     int64_t *used)
{
	int64_t n = 0;

	*removed = 0;
	for (;;) {
		if (used_bytes(s, used) < 0)
			return -1;
		if (*used <= max_bytes)
			return 0;
		/* the oldest, unless it is the last one left */
		if (prune_where(s, "DELETE FROM snapshots WHERE id = (SELECT id"
				" FROM snapshots ORDER BY time_us, id LIMIT 1)"
				" AND (SELECT count(*) FROM snapshots) > ?1", 1,
				&n) < 0)
			return -1;
		if (!n)
			return 0;
		*removed += n;
	}
}

/* Reading. */

/* Append how column c is selected: its value with NULL read as the
 * field's unknown, or that unknown alone when the file lacks it. */
static void select_col(struct buf *b, const struct store *st,
		       const struct rows_col *c)
{
	int has = format_has(&st->format, c->table, c->name);
	char col[96];

	snprintf(col, sizeof(col), "%s.\"%s\"", c->alias, c->name);
	switch (c->type) {
	case T_INT:	/* sqlite3_column_int64 reads NULL as 0 itself */
		if (has && !c->dflt)
			buf_addstr(b, col);
		else
			buf_addf(b, has ? "ifnull(%s, %lld)" : "%.0s%lld", col,
				 (long long)c->dflt);
		break;
	case T_FIG:
		buf_addf(b, has ? "ifnull(%s, -9223372036854775808)"
			 : "%.0s-9223372036854775808", col);
		break;
	case T_TEXT:
	case T_TEXT0:	/* fill_col reads its NULL as "" */
	case T_BYTES:
		buf_addstr(b, has ? col : "NULL");
		break;
	case T_KIND:
		buf_addf(b, has ? "CASE %s WHEN 'smaps' THEN 1 WHEN 'rollup'"
			 " THEN 2 ELSE 0 END" : "%.0s0", col);
		break;
	case T_REAL:
		buf_addf(b, has ? "ifnull(%s, -1.0)" : "%.0s-1.0", col);
		break;
	}
}

/* Fill the field of column c in row from column i of q. */
static void fill_col(void *row, const struct rows_col *c, sqlite3_stmt *q,
		     int i)
{
	char *f = (char *)row + c->off;
	const char *s;

	switch (c->type) {
	case T_INT:
	case T_FIG:
		*(int64_t *)(void *)f = sqlite3_column_int64(q, i);
		break;
	case T_TEXT:
	case T_TEXT0:
		s = (const char *)sqlite3_column_text(q, i);
		*(const char **)(void *)f = s || c->type == T_TEXT ? s : "";
		break;
	case T_BYTES:
		*(const void **)(void *)f = sqlite3_column_blob(q, i);
		*(size_t *)(void *)((char *)row + c->len_off) =
			(size_t)sqlite3_column_bytes(q, i);
		break;
	case T_KIND:
		*(enum text_kind *)(void *)f =
			(enum text_kind)sqlite3_column_int(q, i);
		break;
	case T_REAL:
		*(double *)(void *)f = sqlite3_column_double(q, i);
		break;
	}
}

/* Add the columns of cols[n] of `groups` and of the figures `figs` (a
 * column of group 0 is always taken) to the SELECT list b and to *out. */
static void select_cols(struct buf *b, const struct store *st,
			const struct rows_col *cols, size_t n, unsigned groups,
			unsigned figs, const struct rows_col ***out, int *nout)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (cols[i].group && !(cols[i].group & groups) &&
		    !(cols[i].fig >= 0 && (figs >> cols[i].fig & 1)))
			continue;
		if (*nout)
			buf_addstr(b, ", ");
		select_col(b, st, &cols[i]);
		*out = xreallocarray(*out, (size_t)*nout + 1, sizeof(**out));
		(*out)[(*nout)++] = &cols[i];
	}
}

/* Prepare `sql` (built in b) as it->q; 0 or -1 (printed). */
static int prepare_query(struct store *st, struct buf *b, sqlite3_stmt **q,
			 const char *what)
{
	int r = 0;

	if (!b->data || sqlite3_prepare_v2(st->db, b->data, -1, q, NULL) !=
	    SQLITE_OK)
		r = store_error(st, what);
	buf_release(b);
	return r;
}

int snapshot_iter_start(struct snapshot_iter *it, struct store *st,
			const struct snapshot_query *q)
{
	struct buf b = BUF_INIT(1 << 20);
	size_t i;

	memset(it, 0, sizeof(*it));
	it->st = st;
	buf_addstr(&b, "SELECT ");
	select_cols(&b, st, snapshot_cols, NSNAPSHOT_COLS, 0, 0, &it->cols,
		    &it->ncols);
	for (i = 0; i < NPROCESS_COLS; i++)
		if (process_cols[i].fig >= 0 && (q->sums >> process_cols[i].fig & 1))
			buf_addf(&b, ", ifnull(sum(p.\"%s\"),"
				 " -9223372036854775808)", process_cols[i].name);
	buf_addf(&b, " FROM snapshots AS s JOIN hosts AS h ON h.id = s.host_id%s"
		 " WHERE (?1 IS NULL OR h.hostname = ?1) AND (?2 = 0 OR"
		 " s.id = ?2) AND (?3 = 0 OR s.time_us BETWEEN ?4 AND ?5)%s"
		 " ORDER BY %ss.time_us%s, s.id%s",
		 q->sums ? " LEFT JOIN processes AS p ON p.snapshot_id = s.id" : "",
		 q->sums ? " GROUP BY s.id" : "",
		 q->by_boot ? "h.hostname, s.boot_id, " : "",
		 q->newest_first ? " DESC" : "", q->newest_first ? " DESC" : "");
	if (prepare_query(st, &b, &it->q, "read snapshots from") < 0)
		return -1;
	if (q->host)
		sqlite3_bind_text(it->q, 1, q->host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(it->q, 2, q->id);
	sqlite3_bind_int(it->q, 3, q->window);
	sqlite3_bind_int64(it->q, 4, q->since_us);
	sqlite3_bind_int64(it->q, 5, q->until_us);
	it->sums = q->sums;
	return 0;
}

int snapshot_iter_next(struct snapshot_iter *it)
{
	int rc = sqlite3_step(it->q), i, k = it->ncols;

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_error(it->st, "read snapshots from");
	for (i = 0; i < it->ncols; i++)
		fill_col(&it->row, it->cols[i], it->q, i);
	for (i = 0; i < NFIGS; i++)
		it->row.sum[i] = FIG_UNKNOWN;
	/* the sums follow, in process_cols' order */
	for (i = 0; i < (int)NPROCESS_COLS; i++)
		if (process_cols[i].fig >= 0 && (it->sums >> process_cols[i].fig & 1))
			it->row.sum[process_cols[i].fig] =
				sqlite3_column_int64(it->q, k++);
	return 1;
}

void snapshot_iter_release(struct snapshot_iter *it)
{
	sqlite3_finalize(it->q);
	free(it->cols);
	memset(it, 0, sizeof(*it));
}

int snapshot_get(struct snapshot_iter *it, struct store *st, int64_t id)
{
	const struct snapshot_query q = { .id = id };
	int r;

	if (snapshot_iter_start(it, st, &q) < 0)
		return -1;
	r = snapshot_iter_next(it);
	return r < 0 ? -1 : !r;
}

/* At most this many pids are looked up by key; more are filtered in C. */
#define MAX_SQL_PIDS 32

int process_iter_start(struct process_iter *it, struct store *st,
		       const struct process_query *q)
{
	struct buf b = BUF_INIT(1 << 20);
	const struct filters *f = q->f;
	unsigned fields = q->fields | (filters_need_names(f) ? PROC_NAMES : 0) |
		(filters_need_cgroup(f) ? PROC_CGROUP : 0);
	size_t i, npids = f && !q->one_pid && f->npids <= MAX_SQL_PIDS
		? f->npids : 0;

	memset(it, 0, sizeof(*it));
	it->st = st;
	it->f = f;
	it->names = (fields & PROC_NAMES) != 0;
	it->one_pid = q->one_pid;
	buf_init(&it->command, BLOB_MAX_RAW);
	process_row_init(&it->row);
	buf_addstr(&b, "SELECT ");
	select_cols(&b, st, process_cols, NPROCESS_COLS, fields, q->figs,
		    &it->cols, &it->ncols);
	buf_addstr(&b, " FROM processes AS p WHERE ");
	if (q->snapshot || q->one_pid)
		buf_addstr(&b, "p.snapshot_id = ?1");
	else if (f && f->host)
		buf_addstr(&b, "p.snapshot_id IN (SELECT s.id FROM snapshots AS s"
			   " JOIN hosts AS h ON h.id = s.host_id WHERE"
			   " h.hostname = ?2)");
	else
		buf_addstr(&b, "?1 = 0");
	if (q->one_pid)
		buf_addstr(&b, " AND p.pid = ?3");
	for (i = 0; i < npids; i++)
		buf_addf(&b, "%s?%zu", i ? ", " : " AND p.pid IN (", i + 3);
	buf_addstr(&b, npids ? ") ORDER BY p.snapshot_id, p.pid"
		   : " ORDER BY p.snapshot_id, p.pid");
	if (prepare_query(st, &b, &it->q, "read processes from") < 0)
		return -1;
	sqlite3_bind_int64(it->q, 1, q->snapshot);
	if (f && f->host && !q->snapshot && !q->one_pid)
		sqlite3_bind_text(it->q, 2, f->host, -1, SQLITE_TRANSIENT);
	for (i = 0; i < npids; i++)
		sqlite3_bind_int64(it->q, (int)i + 3, f->pids[i]);
	return 0;
}

const char *process_iter_command(struct process_iter *it)
{
	const struct process_row *p = &it->row;

	assert(it->names);
	if (!it->shown) {
		cmdline_show(&it->command, p->cmdline, p->cmdline_len, p->comm);
		it->shown = 1;
	}
	return it->command.data ? it->command.data : "";
}

/* Does row p pass f's cgroup filters? */
static int pass_cgroup(const struct filters *f, const struct process_row *p)
{
	const struct filter_cgroup c = {
		p->cgroup, p->cgroup_memory, p->container_id,
		p->container_name, p->pod_uid,
	};

	return filters_pass_cgroup(f, &c);
}

int process_iter_next(struct process_iter *it)
{
	struct process_row *p = &it->row;
	int rc, i;

	while ((rc = sqlite3_step(it->q)) == SQLITE_ROW) {
		for (i = 0; i < it->ncols; i++)
			fill_col(p, it->cols[i], it->q, i);
		it->shown = 0;
		if (!filters_pass_pid(it->f, p->pid))
			continue;
		if (filters_need_cgroup(it->f) && !pass_cgroup(it->f, p))
			continue;
		if (!filters_need_names(it->f) ||
		    filters_pass(it->f, p->pid, p->comm,
				 process_iter_command(it), p->user, p->uid))
			return 1;
	}
	return rc == SQLITE_DONE ? 0 : store_error(it->st, "read processes from");
}

void process_iter_seek(struct process_iter *it, int64_t snapshot, int64_t pid)
{
	sqlite3_reset(it->q);
	sqlite3_bind_int64(it->q, 1, snapshot);
	if (it->one_pid)
		sqlite3_bind_int64(it->q, 3, pid);
}

void process_iter_release(struct process_iter *it)
{
	sqlite3_finalize(it->q);
	free(it->cols);
	buf_release(&it->command);
	memset(it, 0, sizeof(*it));
}

int process_get(struct process_iter *it, struct store *st, int64_t snap,
		int64_t pid, unsigned fields)
{
	const struct process_query q = { snap, NULL, fields, 0, 1 };
	int r = process_iter_start(it, st, &q);

	if (r == 0) {
		process_iter_seek(it, snap, pid);
		r = process_iter_next(it);
	}
	return r < 0 ? -1 : !r;
}

int cgroup_iter_start(struct cgroup_iter *it, struct store *st, int64_t snap)
{
	struct buf b = BUF_INIT(1 << 20);

	memset(it, 0, sizeof(*it));
	it->st = st;
	cgroup_row_init(&it->row);
	if (!format_has(&st->format, "cgroups", NULL))
		return 0;	/* older than 1.1: none */
	buf_addstr(&b, "SELECT ");
	select_cols(&b, st, cgroup_cols, NCGROUP_COLS, 0, 0, &it->cols,
		    &it->ncols);
	buf_addstr(&b, " FROM cgroups AS c WHERE c.snapshot_id = ?1"
		   " ORDER BY c.hierarchy DESC, c.path");
	if (prepare_query(st, &b, &it->q, "read cgroups from") < 0)
		return -1;
	sqlite3_bind_int64(it->q, 1, snap);
	return 0;
}

int cgroup_iter_next(struct cgroup_iter *it)
{
	int rc, i;

	if (!it->q)
		return 0;
	rc = sqlite3_step(it->q);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_error(it->st, "read cgroups from");
	for (i = 0; i < it->ncols; i++)
		fill_col(&it->row, it->cols[i], it->q, i);
	return 1;
}

void cgroup_iter_release(struct cgroup_iter *it)
{
	sqlite3_finalize(it->q);
	free(it->cols);
	memset(it, 0, sizeof(*it));
}
