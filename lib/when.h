/* when.h - a time as people write one on a command line: an ISO 8601
 * date and time, in local time unless it names its offset, or a span
 * back from a time the caller knows; and a time as people read one.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. The one parser of
 * times for every option that takes one (--since, --until, a snapshot
 * REF that names a time), so that new forms are added here once.
 */
#ifndef MAPSNAP_WHEN_H
#define MAPSNAP_WHEN_H

#include <stddef.h>
#include <stdint.h>

struct when {
	int set;	/* 0: nothing given (every field else 0) */
	int relative;	/* us is a span back from a reference time */
	int64_t us;	/* microseconds since the epoch, UTC; or the span */
};

/*
 * Parse s into *w. Accepted:
 *   "2026-12-06", "2026-12-06 10:00", "2026-12-06T10:00:30",
 *   "2026-12-06T10:00:30.25Z", "2026-12-06T10:00+01:00": a date, then
 *   optionally a time (with seconds and a fraction of one, optionally),
 *   then optionally its zone: "Z" (UTC) or an offset east of UTC, +HH,
 *   +HH:MM or +HHMM (or -); without one, local time as TZ says (mktime:
 *   a time a change of DST skips or repeats is one it can be);
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
#define WHEN_FORMS "an ISO 8601 time, local unless it ends in Z or an " \
	"offset ('2026-12-06 10:00', 2026-12-06T10:00Z, " \
	"2026-12-06T10:00+01:00, 2026-12-06) or a span back (30m, 6h, 2d, 1w)"

/* How a time is shown: in a table, local time (TZ) to the second with
 * its zone's abbreviation, "2026-12-06 11:00:00 CET"; in CSV and JSON,
 * ISO 8601 to the microsecond, in UTC ("2026-12-06T10:00:00.000000Z")
 * unless when_iso_local(1) asked for local time with its offset
 * ("2026-12-06T11:00:00.000000+01:00"). */
enum when_style { WHEN_TABLE, WHEN_ISO };

/* Write time us (microseconds since the epoch) in style into out[n]
 * (48 bytes hold any); the number itself when the C library cannot
 * break it down. */
void when_format(char *out, size_t n, int64_t us, enum when_style style);

/* ISO 8601 times in local time from now on (--local): a setting of the
 * process, as TZ is. */
void when_iso_local(int on);

#endif
