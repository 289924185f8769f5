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

/* A stored row for blob_unpack: z holds the data, h the hash of text. */
static struct blob_stored stored(const struct buf *z, int64_t raw,
				 const struct blob_hash *h)
{
	struct blob_stored b = { raw, "zlib", z->data, z->len, h->b,
				 BLOB_HASH_LEN };

	return b;
}

/*
 * Damaged data (z) must never come back as a text other than `text`:
 * blob_inflate may accept it (the Adler-32 is not checked), the hash in
 * blob_unpack must then refuse it. 1 when blob_inflate alone accepted
 * it, which is what makes the hash check needed.
 */
static int expect_damage_found(const struct buf *z, const char *text,
			       size_t n)
{
	struct buf out = BUF_INIT(BLOB_MAX_RAW);
	struct blob_hash h;
	struct blob_stored b;
	char err[160] = "";
	int inflated, r;

	blob_hash(text, n, &h);
	b = stored(z, (int64_t)n, &h);
	inflated = blob_inflate(z->data, z->len, n, &out, err, sizeof(err)) == 0;
	if (inflated && out.len == n && !memcmp(out.data, text, n)) {
		/* the damage missed the text (the trailer): still the text */
		buf_reset(&out);
		assert_int_equal(blob_unpack(&b, &out, err, sizeof(err)), 0);
		assert_memory_equal(out.data, text, n);
		buf_release(&out);
		return 0;
	}
	buf_reset(&out);
	buf_addstr(&out, "kept");
	r = blob_unpack(&b, &out, err, sizeof(err));
	assert_int_equal(r, -1);
	if (inflated && !strstr(err, "does not match its hash"))
		fail_msg("damage that inflates reported as '%s'", err);
	if (!inflated && !strstr(err, "corrupt") && !strstr(err, "not the") &&
	    !strstr(err, "past its stored size") && !strstr(err, "trailing"))
		fail_msg("damage reported as '%s'", err);
	/* out as it was */
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "kept");
	buf_release(&out);
	return inflated;
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
	z.data[z.len / 2] ^= 0x55;	/* a flipped byte: see test_damage */
	expect_damage_found(&z, text, n);
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

/* smaps-like text of n bytes, varied enough to give dynamic Huffman
 * blocks and long matches, as a capture's texts do. */
static char *smaps_like(size_t *n)
{
	struct buf b = BUF_INIT(1 << 20);
	unsigned i;

	for (i = 0; i < 40; i++)
		buf_addf(&b, "7f%010x-7f%010x rw-p 00000000 00:00 0\n"
			 "Size:           %8u kB\nRss:            %8u kB\n"
			 "Pss:            %8u kB\nVmFlags: rd wr mr mw me ac\n",
			 i * 4096, i * 4096 + 8192, 8 + i, i * 7 % 13, i % 5);
	*n = b.len;
	return b.data;
}

/* Every byte of a stream flipped in turn: none gives back a wrong text. */
static void test_damage(void **state)
{
	struct buf z = BUF_INIT(1 << 20);
	size_t n, i;
	char *text = smaps_like(&n);
	int level, bit, accepted = 0;

	(void)state;
	for (level = 1; level <= 9; level += 4) {
		buf_reset(&z);
		assert_int_equal(blob_deflate(NULL, text, n, level, &z), 0);
		for (i = 0; i < z.len; i++) {
			for (bit = 0; bit < 8; bit += 3) {
				z.data[i] ^= (char)(1 << bit);
				accepted += expect_damage_found(&z, text, n);
				z.data[i] ^= (char)(1 << bit);
			}
		}
	}
	/* without the Adler-32, some damage inflates: the hash finds it */
	print_message("%d damaged streams inflated, all refused by the hash\n",
		      accepted);
	assert_true(accepted > 0);
	buf_release(&z);
	free(text);
}

/* The zlib header is still checked; the trailer must be there whole. */
static void test_frame(void **state)
{
	struct buf z = BUF_INIT(1 << 20), out = BUF_INIT(1 << 20);
	size_t n, len, cut;
	char *text = smaps_like(&n);
	char err[160];

	(void)state;
	assert_int_equal(blob_deflate(NULL, text, n, 3, &z), 0);
	len = z.len;
	/* every cut stream is refused: in the data, or in the trailer */
	for (cut = 0; cut < len; cut++) {
		err[0] = '\0';
		buf_reset(&out);
		assert_int_equal(blob_inflate(z.data, cut, n, &out, err,
					      sizeof(err)), -1);
		if (!strstr(err, "corrupt"))
			fail_msg("a stream cut at %zu: '%s'", cut, err);
		assert_int_equal(out.len, 0);
	}
	assert_non_null(strstr(err, "truncated check value"));
	/* header faults: method, window, check bits, preset dictionary */
	z.data[0] = 0x77;
	expect_refused(&z, n, "unknown compression method");
	z.data[0] = (char)0x88;
	expect_refused(&z, n, "invalid window size");
	z.data[0] = 0x78;
	z.data[1] ^= 1;
	expect_refused(&z, n, "incorrect header check");
	z.data[1] = (char)(0xbb);	/* 0x78bb: FDICT set, check good */
	expect_refused(&z, n, "preset dictionary");
	buf_release(&z);
	buf_release(&out);
	free(text);
}

