/* cmd_diff.c - placeholder while `diff` is being written: replaced by the real command. */
#include "analyze.h"
#include "util.h"

static int run_diff(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	error("diff: not written yet");
	return 1;
}

const struct command cmd_diff = { "diff", "diff FILE", run_diff, 0 };
