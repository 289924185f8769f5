/* progress.c - the progress line: "\r" and the text, padded over what was
 * there before, written with one write(2); error() erases it first. */
#include "progress.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The line is the terminal's, not one struct's: a message from any
 * thread must be able to erase it, so its state is global. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t shown;		/* columns of the line on screen, 0: none */
static size_t width = 80;	/* the terminal's; a longer line would wrap */

#define LINE_MAX_BYTES 256

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* A terminal that is gone or full is no reason to stop the work. */
static void write_all(const char *s, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(STDERR_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* The delay from the environment, when it holds a number of seconds
 * from 0 to an hour; else the default. */
static long delay_from_env(void)
{
	const char *v = getenv(PROGRESS_DELAY_ENV);
	char *end;
	double s;

	if (!v || !*v)
		return PROGRESS_DELAY_MS;
	errno = 0;
	s = strtod(v, &end);
	if (errno || *end || !(s >= 0 && s <= 3600))
		return PROGRESS_DELAY_MS;
	return (long)(s * 1000);
}

void progress_init(struct progress *p)
{
	struct winsize ws;

	memset(p, 0, sizeof(*p));
	p->delay_ms = delay_from_env();
	p->enabled = verbosity >= 1 && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	if (p->enabled && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 1)
		width = ws.ws_col;
}

void progress_show(struct progress *p, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES + 2];
	struct timespec now;
	size_t len, max;
	va_list ap;
	int n;

	if (!p->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	if (ms_between(&p->start, &now) < p->delay_ms ||
	    ((p->last.tv_sec || p->last.tv_nsec) &&
	     ms_between(&p->last, &now) < PROGRESS_EVERY_MS))
		goto out;
	p->last = now;
	/* the cursor ends on the last column written: keep it off the edge */
	max = width - 1 < LINE_MAX_BYTES ? width - 1 : LINE_MAX_BYTES;
	n = snprintf(line, sizeof(line), "\r%s: ", progname);
	if (n < 0 || (size_t)n >= sizeof(line))
		goto out;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	len = strlen(line + 1);
	if (len > max)
		len = max;
	/* spaces over the end of a longer line drawn before */
	if (shown > len)
		memset(line + 1 + len, ' ', shown - len);
	write_all(line, 1 + (shown > len ? shown : len));
	shown = len ? len : 1;
out:
	pthread_mutex_unlock(&lock);
}

void progress_clear(void)
{
	char blank[LINE_MAX_BYTES + 2];

	pthread_mutex_lock(&lock);
	if (shown) {
		blank[0] = '\r';
		memset(blank + 1, ' ', shown);
		blank[shown + 1] = '\r';
		write_all(blank, shown + 2);
		shown = 0;
	}
	pthread_mutex_unlock(&lock);
}

void progress_done(struct progress *p)
{
	if (!p->enabled)
		return;
	progress_clear();
	p->enabled = 0;
}
