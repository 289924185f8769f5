/* test_store.c - the mapsnap file on a real SQLite database: create,
 * reopen, dedup, snapshot references, and files that must be refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"
#include "merge_io.h"
#include "rows.h"
#include "store.h"

static char path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/mapsnap-test-store.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(path);	/* the store creates it */
	return 0;
}

static int teardown(void **state)
{
	char p[80];

	(void)state;
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	return 0;
}

static int64_t scalar(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One snapshot labelled `label` holding one process with `text`. */
static int64_t add_snapshot(struct store *s, const char *uuid,
			    const char *label, int64_t time_us, const char *text)
{
	struct snapshot_row row = { 0 };
	struct process_row p;
	int64_t host, snap;
	size_t added;

	process_row_init(&p);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_host(s, "box", "m1", &host), 0);
	row.uuid = uuid;
	row.host_id = host;
	row.time_us = time_us;
	row.uptime = -1;
	row.label = label;
	row.options = "";
	row.source = TEXT_SMAPS;
	assert_int_equal(store_snapshot_add(s, &row, &snap), 0);
	p.pid = 42;
	p.comm = "x";
	p.kind = TEXT_SMAPS;
	assert_int_equal(store_blob_put(s, text, strlen(text), &p.text_blob,
					&added), 0);
	assert_int_equal(store_process_add(s, snap, &p), 0);
	assert_int_equal(store_snapshot_finish(s, snap, 1, 1, 0, NULL, 0), 0);
	assert_int_equal(store_commit(s), 0);
	return snap;
}

static void test_create_reopen(void **state)
{
	struct store s;
	struct buf out = BUF_INIT(1 << 20);
	int64_t a, b, id;

	(void)state;
	assert_int_equal(store_open(&s, path, STORE_WRITE), 0);
	assert_int_equal(scalar(&s, "PRAGMA user_version"), FORMAT_MAJOR);
	a = add_snapshot(&s, "aaaa1111-0000-4000-8000-000000000000", "one", 1, "text A\n");
	b = add_snapshot(&s, "bbbb2222-0000-4000-8000-000000000000", "two", 2, "text A\n");
	/* the same text is stored once */
	assert_int_equal(scalar(&s, "SELECT count(*) FROM blobs"), 1);
	store_close(&s);

	assert_int_equal(store_open(&s, path, STORE_READ), 0);
	assert_int_equal(store_resolve(&s, NULL, NULL, &id), 0);
	assert_int_equal(id, b);
	assert_int_equal(store_resolve(&s, "first", NULL, &id), 0);
	assert_int_equal(id, a);
	assert_int_equal(store_resolve(&s, "@one", NULL, &id), 0);
	assert_int_equal(id, a);
	assert_int_equal(store_resolve(&s, "bbbb", NULL, &id), 0);
	assert_int_equal(id, b);
	assert_int_equal(store_resolve(&s, "BBBB2222-0000", NULL, &id), 0);
	assert_int_equal(id, b);
	assert_int_equal(store_resolve(&s, "1", NULL, &id), 0);
	assert_int_equal(id, a);
	assert_int_equal(store_resolve(&s, "@nope", NULL, &id), -1);
	assert_int_equal(store_resolve(&s, "99", NULL, &id), -1);
	assert_int_equal(store_resolve(&s, "zz", NULL, &id), -1);
	/* a host narrows every kind of reference to its snapshots */
	assert_int_equal(store_resolve(&s, NULL, "box", &id), 0);
	assert_int_equal(id, b);
	assert_int_equal(store_resolve(&s, "first", "box", &id), 0);
	assert_int_equal(id, a);
	assert_int_equal(store_resolve(&s, NULL, "other", &id), -1);
	assert_int_equal(store_resolve(&s, "@one", "other", &id), -1);
	assert_int_equal(store_resolve(&s, "bbbb", "other", &id), -1);
	assert_int_equal(store_resolve(&s, "2", "other", &id), -1);
	assert_int_equal(store_blob_get(&s, 1, &out), 0);
	assert_string_equal(out.data, "text A\n");
	assert_int_equal(store_blob_get(&s, 2, &out), -1);	/* missing */
	/* read-only means read-only */
	assert_int_not_equal(sqlite3_exec(s.db, "DELETE FROM blobs", NULL, NULL,
					  NULL), SQLITE_OK);
	store_close(&s);
	buf_release(&out);
}

/* Pages written to the WAL before the commit, in one transaction of n
 * new texts of 2 KiB (hex, from seed: they deflate to about half). */
static int spilled_pages(struct store *s, int n, uint64_t seed)
{
	char text[2049];
	int64_t id;
	size_t added;
	uint64_t x = seed;
	int i, j, cur = 0, hi = 0;

	assert_int_equal(store_begin(s), 0);
	for (i = 0; i < n; i++) {
		for (j = 0; j < 2048; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			text[j] = "0123456789abcdef"[x & 15];
		}
		text[2048] = '\0';
		assert_int_equal(store_blob_put(s, text, 2048, &id, &added), 0);
	}
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_SPILL,
					   &cur, &hi, 1), SQLITE_OK);
	return cur;
}

/* A cheap capture's cache keeps a snapshot of some thousand pages whole
 * until its commit; SQLite's default cache writes them out early. */
