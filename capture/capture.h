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
	SKIP_REFUSED,		/* a frozen tree's file that is a link, not a
				   regular file or too large (warned) */
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
	int frozen;		/* read from a frozen tree: by tree_read */
	char comm[64];		/* from stat, between '(' and the last ')' */
	int has_exe;
	struct buf stat, status, cmdline, exe;
	struct buf text;	/* smaps, or maps; see `streamed` */
	struct buf rollup;	/* smaps_rollup, in MODE_ROLLUP */
	int level;		/* compression level of a streamed text */
	/*
	 * A text of STREAM_AT bytes or more is packed as it is read
	 * (stream.c): `text` then holds none of it, and these its hash, its
	 * compressed bytes, its length (stream.raw) and its sums.
	 */
	int streamed;
	struct blob_stream stream;
	struct blob_hash hash;
	struct buf packed;
	struct smaps_summer sum;
	size_t fed;		/* bytes at the front of text already packed */
	/* --reuse: the maps text of a smaps text is its header lines,
	 * hashed into maps_hash as the text is summed */
	int hash_maps;
	struct blob_hasher maps;
	struct blob_hash maps_hash;
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
 * Memory texts this long or longer are packed as they are read, 1 MiB
 * at a time after the first STREAM_AT bytes, so a process of 60,000
 * mappings (44 MB of smaps) costs the capture a few MB, not its text.
 */
#define STREAM_AT ((size_t)4 << 20)

/*
 * Read the memory text open on fd into p->text, or, once it reaches
 * STREAM_AT, pack it as it comes (p->streamed). 0, or -1 with errno set,
 * as buf_read_fd (a failure to pack is printed, errno EIO). fd stays
 * the caller's.
 */
int proc_read_text(struct proc_read *p, int fd, size_t chunk);

/* Start p->sum afresh (and the hash of the maps lines, with hash_maps);
 * after the last piece, proc_sum_end. proc_sum_text does both over the
 * whole of p->text. */
void proc_sum_start(struct proc_read *p);
void proc_sum_end(struct proc_read *p);
void proc_sum_text(struct proc_read *p);

/*
 * Read `rel` ("123/smaps") of the proc-like directory `dir` into b
 * (reset first), in reads of `chunk`: the frozen-tree opener. Each
 * component is opened without following a link, the file with
 * O_NONBLOCK, and it must be a regular file no larger than b's cap: a
 * frozen tree is someone's files, whose links may point at what only
 * root may read, and a FIFO would hang the capture. Returns 0; -1 with
 * errno when it cannot be read; -2 when refused, *why saying why.
 * Nothing is printed.
 */
int tree_read(struct buf *b, const char *dir, const char *rel, size_t chunk,
	      const char **why);
/* tree_read's opener alone: the file's descriptor (the caller closes
 * it), -1 with errno, or -2 when refused (also when larger than cap). */
int tree_open(const char *dir, const char *rel, size_t cap, const char **why);

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


/*
 * --reuse: a process whose cheap counters are what they were at its last
 * full read keeps that read's smaps text and figures. The counters cost
 * no page-table walk: RssAnon, RssFile, RssShmem and VmSwap of status,
 * the thread count, and the maps text (compared by hash with the header
 * lines of the text read then). Kept in memory from one snapshot of a
 * run to the next, never read from the file.
 */
#define REUSE_COUNTERS 4

struct reuse_entry {
	pid_t pid;
	uint64_t start_time;	/* with pid: the same process */
	uint64_t counters[REUSE_COUNTERS];
	long threads;
	struct blob_hash maps;	/* of the maps text */
	struct blob_hash text;	/* of the smaps text read */
	int64_t fig[NFIGS];	/* the figures summed from it */
};

struct reuse {
	pthread_mutex_t mu;	/* readers find while the worker keeps */
	struct reuse_entry *last;	/* the last snapshot's, by pid */
	size_t nlast, alast;
	struct reuse_entry *next;	/* this snapshot's, as stored */
	size_t nnext, anext;
};

void reuse_init(struct reuse *u);
void reuse_release(struct reuse *u);
/* The cheap counters of a status text: 0, or -1 when one is missing. */
int reuse_counters(const struct buf *status, uint64_t out[REUSE_COUNTERS]);
/* The last snapshot's entry of process p (read up to its head), when its
 * counters and threads are what they were: 1 with *e, else 0. */
int reuse_find(struct reuse *u, const struct proc_read *p,
	       struct reuse_entry *e);
