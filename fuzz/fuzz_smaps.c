/* fuzz_smaps.c - fuzz target: the maps/smaps parser over a whole text, its
 * sums, and the pmap renderers and stat/cmdline parsers that read stored text. */
#include "fuzz.h"
#include "mapagg.h"
#include "pmap.h"
#include "smaps.h"
#include "util.h"

#include <string.h>

/* Every record seen, for the second parse to compare against. */
struct seen {
	struct smaps_map *maps;
	size_t n, alloc;
	size_t nerr;		/* records left out, malformed */
	int ok;			/* the whole text parsed without an error */
};

static int inside(const char *p, size_t n, const char *lo, const char *hi)
{
	return p >= lo && p <= hi && n <= (size_t)(hi - p);
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The value text of a field, read the slow and obvious way: digits, then
 * nothing or blanks and "kB". 1 (a number), 0 (not one), -1 (a number
 * over 64 bits).
 */
static int ref_number(const char *s, size_t n, uint64_t *v, int *kb)
{
	size_t i = 0, j;
	int ovf = 0;

	*v = 0;
	*kb = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (*v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			ovf = 1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return 0;
	if (i < n) {
		for (j = i; j < n && blank(s[j]); j++)
			;
		if (j == i || n - j != 2 || s[j] != 'k' || s[j + 1] != 'B')
			return 0;
		*kb = 1;
	}
	return ovf ? -1 : 1;
}

static void check_field(const struct smaps_map *m, const struct smaps_field *f,
			const char *body, const char *rend)
{
	uint64_t v;
	int kb, num;

	FUZZ_CHECK(inside(f->name, f->name_len, body, rend));
	FUZZ_CHECK(inside(f->raw, f->raw_len, f->name + f->name_len, rend));
	FUZZ_CHECK(f->name_len > 0 && f->name[f->name_len] == ':');
	FUZZ_CHECK(!memchr(f->name, '\n', f->name_len));
	FUZZ_CHECK(!memchr(f->raw, '\n', f->raw_len));
	FUZZ_CHECK(f->raw_len == 0 || (!blank(f->raw[0]) &&
		   !blank(f->raw[f->raw_len - 1]) && f->raw[f->raw_len - 1] != '\r'));
	FUZZ_CHECK(f->id == smaps_field_lookup(f->name, f->name_len));
	num = ref_number(f->raw, f->raw_len, &v, &kb);
	FUZZ_CHECK(num >= 0);	/* over 64 bits is an error, not a record */
	FUZZ_CHECK((unsigned)num == f->is_num);
	if (num) {
		FUZZ_CHECK(f->value == v);
		FUZZ_CHECK((unsigned)kb == f->has_kb);
	}
	if (f->id >= 0) {
		FUZZ_CHECK(f->is_num);
		/* a kB unit where the kernel prints none is let pass */
		FUZZ_CHECK(f->has_kb || f->id >= SF_THPELIGIBLE);
		FUZZ_CHECK(m->present & UINT64_C(1) << f->id);
	} else {
		FUZZ_CHECK(f->is_num || !memchr(f->raw, '\0', f->raw_len));
	}
}

/* One record returned by smaps_next: everything in it is in the text. */
static void check_record(const char *text, size_t len,
			 const struct smaps_map *m)
{
	const char *rend = m->text + m->text_len, *body, *vmflags = NULL;
	uint64_t present = 0, val[SF__COUNT] = { 0 };
	size_t i, vmflags_len = 0;

	FUZZ_CHECK(inside(m->text, m->text_len, text, text + len));
	FUZZ_CHECK(m->text == text || m->text[-1] == '\n');
	FUZZ_CHECK(m->line == m->text && m->line_len <= m->text_len);
	FUZZ_CHECK(!memchr(m->line, '\n', m->line_len));
	FUZZ_CHECK(m->line_len == m->text_len || m->line[m->line_len] == '\n');
	FUZZ_CHECK(m->text_len == 0 || rend == text + len || rend[-1] == '\n');
	FUZZ_CHECK(m->start <= m->end);
	FUZZ_CHECK(strlen(m->perms) == 4 && strchr("r-", m->perms[0]) &&
		   strchr("w-", m->perms[1]) && strchr("x-", m->perms[2]) &&
		   strchr("ps", m->perms[3]));
	FUZZ_CHECK(inside(m->name, m->name_len, m->line, m->line + m->line_len));
	FUZZ_CHECK(m->name + m->name_len == m->line + m->line_len);
	FUZZ_CHECK(!memchr(m->name, '\0', m->name_len));
	FUZZ_CHECK(m->nfields <= SMAPS_MAX_FIELDS);
	body = m->line + m->line_len;
	for (i = 0; i < m->nfields; i++) {
		const struct smaps_field *f = &m->fields[i];

		check_field(m, f, body, rend);
		FUZZ_CHECK(i == 0 || f->name > m->fields[i - 1].raw);
		if (f->id >= 0) {
			present |= UINT64_C(1) << f->id;
			val[f->id] = f->value;
		}
		if (f->name_len == 7 && !memcmp(f->name, "VmFlags", 7)) {
			vmflags = f->raw;
			vmflags_len = f->raw_len;
		}
	}
	FUZZ_CHECK(present == m->present);
	FUZZ_CHECK(!memcmp(val, m->val, sizeof(val)));
	FUZZ_CHECK(m->vmflags == vmflags && m->vmflags_len == vmflags_len);
}

/* "line N: cause" with N a line of the text and not before `after`. */
static void check_error(const char *err, unsigned after, unsigned nlines)
{
	unsigned long n;
	char *end;

	FUZZ_CHECK(!strncmp(err, "line ", 5));
	n = strtoul(err + 5, &end, 10);
	FUZZ_CHECK(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
	FUZZ_CHECK(n >= 1 && n >= after && n <= nlines);
	for (; *err; err++)
		FUZZ_CHECK(*err >= 0x20 && *err < 0x7f);
}

static unsigned count_lines(const char *text, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	return n + (len && text[len - 1] != '\n');
}

/* Parse the whole text, going on after errors, checking every record;
 * the first error's message into first_err. */
static void parse_all(const char *text, size_t len, struct seen *s,
		      char *first_err, size_t errlen)
{
	struct smaps_parser ps;
	struct smaps_map m;
	unsigned last = 0, nlines = count_lines(text, len);
	const char *prev_end = text, *before;
	size_t calls = 0;
	int r;

	s->ok = 1;
	first_err[0] = '\0';
	smaps_parser_init(&ps, text, len);
	for (;;) {
		before = ps.p;
		r = smaps_next(&ps, &m);
		FUZZ_CHECK(++calls <= (size_t)nlines + 1);
		if (r == 0) {
			FUZZ_CHECK(ps.p == ps.end);
			break;
		}
		FUZZ_CHECK(ps.p > before && ps.p <= ps.end);
		FUZZ_CHECK(ps.lineno <= nlines);
		if (r < 0) {
			check_error(ps.err, last + 1, nlines);
			if (s->ok)
				snprintf(first_err, errlen, "%s", ps.err);
			s->ok = 0;
			s->nerr++;
			last = (unsigned)strtoul(ps.err + 5, NULL, 10);
			continue;
		}
		FUZZ_CHECK(r == 1 && ps.err[0] == '\0');
		check_record(text, len, &m);
		FUZZ_CHECK(m.lineno > last && m.lineno <= nlines);
		FUZZ_CHECK(m.text >= prev_end);
		last = ps.lineno;	/* the record's last line */
		prev_end = m.text + m.text_len;
		if (s->n == s->alloc) {
			s->alloc = s->alloc ? 2 * s->alloc : 16;
			s->maps = xreallocarray(s->maps, s->alloc, sizeof(m));
		}
		s->maps[s->n++] = m;
	}
}

/* a += b; 1 when a passes 2^62 kB, which smaps_sum refuses. */
static int add(uint64_t *a, uint64_t b)
{
	return __builtin_add_overflow(*a, b, a) || *a > UINT64_C(1) << 62;
}

/* smaps_sum must add up what the records hold, smem's way. */
static void check_sum(const char *text, size_t len, const struct seen *s,
		      const char *first_err)
{
	struct smaps_totals t, want = { 0 };
	char err[160];
	size_t i;
	int r = smaps_sum(text, len, &t, err, sizeof(err)), big = 0;

	if (!s->ok) {
		FUZZ_CHECK(r < 0 && !strcmp(err, first_err));
		return;
	}
	for (i = 0; i < s->n; i++) {
		const struct smaps_map *m = &s->maps[i];
		const uint64_t *v = m->val;

		big |= add(&want.size, m->present & 1 ? v[SF_SIZE]
			   : (m->end - m->start) / 1024);
		big |= add(&want.rss, v[SF_RSS]);
		big |= add(&want.pss, v[SF_PSS]);
		big |= add(&want.uss, v[SF_PRIVATE_CLEAN]);
		big |= add(&want.uss, v[SF_PRIVATE_DIRTY]);
		big |= add(&want.shared, v[SF_SHARED_CLEAN]);
		big |= add(&want.shared, v[SF_SHARED_DIRTY]);
		big |= add(&want.swap, v[SF_SWAP]);
		big |= add(&want.swap_pss, v[SF_SWAPPSS]);
		big |= add(&want.anonymous, v[SF_ANONYMOUS]);
		big |= add(&want.locked, v[SF_LOCKED]);
		want.present |= m->present;
		if (big)
			break;
	}
	FUZZ_CHECK(r == (big ? -1 : 0));
	if (big) {
		FUZZ_CHECK(strstr(err, "too large"));
		return;
	}
	want.nmaps = s->n;
	FUZZ_CHECK(!memcmp(&t, &want, sizeof(t)));
}

/*
 * libs, showmap, diff and growth sum mappings by name or region with
 * mapagg_add_text: every record that parses is counted once, in one
 * entry, and the malformed ones are left out and counted.
 */
static void check_mapagg(const char *text, size_t len, const struct seen *s,
			 const char *first_err, enum mapagg_key key, int usage)
{
	struct mapagg a;
	uint64_t count = 0, size = 0, rss = 0, want_size = 0, want_rss = 0;
	char err[160] = "";
	size_t i, bad;

	mapagg_init(&a);
	a.key = key;
	bad = mapagg_add_text(&a, text, len, usage, 7, err, sizeof(err));
	FUZZ_CHECK(bad == s->nerr);
	FUZZ_CHECK(!strcmp(err, first_err));
	for (i = 0; i < a.n; i++) {
		const struct mapagg_entry *e = &a.v[i];

		FUZZ_CHECK(e->count > 0 && e->pids == 1 && e->lo <= e->hi);
		FUZZ_CHECK(e->nousage == (usage ? 0 : e->count));
		FUZZ_CHECK(strlen(mapagg_name(&a, e)) > 0);
		count += e->count;
		size += e->size;
		rss += e->rss;
	}
	for (i = 0; i < s->n; i++) {
		const struct smaps_map *m = &s->maps[i];

		want_size += m->present & 1 ? m->val[SF_SIZE]
			: (m->end - m->start) / 1024;
		want_rss += m->val[SF_RSS];
	}
	FUZZ_CHECK(count == s->n && size == want_size);
	FUZZ_CHECK(rss == (usage ? want_rss : 0));
	mapagg_release(&a);
}

/* The format seen in the first lines agrees with the first record. */
static void check_detect(const char *text, size_t len)
{
	enum smaps_format f = smaps_detect(text, len);
	struct smaps_parser ps;
	struct smaps_map m;
	int r;

	smaps_parser_init(&ps, text, len);
	r = smaps_next(&ps, &m);
	FUZZ_CHECK((r == 0) == (f == SMAPS_FMT_EMPTY));
	if (r > 0 && m.nfields == 0)
		FUZZ_CHECK(f == SMAPS_FMT_MAPS);
	if (r > 0 && m.nfields > 0)
		FUZZ_CHECK(f == (m.name_len == 8 && !memcmp(m.name, "[rollup]", 8)
				 ? SMAPS_FMT_ROLLUP : SMAPS_FMT_SMAPS));
	FUZZ_CHECK(strlen(smaps_format_name(f)) > 0);
}

/*
 * The same text with a blank before the end of every field line: no
 * longer the kernel's exact layout, so every field takes the general path
 * (parse_field), which must read what the word-at-a-time path read.
 */
static void check_slow_path(const char *text, size_t len,
			    const struct seen *s)
{
	struct smaps_parser ps;
	struct smaps_map m;
	char *copy, *out;
	const char *p = text;
	size_t i, j, nf = 0;
	int r;

	for (i = 0; i < s->n; i++)
		nf += s->maps[i].nfields;
	copy = out = xmalloc(len + nf + 1);
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->maps[i].nfields; j++) {
			const char *f = s->maps[i].fields[j].name;
			const char *nl = memchr(f, '\n', (size_t)(text + len - f));
			const char *le = nl ? nl : text + len;

			memcpy(out, p, (size_t)(le - p));
			out += le - p;
			*out++ = ' ';
			p = le;
		}
	}
	memcpy(out, p, (size_t)(text + len - p));
	out += text + len - p;
	smaps_parser_init(&ps, copy, (size_t)(out - copy));
	for (i = 0; (r = smaps_next(&ps, &m)) > 0; i++) {
		const struct smaps_map *o = &s->maps[i];

		FUZZ_CHECK(i < s->n);
		FUZZ_CHECK(m.lineno == o->lineno && m.start == o->start &&
			   m.end == o->end && m.offset == o->offset &&
			   m.inode == o->inode && m.dev_major == o->dev_major &&
			   m.dev_minor == o->dev_minor &&
			   !strcmp(m.perms, o->perms) &&
			   m.name_len == o->name_len &&
			   !memcmp(m.name, o->name, m.name_len));
		FUZZ_CHECK(m.nfields == o->nfields && m.present == o->present &&
			   !memcmp(m.val, o->val, sizeof(m.val)));
		for (j = 0; j < m.nfields; j++) {
			const struct smaps_field *a = &m.fields[j];
			const struct smaps_field *b = &o->fields[j];

			FUZZ_CHECK(a->id == b->id && a->is_num == b->is_num &&
				   a->has_kb == b->has_kb &&
				   a->value == b->value &&
				   a->raw_len == b->raw_len &&
				   !memcmp(a->raw, b->raw, a->raw_len));
		}
	}
	FUZZ_CHECK(r == 0 && i == s->n);
	free(copy);
}

/* A renderer's failure prints one message line, naming the file. */
static void check_message(const char *msg, size_t n, int failed)
{
	if (!failed) {
		FUZZ_CHECK(n == 0);
		return;
	}
	FUZZ_CHECK(n > 0 && msg[n - 1] == '\n' && memchr(msg, '\n', n) == msg + n - 1);
	FUZZ_CHECK(strstr(msg, "'fuzz.db'"));
}

/* What `mapsnap-analyze pmap` does with a stored text that parses. */
static void check_pmap(const uint8_t *data, size_t size, const char *text,
		       size_t len, enum smaps_format f)
{
	struct pmap_proc p = { "fuzz.db", 42, text, len, 0, 0, ~0u };
	struct pmap_opts o = { 0 };
	static FILE *null;
	FILE *saved = stderr, *msg;
	char *mbuf = NULL, err[200];
	size_t mlen = 0;
	uint8_t k = size ? data[size - 1] : 0;
	int r;

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	FUZZ_CHECK(pmap_shm_minor(text, len, &p.shm_minor, err, sizeof(err)) == 0);
	p.long32 = k & 1;
	p.start_stack = k & 2 ? 0x7ffc0000 : 0;
	o.q = !!(k & 4);
	o.p = !!(k & 8);
	if (f == SMAPS_FMT_SMAPS && k & 16)
		o.X = 1 + !!(k & 32);
	else if (f == SMAPS_FMT_SMAPS && k & 32)
		o.x = 1;
	else
		o.d = !!(k & 64);
	/* error() writes to stderr: catch the message to check it */
	if (!(msg = open_memstream(&mbuf, &mlen)))
		abort();
	stderr = msg;
	r = o.X ? pmap_print_extended(&p, &o, null)
		: pmap_print_maps(&p, &o, null);
	stderr = saved;
	fclose(msg);
	FUZZ_CHECK(r == 0 || r == -1);
	FUZZ_CHECK(r == 0 || o.X);	/* the text parses: only -X may refuse */
	check_message(mbuf, mlen, r < 0);
	free(mbuf);
}

/* The stat, status and cmdline parsers of pmap's header line. */
static void check_pmap_header(const char *text, size_t len)
{
	char *str = xmemdup(text, len);	/* these two take a C string */
	struct pmap_stat st;
	char *line;

	pmap_parse_stat(str, "comm", &st);
	FUZZ_CHECK(memchr(st.comm, '\0', sizeof(st.comm)));
	(void)pmap_tgid(str, 42);
	free(str);
	line = pmap_cmdline(text, len, &st);
	/* one line; controls inside a UTF-8 sequence stay, as in libproc2 */
	FUZZ_CHECK(line != NULL && line[0] != '\0' && !strchr(line, '\n'));
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so ASan sees any read past the end */
	char *text = xmalloc(size ? size : 1);
	struct seen s = { NULL, 0, 0, 0, 0 };
	char first_err[160];

	if (size)
		memcpy(text, data, size);
	parse_all(text, size, &s, first_err, sizeof(first_err));
	check_sum(text, size, &s, first_err);
	check_mapagg(text, size, &s, first_err, size & 1 ? MAPAGG_BY_REGION
		     : MAPAGG_BY_NAME, !(size & 2));
	check_detect(text, size);
	if (s.ok) {
		check_slow_path(text, size, &s);
		check_pmap(data, size, text, size, smaps_detect(text, size));
	}
	check_pmap_header(text, size);
	free(s.maps);
	free(text);
	return 0;
}
