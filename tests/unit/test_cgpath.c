/* test_cgpath.c - table-driven tests of what cgroup paths say (units,
 * slices, containers, pods), the keys that pair restarts, the redaction
 * of paths, and the numbers of memory.stat, memory.events and limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cgpath.h"
#include "memcg.h"

#define ID64 "3f1e2d4c5b6a79880f1e2d3c4b5a69788f7e6d5c4b3a29180f1e2d3c4b5a6978"

/* The layouts of the samples and the runtimes' own documentation. */
static const struct {
	const char *path;
	const char *unit, *slice;
	int user_unit;
	const char *runtime, *id, *pod, *name;
} ident_rows[] = {
	{ "/", "", "", 0, NULL, "", "", "" },
	{ "/system.slice/nginx.service", "nginx.service", "system.slice", 0,
	  NULL, "", "", "" },
	{ "/system.slice/nginx.service/worker", "nginx.service",
	  "system.slice", 0, NULL, "", "", "" },
	{ "/system.slice/docker-" ID64 ".scope", "docker-" ID64 ".scope",
	  "system.slice", 0, "docker", ID64, "", "" },
	{ "/docker/" ID64, "", "", 0, "docker", ID64, "", "" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
	  "6b1d7c2e_3f4a_4b5c_8d9e_0a1b2c3d4e5f.slice/cri-containerd-" ID64
	  ".scope", "cri-containerd-" ID64 ".scope", "kubepods-burstable-pod"
	  "6b1d7c2e_3f4a_4b5c_8d9e_0a1b2c3d4e5f.slice", 0, "containerd", ID64,
	  "6b1d7c2e-3f4a-4b5c-8d9e-0a1b2c3d4e5f", "" },
	{ "/kubepods.slice/kubepods-pod11111111_2222_3333_4444_555555555555"
	  ".slice/crio-" ID64 ".scope", "crio-" ID64 ".scope", "kubepods-pod"
	  "11111111_2222_3333_4444_555555555555.slice", 0, "cri-o", ID64,
	  "11111111-2222-3333-4444-555555555555", "" },
	{ "/kubepods/besteffort/pod6b1d7c2e-3f4a-4b5c-8d9e-0a1b2c3d4e5f/" ID64,
	  "", "", 0, "kubernetes", ID64, "6b1d7c2e-3f4a-4b5c-8d9e-0a1b2c3d4e5f",
	  "" },
	{ "/machine.slice/libpod-" ID64 ".scope/container", "libpod-" ID64
	  ".scope", "machine.slice", 0, "podman", ID64, "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	  "podman-1234.scope", "podman-1234.scope", "app.slice", 1, NULL, "",
	  "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	  "syncthing.service", "syncthing.service", "app.slice", 1, NULL, "",
	  "", "" },
	{ "/user.slice/user-1000.slice/session-3.scope", "session-3.scope",
	  "user-1000.slice", 0, NULL, "", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/init.scope",
	  "init.scope", "user-1000.slice", 1, NULL, "", "", "" },
	{ "/machine.slice/systemd-nspawn@build1.service/payload",
	  "systemd-nspawn@build1.service", "machine.slice", 0, "nspawn", "",
	  "", "build1" },
	{ "/machine.slice/machine-qemu\\x2d1\\x2ddebian.scope",
	  "machine-qemu\\x2d1\\x2ddebian.scope", "machine.slice", 0, "machine",
	  "", "", "qemu\\x2d1\\x2ddebian" },
	{ "/lxc/web01", "", "", 0, "lxc", "", "", "web01" },
	{ "/lxc.payload.web01/init.scope", "init.scope", "", 0, "lxc", "", "",
	  "web01" },
	{ "/system.slice/docker-" ID64 ".scope (deleted)", "docker-" ID64
	  ".scope", "system.slice", 0, "docker", ID64, "", "" },
	/* what redact makes of a path reads the same way */
	{ "/system.slice/docker-redacted-0123456789abcdef.scope",
	  "docker-redacted-0123456789abcdef.scope", "system.slice", 0,
	  "docker", "redacted-0123456789abcdef", "", "" },
	{ "/docker-.scope", "docker-.scope", "", 0, NULL, "", "", "" },
	/* every child of docker's directory is a container, whatever it
	 * looks like; a suffix inside its id is the id's */
	{ "/docker/web.slice", "", "", 0, "docker", "web.slice", "", "" },
	/* a component hashed under a user's manager names no parent */
	{ "/user.slice/user-1000.slice/user@1000.service/docker/0f1e2d3c4b5a",
	  "user@1000.service", "user-1000.slice", 0, NULL, "", "", "" },
	{ "/docker/a\nb", "", "", 0, NULL, "", "", "" },
	{ "/kubepods-pod.slice", "", "kubepods-pod.slice", 0, NULL, "", "", "" },
};

