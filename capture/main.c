/* main.c - mapsnap-capture's command line: parse the options, open the
 * database, take the snapshot. Exit 0 success, 1 failure, 2 usage. */
#include "capture.h"
#include "passwd.h"
#include "store.h"
#include "tar.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LEVEL_TEXT_(n) #n
#define LEVEL_TEXT(n) LEVEL_TEXT_(n)	/* the level's digits, in the help */

static const char usage_text[] =
	"usage: mapsnap-capture [OPTIONS] [PID...]\n"
	"\n"
	"Snapshot the memory maps of processes (/proc/PID/smaps and a little\n"
	"context) into one SQLite file, compressed and deduplicated.\n"
	"\n"
	"  -o, --output FILE   database to add to (default ./mapsnap.db; created\n"
	"                      if missing, private to you); - writes it to\n"
	"                      standard output when the run ends\n"
	"  -p, --pid PID       only this process (repeatable; same as a bare PID)\n"
	"  -m, --match REGEX   only processes whose comm or cmdline matches (POSIX ERE)\n"
	"  -u, --user USER     only this user's processes (name or uid)\n"
	"  -i, --interval SECS take a snapshot every SECS (fractions allowed)\n"
	"  -n, --count N       how many snapshots (default 1, or with -i 0);\n"
	"                      0 = until SIGINT/SIGTERM\n"
	"      --keep N        keep only the newest N snapshots in FILE (a ring)\n"
	"      --keep-for DURATION  drop snapshots older than DURATION (90s, 15m,\n"
	"                      12h, 7d, 2w)\n"
	"      --max-size SIZE drop the oldest snapshots while FILE holds more than\n"
	"                      SIZE (64k, 500M, 1G); it stays within SIZE and one\n"
	"                      snapshot\n"
	"  -l, --label TEXT    free text stored with the snapshot\n"
	"      --maps-only     store maps instead of smaps (cheap: no page-table walk)\n"
	"      --rollup        store maps plus smaps_rollup (per-process totals only)\n"
	"      --proc DIR      read DIR as if it were /proc (a frozen copy); a\n"
	"                      file is read as smemcap's tar archive\n"
	"      --sys DIR       read DIR as if it were /sys, for the memory cgroups\n"
	"                      (DIR/fs/cgroup); default /sys with the live /proc,\n"
	"                      none with a frozen one\n"
	"      --cgroup REGEX  only processes whose cgroup path matches (POSIX ERE)\n"
	"      --container ID  only the processes of this container: an id or a\n"
	"                      prefix of one, a container name, or a pod UID\n"
	"      --unit NAME     only the processes of this systemd unit or slice\n"
	"                      (NAME.service when NAME has no suffix)\n"
	"      --import FILE   store one saved maps, smaps or smaps_rollup text as a\n"
	"                      process (format detected; - = stdin); its identity\n"
	"                      comes from --pid, --comm and --host\n"
	"      --comm NAME     the process name of an --import\n"
	"      --host NAME     record NAME as the host\n"
	"      --level N       compression level, 0-12 (default " LEVEL_TEXT(STORE_LEVEL)
	"; " LEVEL_TEXT(STORE_LEVEL_CHEAP) " with\n"
	"                      --maps-only or --rollup); 0 stores, 12 is smallest\n"
	"      --nice          lower this capture's CPU and I/O priority\n"
	"      --reuse         with -i: a process whose RSS counters, threads and\n"
	"                      maps are as at its last full read keeps that read's\n"
	"                      smaps text (marked in the file; its PSS may drift)\n"
	"  -q, --quiet         print nothing but errors\n"
	"  -v, --verbose       say what is captured\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Kernel threads and the capture itself are skipped; processes that cannot\n"
	"be read are skipped and counted. A summary line goes to stderr. The first\n"
	"SIGINT or SIGTERM finishes the snapshot in hand and exits 0; a second one\n"
	"rolls it back. A snapshot is stored whole or not at all. On a terminal,\n"
	"a progress line on stderr counts processes (and snapshots with -i).\n"
	"Exit status: 0 success, 1 failure, 2 usage error, 3 a -p PID that does\n"
	"not exist (nothing stored), or -m/-u that left no process to capture\n"
	"(the snapshot is stored; in an -i run, in any of its snapshots).\n";

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
	long uid = user_id_of(name);
	uint64_t v;

	if (uid >= 0)
		return uid;
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

