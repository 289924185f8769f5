/* workload.c - benchmark workload: N paused processes, each holding about M
 * mappings of mixed kinds, so that /proc/PID/smaps looks like a busy host's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

#define NFILES 4
#define MAX_PAGES 32		/* largest mapping the children make */
#define MAX_SHARED 16		/* shared anonymous regions made by the parent */

static const char *prog = "workload";
static long page;
static char dir[4096];
static int dir_made;
static char files[NFILES][4200];
static size_t file_pages[NFILES] = { 48, 96, 192, 384 };
static struct { char *addr; size_t pages; } shared[MAX_SHARED];
static size_t nshared;

static void die(const char *what, const char *subject)
{
	fprintf(stderr, "%s: %s '%s': %s\n", prog, what, subject, strerror(errno));
	exit(1);
}

static int parse_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void remove_files(void)
{
	char path[4200];
	int i;

	for (i = 0; i < NFILES; i++)
		if (files[i][0])
			unlink(files[i]);
	snprintf(path, sizeof(path), "%s/pids", dir);
	unlink(path);
	if (dir_made)
		rmdir(dir);
}

/* The data files the children map: a few sizes, non-zero contents. */
static void make_files(void)
{
	static char buf[1 << 16];
	size_t i, j, left, n;
	uint64_t s = 88172645463325252ULL;
	int fd;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)rnd(&s);
	for (i = 0; i < NFILES; i++) {
		snprintf(files[i], sizeof(files[i]), "%s/data%zu.bin", dir, i);
		fd = open(files[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die("cannot create", files[i]);
		for (left = file_pages[i] * (size_t)page; left; left -= n) {
			n = left < sizeof(buf) ? left : sizeof(buf);
			if (write(fd, buf, n) != (ssize_t)n)
				die("cannot write", files[i]);
		}
		/* written back now: otherwise writeback turns Shared_Dirty into
		 * Shared_Clean some 30 s later, and every smaps text changes */
		if (fsync(fd) < 0 || close(fd) < 0)
			die("cannot write", files[i]);
		for (j = 0; j < 3; j++)
			buf[j * 7] ^= (char)i;
	}
}

/* Shared anonymous regions made before fork: their PSS is split between
 * the children that keep them. */
static void make_shared(long m)
{
	size_t i, p;

	nshared = (size_t)(m / 8 < MAX_SHARED ? m / 8 : MAX_SHARED);
	for (i = 0; i < nshared; i++) {
		shared[i].pages = 1 + (i * 5) % 64;
		shared[i].addr = mmap(NULL, shared[i].pages * (size_t)page,
				      PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared[i].addr == MAP_FAILED)
			die("cannot map", "shared anonymous");
		for (p = 0; p < shared[i].pages; p++)
			shared[i].addr[p * (size_t)page] = (char)(i + p + 1);
	}
}

static void touch_read(const char *a, size_t pages)
{
	volatile char sink;
	size_t p;

	for (p = 0; p < pages; p++)
		sink = a[p * (size_t)page];
	(void)sink;
}

static void touch_write(char *a, size_t pages)
{
	size_t p;

	for (p = 0; p < pages; p++)
		a[p * (size_t)page] = (char)(p + 1);
}

/* A file mapping of one of four kinds (r--p, r-xp, rw-p written, rw-s). */
static int map_file(char *at, uint64_t *s, int kind)
{
	size_t f = rnd(s) % NFILES, off = rnd(s) % (file_pages[f] - 1);
	size_t max = file_pages[f] - off, len = 1 + rnd(s) % MAX_PAGES;
	int prot = PROT_READ, flags = MAP_PRIVATE | MAP_FIXED, fd;
	char *a;

	if (len > max)
		len = max;
	if (kind == 1)
		prot |= PROT_EXEC;
	if (kind >= 2)
		prot |= PROT_WRITE;
	if (kind == 3)
		flags = MAP_SHARED | MAP_FIXED;
	fd = open(files[f], kind == 3 ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return -1;
	a = mmap(at, len * (size_t)page, prot, flags, fd, (off_t)(off * (size_t)page));
	if (a == MAP_FAILED && kind == 1)	/* a noexec mount */
		a = mmap(at, len * (size_t)page, PROT_READ, flags, fd,
			 (off_t)(off * (size_t)page));
	close(fd);
	if (a == MAP_FAILED)
		return -1;
	touch_read(a, len);
	if (kind == 2)
		touch_write(a, 1 + rnd(s) % len);
	return (int)len;
}

/* Private anonymous memory, optionally named, with some pages touched. */
static int map_anon(char *at, uint64_t *s, int named, unsigned idx)
{
	size_t len = 1 + rnd(s) % MAX_PAGES, touched = rnd(s) % (len + 1);
	char name[32];
	char *a;

	a = mmap(at, len * (size_t)page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (a == MAP_FAILED)
		return -1;
	touch_write(a, touched);
	if (named) {
		snprintf(name, sizeof(name), "bench-%u", idx % 16);
		prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)a,
		      len * (size_t)page, (unsigned long)name); /* may be off */
	}
	return (int)len;
}

/* A thread-stack-like pair: a PROT_NONE guard page, then the stack. */
static int map_stack(char *at, uint64_t *s)
{
	size_t len = 5 + rnd(s) % (MAX_PAGES - 5), used = 1 + rnd(s) % 4;
	char *a;

	a = mmap(at, len * (size_t)page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (a == MAP_FAILED || mprotect(a, (size_t)page, PROT_NONE) < 0)
		return -1;
	touch_write(a + (len - used) * (size_t)page, used);
	return (int)len;
}

/* Lines of /proc/self/maps: the program, libc, stack, shared regions... */
static long count_vmas(void)
{
	char buf[1 << 16];
	long lines = 0;
	ssize_t n, i;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/*
 * Child number idx: keep some of the shared regions, then fill a PROT_NONE
 * reservation with mappings, leaving an unmapped page after each one so
 * that the kernel cannot merge neighbours: about m VMAs in all, counting
 * those the child already has.
 */
static void child(unsigned idx, long m, int ready_fd)
{
	uint64_t s = ((uint64_t)idx + 1) * 0x9E3779B97F4A7C15ULL;
	size_t slot = (MAX_PAGES + 1) * (size_t)page, i;
	long vmas = 0;
	char *res, *at, ok = 'k';
	int n, kind;

	for (i = 0; i < nshared; i++)
		if (idx % (i % 5 + 1))
			munmap(shared[i].addr, shared[i].pages * (size_t)page);
	vmas = count_vmas();
	res = mmap(NULL, (size_t)m * slot, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		goto fail;
	for (at = res; vmas < m; vmas++) {
		kind = (int)(rnd(&s) % 10);
		if (kind == 9 && vmas + 2 > m)
			kind = 4;
		if (kind <= 3)
			n = map_file(at, &s, kind);
		else if (kind <= 8)
			n = map_anon(at, &s, kind >= 7, (unsigned)vmas);
		else
			n = map_stack(at, &s);
		if (n < 0)
			goto fail;
		vmas += kind == 9;	/* the stack's guard is a VMA too */
		at += (size_t)n * (size_t)page;
		munmap(at, (size_t)page);	/* the hole */
		at += page;
	}
	munmap(at, (size_t)(res + (size_t)m * slot - at));
	if (write(ready_fd, &ok, 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;)
		pause();
fail:
	ok = 'e';
	if (write(ready_fd, &ok, 1) != 1)
		_exit(1);
	_exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: %s [N [M [DIR]]]\n"
		"Start N processes (default 200) with about M mappings each\n"
		"(default 400); print their pids, then 'ready'; stop them all\n"
		"on SIGTERM or SIGINT. Data files go to DIR (default a new\n"
		"directory under /tmp), removed at exit.\n"
		"WORKLOAD_TIMEOUT=SECS ends everything after SECS (default 1800).\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	long n = 200, m = 400, timeout = 1800, i;
	const char *env = getenv("WORKLOAD_TIMEOUT");
	pid_t *kids, parent = getpid();
	sigset_t set, old;
	int fds[2], sig, bad = 0;
	size_t got = 0;
	char c, path[4200];
	FILE *pf;

	page = sysconf(_SC_PAGESIZE);
	if (argc > 4 || (argc > 1 && !strcmp(argv[1], "--help")))
		usage();
	if ((argc > 1 && parse_num(argv[1], 1, 10000, &n) < 0) ||
	    (argc > 2 && parse_num(argv[2], 1, 60000, &m) < 0) ||
	    (env && parse_num(env, 1, 86400 * 7, &timeout) < 0))
		usage();
	if (argc > 3) {
		if (snprintf(dir, sizeof(dir), "%s", argv[3]) >= (int)sizeof(dir))
			usage();
		if (mkdir(dir, 0700) == 0)
			dir_made = 1;
		else if (errno != EEXIST)
			die("cannot create", dir);
	} else {
		snprintf(dir, sizeof(dir), "/tmp/mapsnap-workload.XXXXXX");
		if (!mkdtemp(dir))
			die("cannot create", dir);
		dir_made = 1;
	}

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	prctl(PR_SET_PDEATHSIG, SIGTERM);	/* the launcher died: clean up */
	make_files();
	make_shared(m);
	kids = calloc((size_t)n, sizeof(*kids));
	if (!kids || pipe(fds) < 0) {
		remove_files();
		die("cannot start", "children");
	}
	fflush(NULL);
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			close(fds[0]);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			sigprocmask(SIG_SETMASK, &old, NULL);
			alarm((unsigned)timeout);
			child((unsigned)i, m, fds[1]);
		}
		if (kids[i] < 0) {
			bad = 1;
			n = i;
			break;
		}
	}
	close(fds[1]);
	while (!bad && got < (size_t)n && read(fds[0], &c, 1) == 1) {
		got++;
		bad = c != 'k';
	}
	close(fds[0]);
	if (bad || got < (size_t)n) {
		fprintf(stderr, "%s: cannot set up %ld children\n", prog, n);
		goto stop;
	}

	snprintf(path, sizeof(path), "%s/pids", dir);
	pf = fopen(path, "w");
	for (i = 0; i < n; i++) {
		printf("%d\n", (int)kids[i]);
		if (pf)
			fprintf(pf, "%d\n", (int)kids[i]);
	}
	if (pf)
		fclose(pf);
	printf("ready\n");
	fflush(stdout);

	alarm((unsigned)timeout);
	do {
		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGCHLD && waitpid(-1, NULL, WNOHANG) > 0)
			fprintf(stderr, "%s: a child ended early\n", prog);
	} while (sig == SIGCHLD || sig < 0);
stop:
	for (i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	remove_files();
	free(kids);
	return bad ? 1 : 0;
}
