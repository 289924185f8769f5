/* floor.c - the benchmark's floor: read /proc/PID/smaps (or other files)
 * of each pid with large reads, keep nothing, print the bytes read.
 * With -l, print each pid's bytes and a hash of its text instead. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFSZ (1 << 20)

/* Read /proc/PID/NAME to the end; 0, or -1 (printed). */
static int drain(const char *pid, const char *name, size_t len, char *buf,
		 unsigned long long *total, unsigned long long *hash)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/%.*s", pid, (int)len, name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "floor: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf, BUFSZ)) > 0) {
		*total += (unsigned long long)n;
		for (ssize_t i = 0; hash && i < n; i++)	/* FNV-1a */
			*hash = (*hash ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
	}
	if (n < 0)
		fprintf(stderr, "floor: cannot read '%s': %s\n", path,
			strerror(errno));
	close(fd);
	return n < 0 ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: floor [-l] [-f FILE[,FILE...]] PID...\n"
		"Read /proc/PID/FILE (default smaps; e.g. maps,smaps_rollup) for\n"
		"each pid, discard it, and print the total number of bytes read;\n"
		"with -l, a line 'PID BYTES HASH' for each pid instead.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *file = "smaps";
	unsigned long long total = 0, before, hash;
	const char *f;
	char *buf, *end;
	int i = 1, rc = 0, list = 0;
	size_t len;

	if (i < argc && !strcmp(argv[i], "-l")) {
		list = 1;
		i++;
	}
	if (i + 1 < argc && !strcmp(argv[i], "-f")) {
		file = argv[i + 1];
		i += 2;
	}
	if (i >= argc || strlen(file) > 64)
		usage();
	buf = malloc(BUFSZ);
	if (!buf)
		return 1;
	for (; i < argc; i++) {
		errno = 0;
		if (strtol(argv[i], &end, 10) <= 0 || *end || errno)
			usage();
		before = total;
		hash = 0xcbf29ce484222325ULL;
		for (f = file; *f; f += len + (f[len] == ',')) {
			len = strcspn(f, ",");
			if (len && drain(argv[i], f, len, buf, &total,
					 list ? &hash : NULL) < 0)
				rc = 1;
		}
		if (list)
			printf("%s %llu %016llx\n", argv[i], total - before, hash);
	}
	free(buf);
	if (!list)
		printf("%llu\n", total);
	return rc;
}
