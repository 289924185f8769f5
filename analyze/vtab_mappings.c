/* vtab_mappings.c - the `mappings` table over the stored texts, and
 * cmdline_text(): in mapsnap-analyze, and as mapsnap.so for sqlite3. */
/* MAPSNAP_EXTENSION: the .so, which reaches SQLite through sqlite3ext.h */
#ifdef MAPSNAP_EXTENSION
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#else
#include <sqlite3.h>
#endif

#include "vtab_mappings.h"
#include "blob.h"
#include "mapscan.h"
#include "pool.h"
#include "smaps.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Columns: the header's, one per known smaps field, then VmFlags. */
enum {
	COL_SNAPSHOT, COL_PID, COL_START, COL_END, COL_PERM, COL_OFFSET,
	COL_DEV, COL_INODE, COL_PATH, COL_FIELD0,
	COL_VMFLAGS = COL_FIELD0 + SF__COUNT,
};

/* xBestIndex's plans: which equalities xFilter gets, in this order. */
#define IDX_SNAPSHOT 1
#define IDX_PID 2

struct mappings_vtab {
	sqlite3_vtab base;
	sqlite3 *db;
	char *schema;		/* where processes and blobs are */
};

/*
 * Texts made ahead of the rows returned: the cursor reads process and
 * blob rows in SQLite's thread, in order, and hands a copy of each blob
 * to a pool of workers (one per core) that decode and parse it whole
 * (mapscan); rows come out of those texts in the same order. A scan of
 * one process (both equalities pushed down) makes its text in the
 * cursor's own thread: no worker would have anything else to do.
 */
#define SCAN_JOBS 6			/* texts in flight, with the current one */
#define SCAN_AHEAD ((int64_t)64 << 20)	/* bytes of text made ahead, at most
					   (always one text) */

struct mappings_cursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *procs;	/* the processes to read, kept across xFilter */
	int procs_idx;		/* the plan procs was prepared for */
	int procs_done;		/* procs has no row left */
	sqlite3_stmt *blob;	/* one blob's row, by id */
	struct mapscan_job job[SCAN_JOBS];
	struct pool pool;
	int pool_on;
	int64_t ahead;		/* raw bytes of the texts in the pool */
	struct mapscan_job *cur;	/* the text of the current row */
	size_t next;		/* its record after the current row */
	sqlite3_int64 rowid;
	int eof;
};

static int mappings_connect(sqlite3 *db, void *aux, int argc,
			    const char *const *argv, sqlite3_vtab **out,
			    char **err)
{
	struct mappings_vtab *vt;
	char name[32];
	sqlite3_str *decl;
	char *sql;
	int i, rc;
	size_t k;

	(void)aux; (void)argc; (void)err;
	decl = sqlite3_str_new(db);
	sqlite3_str_appendall(decl, "CREATE TABLE x(snapshot_id INTEGER,"
			      " pid INTEGER, start INTEGER, \"end\" INTEGER,"
			      " perm TEXT, \"offset\" INTEGER, dev TEXT,"
			      " inode INTEGER, path TEXT");
	for (i = 0; i < SF__COUNT; i++) {
		/* the kernel's name in lower case: Shared_Clean, shared_clean */
		for (k = 0; smaps_field_names[i][k] && k + 1 < sizeof(name); k++)
			name[k] = (char)(smaps_field_names[i][k] |
					 (smaps_field_names[i][k] >= 'A' &&
					  smaps_field_names[i][k] <= 'Z' ? 0x20 : 0));
		name[k] = '\0';
		sqlite3_str_appendf(decl, ", \"%w\" INTEGER", name);
	}
	sqlite3_str_appendall(decl, ", vmflags TEXT)");
	sql = sqlite3_str_finish(decl);
	if (!sql)
		return SQLITE_NOMEM;
	rc = sqlite3_declare_vtab(db, sql);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return rc;
	/* it only reads: safe in views and triggers of an untrusted schema */
	sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
	vt = sqlite3_malloc(sizeof(*vt));
	if (!vt)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof(*vt));
	vt->db = db;
	vt->schema = sqlite3_mprintf("%s", argv[1]);
	if (!vt->schema) {
		sqlite3_free(vt);
		return SQLITE_NOMEM;
	}
	*out = &vt->base;
	return SQLITE_OK;
}

static int mappings_disconnect(sqlite3_vtab *base)
{
	struct mappings_vtab *vt = (struct mappings_vtab *)base;

	sqlite3_free(vt->schema);
	sqlite3_free(vt);
	return SQLITE_OK;
}

/*
 * Equality on snapshot_id and pid goes to xFilter, which then reads only
 * the matching process rows (and their blobs). SQLite checks the values
 * again (omit stays 0): a text '42' against the integer 42 then behaves
 * as it does on any table.
 */
