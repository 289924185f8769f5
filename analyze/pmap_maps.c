/* pmap_maps.c - pmap 4.0.2's default, -x and -d formats: one line per
 * mapping from its header line (and, for -x, its Rss, dirty and Swap). */
#include "pmap.h"
#include "smaps.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * pmap's state while it reads the text. mapbuf is its static line buffer:
 * every line is read into it with fgets(), which writes the line and a
 * NUL over the start and leaves older bytes after them. -x takes a
 * mapping's name as a pointer into it at the header line and prints it
 * at the Swap line, so what it prints is what the buffer holds by then.
 */
struct mapstate {
	const struct pmap_proc *p;
	const struct pmap_opts *o;
	FILE *out;
	uint64_t mask;		/* the range of pmap's unsigned long */
	int aw;			/* address digits: sizeof(long) * 2 */
	char mapbuf[PMAP_LINE_MAX];
	char shmbuf[64];
	/* -x: the mapping waiting for its Swap line */
	const char *pending;
	uint64_t start, diff, rss, shared_dirty, private_dirty;
	char perms[6];
	/* totals, in bytes for the sizes, in kB for the rest */
	uint64_t shared, private_ro, private_rw;
	uint64_t total_rss, total_shared_dirty, total_private_dirty;
};

/* The line at s (n bytes, then a '\n' when nl) read with fgets(). */
static void read_line(struct mapstate *st, const char *s, size_t n, int nl)
{
	if (n > PMAP_LINE_MAX - 1)
		n = PMAP_LINE_MAX - 1;
	memcpy(st->mapbuf, s, n);
	if (nl && n < PMAP_LINE_MAX - 1)
		st->mapbuf[n++] = '\n';
	st->mapbuf[n] = '\0';
}

/* The header line, as pmap cleans it: no '\n', unprintables as '?'
 * (isprint() in the C and UTF-8 locales: ASCII 0x20 to 0x7e). */
