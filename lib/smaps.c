/* smaps.c - parser for the text of /proc/PID/maps, smaps and smaps_rollup:
 * one pass over (pointer, length), no allocation, pointers into the text;
 * field lines in the kernel's own layout take a word-at-a-time path. */
#include "smaps.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const smaps_field_names[SF__COUNT] = {
	"Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss",
	"Pss_Dirty", "Pss_Anon", "Pss_File", "Pss_Shmem",
	"Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty",
	"Referenced", "Anonymous", "KSM", "LazyFree", "AnonHugePages",
	"ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb",
	"Private_Hugetlb", "Swap", "SwapPss", "Locked",
	"THPeligible", "ProtectionKey",
};

static const unsigned char field_len[SF__COUNT] = {
	4, 14, 11, 3, 3, 9, 8, 8, 9, 12, 12, 13, 13,
	10, 9, 3, 8, 13, 14, 13, 14, 15, 4, 7, 6, 11, 13,
};

/*
 * How the kernel prints a field: "Name:" padded with blanks to 16 columns
 * (seq_put_decimal_ull_width), the value right-aligned in 8 more, then
 * " kB" for all but THPeligible and ProtectionKey. Most lines of a real
 * text match one of these 16 bytes exactly, which is the fast path.
 */
static const char field_pad[SF__COUNT][17] = {
	"Size:           ", "KernelPageSize: ",
	"MMUPageSize:    ", "Rss:            ",
	"Pss:            ", "Pss_Dirty:      ",
	"Pss_Anon:       ", "Pss_File:       ",
	"Pss_Shmem:      ", "Shared_Clean:   ",
	"Shared_Dirty:   ", "Private_Clean:  ",
	"Private_Dirty:  ", "Referenced:     ",
	"Anonymous:      ", "KSM:            ",
	"LazyFree:       ", "AnonHugePages:  ",
	"ShmemPmdMapped: ", "FilePmdMapped:  ",
	"Shared_Hugetlb: ", "Private_Hugetlb:",
	"Swap:           ", "SwapPss:        ",
	"Locked:         ", "THPeligible:    ",
	"ProtectionKey:  ",
};
#define PAD_COLS 16
#define NUM_COLS 8

/*
 * A perfect hash of (length, first byte, last-but-one byte) over the 27
 * names; a clash would be a duplicate initializer, which -Wextra reports.
 * Slots hold id + 1 so that 0 means "no field".
 */
#define FH(n, a, b) (((n) + 2u * (unsigned)(a) + 28u * (unsigned)(b)) & 63u)
#define FE(id, s, a, b) [FH(sizeof(s) - 1, a, b)] = (id) + 1

static const unsigned char field_slot[64] = {
	FE(SF_SIZE, "Size", 'S', 'z'),
	FE(SF_KERNELPAGESIZE, "KernelPageSize", 'K', 'z'),
	FE(SF_MMUPAGESIZE, "MMUPageSize", 'M', 'z'),
	FE(SF_RSS, "Rss", 'R', 's'),
	FE(SF_PSS, "Pss", 'P', 's'),
	FE(SF_PSS_DIRTY, "Pss_Dirty", 'P', 't'),
	FE(SF_PSS_ANON, "Pss_Anon", 'P', 'o'),
	FE(SF_PSS_FILE, "Pss_File", 'P', 'l'),
	FE(SF_PSS_SHMEM, "Pss_Shmem", 'P', 'e'),
	FE(SF_SHARED_CLEAN, "Shared_Clean", 'S', 'a'),
	FE(SF_SHARED_DIRTY, "Shared_Dirty", 'S', 't'),
	FE(SF_PRIVATE_CLEAN, "Private_Clean", 'P', 'a'),
	FE(SF_PRIVATE_DIRTY, "Private_Dirty", 'P', 't'),
	FE(SF_REFERENCED, "Referenced", 'R', 'e'),
	FE(SF_ANONYMOUS, "Anonymous", 'A', 'u'),
	FE(SF_KSM, "KSM", 'K', 'S'),
	FE(SF_LAZYFREE, "LazyFree", 'L', 'e'),
	FE(SF_ANONHUGEPAGES, "AnonHugePages", 'A', 'e'),
	FE(SF_SHMEMPMDMAPPED, "ShmemPmdMapped", 'S', 'e'),
	FE(SF_FILEPMDMAPPED, "FilePmdMapped", 'F', 'e'),
	FE(SF_SHARED_HUGETLB, "Shared_Hugetlb", 'S', 'l'),
	FE(SF_PRIVATE_HUGETLB, "Private_Hugetlb", 'P', 'l'),
	FE(SF_SWAP, "Swap", 'S', 'a'),
	FE(SF_SWAPPSS, "SwapPss", 'S', 's'),
	FE(SF_LOCKED, "Locked", 'L', 'e'),
	FE(SF_THPELIGIBLE, "THPeligible", 'T', 'l'),
	FE(SF_PROTECTIONKEY, "ProtectionKey", 'P', 'e'),
};

