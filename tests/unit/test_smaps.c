/* test_smaps.c - table-driven tests of the maps/smaps/smaps_rollup parser:
 * every name kind, old kernels, malformed text, totals, format detection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smaps.h"

#define B(id) (UINT64_C(1) << (id))
/* What this kernel prints per mapping (no Pss_Anon/File/Shmem, no pkeys). */
#define MODERN (B(SF__COUNT) - 1 - B(SF_PSS_ANON) - B(SF_PSS_FILE) - \
		B(SF_PSS_SHMEM) - B(SF_PROTECTIONKEY))
#define OLD (B(SF_SIZE) | B(SF_RSS) | B(SF_PSS) | B(SF_SHARED_CLEAN) | \
	     B(SF_SHARED_DIRTY) | B(SF_PRIVATE_CLEAN) | B(SF_PRIVATE_DIRTY) | \
	     B(SF_REFERENCED) | B(SF_SWAP) | B(SF_KERNELPAGESIZE) | \
	     B(SF_MMUPAGESIZE))
#define ROLLUP_BITS (B(SF__COUNT) - 1 - B(SF_SIZE) - B(SF_KERNELPAGESIZE) - \
		     B(SF_MMUPAGESIZE) - B(SF_THPELIGIBLE) - \
		     B(SF_PROTECTIONKEY))

#define HDR_CAT "564d6958a000-564d6958c000 r--p 00000000 fe:00 247134" \
	"                     /usr/bin/cat"
#define REC_CAT HDR_CAT "\n" \
	"Size:                  8 kB\n" \
	"KernelPageSize:        4 kB\n" \
	"MMUPageSize:           4 kB\n" \
	"Rss:                   8 kB\n" \
	"Pss:                   6 kB\n" \
	"Pss_Dirty:             0 kB\n" \
	"Shared_Clean:          4 kB\n" \
	"Shared_Dirty:          0 kB\n" \
	"Private_Clean:         4 kB\n" \
	"Private_Dirty:         0 kB\n" \
	"Referenced:            8 kB\n" \
	"Anonymous:             0 kB\n" \
	"KSM:                   0 kB\n" \
	"LazyFree:              0 kB\n" \
	"AnonHugePages:         0 kB\n" \
	"ShmemPmdMapped:        0 kB\n" \
	"FilePmdMapped:         0 kB\n" \
	"Shared_Hugetlb:        0 kB\n" \
	"Private_Hugetlb:       0 kB\n" \
	"Swap:                  0 kB\n" \
	"SwapPss:               0 kB\n" \
	"Locked:                0 kB\n" \
	"THPeligible:           0\n" \
	"VmFlags: rd mr mw me \n"

#define HDR_HEAP "564d6a3c1000-564d6a3e2000 rw-p 00000000 00:00 0" \
	"                          [heap]"
#define REC_HEAP HDR_HEAP "\n" \
	"Size:                132 kB\n" \
	"KernelPageSize:        4 kB\n" \
	"MMUPageSize:           4 kB\n" \
	"Rss:                 128 kB\n" \
	"Pss:                 128 kB\n" \
	"Pss_Dirty:           128 kB\n" \
	"Shared_Clean:          0 kB\n" \
	"Shared_Dirty:          0 kB\n" \
	"Private_Clean:         0 kB\n" \
	"Private_Dirty:       128 kB\n" \
	"Referenced:          128 kB\n" \
	"Anonymous:           128 kB\n" \
	"KSM:                   0 kB\n" \
	"LazyFree:              0 kB\n" \
	"AnonHugePages:         0 kB\n" \
	"ShmemPmdMapped:        0 kB\n" \
	"FilePmdMapped:         0 kB\n" \
	"Shared_Hugetlb:        0 kB\n" \
	"Private_Hugetlb:       0 kB\n" \
	"Swap:                  4 kB\n" \
	"SwapPss:               4 kB\n" \
	"Locked:                0 kB\n" \
	"THPeligible:    0\n" \
	"ProtectionKey:         0\n" \
	"VmFlags: rd wr mr mw me ac sd \n"

/* A 2.6.32-era record: few fields, a different order, no VmFlags. */
#define HDR_OLD "08048000-08056000 r-xp 00000000 08:01 131090     /bin/ls"
#define REC_OLD HDR_OLD "\n" \
	"Size:                 56 kB\n" \
	"Rss:                  48 kB\n" \
	"Pss:                  20 kB\n" \
	"Shared_Clean:         40 kB\n" \
	"Shared_Dirty:          0 kB\n" \
	"Private_Clean:         8 kB\n" \
	"Private_Dirty:         0 kB\n" \
	"Referenced:           48 kB\n" \
	"Swap:                  0 kB\n" \
	"KernelPageSize:        4 kB\n" \
	"MMUPageSize:           4 kB\n"

#define HDR_ROLLUP "55ced5033000-7ffdfac13000 ---p 00000000 00:00 0" \
	"                          [rollup]"
#define REC_ROLLUP HDR_ROLLUP "\n" \
	"Rss:                1760 kB\n" \
	"Pss:                 490 kB\n" \
	"Pss_Dirty:           112 kB\n" \
	"Pss_Anon:            112 kB\n" \
	"Pss_File:            378 kB\n" \
	"Pss_Shmem:             0 kB\n" \
	"Shared_Clean:       1568 kB\n" \
	"Shared_Dirty:          0 kB\n" \
	"Private_Clean:        80 kB\n" \
	"Private_Dirty:       112 kB\n" \
	"Referenced:         1760 kB\n" \
	"Anonymous:           112 kB\n" \
	"KSM:                   0 kB\n" \
	"LazyFree:              0 kB\n" \
	"AnonHugePages:         0 kB\n" \
	"ShmemPmdMapped:        0 kB\n" \
	"FilePmdMapped:         0 kB\n" \
	"Shared_Hugetlb:        0 kB\n" \
	"Private_Hugetlb:       0 kB\n" \
	"Swap:                 12 kB\n" \
	"SwapPss:               6 kB\n" \
	"Locked:                0 kB\n"

/* Unknown fields: numeric with kB, numeric without, and a string. */
#define HDR_UNK "7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0 "
#define REC_UNK HDR_UNK "\n" \
	"Size:                132 kB\n" \
	"Pss_Locked:            4 kB\n" \
	"Rss:                  16 kB\n" \
	"Mystery:   hello  world  \n" \
	"Counter:   12\n" \
	"Empty:\n"

/* Mappings of every name kind, as /proc/PID/maps prints them. */
#define M_SPACE "7f0000001000-7f0000002000 r--p 00001000 fe:00 42" \
	"                       /tmp/my lib.so"
#define M_DELETED "7f0000002000-7f0000003000 r-xp 00000000 fe:00 43" \
	"                       /usr/lib/libfoo.so (deleted)"
#define M_STACK "7ffd1c8e4000-7ffd1c905000 rw-p 00000000 00:00 0" \
	"                          [stack]"
#define M_VVAR "7ffd1c9b7000-7ffd1c9bb000 r--p 00000000 00:00 0" \
	"                          [vvar]"
#define M_VDSO "7ffd1c9bb000-7ffd1c9bd000 r-xp 00000000 00:00 0" \
	"                          [vdso]"
#define M_VSYS "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0" \
	"                  [vsyscall]"
#define M_ANON "7f0000004000-7f0000005000 rw-p 00000000 00:00 0" \
	"                          [anon:dalvik main space (region)]"
#define M_ASHM "7f0000005000-7f0000006000 rw-s 00000000 00:01 2050" \
	"                       [anon_shmem:my shared]"
#define M_MEMFD "7f0000006000-7f0000007000 rw-s 00000000 00:01 1031" \
	"                       /memfd:foo (deleted)"
