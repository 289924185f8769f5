/* pmap_extended.c - pmap 4.0.2's -X and -XX formats: every numeric smaps
 * field as a column, widths measured over the whole text first. */
#include "pmap.h"
#include "smaps.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * pmap reads the text twice: once to measure widths and sum totals, once
 * to print. Columns are matched by position: the first mappings make the
 * list, a mapping with a field where the list has another name is an
 * error, and one without a trailing field prints that column's value
 * from the last mapping that had it (even one of the first pass).
 */
struct column {
	char desc[32];		/* %31[^:] */
	char value[21];		/* %20[0-9] */
	uint64_t total;
	int width;
};

/* A header line as pmap's sscanf() splits it. */
struct head {
	char start[21], perms[32], offset[21], dev[64], inode[21];
	char desc[128];		/* the name: at most 127 bytes of it */
};

struct xstate {
	const struct pmap_proc *p;
	const struct pmap_opts *o;
	FILE *out;
	uint64_t mask;		/* the range of pmap's unsigned long */
	struct column *cols;
	size_t ncols;
	int w_addr, w_perm, w_off, w_dev, w_inode, w_vmflags;
	int has_vmflags;
	char vmflags[128];	/* the last VmFlags read, in either pass */
	char err[200];
};

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static const char *skip_space(const char *p, const char *e)
{
	while (p < e && is_space(*p))
		p++;
	return p;
}

enum set { HEX, HEXCOLON, NONSPACE, NOTCOLON, DIGIT, FLAGS, ANY };

static int in_set(enum set s, char c)
{
	switch (s) {
	case HEX:
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
	case HEXCOLON:
		return in_set(HEX, c) || c == ':';
	case NONSPACE:
		return !is_space(c);
	case NOTCOLON:
		return c != ':';
	case DIGIT:
		return c >= '0' && c <= '9';
	case FLAGS:
		return (c >= 'a' && c <= 'z') || c == ' ';
	case ANY:
		return c != '\n';
	}
	return 0;
}

/* A scanf %[set] of at most max bytes from *p into dst: its length. */
static size_t span(const char **p, const char *e, enum set s, size_t max,
		   char *dst)
{
	size_t n = 0;

	while (*p + n < e && n < max && (*p)[n] && in_set(s, (*p)[n]))
		n++;
	memcpy(dst, *p, n);
	dst[n] = '\0';
	*p += n;
	return n;
}

/* "%20[0-9a-f]-%20[0-9a-f] %31s %20[0-9a-f] %63[0-9a-f:] %20s %127[^\n]":
 * 0 when at least the six fields up to the inode are there. */
static int parse_head(const char *p, const char *e, struct head *h)
{
	char end[21];

	h->desc[0] = '\0';
	if (!span(&p, e, HEX, 20, h->start) || p == e || *p++ != '-' ||
	    !span(&p, e, HEX, 20, end))
		return -1;
	p = skip_space(p, e);
	if (!span(&p, e, NONSPACE, 31, h->perms))
		return -1;
	p = skip_space(p, e);
	if (!span(&p, e, HEX, 20, h->offset))
		return -1;
	p = skip_space(p, e);
	if (!span(&p, e, HEXCOLON, 63, h->dev))
		return -1;
	p = skip_space(p, e);
	if (!span(&p, e, NONSPACE, 20, h->inode))
		return -1;
	p = skip_space(p, e);
	span(&p, e, ANY, 127, h->desc);
	return 0;
}

/* "%31[^:]: %20[0-9] kB %c" giving exactly 2: a field -X shows. */
static int parse_field(const char *p, const char *e, char *name, char *digits)
{
	if (!span(&p, e, NOTCOLON, 31, name) || p == e || *p++ != ':')
		return 0;
	p = skip_space(p, e);
	if (!span(&p, e, DIGIT, 20, digits))
		return 0;
	p = skip_space(p, e);
	if (e - p >= 2 && p[0] == 'k' && p[1] == 'B')
		return skip_space(p + 2, e) == e;
	return 1;
}

/* "VmFlags: %127[a-z ]", less one trailing blank. */
static int parse_vmflags(const char *p, const char *e, char *flags)
{
	size_t n;

	if (e - p < 8 || memcmp(p, "VmFlags:", 8) != 0)
		return 0;
	p = skip_space(p + 8, e);
	n = span(&p, e, FLAGS, 127, flags);
	if (n && flags[n - 1] == ' ')
		flags[n - 1] = '\0';
	return n > 0;
}

