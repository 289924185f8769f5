/* test_util.c - the number parsers of the command lines: durations
 * (--keep-for) and sizes (--max-size), {input, expected} rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util.h"

struct row {
	const char *in;
	int ok;
	uint64_t want;
};

static const struct row durations[] = {
	{ "90", 1, 90 }, { "90s", 1, 90 }, { "15m", 1, 900 },
	{ "12h", 1, 43200 }, { "7d", 1, 604800 }, { "2w", 1, 1209600 },
	{ "0", 1, 0 }, { "", 0, 0 }, { "d", 0, 0 }, { "7 d", 0, 0 },
	{ "7dd", 0, 0 }, { "7D", 0, 0 }, { "-1d", 0, 0 }, { "1.5h", 0, 0 },
	{ "7y", 0, 0 }, { "9223372036854775807s", 1, 9223372036854775807ULL },
	{ "15250284452472w", 0, 0 }, { "99999999999999999999", 0, 0 },
};

static const struct row sizes[] = {
	{ "4096", 1, 4096 }, { "4096B", 1, 4096 }, { "64k", 1, 65536 },
	{ "64K", 1, 65536 }, { "500M", 1, 524288000 },
	{ "1G", 1, 1073741824 }, { "1g", 1, 1073741824 },
	{ "2T", 1, 2199023255552ULL }, { "", 0, 0 }, { "G", 0, 0 },
	{ "1GB", 0, 0 }, { "1 G", 0, 0 }, { "1.5G", 0, 0 }, { "-1", 0, 0 },
	{ "8388608T", 0, 0 }, { "8388607T", 1, 9223370937343148032ULL },
};

static void check_rows(const struct row *rows, size_t n,
		       int (*parse)(const char *, uint64_t *))
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t v = 12345;
		int r = parse(rows[i].in, &v);

		if (rows[i].ok != (r == 0))
			fail_msg("'%s': expected %s", rows[i].in,
				 rows[i].ok ? "a value" : "an error");
		if (rows[i].ok && v != rows[i].want)
			fail_msg("'%s': %llu, expected %llu", rows[i].in,
				 (unsigned long long)v,
				 (unsigned long long)rows[i].want);
	}
}

static void test_durations(void **state)
{
	(void)state;
	check_rows(durations, sizeof(durations) / sizeof(durations[0]),
		   parse_duration);
}

static void test_sizes(void **state)
{
	(void)state;
	check_rows(sizes, sizeof(sizes) / sizeof(sizes[0]), parse_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