static void read_header(struct mapstate *st, const struct smaps_map *m)
{
	const char *end = st->p->text + st->p->len;
	char *c;

	read_line(st, m->line, m->line_len, m->line + m->line_len < end);
	if ((c = strchr(st->mapbuf, '\n')))
		*c = '\0';
	for (c = st->mapbuf; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
}

static const char *mapping_name(struct mapstate *st, const struct smaps_map *m,
				uint64_t addr, uint64_t len)
{
	uint64_t stack = st->p->start_stack & st->mask;
	const char *cp;

	if (!m->dev_major && m->dev_minor == st->p->shm_minor &&
	    strstr(st->mapbuf, "/SYSV")) {
		snprintf(st->shmbuf, sizeof(st->shmbuf), "  [ shmid=0x%llx ]",
			 (unsigned long long)m->inode);
		return st->shmbuf;
	}
	if ((cp = strrchr(st->mapbuf, '/'))) {
		if (st->o->p)
			return strchr(st->mapbuf, '/');
		return cp[1] ? cp + 1 : cp;
	}
	if (stack >= addr && stack <= ((addr + len) & st->mask))
		return "  [ stack ]";
	return "  [ anon ]";
}

static void print_line(struct mapstate *st, const struct smaps_map *m,
		       uint64_t start, uint64_t diff, const char *name)
{
	if (st->o->d)
		fprintf(st->out, "%0*llx %7llu %5s %016llx %03x:%05x %s\n",
			st->aw, (unsigned long long)start,
			(unsigned long long)(diff >> 10), st->perms,
			(unsigned long long)m->offset, m->dev_major,
			m->dev_minor, name);
	else
		fprintf(st->out, "%0*llx %6lluK %s %s\n", st->aw,
			(unsigned long long)start,
			(unsigned long long)(diff >> 10), st->perms, name);
}

static void take_header(struct mapstate *st, const struct smaps_map *m)
{
	uint64_t start = m->start & st->mask, end = m->end & st->mask;
	uint64_t diff = (end - start) & st->mask;
	const char *name;

	read_header(st, m);
	memcpy(st->perms, m->perms, 4);
	if (m->perms[3] == 's')
		st->shared = (st->shared + diff) & st->mask;
	if (m->perms[3] == 'p') {
		st->perms[3] = '-';
		if (m->perms[1] == 'w')
			st->private_rw = (st->private_rw + diff) & st->mask;
		else
			st->private_ro = (st->private_ro + diff) & st->mask;
	}
	st->perms[4] = '-';
	st->perms[5] = '\0';
	name = mapping_name(st, m, start, diff);
	if (st->o->x) {
		st->pending = name;
		st->start = start;
		st->diff = diff;
		return;
	}
	print_line(st, m, start, diff, name);
}

/* -x: "Name: value" lines; the Swap line prints the pending mapping. */
static void take_key(struct mapstate *st, const struct smaps_field *f)
{
	if (f->name_len == 3 && !memcmp(f->name, "Rss", 3)) {
		st->rss = f->value;
		st->total_rss += f->value;
	} else if (f->name_len == 12 && !memcmp(f->name, "Shared_Dirty", 12)) {
		st->shared_dirty = f->value;
		st->total_shared_dirty += f->value;
	} else if (f->name_len == 13 && !memcmp(f->name, "Private_Dirty", 13)) {
		st->private_dirty = f->value;
		st->total_private_dirty += f->value;
	} else if (f->name_len == 4 && !memcmp(f->name, "Swap", 4)) {
		if (st->pending)
			fprintf(st->out, "%0*llx %7llu %7llu %7llu %5s %s\n",
				st->aw, (unsigned long long)st->start,
				(unsigned long long)(st->diff >> 10),
				(unsigned long long)st->rss,
				(unsigned long long)(st->private_dirty +
						     st->shared_dirty),
				st->perms, st->pending);
		st->rss = st->shared_dirty = st->private_dirty = 0;
		st->diff = 0;
		st->perms[0] = '\0';
		st->pending = NULL;
	}
}

/* The field lines of one record, each read into mapbuf in turn. */
static void take_fields(struct mapstate *st, const struct smaps_map *m)
{
	const char *end = st->p->text + st->p->len, *nl;
	size_t i;

	for (i = 0; i < m->nfields; i++) {
		const struct smaps_field *f = &m->fields[i];

		nl = memchr(f->name, '\n', (size_t)(end - f->name));
		read_line(st, f->name, (size_t)((nl ? nl : end) - f->name),
			  nl != NULL);
		if (f->name[0] >= 'A' && f->name[0] <= 'Z' && f->is_num &&
		    f->name_len <= 20)
			take_key(st, f);
	}
}

static void print_header(const struct mapstate *st)
{
	if (st->o->x)
		fprintf(st->out, "%-*s %7s %7s %7s %-5s Mapping\n", st->aw,
			"Address", "Kbytes", "RSS", "Dirty", "Mode");
	else if (st->o->d)
		fprintf(st->out, "%-*s %7s %-5s %-16s %-9s Mapping\n", st->aw,
			"Address", "Kbytes", "Mode", "Offset", "Device");
}

static void print_footer(const struct mapstate *st)
{
	uint64_t all = st->shared + st->private_rw + st->private_ro;
	unsigned long long mapped = (all & st->mask) >> 10;

	if (st->o->x) {
		fprintf(st->out, "%.*s ------- ------- ------- \n", st->aw,
			"----------------");
		fprintf(st->out, "%-*s %7llu %7llu %7llu\n", st->aw, "total kB",
			mapped, (unsigned long long)st->total_rss,
			(unsigned long long)(st->total_shared_dirty +
					     st->total_private_dirty));
	} else if (st->o->d) {
		fprintf(st->out, "mapped: %lluK    writeable/private: %lluK"
			"    shared: %lluK\n", mapped,
			(unsigned long long)(st->private_rw >> 10),
			(unsigned long long)(st->shared >> 10));
	} else {
		fprintf(st->out, " total %*lluK\n", st->aw, mapped);
	}
}

int pmap_print_maps(const struct pmap_proc *p, const struct pmap_opts *o,
		    FILE *out)
{
	struct mapstate *st = xcalloc(1, sizeof(*st));
	struct smaps_parser ps;
	struct smaps_map *m = xmalloc(sizeof(*m));
	int r, ret = 0;

	st->p = p;
	st->o = o;
	st->out = out;
	st->mask = p->long32 ? UINT32_MAX : UINT64_MAX;
	st->aw = p->long32 ? 8 : 16;
	if (!o->q)
		print_header(st);
	smaps_parser_init(&ps, p->text, p->len);
	while ((r = smaps_next(&ps, m)) != 0) {
		if (r < 0) {
			ret = error("'%s': smaps of process %lld: %s", p->file,
				    (long long)p->pid, ps.err);
			break;
		}
		take_header(st, m);
		if (o->x)
			take_fields(st, m);
	}
	if (!ret && !o->q)
		print_footer(st);
	free(m);
	free(st);
	return ret;
}

int pmap_shm_minor(const char *text, size_t len, unsigned *minor,
		   char *err, size_t errlen)
{
	struct smaps_parser ps;
	struct smaps_map *m = xmalloc(sizeof(*m));
	static const char zero[] = "/dev/zero (deleted)";
	unsigned sysv = ~0u;
	int r;

	*minor = ~0u;
	smaps_parser_init(&ps, text, len);
	while ((r = smaps_next(&ps, m)) > 0) {
		if (m->dev_major || m->perms[3] != 's')
			continue;
		if (m->name_len == strlen(zero) &&
		    !memcmp(m->name, zero, m->name_len)) {
			if (*minor == ~0u)
				*minor = m->dev_minor;
		} else if (sysv == ~0u &&
			   memmem(m->line, m->line_len, "/SYSV", 5)) {
			sysv = m->dev_minor;
		}
	}
	if (*minor == ~0u)
		*minor = sysv;
	free(m);
	if (r < 0)
		snprintf(err, errlen, "%s", ps.err);
	return r < 0 ? -1 : 0;
}
