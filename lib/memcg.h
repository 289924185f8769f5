/* memcg.h - what a memory cgroup's files say: its charge and limits, the
 * split of memory.stat, the OOM counts of memory.events (cgroup v2) or
 * memory.oom_control (v1). All amounts in bytes, as the files print them.
 *
 * Layer: lib/ knows nothing of analyze/ or capture/. Pure functions of
 * (pointer, length): the text may come from a stranger's frozen tree.
 */
#ifndef MAPSNAP_MEMCG_H
#define MAPSNAP_MEMCG_H

#include <stddef.h>
#include <stdint.h>

/* A limit that is none: v2 prints "max", v1 a number near 2^63
 * (PAGE_COUNTER_MAX pages); both are stored as this. */
#define MEMCG_NO_LIMIT INT64_MAX

/* A figure a file did not give. */
#define MEMCG_UNKNOWN (-1)

/*
 * A single-value file: a number of bytes and a newline. With `limit`,
 * "max" and any value of 2^62 or more read as MEMCG_NO_LIMIT. 0 with *v
 * set, or -1 when the text is not one number (*v untouched).
 */
int memcg_value(const char *text, size_t len, int limit, int64_t *v);

/* The value of `key` in a flat-keyed file ("key value" lines): 0 with
 * *v set, or -1 when absent or not a number. */
int memcg_key(const char *text, size_t len, const char *key, int64_t *v);

/* memory.stat's split, bytes; MEMCG_UNKNOWN where the text does not say. */
struct memcg_split {
	int64_t anon, file, kernel, sock;
};

/*
 * The split of a memory.stat text. v2: anon, file, sock as printed;
 * kernel as printed (Linux 5.18 on), else the sum of kernel_stack,
 * pagetables, percpu, vmalloc and slab that it stands for (when
 * kernel_stack is there). v1: anon is total_rss (rss without the
 * hierarchical total), file total_cache (cache); kernel and sock are not
 * in a v1 memory.stat (the capture reads memory.kmem.usage_in_bytes and
 * memory.kmem.tcp.usage_in_bytes for them).
 */
void memcg_parse_stat(const char *text, size_t len, int v1,
		      struct memcg_split *out);

/* The OOM counts: v2 memory.events' oom and oom_kill (hierarchical);
 * v1 memory.oom_control's oom_kill (v1 counts no oom events: oom stays
 * MEMCG_UNKNOWN). */
void memcg_parse_events(const char *text, size_t len, int v1, int64_t *oom,
			int64_t *oom_kill);

#endif
