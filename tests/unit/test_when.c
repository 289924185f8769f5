/* test_when.c - the times of the command line: ISO 8601 in UTC against
 * the epoch seconds `date -u -d` gives, spans, and what is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "when.h"

#define S INT64_C(1000000)

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
	};
	static const char *const bad[] = {
		"", "6", "h", "6x", "-6h", "6h-", "1h 30m", "2026-13-01",
		"2026-02-29", "2026-12-32", "2026-12-06T24:00", "2026-12-06T10",
		"2026-12-06T10:60", "2026-12-06T10:00+01:00", "2026-12-6",
		"26-12-06", "2026-12-06T10:00:00.", "99999999999999999999d",
		"now", "latest",
	};
	struct when w;
	size_t i;

	(void)state;
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
	assert_int_equal(when_parse("6h", &w), 0);
	assert_true(when_at(&w, 100 * 3600 * S) == 94 * 3600 * S);
	/* no wrap below the first time there is */
	assert_true(when_at(&w, INT64_MIN + 5) == INT64_MIN);
	assert_int_equal(when_parse("2026-12-06", &w), 0);
	assert_true(when_at(&w, 0) == INT64_C(1796515200) * S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
