/* cmd_merge.c - placeholder while `merge` is being written: replaced by the real command. */
#include "analyze.h"
#include "util.h"

static int run_merge(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	error("merge: not written yet");
	return 1;
}

const struct command cmd_merge = { "merge", "merge FILE", run_merge, 0 };
