/* replay.c - a main() for a fuzz target built with the ordinary compiler:
 * runs LLVMFuzzerTestOneInput on every file of the directories named. */
#include "fuzz.h"
#include "buf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path, size_t *count)
{
	struct buf b = BUF_INIT((size_t)64 << 20);
	uint8_t *copy;

	if (buf_read_file(&b, path, 1 << 16) < 0)
		return error("cannot read '%s': %s", path, strerror(errno));
	/* an input of exactly its size: a read past it is a sanitizer report */
	copy = xmalloc(b.len ? b.len : 1);
	memcpy(copy, b.data ? b.data : "", b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	buf_release(&b);
	(*count)++;
	return 0;
}

/* Every regular file of dir, in name order; a missing dir holds none; a
 * file named instead of a directory is run itself. */
static int run_dir(const char *dir, size_t *count)
{
	struct dirent **ents = NULL;
	struct buf path = BUF_INIT(4096);
	struct stat st;
	int n, i, ret = 0;

	if (stat(dir, &st) == 0 && S_ISREG(st.st_mode))
		return run_file(dir, count);
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		if (errno == ENOENT)
			return 0;
		return error("cannot read '%s': %s", dir, strerror(errno));
	}
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		if (ents[i]->d_name[0] != '.' &&
		    buf_addf(&path, "%s/%s", dir, ents[i]->d_name) == 0 &&
		    stat(path.data, &st) == 0 && S_ISREG(st.st_mode) &&
		    run_file(path.data, count) < 0)
			ret = -1;
		free(ents[i]);
	}
	free(ents);
	buf_release(&path);
	return ret;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, ret = 0;

	progname = "replay";
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (run_dir(argv[i], &count) < 0)
			ret = 1;
	printf("%s: %zu inputs replayed\n", argv[0], count);
	return ret;
}
