/* rows.h - the rows of a mapsnap file as structs with named fields: each
 * table's writer and its reader share one list of columns (rows.c).
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. Readers read every
 * file the format checks let through: a column that the file's format
 * predates reads as unknown (NULL, -1, FIG_UNKNOWN, as each field says),
 * never as an error.
 */
#ifndef MAPSNAP_ROWS_H
#define MAPSNAP_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "store.h"

/* What a process's stored text is (processes.text_kind), or what a
 * snapshot captured (snapshots.source). */
enum text_kind { TEXT_MAPS, TEXT_SMAPS, TEXT_ROLLUP };
/* "maps", "smaps", "rollup" */
const char *text_kind_name(enum text_kind k);

/* A figure the file does not know: never 0, which reads as a real one. */
#define FIG_UNKNOWN INT64_MIN

/* A process's figures: sizes in kB, counts. */
enum proc_fig {
	FIG_VSS,	/* size_kb: the sum of Size */
	FIG_RSS, FIG_PSS,
	FIG_USS,	/* Private_Clean + Private_Dirty */
	FIG_SHARED,	/* Shared_Clean + Shared_Dirty */
	FIG_SWAP, FIG_SWAP_PSS,
	FIG_ANON,	/* Anonymous */
	FIG_LOCKED,
	FIG_MAPS,	/* nmaps: the number of mappings */
	FIG_THREADS,
	NFIGS
};

/*
 * One row of `processes`. A writer fills it (process_row_init first);
 * a reader gets it from process_iter_next, its strings SQLite's, valid
 * until the next call.
 */
struct process_row {
	int64_t snapshot_id;		/* read only: store_process_add's arg */
	int64_t pid, ppid, start_time;
	int64_t uid;			/* -1: unknown */
	const char *user;		/* NULL: unknown */
	const char *comm;		/* never NULL when read */
	const char *cmdline;		/* NUL separators kept; NULL: none */
	size_t cmdline_len;
	const char *exe;		/* NULL: unknown */
	int64_t stat_blob, status_blob, text_blob, rollup_blob; /* 0: none */
	enum text_kind kind;		/* what text_blob holds */
	int64_t fig[NFIGS];		/* or FIG_UNKNOWN */
	int64_t text_reused;		/* 1: text_blob and the figures are
					   an earlier snapshot's read
					   (capture --reuse); 0: read for
					   this one; -1: unknown (a file of
					   format 1.0). With PROC_TEXT. */
	/* format 1.1, PROC_CGROUP: whose memory it is. NULL when unknown
	 * (older files) or when the path does not say (cgpath.h) */
	const char *cgroup;		/* the cgroup v2 path */
	const char *cgroup_memory;	/* the v1 memory controller's path */
	const char *unit, *slice;
	const char *container_runtime, *container_id, *pod_uid,
		*container_name;
	int64_t nspid, pidns, oom_score_adj;	/* or FIG_UNKNOWN */
};

/* Everything unknown: uid and text_reused -1, figures FIG_UNKNOWN, the
 * rest 0 or NULL. */
void process_row_init(struct process_row *p);

/* One row of `snapshots`, with its host's names. */
struct snapshot_row {
	int64_t id;			/* read only */
	const char *uuid;
	int64_t host_id;
	const char *hostname, *machine_id;	/* read only: the host's */
	const char *boot_id, *kernel, *arch;
	int64_t page_size;		/* 0: unknown */
	int64_t time_us;
	double uptime;			/* < 0: unknown */
	const char *label;		/* NULL: none */
	const char *tool_version;	/* read only: MAPSNAP_VERSION is written */
	const char *options;
	enum text_kind source;
	int64_t meminfo_blob;		/* 0: none */
	/* read only (store_snapshot_finish writes them) */
	int64_t seen, captured, skipped, bytes_read;
	/* read with `sums`: the sum over its processes of those figures,
	 * FIG_UNKNOWN when no process has the figure (or it was not asked) */
	int64_t sum[NFIGS];
};

/* Writers: each adds one row in the caller's transaction. 0, or -1
 * (printed, naming the file). */

/* Find or add the host (hostname, machine_id). */
int store_host(struct store *s, const char *hostname, const char *machine_id,
	       int64_t *id);
/* Add a snapshot (its counts 0 until store_snapshot_finish); *id. */
int store_snapshot_add(struct store *s, const struct snapshot_row *r,
		       int64_t *id);

