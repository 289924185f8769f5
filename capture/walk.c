/* walk.c - read every process of a snapshot and store it: readers (the
 * main thread, and in the cheap modes one more) only read, while a worker
 * sums, deflates and stores the processes they hand over. */
#include "capture.h"
#include "passwd.h"
#include "smaps.h"
#include "store.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
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
	size_t i;

	if (uid < 0)
		return NULL;
	for (i = 0; i < r->nusers; i++)
		if (r->users[i].uid == uid)
			return r->users[i].name;
	r->users = xreallocarray(r->users, r->nusers + 1, sizeof(*r->users));
	r->users[r->nusers].uid = uid;
	r->users[r->nusers].name = user_name_of(uid);
	return r->users[r->nusers++].name;
}

/* Does the process pass --cgroup, --container and --unit? */
static int pass_cgroup(const struct capture_opts *o, const struct proc_read *p)
{
	const struct filter_cgroup c = {
		p->has_cgroup && p->cg.v2[0] ? p->cg.v2 : NULL,
		p->has_cgroup && p->cg.memory[0] ? p->cg.memory : NULL,
		p->ident.id[0] ? p->ident.id : NULL,
		p->ident.name[0] ? p->ident.name : NULL,
		p->ident.pod[0] ? p->ident.pod : NULL,
	};

	return filters_pass_cgroup(&o->cgf, &c);
}

/* Does the process pass --match (comm or cmdline), --user and the
 * cgroup filters? */
