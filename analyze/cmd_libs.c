/* cmd_libs.c - placeholder while it is written. */
#include "analyze.h"
#include "util.h"

static int run_libs(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	return error("libs: not written yet");
}

const struct command cmd_libs = { "libs", "libs FILE", run_libs, 0 };
