/* cmd_export.c - `export`: snapshots, processes or mappings as CSV or JSON
 * lines for other engines, streamed one text at a time; or a proc tree. */
#include "analyze.h"
#include "export.h"
#include "progress.h"
#include "smaps.h"
#include "util.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum xkind { X_INT, X_TEXT };

struct xcol {
	const char *name;
	enum xkind kind;
};

/*
 * The keys every row carries, so that rows of many files join in another
 * engine: a snapshot is its uuid (ids are local to one file), a host its
 * hostname and machine-id, a process its pid and start time in one boot.
 */
#define KEY_COLS \
	{ "host", X_TEXT }, { "machine_id", X_TEXT }, \
	{ "snapshot", X_TEXT }, { "snapshot_id", X_INT }, \
	{ "time", X_TEXT }, { "time_us", X_INT }, { "boot_id", X_TEXT }
enum { NKEYS = 7 };

static const struct xcol snapshot_cols[] = {
	KEY_COLS,
	{ "kernel", X_TEXT }, { "arch", X_TEXT }, { "page_size", X_INT },
	{ "uptime", X_TEXT }, { "label", X_TEXT }, { "source", X_TEXT },
	{ "seen", X_INT }, { "processes", X_INT }, { "skipped", X_INT },
	{ "rss", X_INT }, { "pss", X_INT }, { "uss", X_INT },
	{ "swap", X_INT }, { "vss", X_INT },
};

static const struct xcol process_cols[] = {
	KEY_COLS,
	{ "pid", X_INT }, { "ppid", X_INT }, { "start_time", X_INT },
	{ "uid", X_INT }, { "user", X_TEXT }, { "comm", X_TEXT },
	{ "command", X_TEXT }, { "exe", X_TEXT }, { "threads", X_INT },
	{ "kind", X_TEXT }, { "maps", X_INT }, { "vss", X_INT },
	{ "rss", X_INT }, { "pss", X_INT }, { "uss", X_INT },
	{ "shared", X_INT }, { "swap", X_INT }, { "swappss", X_INT },
	{ "anonymous", X_INT }, { "locked", X_INT },
};

/* The mappings SQL table's columns; then one per smaps field, added. */
static const struct xcol mapping_head[] = {
	KEY_COLS,
	{ "pid", X_INT }, { "start_time", X_INT }, { "comm", X_TEXT },
	{ "start", X_TEXT }, { "end", X_TEXT }, { "perm", X_TEXT },
	{ "offset", X_TEXT }, { "dev", X_TEXT }, { "inode", X_INT },
	{ "path", X_TEXT },
};
#define NHEAD (sizeof(mapping_head) / sizeof(mapping_head[0]))

/* One row being built, written whole: a CSV record or a JSON line. */
struct sink {
	enum out_format fmt;
	const struct xcol *cols;
	size_t ncols, col;
	struct buf line;
};

static void sink_key(struct sink *s);

/* RFC 4180: quoted when it holds a comma, quote, CR or LF. */
static void put_csv(struct buf *b, const char *p, size_t n)
{
	size_t i;

	if (!memchr(p, ',', n) && !memchr(p, '"', n) && !memchr(p, '\r', n) &&
	    !memchr(p, '\n', n)) {
		buf_add(b, p, n);
		return;
	}
	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, p[i]);
	}
	buf_addch(b, '"');
}

static void sink_init(struct sink *s, enum out_format fmt,
		      const struct xcol *cols, size_t ncols)
{
	size_t i;

	s->fmt = fmt;
	s->cols = cols;
	s->ncols = ncols;
	s->col = 0;
	buf_init(&s->line, BLOB_MAX_RAW);
	if (fmt != OUT_CSV)
		return;
	for (i = 0; i < ncols; i++) {
		if (i)
			buf_addch(&s->line, ',');
		put_csv(&s->line, cols[i].name, strlen(cols[i].name));
	}
	buf_addstr(&s->line, "\r\n");
	fwrite(s->line.data, 1, s->line.len, stdout);
	buf_reset(&s->line);
}

/* The separator and, in JSON, the name of the next cell. */
static void sink_key(struct sink *s)
{
	const char *name = s->cols[s->col].name;

	if (s->fmt == OUT_CSV) {
		if (s->col)
			buf_addch(&s->line, ',');
	} else {
		buf_addstr(&s->line, s->col ? ", " : "{");
		json_quote(&s->line, name, strlen(name));
		buf_addstr(&s->line, ": ");
	}
	s->col++;
}