static void test_ident(void **state)
{
	struct cg_ident id;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ident_rows) / sizeof(ident_rows[0]); i++) {
		const char *p = ident_rows[i].path;
		const char *rt;

		cg_ident(p, strlen(p), &id);
		rt = cg_runtime_name(id.runtime);
		if (strcmp(id.unit, ident_rows[i].unit) ||
		    strcmp(id.slice, ident_rows[i].slice) ||
		    id.user_unit != ident_rows[i].user_unit ||
		    (rt ? !ident_rows[i].runtime || strcmp(rt, ident_rows[i].runtime)
		     : ident_rows[i].runtime != NULL) ||
		    strcmp(id.id, ident_rows[i].id) ||
		    strcmp(id.pod, ident_rows[i].pod) ||
		    strcmp(id.name, ident_rows[i].name))
			fail_msg("%s: unit '%s' slice '%s' user %d runtime %s id"
				 " '%s' pod '%s' name '%s'", p, id.unit, id.slice,
				 id.user_unit, rt ? rt : "-", id.id, id.pod,
				 id.name);
	}
}

static const struct {
	const char *text;
	int ok;
	const char *v2, *memory;
} proc_rows[] = {
	{ "0::/system.slice/nginx.service\n", 0, "/system.slice/nginx.service",
	  "" },
	{ "12:memory:/docker/abc\n11:cpu,cpuacct:/docker/abc\n0::/\n", 0, "/",
	  "/docker/abc" },
	{ "4:memory,hugetlb:/a:b c\n", 0, "", "/a:b c" },
	{ "1:name=systemd:/user.slice\n", 0, "", "" },
	{ "0::/x (deleted)", 0, "/x (deleted)", "" },
	{ "", 0, "", "" },
	{ "\n\n0::/a\n\n", 0, "/a", "" },
	{ "0::relative\n", -1, "", "" },
	{ "0:/a\n", -1, "", "" },
	{ "x::/a\n", -1, "", "" },
	{ "0::\n", -1, "", "" },
};

static void test_parse_proc(void **state)
{
	struct cg_paths p;
	size_t i;
	char big[CG_PATH_MAX + 16];

	(void)state;
	for (i = 0; i < sizeof(proc_rows) / sizeof(proc_rows[0]); i++) {
		int r = cg_parse_proc(proc_rows[i].text, strlen(proc_rows[i].text),
				      &p);

		if (r != proc_rows[i].ok || (r == 0 &&
		    (strcmp(p.v2, proc_rows[i].v2) ||
		     strcmp(p.memory, proc_rows[i].memory))))
			fail_msg("'%s': %d v2 '%s' memory '%s'", proc_rows[i].text,
				 r, p.v2, p.memory);
	}
	/* a path of PATH_MAX bytes or more is refused, not cut */
	memcpy(big, "0::/", 4);
	memset(big + 4, 'a', sizeof(big) - 4);
	assert_int_equal(cg_parse_proc(big, sizeof(big), &p), -1);
	/* a NUL inside a path is refused */
	assert_int_equal(cg_parse_proc("0::/a\0b\n", 8, &p), -1);
}

