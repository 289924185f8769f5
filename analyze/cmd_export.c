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
	/* format 1.1: written for files that have them (a file of an older
	 * format prints what it always printed) */
	{ "cgroup", X_TEXT, 0 }, { "cgroup_memory", X_TEXT, 0 },
	{ "unit", X_TEXT, 0 }, { "slice", X_TEXT, 0 },
	{ "container_runtime", X_TEXT, 0 }, { "container_id", X_TEXT, 0 },
	{ "pod_uid", X_TEXT, 0 }, { "container_name", X_TEXT, 0 },
	{ "nspid", X_INT, 0 }, { "pidns", X_INT, 0 },
	{ "oom_score_adj", X_INT, 0 },
};
/* The columns of a file older than format 1.1. */
#define NPROCESS_COLS_1_0 (NKEYS + 20)

/* The cgroups table as stored: amounts in bytes, no limit as
 * 9223372036854775807. */
static const struct sink_col cgroup_cols[] = {
	KEY_COLS,
	{ "hierarchy", X_TEXT, 0 }, { "cgroup", X_TEXT, 0 },
	{ "current_bytes", X_INT, 0 }, { "max_bytes", X_INT, 0 },
	{ "high_bytes", X_INT, 0 }, { "swap_bytes", X_INT, 0 },
	{ "anon_bytes", X_INT, 0 }, { "file_bytes", X_INT, 0 },
	{ "kernel_bytes", X_INT, 0 }, { "sock_bytes", X_INT, 0 },
	{ "oom", X_INT, 0 }, { "oom_kill", X_INT, 0 },
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

/* The key columns of a row of snapshot r. */
static void put_keys(struct sink *s, const struct snapshot_row *r)
{
	sink_str(s, r->hostname);
	sink_str(s, r->machine_id);
	sink_str(s, r->uuid);
	sink_int(s, r->id);
	if (r->time_us >= 0)
		sink_time(s, r->time_us);	/* ISO 8601, as CSV and JSON show times */
	else
		sink_null(s);
	sink_int(s, r->time_us);
	sink_str(s, r->boot_id);
}

/* The figures of process_cols, from maps on. */
static const enum proc_fig process_figs[] = { FIG_MAPS, FIG_VSS, FIG_RSS,
	FIG_PSS, FIG_USS, FIG_SHARED, FIG_SWAP, FIG_SWAP_PSS, FIG_ANON,
	FIG_LOCKED };

/* The columns of format 1.1: whose memory it is. */
static void whose_cols(struct sink *s, const struct process_row *p)
{
	sink_opt(s, p->cgroup);
	sink_opt(s, p->cgroup_memory);
	sink_opt(s, p->unit);
	sink_opt(s, p->slice);
	sink_opt(s, p->container_runtime);
	sink_opt(s, p->container_id);
	sink_opt(s, p->pod_uid);
	sink_opt(s, p->container_name);
	sink_fig(s, p->nspid);
	sink_fig(s, p->pidns);
	sink_fig(s, p->oom_score_adj);
}

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
	if (s->ncols > NPROCESS_COLS_1_0)
		whose_cols(s, p);
	sink_end_row(s);
}

/* The rows of the cgroups of snapshot snap: 0, or -1 (printed). */
static int cgroup_rows(struct sink *s, struct store *st,
		       const struct snapshot_row *snap)
{
	struct cgroup_iter it;
	int rc;

	if (cgroup_iter_start(&it, st, snap->id) < 0) {
		cgroup_iter_release(&it);
		return -1;
	}
	while (!ferror(stdout) && (rc = cgroup_iter_next(&it)) > 0) {
		const struct cgroup_row *c = &it.row;

		put_keys(s, snap);
		sink_str(s, c->hierarchy);
		sink_str(s, c->path);
		sink_fig(s, c->current);
		sink_fig(s, c->max);
		sink_fig(s, c->high);
		sink_fig(s, c->swap);
		sink_fig(s, c->anon);
		sink_fig(s, c->file);
		sink_fig(s, c->kernel);
		sink_fig(s, c->sock);
		sink_fig(s, c->oom);
		sink_fig(s, c->oom_kill);
		sink_end_row(s);
	}
	cgroup_iter_release(&it);
	return rc < 0 ? -1 : 0;
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
		sink_end_row(s);
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

enum what { W_SNAPSHOTS, W_PROCESSES, W_MAPPINGS, W_CGROUPS };

/* SQLite's own text of a REAL, as a column of one printed. */
static void sink_real(struct sink *s, double v)
{
	char tmp[64];

	sqlite3_snprintf(sizeof(tmp), tmp, "%!.15g", v);
	sink_str(s, tmp);
}

#define EXPORT_SUMS (FIG_BIT(FIG_RSS) | FIG_BIT(FIG_PSS) | FIG_BIT(FIG_USS) | \
		     FIG_BIT(FIG_SWAP) | FIG_BIT(FIG_VSS))

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
	sink_end_row(s);
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
					   .sums = w == W_SNAPSHOTS ? EXPORT_SUMS : 0 };
	struct process_query pq = { .snapshot = -1, .f = f,
				    .fields = PROC_NAMES | PROC_CONTEXT |
					      PROC_TEXT | PROC_FIGS |
					      PROC_CGROUP };
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct snapshot_iter si;
	struct process_iter pi = { 0 };
	struct progress progress;
	long long done = 0;
	int rc, bad = 0;

	progress_init(&progress);
	rc = snapshot_iter_start(&si, st, &sq);
	if (rc == 0 && w != W_SNAPSHOTS && w != W_CGROUPS)
		rc = process_iter_start(&pi, st, &pq);
	while (rc == 0 && (rc = snapshot_iter_next(&si)) > 0) {
		if (w == W_SNAPSHOTS || w == W_CGROUPS) {
			if (w == W_SNAPSHOTS)
				snapshot_row(s, &si.row);
			rc = w == W_CGROUPS ? cgroup_rows(s, st, &si.row) : 0;
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
	else if (!strcmp(arg, "cgroups"))
		*w = W_CGROUPS;
	else
		return usage_error("bad --what '%s': expected snapshots,"
				   " processes, mappings or cgroups", arg);
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
			  store_has(st, "processes", "cgroup")
			  ? sizeof(process_cols) / sizeof(process_cols[0])
			  : NPROCESS_COLS_1_0);
	else if (w == W_CGROUPS)
		sink_init(&s, fmt, stdout, cgroup_cols,
			  sizeof(cgroup_cols) / sizeof(cgroup_cols[0]));
	else {
		mcols = mapping_cols(&n);
		sink_init(&s, fmt, stdout, mcols, n);
	}
	ret = export_snapshots(st, snap, f, w, &s);
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
		else if (c == OPT_SNAPSHOT) {
			if ((ret = ref_arg("--snapshot", optarg)) != 0)
				goto out;
			ref = optarg;
		}
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
	if ((w == W_SNAPSHOTS || w == W_CGROUPS) &&
	    (f.npids || filters_need_names(&f) || filters_need_cgroup(&f))) {
		usage_error("--what %s takes no filter but --host", what);
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
	if (host_check(&st, f.host) < 0 ||
	    ((ref || tree) && store_resolve(&st, ref, f.host, &snap) < 0))
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
	"export FILE --what snapshots|processes|mappings|cgroups [--snapshot REF]"
	" [filters]\n"
	"  export FILE --proc-tree DIR [--snapshot REF] [filters]",
	run_export, 0, OUTPUT_CSV | OUTPUT_JSON,
};
