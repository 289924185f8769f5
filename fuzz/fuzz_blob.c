/* fuzz_blob.c - fuzz target: the blob decoder (blob_inflate, blob_unpack)
 * against zlib's own inflate, and deflate-then-unpack round trips. */
#include "blob.h"
#include "fuzz.h"
#include "util.h"

#include <string.h>
#include <zlib.h>

/*
 * Input layout. Byte 0 even: a stored row, byte 1 the codec (bits 0-1:
 * zlib, raw, an unknown one, NULL), the hash (bits 2-3: right, one bit
 * off, NULL, too short) and how raw_size is given (bit 4: bytes 2-9 as a
 * little-endian int64; else the size zlib inflates to plus byte 2 as a
 * signed delta), the blob's data from byte 10. Byte 0 odd: a round trip,
 * byte 1 the level (bits 0-3, % 13) and whether a kept deflater is used
 * (bit 4), the raw text from byte 2.
 */
#define HDR 10
#define PREFIX "old"	/* what out held before: a failure must keep it */
#define REF_CAP ((size_t)64 << 20)

/* What zlib itself makes of a zlib stream, trailer checked. */
struct ref {
	struct buf out;
	int complete;	/* all the data came out (Adler-32 right or not) */
	int adler_ok;
	size_t left;	/* input bytes after the stream */
};

static void ref_inflate(const uint8_t *p, size_t n, struct ref *r)
{
	z_stream zs;
	int rc = Z_OK;

	memset(r, 0, sizeof(*r));
	buf_init(&r->out, REF_CAP);
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		abort();
	zs.next_in = (Bytef *)p;
	zs.avail_in = (uInt)n;
	while (rc == Z_OK) {
		if (buf_grow(&r->out, 4096) < 0)
			break;
		zs.next_out = (Bytef *)r->out.data + r->out.len;
		zs.avail_out = (uInt)(r->out.alloc - r->out.len - 1);
		rc = inflate(&zs, Z_NO_FLUSH);
		r->out.len = zs.total_out;
		if (rc == Z_BUF_ERROR && zs.avail_in == 0)
			break;		/* the input ends inside the stream */
		if (rc == Z_BUF_ERROR)
			rc = Z_OK;	/* output was full: grow and go on */
	}
	r->adler_ok = rc == Z_STREAM_END;
	r->complete = r->adler_ok || (rc == Z_DATA_ERROR && zs.msg &&
				      !strcmp(zs.msg, "incorrect data check"));
	r->left = zs.avail_in;
	inflateEnd(&zs);
}

static void check_err(const char *err)
{
	FUZZ_CHECK(err[0] != '\0');
	for (; *err; err++)
		FUZZ_CHECK(*err >= 0x20 && *err < 0x7f);
}

/* out holds PREFIX and then, after a success, `add` bytes. */
static void check_out(const struct buf *out, size_t add)
{
	FUZZ_CHECK(out->len == strlen(PREFIX) + add);
	FUZZ_CHECK(!memcmp(out->data, PREFIX, strlen(PREFIX)));
	FUZZ_CHECK(out->data[out->len] == '\0');
}

