/* tar.c - read a smemcap archive: ustar headers checked field by field,
 * only known proc files unpacked, into a private directory read as /proc. */
#include "tar.h"
#include "blob.h"
#include "buf.h"
#include "smaps.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK 512
/* As mapsnap-capture reads /proc: a memory text up to BLOB_MAX_RAW, the
 * small files up to 1 MiB; and the whole archive unpacked up to 4 GiB. */
#define SMALL_CAP ((uint64_t)1 << 20)
#define TOTAL_CAP ((uint64_t)4 << 30)

/* Per-process files a proc tree holds; the first two are memory texts. */
static const char *const pid_files[] = {
	"smaps", "maps", "smaps_rollup", "cmdline", "stat", "status", "comm",
};
#define NPID_FILES (sizeof(pid_files) / sizeof(pid_files[0]))
static const char *const top_files[] = { "meminfo", "version", "passwd" };

struct tar_pid {
	char name[16];		/* the pid, in digits */
	long uid;		/* from its directory's header, or -1 */
	unsigned files;		/* bit i: pid_files[i] was unpacked */
};

/* One archive being read. */
struct tar_reader {
	const char *path;
	FILE *f;
	uint64_t off, size;	/* where we are; the file's size */
	uint64_t total;		/* bytes unpacked so far */
	unsigned entry;		/* 1-based, for messages */
	const char *dir;
	struct tar_pid *pids;
	size_t npids;
};

static int bad(const struct tar_reader *r, const char *what)
{
	return error("cannot read '%s': entry %u: %s", r->path, r->entry, what);
}

/* An octal field: digits, then NULs or blanks; leading blanks allowed. */
static int octal(const unsigned char *p, size_t n, uint64_t *v)
{
	size_t i = 0;
	int digits = 0;

	*v = 0;
	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++, digits++) {
		if (*v >> 60)
			return -1;
		*v = *v * 8 + (uint64_t)(p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != '\0' && p[i] != ' ')
			return -1;
	return digits ? 0 : -1;
}

/* The checksum: the header's bytes with its own field as blanks, summed
 * unsigned (POSIX) or, as some old tars did, signed. */
static int checksum_ok(const unsigned char *h)
{
	uint64_t want;
	long u = 0, s = 0;
	int i;

	if (octal(h + 148, 8, &want) < 0)
		return 0;
	for (i = 0; i < BLOCK; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];

		u += c;
		s += (signed char)c;
	}
	return (uint64_t)u == want || (s >= 0 && (uint64_t)s == want);
}

/* The entry's name: POSIX ustar's prefix joined to its name, "./" and
 * trailing slashes dropped. -1 when it is not NUL-terminated text. */
static int entry_name(const unsigned char *h, char *out, size_t n)
{
	const char *name = (const char *)h, *prefix = (const char *)h + 345;
	size_t nl = strnlen(name, 100), pl = 0;
	char *s;

	if (!memcmp(h + 257, "ustar\0", 6))	/* GNU's "ustar  " has none */
		pl = strnlen(prefix, 155);
	if (pl + nl + 2 > n)
		return -1;
	snprintf(out, n, "%.*s%s%.*s", (int)pl, prefix, pl ? "/" : "",
		 (int)nl, name);
	s = out;
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	memmove(out, s, strlen(s) + 1);
	for (nl = strlen(out); nl > 0 && out[nl - 1] == '/'; nl--)
		out[nl - 1] = '\0';
	return 0;
}

/* Absolute, or with a ".." component: never written, whatever it is. */
static int unsafe_name(const char *s)
{
	const char *c;

	if (s[0] == '/')
		return 1;
	for (c = s; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || !c[2]))
			return 1;
	}
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 10)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static struct tar_pid *find_pid(struct tar_reader *r, const char *s, size_t n)
{
	size_t i = r->npids;

	while (i-- > 0)		/* smemcap writes a pid's files together */
		if (strlen(r->pids[i].name) == n && !memcmp(r->pids[i].name, s, n))
			return &r->pids[i];
	return NULL;
}

/* The pid directory s (n digits), made on first sight. NULL: printed. */
static struct tar_pid *add_pid(struct tar_reader *r, const char *s, size_t n)
{
	struct tar_pid *p = find_pid(r, s, n);
	char path[4096];

	if (p)
		return p;
	snprintf(path, sizeof(path), "%s/%.*s", r->dir, (int)n, s);
	if (mkdir(path, 0700) < 0) {
		error("cannot create '%s': %s", path, strerror(errno));
		return NULL;
	}
	r->pids = xreallocarray(r->pids, r->npids + 1, sizeof(*r->pids));
	p = &r->pids[r->npids++];
	snprintf(p->name, sizeof(p->name), "%.*s", (int)n, s);
	p->uid = -1;
	p->files = 0;
	return p;
}

