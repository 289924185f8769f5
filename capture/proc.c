/* proc.c - read one process from a proc directory: stat, status, cmdline,
 * comm, exe and its memory text, and notice a pid reused mid-read. */
#include "capture.h"
#include "blob.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel hands out smaps in pieces no larger than the read size,
 * dropping mmap_lock in between: few large reads give a consistent text. */
#define TEXT_CHUNK ((size_t)1 << 20)
#define SMALL_CHUNK ((size_t)4096)
#define SMALL_CAP ((size_t)1 << 20)

const char *const skip_names[SKIP__COUNT] = {
	"kernel", "excluded", "permission", "vanished", "zombie", "error",
	"refused",
};

void proc_read_init(struct proc_read *p)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->stat, SMALL_CAP);
	buf_init(&p->status, SMALL_CAP);
	buf_init(&p->cmdline, SMALL_CAP);
	buf_init(&p->exe, 4096);
	buf_init(&p->text, BLOB_MAX_RAW);
	buf_init(&p->rollup, SMALL_CAP);
	buf_init(&p->packed, BLOB_MAX_RAW);
	p->level = BLOB_LEVEL_MIN;
	buf_init(&p->cgroup_text, SMALL_CAP);
}

void proc_read_release(struct proc_read *p)
{
	buf_release(&p->stat);
	buf_release(&p->status);
	buf_release(&p->cmdline);
	buf_release(&p->exe);
	buf_release(&p->text);
	buf_release(&p->rollup);
	buf_release(&p->packed);
	blob_stream_release(&p->stream);
	blob_hasher_release(&p->maps);
	buf_release(&p->cgroup_text);
}

/* The n-th (1-based) blank-separated field after the comm's ')'. */
static const char *stat_field(const char *s, const char *end, int n,
			      size_t *len)
{
	int i = 3;	/* field 3 (state) follows ") " */

	for (;;) {
		while (s < end && *s == ' ')
			s++;
		*len = 0;
		while (s + *len < end && s[*len] != ' ' && s[*len] != '\n')
			(*len)++;
		if (i == n || s >= end)
			return *len ? s : NULL;
		s += *len;
		i++;
	}
}

static int stat_u64(const char *s, const char *end, int n, uint64_t *out)
{
	size_t len;
	const char *f = stat_field(s, end, n, &len);

	return f ? parse_u64(f, len, 10, out) : -1;
}

int proc_parse_stat(struct proc_read *p, const char *text, size_t len)
{
	const char *end = text + len, *open, *close, *rest;
	uint64_t pid, ppid, flags, start, threads;
	size_t n, slen;

	open = memchr(text, '(', len);
	for (close = end; close > text && close[-1] != ')'; close--)
		;
	/* "PID (comm) ...": at least one digit and a blank before '(' */
	if (!open || open < text + 2 || open[-1] != ' ' || close <= open + 1 ||
	    parse_u64(text, (size_t)(open - text - 1), 10, &pid))
		return -1;
	close--;	/* at the last ')' */
	n = (size_t)(close - open - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, n);
	p->comm[n] = '\0';
	rest = close + 1;
	if (!stat_field(rest, end, 3, &slen) || stat_u64(rest, end, 4, &ppid) ||
	    stat_u64(rest, end, 9, &flags) || stat_u64(rest, end, 20, &threads) ||
	    stat_u64(rest, end, 22, &start))
		return -1;
	p->state = *stat_field(rest, end, 3, &slen);
	p->ppid = (pid_t)ppid;
	p->flags = (unsigned long)flags;
	p->threads = (long)threads;
	p->start_time = start;
	return 0;
}

/* Real uid from the "Uid:" line of status, or -1. */
static long status_uid(const struct buf *status)
{
	const char *s = status->data ? strstr(status->data, "\nUid:") : NULL;
	uint64_t uid;
	size_t n;

	if (!s)
		return -1;
	s += 5;
	s += strspn(s, " \t");
	n = strspn(s, "0123456789");
	return parse_u64(s, n, 10, &uid) == 0 ? (long)uid : -1;
}

/*
 * Open entry `name` of dirfd, which must be of type `want` (S_IFDIR or
 * S_IFREG), never through a link, with O_NONBLOCK (a FIFO must not hang
 * us). Its type is looked at before the open, so that no device is ever
 * opened, and again on what was opened, which may have been swapped
 * meanwhile. The fd; -1 with errno; -2 with *why.
 */
static int open_entry(int dirfd, const char *name, mode_t want,
		      const char **why)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		(want == S_IFDIR ? O_DIRECTORY : 0);
	struct stat st;
	int fd = -2;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if ((st.st_mode & S_IFMT) == want) {
		fd = openat(dirfd, name, flags);
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
			fd = -2;
		else if (fd >= 0 && (fstat(fd, &st) < 0 ||
				     (st.st_mode & S_IFMT) != want)) {
			close(fd);
			fd = -2;
		}
	}
	if (fd == -2)
		*why = S_ISLNK(st.st_mode) ? "a symbolic link"
			: want == S_IFDIR ? "not a directory" : "not a regular file";
	return fd;
}

