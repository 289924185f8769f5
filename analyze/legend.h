/* legend.h - the labels of processes in a chart's legend: short, and
 * never two alike, so that each line can be told from the others. */
#ifndef MAPSNAP_LEGEND_H
#define MAPSNAP_LEGEND_H

#include <stddef.h>

#include "series.h"

/*
 * A label for each of the n processes v[i], at most max characters (a
 * host suffix aside): its command line cut as name_cut() cuts it (with
 * "…"); the labels that would be alike get the pid in front ("4242
 * python3 /srv/a.py"), and those still alike (one pid on two hosts, or
 * a pid reused) " on HOST", then " #2", " #3"... Returns n strings
 * (caller frees each, and the array; NULL when n is 0).
 */
char **legend_labels(const struct series *const *v, size_t n, size_t max);

/* Free what legend_labels returned. */
void legend_labels_free(char **labels, size_t n);

#endif