/* blob_unpack: every way a stored row can lie, and the good rows. */
static void test_unpack(void **state)
{
	const char text[] = "Rss:   4 kB\n";
	size_t n = sizeof(text) - 1;
	struct buf z = BUF_INIT(1 << 20), out = BUF_INIT(1 << 20);
	struct blob_hash h, other;
	struct blob_stored b;
	char err[160];
	static const struct {
		int64_t raw;
		const char *codec, *cause;
		int hash_len;
	} rows[] = {
		{ 12, "zlib", NULL, 16 },
		{ 13, "zlib", "not the 13 stored", 16 },
		{ 11, "zlib", "not the 11 stored", 16 },
		{ 0, "zlib", "past its stored size", 16 },
		{ -1, "zlib", "absurd size", 16 },
		{ (int64_t)BLOB_MAX_RAW + 1, "zlib", "absurd size", 16 },
		{ 12, NULL, "no valid codec", 16 },
		{ 12, "zlib", "no valid codec or hash", 15 },
		{ 12, "lz4", "unknown codec 'lz4'", 16 },
	};
	size_t i;

	(void)state;
	blob_hash(text, n, &h);
	blob_hash("other", 5, &other);
	assert_int_equal(blob_deflate(NULL, text, n, 3, &z), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		b = stored(&z, rows[i].raw, &h);
		b.codec = rows[i].codec;
		b.hash_len = (size_t)rows[i].hash_len;
		buf_reset(&out);
		buf_addstr(&out, "a:");
		err[0] = '\0';
		print_message("unpack row %zu\n", i);
		if (!rows[i].cause) {
			assert_int_equal(blob_unpack(&b, &out, err,
						     sizeof(err)), 0);
			assert_string_equal(out.data, "a:Rss:   4 kB\n");
			continue;
		}
		assert_int_equal(blob_unpack(&b, &out, err, sizeof(err)), -1);
		if (!strstr(err, rows[i].cause))
			fail_msg("row %zu: '%s' lacks '%s'", i, err,
				 rows[i].cause);
		assert_string_equal(out.data, "a:");
	}
	/* the right size, a good stream, another text's hash */
	b = stored(&z, (int64_t)n, &other);
	buf_reset(&out);
	assert_int_equal(blob_unpack(&b, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "does not match its hash");
	assert_int_equal(out.len, 0);
	/* codec "raw": the text as it is, its size and hash checked */
	b = (struct blob_stored){ (int64_t)n, "raw", text, n, h.b,
				  BLOB_HASH_LEN };
	assert_int_equal(blob_unpack(&b, &out, err, sizeof(err)), 0);
	assert_string_equal(out.data, text);
	buf_reset(&out);
	b.raw_size = (int64_t)n + 1;
	assert_int_equal(blob_unpack(&b, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "stores 12 bytes, not 13"));
	b.raw_size = 5;
	b.n = 5;
	assert_int_equal(blob_unpack(&b, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "does not match its hash");
	assert_int_equal(out.len, 0);
	buf_release(&z);
	buf_release(&out);
}

/* A text packed in pieces: the same zlib stream content and hash as
 * the whole text gives, at every level, whatever the pieces. */
static void test_stream(void **state)
{
	static const int levels[] = { 0, 1, 4, 9, 12 };
	static const size_t pieces[] = { 1, 100, 65536, 1 << 20 };
	struct buf z = BUF_INIT(BLOB_MAX_RAW), out = BUF_INIT(BLOB_MAX_RAW);
	struct blob_hash want, got;
	struct blob_stream bs = { NULL, { NULL }, 0 };
	size_t n, i, j, off, k;
	char *one = smaps_like(&n), *text, err[160];
	int l;

	(void)state;
	text = malloc(200 * n);
	for (i = 0; i < 200; i++)	/* 1.2 MB: more than one piece */
		memcpy(text + i * n, one, n);
	n *= 200;
	blob_hash(text, n, &want);
	for (l = 0; l < 5; l++) {
		for (j = 0; j < 4; j++) {
			if (pieces[j] == 1 && levels[l] > 1)
				continue;	/* slow, and no different */
			buf_reset(&z);
			assert_int_equal(blob_stream_start(&bs, levels[l]), 0);
			for (off = 0; off < n; off += k) {
				k = n - off < pieces[j] ? n - off : pieces[j];
				assert_int_equal(blob_stream_add(&bs, text + off,
								 k, &z), 0);
			}
			assert_int_equal(blob_stream_end(&bs, &z, &got), 0);
			assert_int_equal(bs.raw, n);
			blob_stream_release(&bs);
			assert_memory_equal(got.b, want.b, BLOB_HASH_LEN);
			buf_reset(&out);
			assert_int_equal(blob_inflate(z.data, z.len, n, &out, err,
						      sizeof(err)), 0);
			assert_memory_equal(out.data, text, n);
			if (levels[l])
				assert_true(z.len < n / 20);
		}
	}
	assert_int_equal(blob_stream_start(&bs, 13), -1);
	blob_stream_release(&bs);
	blob_stream_release(&bs);	/* twice: a no-op */
	free(text);
	free(one);
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
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_unpack),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
