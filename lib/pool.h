/* pool.h - worker threads that run the caller's jobs while the caller
 * goes on: jobs are handed out in order, run in any order, and taken
 * back in the order they were handed out.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/ (the Makefile builds
 * it without their headers). */
#ifndef MAPSNAP_POOL_H
#define MAPSNAP_POOL_H

#include <pthread.h>
#include <stddef.h>

#define POOL_MAX_WORKERS 8	/* at most, whatever the cores */
/* Jobs in flight: two per worker keep each busy while the caller takes
 * one back and fills another, and two more for the caller's own. */
#define POOL_MAX_JOBS (2 * POOL_MAX_WORKERS + 2)

/*
 * The caller owns the jobs (any struct): it fills one that pool_job()
 * hands out, pool_submit()s it, and later pool_take()s it back, done.
 * A worker runs run(ctx, job) on it in between, touching nothing else
 * of the caller's but what ctx and the job point at.
 */
struct pool {
	void (*run)(void *ctx, void *job);
	void *ctx;
	void *job[POOL_MAX_JOBS];
	int done[POOL_MAX_JOBS];	/* run has returned on job[i] */
	size_t njob;
	size_t head;		/* jobs submitted */
	size_t next;		/* jobs a worker has started */
	size_t tail;		/* jobs taken back */
	int filling;		/* job[head] is the caller's, to submit */
	size_t nworker;		/* threads; 0: pool_submit runs the job */
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* to the workers: a job, or stop */
	pthread_cond_t ready;	/* to the caller: a job is done */
	pthread_t worker[POOL_MAX_WORKERS];
};

/* Online cores, at least 1 and at most POOL_MAX_WORKERS. */
size_t pool_cores(void);

/*
 * Start up to `workers` threads (at most POOL_MAX_WORKERS; 0 for none)
 * over the caller's `njob` jobs (2 to POOL_MAX_JOBS). Never fails:
 * without threads, pool_submit runs each job at once.
 */
void pool_start(struct pool *p, size_t workers, void *const *jobs,
		size_t njob, void (*run)(void *ctx, void *job), void *ctx);

/*
 * The next job for the caller to fill, or NULL when every job is out
 * (submitted and not taken back). A job taken back stays the caller's
 * until this call: it may be the one handed out next. A job handed out
 * and not submitted is handed out again.
 */
void *pool_job(struct pool *p);
/* Hand the job of the last pool_job() to the workers. */
void pool_submit(struct pool *p);
/* Jobs submitted and not taken back. */
size_t pool_pending(const struct pool *p);
/* The oldest job submitted, once run (waits for it), or NULL when none
 * is pending. */
void *pool_take(struct pool *p);

/* Forget the jobs pending: those no worker started are not run; waits
 * for those running. Every job is then the caller's again. */
void pool_drop(struct pool *p);

/* pool_drop, then stop the workers. The jobs stay the caller's to free. */
void pool_finish(struct pool *p);

#endif