static int mappings_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	static const char *const plans[] = {
		NULL, "snapshot_id=?", "pid=?", "snapshot_id=? AND pid=?",
	};
	int at[2] = { -1, -1 }, i, n = 0, idx = 0;

	(void)base;
	for (i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];

		if (c->usable && c->op == SQLITE_INDEX_CONSTRAINT_EQ &&
		    (c->iColumn == COL_SNAPSHOT || c->iColumn == COL_PID))
			at[c->iColumn] = i;
	}
	if (at[0] >= 0) {
		info->aConstraintUsage[at[0]].argvIndex = ++n;
		idx |= IDX_SNAPSHOT;
	}
	if (at[1] >= 0) {
		info->aConstraintUsage[at[1]].argvIndex = ++n;
		idx |= IDX_PID;
	}
	info->idxNum = idx;
	info->idxStr = (char *)plans[idx];
	/*
	 * A process has hundreds of mappings, a snapshot hundreds of
	 * processes. The cost is mostly inflating: far more for a scan, so
	 * that in a join SQLite reads processes first and passes each
	 * (snapshot_id, pid) in, whatever it guesses the size of processes.
	 */
	info->estimatedRows = idx == 3 ? 400 : idx == IDX_SNAPSHOT ? 80000
		: idx == IDX_PID ? 4000 : 8000000;
	info->estimatedCost = idx == 3 ? 100.0 : idx == IDX_PID ? 1e4
		: idx == IDX_SNAPSHOT ? 1e6 : 1e12;
	/* rows come in (snapshot_id, pid) order */
	if (info->nOrderBy >= 1 && info->nOrderBy <= 2) {
		for (i = 0; i < info->nOrderBy; i++)
			if (info->aOrderBy[i].iColumn != i || info->aOrderBy[i].desc)
				break;
		info->orderByConsumed = i == info->nOrderBy;
	}
	return SQLITE_OK;
}

static int mappings_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	struct mappings_cursor *cur = sqlite3_malloc(sizeof(*cur));
	int i;

	(void)base;
	if (!cur)
		return SQLITE_NOMEM;
	memset(cur, 0, sizeof(*cur));
	for (i = 0; i < SCAN_JOBS; i++)
		mapscan_job_init(&cur->job[i]);
	cur->procs_idx = -1;
	cur->eof = 1;
	*out = &cur->base;
	return SQLITE_OK;
}

static int mappings_close(sqlite3_vtab_cursor *base)
{
	struct mappings_cursor *cur = (struct mappings_cursor *)base;
	int i;

	if (cur->pool_on)
		pool_finish(&cur->pool);
	sqlite3_finalize(cur->procs);
	sqlite3_finalize(cur->blob);
	for (i = 0; i < SCAN_JOBS; i++)
		mapscan_job_release(&cur->job[i]);
	sqlite3_free(cur);
	return SQLITE_OK;
}

/* Fail the query with a message of ours: returns rc. */
static int fail(struct mappings_cursor *cur, int rc, const char *fmt, ...)
{
	sqlite3_vtab *vt = cur->base.pVtab;
	va_list ap;

	va_start(ap, fmt);
	sqlite3_free(vt->zErrMsg);
	vt->zErrMsg = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	return rc;
}

/* Fail with the connection's own message (a statement of ours failed). */
static int fail_db(struct mappings_cursor *cur, int rc)
{
	struct mappings_vtab *vt = (struct mappings_vtab *)cur->base.pVtab;

	return fail(cur, rc, "%s", sqlite3_errmsg(vt->db));
}