#define M_SYSV "7f0000007000-7f0000008000 rw-s 00000000 00:01 32768" \
	"                      /SYSV00000000 (deleted)"
#define M_NVME "7f0000008000-7f000000a000 r--p 0002a000 103:02 9999999" \
	"                  /opt/x.so"
#define M_NONAME "7f000000a000-7f000000b000 ---p 00000000 00:00 0"
#define M_32 "08048000-08056000 r-xp 00000000 08:01 131090     /bin/ls"
#define M_32ANON "f7f00000-f7f21000 rw-p 00000000 00:00 0 "
#define M_UPPER "7F000000B000-7F000000C000 rw-p 0000ABCD 0A:0B 7      /x"

struct kv {
	int id1;	/* field id + 1; 0 ends the list */
	uint64_t v;
};
#define V(id, v) { (id) + 1, (v) }

struct want_field {
	size_t idx;
	const char *name, *raw;	/* name NULL ends the list */
	uint64_t value;
	int is_num, has_kb, id;
};

struct want_map {
	const char *line, *perms, *name;
	uint64_t start, end, offset, inode;
	unsigned maj, min, lineno;
	size_t nfields;
	uint64_t present;
	const char *vmflags;	/* NULL: no VmFlags line */
	struct kv val[8];
	struct want_field f[6];		/* name NULL ends the list */
};

struct parse_case {
	const char *desc, *text;
	size_t len;		/* 0: strlen(text) */
	int nmaps;
	struct want_map m[3];
};

#define MAP(hdr, s, e, pm, off, mj, mn, ino, nm, ln) \
	.line = hdr, .start = s, .end = e, .perms = pm, .offset = off, \
	.maj = mj, .min = mn, .inode = ino, .name = nm, .lineno = ln

static const struct parse_case parse_cases[] = {
	{ "modern smaps record", REC_CAT, 0, 1, { {
		MAP(HDR_CAT, 0x564d6958a000, 0x564d6958c000, "r--p", 0,
		    0xfe, 0, 247134, "/usr/bin/cat", 1),
		.nfields = 24, .present = MODERN, .vmflags = "rd mr mw me",
		.val = { V(SF_SIZE, 8), V(SF_RSS, 8), V(SF_PSS, 6),
			 V(SF_SHARED_CLEAN, 4), V(SF_PRIVATE_CLEAN, 4),
			 V(SF_REFERENCED, 8) },
		.f = { { 0, "Size", "8 kB", 8, 1, 1, SF_SIZE },
		       { 11, "Anonymous", "0 kB", 0, 1, 1, SF_ANONYMOUS },
		       { 22, "THPeligible", "0", 0, 1, 0, SF_THPELIGIBLE },
		       { 23, "VmFlags", "rd mr mw me", 0, 0, 0, -1 } } } } },
	{ "two records, heap with ProtectionKey", REC_CAT REC_HEAP, 0, 2, { {
		MAP(HDR_CAT, 0x564d6958a000, 0x564d6958c000, "r--p", 0,
		    0xfe, 0, 247134, "/usr/bin/cat", 1),
		.nfields = 24, .present = MODERN, .vmflags = "rd mr mw me" }, {
		MAP(HDR_HEAP, 0x564d6a3c1000, 0x564d6a3e2000, "rw-p", 0,
		    0, 0, 0, "[heap]", 26),
		.nfields = 25, .present = MODERN | B(SF_PROTECTIONKEY),
		.vmflags = "rd wr mr mw me ac sd",
		.val = { V(SF_ANONYMOUS, 128), V(SF_SWAP, 4),
			 V(SF_SWAPPSS, 4), V(SF_PROTECTIONKEY, 0),
			 V(SF_PRIVATE_DIRTY, 128), V(SF_SIZE, 132) },
		.f = { { 22, "THPeligible", "0", 0, 1, 0, SF_THPELIGIBLE },
		       { 23, "ProtectionKey", "0", 0, 1, 0,
			 SF_PROTECTIONKEY } } } } },
	{ "old kernel record, 32-bit", REC_OLD, 0, 1, { {
		MAP(HDR_OLD, 0x08048000, 0x08056000, "r-xp", 0, 8, 1, 131090,
		    "/bin/ls", 1),
		.nfields = 11, .present = OLD,
		.val = { V(SF_SIZE, 56), V(SF_RSS, 48), V(SF_PSS, 20),
			 V(SF_MMUPAGESIZE, 4), V(SF_ANONYMOUS, 0) } } } },
	{ "rollup", REC_ROLLUP, 0, 1, { {
		MAP(HDR_ROLLUP, 0x55ced5033000, 0x7ffdfac13000, "---p", 0,
		    0, 0, 0, "[rollup]", 1),
		.nfields = 22, .present = ROLLUP_BITS,
		.val = { V(SF_RSS, 1760), V(SF_PSS_ANON, 112),
			 V(SF_PSS_FILE, 378), V(SF_SWAP, 12) } } } },
	{ "unknown fields kept", REC_UNK, 0, 1, { {
		MAP(HDR_UNK, 0x7f1c2a000000, 0x7f1c2a021000, "rw-p", 0, 0, 0,
		    0, "", 1),
		.nfields = 6, .present = B(SF_SIZE) | B(SF_RSS),
		.val = { V(SF_RSS, 16), V(SF_SIZE, 132) },
		.f = { { 1, "Pss_Locked", "4 kB", 4, 1, 1, -1 },
		       { 3, "Mystery", "hello  world", 0, 0, 0, -1 },
		       { 4, "Counter", "12", 12, 1, 0, -1 },
		       { 5, "Empty", "", 0, 0, 0, -1 } } } } },
	{ "last line without newline", REC_CAT HDR_OLD "\nRss: 4 kB", 0, 2,
	  { { MAP(HDR_CAT, 0x564d6958a000, 0x564d6958c000, "r--p", 0,
		  0xfe, 0, 247134, "/usr/bin/cat", 1),
	      .nfields = 24, .present = MODERN, .vmflags = "rd mr mw me" },
	    { MAP(HDR_OLD, 0x08048000, 0x08056000, "r-xp", 0, 8, 1, 131090,
		  "/bin/ls", 26),
	      .nfields = 1, .present = B(SF_RSS),
	      .f = { { 0, "Rss", "4 kB", 4, 1, 1, SF_RSS } } } } },
	{ "VmFlags last, no newline", HDR_UNK "\nVmFlags: rd ex", 0, 1, { {
		MAP(HDR_UNK, 0x7f1c2a000000, 0x7f1c2a021000, "rw-p", 0, 0, 0,
		    0, "", 1),
		.nfields = 1, .vmflags = "rd ex" } } },
	{ "maps header without newline", M_VSYS, 0, 1, { {
		MAP(M_VSYS, 0xffffffffff600000, 0xffffffffff601000, "--xp", 0,
		    0, 0, 0, "[vsyscall]", 1) } } },
	{ "blank lines are skipped", "\n" M_32 "\n\n" M_NONAME "\n  \n", 0, 2,
	  { { MAP(M_32, 0x08048000, 0x08056000, "r-xp", 0, 8, 1, 131090,
		  "/bin/ls", 2) },
	    { MAP(M_NONAME, 0x7f000000a000, 0x7f000000b000, "---p", 0, 0, 0,
		  0, "", 4) } } },
	{ "path with spaces", M_SPACE "\n", 0, 1, { {
		MAP(M_SPACE, 0x7f0000001000, 0x7f0000002000, "r--p", 0x1000,
		    0xfe, 0, 42, "/tmp/my lib.so", 1) } } },
	{ "deleted", M_DELETED "\n", 0, 1, { {
		MAP(M_DELETED, 0x7f0000002000, 0x7f0000003000, "r-xp", 0,
		    0xfe, 0, 43, "/usr/lib/libfoo.so (deleted)", 1) } } },
	{ "heap", HDR_HEAP "\n", 0, 1, { {
		MAP(HDR_HEAP, 0x564d6a3c1000, 0x564d6a3e2000, "rw-p", 0,
		    0, 0, 0, "[heap]", 1) } } },
	{ "stack, vvar, vdso", M_STACK "\n" M_VVAR "\n" M_VDSO "\n", 0, 3,
	  { { MAP(M_STACK, 0x7ffd1c8e4000, 0x7ffd1c905000, "rw-p", 0, 0, 0,
		  0, "[stack]", 1) },
	    { MAP(M_VVAR, 0x7ffd1c9b7000, 0x7ffd1c9bb000, "r--p", 0, 0, 0,
		  0, "[vvar]", 2) },
	    { MAP(M_VDSO, 0x7ffd1c9bb000, 0x7ffd1c9bd000, "r-xp", 0, 0, 0,
		  0, "[vdso]", 3) } } },
	{ "vsyscall", M_VSYS "\n", 0, 1, { {
		MAP(M_VSYS, 0xffffffffff600000, 0xffffffffff601000, "--xp", 0,
		    0, 0, 0, "[vsyscall]", 1) } } },
	{ "anon name with spaces", M_ANON "\n", 0, 1, { {
		MAP(M_ANON, 0x7f0000004000, 0x7f0000005000, "rw-p", 0, 0, 0, 0,
		    "[anon:dalvik main space (region)]", 1) } } },
	{ "anon_shmem", M_ASHM "\n", 0, 1, { {
		MAP(M_ASHM, 0x7f0000005000, 0x7f0000006000, "rw-s", 0, 0, 1,
		    2050, "[anon_shmem:my shared]", 1) } } },
	{ "memfd", M_MEMFD "\n", 0, 1, { {
		MAP(M_MEMFD, 0x7f0000006000, 0x7f0000007000, "rw-s", 0, 0, 1,
		    1031, "/memfd:foo (deleted)", 1) } } },
	{ "SysV shm", M_SYSV "\n", 0, 1, { {
		MAP(M_SYSV, 0x7f0000007000, 0x7f0000008000, "rw-s", 0, 0, 1,
		    32768, "/SYSV00000000 (deleted)", 1) } } },
	{ "3-digit major", M_NVME "\n", 0, 1, { {
		MAP(M_NVME, 0x7f0000008000, 0x7f000000a000, "r--p", 0x2a000,
		    0x103, 2, 9999999, "/opt/x.so", 1) } } },
	{ "empty name, no trailing blank", M_NONAME "\n", 0, 1, { {
		MAP(M_NONAME, 0x7f000000a000, 0x7f000000b000, "---p", 0, 0, 0,
		    0, "", 1) } } },
	{ "32-bit, anonymous", M_32 "\n" M_32ANON "\n", 0, 2,
	  { { MAP(M_32, 0x08048000, 0x08056000, "r-xp", 0, 8, 1, 131090,
		  "/bin/ls", 1) },
	    { MAP(M_32ANON, 0xf7f00000, 0xf7f21000, "rw-p", 0, 0, 0, 0, "",
		  2) } } },
	{ "upper-case hex", M_UPPER "\n", 0, 1, { {
		MAP(M_UPPER, 0x7f000000b000, 0x7f000000c000, "rw-p", 0xabcd,
		    10, 11, 7, "/x", 1) } } },
	{ "empty text", "", 0, 0, { { 0 } } },
	{ "only blank lines", "\n \n\t\n", 0, 0, { { 0 } } },
};

