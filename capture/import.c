/* import.c - --import: one saved maps, smaps or smaps_rollup text, from a
 * file or stdin, checked and stored byte for byte as a one-process snapshot. */
#include "capture.h"
#include "blob.h"
#include "smaps.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static int read_input(const char *path, struct buf *text)
{
	int r = !strcmp(path, "-") ? buf_read_fd(text, STDIN_FILENO, 1 << 20)
		: buf_read_file(text, path, 1 << 20);

	if (r < 0)
		return error("cannot read '%s': %s", path,
			     errno == EFBIG ? "larger than the 1 GiB limit"
			     : strerror(errno));
	return 0;
}

/* The process row for the text read from path, its figures summed. */
static int import_row(const char *path, const struct buf *text,
		      enum smaps_format *fmt, struct process_row *row)
{
	struct smaps_totals t;
	char err[PATH_MAX + 256];

	if (import_check(path, text->data ? text->data : "", text->len, fmt,
			 &t, err, sizeof(err)) < 0)
		return error("%s", err);
	row->kind = *fmt == SMAPS_FMT_MAPS ? TEXT_MAPS
		: *fmt == SMAPS_FMT_ROLLUP ? TEXT_ROLLUP : TEXT_SMAPS;
	row->fig[FIG_MAPS] = *fmt == SMAPS_FMT_ROLLUP ? 0 : (int64_t)t.nmaps;
	row->fig[FIG_VSS] = *fmt == SMAPS_FMT_ROLLUP ? 0 : (int64_t)t.size;
	if (*fmt != SMAPS_FMT_MAPS)
		row_set_usage(row, &t);
	return 0;
}

int capture_import(struct store *st, const struct capture_opts *o)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW);
	struct snapshot_row snap = { 0 };
	struct process_row row;
	enum smaps_format fmt;
	int64_t snap_id;
	size_t added;
	char uuid[37];
	int ret = -1;

	process_row_init(&row);
	if (read_input(o->import, &text) < 0)
		goto out;
	if (import_row(o->import, &text, &fmt, &row) < 0)
		goto out;
	row.pid = o->npids ? o->pids[0] : 0;
	row.comm = o->comm ? o->comm : "";
	row.text_reused = 0;	/* the text given, read now */
	make_uuid(uuid);
	snap.uuid = uuid;
	snap.time_us = now_us();
	snap.uptime = -1;
	snap.label = o->label;
	snap.options = o->options_text;
	snap.source = row.kind;
	if (store_begin(st) < 0)
		goto out;
	if (store_host(st, o->host ? o->host : "unknown", "", &snap.host_id) < 0 ||
	    store_snapshot_add(st, &snap, &snap_id) < 0 ||
	    store_blob_put(st, text.data ? text.data : "", text.len,
			   &row.text_blob, &added) < 0 ||
	    store_process_add(st, snap_id, &row) < 0 ||
	    store_snapshot_finish(st, snap_id, 1, 1, (int64_t)text.len, NULL, 0) < 0 ||
	    capture_prune(st, o) < 0 ||
	    store_commit(st) < 0) {
		store_rollback(st);
		goto out;
	}
	if (verbosity >= 1)
		fprintf(stderr, "%s: snapshot %lld (%s): imported '%s' (%s, %lld"
			" mappings) as process %lld\n", progname, (long long)snap_id,
			uuid, o->import, text_kind_name(row.kind),
			(long long)row.fig[FIG_MAPS],
			(long long)row.pid);
	ret = 0;
out:
	buf_release(&text);
	return ret;
}
