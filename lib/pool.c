/* pool.c - worker threads over a ring of the caller's jobs: handed out,
 * run and taken back in order, so the caller sees one thread's results. */
#include "pool.h"

#include <assert.h>
#include <unistd.h>

static void *worker_main(void *arg)
{
	struct pool *p = arg;
	size_t k;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next == p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->next == p->head)
			break;	/* stopping, and nothing left to run */
		k = p->next++ % p->njob;
		pthread_mutex_unlock(&p->mu);
		p->run(p->ctx, p->job[k]);
		pthread_mutex_lock(&p->mu);
		p->done[k] = 1;
		pthread_cond_broadcast(&p->ready);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

size_t pool_cores(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores < 1 ? 1 : cores > POOL_MAX_WORKERS ? POOL_MAX_WORKERS
		: (size_t)cores;
}

void pool_start(struct pool *p, size_t workers, void *const *jobs,
		size_t njob, void (*run)(void *ctx, void *job), void *ctx)
{
	size_t i;

	assert(njob >= 2 && njob <= POOL_MAX_JOBS);
	if (workers > POOL_MAX_WORKERS)
		workers = POOL_MAX_WORKERS;
	p->run = run;
	p->ctx = ctx;
	for (i = 0; i < njob; i++) {
		p->job[i] = jobs[i];
		p->done[i] = 0;
	}
	p->njob = njob;
	p->head = p->next = p->tail = 0;
	p->filling = p->stop = 0;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->ready, NULL);
	for (p->nworker = 0; p->nworker < workers; p->nworker++)
		if (pthread_create(&p->worker[p->nworker], NULL, worker_main,
				   p) != 0)
			break;
}

void *pool_job(struct pool *p)
{
	size_t k;

	if (p->head - p->tail == p->njob)
		return NULL;
	k = p->head % p->njob;
	p->done[k] = 0;	/* no worker looks at it before pool_submit */
	p->filling = 1;
	return p->job[k];
}

void pool_submit(struct pool *p)
{
	size_t k = p->head % p->njob;

	assert(p->filling);
	p->filling = 0;
	if (!p->nworker) {
		p->run(p->ctx, p->job[k]);
		p->done[k] = 1;
		p->head++;
		p->next++;
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->head++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

size_t pool_pending(const struct pool *p)
{
	return p->head - p->tail;
}

void *pool_take(struct pool *p)
{
	size_t k;

	if (p->tail == p->head)
		return NULL;
	k = p->tail % p->njob;
	if (p->nworker) {
		pthread_mutex_lock(&p->mu);
		while (!p->done[k])
			pthread_cond_wait(&p->ready, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	p->tail++;
	return p->job[k];
}

void pool_drop(struct pool *p)
{
	size_t k;

	p->filling = 0;	/* a job handed out and never submitted is not run */
	if (p->nworker) {
		pthread_mutex_lock(&p->mu);
		for (; p->next != p->head; p->next++)
			p->done[p->next % p->njob] = 1;
		for (; p->tail != p->head; p->tail++)
			for (k = p->tail % p->njob; !p->done[k];)
				pthread_cond_wait(&p->ready, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	p->tail = p->head;
}

void pool_finish(struct pool *p)
{
	size_t i;

	pool_drop(p);
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nworker; i++)
		pthread_join(p->worker[i], NULL);
	p->nworker = 0;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->ready);
}
