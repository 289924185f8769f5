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
#include "buf.h"
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

struct mappings_cursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *procs;	/* the processes to read, kept across xFilter */
	int procs_idx;		/* the plan procs was prepared for */
	sqlite3_stmt *blob;	/* one blob's row, by id */
	struct buf text;	/* the current process's text */
	int have_text;
	struct smaps_parser ps;
	struct smaps_map map;	/* the current row */
	int64_t snap, pid, blob_id;
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

	(void)base;
	if (!cur)
		return SQLITE_NOMEM;
	memset(cur, 0, sizeof(*cur));
	buf_init(&cur->text, BLOB_MAX_RAW);
	cur->procs_idx = -1;
	cur->eof = 1;
	*out = &cur->base;
	return SQLITE_OK;
}

static int mappings_close(sqlite3_vtab_cursor *base)
{
	struct mappings_cursor *cur = (struct mappings_cursor *)base;

	sqlite3_finalize(cur->procs);
	sqlite3_finalize(cur->blob);
	buf_release(&cur->text);
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

/* Inflate and check the text of the process row at cur->procs. */
static int load_text(struct mappings_cursor *cur)
{
	struct mappings_vtab *vt = (struct mappings_vtab *)cur->base.pVtab;
	struct blob_stored b;
	char why[160];
	int rc;

	cur->snap = sqlite3_column_int64(cur->procs, 0);
	cur->pid = sqlite3_column_int64(cur->procs, 1);
	cur->blob_id = sqlite3_column_int64(cur->procs, 2);
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
	sqlite3_bind_int64(cur->blob, 1, cur->blob_id);
	rc = sqlite3_step(cur->blob);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(cur->blob);
		return fail(cur, SQLITE_CORRUPT, "blob %lld is missing"
			    " (snapshot %lld, pid %lld)", (long long)cur->blob_id,
			    (long long)cur->snap, (long long)cur->pid);
	}
	if (rc != SQLITE_ROW) {
		rc = fail_db(cur, rc);
		sqlite3_reset(cur->blob);
		return rc;
	}
	b.raw_size = sqlite3_column_int64(cur->blob, 0);
	b.codec = (const char *)sqlite3_column_text(cur->blob, 1);
	b.data = sqlite3_column_blob(cur->blob, 2);
	b.n = (size_t)sqlite3_column_bytes(cur->blob, 2);
	b.hash = sqlite3_column_blob(cur->blob, 3);
	b.hash_len = (size_t)sqlite3_column_bytes(cur->blob, 3);
	buf_reset(&cur->text);
	rc = blob_unpack(&b, &cur->text, why, sizeof(why));
	sqlite3_reset(cur->blob);
	if (rc < 0)
		return fail(cur, SQLITE_CORRUPT, "blob %lld %s (snapshot %lld,"
			    " pid %lld)", (long long)cur->blob_id, why,
			    (long long)cur->snap, (long long)cur->pid);
	smaps_parser_init(&cur->ps, cur->text.data ? cur->text.data : "",
			  cur->text.len);
	cur->have_text = 1;
	return SQLITE_OK;
}

/* The next mapping: of the current text, else of the next process. */
static int mappings_next(sqlite3_vtab_cursor *base)
{
	struct mappings_cursor *cur = (struct mappings_cursor *)base;
	int rc;

	for (;;) {
		if (cur->have_text) {
			rc = smaps_next(&cur->ps, &cur->map);
			if (rc > 0) {
				cur->rowid++;
				return SQLITE_OK;
			}
			if (rc < 0)
				return fail(cur, SQLITE_CORRUPT, "blob %lld"
					    " (snapshot %lld, pid %lld) does not"
					    " parse: %s", (long long)cur->blob_id,
					    (long long)cur->snap,
					    (long long)cur->pid, cur->ps.err);
			cur->have_text = 0;
		}
		rc = sqlite3_step(cur->procs);
		if (rc == SQLITE_DONE) {
			cur->eof = 1;
			return SQLITE_OK;
		}
		if (rc != SQLITE_ROW)
			return fail_db(cur, rc);
		if ((rc = load_text(cur)) != SQLITE_OK)
			return rc;
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
	cur->have_text = 0;
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
	const struct smaps_map *m = &cur->map;
	char dev[32];
	int f;

	switch (col) {
	case COL_SNAPSHOT:
		sqlite3_result_int64(ctx, cur->snap);
		break;
	case COL_PID:
		sqlite3_result_int64(ctx, cur->pid);
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
		sqlite3_result_text(ctx, m->name ? m->name : "",
				    (int)m->name_len, SQLITE_TRANSIENT);
		break;
	case COL_VMFLAGS:
		if (m->vmflags)
			sqlite3_result_text(ctx, m->vmflags,
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
