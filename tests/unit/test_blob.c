/* test_blob.c - the blob codec: hashes, deflate/inflate round trips, and
 * every way a stored blob can lie (corrupt, short, long, bomb). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "blob.h"

static void test_hash(void **state)
{
	struct blob_hash a, b, c;
	char hex[33];

	(void)state;
	blob_hash("abc", 3, &a);
	blob_hash("abc", 3, &b);
	blob_hash("abd", 3, &c);
	assert_memory_equal(a.b, b.b, BLOB_HASH_LEN);
	assert_memory_not_equal(a.b, c.b, BLOB_HASH_LEN);
	blob_hash_hex(&a, hex);
	assert_int_equal(strlen(hex), 32);
	assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
	/* XXH3-128 of the empty input, a published test vector */
	blob_hash("", 0, &a);
	blob_hash_hex(&a, hex);
	assert_string_equal(hex, "99aa06d3014798d86001c324468d497f");
}

static void round_trip(const char *text, size_t n, int level)
{
	struct buf z = BUF_INIT(BLOB_MAX_RAW), out = BUF_INIT(BLOB_MAX_RAW);
	char err[160];

	assert_int_equal(blob_deflate(NULL, text, n, level, &z), 0);
	assert_int_equal(blob_inflate(z.data, z.len, n, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, n);
	if (n)
		assert_memory_equal(out.data, text, n);
	buf_release(&z);
	buf_release(&out);
}

/* One deflater for many texts gives the same bytes as a fresh one each. */
static void test_deflater_reuse(void **state)
{
	struct blob_deflater d;
	const char *texts[] = { "alpha\n", "", "beta beta beta beta\n", "alpha\n" };
	size_t i;

	(void)state;
	assert_int_equal(blob_deflater_init(&d, 6), 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct buf a = BUF_INIT(1 << 20), b = BUF_INIT(1 << 20);

		assert_int_equal(blob_deflate(&d, texts[i], strlen(texts[i]), 6, &a), 0);
		assert_int_equal(blob_deflate(NULL, texts[i], strlen(texts[i]), 6, &b), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		buf_release(&a);
		buf_release(&b);
	}
	blob_deflater_release(&d);
	blob_deflater_release(&d);	/* twice is harmless */
}

static void test_round_trip(void **state)
{
	size_t n = 300000, i;
	char *big = malloc(n);
	int level;

	(void)state;
	for (i = 0; i < n; i++)
		big[i] = (char)(i * 7 % 251);
	for (level = 0; level <= 9; level += 3) {
		round_trip("", 0, level);
		round_trip("x", 1, level);
		round_trip("with\0nul", 8, level);
		round_trip(big, n, level);
	}
	free(big);
}

/* Inflating `z` as if it held `raw` bytes must fail, naming `cause`. */
static void expect_refused(const struct buf *z, size_t raw, const char *cause)
{
	struct buf out = BUF_INIT(BLOB_MAX_RAW);
	char err[160] = "";

	assert_int_equal(blob_inflate(z->data, z->len, raw, &out, err, sizeof(err)), -1);
	if (!strstr(err, cause))
		fail_msg("error '%s' does not mention '%s'", err, cause);
	buf_release(&out);
}

static void test_lies(void **state)
{
	const char text[] = "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus\n";
	struct buf z = BUF_INIT(1 << 20);
	size_t n = sizeof(text) - 1;

	(void)state;
	assert_int_equal(blob_deflate(NULL, text, n, 6, &z), 0);
	expect_refused(&z, n + 1, "not the");		/* claims more */
	expect_refused(&z, n - 1, "not the");			/* claims less */
	expect_refused(&z, 10, "past its stored size");		/* far less */
	expect_refused(&z, BLOB_MAX_RAW + 1, "over the");	/* absurd */
	z.data[z.len / 2] ^= 0x55;				/* a flipped byte */
	expect_refused(&z, n, "corrupt");
	z.data[z.len / 2] ^= 0x55;
	buf_addstr(&z, "trailing");				/* garbage after */
	expect_refused(&z, n, "trailing");
	z.len = 3;						/* truncated */
	expect_refused(&z, n, "corrupt");
	buf_release(&z);
}

static void test_bomb(void **state)
{
	/* 64 MiB of zeros compresses to ~64 kB; stored as if it were 100 B */
	size_t n = (size_t)64 << 20;
	char *zeros = calloc(1, n);
	struct buf z = BUF_INIT(BLOB_MAX_RAW), out = BUF_INIT(1 << 20);
	char err[160];

	(void)state;
	assert_int_equal(blob_deflate(NULL, zeros, n, 9, &z), 0);
	free(zeros);
	assert_true(z.len < 1 << 20);
	assert_int_equal(blob_inflate(z.data, z.len, 100, &out, err, sizeof(err)), -1);
	/* the output never grew past what was claimed (+1 to detect it) */
	assert_true(out.alloc <= 4096);
	/* claiming the real size is refused by the reader's own cap */
	assert_int_equal(blob_inflate(z.data, z.len, n, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "buffer limit"));
	buf_release(&z);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_deflater_reuse),
		cmocka_unit_test(test_lies),
		cmocka_unit_test(test_bomb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
