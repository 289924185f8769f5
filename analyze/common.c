/* common.c - the pieces every analyzer command uses: opening a snapshot
 * or a process's text, filters, the shown command line, table output. */
#include "analyze.h"
#include "blob.h"
#include "cmdhelp.h"
#include "util.h"
#include "viewhead.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int filters_option(struct filters *f, int c, const char *arg)
{
	int64_t pid;

	switch (c) {
	case OPT_PID:
		if (parse_pid_arg(arg, &pid) < 0)
			return 2;
		f->pids = xreallocarray(f->pids, f->npids + 1, sizeof(*f->pids));
		f->pids[f->npids++] = pid;
		return 0;
	case OPT_MATCH:
		if (f->has_re)
			regfree(&f->re);
		f->has_re = 0;
		if (regcomp(&f->re, arg, REG_EXTENDED | REG_NOSUB) != 0)
			return usage_error("bad regular expression '%s'", arg);
		f->has_re = 1;
		return 0;
	case OPT_USER:
		f->user = arg;
		return 0;
	case OPT_HOST:
		f->host = arg;
		return 0;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (when_parse(arg, c == OPT_SINCE ? &f->since : &f->until) < 0)
			return usage_error("bad --%s '%s': expected %s",
					   c == OPT_SINCE ? "since" : "until",
					   arg, WHEN_FORMS);
		return 0;
	case OPT_CGROUP:
		if (f->has_cgroup_re)
			regfree(&f->cgroup_re);
		f->has_cgroup_re = 0;
		if (regcomp(&f->cgroup_re, arg, REG_EXTENDED | REG_NOSUB) != 0)
			return usage_error("bad regular expression '%s'", arg);
		f->has_cgroup_re = 1;
		return 0;
	case OPT_CONTAINER:
	case OPT_UNIT:
		if (!*arg)
			return usage_error("--%s takes a non-empty argument",
					   c == OPT_UNIT ? "unit" : "container");
		*(c == OPT_UNIT ? &f->unit : &f->container) = arg;
		return 0;
	}
	/* getopt_long has said what was wrong */
	fprintf(stderr, "try '%s --help'\n", progname);
	return 2;
}

const char *process_user(const struct process_row *p, char *tmp, size_t n)
{
	if (p->user)
		return p->user;
	if (p->uid < 0)
		return NULL;
	snprintf(tmp, n, "%lld", (long long)p->uid);
	return tmp;
}

void table_set_fig(struct table *t, size_t row, size_t col, int64_t v)
{
	if (v != FIG_UNKNOWN)
		table_set_int(t, row, col, v);
}

int ref_arg(const char *option, const char *ref)
{
	const char *why = store_ref_check(ref);

	return why ? usage_error("bad %s '%s': %s", option, ref, why) : 0;
}

int host_check(struct store *st, const char *host)
{
	struct buf hosts = BUF_INIT(4096);
	int r;

	if (!host)
		return 0;
	r = store_has_host(st, host, &hosts);
	if (r == 0)
		error("'%s': no host '%s' in the file (its hosts: %s)", st->path,
		      host, hosts.len ? hosts.data : "none");
	buf_release(&hosts);
	return r > 0 ? 0 : -1;
}

int open_snapshot(struct store *st, const char *file, const char *ref,
		  const char *host, int64_t *snapshot_id)
{
	if (store_open(st, file, STORE_READ) < 0)
		return -1;
	if (host_check(st, host) < 0 ||
	    store_resolve(st, ref, host, snapshot_id) < 0) {
		store_close(st);
		return -1;
	}
	return 0;
}

int parse_pid_arg(const char *arg, int64_t *pid)
{
	uint64_t v;

	if (parse_u64_str(arg, &v) < 0 || v > INT32_MAX) {
		usage_error("bad pid '%s'", arg);
		return -1;
	}
	*pid = (int64_t)v;
	return 0;
}

int command_help(const struct command *cmd)
{
	static const char head[] = "output options: ";
	const struct cmd_help *h = cmd_helps;
	struct buf b = BUF_INIT(4096);

	while (h->name && strcmp(h->name, cmd->name))
		h++;
	out_opts_usage(&b, cmd->output, sizeof(head) - 1);
	if (h->name)
		printf("%s", h->usage);
	else	/* t-docs.sh fails on a command the page lacks */
		printf("usage: mapsnap-analyze %s\n", cmd->usage);
	printf("%s%s\n", head, b.data);
	if (h->name)
		printf("\n%s", h->text);
	buf_release(&b);
	return 0;
}

int print_table(struct table *t, const struct out_opts *o)
{
	int r = table_print(t, o, stdout);

	table_release(t);
	return r;
}

int snapshot_meminfo(struct store *st, int64_t snap, const char *name,
		     int64_t *value)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meminfo"
			       " WHERE snapshot_id = ?1 AND name = ?2", -1, &q,
			       NULL) != SQLITE_OK)
		return store_error(st, "read meminfo from");
	sqlite3_bind_int64(q, 1, snap);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "read meminfo from");
	return rc == SQLITE_ROW ? 0 : 1;
}

int print_snapshot_table(struct table *t, const struct out_opts *o,
			 struct store *st, int64_t snap)
{
	int r;

