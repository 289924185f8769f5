/* cmd_showmap.c - placeholder while it is written. */
#include "analyze.h"
#include "util.h"

static int run_showmap(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	return error("showmap: not written yet");
}

const struct command cmd_showmap = { "showmap", "showmap FILE", run_showmap, 0 };
