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

/* A figure, or null when unknown. */
static void sink_fig(struct sink *s, int64_t v)
{
	if (v == FIG_UNKNOWN)
		sink_null(s);
	else
		sink_int(s, v);
}

/* A string, or null when there is none. */
static void sink_opt(struct sink *s, const char *p)
{
	if (p)
		sink_str(s, p);
	else
		sink_null(s);
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

/* The key columns of a row of snapshot r. */
static void put_keys(struct sink *s, const struct snapshot_row *r)
{
	time_t secs = (time_t)(r->time_us / 1000000);
	char iso[48];
	struct tm tm;

	sink_str(s, r->hostname);
	sink_str(s, r->machine_id);
	sink_str(s, r->uuid);
	sink_int(s, r->id);
	if (r->time_us >= 0 && gmtime_r(&secs, &tm)) {
		snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (int)(r->time_us % 1000000));
		sink_str(s, iso);
	} else {
		sink_null(s);
	}
	sink_int(s, r->time_us);
	sink_str(s, r->boot_id);
}

/* The figures of process_cols, from maps on. */
static const enum proc_fig process_figs[] = { FIG_MAPS, FIG_VSS, FIG_RSS,
	FIG_PSS, FIG_USS, FIG_SHARED, FIG_SWAP, FIG_SWAP_PSS, FIG_ANON,
	FIG_LOCKED };

static void process_row(struct sink *s, const struct snapshot_row *snap,
			struct process_iter *it)
{
	const struct process_row *p = &it->row;
	size_t i;

	put_keys(s, snap);
	sink_int(s, p->pid);
	sink_int(s, p->ppid);
	sink_int(s, p->start_time);
	if (p->uid >= 0)
		sink_int(s, p->uid);
	else
		sink_null(s);
	sink_opt(s, p->user);
	sink_str(s, p->comm);
	sink_str(s, process_iter_command(it));
	sink_opt(s, p->exe);
	sink_fig(s, p->fig[FIG_THREADS]);
	sink_str(s, text_kind_name(p->kind));
	for (i = 0; i < sizeof(process_figs) / sizeof(process_figs[0]); i++)
		sink_fig(s, p->fig[process_figs[i]]);
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
static int mapping_rows(struct sink *s, const struct snapshot_row *snap,
			const struct process_row *p, const struct buf *text,
			const char *file)
{
	int usage = p->kind == TEXT_SMAPS, r, ret = 0, f;
	struct smaps_parser ps;
	struct smaps_map m;
	char tmp[32];

	smaps_parser_init(&ps, text->data ? text->data : "", text->len);
	while ((r = smaps_next(&ps, &m)) != 0) {
		if (r < 0) {
			error("'%s': text of process %lld in snapshot %s: %s",
			      file, (long long)p->pid, snap->uuid, ps.err);
			ret = -1;
			continue;
		}
		put_keys(s, snap);
		sink_int(s, p->pid);
		sink_int(s, p->start_time);
		sink_str(s, p->comm);
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

/* The stored text of process p, as mapping rows. 0 or -1 (printed). */
static int process_mappings(struct sink *s, struct store *st,
			    const struct snapshot_row *snap,
			    const struct process_row *p, struct buf *text)
{
	if (!p->text_blob)
		return 0;
	if (p->kind == TEXT_ROLLUP) {
		warn("'%s': process %lld stored only smaps_rollup: it has no"
		     " mappings", st->path, (long long)p->pid);
		return 0;
	}
	buf_reset(text);
	if (store_blob_get(st, p->text_blob, text) < 0)
		return -1;
	return mapping_rows(s, snap, p, text, st->path);
}

enum what { W_SNAPSHOTS, W_PROCESSES, W_MAPPINGS };

/* SQLite's own text of a REAL, as a column of one printed. */
static void sink_real(struct sink *s, double v)
{
	char tmp[64];

	sqlite3_snprintf(sizeof(tmp), tmp, "%!.15g", v);
	sink_str(s, tmp);
}

static void snapshot_row(struct sink *s, const struct snapshot_row *r)
{
	static const enum proc_fig sums[] = { FIG_RSS, FIG_PSS, FIG_USS,
		FIG_SWAP, FIG_VSS };
	size_t i;

	put_keys(s, r);
	sink_str(s, r->kernel);
	sink_str(s, r->arch);
	sink_int(s, r->page_size);
	if (r->uptime >= 0)
		sink_real(s, r->uptime);
	else
		sink_null(s);
	sink_opt(s, r->label);
	sink_str(s, text_kind_name(r->source));
	sink_int(s, r->seen);
	sink_int(s, r->captured);
	sink_int(s, r->skipped);
	for (i = 0; i < sizeof(sums) / sizeof(sums[0]); i++)
		sink_fig(s, r->sum[sums[i]]);
	sink_end(s);
}

/*
 * The rows of every snapshot (of f->host) in time order, or of snapshot
 * snap: the snapshots themselves, their processes or their mappings.
 * 0, 1 when a text was bad (printed, the rest written), -1 when the
 * file cannot be read.
 */
static int export_snapshots(struct store *st, int64_t snap,
			    const struct filters *f, enum what w,
			    struct sink *s)
{
	const struct snapshot_query sq = { .host = f->host, .id = snap,
					   .sums = w == W_SNAPSHOTS };
	struct process_query pq = { .snapshot = -1, .f = f,
				    .fields = PROC_NAMES | PROC_CONTEXT |
					      PROC_TEXT | PROC_FIGS };
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct snapshot_iter si;
	struct process_iter pi = { 0 };
	struct progress progress;
	long long done = 0;
	int rc, bad = 0;

	progress_init(&progress);
	rc = snapshot_iter_start(&si, st, &sq);
	if (rc == 0 && w != W_SNAPSHOTS)
		rc = process_iter_start(&pi, st, &pq);
	while (rc == 0 && (rc = snapshot_iter_next(&si)) > 0) {
		if (w == W_SNAPSHOTS) {
			snapshot_row(s, &si.row);
			rc = 0;
			continue;
		}
		process_iter_seek(&pi, si.row.id, 0);
		while (!ferror(stdout) && (rc = process_iter_next(&pi)) > 0) {
			progress_show(&progress, "%lld processes exported", done++);
			if (w == W_PROCESSES)
				process_row(s, &si.row, &pi);
			else if (process_mappings(s, st, &si.row, &pi.row,
						  &text) < 0)
				bad = 1;
		}
		if (ferror(stdout))
			break;	/* close_stdout() reports it */
	}
	progress_done(&progress);
	process_iter_release(&pi);
	snapshot_iter_release(&si);
	buf_release(&text);
	return rc < 0 ? -1 : bad;
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
	ret = export_snapshots(st, snap, f, w, &s);
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
