/* passwd.h - user names of this host: through NSS (getpwuid_r) in the
 * ordinary build, and read from /etc/passwd in the static one, which
 * has no NSS to load (make static).
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. */
#ifndef MAPSNAP_PASSWD_H
#define MAPSNAP_PASSWD_H

#include <stddef.h>

/*
 * Find a user in `text` (len bytes) laid out as passwd(5): by name when
 * name is not NULL, else by *uid. Returns 1 with *uid and, when name_out
 * is not NULL, *name_out (malloc'd) filled; 0 when no well-formed line
 * matches (a line with a bad uid field is passed over). Nothing printed.
 */
int passwd_find(const char *text, size_t len, const char *name, long *uid,
		char **name_out);

/* The name of uid on this host, malloc'd; NULL when unknown. */
char *user_name_of(long uid);

/* The uid of the user `name` on this host, or -1 when unknown. */
long user_id_of(const char *name);

#endif
