/* blob.c - XXH3-128 content hashes, deflate into the zlib format, and an
 * inflate with a cap, so a stored blob can neither lie about its size nor
 * bomb the reader. */
#include "blob.h"
#include "util.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zlib.h>

/* The zlib format around the deflate data (RFC 1950). */
#define ZLIB_HEADER 2
#define ZLIB_TRAILER 4

/* XXH3-128 as stored: big-endian, the high 64 bits first. */
static void hash_bytes(XXH128_hash_t h, struct blob_hash *out)
{
	int i;

	for (i = 0; i < 8; i++) {
		out->b[i] = (uint8_t)(h.high64 >> (56 - 8 * i));
		out->b[8 + i] = (uint8_t)(h.low64 >> (56 - 8 * i));
	}
}

void blob_hash(const void *p, size_t n, struct blob_hash *out)
{
	hash_bytes(XXH3_128bits(p, n), out);
}

int blob_hasher_start(struct blob_hasher *h)
{
	if (!h->xs && !(h->xs = XXH3_createState()))
		return -1;
	return XXH3_128bits_reset(h->xs) == XXH_OK ? 0 : -1;
}

void blob_hasher_add(struct blob_hasher *h, const void *p, size_t n)
{
	XXH3_128bits_update(h->xs, p, n);
}

void blob_hasher_end(struct blob_hasher *h, struct blob_hash *out)
{
	hash_bytes(XXH3_128bits_digest(h->xs), out);
}

void blob_hasher_release(struct blob_hasher *h)
{
	if (h->xs)
		XXH3_freeState(h->xs);
	h->xs = NULL;
}

void blob_hash_hex(const struct blob_hash *h, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < BLOB_HASH_LEN; i++) {
		out[2 * i] = hex[h->b[i] >> 4];
		out[2 * i + 1] = hex[h->b[i] & 15];
	}
	out[32] = '\0';
}

/*
 * Texts are compressed by libdeflate, into the zlib format (RFC 1950) any
 * zlib reads. It compresses a text already whole in memory in one call,
 * in less time than zlib's deflate takes for the same size; at level 1, the
 * cheap modes', in two thirds of the time for 9% less (bench/README.md).
 * A compressor's tables are set up once per deflater.
 */
int blob_deflater_init(struct blob_deflater *d, int level)
{
	d->c = libdeflate_alloc_compressor(level);
	if (!d->c)
		return error("cannot compress at level %d: %s", level,
			     level < BLOB_LEVEL_MIN || level > BLOB_LEVEL_MAX
			     ? "no such level" : "out of memory");
	return 0;
}

void blob_deflater_release(struct blob_deflater *d)
{
	if (d->c)
		libdeflate_free_compressor(d->c);
	d->c = NULL;
}

int blob_deflate(struct blob_deflater *d, const void *p, size_t n, int level,
		 struct buf *out)
{
	struct blob_deflater own = { NULL };
	size_t bound, got;

	if (n > BLOB_MAX_RAW)
		return error("cannot store a text of %zu bytes (limit %zu)",
			     n, BLOB_MAX_RAW);
	if (!d) {
		if (blob_deflater_init(&own, level) < 0)
			return -1;
		d = &own;
	}
	bound = libdeflate_zlib_compress_bound(d->c, n);
	if (buf_grow(out, bound) < 0) {
		blob_deflater_release(&own);
		return error("cannot compress %zu bytes: buffer limit", n);
	}
	/* 0 only if the bound were wrong: never, but not trusted blindly */
	got = libdeflate_zlib_compress(d->c, p, n, out->data + out->len, bound);
	blob_deflater_release(&own);
	if (!got)
		return error("cannot compress %zu bytes: no room", n);
	out->len += got;
	out->data[out->len] = '\0';
	return 0;
}

/* zlib's level for libdeflate's: the same up to 3, then one below
 * (zlib 3 against libdeflate 4 on the bench's smaps: 22 x and 23 x, in
 * about the same time), 9 at most. */
static int zlib_level(int level)
{
	return level <= 3 ? level : level - 1 > 9 ? 9 : level - 1;
}

int blob_stream_start(struct blob_stream *s, int level)
{
	z_stream *zs = xmalloc(sizeof(*zs));

	memset(zs, 0, sizeof(*zs));
	s->raw = 0;
	s->zs = NULL;
	if (level < BLOB_LEVEL_MIN || level > BLOB_LEVEL_MAX ||
	    blob_hasher_start(&s->h) < 0 ||
	    deflateInit(zs, zlib_level(level)) != Z_OK) {
		free(zs);
		return error("cannot compress at level %d", level);
	}
	s->zs = zs;
	return 0;
}

