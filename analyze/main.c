/* main.c - mapsnap-analyze: take the output options from anywhere, refuse
 * those the command named does not take, and hand the rest to it. */
#include "analyze.h"
#include "util.h"
#include "when.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct command *const commands[] = {
	&cmd_list, &cmd_ps, &cmd_libs, &cmd_users, &cmd_showmap, &cmd_pmap,
	&cmd_maps, &cmd_smaps, &cmd_diff, &cmd_timeline, &cmd_growth,
	&cmd_report, &cmd_merge, &cmd_sql, &cmd_export, &cmd_check,
	&cmd_redact, &cmd_cgroups,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Which output options each command takes: a line per set of them,
 * with every command that takes that set. */
static void help_output(void)
{
	struct buf b = BUF_INIT(4096);
	size_t i, j;

	printf("\n"
	       "output options each command takes (any other is a usage error):\n");
	for (i = 0; i < NCOMMANDS; i++) {
		for (j = 0; j < i && commands[j]->output != commands[i]->output; j++)
			;
		if (j < i)
			continue;	/* on the line of an earlier command */
		buf_addch(&b, ' ');
		for (j = i; j < NCOMMANDS; j++)
			if (commands[j]->output == commands[i]->output)
				buf_addf(&b, " %s", commands[j]->name);
		buf_addstr(&b, ": ");
		out_opts_names(&b, commands[i]->output);
		printf("%s\n", b.data);
		buf_reset(&b);
	}
	buf_release(&b);
}