static void stored(const uint8_t *data, size_t size)
{
	static const char *const codecs[] = { "zlib", "raw", "lz4", NULL };
	const uint8_t *z = data + HDR;
	size_t n = size - HDR;
	struct buf out = BUF_INIT(BLOB_MAX_RAW);
	struct blob_stored b;
	struct blob_hash h;
	struct ref ref;
	int64_t raw_size;
	int codec = data[1] & 3, hash = data[1] >> 2 & 3, r, want;
	char err[200];

	ref_inflate(z, n, &ref);
	if (data[1] & 16) {
		uint64_t u = 0;
		int i;

		for (i = 7; i >= 0; i--)
			u = u << 8 | data[2 + i];
		raw_size = (int64_t)u;
	} else {
		raw_size = (int64_t)(codec == 1 ? n : ref.out.len) +
			   (int8_t)data[2];
	}
	/* blob_inflate alone: it must agree with zlib */
	if (raw_size >= 0 && (uint64_t)raw_size <= BLOB_MAX_RAW) {
		buf_addstr(&out, PREFIX);
		err[0] = '\0';
		r = blob_inflate(z, n, (size_t)raw_size, &out, err, sizeof(err));
		FUZZ_CHECK(r == 0 || r == -1);
		want = ref.complete && ref.left == 0 &&
		       ref.out.len == (size_t)raw_size;
		FUZZ_CHECK(r == (want ? 0 : -1));
		if (r == 0) {
			check_out(&out, (size_t)raw_size);
			FUZZ_CHECK(!memcmp(out.data + strlen(PREFIX), ref.out.data,
					   ref.out.len));
		} else {
			check_out(&out, 0);
			check_err(err);
		}
		buf_release(&out);
	}
	/* the whole row, as the analyzer decodes it */
	if (codec == 1)
		blob_hash(z, n, &h);
	else
		blob_hash(ref.out.data, ref.out.len, &h);
	if (hash == 1)
		h.b[data[3] & 15] ^= (uint8_t)(1u << (data[3] >> 4 & 7));
	b.raw_size = raw_size;
	b.codec = codecs[codec];
	b.data = z;
	b.n = n;
	b.hash = hash == 2 ? NULL : h.b;
	b.hash_len = hash == 3 ? 8 : BLOB_HASH_LEN;
	buf_addstr(&out, PREFIX);
	err[0] = '\0';
	r = blob_unpack(&b, &out, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -1);
	if (hash == 0 && raw_size >= 0) {
		if (codec == 1)
			want = (size_t)raw_size == n;
		else if (codec == 0)
			want = ref.complete && ref.left == 0 &&
			       ref.out.len == (size_t)raw_size;
		else
			want = 0;
		FUZZ_CHECK(r == (want ? 0 : -1));
	} else {
		FUZZ_CHECK(r == -1);
	}
	if (r == 0) {
		check_out(&out, (size_t)raw_size);
		FUZZ_CHECK(!memcmp(out.data + strlen(PREFIX),
				   codec == 1 ? (const void *)z : ref.out.data,
				   (size_t)raw_size));
	} else {
		check_out(&out, 0);
		check_err(err);
	}
	buf_release(&out);
	buf_release(&ref.out);
}

/* The raw text deflated, at the level given, then read back every way. */
static void round_trip(const uint8_t *data, size_t size)
{
	static struct blob_deflater kept[BLOB_LEVEL_MAX + 1];
	const uint8_t *text = data + 2;
	size_t n = size - 2;
	int level = (data[1] & 15) % (BLOB_LEVEL_MAX + 1);
	struct blob_deflater *d = NULL;
	struct buf z = BUF_INIT(BLOB_MAX_RAW), out = BUF_INIT(BLOB_MAX_RAW);
	struct blob_stored b;
	struct blob_hash h;
	struct ref ref;
	char err[200];

	if (data[1] & 16) {
		d = &kept[level];
		if (!d->c && blob_deflater_init(d, level) < 0)
			abort();
	}
	FUZZ_CHECK(blob_deflate(d, text, n, level, &z) == 0);
	/* a zlib stream any reader takes, Adler-32 and all */
	ref_inflate((const uint8_t *)z.data, z.len, &ref);
	FUZZ_CHECK(ref.adler_ok && ref.left == 0 && ref.out.len == n &&
		   !memcmp(ref.out.data, text, n));
	buf_release(&ref.out);

	buf_addstr(&out, PREFIX);
	FUZZ_CHECK(blob_inflate(z.data, z.len, n, &out, err, sizeof(err)) == 0);
	check_out(&out, n);
	FUZZ_CHECK(!memcmp(out.data + strlen(PREFIX), text, n));
	buf_reset(&out);

	buf_addstr(&out, PREFIX);
	FUZZ_CHECK(blob_inflate(z.data, z.len, n + 1, &out, err, sizeof(err)) < 0);
	check_out(&out, 0);
	if (n > 0)
		FUZZ_CHECK(blob_inflate(z.data, z.len, n - 1, &out, err,
					sizeof(err)) < 0);
	FUZZ_CHECK(blob_inflate(z.data, z.len - 1, n, &out, err, sizeof(err)) < 0);
	check_out(&out, 0);
	check_err(err);

	blob_hash(text, n, &h);
	b.raw_size = (int64_t)n;
	b.codec = "zlib";
	b.data = z.data;
	b.n = z.len;
	b.hash = h.b;
	b.hash_len = BLOB_HASH_LEN;
	FUZZ_CHECK(blob_unpack(&b, &out, err, sizeof(err)) == 0);
	check_out(&out, n);
	FUZZ_CHECK(!memcmp(out.data + strlen(PREFIX), text, n));

	/* a byte more after the stream is damage, not a blob */
	buf_addch(&z, 0);
	buf_reset(&out);
	buf_addstr(&out, PREFIX);
	b.n = z.len;
	FUZZ_CHECK(blob_unpack(&b, &out, err, sizeof(err)) < 0);
	check_out(&out, 0);
	buf_release(&out);
	buf_release(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= HDR && !(data[0] & 1))
		stored(data, size);
	else if (size >= 2 && data[0] & 1)
		round_trip(data, size);
	return 0;
}