/* An exact-size copy, so that ASan sees any read past the end. */
static char *dup_exact(const char *text, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, text, len);
	return p;
}

static size_t case_len(const char *text, size_t len)
{
	return len ? len : strlen(text);
}

/* Each known field's last occurrence gives its value and present bit. */
static void check_fields_consistent(const struct smaps_map *m)
{
	uint64_t seen = 0, last[SF__COUNT];
	size_t i;

	for (i = 0; i < m->nfields; i++) {
		const struct smaps_field *f = &m->fields[i];

		assert_true(f->name_len > 0);
		assert_int_equal(smaps_field_lookup(f->name, f->name_len),
				 f->id);
		if (f->raw_len) {
			assert_true(f->raw[0] != ' ');
			assert_true(f->raw[f->raw_len - 1] != ' ');
		}
		if (f->id >= 0) {
			last[f->id] = f->value;
			seen |= B(f->id);
		}
	}
	assert_int_equal(seen, m->present);
	for (i = 0; i < SF__COUNT; i++)
		assert_int_equal(m->val[i], seen & B(i) ? last[i] : 0);
}

static void check_map(const struct smaps_map *m, const struct want_map *w)
{
	const struct kv *v;
	const struct want_field *wf;

	assert_int_equal(m->line_len, strlen(w->line));
	assert_memory_equal(m->line, w->line, m->line_len);
	assert_ptr_equal(m->text, m->line);
	assert_int_equal(m->start, w->start);
	assert_int_equal(m->end, w->end);
	assert_string_equal(m->perms, w->perms);
	assert_int_equal(m->offset, w->offset);
	assert_int_equal(m->dev_major, w->maj);
	assert_int_equal(m->dev_minor, w->min);
	assert_int_equal(m->inode, w->inode);
	assert_int_equal(m->name_len, strlen(w->name));
	assert_memory_equal(m->name, w->name, m->name_len);
	assert_int_equal(m->lineno, w->lineno);
	assert_int_equal(m->nfields, w->nfields);
	assert_int_equal(m->present, w->present);
	if (!w->vmflags) {
		assert_null(m->vmflags);
	} else {
		assert_int_equal(m->vmflags_len, strlen(w->vmflags));
		assert_memory_equal(m->vmflags, w->vmflags, m->vmflags_len);
	}
	for (v = w->val; v->id1; v++)
		assert_int_equal(m->val[v->id1 - 1], v->v);
	for (wf = w->f; wf->name; wf++) {
		const struct smaps_field *f = &m->fields[wf->idx];

		assert_int_equal(f->name_len, strlen(wf->name));
		assert_memory_equal(f->name, wf->name, f->name_len);
		assert_int_equal(f->raw_len, strlen(wf->raw));
		assert_memory_equal(f->raw, wf->raw, f->raw_len);
		assert_int_equal(f->value, wf->value);
		assert_int_equal(f->is_num, wf->is_num);
		assert_int_equal(f->has_kb, wf->has_kb);
		assert_int_equal(f->id, wf->id);
	}
	check_fields_consistent(m);
}

/* The header line sits on a line of its own in the text. */
static void check_in_text(const struct smaps_map *m, const char *t,
			  size_t len)
{
	const char *e = t + len, *le = m->line + m->line_len;

	assert_true(m->line >= t && le <= e);
	assert_true(m->line == t || m->line[-1] == '\n');
	assert_true(le == e || *le == '\n');
	assert_true(m->text + m->text_len <= e);
}

static void test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		size_t len = case_len(c->text, c->len);
		char *t = dup_exact(c->text, len);
		struct smaps_parser ps;
		struct smaps_map m;
		const char *prev_end = NULL;
		int n = 0, r;

		print_message("parse: %s\n", c->desc);
		smaps_parser_init(&ps, t, len);
		while ((r = smaps_next(&ps, &m)) == 1) {
			assert_true(n < c->nmaps);
			check_in_text(&m, t, len);
			check_map(&m, &c->m[n]);
			if (prev_end)
				assert_true(prev_end <= m.text);
			prev_end = m.text + m.text_len;
			n++;
		}
		assert_int_equal(r, 0);
		assert_int_equal(n, c->nmaps);
		assert_int_equal(smaps_next(&ps, &m), 0);
		free(t);
	}
}

