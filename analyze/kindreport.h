/* kindreport.h - the report's pictures of what processes' memory is
 * made of: stacked bars by kind of mapping, and by library. */
#ifndef MAPSNAP_KINDREPORT_H
#define MAPSNAP_KINDREPORT_H

#include <stddef.h>
#include <stdio.h>

#include "kindsum.h"

/*
 * Write to out, each in a <figure>, the bars of v[0..n)'s processes
 * that are known (kindsum.h): their PSS by kind of mapping, then by
 * library (the eight largest over them all, then the rest of their
 * libraries; no figure when they map none). labels[2i] is process i's
 * label on its bar, labels[2i + 1] its name in the tooltips. A write
 * error is left in ferror(out).
 */
void kindreport_bars(FILE *out, const struct kind_proc *v,
		     char *const *labels, size_t n);

#endif
