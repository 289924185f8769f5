/* threader.c - a process that leaks threads at a known rate, for the leak
 * detector's tests: a thread leak grows no heap, but a stack and its guard
 * page, two mappings, a thread.
 *
 * Usage: threader [MS_PER_THREAD [MAX]]
 *
 * Starts a thread every MS_PER_THREAD milliseconds (default 200), up to MAX
 * (default 64) besides the main one; each waits forever and is never
 * joined: the leak. Prints "ready" once the first thread runs. Dies with
 * its parent (PR_SET_PDEATHSIG) and after ten minutes at most (alarm).
 * Exit status: 2 on a usage error, 1 when a thread cannot be started.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define LIFETIME_SECS 600

static void *wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* A positive decimal number up to max; 0 on success, -1 otherwise. */
static int parse_num(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	long ms = 200, max = 64, i;
	struct timespec tick;
	pthread_t t;
	int rc;

	if (argc > 3 || (argc > 1 && parse_num(argv[1], 60000, &ms)) ||
	    (argc > 2 && parse_num(argv[2], 10000, &max))) {
		fprintf(stderr, "usage: threader [MS_PER_THREAD [MAX]]\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(LIFETIME_SECS);
	tick.tv_sec = ms / 1000;
	tick.tv_nsec = ms % 1000 * 1000000L;
	for (i = 0; i < max; i++) {
		if ((rc = pthread_create(&t, NULL, wait_forever, NULL)) != 0) {
			fprintf(stderr, "threader: thread %ld: %s\n", i + 1,
				strerror(rc));
			return 1;
		}
		if (i == 0) {
			printf("ready\n");
			fflush(stdout);
		}
		nanosleep(&tick, NULL);
	}
	for (;;)
		pause();
}