/* Records cover the text: each ends where the next begins. */
static void test_record_text(void **state)
{
	static const char text[] = REC_CAT REC_HEAP REC_OLD;
	struct smaps_parser ps;
	struct smaps_map m;
	const char *at = text;

	(void)state;
	smaps_parser_init(&ps, text, sizeof(text) - 1);
	while (smaps_next(&ps, &m) == 1) {
		assert_ptr_equal(m.text, at);
		at += m.text_len;
	}
	assert_ptr_equal(at, text + sizeof(text) - 1);
	assert_int_equal(ps.lineno, 25 + 26 + 12);
}

/* Concatenating m->line + '\n' gives back a maps text byte for byte. */
static void test_rebuild_maps(void **state)
{
	static const char text[] = M_SPACE "\n" M_DELETED "\n" HDR_HEAP "\n"
		M_STACK "\n" M_VVAR "\n" M_VDSO "\n" M_VSYS "\n" M_ANON "\n"
		M_ASHM "\n" M_MEMFD "\n" M_SYSV "\n" M_NVME "\n" M_NONAME "\n"
		M_32 "\n" M_32ANON "\n" M_UPPER "\n" HDR_UNK "\n";
	char out[sizeof(text)];
	size_t n = 0;
	struct smaps_parser ps;
	struct smaps_map m;

	(void)state;
	smaps_parser_init(&ps, text, sizeof(text) - 1);
	while (smaps_next(&ps, &m) == 1) {
		assert_true(n + m.line_len + 1 <= sizeof(out));
		memcpy(out + n, m.line, m.line_len);
		n += m.line_len;
		out[n++] = '\n';
	}
	assert_int_equal(n, sizeof(text) - 1);
	assert_memory_equal(out, text, n);
}

struct bad_case {
	const char *desc, *text;
	size_t len;		/* 0: strlen(text) */
	int nbefore;		/* records returned before the error */
	unsigned line;		/* the line the error names */
	const char *cause;	/* part of the message */
	int nafter;		/* records returned after it */
};

#define NUL_FIELD HDR_UNK "\nRss:   \0 4 kB\n" M_32 "\n"
#define NUL_NAME "7f0000001000-7f0000002000 r--p 0 00:00 1 /a\0b\n" M_32
#define NUL_FLAGS HDR_UNK "\nVmFlags: rd\0wr\n"

static const struct bad_case bad_cases[] = {
	{ "truncated header", "7f00-", 0, 0, 1, "bad address range '7f00-'",
	  0 },
	{ "truncated header, newline", "7f00-\n" M_32, 0, 0, 1,
	  "bad address range", 1 },
	{ "bad hex in range", M_32 "\n7f-zz rw-p 0 00:00 0\n", 0, 1, 2,
	  "bad address range '7f-zz'", 0 },
	{ "start above end", "2000-1000 rw-p 0 00:00 0\n", 0, 0, 1,
	  "bad address range '2000-1000'", 0 },
	{ "address overflow", "11112222333344445-2 rw-p 0 00:00 0\n", 0, 0,
	  1, "bad address range", 0 },
	{ "garbage line", "hello world\n" M_32 "\n", 0, 0, 1,
	  "expected a mapping or a field", 1 },
	{ "garbage inside a record", REC_OLD "Rss 4 kB\n" M_32, 0, 0, 13,
	  "expected a mapping or a field", 1 },
	{ "field before header", "Rss:      4 kB\n" REC_OLD, 0, 0, 1,
	  "field before any mapping", 1 },
	{ "Anonymous before header", "Anonymous: 4 kB\n", 0, 0, 1,
	  "field before any mapping", 0 },
	{ "missing kB", REC_CAT HDR_OLD "\nSize: 4 kB\nRss:   12\n"
	  "Pss: 4 kB\n" M_32, 0, 1, 28, "'Rss' has no kB unit (truncated", 1 },
	{ "cut inside kB", HDR_OLD "\nRss:   12 k", 0, 0, 2,
	  "'Rss' has no kB unit", 0 },
	{ "cut after colon", HDR_OLD "\nRss:", 0, 0, 2,
	  "'Rss' has no value", 0 },
	{ "word as a value", HDR_OLD "\nPss: lots\n", 0, 0, 2,
	  "bad value for 'Pss': 'lots'", 0 },
	{ "THPeligible not a number", HDR_OLD "\nTHPeligible: yes\n", 0, 0, 2,
	  "bad value for 'THPeligible'", 0 },
	{ "overflow", HDR_OLD "\nRss: 18446744073709551616 kB\n", 0, 0, 2,
	  "number too large in 'Rss'", 0 },
	{ "overflow in unknown", HDR_OLD "\nFoo: 99999999999999999999\n", 0, 0,
	  2, "number too large in 'Foo'", 0 },
	{ "inode overflow", "1000-2000 rw-p 0 00:00 18446744073709551616\n",
	  0, 0, 1, "bad inode", 0 },
	{ "bad permissions", "1000-2000 rwzp 0 00:00 0 /x\n", 0, 0, 1,
	  "bad permissions 'rwzp'", 0 },
	{ "bad device", "1000-2000 rw-p 0 0000 0 /x\n", 0, 0, 1,
	  "bad device '0000'", 0 },
	{ "bad inode", "1000-2000 rw-p 0 00:00 12x /x\n", 0, 0, 1,
	  "bad inode '12x'", 0 },
	{ "NUL in a field", NUL_FIELD, sizeof(NUL_FIELD) - 1, 0, 2,
	  "NUL byte", 1 },
	{ "NUL in a name", NUL_NAME, sizeof(NUL_NAME) - 1, 0, 1, "NUL byte",
	  1 },
	{ "NUL in VmFlags", NUL_FLAGS, sizeof(NUL_FLAGS) - 1, 0, 2,
	  "NUL byte", 0 },
	{ "NUL at line start", "\0" M_32, sizeof("\0" M_32) - 1, 0, 1,
	  "NUL byte", 0 },
	{ "cut in the address", REC_CAT "7f1c2a0", 0, 0, 26,
	  "expected a mapping or a field", 0 },
	{ "cut after perms", REC_OLD "7f1c2a000000-7f1c2a021000 rw-p 000",
	  0, 1, 13, "mapping line ends early (truncated?)", 0 },
	{ "cut after device", "1000-2000 rw-p 00000000 fe:00", 0, 0, 1,
	  "ends early", 0 },
};

/* Where line n (1-based) starts, counted naively. */
static const char *line_start(const char *t, size_t len, unsigned n)
{
	const char *p = t, *e = t + len;

	while (--n && p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));

		p = nl ? nl + 1 : e;
	}
	return p;
}

static void test_bad_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = case_len(c->text, c->len);
		char *t = dup_exact(c->text, len);
		char prefix[32];
		struct smaps_parser ps;
		struct smaps_map m;
		int n = 0, r;

		print_message("bad: %s\n", c->desc);
		smaps_parser_init(&ps, t, len);
		while ((r = smaps_next(&ps, &m)) == 1)
			n++;
		assert_int_equal(r, -1);
		assert_int_equal(n, c->nbefore);
		snprintf(prefix, sizeof(prefix), "line %u: ", c->line);
		assert_non_null(strstr(ps.err, prefix));
		assert_ptr_equal(strstr(ps.err, prefix), ps.err);
		if (!strstr(ps.err, c->cause))
			fail_msg("'%s' lacks '%s'", ps.err, c->cause);
		assert_int_equal(ps.lineno, c->line);
		assert_ptr_equal(ps.p, line_start(t, len, c->line + 1));
		n = 0;
		while ((r = smaps_next(&ps, &m)) == 1)
			n++;
		assert_int_equal(r, 0);
		assert_int_equal(n, c->nafter);
		free(t);
	}
}