/* Copy `size` bytes of data (then its padding) to dir/name. */
static int unpack(struct tar_reader *r, const char *name, uint64_t size)
{
	char path[4096], chunk[65536];
	uint64_t left = size;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return errno == EEXIST ? bad(r, "a file named twice")
			: error("cannot create '%s': %s", path, strerror(errno));
	while (left > 0) {
		size_t n = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);

		if (fread(chunk, 1, n, r->f) != n) {
			bad(r, "truncated");
			goto out;
		}
		if (write(fd, chunk, n) != (ssize_t)n) {
			error("cannot write '%s': %s", path, strerror(errno));
			goto out;
		}
		left -= n;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Move n bytes on, within the file. */
static int advance(struct tar_reader *r, uint64_t n)
{
	if (n > r->size - r->off)
		return bad(r, "truncated");
	r->off += n;
	if (fseeko(r->f, (off_t)r->off, SEEK_SET) < 0)
		return error("cannot read '%s': %s", r->path, strerror(errno));
	return 0;
}

/* Past `size` bytes of data and their padding. */
static int skip(struct tar_reader *r, uint64_t size)
{
	return advance(r, (size + BLOCK - 1) / BLOCK * BLOCK);
}

/* Where entry `name` goes: 1 with *cap set when it is unpacked, 0 when
 * it is skipped; a pid's file registers the pid in *pid. -1: printed. */
static int classify(struct tar_reader *r, const char *name, int is_dir,
		    uint64_t uid, struct tar_pid **pid, unsigned *bit)
{
	const char *slash = strchr(name, '/');
	size_t i;

	*pid = NULL;
	if (is_dir) {
		if (!slash && all_digits(name, strlen(name))) {
			if (!(*pid = add_pid(r, name, strlen(name))))
				return -1;
			(*pid)->uid = uid <= 0x7fffffff ? (long)uid : -1;
		}
		return 0;
	}
	if (!slash) {
		for (i = 0; i < sizeof(top_files) / sizeof(top_files[0]); i++)
			if (!strcmp(name, top_files[i]))
				return 1;
		return 0;
	}
	if (!all_digits(name, (size_t)(slash - name)))
		return 0;
	for (i = 0; i < NPID_FILES; i++)
		if (!strcmp(slash + 1, pid_files[i]))
			break;
	if (i == NPID_FILES)
		return 0;
	if (!(*pid = add_pid(r, name, (size_t)(slash - name))))
		return -1;
	*bit = 1u << i;
	return 1;
}

/* One header and its data. 1 at the end of the archive, 0 or -1. */
static int next_entry(struct tar_reader *r)
{
	unsigned char h[BLOCK];
	static const unsigned char zero[BLOCK];
	char name[300];
	uint64_t size, uid, cap;
	struct tar_pid *pid;
	unsigned bit = 0;
	int want;

	if (r->off == r->size)
		return 1;	/* smemcap writes no end-of-archive blocks */
	r->entry++;
	if (r->size - r->off < BLOCK || fread(h, 1, BLOCK, r->f) != BLOCK)
		return bad(r, "truncated");
	r->off += BLOCK;
	if (!memcmp(h, zero, BLOCK))
		return 1;
	if (!checksum_ok(h))
		return bad(r, "not a tar header (bad checksum)");
	if (octal(h + 124, 12, &size) < 0)
		return bad(r, "bad size");
	if (octal(h + 108, 8, &uid) < 0)
		uid = UINT64_MAX;
	if (entry_name(h, name, sizeof(name)) < 0)
		return bad(r, "bad name");
	if (unsafe_name(name)) {
		error("cannot read '%s': entry %u: unsafe name '%s'", r->path,
		      r->entry, name);
		return -1;
	}
	/* only regular files and directories: links are never made */
	if (h[156] != '0' && h[156] != '\0' && h[156] != '5')
		return skip(r, size);
	want = classify(r, name, h[156] == '5', uid, &pid, &bit);
	if (want <= 0)
		return want < 0 ? -1 : skip(r, size);
	cap = bit & 3 ? BLOB_MAX_RAW : SMALL_CAP;
	if (size > cap || size > TOTAL_CAP - r->total)
		return bad(r, "too large");
	r->total += size;
	if (size > r->size - r->off)
		return bad(r, "truncated");
	if (unpack(r, name, size) < 0)
		return -1;
	r->off += size;
	if (pid)
		pid->files |= bit;
	return advance(r, (BLOCK - size % BLOCK) % BLOCK);
}

/* A small file of the tree, read back (NULL when absent). */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	struct buf b = BUF_INIT(SMALL_CAP);
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (buf_read_file(&b, path, 65536) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

static int write_new(const char *dir, const char *name, const char *p,
		     size_t n)
{
	char path[4096];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return error("cannot create '%s': %s", path, strerror(errno));
	ok = write(fd, p, n) == (ssize_t)n;
	if (close(fd) < 0 || !ok)
		return error("cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/*
 * What smemcap does not store but a walk of /proc reads: status (the
 * name from stat, the uid from the tar header of the pid's directory, as
 * smem takes it) and maps (the header lines of smaps, for --maps-only).
 */
static int derive_pid(struct tar_reader *r, const struct tar_pid *p)
{
	struct buf b = BUF_INIT(BLOB_MAX_RAW);
	char dir[4096], path[4200];
	char *stat = NULL;
	const char *open_paren, *close_paren;
	struct smaps_parser ps;
	struct smaps_map m;
	size_t len = 0;
	int ret = -1;

	snprintf(dir, sizeof(dir), "%s/%s", r->dir, p->name);
	if (!(p->files & 1u << 5)) {	/* status */
		stat = slurp(dir, "stat", &len);
		open_paren = stat ? memchr(stat, '(', len) : NULL;
		close_paren = stat ? memrchr(stat, ')', len) : NULL;
		buf_addf(&b, "Name:\t%.*s\n", open_paren && close_paren >
			 open_paren ? (int)(close_paren - open_paren - 1) : 0,
			 open_paren ? open_paren + 1 : "");
		if (p->uid >= 0)
			buf_addf(&b, "Uid:\t%ld\t%ld\t%ld\t%ld\n", p->uid,
				 p->uid, p->uid, p->uid);
		if (write_new(dir, "status", b.data, b.len) < 0)
			goto out;
	}
	if ((p->files & 3u) == 1u) {	/* smaps without maps */
		snprintf(path, sizeof(path), "%s/smaps", dir);
		buf_reset(&b);
		if (buf_read_file(&b, path, 1 << 20) < 0) {
			error("cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		free(stat);
		stat = buf_detach(&b, &len);
		smaps_parser_init(&ps, stat, len);
		while (smaps_next(&ps, &m) != 0)
			if (m.line && (buf_add(&b, m.line, m.line_len) < 0 ||
				       buf_addch(&b, '\n') < 0))
				break;
		if (write_new(dir, "maps", b.data ? b.data : "", b.len) < 0)
			goto out;
	}
	ret = 0;
out:
	free(stat);
	buf_release(&b);
	return ret;
}

/* sys/kernel/osrelease from /proc/version ("Linux version 6.1.0-18 ..."). */
static int derive_kernel(const char *dir)
{
	char sys[4096], *v = slurp(dir, "version", NULL), *rel;
	size_t n;
	int ret = 0;

	rel = v && !strncmp(v, "Linux version ", 14) ? v + 14 : NULL;
	if (rel) {
		n = strcspn(rel, " \n");
		snprintf(sys, sizeof(sys), "%s/sys", dir);
		if (mkdir(sys, 0700) < 0 ||
		    (snprintf(sys, sizeof(sys), "%s/sys/kernel", dir),
		     mkdir(sys, 0700) < 0))
			ret = error("cannot create '%s': %s", sys, strerror(errno));
		else
			ret = write_new(sys, "osrelease", rel, n);
	}
	free(v);
	return ret;
}

static int remove_one(const char *path, const struct stat *sb, int flag,
		      struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

void tar_tree_release(struct tar_tree *t)
{
	if (t->dir)
		nftw(t->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t->dir);
	t->dir = NULL;
}

int tar_is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int tar_tree_unpack(struct tar_tree *t, const char *path)
{
	struct tar_reader r = { .path = path };
	const char *tmp = getenv("TMPDIR");
	struct buf dir = BUF_INIT(4096);
	struct stat sb;
	size_t i;
	int rc, ret = -1;

	t->dir = NULL;
	r.f = fopen(path, "rb");
	if (!r.f || fstat(fileno(r.f), &sb) < 0) {
		error("cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	r.size = (uint64_t)sb.st_size;
	buf_addf(&dir, "%s/mapsnap-tar.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir.data)) {
		error("cannot create '%s': %s", dir.data, strerror(errno));
		goto out;
	}
	t->dir = buf_detach(&dir, NULL);
	r.dir = t->dir;
	while ((rc = next_entry(&r)) == 0)
		;
	if (rc < 0)
		goto out;
	if (!r.npids) {
		error("cannot read '%s': no process in it (not a smemcap"
		      " archive?)", path);
		goto out;
	}
	for (i = 0; i < r.npids; i++)
		if (derive_pid(&r, &r.pids[i]) < 0)
			goto out;
	ret = derive_kernel(r.dir);
out:
	if (ret < 0)
		tar_tree_release(t);
	if (r.f)
		fclose(r.f);
	free(r.pids);
	buf_release(&dir);
	return ret;
}
