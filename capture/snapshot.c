/* snapshot.c - one snapshot: walk the proc directory, read each process,
 * store its texts as deduplicated blobs, all in one transaction. */
#include "capture.h"
#include "smaps.h"
#include "store.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

struct run {
	struct store *st;
	const struct capture_opts *o;
	int64_t snapshot_id;
	int64_t seen, captured, skips[SKIP__COUNT];
	uint64_t bytes_read, bytes_stored;
	struct proc_read pr;
	struct { long uid; char *name; } *users;
	size_t nusers;
};

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Every numeric entry of the proc directory, sorted. -1 (printed). */
static int list_pids(const char *proc, pid_t **out, size_t *n)
{
	DIR *d = opendir(proc);
	struct dirent *e;
	size_t alloc = 0;
	uint64_t v;

	*out = NULL;
	*n = 0;
	if (!d)
		return error("cannot read '%s': %s", proc, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (parse_u64_str(e->d_name, &v) < 0 || v == 0 || v > INT32_MAX)
			continue;
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			*out = xreallocarray(*out, alloc, sizeof(**out));
		}
		(*out)[(*n)++] = (pid_t)v;
	}
	closedir(d);
	qsort(*out, *n, sizeof(**out), cmp_pid);
	return 0;
}

/* User name of uid on this host, cached; NULL when unknown. */
static const char *user_name(struct run *r, long uid)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];
	size_t i;

	if (uid < 0)
		return NULL;
	for (i = 0; i < r->nusers; i++)
		if (r->users[i].uid == uid)
			return r->users[i].name;
	r->users = xreallocarray(r->users, r->nusers + 1, sizeof(*r->users));
	r->users[r->nusers].uid = uid;
	r->users[r->nusers].name =
		getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 && res
		? xstrdup(pw.pw_name) : NULL;
	return r->users[r->nusers++].name;
}