enum {
	OPT_PROC = 256, OPT_HOST, OPT_LEVEL, OPT_KEEP, OPT_MAPS_ONLY,
	OPT_ROLLUP, OPT_IMPORT, OPT_COMM, OPT_NICE, OPT_KEEP_FOR, OPT_MAX_SIZE,
	OPT_REUSE, OPT_SYS, OPT_CGROUP, OPT_CONTAINER, OPT_UNIT,
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "match", required_argument, NULL, 'm' },
	{ "user", required_argument, NULL, 'u' },
	{ "label", required_argument, NULL, 'l' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'n' },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "keep-for", required_argument, NULL, OPT_KEEP_FOR },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "maps-only", no_argument, NULL, OPT_MAPS_ONLY },
	{ "rollup", no_argument, NULL, OPT_ROLLUP },
	{ "import", required_argument, NULL, OPT_IMPORT },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "nice", no_argument, NULL, OPT_NICE },
	{ "reuse", no_argument, NULL, OPT_REUSE },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ "sys", required_argument, NULL, OPT_SYS },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* --cgroup, --container or --unit into o->cgf: 0, or -1 (printed as a
 * usage error). */
static int cgroup_option(struct capture_opts *o, int c, const char *arg)
{
	struct filters *f = &o->cgf;

	if (!*arg) {
		usage_error("--%s takes a non-empty argument", c == OPT_CGROUP
			    ? "cgroup" : c == OPT_CONTAINER ? "container" : "unit");
		return -1;
	}
	if (c == OPT_CONTAINER)
		f->container = arg;
	else if (c == OPT_UNIT)
		f->unit = arg;
	else {
		if (f->has_cgroup_re)
			regfree(&f->cgroup_re);
		f->has_cgroup_re = regcomp(&f->cgroup_re, arg, REG_EXTENDED |
					   REG_NOSUB) == 0;
		if (!f->has_cgroup_re) {
			usage_error("bad regular expression '%s'", arg);
			return -1;
		}
	}
	return 0;
}

/* Fill *o from argv. Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct capture_opts *o,
		      regex_t *re)
{
	int c, i, has_count = 0, modes = 0, reuse = 0;
	uint64_t v;
	char *end;

	while ((c = getopt_long(argc, argv, "o:p:m:u:l:i:n:qvhV", longopts, NULL)) != -1) {
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
		case 'i':
			o->interval = strtod(optarg, &end);
			if (end == optarg || *end || !(o->interval > 0) ||
			    o->interval > 86400 * 366)
				return usage_error("bad interval '%s': expected seconds > 0",
						   optarg);
			break;
		case 'n':
			if (parse_u64_str(optarg, &v) < 0 || v > LONG_MAX)
				return usage_error("bad count '%s'", optarg);
			o->count = (long)v;
			has_count = 1;
			break;
		case OPT_KEEP:
			if (parse_u64_str(optarg, &v) < 0 || v == 0 || v > LONG_MAX)
				return usage_error("bad --keep '%s': expected N >= 1", optarg);
			o->keep = (long)v;
			break;
		case OPT_KEEP_FOR:	/* 100 years: now_us() - it stays in range */
			if (parse_duration(optarg, &v) < 0 || v == 0 ||
			    v > 100ULL * 366 * 86400)
				return usage_error("bad --keep-for '%s': expected a"
						   " duration such as 7d", optarg);
			o->keep_for = (int64_t)v;
			break;
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &v) < 0 || v == 0)
				return usage_error("bad --max-size '%s': expected a"
						   " size such as 1G", optarg);
			o->max_size = (int64_t)v;
			break;
		case OPT_MAPS_ONLY: o->mode = MODE_MAPS; modes++; break;
		case OPT_ROLLUP: o->mode = MODE_ROLLUP; modes++; break;
		case OPT_IMPORT: o->import = optarg; break;
		case OPT_COMM: o->comm = optarg; break;
		case OPT_NICE: o->nice = 1; break;
		case OPT_REUSE: reuse = 1; break;
		case OPT_PROC: o->proc = optarg; break;
		case OPT_SYS: o->sys = optarg; break;
		case OPT_CGROUP: case OPT_CONTAINER: case OPT_UNIT:
			if (cgroup_option(o, c, optarg) < 0)
				return 2;
			break;
		case OPT_HOST: o->host = optarg; break;
		case OPT_LEVEL:
			if (parse_u64_str(optarg, &v) < 0 || v > BLOB_LEVEL_MAX)
				return usage_error("bad level '%s': expected %d to %d",
						   optarg, BLOB_LEVEL_MIN,
						   BLOB_LEVEL_MAX);
			o->level = (int)v;
			break;
		case 'q': verbosity = 0; break;
		case 'v': verbosity = 2; break;
		case 'h': fputs(usage_text, stdout); return close_stdout() ? 1 : 0;
		case 'V':
			printf("mapsnap-capture %s (format %s)\n", MAPSNAP_VERSION,
			       format_version());
			return close_stdout() ? 1 : 0;
		default:
			fprintf(stderr, "try 'mapsnap-capture --help'\n");
			return 2;
		}
	}
	for (i = optind; i < argc; i++)
		if (add_pid(o, argv[i]) < 0)
			return usage_error("bad pid '%s'", argv[i]);
	if (modes > 1)
		return usage_error("--maps-only and --rollup exclude each other");
	if (!has_count)
		o->count = o->interval > 0 ? 0 : 1;
	if (o->import && (o->npids > 1 || o->interval > 0 || o->count > 1 ||
			  o->match || o->uid >= 0 || modes || o->sys ||
			  filters_need_cgroup(&o->cgf)))
		return usage_error("--import takes one text: at most one --pid,"
				   " and no -i, -n, -m, -u, --sys, cgroup filter"
				   " or mode option");
	if (o->comm && !o->import)
		return usage_error("--comm goes with --import");
	if (reuse && (modes || o->import))
		return usage_error("--reuse keeps smaps texts: not with"
				   " --maps-only, --rollup or --import");
	if (reuse) {
		o->reuse = xmalloc(sizeof(*o->reuse));
		reuse_init(o->reuse);
	}
	return -1;
}

