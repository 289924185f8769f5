/* progress.h - one line on stderr that says how far long work has got,
 * drawn only on a terminal, at most ten times a second, erased at the end.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/ (the Makefile builds
 * it without their headers). */
#ifndef MAPSNAP_PROGRESS_H
#define MAPSNAP_PROGRESS_H

#include <time.h>

/* Nothing is drawn before the work has run this long: quick work never
 * flickers a line that is gone at once. MAPSNAP_PROGRESS_DELAY (seconds,
 * fractions allowed, as git's GIT_PROGRESS_DELAY) overrides it. */
#define PROGRESS_DELAY_MS 250
#define PROGRESS_DELAY_ENV "MAPSNAP_PROGRESS_DELAY"
/* Nor more often than this: a terminal cannot show more, and each draw
 * costs the work a write. */
#define PROGRESS_EVERY_MS 100

struct progress {
	int enabled;		/* stderr is a terminal and not -q */
	long delay_ms;		/* nothing drawn before this */
	struct timespec start;	/* when progress_init() was called */
	struct timespec last;	/* last draw, or zero: none yet */
};

/*
 * Start a progress line: enabled when stderr is a terminal and
 * verbosity >= 1 (not -q). Never fails; a disabled line costs a test.
 */
void progress_init(struct progress *p);

/*
 * Show "progname: TEXT" in place of the line shown before, when the
 * line is enabled and due (the delay after the start, then
 * PROGRESS_EVERY_MS after the last draw); else do nothing, not even
 * format TEXT. Safe to call from several threads.
 */
void progress_show(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Erase the line if one is shown; the line stays usable. */
void progress_clear(void);

/* Erase the line and stop drawing it. No operation on a disabled line. */
void progress_done(struct progress *p);

#endif
