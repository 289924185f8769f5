/* outfile.c - create output files safely: a locked temporary beside OUT,
 * renamed when whole, and what a killed run left removed by the next. */
#include "outfile.h"
#include "buf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_SUFFIX ".mapsnap-tmp"
#define TMP_RANDOM 16		/* hex digits */
#define TMP_BASE_MAX 100	/* of OUT's name in the temporary's */
#define TREE_DEPTH_MAX 16	/* a left directory deeper than this stays */

static const char *const side_suffix[] = { "-journal", "-wal", "-shm" };
#define NSIDES (sizeof(side_suffix) / sizeof(side_suffix[0]))

/* path's directory (caller frees) and the name in it; NULL (printed)
 * when path names no file ("", "x/", "..") */
static char *split_path(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, "..")) {
		error("cannot create '%s': not a file name", path);
		return NULL;
	}
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xmemdup(path, (size_t)(slash - path));
}

static void random_hex(char out[TMP_RANDOM + 1])
{
	unsigned char b[TMP_RANDOM / 2];
	size_t got = 0, i;
	ssize_t n;

	while (got < sizeof(b)) {
		n = getrandom(b + got, sizeof(b) - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort();	/* the kernel always has entropy here */
	}
	for (i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Is `name` one of our temporaries: ".X.<hex>.mapsnap-tmp"? */
static int is_tmp_name(const char *name)
{
	size_t n = strlen(name), k = sizeof(TMP_SUFFIX) - 1, i;
	const char *hex;

	if (name[0] != '.' || n < k + TMP_RANDOM + 3 ||
	    strcmp(name + n - k, TMP_SUFFIX))
		return 0;
	hex = name + n - k - TMP_RANDOM;
	for (i = 0; i < TMP_RANDOM; i++)
		if (!strchr("0123456789abcdef", hex[i]))
			return 0;
	return hex[-1] == '.';
}

/* Remove everything under the directory open as fd (which is closed),
 * never following a link. */
static void remove_tree(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int sub;

	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0 || errno != EISDIR ||
		    depth >= TREE_DEPTH_MAX)
			continue;
		sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		if (sub >= 0) {
			remove_tree(sub, depth + 1);
			unlinkat(fd, e->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

/* The file `name` in dirfd, if it is a regular file of ours. */
static void unlink_ours(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_uid == geteuid())
		unlinkat(dirfd, name, 0);
}

/*
 * Remove temporary `name` of dirfd if a killed run left it: ours, and
 * no live run holds its lock. The name is checked to be the same file
 * once the lock is ours, so nothing else is removed in its place.
 */
static void sweep_one(int dirfd, const char *name)
{
	struct stat st, now;
	char journal[512];
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) ||
	    flock(fd, LOCK_EX | LOCK_NB) < 0 ||
	    fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
	    now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
		close(fd);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		remove_tree(dup(fd), 0);
		unlinkat(dirfd, name, AT_REMOVEDIR);
	} else {
		unlinkat(dirfd, name, 0);
		if ((size_t)snprintf(journal, sizeof(journal), "%s-journal",
				     name) < sizeof(journal))
			unlink_ours(dirfd, journal);
	}
	close(fd);
}

/* Remove every temporary that killed runs left in the directory. */
static void sweep(int dirfd)
{
	int fd = dup(dirfd);
	struct dirent *e;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (is_tmp_name(e->d_name))
			sweep_one(dirfd, e->d_name);
	closedir(d);
}

/* Create and lock the temporary `name` in f->dirfd: 0, 1 when a sweep
 * took it first (try another name), -1 with errno. */
static int make_tmp(struct outfile *f, const char *name)
{
	struct stat st;
	int fd;

	if (f->how == OUTFILE_DIR) {
		if (mkdirat(f->dirfd, name, OUTFILE_DIR_MODE) < 0)
			return -1;
		fd = openat(f->dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
	} else {
		fd = openat(f->dirfd, name, O_RDWR | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, OUTFILE_MODE);
	}
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	/* the umask may have taken bits; a sweep may have removed it */
	if (flock(fd, LOCK_EX) < 0 ||
	    fchmod(fd, f->how == OUTFILE_DIR ? OUTFILE_DIR_MODE : OUTFILE_MODE) < 0 ||
	    fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (st.st_nlink == 0) {
		close(fd);
		return 1;
	}
	f->fd = fd;
	return 0;
}

/* What a message says is not possible: a page or chart that replaces
 * what was there is written, a file or tree that must be new created. */
static const char *verb(const struct outfile *f)
{
	return f->how == OUTFILE_REPLACE ? "write" : "create";
}

/* Does OUT exist where it must not, or as what cannot be replaced?
 * 0 or -1 (printed). */
static int check_target(const struct outfile *f, const char *base)
{
	struct stat st;

	if (fstatat(f->dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0
			: error("cannot %s '%s': %s", verb(f), f->path,
				strerror(errno));
	if (f->how != OUTFILE_REPLACE)
		return error("cannot create '%s': %s", f->path, strerror(EEXIST));
	if (S_ISLNK(st.st_mode))
		return error("cannot write '%s': it is a symbolic link", f->path);
	if (!S_ISREG(st.st_mode))
		return error("cannot write '%s': not a regular file", f->path);
	return 0;
}

int outfile_begin(struct outfile *f, const char *path, enum outfile_how how)
{
	char hex[TMP_RANDOM + 1], *dir;
	struct buf name = BUF_INIT(4096);
	const char *base;
	int tries, r = 1;

	memset(f, 0, sizeof(*f));
	f->fd = f->dirfd = -1;
	f->how = how;
	f->path = xstrdup(path);
	if (!(dir = split_path(path, &base)))
		goto fail;
	f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		error("cannot %s '%s': %s", verb(f), path, strerror(errno));
		goto fail;
	}
	sweep(f->dirfd);
	if (check_target(f, base) < 0)
		goto fail;
	for (tries = 0; r == 1 && tries < 100; tries++) {
		random_hex(hex);
		buf_reset(&name);
		buf_addf(&name, ".%.*s.%s" TMP_SUFFIX, TMP_BASE_MAX, base, hex);
		r = make_tmp(f, name.data);
	}
	if (r != 0) {
		error("cannot %s '%s': %s", verb(f), path,
		      strerror(r < 0 ? errno : EEXIST));
		goto fail;
	}
	f->tmp = xmalloc(strlen(dir) + name.len + 2);
	memcpy(f->tmp, dir, strlen(dir));
	f->tmp[strlen(dir)] = '/';
	memcpy(f->tmp + strlen(dir) + 1, name.data, name.len + 1);
	free(dir);
	buf_release(&name);
	return 0;
fail:
	free(dir);
	buf_release(&name);
	outfile_release(f);
	return -1;
}

/* The name of f's temporary in its directory. */
static const char *tmp_name(const struct outfile *f)
{
	return strrchr(f->tmp, '/') + 1;
}

int outfile_commit(struct outfile *f)
{
	const char *base = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1
		: f->path;
	int r;

	if (f->how == OUTFILE_REPLACE)
		r = renameat(f->dirfd, tmp_name(f), f->dirfd, base);
	else if ((r = renameat2(f->dirfd, tmp_name(f), f->dirfd, base,
				RENAME_NOREPLACE)) < 0 &&
		 (errno == EINVAL || errno == ENOSYS) && f->how == OUTFILE_NEW &&
		 (r = linkat(f->dirfd, tmp_name(f), f->dirfd, base, 0)) == 0)
		unlinkat(f->dirfd, tmp_name(f), 0);
	if (r < 0)
		return error("cannot %s '%s': %s", verb(f), f->path,
			     strerror(errno));
	free(f->tmp);
	f->tmp = NULL;		/* nothing left to remove */
	return 0;
}

void outfile_release(struct outfile *f)
{
	char journal[512];

	if (f->tmp && f->dirfd >= 0) {
		if (f->how == OUTFILE_DIR && f->fd >= 0) {
			remove_tree(dup(f->fd), 0);
			unlinkat(f->dirfd, tmp_name(f), AT_REMOVEDIR);
		} else {
			unlinkat(f->dirfd, tmp_name(f), 0);
			if ((size_t)snprintf(journal, sizeof(journal), "%s-journal",
					     tmp_name(f)) < sizeof(journal))
				unlink_ours(f->dirfd, journal);
		}
	}
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->path);
	free(f->tmp);
	memset(f, 0, sizeof(*f));
	f->fd = f->dirfd = -1;
}

/* ---- a text written through a stream ------------------------------- */

/* Is path the file our standard output already is? */
static int is_stdout(const char *path)
{
	struct stat a, b;

	return stat(path, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

FILE *outfile_fopen(struct outfile *f, const char *path)
{
	FILE *fp;
	int fd;

	if (is_stdout(path)) {
		memset(f, 0, sizeof(*f));
		f->fd = f->dirfd = -1;
		f->path = xstrdup(path);
		fd = dup(STDOUT_FILENO);
	} else if (outfile_begin(f, path, OUTFILE_REPLACE) < 0) {
		return NULL;
	} else {
		fd = dup(f->fd);
	}
	if (fd < 0 || !(fp = fdopen(fd, "w"))) {
		error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		outfile_release(f);
		return NULL;
	}
	return fp;
}

int outfile_fclose(struct outfile *f, FILE *fp, int ok)
{
	int bad = ferror(fp), err = errno;

	/* a full disk shows at the flush */
	if (fclose(fp) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	if (bad)
		return error("cannot write '%s': %s", f->path,
			     strerror(err ? err : EIO));
	return ok && f->tmp ? outfile_commit(f) : 0;
}

/* ---- a database written in place ----------------------------------- */

/*
 * Whose files and directories a capture may write into: the user who runs
 * it and, under sudo, the one who ran sudo (SUDO_UID, which sudo sets and
 * only root could forge): `sudo mapsnap-capture` in one's own directory.
 */
static int trusted_uid(uid_t uid)
{
	const char *s = getenv("SUDO_UID");
	uint64_t v;

	if (uid == geteuid())
		return 1;
	return getuid() == 0 && s && parse_u64_str(s, &v) == 0 && v == uid;
}

/* Refuse the directory of `path` if someone else could swap the files in
 * it between our checks and SQLite's opens. 0 or -1 (printed). */
static int check_dir(const char *path)
{
	const char *base;
	char *dir = split_path(path, &base);
	struct stat st;
	int r = 0;

	if (!dir)
		return -1;
	if (stat(dir, &st) < 0)
		r = error("cannot write to '%s': %s", path, strerror(errno));
	else if (st.st_uid != 0 && !trusted_uid(st.st_uid))
		r = error("cannot write to '%s': its directory '%s' belongs to"
			  " another user (uid %lu)", path, dir,
			  (unsigned long)st.st_uid);
	else if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		r = error("cannot write to '%s': anyone can replace files in"
			  " its directory '%s' (mode %04o, no sticky bit)", path,
			  dir, (unsigned)(st.st_mode & 07777));
	free(dir);
	return r;
}

/* A file to write into must be a plain file of ours that no one else can
 * write. 0 (or 1 when it does not exist), -1 (printed). */
static int check_file(const char *name)
{
	struct stat st;

	if (lstat(name, &st) < 0)
		return errno == ENOENT ? 1
			: error("cannot write to '%s': %s", name, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return error("cannot write to '%s': it is a symbolic link", name);
	if (!S_ISREG(st.st_mode))
		return error("cannot write to '%s': not a regular file", name);
	if (!trusted_uid(st.st_uid))
		return error("cannot write to '%s': it belongs to another user"
			     " (uid %lu)", name, (unsigned long)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return error("cannot write to '%s': others can write to it"
			     " (mode %04o; chmod go-w)", name,
			     (unsigned)(st.st_mode & 07777));
	if (st.st_nlink > 1)
		return error("cannot write to '%s': it has other names (hard"
			     " links)", name);
	return 0;
}

/* Call fn on each side file name of path; stop at the first -1. */
static int each_side(const char *path, int (*fn)(const char *name))
{
	struct buf name = BUF_INIT(strlen(path) + 16);
	size_t i;
	int r = 0;

	for (i = 0; i < NSIDES && r >= 0; i++) {
		buf_reset(&name);
		buf_addf(&name, "%s%s", path, side_suffix[i]);
		r = fn(name.data);
	}
	buf_release(&name);
	return r < 0 ? -1 : 0;
}

int outfile_check_sides(const char *path)
{
	return each_side(path, check_file);
}

int outfile_claim_db(const char *path, int *created)
{
	int r, fd;

	*created = 0;
	if (check_dir(path) < 0 || (r = check_file(path)) < 0 ||
	    outfile_check_sides(path) < 0)
		return -1;
	if (r == 0)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  OUTFILE_MODE);
	if (fd < 0 && errno == EEXIST) {	/* another capture made it first */
		r = check_file(path);
		return r <= 0 ? r : error("cannot create '%s': %s", path,
					  strerror(ENOENT));
	}
	if (fd < 0 || fchmod(fd, OUTFILE_MODE) < 0) {
		error("cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	close(fd);
	*created = 1;
	return 0;
}

static int unlink_side(const char *name)
{
	unlink(name);
	return 0;
}

void outfile_remove_db(const char *path)
{
	each_side(path, unlink_side);
	unlink(path);
}
