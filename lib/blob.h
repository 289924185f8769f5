/* blob.h - the blob codec: a content hash (XXH3-128) of the raw text, and
 * zlib compression with an inflate that refuses to grow past a limit. */
#ifndef MAPSNAP_BLOB_H
#define MAPSNAP_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

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

/*
 * A deflate state kept across blobs: zlib's ~270 kB of tables are set up
 * once, not once per text (deflateReset between blobs).
 */
struct blob_deflater {
	void *zs;	/* z_stream, opaque to callers */
	int level;
};

/* 0, or -1 (printed). blob_deflater_release() is safe after a failure. */
int blob_deflater_init(struct blob_deflater *d, int level);
void blob_deflater_release(struct blob_deflater *d);

/*
 * Compress (p, n) and append it to out. A NULL deflater compresses at
 * `level` with a state of its own. Returns 0, or -1 (printed).
 */
int blob_deflate(struct blob_deflater *d, const void *p, size_t n, int level,
		 struct buf *out);

/*
 * Inflate (p, n), which must expand to exactly `raw_size` bytes (at most
 * BLOB_MAX_RAW), and append the result to out. Corrupt data, a size
 * other than raw_size, or trailing garbage returns -1 with a cause in
 * err (no message printed: the caller names the blob).
 */
int blob_inflate(const void *p, size_t n, size_t raw_size, struct buf *out,
		 char *err, size_t errlen);

#endif
