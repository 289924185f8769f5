/* cmd_merge.c - `merge OUT FILE...`: copy the snapshots of many files into
 * one in one transaction, each snapshot once (uuid), each blob once (hash). */
#include "analyze.h"
#include "merge_io.h"
#include "outfile.h"
#include "progress.h"
#include "rows.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Why rows go through a second connection and not INSERT ... SELECT from
 * an ATTACHed input: the whole merge is one transaction, SQLite cannot
 * DETACH inside one, and it attaches at most 10 files (SQLITE_MAX_ATTACHED
 * of the usual builds), so ATTACH could not take a fleet of 500 hosts at
 * once. Nor would it be faster: SQLite decodes and encodes each row either
 * way, and INSERT ... SELECT of two bench files' blobs alone took as long
 * as this whole merge. Blobs, most of the bytes, are copied compressed.
 * Each input is opened by merge_open_input: read-only, defensive, its
 * version and tables checked before any row is read, and read from a
 * copy in memory made in one read (its pages are all read anyway).
 */

/* An id in the input and the id of the same row in OUT. */
struct idpair {
	int64_t from, to;
};

/* Sorted by `from` before idmap_find() is used. */
struct idmap {
	struct idpair *v;
	size_t n, alloc;
};

/* How a column's value goes into OUT: as it is, or as a remapped id. */
enum copy_kind { COPY_KEEP, COPY_HOST, COPY_BLOB };

/*
 * One table copied snapshot by snapshot: snapshots, and every table with
 * a snapshot_id column. Its columns are OUT's, read from OUT's schema
 * (created from schema.sql, or upgraded to it), so the copy cannot drift
 * from schema.sql: a column or table added there is copied with no
 * change here. Columns named *_blob hold a blob id (schema.sql says so).
 * An input of an older format lacks the columns of later steps: they are
 * copied as NULL, unknown.
 */
struct table_copy {
	char *name;
	const char *key;	/* the column naming the snapshot */
	char **cols;		/* OUT's columns but the key */
	sqlite3_stmt *sel;	/* the input's rows of snapshot ?1, made for
				   each input */
	sqlite3_stmt *ins;	/* on OUT; ?1 is the new snapshot id (children) */
	enum copy_kind *kinds;	/* per column of sel */
	int ncols;
};


struct merge {
	struct store out, in;
	struct stat out_st;		/* OUT when it exists, else zero */
	struct stat out_dir;		/* a new OUT: its directory */
	const char *out_base;		/* and its name there, or NULL */
	struct table_copy *t;		/* snapshots, then its children */
	size_t nt;
	sqlite3_stmt *uuid_find, *blob_find, *blob_add;		/* on OUT */
	sqlite3_stmt *list, *blob_data, *host;		/* on the input */
	struct idmap blobs, hosts;	/* the input's ids -> OUT's */
	int64_t *ids;			/* snapshots to add, then blob refs */
	size_t nids, ids_alloc;
	int64_t nsnaps;			/* how many of ids are snapshots */
	int64_t added, already, blobs_added, snaps_before;
	int64_t hosts_out, hosts_new;	/* OUT's hosts, after the merge */
	struct progress progress;	/* on a terminal, without -q */
};

static const char *const out_sql[] = {
	"SELECT 1 FROM snapshots WHERE uuid = ?1",
	"SELECT id FROM blobs WHERE hash = ?1",
	"INSERT INTO blobs (hash, raw_size, codec, data) VALUES (?1, ?2, ?3, ?4)",
};
static const char *const in_sql[] = {
	"SELECT id, uuid FROM snapshots ORDER BY id",
	"SELECT hash, raw_size, codec, data FROM blobs WHERE id = ?1",
	"SELECT hostname, machine_id FROM hosts WHERE id = ?1",
};

static int idpair_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct idpair *)a)->from;
	int64_t y = ((const struct idpair *)b)->from;

	return (x > y) - (x < y);
}

static void idmap_add(struct idmap *m, int64_t from, int64_t to)
{
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 64;
		m->v = xreallocarray(m->v, m->alloc, sizeof(*m->v));
	}
	m->v[m->n].from = from;
	m->v[m->n++].to = to;
}

