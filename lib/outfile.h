/* outfile.h - the one way mapsnap creates a file: never through a link,
 * never into a file someone else owns or can write, private whatever the
 * umask, and a new file written under a temporary name until it is whole.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/ (the Makefile builds
 * it without their headers). */
#ifndef MAPSNAP_OUTFILE_H
#define MAPSNAP_OUTFILE_H

#include <stdio.h>

/* Every file and directory mapsnap creates gets these modes, whatever
 * the umask: what it writes holds every process's command line. */
#define OUTFILE_MODE 0600
#define OUTFILE_DIR_MODE 0700

enum outfile_how {
	OUTFILE_NEW,		/* OUT must not exist: never replaced */
	OUTFILE_REPLACE,	/* an existing OUT is replaced when the new
				   one is whole (a page, a chart) */
	OUTFILE_DIR,		/* a new directory that must not exist */
};

/*
 * An output being written: a temporary beside OUT, named
 * ".<OUT's name>.<16 random hex digits>.mapsnap-tmp", created with
 * O_EXCL|O_NOFOLLOW|O_CLOEXEC (a directory: mkdir, 0700) and held under
 * flock(2) while it is written. A run killed meanwhile leaves it
 * unlocked: the next outfile_begin() in that directory removes it (and
 * the -journal SQLite may have left beside it).
 */
struct outfile {
	char *path;		/* OUT, as given */
	char *tmp;		/* the temporary, a path beside OUT; write
				   it (or open it with SQLite) by this name */
	int fd;			/* on tmp, read-write (a directory: read
				   only), holding the lock; -1 when none */
	int dirfd;		/* OUT's directory */
	enum outfile_how how;
};

/*
 * Start writing OUT `path`: remove what killed runs left in its
 * directory, refuse an OUT that exists (OUTFILE_NEW, OUTFILE_DIR) or that
 * exists and is not a regular file (OUTFILE_REPLACE), then create the
 * temporary. 0, or -1 (printed, naming path); f is then released.
 */
int outfile_begin(struct outfile *f, const char *path, enum outfile_how how);

/*
 * Give the whole temporary OUT's name: renamed without replacing, but
 * for OUTFILE_REPLACE (and a file system without RENAME_NOREPLACE gets
 * link(2), which never replaces either). 0, or -1 (printed); release f
 * either way.
 */
int outfile_commit(struct outfile *f);

/* Remove the temporary if it was not committed (a directory with all in
 * it), with a -journal beside it, and free f. Safe on a zeroed f, twice. */
void outfile_release(struct outfile *f);

/*
 * A text output as a stream: OUT through outfile_begin(OUTFILE_REPLACE),
 * or, when OUT is this process's standard output already (--html
 * /dev/stdout), standard output itself, written in place. Returns the
 * stream, or NULL (printed; f released).
 */
FILE *outfile_fopen(struct outfile *f, const char *path);

/* Close the stream from outfile_fopen, then commit when `ok` and every
 * write succeeded. 0, or -1 (printed: a write error names OUT); release
 * f either way. */
int outfile_fclose(struct outfile *f, FILE *fp, int ok);

/*
 * A database mapsnap writes into in place (capture's -o FILE, merge's
 * existing OUT). Refused, with a message naming the file and why: a
 * FILE or side file (-journal, -wal, -shm) that is a symbolic link, not
 * a regular file, has another name (a hard link), is owned by another
 * user, or that others (group or world) can write; a directory that
 * another user (but root) owns, or that anyone can write without the
 * sticky bit (they could swap the files after these checks). "This
 * user" is the effective one, and under sudo (real uid 0 and SUDO_UID
 * set) also the one who ran sudo. A missing FILE is
 * created empty, OUTFILE_MODE, with O_EXCL|O_NOFOLLOW, and *created set;
 * SQLite gives the side files it makes the same owner and mode.
 * 0 or -1 (printed).
 */
int outfile_claim_db(const char *path, int *created);

/* After SQLite has opened FILE for writing: its side files that exist
 * pass the same checks (someone may have planted one since). 0 or -1. */
int outfile_check_sides(const char *path);

/* Remove FILE and its side files: a file outfile_claim_db() created that
 * is to be left as if never made. */
void outfile_remove_db(const char *path);

#endif
