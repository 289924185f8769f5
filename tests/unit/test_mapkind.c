/* test_mapkind.c - table-driven tests of map_kind_of: names as
 * /proc/PID/maps writes them (samples/), each with its kind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mapkind.h"

static const struct {
	const char *name;
	enum map_kind want;
} names[] = {
	{ "", KIND_ANON },
	{ "<anonymous>", KIND_ANON },
	{ "[anon:libc_malloc]", KIND_ANON },
	{ "[anon_shmem:x]", KIND_ANON },
	{ "[heap]", KIND_HEAP },
	{ "[stack]", KIND_STACK },
	{ "[stack:1234]", KIND_STACK },
	{ "[vdso]", KIND_OTHER },
	{ "[vvar]", KIND_OTHER },
	{ "[vsyscall]", KIND_OTHER },
	{ "/usr/lib/x86_64-linux-gnu/libc.so.6", KIND_LIB },
	{ "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", KIND_LIB },
	{ "/opt/my app/lib thing.so", KIND_LIB },
	{ "/opt/app/plugin.so (deleted)", KIND_LIB },
	{ "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
	  KIND_LIB },
	/* ".so" elsewhere than its base name's word end: a file */
	{ "/srv/data.so.d/table", KIND_FILE },
	{ "/srv/x.sock", KIND_FILE },
	{ "/usr/bin/bash", KIND_FILE },
	{ "/usr/lib/locale/locale-archive", KIND_FILE },
	{ "/data/big file.db", KIND_FILE },
	{ "/dev/shm/pool", KIND_SHM },
	{ "/SYSV0000abcd (deleted)", KIND_SHM },
	{ "/memfd:pool (deleted)", KIND_SHM },
	{ "/dev/zero (deleted)", KIND_SHM },
};

static void test_kinds(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum map_kind k = map_kind_of(names[i].name, strlen(names[i].name));

		if (k != names[i].want)
			fail_msg("'%s': %s, want %s", names[i].name,
				 map_kind_name(k), map_kind_name(names[i].want));
	}
	assert_string_equal(map_kind_name(KIND_LIB), "libraries");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
