/* mapagg.h - per-mapping figures summed by mapping name, for libs and
 * showmap, or by region, for diff and growth: one hash table keyed by the
 * whole name (or region key), no copy per mapping. */
#ifndef MAPSNAP_MAPAGG_H
#define MAPSNAP_MAPAGG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pool.h"
#include "smaps.h"

/* How an unnamed (anonymous) mapping is shown, as smem shows it. */
#define MAPAGG_ANON "<anonymous>"

/*
 * How mappings are told apart. By name (libs, showmap): every mapping of
 * one name is one entry. By region (diff, growth: what stays the same
 * thing from one snapshot to the next): a file mapping is its path,
 * permissions and offset (a library's text and data are two regions); a
 * named region ([heap], [anon:x]) is its name; unnamed anonymous memory
 * is one group.
 */
enum mapagg_key { MAPAGG_BY_NAME, MAPAGG_BY_REGION };

/* What the mappings of one name (or region) add up to; sizes in kB. */
struct mapagg_entry {
	uint64_t hash;		/* XXH3-64 of the key */
	size_t name_off;	/* the key, in the table's own copy: the name,
				   NUL, then (by region, for files) perms and
				   offset */
	size_t name_len;	/* of the key; 0: unnamed anonymous memory */
	size_t label_len;	/* of the name alone, as shown */
	char perms[5];		/* by region, files: "r-xp"; else "" */
	uint64_t offset;	/* by region, files: the file offset */
	uint64_t lo, hi;	/* lowest start and highest end address */
	uint64_t last_proc;	/* the last process counted in pids */
	uint64_t count;		/* mappings merged */
	uint64_t pids;		/* distinct processes among them */
	uint64_t nousage;	/* mappings merged without smaps figures */
	uint64_t size, rss, pss, uss, swap, swap_pss;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t anon;		/* Anonymous */
};

/*
 * The entries, in the order their names were first seen. `slot` is an
 * open-addressed index into them (entry index + 1; 0 is an empty slot),
 * at most half full; names live back to back in `names`, so a name that
 * is already there costs no allocation.
 */
struct mapagg {
	enum mapagg_key key;
	struct mapagg_entry *v;
	size_t n, alloc;
	uint32_t *slot;
	size_t nslot;		/* a power of two, or 0 before the first add */
	char *names;
	size_t names_len, names_alloc;
	int overflow;		/* a sum passed INT64_MAX kB and stopped there:
				   the text's figures are absurd (a file's);
				   callers refuse the table */
};

/* An empty table keyed by name; set a->key before the first add for
 * another key. */
void mapagg_init(struct mapagg *a);
/* Free everything; the table is then empty and may be used again. */
void mapagg_release(struct mapagg *a);
/* Forget every entry but keep the memory, for the next process. */
void mapagg_reset(struct mapagg *a);

/*
 * Add mapping m, of the process numbered `proc` by the caller (any value
 * but 0, the same for all of one process's mappings: `pids` counts how
 * many different numbers an entry saw; callers add one process at a
 * time). With `usage`, m's smaps figures are summed; without (a maps
 * text), only size and count are, and nousage counts the mapping, so
 * that a caller can show the other figures as unknown, never as 0.
 * Size is the Size field, or end - start when the text has none.
 */
void mapagg_add(struct mapagg *a, const struct smaps_map *m, int usage,
		uint64_t proc);

/*
 * Parse all of (text, len) and add each mapping as mapagg_add does.
 * Returns the number of malformed records, each left out (the parser
 * resumes at the next header); the first one's "line N: cause" goes to
 * err (errlen bytes, may be 0).
 */
size_t mapagg_add_text(struct mapagg *a, const char *text, size_t len,
		       int usage, uint64_t proc, char *err, size_t errlen);

/*
 * Add every entry of src to dst, in src's order (so dst keeps the order
 * in which names were first seen, src's after its own), as if src's
 * mappings had been added to dst with mapagg_add. Both must have the same
 * key. pids is exact when no process is in both tables, or when src holds
 * one process only (then counted once if dst counted it last).
 */
void mapagg_merge(struct mapagg *dst, const struct mapagg *src);

/* Number every entry as seen in process `proc` alone: a table of one
 * process's mappings (one text), merged again for another process that
 * shares that text. */
void mapagg_set_proc(struct mapagg *a, uint64_t proc);

/* The name of e, NUL-terminated, or MAPAGG_ANON for an unnamed mapping.
 * Valid until the next add, reset or release. */
const char *mapagg_name(const struct mapagg *a, const struct mapagg_entry *e);

/* The entry for key (name, len), or NULL (by region: a named region or
 * the anonymous group, len 0; files are found with mapagg_find_file). */
const struct mapagg_entry *mapagg_find(const struct mapagg *a,
				       const char *name, size_t len);
/* By region: the entry of file `name` mapped with perms at offset. */
const struct mapagg_entry *mapagg_find_file(const struct mapagg *a,
					    const char *name, size_t len,
					    const char *perms, uint64_t offset);

