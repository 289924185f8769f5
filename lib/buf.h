/* buf.h - a growable byte buffer with a hard size cap, used to read /proc
 * files, inflate blobs and build output.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/ (the Makefile builds
 * it without their headers). */
#ifndef MAPSNAP_BUF_H
#define MAPSNAP_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * `data` is NULL until the first growth, then always NUL-terminated at
 * data[len] (the NUL is not counted in len), so text can be handed to
 * string functions, but binary content may hold NULs too.
 * Growth past `cap` fails (returns -1, errno = EFBIG) and leaves the
 * buffer unchanged: a hostile or runaway input cannot take all memory.
 */
struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
};

#define BUF_INIT(limit) { NULL, 0, 0, (limit) }

void buf_init(struct buf *b, size_t cap);
/* Frees the memory and leaves an empty buffer with the same cap. */
void buf_release(struct buf *b);
/* len = 0, memory kept. */
void buf_reset(struct buf *b);
/* Make room for `extra` more bytes (plus the NUL). 0 or -1 (over cap). */
int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Take ownership of the memory: returns data (never NULL, "" when empty,
 * caller frees) and leaves the buffer empty. */
char *buf_detach(struct buf *b, size_t *len);

/*
 * Append everything readable from fd, in reads of at least `chunk` bytes
 * (a large chunk makes the kernel hand out /proc/PID/smaps in few reads,
 * so the picture is consistent). Returns 0, or -1 with errno set
 * (EFBIG when the cap is reached); nothing is printed.
 */
int buf_read_fd(struct buf *b, int fd, size_t chunk);
/*
 * buf_read_fd for a text too long to hold whole: after each read that
 * leaves b holding `high` bytes or more, drain(arg, b) runs, to use what
 * it can and take it off with buf_drop. Returns 0, or -1 with errno set
 * (drain's -1 stops the read too; it sets errno).
 */
int buf_read_fd_drain(struct buf *b, int fd, size_t chunk, size_t high,
		      int (*drain)(void *arg, struct buf *b), void *arg);
/* Take the first n bytes (at most len) off b, moving the rest up. */
void buf_drop(struct buf *b, size_t n);

/* Open, buf_read_fd, close. Returns 0 or -1 with errno set. */
int buf_read_file(struct buf *b, const char *path, size_t chunk);
/* Open, buf_read_fd_drain, close. Returns 0 or -1 with errno set. */
int buf_read_file_drain(struct buf *b, const char *path, size_t chunk,
			size_t high, int (*drain)(void *arg, struct buf *b),
			void *arg);

#endif
