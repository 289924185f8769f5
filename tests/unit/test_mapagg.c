/* test_mapagg.c - table-driven tests of the per-name aggregation behind
 * libs and showmap: whole names, pids, maps texts, bad records, growth;
 * and the regions diff and growth match across snapshots. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The unit tests link lib/ only (the Makefile's rule), and mapagg lives
 * with the analyzer that uses it: compile it into this test.
 */
#include "mapagg.h"
#include "util.h"

/* A record with the figures the aggregation sums (kB). */
#define REC(range, name, size, rss, pss, sc, sd, pc, pd, swap, swpss) \
	range " rw-p 00000000 00:00 0          " name "\n" \
	"Size:           " #size " kB\n" \
	"Rss:            " #rss " kB\n" \
	"Pss:            " #pss " kB\n" \
	"Shared_Clean:   " #sc " kB\n" \
	"Shared_Dirty:   " #sd " kB\n" \
	"Private_Clean:  " #pc " kB\n" \
	"Private_Dirty:  " #pd " kB\n" \
	"Swap:           " #swap " kB\n" \
	"SwapPss:        " #swpss " kB\n" \
	"VmFlags: rd wr mr mw me ac \n"

/* Two processes: libc twice in each, a path with blanks, a deleted file
 * that must stay apart from the live one, unnamed memory. */
static const char text_a[] =
	REC("1000-3000", "/usr/lib/libc.so.6", 8, 8, 4, 8, 0, 0, 0, 0, 0)
	REC("3000-4000", "/usr/lib/libc.so.6", 4, 4, 2, 0, 4, 0, 0, 0, 0)
	REC("5000-6000", "/opt/my app/lib thing.so", 4, 4, 4, 0, 0, 4, 0, 0, 0)
	REC("6000-7000", "/opt/my app/lib thing.so (deleted)",
	    4, 4, 4, 0, 0, 0, 4, 0, 0)
	REC("8000-9000", "", 4, 4, 4, 0, 0, 0, 4, 8, 8)
	REC("9000-a000", "[anon:my arena]", 4, 4, 4, 0, 0, 0, 4, 0, 0);
static const char text_b[] =
	REC("1000-3000", "/usr/lib/libc.so.6", 8, 8, 4, 8, 0, 0, 0, 0, 0)
	REC("3000-4000", "/usr/lib/libc.so.6", 4, 4, 2, 0, 4, 0, 0, 0, 0)
	REC("8000-9000", "", 4, 2, 1, 0, 0, 1, 1, 4, 2);
/* A maps text: sizes from the addresses, nothing else known. */
static const char text_maps[] =
	"00400000-00402000 r-xp 00000000 08:01 12 /usr/lib/libc.so.6\n"
	"7f0000000000-7f0000003000 rw-p 00000000 00:00 0 \n"
	"7f0000004000-7f0000005000 rw-p 00000000 00:00 0";
/* The middle record is garbled: it is left out, the others are kept. */
static const char text_bad[] =
	REC("1000-2000", "[heap]", 4, 4, 4, 0, 0, 0, 4, 0, 0)
	"2000-3000 rw-p 00000000 00:00 0 [stack]\n"
	"Rss:            12\n"
	REC("4000-5000", "[vdso]", 4, 4, 0, 4, 0, 0, 0, 0, 0);

struct want {
	const char *name;	/* as mapagg_name shows it */
	size_t len;		/* the key: 0 for unnamed */
	uint64_t count, pids, nousage, size, rss, pss, uss, swap, swap_pss;
	uint64_t sc, sd, pc, pd;
};

static void check(const struct mapagg *a, const struct want *w, size_t n)
{
	size_t i;

	assert_int_equal(a->n, n);
	for (i = 0; i < n; i++) {
		const char *key = w[i].len ? w[i].name : "";
		const struct mapagg_entry *e = mapagg_find(a, key, w[i].len);

		if (!e)
			fail_msg("no entry '%s'", w[i].name);
		assert_string_equal(mapagg_name(a, e), w[i].name);
		assert_int_equal(e->count, w[i].count);
		assert_int_equal(e->pids, w[i].pids);
		assert_int_equal(e->nousage, w[i].nousage);
		assert_int_equal(e->size, w[i].size);
		assert_int_equal(e->rss, w[i].rss);
		assert_int_equal(e->pss, w[i].pss);
		assert_int_equal(e->uss, w[i].uss);
		assert_int_equal(e->swap, w[i].swap);
		assert_int_equal(e->swap_pss, w[i].swap_pss);
		assert_int_equal(e->shared_clean, w[i].sc);
		assert_int_equal(e->shared_dirty, w[i].sd);
		assert_int_equal(e->private_clean, w[i].pc);
		assert_int_equal(e->private_dirty, w[i].pd);
	}
}

