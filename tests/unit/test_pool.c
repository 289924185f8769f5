/* test_pool.c - the ordered pool: jobs taken back in the order handed
 * out whatever order they finish in, run at once by two workers, run by
 * the caller without workers, and dropped unrun. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "pool.h"

struct job {
	int n;		/* the caller's number */
	int out;	/* n * n, by run */
	int ran;
	pthread_t who;
};

/* Shared by the jobs of one test: a rendezvous of two of them. */
struct meet {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int arrived;
	int met;	/* both were running at once */
};

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Later jobs of a batch finish first: odd numbers sleep. */
static void run_square(void *ctx, void *arg)
{
	struct job *j = arg;

	(void)ctx;
	if (j->n % 2)
		sleep_ms(3);
	j->out = j->n * j->n;
	j->ran++;
	j->who = pthread_self();
}

static void start(struct pool *p, struct job *jobs, size_t njob,
		  size_t workers, void (*run)(void *, void *), void *ctx)
{
	void *v[POOL_MAX_JOBS];
	size_t i;

	for (i = 0; i < njob; i++)
		v[i] = &jobs[i];
	pool_start(p, workers, v, njob, run, ctx);
}

/* 100 jobs through 4 slots: back in order, each run once, the slot of a
 * job taken back handed out again. */
static void check_order(size_t workers)
{
	struct job jobs[4] = { { 0 } };
	struct pool p;
	struct job *j;
	int handed = 0, taken = 0;

	start(&p, jobs, 4, workers, run_square, NULL);
	while (taken < 100) {
		while (handed < 100 && (j = pool_job(&p)) != NULL) {
			j->n = handed++;
			j->ran = 0;
			pool_submit(&p);
		}
		assert_true(pool_pending(&p) > 0);
		j = pool_take(&p);
		assert_non_null(j);
		assert_int_equal(j->n, taken);
		assert_int_equal(j->out, taken * taken);
		assert_int_equal(j->ran, 1);
		taken++;
	}
	assert_null(pool_take(&p));
	assert_int_equal(pool_pending(&p), 0);
	pool_finish(&p);
}

static void test_order(void **state)
{
	(void)state;
	check_order(2);
	check_order(0);
}

/* Without workers, a job runs in pool_submit, in the caller's thread. */
static void test_no_workers(void **state)
{
	struct job jobs[2] = { { 0 } };
	struct pool p;
	struct job *j;

	(void)state;
	start(&p, jobs, 2, 0, run_square, NULL);
	j = pool_job(&p);
	j->n = 7;
	pool_submit(&p);
	assert_int_equal(j->ran, 1);
	assert_true(pthread_equal(j->who, pthread_self()));
	assert_ptr_equal(pool_take(&p), j);
	pool_finish(&p);
}

/* Each job waits up to 2 s for the other: both meet only when two
 * workers run them at once. */
static void run_meet(void *ctx, void *arg)
{
	struct meet *m = ctx;
	struct timespec until;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&m->mu);
	m->arrived++;
	pthread_cond_broadcast(&m->cv);
	while (m->arrived < 2 &&
	       pthread_cond_timedwait(&m->cv, &m->mu, &until) == 0)
		;
	if (m->arrived == 2)
		m->met++;
	pthread_mutex_unlock(&m->mu);
}

static void test_workers_run_at_once(void **state)
{
	struct meet m = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0, 0 };
	struct job jobs[4] = { { 0 } };
	struct pool p;

	(void)state;
	start(&p, jobs, 4, 2, run_meet, &m);
	assert_int_equal(p.nworker, 2);
	pool_job(&p);
	pool_submit(&p);
	pool_job(&p);
	pool_submit(&p);
	pool_take(&p);
	pool_take(&p);
	pool_finish(&p);
	assert_int_equal(m.met, 2);
}

/* A job that waits, up to 2 s, for the test to open the gate. */
struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, open;
};

static void run_gated(void *ctx, void *arg)
{
	struct gate *g = ctx;
	struct job *j = arg;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&g->mu);
	g->started++;
	pthread_cond_broadcast(&g->cv);
	while (!g->open && pthread_cond_timedwait(&g->cv, &g->mu, &until) == 0)
		;
	j->ran++;
	pthread_mutex_unlock(&g->mu);
}

static void *open_later(void *arg)
{
	struct gate *g = arg;

	sleep_ms(20);
	pthread_mutex_lock(&g->mu);
	g->open = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Dropped jobs: the one running is waited for, those not started never
 * run, and the ring is free again. */
static void test_drop(void **state)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0, 0 };
	struct job jobs[6] = { { 0 } };
	struct pool p;
	pthread_t opener;
	int i;

	(void)state;
	start(&p, jobs, 6, 1, run_gated, &g);
	for (i = 0; i < 6; i++) {
		pool_job(&p);
		pool_submit(&p);
	}
	assert_null(pool_job(&p));
	pthread_mutex_lock(&g.mu);
	while (!g.started)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);
	assert_int_equal(pthread_create(&opener, NULL, open_later, &g), 0);
	pool_drop(&p);
	pthread_join(opener, NULL);
	assert_int_equal(jobs[0].ran, 1);
	for (i = 1; i < 6; i++)
		assert_int_equal(jobs[i].ran, 0);
	assert_int_equal(pool_pending(&p), 0);
	assert_null(pool_take(&p));
	assert_non_null(pool_job(&p));
	pool_finish(&p);
	for (i = 1; i < 6; i++)
		assert_int_equal(jobs[i].ran, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_no_workers),
		cmocka_unit_test(test_workers_run_at_once),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
