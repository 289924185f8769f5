/* smaps.h - a streaming parser for the text of /proc/PID/maps, smaps and
 * smaps_rollup, working on (pointer, length) and never copying the text.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/ (the Makefile builds
 * it without their headers). */
#ifndef MAPSNAP_SMAPS_H
#define MAPSNAP_SMAPS_H

#include <stddef.h>
#include <stdint.h>

/* The fields the kernel prints, in the order it prints them. */
enum smaps_field_id {
	SF_SIZE, SF_KERNELPAGESIZE, SF_MMUPAGESIZE, SF_RSS, SF_PSS,
	SF_PSS_DIRTY, SF_PSS_ANON, SF_PSS_FILE, SF_PSS_SHMEM,
	SF_SHARED_CLEAN, SF_SHARED_DIRTY, SF_PRIVATE_CLEAN, SF_PRIVATE_DIRTY,
	SF_REFERENCED, SF_ANONYMOUS, SF_KSM, SF_LAZYFREE, SF_ANONHUGEPAGES,
	SF_SHMEMPMDMAPPED, SF_FILEPMDMAPPED, SF_SHARED_HUGETLB,
	SF_PRIVATE_HUGETLB, SF_SWAP, SF_SWAPPSS, SF_LOCKED,
	SF_THPELIGIBLE, SF_PROTECTIONKEY,
	SF__COUNT
};

/* Field names exactly as the kernel prints them ("Shared_Clean"). */
extern const char *const smaps_field_names[SF__COUNT];
/* Index of (name, len), or -1 when the name is not a known field. */
int smaps_field_lookup(const char *name, size_t len);

/* One "Name:   value [kB]" line, in text order, known or not. */
struct smaps_field {
	const char *name;	/* points into the text */
	size_t name_len;
	const char *raw;	/* the value text, blanks trimmed both ends */
	size_t raw_len;
	uint64_t value;		/* when is_num */
	unsigned is_num : 1;	/* raw is a decimal number, optionally + " kB" */
	unsigned has_kb : 1;	/* the value carried the " kB" unit */
	int id;			/* enum smaps_field_id, or -1 when unknown */
};

#define SMAPS_MAX_FIELDS 64

/* One mapping: the header line and the field lines under it. */
struct smaps_map {
	const char *text;	/* the whole record, header line first */
	size_t text_len;	/* including the final '\n' when present */
	const char *line;	/* the header line, without its '\n' */
	size_t line_len;
	unsigned lineno;	/* 1-based line number of the header */

	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];		/* "r-xp", NUL-terminated */
	const char *name;	/* path or [special]; name_len 0 = no name */
	size_t name_len;

	uint64_t val[SF__COUNT];	/* numeric value of each known field */
	uint64_t present;		/* bit i set: field i appeared */
	struct smaps_field fields[SMAPS_MAX_FIELDS];
	size_t nfields;
	const char *vmflags;	/* VmFlags value ("rd wr mr"), or NULL */
	size_t vmflags_len;
};

struct smaps_parser {
	const char *p;
	const char *end;
	unsigned lineno;	/* lines consumed so far */
	char err[160];		/* after -1: "line N: cause" */
};

void smaps_parser_init(struct smaps_parser *ps, const char *text, size_t len);

/*
 * Parse the next record into *m. Returns 1 with a record, 0 at the end of
 * the text, or -1 when the text is malformed: ps->err then says
 * "line N: <cause>". A last line without '\n' is fine; a field line
 * before any header, a header that does not parse, a known kB field with
 * no " kB" (a truncated line), or more than SMAPS_MAX_FIELDS fields in a
 * record are errors. Unknown fields are kept in m->fields, never an error.
 * After -1 the parser is positioned after the bad line, so a caller may go
 * on to the next record if it chooses.
 */
int smaps_next(struct smaps_parser *ps, struct smaps_map *m);

enum smaps_format {
	SMAPS_FMT_EMPTY,	/* no lines at all */
	SMAPS_FMT_MAPS,		/* header lines only */
	SMAPS_FMT_SMAPS,	/* headers followed by fields */
	SMAPS_FMT_ROLLUP,	/* one "[rollup]" record (smaps_rollup) */
	SMAPS_FMT_UNKNOWN	/* does not start with a header line */
};
/* Look at the first lines only; cheap. */
enum smaps_format smaps_detect(const char *text, size_t len);
const char *smaps_format_name(enum smaps_format f); /* "maps", "smaps", ... */

/* Per-process figures, in kB, summed over every record the way smem does
 * (uss = Private_Clean + Private_Dirty, shared = Shared_Clean +
 * Shared_Dirty, size = Size, or end - start when Size is absent). */
struct smaps_totals {
	uint64_t size, rss, pss, uss, shared, swap, swap_pss;
	uint64_t anonymous, locked;
	uint64_t nmaps;
	uint64_t present;	/* OR of every record's present bits */
};

/*
 * Parse all of (text, len) and sum it into *t (zeroed first).
 * Returns 0, or -1 with "line N: cause" in err (errlen bytes): a text
 * that does not parse, or whose sums pass 2^62 kB (no process is that
 * big; the store's integers would wrap).
 */
int smaps_sum(const char *text, size_t len, struct smaps_totals *t,
	      char *err, size_t errlen);

/*
 * smaps_sum over a text that comes in pieces (too long to hold whole).
 * smaps_summer_add sums the whole records at the front of (p, len) and
 * returns the bytes it took: the rest (a record that may go on) comes
 * again at the front of the next piece, with more text; with `last`, it
 * takes all. A record longer than SMAPS_SUMMER_MAX is cut there. After
 * the last piece, t and err are what smaps_sum would give for the whole
 * text (err "" when it summed); pieces after a failure are only taken.
 */
#define SMAPS_SUMMER_MAX ((size_t)1 << 20)

struct smaps_summer {
	struct smaps_totals t;
	unsigned lines;		/* lines taken so far */
	char err[160];
	/* if set, called with each record summed, in text order */
	void (*each)(void *arg, const struct smaps_map *m);
	void *arg;
};

/* Zero *s: no sums, no `each`. */
void smaps_summer_init(struct smaps_summer *s);
size_t smaps_summer_add(struct smaps_summer *s, const char *p, size_t len,
			int last);

#endif