static void test_readable(void **state)
{
	static const struct { const char *p; int ok; } rows[] = {
		{ "/", 1 }, { "/a/b.slice", 1 }, { "/a b/c", 1 },
		{ "", 0 }, { "a", 0 }, { "/..", 0 }, { "/../x", 0 },
		{ "/a/../b", 0 }, { "/a/./b", 0 }, { "//a", 0 }, { "/a/", 0 },
		{ "/a (deleted)", 0 }, { "/a\nb", 0 }, { "/a\x7f", 0 },
	};
	static const struct { const char *p; size_t parent; } parents[] = {
		{ "/", 0 }, { "/a", 1 }, { "/a/b", 2 }, { "/ab/cd/ef", 6 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (cg_path_readable(rows[i].p, strlen(rows[i].p)) != rows[i].ok)
			fail_msg("'%s' should be %sreadable", rows[i].p,
				 rows[i].ok ? "" : "un");
	for (i = 0; i < sizeof(parents) / sizeof(parents[0]); i++)
		assert_int_equal(cg_parent_len(parents[i].p, strlen(parents[i].p)),
				 parents[i].parent);
}

static const struct {
	const char *path, *key;
} key_rows[] = {
	{ "/system.slice/docker-" ID64 ".scope", "/system.slice/docker-*.scope" },
	{ "/docker/" ID64, "/docker/*" },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab_cd"
	  ".slice/cri-containerd-" ID64 ".scope", "/kubepods.slice/kubepods-"
	  "besteffort.slice/kubepods-besteffort-podab_cd.slice/cri-containerd-"
	  "*.scope" },
	{ "/kubepods/burstable/podab-cd/" ID64, "/kubepods/burstable/podab-cd/*" },
	{ "/system.slice/nginx.service", "/system.slice/nginx.service" },
	{ "/machine.slice/systemd-nspawn@b1.service",
	  "/machine.slice/systemd-nspawn@b1.service" },
	{ "/x (deleted)", "/x (deleted)" },
};

static void test_stable_key(void **state)
{
	struct buf b = BUF_INIT(1 << 16);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key_rows) / sizeof(key_rows[0]); i++) {
		buf_reset(&b);
		assert_int_equal(cg_stable_key(key_rows[i].path,
					       strlen(key_rows[i].path), &b), 0);
		assert_string_equal(b.data, key_rows[i].key);
	}
	buf_release(&b);
}

/* A stand-in for redact's hash: the part in brackets. */
static int bracket(void *ctx, const char *s, size_t n, struct buf *out)
{
	(*(int *)ctx)++;
	return buf_addf(out, "[%.*s]", (int)n, s);
}