/* One text handed to a pipe's worker, and what it found. */
struct mapagg_text {
	struct buf text;	/* filled by the caller */
	int usage;		/* as mapagg_add's */
	uint64_t proc;		/* as mapagg_add's */
	int64_t pid;		/* for the caller's done() and messages */
	char *label;		/* the caller's, freed when the slot is reused */
	size_t bad;		/* by the worker: as mapagg_add_text returns */
	char err[160];		/* and its first message */
	int full;		/* handed over and not summed yet */
};

#define MAPAGG_SLOTS 3

/*
 * Parsing a text costs about as much as inflating it, so a worker thread
 * parses and sums one text into `a` while the caller inflates the next.
 * After each text, done(arg, a, t) runs in the worker: until
 * mapagg_pipe_finish returns, `a` and whatever done() touches belong to
 * the worker. Texts are summed in the order they were submitted.
 */
struct mapagg_pipe {
	struct mapagg *a;
	void (*done)(void *arg, struct mapagg *a, const struct mapagg_text *t);
	void *arg;
	struct mapagg_text slot[MAPAGG_SLOTS];
	struct pool pool;	/* one worker: texts summed in order */
};

/* Start the worker. Never fails: without a thread, mapagg_pipe_submit
 * sums the text itself. done may be NULL. */
void mapagg_pipe_start(struct mapagg_pipe *p, struct mapagg *a,
		       void (*done)(void *arg, struct mapagg *a,
				    const struct mapagg_text *t),
		       void *arg);
/* The next slot to fill, emptied (its text reset, its label freed):
 * waits until the worker is done with it. */
struct mapagg_text *mapagg_pipe_slot(struct mapagg_pipe *p);
/* Hand that slot to the worker. A slot not submitted is handed out again. */
void mapagg_pipe_submit(struct mapagg_pipe *p);
/* Wait until every text submitted is summed, stop the worker, free the
 * slots. */
void mapagg_pipe_finish(struct mapagg_pipe *p);

/*
 * A pool: several workers, each taking whole texts, for a caller that
 * wants the texts' tables in order rather than one table summed by one
 * worker (mapagg_pipe). Each text is parsed into a table of its own
 * (`part`), so workers share nothing; prepare() runs first in the worker,
 * to make the text (inflate it). Then, in the caller's thread and in the
 * order of submission, done() gets each text with its table: to merge it
 * (mapagg_merge), print its messages, make rows.
 */
struct mapagg_job {
	struct mapagg_text t;	/* as a pipe's; t.full is not used */
	struct mapagg part;	/* this text's mappings alone */
	size_t index;		/* the slot, below MAPAGG_POOL_SLOTS: for
				   the caller's own data of this job */
	int prepared;		/* prepare()'s return; 0 without one */
	size_t weight;		/* set by the caller before submitting: the
				   bytes the job will hold (the text it
				   inflates), for the pool's budget */
};

#define MAPAGG_POOL_WORKERS POOL_MAX_WORKERS	/* at most, whatever the cores */
#define MAPAGG_POOL_SLOTS POOL_MAX_JOBS

struct mapagg_pool {
	/* in a worker, before parsing: nonzero means "no text to parse" */
	int (*prepare)(void *arg, struct mapagg_job *j);
	void (*done)(void *arg, struct mapagg_job *j);
	void *arg;
	struct mapagg_job slot[MAPAGG_POOL_SLOTS];
	struct pool pool;	/* 2 slots per worker + 2 in the ring */
	struct mapagg_job *filling;	/* the job mapagg_pool_slot gave */
	size_t budget;		/* the jobs in flight hold at most this many
				   bytes together (their weights), whatever
				   the number of workers, but for one job
				   alone; 0: no limit. Set after start. */
	size_t inflight;	/* the weights of the jobs in flight */
};

/*
 * Start up to `workers` workers (0: one per online core), whose tables
 * are keyed by `key`. Never fails: without threads, mapagg_pool_submit
 * does the work itself. prepare may be NULL; done may not.
 */
void mapagg_pool_start(struct mapagg_pool *p, enum mapagg_key key,
		       size_t workers,
		       int (*prepare)(void *arg, struct mapagg_job *j),
		       void (*done)(void *arg, struct mapagg_job *j),
		       void *arg);
/* The next job to fill, emptied (text and table reset, label freed):
 * may first wait for the oldest job and give it to done(). */
struct mapagg_job *mapagg_pool_slot(struct mapagg_pool *p);
/* Hand that job to the workers, once the jobs in flight leave room for
 * its weight in the budget (older jobs may first go to done()). A job
 * not submitted is handed out again. */
void mapagg_pool_submit(struct mapagg_pool *p);
/* Give every job left to done(), in order, stop the workers, free all. */
void mapagg_pool_finish(struct mapagg_pool *p);

#endif