/* A header then nfields "Fn: 1 kB" lines, in a malloc'd exact buffer. */
static char *many_fields(int nfields, size_t *len)
{
	size_t cap = 64 + (size_t)nfields * 16, n;
	char *t = malloc(cap);
	int i;

	assert_non_null(t);
	n = (size_t)snprintf(t, cap, "%s\n", M_32);
	for (i = 0; i < nfields; i++)
		n += (size_t)snprintf(t + n, cap - n, "F%d: 1 kB\n", i);
	*len = n;
	return t;
}

static void test_field_limit(void **state)
{
	static const struct {
		int nfields, ret;
		unsigned line;
	} rows[] = {
		{ 0, 1, 0 }, { 63, 1, 0 }, { 64, 1, 0 }, { 65, -1, 66 },
		{ 200, -1, 66 },
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *t = many_fields(rows[i].nfields, &len);
		struct smaps_parser ps;
		struct smaps_map m;
		char want[64];

		smaps_parser_init(&ps, t, len);
		assert_int_equal(smaps_next(&ps, &m), rows[i].ret);
		if (rows[i].ret == 1) {
			assert_int_equal(m.nfields, (size_t)rows[i].nfields);
			assert_int_equal(m.present, 0);
		} else {
			snprintf(want, sizeof(want),
				 "line %u: more than 64 fields in one mapping",
				 rows[i].line);
			assert_string_equal(ps.err, want);
		}
		assert_int_equal(smaps_next(&ps, &m), 0);
		free(t);
	}
}

static void test_field_lookup(void **state)
{
	static const char *const unknown[] = {
		"", "R", "Rs", "rss", "RSS", "Rsss", "VmFlags", "Pss_Locked",
		"Private_Hugetlbx", "Sizz", "Swap_", "ProtectionKez",
		"Private_Dirtx", "Shared_Hugetlbs", "XXXXXXXXXXXXXXXXXXXXX",
	};
	size_t i;

	(void)state;
	for (i = 0; i < SF__COUNT; i++) {
		const char *s = smaps_field_names[i];

		assert_int_equal(smaps_field_lookup(s, strlen(s)), (int)i);
		assert_int_equal(smaps_field_lookup(s, strlen(s) - 1), -1);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_int_equal(smaps_field_lookup(unknown[i],
						    strlen(unknown[i])), -1);
}

/*
 * The fast path takes a field line in the kernel's own layout ("Name:"
 * padded to 16 columns, the value right-aligned in 8, " kB") a word at a
 * time; anything else goes the general way. Each row is one line under a
 * header, with the field it must give (id -2: it is an error, `raw` then
 * names the cause), whichever way it went.
 */
struct line_case {
	const char *desc, *line;	/* line: without its '\n' */
	const char *raw;		/* or, when an error, part of it */
	uint64_t value;
	int is_num, has_kb, id;
};

#define ERR -2

static const struct line_case line_cases[] = {
	{ "kernel layout", "Rss:                   4 kB", "4 kB", 4, 1, 1,
	  SF_RSS },
	{ "8 digits fill the column", "Private_Hugetlb:12345678 kB",
	  "12345678 kB", 12345678, 1, 1, SF_PRIVATE_HUGETLB },
	{ "leading zeros", "Pss:            00000012 kB", "00000012 kB", 12,
	  1, 1, SF_PSS },
	{ "9 digits: wider than the column", "Rss:            123456789 kB",
	  "123456789 kB", 123456789, 1, 1, SF_RSS },
	{ "the largest number", "Rss: 18446744073709551615 kB",
	  "18446744073709551615 kB", UINT64_MAX, 1, 1, SF_RSS },
	{ "20 digits", "Rss:            99999999999999999999 kB",
	  "number too large in 'Rss'", 0, 0, 0, ERR },
	{ "a blank inside the number", "Rss:                 1 2 kB",
	  "'Rss' has no kB unit", 0, 0, 0, ERR },
	{ "a letter in the number", "Rss:                  1x kB",
	  "'Rss' has no kB unit", 0, 0, 0, ERR },
	{ "a sign", "Rss:                  +1 kB",
	  "bad value for 'Rss': '+1'", 0, 0, 0, ERR },
	/* bytes next to the blank and the digits, as the word test sees them */
	{ "a '(' in the column", "Rss:                  (1 kB",
	  "bad value for 'Rss': '(1'", 0, 0, 0, ERR },
	{ "a '?' in the column", "Rss:                  ?1 kB",
	  "bad value for 'Rss': '?1'", 0, 0, 0, ERR },
	{ "a ':' after the number", "Rss:                  1: kB",
	  "'Rss' has no kB unit", 0, 0, 0, ERR },
	{ "a high byte in the column", "Rss:                  \2601 kB",
	  "bad value for 'Rss': '?1'", 0, 0, 0, ERR },
	{ "no number", "Rss:                      kB",
	  "bad value for 'Rss': 'kB'", 0, 0, 0, ERR },
	{ "kb, not kB", "Rss:                   4 kb", "'Rss' has no kB unit",
	  0, 0, 0, ERR },
	{ "kB field without kB", "Rss:                   4",
	  "'Rss' has no kB unit", 0, 0, 0, ERR },
	{ "cut in the padding", "Rss:          ", "'Rss' has no value", 0, 0,
	  0, ERR },
	{ "cut in kB", "Rss:                   4 k", "'Rss' has no kB unit",
	  0, 0, 0, ERR },
	{ "two blanks before kB", "Rss:                   4  kB", "4  kB", 4,
	  1, 1, SF_RSS },
	{ "a tab in the padding", "Rss:\t                  4 kB", "4 kB", 4, 1,
	  1, SF_RSS },
	{ "carriage return", "Rss:                   4 kB\r", "4 kB", 4, 1,
	  1, SF_RSS },
	{ "a blank after kB", "Rss:                   4 kB ", "4 kB", 4, 1, 1,
	  SF_RSS },
	{ "more after kB", "Rss:                   4 kBx",
	  "'Rss' has no kB unit", 0, 0, 0, ERR },
	{ "THPeligible", "THPeligible:           1", "1", 1, 1, 0,
	  SF_THPELIGIBLE },
	{ "THPeligible, short", "THPeligible:    0", "0", 0, 1, 0,
	  SF_THPELIGIBLE },
	{ "THPeligible with a unit", "THPeligible:           1 kB", "1 kB", 1,
	  1, 1, SF_THPELIGIBLE },
	{ "ProtectionKey", "ProtectionKey:        15", "15", 15, 1, 0,
	  SF_PROTECTIONKEY },
	/* names that are prefixes of others, or start with a known one */
	{ "Swap", "Swap:                  8 kB", "8 kB", 8, 1, 1, SF_SWAP },
	{ "SwapPss", "SwapPss:               8 kB", "8 kB", 8, 1, 1,
	  SF_SWAPPSS },
	{ "Pss_Dirty", "Pss_Dirty:             8 kB", "8 kB", 8, 1, 1,
	  SF_PSS_DIRTY },
	{ "unknown, a known name's prefix", "Pss_Locked:            4 kB",
	  "4 kB", 4, 1, 1, -1 },
	{ "unknown, a known name and more", "SwapPssX:              4 kB",
	  "4 kB", 4, 1, 1, -1 },
	{ "unknown, a known name cut", "Swa:                   4 kB", "4 kB",
	  4, 1, 1, -1 },
	{ "unknown, lower case", "rss:                   4 kB", "4 kB", 4, 1,
	  1, -1 },
	{ "a known name without a colon", "Rss                    4 kB",
	  "expected a mapping or a field", 0, 0, 0, ERR },
	{ "VmFlags", "VmFlags: rd wr mr mw me ac sd ", "rd wr mr mw me ac sd",
	  0, 0, 0, -1 },
	{ "VmFlags, empty", "VmFlags:", "", 0, 0, 0, -1 },
	{ "VmFlags, digits first", "VmFlags: 12 ab", "12 ab", 12, 0, 0, -1 },
	{ "VmFlags, a number", "VmFlags: 12", "12", 12, 1, 0, -1 },
};

/* Parse HDR_UNK, the line, then a maps line (with and without a final
 * newline): the field as the row says, and the next record still found. */
static void check_line(const struct line_case *c, int final_nl)
{
	size_t len = strlen(HDR_UNK "\n") + strlen(c->line) + 1 +
		     strlen(M_32) + (size_t)final_nl;
	char *t = malloc(len + 1);
	struct smaps_parser ps;
	struct smaps_map m;
	const struct smaps_field *f = &m.fields[0];

	assert_non_null(t);
	snprintf(t, len + 1, "%s\n%s\n%s%s", HDR_UNK, c->line, M_32,
		 final_nl ? "\n" : "");
	smaps_parser_init(&ps, t, len);
	if (c->id == ERR) {
		assert_int_equal(smaps_next(&ps, &m), -1);
		if (!strstr(ps.err, "line 2: ") || !strstr(ps.err, c->raw))
			fail_msg("'%s' is not about line 2: %s", ps.err, c->raw);
	} else {
		assert_int_equal(smaps_next(&ps, &m), 1);
		assert_int_equal(m.nfields, 1);
		assert_int_equal(f->id, c->id);
		assert_int_equal(f->raw_len, strlen(c->raw));
		assert_memory_equal(f->raw, c->raw, f->raw_len);
		assert_int_equal(f->value, c->value);
		assert_int_equal(f->is_num, c->is_num);
		assert_int_equal(f->has_kb, c->has_kb);
		assert_ptr_equal(f->name, t + strlen(HDR_UNK "\n"));
		assert_int_equal(m.text_len, strlen(HDR_UNK "\n") +
				 strlen(c->line) + 1);
		if (!strncmp(c->line, "VmFlags:", 8)) {
			assert_ptr_equal(m.vmflags, f->raw);
			assert_int_equal(m.vmflags_len, f->raw_len);
		} else {
			assert_null(m.vmflags);
		}
		check_fields_consistent(&m);
	}
	assert_int_equal(smaps_next(&ps, &m), 1);
	assert_int_equal(m.lineno, 3);
	assert_int_equal(m.start, 0x08048000);
	assert_int_equal(smaps_next(&ps, &m), 0);
	/* and the line last in the text, without its newline */
	len = strlen(HDR_UNK "\n") + strlen(c->line);
	smaps_parser_init(&ps, t, len);
	if (c->id == ERR) {
		assert_int_equal(smaps_next(&ps, &m), -1);
		assert_non_null(strstr(ps.err, c->raw));
	} else {
		assert_int_equal(smaps_next(&ps, &m), 1);
		assert_int_equal(f->id, c->id);
		assert_int_equal(f->value, c->value);
		assert_int_equal(f->raw_len, strlen(c->raw));
		assert_int_equal(m.text_len, len);
	}
	assert_int_equal(smaps_next(&ps, &m), 0);
	free(t);
}

static void test_line_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		print_message("line: %s\n", line_cases[i].desc);
		check_line(&line_cases[i], 1);
		check_line(&line_cases[i], 0);
	}
}

