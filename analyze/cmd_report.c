/* cmd_report.c - placeholder while `report` is being written: replaced by the real command. */
#include "analyze.h"
#include "util.h"

static int run_report(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	error("report: not written yet");
	return 1;
}

const struct command cmd_report = { "report", "report FILE", run_report, 0 };
