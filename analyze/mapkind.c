/* mapkind.c - the kinds of mapkind.h, told by the name's prefix and its
 * base name, as /proc/PID/maps writes them (proc.rst). */
#include "mapkind.h"
#include "mapagg.h"

#include <string.h>

static int starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

/* Does the base name of path (len bytes) hold ".so" followed by its end,
 * a '.', or a blank (" (deleted)")? */
static int is_library(const char *path, size_t len)
{
	size_t base = 0, i;

	for (i = 0; i < len; i++)
		if (path[i] == '/')
			base = i + 1;
	for (i = base; i + 3 <= len; i++)
		if (!memcmp(path + i, ".so", 3) &&
		    (i + 3 == len || path[i + 3] == '.' || path[i + 3] == ' '))
			return 1;
	return 0;
}

enum map_kind map_kind_of(const char *name, size_t len)
{
	if (!len || (len == sizeof(MAPAGG_ANON) - 1 &&
		     !memcmp(name, MAPAGG_ANON, len)))
		return KIND_ANON;
	if (len == 6 && !memcmp(name, "[heap]", 6))
		return KIND_HEAP;
	if (starts(name, len, "[stack"))
		return KIND_STACK;
	if (starts(name, len, "[anon"))
		return KIND_ANON;
	if (name[0] != '/')
		return KIND_OTHER;
	if (starts(name, len, "/dev/shm/") || starts(name, len, "/SYSV") ||
	    starts(name, len, "/memfd:") || starts(name, len, "/dev/zero"))
		return KIND_SHM;
	return is_library(name, len) ? KIND_LIB : KIND_FILE;
}

const char *map_kind_name(enum map_kind k)
{
	static const char *const names[KIND_COUNT] = {
		"heap", "stack", "anonymous", "libraries", "shared memory",
		"other files", "kernel",
	};

	return (size_t)k < KIND_COUNT ? names[k] : "?";
}
