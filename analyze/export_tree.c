/* export_tree.c - `export --proc-tree`: one snapshot written back as the
 * proc-like tree it was read from, for smem -S and mapsnap-capture --proc. */
#include "export.h"
#include "smaps.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Create dir/name with (p, n): never over an existing file or through a
 * link, so a tree is written only where nothing was. 0 or -1 (printed). */
static int write_file(const char *dir, const char *name, const void *p,
		      size_t n)
{
	struct buf path = BUF_INIT(8192);
	const char *s = p;
	ssize_t w;
	int fd, ret = -1;

	if (buf_addf(&path, "%s/%s", dir, name) < 0) {
		ret = error("cannot write '%s/%s': path too long", dir, name);
		goto out;
	}
	fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		  O_CLOEXEC, 0644);
	if (fd < 0) {
		error("cannot create '%s': %s", path.data, strerror(errno));
		goto out;
	}
	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		s += w;
		n -= (size_t)w;
	}
	if (n > 0 || close(fd) < 0) {
		error("cannot write '%s': %s", path.data,
		      n > 0 ? strerror(errno ? errno : EIO) : strerror(errno));
		if (n > 0)
			close(fd);
		goto out;
	}
	ret = 0;
out:
	buf_release(&path);
	return ret;
}

/* mkdir dir/name (name may be ""); EEXIST is an error unless `may_exist`. */
static int make_dir(const char *dir, const char *name, int may_exist)
{
	struct buf path = BUF_INIT(8192);
	struct stat sb;
	int ret = 0;

	buf_addf(&path, "%s%s%s", dir, *name ? "/" : "", name);
	if (mkdir(path.data, 0755) < 0 &&
	    !(may_exist && errno == EEXIST && lstat(path.data, &sb) == 0 &&
	      S_ISDIR(sb.st_mode)))
		ret = error("cannot create '%s': %s", path.data,
			    strerror(errno));
	buf_release(&path);
	return ret;
}

/* Blob `id` (when q's column c holds one) as dir/name. 0, 1 when the blob
 * cannot be read (printed), -1 when it cannot be written. */
static int write_blob(struct store *st, sqlite3_stmt *q, int c,
		      const char *dir, const char *name, struct buf *b)
{
	if (sqlite3_column_type(q, c) == SQLITE_NULL)
		return 0;
	buf_reset(b);
	if (store_blob_get(st, sqlite3_column_int64(q, c), b) < 0)
		return 1;
	return write_file(dir, name, b->data ? b->data : "", b->len);
}

/* maps, rebuilt from the header line of every smaps record. */
static int write_maps(const char *dir, const struct buf *smaps, struct buf *out)
{
	struct smaps_parser ps;
	struct smaps_map m;
	int r;

	buf_reset(out);
	smaps_parser_init(&ps, smaps->data ? smaps->data : "", smaps->len);
	while ((r = smaps_next(&ps, &m)) != 0) {
		if (r > 0 && (buf_add(out, m.line, m.line_len) < 0 ||
			      buf_addch(out, '\n') < 0))
			return error("cannot write '%s/maps': too large", dir);
	}
	return write_file(dir, "maps", out->data ? out->data : "", out->len);
}

/* One process: DIR/proc/PID and its files. 0, 1 or -1 as write_blob. */
static int write_process(struct store *st, sqlite3_stmt *q, const char *proc,
			 struct buf *text, struct buf *tmp)
{
	const char *kind = (const char *)sqlite3_column_text(q, 8);
	const char *comm = (const char *)sqlite3_column_text(q, 3);
	char name[32], dir[8192];
	int r, bad = 0;