static const struct idpair *idmap_find(const struct idmap *m, int64_t from)
{
	struct idpair key = { from, 0 };

	return m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), idpair_cmp) : NULL;
}

static void ids_add(struct merge *m, int64_t id)
{
	if (m->nids == m->ids_alloc) {
		m->ids_alloc = m->ids_alloc ? 2 * m->ids_alloc : 256;
		m->ids = xreallocarray(m->ids, m->ids_alloc, sizeof(*m->ids));
	}
	m->ids[m->nids++] = id;
}

static int int64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* A write to OUT failed while merging the input: name both files. -1. */
static int out_error(struct merge *m)
{
	return error("cannot merge '%s' into '%s': %s", m->in.path,
		     m->out.path, sqlite3_errmsg(m->out.db));
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK)
		return store_error(s, "read");
	return 0;
}

static enum copy_kind copy_kind(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(name, "host_id"))
		return COPY_HOST;
	return n > 5 && !strcmp(name + n - 5, "_blob") ? COPY_BLOB : COPY_KEEP;
}

/*
 * Build table tc's copy from OUT's columns: their list, to select from
 * each input (table_copy_select), and OUT's INSERT. A snapshot's own id
 * is not copied (OUT gives a new one); a child row gets the new one as ?1.
 */
static int table_copy_init(struct merge *m, struct table_copy *tc)
{
	static const char cols_sql[] = "SELECT name FROM"
		" pragma_table_info(?1, 'main') WHERE name <> ?2 ORDER BY cid";
	struct buf cols = BUF_INIT(1 << 16), vals = BUF_INIT(1 << 16);
	int child = strcmp(tc->key, "id") != 0, rc, ret = -1;
	sqlite3_stmt *q = NULL;
	char *ins = NULL;

	if (sqlite3_prepare_v2(m->out.db, cols_sql, -1, &q, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(q, 1, tc->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, tc->key, -1, SQLITE_STATIC);
	buf_addstr(&vals, child ? "?1" : "");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		char *quoted = sqlite3_mprintf("\"%w\"", name);

		tc->kinds = xreallocarray(tc->kinds, (size_t)tc->ncols + 1,
					  sizeof(*tc->kinds));
		tc->cols = xreallocarray(tc->cols, (size_t)tc->ncols + 1,
					 sizeof(*tc->cols));
		tc->kinds[tc->ncols] = copy_kind(name);
		tc->cols[tc->ncols] = xstrdup(name);
		buf_addf(&cols, "%s%s", tc->ncols ? ", " : "", quoted);
		buf_addf(&vals, "%s?%d", tc->ncols || child ? ", " : "",
			 tc->ncols + 1 + child);
		sqlite3_free(quoted);
		tc->ncols++;
	}
	if (rc != SQLITE_DONE || !tc->ncols)
		goto out;
	ins = sqlite3_mprintf("INSERT INTO \"%w\" (%s%s%s) VALUES (%s)",
			      tc->name, child ? tc->key : "", child ? ", " : "",
			      cols.data, vals.data);
	if (ins && sqlite3_prepare_v3(m->out.db, ins, -1,
				      SQLITE_PREPARE_PERSISTENT, &tc->ins,
				      NULL) == SQLITE_OK)
		ret = 0;
out:
	if (ret < 0)
		store_error(&m->out, "read the tables of");
	sqlite3_finalize(q);
	sqlite3_free(ins);
	buf_release(&cols);
	buf_release(&vals);
	return ret;
}

/* Prepare tc's SELECT on the input: OUT's columns, NULL for those that
 * an input of an older format lacks; none (sel NULL) for a table it
 * lacks. 0 or -1 (printed). */
static int table_copy_select(struct merge *m, struct table_copy *tc)
{
	struct buf sql = BUF_INIT(1 << 16);
	char *col;
	int i, r;

	if (!store_has(&m->in, tc->name, NULL))
		return 0;
	buf_addstr(&sql, "SELECT ");
	for (i = 0; i < tc->ncols; i++) {
		col = store_has(&m->in, tc->name, tc->cols[i])
			? sqlite3_mprintf("\"%w\"", tc->cols[i])
			: sqlite3_mprintf("NULL");
		buf_addf(&sql, "%s%s", i ? ", " : "", col ? col : "NULL");
		sqlite3_free(col);
	}
	col = sqlite3_mprintf(" FROM \"%w\" WHERE \"%w\" = ?1", tc->name,
			      tc->key);
	buf_addstr(&sql, col ? col : "");
	sqlite3_free(col);
	r = prepare(&m->in, sql.data, &tc->sel);
	buf_release(&sql);
	return r;
}

/* OUT's tables that merge copies: snapshots first, then each table whose
 * rows belong to a snapshot (a snapshot_id column), in name order. */
static int merge_init(struct merge *m)
{
	static const char tables_sql[] = "SELECT m.name FROM sqlite_schema AS m,"
		" pragma_table_info(m.name) AS p WHERE m.type = 'table' AND"
		" p.name = 'snapshot_id' ORDER BY m.name";
	sqlite3_stmt **out_st[] = { &m->uuid_find, &m->blob_find, &m->blob_add };
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc;

	m->t = xcalloc(1, sizeof(*m->t));
	m->t[0].name = xstrdup("snapshots");
	m->t[0].key = "id";
	m->nt = 1;
	if (prepare(&m->out, tables_sql, &q) < 0)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		m->t = xreallocarray(m->t, m->nt + 1, sizeof(*m->t));
		memset(&m->t[m->nt], 0, sizeof(*m->t));
		m->t[m->nt].name = xstrdup((const char *)sqlite3_column_text(q, 0));
		m->t[m->nt++].key = "snapshot_id";
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(&m->out, "read the tables of");
	for (i = 0; i < m->nt; i++)
		if (table_copy_init(m, &m->t[i]) < 0)
			return -1;
	for (i = 0; i < sizeof(out_st) / sizeof(out_st[0]); i++)
		if (prepare(&m->out, out_sql[i], out_st[i]) < 0)
			return -1;
	return 0;
}

static void merge_release(struct merge *m)
{
	size_t i;
	int c;

	for (i = 0; i < m->nt; i++) {
		sqlite3_finalize(m->t[i].ins);
		for (c = 0; c < m->t[i].ncols; c++)
			free(m->t[i].cols[c]);
		free(m->t[i].cols);
		free(m->t[i].kinds);
		free(m->t[i].name);
	}
	free(m->t);
	sqlite3_finalize(m->uuid_find);
	sqlite3_finalize(m->blob_find);
	sqlite3_finalize(m->blob_add);
	free(m->blobs.v);
	free(m->hosts.v);
	free(m->ids);
}

/* The input's host `from` as OUT's host id, added to OUT when new. */
static int map_host(struct merge *m, int64_t from, int64_t *to)
{
	const struct idpair *p = idmap_find(&m->hosts, from);
	int rc;

	if (p) {
		*to = p->to;
		return 0;
	}
	sqlite3_reset(m->host);
	sqlite3_bind_int64(m->host, 1, from);
	rc = sqlite3_step(m->host);
	if (rc == SQLITE_DONE)
		return error("'%s' is damaged: host %lld is missing",
			     m->in.path, (long long)from);
	if (rc != SQLITE_ROW)
		return store_error(&m->in, "read");
	if (store_host(&m->out, (const char *)sqlite3_column_text(m->host, 0),
		       (const char *)sqlite3_column_text(m->host, 1), to) < 0)
		return -1;
	idmap_add(&m->hosts, from, *to);
	qsort(m->hosts.v, m->hosts.n, sizeof(*m->hosts.v), idpair_cmp);
	return 0;
}

/* Bind column i of tc's current input row to OUT's insert as ?param. */
static int bind_column(struct merge *m, struct table_copy *tc, int i, int param)
{
	int type = sqlite3_column_type(tc->sel, i);
	int64_t id = sqlite3_column_int64(tc->sel, i);
	const struct idpair *p;

	/* the value keeps its type, as the input stored it */
	if (tc->kinds[i] == COPY_KEEP || type == SQLITE_NULL)
		return sqlite3_bind_value(tc->ins, param,
					  sqlite3_column_value(tc->sel, i))
			== SQLITE_OK ? 0 : out_error(m);
	if (type != SQLITE_INTEGER)
		return error("'%s' is damaged: %s.%s is not an id", m->in.path,
			     tc->name, sqlite3_column_name(tc->sel, i));
	if (tc->kinds[i] == COPY_HOST) {
		if (map_host(m, id, &id) < 0)
			return -1;
	} else {
		/* every blob a copied row names was mapped beforehand */
		p = idmap_find(&m->blobs, id);
		if (!p)
			return error("'%s' changed while it was merged", m->in.path);
		id = p->to;
	}
	sqlite3_bind_int64(tc->ins, param, id);
	return 0;
}

/* Copy tc's rows of input snapshot `from` into OUT's snapshot `to`.
 * Returns how many, or -1. */
static int64_t copy_rows(struct merge *m, struct table_copy *tc, int64_t from,
			 int64_t to)
{
	int child = tc != &m->t[0], rc, i;
	int64_t n = 0;

	if (!tc->sel)
		return 0;	/* an older input without the table */
	sqlite3_reset(tc->sel);
	sqlite3_bind_int64(tc->sel, 1, from);
	while ((rc = sqlite3_step(tc->sel)) == SQLITE_ROW) {
		if (child)
			sqlite3_bind_int64(tc->ins, 1, to);
		for (i = 0; i < tc->ncols; i++)
			if (bind_column(m, tc, i, i + 1 + child) < 0)
				return -1;
		rc = sqlite3_step(tc->ins);
		sqlite3_reset(tc->ins);
		if (rc != SQLITE_DONE)
			return out_error(m);
		n++;
	}
	return rc == SQLITE_DONE ? n : store_error(&m->in, "read");
}

/* Append the blob ids that tc's rows of snapshot `from` name to m->ids. */
static int collect_refs(struct merge *m, struct table_copy *tc, int64_t from)
{
	int rc, i;

	if (!tc->sel)
		return 0;
	sqlite3_reset(tc->sel);
	sqlite3_bind_int64(tc->sel, 1, from);
	while ((rc = sqlite3_step(tc->sel)) == SQLITE_ROW)
		for (i = 0; i < tc->ncols; i++) {
			int type = sqlite3_column_type(tc->sel, i);

			if (tc->kinds[i] != COPY_BLOB || type == SQLITE_NULL)
				continue;
			if (type != SQLITE_INTEGER)
				return error("'%s' is damaged: %s.%s is not an id",
					     m->in.path, tc->name,
					     sqlite3_column_name(tc->sel, i));
			ids_add(m, sqlite3_column_int64(tc->sel, i));
		}
	return rc == SQLITE_DONE ? 0 : store_error(&m->in, "read");
}

/*
 * Copy input blob `from`, the current row of m->blob_data, into OUT as
 * it is stored, compressed: inflating every text to check its hash would
 * cost more than the copy. What is cheap to check is: a size no reader
 * would accept is refused here, and OUT's CHECKs refuse a bad codec.
 */
static int copy_blob(struct merge *m, int64_t from, int64_t *to)
{
	sqlite3_stmt *q = m->blob_data;
	sqlite3_int64 raw;
	int rc, i, n;

	raw = sqlite3_column_int64(q, 1);
	if (sqlite3_column_type(q, 1) != SQLITE_INTEGER || raw < 0 ||
	    (uint64_t)raw > BLOB_MAX_RAW)
		return error("'%s' is damaged: blob %lld claims an absurd size",
			     m->in.path, (long long)from);
	for (i = 0; i < 3; i++)
		sqlite3_bind_value(m->blob_add, i + 1, sqlite3_column_value(q, i));
	/* the data, by far the most bytes, is not copied once more: q
	 * holds it until its next reset, after the insert */
	n = sqlite3_column_bytes(q, 3);
	if (n)
		sqlite3_bind_blob(m->blob_add, 4, sqlite3_column_blob(q, 3), n,
				  SQLITE_STATIC);
	else
		sqlite3_bind_zeroblob(m->blob_add, 4, 0);
	rc = sqlite3_step(m->blob_add);
	sqlite3_reset(m->blob_add);
	sqlite3_clear_bindings(m->blob_add);
	if (rc != SQLITE_DONE)
		return out_error(m);
	*to = sqlite3_last_insert_rowid(m->out.db);
	m->blobs_added++;
	return 0;
}

/*
 * Map blob `from` to OUT's blob of the same hash, copying it when new.
 * Its row is read whole at once, data too, even when OUT has the text:
 * one lookup in the input, not two, is the cheaper when most blobs are
 * new, as they are from another host.
 */
static int map_blob(struct merge *m, int64_t from)
{
	sqlite3_stmt *q = m->blob_data;
	int64_t to = 0;
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, from);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE)
		return error("'%s' is damaged: blob %lld is missing", m->in.path,
			     (long long)from);
	if (rc != SQLITE_ROW)
		return store_error(&m->in, "read");
	if (sqlite3_column_type(q, 0) != SQLITE_BLOB ||
	    sqlite3_column_bytes(q, 0) != BLOB_HASH_LEN)
		return error("'%s' is damaged: blob %lld has no valid hash",
			     m->in.path, (long long)from);
	sqlite3_reset(m->blob_find);
	/* q stays on its row, and the hash where it is, until q's reset */
	sqlite3_bind_blob(m->blob_find, 1, sqlite3_column_blob(q, 0),
			  BLOB_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(m->blob_find);
	if (rc == SQLITE_ROW)
		to = sqlite3_column_int64(m->blob_find, 0);
	sqlite3_reset(m->blob_find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return out_error(m);
	if (rc == SQLITE_DONE && copy_blob(m, from, &to) < 0)
		return -1;
	idmap_add(&m->blobs, from, to);
	return 0;
}

/* m->ids = the input's snapshots whose uuid OUT lacks, in capture order. */
static int list_new(struct merge *m)
{
	int rc, found;

	while ((rc = sqlite3_step(m->list)) == SQLITE_ROW) {
		sqlite3_reset(m->uuid_find);
		sqlite3_bind_value(m->uuid_find, 1, sqlite3_column_value(m->list, 1));
		found = sqlite3_step(m->uuid_find);
		sqlite3_reset(m->uuid_find);
		if (found != SQLITE_ROW && found != SQLITE_DONE)
			return out_error(m);
		if (found == SQLITE_ROW)
			m->already++;
		else
			ids_add(m, sqlite3_column_int64(m->list, 0));
	}
	m->nsnaps = (int64_t)m->nids;
	return rc == SQLITE_DONE ? 0 : store_error(&m->in, "read");
}

/*
 * Map every blob the new snapshots name, in id order (the input is read
 * and OUT grows in one direction). The refs go after the snapshot ids.
 */
static int map_blobs(struct merge *m)
{
	size_t first = (size_t)m->nsnaps, i;
	size_t t;

	for (i = 0; i < first; i++)
		for (t = 0; t < m->nt; t++)
			if (collect_refs(m, &m->t[t], m->ids[i]) < 0)
				return -1;
	if (m->nids > first)
		qsort(m->ids + first, m->nids - first, sizeof(*m->ids), int64_cmp);
	for (i = first; i < m->nids; i++)
		if ((i == first || m->ids[i] != m->ids[i - 1]) &&
		    map_blob(m, m->ids[i]) < 0)
			return -1;
	return 0;
}

static int copy_snapshots(struct merge *m)
{
	int64_t i, n, to;
	size_t t;

	for (i = 0; i < m->nsnaps; i++) {
		/* the read transaction keeps the row there since list_new() */
		n = copy_rows(m, &m->t[0], m->ids[i], 0);
		if (n != 1)
			return n < 0 ? -1 : error("'%s' changed while it was"
						  " merged", m->in.path);
		to = sqlite3_last_insert_rowid(m->out.db);
		for (t = 1; t < m->nt; t++)
			if (copy_rows(m, &m->t[t], m->ids[i], to) < 0)
				return -1;
		m->added++;
		progress_show(&m->progress, "%lld snapshots added",
			      (long long)m->added);
	}
	return 0;
}

/* Prepare the input's statements, in one read transaction: the input
 * cannot change between the passes over it. */
static int in_prepare(struct merge *m)
{
	sqlite3_stmt **st[] = { &m->list, &m->blob_data, &m->host };
	size_t i;

	if (sqlite3_exec(m->in.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(&m->in, "read");
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (prepare(&m->in, in_sql[i], st[i]) < 0)
			return -1;
	for (i = 0; i < m->nt; i++)
		if (table_copy_select(m, &m->t[i]) < 0)
			return -1;
	return 0;
}

static void in_release(struct merge *m)
{
	size_t i;

	sqlite3_finalize(m->list);
	sqlite3_finalize(m->blob_data);
	sqlite3_finalize(m->host);
	m->list = m->blob_data = m->host = NULL;
	for (i = 0; i < m->nt; i++) {
		sqlite3_finalize(m->t[i].sel);
		m->t[i].sel = NULL;
	}
	store_rollback(&m->in);
	store_close(&m->in);
	m->blobs.n = m->hosts.n = m->nids = 0;
	m->nsnaps = 0;
}

/* Does `file` name OUT: the same inode, or for a new OUT (not there
 * until it is whole), the same name in the same directory? */
static int names_out(const struct merge *m, const char *file)
{
	const char *slash = strrchr(file, '/');
	struct stat st;
	char *dir;
	int same;

	if (stat(file, &st) == 0)
		return m->out_st.st_ino && st.st_dev == m->out_st.st_dev &&
			st.st_ino == m->out_st.st_ino;
	if (errno != ENOENT || !m->out_base ||
	    strcmp(slash ? slash + 1 : file, m->out_base))
		return 0;
	dir = slash ? xmemdup(file, (size_t)(slash - file + 1)) : xstrdup(".");
	same = stat(dir, &st) == 0 && st.st_dev == m->out_dir.st_dev &&
		st.st_ino == m->out_dir.st_ino;
	free(dir);
	return same;
}

/*
 * Add one input's new snapshots to OUT. OUT itself as an input adds
 * nothing, and is not read: its pages are being written.
 */
static int merge_file(struct merge *m, const char *file)
{
	int ret = -1;

	if (names_out(m, file)) {
		m->already += m->snaps_before;
		return 0;
	}
	if (merge_open_input(&m->in, file) < 0)
		return -1;
	if (in_prepare(m) == 0 && list_new(m) == 0 && map_blobs(m) == 0 &&
	    copy_snapshots(m) == 0)
		ret = 0;
	in_release(m);
	return ret;
}

/* The number of rows of OUT's `table` (hosts or snapshots). 0 or -1. */
static int count_rows(struct merge *m, const char *table, int64_t *n)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
	sqlite3_stmt *q = NULL;
	int rc = SQLITE_ERROR;

	if (sql && sqlite3_prepare_v2(m->out.db, sql, -1, &q, NULL) == SQLITE_OK &&
	    (rc = sqlite3_step(q)) == SQLITE_ROW)
		*n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_free(sql);
	return rc == SQLITE_ROW ? 0 : store_error(&m->out, "read");
}

/* Merge every file into the open OUT in one transaction. 0 or -1. */
static int merge_all(struct merge *m, char **files, int nfiles, int quiet)
{
	int64_t hosts_before;
	int i;

	progress_init(&m->progress);
	m->progress.enabled &= !quiet;

	if (store_begin(&m->out) < 0)
		return -1;
	if (merge_init(m) < 0 || count_rows(m, "hosts", &hosts_before) < 0 ||
	    count_rows(m, "snapshots", &m->snaps_before) < 0)
		goto fail;
	for (i = 0; i < nfiles; i++) {
		progress_show(&m->progress, "file %d of %d, %lld snapshots added",
			      i + 1, nfiles, (long long)m->added);
		if (merge_file(m, files[i]) < 0)
			goto fail;
	}
	if (count_rows(m, "hosts", &m->hosts_out) < 0 ||
	    store_commit(&m->out) < 0)
		goto fail;
	m->hosts_new = m->hosts_out - hosts_before;
	progress_done(&m->progress);
	return 0;
fail:
	progress_done(&m->progress);
	store_rollback(&m->out);
	return -1;
}

/* A new OUT is built in memory when the inputs, which bound its size,
 * are at most this big together; a bigger one is written page by page. */
#define MEMORY_OUT_MAX ((off_t)256 << 20)

/*
 * Open OUT. A new one (or an empty one) is built under a temporary name
 * beside it (outfile.h) and renamed when whole: in memory when the inputs
 * fit, else page by page; without fsync, as cp writes its copy: if the
 * machine dies, the inputs are all still there to merge again. An OUT
 * that holds snapshots is claimed as a capture claims its file and
 * written in WAL mode: a merge that fails or is killed never touches
 * the file itself, whose readers go on reading it as it was.
 */
static int open_out(struct merge *m, struct outfile *of, const char *path,
		    int fresh, int in_memory)
{
	int made;

	if (!fresh)
		return outfile_claim_db(path, &made) < 0 ||
			store_open(&m->out, path, STORE_WRITE) < 0 ||
			outfile_check_sides(path) < 0 ||
			stat(path, &m->out_st) < 0 ? -1 : 0;
	if (in_memory ? merge_open_memory(&m->out, path) < 0
	    : store_connect(&m->out, path, STORE_BULK, of->tmp, 0) < 0 ||
	      store_validate(&m->out) < 0)
		return -1;
	/* an input naming OUT is known by its inode, or a new OUT by its
	 * directory and name */
	if (stat(path, &m->out_st) < 0) {
		memset(&m->out_st, 0, sizeof(m->out_st));
		if (fstat(of->dirfd, &m->out_dir) < 0)
			return error("cannot open '%s': %s", path, strerror(errno));
		m->out_base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	}
	if (sqlite3_exec(m->out.db, "PRAGMA synchronous = OFF", NULL, NULL,
			 NULL) != SQLITE_OK)
		return store_error(&m->out, "open");
	return 0;
}

/* Do the inputs fit MEMORY_OUT_MAX together? Unreadable ones fail later. */
static int inputs_fit_memory(char **files, int nfiles)
{
	off_t total = 0;
	struct stat st;
	int i;

	for (i = 0; i < nfiles; i++) {
		if (stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
			total += st.st_size;
		if (total > MEMORY_OUT_MAX)
			return 0;
	}
	return 1;
}

/* Print the summary line of a merge that worked. */
static void summary(const struct merge *m)
{
	fprintf(stderr, "%s: merge: %lld snapshots added (%lld already there),"
		" %lld blobs added, %lld hosts (%lld new)\n", progname,
		(long long)m->added, (long long)m->already,
		(long long)m->blobs_added, (long long)m->hosts_out,
		(long long)m->hosts_new);
}

static int run_merge(int argc, char **argv, const struct out_opts *out)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		HELP_OPTION, { NULL, 0, NULL, 0 }
	};
	struct merge m = { 0 };
	struct outfile of = { .fd = -1, .dirfd = -1 };
	struct stat st;
	int c, quiet = 0, exists, fresh, in_memory = 0, ret = -1;
	const char *path;

	(void)out;
	optind = 0;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		if (c == OPT_HELP)
			return command_help(&cmd_merge);
		if (c != 'q')
			return usage_error("see 'merge --help'");
		quiet = 1;
	}
	if (argc - optind < 2)
		return usage_error("merge takes OUT and at least one FILE");
	path = argv[optind];
	exists = lstat(path, &st) == 0;
	fresh = exists ? S_ISREG(st.st_mode) && st.st_size == 0 : errno == ENOENT;
	/* the temporary is made now: a directory we cannot write fails
	 * before the work */
	if (fresh && outfile_begin(&of, path, exists ? OUTFILE_REPLACE
				   : OUTFILE_NEW) < 0)
		return 1;
	in_memory = fresh && inputs_fit_memory(argv + optind + 1,
					       argc - optind - 1);
	if (open_out(&m, &of, path, fresh, in_memory) == 0)
		ret = merge_all(&m, argv + optind + 1, argc - optind - 1, quiet);
	if (ret == 0 && in_memory && merge_save_image(&m.out, of.fd) < 0)
		ret = -1;
	merge_release(&m);
	store_close(&m.out);
	if (ret == 0 && fresh && outfile_commit(&of) < 0)
		ret = -1;
	if (ret == 0 && !quiet)
		summary(&m);
	/* a failed merge leaves OUT as it was, even when that was nothing */
	outfile_release(&of);
	return ret < 0 ? 1 : 0;
}

const struct command cmd_merge = {
	"merge", "merge [-q] OUT FILE...", run_merge, 0, OUTPUT_NONE,
};
