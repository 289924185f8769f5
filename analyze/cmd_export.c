/* cmd_export.c - `export`: snapshots, processes or mappings as CSV or JSON
 * lines for other engines, streamed one text at a time; or a proc tree. */
#include "analyze.h"
#include "export.h"
#include "progress.h"
#include "smaps.h"
#include "util.h"

#include <assert.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A column's kind: how its values are read from a row (X_INT: as an
 * integer, a figure of the sink) or as text. */
enum { X_TEXT = 0, X_INT = 1 };

/*
 * The keys every row carries, so that rows of many files join in another
 * engine: a snapshot is its uuid (ids are local to one file), a host its
 * hostname and machine-id, a process its pid and start time in one boot.
 */
#define KEY_COLS \
	{ "host", X_TEXT, 0 }, { "machine_id", X_TEXT, 0 }, \
	{ "snapshot", X_TEXT, 0 }, { "snapshot_id", X_INT, 0 }, \
	{ "time", X_TEXT, 0 }, { "time_us", X_INT, 0 }, \
	{ "boot_id", X_TEXT, 0 }
enum { NKEYS = 7 };

static const struct sink_col snapshot_cols[] = {
	KEY_COLS,
	{ "kernel", X_TEXT, 0 }, { "arch", X_TEXT, 0 },
	{ "page_size", X_INT, 0 }, { "uptime", X_TEXT, 0 },
	{ "label", X_TEXT, 0 }, { "source", X_TEXT, 0 },
	{ "seen", X_INT, 0 }, { "processes", X_INT, 0 },
	{ "skipped", X_INT, 0 }, { "rss", X_INT, 0 }, { "pss", X_INT, 0 },
	{ "uss", X_INT, 0 }, { "swap", X_INT, 0 }, { "vss", X_INT, 0 },
};

static const struct sink_col process_cols[] = {
	KEY_COLS,
	{ "pid", X_INT, 0 }, { "ppid", X_INT, 0 },
	{ "start_time", X_INT, 0 }, { "uid", X_INT, 0 },
	{ "user", X_TEXT, 0 }, { "comm", X_TEXT, 0 },
	{ "command", X_TEXT, 0 }, { "exe", X_TEXT, 0 },
	{ "threads", X_INT, 0 }, { "kind", X_TEXT, 0 }, { "maps", X_INT, 0 },
	{ "vss", X_INT, 0 }, { "rss", X_INT, 0 }, { "pss", X_INT, 0 },
	{ "uss", X_INT, 0 }, { "shared", X_INT, 0 }, { "swap", X_INT, 0 },
	{ "swappss", X_INT, 0 }, { "anonymous", X_INT, 0 },
	{ "locked", X_INT, 0 },
};

/* The mappings SQL table's columns; then one per smaps field, added. */
static const struct sink_col mapping_head[] = {
	KEY_COLS,
	{ "pid", X_INT, 0 }, { "start_time", X_INT, 0 },
	{ "comm", X_TEXT, 0 }, { "start", X_TEXT, 0 }, { "end", X_TEXT, 0 },
	{ "perm", X_TEXT, 0 }, { "offset", X_TEXT, 0 }, { "dev", X_TEXT, 0 },
	{ "inode", X_INT, 0 }, { "path", X_TEXT, 0 },
};
#define NHEAD (sizeof(mapping_head) / sizeof(mapping_head[0]))

static void sink_str(struct sink *s, const char *p)
{
	sink_text(s, p, strlen(p));
}

/* Column c of q, as the sink's next cell: NULL stays null. */
static void sink_column(struct sink *s, sqlite3_stmt *q, int c)
{
	if (sqlite3_column_type(q, c) == SQLITE_NULL)
		sink_null(s);
	else if (s->cols[s->col].figure == X_INT)
		sink_int(s, sqlite3_column_int64(q, c));
	else
		sink_text(s, (const char *)sqlite3_column_text(q, c),
			  (size_t)sqlite3_column_bytes(q, c));
}

/* The key columns, from q's columns k .. k + 5 (host, machine_id, uuid,
 * snapshot id, time_us, boot_id). */