static void sink_null(struct sink *s)
{
	sink_key(s);
	if (s->fmt != OUT_CSV)
		buf_addstr(&s->line, "null");
}

static void sink_int(struct sink *s, int64_t v)
{
	sink_key(s);
	buf_addf(&s->line, "%" PRId64, v);
}

static void sink_text(struct sink *s, const char *p, size_t n)
{
	sink_key(s);
	if (s->fmt == OUT_CSV)
		put_csv(&s->line, p, n);
	else
		json_quote(&s->line, p, n);
}

static void sink_str(struct sink *s, const char *p)
{
	sink_text(s, p, strlen(p));
}

/* Column c of q, as the sink's next cell: NULL stays null. */
static void sink_column(struct sink *s, sqlite3_stmt *q, int c)
{
	if (sqlite3_column_type(q, c) == SQLITE_NULL)
		sink_null(s);
	else if (s->cols[s->col].kind == X_INT)
		sink_int(s, sqlite3_column_int64(q, c));
	else
		sink_text(s, (const char *)sqlite3_column_text(q, c),
			  (size_t)sqlite3_column_bytes(q, c));
}

static void sink_end(struct sink *s)
{
	buf_addstr(&s->line, s->fmt == OUT_CSV ? "\r\n" : "}\n");
	fwrite(s->line.data, 1, s->line.len, stdout);
	buf_reset(&s->line);
	s->col = 0;
}

static void sink_release(struct sink *s)
{
	buf_release(&s->line);
}

/* The key columns, from q's columns k .. k + 5 (host, machine_id, uuid,
 * snapshot id, time_us, boot_id). */
static void put_keys(struct sink *s, sqlite3_stmt *q, int k)
{
	int64_t us = sqlite3_column_int64(q, k + 4);
	time_t secs = (time_t)(us / 1000000);
	char iso[48];
	struct tm tm;

	sink_column(s, q, k);
	sink_column(s, q, k + 1);
	sink_column(s, q, k + 2);
	sink_column(s, q, k + 3);
	if (us >= 0 && gmtime_r(&secs, &tm)) {
		snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)(us % 1000000));
		sink_str(s, iso);
	} else {
		sink_null(s);
	}
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
	sink_end(s);
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
		sink_end(s);
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
		sink_end(s);
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
static struct xcol *mapping_cols(size_t *n)
{
	static char names[SF__COUNT][24];
	struct xcol *cols = xreallocarray(NULL, NHEAD + SF__COUNT, sizeof(*cols));
	size_t i, k;

	memcpy(cols, mapping_head, sizeof(mapping_head));
	for (i = 0; i < SF__COUNT; i++) {
		const char *src = smaps_field_names[i];

		for (k = 0; src[k] && k + 1 < sizeof(names[i]); k++)
			names[i][k] = (char)(src[k] >= 'A' && src[k] <= 'Z'
					     ? src[k] - 'A' + 'a' : src[k]);
		names[i][k] = '\0';
		cols[NHEAD + i].name = names[i];
		cols[NHEAD + i].kind = X_INT;
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

static int export_rows(struct store *st, int64_t snap, const struct filters *f,
		       enum what w, const struct out_opts *out)
{
	enum out_format fmt = out->format == OUT_JSON ? OUT_JSON : OUT_CSV;
	struct xcol *mcols = NULL;
	struct sink s;
	size_t n;
	int ret;

	if (w == W_SNAPSHOTS)
		sink_init(&s, fmt, snapshot_cols,
			  sizeof(snapshot_cols) / sizeof(snapshot_cols[0]));
	else if (w == W_PROCESSES)
		sink_init(&s, fmt, process_cols,
			  sizeof(process_cols) / sizeof(process_cols[0]));
	else {
		mcols = mapping_cols(&n);
		sink_init(&s, fmt, mcols, n);
	}
	ret = w == W_SNAPSHOTS ? export_snapshots(st, snap, f->host, &s)
		: export_processes(st, snap, f, w, &s);
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
	if (tree && (out->format != OUT_TABLE || out->limit >= 0 || out->sort)) {
		usage_error("--proc-tree writes files: no --csv, --json, --sort"
			    " or --limit");
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
	run_export, 0,
};
