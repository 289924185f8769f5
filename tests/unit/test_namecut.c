/* test_namecut.c - table-driven tests of name_cut: what survives of a
 * command line at each width, and never half a UTF-8 character. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namecut.h"

#define PY "/root/.pyenv/versions/3.11.7/bin/python3 /srv/pyleak.py --x"

static const struct {
	const char *s;
	size_t max;
	const char *want;
} cuts[] = {
	/* fits, or no limit: whole */
	{ "sleep 60", 8, "sleep 60" },
	{ PY, 0, PY },
	{ PY, 59, PY },
	/* the interpreter's directory gives way, from its middle */
	{ PY, 58, "/root/.pyenv/versions/3.11.7/...python3 /srv/pyleak.py --x" },
	{ PY, 29, "...python3 /srv/pyleak.py --x" },
	/* then the script's directory, the program's name kept */
	{ PY, 28, "python3 ...pyleak.py --x" },
	{ PY, 24, "python3 ...pyleak.py --x" },
	/* then the program's name */
	{ PY, 23, "...pyleak.py --x" },
	{ PY, 16, "...pyleak.py --x" },
	/* then the end */
	{ PY, 15, "pyleak.py --..." },
	{ PY, 3, "/ro" },
	/* an option is no script; a bare word without '/' or '.' neither */
	{ "/usr/sbin/nginx -g daemon off;", 20, "nginx -g daemon o..." },
	{ "/usr/bin/java -Xmx2g -jar /opt/app/server.jar run", 30,
	  "java ...server.jar run" },
	/* not a path at all: the end */
	{ "postgres: checkpointer process", 20, "postgres: checkpo..." },
	/* multibyte: cut between characters, counted as characters */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5,
	  "\xc3\xa9\xc3\xa9..." },
	{ "/opt/\xe6\x97\xa5\xe6\x9c\xac/bin/\xe6\x97\xa5 x", 9,
	  "/op...\xe6\x97\xa5 x" },
	/* a stray byte is one character */
	{ "ab\xff" "cdefgh", 6, "ab\xff..." },
};

static void test_cuts(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char *got = name_cut(cuts[i].s, cuts[i].max, "...", 3);

		if (strcmp(got, cuts[i].want))
			fail_msg("cut %zu (%zu): got '%s', want '%s'", i,
				 cuts[i].max, got, cuts[i].want);
		if (cuts[i].max)
			assert_true(name_chars(got) <= cuts[i].max);
		free(got);
	}
}

/* A one-character ellipsis, as the SVG legend has it. */
static void test_ellipsis(void **state)
{
	char *got = name_cut(PY, 20, "\xe2\x80\xa6", 1);

	(void)state;
	assert_string_equal(got, "\xe2\x80\xa6pyleak.py --x");
	free(got);
	got = name_cut("\xc3\xa9\xc3\xa9\xc3\xa9", 2, "\xe2\x80\xa6", 1);
	assert_string_equal(got, "\xc3\xa9\xe2\x80\xa6");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_ellipsis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
