/* cmd_smaps.c - `smaps`: one process's stored smaps (or imported
 * smaps_rollup) text, byte for byte what the kernel printed. */
#include "analyze.h"
#include "util.h"

#include <stdio.h>

static int run_smaps(int argc, char **argv, const struct out_opts *out)
{
	struct process_text p;
	int ret;

	(void)out;
	if ((ret = process_text_open(&p, argc, argv, &cmd_smaps)) >= 0)
		return ret;
	ret = 1;
	if (p.kind == TEXT_MAPS)
		error("'%s': snapshot %lld stored only maps for process %lld"
		      " (--maps-only or --rollup), not smaps", p.st.path,
		      (long long)p.snap, (long long)p.pid);
	else
		ret = fwrite(p.text.data, 1, p.text.len, stdout) != p.text.len;
	process_text_release(&p);
	return ret;
}

const struct command cmd_smaps = {
	"smaps", "smaps FILE [--snapshot REF] [--host NAME] PID",
	run_smaps, 0, OUTPUT_NONE,
};
