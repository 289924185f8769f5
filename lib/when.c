/* when.c - times from the command line and times shown: ISO 8601 with
 * an offset by our own arithmetic, without one in local time (TZ, as
 * mktime reads it), spans by their units; tables in local time. */
#include "when.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_SEC INT64_C(1000000)
/* A span longer than this (about 2,700 years) is not a typo we honour. */
#define SPAN_MAX_US (INT64_C(1000000) * 86400 * 1000000)

/* n digits of s as a number; -1 when one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar:
 * years counted from March (so a leap day ends its year), in eras of 400
 * years of 146097 days; 719468 is the day number of 1970-01-01. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "HH:MM[:SS[.frac]]" at s; the microseconds since midnight in *us and
 * the end in *end. 0 or -1. */
static int parse_clock(const char *s, int64_t *us, const char **end)
{
	int h = digits(s, 2), mi = -1, sec = 0;
	int64_t frac = 0, scale = 100000;

	if (h < 0 || s[2] != ':' || (mi = digits(s + 3, 2)) < 0)
		return -1;
	s += 5;
	if (*s == ':') {
		if ((sec = digits(s + 1, 2)) < 0)
			return -1;
		s += 3;
		if (*s == '.' || *s == ',') {
			if (s[1] < '0' || s[1] > '9')
				return -1;
			for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
				frac += scale * (*s - '0');
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	*us = ((int64_t)h * 3600 + mi * 60 + sec) * US_PER_SEC + frac;
	*end = s;
	return 0;
}

/* The zone at the end of s: "Z", "+HH", "+HH:MM", "+HHMM" (or '-'): its
 * offset east of UTC in seconds in *off and 1; 0 when s is empty (local
 * time); -1 when s is anything else. */
static int parse_zone(const char *s, int64_t *off)
{
	int h, m = 0;
	size_t n = strlen(s);

	if ((*s == 'Z' || *s == 'z') && !s[1]) {
		*off = 0;
		return 1;
	}
	if (!*s)
		return 0;
	if ((*s != '+' && *s != '-') || (h = digits(s + 1, 2)) < 0 || h > 23)
		return -1;
	if (n == 6 && s[3] == ':')
		m = digits(s + 4, 2);
	else if (n == 5)
		m = digits(s + 3, 2);
	else if (n != 3)
		return -1;
	if (m < 0 || m > 59)
		return -1;
	*off = (*s == '-' ? -1 : 1) * ((int64_t)h * 3600 + m * 60);
	return 1;
}

/* The seconds since the epoch of a local date and time (TZ), as mktime
 * takes them: a time that a change of DST skips or repeats is one of
 * those it can be. 0, or -1 when the C library cannot say. */
static int local_secs(int y, int m, int d, int64_t clock_s, int64_t *secs)
{
	struct tm tm = { 0 };
	time_t t;

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = (int)(clock_s / 3600);
	tm.tm_min = (int)(clock_s / 60 % 60);
	tm.tm_sec = (int)(clock_s % 60);
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 && (tm.tm_year != 69 || tm.tm_mon != 11))
		return -1;
	*secs = (int64_t)t;
	return 0;
}

static int parse_iso(const char *s, struct when *w)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y = digits(s, 4), m = -1, d = -1, zoned, timed;
	int64_t clock = 0, off = 0, secs;

	if (y < 0 || s[4] != '-' || (m = digits(s + 5, 2)) < 1 || m > 12 ||
	    s[7] != '-' || (d = digits(s + 8, 2)) < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap(y)))
		return -1;
	s += 10;
	if ((timed = *s == 'T' || *s == 't' || *s == ' ') &&
	    parse_clock(s + 1, &clock, &s) < 0)
		return -1;
	/* an offset follows a time (a date's "Z" was always taken) */
	if ((zoned = parse_zone(s, &off)) < 0 || (zoned && *s != 'Z' &&
						  *s != 'z' && !timed))
		return -1;
	if (zoned)
		secs = days_from_civil(y, m, d) * 86400 - off;
	else if (local_secs(y, m, d, clock / US_PER_SEC, &secs) < 0)
		return -1;
	w->set = 1;
	w->relative = 0;
	w->us = secs * US_PER_SEC + (zoned ? clock : clock % US_PER_SEC);
	return 0;
}

/* "1h30m": one or more numbers, each with its unit. */
static int parse_span(const char *s, struct when *w)
{
	static const char units[] = "smhdw";
	static const int64_t secs[] = { 1, 60, 3600, 86400, 7 * 86400 };
	int64_t total = 0, n;
	const char *u;

	if (!*s)
		return -1;
	while (*s) {
		if (*s < '0' || *s > '9')
			return -1;
		for (n = 0; *s >= '0' && *s <= '9'; s++) {
			n = n * 10 + (*s - '0');
			if (n > SPAN_MAX_US / US_PER_SEC)
				return -1;
		}
		if (!*s || !(u = strchr(units, *s)))
			return -1;
		total += n * secs[u - units] * US_PER_SEC;
		if (total > SPAN_MAX_US)
			return -1;
		s++;
	}
	w->set = 1;
	w->relative = 1;
	w->us = total;
	return 0;
}

int when_parse(const char *s, struct when *w)
{
	struct when v = { 0, 0, 0 };

	if (!s || (parse_iso(s, &v) < 0 && parse_span(s, &v) < 0))
		return -1;
	*w = v;
	return 0;
}

int when_is_time(const char *s)
{
	struct when w;

	return when_parse(s, &w) == 0;
}

int64_t when_at(const struct when *w, int64_t ref_us)
{
	int64_t t;

	if (!w->relative)
		return w->us;
	return __builtin_sub_overflow(ref_us, w->us, &t) ? INT64_MIN : t;
}

static int iso_local;

void when_iso_local(int on)
{
	iso_local = on;
}

/* us as a broken-down time, local or UTC, and its microseconds. */
static int broken_down(int64_t us, int local, struct tm *tm, int *micro)
{
	int64_t secs = us / US_PER_SEC, frac = us % US_PER_SEC;
	time_t t;

	if (frac < 0) {
		frac += US_PER_SEC;
		secs--;
	}
	t = (time_t)secs;
	*micro = (int)frac;
	return (local ? localtime_r(&t, tm) : gmtime_r(&t, tm)) ? 0 : -1;
}

void when_format(char *out, size_t n, int64_t us, enum when_style style)
{
	int local = style != WHEN_ISO || iso_local, micro;
	long off;
	struct tm tm;

	if (broken_down(us, local, &tm, &micro) < 0) {
		snprintf(out, n, "%lld", (long long)us);
		return;
	}
	if (style == WHEN_ISO) {
		off = local ? tm.tm_gmtoff : 0;
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06d", tm.tm_year
			 + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, micro);
		if (!local)
			snprintf(out + strlen(out), n - strlen(out), "Z");
		else
			snprintf(out + strlen(out), n - strlen(out),
				 "%c%02ld:%02ld", off < 0 ? '-' : '+',
				 (off < 0 ? -off : off) / 3600,
				 (off < 0 ? -off : off) / 60 % 60);
		return;
	}
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d %s", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 tm.tm_zone && *tm.tm_zone ? tm.tm_zone : "UTC");
}