#define S(s) s, sizeof(s) - 1

static const struct want two_procs[] = {
	{ S("/usr/lib/libc.so.6"), 4, 2, 0, 24, 24, 12, 0, 0, 0, 16, 8, 0, 0 },
	{ S("/opt/my app/lib thing.so"), 1, 1, 0, 4, 4, 4, 4, 0, 0, 0, 0, 4, 0 },
	{ S("/opt/my app/lib thing.so (deleted)"), 1, 1, 0, 4, 4, 4, 4, 0, 0,
	  0, 0, 0, 4 },
	{ MAPAGG_ANON, 0, 2, 2, 0, 8, 6, 5, 6, 12, 10, 0, 0, 1, 5 },
	{ S("[anon:my arena]"), 1, 1, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 4 },
};

static void test_two_processes(void **state)
{
	struct mapagg a;
	char err[160] = "";

	(void)state;
	mapagg_init(&a);
	assert_int_equal(mapagg_add_text(&a, S(text_a), 1, 1, err, sizeof(err)), 0);
	assert_int_equal(mapagg_add_text(&a, S(text_b), 1, 2, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	check(&a, two_procs, sizeof(two_procs) / sizeof(two_procs[0]));
	/* first seen first: the order libs and showmap add rows in */
	assert_string_equal(mapagg_name(&a, &a.v[0]), "/usr/lib/libc.so.6");
	assert_string_equal(mapagg_name(&a, &a.v[3]), MAPAGG_ANON);
	mapagg_release(&a);
}

static const struct want maps_only[] = {
	{ S("/usr/lib/libc.so.6"), 1, 1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ MAPAGG_ANON, 0, 2, 1, 2, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

static void test_maps_only(void **state)
{
	struct mapagg a;

	(void)state;
	mapagg_init(&a);
	assert_int_equal(mapagg_add_text(&a, S(text_maps), 0, 7, NULL, 0), 0);
	check(&a, maps_only, sizeof(maps_only) / sizeof(maps_only[0]));
	mapagg_release(&a);
}

static const struct want bad_kept[] = {
	{ S("[heap]"), 1, 1, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 4 },
	{ S("[vdso]"), 1, 1, 0, 4, 4, 0, 0, 0, 0, 4, 0, 0, 0 },
};

static void test_bad_record(void **state)
{
	struct mapagg a;
	char err[160] = "";

	(void)state;
	mapagg_init(&a);
	assert_int_equal(mapagg_add_text(&a, S(text_bad), 1, 1, err, sizeof(err)), 1);
	assert_string_equal(err, "line 13: 'Rss' has no kB unit (truncated line?)");
	check(&a, bad_kept, sizeof(bad_kept) / sizeof(bad_kept[0]));
	mapagg_release(&a);
}

/* Many names: the index grows past its first size and finds them all;
 * a reset empties it for the next process and keeps it usable. */
static void test_growth_and_reset(void **state)
{
	struct mapagg a;
	struct smaps_map m;
	char name[64];
	int i, round;

	(void)state;
	mapagg_init(&a);
	assert_null(mapagg_find(&a, "x", 1));
	for (round = 0; round < 2; round++) {
		memset(&m, 0, sizeof(m));
		m.start = 0;
		m.end = 4096;
		for (i = 0; i < 5000; i++) {
			m.name_len = (size_t)snprintf(name, sizeof(name),
						      "/lib/l%d.so", i % 2500);
			m.name = name;
			mapagg_add(&a, &m, 1, (uint64_t)(i / 2500 + 1));
		}
		assert_int_equal(a.n, 2500);
		for (i = 0; i < 2500; i++) {
			const struct mapagg_entry *e;
			size_t n = (size_t)snprintf(name, sizeof(name),
						    "/lib/l%d.so", i);

			e = mapagg_find(&a, name, n);
			assert_non_null(e);
			assert_int_equal(e->count, 2);
			assert_int_equal(e->pids, 2);
			assert_int_equal(e->size, 8);
			assert_string_equal(mapagg_name(&a, e), name);
		}
		assert_null(mapagg_find(&a, "/lib/l2500.so", 13));
		mapagg_reset(&a);
		assert_int_equal(a.n, 0);
		assert_null(mapagg_find(&a, "/lib/l0.so", 10));
	}
	mapagg_release(&a);
}

struct done_log {
	int64_t pids[8];
	size_t n, bad;
};

static void log_done(void *arg, struct mapagg *a, const struct mapagg_text *t)
{
	struct done_log *log = arg;

	(void)a;
	log->pids[log->n++] = t->pid;
	log->bad += t->bad;
}

/* The pipe gives what summing in order gives, and calls done() in order. */
static void test_pipe(void **state)
{
	static const char *const texts[] = { text_a, text_bad, text_b, text_a };
	struct mapagg a, b;
	struct mapagg_pipe p;
	struct done_log log = { { 0 }, 0, 0 };
	size_t i, k;

	(void)state;
	mapagg_init(&a);
	mapagg_init(&b);
	mapagg_pipe_start(&p, &a, log_done, &log);
	for (i = 0; i < 4; i++) {
		struct mapagg_text *t = mapagg_pipe_slot(&p);

		assert_int_equal(buf_add(&t->text, texts[i], strlen(texts[i])), 0);
		t->usage = 1;
		t->proc = i + 1;
		t->pid = 100 + (int64_t)i;
		t->label = xstrdup("label");
		mapagg_pipe_submit(&p);
		mapagg_add_text(&b, texts[i], strlen(texts[i]), 1, i + 1, NULL, 0);
	}
	mapagg_pipe_finish(&p);
	assert_int_equal(log.n, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(log.pids[i], 100 + (int64_t)i);
	assert_int_equal(log.bad, 1);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		const struct mapagg_entry *x = &a.v[i], *y = &b.v[i];
		const uint64_t fx[] = {
			x->count, x->pids, x->nousage, x->size, x->rss, x->pss,
			x->uss, x->swap, x->swap_pss, x->shared_clean,
			x->shared_dirty, x->private_clean, x->private_dirty,
		}, fy[] = {
			y->count, y->pids, y->nousage, y->size, y->rss, y->pss,
			y->uss, y->swap, y->swap_pss, y->shared_clean,
			y->shared_dirty, y->private_clean, y->private_dirty,
		};

		assert_string_equal(mapagg_name(&a, x), mapagg_name(&b, y));
		for (k = 0; k < sizeof(fx) / sizeof(fx[0]); k++)
			assert_int_equal(fx[k], fy[k]);
	}
	mapagg_release(&a);
	mapagg_release(&b);
}

/* By region: a file's text and data are two regions, a named region is
 * one, unnamed memory one group; lo and hi span the addresses. */
static const char text_regions[] =
	"1000-3000 r-xp 00000000 08:01 12 /usr/lib/libc.so.6\n"
	"3000-4000 rw-p 00002000 08:01 12 /usr/lib/libc.so.6\n"
	"5000-6000 rw-p 00000000 00:00 0 [heap]\n"
	"6000-8000 rw-p 00000000 00:00 0 [heap]\n"
	"9000-a000 rw-p 00000000 00:00 0 \n"
	"b000-d000 rw-p 00000000 00:00 0 \n"
	"e000-f000 rw-p 00000000 00:00 0 [anon:my arena]\n";

static void test_regions(void **state)
{
	const struct mapagg_entry *e;
	struct mapagg a;

	(void)state;
	mapagg_init(&a);
	a.key = MAPAGG_BY_REGION;
	assert_int_equal(mapagg_add_text(&a, S(text_regions), 0, 1, NULL, 0), 0);
	assert_int_equal(a.n, 5);
	e = mapagg_find_file(&a, S("/usr/lib/libc.so.6"), "r-xp", 0);
	assert_non_null(e);
	assert_string_equal(mapagg_name(&a, e), "/usr/lib/libc.so.6");
	assert_int_equal(e->label_len, 18);
	assert_string_equal(e->perms, "r-xp");
	assert_int_equal(e->size, 8);
	e = mapagg_find_file(&a, S("/usr/lib/libc.so.6"), "rw-p", 0x2000);
	assert_non_null(e);
	assert_int_equal(e->offset, 0x2000);
	assert_int_equal(e->lo, 0x3000);
	assert_null(mapagg_find_file(&a, S("/usr/lib/libc.so.6"), "rw-p", 0));
	assert_null(mapagg_find(&a, S("/usr/lib/libc.so.6")));
	e = mapagg_find(&a, S("[heap]"));
	assert_non_null(e);
	assert_int_equal(e->count, 2);
	assert_int_equal(e->lo, 0x5000);
	assert_int_equal(e->hi, 0x8000);
	assert_string_equal(e->perms, "");
	e = mapagg_find(&a, "", 0);
	assert_non_null(e);
	assert_int_equal(e->size, 12);
	assert_int_equal(e->hi, 0xd000);
	assert_non_null(mapagg_find(&a, S("[anon:my arena]")));
	mapagg_release(&a);
}

/* Two tables hold the same entries, in the same order, with the same
 * figures. */
static void same_tables(const struct mapagg *a, const struct mapagg *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct mapagg_entry *x = &a->v[i], *y = &b->v[i];

		assert_int_equal(x->name_len, y->name_len);
		assert_memory_equal(a->names + x->name_off,
				    b->names + y->name_off, x->name_len);
		assert_int_equal(x->label_len, y->label_len);
		assert_string_equal(x->perms, y->perms);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->lo, y->lo);
		assert_int_equal(x->hi, y->hi);
		assert_int_equal(x->count, y->count);
		assert_int_equal(x->pids, y->pids);
		assert_int_equal(x->nousage, y->nousage);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->rss, y->rss);
		assert_int_equal(x->pss, y->pss);
		assert_int_equal(x->uss, y->uss);
		assert_int_equal(x->swap, y->swap);
		assert_int_equal(x->swap_pss, y->swap_pss);
		assert_int_equal(x->private_dirty, y->private_dirty);
	}
}

/* The texts the merge and pool tests sum, as processes 1, 2, 3, ...;
 * the maps text has no figures. */
static const char *const texts[] = { text_a, text_b, text_maps, text_regions,
				     text_bad, text_a };
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))