static void put_keys(struct sink *s, sqlite3_stmt *q, int k)
{
	int64_t us = sqlite3_column_int64(q, k + 4);

	sink_column(s, q, k);
	sink_column(s, q, k + 1);
	sink_column(s, q, k + 2);
	sink_column(s, q, k + 3);
	if (us >= 0)
		sink_time(s, us);	/* ISO 8601, as CSV and JSON show times */
	else
		sink_null(s);
	sink_int(s, us);
	sink_column(s, q, k + 5);
}

#define KEYS_SQL "h.hostname, h.machine_id, s.uuid, s.id, s.time_us, s.boot_id"
#define SCOPE_SQL \
	" WHERE (?1 IS NULL OR s.id = ?1) AND (?2 IS NULL OR h.hostname = ?2)"

static const char snapshots_sql[] =
	"SELECT " KEYS_SQL ", s.kernel, s.arch, s.page_size, s.uptime,"
	" s.label, s.source, s.procs_seen, s.procs_captured, s.procs_skipped,"
	" sum(p.rss_kb), sum(p.pss_kb), sum(p.uss_kb), sum(p.swap_kb),"
	" sum(p.size_kb)"
	" FROM snapshots AS s JOIN hosts AS h ON h.id = s.host_id"
	" LEFT JOIN processes AS p ON p.snapshot_id = s.id" SCOPE_SQL
	" GROUP BY s.id ORDER BY s.time_us, s.id";

/* The first five columns are those filters_pass_row() wants. */
static const char processes_sql[] =
	"SELECT p.pid, p.user, p.uid, p.comm, p.cmdline, " KEYS_SQL ","
	" p.ppid, p.start_time, p.exe, p.threads, p.text_kind, p.nmaps,"
	" p.size_kb, p.rss_kb, p.pss_kb, p.uss_kb, p.shared_kb, p.swap_kb,"
	" p.swap_pss_kb, p.anon_kb, p.locked_kb, p.text_blob"
	" FROM processes AS p JOIN snapshots AS s ON s.id = p.snapshot_id"
	" JOIN hosts AS h ON h.id = s.host_id" SCOPE_SQL
	" ORDER BY s.time_us, s.id, p.pid";
enum { PQ_KEYS = 5, PQ_PPID = 11, PQ_START = 12, PQ_EXE = 13,
       PQ_KIND = 15, PQ_BLOB = 26 };

static void process_row(struct sink *s, sqlite3_stmt *q, const char *cmd)
{
	int c;

	put_keys(s, q, PQ_KEYS);
	sink_column(s, q, 0);		/* pid */
	sink_column(s, q, PQ_PPID);
	sink_column(s, q, PQ_START);
	sink_column(s, q, 2);		/* uid, user, comm */
	sink_column(s, q, 1);
	sink_column(s, q, 3);
	sink_str(s, cmd);
	for (c = PQ_EXE; c < PQ_BLOB; c++)
		sink_column(s, q, c);
	sink_end_row(s);
}

/* Hex as maps prints it, into tmp (at least 17 bytes). */
static const char *hex(char *tmp, size_t n, uint64_t v, int width)
{
	snprintf(tmp, n, "%0*" PRIx64, width, v);
	return tmp;
}

/* One row per record of one process's text. 0, or -1 when a record did
 * not parse (printed; the others are written). */
static int mapping_rows(struct sink *s, sqlite3_stmt *q, const struct buf *text,
			int usage, const char *file)
{
	struct smaps_parser ps;
	struct smaps_map m;
	char tmp[32];
	int r, ret = 0, f;

	smaps_parser_init(&ps, text->data ? text->data : "", text->len);
	while ((r = smaps_next(&ps, &m)) != 0) {
		if (r < 0) {
			error("'%s': text of process %lld in snapshot %s: %s",
			      file, (long long)sqlite3_column_int64(q, 0),
			      (const char *)sqlite3_column_text(q, PQ_KEYS + 2),
			      ps.err);
			ret = -1;
			continue;
		}
		put_keys(s, q, PQ_KEYS);
		sink_column(s, q, 0);
		sink_column(s, q, PQ_START);
		sink_column(s, q, 3);
		sink_str(s, hex(tmp, sizeof(tmp), m.start, 8));
		sink_str(s, hex(tmp, sizeof(tmp), m.end, 8));
		sink_str(s, m.perms);
		sink_str(s, hex(tmp, sizeof(tmp), m.offset, 8));
		snprintf(tmp, sizeof(tmp), "%02x:%02x", m.dev_major, m.dev_minor);
		sink_str(s, tmp);
		sink_int(s, (int64_t)m.inode);
		sink_text(s, m.name ? m.name : "", m.name ? m.name_len : 0);
		for (f = 0; f < SF__COUNT; f++) {
			if (usage && (m.present >> f & 1))
				sink_int(s, (int64_t)m.val[f]);
			else if (f == SF_SIZE)	/* a maps line still has it */
				sink_int(s, (int64_t)((m.end - m.start) / 1024));
			else
				sink_null(s);
		}
		sink_end_row(s);
	}
	return ret;
}

