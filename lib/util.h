/* util.h - messages, checked allocation and number parsing shared by every part.
 * Helpers report once through error()/warn() and return -1; only main exits.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/ (the Makefile builds
 * it without their headers). */
#ifndef MAPSNAP_UTIL_H
#define MAPSNAP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define MAPSNAP_VERSION "0.2.0"

/* Name printed before every message; set once by main(). Never NULL. */
extern const char *progname;
/* 0 = errors only, 1 = normal, 2 = verbose (info() prints). */
extern int verbosity;

/* "progname: <message>\n" on stderr. error() returns -1 so helpers can
 * `return error(...)`. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: the message, then "try 'progname --help'". Returns 2,
 * the exit status for usage errors. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that never returns NULL: on exhaustion it prints and aborts
 * (there is nothing sensible a memory tool can do without memory).
 * xreallocarray() checks nmemb * size for overflow. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n); /* adds a NUL */

/* Parse the whole of (s, n) as an unsigned number in base 10 or 16.
 * Returns 0, or -1 when empty, not all digits, or over UINT64_MAX. */
int parse_u64(const char *s, size_t n, int base, uint64_t *out);
/* Same for a NUL-terminated string (command-line arguments). */
int parse_u64_str(const char *s, uint64_t *out);

/* "90", "90s", "15m", "12h", "7d", "2w" as seconds (--keep-for);
 * "4096", "64k", "500M", "1G", "2T" (K, M, G, T: powers of 1024; B:
 * bytes) as bytes (--max-size). The whole string, digits then at most
 * one unit; 0, or -1 when malformed or past INT64_MAX. */
int parse_duration(const char *s, uint64_t *seconds);
int parse_size(const char *s, uint64_t *bytes);
/*
 * Checked arithmetic on figures, for every sum or difference of figures
 * read from a file (a stranger's file may hold any value): *acc += v, or
 * *out = a - b, exact; or -1, with *acc or *out unchanged, when the
 * result does not fit an int64_t (fig_sub also refuses INT64_MIN, whose
 * absolute value does not fit). Nothing printed: the caller names the
 * column.
 */
int fig_add(int64_t *acc, int64_t v);
int fig_sub(int64_t *out, int64_t a, int64_t b);

/* Length of the well-formed UTF-8 sequence at s, of which `avail` bytes
 * (at least 1) may be read (1 for ASCII, NUL included), its code point in
 * *cp; 0 when the bytes are not one (overlong, surrogate, past U+10FFFF,
 * cut short). A NUL-terminated string may pass SIZE_MAX: a NUL ends a
 * sequence as any byte that does not continue it. */
size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);

/* Close stdout and report a write error (such as ENOSPC on /dev/full).
 * Returns 0 or -1; call once, at the end of main. */
int close_stdout(void);

#endif