static int text_usage(size_t i)
{
	return texts[i] != text_maps && texts[i] != text_regions;
}

/* Summing each text alone and merging the tables in order gives the
 * table of summing them all, by name and by region, with texts of one
 * process split over two tables (a shared process counted once). */
static void test_merge(void **state)
{
	int key, split;
	size_t i;

	(void)state;
	for (key = MAPAGG_BY_NAME; key <= MAPAGG_BY_REGION; key++) {
		for (split = 0; split < 2; split++) {
			struct mapagg one, merged, part;

			mapagg_init(&one);
			mapagg_init(&merged);
			mapagg_init(&part);
			one.key = merged.key = part.key = (enum mapagg_key)key;
			for (i = 0; i < NTEXTS; i++) {
				uint64_t proc = split ? i / 2 + 1 : i + 1;

				mapagg_add_text(&one, texts[i], strlen(texts[i]),
						text_usage(i), proc, NULL, 0);
				mapagg_reset(&part);
				mapagg_add_text(&part, texts[i], strlen(texts[i]),
						text_usage(i), proc, NULL, 0);
				mapagg_merge(&merged, &part);
			}
			assert_true(one.n > 5);
			same_tables(&one, &merged);
			mapagg_release(&one);
			mapagg_release(&merged);
			mapagg_release(&part);
		}
	}
}

