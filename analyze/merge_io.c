/* merge_io.c - merge's own ways to open a file: inputs from a private
 * copy in memory, a new OUT in memory written in one go. */
#include "merge_io.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Read s's whole file into a new buffer (sqlite3_malloc'd) while SQLite
 * holds its read lock: *image stays NULL for a file that is to be read
 * from disk after all (WAL mode, or too big). Asks SQLite nothing that
 * would parse the file's schema: the copy is opened and parsed anyway,
 * and parsing it twice was a fifth of a small input's cost. 0 or -1
 * (printed). */
static int read_image(struct store *s, unsigned char **image,
		      sqlite3_int64 *size)
{
	unsigned char head[100];
	sqlite3_file *f = NULL;
	int rc;

	*image = NULL;
	/* the read lock, taken by a read of the header alone */
	if (store_exec(s, "BEGIN; PRAGMA schema_version", "read") < 0)
		return -1;
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER,
				 &f) != SQLITE_OK || !f || !f->pMethods ||
	    f->pMethods->xFileSize(f, size) != SQLITE_OK)
		goto fail;
	if (*size < (sqlite3_int64)sizeof(head) || *size > MERGE_IMAGE_MAX ||
	    f->pMethods->xRead(f, head, sizeof(head), 0) != SQLITE_OK ||
	    head[18] == 2 || head[19] == 2)
		return store_exec(s, "COMMIT", "read");
	if (!(*image = sqlite3_malloc64((sqlite3_uint64)*size))) {
		store_rollback(s);
		return error("cannot read '%s': out of memory", s->path);
	}
	/* a short read is zero-filled, as SQLite reads past the end */
	rc = f->pMethods->xRead(f, *image, (int)*size, 0);
	if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ) {
		store_rollback(s);
		return 0;
	}
	sqlite3_free(*image);
	*image = NULL;
fail:
	store_error(s, "read");
	store_rollback(s);
	return -1;
}

/*
 * Put a connection on a private copy of s's file in memory in place of
 * the file's own. The copy is one state of the file, whoever writes to
 * it, and a hot journal has been dealt with as for any read. No other
 * process can change the copy, which makes SQLite's memory-mapped reads
 * of it safe, and they spare a copy of every page read. 0 or -1.
 */
static int load_image(struct store *s)
{
	unsigned char *image;
	sqlite3_int64 size = 0;
	char sql[64];

	if (read_image(s, &image, &size) < 0)
		return -1;
	if (!image)
		return 0;
	sqlite3_close(s->db);
	if (sqlite3_open_v2("file:image?vfs=memdb", &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_free(image);
		return store_error(s, "open");
	}
	/* on failure too, SQLite frees the image (FREEONCLOSE) */
	if (sqlite3_deserialize(s->db, "main", image, size, size,
				SQLITE_DESERIALIZE_FREEONCLOSE |
				SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
		return store_error(s, "read");
	snprintf(sql, sizeof(sql), "PRAGMA mmap_size = %lld", (long long)size);
	return store_settle(s) < 0 ? -1 : store_exec(s, sql, "read");
}

int merge_open_input(struct store *s, const char *path)
{
	if (store_connect(s, path, STORE_READ, NULL, 0) < 0 ||
	    load_image(s) < 0 || store_validate(s) < 0)
		goto fail;
	if (s->format.minor > FORMAT_MINOR) {
		error("cannot merge '%s': it has format %d.%d, newer than this"
		      " mapsnap (%s) writes (%s): upgrade mapsnap", path,
		      FORMAT_MAJOR, s->format.minor, MAPSNAP_VERSION,
		      format_version());
		goto fail;
	}
	return 0;
fail:
	store_close(s);
	return -1;
}

int merge_open_memory(struct store *s, const char *path)
{
	if (store_connect(s, path, STORE_BULK, "file:out?vfs=memdb",
			  SQLITE_OPEN_URI) < 0 || store_validate(s) < 0) {
		store_close(s);
		return -1;
	}
	return 0;
}

int merge_save_image(struct store *s, int fd)
{
	sqlite3_int64 size = 0;
	unsigned char *image, *copy = NULL;
	size_t done = 0;
	ssize_t n = 1;

	image = sqlite3_serialize(s->db, "main", &size, SQLITE_SERIALIZE_NOCOPY);
	if (!image)
		image = copy = sqlite3_serialize(s->db, "main", &size, 0);
	if (!image)
		return store_error(s, "write");
	while (done < (size_t)size) {
		n = write(fd, image + done, (size_t)size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (n == 0)
		errno = ENOSPC;		/* write() made no progress */
	sqlite3_free(copy);
	if (done < (size_t)size)
		return error("cannot write '%s': %s", s->path, strerror(errno));
	return 0;
}
