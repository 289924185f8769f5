/* cmd_maps.c - `maps`: one process's /proc/PID/maps as the kernel printed
 * it, rebuilt from the header lines of the stored smaps. */
#include "analyze.h"
#include "smaps.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* The header line of every record: /proc/PID/maps, byte for byte. */
static int print_maps(const struct buf *text, const char *file, int64_t pid)
{
	struct smaps_parser ps;
	struct smaps_map m;
	int r, ret = 0;

	smaps_parser_init(&ps, text->data, text->len);
	while ((r = smaps_next(&ps, &m)) != 0) {
		if (r < 0) {
			ret = error("'%s': smaps of process %lld: %s", file,
				    (long long)pid, ps.err);
			continue;
		}
		fwrite(m.line, 1, m.line_len, stdout);
		putchar('\n');
	}
	return ret;
}

static int run_maps(int argc, char **argv, const struct out_opts *out)
{
	struct process_text p;
	int ret;

	(void)out;
	if ((ret = process_text_open(&p, argc, argv, &cmd_maps)) >= 0)
		return ret;
	ret = 1;
	if (p.kind == TEXT_ROLLUP)
		error("'%s': process %lld of snapshot %lld is an imported"
		      " smaps_rollup: it has no maps", p.st.path,
		      (long long)p.pid, (long long)p.snap);
	else if (p.kind == TEXT_SMAPS)
		ret = print_maps(&p.text, p.st.path, p.pid) < 0;
	else
		ret = fwrite(p.text.data, 1, p.text.len, stdout) != p.text.len;
	process_text_release(&p);
	return ret;
}

const struct command cmd_maps = {
	"maps", "maps FILE [--snapshot REF] [--host NAME] PID",
	run_maps, 0, OUTPUT_NONE,
};
