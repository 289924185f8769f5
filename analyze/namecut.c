/* namecut.c - the cut of namecut.h: by characters, keeping the program's
 * base name and what follows it, the directory giving way first. */
#include "namecut.h"
#include "buf.h"
#include "util.h"

#include <stdint.h>
#include <string.h>

/* Bytes of the character at p: its UTF-8 sequence, or 1 stray byte. */
static size_t char_len(const char *p)
{
	uint32_t cp;
	size_t n = utf8_decode((const unsigned char *)p, SIZE_MAX, &cp);

	return n ? n : 1;
}

size_t name_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s += char_len(s))
		n++;
	return n;
}

/* The byte offset after the first n characters of s (its end if shorter). */
static size_t prefix_bytes(const char *s, size_t n)
{
	size_t k = 0;

	for (; s[k] && n; n--)
		k += char_len(s + k);
	return k;
}

/* Where the base name of the word at s starts: after its last '/'. */
static size_t base_start(const char *s)
{
	size_t word = strcspn(s, " "), k, at = 0;

	for (k = 0; k < word; k++)
		if (s[k] == '/')
			at = k + 1;
	return at;
}

/*
 * The offset of the base name of the file the program runs, when its
 * first argument that is no option names one (has a '/' or a '.'): an
 * interpreter's script. 0 when there is none.
 */
static size_t script_start(const char *s)
{
	size_t k = strcspn(s, " "), len;

	while (s[k] == ' ') {
		k++;
		len = strcspn(s + k, " ");
		if (len && s[k] != '-')
			return memchr(s + k, '/', len) || memchr(s + k, '.', len)
				? k + base_start(s + k) : 0;
		k += len;
	}
	return 0;
}

/* Append to b the first n characters of s. */
static void add_chars(struct buf *b, const char *s, size_t n)
{
	buf_add(b, s, prefix_bytes(s, n));
}

char *name_cut(const char *s, size_t max, const char *ell, size_t ell_chars)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	size_t base = base_start(s), script = script_start(s), prog, tail;

	if (!max || name_chars(s) <= max)
		return xstrdup(s);
	if (max <= ell_chars) {	/* no room for an ellipsis */
		add_chars(&b, s, max);
		return buf_detach(&b, NULL);
	}
	prog = strcspn(s + base, " ");	/* the program's base name */
	tail = name_chars(s + base);
	if (base && tail + ell_chars <= max) {
		/* the middle of the program's directory gives way */
		add_chars(&b, s, max - ell_chars - tail);
		buf_addstr(&b, ell);
		buf_addstr(&b, s + base);
	} else if (script && name_chars(s + script) + ell_chars + 1 +
		   name_chars(s + base) - name_chars(s + base + prog) <= max) {
		/* "python3 ...pyleak.py --x": the script's directory too */
		buf_add(&b, s + base, prog);
		buf_addch(&b, ' ');
		buf_addstr(&b, ell);
		buf_addstr(&b, s + script);
	} else if (name_chars(s + (script ? script : base)) + ell_chars <= max) {
		/* all before the script (or the program) gives way */
		buf_addstr(&b, ell);
		buf_addstr(&b, s + (script ? script : base));
	} else {	/* the end gives way, from the script or program on */
		add_chars(&b, s + (script ? script : base), max - ell_chars);
		buf_addstr(&b, ell);
	}
	return buf_detach(&b, NULL);
}