	snprintf(name, sizeof(name), "%lld", (long long)sqlite3_column_int64(q, 0));
	if (make_dir(proc, name, 0) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", proc, name);
	if (write_file(dir, "cmdline", sqlite3_column_blob(q, 4),
		       (size_t)sqlite3_column_bytes(q, 4)) < 0)
		return -1;
	buf_reset(tmp);
	buf_addf(tmp, "%s\n", comm ? comm : "");
	if (write_file(dir, "comm", tmp->data, tmp->len) < 0)
		return -1;
	if ((r = write_blob(st, q, 5, dir, "stat", tmp)) < 0 ||
	    (bad |= r, r = write_blob(st, q, 6, dir, "status", tmp)) < 0)
		return -1;
	bad |= r;
	if (sqlite3_column_type(q, 7) == SQLITE_NULL ||
	    (kind && !strcmp(kind, "rollup")))
		return bad;
	r = write_blob(st, q, 7, dir, kind && !strcmp(kind, "smaps")
		       ? "smaps" : "maps", text);
	if (r < 0)
		return -1;
	if (r == 0 && kind && !strcmp(kind, "smaps") &&
	    write_maps(dir, text, tmp) < 0)
		return -1;
	return bad | r;
}

/* meminfo, and what host.c reads back: kernel release, boot id, uptime. */
static int write_host(struct store *st, int64_t snap, const char *proc,
		      struct buf *b)
{
	sqlite3_stmt *q = NULL;
	char sys[8192];
	int rc, r = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT meminfo_blob, kernel, boot_id,"
			       " uptime FROM snapshots WHERE id = ?1", -1, &q,
			       NULL) != SQLITE_OK)
		return store_error(st, "read snapshots from");
	sqlite3_bind_int64(q, 1, snap);
	if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
		sqlite3_finalize(q);
		return store_error(st, "read snapshots from");
	}
	r = write_blob(st, q, 0, proc, "meminfo", b);
	snprintf(sys, sizeof(sys), "%s/sys", proc);
	if (r >= 0 && (make_dir(sys, "", 0) < 0 ||
		       make_dir(sys, "kernel", 0) < 0 ||
		       make_dir(sys, "kernel/random", 0) < 0))
		r = -1;
	buf_reset(b);
	buf_addf(b, "%s\n", (const char *)sqlite3_column_text(q, 1));
	if (r >= 0 && sqlite3_column_bytes(q, 1) &&
	    write_file(sys, "kernel/osrelease", b->data, b->len) < 0)
		r = -1;
	buf_reset(b);
	buf_addf(b, "%s\n", (const char *)sqlite3_column_text(q, 2));
	if (r >= 0 && sqlite3_column_bytes(q, 2) &&
	    write_file(sys, "kernel/random/boot_id", b->data, b->len) < 0)
		r = -1;
	buf_reset(b);
	buf_addf(b, "%.2f 0.00\n", sqlite3_column_double(q, 3));
	if (r >= 0 && sqlite3_column_type(q, 3) != SQLITE_NULL &&
	    write_file(proc, "uptime", b->data, b->len) < 0)
		r = -1;
	sqlite3_finalize(q);
	return r;
}

int export_proc_tree(struct store *st, int64_t snap, const struct filters *f,
		     const char *dir)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW), tmp = BUF_INIT(BLOB_MAX_RAW);
	struct buf proc = BUF_INIT(8192);
	sqlite3_stmt *q = NULL;
	int rc, r, ret = -1, bad = 0;

	if (make_dir(dir, "", 1) < 0 || make_dir(dir, "proc", 0) < 0)
		goto out;
	buf_addf(&proc, "%s/proc", dir);
	if ((r = write_host(st, snap, proc.data, &tmp)) < 0)
		goto out;
	bad |= r;
	if (sqlite3_prepare_v2(st->db, "SELECT pid, user, uid, comm, cmdline,"
			       " stat_blob, status_blob, text_blob, text_kind"
			       " FROM processes WHERE snapshot_id = ?1"
			       " ORDER BY pid", -1, &q, NULL) != SQLITE_OK) {
		store_error(st, "read processes from");
		goto out;
	}
	sqlite3_bind_int64(q, 1, snap);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *cmd = filters_pass_row(f, q);

		if (!cmd)
			continue;
		free(cmd);
		if ((r = write_process(st, q, proc.data, &text, &tmp)) < 0)
			goto out;
		bad |= r;
	}
	if (rc != SQLITE_DONE) {
		store_error(st, "read processes from");
		goto out;
	}
	ret = bad;
out:
	sqlite3_finalize(q);
	buf_release(&text);
	buf_release(&tmp);
	buf_release(&proc);
	return ret;
}
