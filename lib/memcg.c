/* memcg.c - the numbers of a memory cgroup's files, read by key from
 * (pointer, length), never trusting a newline or a NUL at the end. */
#include "memcg.h"
#include "util.h"

#include <string.h>

#define LIMIT_FLOOR ((int64_t)1 << 62)

/* The number at s[n], as int64: 0, or -1 when it is not one. */
static int number(const char *s, size_t n, int64_t *v)
{
	uint64_t u;

	if (parse_u64(s, n, 10, &u) < 0 || u > (uint64_t)INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

int memcg_value(const char *text, size_t len, int limit, int64_t *v)
{
	int64_t x;

	if (len && text[len - 1] == '\n')
		len--;
	if (limit && len == 3 && !memcmp(text, "max", 3)) {
		*v = MEMCG_NO_LIMIT;
		return 0;
	}
	if (number(text, len, &x) < 0)
		return -1;
	*v = limit && x >= LIMIT_FLOOR ? MEMCG_NO_LIMIT : x;
	return 0;
}

int memcg_key(const char *text, size_t len, const char *key, int64_t *v)
{
	const char *p = text, *end = text + len, *nl, *eol;
	size_t k = strlen(key);

	for (; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl ? nl : end;
		if ((size_t)(eol - p) > k && !memcmp(p, key, k) && p[k] == ' ')
			return number(p + k + 1, (size_t)(eol - p) - k - 1, v);
	}
	return -1;
}

/* key's value, or MEMCG_UNKNOWN. */
static int64_t value_of(const char *text, size_t len, const char *key)
{
	int64_t v;

	return memcg_key(text, len, key, &v) == 0 ? v : MEMCG_UNKNOWN;
}

/* A sum of the keys that are there; MEMCG_UNKNOWN when it overflows. */
static int64_t add_known(int64_t sum, int64_t v)
{
	if (v == MEMCG_UNKNOWN || sum == MEMCG_UNKNOWN)
		return sum;
	return __builtin_add_overflow(sum, v, &sum) ? MEMCG_UNKNOWN : sum;
}

/* What "kernel" stands for on kernels that do not print it (5.18-). */
static int64_t kernel_parts(const char *text, size_t len)
{
	static const char *const parts[] = {
		"kernel_stack", "pagetables", "percpu", "vmalloc",
	};
	int64_t sum = value_of(text, len, "kernel_stack"), slab;
	size_t i;

	if (sum == MEMCG_UNKNOWN)
		return MEMCG_UNKNOWN;
	for (i = 1; i < sizeof(parts) / sizeof(parts[0]); i++)
		sum = add_known(sum, value_of(text, len, parts[i]));
	slab = value_of(text, len, "slab");
	if (slab == MEMCG_UNKNOWN)
		slab = add_known(add_known(0, value_of(text, len,
			"slab_reclaimable")), value_of(text, len,
			"slab_unreclaimable"));
	return add_known(sum, slab);
}

/* key_total when the text has it, else key. */
static int64_t total_or(const char *text, size_t len, const char *total,
			const char *key)
{
	int64_t v = value_of(text, len, total);

	return v != MEMCG_UNKNOWN ? v : value_of(text, len, key);
}

void memcg_parse_stat(const char *text, size_t len, int v1,
		      struct memcg_split *out)
{
	if (v1) {
		out->anon = total_or(text, len, "total_rss", "rss");
		out->file = total_or(text, len, "total_cache", "cache");
		out->kernel = out->sock = MEMCG_UNKNOWN;
		return;
	}
	out->anon = value_of(text, len, "anon");
	out->file = value_of(text, len, "file");
	out->kernel = value_of(text, len, "kernel");
	if (out->kernel == MEMCG_UNKNOWN)
		out->kernel = kernel_parts(text, len);
	out->sock = value_of(text, len, "sock");
}

void memcg_parse_events(const char *text, size_t len, int v1, int64_t *oom,
			int64_t *oom_kill)
{
	*oom = v1 ? MEMCG_UNKNOWN : value_of(text, len, "oom");
	*oom_kill = value_of(text, len, "oom_kill");
}
