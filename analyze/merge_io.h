/* merge_io.h - how merge opens its files, unlike every other command:
 * each input read whole into memory, a new OUT built in memory. */
#ifndef MAPSNAP_MERGE_IO_H
#define MAPSNAP_MERGE_IO_H

#include "store.h"

/* The largest input merge_open_input copies into memory. */
#define MERGE_IMAGE_MAX ((sqlite3_int64)256 << 20)

/*
 * Open input `path` read-only, as store_open(STORE_READ) does, but from
 * a private copy of the file in memory, read in one call under SQLite's
 * read lock: one read instead of one per 1 KiB page (merge reads every
 * page), and its pages used in place. A file in WAL mode or bigger than
 * MERGE_IMAGE_MAX is read from the file. A file of a newer format than
 * this build writes is refused: its rows would lose what OUT cannot
 * hold. 0, or -1 (printed; s released).
 */
int merge_open_input(struct store *s, const char *path);

/*
 * A new OUT named path, built in memory (SQLite's memdb) as a
 * STORE_BULK writer, to be written whole by merge_save_image(): one
 * large write instead of one per page, which was half of merge's time.
 * 0, or -1 (printed; s released).
 */
int merge_open_memory(struct store *s, const char *path);

/* Write such an OUT's file image to fd, a new empty file the caller
 * made (O_EXCL) and closes; no fsync, as cp writes a copy. 0 or -1
 * (printed, naming s->path). */
int merge_save_image(struct store *s, int fd);

#endif