/* Deflate what zs holds into out, growing it, with `flush`. 0 or -1. */
static int stream_out(z_stream *zs, struct buf *out, int flush)
{
	int rc;

	do {
		if (buf_grow(out, 65536) < 0)
			return error("cannot compress: buffer limit");
		zs->next_out = (Bytef *)out->data + out->len;
		zs->avail_out = (uInt)(out->alloc - out->len - 1);
		rc = deflate(zs, flush);
		out->len = out->alloc - 1 - zs->avail_out;
		out->data[out->len] = '\0';
		if (rc == Z_STREAM_ERROR)
			return error("cannot compress: %s", zs->msg ? zs->msg
				     : "zlib failed");
	} while (zs->avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

int blob_stream_add(struct blob_stream *s, const void *p, size_t n,
		    struct buf *out)
{
	z_stream *zs = s->zs;
	const unsigned char *q = p;

	if (n > BLOB_MAX_RAW - s->raw)
		return error("cannot store a text of over %zu bytes",
			     BLOB_MAX_RAW);
	blob_hasher_add(&s->h, p, n);
	s->raw += n;
	while (n) {
		uInt take = n > UINT32_MAX ? UINT32_MAX : (uInt)n;

		zs->next_in = (Bytef *)q;
		zs->avail_in = take;
		if (stream_out(zs, out, Z_NO_FLUSH) < 0)
			return -1;
		q += take;
		n -= take;
	}
	return 0;
}

int blob_stream_end(struct blob_stream *s, struct buf *out,
		    struct blob_hash *h)
{
	((z_stream *)s->zs)->avail_in = 0;
	if (stream_out(s->zs, out, Z_FINISH) < 0)
		return -1;
	blob_hasher_end(&s->h, h);
	return 0;
}

void blob_stream_release(struct blob_stream *s)
{
	if (s->zs) {
		deflateEnd(s->zs);
		free(s->zs);
	}
	blob_hasher_release(&s->h);
	s->zs = NULL;
}

/*
 * The 2-byte zlib header (RFC 1950) at p: deflate, a window zlib can
 * take, the header check, no preset dictionary (deflate never sets one).
 * NULL when good, else why not, in zlib's words.
 */
static const char *zlib_header_fault(const unsigned char *p)
{
	if ((p[0] & 0x0f) != Z_DEFLATED)
		return "unknown compression method";
	if ((p[0] >> 4) > 7)
		return "invalid window size";
	if ((p[0] << 8 | p[1]) % 31 != 0)
		return "incorrect header check";
	if (p[1] & 0x20)
		return "needs a preset dictionary";
	return NULL;
}

/*
 * Why the inflate of a blob into room for raw_size bytes and one more
 * failed, for err. Only on failure, by zlib: it stops where the input
 * ends and names each fault, where libdeflate reads a cut stream on
 * as zeros and says "bad data" of every fault.
 */
static void inflate_fault(const unsigned char *z, size_t n, size_t raw_size,
			  char *out, char *err, size_t errlen)
{
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (n > UINT32_MAX || raw_size >= UINT32_MAX ||
	    inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "is corrupt: invalid deflate data");
		return;
	}
	zs.next_in = (Bytef *)z + ZLIB_HEADER;
	zs.avail_in = (uInt)(n - ZLIB_HEADER);
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)raw_size + 1;
	rc = inflate(&zs, Z_FINISH);
	if (rc == Z_STREAM_END && zs.total_out != raw_size)
		snprintf(err, errlen, "inflates to %lu bytes, not the %zu stored",
			 zs.total_out, raw_size);
	else if (rc == Z_STREAM_END && zs.avail_in > ZLIB_TRAILER)
		snprintf(err, errlen, "has trailing bytes after the data");
	else if (rc == Z_STREAM_END && zs.avail_in < ZLIB_TRAILER)
		snprintf(err, errlen, "is corrupt: truncated check value");
	else if (rc == Z_BUF_ERROR && zs.avail_out == 0)
		snprintf(err, errlen, "inflates past its stored size of %zu",
			 raw_size);
	else if (rc == Z_BUF_ERROR)
		snprintf(err, errlen, "is corrupt: truncated data");
	else if (rc != Z_STREAM_END)
		snprintf(err, errlen, "is corrupt: %s",
			 zs.msg ? zs.msg : zError(rc));
	else	/* zlib takes what libdeflate did not: never seen */
		snprintf(err, errlen, "is corrupt: invalid deflate data");
	inflateEnd(&zs);
}

/*
 * The stored stream is zlib's format, but it is inflated here as raw
 * deflate past the 2-byte header by libdeflate (half zlib's time on our
 * texts: bench/README.md), into room for raw_size bytes and one more (the
 * NUL's), so a bomb stops there and a text one byte too long is told
 * apart. The Adler-32 in the 4-byte trailer is not computed: every reader
 * checks the text's XXH3-128 hash, which catches all that the Adler-32
 * would, and zlib's adler32 was 13% of `libs` (bench/README.md).
 */