/* Does the process pass --match (comm or cmdline) and --user? */
static int wanted(struct run *r)
{
	const struct capture_opts *o = r->o;
	struct proc_read *p = &r->pr;
	char *cmd;
	size_t i;
	int hit;

	if (o->uid >= 0 && p->uid != o->uid)
		return 0;
	if (!o->match || regexec(o->match, p->comm, 0, NULL, 0) == 0)
		return 1;
	/* the cmdline as ps and smem show it: NULs become spaces */
	cmd = xmemdup(p->cmdline.data ? p->cmdline.data : "", p->cmdline.len);
	for (i = 0; i < p->cmdline.len; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	hit = regexec(o->match, cmd, 0, NULL, 0) == 0;
	free(cmd);
	return hit;
}

static int put(struct run *r, const struct buf *b, int64_t *id)
{
	size_t added;

	if (store_blob_put(r->st, b->data ? b->data : "", b->len, id, &added) < 0)
		return -1;
	r->bytes_stored += added;
	r->bytes_read += b->len;
	return 0;
}

static const char *const mode_kinds[] = { "smaps", "maps", "rollup" };

/* The figures of the process just read, from its text (and rollup). */
static void process_figures(struct run *r, struct process_row *row)
{
	struct proc_read *p = &r->pr;
	struct smaps_totals t, u;
	char err[160];

	if (smaps_sum(p->text.data, p->text.len, &t, err, sizeof(err)) < 0) {
		warn("'%s/%d/%s': %s; stored as it is", r->o->proc, (int)p->pid,
		     mode_kinds[r->o->mode], err);
		return;
	}
	row->nmaps = (int64_t)t.nmaps;
	row->size_kb = (int64_t)t.size;
	if (r->o->mode == MODE_MAPS)
		return;
	if (r->o->mode == MODE_ROLLUP) {
		if (smaps_sum(p->rollup.data, p->rollup.len, &u, err, sizeof(err)) < 0) {
			warn("'%s/%d/smaps_rollup': %s; stored as it is",
			     r->o->proc, (int)p->pid, err);
			return;
		}
		u.size = t.size;	/* a rollup has no Size of its own */
		t = u;
	}
	row->has_usage = 1;
	row->rss_kb = (int64_t)t.rss;
	row->pss_kb = (int64_t)t.pss;
	row->uss_kb = (int64_t)t.uss;
	row->shared_kb = (int64_t)t.shared;
	row->swap_kb = (int64_t)t.swap;
	row->swap_pss_kb = (int64_t)t.swap_pss;
	row->anon_kb = (int64_t)t.anonymous;
	row->locked_kb = (int64_t)t.locked;
}

/* Store the process just read: its blobs, its figures, its row. */
static int store_process(struct run *r)
{
	struct proc_read *p = &r->pr;
	struct process_row row = { 0 };

	process_figures(r, &row);
	row.pid = p->pid;
	row.ppid = p->ppid;
	row.start_time = (int64_t)p->start_time;
	row.uid = p->uid;
	row.user = user_name(r, p->uid);
	row.comm = p->comm;
	row.cmdline = p->cmdline.data ? p->cmdline.data : "";
	row.cmdline_len = p->cmdline.len;
	row.exe = p->has_exe ? p->exe.data : NULL;
	row.threads = p->threads;
	row.text_kind = r->o->mode == MODE_SMAPS ? "smaps" : "maps";
	if (put(r, &p->stat, &row.stat_blob) < 0 ||
	    put(r, &p->status, &row.status_blob) < 0 ||
	    put(r, &p->text, &row.text_blob) < 0 ||
	    (r->o->mode == MODE_ROLLUP && put(r, &p->rollup, &row.rollup_blob) < 0))
		return -1;
	r->bytes_read += p->cmdline.len;
	info("pid %d (%s): %lld mappings, rss %lld kB", (int)p->pid, p->comm,
	     (long long)row.nmaps, (long long)row.rss_kb);
	return store_process_add(r->st, r->snapshot_id, &row);
}

/*
 * Read and store one pid. Returns 0 (captured or counted as skipped), or
 * -1 on a failure that must abandon the snapshot. A pid named on the
 * command line must be captured.
 */
static int capture_pid(struct run *r, pid_t pid, int named)
{
	int skip;

	r->seen++;
	if (r->o->live && pid == getpid())
		skip = SKIP_EXCLUDED + 1;
	else
		skip = proc_read_head(&r->pr, r->o->proc, pid);
	if (!skip && !named && !wanted(r))
		skip = SKIP_EXCLUDED + 1;
	if (!skip)
		skip = proc_read_body(&r->pr, r->o->proc, r->o->mode);
	if (skip && named) {
		const char *why = skip == SKIP_PERMISSION + 1 ? "permission denied"
			: skip == SKIP_KERNEL + 1 ? "a kernel thread has no memory map"
			: skip == SKIP_ZOMBIE + 1 ? "a zombie has no memory left"
			: skip == SKIP_EXCLUDED + 1 ? "it is this capture itself"
			: "no such process";
		return error("cannot capture process %d ('%s/%d'): %s",
			     (int)pid, r->o->proc, (int)pid, why);
	}
	if (skip) {
		r->skips[skip - 1]++;
		return 0;
	}
	if (store_process(r) < 0)
		return -1;
	r->captured++;
	return 0;
}

/* A random (version 4) UUID: snapshots stay unique across files. */
void make_uuid(char out[37])
{
	unsigned char b[16];
	size_t got = 0;
	int i, j = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort();	/* the kernel always has entropy here */
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		snprintf(out + j, 3, "%02x", b[i]);
		j += 2;
	}
	out[j] = '\0';
}

int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void human(char *out, size_t n, uint64_t bytes)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, n, i ? "%.1f %s" : "%.0f %s", v, unit[i]);
}

