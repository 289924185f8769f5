/* main.c - mapsnap-capture's command line: parse the options, open the
 * database, take the snapshot. Exit 0 success, 1 failure, 2 usage. */
#include "capture.h"
#include "store.h"
#include "util.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: mapsnap-capture [OPTIONS] [PID...]\n"
	"\n"
	"Snapshot the memory maps of processes (/proc/PID/smaps and a little\n"
	"context) into one SQLite file, compressed and deduplicated.\n"
	"\n"
	"  -o, --output FILE   database to add to (default ./mapsnap.db; created\n"
	"                      if missing)\n"
	"  -p, --pid PID       only this process (repeatable; same as a bare PID)\n"
	"  -m, --match REGEX   only processes whose comm or cmdline matches (POSIX ERE)\n"
	"  -u, --user USER     only this user's processes (name or uid)\n"
	"  -l, --label TEXT    free text stored with the snapshot\n"
	"      --proc DIR      read DIR as if it were /proc (a frozen copy)\n"
	"      --host NAME     record NAME as the host\n"
	"      --level N       zlib level, 0-9 (default 6)\n"
	"  -q, --quiet         print nothing but errors\n"
	"  -v, --verbose       say what is captured\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Kernel threads and the capture itself are skipped; processes that cannot\n"
	"be read are skipped and counted. A summary line goes to stderr.\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

static int add_pid(struct capture_opts *o, const char *arg)
{
	uint64_t v;

	if (parse_u64_str(arg, &v) < 0 || v == 0 || v > INT32_MAX)
		return -1;
	o->pids = xreallocarray(o->pids, o->npids + 1, sizeof(*o->pids));
	o->pids[o->npids++] = (pid_t)v;
	return 0;
}

static long lookup_user(const char *name)
{
	struct passwd *pw = getpwnam(name);
	uint64_t v;

	if (pw)
		return (long)pw->pw_uid;
	if (parse_u64_str(name, &v) == 0 && v <= INT32_MAX)
		return (long)v;
	return -1;
}

static char *join_args(int argc, char **argv)
{
	struct buf b = BUF_INIT(1 << 16);
	int i;

	for (i = 1; i < argc; i++)
		buf_addf(&b, "%s%s", i > 1 ? " " : "", argv[i]);
	return buf_detach(&b, NULL);
}

enum { OPT_PROC = 256, OPT_HOST, OPT_LEVEL };

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "match", required_argument, NULL, 'm' },
	{ "user", required_argument, NULL, 'u' },
	{ "label", required_argument, NULL, 'l' },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Fill *o from argv. Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct capture_opts *o,
		      regex_t *re)
{
	uint64_t v;
	int c, i;

	while ((c = getopt_long(argc, argv, "o:p:m:u:l:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'p':
			if (add_pid(o, optarg) < 0)
				return usage_error("bad pid '%s'", optarg);
			break;
		case 'm':
			if (o->match)
				regfree(o->match);
			if (regcomp(re, optarg, REG_EXTENDED | REG_NOSUB) != 0)
				return usage_error("bad regular expression '%s'", optarg);
			o->match = re;
			break;
		case 'u':
			if ((o->uid = lookup_user(optarg)) < 0)
				return usage_error("no such user '%s'", optarg);
			break;
		case 'l': o->label = optarg; break;
		case OPT_PROC: o->proc = optarg; break;
		case OPT_HOST: o->host = optarg; break;
		case OPT_LEVEL:
			if (parse_u64_str(optarg, &v) < 0 || v > 9)
				return usage_error("bad level '%s': expected 0 to 9", optarg);
			o->level = (int)v;
			break;
		case 'q': verbosity = 0; break;
		case 'v': verbosity = 2; break;
		case 'h': fputs(usage_text, stdout); return close_stdout() ? 1 : 0;
		case 'V':
			printf("mapsnap-capture %s (format %d)\n", MAPSNAP_VERSION,
			       STORE_VERSION);
			return close_stdout() ? 1 : 0;
		default:
			fprintf(stderr, "try 'mapsnap-capture --help'\n");
			return 2;
		}
	}
	for (i = optind; i < argc; i++)
		if (add_pid(o, argv[i]) < 0)
			return usage_error("bad pid '%s'", argv[i]);
	return -1;
}

int main(int argc, char **argv)
{
	struct capture_opts o = {
		.output = "mapsnap.db", .proc = "/proc", .uid = -1, .level = 6,
	};
	struct store st;
	regex_t re;
	int ret;

	progname = "mapsnap-capture";
	ret = parse_args(argc, argv, &o, &re);
	if (ret >= 0)
		goto out;
	o.live = strcmp(o.proc, "/proc") == 0;
	o.options_text = join_args(argc, argv);
	ret = 1;
	if (store_open(&st, o.output, STORE_WRITE) < 0)
		goto out;
	st.level = o.level;
	if (capture_snapshot(&st, &o) == 0)
		ret = 0;
	store_close(&st);
out:
	if (o.match)
		regfree(o.match);
	free(o.pids);
	free(o.options_text);
	return ret;
}
