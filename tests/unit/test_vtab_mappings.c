/* test_vtab_mappings.c - the mappings table on a real in-memory SQLite
 * database laid out by schema.sql: {text, query, expected} rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "blob.h"
#include "vtab_mappings.h"

extern const char schema_sql[];

static const char smaps_text[] =
	"55d0c8a00000-55d0c8a01000 r--p 00001000 fe:01 262200"
	"                     /usr/bin/a b (deleted)\n"
	"Size:                  4 kB\n"
	"Rss:                   4 kB\n"
	"Pss:                   2 kB\n"
	"Foo_Bar:              12 kB\n"
	"SwapPss:               1 kB\n"
	"THPeligible:           1\n"
	"VmFlags: rd mr mw me \n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0\n"
	"Size:                  4 kB\n"
	"Rss:                   0 kB";	/* no newline at the end */

static const char maps_text[] =
	"00400000-00452000 r-xp 00000000 103:01 4294967297 /bin/x\n";

static const char bad_text[] =
	"00400000-00452000 r-xp 00000000 08:01 1 /bin/x\n"
	"Size:                  4 kB\n"
	"Rss:                   4\n";

/* A database of schema.sql with one snapshot, and process `pid` holding
 * `text` as a raw blob (kind "smaps", "maps" or "rollup"). */
