/* stream.c - a process's memory text summed, whole or as it is read (its
 * maps lines hashed on the way, for --reuse); and a text too long to
 * hold whole, packed as it is read: hashed, compressed and summed a
 * piece at a time. */
#include "capture.h"
#include "blob.h"
#include "smaps.h"

#include <errno.h>
#include <string.h>

/* A record's header line is a line of the maps text, as the kernel
 * prints both from one function. */
static void hash_header(void *arg, const struct smaps_map *m)
{
	struct blob_hasher *h = arg;

	blob_hasher_add(h, m->line, m->line_len);
	blob_hasher_add(h, "\n", 1);
}

void proc_sum_start(struct proc_read *p)
{
	smaps_summer_init(&p->sum);
	if (p->hash_maps && blob_hasher_start(&p->maps) == 0) {
		p->sum.each = hash_header;
		p->sum.arg = &p->maps;
	}
}

void proc_sum_end(struct proc_read *p)
{
	/* no hasher (out of memory): a hash of nothing, which matches no
	 * maps text, so the process is never reused */
	memset(&p->maps_hash, 0, sizeof(p->maps_hash));
	if (p->sum.each)
		blob_hasher_end(&p->maps, &p->maps_hash);
}

void proc_sum_text(struct proc_read *p)
{
	proc_sum_start(p);
	smaps_summer_add(&p->sum, p->text.data ? p->text.data : "", p->text.len,
			 1);
	proc_sum_end(p);
}

/* Pack what p->text holds past p->fed, and take off the whole records
 * the summer is done with. */
static int pack(struct proc_read *p, struct buf *b, int last)
{
	size_t took;

	if (blob_stream_add(&p->stream, b->data + p->fed, b->len - p->fed,
			    &p->packed) < 0) {
		errno = EIO;
		return -1;
	}
	took = smaps_summer_add(&p->sum, b->data, b->len, last);
	buf_drop(b, took);
	p->fed = b->len;
	return 0;
}

/* After each read from STREAM_AT on: start packing, or go on. */
static int drain(void *arg, struct buf *b)
{
	struct proc_read *p = arg;

	if (!p->streamed) {
		if (b->len < STREAM_AT)
			return 0;
		blob_stream_release(&p->stream);
		buf_reset(&p->packed);
		proc_sum_start(p);
		p->fed = 0;
		if (blob_stream_start(&p->stream, p->level) < 0) {
			errno = EIO;
			return -1;
		}
		p->streamed = 1;
	}
	return pack(p, b, 0);
}

int proc_read_text(struct proc_read *p, int fd, size_t chunk)
{
	p->streamed = 0;
	buf_reset(&p->text);
	if (buf_read_fd_drain(&p->text, fd, chunk, chunk, drain, p) < 0)
		return -1;
	if (!p->streamed)
		return 0;
	if (pack(p, &p->text, 1) < 0 ||
	    blob_stream_end(&p->stream, &p->packed, &p->hash) < 0) {
		errno = EIO;
		return -1;
	}
	proc_sum_end(p);
	return 0;
}