struct skip_count {
	const char *reason;
	int64_t count;
};
/* Record the final counts of a snapshot and its skips (count > 0 only). */
int store_snapshot_finish(struct store *s, int64_t id, int64_t seen,
			  int64_t captured, int64_t bytes_read,
			  const struct skip_count *skips, size_t nskips);

/* One row of `skipped_pids` (format 1.1): a process a snapshot could
 * not capture, and why. */
struct skipped_row {
	int64_t pid;
	const char *reason;		/* a skips.reason: "permission", ... */
	const char *comm;		/* NULL: its stat was not read */
};
/* Record n skipped processes of snapshot `id`. */
int store_skipped_add(struct store *s, int64_t id,
		      const struct skipped_row *rows, size_t n);

/* Parse meminfo text and store its "Name: N kB" lines. */
int store_meminfo_add(struct store *s, int64_t snapshot_id,
		      const char *text, size_t len);

int store_process_add(struct store *s, int64_t snapshot_id,
		      const struct process_row *p);

/*
 * Keep only the newest `keep` snapshots (by time): delete the others with
 * their rows, then every blob no remaining row refers to. Freed pages are
 * reused by later snapshots, so a ring stops growing. *removed gets the
 * number of snapshots deleted. Call inside a transaction.
 */
int store_prune(struct store *s, int64_t keep, int64_t *removed);

/* As store_prune, for the snapshots taken before before_us (time_us);
 * the newest one always stays. */
int store_prune_before(struct store *s, int64_t before_us, int64_t *removed);

/*
 * As store_prune, for size: drop the oldest snapshots, one at a time,
 * until the pages in use (not free) take at most max_bytes; the newest
 * one always stays. *used gets the bytes then in use. The file does not
 * shrink: the pages freed go on SQLite's freelist and the next snapshots
 * fill them before the file grows, so it stays within max_bytes plus
 * one snapshot.
 */
int store_prune_size(struct store *s, int64_t max_bytes, int64_t *removed,
		     int64_t *used);

/* Readers. */

struct snapshot_query {
	const char *host;	/* only this hostname's; NULL: every host */
	int64_t id;		/* only this one; 0: every snapshot */
	unsigned sums;		/* FIG_BIT()s to sum in snapshot_row.sum
				   (reads processes) */
	int by_boot;		/* order by host, boot_id, then time; else
				   by time (both then by id) */
	int newest_first;	/* the times (and ids) in reverse */
	int window;		/* only those taken in [since_us, until_us] */
	int64_t since_us, until_us;
};

struct snapshot_iter {
	struct store *st;
	sqlite3_stmt *q;
	struct snapshot_row row;
	const struct rows_col **cols;	/* what q's columns fill */
	int ncols;
	unsigned sums;			/* q's sums follow cols */
};

/*
 * Iterate the snapshots that q names. start: 0, or -1 (printed; release
 * anyway). next: 1 with it->row filled, 0 at the end, -1 (printed).
 */
int snapshot_iter_start(struct snapshot_iter *it, struct store *st,
			const struct snapshot_query *q);
int snapshot_iter_next(struct snapshot_iter *it);
void snapshot_iter_release(struct snapshot_iter *it);

/* Read one snapshot by id: 0, 1 when there is none, -1 (printed). The
 * row's strings live until snapshot_iter_release(it). */
int snapshot_get(struct snapshot_iter *it, struct store *st, int64_t id);

/* The fields of a process row a reader asks for, beside snapshot_id,
 * pid and start_time, which every reader gets. */
enum {
	PROC_NAMES = 1,		/* uid, user, comm, cmdline */
	PROC_CONTEXT = 2,	/* ppid, exe */
	PROC_TEXT = 4,		/* text_blob and kind */
	PROC_BLOBS = 8,		/* stat_blob, status_blob, rollup_blob */
	PROC_FIGS = 16,		/* every figure */
	PROC_CGROUP = 32,	/* cgroup .. oom_score_adj */
	PROC_ALL = 63,
};
/* One figure, for process_query.figs. */
#define FIG_BIT(f) (1u << (f))

