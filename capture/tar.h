/* tar.h - `--proc FILE.tar`: a smemcap archive (smem's capture format)
 * unpacked into a private proc-like directory that the walk reads. */
#ifndef MAPSNAP_TAR_H
#define MAPSNAP_TAR_H

struct tar_tree {
	char *dir;	/* the private directory: read it as /proc; NULL until
			   unpacked */
};

/*
 * Unpack the smemcap tar `path` into a new private directory (under
 * $TMPDIR): `meminfo`, `version`, `passwd` and `<pid>/<file>` for the files
 * a proc tree holds (smaps, maps, cmdline, stat, status, comm,
 * smaps_rollup); other entries are skipped. The archive is untrusted: only
 * regular files with those names are written, none over another, none
 * larger than the capture reads from /proc; links, absolute names and
 * names with ".." are refused, as are bad checksums and a truncated file.
 * What smemcap does not store is derived: `status` (Name, and Uid from the
 * tar header of the pid's directory), `maps` (from smaps) and the kernel
 * release (from `version`). Returns 0, or -1 (printed, naming the file;
 * nothing is left behind).
 */
int tar_tree_unpack(struct tar_tree *t, const char *path);

/* Remove the directory and everything written in it; safe when empty. */
void tar_tree_release(struct tar_tree *t);

/* Is `path` a regular file (so --proc names an archive, not a tree)? */
int tar_is_file(const char *path);

#endif
