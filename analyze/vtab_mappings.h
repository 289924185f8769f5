/* vtab_mappings.h - the `mappings` virtual table (one row per mapping of
 * every stored maps/smaps text, parsed on demand) and cmdline_text(). */
#ifndef MAPSNAP_VTAB_MAPPINGS_H
#define MAPSNAP_VTAB_MAPPINGS_H

#include <sqlite3.h>

/*
 * Register, on db, the eponymous virtual table `mappings` (it exists in
 * the main schema without a CREATE VIRTUAL TABLE: nothing is written to
 * the file) and the SQL function cmdline_text(X). Both only read.
 * Returns an SQLite result code (SQLITE_OK).
 *
 * mappings reads main.processes and main.blobs: each process row with a
 * maps or smaps text_blob (not an imported smaps_rollup) gives one row
 * per mapping of its text. Equality on snapshot_id and pid is pushed
 * down, so a query about one process inflates one blob. A blob that does
 * not decode or parse fails the query with an error naming the blob, its
 * snapshot and pid (and the line, for a parse error).
 */
int mappings_register(sqlite3 *db);

#ifdef MAPSNAP_EXTENSION
/* The entry point `.load mapsnap` calls in the sqlite3 shell. */
int sqlite3_mapsnap_init(sqlite3 *db, char **err,
			 const sqlite3_api_routines *api);
#endif

#endif
