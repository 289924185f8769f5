/* bars.h - horizontal stacked bars as a standalone SVG element, for
 * inlining in an HTML page: what a whole is made of, one bar a thing. */
#ifndef MAPSNAP_BARS_H
#define MAPSNAP_BARS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One bar: its label (any bytes: escaped; shown cut to 40 characters:
 * the caller makes it short), its name in the tooltips (NULL: the
 * label) and its segments' values in kB (nseg of them, each >= 0; a
 * negative one is drawn as 0). */
struct bar {
	const char *label;
	const char *tip;
	const int64_t *seg;
};

struct bars_opts {
	const char *title;		/* may be NULL */
	const char *const *seg_names;	/* nseg names, for the legend and
					   the tooltips */
	size_t nseg;			/* at least 1; 1: no legend */
	unsigned width;			/* px; 0: 760 */
};

/*
 * Write an <svg> of the n bars, one a row, longest total first as given
 * (the caller orders them), all to one scale (the largest total fills
 * the width). Each segment is a <rect class="seg"> in chart_color(k)
 * whose <title> says "LABEL: NAME N KiB (P %)", exact; each row ends
 * with its total, in KiB, MiB or GiB. A legend of the segment names
 * when there are several. Returns 0, or -1 when out has an error.
 */
int bars_svg(FILE *out, const struct bars_opts *o, const struct bar *b,
	     size_t n);

/* kB as a person reads it, in binary units: "812 KiB", "1.5 MiB",
 * "2.0 GiB", into out (n bytes; 32 is enough). */
void bars_size(char *out, size_t n, int64_t kb);

#endif
