/* fuzz_cgroup.c - fuzz target: what a stranger's tree or file says of
 * cgroups: /proc/PID/cgroup texts, cgroup paths (cgpath.c) and the
 * numbers of memory.stat, memory.events and the limit files (memcg.c). */
#include "cgpath.h"
#include "fuzz.h"
#include "memcg.h"

#include <string.h>

/* A stand-in for redact's token: a fixed one, as id-like as the real. */
static int token(void *ctx, const char *s, size_t n, struct buf *out)
{
	(void)ctx;
	(void)s;
	(void)n;
	return buf_addstr(out, "redacted-0123456789abcdef");
}

/* The part unchanged: a rewrite with it gives the path back. */
static int same(void *ctx, const char *s, size_t n, struct buf *out)
{
	++*(size_t *)ctx;
	return buf_add(out, s, n);
}

/* Which fields a path names: redact derives them again from its output,
 * so a rewrite must name the same ones. */
static unsigned said(const struct cg_ident *id)
{
	return (unsigned)!!id->unit[0] | (unsigned)!!id->slice[0] << 1 |
		(unsigned)!!id->id[0] << 2 | (unsigned)!!id->pod[0] << 3 |
		(unsigned)!!id->name[0] << 4 | (unsigned)id->user_unit << 5 |
		(unsigned)id->runtime << 8;
}

static void check_ident(const struct cg_ident *id)
{
	FUZZ_CHECK(strlen(id->unit) < CG_NAME_MAX && strlen(id->slice) < CG_NAME_MAX);
	FUZZ_CHECK(strlen(id->id) < CG_NAME_MAX && strlen(id->pod) < CG_NAME_MAX);
	FUZZ_CHECK(strlen(id->name) < CG_NAME_MAX);
	/* an id or a name comes with its runtime; a runtime with one of them */
	FUZZ_CHECK(!id->id[0] || id->runtime != CG_RT_NONE);
	FUZZ_CHECK(!id->name[0] || id->runtime != CG_RT_NONE);
	FUZZ_CHECK(id->runtime == CG_RT_NONE || id->id[0] || id->name[0]);
	FUZZ_CHECK(!id->user_unit || id->unit[0]);
}

/* Are the components of p plain names (1 to 255 bytes, no control
 * character)? Only such a path names the same things once rewritten: a
 * token in place of what is not a name may read as a container id. */
static int plain_path(const char *p, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i <= n; i++) {
		if (i == n || p[i] == '/') {
			if (len >= CG_NAME_MAX)
				return 0;
			len = 0;
		} else if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
			return 0;
		} else {
			len++;
		}
	}
	return 1;
}

/* The input as a path: identity, round trip, what a rewrite keeps. */
static void check_path(const char *p, size_t n)
{
	struct buf a = BUF_INIT(1 << 20), b = BUF_INIT(1 << 20);
	struct cg_ident x, y;
	size_t parts = 0, up;

	cg_ident(p, n, &x);
	check_ident(&x);
	FUZZ_CHECK(cg_rewrite(p, n, same, &parts, &a) == 0);
	FUZZ_CHECK(a.len == n && (!n || !memcmp(a.data, p, n)));
	FUZZ_CHECK(cg_rewrite(p, n, token, NULL, &b) == 0);
	cg_ident(b.data ? b.data : "", b.len, &y);
	FUZZ_CHECK(!plain_path(p, n) || said(&x) == said(&y));
	/* the key masks container ids alone, each with one '*' */
	buf_reset(&a);
	FUZZ_CHECK(cg_stable_key(p, n, &a) == 0);
	FUZZ_CHECK(a.len <= n);
	FUZZ_CHECK(!plain_path(p, n) || x.id[0] ||
		   (a.len == n && (!n || !memcmp(a.data, p, n))));
	if (cg_path_readable(p, n)) {
		up = cg_parent_len(p, n);
		/* the parent: what is before the last '/', or "/" itself */
		FUZZ_CHECK(up < n && (n == 1 ? up == 0 : up >= 1));
		FUZZ_CHECK(n == 1 || (p[up == 1 ? 0 : up] == '/' &&
				      !memchr(p + up + 1, '/', n - up - 1)));
	}
	buf_release(&a);
	buf_release(&b);
}

/* The input as /proc/PID/cgroup: the paths are lines of it. */
static void check_proc(const char *p, size_t n)
{
	static struct cg_paths cg;
	size_t i;
	char *const paths[] = { cg.v2, cg.memory };

	if (cg_parse_proc(p, n, &cg) < 0)
		return;
	for (i = 0; i < 2; i++) {
		size_t len = strlen(paths[i]);

		FUZZ_CHECK(len < CG_PATH_MAX);
		FUZZ_CHECK(!len || (paths[i][0] == '/' && memmem(p, n, paths[i], len)));
		check_path(paths[i], len);
	}
}

/* The input as cgroup files: numbers as the files and the kernel say. */
static void check_memcg(const char *p, size_t n)
{
	struct memcg_split s;
	int64_t v = 7, oom, kill;
	int i;

	for (i = 0; i < 2; i++) {
		memcg_parse_stat(p, n, i, &s);
		FUZZ_CHECK(s.anon >= MEMCG_UNKNOWN && s.file >= MEMCG_UNKNOWN);
		FUZZ_CHECK(s.kernel >= MEMCG_UNKNOWN && s.sock >= MEMCG_UNKNOWN);
		FUZZ_CHECK(!i || (s.kernel == MEMCG_UNKNOWN && s.sock == MEMCG_UNKNOWN));
		memcg_parse_events(p, n, i, &oom, &kill);
		FUZZ_CHECK(oom >= MEMCG_UNKNOWN && kill >= MEMCG_UNKNOWN);
		if (memcg_value(p, n, i, &v) == 0)
			FUZZ_CHECK(v >= 0 && (!i || v < ((int64_t)1 << 62) ||
					      v == MEMCG_NO_LIMIT));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t n = size > 3 * CG_PATH_MAX ? 3 * CG_PATH_MAX : size;

	check_proc(p, n);
	check_memcg(p, n);
	check_path(p, n);
	return 0;
}
