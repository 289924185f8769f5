/* cmd_users.c - placeholder while it is written. */
#include "analyze.h"
#include "util.h"

static int run_users(int argc, char **argv, const struct out_opts *out)
{
	(void)argc; (void)argv; (void)out;
	return error("users: not written yet");
}

const struct command cmd_users = { "users", "users FILE", run_users, 0 };