static void test_cache(void **state)
{
	struct store s;

	(void)state;
	assert_int_equal(store_open(&s, path, STORE_WRITE), 0);
	assert_true(spilled_pages(&s, 2500, 88172645463325252ull) > 0);
	assert_int_equal(store_cache(&s, STORE_CACHE_CHEAP_KIB), 0);
	assert_int_equal(scalar(&s, "PRAGMA cache_size"), -STORE_CACHE_CHEAP_KIB);
	assert_int_equal(spilled_pages(&s, 2500, 2463534242ull), 0);
	assert_int_equal(scalar(&s, "SELECT count(*) FROM blobs"), 5000);
	store_close(&s);
}

/*
 * merge_open_input reads a copy made when it opened: what a writer
 * commits after is not in it. A file in WAL mode is read through its
 * -wal, as STORE_READ reads it, copy or not: its commits are all seen.
 */
static void test_image(void **state)
{
	struct store w, r;
	int64_t id;

	(void)state;
	assert_int_equal(store_open(&w, path, STORE_WRITE), 0);
	add_snapshot(&w, "aaaa1111-0000-4000-8000-000000000000", "one", 1, "a");
	/* the writer left WAL mode: a rollback file, copied whole */
	assert_int_equal(sqlite3_exec(w.db, "PRAGMA journal_mode = DELETE",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(merge_open_input(&r, path), 0);
	assert_int_equal(r.mode, STORE_READ);
	add_snapshot(&w, "bbbb2222-0000-4000-8000-000000000000", "two", 2, "b");
	assert_int_equal(scalar(&r, "SELECT count(*) FROM snapshots"), 1);
	assert_int_equal(store_resolve(&r, "@one", NULL, &id), 0);
	assert_int_not_equal(sqlite3_exec(r.db, "DELETE FROM blobs", NULL, NULL,
					  NULL), SQLITE_OK);
	store_close(&r);

	/* in WAL mode, with commits in the -wal: read from the file */
	assert_int_equal(sqlite3_exec(w.db, "PRAGMA journal_mode = WAL",
				      NULL, NULL, NULL), SQLITE_OK);
	add_snapshot(&w, "cccc3333-0000-4000-8000-000000000000", "three", 3, "c");
	assert_int_equal(merge_open_input(&r, path), 0);
	assert_int_equal(scalar(&r, "SELECT count(*) FROM snapshots"), 3);
	add_snapshot(&w, "dddd4444-0000-4000-8000-000000000000", "four", 4, "d");
	assert_int_equal(scalar(&r, "SELECT count(*) FROM snapshots"), 4);
	store_close(&r);
	store_close(&w);
}

static void test_ambiguous_prefix(void **state)
{
	struct store s;
	int64_t id;

	(void)state;
	assert_int_equal(store_open(&s, path, STORE_WRITE), 0);
	add_snapshot(&s, "abcd0001-0000-4000-8000-000000000000", NULL, 1, "a");
	add_snapshot(&s, "abcd0002-0000-4000-8000-000000000000", NULL, 2, "b");
	assert_int_equal(store_resolve(&s, "abcd", NULL, &id), -1);
	assert_int_equal(store_resolve(&s, "abcd0002", NULL, &id), 0);
	store_close(&s);
}

static void test_corrupt_blob(void **state)
{
	struct store s;
	struct buf out = BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(store_open(&s, path, STORE_WRITE), 0);
	add_snapshot(&s, "cccc0001-0000-4000-8000-000000000000", NULL, 1, "hello\n");
	assert_int_equal(sqlite3_exec(s.db, "UPDATE blobs SET raw_size = 5",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_blob_get(&s, 1, &out), -1);
	assert_int_equal(sqlite3_exec(s.db, "UPDATE blobs SET raw_size = 6,"
				      " hash = zeroblob(16)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_blob_get(&s, 1, &out), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(sqlite3_exec(s.db, "UPDATE blobs SET raw_size = 1e12",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_blob_get(&s, 1, &out), -1);
	store_close(&s);
	buf_release(&out);
}

static void write_file(const char *content, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, n, f), n);
	fclose(f);
}

static void test_refused(void **state)
{
	struct store s;
	sqlite3 *db;

	(void)state;
	/* missing */
	assert_int_equal(store_open(&s, path, STORE_READ), -1);
	/* not a database; and a write open must not touch it */
	write_file("hello, I am text\n", 17);
	assert_int_equal(store_open(&s, path, STORE_READ), -1);
	assert_int_equal(store_open(&s, path, STORE_WRITE), -1);
	{
		char got[64] = "";
		FILE *f = fopen(path, "rb");

		assert_non_null(f);
		assert_int_equal(fread(got, 1, sizeof(got), f), 17);
		fclose(f);
		assert_string_equal(got, "hello, I am text\n");
	}
	/* empty file: not a mapsnap file for reading, fine for writing */
	write_file("", 0);
	assert_int_equal(store_open(&s, path, STORE_READ), -1);
	assert_int_equal(store_open(&s, path, STORE_WRITE), 0);
	store_close(&s);
	/* a newer format */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), 0);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, path, STORE_READ), -1);
	assert_int_equal(store_open(&s, path, STORE_WRITE), -1);
	/* someone else's database */
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), 0);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, path, STORE_READ), -1);
	assert_int_equal(store_open(&s, path, STORE_WRITE), -1);
}

static void test_missing_column(void **state)
{
	struct store s;
	sqlite3 *db;

	(void)state;
	assert_int_equal(store_open(&s, path, STORE_WRITE), 0);
	store_close(&s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE processes DROP COLUMN exe",
				      NULL, NULL, NULL), 0);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, path, STORE_READ), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_blob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_column, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
