/* cmd_redact.c - `redact IN OUT`: a new file for a bug report, every path,
 * argument, user, host and label in it replaced by a stable short hash. */
#include "analyze.h"
#include "outfile.h"
#include "cgpath.h"
#include "redact.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * How each column goes into OUT. Every column of OUT's schema must be
 * named here (check_columns): a column added to schema.sql stops redact
 * until someone decides whether it can hold a secret, instead of being
 * copied as it is. Blob columns name the kind of text they hold.
 */
enum how {
	C_KEEP, C_HOST, C_LABEL, C_OPTIONS, C_USER, C_COMM, C_CMDLINE, C_PATH,
	C_CGROUP,		/* a cgroup path: redact_cgroup */
	/* what a process's redacted memory cgroup path says (cg_ident) */
	C_UNIT, C_SLICE, C_CONTAINER_ID, C_POD_UID, C_CONTAINER_NAME,
	/* blobs, from C_MEMINFO on; C_MEMINFO: the kernel's own names and
	 * numbers (meminfo, memory.stat, memory.events), kept */
	C_MEMINFO, C_STAT, C_STATUS, C_MAPS,
};

struct column {
	const char *name;
	enum how kind;
};

static const struct column snapshot_cols[] = {
	{ "id", C_KEEP }, { "uuid", C_KEEP }, { "host_id", C_HOST },
	{ "boot_id", C_KEEP }, { "kernel", C_KEEP }, { "arch", C_KEEP },
	{ "page_size", C_KEEP }, { "time_us", C_KEEP }, { "uptime", C_KEEP },
	{ "label", C_LABEL }, { "tool_version", C_KEEP },
	{ "options", C_OPTIONS }, { "source", C_KEEP },
	{ "meminfo_blob", C_MEMINFO }, { "procs_seen", C_KEEP },
	{ "procs_captured", C_KEEP }, { "procs_skipped", C_KEEP },
	{ "bytes_read", C_KEEP },
};
static const struct column skip_cols[] = {
	{ "reason", C_KEEP }, { "count", C_KEEP },
};
static const struct column skipped_cols[] = {
	{ "pid", C_KEEP }, { "reason", C_KEEP }, { "comm", C_COMM },
};
static const struct column meminfo_cols[] = {
	{ "name", C_KEEP }, { "value", C_KEEP },
};
static const struct column process_cols[] = {
	{ "pid", C_KEEP }, { "ppid", C_KEEP }, { "start_time", C_KEEP },
	{ "uid", C_KEEP }, { "user", C_USER }, { "comm", C_COMM },
	{ "cmdline", C_CMDLINE }, { "exe", C_PATH }, { "threads", C_KEEP },
	{ "stat_blob", C_STAT }, { "status_blob", C_STATUS },
	{ "text_blob", C_MAPS }, { "text_kind", C_KEEP },
	{ "rollup_blob", C_MAPS }, { "nmaps", C_KEEP }, { "size_kb", C_KEEP },
	{ "rss_kb", C_KEEP }, { "pss_kb", C_KEEP }, { "uss_kb", C_KEEP },
	{ "shared_kb", C_KEEP }, { "swap_kb", C_KEEP },
	{ "swap_pss_kb", C_KEEP }, { "anon_kb", C_KEEP },
	{ "locked_kb", C_KEEP },
	{ "text_reused", C_KEEP },
	{ "cgroup", C_CGROUP }, { "cgroup_memory", C_CGROUP },
	{ "unit", C_UNIT }, { "slice", C_SLICE },
	{ "container_runtime", C_KEEP }, { "container_id", C_CONTAINER_ID },
	{ "pod_uid", C_POD_UID }, { "container_name", C_CONTAINER_NAME },
	{ "nspid", C_KEEP }, { "pidns", C_KEEP }, { "oom_score_adj", C_KEEP },
};
static const struct column cgroup_cols[] = {
	{ "hierarchy", C_KEEP }, { "path", C_CGROUP },
	{ "current_bytes", C_KEEP }, { "max_bytes", C_KEEP },
	{ "high_bytes", C_KEEP }, { "swap_bytes", C_KEEP },
	{ "anon_bytes", C_KEEP }, { "file_bytes", C_KEEP },
	{ "kernel_bytes", C_KEEP }, { "sock_bytes", C_KEEP },
	{ "oom", C_KEEP }, { "oom_kill", C_KEEP },
	{ "memory_stat_blob", C_MEMINFO }, { "memory_events_blob", C_MEMINFO },
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* A table copied snapshot by snapshot; snapshots itself keeps its ids. */
struct table_spec {
	const char *name;
	const struct column *cols;
	size_t ncols;
};

enum { T_SNAPSHOTS, T_SKIPS, T_MEMINFO, T_PROCESSES, T_SKIPPED, T_CGROUPS,
       NTABLES };

static const struct table_spec tables[NTABLES] = {
	{ "snapshots", snapshot_cols, NCOLS(snapshot_cols) },
	{ "skips", skip_cols, NCOLS(skip_cols) },
	{ "meminfo", meminfo_cols, NCOLS(meminfo_cols) },
	{ "processes", process_cols, NCOLS(process_cols) },
	{ "skipped_pids", skipped_cols, NCOLS(skipped_cols) },
	{ "cgroups", cgroup_cols, NCOLS(cgroup_cols) },
};

/* Written whole by other means: hosts by store_host, blobs by
 * store_blob_put, meta by store_open. */
static const char *const other_columns[] = {
	"hosts.id", "hosts.hostname", "hosts.machine_id", "blobs.id",
	"blobs.hash", "blobs.raw_size", "blobs.codec", "blobs.data",
	"meta.key", "meta.value", "skips.snapshot_id", "meminfo.snapshot_id",
	"processes.snapshot_id", "skipped_pids.snapshot_id",
	"cgroups.snapshot_id",
};

/* (input blob id, kind) -> OUT's blob id: open addressing, key 0 empty. */
struct blobmap {
	uint64_t *keys;
	int64_t *vals;
	size_t n, cap;
};

struct host_pair {
	int64_t from, to;
};

struct redact {
	struct redactor r;
	struct store in, out;
	const char *dest;	/* OUT's name; out is a temp file beside it */
	sqlite3_stmt *sel[NTABLES], *ins[NTABLES], *host;
	struct blobmap blobs;
	struct host_pair *hosts;
	size_t nhosts;
	struct buf text, red;	/* an inflated text, its redacted form */
	int64_t nsnaps, nprocs, ntexts, nstored;
};

static size_t blobmap_slot(const struct blobmap *m, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int blobmap_find(const struct blobmap *m, uint64_t key, int64_t *val)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = blobmap_slot(m, key);
	*val = m->vals[i];
	return m->keys[i] == key;
}

static void blobmap_add(struct blobmap *m, uint64_t key, int64_t val)
{
	struct blobmap old = *m;
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->keys = xcalloc(m->cap, sizeof(*m->keys));
		m->vals = xcalloc(m->cap, sizeof(*m->vals));
		for (i = 0; i < old.cap; i++)
			if (old.keys[i]) {
				size_t j = blobmap_slot(m, old.keys[i]);

				m->keys[j] = old.keys[i];
				m->vals[j] = old.vals[i];
			}
		free(old.keys);
		free(old.vals);
	}
	i = blobmap_slot(m, key);
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

/* Every column of OUT's schema is one redact knows what to do with. */
static int check_columns(struct redact *x)
{
	static const char sql[] =
		"SELECT m.name, p.name FROM sqlite_schema AS m,"
		" pragma_table_info(m.name) AS p WHERE m.type = 'table'";
	sqlite3_stmt *q = NULL;
	const char *t, *c;
	size_t i, k;
	int rc, known, ret = 0;

	if (sqlite3_prepare_v2(x->out.db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(&x->out, "read the tables of");
	while (ret == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(q, 0);
		c = (const char *)sqlite3_column_text(q, 1);
		known = 0;
		for (i = 0; !known && i < NTABLES; i++)
			for (k = 0; !strcmp(t, tables[i].name) &&
			     k < tables[i].ncols; k++)
				known |= !strcmp(c, tables[i].cols[k].name);
		for (i = 0; !known && i < NCOLS(other_columns); i++)
			known = !strncmp(other_columns[i], t, strlen(t)) &&
				other_columns[i][strlen(t)] == '.' &&
				!strcmp(other_columns[i] + strlen(t) + 1, c);
		if (!known)
			ret = error("redact does not know whether %s.%s may hold"
				    " a secret: not writing '%s'", t, c,
				    x->dest);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_error(&x->out, "read the tables of");
	sqlite3_finalize(q);
	return ret;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK)
		return store_error(s, "read");
	return 0;
}

/* The SELECT on IN and the INSERT on OUT of table i. */
static int prepare_table(struct redact *x, size_t i)
{
	const struct table_spec *t = &tables[i];
	struct buf cols = BUF_INIT(1 << 16), vals = BUF_INIT(1 << 16);
	struct buf from = BUF_INIT(1 << 16);
	int child = i != T_SNAPSHOTS, ret = -1;
	char *sel = NULL, *ins = NULL;
	size_t k;

	for (k = 0; k < t->ncols; k++) {
		buf_addf(&cols, "%s\"%s\"", k ? ", " : "", t->cols[k].name);
		buf_addf(&vals, "%s?%zu", k || child ? ", " : "", k + 1 + child);
		/* a column that IN's older format lacks is unknown: NULL */
		if (store_has(&x->in, t->name, t->cols[k].name))
			buf_addf(&from, "%s\"%s\"", k ? ", " : "",
				 t->cols[k].name);
		else
			buf_addf(&from, "%sNULL", k ? ", " : "");
	}
	if (child) {
		/* a table IN's older format lacks has no rows */
		sel = store_has(&x->in, t->name, NULL)
			? sqlite3_mprintf("SELECT %s FROM \"%w\" WHERE"
					  " snapshot_id = ?1", from.data, t->name)
			: sqlite3_mprintf("SELECT %s WHERE ?1 AND 0", from.data);
		ins = sqlite3_mprintf("INSERT INTO \"%w\" (snapshot_id, %s)"
				      " VALUES (?1%s)", t->name, cols.data,
				      vals.data);
	} else {
		sel = sqlite3_mprintf("SELECT %s FROM \"%w\" ORDER BY id",
				      from.data, t->name);
		ins = sqlite3_mprintf("INSERT INTO \"%w\" (%s) VALUES (%s)",
				      t->name, cols.data, vals.data);
	}
	if (sel && ins && prepare(&x->in, sel, &x->sel[i]) == 0 &&
	    prepare(&x->out, ins, &x->ins[i]) == 0)
		ret = 0;
	sqlite3_free(sel);
	sqlite3_free(ins);
	buf_release(&cols);
	buf_release(&vals);
	buf_release(&from);
	return ret;
}

static int damaged(struct redact *x, const char *table, const char *col)
{
	return error("cannot redact '%s': it is damaged: %s.%s is not an id",
		     x->in.path, table, col);
}

/* IN's host `from` as OUT's host, its name and machine-id redacted. */
static int map_host(struct redact *x, int64_t from, int64_t *to)
{
	const unsigned char *name, *mid;
	struct buf b = BUF_INIT(1 << 16);
	size_t i, namelen;
	int rc, ret = -1;

	for (i = 0; i < x->nhosts; i++)
		if (x->hosts[i].from == from) {
			*to = x->hosts[i].to;
			return 0;
		}
	sqlite3_reset(x->host);
	sqlite3_bind_int64(x->host, 1, from);
	rc = sqlite3_step(x->host);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? error("cannot redact '%s': it is"
			" damaged: host %lld is missing", x->in.path,
			(long long)from) : store_error(&x->in, "read");
	name = sqlite3_column_text(x->host, 0);
	namelen = (size_t)sqlite3_column_bytes(x->host, 0);
	mid = sqlite3_column_text(x->host, 1);
	/* two parts in one buffer: "name\0machine-id\0" */
	if (redact_token(&x->r, (const char *)name, name ? namelen : 0, &b) < 0 ||
	    buf_addch(&b, '\0') < 0 ||
	    redact_token(&x->r, (const char *)mid,
			 mid ? (size_t)sqlite3_column_bytes(x->host, 1) : 0,
			 &b) < 0) {
		error("cannot redact '%s': a host name is too long", x->in.path);
		goto out;
	}
	if (store_host(&x->out, b.data, b.data + strlen(b.data) + 1, to) < 0)
		goto out;
	x->hosts = xreallocarray(x->hosts, x->nhosts + 1, sizeof(*x->hosts));
	x->hosts[x->nhosts].from = from;
	x->hosts[x->nhosts++].to = *to;
	ret = 0;
out:
	buf_release(&b);
	return ret;
}

/* IN's blob `from`, a text of `kind`, redacted and stored in OUT. */
static int map_blob(struct redact *x, int64_t from, enum how kind,
		    int64_t *to)
{
	uint64_t key = (uint64_t)from << 8 | (uint64_t)kind;	/* kind < 256 */
	char err[200] = "";
	size_t added;
	const char *t;
	int rc = 0;

	if (blobmap_find(&x->blobs, key, to))
		return 0;
	buf_reset(&x->text);
	buf_reset(&x->red);
	if (store_blob_get(&x->in, from, &x->text) < 0)
		return -1;
	t = x->text.data ? x->text.data : "";
	switch (kind) {
	case C_STAT:
		rc = redact_stat(&x->r, t, x->text.len, &x->red);
		break;
	case C_STATUS:
		rc = redact_status(&x->r, t, x->text.len, &x->red);
		break;
	case C_MAPS:
		rc = redact_maps(&x->r, t, x->text.len, &x->red, err,
				 sizeof(err));
		break;
	default:	/* meminfo: names and numbers of the kernel's */
		rc = buf_add(&x->red, t, x->text.len);
		break;
	}
	if (rc < 0)
		return error("cannot redact '%s': blob %lld: %s", x->in.path,
			     (long long)from, err[0] ? err : "too large");
	if (store_blob_put(&x->out, x->red.data ? x->red.data : "", x->red.len,
			   to, &added) < 0)
		return -1;
	blobmap_add(&x->blobs, key, *to);
	x->ntexts++;
	x->nstored += added > 0;
	return 0;
}

typedef int (*redact_fn)(const struct redactor *, const char *, size_t,
			 struct buf *);

/* The index of column `name` of table t, in its SELECT. */
static int column_of(size_t t, const char *name)
{
	size_t i;

	for (i = 0; i < tables[t].ncols; i++)
		if (!strcmp(tables[t].cols[i].name, name))
			return (int)i;
	assert(!"a column redact does not list");
	return 0;
}

/*
 * A column derived from the process's memory cgroup path (c->kind: C_UNIT
 * to C_CONTAINER_NAME), redacted by deriving it again from the redacted
 * path: so it holds the very token the path does. Into x->red; 0 (an
 * empty result: the column is NULL), 1, or -1 (too long).
 */
static int derive_column(struct redact *x, const struct column *c)
{
	sqlite3_stmt *sel = x->sel[T_PROCESSES];
	int i = column_of(T_PROCESSES, "cgroup_memory");
	const char *path, *v;
	struct cg_ident id;

	if (sqlite3_column_type(sel, i) == SQLITE_NULL)
		i = column_of(T_PROCESSES, "cgroup");
	path = (const char *)sqlite3_column_text(sel, i);

	buf_reset(&x->red);
	if (!path || redact_cgroup(&x->r, path,
				   (size_t)sqlite3_column_bytes(sel, i),
				   &x->red) < 0)
		return path ? -1 : 0;
	cg_ident(x->red.data, x->red.len, &id);
	v = c->kind == C_UNIT ? id.unit : c->kind == C_SLICE ? id.slice
		: c->kind == C_CONTAINER_ID ? id.id : c->kind == C_POD_UID
		? id.pod : id.name;
	buf_reset(&x->red);
	return *v ? buf_addstr(&x->red, v) < 0 ? -1 : 1 : 0;
}

/* Bind column i of table t's row on `sel` to `ins` as ?param, redacted. */
static int bind_column(struct redact *x, size_t t, size_t i, int param)
{
	sqlite3_stmt *sel = x->sel[t], *ins = x->ins[t];
	const struct column *c = &tables[t].cols[i];
	int type = sqlite3_column_type(sel, (int)i), rc;
	int64_t id = sqlite3_column_int64(sel, (int)i);
	redact_fn fn = NULL;
	const char *s;
	size_t n;

	if (c->kind == C_KEEP || type == SQLITE_NULL)
		return sqlite3_bind_value(ins, param, sqlite3_column_value(sel,
			(int)i)) == SQLITE_OK ? 0 : store_error(&x->out, "write");
	if (c->kind == C_HOST || c->kind >= C_MEMINFO) {
		if (type != SQLITE_INTEGER || id <= 0)
			return damaged(x, tables[t].name, c->name);
		if ((c->kind == C_HOST ? map_host(x, id, &id)
		     : map_blob(x, id, c->kind, &id)) < 0)
			return -1;
		sqlite3_bind_int64(ins, param, id);
		return 0;
	}
	if (c->kind >= C_UNIT && c->kind < C_MEMINFO) {
		if ((rc = derive_column(x, c)) < 0)
			return error("cannot redact '%s': %s.%s is too long",
				     x->in.path, tables[t].name, c->name);
		return (rc ? sqlite3_bind_text64(ins, param, x->red.data,
						 x->red.len, SQLITE_TRANSIENT,
						 SQLITE_UTF8)
			: sqlite3_bind_null(ins, param)) == SQLITE_OK ? 0
			: store_error(&x->out, "write");
	}
	switch (c->kind) {
	case C_LABEL: fn = redact_label; break;
	case C_CGROUP: fn = redact_cgroup; break;
	case C_OPTIONS: fn = redact_options; break;
	case C_USER: fn = redact_user; break;
	case C_COMM: fn = redact_comm; break;
	case C_CMDLINE: fn = redact_cmdline; break;
	default: fn = redact_path; break;
	}
	/* a number where text belongs is redacted as its text */
	s = (const char *)(type == SQLITE_BLOB ? sqlite3_column_blob(sel, (int)i)
			   : sqlite3_column_text(sel, (int)i));
	n = (size_t)sqlite3_column_bytes(sel, (int)i);
	buf_reset(&x->red);
	if (fn(&x->r, s ? s : "", s ? n : 0, &x->red) < 0)
		return error("cannot redact '%s': %s.%s is too long", x->in.path,
			     tables[t].name, c->name);
	s = x->red.data ? x->red.data : "";
	rc = type == SQLITE_BLOB
		? sqlite3_bind_blob64(ins, param, s, x->red.len, SQLITE_TRANSIENT)
		: sqlite3_bind_text64(ins, param, s, x->red.len, SQLITE_TRANSIENT,
				      SQLITE_UTF8);
	return rc == SQLITE_OK ? 0 : store_error(&x->out, "write");
}

/* Copy table t's rows (of snapshot `snap`, for a child table). */
static int copy_rows(struct redact *x, size_t t, int64_t snap)
{
	sqlite3_stmt *sel = x->sel[t], *ins = x->ins[t];
	int child = t != T_SNAPSHOTS, rc;
	size_t i;

	sqlite3_reset(sel);
	if (child)
		sqlite3_bind_int64(sel, 1, snap);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		if (child)
			sqlite3_bind_int64(ins, 1, snap);
		for (i = 0; i < tables[t].ncols; i++)
			if (bind_column(x, t, i, (int)i + 1 + child) < 0)
				return -1;
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		if (rc != SQLITE_DONE)
			return store_error(&x->out, "write");
		if (t == T_PROCESSES)
			x->nprocs++;
		if (t == T_SNAPSHOTS) {
			/* the id stays: "snapshot 3" in a report still is */
			snap = sqlite3_column_int64(sel, 0);
			for (i = T_SNAPSHOTS + 1; i < NTABLES; i++)
				if (copy_rows(x, i, snap) < 0)
					return -1;
			x->nsnaps++;
		}
	}
	return rc == SQLITE_DONE ? 0 : store_error(&x->in, "read");
}

static int redact_all(struct redact *x)
{
	size_t i;

	/* one read transaction: IN cannot change under the copy */
	if (sqlite3_exec(x->in.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_error(&x->in, "read");
	if (check_columns(x) < 0 ||
	    prepare(&x->in, "SELECT hostname, machine_id FROM hosts WHERE"
		    " id = ?1", &x->host) < 0)
		return -1;
	for (i = 0; i < NTABLES; i++)
		if (prepare_table(x, i) < 0)
			return -1;
	if (store_begin(&x->out) < 0)
		return -1;
	if (copy_rows(x, T_SNAPSHOTS, 0) < 0 || store_commit(&x->out) < 0) {
		store_rollback(&x->out);
		return -1;
	}
	return 0;
}

/* Before the stores close: a connection with statements left stays open. */
static void redact_finalize(struct redact *x)
{
	size_t i;

	for (i = 0; i < NTABLES; i++) {
		sqlite3_finalize(x->sel[i]);
		sqlite3_finalize(x->ins[i]);
		x->sel[i] = x->ins[i] = NULL;
	}
	sqlite3_finalize(x->host);
	x->host = NULL;
}

static void redact_release(struct redact *x)
{
	redact_finalize(x);
	free(x->blobs.keys);
	free(x->blobs.vals);
	free(x->hosts);
	buf_release(&x->text);
	buf_release(&x->red);
	redactor_release(&x->r);
}

enum { OPT_KEEP_PATHS = OPT_HELP + 1, OPT_NAMES, OPT_KEEP_LABELS, OPT_SALT };

static int parse_args(int argc, char **argv, struct redact *x, int *quiet)
{
	static const struct option opts[] = {
		{ "keep-paths", required_argument, NULL, OPT_KEEP_PATHS },
		{ "redact-names", no_argument, NULL, OPT_NAMES },
		{ "keep-labels", no_argument, NULL, OPT_KEEP_LABELS },
		{ "salt", required_argument, NULL, OPT_SALT },
		{ "quiet", no_argument, NULL, 'q' },
		HELP_OPTION, { NULL, 0, NULL, 0 }
	};
	int c, i, has_keep = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			return command_help(&cmd_redact);
		case OPT_KEEP_PATHS:
			if (redactor_keep(&x->r, optarg) < 0)
				return usage_error("--keep-paths takes absolute"
						   " paths, not '%s'", optarg);
			has_keep = 1;
			break;
		case OPT_NAMES: x->r.names = 1; break;
		case OPT_KEEP_LABELS: x->r.labels = 1; break;
		case OPT_SALT: redactor_salt(&x->r, optarg, strlen(optarg)); break;
		case 'q': *quiet = 1; break;
		default: return usage_error("see 'redact --help'");
		}
	}
	if (argc - optind < 2)
		return usage_error("redact takes IN and OUT");
	/* "IN OUT --keep-paths A B": B is a prefix too */
	for (i = optind + 2; i < argc; i++)
		if (!has_keep || redactor_keep(&x->r, argv[i]) < 0)
			return usage_error("unexpected argument '%s'", argv[i]);
	return -1;
}

static int run_redact(int argc, char **argv, const struct out_opts *out)
{
	struct redact x = { .text = BUF_INIT(BLOB_MAX_RAW),
			    .red = BUF_INIT(BLOB_MAX_RAW) };
	const char *in, *path;
	struct outfile of = { .fd = -1, .dirfd = -1 };
	int quiet = 0, ret;

	(void)out;
	redactor_init(&x.r);
	ret = parse_args(argc, argv, &x, &quiet);
	if (ret >= 0)
		goto done;
	ret = 1;
	in = argv[optind];
	path = x.dest = argv[optind + 1];
	/* OUT is a new file (never one that may be someone's data), written
	 * under a temporary name and renamed when whole */
	if (outfile_begin(&of, path, OUTFILE_NEW) < 0)
		goto done;
	if (store_open(&x.in, in, STORE_READ) < 0)
		goto done;
	/* what this build does not know may hold a secret it cannot see */
	if (x.in.format.minor > FORMAT_MINOR) {
		error("cannot redact '%s': it has format %d.%d, newer than this"
		      " mapsnap (%s) writes (%s): upgrade mapsnap", in,
		      FORMAT_MAJOR, x.in.format.minor, MAPSNAP_VERSION,
		      format_version());
		goto done;
	}
	if (store_connect(&x.out, path, STORE_BULK, of.tmp, 0) == 0 &&
	    store_validate(&x.out) == 0 && redact_all(&x) == 0) {
		redact_finalize(&x);
		store_close(&x.out);
		if (outfile_commit(&of) == 0)
			ret = 0;
	}
	if (ret == 0 && !quiet)
		fprintf(stderr, "%s: redact: %lld snapshots, %lld processes,"
			" %lld texts rewritten (%lld stored) into '%s'\n",
			progname, (long long)x.nsnaps, (long long)x.nprocs,
			(long long)x.ntexts, (long long)x.nstored, path);
done:
	redact_release(&x);
	store_close(&x.out);
	store_close(&x.in);
	outfile_release(&of);
	return ret;
}

const struct command cmd_redact = {
	"redact",
	"redact [-q] [--keep-paths PREFIX]... [--redact-names] [--keep-labels]"
	" [--salt TEXT] IN OUT [PREFIX...]",
	run_redact, 0, OUTPUT_NONE,
};
