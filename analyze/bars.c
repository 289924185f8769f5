/* bars.c - the stacked bars of bars.h: a row per bar, a rect per
 * segment with its exact figure in a tooltip, a legend below. */
#include "bars.h"
#include "chart.h"

#include <inttypes.h>

#define ROW 22		/* px per bar */
#define BAR_H 14
#define TOP 34		/* the title */
#define LABEL_W 250	/* px left of the bars for their labels */
#define LABEL_CHARS 40
#define VALUE_W 80	/* px right of the bars for their totals */
#define LEGEND_ITEM 130
#define LEGEND_ROW 18

void bars_size(char *out, size_t n, int64_t kb)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)kb;
	size_t u = 0;

	while ((v >= 1024 || v <= -1024) && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(out, n, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static int64_t total(const struct bar *b, size_t nseg)
{
	int64_t t = 0;
	size_t k;

	for (k = 0; k < nseg; k++)
		t += b->seg[k] > 0 ? b->seg[k] : 0;
	return t;
}

/* The segments of bar b at row y, scaled by px per kB. */
static void put_bar(FILE *out, const struct bars_opts *o, const struct bar *b,
		    unsigned y, double scale)
{
	int64_t sum = total(b, o->nseg);
	double x = LABEL_W;
	char color[8], size[32];
	size_t k;

	for (k = 0; k < o->nseg; k++) {
		int64_t v = b->seg[k] > 0 ? b->seg[k] : 0;

		if (!v)
			continue;
		chart_color(k, color);
		fprintf(out, "<rect class=\"seg\" x=\"%.1f\" y=\"%u\" width=\"%.1f\""
			" height=\"%d\" fill=\"%s\"><title>", x, y,
			(double)v * scale, BAR_H, color);
		chart_put_xml(out, b->tip ? b->tip : b->label, 0);
		fputs(": ", out);
		chart_put_xml(out, o->seg_names[k], 0);
		fprintf(out, " %" PRId64 " KiB (%.1f %%)</title></rect>\n", v,
			100.0 * (double)v / (double)sum);
		x += (double)v * scale;
	}
	bars_size(size, sizeof(size), sum);
	fprintf(out, "<text x=\"%.1f\" y=\"%u\">%s</text>\n", x + 6,
		y + BAR_H - 3, size);
}

static void put_legend(FILE *out, const struct bars_opts *o, unsigned w,
		       unsigned y)
{
	size_t per = (w - LABEL_W) / LEGEND_ITEM, k;
	char color[8];

	per = per ? per : 1;
	fputs("<g class=\"legend\">\n", out);
	for (k = 0; k < o->nseg; k++) {
		unsigned x = LABEL_W + (unsigned)(k % per) * LEGEND_ITEM;
		unsigned ly = y + (unsigned)(k / per) * LEGEND_ROW;

		chart_color(k, color);
		fprintf(out, "<rect x=\"%u\" y=\"%u\" width=\"12\" height=\"12\""
			" fill=\"%s\"/><text x=\"%u\" y=\"%u\">", x, ly, color,
			x + 16, ly + 10);
		chart_put_xml(out, o->seg_names[k], 0);
		fputs("</text>\n", out);
	}
	fputs("</g>\n", out);
}

int bars_svg(FILE *out, const struct bars_opts *o, const struct bar *b,
	     size_t n)
{
	unsigned w = o->width ? o->width : 760, h, legend = 0;
	int64_t most = 1;
	size_t i, per;

	w = w < LABEL_W + VALUE_W + 100 ? LABEL_W + VALUE_W + 100 : w;
	for (i = 0; i < n; i++)
		most = total(&b[i], o->nseg) > most ? total(&b[i], o->nseg) : most;
	per = (w - LABEL_W) / LEGEND_ITEM;
	if (o->nseg > 1)
		legend = (unsigned)((o->nseg + per - 1) / per) * LEGEND_ROW + 8;
	h = TOP + (unsigned)n * ROW + legend + 6;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\""
		" height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"sans-serif\""
		" font-size=\"11\" role=\"img\">\n<title>", w, h, w, h);
	chart_put_xml(out, o->title ? o->title : "memory by part", 0);
	fprintf(out, "</title>\n<rect width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n",
		w, h);
	if (o->title) {
		fprintf(out, "<text class=\"title\" x=\"%u\" y=\"20\" text-anchor="
			"\"middle\" font-size=\"14\" font-weight=\"bold\">", w / 2);
		chart_put_xml(out, o->title, 0);
		fputs("</text>\n", out);
	}
	for (i = 0; i < n; i++) {
		unsigned y = TOP + (unsigned)i * ROW;

		fprintf(out, "<g class=\"bar\">\n<text x=\"%d\" y=\"%u\""
			" text-anchor=\"end\">", LABEL_W - 6, y + BAR_H - 3);
		chart_put_xml(out, b[i].label, LABEL_CHARS);
		fputs("</text>\n", out);
		put_bar(out, o, &b[i], y, (double)(w - LABEL_W - VALUE_W) /
			(double)most);
		fputs("</g>\n", out);
	}
	if (legend)
		put_legend(out, o, w, TOP + (unsigned)n * ROW + 8);
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