/* The entry of a process stored in this snapshot. */
void reuse_keep(struct reuse *u, const struct reuse_entry *e);
/* After a snapshot: its entries become the last (committed), or go. */
void reuse_turn(struct reuse *u, int committed);

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
	int64_t keep_for;	/* --keep-for: seconds, 0: none */
	int64_t max_size;	/* --max-size: bytes, 0: none */
	struct reuse *reuse;	/* --reuse, or NULL */
	const char *sys;	/* --sys: where cgroupfs is (fs/cgroup), or
				   NULL: no cgroup figures (a frozen tree) */
	struct filters cgf;	/* --cgroup, --container, --unit (only
				   their fields are set) */
};

/* The exit status of a run whose -p PID does not exist, or whose -m or
 * -u left no process to capture (cron notices a service gone). */
#define EXIT_NOMATCH 3

/*
 * Drop what --keep, --keep-for and --max-size say must go, in the
 * caller's transaction, after a snapshot was added: 0 or -1 (printed).
 */
int capture_prune(struct store *st, const struct capture_opts *o);

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
	int reused;		/* --reuse: pr.text is maps, `was` its text */
	struct reuse_entry was;
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
	struct skipped_row *skipped;	/* the pids skipped for a reason that
					   was no choice, for the file */
	size_t nskipped;
	struct memcgs memcgs;		/* the cgroups of the processes stored */
};

/* Is a skip for `reason` recorded pid by pid in the file? Not kernel
 * threads nor processes filtered out: they are hundreds a snapshot, and
 * skipped by design (-v names them all the same); the others are a loss
 * to explain. */
int skip_is_named(enum skip_reason reason);

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

/*
 * --reuse in a snapshot. Reader: read the body of sl's process, or only
 * its maps when they and its counters are as at its last full read (then
 * sl->reused, and sl->was that read); a skip as proc_read_body's.
 * Worker: for a reused slot, the text's blob and figures into sl->row
 * (text_reused 1): 0, 1 when the blob is gone from the file (another
 * capture's --keep took it: read the text again), -1 (printed); after a
 * full read whose text hashed to `text`, keep its entry.
 */
int reuse_read_body(const struct run *r, struct slot *sl);
int reuse_row(struct run *r, struct slot *sl);
void reuse_note(struct run *r, const struct slot *sl,
		const struct blob_hash *text);

/* Store one text as a blob (counting bytes read and stored). 0 or -1. */
int run_put(struct run *r, const struct buf *b, int64_t *id);

/*
 * Read and store every process of the snapshot (o->pids, or all of
 * o->proc). Returns 0, 1 when a second signal asked to give up, or -1
 * or CAPTURE_GONE (printed) when the snapshot must be rolled back.
 */
int walk(struct run *r);

/*
 * Take one snapshot into the open store, in one transaction (which also
 * drops old snapshots for --keep), and print the summary line. Processes
 * done show on `progress` (may be NULL) after `head` (may be NULL).
 * Returns 0, CAPTURE_NOMATCH when it was stored but -m or -u left no
 * process in it, 1 when a second signal rolled it back (nothing stored),
 * CAPTURE_GONE when a pid named with -p does not exist, or -1 (both
 * printed; nothing stored).
 */
#define CAPTURE_NOMATCH 2
#define CAPTURE_GONE (-2)
int capture_snapshot(struct store *st, const struct capture_opts *o,
		     struct progress *progress, const char *head);

/*
 * --import: store one saved maps, smaps or smaps_rollup text (format
 * detected, checked, stored byte for byte) as a process of a new
 * snapshot. 0 or -1 (printed; nothing stored).
 */
int capture_import(struct store *st, const struct capture_opts *o);

/* Where the snapshots go: -o FILE, or "-" for standard output. */
struct capture_out {
	struct store st;	/* open while the capture runs */
	const char *path;	/* -o as given */
	int created;		/* FILE was made by this run */
	int fd;			/* "-": the unlinked private file; else -1 */
};

/*
 * Open -o's database: FILE claimed as outfile_claim_db() says, then
 * opened for writing (WAL), its side files checked again; or for "-", a
 * private file under $TMPDIR, unlinked once open, read back to standard
 * output at the end (a terminal is refused). 0, or -1 (printed; nothing
 * left behind).
 */
int capture_out_open(struct capture_out *co, const char *output);

/*
 * Close it after `taken` snapshots: a FILE this run made that got no
 * snapshot is removed with its side files; "-" copies the file to
 * standard output, unless the run `failed` before its first snapshot.
 * 0, or -1 when standard output cannot take it (printed).
 */
int capture_out_close(struct capture_out *co, long taken, int failed);

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