/* Fields in the kernel's layout, in `order`, the i-th with the value
 * id * 1000 + i, each followed by `between`. */
static size_t kernel_record(char *out, size_t size, const int *order,
			    size_t n, const char *between)
{
	size_t len = (size_t)snprintf(out, size, "%s\n", HDR_UNK), i;

	for (i = 0; i < n; i++) {
		int id = order[i];
		char name[20];

		snprintf(name, sizeof(name), "%s:", smaps_field_names[id]);
		len += (size_t)snprintf(out + len, size - len, "%-16s%8d%s\n%s",
					name, id * 1000 + (int)i,
					id < SF_THPELIGIBLE ? " kB" : "",
					between);
		assert_true(len < size);
	}
	return len;
}

/* The kernel's order, the reverse, and unknown fields between known
 * ones: the prediction of the next field must never change a value. */
static void test_field_order(void **state)
{
	static const char *const between[] = {
		"", "Pss_Locked:            1 kB\n", "VmFlags: rd\n",
		"Foo:     12\n",
	};
	int order[SF__COUNT];
	char text[8192];
	size_t b, i, len;
	int dir;

	(void)state;
	for (dir = 0; dir < 2; dir++) {
		for (i = 0; i < SF__COUNT; i++)
			order[i] = dir ? SF__COUNT - 1 - (int)i : (int)i;
		for (b = 0; b < sizeof(between) / sizeof(between[0]); b++) {
			struct smaps_parser ps;
			struct smaps_map m;

			print_message("order: %s, between: %s", dir ? "reverse"
				      : "kernel", between[b][0] ? between[b]
				      : "nothing\n");
			len = kernel_record(text, sizeof(text), order, SF__COUNT,
					    between[b]);
			smaps_parser_init(&ps, text, len);
			assert_int_equal(smaps_next(&ps, &m), 1);
			assert_int_equal(m.present, B(SF__COUNT) - 1);
			for (i = 0; i < SF__COUNT; i++)
				assert_int_equal(m.val[order[i]],
						 order[i] * 1000 + (int)i);
			assert_int_equal(m.nfields, between[b][0] ?
					 2 * SF__COUNT : SF__COUNT);
			check_fields_consistent(&m);
			assert_int_equal(smaps_next(&ps, &m), 0);
		}
	}
	/* twice each, in order: the second of each counts */
	for (i = 0; i < SF__COUNT; i++)
		order[i] = (int)i / 2;
	len = kernel_record(text, sizeof(text), order, SF__COUNT, "");
	{
		struct smaps_parser ps;
		struct smaps_map m;

		smaps_parser_init(&ps, text, len);
		assert_int_equal(smaps_next(&ps, &m), 1);
		assert_int_equal(m.nfields, SF__COUNT);
		assert_int_equal(m.val[SF_RSS], SF_RSS * 1000 + 2 * SF_RSS + 1);
		check_fields_consistent(&m);
	}
}

/* Lines in the kernel's layout count towards the field limit too. */
static void test_field_limit_fast(void **state)
{
	char text[4096];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s\n", M_32);
	struct smaps_parser ps;
	struct smaps_map m;
	int i;

	(void)state;
	for (i = 0; i < 65; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s", i % 2 ? "Rss:                   4 kB\n"
					: "Pss:                   2 kB\n");
	smaps_parser_init(&ps, text, len);
	assert_int_equal(smaps_next(&ps, &m), -1);
	assert_string_equal(ps.err,
			    "line 66: more than 64 fields in one mapping");
	assert_int_equal(smaps_next(&ps, &m), 0);
	/* 64 are fine */
	smaps_parser_init(&ps, text, len - 28);
	assert_int_equal(smaps_next(&ps, &m), 1);
	assert_int_equal(m.nfields, 64);
	assert_int_equal(m.val[SF_RSS], 4);
	assert_int_equal(m.val[SF_PSS], 2);
}

/*
 * The same text with the blanks after each field's colon cut to one
 * (the general way: no line is in the kernel's layout then) must parse
 * to the same figures as the text as it is (mostly the fast path).
 */
static size_t squeeze(char *out, const char *t, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t ls = i, c = ls;

		while (c < len && t[c] != '\n' && t[c] != ':' && t[c] != ' ')
			c++;
		if (c < len && t[c] == ':' && c > ls &&
		    !strchr("0123456789abcdef", t[ls])) {
			memcpy(out + n, t + ls, c + 1 - ls);
			n += c + 1 - ls;
			for (i = c + 1; i < len && t[i] == ' '; i++)
				;
			out[n++] = ' ';
		} else {
			i = ls;
		}
		while (i < len && t[i] != '\n')
			out[n++] = t[i++];
		if (i < len)
			out[n++] = t[i++];
	}
	return n;
}