/* Is `dir` the real /proc (and not a frozen copy of one)? */
static int is_live_proc(const char *dir)
{
	char *real = realpath(dir, NULL);
	int live = real && !strcmp(real, "/proc");

	free(real);
	return live;
}

volatile sig_atomic_t capture_stop;

static void on_signal(int sig)
{
	(void)sig;
	if (capture_stop < 2)
		capture_stop++;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: sleeps wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* --nice: the lowest CPU priority and the idle I/O class. */
static void be_nice(void)
{
	const int ioprio_class_idle = 3, ioprio_class_shift = 13;
	const int ioprio_who_process = 1;

	errno = 0;
	if (setpriority(PRIO_PROCESS, 0, 19) < 0)
		warn("cannot lower CPU priority: %s", strerror(errno));
	if (syscall(SYS_ioprio_set, ioprio_who_process, 0,
		    ioprio_class_idle << ioprio_class_shift) < 0)
		warn("cannot lower I/O priority: %s", strerror(errno));
}

/* Sleep until `when` (CLOCK_MONOTONIC) or a signal. */
static double seconds_until(const struct timespec *when)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(when->tv_sec - now.tv_sec) +
	       (double)(when->tv_nsec - now.tv_nsec) / 1e9;
}

/*
 * Sleep until `when` (CLOCK_MONOTONIC) or a signal. With a progress line,
 * wake every PROGRESS_EVERY_MS to count down to the next snapshot.
 */
static void sleep_until(const struct timespec *when, struct progress *pr,
			long done, long count)
{
	struct timespec step;
	double left;

	while (!capture_stop && (left = seconds_until(when)) > 0) {
		step = *when;
		if (pr->enabled && left > PROGRESS_EVERY_MS / 1e3) {
			if (count)
				progress_show(pr, "snapshot %ld of %ld taken, next"
					      " in %.1f s", done, count, left);
			else
				progress_show(pr, "snapshot %ld taken, next in"
					      " %.1f s", done, left);
			clock_gettime(CLOCK_MONOTONIC, &step);
			step.tv_nsec += PROGRESS_EVERY_MS * 1000000L;
			if (step.tv_nsec >= 1000000000L) {
				step.tv_sec++;
				step.tv_nsec -= 1000000000L;
			}
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &step, NULL);
	}
}

