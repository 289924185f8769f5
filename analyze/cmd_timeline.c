/* cmd_timeline.c - placeholder while `timeline` is being written: replaced by the real command. */
#include "analyze.h"
#include "util.h"

static int run_timeline(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	error("timeline: not written yet");
	return 1;
}

const struct command cmd_timeline = { "timeline", "timeline FILE", run_timeline, 0 };