static void same_figures(const char *t, size_t len)
{
	char *s = malloc(2 * len + 1);
	size_t slen, i;
	struct smaps_parser a, b;
	struct smaps_map *ma = malloc(sizeof(*ma)), *mb = malloc(sizeof(*mb));
	int ra, rb, n = 0;

	assert_true(s && ma && mb);
	slen = squeeze(s, t, len);
	smaps_parser_init(&a, t, len);
	smaps_parser_init(&b, s, slen);
	do {
		ra = smaps_next(&a, ma);
		rb = smaps_next(&b, mb);
		assert_int_equal(ra, rb);
		if (ra < 0)
			assert_string_equal(a.err, b.err);
		if (ra <= 0)
			continue;
		n++;
		assert_int_equal(ma->start, mb->start);
		assert_int_equal(ma->present, mb->present);
		assert_memory_equal(ma->val, mb->val, sizeof(ma->val));
		assert_int_equal(ma->nfields, mb->nfields);
		assert_int_equal(ma->lineno, mb->lineno);
		for (i = 0; i < ma->nfields; i++) {
			const struct smaps_field *x = &ma->fields[i];
			const struct smaps_field *y = &mb->fields[i];

			assert_int_equal(x->id, y->id);
			assert_int_equal(x->value, y->value);
			assert_int_equal(x->is_num, y->is_num);
			assert_int_equal(x->has_kb, y->has_kb);
			assert_int_equal(x->name_len, y->name_len);
			assert_memory_equal(x->name, y->name, x->name_len);
			assert_int_equal(x->raw_len, y->raw_len);
			assert_memory_equal(x->raw, y->raw, x->raw_len);
		}
		assert_int_equal(ma->vmflags_len, mb->vmflags_len);
		if (ma->vmflags)
			assert_memory_equal(ma->vmflags, mb->vmflags,
					    ma->vmflags_len);
		else
			assert_null(mb->vmflags);
	} while (ra != 0);
	assert_true(n > 0);
	free(s);
	free(ma);
	free(mb);
}

static char *read_file(const char *path, size_t *len);

static void test_fast_same_as_general(void **state)
{
	static const char text[] = REC_CAT REC_HEAP REC_OLD REC_ROLLUP REC_UNK
		"Rss:            123456789 kB\n" M_32 "\nVmFlags: 12\n" REC_CAT
		"Rss:                1 2 kB\n" REC_HEAP;
	size_t len;
	char *t;

	(void)state;
	same_figures(text, sizeof(text) - 1);
	t = read_file("/proc/self/smaps", &len);
	if (t)
		same_figures(t, len);
	free(t);
}

struct sum_case {
	const char *desc, *text;
	int ret;
	struct smaps_totals t;
	const char *err;
};

#define T(sz, rs, ps, us, sh, sw, swp, an, lk, n, pr) \
	{ sz, rs, ps, us, sh, sw, swp, an, lk, n, pr }

static const struct sum_case sum_cases[] = {
	{ "empty", "", 0, T(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), NULL },
	{ "cat + heap", REC_CAT REC_HEAP, 0,
	  T(140, 136, 134, 132, 4, 4, 4, 128, 0, 2,
	    MODERN | B(SF_PROTECTIONKEY)), NULL },
	{ "old kernel", REC_OLD REC_OLD, 0,
	  T(112, 96, 40, 16, 80, 0, 0, 0, 0, 2, OLD), NULL },
	/* 0x21000 = 132 kB, 0xe000 = 56 kB, 0x1000 = 4 kB */
	{ "maps only: end - start", HDR_UNK "\n" M_32 "\n" M_NONAME, 0,
	  T(192, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0), NULL },
	{ "Size wins over end - start", HDR_UNK "\nSize: 100 kB\n", 0,
	  T(100, 0, 0, 0, 0, 0, 0, 0, 0, 1, B(SF_SIZE)), NULL },
	/* (0x7ffdfac13000 - 0x55ced5033000) / 1024 */
	{ "rollup", REC_ROLLUP, 0,
	  T(45294907264, 1760, 490, 192, 1568, 12, 6, 112, 0, 1,
	    ROLLUP_BITS), NULL },
	{ "error", REC_CAT "Rss: 4\n", -1,
	  T(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "line 26: " },
};

static void test_sum_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sum_cases) / sizeof(sum_cases[0]); i++) {
		const struct sum_case *c = &sum_cases[i];
		struct smaps_totals t;
		char err[160] = "";
		int r;

		print_message("sum: %s\n", c->desc);
		r = smaps_sum(c->text, strlen(c->text), &t, err, sizeof(err));
		assert_int_equal(r, c->ret);
		if (r < 0) {
			assert_non_null(strstr(err, c->err));
			continue;
		}
		assert_string_equal(err, "");
		assert_int_equal(t.size, c->t.size);
		assert_int_equal(t.rss, c->t.rss);
		assert_int_equal(t.pss, c->t.pss);
		assert_int_equal(t.uss, c->t.uss);
		assert_int_equal(t.shared, c->t.shared);
		assert_int_equal(t.swap, c->t.swap);
		assert_int_equal(t.swap_pss, c->t.swap_pss);
		assert_int_equal(t.anonymous, c->t.anonymous);
		assert_int_equal(t.locked, c->t.locked);
		assert_int_equal(t.nmaps, c->t.nmaps);
		assert_int_equal(t.present, c->t.present);
	}
	/* err may be NULL; a short err buffer is truncated, not overrun */
	{
		struct smaps_totals t;
		char small[8];

		assert_int_equal(smaps_sum("x", 1, &t, NULL, 0), -1);
		assert_int_equal(smaps_sum("x", 1, &t, small, sizeof(small)),
				 -1);
		assert_string_equal(small, "line 1:");
	}
}

/* Sum (t, len) as a reader streaming it would: pieces of `piece` bytes
 * appended to what the summer left, the end with `last`. */
static void sum_in_pieces(const char *t, size_t len, size_t piece,
			  struct smaps_summer *s)
{
	char *held = malloc(len + 1);
	size_t n = 0, off = 0, k;

	smaps_summer_init(s);
	while (off < len) {
		k = len - off < piece ? len - off : piece;
		memcpy(held + n, t + off, k);
		n += k;
		off += k;
		k = smaps_summer_add(s, held, n, 0);
		assert_true(k <= n);
		memmove(held, held + k, n - k);
		n -= k;
	}
	assert_int_equal(smaps_summer_add(s, held, n, 1), n);
	free(held);
}

