/* buf.c - the growable, capped byte buffer of buf.h.
 * Growth doubles, never past the cap, and failure leaves the buffer whole. */
#include "buf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->cap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int buf_grow(struct buf *b, size_t extra)
{
	size_t need, n;

	if (extra > b->cap || b->len > b->cap - extra) {
		errno = EFBIG;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	if (n > b->cap + 1)
		n = b->cap + 1;
	b->data = xreallocarray(b->data, n, 1);
	b->alloc = n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *r = b->data ? b->data : xstrdup("");

	if (len)
		*len = b->len;
	buf_init(b, b->cap);
	return r;
}

void buf_drop(struct buf *b, size_t n)
{
	if (n > b->len)
		n = b->len;
	if (!n)
		return;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

int buf_read_fd(struct buf *b, int fd, size_t chunk)
{
	return buf_read_fd_drain(b, fd, chunk, SIZE_MAX, NULL, NULL);
}

int buf_read_fd_drain(struct buf *b, int fd, size_t chunk, size_t high,
		      int (*drain)(void *arg, struct buf *b), void *arg)
{
	for (;;) {
		size_t room;
		ssize_t n;

		/* room for a full chunk, or whatever the cap still allows */
		if (b->alloc - (b->data ? b->len + 1 : 0) < chunk &&
		    buf_grow(b, chunk) < 0 && buf_grow(b, b->cap - b->len) < 0)
			return -1;
		room = b->alloc - b->len - 1;
		if (room == 0) {
			char c;

			/* full to the cap: fine only if nothing is left */
			n = read(fd, &c, 1);
			if (n == 0)
				return 0;
			if (n > 0)
				errno = EFBIG;
			return -1;
		}
		n = read(fd, b->data + b->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len >= high && drain(arg, b) < 0)
			return -1;
	}
}

int buf_read_file(struct buf *b, const char *path, size_t chunk)
{
	return buf_read_file_drain(b, path, chunk, SIZE_MAX, NULL, NULL);
}

int buf_read_file_drain(struct buf *b, const char *path, size_t chunk,
			size_t high, int (*drain)(void *arg, struct buf *b),
			void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r, saved;

	if (fd < 0)
		return -1;
	r = buf_read_fd_drain(b, fd, chunk, high, drain, arg);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}
