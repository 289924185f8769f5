/* capture.h - the parts of mapsnap-capture: host identity, reading one
 * process from a proc directory, and the snapshot loop that stores them. */
#ifndef MAPSNAP_CAPTURE_H
#define MAPSNAP_CAPTURE_H

#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "cgpath.h"
#include "progress.h"
#include "rows.h"
#include "smaps.h"
#include "store.h"

struct host_info {
	char *hostname;		/* --host, else gethostname() */
	char *machine_id;	/* /etc/machine-id (live /proc only), or "" */
	char *boot_id;		/* PROC/sys/kernel/random/boot_id, or "" */
	char *kernel;		/* PROC/sys/kernel/osrelease, or "" */
	char *arch;		/* uname -m (live /proc only), or "" */
	long page_size;		/* live /proc only, else 0 */
	double uptime;		/* PROC/uptime, or -1 */
};

/* Fill *h for the proc directory `proc` (live when it is "/proc"). */
void host_info_read(struct host_info *h, const char *proc, int live,
		    const char *host_override);
void host_info_release(struct host_info *h);

/* Why a process was not captured. */
enum skip_reason {
	SKIP_KERNEL,		/* a kernel thread */
	SKIP_EXCLUDED,		/* this capture itself, or filtered out */
	SKIP_PERMISSION,	/* not allowed to read its memory */
	SKIP_VANISHED,		/* exited, or its pid was reused, mid-read */
	SKIP_ZOMBIE,		/* no memory left to read */
	SKIP_ERROR,		/* unreadable for another reason (warned) */
	SKIP__COUNT
};
extern const char *const skip_names[SKIP__COUNT];

/* What text is stored per process. */
enum capture_mode {
	MODE_SMAPS,	/* smaps (it holds every line of maps) */
	MODE_MAPS,	/* maps only: cheap, no page-table walk */
	MODE_ROLLUP,	/* maps plus smaps_rollup */
};

/* One process read from the proc directory; buffers reused across calls. */
struct proc_read {
	pid_t pid, ppid;
	uint64_t start_time;	/* field 22 of stat, clock ticks since boot */
	unsigned long flags;	/* field 9 of stat */
	char state;
	long threads;
	long uid;		/* real uid from status, -1 when unknown */
	char comm[64];		/* from stat, between '(' and the last ')' */
	int has_exe;
	struct buf stat, status, cmdline, exe;
	struct buf text;	/* smaps, or maps */
	struct buf rollup;	/* smaps_rollup, in MODE_ROLLUP */
	/* whose memory (proc_read_cgroup, proc_read_ns): "" and -1 where
	 * unknown */
	struct buf cgroup_text;	/* PROC/PID/cgroup */
	int has_cgroup;		/* it was read and parsed into cg */
	struct cg_paths cg;
	long long nspid;	/* the last pid of status's NSpid, or -1 */
	long long pidns;	/* the inode of PROC/PID/ns/pid, or -1 */
	long long oom_score_adj;	/* or LLONG_MIN */
	struct cg_ident ident;	/* what the memory cgroup's path says */
};

void proc_read_init(struct proc_read *p);
void proc_read_release(struct proc_read *p);

/*
 * Read process `pid` from `proc` in two steps: the head (stat, status,
 * cmdline: cheap, enough to filter on) and then the body (the memory
 * text for `mode`, exe, and stat again to catch a reused pid). Each
 * returns 0, or a skip reason + 1 (> 0) for the caller to count;
 * messages for SKIP_ERROR are printed here.
 */
int proc_read_head(struct proc_read *p, const char *proc, pid_t pid);
int proc_read_body(struct proc_read *p, const char *proc,
		   enum capture_mode mode);

/*
 * The cgroup paths of the process just read by proc_read_head, from
 * PROC/PID/cgroup: has_cgroup and cg. A tree without the file, or a
 * text that does not parse (warned), leaves them unknown: never a skip.
 */
void proc_read_cgroup(struct proc_read *p, const char *proc);

/* Its pid namespace and oom_score_adj, and its pid in its namespace from
 * the status text read: each -1 (LLONG_MIN for the score) when unknown. */
void proc_read_ns(struct proc_read *p, const char *proc);

/* The path whose memory cgroup holds the process: v1's memory path where
 * there is one, else the v2 path; NULL when neither is known. *v1 says
 * which. */
const char *proc_memcg(const struct proc_read *p, int *v1);

/* Parse stat text into comm, state, ppid, flags, start_time and threads
 * (its pid field is checked, not taken). 0, or -1 when it does not parse. */
int proc_parse_stat(struct proc_read *p, const char *text, size_t len);