static int enabled(const struct xstate *st, const char *name)
{
	static const char *const unimportant[] = {
		"AnonHugePages", "KernelPageSize", "MMUPageSize",
		"Shared_Dirty", "Private_Dirty", "Shared_Clean",
		"Private_Clean", "VmFlags",
	};
	size_t i;

	if (st->o->X >= 2)
		return 1;
	for (i = 0; i < sizeof(unimportant) / sizeof(*unimportant); i++)
		if (!strcmp(name, unimportant[i]))
			return 0;
	return 1;
}

static int stop(struct xstate *st, unsigned lineno, const char *why)
{
	snprintf(st->err, sizeof(st->err), "line %u: %s", lineno, why);
	return -1;
}

static void widen(int *w, const char *s)
{
	int n = (int)strlen(s);

	if (n > *w)
		*w = n;
}

/* strtoul() of a digit string: saturates like sscanf("%lu"). */
static uint64_t to_ulong(const struct xstate *st, const char *s)
{
	uint64_t v = 0;

	for (; *s; s++) {
		if (v > (st->mask - (uint64_t)(*s - '0')) / 10)
			return st->mask;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

/* One "Name: digits" field; col is its position among the shown ones. */
static int take_field(struct xstate *st, size_t *col, const char *name,
		      const char *digits, unsigned lineno, int measure)
{
	struct column *c;

	if (!enabled(st, name))
		return 0;
	if (*col == st->ncols) {
		st->cols = xreallocarray(st->cols, st->ncols + 1,
					 sizeof(*st->cols));
		c = &st->cols[st->ncols++];
		memset(c, 0, sizeof(*c));
		snprintf(c->desc, sizeof(c->desc), "%s", name);
		c->width = st->o->q ? 0 : (int)strlen(name);
	}
	c = &st->cols[(*col)++];
	if (strcmp(c->desc, name) != 0) {
		char why[120];

		snprintf(why, sizeof(why), "pmap 4.0.2 stops at field '%s',"
			 " where the mappings before have '%s'", name, c->desc);
		return stop(st, lineno, why);
	}
	snprintf(c->value, sizeof(c->value), "%s", digits);
	if (measure) {
		c->total = (c->total + to_ulong(st, digits)) & st->mask;
		if (st->o->q)
			widen(&c->width, digits);
	}
	return 0;
}

/* The lines of one record after its header, as pmap reads them. */
static int take_details(struct xstate *st, const struct smaps_map *m,
			int measure)
{
	const char *p = m->line + m->line_len, *e = m->text + m->text_len;
	unsigned lineno = m->lineno;
	char name[32], digits[21];
	size_t col = 0;
	int after_flags = 0;

	while (p < e && *p == '\n' && ++p < e) {
		const char *le = memchr(p, '\n', (size_t)(e - p));

		le = le ? le : e;
		lineno++;
		if (!after_flags && parse_field(p, le, name, digits)) {
			if (take_field(st, &col, name, digits, lineno,
				       measure) < 0)
				return -1;
		} else if (!after_flags && parse_vmflags(p, le, st->vmflags)) {
			after_flags = 1;
			if (measure) {
				widen(&st->w_vmflags, st->vmflags);
				st->has_vmflags = 1;
			}
		} else {
			return stop(st, lineno, "pmap 4.0.2 stops here: not a"
				    " numeric field nor a mapping");
		}
		p = le;
	}
	return 0;
}

/* pmap's justify_print(): right-aligned in at least w, then a blank. */
static int justify(FILE *out, const char *s, int w)
{
	widen(&w, s);
	fprintf(out, "%*s ", w, s);
	return w;
}

static void print_header(struct xstate *st)
{
	size_t i;

	st->w_addr = justify(st->out, "Address", st->w_addr);
	st->w_perm = justify(st->out, "Perm", st->w_perm);
	st->w_off = justify(st->out, "Offset", st->w_off);
	st->w_dev = justify(st->out, "Device", st->w_dev);
	st->w_inode = justify(st->out, "Inode", st->w_inode);
	for (i = 0; i < st->ncols; i++)
		justify(st->out, st->cols[i].desc, st->cols[i].width);
	if (st->has_vmflags && st->o->X >= 2)
		st->w_vmflags = justify(st->out, "VmFlags", st->w_vmflags);
	fputs("Mapping\n", st->out);
}

static void print_row(struct xstate *st, const struct head *h)
{
	const char *slash = strrchr(h->desc, '/');
	size_t i;

	fprintf(st->out, "%*s %*s %*s %*s %*s", st->w_addr, h->start,
		st->w_perm, h->perms, st->w_off, h->offset, st->w_dev, h->dev,
		st->w_inode, h->inode);
	for (i = 0; i < st->ncols; i++)
		fprintf(st->out, " %*s", st->cols[i].width, st->cols[i].value);
	if (st->has_vmflags && st->o->X >= 2)
		fprintf(st->out, " %*s", st->w_vmflags, st->vmflags);
	fprintf(st->out, " %s\n", st->o->p || !slash ? h->desc : slash + 1);
}

static void print_footer(struct xstate *st)
{
	int gap = st->w_addr + st->w_perm + st->w_off + st->w_dev +
		  st->w_inode + 5;
	size_t i;

	fprintf(st->out, "%*s", gap, "");
	for (i = 0; i < st->ncols; i++) {
		int w;

		for (w = 0; w < st->cols[i].width; w++)
			putc('=', st->out);
		putc(' ', st->out);
	}
	fprintf(st->out, "\n%*s", gap, "");
	for (i = 0; i < st->ncols; i++)
		fprintf(st->out, "%*llu ", st->cols[i].width,
			(unsigned long long)st->cols[i].total);
	fputs("KB \n", st->out);
}

/* One record: in the measuring pass or the printing one. */
static int take_record(struct xstate *st, const struct smaps_map *m,
		       int measure, int first)
{
	struct head h;

	if (parse_head(m->line, m->line + m->line_len, &h) < 0)
		return stop(st, m->lineno, "pmap 4.0.2 stops here: not a"
			    " mapping line it can read");
	if (take_details(st, m, measure) < 0)
		return -1;
	if (measure) {
		widen(&st->w_addr, h.start);
		widen(&st->w_perm, h.perms);
		widen(&st->w_off, h.offset);
		widen(&st->w_dev, h.dev);
		widen(&st->w_inode, h.inode);
		return 0;
	}
	if (first && !st->o->q)
		print_header(st);
	print_row(st, &h);
	return 0;
}

/* One pass over the text; a blank line between records stops pmap. */
static int pass(struct xstate *st, int measure)
{
	struct smaps_parser ps;
	struct smaps_map *m = xmalloc(sizeof(*m));
	const char *expect = st->p->text;
	int r, first = 1;

	smaps_parser_init(&ps, st->p->text, st->p->len);
	while ((r = smaps_next(&ps, m)) > 0) {
		if (m->text != expect) {
			r = stop(st, m->lineno, "pmap 4.0.2 stops at the blank"
				 " line before it");
			break;
		}
		expect = m->text + m->text_len;
		if ((r = take_record(st, m, measure, first)) < 0)
			break;
		first = 0;
	}
	if (r == 0 && expect != st->p->text + st->p->len)
		r = stop(st, ps.lineno, "pmap 4.0.2 stops at a blank line");
	if (r < 0 && !st->err[0])
		snprintf(st->err, sizeof(st->err), "%s", ps.err);
	free(m);
	return r;
}

int pmap_print_extended(const struct pmap_proc *p, const struct pmap_opts *o,
			FILE *out)
{
	struct xstate st = { .p = p, .o = o, .out = out };
	size_t i;
	int ret = -1;

	st.mask = p->long32 ? UINT32_MAX : UINT64_MAX;
	if (pass(&st, 1) < 0)
		goto out;
	for (i = 0; !o->q && i < st.ncols; i++) {
		char digits[24];

		snprintf(digits, sizeof(digits), "%llu",
			 (unsigned long long)st.cols[i].total);
		widen(&st.cols[i].width, digits);
	}
	if (pass(&st, 0) < 0)
		goto out;
	if (!o->q && st.ncols)
		print_footer(&st);
	ret = 0;
out:
	if (ret < 0)
		error("'%s': smaps of process %lld: %s", p->file,
		      (long long)p->pid, st.err);
	free(st.cols);
	return ret;
}