struct process_query {
	int64_t snapshot;		/* its processes; 0: every snapshot's
					   (of f->host, if any) */
	const struct filters *f;	/* NULL: every process */
	unsigned fields;		/* PROC_*; filters add what they need */
	unsigned figs;			/* FIG_BIT()s: these figures too */
	int one_pid;			/* one pid at a time: see seek */
};

struct process_iter {
	struct store *st;
	sqlite3_stmt *q;
	const struct filters *f;
	struct process_row row;
	int names;			/* the row has its names */
	int one_pid;			/* seek binds a pid */
	int shown;			/* command holds this row's */
	struct buf command;		/* see process_iter_command */
	const struct rows_col **cols;
	int ncols;
};

/*
 * Iterate the processes that q names, in snapshot and pid order, those
 * that fail q->f skipped. start: 0, or -1 (printed; release anyway).
 * next: 1 with it->row filled, 0 at the end, -1 (printed). seek: go on
 * with the processes of another snapshot (and with q->one_pid, only
 * process `pid` of it), as if started again: cheaper, the statement is
 * kept.
 */
int process_iter_start(struct process_iter *it, struct store *st,
		       const struct process_query *q);
int process_iter_next(struct process_iter *it);
void process_iter_seek(struct process_iter *it, int64_t snapshot, int64_t pid);
void process_iter_release(struct process_iter *it);

/*
 * The cgroup whose memory accounting covers the row's process (it must
 * have PROC_CGROUP): the v1 memory controller's path on a v1 or hybrid
 * host, else the v2 path; *v1 says which. NULL when unknown.
 */
const char *process_memcg(const struct process_row *p, int *v1);

/*
 * One row of `cgroups` (format 1.1): a memory cgroup of a snapshot.
 * Amounts in bytes; FIG_UNKNOWN where the file was not there or did not
 * say; MEMCG_NO_LIMIT for a limit that is none. Read: strings SQLite's,
 * valid until the next row.
 */
struct cgroup_row {
	int64_t snapshot_id;		/* read only: store_cgroup_add's arg */
	const char *hierarchy;		/* "v2" or "v1" */
	const char *path;
	int64_t current, max, high, swap;
	int64_t anon, file, kernel, sock;
	int64_t oom, oom_kill;
	int64_t stat_blob, events_blob;	/* memory.stat, memory.events
					   (v1: memory.oom_control); 0: none */
};

/* Everything unknown, no blobs. */
void cgroup_row_init(struct cgroup_row *c);

/* Add a row in the caller's transaction: 0, or -1 (printed). */
int store_cgroup_add(struct store *s, int64_t snapshot_id,
		     const struct cgroup_row *c);

struct cgroup_iter {
	struct store *st;
	sqlite3_stmt *q;		/* NULL: the file has no cgroups table */
	struct cgroup_row row;
	const struct rows_col **cols;
	int ncols;
};

/*
 * The cgroups of snapshot `snap`, in path order (a file older than 1.1
 * has none). start: 0, or -1 (printed; release anyway). next: 1 with
 * it->row filled, 0 at the end, -1 (printed).
 */
int cgroup_iter_start(struct cgroup_iter *it, struct store *st, int64_t snap);
int cgroup_iter_next(struct cgroup_iter *it);
void cgroup_iter_release(struct cgroup_iter *it);

/* The current row's command line as shown (cmdline_show), made once per
 * row; the row must have its names. Valid until the next row. */
const char *process_iter_command(struct process_iter *it);

/*
 * Process `pid` of snapshot `snap`, with `fields` (and every figure with
 * PROC_FIGS): 0, 1 when the snapshot holds no such process, -1
 * (printed). it is started; release it when done with the row.
 */
int process_get(struct process_iter *it, struct store *st, int64_t snap,
		int64_t pid, unsigned fields);

/* What `redact` makes of a private string: one of these and 16 hex
 * digits (a path's, a word's). Readers know it to say what was hidden. */
#define REDACT_PATH_PREFIX "/redacted/"
#define REDACT_PREFIX "redacted-"
#define REDACT_HEX 16

/*
 * The command line as ps and smem show it, into b (reset first): NULs
 * as spaces, without the final NUL; "[comm]" when empty. When argv[0]
 * is a token of `redact` and comm is not, "[comm] " goes before it:
 * the program's own name is all that says which program it was.
 * Returns b's text, never NULL.
 */
const char *cmdline_show(struct buf *b, const char *cmdline, size_t len,
			 const char *comm);

#endif