/* What to capture: the options of one run. */
struct capture_opts {
	const char *output;	/* database file */
	const char *proc;	/* proc directory */
	int live;		/* proc is the real /proc */
	const char *host;	/* --host, or NULL */
	const char *label;	/* --label, or NULL */
	pid_t *pids;		/* only these, when npids > 0 */
	size_t npids;
	regex_t *match;		/* --match, or NULL */
	long uid;		/* --user, or -1 */
	int level;		/* compression level, BLOB_LEVEL_MIN..MAX */
	enum capture_mode mode;
	double interval;	/* seconds between snapshots, 0: none */
	long count;		/* snapshots to take, 0: until a signal */
	long keep;		/* keep the newest N snapshots, 0: all */
	int nice;		/* lower our CPU and I/O priority */
	const char *import;	/* --import FILE ("-" = stdin), or NULL */
	const char *comm;	/* --comm, for --import */
	char *options_text;	/* the command line, stored with snapshots */
	const char *sys;	/* --sys: where cgroupfs is (fs/cgroup), or
				   NULL: no cgroup figures (a frozen tree) */
	struct filters cgf;	/* --cgroup, --container, --unit (only
				   their fields are set) */
};

/* A random (version 4) UUID, 36 characters and a NUL. */
void make_uuid(char out[37]);
/* Wall-clock time in microseconds since the epoch. */
int64_t now_us(void);

/* Set by SIGINT/SIGTERM: 1 = finish the snapshot in hand and stop,
 * 2 (a second signal) = roll it back and stop. */
extern volatile sig_atomic_t capture_stop;

struct store;

/* Processes in flight between the readers and the worker: enough to ride
 * out a few slow texts on either side; each holds one process's texts. */
#define NSLOTS 4

/* Readers in the cheap modes, where the worker has little to do and the
 * kernel's page walk is the cost: they read different processes at once.
 * Full smaps keeps one reader: deflating its text already fills a core. */
#define CHEAP_READERS 2

enum slot_state { SLOT_FREE, SLOT_READING, SLOT_FULL };

/* A process in flight between a reader and the storing worker. */
struct slot {
	struct proc_read pr;
	struct process_row row;	/* its figures, summed by the worker */
	enum slot_state state;
};

/* A set of memory cgroups (cgroup.c): "1/path" for v1, "2/path" for v2,
 * sorted and unique once store_memcgs has settled it. */
struct memcgs {
	char **v;
	size_t n, alloc;
};

/*
 * One snapshot under way. Readers take the next pid and a free slot
 * under `mu`, and count seen and skips under it; the worker owns the
 * store, captured, the byte counts and the user cache until walk()
 * returns.
 */
struct run {
	struct store *st;
	const struct capture_opts *o;
	int64_t snapshot_id;
	int64_t seen, captured, skips[SKIP__COUNT];
	uint64_t bytes_read, bytes_stored;
	struct { long uid; char *name; } *users;
	size_t nusers;
	struct slot slot[NSLOTS];
	pthread_t worker;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const pid_t *pids;	/* the pids to read, and the next one */
	size_t npids, next;
	int readers_left;	/* readers still reading */
	int read_ret;		/* 0, 1 (a second signal) or -1 (a named pid) */
	int failed;		/* the worker could not store */
	struct progress *progress;	/* the line on a terminal, or NULL */
	const char *progress_head;	/* "snapshot 2 of 5: " in -i runs, or "" */
	struct memcgs memcgs;		/* the cgroups of the processes stored */
};

/* Add the memory cgroup of process p (worker side). */
void memcgs_add(struct memcgs *m, const struct proc_read *p);
void memcgs_release(struct memcgs *m);

/*
 * Read every cgroup of r->memcgs and their ancestors under r->o->sys and
 * store a row each (their memory.stat and memory.events as blobs). A
 * cgroup whose directory is not there is left out. 0, or -1 (printed)
 * when the store fails.
 */
int store_memcgs(struct run *r);

/* "smaps", "maps", "rollup", by enum capture_mode. */
extern const char *const mode_names[];

struct smaps_totals;
/* Copy the usage figures (rss .. locked) of *t into *row, and mark them
 * known. */
void row_set_usage(struct process_row *row, const struct smaps_totals *t);

/* Store one text as a blob (counting bytes read and stored). 0 or -1. */
int run_put(struct run *r, const struct buf *b, int64_t *id);

/*
 * Read and store every process of the snapshot (o->pids, or all of
 * o->proc). Returns 0, 1 when a second signal asked to give up, or -1
 * (printed) when the snapshot must be rolled back.
 */
int walk(struct run *r);

/*
 * Take one snapshot into the open store, in one transaction (which also
 * drops old snapshots for --keep), and print the summary line. Processes
 * done show on `progress` (may be NULL) after `head` (may be NULL).
 * Returns 0, 1 when a second signal rolled it back (nothing stored), or
 * -1 (printed; nothing stored).
 */
int capture_snapshot(struct store *st, const struct capture_opts *o,
		     struct progress *progress, const char *head);

/*
 * --import: store one saved maps, smaps or smaps_rollup text (format
 * detected, checked, stored byte for byte) as a process of a new
 * snapshot. 0 or -1 (printed; nothing stored).
 */
int capture_import(struct store *st, const struct capture_opts *o);

/*
 * The check --import makes of a text read from `path` (import_text.c):
 * its format detected into *fmt and its figures summed into *t. 0, or -1
 * with the whole message ("'PATH' is not a maps, ...") in err; nothing
 * printed, no I/O (fuzz/fuzz_import.c runs it on any bytes).
 */
int import_check(const char *path, const char *text, size_t len,
		 enum smaps_format *fmt, struct smaps_totals *t,
		 char *err, size_t errlen);

#endif
