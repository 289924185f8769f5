/* kindreport.c - the bars of kindreport.h: one row per process, one
 * part per kind (or library), drawn by bars.c. */
#include "kindreport.h"
#include "bars.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Bars of the kinds of v's known processes: labels[2i] is process i's
 * short label, labels[2i + 1] its tooltip name. */
static void kinds_bars(FILE *out, const struct kind_proc *v,
		       char *const *labels, size_t n)
{
	const char *names[KIND_COUNT];
	struct bar *b = xcalloc(n ? n : 1, sizeof(*b));
	struct bars_opts o = { "PSS by kind of mapping", names, KIND_COUNT, 0 };
	size_t i, k = 0;

	for (i = 0; i < KIND_COUNT; i++)
		names[i] = map_kind_name((enum map_kind)i);
	for (i = 0; i < n; i++)
		if (v[i].known) {
			b[k].label = labels[2 * i];
			b[k].tip = labels[2 * i + 1];
			b[k++].seg = v[i].pss;
		}
	fputs("<figure class=kinds>", out);
	bars_svg(out, &o, b, k);
	fputs("</figure>\n", out);
	free(b);
}

/* The base name of a path. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Bars of the libraries of v's known processes: the eight largest over
 * them all, then the rest of their libraries. */
static void libs_bars(FILE *out, const struct kind_proc *v,
		      char *const *labels, size_t n)
{
	size_t nlib, i, k, m = 0;
	const char **top = kindsum_top_libs(v, n, 8, &nlib);
	const char **names = xcalloc(nlib + 1, sizeof(*names));
	int64_t *seg = xcalloc((nlib + 1) * (n ? n : 1), sizeof(*seg)), *s;
	struct bar *b = xcalloc(n ? n : 1, sizeof(*b));
	struct bars_opts o = { "PSS of the libraries", names, nlib + 1, 0 };

	for (k = 0; k < nlib; k++)
		names[k] = base_name(top[k]);
	names[nlib] = "other libraries";
	for (i = 0; i < n; i++) {
		if (!v[i].known)
			continue;
		s = seg + m * (nlib + 1);
		b[m].label = labels[2 * i];
		b[m].tip = labels[2 * i + 1];
		b[m++].seg = s;
		s[nlib] = v[i].pss[KIND_LIB];
		for (k = 0; k < nlib; k++) {
			s[k] = kindsum_lib(&v[i], top[k]);
			s[nlib] -= s[k];
		}
	}
	if (nlib) {
		fputs("<figure class=libraries>", out);
		bars_svg(out, &o, b, m);
		fputs("</figure>\n", out);
	}
	free(b);
	free(seg);
	free(names);
	free(top);
}

void kindreport_bars(FILE *out, const struct kind_proc *v,
		     char *const *labels, size_t n)
{
	kinds_bars(out, v, labels, n);
	libs_bars(out, v, labels, n);
}