struct pool_run {
	struct mapagg all;
	size_t folded;
};

/* In a worker: the text of job proc; one in three has none. */
static int pool_prepare(void *arg, struct mapagg_job *j)
{
	size_t i = (size_t)(j->t.proc - 1) % NTEXTS;

	(void)arg;
	if (j->t.proc % 3 == 0)
		return 1;
	buf_add(&j->t.text, texts[i], strlen(texts[i]));
	j->t.usage = text_usage(i);
	return 0;
}

static void pool_done(void *arg, struct mapagg_job *j)
{
	struct pool_run *run = arg;

	/* in submission order, every job once */
	assert_int_equal(j->t.proc, ++run->folded);
	if (!j->prepared)
		mapagg_merge(&run->all, &j->part);
}

/* The pool, with 0 (one per core), 1, 2 and more workers than it takes,
 * gives the table one mapagg summing the same texts in order gives. */
static void test_pool(void **state)
{
	static const size_t workers[] = { 0, 1, 2, 64 };
	size_t w, i, n = 40;
	int key;

	(void)state;
	for (key = MAPAGG_BY_NAME; key <= MAPAGG_BY_REGION; key++) {
		for (w = 0; w < sizeof(workers) / sizeof(workers[0]); w++) {
			struct pool_run run = { .folded = 0 };
			struct mapagg_pool p;
			struct mapagg one;

			mapagg_init(&one);
			mapagg_init(&run.all);
			one.key = run.all.key = (enum mapagg_key)key;
			for (i = 1; i <= n; i++)
				if (i % 3)
					mapagg_add_text(&one, texts[(i - 1) % NTEXTS],
							strlen(texts[(i - 1) % NTEXTS]),
							text_usage((i - 1) % NTEXTS),
							i, NULL, 0);
			mapagg_pool_start(&p, (enum mapagg_key)key, workers[w],
					  pool_prepare, pool_done, &run);
			for (i = 1; i <= n; i++) {
				struct mapagg_job *j = mapagg_pool_slot(&p);

				if (i % 11 == 5)	/* asked twice: the same job */
					assert_ptr_equal(mapagg_pool_slot(&p), j);
				j->t.proc = i;
				mapagg_pool_submit(&p);
			}
			mapagg_pool_finish(&p);
			assert_int_equal(run.folded, n);
			same_tables(&one, &run.all);
			mapagg_release(&one);
			mapagg_release(&run.all);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_processes),
		cmocka_unit_test(test_maps_only),
		cmocka_unit_test(test_bad_record),
		cmocka_unit_test(test_growth_and_reset),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