static void summary(const struct run *r, const char *uuid, double secs)
{
	char rd[32], wr[32], skips[256] = "";
	size_t off = 0;
	int64_t skipped = 0;
	int i;

	for (i = 0; i < SKIP__COUNT; i++) {
		if (!r->skips[i])
			continue;
		skipped += r->skips[i];
		off += (size_t)snprintf(skips + off, sizeof(skips) - off, "%s%lld %s",
					off ? ", " : " (", (long long)r->skips[i],
					skip_names[i]);
	}
	if (off)
		snprintf(skips + off, sizeof(skips) - off, ")");
	human(rd, sizeof(rd), r->bytes_read);
	human(wr, sizeof(wr), r->bytes_stored);
	if (verbosity >= 1)
		fprintf(stderr, "%s: snapshot %lld (%s): %lld processes captured,"
			" %lld skipped%s; %s read, %s stored, %.2f s\n", progname,
			(long long)r->snapshot_id, uuid, (long long)r->captured,
			(long long)skipped, skips, rd, wr, secs);
}

static int walk(struct run *r)
{
	const struct capture_opts *o = r->o;
	pid_t *pids = o->pids;
	size_t n = o->npids, i;
	int ret = 0;

	if (!n && list_pids(o->proc, &pids, &n) < 0)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		if (capture_stop > 1)
			ret = 1;	/* a second signal: give up this one */
		else
			ret = capture_pid(r, pids[i], o->npids > 0);
	}
	if (pids != o->pids)
		free(pids);
	return ret;
}

/* The snapshot row, with its host and meminfo. */
static int begin_snapshot(struct run *r, const char *uuid)
{
	const struct capture_opts *o = r->o;
	struct snapshot_row row = { 0 };
	struct buf meminfo = BUF_INIT(1 << 20);
	struct host_info h;
	char path[4096];
	int ret = -1;

	host_info_read(&h, o->proc, o->live, o->host);
	snprintf(path, sizeof(path), "%s/meminfo", o->proc);
	if (buf_read_file(&meminfo, path, 65536) < 0)
		warn("cannot read '%s': %s", path, strerror(errno));
	row.uuid = uuid;
	row.boot_id = h.boot_id;
	row.kernel = h.kernel;
	row.arch = h.arch;
	row.page_size = h.page_size;
	row.time_us = now_us();
	row.uptime = h.uptime;
	row.label = o->label;
	row.options = o->options_text;
	row.source = mode_kinds[o->mode];
	if (store_host(r->st, h.hostname, h.machine_id, &row.host_id) < 0 ||
	    (meminfo.len && put(r, &meminfo, &row.meminfo_blob) < 0) ||
	    store_snapshot_add(r->st, &row, &r->snapshot_id) < 0 ||
	    store_meminfo_add(r->st, r->snapshot_id, meminfo.data, meminfo.len) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&meminfo);
	host_info_release(&h);
	return ret;
}

int capture_snapshot(struct store *st, const struct capture_opts *o)
{
	struct run r = { .st = st, .o = o };
	struct skip_count skips[SKIP__COUNT];
	struct timespec t0;
	int64_t dropped = 0;
	char uuid[37];
	size_t i;
	int ret = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	proc_read_init(&r.pr);
	make_uuid(uuid);
	if (store_begin(st) < 0)
		goto out;
	if (begin_snapshot(&r, uuid) < 0)
		goto out;
	ret = walk(&r);
	if (ret != 0)
		goto out;
	ret = -1;
	for (i = 0; i < SKIP__COUNT; i++) {
		skips[i].reason = skip_names[i];
		skips[i].count = r.skips[i];
	}
	if (store_snapshot_finish(st, r.snapshot_id, r.seen, r.captured,
				  (int64_t)r.bytes_read, skips, SKIP__COUNT) < 0 ||
	    (o->keep > 0 && store_prune(st, o->keep, &dropped) < 0) ||
	    store_commit(st) < 0)
		goto out;
	if (dropped)
		info("dropped %lld old snapshots (--keep %ld)", (long long)dropped,
		     o->keep);
	summary(&r, uuid, elapsed(&t0));
	ret = 0;
out:
	if (ret != 0)
		store_rollback(st);
	if (ret > 0)
		fprintf(stderr, "%s: interrupted: snapshot rolled back\n", progname);
	proc_read_release(&r.pr);
	for (i = 0; i < r.nusers; i++)
		free(r.users[i].name);
	free(r.users);
	return ret;
}
