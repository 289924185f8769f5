/* passwd.c - user names: NSS in the ordinary build; the static build
 * reads /etc/passwd itself (glibc's NSS modules cannot be loaded there). */
#include "passwd.h"
#include "buf.h"
#include "util.h"

#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Field i (0-based) of the ':'-separated line [s, end): its start and
 * length, or NULL when the line has fewer fields. */
static const char *field(const char *s, const char *end, int i, size_t *n)
{
	const char *colon;

	for (; i > 0; i--) {
		colon = memchr(s, ':', (size_t)(end - s));
		if (!colon)
			return NULL;
		s = colon + 1;
	}
	colon = memchr(s, ':', (size_t)(end - s));
	*n = (size_t)((colon ? colon : end) - s);
	return s;
}

int passwd_find(const char *text, size_t len, const char *name, long *uid,
		char **name_out)
{
	const char *p = text, *end = text + len, *eol, *user, *id;
	size_t ulen, idlen;
	uint64_t v;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		user = field(p, eol, 0, &ulen);
		id = field(p, eol, 2, &idlen);
		if (!user || !id || !ulen || parse_u64(id, idlen, 10, &v) < 0 ||
		    v > INT32_MAX)
			continue;
		if (name ? strlen(name) == ulen && !memcmp(name, user, ulen)
		    : (long)v == *uid) {
			*uid = (long)v;
			if (name_out)
				*name_out = xmemdup(user, ulen);
			return 1;
		}
	}
	return 0;
}

#ifdef MAPSNAP_STATIC
/* /etc/passwd, or no user at all: a static capture in an empty root
 * stores uids without names. */
static int lookup(const char *name, long *uid, char **name_out)
{
	struct buf b = BUF_INIT(16 << 20);
	int r = 0;

	if (buf_read_file(&b, "/etc/passwd", 65536) == 0 && b.data)
		r = passwd_find(b.data, b.len, name, uid, name_out);
	buf_release(&b);
	return r;
}

char *user_name_of(long uid)
{
	char *name = NULL;

	return uid >= 0 && lookup(NULL, &uid, &name) ? name : NULL;
}

long user_id_of(const char *name)
{
	long uid = -1;

	return lookup(name, &uid, NULL) ? uid : -1;
}
#else
char *user_name_of(long uid)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];

	return uid >= 0 && getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp),
				      &res) == 0 && res
		? xstrdup(pw.pw_name) : NULL;
}

long user_id_of(const char *name)
{
	struct passwd *pw = getpwnam(name);

	return pw ? (long)pw->pw_uid : -1;
}
#endif
