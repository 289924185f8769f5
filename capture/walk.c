/* walk.c - read every process of a snapshot and store it: the main thread
 * only reads, while a worker sums, deflates and stores the last process. */
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
#include <unistd.h>

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
static int wanted(const struct capture_opts *o, const struct proc_read *p)
{
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

int run_put(struct run *r, const struct buf *b, int64_t *id)
{
	size_t added;

	if (store_blob_put(r->st, b->data ? b->data : "", b->len, id, &added) < 0)
		return -1;
	r->bytes_stored += added;
	r->bytes_read += b->len;
	return 0;
}

const char *const mode_names[] = { "smaps", "maps", "rollup" };

/* The figures of the process just read, from its text (and rollup). */
static void process_figures(struct run *r, struct slot *sl)
{
	struct proc_read *p = &sl->pr;
	struct process_row *row = &sl->row;
	struct smaps_totals t, u;
	char err[160];

	if (smaps_sum(p->text.data, p->text.len, &t, err, sizeof(err)) < 0) {
		warn("'%s/%d/%s': %s; stored as it is", r->o->proc, (int)p->pid,
		     mode_names[r->o->mode], err);
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
	row_set_usage(row, &t);
}

void row_set_usage(struct process_row *row, const struct smaps_totals *t)
{
	row->has_usage = 1;
	row->rss_kb = (int64_t)t->rss;
	row->pss_kb = (int64_t)t->pss;
	row->uss_kb = (int64_t)t->uss;
	row->shared_kb = (int64_t)t->shared;
	row->swap_kb = (int64_t)t->swap;
	row->swap_pss_kb = (int64_t)t->swap_pss;
	row->anon_kb = (int64_t)t->anonymous;
	row->locked_kb = (int64_t)t->locked;
}

/* Worker side: store a process read by the reader, blobs then row. */
static int store_process(struct run *r, struct slot *sl)
{
	struct proc_read *p = &sl->pr;
	struct process_row row;

	process_figures(r, sl);
	row = sl->row;
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
	if (run_put(r, &p->stat, &row.stat_blob) < 0 ||
	    run_put(r, &p->status, &row.status_blob) < 0 ||
	    run_put(r, &p->text, &row.text_blob) < 0 ||
	    (r->o->mode == MODE_ROLLUP && run_put(r, &p->rollup, &row.rollup_blob) < 0))
		return -1;
	r->bytes_read += p->cmdline.len;
	info("pid %d (%s): %lld mappings, rss %lld kB", (int)p->pid, p->comm,
	     (long long)row.nmaps, (long long)row.rss_kb);
	if (store_process_add(r->st, r->snapshot_id, &row) < 0)
		return -1;
	r->captured++;
	return 0;
}

/*
 * Reader side: read one pid into the slot, with its figures. Returns 1
 * when the slot holds a process to store, 0 when it was skipped (and
 * counted), -1 when a pid named on the command line cannot be read.
 */
static int read_pid(struct run *r, pid_t pid, int named, struct slot *sl)
{
	int skip;

	r->seen++;
	memset(&sl->row, 0, sizeof(sl->row));
	if (r->o->live && pid == getpid())
		skip = SKIP_EXCLUDED + 1;
	else
		skip = proc_read_head(&sl->pr, r->o->proc, pid);
	if (!skip && !named && !wanted(r->o, &sl->pr))
		skip = SKIP_EXCLUDED + 1;
	if (!skip)
		skip = proc_read_body(&sl->pr, r->o->proc, r->o->mode);
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
	return 1;
}
/* Worker: store the filled slots in order until the reader is done. */
static void *worker_main(void *arg)
{
	struct run *r = arg;
	int k = 0, failed;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->full[k] && !r->reading_done)
			pthread_cond_wait(&r->cv, &r->mu);
		if (!r->full[k]) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		failed = r->failed;
		pthread_mutex_unlock(&r->mu);
		/* after a failure, keep freeing slots so the reader never waits */
		if (!failed && store_process(r, &r->slot[k]) < 0)
			failed = 1;
		pthread_mutex_lock(&r->mu);
		r->failed |= failed;
		r->full[k] = 0;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		k = (k + 1) % NSLOTS;
	}
}

/* Wait until slot k is free; returns nonzero when the worker failed. */
static int wait_free(struct run *r, int k)
{
	int failed;

	pthread_mutex_lock(&r->mu);
	while (r->full[k] && !r->failed)
		pthread_cond_wait(&r->cv, &r->mu);
	failed = r->failed;
	pthread_mutex_unlock(&r->mu);
	return failed;
}

static void hand_over(struct run *r, int k, int done)
{
	pthread_mutex_lock(&r->mu);
	if (done)
		r->reading_done = 1;
	else
		r->full[k] = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

int walk(struct run *r)
{
	const struct capture_opts *o = r->o;
	pid_t *pids = o->pids;
	size_t n = o->npids, i;
	int ret = 0, k = 0, got;

	if (!n && list_pids(o->proc, &pids, &n) < 0)
		return -1;
	memset(r->full, 0, sizeof(r->full));
	r->reading_done = r->failed = 0;
	if (pthread_create(&r->worker, NULL, worker_main, r) != 0) {
		ret = error("cannot start a thread: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < n && ret == 0; i++) {
		if (wait_free(r, k))
			break;
		if (capture_stop > 1) {
			ret = 1;	/* a second signal: give up this one */
			break;
		}
		got = read_pid(r, pids[i], o->npids > 0, &r->slot[k]);
		if (got < 0)
			ret = -1;
		else if (got > 0) {
			hand_over(r, k, 0);
			k = (k + 1) % NSLOTS;
		}
	}
	hand_over(r, k, 1);
	pthread_join(r->worker, NULL);
	if (r->failed && ret == 0)
		ret = -1;
out:
	if (pids != o->pids)
		free(pids);
	return ret;
}
