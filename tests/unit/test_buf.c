/* test_buf.c - the capped buffer: growth, the cap, formatted appends and
 * reading files in chunks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

static void test_add_and_nul(void **state)
{
	struct buf b = BUF_INIT(1024);

	(void)state;
	assert_null(b.data);
	assert_int_equal(buf_addstr(&b, "abc"), 0);
	assert_int_equal(buf_addch(&b, '\0'), 0);
	assert_int_equal(buf_addf(&b, "%d-%s", 42, "x"), 0);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "abc\0" "42-x", 8);
	assert_int_equal(b.data[b.len], '\0');
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 1024);
}

static void test_cap(void **state)
{
	struct buf b = BUF_INIT(10);
	char big[11];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(buf_add(&b, big, 10), 0);
	errno = 0;
	assert_int_equal(buf_addch(&b, 'y'), -1);
	assert_int_equal(errno, EFBIG);
	/* a failed append leaves the content whole */
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, big, 10);
	assert_int_equal(buf_addf(&b, "%s", "z"), -1);
	assert_int_equal(buf_grow(&b, SIZE_MAX), -1);
	buf_release(&b);
}

static void test_detach(void **state)
{
	struct buf b = BUF_INIT(100);
	size_t len = 99;
	char *s;

	(void)state;
	s = buf_detach(&b, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	buf_addstr(&b, "hello");
	s = buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	free(s);
}

/* Write n bytes of a pattern to a temporary file; returns its path. */
static char *temp_file(size_t n)
{
	char *path = strdup("/tmp/mapsnap-test-buf.XXXXXX");
	int fd = mkstemp(path);
	size_t i;

	assert_true(fd >= 0);
	for (i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);

		assert_int_equal(write(fd, &c, 1), 1);
	}
	close(fd);
	return path;
}

static void test_read_file(void **state)
{
	const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 100000 };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *path = temp_file(sizes[i]);
		struct buf b = BUF_INIT(1 << 20);

		/* small chunks force many reads and regrowth */
		assert_int_equal(buf_read_file(&b, path, 7), 0);
		assert_int_equal(b.len, sizes[i]);
		for (j = 0; j < sizes[i]; j++)
			assert_int_equal(b.data[j], 'a' + j % 26);
		buf_release(&b);
		unlink(path);
		free(path);
	}
}

static void test_read_cap(void **state)
{
	char *path = temp_file(5000);
	struct buf exact = BUF_INIT(5000), small = BUF_INIT(4999);

	(void)state;
	/* exactly at the cap is fine; one byte over is EFBIG */
	assert_int_equal(buf_read_file(&exact, path, 4096), 0);
	assert_int_equal(exact.len, 5000);
	errno = 0;
	assert_int_equal(buf_read_file(&small, path, 4096), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(buf_read_file(&small, "/nonexistent/x", 4096), -1);
	assert_int_equal(errno, ENOENT);
	buf_release(&exact);
	buf_release(&small);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_nul),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