static void add_process(sqlite3 *db, int64_t pid, const char *text,
			const char *kind)
{
	struct blob_hash h;
	sqlite3_stmt *st;
	size_t n = strlen(text);

	blob_hash(text, n, &h);
	assert_int_equal(sqlite3_prepare_v2(db,
		"INSERT INTO blobs (hash, raw_size, codec, data)"
		" VALUES (?1, ?2, 'raw', ?3)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, h.b, BLOB_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
	sqlite3_bind_blob(st, 3, text, (int)n, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db,
		"INSERT INTO processes (snapshot_id, pid, text_blob, text_kind)"
		" VALUES (1, ?1, last_insert_rowid(), ?2)", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static sqlite3 *open_db(void)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema_sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"INSERT INTO hosts (id, hostname) VALUES (1, 'h');"
		"INSERT INTO snapshots (id, uuid, host_id, time_us, tool_version,"
		" source) VALUES (1, 'u', 1, 0, 'x', 'smaps')", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(mappings_register(db), SQLITE_OK);
	return db;
}

/* The query's rows as "a|b|c\n" text (NULL as "-"), or "error: msg". */
static void run(sqlite3 *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st;
	size_t len = 0;
	int rc, i;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			len += (size_t)snprintf(out + len, n - len, "%s%c",
						v ? (const char *)v : "-",
						i + 1 < sqlite3_column_count(st) ? '|' : '\n');
			assert_true(len < n);
		}
	if (rc != SQLITE_DONE)
		snprintf(out, n, "error: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
}

struct row {
	const char *sql;
	const char *want;
};

static void test_rows(void **state)
{
	static const struct row rows[] = {
		{ "SELECT pid, start, \"end\", perm, offset, dev, inode, path"
		  " FROM mappings",
		  "1|94355207487488|94355207491584|r--p|4096|fe:01|262200|/usr/bin/a b (deleted)\n"
		  "1|-10485760|-10481664|--xp|0|00:00|0|\n"
		  "2|4194304|4530176|r-xp|0|103:01|4294967297|/bin/x\n" },
		{ "SELECT size, rss, pss, swappss, thpeligible, pss_dirty, vmflags"
		  " FROM mappings",
		  "4|4|2|1|1|-|rd mr mw me\n4|0|-|-|-|-|-\n-|-|-|-|-|-|-\n" },
		{ "SELECT printf('%x', start) FROM mappings WHERE pid = 1",
		  "55d0c8a00000\nffffffffff600000\n" },
		{ "SELECT count(*) FROM mappings WHERE snapshot_id = 1 AND pid = 2",
		  "1\n" },
		{ "SELECT count(*) FROM mappings WHERE pid = '2'", "1\n" },
		{ "SELECT count(*) FROM mappings WHERE snapshot_id = 2", "0\n" },
		{ "SELECT cmdline_text(x'612062000000'), cmdline_text(NULL),"
		  " cmdline_text(x'00'), cmdline_text('ab')", "a b  |-||ab\n" },
	};
	sqlite3 *db = open_db();
	char out[1024];
	size_t i;

	(void)state;
	add_process(db, 1, smaps_text, "smaps");
	add_process(db, 2, maps_text, "maps");
	add_process(db, 3, "[rollup]", "rollup");	/* no mappings */
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run(db, rows[i].sql, out, sizeof(out));
		if (strcmp(out, rows[i].want))
			fail_msg("%s:\n got: %s\nwant: %s", rows[i].sql, out,
				 rows[i].want);
	}
	sqlite3_close(db);
}

/* A bad text or blob fails a query that reads it, naming it; a query
 * that does not read it (pushdown) is not affected. */
static void test_errors(void **state)
{
	static const struct row rows[] = {
		{ "SELECT count(*) FROM mappings",
		  "error: blob 2 (snapshot 1, pid 2) does not parse: line 3:" },
		{ "SELECT count(*) FROM mappings WHERE pid = 1", "2\n" },
		{ "SELECT count(*) FROM mappings WHERE pid = 3",
		  "error: blob 3 " },
		{ "SELECT count(*) FROM mappings WHERE pid = 4",
		  "error: blob 99 is missing (snapshot 1, pid 4)" },
		{ "SELECT count(*) FROM mappings WHERE pid = 5",
		  "error: blob 4 " },
	};
	sqlite3 *db = open_db();
	char out[1024];
	size_t i;

	(void)state;
	add_process(db, 1, smaps_text, "smaps");
	add_process(db, 2, bad_text, "smaps");
	add_process(db, 3, maps_text, "maps");
	add_process(db, 5, "00400000-00452000 r-xp 00000000 08:01 1 /y\n",
		    "smaps");
	assert_int_equal(sqlite3_exec(db,
		"UPDATE blobs SET data = x'00' || substr(data, 2) WHERE id = 3;"
		"UPDATE blobs SET raw_size = 1 << 40 WHERE id = 4;"
		"INSERT INTO processes (snapshot_id, pid, text_blob, text_kind)"
		" VALUES (1, 4, 99, 'smaps')", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run(db, rows[i].sql, out, sizeof(out));
		if (strncmp(out, rows[i].want, strlen(rows[i].want)))
			fail_msg("%s:\n got: %s\nwant: %s...", rows[i].sql, out,
				 rows[i].want);
	}
	sqlite3_close(db);
}

/* The text of process pid in test_many: pid mappings, Rss pid * i. */
static void many_text(char *out, size_t n, int pid)
{
	size_t len = 0;
	int i;

	for (i = 1; i <= pid; i++) {
		len += (size_t)snprintf(out + len, n - len,
					"%08x-%08x rw-p 00000000 00:00 0\n"
					"Rss:            %8d kB\n",
					0x1000 * i, 0x1000 * (i + 1), pid * i);
		assert_true(len < n);
	}
}

/*
 * Many processes, their texts made ahead by the workers: rows come out
 * in (snapshot_id, pid) order as one process at a time would give them;
 * the rows before a bad text still come out, then its error; a query
 * that stops early, a scan started again and a join all work.
 */
static void test_many(void **state)
{
	static char text[8192], out[65536], want[65536];
	sqlite3 *db = open_db();
	size_t len = 0;
	int pid, i;

	(void)state;
	for (pid = 1; pid <= 60; pid++) {
		many_text(text, sizeof(text), pid);
		add_process(db, pid, text, "smaps");
		for (i = 1; i <= pid; i++)
			len += (size_t)snprintf(want + len, sizeof(want) - len,
						"%d|%d\n", pid, pid * i);
	}
	run(db, "SELECT pid, rss FROM mappings", out, sizeof(out));
	assert_string_equal(out, want);
	run(db, "SELECT sum(rss), count(*) FROM mappings", out, sizeof(out));
	assert_string_equal(out, "1711355|1830\n");
	run(db, "SELECT pid, rss FROM mappings LIMIT 2", out, sizeof(out));
	assert_string_equal(out, "1|1\n2|2\n");
	run(db, "SELECT count(*) FROM processes p JOIN mappings m"
	    " ON m.snapshot_id = p.snapshot_id AND m.pid = p.pid"
	    " WHERE p.pid % 7 = 0", out, sizeof(out));
	assert_string_equal(out, "252\n");
	run(db, "SELECT count(*) FROM mappings a JOIN mappings b"
	    " ON b.pid = a.pid + 1 AND b.start = a.start", out, sizeof(out));
	assert_string_equal(out, "1770\n");
	/* blob 40 (pid 40) damaged: pids 1..39 (780 rows), then its error */
	assert_int_equal(sqlite3_exec(db, "UPDATE blobs SET data ="
		" x'00' || substr(data, 2) WHERE id = 40", NULL, NULL, NULL),
		SQLITE_OK);
	run(db, "SELECT count(*) FROM (SELECT pid FROM mappings LIMIT 780)",
	    out, sizeof(out));
	assert_string_equal(out, "780\n");
	run(db, "SELECT count(*) FROM mappings", out, sizeof(out));
	assert_string_equal(out, "error: blob 40 does not match its hash"
			    " (snapshot 1, pid 40)");
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
