/* test_redact.c - table-driven tests of redact's rewriting: SipHash against
 * its reference vectors, tokens pinned, and each kind of string and text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

/*
 * Expected strings are written with "<TEXT>" for the token of TEXT and
 * '|' for a NUL (command lines), so a table row reads like the rule it
 * checks; expand() makes the bytes.
 */
static void expand(const struct redactor *r, const char *want, struct buf *out)
{
	const char *p = want, *close;

	while (*p) {
		if (*p == '<') {
			close = strchr(p, '>');
			assert_non_null(close);
			assert_int_equal(redact_token(r, p + 1,
						      (size_t)(close - p - 1), out), 0);
			p = close + 1;
		} else {
			assert_int_equal(buf_addch(out, *p == '|' ? '\0' : *p), 0);
			p++;
		}
	}
}

/* (s with '|' as NUL) through fn must give want. */
static void check_fn(const struct redactor *r,
		     int (*fn)(const struct redactor *, const char *, size_t,
			       struct buf *),
		     const char *s, const char *want)
{
	struct buf in = BUF_INIT(1 << 20), got = BUF_INIT(1 << 20),
		   exp = BUF_INIT(1 << 20);
	const char *p;

	for (p = s; *p; p++)
		assert_int_equal(buf_addch(&in, *p == '|' ? '\0' : *p), 0);
	assert_int_equal(fn(r, in.data ? in.data : "", in.len, &got), 0);
	expand(r, want, &exp);
	if (got.len != exp.len || (got.len && memcmp(got.data, exp.data, got.len))) {
		print_error("input    '%s'\nexpected '%.*s'\ngot      '%.*s'\n", s,
			    (int)exp.len, exp.data ? exp.data : "",
			    (int)got.len, got.data ? got.data : "");
		fail();
	}
	buf_release(&in);
	buf_release(&got);
	buf_release(&exp);
}

struct row {
	const char *in, *want;
};

#define CHECK_ROWS(r, fn, rows) do { \
	size_t i_; \
	for (i_ = 0; i_ < sizeof(rows) / sizeof((rows)[0]); i_++) \
		check_fn((r), (fn), (rows)[i_].in, (rows)[i_].want); \
} while (0)

