/* inflate.c - the analyzer bench's floor: inflate the stored text of every
 * process of one snapshot (what any per-mapping view must at least do),
 * or with --blobs every blob of the file once (what check must at least
 * do), keep nothing, and print the bytes inflated. */
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* Inflate the blob of each row of `sql` (its ?1 bound to snap, when
 * snap > 0): the process texts of a snapshot, or every blob once. */
static int inflate_rows(struct store *st, const char *sql, int64_t snap,
			uint64_t *total)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	sqlite3_stmt *q = NULL;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, "read from");
	if (snap > 0)
		sqlite3_bind_int64(q, 1, snap);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		buf_reset(&text);
		if (store_blob_get(st, sqlite3_column_int64(q, 0), &text) < 0)
			ret = -1;
		*total += text.len;
	}
	if (rc != SQLITE_DONE)
		ret = store_error(st, "read from");
	sqlite3_finalize(q);
	buf_release(&text);
	return ret;
}

int main(int argc, char **argv)
{
	struct store st;
	uint64_t total = 0;
	int64_t snap;
	int ret, blobs = argc > 1 && !strcmp(argv[1], "--blobs");

	progname = "inflate";
	if (argc - blobs < 2 || argc - blobs > 3 || (blobs && argc != 3)) {
		fprintf(stderr, "usage: inflate FILE [REF] | inflate --blobs FILE\n"
			"Inflate every process text of snapshot REF (default latest),"
			" or every blob\nof FILE once, and print the bytes.\n");
		return 2;
	}
	if (store_open(&st, argv[1 + blobs], STORE_READ) < 0)
		return 1;
	if (blobs)
		ret = inflate_rows(&st, "SELECT id FROM blobs ORDER BY id", 0,
				   &total) < 0;
	else
		ret = store_resolve(&st, argc > 2 ? argv[2] : NULL, NULL,
				    &snap) < 0 ||
		      inflate_rows(&st, "SELECT text_blob FROM processes WHERE"
				   " snapshot_id = ?1 AND text_blob NOT NULL"
				   " ORDER BY pid", snap, &total) < 0;
	store_close(&st);
	if (!ret)
		printf("%llu\n", (unsigned long long)total);
	return ret;
}
