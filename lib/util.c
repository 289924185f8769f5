/* util.c - messages, checked allocation and number parsing.
 * Every message goes to stderr as "progname: text", lowercase, no full stop. */
#include "util.h"
#include "progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "mapsnap";
int verbosity = 1;

static void __attribute__((format(printf, 2, 0)))
vreport(const char *prefix, const char *fmt, va_list ap)
{
	/* the capture's reader and worker threads both report: one line
	 * whole at a time */
	flockfile(stderr);
	progress_clear();	/* a message never lands after a progress line */
	fprintf(stderr, "%s: %s", progname, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	return -1;
}

void warn(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "try '%s --help'\n", progname);
	return 2;
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 2)
		return;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

static void *check_alloc(void *p, size_t n)
{
	if (!p && n) {
		fprintf(stderr, "%s: out of memory allocating %zu bytes\n",
			progname, n);
		abort();
	}
	return p;
}

void *xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1), n ? n : 1);
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check_alloc(calloc(nmemb ? nmemb : 1, size ? size : 1), 1);
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (size && nmemb > SIZE_MAX / size) {
		fprintf(stderr, "%s: allocation of %zu x %zu bytes overflows\n",
			progname, nmemb, size);
		abort();
	}
	n = nmemb * size;
	return check_alloc(realloc(p, n ? n : 1), 1);
}

char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *xmemdup(const void *p, size_t n)
{
	char *r = xmalloc(n + 1);

	memcpy(r, p, n);
	r[n] = '\0';
	return r;
}

static int digit_value(char c, int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < base ? v : -1;
}

int parse_u64(const char *s, size_t n, int base, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		int d = digit_value(s[i], base);

		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int parse_u64_str(const char *s, uint64_t *out)
{
	return parse_u64(s, strlen(s), 10, out);
}

/* A number followed by at most one unit letter of `units`, each worth
 * the matching entry of `mult` (no letter: 1). -1 on overflow. */
static int parse_scaled(const char *s, const char *units,
			const uint64_t *mult, uint64_t *out)
{
	size_t n = strspn(s, "0123456789");
	const char *u = s[n] ? strchr(units, s[n]) : NULL;
	uint64_t v, m = 1;

	if (s[n] && (!u || s[n + 1]))
		return -1;
	if (u)
		m = mult[u - units];
	if (parse_u64(s, n, 10, &v) < 0 || v > INT64_MAX / m)
		return -1;
	*out = v * m;
	return 0;
}

int parse_duration(const char *s, uint64_t *seconds)
{
	static const uint64_t mult[] = { 1, 60, 3600, 86400, 604800 };

	return parse_scaled(s, "smhdw", mult, seconds);
}

int parse_size(const char *s, uint64_t *bytes)
{
	static const uint64_t mult[] = {
		1, 1 << 10, 1 << 10, 1 << 20, 1 << 20, 1 << 30, 1 << 30,
		(uint64_t)1 << 40, (uint64_t)1 << 40,
	};

	return parse_scaled(s, "BkKmMgGtT", mult, bytes);
}

int close_stdout(void)
{
	int failed = ferror(stdout);

	if (fclose(stdout) != 0 || failed) {
		/* fclose may not set errno when only ferror was set */
		return error("error writing to standard output: %s",
			     errno ? strerror(errno) : "write failed");
	}
	return 0;
}

int fig_add(int64_t *acc, int64_t v)
{
	int64_t r;

	if (__builtin_add_overflow(*acc, v, &r))
		return -1;
	*acc = r;
	return 0;
}

int fig_sub(int64_t *out, int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r) || r == INT64_MIN)
		return -1;
	*out = r;
	return 0;
}

size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	/* a NUL is not a continuation byte: a cut sequence stops there */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}
