/* host.c - who and where: hostname, machine-id, boot_id, kernel, arch,
 * page size and uptime of the box (or of a frozen proc tree). */
#include "capture.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* First line of a small file, or "" when it cannot be read; a frozen
 * tree's file is opened as tree_read() opens one, and warned about when
 * refused. */
static char *first_line(const char *dir, const char *name, int frozen)
{
	struct buf b = BUF_INIT(4096);
	const char *why = NULL;
	char path[4096];
	size_t n;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = frozen ? tree_read(&b, dir, name, 4096, &why)
		: buf_read_file(&b, path, 4096);
	if (r == -2)
		warn("refused '%s': %s", path, why);
	if (r < 0 || !b.data) {
		buf_release(&b);
		return xstrdup("");
	}
	n = strcspn(b.data, "\n");
	b.data[n] = '\0';
	return buf_detach(&b, NULL);
}

void host_info_read(struct host_info *h, const char *proc, int live,
		    const char *host_override)
{
	char name[256] = "";
	char *up;
	struct utsname u;

	memset(h, 0, sizeof(*h));
	if (host_override)
		h->hostname = xstrdup(host_override);
	else if (gethostname(name, sizeof(name) - 1) == 0)
		h->hostname = xstrdup(name);
	else
		h->hostname = xstrdup("localhost");
	h->machine_id = live ? first_line("/etc", "machine-id", 0) : xstrdup("");
	h->boot_id = first_line(proc, "sys/kernel/random/boot_id", !live);
	h->kernel = first_line(proc, "sys/kernel/osrelease", !live);
	h->arch = xstrdup(live && uname(&u) == 0 ? u.machine : "");
	h->page_size = live ? sysconf(_SC_PAGESIZE) : 0;
	up = first_line(proc, "uptime", !live);
	h->uptime = *up ? strtod(up, NULL) : -1;
	free(up);
}

void host_info_release(struct host_info *h)
{
	free(h->hostname);
	free(h->machine_id);
	free(h->boot_id);
	free(h->kernel);
	free(h->arch);
	memset(h, 0, sizeof(*h));
}