int tree_open(const char *dir, const char *rel, size_t cap, const char **why)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), next, saved;
	const char *slash;
	char part[256];
	struct stat st;
	size_t len;

	*why = NULL;
	for (; fd >= 0; rel = slash + 1) {
		slash = strchr(rel, '/');
		len = slash ? (size_t)(slash - rel) : strlen(rel);
		next = -1;
		errno = ENAMETOOLONG;
		if (len < sizeof(part)) {
			memcpy(part, rel, len);
			part[len] = '\0';
			next = open_entry(fd, part, slash ? S_IFDIR : S_IFREG, why);
		}
		saved = errno;
		close(fd);
		errno = saved;
		fd = next;
		if (!slash)
			break;
	}
	if (fd >= 0 && fstat(fd, &st) == 0 && (uint64_t)st.st_size > cap) {
		*why = "larger than mapsnap reads";
		close(fd);
		return -2;
	}
	return fd;
}

int tree_read(struct buf *b, const char *dir, const char *rel, size_t chunk,
	      const char **why)
{
	int fd = tree_open(dir, rel, b->cap, why), r, saved;

	buf_reset(b);
	if (fd < 0)
		return fd;
	r = buf_read_fd(b, fd, chunk);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* Map errno after a failed read to a skip reason (+1), warning if odd. */
static int skip_for(const char *proc, pid_t pid, const char *name)
{
	if (errno == EACCES || errno == EPERM)
		return SKIP_PERMISSION + 1;
	if (errno == ENOENT || errno == ESRCH)
		return SKIP_VANISHED + 1;
	warn("cannot read '%s/%d/%s': %s", proc, (int)pid, name,
	     strerror(errno));
	return SKIP_ERROR + 1;
}

/*
 * Read file `name` of process pid. A frozen tree's files are read with
 * tree_read: they are someone's, maybe not ours. 0, or a skip reason
 * (+1), warned when odd.
 */
static int read_file(const struct proc_read *p, struct buf *b, const char *proc,
		     pid_t pid, const char *name, size_t chunk)
{
	const char *why = NULL;
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	if (p->frozen) {
		r = tree_read(b, proc, path, chunk, &why);
	} else {
		buf_reset(b);
		snprintf(path, sizeof(path), "%s/%d/%s", proc, (int)pid, name);
		r = buf_read_file(b, path, chunk);
	}
	if (r == -2) {
		warn("refused '%s/%d/%s': %s", proc, (int)pid, name, why);
		return SKIP_REFUSED + 1;
	}
	return r < 0 ? skip_for(proc, pid, name) : 0;
}

int proc_read_head(struct proc_read *p, const char *proc, pid_t pid)
{
	int r;

	if ((r = read_file(p, &p->stat, proc, pid, "stat", SMALL_CHUNK)))
		return r;
	if (proc_parse_stat(p, p->stat.data, p->stat.len) < 0) {
		warn("cannot parse '%s/%d/stat'", proc, (int)pid);
		return SKIP_ERROR + 1;
	}
	if (p->flags & 0x00200000)	/* PF_KTHREAD */
		return SKIP_KERNEL + 1;
	if ((r = read_file(p, &p->status, proc, pid, "status", SMALL_CHUNK)) ||
	    (r = read_file(p, &p->cmdline, proc, pid, "cmdline", SMALL_CHUNK)))
		return r;
	p->uid = status_uid(&p->status);
	p->pid = pid;	/* the directory read is the identity, not stat's text */
	return 0;
}

/* The memory text `name` of pid, live or from a frozen tree (through the
 * tree's opener), packed as it comes when large: 0, or a skip reason + 1,
 * as read_file. */
static int read_text(struct proc_read *p, const char *proc, pid_t pid,
		     const char *name)
{
	const char *why = NULL;
	char path[4096];
	int fd, r, saved;

	if (p->frozen) {
		snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
		fd = tree_open(proc, path, p->text.cap, &why);
	} else {
		snprintf(path, sizeof(path), "%s/%d/%s", proc, (int)pid, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd == -2) {
		warn("refused '%s/%d/%s': %s", proc, (int)pid, name, why);
		return SKIP_REFUSED + 1;
	}
	if (fd < 0)
		return skip_for(proc, pid, name);
	r = proc_read_text(p, fd, TEXT_CHUNK);
	saved = errno;
	close(fd);
	errno = saved;
	return r < 0 ? skip_for(proc, pid, name) : 0;
}

int proc_read_body(struct proc_read *p, const char *proc,
		   enum capture_mode mode)
{
	const char *name = mode == MODE_SMAPS ? "smaps" : "maps";
	uint64_t start = p->start_time;
	pid_t pid = p->pid;
	char path[4096];
	ssize_t n;
	int r;

	if ((r = read_text(p, proc, pid, name)))
		return r;
	if (p->text.len == 0 && !p->streamed)
		return p->state == 'Z' ? SKIP_ZOMBIE + 1 : SKIP_VANISHED + 1;
	buf_reset(&p->rollup);
	if (mode == MODE_ROLLUP &&
	    (r = read_file(p, &p->rollup, proc, pid, "smaps_rollup", SMALL_CHUNK)))
		return r;

	buf_reset(&p->exe);
	snprintf(path, sizeof(path), "%s/%d/exe", proc, (int)pid);
	buf_grow(&p->exe, 4095);
	n = readlink(path, p->exe.data, 4095);
	p->has_exe = n > 0;
	p->exe.len = n > 0 ? (size_t)n : 0;
	p->exe.data[p->exe.len] = '\0';

	/* a pid reused while we read is a different process: re-check */
	if (read_file(p, &p->stat, proc, pid, "stat", SMALL_CHUNK) ||
	    proc_parse_stat(p, p->stat.data, p->stat.len) < 0 ||
	    p->start_time != start)
		return SKIP_VANISHED + 1;
	return 0;
}

/* The identity of the path whose cgroup holds the process's memory
 * (proc_memcg): on a hybrid host the v2 path is often just "/". */
static void identify(struct proc_read *p)
{
	int v1;
	const char *path = proc_memcg(p, &v1);

	cg_ident(path ? path : "", path ? strlen(path) : 0, &p->ident);
}

void proc_read_cgroup(struct proc_read *p, const char *proc)
{
	p->has_cgroup = 0;
	p->cg.v2[0] = p->cg.memory[0] = '\0';
	cg_ident("", 0, &p->ident);
	/* an older kernel or frozen tree has none: unknown, not a skip */
	if (read_file(p, &p->cgroup_text, proc, p->pid, "cgroup", SMALL_CHUNK))
		return;
	if (cg_parse_proc(p->cgroup_text.data ? p->cgroup_text.data : "",
			  p->cgroup_text.len, &p->cg) < 0) {
		warn("'%s/%d/cgroup': not a list of cgroups; stored without them",
		     proc, (int)p->pid);
		return;
	}
	p->has_cgroup = 1;
	identify(p);
}

/* The last number of status's "NSpid:" line (proc.rst: the pid in each
 * nested namespace, the process's own last), or -1. */
static long long status_nspid(const struct buf *status)
{
	const char *s = status->data ? strstr(status->data, "\nNSpid:") : NULL;
	const char *end, *last = NULL;
	size_t n, lastn = 0;
	uint64_t v;

	if (!s)
		return -1;
	for (s += 7, end = s + strcspn(s, "\n"); s < end; s += n) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t\n");
		if (!n)
			break;
		last = s;
		lastn = n;
	}
	return last && parse_u64(last, lastn, 10, &v) == 0 && v <= INT32_MAX
		? (long long)v : -1;
}

/* The inode of a namespace link's target, "pid:[4026531836]", or -1. */
static long long ns_inode(const char *proc, pid_t pid)
{
	char path[4096], target[64];
	ssize_t n;
	uint64_t v;

	snprintf(path, sizeof(path), "%s/%d/ns/pid", proc, (int)pid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 7 || memcmp(target, "pid:[", 5) || target[n - 1] != ']')
		return -1;
	return parse_u64(target + 5, (size_t)n - 6, 10, &v) == 0 &&
		v <= INT64_MAX ? (long long)v : -1;
}

/* oom_score_adj: -1000 to 1000 (proc.rst), or LLONG_MIN. */
static long long score_adj(const struct proc_read *p, const char *proc)
{
	struct buf b = BUF_INIT(64);
	long long r = LLONG_MIN;
	uint64_t v;
	size_t n;

	if (read_file(p, &b, proc, p->pid, "oom_score_adj", 64) == 0 && b.data) {
		n = strcspn(b.data, "\n");
		if (n > 1 && b.data[0] == '-' &&
		    parse_u64(b.data + 1, n - 1, 10, &v) == 0 && v <= 1000)
			r = -(long long)v;
		else if (parse_u64(b.data, n, 10, &v) == 0 && v <= 1000)
			r = (long long)v;
	}
	buf_release(&b);
	return r;
}

void proc_read_ns(struct proc_read *p, const char *proc)
{
	p->nspid = status_nspid(&p->status);
	p->pidns = ns_inode(proc, p->pid);
	p->oom_score_adj = score_adj(p, proc);
}

const char *proc_memcg(const struct proc_read *p, int *v1)
{
	*v1 = p->has_cgroup && p->cg.memory[0];
	if (!p->has_cgroup)
		return NULL;
	if (p->cg.memory[0])
		return p->cg.memory;
	return p->cg.v2[0] ? p->cg.v2 : NULL;
}