static const struct {
	const char *path, *out;
} rewrite_rows[] = {
	{ "/", "/" },
	{ "/system.slice/nginx.service", "/system.slice/nginx.service" },
	{ "/system.slice/docker-abc123.scope", "/system.slice/docker-[abc123]"
	  ".scope" },
	{ "/docker/abc123", "/docker/[abc123]" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podab_cd"
	  ".slice/crio-ff00.scope", "/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod[ab_cd].slice/crio-[ff00].scope" },
	{ "/kubepods/besteffort/podab-cd/ff00", "/kubepods/besteffort/pod[ab-cd]"
	  "/[ff00]" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/secret-app"
	  ".service", "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	  "[secret-app].service" },
	{ "/user.slice/user-1000.slice/user@1000.service/init.scope",
	  "/user.slice/user-1000.slice/user@1000.service/init.scope" },
	{ "/user.slice/user-1000.slice/session-3.scope",
	  "/user.slice/user-1000.slice/session-3.scope" },
	{ "/machine.slice/systemd-nspawn@build1.service", "/machine.slice/"
	  "systemd-nspawn@[build1].service" },
	{ "/lxc/web01", "/lxc/[web01]" },
	{ "/process_api/2479ee85", "/[process_api]/[2479ee85]" },
	{ "/docker/web.slice", "/docker/[web.slice]" },
	{ "/user.slice/user-1000.slice/user@1000.service/docker/0f1e",
	  "/user.slice/user-1000.slice/user@1000.service/[docker]/[0f1e]" },
	{ "/../../x", "/../../[x]" },
	{ "/acme/x (deleted)", "/[acme]/[x] (deleted)" },
};

static void test_rewrite(void **state)
{
	struct buf b = BUF_INIT(1 << 16);
	size_t i;
	int calls = 0;

	(void)state;
	for (i = 0; i < sizeof(rewrite_rows) / sizeof(rewrite_rows[0]); i++) {
		buf_reset(&b);
		assert_int_equal(cg_rewrite(rewrite_rows[i].path,
					    strlen(rewrite_rows[i].path), bracket,
					    &calls, &b), 0);
		assert_string_equal(b.data, rewrite_rows[i].out);
	}
	assert_true(calls > 0);
	/* out's cap is an error, not a cut */
	buf_release(&b);
	b = (struct buf)BUF_INIT(8);
	assert_int_equal(cg_rewrite("/system.slice/x.service", 23, bracket,
				    &calls, &b), -1);
	buf_release(&b);
}

#define STAT_V2 "anon 1048576\nfile 2097152\nkernel 524288\n" \
	"kernel_stack 65536\npagetables 131072\nsock 4096\nshmem 0\n"
#define STAT_V2_OLD "anon 10\nfile 20\nkernel_stack 1\npagetables 2\n" \
	"percpu 3\nsock 4\nslab_reclaimable 5\nslab_unreclaimable 6\n"
#define STAT_V1 "cache 100\nrss 200\nrss_huge 0\ntotal_cache 1100\n" \
	"total_rss 1200\n"

static void test_memcg(void **state)
{
	struct memcg_split s;
	int64_t v = 7, oom, kill;

	(void)state;
	memcg_parse_stat(STAT_V2, strlen(STAT_V2), 0, &s);
	assert_int_equal(s.anon, 1048576);
	assert_int_equal(s.file, 2097152);
	assert_int_equal(s.kernel, 524288);
	assert_int_equal(s.sock, 4096);
	memcg_parse_stat(STAT_V2_OLD, strlen(STAT_V2_OLD), 0, &s);
	assert_int_equal(s.kernel, 1 + 2 + 3 + 5 + 6);
	memcg_parse_stat(STAT_V1, strlen(STAT_V1), 1, &s);
	assert_int_equal(s.anon, 1200);
	assert_int_equal(s.file, 1100);
	assert_int_equal(s.kernel, MEMCG_UNKNOWN);
	memcg_parse_stat("cache 5\nrss 6\n", 14, 1, &s);
	assert_int_equal(s.anon, 6);
	memcg_parse_stat("garbage", 7, 0, &s);
	assert_int_equal(s.anon, MEMCG_UNKNOWN);
	assert_int_equal(s.kernel, MEMCG_UNKNOWN);
	/* a key is a whole word: "anon_thp" is not "anon" */
	memcg_parse_stat("anon_thp 5\n", 11, 0, &s);
	assert_int_equal(s.anon, MEMCG_UNKNOWN);

	memcg_parse_events("low 0\nhigh 3\nmax 9\noom 2\noom_kill 1\n", 35, 0,
			   &oom, &kill);
	assert_int_equal(oom, 2);
	assert_int_equal(kill, 1);
	memcg_parse_events("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n", 41,
			   1, &oom, &kill);
	assert_int_equal(oom, MEMCG_UNKNOWN);
	assert_int_equal(kill, 4);

	assert_int_equal(memcg_value("123\n", 4, 0, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(memcg_value("max\n", 4, 1, &v), 0);
	assert_int_equal(v, MEMCG_NO_LIMIT);
	assert_int_equal(memcg_value("9223372036854771712\n", 20, 1, &v), 0);
	assert_int_equal(v, MEMCG_NO_LIMIT);
	assert_int_equal(memcg_value("max\n", 4, 0, &v), -1);
	assert_int_equal(memcg_value("", 0, 0, &v), -1);
	assert_int_equal(memcg_value("-1\n", 3, 0, &v), -1);
	assert_int_equal(memcg_value("18446744073709551615\n", 21, 0, &v), -1);
	assert_int_equal(memcg_value("12 34\n", 6, 0, &v), -1);
	assert_int_equal(v, MEMCG_NO_LIMIT);	/* untouched by failures */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_parse_proc),
		cmocka_unit_test(test_readable),
		cmocka_unit_test(test_stable_key),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_memcg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
