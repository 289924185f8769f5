/* when.h - a time as people write one on a command line: an ISO 8601
 * date and time in UTC, or a span back from a time the caller knows.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. The one parser of
 * times for every option that takes one (--since, --until, a snapshot
 * REF that names a time), so that new forms are added here once.
 */
#ifndef MAPSNAP_WHEN_H
#define MAPSNAP_WHEN_H

#include <stdint.h>

struct when {
	int set;	/* 0: nothing given (every field else 0) */
	int relative;	/* us is a span back from a reference time */
	int64_t us;	/* microseconds since the epoch, UTC; or the span */
};

/*
 * Parse s into *w. Accepted:
 *   "2026-12-06", "2026-12-06 10:00", "2026-12-06T10:00:30",
 *   "2026-12-06T10:00:30.25Z": a date, then optionally a time (with
 *   seconds and a fraction of one, optionally), in UTC: a final "Z" may
 *   say so, and no other zone is taken (yet);
 *   "30m", "6h", "2d", "1w", "1h30m", "90s": a span back, in weeks,
 *   days, hours, minutes and seconds.
 * Returns 0, or -1 when s is none of them (nothing printed: the caller
 * names the option). A date must exist (no February 30th).
 */
int when_parse(const char *s, struct when *w);

/* Does s read as a time (when_parse would take it)? */
int when_is_time(const char *s);

/* The time w names, given the time a span counts back from (ref_us);
 * held within int64 whatever w holds. */
int64_t when_at(const struct when *w, int64_t ref_us);

/* What --help says the forms are, for every option that takes one. */
#define WHEN_FORMS "an ISO 8601 time in UTC (2026-12-06T10:00Z, " \
	"'2026-12-06 10:00', 2026-12-06) or a span back (30m, 6h, 2d, 1w)"

#endif
