/* pmap_header.c - what pmap 4.0.2 takes from a process besides its maps:
 * the "PID:   command line" line as libproc2 builds it, and from stat. */
#include "pmap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libproc2's MAX_BUFSZ: it reads at most this much cmdline, less one. */
#define CMDLINE_MAX (1024 * 64 * 2)

/* The bytes of a multi-byte UTF-8 character from its first byte, as
 * libproc2 4.0.2 reckons them (continuation bytes are not checked). */
static int utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return -1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return c < 0xf5 ? 4 : -1;
}

/* From a bad byte on: controls become '.', bytes past ASCII '?'. */
static void escape_rest(unsigned char *s)
{
	for (; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			*s = '.';
		else if (*s >= 0x80)
			*s = '?';
	}
}

/* libproc2's escape_str() in a UTF-8 locale, in place: a control
 * character starting a character becomes '?'; a malformed or cut
 * sequence hands the rest of the string to escape_rest(). */
static void escape_str(char *str)
{
	unsigned char *s = (unsigned char *)str;
	size_t len = strlen(str), i = 0;
	int n;

	while (i < len) {
		n = utf8_len(s[i]);
		if (n < 0 || i + (size_t)n > len) {
			escape_rest(s + i);
			return;
		}
		if (s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
		i += (size_t)n;
	}
}

/* "[comm]", and " <defunct>" for a zombie: for an empty cmdline. */
static char *bracketed(const struct pmap_stat *st)
{
	char raw[64];
	size_t n = strlen(st->comm), cap = sizeof(raw) - 1;
	struct buf b = BUF_INIT(256);

	memcpy(raw, st->comm, n < cap ? n : cap);
	raw[n < cap ? n : cap] = '\0';
	escape_str(raw);
	escape_str(raw);
	buf_addf(&b, "[%s]%s", raw, st->state == 'Z' ? " <defunct>" : "");
	return buf_detach(&b, NULL);
}

char *pmap_cmdline(const char *cmdline, size_t len, const struct pmap_stat *st)
{
	size_t n = len >= CMDLINE_MAX ? CMDLINE_MAX - 1 : len, i = n;
	char *s;

	if (!n)
		return bracketed(st);
	s = xmemdup(cmdline, n);
	while (i && s[i - 1] == '\0')
		i--;
	while (i--)
		if (s[i] == '\n' || s[i] == '\0')
			s[i] = ' ';
	if (s[n - 1] == ' ')
		s[n - 1] = '\0';
	escape_str(s);
	if (!*s) {
		free(s);
		return xstrdup("?");
	}
	return s;
}

/* One integer conversion of stat2proc()'s sscanf(): 0 when it fails. */
static int next_number(const char **p, uint64_t *v)
{
	const char *s = *p;
	char *end;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (!((*s >= '0' && *s <= '9') ||
	      ((*s == '-' || *s == '+') && s[1] >= '0' && s[1] <= '9')))
		return 0;
	*v = strtoull(s, &end, 10);
	*p = end;
	return 1;
}

void pmap_parse_stat(const char *stat, const char *comm, struct pmap_stat *st)
{
	const char *open = stat ? strchr(stat, '(') : NULL, *close;
	uint64_t v = 0;
	int i;

	memset(st, 0, sizeof(*st));
	snprintf(st->comm, sizeof(st->comm), "%s", comm ? comm : "");
	if (!open || !(close = strrchr(open + 1, ')')) || !close[1])
		return;
	snprintf(st->comm, sizeof(st->comm), "%.*s",
		 (int)(close - open - 1), open + 1);
	st->state = close[2];
	if (!st->state)
		return;
	close += 3;
	/* start_stack is the 25th number after the state (stat field 28) */
	for (i = 0; i < 25; i++)
		if (!next_number(&close, &v))
			return;
	st->start_stack = v;
}

unsigned pmap_tgid(const char *status, int64_t pid)
{
	const char *t = status ? strstr(status, "Tgid:") : NULL;

	if (!t)
		return (unsigned)pid;
	return (unsigned)(int)strtol(t + 5, NULL, 10);
}
