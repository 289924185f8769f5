/* test_util.c - the number parsers of the command lines (durations for
 * --keep-for, sizes for --max-size) and the passwd reader of the static
 * build, {input, expected} rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "passwd.h"
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

/* passwd(5) lines as /etc/passwd holds them, and the ones to pass over */
static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"bad uid:x:12a:1::/:/bin/sh\n"
	"short:x\n"
	":x:7:7::/:/bin/sh\n"
	"huge:x:4294967296:1::/:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	"root2:x:0:0::/:/bin/sh\n"
	"last:x:1001:1001::/home/last:/bin/sh";	/* no final newline */

static void test_passwd(void **state)
{
	static const struct {
		const char *name;
		long uid;
		int found;
		const char *want_name;
		long want_uid;
	} rows[] = {
		{ NULL, 0, 1, "root", 0 },	/* the first line with uid 0 */
		{ NULL, 65534, 1, "nobody", 65534 },
		{ NULL, 1001, 1, "last", 1001 },
		{ NULL, 12, 0, NULL, 0 }, { NULL, 7, 0, NULL, 0 },
		{ "nobody", -1, 1, "nobody", 65534 },
		{ "root2", -1, 1, "root2", 0 }, { "last", -1, 1, "last", 1001 },
		{ "roo", -1, 0, NULL, 0 }, { "bad uid", -1, 0, NULL, 0 },
		{ "short", -1, 0, NULL, 0 }, { "huge", -1, 0, NULL, 0 },
		{ "", -1, 0, NULL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long uid = rows[i].uid;
		char *name = NULL;
		int r = passwd_find(passwd_text, strlen(passwd_text),
				    rows[i].name, &uid, &name);

		if (r != rows[i].found)
			fail_msg("row %zu: found %d, expected %d", i, r,
				 rows[i].found);
		if (r) {
			assert_string_equal(name, rows[i].want_name);
			assert_int_equal(uid, rows[i].want_uid);
		}
		free(name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_passwd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
