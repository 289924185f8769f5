/* output.c - where a capture writes: a database file claimed safely
 * (outfile.h), or standard output through a private, unlinked file. */
#include "capture.h"
#include "outfile.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK ((size_t)1 << 20)

/*
 * -o -: the database lives in a file of our own under $TMPDIR, made
 * with mkostemp (0600, O_EXCL), unlinked as soon as SQLite has it open:
 * whatever ends the run, even SIGKILL, leaves nothing behind. SQLite
 * keeps its journal in memory (STORE_PRIVATE), so it never needs the
 * name again; co->fd reads the file back at the end.
 */
static int open_private(struct capture_out *co)
{
	const char *dir = getenv("TMPDIR");
	struct buf name = BUF_INIT(4096);
	int ret = -1;

	if (isatty(STDOUT_FILENO))
		return error("cannot write the database to standard output: it"
			     " is a terminal (redirect it: -o - > FILE)");
	buf_addf(&name, "%s/mapsnap-stdout.XXXXXX", dir && *dir ? dir : "/tmp");
	co->fd = mkostemp(name.data, O_CLOEXEC);
	if (co->fd < 0 || fchmod(co->fd, OUTFILE_MODE) < 0) {
		error("cannot create '%s': %s", name.data, strerror(errno));
		goto out;
	}
	if (store_connect(&co->st, name.data, STORE_PRIVATE, NULL, 0) == 0 &&
	    unlink(name.data) == 0 && store_validate(&co->st) == 0)
		ret = 0;
out:
	if (co->fd >= 0 && ret < 0) {
		unlink(name.data);
		store_close(&co->st);
		close(co->fd);
		co->fd = -1;
	}
	buf_release(&name);
	return ret;
}

int capture_out_open(struct capture_out *co, const char *output)
{
	memset(co, 0, sizeof(*co));
	co->fd = -1;
	co->path = output;
	if (!strcmp(output, "-"))
		return open_private(co);
	if (outfile_claim_db(output, &co->created) < 0)
		return -1;
	/* the side files SQLite opened in WAL mode are the ones we checked */
	if (store_open(&co->st, output, STORE_WRITE) == 0 &&
	    outfile_check_sides(output) == 0)
		return 0;
	store_close(&co->st);
	if (co->created)
		outfile_remove_db(output);
	return -1;
}

/* Copy the whole private file to standard output. 0 or -1 (printed). */
static int copy_out(int fd)
{
	char *b = xmalloc(COPY_CHUNK);
	ssize_t n, w;
	off_t at = 0;
	size_t done;
	int ret = 0;

	while ((n = pread(fd, b, COPY_CHUNK, at)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error("cannot read the database back: %s",
				    strerror(errno));
			break;
		}
		for (done = 0; done < (size_t)n; done += (size_t)w) {
			w = write(STDOUT_FILENO, b + done, (size_t)n - done);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				break;
		}
		if (done < (size_t)n) {
			ret = error("cannot write the database to standard"
				    " output: %s", strerror(w < 0 ? errno : ENOSPC));
			break;
		}
		at += n;
	}
	free(b);
	return ret;
}

int capture_out_close(struct capture_out *co, long taken, int failed)
{
	int ret = 0;

	store_close(&co->st);
	if (co->fd >= 0) {
		/* a failed run that stored nothing has no file to give */
		if (!(failed && taken == 0))
			ret = copy_out(co->fd);
		close(co->fd);
	} else if (co->created && taken == 0) {
		outfile_remove_db(co->path);
	}
	co->fd = -1;
	return ret;
}