/* Copy the blob of the process row at cur->procs into job j. */
static int copy_text(struct mappings_cursor *cur, struct mapscan_job *j)
{
	struct mappings_vtab *vt = (struct mappings_vtab *)cur->base.pVtab;
	int64_t snap = sqlite3_column_int64(cur->procs, 0);
	int64_t pid = sqlite3_column_int64(cur->procs, 1);
	int64_t id = sqlite3_column_int64(cur->procs, 2);
	struct blob_stored b;
	int rc;

	if (!cur->blob) {
		char *sql = sqlite3_mprintf("SELECT raw_size, codec, data, hash"
					    " FROM \"%w\".blobs WHERE id = ?1",
					    vt->schema);

		rc = sql ? sqlite3_prepare_v3(vt->db, sql, -1,
					      SQLITE_PREPARE_PERSISTENT,
					      &cur->blob, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
		if (rc != SQLITE_OK)
			return fail_db(cur, rc);
	}
	sqlite3_bind_int64(cur->blob, 1, id);
	rc = sqlite3_step(cur->blob);
	if (rc == SQLITE_ROW) {
		b.raw_size = sqlite3_column_int64(cur->blob, 0);
		b.codec = (const char *)sqlite3_column_text(cur->blob, 1);
		b.data = sqlite3_column_blob(cur->blob, 2);
		b.n = (size_t)sqlite3_column_bytes(cur->blob, 2);
		b.hash = sqlite3_column_blob(cur->blob, 3);
		b.hash_len = (size_t)sqlite3_column_bytes(cur->blob, 3);
		mapscan_copy(j, snap, pid, id, &b);	/* a failure sets err */
	} else if (rc == SQLITE_DONE) {
		b = (struct blob_stored){ 0, NULL, "", 0, NULL, 0 };
		mapscan_copy(j, snap, pid, id, &b);
		snprintf(j->err, sizeof(j->err), "blob %lld is missing"
			 " (snapshot %lld, pid %lld)", (long long)id,
			 (long long)snap, (long long)pid);
	}
	sqlite3_reset(cur->blob);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_db(cur, rc);
	return SQLITE_OK;
}

/* Hand the next processes' texts to the pool: while there are jobs
 * free, and the texts ahead are not too big (or there is none). */
static int fill_pool(struct mappings_cursor *cur)
{
	struct mapscan_job *j;
	int rc;

	while (!cur->procs_done && (pool_pending(&cur->pool) == 0 ||
		(cur->pool.nworker && cur->ahead < SCAN_AHEAD)) &&
	       (j = pool_job(&cur->pool)) != NULL) {
		rc = sqlite3_step(cur->procs);
		if (rc == SQLITE_DONE) {
			cur->procs_done = 1;
			break;
		}
		if (rc != SQLITE_ROW)
			return fail_db(cur, rc);
		if ((rc = copy_text(cur, j)) != SQLITE_OK)
			return rc;
		cur->ahead += j->blob.raw_size > 0 ? j->blob.raw_size : 0;
		pool_submit(&cur->pool);
	}
	return SQLITE_OK;
}

/* The next mapping: of the current text, else of the next one made. */
static int mappings_next(sqlite3_vtab_cursor *base)
{
	struct mappings_cursor *cur = (struct mappings_cursor *)base;
	int rc;

	for (;;) {
		if (cur->cur && cur->next < cur->cur->nrec) {
			cur->next++;
			cur->rowid++;
			return SQLITE_OK;
		}
		if (cur->cur && cur->cur->err[0])
			return fail(cur, SQLITE_CORRUPT, "%s", cur->cur->err);
		cur->cur = NULL;
		if ((rc = fill_pool(cur)) != SQLITE_OK)
			return rc;
		if (!(cur->cur = pool_take(&cur->pool))) {
			cur->eof = 1;
			return SQLITE_OK;
		}
		cur->ahead -= cur->cur->blob.raw_size > 0 ? cur->cur->blob.raw_size : 0;
		cur->next = 0;
	}
}

/* The process rows of plan idx, prepared once per cursor and plan. */
static int prepare_procs(struct mappings_cursor *cur, int idx)
{
	struct mappings_vtab *vt = (struct mappings_vtab *)cur->base.pVtab;
	char *sql;
	int rc;

	if (cur->procs && cur->procs_idx == idx) {
		sqlite3_reset(cur->procs);
		return SQLITE_OK;
	}
	sqlite3_finalize(cur->procs);
	cur->procs = NULL;
	/* an imported smaps_rollup has no mappings: its one record is a sum */
	sql = sqlite3_mprintf("SELECT snapshot_id, pid, text_blob"
			      " FROM \"%w\".processes WHERE text_blob IS NOT NULL"
			      " AND text_kind <> 'rollup'%s%s"
			      " ORDER BY snapshot_id, pid", vt->schema,
			      idx & IDX_SNAPSHOT ? " AND snapshot_id = ?1" : "",
			      idx & IDX_PID ? " AND pid = ?2" : "");
	rc = sql ? sqlite3_prepare_v3(vt->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				      &cur->procs, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return fail_db(cur, rc);
	cur->procs_idx = idx;
	return SQLITE_OK;
}

static int mappings_filter(sqlite3_vtab_cursor *base, int idx,
			   const char *idx_str, int argc, sqlite3_value **argv)
{
	struct mappings_cursor *cur = (struct mappings_cursor *)base;
	int rc, n = 0;

	(void)idx_str;
	if (!cur->pool_on) {
		void *jobs[SCAN_JOBS];

		for (n = 0; n < SCAN_JOBS; n++)
			jobs[n] = &cur->job[n];
		n = 0;
		pool_start(&cur->pool, idx == (IDX_SNAPSHOT | IDX_PID) ||
			   pool_cores() < 2 ? 0 : pool_cores(), jobs, SCAN_JOBS,
			   mapscan_run, NULL);
		cur->pool_on = 1;
	}
	pool_drop(&cur->pool);
	cur->ahead = 0;
	cur->cur = NULL;
	cur->procs_done = 0;
	cur->eof = 0;
	cur->rowid = 0;
	if ((rc = prepare_procs(cur, idx)) != SQLITE_OK)
		return rc;
	if ((idx & IDX_SNAPSHOT) && n < argc)
		sqlite3_bind_value(cur->procs, 1, argv[n++]);
	if ((idx & IDX_PID) && n < argc)
		sqlite3_bind_value(cur->procs, 2, argv[n++]);
	return mappings_next(base);
}

static int mappings_eof(sqlite3_vtab_cursor *base)
{
	return ((struct mappings_cursor *)base)->eof;
}

/* A header number as SQLite's signed integer: an address at or above
 * 2^63 (x86-64's [vsyscall]) comes out negative; printf('%x') shows it. */
static void result_u64(sqlite3_context *ctx, uint64_t v)
{
	sqlite3_result_int64(ctx, (sqlite3_int64)v);
}

static int mappings_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx,
			   int col)
{
	const struct mappings_cursor *cur = (struct mappings_cursor *)base;
	const struct mapscan_rec *m = &cur->cur->rec[cur->next - 1];
	const char *text = cur->cur->text.data;
	char dev[32];
	int f;

	switch (col) {
	case COL_SNAPSHOT:
		sqlite3_result_int64(ctx, cur->cur->snap);
		break;
	case COL_PID:
		sqlite3_result_int64(ctx, cur->cur->pid);
		break;
	case COL_START:
		result_u64(ctx, m->start);
		break;
	case COL_END:
		result_u64(ctx, m->end);
		break;
	case COL_PERM:
		sqlite3_result_text(ctx, m->perms, -1, SQLITE_TRANSIENT);
		break;
	case COL_OFFSET:
		result_u64(ctx, m->offset);
		break;
	case COL_DEV:	/* as the kernel prints it */
		snprintf(dev, sizeof(dev), "%02x:%02x", m->dev_major,
			 m->dev_minor);
		sqlite3_result_text(ctx, dev, -1, SQLITE_TRANSIENT);
		break;
	case COL_INODE:
		result_u64(ctx, m->inode);
		break;
	case COL_PATH:
		sqlite3_result_text(ctx, m->name_len ? text + m->name_off : "",
				    (int)m->name_len, SQLITE_TRANSIENT);
		break;
	case COL_VMFLAGS:
		if (m->has_vmflags)
			sqlite3_result_text(ctx, text + m->vmflags_off,
					    (int)m->vmflags_len, SQLITE_TRANSIENT);
		break;	/* else NULL, SQLite's default */
	default:
		f = col - COL_FIELD0;
		if (f >= 0 && f < SF__COUNT && (m->present & UINT64_C(1) << f))
			result_u64(ctx, m->val[f]);
		break;
	}
	return SQLITE_OK;
}

static int mappings_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
	*rowid = ((struct mappings_cursor *)base)->rowid;
	return SQLITE_OK;
}

