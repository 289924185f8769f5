/* snapshot.c - one snapshot: walk the proc directory, read each process,
 * store its texts as deduplicated blobs, all in one transaction. */
#include "capture.h"
#include "smaps.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/*
 * The kernel's own random UUID, for kernels before 3.17 (no getrandom):
 * the static capture runs on them, with /proc as its only file. 0, or -1
 * when it cannot be read.
 */
static int kernel_uuid(char out[37])
{
	struct buf b = BUF_INIT(4096);
	int r = -1;

	if (buf_read_file(&b, "/proc/sys/kernel/random/uuid", 64) == 0 &&
	    b.len >= 36 && strspn(b.data, "0123456789abcdef-") == 36) {
		memcpy(out, b.data, 36);
		out[36] = '\0';
		r = 0;
	}
	buf_release(&b);
	return r;
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
		else if (errno == ENOSYS && kernel_uuid(out) == 0)
			return;
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
	progress_clear();
	if (verbosity >= 1)
		fprintf(stderr, "%s: snapshot %lld (%s): %lld processes captured,"
			" %lld skipped%s; %s read, %s stored, %.2f s\n", progname,
			(long long)r->snapshot_id, uuid, (long long)r->captured,
			(long long)skipped, skips, rd, wr, secs);
}

/* The snapshot row, with its host and meminfo. */
static int begin_snapshot(struct run *r, const char *uuid)
{
	const struct capture_opts *o = r->o;
	struct snapshot_row row = { 0 };
	struct buf meminfo = BUF_INIT(1 << 20);
	struct host_info h;
	const char *why = NULL;
	char path[4096];
	int rc, ret = -1;

	host_info_read(&h, o->proc, o->live, o->host);
	snprintf(path, sizeof(path), "%s/meminfo", o->proc);
	rc = o->live ? buf_read_file(&meminfo, path, 65536)
		: tree_read(&meminfo, o->proc, "meminfo", 65536, &why);
	if (rc == -2)
		warn("refused '%s': %s", path, why);
	else if (rc < 0)
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
	row.source = o->mode == MODE_SMAPS ? TEXT_SMAPS
		: o->mode == MODE_MAPS ? TEXT_MAPS : TEXT_ROLLUP;
	if (store_host(r->st, h.hostname, h.machine_id, &row.host_id) < 0 ||
	    (meminfo.len && run_put(r, &meminfo, &row.meminfo_blob) < 0) ||
	    store_snapshot_add(r->st, &row, &r->snapshot_id) < 0 ||
	    store_meminfo_add(r->st, r->snapshot_id, meminfo.data, meminfo.len) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&meminfo);
	host_info_release(&h);
	return ret;
}

int capture_prune(struct store *st, const struct capture_opts *o)
{
	int64_t n = 0, used = 0;

	if (o->keep > 0 && store_prune(st, o->keep, &n) < 0)
		return -1;
	if (n)
		info("dropped %lld old snapshots (--keep %ld)", (long long)n,
		     o->keep);
	if (o->keep_for > 0 &&
	    store_prune_before(st, now_us() - o->keep_for * 1000000, &n) < 0)
		return -1;
	if (o->keep_for > 0 && n)
		info("dropped %lld snapshots older than %llds (--keep-for)",
		     (long long)n, (long long)o->keep_for);
	if (o->max_size > 0 && store_prune_size(st, o->max_size, &n, &used) < 0)
		return -1;
	if (o->max_size > 0 && n)
		info("dropped %lld old snapshots (--max-size %lld)",
		     (long long)n, (long long)o->max_size);
	if (o->max_size > 0 && used > o->max_size)
		warn("'%s' holds %lld bytes with its newest snapshot alone, over"
		     " --max-size %lld", st->path, (long long)used,
		     (long long)o->max_size);
	return 0;
}

int capture_snapshot(struct store *st, const struct capture_opts *o,
		     struct progress *progress, const char *head)
{
	struct run r = { .st = st, .o = o, .progress = progress,
			 .progress_head = head ? head : "" };
	struct skip_count skips[SKIP__COUNT];
	struct timespec t0;
	char uuid[37];
	size_t i;
	int ret = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < NSLOTS; i++) {
		proc_read_init(&r.slot[i].pr);
		r.slot[i].pr.level = o->level;
		r.slot[i].pr.hash_maps = o->reuse && o->mode == MODE_SMAPS;
		r.slot[i].pr.frozen = !o->live;
	}
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
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
	if (store_skipped_add(st, r.snapshot_id, r.skipped, r.nskipped) < 0 ||
	    store_memcgs(&r) < 0 ||
	    store_snapshot_finish(st, r.snapshot_id, r.seen, r.captured,
				  (int64_t)r.bytes_read, skips, SKIP__COUNT) < 0 ||
	    capture_prune(st, o) < 0 || store_commit(st) < 0)
		goto out;
	summary(&r, uuid, elapsed(&t0));
	ret = !r.captured && (o->match || o->uid >= 0 ||
			      filters_need_cgroup(&o->cgf)) ? CAPTURE_NOMATCH : 0;
out:
	if (o->reuse)
		reuse_turn(o->reuse, ret == 0 || ret == CAPTURE_NOMATCH);
	if (ret != 0 && ret != CAPTURE_NOMATCH)
		store_rollback(st);
	if (ret == 1) {
		progress_clear();
		fprintf(stderr, "%s: interrupted: snapshot rolled back\n", progname);
	}
	for (i = 0; i < NSLOTS; i++)
		proc_read_release(&r.slot[i].pr);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	for (i = 0; i < r.nusers; i++)
		free(r.users[i].name);
	free(r.users);
	for (i = 0; i < r.nskipped; i++)
		free((char *)r.skipped[i].comm);
	free(r.skipped);
	memcgs_release(&r.memcgs);
	return ret;
}
