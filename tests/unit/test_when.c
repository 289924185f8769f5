/* test_when.c - the times of the command line: ISO 8601 against the
 * epoch seconds `date -d` gives, in UTC and in a zone with DST (TZ set
 * here: tzdata's Europe/Paris), spans, what is refused, and the times
 * shown. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "when.h"

#define S INT64_C(1000000)

static void set_tz(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

static void test_parse(void **state)
{
	static const struct {
		const char *in;
		int relative;
		int64_t us;
	} ok[] = {
		{ "1970-01-01", 0, 0 },
		{ "2026-12-06T10:00:00Z", 0, INT64_C(1796551200) * S },
		{ "2026-12-06 10:00", 0, INT64_C(1796551200) * S },
		{ "2026-12-06t10:00z", 0, INT64_C(1796551200) * S },
		{ "2026-12-06", 0, INT64_C(1796515200) * S },
		{ "2024-02-29T23:59:59", 0, INT64_C(1709251199) * S },
		{ "2023-11-14T22:13:20.25Z", 0, INT64_C(1700000000) * S + 250000 },
		{ "2023-11-14T22:13:20,000001", 0, INT64_C(1700000000) * S + 1 },
		{ "2000-03-01", 0, INT64_C(951868800) * S },
		{ "1969-12-31T23:59:59Z", 0, -S },
		{ "6h", 1, 6 * 3600 * S },
		{ "30m", 1, 30 * 60 * S },
		{ "2d", 1, 2 * 86400 * S },
		{ "1w", 1, 7 * 86400 * S },
		{ "90s", 1, 90 * S },
		{ "1h30m", 1, 5400 * S },
		{ "0s", 1, 0 },
		/* an offset east of UTC, or west */
		{ "2026-12-06T11:00:00+01:00", 0, INT64_C(1796551200) * S },
		{ "2026-12-06T11:00+0100", 0, INT64_C(1796551200) * S },
		{ "2026-12-06T11:00+01", 0, INT64_C(1796551200) * S },
		{ "2026-12-06T04:30:00.5-05:30", 0, INT64_C(1796551200) * S + S / 2 },
		{ "2026-12-06 10:00-00:00", 0, INT64_C(1796551200) * S },
	};
	static const char *const bad[] = {
		"", "6", "h", "6x", "-6h", "6h-", "1h 30m", "2026-13-01",
		"2026-02-29", "2026-12-32", "2026-12-06T24:00", "2026-12-06T10",
		"2026-12-06T10:60", "2026-12-06T10:00+1:00", "2026-12-6",
		"2026-12-06T10:00+24:00", "2026-12-06T10:00+01:60",
		"2026-12-06T10:00+01:0", "2026-12-06T10:00 +01:00",
		"2026-12-06T10:00Z+01", "2026-12-06T10:00UTC", "2026-12-06+01:00",
		"26-12-06", "2026-12-06T10:00:00.", "99999999999999999999d",
		"now", "latest",
	};
	struct when w;
	size_t i;

	(void)state;
	set_tz("UTC");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (when_parse(ok[i].in, &w) < 0)
			fail_msg("'%s' refused", ok[i].in);
		if (!w.set || w.relative != ok[i].relative || w.us != ok[i].us)
			fail_msg("'%s': relative %d, %lld us", ok[i].in, w.relative,
				 (long long)w.us);
		assert_true(when_is_time(ok[i].in));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w.set = 7;
		if (when_parse(bad[i], &w) == 0)
			fail_msg("'%s' taken", bad[i]);
		assert_int_equal(w.set, 7);	/* untouched */
		assert_false(when_is_time(bad[i]));
	}
	assert_int_equal(when_parse(NULL, &w), -1);
}

