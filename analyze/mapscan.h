/* mapscan.h - one process's stored text made into rows ahead of time:
 * a copy of its blob's row, decoded, checked and parsed whole, so that a
 * worker thread can do it while the `mappings` table returns other rows.
 * Calls no SQLite: the table fills the copy, in SQLite's thread. */
#ifndef MAPSNAP_MAPSCAN_H
#define MAPSNAP_MAPSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "buf.h"
#include "smaps.h"

/* One mapping of the text, as the table's columns need it. */
struct mapscan_rec {
	uint64_t start, end, offset, inode;
	uint64_t val[SF__COUNT];	/* as smaps_map's */
	uint64_t present;
	unsigned dev_major, dev_minor;
	char perms[5];
	int has_vmflags;
	size_t name_off, name_len;	/* in text; name_len 0: none */
	size_t vmflags_off, vmflags_len;
};

/*
 * A text to make: the caller fills the first part (mapscan_copy), a
 * worker runs mapscan_run, then the caller reads rec[0..nrec) and, after
 * the last, says err when it is not empty. The buffers are kept from one
 * text to the next.
 */
struct mapscan_job {
	int64_t snap, pid, blob_id;
	struct blob_copy blob;
	/* mapscan_run's */
	struct buf text;
	struct mapscan_rec *rec;
	size_t nrec, alloc;
	char err[256];			/* "" or why the rows stop at nrec */
};

void mapscan_job_init(struct mapscan_job *j);
void mapscan_job_release(struct mapscan_job *j);

/* Copy b (a row of blobs, valid only until its statement moves on) into
 * j for process (snap, pid), with j's result cleared. 0, or -1 when the
 * data does not fit the buffer's cap (then err says so). */
int mapscan_copy(struct mapscan_job *j, int64_t snap, int64_t pid,
		 int64_t blob_id, const struct blob_stored *b);

/* Decode j's copy (every check of blob_unpack) and parse the text into
 * rec; a text that fails leaves err set (no rows, or the rows before a
 * record that does not parse, as smaps_next stops). A pool's run. */
void mapscan_run(void *ctx, void *job);

#endif
