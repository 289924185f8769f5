/* export_tree.c - `export --proc-tree`: one snapshot written back as the
 * proc-like tree it was read from, for smem -S and mapsnap-capture --proc. */
#include "export.h"
#include "outfile.h"
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
		  O_CLOEXEC, OUTFILE_MODE);
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
	if (mkdir(path.data, OUTFILE_DIR_MODE) < 0 &&
	    !(may_exist && errno == EEXIST && lstat(path.data, &sb) == 0 &&
	      S_ISDIR(sb.st_mode)))
		ret = error("cannot create '%s': %s", path.data,
			    strerror(errno));
	buf_release(&path);
	return ret;
}

/* Blob `id` (0: none) as dir/name. 0, 1 when the blob cannot be read
 * (printed), -1 when it cannot be written. */
static int write_blob(struct store *st, int64_t id, const char *dir,
		      const char *name, struct buf *b)
{
	if (!id)
		return 0;
	buf_reset(b);
	if (store_blob_get(st, id, b) < 0)
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
static int write_process(struct store *st, const struct process_row *p,
			 const char *proc, struct buf *text, struct buf *tmp)
{
	char name[32], dir[8192];
	int r, bad = 0;

	snprintf(name, sizeof(name), "%lld", (long long)p->pid);
	if (make_dir(proc, name, 0) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", proc, name);
	if (write_file(dir, "cmdline", p->cmdline, p->cmdline_len) < 0)
		return -1;
	buf_reset(tmp);
	buf_addf(tmp, "%s\n", p->comm);
	if (write_file(dir, "comm", tmp->data, tmp->len) < 0)
		return -1;
	if ((r = write_blob(st, p->stat_blob, dir, "stat", tmp)) < 0 ||
	    (bad |= r, r = write_blob(st, p->status_blob, dir, "status",
				      tmp)) < 0)
		return -1;
	bad |= r;
	if (!p->text_blob || p->kind == TEXT_ROLLUP)
		return bad;
	r = write_blob(st, p->text_blob, dir, p->kind == TEXT_SMAPS
		       ? "smaps" : "maps", text);
	if (r < 0)
		return -1;
	if (r == 0 && p->kind == TEXT_SMAPS && write_maps(dir, text, tmp) < 0)
		return -1;
	return bad | r;
}

/* meminfo, and what host.c reads back: kernel release, boot id, uptime. */
static int write_host(struct store *st, int64_t snap, const char *proc,
		      struct buf *b)
{
	struct snapshot_iter it;
	const struct snapshot_row *s = &it.row;
	char sys[8192];
	int r = snapshot_get(&it, st, snap);

	if (r != 0) {
		snapshot_iter_release(&it);
		return r < 0 ? -1 : error("'%s': no snapshot %lld", st->path,
					  (long long)snap);
	}
	r = write_blob(st, s->meminfo_blob, proc, "meminfo", b);
	snprintf(sys, sizeof(sys), "%s/sys", proc);
	if (r >= 0 && (make_dir(sys, "", 0) < 0 ||
		       make_dir(sys, "kernel", 0) < 0 ||
		       make_dir(sys, "kernel/random", 0) < 0))
		r = -1;
	buf_reset(b);
	buf_addf(b, "%s\n", s->kernel);
	if (r >= 0 && *s->kernel &&
	    write_file(sys, "kernel/osrelease", b->data, b->len) < 0)
		r = -1;
	buf_reset(b);
	buf_addf(b, "%s\n", s->boot_id);
	if (r >= 0 && *s->boot_id &&
	    write_file(sys, "kernel/random/boot_id", b->data, b->len) < 0)
		r = -1;
	buf_reset(b);
	buf_addf(b, "%.2f 0.00\n", s->uptime);
	if (r >= 0 && s->uptime >= 0 &&
	    write_file(proc, "uptime", b->data, b->len) < 0)
		r = -1;
	snapshot_iter_release(&it);
	return r;
}

int export_proc_tree(struct store *st, int64_t snap, const struct filters *f,
		     const char *dir)
{
	struct buf text = BUF_INIT(BLOB_MAX_RAW), tmp = BUF_INIT(BLOB_MAX_RAW);
	struct buf proc = BUF_INIT(8192);
	const struct process_query q = {
		.snapshot = snap, .f = f,
		.fields = PROC_NAMES | PROC_TEXT | PROC_BLOBS,
	};
	struct process_iter it = { 0 };
	struct outfile of = { .fd = -1, .dirfd = -1 };
	int rc, r, ret = -1, bad = 0;

	/* the tree is built under a temporary name and renamed when whole:
	 * a failed or killed export leaves no DIR/proc */
	if (make_dir(dir, "", 1) < 0 || buf_addf(&proc, "%s/proc", dir) < 0 ||
	    outfile_begin(&of, proc.data, OUTFILE_DIR) < 0)
		goto out;
	if ((r = write_host(st, snap, of.tmp, &tmp)) < 0)
		goto out;
	bad |= r;
	if (process_iter_start(&it, st, &q) < 0)
		goto out;
	while ((rc = process_iter_next(&it)) > 0) {
		if ((r = write_process(st, &it.row, of.tmp, &text, &tmp)) < 0)
			goto out;
		bad |= r;
	}
	if (rc == 0 && outfile_commit(&of) == 0)
		ret = bad;
out:
	outfile_release(&of);
	process_iter_release(&it);
	buf_release(&text);
	buf_release(&tmp);
	buf_release(&proc);
	return ret;
}