/* "snapshot N of M: " (or "snapshot N: " with no end) in -i runs. */
static void loop_head(char *out, size_t n, const struct capture_opts *o,
		      long nth)
{
	if (o->interval <= 0)
		out[0] = '\0';
	else if (o->count)
		snprintf(out, n, "snapshot %ld of %ld: ", nth, o->count);
	else
		snprintf(out, n, "snapshot %ld: ", nth);
}

/* Take o->count snapshots (0: until a signal), o->interval apart; how
 * many were stored goes to *taken. */
static int capture_loop(struct store *st, const struct capture_opts *o,
			long *taken)
{
	struct timespec next, now;
	struct progress pr = { 0 };
	char head[64];
	long done = 0;
	int r, ret = 0, nomatch = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!capture_stop && (o->count == 0 || done < o->count)) {
		/* each snapshot (and the wait after it) starts the delay again:
		 * a quick one shows no line that its summary erases at once */
		progress_init(&pr);
		loop_head(head, sizeof(head), o, done + 1);
		r = capture_snapshot(st, o, &pr, head);
		if (r < 0) {
			ret = r == CAPTURE_GONE ? EXIT_NOMATCH : 1;
			break;
		}
		nomatch |= r == CAPTURE_NOMATCH;	/* and the run goes on */
		if (r == 1)
			break;
		done++;
		if (o->count && done == o->count)
			break;
		next.tv_sec += (time_t)o->interval;
		next.tv_nsec += (long)((o->interval - (double)(time_t)o->interval) * 1e9);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) {
			info("snapshot took longer than the interval");
			next = now;	/* do not try to catch up */
		}
		sleep_until(&next, &pr, done, o->count);
	}
	progress_done(&pr);
	*taken = done;
	if (capture_stop && verbosity >= 1)
		fprintf(stderr, "%s: stopped by signal after %ld snapshot%s\n",
			progname, done, done == 1 ? "" : "s");
	if (nomatch && ret == 0) {
		error("no process matched %s", o->match && o->uid >= 0 ? "-m and -u"
		      : o->match ? "-m" : "-u");
		ret = EXIT_NOMATCH;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct capture_opts o = {
		.output = "mapsnap.db", .proc = "/proc", .uid = -1,
		.level = -1,
	};
	struct tar_tree tar = { NULL };
	struct capture_out co;
	regex_t re;
	long taken = 0;
	int ret;

	progname = "mapsnap-capture";
	argv[0] = (char *)progname;	/* getopt's messages use it */
	ret = parse_args(argc, argv, &o, &re);
	if (ret >= 0)
		goto out;
	if (o.level < 0)
		o.level = o.mode == MODE_SMAPS || o.import ? STORE_LEVEL
			: STORE_LEVEL_CHEAP;
	if (!o.import && tar_is_file(o.proc)) {	/* smemcap's archive */
		ret = 1;
		if (tar_tree_unpack(&tar, o.proc) < 0)
			goto out;
		o.proc = tar.dir;
	}
	o.live = is_live_proc(o.proc);
	/* a frozen /proc gets a frozen /sys or none: never the live one */
	if (!o.sys && o.live)
		o.sys = "/sys";
	o.options_text = join_args(argc, argv);
	ret = 1;
	/* a file over RLIMIT_FSIZE is a full disk: SQLite rolls back and
	 * says so, instead of the kernel killing us mid-transaction */
	signal(SIGXFSZ, SIG_IGN);
	if (capture_out_open(&co, o.output) < 0)
		goto out;
	co.st.level = o.level;
	if (o.nice)
		be_nice();
	catch_signals();
	if (o.mode != MODE_SMAPS && !o.import &&
	    store_cache(&co.st, STORE_CACHE_CHEAP_KIB) < 0)
		ret = 1;
	else if (o.import) {
		ret = capture_import(&co.st, &o) < 0;
		taken = !ret;
	} else
		ret = capture_loop(&co.st, &o, &taken);
	if (capture_out_close(&co, taken, ret != 0) < 0)
		ret = 1;
out:
	tar_tree_release(&tar);
	if (o.match)
		regfree(o.match);
	filters_release(&o.cgf);
	free(o.pids);
	free(o.options_text);
	if (o.reuse)
		reuse_release(o.reuse);
	free(o.reuse);
	return ret;
}