	if (!o->percent)
		return print_table(t, o);
	r = snapshot_meminfo(st, snap, "MemTotal", &t->memtotal_kb);
	if (r > 0 || (r == 0 && t->memtotal_kb <= 0))
		r = error("'%s': snapshot %lld has no MemTotal in its meminfo,"
			  " which -p needs", st->path, (long long)snap);
	if (r == 0 && snapshot_meminfo(st, snap, "SwapTotal", &t->swaptotal_kb) >= 0)
		return print_table(t, o);
	table_release(t);
	return 1;
}

int snapshot_view_run(const struct snapshot_view *v, int argc, char **argv,
		      const struct out_opts *out)
{
	struct filters f = { 0 };
	struct table t;
	struct store st;
	int64_t snap;
	int ret;

	ret = snapshot_args(argc, argv, v->cmd, NULL, &f, &st, &snap);
	if (ret < 0) {
		table_init(&t, v->cols, v->ncols);
		t.sort = v->sort;
		ret = v->fill(&st, snap, &f, &t) == 0
			? print_view_table(&t, out, &st, snap) : 1;
		table_release(&t);
		store_close(&st);
	}
	filters_release(&f);
	return ret;
}

/* The stored text of process `pid` in snapshot `snap`, appended to text,
 * and its kind. 0 or -1 (printed). */
static int load_process_text(struct store *st, int64_t snap, int64_t pid,
			     struct buf *text, enum text_kind *kind)
{
	struct process_iter it;
	int r = process_get(&it, st, snap, pid, PROC_TEXT);

	if (r > 0)
		error("'%s': snapshot %lld holds no process %lld", st->path,
		      (long long)snap, (long long)pid);
	else if (r == 0 && !it.row.text_blob)
		r = error("'%s': process %lld has no stored text", st->path,
			  (long long)pid);
	else if (r == 0) {
		*kind = it.row.kind;
		r = store_blob_get(st, it.row.text_blob, text);
	}
	process_iter_release(&it);
	return r ? -1 : 0;
}

int snapshot_args(int argc, char **argv, const struct command *cmd,
		  const struct option *extra, struct filters *f,
		  struct store *st, int64_t *snap)
{
	return snapshot_args_own(argc, argv, cmd, extra, f, st, snap, NULL,
				 NULL);
}

int snapshot_args_own(int argc, char **argv, const struct command *cmd,
		      const struct option *extra, struct filters *f,
		      struct store *st, int64_t *snap,
		      int (*own)(void *ctx, int val, const char *arg),
		      void *ctx)
{
	static const struct option common[] = {
		SNAPSHOT_OPTION, FILTER_OPTIONS, HELP_OPTION,
	};
	struct option opts[sizeof(common) / sizeof(common[0]) + 4] = { { 0 } };
	size_t n = sizeof(common) / sizeof(common[0]);
	const char *ref = NULL;
	int c, ret;

	memcpy(opts, common, sizeof(common));
	while (extra && extra->name && n + 1 < sizeof(opts) / sizeof(opts[0]))
		opts[n++] = *extra++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 0)
			continue;	/* an extra option set its flag */
		if (c == OPT_SNAPSHOT) {
			if ((ret = ref_arg("--snapshot", optarg)) != 0)
				return ret;
			ref = optarg;
		} else if (c == OPT_HELP)
			return command_help(cmd);
		else if (own && c >= OPT_OWN) {
			if ((ret = own(ctx, c, optarg)) != 0)
				return ret;
		} else if ((ret = filters_option(f, c, optarg)) != 0)
			return ret;
	}
	if (argc - optind != 1)
		return usage_error("%s takes one FILE", cmd->name);
	if (open_snapshot(st, argv[optind], ref, f->host, snap) < 0)
		return 1;
	return -1;
}

static int process_text_args(int argc, char **argv, const struct command *cmd,
			     struct store *st, int64_t *snap, int64_t *pid)
{
	static const struct option opts[] = {
		SNAPSHOT_OPTION, { "host", required_argument, NULL, OPT_HOST },
		HELP_OPTION, { NULL, 0, NULL, 0 }
	};
	const char *ref = NULL, *host = NULL;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_SNAPSHOT) {
			if (ref_arg("--snapshot", optarg) != 0)
				return 2;
			ref = optarg;
		} else if (c == OPT_HOST)
			host = optarg;
		else if (c == OPT_HELP)
			return command_help(cmd);
		else
			return usage_error("see '%s --help'", cmd->name);
	}
	if (argc - optind != 2)
		return usage_error("%s takes FILE and PID", cmd->name);
	if (parse_pid_arg(argv[optind + 1], pid) < 0)
		return 2;
	if (open_snapshot(st, argv[optind], ref, host, snap) < 0)
		return 1;
	return -1;
}

int process_text_open(struct process_text *p, int argc, char **argv,
		      const struct command *cmd)
{
	int ret;

	p->text = (struct buf)BUF_INIT(BLOB_MAX_RAW);
	ret = process_text_args(argc, argv, cmd, &p->st, &p->snap, &p->pid);
	if (ret >= 0)
		return ret;
	if (load_process_text(&p->st, p->snap, p->pid, &p->text,
			      &p->kind) < 0) {
		process_text_release(p);
		return 1;
	}
	return -1;
}

void process_text_release(struct process_text *p)
{
	buf_release(&p->text);
	store_close(&p->st);
}
