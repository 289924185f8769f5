/* fuzz_import.c - fuzz target: what `mapsnap-capture --import` accepts, its
 * format detection and checks (import_check), against the parser's view. */
#include "capture.h"
#include "fuzz.h"
#include "smaps.h"
#include "util.h"

#include <string.h>

/* What the parser makes of the whole text: records, fields, first error. */
struct view {
	size_t nrec, with_fields;
	int failed;
	int big;	/* a sum of figures past INT64_MAX, or past 64 bits */
};

static void add(struct view *v, uint64_t *sum, uint64_t x)
{
	if (__builtin_add_overflow(*sum, x, sum) || *sum > INT64_MAX)
		v->big = 1;
}

/* smem's sums of what the store keeps, each checked for overflow. */
static void add_map(struct view *v, const struct smaps_map *m,
		    uint64_t sum[9])
{
	const uint64_t *x = m->val;

	add(v, &sum[0], m->present & 1 ? x[SF_SIZE] : (m->end - m->start) / 1024);
	add(v, &sum[1], x[SF_RSS]);
	add(v, &sum[2], x[SF_PSS]);
	add(v, &sum[3], x[SF_PRIVATE_CLEAN]);
	add(v, &sum[3], x[SF_PRIVATE_DIRTY]);
	add(v, &sum[4], x[SF_SHARED_CLEAN]);
	add(v, &sum[4], x[SF_SHARED_DIRTY]);
	add(v, &sum[5], x[SF_SWAP]);
	add(v, &sum[6], x[SF_SWAPPSS]);
	add(v, &sum[7], x[SF_ANONYMOUS]);
	add(v, &sum[8], x[SF_LOCKED]);
}

static void parse_view(const char *text, size_t len, struct view *v)
{
	struct smaps_parser ps;
	struct smaps_map *m = xmalloc(sizeof(*m));
	uint64_t sum[9] = { 0 };
	int r;

	memset(v, 0, sizeof(*v));
	smaps_parser_init(&ps, text, len);
	while ((r = smaps_next(&ps, m)) > 0) {
		v->nrec++;
		v->with_fields += m->nfields > 0;
		add_map(v, m, sum);
	}
	v->failed = r < 0;
	free(m);
}

/* One line, printable, naming the file first. */
static void check_message(const char *err)
{
	const char *p;

	FUZZ_CHECK(!strncmp(err, "'fuzz.txt'", 10));
	for (p = err; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size ? size : 1);
	enum smaps_format fmt;
	struct smaps_totals t;
	struct view v;
	char err[512];
	int r;

	if (size)
		memcpy(text, data, size);
	r = import_check("fuzz.txt", text, size, &fmt, &t, err, sizeof(err));
	FUZZ_CHECK(r == 0 || r == -1);
	FUZZ_CHECK(fmt == smaps_detect(text, size));
	parse_view(text, size, &v);
	if (r < 0) {
		check_message(err);
		goto out;
	}
	/* accepted: a text whose every record parses, of one format */
	FUZZ_CHECK(fmt == SMAPS_FMT_MAPS || fmt == SMAPS_FMT_SMAPS ||
		   fmt == SMAPS_FMT_ROLLUP);
	FUZZ_CHECK(!v.failed && v.nrec > 0 && t.nmaps == v.nrec);
	if (fmt == SMAPS_FMT_MAPS)
		FUZZ_CHECK(v.with_fields == 0);
	if (fmt == SMAPS_FMT_SMAPS)
		FUZZ_CHECK(v.with_fields == v.nrec);
	if (fmt == SMAPS_FMT_ROLLUP)
		FUZZ_CHECK(v.nrec == 1 && v.with_fields == 1);
	/* the figures are stored as SQLite integers: none may wrap around
	 * or turn negative */
	FUZZ_CHECK(!v.big);
out:
	free(text);
	return 0;
}
