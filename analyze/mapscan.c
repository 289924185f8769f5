/* mapscan.c - a stored text decoded and parsed whole into the rows of
 * the `mappings` table, from a copy of its blob: work for a thread that
 * never touches SQLite. */
#include "mapscan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mapscan_job_init(struct mapscan_job *j)
{
	memset(j, 0, sizeof(*j));
	blob_copy_init(&j->blob);
	buf_init(&j->text, BLOB_MAX_RAW);
}

void mapscan_job_release(struct mapscan_job *j)
{
	blob_copy_release(&j->blob);
	buf_release(&j->text);
	free(j->rec);
	j->rec = NULL;
	j->nrec = j->alloc = 0;
}

int mapscan_copy(struct mapscan_job *j, int64_t snap, int64_t pid,
		 int64_t blob_id, const struct blob_stored *b)
{
	j->snap = snap;
	j->pid = pid;
	j->blob_id = blob_id;
	j->nrec = 0;
	j->err[0] = '\0';
	if (blob_copy_set(&j->blob, b) < 0) {
		snprintf(j->err, sizeof(j->err), "blob %lld is too large"
			 " (snapshot %lld, pid %lld)", (long long)blob_id,
			 (long long)snap, (long long)pid);
		return -1;
	}
	return 0;
}

/* Append m's columns to j->rec. 0, or -1 when out of memory. */
static int add_rec(struct mapscan_job *j, const struct smaps_map *m)
{
	struct mapscan_rec *r;

	if (j->nrec == j->alloc) {
		size_t n = j->alloc ? 2 * j->alloc : 256;

		r = n < SIZE_MAX / sizeof(*r) ? realloc(j->rec, n * sizeof(*r))
			: NULL;
		if (!r)
			return -1;
		j->rec = r;
		j->alloc = n;
	}
	r = &j->rec[j->nrec++];
	r->start = m->start;
	r->end = m->end;
	r->offset = m->offset;
	r->inode = m->inode;
	memcpy(r->val, m->val, sizeof(r->val));
	r->present = m->present;
	r->dev_major = m->dev_major;
	r->dev_minor = m->dev_minor;
	memcpy(r->perms, m->perms, sizeof(r->perms));
	r->name_off = m->name_len ? (size_t)(m->name - j->text.data) : 0;
	r->name_len = m->name_len;
	r->has_vmflags = m->vmflags != NULL;
	r->vmflags_off = m->vmflags ? (size_t)(m->vmflags - j->text.data) : 0;
	r->vmflags_len = m->vmflags_len;
	return 0;
}

void mapscan_run(void *ctx, void *job)
{
	struct mapscan_job *j = job;
	const struct blob_stored b = blob_copy_view(&j->blob);
	struct smaps_parser ps;
	struct smaps_map m;
	char why[160];
	int r;

	(void)ctx;
	if (j->err[0])
		return;		/* the copy failed */
	buf_reset(&j->text);
	if (blob_unpack(&b, &j->text, why, sizeof(why)) < 0) {
		snprintf(j->err, sizeof(j->err), "blob %lld %s (snapshot %lld,"
			 " pid %lld)", (long long)j->blob_id, why,
			 (long long)j->snap, (long long)j->pid);
		return;
	}
	smaps_parser_init(&ps, j->text.data ? j->text.data : "", j->text.len);
	while ((r = smaps_next(&ps, &m)) > 0)
		if (add_rec(j, &m) < 0) {
			snprintf(j->err, sizeof(j->err), "out of memory");
			return;
		}
	if (r < 0)
		snprintf(j->err, sizeof(j->err), "blob %lld (snapshot %lld, pid"
			 " %lld) does not parse: %s", (long long)j->blob_id,
			 (long long)j->snap, (long long)j->pid, ps.err);
}
