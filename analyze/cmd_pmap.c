/* cmd_pmap.c - placeholder while it is written. */
#include "analyze.h"
#include "util.h"

static int run_pmap(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	return error("pmap: not written yet");
}

const struct command cmd_pmap = { "pmap", "pmap FILE", run_pmap, 0 };
