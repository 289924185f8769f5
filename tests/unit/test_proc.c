/* test_proc.c - reading one process of a frozen tree (capture/proc.c):
 * what a tree of someone else's files may hold is refused, and a pid
 * reused between the two reads of stat is counted as vanished. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../capture/capture.h"
#include "util.h"

#define PID 1400
static const char stat1[] = "1400 (bash) S 1 1400 1400 0 -1 4194560 1 0 0 0"
	" 0 0 0 0 20 0 1 0 5000 7000000 900 18446744073709551615 0\n";
static const char stat2[] = "1400 (bash) S 1 1400 1400 0 -1 4194560 1 0 0 0"
	" 0 0 0 0 20 0 1 0 6000 7000000 900 18446744073709551615 0\n";
static const char smaps[] = "00400000-00401000 r-xp 00000000 08:01 7 /bin/x\n"
	"Size:                  4 kB\nRss:                   4 kB\n";
static char top[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A whole process 1400 in a fresh tree; the caller spoils a file. */
static int setup(void **state)
{
	char dir[128];

	(void)state;
	snprintf(top, sizeof(top), "%s", "/tmp/test_proc.XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(dir, sizeof(dir), "%s/%d", top, PID);
	assert_int_equal(mkdir(dir, 0700), 0);
	put("1400/stat", stat1);
	put("1400/status", "Name:\tbash\nUid:\t1001\t1001\t1001\t1001\n");
	put("1400/cmdline", "-bash");
	put("1400/smaps", smaps);
	put("secret", "TOPSECRET\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

/* Read process 1400 as a capture of a frozen tree does: the skip reason
 * + 1 of the first step that skips, or 0. */
static int read_1400(struct proc_read *p)
{
	int r;

	proc_read_init(p);
	p->frozen = 1;
	r = proc_read_head(p, top, PID);
	return r ? r : proc_read_body(p, top, MODE_SMAPS);
}

static void test_whole(void **state)
{
	struct proc_read p;

	(void)state;
	assert_int_equal(read_1400(&p), 0);
	assert_int_equal(p.text.len, strlen(smaps));
	assert_int_equal(p.start_time, 5000);
	proc_read_release(&p);
}

/* Each way to spoil the tree, and the skip reason it gets. */
static void spoil(const char *how)
{
	char a[256], b[256];

	snprintf(a, sizeof(a), "%s/1400/smaps", top);
	snprintf(b, sizeof(b), "%s/secret", top);
	assert_int_equal(unlink(a), 0);
	if (!strcmp(how, "link"))
		assert_int_equal(symlink(b, a), 0);
	else if (!strcmp(how, "fifo"))
		assert_int_equal(mkfifo(a, 0600), 0);
	else if (!strcmp(how, "dir"))
		assert_int_equal(mkdir(a, 0700), 0);
	else
		fail_msg("no way to spoil: %s", how);
}

static void test_refused(void **state)
{
	static const char *const hows[] = { "link", "fifo", "dir" };
	struct proc_read p;
	size_t i;

	for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
		teardown(state);
		setup(state);
		spoil(hows[i]);
		assert_int_equal(read_1400(&p), SKIP_REFUSED + 1);
		assert_null(p.text.data ? strstr(p.text.data, "TOPSECRET") : NULL);
		proc_read_release(&p);
	}
}

/* The pid directory itself a link to another tree's process. */
static void test_refused_dir(void **state)
{
	char a[256], b[256];
	struct proc_read p;

	(void)state;
	snprintf(a, sizeof(a), "%s/%d", top, PID);
	snprintf(b, sizeof(b), "%s/elsewhere", top);
	assert_int_equal(rename(a, b), 0);
	assert_int_equal(symlink("elsewhere", a), 0);
	assert_int_equal(read_1400(&p), SKIP_REFUSED + 1);
	proc_read_release(&p);
}

/* A pid reused between the head and the body: stat's start time moved.
 * (A live /proc does it by itself; a frozen tree's file is changed here,
 * between the two reads, as a FIFO no longer may.) */
static void test_reused(void **state)
{
	struct proc_read p;

	(void)state;
	proc_read_init(&p);
	p.frozen = 1;
	assert_int_equal(proc_read_head(&p, top, PID), 0);
	put("1400/stat", stat2);
	assert_int_equal(proc_read_body(&p, top, MODE_SMAPS), SKIP_VANISHED + 1);
	proc_read_release(&p);
}

/* tree_read's own answers: -2 and why, or -1 with errno. */
static void test_tree_read(void **state)
{
	struct buf b = BUF_INIT(8);
	const char *why = NULL;

	(void)state;
	assert_int_equal(tree_read(&b, top, "1400/smaps", 4096, &why), -2);
	assert_string_equal(why, "larger than mapsnap reads");
	assert_int_equal(tree_read(&b, top, "1400/none", 4096, &why), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(tree_read(&b, top, "1400/stat/x", 4096, &why), -2);
	assert_string_equal(why, "not a directory");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_read, setup, teardown),
	};

	verbosity = 0;	/* the refusals' warnings are what is tested */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
