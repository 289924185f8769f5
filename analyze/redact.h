/* redact.h - the text rewriting behind `redact`: which strings of a snapshot
 * are private, and the stable short hash (a keyed SipHash) that replaces them. */
#ifndef MAPSNAP_REDACT_H
#define MAPSNAP_REDACT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rows.h"

/*
 * A private string becomes a token: "/redacted/" and 16 hex digits when it
 * is a path (starts with '/'), "redacted-" and 16 hex digits otherwise. The
 * digits are the 64 bits of SipHash-2-4 of the string's bytes under a
 * fixed key, or under a key drawn from a salt: the same string gives the
 * same token in every file redacted with the same salt, and diffs across
 * files still match; 64 bits, as a box holds far more than the 2^16
 * strings where 32-bit tokens would start to collide. A path keeps its " (deleted)" suffix, outside the hash.
 */
/* REDACT_PATH_PREFIX and REDACT_PREFIX are in rows.h: readers know them */

struct redactor {
	char **keep;		/* kept path prefixes, without a trailing '/' */
	size_t nkeep;
	int names;		/* hash comm, [anon:NAME] and memfd:NAME too */
	int labels;		/* keep snapshot labels as they are */
	uint8_t key[16];	/* SipHash key */
};

/* The default kept prefixes: /usr /lib /lib32 /lib64 /bin /sbin /opt. */
void redactor_init(struct redactor *r);
void redactor_release(struct redactor *r);
/* Keep paths under `prefix` too. -1 (nothing printed) when it is not an
 * absolute path. */
int redactor_keep(struct redactor *r, const char *prefix);
/* Draw the key from `salt` instead of the fixed one. */
void redactor_salt(struct redactor *r, const char *salt, size_t n);

/* SipHash-2-4 of (p, n) under a 16-byte key (little-endian, as specified). */
uint64_t siphash24(const uint8_t key[16], const void *p, size_t n);

/*
 * Each of these appends the redacted form of (s, n) to out and returns 0,
 * or -1 when out would pass its cap (nothing printed). None needs a NUL
 * after s, and a string that holds nothing private is appended as it is.
 */
/* Any string: its token ("" stays ""). */
int redact_token(const struct redactor *r, const char *s, size_t n,
		 struct buf *out);
/* A path: kept under a kept prefix (and with no "." or ".." component),
 * kept when the kernel made it up (/dev/zero, /SYSV..., /anon_hugepage,
 * /memfd:NAME unless names), else its token and " (deleted)" if it had it. */
int redact_path(const struct redactor *r, const char *s, size_t n,
		struct buf *out);
/* The name column of a maps line: [heap] and its kind kept, [anon:NAME]
 * kept unless names, anon_inode:... kept, a path as redact_path. */
int redact_map_name(const struct redactor *r, const char *s, size_t n,
		    struct buf *out);
/* A user name: root is kept, any other its token. */
int redact_user(const struct redactor *r, const char *s, size_t n,
		struct buf *out);
/* A process name (comm): kept, or its token when names. */
int redact_comm(const struct redactor *r, const char *s, size_t n,
		struct buf *out);
/* A snapshot label: kept with labels, else its token. */
int redact_label(const struct redactor *r, const char *s, size_t n,
		 struct buf *out);
/*
 * One command-line argument. argv[0] is kept when it is a kept path or,
 * unless names, a bare program name (no '/', no blank). Later arguments:
 * option names ("-x", "--name") kept, "--name=VALUE" keeps "--name=" and
 * redacts VALUE, a path as redact_path, anything else its token.
 */
int redact_arg(const struct redactor *r, const char *s, size_t n, int argv0,
	       struct buf *out);
/* A cmdline: NUL-separated arguments, each as redact_arg, NULs kept. */
int redact_cmdline(const struct redactor *r, const char *s, size_t n,
		   struct buf *out);
/*
 * snapshots.options: mapsnap-capture's arguments joined by blanks. Its own
 * option names are kept, and the numbers given to --pid, --interval,
 * --count, --keep and --level and bare PIDs; every other word (a label, a
 * host, a regex, a path, an unknown option) is redacted.
 */
int redact_options(const struct redactor *r, const char *s, size_t n,
		   struct buf *out);

/*
 * A maps, smaps or smaps_rollup text: the name column of each header line
 * as redact_map_name, every other byte as it was (columns, numbers, field
 * lines). -1 with "line N: cause" in err when the text does not parse, or
 * "too large" when out is full: a text that is not understood is not
 * copied, it could hide a name.
 */
int redact_maps(const struct redactor *r, const char *text, size_t n,
		struct buf *out, char *err, size_t errlen);
/* A stat text: the comm between the first '(' and the last ')' as
 * redact_comm. */
int redact_stat(const struct redactor *r, const char *text, size_t n,
		struct buf *out);
/* A status text: the "Name:" line's value as redact_comm. */
int redact_status(const struct redactor *r, const char *text, size_t n,
		  struct buf *out);
/*
 * A cgroup path: its private parts (container ids, pod UIDs, container
 * and machine names, a user manager's units, names no rule knows) each
 * its token; system slices and units and the runtimes' words kept
 * (cg_rewrite), so the result names the same kind of unit, container
 * and pod.
 */
int redact_cgroup(const struct redactor *r, const char *s, size_t n,
		  struct buf *out);

#endif