static void test_at(void **state)
{
	struct when w;

	(void)state;
	set_tz("UTC");
	assert_int_equal(when_parse("6h", &w), 0);
	assert_true(when_at(&w, 100 * 3600 * S) == 94 * 3600 * S);
	/* no wrap below the first time there is */
	assert_true(when_at(&w, INT64_MIN + 5) == INT64_MIN);
	assert_int_equal(when_parse("2026-12-06", &w), 0);
	assert_true(when_at(&w, 0) == INT64_C(1796515200) * S);
}

/* Without a zone, a time is local: Paris is UTC+1 in winter, UTC+2 in
 * summer (figures from `TZ=Europe/Paris date -d ... +%s`). */
static void test_local(void **state)
{
	static const struct {
		const char *in;
		int64_t us;
	} ok[] = {
		{ "2026-12-06 11:00", INT64_C(1796551200) * S },
		{ "2026-12-06T11:00:00.25", INT64_C(1796551200) * S + S / 4 },
		{ "2026-12-06", INT64_C(1796511600) * S },
		{ "2026-07-01T12:00", INT64_C(1782900000) * S },
		/* a zone named wins over TZ */
		{ "2026-07-01T12:00Z", INT64_C(1782907200) * S },
		{ "2026-07-01T12:00+02:00", INT64_C(1782900000) * S },
		/* the last hour of summer time, and the first of winter */
		{ "2026-10-25T01:59:59", INT64_C(1792886399) * S },
		{ "2026-10-25T03:00:00", INT64_C(1792893600) * S },
	};
	struct when w;
	size_t i;

	(void)state;
	set_tz("Europe/Paris");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (when_parse(ok[i].in, &w) < 0)
			fail_msg("'%s' refused", ok[i].in);
		if (w.relative || w.us != ok[i].us)
			fail_msg("'%s' in Paris: %lld us, want %lld", ok[i].in,
				 (long long)w.us, (long long)ok[i].us);
	}
	set_tz("UTC");
}

/* Shown: tables in local time with the zone, ISO 8601 in UTC or, asked,
 * local with the offset; the same instant each time. */
static void test_format(void **state)
{
	static const struct {
		const char *tz;
		int64_t us;
		int iso_local;
		enum when_style style;
		const char *want;
	} t[] = {
		{ "UTC", INT64_C(1796551200) * S, 0, WHEN_TABLE,
		  "2026-12-06 10:00:00 UTC" },
		{ "Europe/Paris", INT64_C(1796551200) * S, 0, WHEN_TABLE,
		  "2026-12-06 11:00:00 CET" },
		{ "Europe/Paris", INT64_C(1782900000) * S, 0, WHEN_TABLE,
		  "2026-07-01 12:00:00 CEST" },
		{ "Europe/Paris", INT64_C(1782900000) * S + 7, 0, WHEN_ISO,
		  "2026-07-01T10:00:00.000007Z" },
		{ "Europe/Paris", INT64_C(1782900000) * S + 7, 1, WHEN_ISO,
		  "2026-07-01T12:00:00.000007+02:00" },
		{ "America/St_Johns", INT64_C(1796551200) * S, 1, WHEN_ISO,
		  "2026-12-06T06:30:00.000000-03:30" },
		{ "UTC", -S / 2, 0, WHEN_ISO, "1969-12-31T23:59:59.500000Z" },
		{ "UTC", -S / 2, 1, WHEN_ISO, "1969-12-31T23:59:59.500000+00:00" },
	};
	char out[64];
	struct when w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		set_tz(t[i].tz);
		when_iso_local(t[i].iso_local);
		when_format(out, sizeof(out), t[i].us, t[i].style);
		if (strcmp(out, t[i].want))
			fail_msg("%s: '%s', want '%s'", t[i].tz, out, t[i].want);
		/* what is shown in ISO 8601 reads back as the same time */
		if (t[i].style == WHEN_ISO &&
		    (when_parse(out, &w) < 0 || w.us != t[i].us))
			fail_msg("'%s' does not read back", out);
	}
	when_iso_local(0);
	set_tz("UTC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_at),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