int blob_inflate(const void *p, size_t n, size_t raw_size, struct buf *out,
		 char *err, size_t errlen)
{
	const unsigned char *z = p;
	struct libdeflate_decompressor *d;
	enum libdeflate_result rc;
	size_t in = 0, got = 0;
	const char *bad;

	if (raw_size > BLOB_MAX_RAW) {
		snprintf(err, errlen, "claims %zu bytes, over the %zu limit",
			 raw_size, BLOB_MAX_RAW);
		return -1;
	}
	if (n < ZLIB_HEADER + ZLIB_TRAILER) {
		snprintf(err, errlen, "is corrupt: %zu bytes are too short for"
			 " zlib", n);
		return -1;
	}
	if ((bad = zlib_header_fault(z))) {
		snprintf(err, errlen, "is corrupt: %s", bad);
		return -1;
	}
	if (buf_grow(out, raw_size) < 0) {
		snprintf(err, errlen, "%zu bytes do not fit the buffer limit",
			 raw_size);
		return -1;
	}
	/* a few kB, no tables built until a block needs them: per call */
	if (!(d = libdeflate_alloc_decompressor())) {
		snprintf(err, errlen, "cannot be inflated: out of memory");
		return -1;
	}
	rc = libdeflate_deflate_decompress_ex(d, z + ZLIB_HEADER, n - ZLIB_HEADER,
					      out->data + out->len, raw_size + 1,
					      &in, &got);
	libdeflate_free_decompressor(d);
	if (rc == LIBDEFLATE_SUCCESS && got == raw_size &&
	    n - ZLIB_HEADER - in == ZLIB_TRAILER) {
		out->len += raw_size;
		out->data[out->len] = '\0';
		return 0;
	}
	inflate_fault(z, n, raw_size, out->data + out->len, err, errlen);
	out->data[out->len] = '\0';
	return -1;
}

void blob_copy_init(struct blob_copy *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->data, BLOB_MAX_RAW);
}

void blob_copy_release(struct blob_copy *c)
{
	buf_release(&c->data);
}

int blob_copy_set(struct blob_copy *c, const struct blob_stored *b)
{
	c->raw_size = b->raw_size;
	c->has_codec = b->codec != NULL;
	snprintf(c->codec, sizeof(c->codec), "%s", b->codec ? b->codec : "");
	c->has_hash = b->hash != NULL;
	c->hash_len = b->hash && b->hash_len <= BLOB_HASH_LEN ? b->hash_len : 0;
	if (c->hash_len)
		memcpy(c->hash, b->hash, c->hash_len);
	else if (b->hash)	/* too long: blob_unpack refuses any but 16 */
		c->hash_len = BLOB_HASH_LEN + 1;
	buf_reset(&c->data);
	return buf_add(&c->data, b->data, b->n);
}

struct blob_stored blob_copy_view(const struct blob_copy *c)
{
	struct blob_stored b = {
		c->raw_size, c->has_codec ? c->codec : NULL,
		c->data.data ? c->data.data : "", c->data.len,
		c->has_hash ? c->hash : NULL, c->hash_len,
	};

	return b;
}

int blob_unpack(const struct blob_stored *b, struct buf *out, char *err,
		size_t errlen)
{
	size_t start = out->len;
	struct blob_hash h;

	if (b->raw_size < 0 || (uint64_t)b->raw_size > BLOB_MAX_RAW) {
		snprintf(err, errlen, "claims an absurd size (%lld bytes)",
			 (long long)b->raw_size);
		return -1;
	}
	if (!b->codec || !b->hash || b->hash_len != BLOB_HASH_LEN) {
		snprintf(err, errlen, "has no valid codec or hash");
		return -1;
	}
	if (!strcmp(b->codec, "raw")) {
		if (b->n != (size_t)b->raw_size ||
		    buf_add(out, b->data, b->n) < 0) {
			snprintf(err, errlen, "stores %zu bytes, not %lld",
				 b->n, (long long)b->raw_size);
			return -1;
		}
	} else if (!strcmp(b->codec, "zlib")) {
		if (blob_inflate(b->data, b->n, (size_t)b->raw_size, out, err,
				 errlen) < 0)
			return -1;
	} else {
		snprintf(err, errlen, "has unknown codec '%.32s'", b->codec);
		return -1;
	}
	blob_hash(out->data + start, out->len - start, &h);
	if (memcmp(h.b, b->hash, BLOB_HASH_LEN) != 0) {
		out->len = start;
		out->data[start] = '\0';
		snprintf(err, errlen, "does not match its hash");
		return -1;
	}
	return 0;
}