static void help(void)
{
	size_t i;

	printf("usage: mapsnap-analyze [--csv | --json] [-H|--human] [-p] [-t] [--sort COL]\n"
	       "                       [-r] [--limit N] [-w] [--utc | --local] COMMAND ...\n"
	       "\n"
	       "Read snapshots taken by mapsnap-capture: list, render and query them.\n"
	       "\n"
	       "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %s\n", commands[i]->usage);
	printf("\n"
	       "filters: --pid PID (repeatable), --match REGEX (comm or command line),\n"
	       "--user USER (name or uid), --host NAME (that host's snapshots only),\n"
	       "--cgroup REGEX (its cgroup path), --container ID (a container id or\n"
	       "prefix, a container name, a pod UID), --unit NAME (a systemd unit or\n"
	       "slice on its cgroup path; NAME.service when NAME has no suffix).\n"
	       "REF: a snapshot id, a uuid (or a prefix of 4 hex digits or more),\n"
	       "'first', 'latest' (the default), '@LABEL' (the latest with that\n"
	       "label) or a WHEN (the last taken at or before it).\n"
	       "WHEN: a local time ('2026-12-06 10:00'),\n"
	       "one with its zone (2026-12-06T10:00Z, 2026-12-06T10:00+01:00) or a\n"
	       "span back from the latest snapshot (6h, 2d).\n"
	       "\n"
	       "output options (before or after the command name; pmap takes its own):\n"
	       "      --csv           RFC 4180 CSV with a header row\n"
	       "      --json          one JSON array of objects\n"
	       "  -H, --human         sizes as 1.5M instead of kB (tables and CSV)\n"
	       "  -p, --percent       sizes as a percentage of MemTotal (swap: of\n"
	       "                      SwapTotal), from the snapshot's meminfo\n"
	       "  -t, --totals        end with a totals row\n"
	       "      --sort COL      sort by this column (ascending; -r for descending)\n"
	       "  -r, --reverse       reverse the order\n"
	       "      --limit N       print at most N rows\n"
	       "  -w, --wide          names whole, whatever the terminal's width\n"
	       "      --utc           show times in UTC, and read a time without a\n"
	       "                      zone as UTC (as TZ=UTC would)\n"
	       "      --local         CSV and JSON times in local time too, with\n"
	       "                      their offset (tables are always local, of TZ)\n"
	       "  -h, --help          show this help (COMMAND --help for one command)\n"
	       "  -V, --version       show the version\n");
	help_output();
	printf("\n"
	       "Sizes are in kB. Exit status: 0 success, 1 failure, 2 usage error,\n"
	       "3 growth found leak suspects.\n");
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

/* --utc and --local, which every command takes: times are local (TZ)
 * in tables and UTC in CSV and JSON unless one says otherwise. 1 when
 * a is one of them (taken), 0 when not, -1 on a usage error (printed). */
static int take_zone_option(const char *a, char *zone)
{
	if (strcmp(a, "--utc") && strcmp(a, "--local"))
		return 0;
	if (*zone && *zone != a[2]) {
		usage_error("--utc and --local exclude each other");
		return -1;
	}
	*zone = a[2];
	if (*zone == 'l') {
		when_iso_local(1);
	} else if (setenv("TZ", "UTC0", 1) == 0) {
		tzset();
	} else {
		error("cannot set TZ for --utc: %s", strerror(errno));
		return -1;
	}
	return 1;
}

/*
 * Take the output options out of argv wherever they stand, and leave the
 * rest (the command and its arguments) in argv, in order. A command with
 * its own options gets everything after its name. Returns the new argc,
 * or -(exit status) when done (help, version, usage error).
 */
static int take_output_options(int argc, char **argv, struct out_opts *o)
{
	int i, n = 1, have_cmd = 0, rest = 0, r;
	const struct command *cmd;
	char zone = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (rest || a[0] != '-') {
			if (!have_cmd && (cmd = find_command(a)) && cmd->own_options)
				rest = 1;
			have_cmd = 1;
			argv[n++] = argv[i];
		} else if (!strcmp(a, "--")) {
			rest = 1;
		} else if ((r = out_opts_take(o, argc, argv, &i)) != 0 ||
			   (r = take_zone_option(a, &zone)) != 0) {
			if (r < 0)
				return -2;
		} else if (!have_cmd && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			help();
			return close_stdout() ? -1 : 0;
		} else if (!have_cmd && (!strcmp(a, "-V") || !strcmp(a, "--version"))) {
			printf("mapsnap-analyze %s (format %s)\n", MAPSNAP_VERSION,
			       format_version());
			return close_stdout() ? -1 : 0;
		} else if (!have_cmd) {
			return -usage_error("unknown option '%s'", a);
		} else {
			argv[n++] = strcmp(a, "-h") ? argv[i] : (char *)"--help";
		}
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	struct out_opts out = OUT_OPTS_INIT;
	const struct command *cmd;
	const char *opt;
	char name[64];
	int ret;

	progname = "mapsnap-analyze";
	argv[0] = (char *)progname;	/* getopt's messages use it */
	/* a file over RLIMIT_FSIZE (merge OUT, --svg, --html) is a write
	 * error to report, not a signal to die of */
	signal(SIGXFSZ, SIG_IGN);
	/* `| head` ends us quietly, as it ends cat, even when our parent
	 * ignored SIGPIPE (we would then print an EPIPE error) */
	signal(SIGPIPE, SIG_DFL);
	argc = take_output_options(argc, argv, &out);
	if (argc <= 0)
		return -argc;
	if (argc < 2)
		return usage_error("no command given");
	cmd = find_command(argv[1]);
	if (!cmd)
		return usage_error("unknown command '%s'", argv[1]);
	if ((opt = out_opts_refused(&out, cmd->output))) {
		error("%s does not take %s", cmd->name, opt);
		fprintf(stderr, "try '%s %s --help'\n", progname, cmd->name);
		return 2;
	}
	/* getopt's messages start with argv[0]: "mapsnap-analyze ps: ..." */
	snprintf(name, sizeof(name), "%s %s", progname, cmd->name);
	argv[1] = name;
	ret = cmd->run(argc - 1, argv + 1, &out);
	if (close_stdout() < 0 && ret == 0)
		ret = 1;
	return ret;
}