/* Any cut into pieces sums as the whole text does, messages and all. */
static void test_summer_pieces(void **state)
{
	static const char *const texts[] = {
		REC_CAT REC_HEAP REC_OLD REC_CAT, REC_OLD REC_OLD,
		HDR_UNK "\n" M_32 "\n" M_NONAME, REC_ROLLUP,
		REC_CAT REC_HEAP "Rss: 4\n" REC_CAT, "",
	};
	static const size_t pieces[] = { 1, 2, 7, 64, 333, 100000 };
	struct smaps_totals want;
	struct smaps_summer s;
	char err[160];
	size_t i, j, len = 0;
	char *self = read_file("/proc/self/smaps", &len);
	int r;

	(void)state;
	assert_non_null(self);
	for (i = 0; i <= sizeof(texts) / sizeof(texts[0]); i++) {
		const char *t = i < sizeof(texts) / sizeof(texts[0]) ? texts[i]
			: self;

		if (t != self)
			len = strlen(t);
		err[0] = '\0';
		r = smaps_sum(t, len, &want, err, sizeof(err));
		for (j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++) {
			print_message("summer: text %zu, pieces of %zu\n", i,
				      pieces[j]);
			sum_in_pieces(t, len, pieces[j], &s);
			assert_string_equal(s.err, r < 0 ? err : "");
			assert_memory_equal(&s.t, &want, sizeof(want));
		}
	}
	free(self);
	/* pieces longer than SMAPS_SUMMER_MAX, of many records each */
	{
		size_t one = strlen(REC_CAT REC_HEAP), n = 3 * SMAPS_SUMMER_MAX / one;
		char *t = malloc(n * one + 1);

		for (i = 0; i < n; i++)
			memcpy(t + i * one, REC_CAT REC_HEAP, one);
		assert_int_equal(smaps_sum(t, n * one, &want, err, sizeof(err)), 0);
		sum_in_pieces(t, n * one, 2 * SMAPS_SUMMER_MAX + 5, &s);
		assert_string_equal(s.err, "");
		assert_memory_equal(&s.t, &want, sizeof(want));
		free(t);
	}
	/* a record past SMAPS_SUMMER_MAX is cut: no line waits forever */
	{
		size_t big = SMAPS_SUMMER_MAX + 100;
		char *t = malloc(big);

		memset(t, 'x', big);
		smaps_summer_init(&s);
		assert_int_equal(smaps_summer_add(&s, t, 100, 0), 0);
		assert_int_equal(smaps_summer_add(&s, t, big, 0), big);
		assert_non_null(strstr(s.err, "line 1: "));
		assert_int_equal(smaps_summer_add(&s, t, 5, 0), 5);
		free(t);
	}
}

static void test_detect_table(void **state)
{
	static const struct {
		const char *text;
		enum smaps_format f;
		const char *name;
	} rows[] = {
		{ "", SMAPS_FMT_EMPTY, "empty" },
		{ "\n\n", SMAPS_FMT_EMPTY, "empty" },
		{ "hello\n", SMAPS_FMT_UNKNOWN, "unknown" },
		{ "Rss:   4 kB\n", SMAPS_FMT_UNKNOWN, "unknown" },
		{ "7f00-\n", SMAPS_FMT_UNKNOWN, "unknown" },
		{ M_32, SMAPS_FMT_MAPS, "maps" },
		{ M_32 "\n", SMAPS_FMT_MAPS, "maps" },
		{ M_32 "\n" M_NONAME "\n", SMAPS_FMT_MAPS, "maps" },
		{ HDR_ROLLUP "\n", SMAPS_FMT_MAPS, "maps" },
		{ M_32 "\nhello\n", SMAPS_FMT_UNKNOWN, "unknown" },
		{ REC_CAT REC_HEAP, SMAPS_FMT_SMAPS, "smaps" },
		{ REC_OLD, SMAPS_FMT_SMAPS, "smaps" },
		{ HDR_UNK "\nAnonymous: 0 kB", SMAPS_FMT_SMAPS, "smaps" },
		{ REC_ROLLUP, SMAPS_FMT_ROLLUP, "rollup" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t len = strlen(rows[i].text);
		char *t = dup_exact(rows[i].text, len);
		enum smaps_format f = smaps_detect(t, len);

		print_message("detect: row %zu\n", i);
		assert_int_equal(f, rows[i].f);
		assert_string_equal(smaps_format_name(f), rows[i].name);
		free(t);
	}
}

/* Parse everything, going on after errors; must end, never crash. */
static void parse_all(const char *t, size_t len)
{
	struct smaps_parser ps;
	struct smaps_map m;
	unsigned guard = 0;
	int r;

	smaps_parser_init(&ps, t, len);
	while ((r = smaps_next(&ps, &m)) != 0) {
		assert_true(++guard < 10000);
		if (r < 0) {
			assert_ptr_equal(strstr(ps.err, "line "), ps.err);
			continue;
		}
		check_in_text(&m, t, len);
		check_fields_consistent(&m);
	}
	(void)smaps_detect(t, len);
}

/* Every prefix of a mixed text: a capture may be cut anywhere. */
static void test_every_prefix(void **state)
{
	static const char text[] = REC_CAT REC_UNK M_SPACE "\n" M_VSYS "\n"
		M_32ANON "\nVmFlags: rd wr\n" REC_HEAP M_SYSV;
	size_t n;

	(void)state;
	for (n = 0; n <= sizeof(text) - 1; n++) {
		char *t = dup_exact(text, n);

		parse_all(t, n);
		free(t);
	}
}

/* Random byte damage: any result is fine as long as nothing breaks. */
static void test_damage(void **state)
{
	static const char text[] = REC_CAT REC_OLD REC_ROLLUP M_ANON "\n";
	static const char junk[] = "\0\n :-kB0f9x\r\t";
	size_t len = sizeof(text) - 1;
	unsigned seed = 12345;
	int i, k;

	(void)state;
	for (i = 0; i < 3000; i++) {
		char *t = dup_exact(text, len);

		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			t[(seed >> 8) % len] = junk[(seed >> 20) % 13];
		}
		parse_all(t, len);
		free(t);
	}
}

static char *read_file(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY);
	ssize_t r;

	assert_non_null(buf);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			buf = realloc(buf, (cap *= 2) + 1);
			assert_non_null(buf);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		assert_true(r >= 0);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The live kernel's text, checked against a naive line scan. */
static void test_proc_self_smaps(void **state)
{
	size_t len;
	char *t = read_file("/proc/self/smaps", &len);
	uint64_t rss = 0, nsize = 0;
	struct smaps_totals tot;
	char err[160] = "";
	const char *p;

	(void)state;
	if (!t)
		skip();
	for (p = t; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, "Rss:", 4) == 0)
			rss += strtoull(p + 4, NULL, 10);
		if (strncmp(p, "Size:", 5) == 0)
			nsize++;
	}
	assert_int_equal(smaps_detect(t, len), SMAPS_FMT_SMAPS);
	assert_int_equal(smaps_sum(t, len, &tot, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_true(tot.nmaps > 0);
	assert_int_equal(tot.nmaps, nsize);
	assert_int_equal(tot.rss, rss);
	assert_true(tot.present & B(SF_RSS));
	parse_all(t, len);
	free(t);
}

/* /proc/self/maps rebuilt from m->line, and smaps_rollup recognised. */
static void test_proc_self_maps(void **state)
{
	size_t len, n = 0;
	char *t = read_file("/proc/self/maps", &len), *out;
	struct smaps_parser ps;
	struct smaps_map m;
	int r;

	(void)state;
	if (!t)
		skip();
	out = malloc(len + 1);
	assert_non_null(out);
	assert_int_equal(smaps_detect(t, len), SMAPS_FMT_MAPS);
	smaps_parser_init(&ps, t, len);
	while ((r = smaps_next(&ps, &m)) == 1) {
		assert_int_equal(m.nfields, 0);
		assert_true(n + m.line_len + 1 <= len);
		memcpy(out + n, m.line, m.line_len);
		n += m.line_len;
		out[n++] = '\n';
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, len);
	assert_memory_equal(out, t, len);
	free(out);
	free(t);
	t = read_file("/proc/self/smaps_rollup", &len);
	if (t) {
		assert_int_equal(smaps_detect(t, len), SMAPS_FMT_ROLLUP);
		parse_all(t, len);
	}
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_record_text),
		cmocka_unit_test(test_rebuild_maps),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_field_limit),
		cmocka_unit_test(test_field_lookup),
		cmocka_unit_test(test_line_table),
		cmocka_unit_test(test_field_order),
		cmocka_unit_test(test_field_limit_fast),
		cmocka_unit_test(test_fast_same_as_general),
		cmocka_unit_test(test_sum_table),
		cmocka_unit_test(test_detect_table),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_proc_self_smaps),
		cmocka_unit_test(test_proc_self_maps),
		cmocka_unit_test(test_summer_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
