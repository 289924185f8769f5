/* analyze.h - what mapsnap-analyze's commands share: the dispatch entry,
 * the output options, opening a snapshot, and process filters. */
#ifndef MAPSNAP_ANALYZE_H
#define MAPSNAP_ANALYZE_H

#include <getopt.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "outopts.h"
#include "render.h"
#include "rows.h"
#include "store.h"

/* One command: `name`, a one-line `usage`, and run(), which gets argv
 * from the command name on and returns the exit status (0, 1 or 2).
 * With `own_options`, every argument after the name goes to the command
 * (pmap's -p and -q are its own); otherwise the output options are taken
 * out wherever they stand. `output` holds the OUTPUT_* bits of the output
 * options it honours: main refuses any other (a usage error), so run()
 * never sees one. */
struct command {
	const char *name;
	const char *usage;
	int (*run)(int argc, char **argv, const struct out_opts *out);
	int own_options;
	unsigned output;
};

extern const struct command cmd_list, cmd_ps, cmd_pmap, cmd_maps, cmd_smaps,
	cmd_libs, cmd_users, cmd_showmap, cmd_diff, cmd_timeline, cmd_growth,
	cmd_report, cmd_merge, cmd_sql, cmd_export, cmd_check, cmd_redact,
	cmd_cgroups;

/* Options every snapshot command takes, for getopt_long tables. */
enum {
	OPT_SNAPSHOT = 256, OPT_PID, OPT_MATCH, OPT_USER, OPT_HOST,
	OPT_HELP, OPT_CGROUP = 290, OPT_CONTAINER, OPT_UNIT,
};
#define SNAPSHOT_OPTION { "snapshot", required_argument, NULL, OPT_SNAPSHOT }
#define FILTER_OPTIONS \
	{ "pid", required_argument, NULL, OPT_PID }, \
	{ "match", required_argument, NULL, OPT_MATCH }, \
	{ "user", required_argument, NULL, OPT_USER }, \
	{ "host", required_argument, NULL, OPT_HOST }, \
	{ "cgroup", required_argument, NULL, OPT_CGROUP }, \
	{ "container", required_argument, NULL, OPT_CONTAINER }, \
	{ "unit", required_argument, NULL, OPT_UNIT }
#define HELP_OPTION { "help", no_argument, NULL, OPT_HELP }

/* The time window of the commands over many snapshots (filters_option
 * takes them into struct filters' since and until). */
enum { OPT_SINCE = 270, OPT_UNTIL };
#define WINDOW_OPTIONS \
	{ "since", required_argument, NULL, OPT_SINCE }, \
	{ "until", required_argument, NULL, OPT_UNTIL }

/*
 * Take option `c` (OPT_PID, OPT_MATCH, OPT_USER, OPT_HOST, OPT_CGROUP,
 * OPT_CONTAINER, OPT_UNIT, OPT_SINCE, OPT_UNTIL) with its argument.
 * Returns 0 when taken, or 2 on a usage error (printed), which includes
 * any other option: call it last, for what a command did not take.
 */
int filters_option(struct filters *f, int c, const char *arg);
/* A process's user as smem shows it: the stored name, or the uid in
 * digits (into tmp[n]) when the capturing machine had no name for it;
 * NULL when neither is known. */
const char *process_user(const struct process_row *p, char *tmp, size_t n);

/* Set a figure's cell, or leave it NULL when v is FIG_UNKNOWN. */
void table_set_fig(struct table *t, size_t row, size_t col, int64_t v);

/* Check REF, the value of `option` (--snapshot, --from, --to), before
 * any file is opened: 0, or 2 after a usage error naming what is wrong
 * (a uuid prefix too short, no form of REF at all). */
int ref_arg(const char *option, const char *ref);

/* --host NAME must name a host of the file: 0 when it does (or host is
 * NULL), else -1 after an error naming the hosts it has. */
int host_check(struct store *st, const char *host);

/* Open FILE read-only, check host (host_check) and resolve REF (NULL = latest) among the snapshots
 * of `host` (NULL: any). 0 or -1 (printed; *st is then closed). */
int open_snapshot(struct store *st, const char *file, const char *ref,
		  const char *host, int64_t *snapshot_id);

/* Parse a PID argument; -1 (printed as a usage error) when not a pid. */
int parse_pid_arg(const char *arg, int64_t *pid);

/*
 * Parse "FILE [--snapshot REF] [filters]" for a command showing one
 * snapshot, and `extra` (NULL, or options ending in a zeroed entry that
 * set an int through their flag pointer); open the file and resolve the
 * snapshot among --host's. Returns -1 when the caller should go on (*st
 * open), else the exit status to return. *f is the caller's to release.
 */
int snapshot_args(int argc, char **argv, const struct command *cmd,
		  const struct option *extra, struct filters *f,
		  struct store *st, int64_t *snap);

/* A command's own options with a value: getopt values from here on. */
enum { OPT_OWN = 400 };

/* snapshot_args, where the options of extra with a val of OPT_OWN or
 * more go to own(ctx, val, arg), which returns 0, or an exit status
 * (printed) that snapshot_args_own then returns. */
int snapshot_args_own(int argc, char **argv, const struct command *cmd,
		      const struct option *extra, struct filters *f,
		      struct store *st, int64_t *snap,
		      int (*own)(void *ctx, int val, const char *arg),
		      void *ctx);

/* One process's stored text, for the commands that show one process. */
struct process_text {
	struct store st;
	int64_t snap, pid;
	struct buf text;	/* capped at BLOB_MAX_RAW */
	enum text_kind kind;
};

/*
 * Parse "FILE [--snapshot REF] [--host NAME] PID" for a command showing
 * one process, open the file, resolve the snapshot and load the text.
 * Returns -1 when the caller should go on (release p with
 * process_text_release), else the exit status to return (p released).
 */
int process_text_open(struct process_text *p, int argc, char **argv,
		      const struct command *cmd);
void process_text_release(struct process_text *p);

/* Print "usage: mapsnap-analyze <usage>" to stdout (help), and the
 * output options the command takes; return 0. */
int command_help(const struct command *cmd);

/* Finish a command: table_print to stdout, release, map to exit status. */
int print_table(struct table *t, const struct out_opts *o);

/* The same for a table of one snapshot: -p's bases (MemTotal, SwapTotal)
 * come from its meminfo; no MemTotal is an error (exit 1). */
int print_snapshot_table(struct table *t, const struct out_opts *o,
			 struct store *st, int64_t snap);

/*
 * A command that shows one table of one snapshot (ps, users): its
 * columns, the column it sorts by, and fill(), which adds the rows of
 * the processes that pass f: 0, or -1 (printed).
 */
struct snapshot_view {
	const struct command *cmd;
	const struct col *cols;
	size_t ncols;
	const char *sort;
	int (*fill)(struct store *st, int64_t snap, const struct filters *f,
		    struct table *t);
};

/* The whole of such a command: snapshot_args, fill, print_snapshot_table.
 * Returns the exit status. */
int snapshot_view_run(const struct snapshot_view *v, int argc, char **argv,
		      const struct out_opts *out);

/* meminfo's value `name` of snapshot snap: 0, 1 when absent, -1 (printed). */
int snapshot_meminfo(struct store *st, int64_t snap, const char *name,
		     int64_t *value);

#endif
