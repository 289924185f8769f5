/* pmap.h - the `pmap` command's renderers: one process's stored maps or
 * smaps text printed as procps-ng pmap 4.0.2 printed it, byte for byte,
 * and the process facts it prints besides (pmap_header.c). */
#ifndef MAPSNAP_PMAP_H
#define MAPSNAP_PMAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

/* pmap's options: x, d as flags; X counts -X (2 or more is -XX). */
struct pmap_opts {
	int x, X, d, q, p;
};

/* What pmap knew about the process besides its text. */
struct pmap_proc {
	const char *file;	/* the mapsnap file, for messages */
	int64_t pid;
	const char *text;	/* maps (default, -d) or smaps (-x, -X) */
	size_t len;
	uint64_t start_stack;	/* field 28 of stat: "[ stack ]" */
	int long32;		/* pmap was built with a 32-bit long */
	unsigned shm_minor;	/* the host's SysV shm minor; ~0u: none */
};

/* pmap reads its text in fgets() chunks of this size: a longer header
 * line is cut there (see the man page). */
#define PMAP_LINE_MAX 1024

/*
 * The SysV shm device minor of the capturing host, as pmap would have
 * found it, inferred from the text: the minor of shared anonymous memory
 * ("/dev/zero (deleted)"), else of the first "/SYSV" shared mapping on a
 * major-0 device; ~0u when the text has neither. Parses the whole text:
 * returns 0, or -1 with "line N: cause" in err when it is corrupt.
 */
int pmap_shm_minor(const char *text, size_t len, unsigned *minor,
		   char *err, size_t errlen);

/*
 * Print the default, -x or -d format (o->X == 0) to out. Returns 0, or -1
 * with a message naming the file and the line when the text is corrupt.
 */
int pmap_print_maps(const struct pmap_proc *p, const struct pmap_opts *o,
		    FILE *out);

/*
 * Print the -X or -XX format. Returns 0, or -1 with a message where
 * pmap 4.0.2 itself stops with an error (a field in one mapping that is
 * not where the first mappings had theirs, a field that is not a number)
 * or where the text is corrupt; nothing is printed then.
 */
int pmap_print_extended(const struct pmap_proc *p, const struct pmap_opts *o,
			FILE *out);

/* What libproc2's stat2proc() gives pmap. */
struct pmap_stat {
	char comm[64];		/* from the first '(' to the last ')' */
	char state;		/* 0 when stat does not say */
	uint64_t start_stack;	/* field 28; 0 when stat does not say */
};

/*
 * Parse the stat text (NUL-terminated; NULL when not stored). `comm` is
 * used when stat has none. Never fails: what stat lacks stays 0, as in
 * libproc2.
 */
void pmap_parse_stat(const char *stat, const char *comm, struct pmap_stat *st);

/*
 * The command line as pmap 4.0.2 prints it (libproc2's PIDS_CMDLINE in a
 * UTF-8 locale): the first 131071 bytes of cmdline, NULs and newlines as
 * blanks, trailing NULs dropped, control and malformed bytes escaped;
 * "[comm]" (plus " <defunct>" for a zombie) when cmdline is empty.
 * Caller frees.
 */
char *pmap_cmdline(const char *cmdline, size_t len, const struct pmap_stat *st);

/* The pid pmap prints: the Tgid of the status text (NUL-terminated, or
 * NULL), else pid. */
unsigned pmap_tgid(const char *status, int64_t pid);

#endif