static int wanted(const struct capture_opts *o, const struct proc_read *p)
{
	char *cmd;
	size_t i;
	int hit;

	if (o->uid >= 0 && p->uid != o->uid)
		return 0;
	if (filters_need_cgroup(&o->cgf) && !pass_cgroup(o, p))
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

/* The memory text of p, whole in p->text or packed as it was read;
 * its hash to *h. */
static int put_text(struct run *r, struct proc_read *p, int64_t *id,
		    struct blob_hash *h)
{
	const char *text = p->text.data ? p->text.data : "";
	size_t added, n = p->streamed ? p->stream.raw : p->text.len;
	int rc;

	if (p->streamed) {
		*h = p->hash;
		rc = store_blob_put_packed(r->st, h, n, p->packed.data,
					   p->packed.len, id, &added);
	} else {
		blob_hash(text, n, h);
		rc = store_blob_put_hashed(r->st, h, text, n, id, &added);
	}
	if (rc < 0)
		return -1;
	r->bytes_stored += added;
	r->bytes_read += n;
	return 0;
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

	if (!p->streamed)	/* else summed as it was read */
		proc_sum_text(p);
	if (p->sum.err[0]) {
		warn("'%s/%d/%s': %s; stored as it is", r->o->proc, (int)p->pid,
		     mode_names[r->o->mode], p->sum.err);
		return;
	}
	t = p->sum.t;
	row->fig[FIG_MAPS] = (int64_t)t.nmaps;
	row->fig[FIG_VSS] = (int64_t)t.size;
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
	row->fig[FIG_RSS] = (int64_t)t->rss;
	row->fig[FIG_PSS] = (int64_t)t->pss;
	row->fig[FIG_USS] = (int64_t)t->uss;
	row->fig[FIG_SHARED] = (int64_t)t->shared;
	row->fig[FIG_SWAP] = (int64_t)t->swap;
	row->fig[FIG_SWAP_PSS] = (int64_t)t->swap_pss;
	row->fig[FIG_ANON] = (int64_t)t->anonymous;
	row->fig[FIG_LOCKED] = (int64_t)t->locked;
}

/* A reused text whose blob went: read it now, as not reused. 1 when
 * read, 0 when the process is gone (counted as a skip). */
static int read_again(struct run *r, struct slot *sl)
{
	int skip = proc_read_body(&sl->pr, r->o->proc, r->o->mode);

	sl->reused = 0;
	if (!skip)
		return 1;
	pthread_mutex_lock(&r->mu);
	r->skips[skip - 1]++;
	pthread_mutex_unlock(&r->mu);
	return 0;
}

/* s, or NULL when it is "" (the path does not say). */
static const char *said(const char *s)
{
	return s[0] ? s : NULL;
}

/* The columns of whose memory it is: its cgroups, what they name, its
 * namespace and OOM score. */
static void row_set_whose(struct process_row *row, const struct proc_read *p)
{
	const struct cg_ident *id = &p->ident;

	if (p->has_cgroup) {
		row->cgroup = said(p->cg.v2);
		row->cgroup_memory = said(p->cg.memory);
		row->unit = said(id->unit);
		row->slice = said(id->slice);
		row->container_runtime = cg_runtime_name(id->runtime);
		row->container_id = said(id->id);
		row->pod_uid = said(id->pod);
		row->container_name = said(id->name);
	}
	row->nspid = p->nspid >= 0 ? p->nspid : FIG_UNKNOWN;
	row->pidns = p->pidns >= 0 ? p->pidns : FIG_UNKNOWN;
	row->oom_score_adj = p->oom_score_adj != LLONG_MIN ? p->oom_score_adj
		: FIG_UNKNOWN;
}

/* Worker side: store a process read by the reader, blobs then row. */
static int store_process(struct run *r, struct slot *sl)
{
	struct proc_read *p = &sl->pr;
	struct process_row row;
	struct blob_hash h;
	int rc;

	if (sl->reused && (rc = reuse_row(r, sl)) != 0 &&
	    (rc < 0 || !read_again(r, sl)))
		return rc < 0 ? -1 : 0;
	if (!sl->reused) {
		process_figures(r, sl);
		sl->row.text_reused = 0;
	}
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
	row.fig[FIG_THREADS] = p->threads >= 0 ? p->threads : FIG_UNKNOWN;
	row_set_whose(&row, p);
	row.kind = r->o->mode == MODE_SMAPS ? TEXT_SMAPS : TEXT_MAPS;
	if (run_put(r, &p->stat, &row.stat_blob) < 0 ||
	    run_put(r, &p->status, &row.status_blob) < 0 ||
	    (!sl->reused && put_text(r, p, &row.text_blob, &h) < 0) ||
	    (r->o->mode == MODE_ROLLUP && run_put(r, &p->rollup, &row.rollup_blob) < 0))
		return -1;
	if (!sl->reused)
		reuse_note(r, sl, &h);
	r->bytes_read += p->cmdline.len;
	info("pid %d (%s): %lld mappings, rss %lld kB", (int)p->pid, p->comm,
	     (long long)row.fig[FIG_MAPS], row.fig[FIG_RSS] == FIG_UNKNOWN ? 0LL
	     : (long long)row.fig[FIG_RSS]);
	if (store_process_add(r->st, r->snapshot_id, &row) < 0)
		return -1;
	r->captured++;
	memcgs_add(&r->memcgs, p);
	return 0;
}

/*
 * Reader side: read one pid into the slot, with its figures. Returns 1
 * when the slot holds a process to store, 0 when it was skipped (*skip
 * says why: a skip reason + 1); when a pid named on the command line
 * cannot be read (printed), CAPTURE_GONE if it does not exist, else -1.
 */
static int read_pid(const struct run *r, pid_t pid, int named,
		    struct slot *sl, int *skip)
{
	process_row_init(&sl->row);
	sl->pr.comm[0] = '\0';	/* a skip before stat is read names none */
	if (r->o->live && pid == getpid())
		*skip = SKIP_EXCLUDED + 1;
	else
		*skip = proc_read_head(&sl->pr, r->o->proc, pid);
	if (!*skip)
		proc_read_cgroup(&sl->pr, r->o->proc);
	if (!*skip && !named && !wanted(r->o, &sl->pr))
		*skip = SKIP_EXCLUDED + 1;
	if (!*skip) {
		proc_read_ns(&sl->pr, r->o->proc);
		*skip = reuse_read_body(r, sl);
	}
	if (*skip && named) {
		const char *why = *skip == SKIP_PERMISSION + 1 ? "permission denied"
			: *skip == SKIP_KERNEL + 1 ? "a kernel thread has no memory map"
			: *skip == SKIP_ZOMBIE + 1 ? "a zombie has no memory left"
			: *skip == SKIP_EXCLUDED + 1 ? "it is this capture itself"
			: "no such process";
		error("cannot capture process %d ('%s/%d'): %s",
		      (int)pid, r->o->proc, (int)pid, why);
		return *skip == SKIP_VANISHED + 1 ? CAPTURE_GONE : -1;
	}
	return !*skip;
}

int skip_is_named(enum skip_reason reason)
{
	return reason != SKIP_KERNEL && reason != SKIP_EXCLUDED;
}

/* Count a skipped pid, name it (-v), and keep it for the file when its
 * reason is one to explain. Under r->mu. */
static void note_skip(struct run *r, pid_t pid, int reason, const char *comm)
{
	struct skipped_row *k;

	r->skips[reason]++;
	info("pid %d (%s): skipped: %s", (int)pid, *comm ? comm : "?",
	     skip_names[reason]);
	if (!skip_is_named((enum skip_reason)reason))
		return;
	r->skipped = xreallocarray(r->skipped, r->nskipped + 1,
				   sizeof(*r->skipped));
	k = &r->skipped[r->nskipped++];
	k->pid = pid;
	k->reason = skip_names[reason];
	k->comm = *comm ? xstrdup(comm) : NULL;
}

/* Index of a slot in state `want`, or -1. Under r->mu. */
static int find_slot(const struct run *r, enum slot_state want)
{
	int k;

	for (k = 0; k < NSLOTS; k++)
		if (r->slot[k].state == want)
			return k;
	return -1;
}

/* Worker: store full slots until every reader is done and none is left. */
static void *worker_main(void *arg)
{
	struct run *r = arg;
	int k, failed;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while ((k = find_slot(r, SLOT_FULL)) < 0 && r->readers_left > 0)
			pthread_cond_wait(&r->cv, &r->mu);
		if (k < 0) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		failed = r->failed;
		pthread_mutex_unlock(&r->mu);
		/* after a failure, keep freeing slots so no reader waits */
		if (!failed && store_process(r, &r->slot[k]) < 0)
			failed = 1;
		pthread_mutex_lock(&r->mu);
		r->failed |= failed;
		r->slot[k].state = SLOT_FREE;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* Reader: take the next pid and a free slot, read, hand the slot over;
 * until the pids run out, the worker fails or a reader must stop. */
static void *reader_main(void *arg)
{
	struct run *r = arg;
	int k, got, skip;
	pid_t pid;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while ((k = find_slot(r, SLOT_FREE)) < 0 && !r->failed)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->failed || r->read_ret || r->next == r->npids)
			break;
		if (capture_stop > 1) {
			r->read_ret = 1;	/* a second signal: give up this one */
			break;
		}
		pid = r->pids[r->next++];
		r->slot[k].state = SLOT_READING;
		pthread_mutex_unlock(&r->mu);

		got = read_pid(r, pid, r->o->npids > 0, &r->slot[k], &skip);

		pthread_mutex_lock(&r->mu);
		r->seen++;
		if (r->progress)
			progress_show(r->progress, "%s%lld of %zu processes",
				      r->progress_head, (long long)r->seen, r->npids);
		if (got == 0)
			note_skip(r, pid, skip - 1, r->slot[k].pr.comm);
		else if (got < 0)
			r->read_ret = got;
		r->slot[k].state = got > 0 ? SLOT_FULL : SLOT_FREE;
		pthread_cond_broadcast(&r->cv);
	}
	r->readers_left--;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int walk(struct run *r)
{
	const struct capture_opts *o = r->o;
	pthread_t extra[CHEAP_READERS];
	pid_t *pids = o->pids;
	size_t n = o->npids;
	int nreaders = o->mode == MODE_SMAPS ? 1 : CHEAP_READERS, i, started;
	int ret = 0;

	if (!n && list_pids(o->proc, &pids, &n) < 0)
		return -1;
	for (i = 0; i < NSLOTS; i++)
		r->slot[i].state = SLOT_FREE;
	r->pids = pids;
	r->npids = n;
	r->next = 0;
	r->read_ret = r->failed = 0;
	r->readers_left = nreaders;
	if ((i = pthread_create(&r->worker, NULL, worker_main, r)) != 0) {
		ret = error("cannot start a thread: %s", strerror(i));
		goto out;
	}
	/* the main thread is the first reader; a failed start means fewer */
	for (started = 0; started < nreaders - 1; started++)
		if (pthread_create(&extra[started], NULL, reader_main, r) != 0)
			break;
	pthread_mutex_lock(&r->mu);
	r->readers_left -= nreaders - 1 - started;
	pthread_mutex_unlock(&r->mu);
	reader_main(r);
	for (i = 0; i < started; i++)
		pthread_join(extra[i], NULL);
	pthread_join(r->worker, NULL);
	ret = r->read_ret;
	if (r->failed && ret == 0)
		ret = -1;
out:
	if (pids != o->pids)
		free(pids);
	return ret;
}
