/* mapkind.h - what kind of memory a mapping is, from its name alone:
 * heap, stack, anonymous, a library, another file, shared memory. */
#ifndef MAPSNAP_MAPKIND_H
#define MAPSNAP_MAPKIND_H

#include <stddef.h>

enum map_kind {
	KIND_HEAP,	/* [heap] */
	KIND_STACK,	/* [stack], [stack:TID] */
	KIND_ANON,	/* unnamed, [anon:NAME], [anon_shmem:NAME]... */
	KIND_LIB,	/* a file whose base name has ".so" as a word end:
			   libc.so.6, ld-linux-x86-64.so.2, x.so (deleted) */
	KIND_SHM,	/* /dev/shm/..., /SYSV..., /memfd:..., /dev/zero
			   (a shared anonymous mapping) */
	KIND_FILE,	/* any other path */
	KIND_OTHER,	/* the kernel's own: [vdso], [vvar], [vsyscall]... */
	KIND_COUNT,
};

/* The kind of a mapping named name (len bytes; 0 or MAPAGG_ANON's
 * "<anonymous>": unnamed anonymous memory). */
enum map_kind map_kind_of(const char *name, size_t len);

/* "heap", "stack", "anonymous", "libraries", "shared memory", "other
 * files", "kernel". */
const char *map_kind_name(enum map_kind k);

#endif
