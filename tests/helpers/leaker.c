/* leaker.c - a process that leaks heap at a known rate, for the README's
 * tour (tests/e2e/t-tour.sh runs it) and for trying mapsnap by hand.
 *
 * Usage: leaker [KB_PER_SEC [MAX_KB]]
 *
 * Every tenth of a second it allocates KB_PER_SEC / 10 kB (default 1024 kB
 * a second in all) in 1 kB blocks with malloc(), writes every block and
 * keeps it: blocks this small come from the brk heap, so the [heap]
 * mapping and the process's RSS, PSS and USS grow by about KB_PER_SEC a
 * second. It stops growing at MAX_KB (default 262144, 256 MiB) and then
 * only sleeps. It dies with its parent (PR_SET_PDEATHSIG) and after ten
 * minutes at most (alarm), so a forgotten one does not linger.
 * Exit status: 2 on a usage error, 1 when memory runs out.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME_SECS 600
#define TICKS_PER_SEC 10
#define BLOCK 1024

static const char *prog = "leaker";

/* Parse a positive decimal count of kB; 0 on success, -1 otherwise. */
static int parse_kb(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > SIZE_MAX / BLOCK)
		return -1;
	*out = (size_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	size_t rate = 1024, max = 262144, done = 0, per_tick, i;
	struct timespec tick = { 0, 1000000000L / TICKS_PER_SEC };

	if (argc > 3 || (argc > 1 && parse_kb(argv[1], &rate)) ||
	    (argc > 2 && parse_kb(argv[2], &max))) {
		fprintf(stderr, "usage: %s [KB_PER_SEC [MAX_KB]]\n", prog);
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(LIFETIME_SECS);

	/* At least one block a tick, so the heap rises between any two
	 * snapshots taken a tick or more apart. */
	per_tick = rate / TICKS_PER_SEC ? rate / TICKS_PER_SEC : 1;
	for (;;) {
		for (i = 0; i < per_tick && done < max; i++, done++) {
			char *p = malloc(BLOCK);

			if (!p) {
				fprintf(stderr, "%s: out of memory after %zu kB\n",
					prog, done);
				return 1;
			}
			/* Written, so the pages are resident, not just
			 * reserved; the pointer is dropped: the leak. */
			memset(p, 0x6c, BLOCK);
		}
		nanosleep(&tick, NULL);
	}
}