/* The stored text of process row q, as mapping rows. 0 or -1 (printed). */
static int process_mappings(struct sink *s, struct store *st, sqlite3_stmt *q,
			    struct buf *text)
{
	const char *kind = (const char *)sqlite3_column_text(q, PQ_KIND);

	if (sqlite3_column_type(q, PQ_BLOB) == SQLITE_NULL)
		return 0;
	if (kind && !strcmp(kind, "rollup")) {
		warn("'%s': process %lld stored only smaps_rollup: it has no"
		     " mappings", st->path, (long long)sqlite3_column_int64(q, 0));
		return 0;
	}
	buf_reset(text);
	if (store_blob_get(st, sqlite3_column_int64(q, PQ_BLOB), text) < 0)
		return -1;
	return mapping_rows(s, q, text, kind && !strcmp(kind, "smaps"),
			    st->path);
}

enum what { W_SNAPSHOTS, W_PROCESSES, W_MAPPINGS };

static void bind_scope(sqlite3_stmt *q, int64_t snap, const char *host)
{
	if (snap > 0)
		sqlite3_bind_int64(q, 1, snap);
	if (host)
		sqlite3_bind_text(q, 2, host, -1, SQLITE_STATIC);
}

static int export_snapshots(struct store *st, int64_t snap, const char *host,
			    struct sink *s)
{
	sqlite3_stmt *q = NULL;
	int rc, c;

	if (sqlite3_prepare_v2(st->db, snapshots_sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, "read snapshots from");
	bind_scope(q, snap, host);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		put_keys(s, q, 0);
		for (c = 6; c < 20; c++)
			sink_column(s, q, c);
		sink_end_row(s);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, "read snapshots from");
}

/* Processes or their mappings. 0, 1 when a text was bad (printed, the
 * rest written), -1 when the file cannot be read. */
static int export_processes(struct store *st, int64_t snap,
			    const struct filters *f, enum what w,
			    struct sink *s)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	sqlite3_stmt *q = NULL;
	struct progress progress;
	long long done = 0;
	int rc, bad = 0;

	if (sqlite3_prepare_v2(st->db, processes_sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, "read processes from");
	bind_scope(q, snap, f->host);
	progress_init(&progress);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *cmd = filters_pass_row(f, q);

		if (!cmd)
			continue;
		progress_show(&progress, "%lld processes exported", done++);
		if (w == W_PROCESSES)
			process_row(s, q, cmd);
		else if (process_mappings(s, st, q, &text) < 0)
			bad = 1;
		free(cmd);
		if (ferror(stdout))
			break;	/* close_stdout() reports it */
	}
	progress_done(&progress);
	sqlite3_finalize(q);
	buf_release(&text);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_error(st, "read processes from");
	return bad;
}

/* mapping_head and a lower-case column per smaps field, built once. */
static struct sink_col *mapping_cols(size_t *n)
{
	static char names[SF__COUNT][24];
	struct sink_col *cols = xreallocarray(NULL, NHEAD + SF__COUNT,
					      sizeof(*cols));
	size_t i, k;

	memcpy(cols, mapping_head, sizeof(mapping_head));
	for (i = 0; i < SF__COUNT; i++) {
		const char *src = smaps_field_names[i];

		for (k = 0; src[k] && k + 1 < sizeof(names[i]); k++)
			names[i][k] = (char)(src[k] >= 'A' && src[k] <= 'Z'
					     ? src[k] - 'A' + 'a' : src[k]);
		names[i][k] = '\0';
		cols[NHEAD + i].name = names[i];
		cols[NHEAD + i].figure = X_INT;
		cols[NHEAD + i].width = 0;
	}
	*n = NHEAD + SF__COUNT;
	return cols;
}

