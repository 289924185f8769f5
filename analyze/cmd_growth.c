/* cmd_growth.c - placeholder while `growth` is being written: replaced by the real command. */
#include "analyze.h"
#include "util.h"

static int run_growth(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	error("growth: not written yet");
	return 1;
}

const struct command cmd_growth = { "growth", "growth FILE", run_growth, 0 };
