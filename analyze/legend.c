/* legend.c - the labels of legend.h: the distinguishing end of each
 * command line, then the pid, then the host where they still collide. */
#include "legend.h"
#include "buf.h"
#include "namecut.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does labels[i] equal another of the n? */
static int alike(char *const *labels, size_t n, size_t i)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (j != i && !strcmp(labels[i], labels[j]))
			return 1;
	return 0;
}

/* v's command behind its pid, cut to max characters in all. */
static char *with_pid(const struct series *v, size_t max)
{
	struct buf b = BUF_INIT(1 << 20);
	char pid[24], *cut;
	size_t n = (size_t)snprintf(pid, sizeof(pid), "%lld ", (long long)v->pid);

	cut = name_cut(v->command, max > n + 8 ? max - n : 8, "\u2026", 1);
	buf_addf(&b, "%s%s", pid, cut);
	free(cut);
	return buf_detach(&b, NULL);
}

/* Follow each label flagged in dup by " on HOST" (host) or " #k", k
 * counting the alike ones before it from 1. */
static void add_suffix(char **labels, const struct series *const *v,
		       const unsigned char *dup, size_t n, int host)
{
	struct buf b = BUF_INIT(1 << 20);
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		if (!dup[i])
			continue;
		for (k = 1, j = 0; j < i; j++)
			k += dup[j] && !strcmp(labels[i], labels[j]);
		buf_reset(&b);
		if (host)
			buf_addf(&b, "%s on %s", labels[i], v[i]->host);
		else
			buf_addf(&b, "%s #%zu", labels[i], k);
		free(labels[i]);
		labels[i] = xstrdup(b.data);
	}
	buf_release(&b);
}

/* Flag in dup the labels that equal another; 1 when any does. */
static int find_alike(char *const *labels, unsigned char *dup, size_t n)
{
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++)
		any |= dup[i] = (unsigned char)alike(labels, n, i);
	return any;
}

char **legend_labels(const struct series *const *v, size_t n, size_t max)
{
	char **labels;
	unsigned char *dup;
	size_t i;
	int pass;

	if (!n)
		return NULL;
	labels = xcalloc(n, sizeof(*labels));
	dup = xcalloc(n, 1);
	for (i = 0; i < n; i++)
		labels[i] = name_cut(v[i]->command, max, "\u2026", 1);
	for (pass = 0; pass < 3 && find_alike(labels, dup, n); pass++) {
		if (pass > 0) {	/* a host, then a count */
			add_suffix(labels, v, dup, n, pass == 1);
			continue;
		}
		for (i = 0; i < n; i++)
			if (dup[i]) {
				free(labels[i]);
				labels[i] = with_pid(v[i], max);
			}
	}
	free(dup);
	return labels;
}

void legend_labels_free(char **labels, size_t n)
{
	size_t i;

	for (i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}