static int parse_what(const char *arg, enum what *w)
{
	if (!strcmp(arg, "snapshots"))
		*w = W_SNAPSHOTS;
	else if (!strcmp(arg, "processes"))
		*w = W_PROCESSES;
	else if (!strcmp(arg, "mappings"))
		*w = W_MAPPINGS;
	else
		return usage_error("bad --what '%s': expected snapshots,"
				   " processes or mappings", arg);
	return 0;
}

/* The rows' format: CSV, or JSON lines (one document a row, which a
 * stream can hold) for --json. Any other is a programming error. */
static enum out_format rows_format(enum out_format asked)
{
	switch (asked) {
	case OUT_TABLE:		/* none asked: export has no table */
	case OUT_CSV:
		return OUT_CSV;
	case OUT_JSON:
	case OUT_JSONL:
		return OUT_JSONL;
	}
	assert(!"an output format export does not know");
	return OUT_JSONL;
}

static int export_rows(struct store *st, int64_t snap, const struct filters *f,
		       enum what w, const struct out_opts *out)
{
	enum out_format fmt = rows_format(out->format);
	struct sink_col *mcols = NULL;
	struct sink s;
	size_t n;
	int ret;

	if (w == W_SNAPSHOTS)
		sink_init(&s, fmt, stdout, snapshot_cols,
			  sizeof(snapshot_cols) / sizeof(snapshot_cols[0]));
	else if (w == W_PROCESSES)
		sink_init(&s, fmt, stdout, process_cols,
			  sizeof(process_cols) / sizeof(process_cols[0]));
	else {
		mcols = mapping_cols(&n);
		sink_init(&s, fmt, stdout, mcols, n);
	}
	ret = w == W_SNAPSHOTS ? export_snapshots(st, snap, f->host, &s)
		: export_processes(st, snap, f, w, &s);
	sink_finish(&s);
	sink_release(&s);
	free(mcols);
	return ret < 0 ? 1 : ret;
}

static int run_export(int argc, char **argv, const struct out_opts *out)
{
	static const struct option opts[] = {
		{ "what", required_argument, NULL, 'w' },
		{ "proc-tree", required_argument, NULL, 'd' },
		SNAPSHOT_OPTION, FILTER_OPTIONS, HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	const char *ref = NULL, *what = NULL, *tree = NULL;
	struct filters f = { 0 };
	struct store st;
	int64_t snap = 0;
	enum what w = W_PROCESSES;
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'w')
			what = optarg;
		else if (c == 'd')
			tree = optarg;
		else if (c == OPT_SNAPSHOT)
			ref = optarg;
		else if (c == OPT_HELP) {
			ret = command_help(&cmd_export);
			goto out;
		} else if ((ret = filters_option(&f, c, optarg)) != 0)
			goto out;
	}
	ret = 2;
	if (argc - optind != 1) {
		usage_error("export takes one FILE");
		goto out;
	}
	if (!what == !tree) {
		usage_error("export needs --what or --proc-tree (one of them)");
		goto out;
	}
	if (what && parse_what(what, &w) != 0)
		goto out;
	if (w == W_SNAPSHOTS && (f.npids || f.has_re || f.user)) {
		usage_error("--what snapshots takes no --pid, --match or --user");
		goto out;
	}
	if (tree && out->format != OUT_TABLE) {
		usage_error("--proc-tree writes files: no --csv or --json");
		goto out;
	}
	ret = 1;
	if (store_open(&st, argv[optind], STORE_READ) < 0)
		goto out;
	/* every snapshot (of --host) unless one is named; a tree is one */
	if ((ref || tree) && store_resolve(&st, ref, f.host, &snap) < 0)
		goto close;
	if (tree) {
		ret = export_proc_tree(&st, snap, &f, tree);
		ret = ret < 0 ? 1 : ret;
	} else {
		ret = export_rows(&st, snap, &f, w, out);
	}
close:
	store_close(&st);
out:
	filters_release(&f);
	return ret;
}

const struct command cmd_export = {
	"export",
	"export FILE --what snapshots|processes|mappings [--snapshot REF]"
	" [filters]\n"
	"  export FILE --proc-tree DIR [--snapshot REF] [filters]",
	run_export, 0, OUTPUT_CSV | OUTPUT_JSON,
};
