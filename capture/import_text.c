/* import_text.c - what --import accepts: a saved maps, smaps or smaps_rollup
 * text, its format detected and its figures summed; no I/O, so it is fuzzed. */
#include "capture.h"
#include "smaps.h"

#include <stdio.h>

/*
 * The format seen in the first lines must hold for the whole text: a
 * maps text whose later mappings have fields, an smaps text with a
 * mapping without any (cut after its header) or an smaps_rollup with a
 * second record is two texts pasted together, or a truncated one, and
 * its figures would be summed wrong. 0, or -1 with "line N: cause".
 * The text is known to parse (smaps_sum said so).
 */
static int one_format(const char *text, size_t len, enum smaps_format fmt,
		      char *cause, size_t n)
{
	struct smaps_parser ps;
	struct smaps_map m;
	unsigned nrec = 0;

	smaps_parser_init(&ps, text, len);
	while (smaps_next(&ps, &m) > 0) {
		const char *why = NULL;

		nrec++;
		if (fmt == SMAPS_FMT_MAPS && m.nfields)
			why = "fields under a mapping of a maps text";
		else if (fmt == SMAPS_FMT_SMAPS && !m.nfields)
			why = "a mapping with no fields in an smaps text"
			      " (truncated?)";
		else if (fmt == SMAPS_FMT_ROLLUP && nrec > 1)
			why = "a second record in an smaps_rollup text";
		if (why) {
			snprintf(cause, n, "line %u: %s", m.lineno, why);
			return -1;
		}
	}
	return 0;
}

int import_check(const char *path, const char *text, size_t len,
		 enum smaps_format *fmt, struct smaps_totals *t,
		 char *err, size_t errlen)
{
	char cause[160];

	*fmt = smaps_detect(text, len);
	if (*fmt == SMAPS_FMT_EMPTY || *fmt == SMAPS_FMT_UNKNOWN) {
		snprintf(err, errlen, "'%s' is not a maps, smaps or"
			 " smaps_rollup text%s", path,
			 *fmt == SMAPS_FMT_EMPTY ? " (it is empty)" : "");
		return -1;
	}
	if (smaps_sum(text, len, t, cause, sizeof(cause)) < 0 ||
	    one_format(text, len, *fmt, cause, sizeof(cause)) < 0) {
		snprintf(err, errlen, "'%s': %s", path, cause);
		return -1;
	}
	return 0;
}
