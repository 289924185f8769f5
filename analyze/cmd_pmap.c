/* cmd_pmap.c - `pmap`: one process as procps-ng pmap 4.0.2 printed it at
 * capture time, in its default, -x, -X, -XX and -d formats, byte for byte. */
#include "analyze.h"
#include "blob.h"
#include "pmap.h"
#include "smaps.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmap_args {
	const char *file, *ref, *host;
	int64_t pid;
	struct pmap_opts o;
};

/* The stored process: its row, then its texts. */
struct pmap_row {
	char *cmdline, *comm, *arch;
	size_t cmdline_len;
	enum text_kind kind;
	int64_t stat_blob, status_blob, text_blob;
	struct buf stat, status, text;
};

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct pmap_args *a)
{
	static const struct option opts[] = {
		SNAPSHOT_OPTION, { "host", required_argument, NULL, OPT_HOST },
		HELP_OPTION,
		{ "extended", no_argument, NULL, 'x' },
		{ "device", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "show-path", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "xXdqp", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SNAPSHOT:
			if (ref_arg("--snapshot", optarg) != 0)
				return 2;
			a->ref = optarg;
			break;
		case OPT_HOST: a->host = optarg; break;
		case OPT_HELP: return command_help(&cmd_pmap);
		case 'x': a->o.x = 1; break;
		case 'X': a->o.X++; break;
		case 'd': a->o.d = 1; break;
		case 'q': a->o.q = 1; break;
		case 'p': a->o.p = 1; break;
		default: return usage_error("see 'pmap --help'");
		}
	}
	if (a->o.x + a->o.d + !!a->o.X > 1)
		return usage_error("pmap: options -d, -x, -X are mutually"
				   " exclusive");
	if (argc - optind != 2)
		return usage_error("pmap takes FILE and PID");
	a->file = argv[optind];
	return parse_pid_arg(argv[optind + 1], &a->pid) < 0 ? 2 : -1;
}

static int load_row(struct store *st, int64_t snap, int64_t pid,
		    struct pmap_row *r)
{
	struct process_iter it;
	struct snapshot_iter si = { 0 };
	int rc = process_get(&it, st, snap, pid, PROC_NAMES | PROC_TEXT | PROC_BLOBS);

	if (rc == 0) {
		r->cmdline_len = it.row.cmdline_len;
		r->cmdline = xmemdup(r->cmdline_len ? it.row.cmdline : "",
				     r->cmdline_len);
		r->comm = xstrdup(it.row.comm);
		r->stat_blob = it.row.stat_blob;
		r->status_blob = it.row.status_blob;
		r->text_blob = it.row.text_blob;
		r->kind = it.row.kind;
	}
	process_iter_release(&it);
	if (rc > 0)
		return error("'%s': snapshot %lld holds no process %lld",
			     st->path, (long long)snap, (long long)pid);
	if (rc < 0 || (rc = snapshot_get(&si, st, snap)) < 0) {
		snapshot_iter_release(&si);
		return -1;
	}
	r->arch = rc == 0 ? xstrdup(si.row.arch) : NULL;
	snapshot_iter_release(&si);
	if (!r->text_blob)
		return error("'%s': process %lld has no stored text", st->path,
			     (long long)pid);
	if ((r->stat_blob && store_blob_get(st, r->stat_blob, &r->stat) < 0) ||
	    (r->status_blob &&
	     store_blob_get(st, r->status_blob, &r->status) < 0))
		return -1;
	return store_blob_get(st, r->text_blob, &r->text);
}

static void row_release(struct pmap_row *r)
{
	free(r->cmdline);
	free(r->comm);
	free(r->arch);
	buf_release(&r->stat);
	buf_release(&r->status);
	buf_release(&r->text);
}

/* Was pmap built with a 32-bit long? By the capturing machine's
 * architecture, else (a frozen tree) by whether every address fits. */
static int long_is_32(const char *arch, const struct buf *text)
{
	struct smaps_parser ps;
	struct smaps_map *m;
	int r, n = 0;

	if (arch && *arch)
		return !strstr(arch, "64") && strcmp(arch, "s390x") &&
		       strcmp(arch, "alpha");
	m = xmalloc(sizeof(*m));
	smaps_parser_init(&ps, text->data, text->len);
	while ((r = smaps_next(&ps, m)) > 0 && m->end <= UINT32_MAX)
		n++;
	free(m);
	return r == 0 && n > 0;
}

/* Can the stored text give this format? pmap reads maps for the
 * default and -d formats, smaps for -x, -X and -XX. */
static int check_kind(const struct pmap_args *a, const struct pmap_row *r,
		      int64_t snap)
{
	const char *fmt = a->o.X > 1 ? "-XX" : a->o.X ? "-X" : "-x";

	if (r->kind == TEXT_ROLLUP)
		return error("'%s': process %lld of snapshot %lld is an"
			     " imported smaps_rollup: it has no mappings",
			     a->file, (long long)a->pid, (long long)snap);
	if ((a->o.x || a->o.X) && r->kind != TEXT_SMAPS)
		return error("'%s': process %lld of snapshot %lld has its maps"
			     " only (captured with --maps-only or --rollup):"
			     " pmap %s needs its smaps", a->file,
			     (long long)a->pid, (long long)snap, fmt);
	return 0;
}

static int render(const struct pmap_args *a, struct pmap_row *r,
		  int64_t snap)
{
	struct pmap_proc p = { a->file, a->pid, r->text.data ? r->text.data
			       : "", r->text.len, 0, 0, ~0u };
	struct pmap_stat st;
	char err[200];
	char *cmdline;
	int ret;

	if (check_kind(a, r, snap) < 0)
		return 1;
	if (pmap_shm_minor(p.text, p.len, &p.shm_minor, err, sizeof(err)) < 0) {
		error("'%s': smaps of process %lld: %s", a->file,
		      (long long)a->pid, err);
		return 1;
	}
	pmap_parse_stat(r->stat.data, r->comm, &st);
	p.long32 = long_is_32(r->arch, &r->text);
	p.start_stack = st.start_stack;
	cmdline = pmap_cmdline(r->cmdline, r->cmdline_len, &st);
	printf("%u:   %s\n", pmap_tgid(r->status.data, a->pid), cmdline);
	free(cmdline);
	if (a->o.X)
		ret = pmap_print_extended(&p, &a->o, stdout);
	else
		ret = pmap_print_maps(&p, &a->o, stdout);
	return ret < 0;
}

static int run_pmap(int argc, char **argv, const struct out_opts *out)
{
	struct pmap_args a = { 0 };
	struct pmap_row r = { .stat = BUF_INIT(BLOB_MAX_RAW),
			      .status = BUF_INIT(BLOB_MAX_RAW),
			      .text = BUF_INIT(BLOB_MAX_RAW) };
	struct store st;
	int64_t snap;
	int ret;

	(void)out;
	if ((ret = parse_args(argc, argv, &a)) >= 0)
		return ret;
	if (open_snapshot(&st, a.file, a.ref, a.host, &snap) < 0)
		return 1;
	ret = 1;
	if (load_row(&st, snap, a.pid, &r) == 0)
		ret = render(&a, &r, snap);
	row_release(&r);
	store_close(&st);
	return ret;
}

const struct command cmd_pmap = {
	"pmap", "pmap FILE [--snapshot REF] [--host NAME] PID"
	" [-x | -X | -XX | -d] [-q] [-p]",
	run_pmap, 1, OUTPUT_NONE,
};
