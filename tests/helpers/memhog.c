/* memhog.c - a process with a known memory footprint, for end-to-end tests
 * that compare mapsnap's figures with the kernel's (tests/e2e/t-live.sh).
 *
 * Usage: memhog ANON_KB TOUCH_PAGES FILE_KB PATH [SHM_KB SHM_TOUCH_PAGES]
 *
 *   anon  a private anonymous read-write region of ANON_KB, of which exactly
 *         the first TOUCH_PAGES pages are written (so Rss = Private_Dirty =
 *         Anonymous = TOUCH_PAGES * pagesize); named "mapsnap-test" with
 *         PR_SET_VMA_ANON_NAME where the kernel allows it (shown as
 *         [anon:mapsnap-test]; failure is ignored).
 *   file  PATH is created (truncated) and filled with FILE_KB of non-zero
 *         bytes, synced, then mapped shared read-only in full, and every page
 *         is read (so Rss = FILE_KB while no other process maps PATH).
 *   shm   optional: a shared anonymous region of SHM_KB of which the first
 *         SHM_TOUCH_PAGES pages are written (default 0 kB: no region).
 *
 * Every region is placed inside one PROT_NONE reservation with a PROT_NONE
 * guard page before and after it, so the kernel cannot merge it with a
 * neighbour, and transparent huge pages are refused with MADV_NOHUGEPAGE so
 * Rss moves page by page. Sizes in kB must be whole pages.
 *
 * When ready, one line goes to stdout and is flushed:
 *   ready pid=PID page=BYTES anon=0xADDR file=0xADDR shm=0xADDR
 * (shm=0x0 without a shm region). Then the process sleeps in pause() until
 * killed. It dies with its parent (PR_SET_PDEATHSIG) and after ten minutes
 * at most (alarm), so a crashed test never leaves it behind.
 * Exit status: 2 on a usage error, 1 when a system call fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

#define LIFETIME_SECS 600

static const char *prog = "memhog";

static int usage(void)
{
	fprintf(stderr, "usage: %s ANON_KB TOUCH_PAGES FILE_KB PATH "
		"[SHM_KB SHM_TOUCH_PAGES]\n", prog);
	return 2;
}

static int die(const char *what, const char *subject)
{
	fprintf(stderr, "%s: %s '%s': %s\n", prog, what, subject,
		strerror(errno));
	return 1;
}

/* Parse a decimal count into *out; 0 on success, -1 if not a plain number. */
static int parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > SIZE_MAX / 1024)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Fill fd with len bytes of a non-zero pattern, so the page cache holds
 * real pages (not holes) and a read fault maps each one. */
static int fill_file(int fd, size_t len)
{
	char buf[65536];
	size_t done = 0;

	memset(buf, 0x5a, sizeof(buf));
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return fdatasync(fd);
}

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t anon_kb, touch, file_kb, shm_kb = 0, shm_touch = 0;
	size_t anon_len, file_len, shm_len, total, i;
	const char *path;
	char *base, *anon, *file, *shm = NULL;
	volatile char sink = 0;
	int fd;

	if (argc != 5 && argc != 7)
		return usage();
	if (parse_count(argv[1], &anon_kb) || parse_count(argv[2], &touch) ||
	    parse_count(argv[3], &file_kb) ||
	    (argc == 7 && (parse_count(argv[5], &shm_kb) ||
			   parse_count(argv[6], &shm_touch))))
		return usage();
	path = argv[4];
	anon_len = anon_kb * 1024;
	file_len = file_kb * 1024;
	shm_len = shm_kb * 1024;
	if (anon_len % page || file_len % page || shm_len % page ||
	    anon_len == 0 || file_len == 0 ||
	    touch > anon_len / page || shm_touch > shm_len / page) {
		fprintf(stderr, "%s: sizes must be non-zero whole pages of %zu "
			"bytes, touched pages within them\n", prog, page);
		return 2;
	}

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(LIFETIME_SECS);

	/* guard | anon | guard | file | guard [| shm | guard] */
	total = page + anon_len + page + file_len + page +
		(shm_len ? shm_len + page : 0);
	base = mmap(NULL, total, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return die("cannot reserve", "address space");

	anon = base + page;
	if (mmap(anon, anon_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return die("cannot map", "anonymous region");
	/* Before the first touch: a huge page would make Rss jump by 2 MB. */
	madvise(anon, anon_len, MADV_NOHUGEPAGE);
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)anon,
	      anon_len, (unsigned long)"mapsnap-test");
	for (i = 0; i < touch; i++)
		anon[i * page] = 1;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return die("cannot create", path);
	if (fill_file(fd, file_len))
		return die("cannot write", path);
	file = anon + anon_len + page;
	if (mmap(file, file_len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) ==
	    MAP_FAILED)
		return die("cannot map", path);
	close(fd);
	madvise(file, file_len, MADV_NOHUGEPAGE);
	for (i = 0; i < file_len / page; i++)
		sink += file[i * page];

	if (shm_len) {
		shm = file + file_len + page;
		if (mmap(shm, shm_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED)
			return die("cannot map", "shared anonymous region");
		madvise(shm, shm_len, MADV_NOHUGEPAGE);
		for (i = 0; i < shm_touch; i++)
			shm[i * page] = 1;
	}

	printf("ready pid=%ld page=%zu anon=0x%lx file=0x%lx shm=0x%lx\n",
	       (long)getpid(), page, (unsigned long)(uintptr_t)anon,
	       (unsigned long)(uintptr_t)file, (unsigned long)(uintptr_t)shm);
	if (fflush(stdout) == EOF)
		return die("cannot write", "stdout");
	(void)sink;
	for (;;)
		pause();
}