static void test_siphash_vectors(void **state)
{
	/* the reference vectors of the SipHash paper: key 00..0f, message
	 * 00..(n-1), the output read as a little-endian number */
	uint8_t key[16], msg[64];
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_true(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	assert_true(siphash24(key, msg, 8) == 0x93f5f5799a932462ULL);
	assert_true(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
	assert_true(siphash24(key, msg, 63) == 0x958a324ceb064572ULL);
}

/* The token of s; caller frees. */
static char *tok(const struct redactor *r, const char *s)
{
	struct buf b = BUF_INIT(256);

	assert_int_equal(redact_token(r, s, strlen(s), &b), 0);
	return buf_detach(&b, NULL);
}

static void test_tokens_pinned(void **state)
{
	struct redactor r, salted, salted2;
	char *t[6];
	size_t i;

	(void)state;
	redactor_init(&r);
	redactor_init(&salted);
	redactor_init(&salted2);
	redactor_salt(&salted, "pepper", 6);
	redactor_salt(&salted2, "pepper", 6);
	t[0] = tok(&r, "/home/alice/secret-project/libsecret.so");
	t[1] = tok(&r, "hunter2");
	t[2] = tok(&r, "");
	t[3] = tok(&salted, "hunter2");
	t[4] = tok(&salted2, "hunter2");
	t[5] = tok(&salted, "/home/alice/secret-project/libsecret.so");
	/* files redacted by other builds must keep matching: a change of
	 * these is a change of the format */
	assert_string_equal(t[0], "/redacted/0713a9bb76ae0cfa");
	assert_string_equal(t[1], "redacted-9ffbab0d77c556b3");
	assert_string_equal(t[2], "");
	/* a salt gives other tokens, the same salt the same ones */
	assert_string_not_equal(t[3], t[1]);
	assert_string_equal(t[3], t[4]);
	assert_string_not_equal(t[5], t[0]);
	assert_int_equal(strncmp(t[5], "/redacted/", 10), 0);
	for (i = 0; i < 6; i++)
		free(t[i]);
	redactor_release(&r);
	redactor_release(&salted);
	redactor_release(&salted2);
}

static void test_paths(void **state)
{
	static const struct row rows[] = {
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6",
		  "/usr/lib/x86_64-linux-gnu/libc.so.6" },
		{ "/usr", "/usr" },
		{ "/lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2" },
		{ "/opt/my app/bin/server", "/opt/my app/bin/server" },
		{ "/usr/lib/libold.so.1 (deleted)", "/usr/lib/libold.so.1 (deleted)" },
		{ "/usrx/lib", "</usrx/lib>" },
		{ "/home/alice/secret-project/libsecret.so",
		  "</home/alice/secret-project/libsecret.so>" },
		/* the suffix stays outside the hash: the same file */
		{ "/home/alice/old.so (deleted)", "</home/alice/old.so> (deleted)" },
		{ "/usr/../home/alice/x", "</usr/../home/alice/x>" },
		{ "/usr/./x", "</usr/./x>" },
		{ "/usr//x", "</usr//x>" },
		{ "/dev/zero (deleted)", "/dev/zero (deleted)" },
		{ "/anon_hugepage (deleted)", "/anon_hugepage (deleted)" },
		{ "/SYSV0000abcd (deleted)", "/SYSV0000abcd (deleted)" },
		{ "/SYSV0000abcg (deleted)", "</SYSV0000abcg> (deleted)" },
		{ "/memfd:pool (deleted)", "/memfd:pool (deleted)" },
		{ "/dev/shm/secret", "</dev/shm/secret>" },
		{ "/tmp/new\\012line.txt", "</tmp/new\\012line.txt>" },
		{ "", "" },
	};
	struct redactor r;

	(void)state;
	redactor_init(&r);
	CHECK_ROWS(&r, redact_path, rows);
	redactor_release(&r);
}

static void test_keep_paths(void **state)
{
	static const struct row rows[] = {
		{ "/home/alice/x.so", "/home/alice/x.so" },
		{ "/home/alice", "/home/alice" },
		{ "/home/alicex/x.so", "</home/alicex/x.so>" },
		{ "/home/bob/x.so", "</home/bob/x.so>" },
		{ "/home/alice/../bob/x", "</home/alice/../bob/x>" },
	};
	static const struct row all[] = {
		{ "/home/bob/x.so", "/home/bob/x.so" },
		{ "/home/bob/../x", "</home/bob/../x>" },
	};
	struct redactor r;

	(void)state;
	redactor_init(&r);
	assert_int_equal(redactor_keep(&r, "/home/alice/"), 0);
	assert_int_equal(redactor_keep(&r, "home/bob"), -1);
	CHECK_ROWS(&r, redact_path, rows);
	assert_int_equal(redactor_keep(&r, "/"), 0);
	CHECK_ROWS(&r, redact_path, all);
	redactor_release(&r);
}

static void test_map_names(void **state)
{
	static const struct row rows[] = {
		{ "", "" },
		{ "[heap]", "[heap]" },
		{ "[stack]", "[stack]" },
		{ "[rollup]", "[rollup]" },
		{ "[anon:my arena]", "[anon:my arena]" },
		{ "[anon_shmem:cache]", "[anon_shmem:cache]" },
		{ "anon_inode:[perf_event]", "anon_inode:[perf_event]" },
		{ "[anon:cut short", "<[anon:cut short>" },
		{ "not a path", "<not a path>" },
		{ "/home/alice/a b.so (deleted)", "</home/alice/a b.so> (deleted)" },
	};
	static const struct row names[] = {
		{ "[heap]", "[heap]" },
		{ "[anon:my arena]", "[anon:<my arena>]" },
		{ "[anon_shmem:cache]", "[anon_shmem:<cache>]" },
		{ "/memfd:pool (deleted)", "/memfd:<pool> (deleted)" },
		{ "/usr/lib/libc.so.6", "/usr/lib/libc.so.6" },
	};
	struct redactor r;

	(void)state;
	redactor_init(&r);
	CHECK_ROWS(&r, redact_map_name, rows);
	r.names = 1;
	CHECK_ROWS(&r, redact_map_name, names);
	redactor_release(&r);
}

static void test_cmdlines(void **state)
{
	static const struct row rows[] = {
		{ "/opt/my app/bin/server|--name=edge, \"quoted\"|--config|"
		  "/etc/my app/server.conf|-v|",
		  "/opt/my app/bin/server|--name=<edge, \"quoted\">|--config|"
		  "</etc/my app/server.conf>|-v|" },
		{ "./a) b (c|--flag|two words||", "<./a) b (c>|--flag|<two words>||" },
		{ "-bash|", "-bash|" },
		{ "sshd: alice [priv]", "<sshd: alice [priv]>" },
		{ "/home/alice/bin/x|--password=hunter2|-psecret|-|--|300",
		  "</home/alice/bin/x>|--password=<hunter2>|<-psecret>|-|--|<300>" },
		{ "python3|/usr/lib/foo.py|--config=/usr/share/x|--out=/tmp/y|--x=",
		  "python3|/usr/lib/foo.py|--config=/usr/share/x|--out=</tmp/y>|--x=" },
		{ "x|--pass word=1", "x|<--pass word=1>" },
		{ "", "" },
		{ "|", "|" },
	};
	static const struct row names[] = {
		{ "-bash|", "<-bash>|" },
		{ "/usr/bin/sleep|1", "/usr/bin/sleep|<1>" },
	};
	struct redactor r;

	(void)state;
	redactor_init(&r);
	CHECK_ROWS(&r, redact_cmdline, rows);
	r.names = 1;
	CHECK_ROWS(&r, redact_cmdline, names);
	redactor_release(&r);
}

static void test_options(void **state)
{
	static const struct row rows[] = {
		{ "-q -o secret-dir/in.db --proc /home/alice/proc --host"
		  " secret-host -l secret-label",
		  "-q -o <secret-dir/in.db> --proc </home/alice/proc> --host"
		  " <secret-host> -l <secret-label>" },
		{ "-i 0.5 -n 3 --keep=10 --level 1 -p 42 1234 --maps-only --rollup",
		  "-i 0.5 -n 3 --keep=10 --level 1 -p 42 1234 --maps-only --rollup" },
		/* getopt_long takes abbreviations and glued values */
		{ "--hos=secret -osecret.db -qvl lab --lab x",
		  "--hos=<secret> -o<secret.db> -qvl <lab> --lab <x>" },
		{ "--h secret", "<--h> <secret>" },
		{ "-m 123 -x -- 12 abc", "-m <123> <-x> -- 12 <abc>" },
		{ "--pid abc -i 1.2.3", "--pid <abc> -i <1.2.3>" },
		{ "-u root -u alice --comm bash", "-u root -u <alice> --comm bash" },
		{ "-o", "-o" },
		{ "", "" },
	};
	static const struct row kept[] = {
		{ "-l before --label=after", "-l before --label=after" },
	};
	struct redactor r;

	(void)state;
	redactor_init(&r);
	CHECK_ROWS(&r, redact_options, rows);
	r.labels = 1;
	CHECK_ROWS(&r, redact_options, kept);
	redactor_release(&r);
}

static void test_users_labels(void **state)
{
	static const struct row users[] = {
		{ "root", "root" }, { "alice", "<alice>" }, { "rootx", "<rootx>" },
	};
	struct redactor r;

	(void)state;
	redactor_init(&r);
	CHECK_ROWS(&r, redact_user, users);
	check_fn(&r, redact_label, "before deploy", "<before deploy>");
	check_fn(&r, redact_comm, "bash", "bash");
	r.labels = 1;
	r.names = 1;
	check_fn(&r, redact_label, "before deploy", "before deploy");
	check_fn(&r, redact_comm, "bash", "<bash>");
	redactor_release(&r);
}

#define HDR(range, name) range " r--p 00000000 fe:01 131075" \
	"                     " name
static const char smaps_in[] =
	HDR("1000-2000", "/home/alice/secret-project/libsecret.so") "\n"
	"Size:                  4 kB\n"
	"Rss:                   4 kB\n"
	"VmFlags: rd mr mw me \n"
	HDR("2000-3000", "/usr/lib/libc.so.6") "\n"
	"Size:                  4 kB\n"
	HDR("3000-4000", "/home/alice/gone.so (deleted)") "\n"
	"Size:                  4 kB\n"
	"4000-5000 rw-p 00000000 00:00 0\n"
	"Size:                  4 kB\n"
	HDR("5000-6000", "[anon:arena]") "\n"
	"Size:                  4 kB";	/* no newline at the end */
static const char smaps_want[] =
	HDR("1000-2000", "</home/alice/secret-project/libsecret.so>") "\n"
	"Size:                  4 kB\n"
	"Rss:                   4 kB\n"
	"VmFlags: rd mr mw me \n"
	HDR("2000-3000", "/usr/lib/libc.so.6") "\n"
	"Size:                  4 kB\n"
	HDR("3000-4000", "</home/alice/gone.so> (deleted)") "\n"
	"Size:                  4 kB\n"
	"4000-5000 rw-p 00000000 00:00 0\n"
	"Size:                  4 kB\n"
	HDR("5000-6000", "[anon:arena]") "\n"
	"Size:                  4 kB";

static int maps_fn(const struct redactor *r, const char *s, size_t n,
		   struct buf *out)
{
	char err[160];

	return redact_maps(r, s, n, out, err, sizeof(err));
}

static void test_maps_texts(void **state)
{
	static const struct row rows[] = {
		{ smaps_in, smaps_want },
		{ HDR("1000-2000", "/srv/x") "\n" HDR("2000-3000", "[heap]"),
		  HDR("1000-2000", "</srv/x>") "\n" HDR("2000-3000", "[heap]") },
		{ "", "" },
	};
	static const char bad[] =
		HDR("1000-2000", "/srv/x") "\n"
		"garbage /home/alice/secret\n";
	struct buf out = BUF_INIT(1 << 20), tiny = BUF_INIT(100);
	char err[160] = "";
	struct redactor r;

	(void)state;
	redactor_init(&r);
	CHECK_ROWS(&r, maps_fn, rows);
	/* a text that does not parse is refused, not half copied */
	assert_int_equal(redact_maps(&r, bad, sizeof(bad) - 1, &out, err,
				     sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(redact_maps(&r, smaps_in, sizeof(smaps_in) - 1, &tiny,
				     err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	buf_release(&out);
	buf_release(&tiny);
	redactor_release(&r);
}

static void test_stat_status(void **state)
{
	static const char stat[] = "1300 (a) b (c) S 1400 1300 1300 0 -1 4194304\n";
	static const char status[] = "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\n";
	struct redactor r;

	(void)state;
	redactor_init(&r);
	check_fn(&r, redact_stat, stat, stat);
	check_fn(&r, redact_status, status, status);
	r.names = 1;
	check_fn(&r, redact_stat, stat, "1300 (<a) b (c>) S 1400 1300 1300 0 -1 4194304\n");
	check_fn(&r, redact_status, status,
		 "Name:\t<bash>\nUmask:\t0022\nState:\tS (sleeping)\n");
	check_fn(&r, redact_status, "Name:\tx", "Name:\t<x>");
	check_fn(&r, redact_stat, "no parens", "no parens");
	redactor_release(&r);
}

/* What a reader shows of a command line redact wrote: "[comm] " before
 * an argv[0] that is a token ('|' is a NUL, as above). */
static void test_shown_identity(void **state)
{
	static const struct { const char *cmdline, *comm, *want; } rows[] = {
		{ "./mleak|600|", "mleak", "./mleak 600" },
		{ "redacted-ac43a10db3953227|redacted-0123456789abcdef|", "mleak",
		  "[mleak] redacted-ac43a10db3953227 redacted-0123456789abcdef" },
		{ "/redacted/62fdb6133c9429ab|2048|", "leaker",
		  "[leaker] /redacted/62fdb6133c9429ab 2048" },
		{ "redacted-ac43a10db3953227", "mleak",	/* no final NUL */
		  "[mleak] redacted-ac43a10db3953227" },
		/* --redact-names: comm is a token too, and says nothing */
		{ "redacted-ac43a10db3953227|", "redacted-0123456789abcdef",
		  "redacted-ac43a10db3953227" },
		/* not a token: too short, too long, not redact's digits */
		{ "redacted-ac43|", "x", "redacted-ac43" },
		{ "redacted-ac43a10db3953227f|", "x", "redacted-ac43a10db3953227f" },
		{ "redacted-AC43A10DB3953227|", "x", "redacted-AC43A10DB3953227" },
		{ "/redacted/62fdb6133c9429zz|", "x", "/redacted/62fdb6133c9429zz" },
		{ "bash|redacted-ac43a10db3953227|", "bash",
		  "bash redacted-ac43a10db3953227" },
		{ "", "kworker", "[kworker]" },
	};
	struct buf b = BUF_INIT(4096);
	char in[128];
	size_t i, n, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = strlen(rows[i].cmdline);
		assert_true(n < sizeof(in));
		for (k = 0; k < n; k++)
			in[k] = rows[i].cmdline[k] == '|' ? '\0' : rows[i].cmdline[k];
		in[n] = 'Z';	/* past the end: never read */
		assert_string_equal(cmdline_show(&b, in, n, rows[i].comm),
				    rows[i].want);
	}
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_tokens_pinned),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_keep_paths),
		cmocka_unit_test(test_map_names),
		cmocka_unit_test(test_cmdlines),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_users_labels),
		cmocka_unit_test(test_maps_texts),
		cmocka_unit_test(test_stat_status),
		cmocka_unit_test(test_shown_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