int smaps_field_lookup(const char *name, size_t len)
{
	int id;

	if (len < 3 || len > 15)
		return -1;
	id = field_slot[FH(len, (unsigned char)name[0],
			   (unsigned char)name[len - 2])] - 1;
	if (id < 0 || field_len[id] != len ||
	    memcmp(smaps_field_names[id], name, len) != 0)
		return -1;
	return id;
}

enum line_kind { L_BLANK, L_HEADER, L_FIELD, L_OTHER };

/* Hex digit values + 1, so that 0 is "not a hex digit": the header scan
 * runs a lookup per byte rather than range tests. */
static const unsigned char hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hexval(char ch)
{
	return hex_tab[(unsigned char)ch] - 1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ident(char ch)
{
	unsigned c = (unsigned char)ch;

	return c - '0' < 10u || (c | 0x20) - 'a' < 26u || c == '_';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Past the end of the token at p: blank, or the end of the line. */
static int at_sep(const char *p, const char *e)
{
	return p == e || *p == ' ' || *p == '\t';
}

static const char *skip_blanks(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *line_end(const char *p, const char *e)
{
	const char *nl = memchr(p, '\n', (size_t)(e - p));

	return nl ? nl : e;
}

/* What the line at p is, from its first bytes only; *colon for a field. */
static enum line_kind classify(const char *p, const char *e,
			       const char **colon)
{
	const char *q = p;

	while (q < e && hexval(*q) >= 0)
		q++;
	if (q > p && q < e && *q == '-')
		return L_HEADER;
	while (q < e && is_ident(*q))
		q++;
	if (q > p && q < e && *q == ':') {
		*colon = q;
		return L_FIELD;
	}
	if (q > p)
		return L_OTHER;
	while (q < e && is_blank(*q))
		q++;
	return q == e || *q == '\n' ? L_BLANK : L_OTHER;
}

/* Hex digits at s: their count, or 0 when none or more than 64 bits. */
static size_t scan_hex(const char *s, const char *e, uint64_t *v)
{
	const char *p = s;
	uint64_t x = 0;
	int d;

	*v = 0;		/* read after a success only, but gcc cannot see it */
	while (p < e && (d = hexval(*p)) >= 0) {
		if (x >> 60)
			return 0;
		x = x << 4 | (unsigned)d;
		p++;
	}
	*v = x;
	return (size_t)(p - s);
}

/* Decimal digits at s: their count; *ovf set when they exceed 64 bits. */
static size_t scan_dec(const char *s, const char *e, uint64_t *v, int *ovf)
{
	const char *p = s;
	uint64_t x = 0;

	for (; p < e; p++) {
		unsigned d = (unsigned char)*p - '0';

		if (d > 9)
			break;
		if (x > (UINT64_MAX - d) / 10)
			*ovf = 1;
		x = x * 10 + d;
	}
	*v = x;
	return (size_t)(p - s);
}

static int fail(struct smaps_parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct smaps_parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, sizeof(ps->err), "line %u: ", ps->lineno);

	va_start(ap, fmt);
	vsnprintf(ps->err + n, sizeof(ps->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The token at p (up to a blank), made printable and short for a message. */
static const char *quote(char *buf, size_t size, const char *p, const char *e)
{
	size_t n = 0;

	for (; p < e && !at_sep(p, e) && n + 4 < size; p++)
		buf[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	if (p < e && !at_sep(p, e)) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int bad_token(struct smaps_parser *ps, const char *what,
		     const char *p, const char *e)
{
	char q[40];

	if (p == e)
		return fail(ps, "mapping line ends early (truncated?)");
	return fail(ps, "bad %s '%s'", what, quote(q, sizeof(q), p, e));
}

static int bad_value(struct smaps_parser *ps, const char *name, int n,
		     const char *v, const char *ve)
{
	char q[40];

	return fail(ps, "bad value for '%.*s': '%s'", n, name,
		    quote(q, sizeof(q), v, ve));
}

static int valid_perms(const char *p)
{
	return (p[0] == 'r' || p[0] == '-') && (p[1] == 'w' || p[1] == '-') &&
	       (p[2] == 'x' || p[2] == '-') && (p[3] == 'p' || p[3] == 's');
}

/* "start-end perms offset major:minor inode [name]", the line [p, e). */
static int parse_header(struct smaps_parser *ps, struct smaps_map *m,
			const char *p, const char *e)
{
	const char *t = p, *q;
	uint64_t maj, min;
	int ovf = 0;

	q = p + scan_hex(p, e, &m->start);
	if (q == p || q == e || *q != '-')
		return bad_token(ps, "address range", t, e);
	p = q + 1;
	q = p + scan_hex(p, e, &m->end);
	if (q == p || !at_sep(q, e) || m->end < m->start)
		return bad_token(ps, "address range", t, e);
	p = skip_blanks(q, e);
	if (e - p < 4 || !at_sep(p + 4, e) || !valid_perms(p))
		return bad_token(ps, "permissions", p, e);
	memcpy(m->perms, p, 4);
	m->perms[4] = '\0';
	p = skip_blanks(p + 4, e);
	q = p + scan_hex(p, e, &m->offset);
	if (q == p || !at_sep(q, e))
		return bad_token(ps, "offset", p, e);
	t = p = skip_blanks(q, e);
	q = p + scan_hex(p, e, &maj);
	if (q == p || q == e || *q != ':' || maj > UINT_MAX)
		return bad_token(ps, "device", t, e);
	p = q + 1;
	q = p + scan_hex(p, e, &min);
	if (q == p || !at_sep(q, e) || min > UINT_MAX)
		return bad_token(ps, "device", t, e);
	m->dev_major = (unsigned)maj;
	m->dev_minor = (unsigned)min;
	p = skip_blanks(q, e);
	q = p + scan_dec(p, e, &m->inode, &ovf);
	if (q == p || ovf || !at_sep(q, e))
		return bad_token(ps, "inode", p, e);
	m->name = skip_blanks(q, e);
	m->name_len = (size_t)(e - m->name);
	if (memchr(m->name, '\0', m->name_len))
		return fail(ps, "NUL byte in the text");
	return 0;
}

/* Is the value [v, ve) "digits" or "digits kB"? Sets the field's flags. */
static int parse_value(struct smaps_field *f, const char *v, const char *ve)
{
	int ovf = 0;
	const char *q = v + scan_dec(v, ve, &f->value, &ovf);

	f->is_num = 0;
	f->has_kb = 0;
	if (q == v)
		return 0;
	if (q == ve) {
		f->is_num = 1;
	} else if (is_blank(*q)) {
		q = skip_blanks(q, ve);
		if (ve - q == 2 && q[0] == 'k' && q[1] == 'B')
			f->is_num = f->has_kb = 1;
	}
	return f->is_num && ovf ? -1 : 0;
}

/* The field line [p, e) whose name ends at colon, appended to m. */
static int parse_field(struct smaps_parser *ps, struct smaps_map *m,
		       const char *p, const char *colon, const char *e)
{
	struct smaps_field *f;
	const char *v = skip_blanks(colon + 1, e), *ve = e;
	int n = colon - p > 64 ? 64 : (int)(colon - p);	/* for messages */

	if (m->nfields == SMAPS_MAX_FIELDS)
		return fail(ps, "more than %d fields in one mapping",
			    SMAPS_MAX_FIELDS);
	f = &m->fields[m->nfields++];
	while (ve > v && is_blank(ve[-1]))
		ve--;
	f->name = p;
	f->name_len = (size_t)(colon - p);
	f->raw = v;
	f->raw_len = (size_t)(ve - v);
	f->id = smaps_field_lookup(p, f->name_len);
	if (parse_value(f, v, ve) < 0)
		return fail(ps, "number too large in '%.*s'", n, p);
	if (f->id < 0) {
		if (!f->is_num && memchr(v, '\0', f->raw_len))
			return fail(ps, "NUL byte in the text");
		if (f->name_len == 7 && memcmp(p, "VmFlags", 7) == 0) {
			m->vmflags = v;
			m->vmflags_len = f->raw_len;
		}
		return 0;
	}
	if (v == ve)
		return fail(ps, "'%.*s' has no value (truncated line?)", n, p);
	if (f->id < SF_THPELIGIBLE && !f->has_kb) {
		if (is_digit(*v))
			return fail(ps, "'%.*s' has no kB unit (truncated line?)",
				    n, p);
		return bad_value(ps, p, n, v, ve);
	}
	if (!f->is_num)
		return bad_value(ps, p, n, v, ve);
	m->val[f->id] = f->value;
	m->present |= UINT64_C(1) << f->id;
	return 0;
}

/* 8 bytes of the text as a number, the first byte lowest. */
static uint64_t load_le64(const char *s)
{
	uint64_t x;

	memcpy(&x, s, sizeof(x));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

#define ONES UINT64_C(0x0101010101010101)

/*
 * The 8 columns at s as a right-aligned decimal number: blanks, then at
 * least one digit, nothing else. 1 with the value and the number of
 * leading blanks, else 0. A word at a time: this runs on most lines.
 */
static int right_aligned(const char *s, uint64_t *v, unsigned *lead)
{
	uint64_t x = load_le64(s), low = x & 0x0f * ONES;
	uint64_t digit = x >> 4 & ONES, blank = ~x >> 4 & ONES;
	unsigned k;

	/* every byte 0x20..0x3f; of those, only ' ' and '0'..'9' */
	if ((x & 0xe0 * ONES) != 0x20 * ONES || (low & (blank * 0x0f)) ||
	    ((low + 0x06 * ONES) & 0x10 * ONES) || !digit)
		return 0;
	k = (unsigned)__builtin_ctzll(digit) / 8;	/* the first digit */
	if (blank >> 8 * k)			/* a blank after it */
		return 0;
	/* blanks are 0 in low: fold 8 digits, the first most significant */
	low = (low * 10 + (low >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
	low = (low * 100 + (low >> 16)) & UINT64_C(0x0000ffff0000ffff);
	low = (low * 10000 + (low >> 32)) & UINT64_C(0xffffffff);
	*v = low;
	*lead = k;
	return 1;
}

/*
 * The line at p as field `id` printed in the kernel's layout (field_pad):
 * its end ('\n' or the text end) with the field added to m, exactly as
 * parse_field would add it; NULL, with m untouched, for any other line.
 */
static const char *kernel_field(struct smaps_map *m, int id, const char *p,
				const char *e)
{
	int kb = id < SF_THPELIGIBLE;
	size_t len = PAD_COLS + NUM_COLS + (kb ? 3 : 0);
	size_t avail = (size_t)(e - p);
	struct smaps_field *f;
	unsigned lead;
	uint64_t v;

	if (avail < len || memcmp(p, field_pad[id], PAD_COLS) != 0)
		return NULL;
	if (kb && avail > len) {	/* the usual case: one compare */
		if (memcmp(p + PAD_COLS + NUM_COLS, " kB\n", 4) != 0)
			return NULL;
	} else if ((kb && memcmp(p + PAD_COLS + NUM_COLS, " kB", 3) != 0) ||
		   (avail > len && p[len] != '\n')) {
		return NULL;
	}
	if (!right_aligned(p + PAD_COLS, &v, &lead))
		return NULL;
	f = &m->fields[m->nfields++];
	f->name = p;
	f->name_len = field_len[id];
	f->raw = p + PAD_COLS + lead;
	f->raw_len = len - PAD_COLS - lead;
	f->value = v;
	f->is_num = 1;
	f->has_kb = (unsigned)kb;
	f->id = id;
	m->val[id] = v;
	m->present |= UINT64_C(1) << id;
	return p + len;
}

/* The VmFlags line at p, as kernel_field does for the numeric ones. */
static const char *vmflags_field(struct smaps_map *m, const char *p,
				 const char *e)
{
	const char *le, *v, *ve;
	struct smaps_field *f;

	if (e - p < 8 || memcmp(p, "VmFlags:", 8) != 0)
		return NULL;
	le = line_end(p + 8, e);
	v = skip_blanks(p + 8, le);
	for (ve = le; ve > v && is_blank(ve[-1]); ve--)
		;
	/* a number, or a NUL to report: the general way */
	if ((v < ve && is_digit(*v)) || memchr(v, '\0', (size_t)(ve - v)))
		return NULL;
	f = &m->fields[m->nfields++];
	f->name = p;
	f->name_len = 7;
	f->raw = v;
	f->raw_len = (size_t)(ve - v);
	f->value = 0;
	f->is_num = 0;
	f->has_kb = 0;
	f->id = -1;
	m->vmflags = v;
	m->vmflags_len = f->raw_len;
	return le;
}

/*
 * The kernel prints the known fields in enum order, some left out (at
 * most three in a row: Pss_Anon, Pss_File and Pss_Shmem are rollup's):
 * try the field after the last one seen (*next) and the three after it,
 * then VmFlags. The line's end, or NULL for the general way.
 */
static const char *fast_field(struct smaps_map *m, int *next, const char *p,
			      const char *e)
{
	int id, last = *next + 4 < SF__COUNT ? *next + 4 : SF__COUNT;
	const char *le;

	if (m->nfields == SMAPS_MAX_FIELDS)
		return NULL;
	for (id = *next; id < last; id++) {
		if ((le = kernel_field(m, id, p, e))) {
			*next = id + 1;
			return le;
		}
	}
	return vmflags_field(m, p, e);
}

void smaps_parser_init(struct smaps_parser *ps, const char *text, size_t len)
{
	ps->p = text;
	ps->end = text + len;
	ps->lineno = 0;
	ps->err[0] = '\0';
}

/* Consume the line at ps->p; returns its end (the '\n' or the text end). */
static const char *take_line(struct smaps_parser *ps)
{
	const char *le = line_end(ps->p, ps->end);

	ps->p = le < ps->end ? le + 1 : le;
	ps->lineno++;
	return le;
}

/* The line [ls, le) failed: a NUL byte in it is the likelier cause. */
static int failed_line(struct smaps_parser *ps, const char *ls, const char *le)
{
	if (memchr(ls, '\0', (size_t)(le - ls)))
		return fail(ps, "NUL byte in the text");
	return -1;
}

/*
 * Skip to the next header line: blank lines always, anything else only
 * after an error (the rest of a bad record). Returns 1 at a header, 0 at
 * the end, -1 on a line that cannot start a record.
 */
static int find_header(struct smaps_parser *ps, int resync)
{
	const char *colon, *ls, *le;
	enum line_kind k;

	while (ps->p < ps->end) {
		k = classify(ps->p, ps->end, &colon);
		if (k == L_HEADER)
			return 1;
		ls = ps->p;
		le = take_line(ps);
		if (k == L_BLANK || resync)
			continue;
		if (k == L_FIELD)
			return fail(ps, "field before any mapping");
		fail(ps, "expected a mapping or a field");
		return failed_line(ps, ls, le);
	}
	return 0;
}

/* Copied rather than memset: gcc made that memset a "rep stos", which
 * was half the time of a header line. */
static const uint64_t no_values[SF__COUNT];

static void map_init(struct smaps_map *m, const char *ls, const char *le,
		     unsigned lineno)
{
	m->text = m->line = ls;
	m->line_len = (size_t)(le - ls);
	m->lineno = lineno;
	memcpy(m->val, no_values, sizeof(m->val));
	m->present = 0;
	m->nfields = 0;
	m->vmflags = NULL;
	m->vmflags_len = 0;
}

/* A non-empty err means the last call failed: the lines up to the next
 * header belong to that bad record and are skipped, not reported again. */
int smaps_next(struct smaps_parser *ps, struct smaps_map *m)
{
	const char *colon, *ls, *le, *rec_end;
	enum line_kind k;
	int r, next = 0, resync = ps->err[0] != '\0';

	ps->err[0] = '\0';
	if ((r = find_header(ps, resync)) <= 0)
		return r;
	ls = ps->p;
	le = take_line(ps);
	map_init(m, ls, le, ps->lineno);
	if (parse_header(ps, m, ls, le) < 0)
		return failed_line(ps, ls, le);
	rec_end = ps->p;
	while (ps->p < ps->end) {
		if ((le = fast_field(m, &next, ps->p, ps->end))) {
			ps->p = le < ps->end ? le + 1 : le;
			ps->lineno++;
			rec_end = ps->p;
			continue;
		}
		k = classify(ps->p, ps->end, &colon);
		if (k == L_HEADER)
			break;
		ls = ps->p;
		le = take_line(ps);
		if (k == L_BLANK)
			continue;
		if (k == L_OTHER) {
			fail(ps, "expected a mapping or a field");
			return failed_line(ps, ls, le);
		}
		if (parse_field(ps, m, ls, colon, le) < 0)
			return failed_line(ps, ls, le);
		if (m->fields[m->nfields - 1].id >= 0)
			next = m->fields[m->nfields - 1].id + 1;
		rec_end = ps->p;
	}
	m->text_len = (size_t)(rec_end - m->text);
	return 1;
}

enum smaps_format smaps_detect(const char *text, size_t len)
{
	struct smaps_parser ps;
	struct smaps_map m;
	const char *colon, *le;
	enum line_kind k = L_BLANK;

	smaps_parser_init(&ps, text, len);
	while (ps.p < ps.end && (k = classify(ps.p, ps.end, &colon)) == L_BLANK)
		take_line(&ps);
	if (ps.p == ps.end)
		return SMAPS_FMT_EMPTY;
	if (k != L_HEADER)
		return SMAPS_FMT_UNKNOWN;
	le = line_end(ps.p, ps.end);
	if (parse_header(&ps, &m, ps.p, le) < 0)
		return SMAPS_FMT_UNKNOWN;
	take_line(&ps);
	while (ps.p < ps.end && (k = classify(ps.p, ps.end, &colon)) == L_BLANK)
		take_line(&ps);
	if (ps.p == ps.end || k == L_HEADER)
		return SMAPS_FMT_MAPS;
	if (k != L_FIELD)
		return SMAPS_FMT_UNKNOWN;
	if (m.name_len == 8 && memcmp(m.name, "[rollup]", 8) == 0)
		return SMAPS_FMT_ROLLUP;
	return SMAPS_FMT_SMAPS;
}

const char *smaps_format_name(enum smaps_format f)
{
	switch (f) {
	case SMAPS_FMT_EMPTY:
		return "empty";
	case SMAPS_FMT_MAPS:
		return "maps";
	case SMAPS_FMT_SMAPS:
		return "smaps";
	case SMAPS_FMT_ROLLUP:
		return "rollup";
	case SMAPS_FMT_UNKNOWN:
		break;
	}
	return "unknown";
}

/*
 * No process holds more than its 64-bit address space, 2^54 kB: a sum
 * past 2^62 kB is a crafted text, and would wrap around or turn negative
 * in the store's 64-bit integers (uss and shared add two such sums).
 */
#define SUM_MAX (UINT64_C(1) << 62)

static int add(uint64_t *sum, uint64_t v)
{
	return __builtin_add_overflow(*sum, v, sum) || *sum > SUM_MAX;
}

/* 0, or -1 when a sum goes past SUM_MAX. */
static int add_map(struct smaps_totals *t, const struct smaps_map *m)
{
	const uint64_t *v = m->val;
	int big = 0;

	if (m->present & UINT64_C(1) << SF_SIZE)
		big |= add(&t->size, v[SF_SIZE]);
	else
		big |= add(&t->size, (m->end - m->start) / 1024);
	big |= add(&t->rss, v[SF_RSS]);
	big |= add(&t->pss, v[SF_PSS]);
	big |= add(&t->uss, v[SF_PRIVATE_CLEAN]);
	big |= add(&t->uss, v[SF_PRIVATE_DIRTY]);
	big |= add(&t->shared, v[SF_SHARED_CLEAN]);
	big |= add(&t->shared, v[SF_SHARED_DIRTY]);
	big |= add(&t->swap, v[SF_SWAP]);
	big |= add(&t->swap_pss, v[SF_SWAPPSS]);
	big |= add(&t->anonymous, v[SF_ANONYMOUS]);
	big |= add(&t->locked, v[SF_LOCKED]);
	t->nmaps++;
	t->present |= m->present;
	return big ? -1 : 0;
}

void smaps_summer_init(struct smaps_summer *s)
{
	memset(s, 0, sizeof(*s));
}

/* Where the last line that starts a record begins in (p, len), after
 * its first byte; 0 when none does. */
static size_t last_header(const char *p, size_t len)
{
	const char *colon, *nl;
	size_t at = len;

	while (at > 0 && (nl = memrchr(p, '\n', at - 1)) != NULL) {
		at = (size_t)(nl - p) + 1;
		if (classify(p + at, p + len, &colon) == L_HEADER)
			return at;
		at--;
	}
	return 0;
}

size_t smaps_summer_add(struct smaps_summer *s, const char *p, size_t len,
			int last)
{
	size_t take = len;
	struct smaps_parser ps;
	struct smaps_map m;
	int r;

	if (!last && !s->err[0] && !(take = last_header(p, len)) &&
	    len > SMAPS_SUMMER_MAX)
		take = len;	/* one record that long: cut it */
	if (s->err[0] || !take)
		return take;
	smaps_parser_init(&ps, p, take);
	ps.lineno = s->lines;	/* messages count from the text's start */
	while ((r = smaps_next(&ps, &m)) > 0) {
		if (add_map(&s->t, &m) < 0) {
			snprintf(s->err, sizeof(s->err), "line %u: figures too"
				 " large for a process (over 2^62 kB in all)",
				 m.lineno);
			return take;
		}
		if (s->each)
			s->each(s->arg, &m);
	}
	if (r < 0)
		snprintf(s->err, sizeof(s->err), "%s", ps.err);
	s->lines = ps.lineno;
	return take;
}

int smaps_sum(const char *text, size_t len, struct smaps_totals *t,
	      char *err, size_t errlen)
{
	struct smaps_summer s;

	smaps_summer_init(&s);
	smaps_summer_add(&s, text, len, 1);
	*t = s.t;
	if (!s.err[0])
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "%s", s.err);
	return -1;
}
