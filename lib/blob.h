/* blob.h - the blob codec: a content hash (XXH3-128) of the raw text, and
 * compression in the zlib format (RFC 1950), by libdeflate, with an
 * inflate (libdeflate's too) that refuses to grow past a limit.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/ (the Makefile builds
 * it without their headers). */
#ifndef MAPSNAP_BLOB_H
#define MAPSNAP_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct libdeflate_compressor;

#define BLOB_HASH_LEN 16
/* No stored text may claim more than this (smaps of a process with a
 * million mappings is ~1 GiB; anything bigger is a lie or a bomb). */
#define BLOB_MAX_RAW ((size_t)1 << 30)

struct blob_hash {
	uint8_t b[BLOB_HASH_LEN];
};

/* XXH3-128 of (p, n), stored big-endian (high 64 bits first). */
void blob_hash(const void *p, size_t n, struct blob_hash *out);
/* 32 lowercase hex digits and a NUL into out (33 bytes). */
void blob_hash_hex(const struct blob_hash *h, char out[33]);

/* Compression levels, libdeflate's: 0 stores, 1 is fastest, 12 smallest. */
#define BLOB_LEVEL_MIN 0
#define BLOB_LEVEL_MAX 12

/*
 * A compressor kept across blobs: its tables (hundreds of kB at the
 * middle levels) are set up once, not once per text. One thread's.
 */
struct blob_deflater {
	struct libdeflate_compressor *c;	/* NULL until set up */
};

/* Level BLOB_LEVEL_MIN..MAX. 0, or -1 (printed); blob_deflater_release()
 * is safe after a failure. */
int blob_deflater_init(struct blob_deflater *d, int level);
void blob_deflater_release(struct blob_deflater *d);

/*
 * Compress (p, n) and append it to out. A NULL deflater compresses at
 * `level` with a state of its own. Returns 0, or -1 (printed).
 */
int blob_deflate(struct blob_deflater *d, const void *p, size_t n, int level,
		 struct buf *out);

/* XXH3-128 of a text fed piece by piece: what blob_hash gives for the
 * whole. blob_hasher_start: 0, or -1 (out of memory; nothing printed). */
struct blob_hasher {
	void *xs;		/* XXH3's state; NULL: not started */
};

int blob_hasher_start(struct blob_hasher *h);
void blob_hasher_add(struct blob_hasher *h, const void *p, size_t n);
/* The hash of all that was added; h must be started again for more. */
void blob_hasher_end(struct blob_hasher *h, struct blob_hash *out);
void blob_hasher_release(struct blob_hasher *h);

/*
 * A text compressed and hashed as it is read, for a text too long to
 * hold whole: zlib's streaming deflate (libdeflate compresses whole
 * buffers only), at the zlib level that matches libdeflate's `level` in
 * time and size on smaps text (one below it from 4 on), into the same
 * zlib format; and XXH3-128 fed piece by piece, equal to blob_hash of
 * the whole. One thread's.
 */
struct blob_stream {
	void *zs;		/* zlib's z_stream; NULL: not started */
	struct blob_hasher h;
	size_t raw;		/* bytes added */
};

/* Start s at `level` (BLOB_LEVEL_MIN..MAX). 0, or -1 (printed);
 * blob_stream_release is safe after a failure. */
int blob_stream_start(struct blob_stream *s, int level);
/* Add (p, n) of the text; what deflate makes of it is appended to out.
 * 0, or -1 (printed: out is full, or the text passes BLOB_MAX_RAW). */
int blob_stream_add(struct blob_stream *s, const void *p, size_t n,
		    struct buf *out);
/* The end of the text: the rest of the stream to out, the hash to *h.
 * 0, or -1 (printed). */
int blob_stream_end(struct blob_stream *s, struct buf *out,
		    struct blob_hash *h);
void blob_stream_release(struct blob_stream *s);

/*
 * Inflate the zlib stream (p, n), which must expand to exactly `raw_size`
 * bytes (at most BLOB_MAX_RAW), and append the result to out. A bad
 * header, data that does not inflate, a size other than raw_size, a
 * missing or extra trailer returns -1 with a cause in err (no message
 * printed: the caller names the blob). The zlib trailer's Adler-32 is
 * NOT checked: the caller must check the text's hash (store_blob_get
 * and blob_unpack do), which is what finds damage that still inflates.
 */
int blob_inflate(const void *p, size_t n, size_t raw_size, struct buf *out,
		 char *err, size_t errlen);

/* A blob as the store keeps it: the columns of one row of `blobs`. */
struct blob_stored {
	int64_t raw_size;	/* the text's length */
	const char *codec;	/* "zlib" or "raw"; NULL: missing */
	const void *data;
	size_t n;
	const void *hash;	/* XXH3-128 of the text; NULL: missing */
	size_t hash_len;
};

/*
 * A copy of a blob's row that outlives the statement it was read from,
 * to decode it in another thread. The codec is kept to 39 bytes, which
 * decodes and reads in every message as the whole would.
 */
struct blob_copy {
	int64_t raw_size;
	int has_codec, has_hash;
	char codec[40];
	unsigned char hash[BLOB_HASH_LEN];
	size_t hash_len;	/* BLOB_HASH_LEN + 1 for any longer hash */
	struct buf data;
};

void blob_copy_init(struct blob_copy *c);
void blob_copy_release(struct blob_copy *c);
/* Copy b into c: 0, or -1 when its data passes the buffer's cap (then c
 * holds no data). */
int blob_copy_set(struct blob_copy *c, const struct blob_stored *b);
/* The row c holds, for blob_unpack; valid while c is. */
struct blob_stored blob_copy_view(const struct blob_copy *c);

/*
 * Decode b and append its text to out, checking all that store_blob_get
 * checks (size, codec, inflate, hash): for a reader that fetched the row
 * itself and decodes it elsewhere, in a worker thread. 0, or -1 with out
 * as it was and a cause in err that reads after "blob N " ("does not
 * match its hash"); nothing printed.
 */
int blob_unpack(const struct blob_stored *b, struct buf *out, char *err,
		size_t errlen);

#endif