/* Eponymous only (no xCreate): it is never written into a schema. */
static const sqlite3_module mappings_module = {
	.iVersion = 0,
	.xCreate = NULL,
	.xConnect = mappings_connect,
	.xBestIndex = mappings_best_index,
	.xDisconnect = mappings_disconnect,
	.xDestroy = mappings_disconnect,
	.xOpen = mappings_open,
	.xClose = mappings_close,
	.xFilter = mappings_filter,
	.xNext = mappings_next,
	.xEof = mappings_eof,
	.xColumn = mappings_column,
	.xRowid = mappings_rowid,
};

/* cmdline_text(X): a stored command line as ps shows it, NUL separators
 * as spaces and without the last NUL; NULL stays NULL. */
static void cmdline_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *p;
	char *s;
	int n, i;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	p = sqlite3_value_blob(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	if (n > 0 && p[n - 1] == '\0')
		n--;
	s = sqlite3_malloc(n + 1);
	if (!s) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (i = 0; i < n; i++)
		s[i] = p[i] ? p[i] : ' ';
	s[n] = '\0';
	sqlite3_result_text(ctx, s, n, sqlite3_free);
}

int mappings_register(sqlite3 *db)
{
	int rc = sqlite3_create_module_v2(db, "mappings", &mappings_module,
					  NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "cmdline_text", 1,
					     SQLITE_UTF8 | SQLITE_DETERMINISTIC |
					     SQLITE_INNOCUOUS, NULL,
					     cmdline_text, NULL, NULL);
	return rc;
}

#ifdef MAPSNAP_EXTENSION
__attribute__((visibility("default")))
int sqlite3_mapsnap_init(sqlite3 *db, char **err,
			 const sqlite3_api_routines *api)
{
	SQLITE_EXTENSION_INIT2(api);
	(void)err;
	return mappings_register(db);
}
#endif
